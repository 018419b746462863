"""pandas DataFrames and igraph Graphs as inputs: the same results as the same networkx graph."""
import numpy as np
import pytest

from gasp_graph import (
    GaspTypeError,
    GaspValueError,
    GaspWarning,
    agglomerate,
    partition,
    partitions,
)

nx = pytest.importorskip("networkx")
pd = pytest.importorskip("pandas")
ig = pytest.importorskip("igraph")


def _table(seed, n=40, m=150):
    """A random signed edge table with string node names, repeated pairs and extra columns."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n, m)
    v = (u + rng.integers(1, n, m)) % n  # never u
    return pd.DataFrame({
        "a": [f"n{i}" for i in u], "b": [f"n{i}" for i in v],
        "w": rng.normal(size=m), "rep": rng.uniform(0, 1, m),
        "long": rng.random(m) < 0.25, "size": rng.uniform(0.5, 3.0, m),
    })


def _multigraph(df):
    """The same graph as a networkx MultiGraph (node order: first appearance, source first)."""
    G = nx.MultiGraph()
    for row in df.itertuples(index=False):
        G.add_edge(row.a, row.b, w=row.w, rep=row.rep, long=bool(row.long), size=row.size)
    return G


def _igraph(df):
    names = list(dict.fromkeys(np.column_stack([df["a"], df["b"]]).reshape(-1)))
    index = {v: i for i, v in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b in zip(df["a"], df["b"])])
    g.vs["name"] = names
    for col in ("w", "rep", "size"):
        g.es[col] = df[col].tolist()
    g.es["long"] = df["long"].tolist()
    return g


OPTIONS = [
    dict(weight="w"),
    dict(weight="w", linkage="sum", cannot_link=True),
    dict(weight=("w", "rep"), linkage="abs_max"),
    dict(weight="w", lifted="long", edge_size="size", linkage="average"),
    dict(weight="w", linkage="max", n_clusters=4),
]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("options", OPTIONS)
def test_dataframe_and_igraph_equal_networkx(seed, options):
    df = _table(seed)
    want = partition(_multigraph(df), **options)
    assert len(want) > 1
    assert partition(df, source="a", target="b", **options) == want
    assert partition(_igraph(df), **options) == want


def test_agglomerate_and_partitions_accept_dataframes_and_igraph():
    df = _table(7)
    G, g = _multigraph(df), _igraph(df)
    ref = agglomerate(G, weight="w")
    for tree in (agglomerate(df, source="a", target="b", weight="w"), agglomerate(g, weight="w")):
        np.testing.assert_array_equal(tree.merges, ref.merges)
        np.testing.assert_array_equal(tree.heights, ref.heights)
        assert tree.nodes == ref.nodes
        assert tree.communities(0.2) == ref.communities(0.2)
    ts = [0.5, 0.0, -0.5]
    want = list(partitions(G, ts, weight="w"))
    assert list(partitions(df, ts, source="a", target="b", weight="w")) == want
    assert list(partitions(g, ts, weight="w")) == want


def test_dataframe_default_columns_and_any_hashable_nodes():
    df = pd.DataFrame({"source": [(1, "x"), (1, "x"), 3.5], "target": [7, 3.5, 7],
                       "weight": [0.9, -0.4, -0.8]})
    assert partition(df) == [{(1, "x"), 7}, {3.5}]


def test_igraph_without_names_uses_vertex_indices():
    g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 3)])
    g.es["weight"] = [0.9, -0.2, 0.5]
    assert partition(g) == [{0, 1}, {2, 3}]
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 0.9), (1, 2, -0.2), (2, 3, 0.5)])
    assert partition(g) == partition(G)


def test_missing_values_and_default_weight():
    df = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [0.9, np.nan]})
    with pytest.raises(GaspValueError, match=r"row 1 has weight = nan; weights must be finite "
                       r"\(a missing value needs default_weight=\)"):
        partition(df)
    assert partition(df, default_weight=-1.0) == [{"a", "b"}, {"c"}]
    no_weight = df.drop(columns="weight")
    with pytest.raises(GaspValueError, match=r"weight='weight' is not a column.*'source'"):
        partition(no_weight)
    with pytest.warns(GaspWarning, match="no negative weight"):
        assert partition(no_weight, default_weight=1.0) == [{"a", "b", "c"}]
    g = ig.Graph(n=3, edges=[(0, 1), (1, 2)])
    with pytest.raises(GaspValueError, match="no edge attribute 'weight'"):
        partition(g)
    g.es["weight"] = [0.9, None]
    with pytest.raises(GaspValueError, match=r"edge \(1, 2\) has weight = nan"):
        partition(g)
    assert partition(g, default_weight=-1.0) == [{0, 1}, {2}]


def test_bad_tables_name_the_row_and_column():
    df = pd.DataFrame({"u": ["a", None], "v": ["b", "c"], "weight": [1.0, 1.0]})
    with pytest.raises(GaspValueError, match="source='source' is not a column"):
        partition(df)
    with pytest.raises(GaspValueError, match=r"row 1 has no node in column 'u'"):
        partition(df, source="u", target="v")
    df = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1.0, "x"]})
    with pytest.raises(GaspTypeError, match=r"row 1 has weight = 'x' \(str\)"):
        partition(df)
    df = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1.0, 1.0],
                       "lifted": [0, 2], "size": [1.0, -1.0]})
    with pytest.raises(GaspValueError, match=r"row 1 has lifted = 2.0; lifted flags"):
        partition(df, lifted="lifted")
    with pytest.raises(GaspValueError, match=r"row 1 has size = -1.0; edge sizes"):
        partition(df, edge_size="size")
    with pytest.raises(GaspTypeError, match="source='u' names a DataFrame column"):
        partition(nx.path_graph(2), source="u")
    g = ig.Graph(n=2, edges=[(0, 1)], directed=True)
    g.es["weight"] = [1.0]
    with pytest.raises(GaspValueError, match="directed"):
        partition(g)


def test_self_loops_in_tables_and_igraph():
    df = pd.DataFrame({"source": ["a", "b", "c", "a"], "target": ["b", "b", "c", "c"],
                       "weight": [0.9, np.nan, 2.0, -0.5]})  # a loop's weight is never read
    assert partition(df) == [{"a", "b"}, {"c"}]
    with pytest.raises(GaspValueError, match=r"row 1 \('b', 'b'\) is a self-loop"):
        partition(df, self_loops="error")
    g = ig.Graph(n=3, edges=[(0, 1), (1, 1), (1, 2)])
    g.vs["name"] = ["x", "y", "z"]
    g.es["weight"] = [0.5, 4.0, -1.0]
    assert partition(g) == [{"x", "y"}, {"z"}]
    with pytest.raises(GaspValueError, match=r"edge \('y', 'y'\) is a self-loop"):
        partition(g, self_loops="error")


def test_node_sizes():
    df = _table(3)
    G = _multigraph(df)
    sizes = {v: 1.0 + (i % 3) for i, v in enumerate(G.nodes)}
    nx.set_node_attributes(G, sizes, "s")
    g = _igraph(df)
    g.vs["s"] = [sizes[v] for v in g.vs["name"]]
    want = partition(G, weight="w", node_size="s", size_regularizer=1.0)
    assert partition(df, source="a", target="b", weight="w", node_size=pd.Series(sizes),
                     size_regularizer=1.0) == want
    assert partition(g, weight="w", node_size="s", size_regularizer=1.0) == want


def test_modularity_null_model_counts_self_loops_like_networkx():
    df = _table(5)
    loops = pd.DataFrame({"a": ["n1", "n7", "n7"], "b": ["n1", "n7", "n7"], "w": [3.0, 1.5, 2.0],
                          "rep": [0.0] * 3, "long": [False] * 3, "size": [1.0] * 3})
    df = pd.concat([df, loops], ignore_index=True)
    df["w"] = df["w"].abs()  # an unsigned graph, for the modularity null model
    G, g = _multigraph(df), _igraph(df)
    options = dict(weight="w", linkage="sum", null_model="modularity")
    want = partition(G, **options)
    assert partition(df, source="a", target="b", **options) == want
    assert partition(g, **options) == want
    # without the self-loops in the strengths the result differs
    plain = partition(G.copy().__class__(e for e in G.edges(data=True) if e[0] != e[1]),
                      **options)
    assert plain != want
