"""gasp_graph.dask: many graphs, the exact decomposition, the blockwise strategy.

Everything runs twice where it matters: on Dask's threaded scheduler (the default) and on a small
distributed.LocalCluster started once for the module.
"""
import numpy as np
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pytest.importorskip("scipy")

import gasp_graph  # noqa: E402
from gasp_graph import GaspTypeError, GaspValueError, gasp  # noqa: E402
from gasp_graph import dask as gd  # noqa: E402

LINKAGES = ["sum", "average", "max", "min", "abs_max", "generalized_mean", "smooth_max"]
CONSTRAINTS = [
    {},
    {"cannot_link": True},
    {"cannot_link": True, "merge_constrained_at_end": True},
]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        # ":0": any free port (None means the default 8787, which another process may hold,
        # and the "port in use" warning is an error under the test settings)
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(params=["threads", "cluster"])
def where(request):
    """None (threaded scheduler) or the module's distributed client."""
    if request.param == "threads":
        return None
    return request.getfixturevalue("client")


def random_graph(seed, n=300, m=900, lifted_share=0.2, bias=-0.3):
    """A random signed graph with many positive components, duplicates, lifted edges, sizes."""
    rng = np.random.default_rng(seed)
    e = rng.integers(0, n, (m, 2))
    e = e[e[:, 0] != e[:, 1]]
    e = np.vstack([e, e[:20]])  # duplicate pairs fold in edge order
    k = len(e)
    w = np.round(rng.normal(bias, 1.0, k), 1)  # rounding creates ties
    lifted = rng.random(k) < lifted_share
    sizes = rng.uniform(0.5, 2.0, k)
    table = pd.DataFrame({"u": e[:, 0], "v": e[:, 1], "weight": w, "lifted": lifted, "size": sizes})
    return e, w, lifted, sizes, table


def planted(seed, n_groups=12, group=25, p_in=0.3, p_out=0.02, noise=0.6):
    """A planted partition: attractive groups, repulsive between them, with noise."""
    rng = np.random.default_rng(seed)
    n = n_groups * group
    truth = np.repeat(np.arange(n_groups), group)
    iu, iv = np.triu_indices(n, 1)
    same = truth[iu] == truth[iv]
    keep = rng.random(iu.size) < np.where(same, p_in, p_out)
    e = np.column_stack([iu[keep], iv[keep]])
    e = e[rng.permutation(len(e))]
    w = np.where(truth[e[:, 0]] == truth[e[:, 1]], 1.0, -1.0) + rng.normal(0, noise, len(e))
    return n, e, w


def first_occurrence(labels):
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inv.reshape(-1)]


# ----------------------------------------------------------------------------- partition_many


def test_partition_many_equals_serial_runs(where):
    graphs, serial = [], []
    for seed in range(6):
        e, w, lifted, sizes, _ = random_graph(seed, n=80, m=200, bias=0.0)
        if seed % 2:
            graphs.append((e, w))
            serial.append(gasp(e, w, linkage="average", cannot_link=True))
        else:
            graphs.append({"edges": e, "weights": w, "lifted": lifted, "linkage": "sum"})
            serial.append(gasp(e, w, lifted=lifted, linkage="sum", cannot_link=True))
    got = gd.partition_many(graphs, client=where, linkage="average", cannot_link=True)
    assert len(got) == len(serial)
    for a, b in zip(got, serial):
        np.testing.assert_array_equal(a, b)


def test_partition_many_rejects_unknown_items():
    with pytest.raises(GaspTypeError, match=r"graphs\[1\]"):
        gd.partition_many([([[0, 1]], [1.0]), "not a graph"])
    with pytest.raises(GaspValueError, match="weights"):
        gd.partition_many([{"edges": [[0, 1]]}])


def test_partition_many_passes_graphs_to_the_front_end(monkeypatch):
    class FakeGraph:
        adj = {}

    seen = []
    monkeypatch.setattr(gasp_graph, "partition", lambda G, **kw: seen.append(kw) or "ok",
                        raising=False)
    assert gd.partition_many([FakeGraph()], linkage="max") == ["ok"]
    assert seen == [{"linkage": "max"}]
    monkeypatch.setattr(gasp_graph, "partition", None, raising=False)
    with pytest.raises(GaspTypeError, match="gasp_graph.partition"):
        gd.partition_many([FakeGraph()])


# ------------------------------------------------------------------------ exact decomposition


@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("constraints", CONSTRAINTS, ids=["plain", "cannot_link", "merge_at_end"])
def test_dropping_edges_between_positive_components_is_exact(linkage, constraints):
    """The argument behind partition(), checked on the engine itself."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    e, w, lifted, sizes, _ = random_graph(7, bias=-0.6)
    n = 300
    pos = w > 0
    g = coo_matrix((np.ones(pos.sum()), (e[pos, 0], e[pos, 1])), shape=(n, n))
    comp = connected_components(g, directed=False)[1]
    inner = comp[e[:, 0]] == comp[e[:, 1]]
    assert (~inner).sum() > 100  # the test drops many edges
    kw = dict(n_nodes=n, linkage=linkage, edge_sizes=sizes, **constraints)
    full = gasp(e, w, lifted=lifted, **kw)
    kw["edge_sizes"] = sizes[inner]
    dropped = gasp(e[inner], w[inner], lifted=lifted[inner], **kw)
    np.testing.assert_array_equal(full, dropped)


@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("constraints", CONSTRAINTS, ids=["plain", "cannot_link", "merge_at_end"])
def test_partition_equals_single_machine(where, linkage, constraints):
    e, w, lifted, sizes, table = random_graph(LINKAGES.index(linkage))
    ddf = dd.from_pandas(table, npartitions=3, sort=False)
    expected = gasp(e, w, n_nodes=310, linkage=linkage, lifted=lifted, edge_sizes=sizes,
                    **constraints)
    got = gd.partition(ddf, n_nodes=310, lifted="lifted", size="size", client=where,
                       batch_edges=60, linkage=linkage, **constraints)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    assert expected.max() > 50  # many clusters: the comparison is not trivial


def test_partition_without_lifted_with_size_regularizer(where):
    e, w, _, sizes, table = random_graph(11, bias=0.0)
    node_sizes = np.random.default_rng(0).uniform(1, 3, 300)
    kw = dict(linkage="average", size_regularizer=0.5, node_sizes=node_sizes)
    expected = gasp(e, w, n_nodes=300, **kw)
    got = gd.partition(dd.from_pandas(table, npartitions=4, sort=False), n_nodes=300,
                       client=where, batch_edges=100, **kw)
    np.testing.assert_array_equal(got, expected)


def test_partition_reads_parquet_and_pandas(tmp_path):
    e, w, lifted, sizes, table = random_graph(3)
    table = table.rename(columns={"u": "src", "v": "dst", "weight": "aff"})
    path = tmp_path / "edges.parquet"
    table.to_parquet(path)
    expected = gasp(e, w, lifted=lifted)
    for source in (str(path), path, table):
        got = gd.partition(source, source="src", target="dst", weight="aff", lifted="lifted")
        np.testing.assert_array_equal(got, expected)


def test_partition_rejects_bad_input():
    table = pd.DataFrame({"u": [0, 1, 2], "v": [1, 1, 2], "weight": [1.0, 0.5, 3.0]})
    # self-loops are dropped, as by gasp (node 2 only has one: it stays a singleton) ...
    np.testing.assert_array_equal(gd.partition(table), gasp([[0, 1], [1, 1], [2, 2]],
                                                            [1.0, 0.5, 3.0]))
    np.testing.assert_array_equal(gd.partition(table), [0, 0, 1])
    np.testing.assert_array_equal(gd.partition_blockwise(table, block_size=2), [0, 0, 1])
    # ... or refused
    with pytest.raises(GaspValueError, match="partition 0.*self-loop"):
        gd.partition(table, self_loops="error")
    table = table.iloc[:2]
    with pytest.raises(GaspValueError, match="n_clusters=3"):
        gd.partition(table, n_clusters=3)
    with pytest.raises(GaspValueError, match="no column 'w'"):
        gd.partition(table, weight="w")
    with pytest.raises(GaspTypeError, match="edge_sizes"):
        gd.partition(table, edge_sizes=[1, 1])
    with pytest.raises(GaspValueError, match="n_nodes=1"):
        gd.partition(table.iloc[:1], n_nodes=1)
    with pytest.raises(GaspTypeError, match="edges must be"):
        gd.partition([[0, 1]])


def test_partition_without_positive_edges():
    table = pd.DataFrame({"u": [0, 1], "v": [1, 2], "weight": [-1.0, -0.5]})
    np.testing.assert_array_equal(gd.partition(table, n_nodes=4), [0, 1, 2, 3])


# ---------------------------------------------------------------------------------- blockwise


@pytest.mark.parametrize("linkage", [k for k in LINKAGES if k != "smooth_max"])
def test_contraction_statistics_match_engine_folding(linkage):
    """A reduced edge carries the value the engine gets by folding its original edges.

    smooth_max is left out: its pairwise fold depends on the merge history by design.
    """
    from gasp_graph import _core
    from gasp_graph._validation import prepare

    rng = np.random.default_rng(5)
    e, _, _, sizes, table = random_graph(5, lifted_share=0.0)
    w = rng.normal(0.0, 1.0, len(e))  # no ties: the merge orders can be compared
    table["weight"] = w
    cmap = rng.integers(0, 20, 300)
    cols = gd._Columns("u", "v", "weight", "size", None)
    red = gd._contract([gd._stats_part(table, 0, 0, cols, linkage, 1.0)], cmap, linkage, 1.0)
    red = gd._take(red, np.argsort(red["first"], kind="stable"))
    u, v = cmap[e[:, 0]], cmap[e[:, 1]]
    keep = u != v

    def tree(edges, weights, edge_sizes):
        prob = prepare(edges, weights, n_nodes=20, linkage=linkage, edge_sizes=edge_sizes)
        _, merges, heights, _ = _core.run(prob, record_merges=True, run_to_completion=True)
        return merges, heights

    m1, h1 = tree(np.column_stack([u, v])[keep], w[keep], sizes[keep])
    m2, h2 = tree(np.column_stack([red["u"], red["v"]]), gd._value(red, linkage),
                  red["S"] if linkage in gd._USES_SIZES else None)
    assert len(red["u"]) < keep.sum() / 2  # the reduced graph is much smaller
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_allclose(h1, h2, rtol=1e-9, atol=1e-12)


# cannot_link with max / smooth_max is rejected by partition_blockwise (documented, tested).
@pytest.mark.parametrize(
    ("linkage", "cannot_link"),
    [(lk, cl) for lk in LINKAGES for cl in (False, True)
     if not (cl and lk in ("max", "smooth_max"))],
)
def test_blockwise_single_block_equals_single_machine(linkage, cannot_link):
    e, w, lifted, sizes, table = random_graph(20 + LINKAGES.index(linkage), bias=0.1)
    ddf = dd.from_pandas(table, npartitions=3, sort=False)
    expected = gasp(e, w, n_nodes=300, linkage=linkage, lifted=lifted, edge_sizes=sizes,
                    cannot_link=cannot_link)
    got = gd.partition_blockwise(ddf, n_nodes=300, lifted="lifted", size="size",
                                 block_size=300, linkage=linkage, cannot_link=cannot_link)
    np.testing.assert_array_equal(got, expected)


def test_blockwise_single_block_on_cluster(client):
    e, w, lifted, sizes, table = random_graph(30, bias=0.1)
    expected = gasp(e, w, n_nodes=300, lifted=lifted, edge_sizes=sizes)
    got = gd.partition_blockwise(dd.from_pandas(table, npartitions=3, sort=False), n_nodes=300,
                                 lifted="lifted", size="size", blocks=np.zeros(300, int),
                                 client=client)
    np.testing.assert_array_equal(got, expected)


def local_components_hold(labels, e, local):
    """Every cluster is connected through local edges inside it (a valid GASP partition)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = labels.size
    inside = local & (labels[e[:, 0]] == labels[e[:, 1]])
    g = coo_matrix((np.ones(inside.sum()), (e[inside, 0], e[inside, 1])), shape=(n, n))
    k, comp = connected_components(g, directed=False)
    # each cluster is exactly one component of its inner local edges
    return k == labels.max() + 1 and np.array_equal(first_occurrence(comp), labels)


@pytest.mark.parametrize("linkage", ["average", "sum", "min", "abs_max", "generalized_mean"])
def test_blockwise_is_valid_and_keeps_block_constraints(where, linkage):
    n, e, w = planted(3)
    rng = np.random.default_rng(3)
    lifted = rng.random(len(e)) < 0.1
    table = pd.DataFrame({"u": e[:, 0], "v": e[:, 1], "weight": w, "lifted": lifted})
    blocks = np.arange(n) % 4  # blocks cut through every planted group
    got = gd.partition_blockwise(dd.from_pandas(table, npartitions=2, sort=False), n_nodes=n,
                                 lifted="lifted", blocks=blocks, fanin=2, client=where,
                                 linkage=linkage, cannot_link=True)
    assert got.shape == (n,) and got.dtype == np.int64
    np.testing.assert_array_equal(first_occurrence(got), got)
    assert local_components_hold(got, e, ~lifted)
    # Constraints installed inside a block: pairs of the block's clusters joined by a local edge.
    separated = 0
    for b in range(4):
        inner = (blocks[e[:, 0]] == b) & (blocks[e[:, 1]] == b)
        lab = gasp(e[inner], w[inner], n_nodes=n, lifted=lifted[inner], linkage=linkage,
                   cannot_link=True)
        cut = inner & ~lifted & (lab[e[:, 0]] != lab[e[:, 1]])
        separated += cut.sum()
        assert (got[e[cut, 0]] != got[e[cut, 1]]).all()
    assert separated > 20  # the check above is not vacuous


def test_blockwise_agrees_on_planted_partitions():
    n, e, w = planted(4, noise=0.3)
    table = pd.DataFrame({"u": e[:, 0], "v": e[:, 1], "weight": w})
    expected = gasp(e, w, n_nodes=n)
    got = gd.partition_blockwise(table, n_nodes=n, block_size=n // 4, fanin=2)
    assert not np.array_equal(np.arange(n) // (n // 4), np.zeros(n))
    # identical clusters up to a handful of nodes
    same = (got[e[:, 0]] == got[e[:, 1]]) == (expected[e[:, 0]] == expected[e[:, 1]])
    assert same.mean() > 0.95


def test_blockwise_rejects_unsupported_options():
    table = pd.DataFrame({"u": [0, 1], "v": [1, 2], "weight": [1.0, 0.5]})
    with pytest.raises(GaspValueError, match="merge_constrained_at_end"):
        gd.partition_blockwise(table, cannot_link=True, merge_constrained_at_end=True)
    with pytest.raises(GaspValueError, match="'max'"):
        gd.partition_blockwise(table, cannot_link=True, linkage="max")
    with pytest.raises(GaspValueError, match="n_clusters"):
        gd.partition_blockwise(table, n_clusters=1)
    with pytest.raises(GaspValueError, match=r"blocks must be .*\(3,\)"):
        gd.partition_blockwise(table, blocks=[0, 1])
    with pytest.raises(GaspValueError, match="fanin"):
        gd.partition_blockwise(table, fanin=1)


def test_grid_blocks():
    b = gd.grid_blocks((4, 6), (2, 3))
    assert b.reshape(4, 6)[0, 0] == 0 and b.reshape(4, 6)[3, 5] == 3
    assert np.bincount(b).tolist() == [6, 6, 6, 6]
    with pytest.raises(GaspValueError, match="chunks"):
        gd.grid_blocks((4, 6), (2, 2, 2))
