"""partition(G): the networkx and scipy front end against the array API on the same edges."""
import numpy as np
import pytest

import gasp_graph
from gasp_graph import GaspTypeError, GaspValueError, GaspWarning, gasp, partition

nx = pytest.importorskip("networkx")
sp = pytest.importorskip("scipy.sparse")

# Engine options exercised on every input kind; the networkx attribute names are filled in
# by the tests ("lifted", "size" edge attributes, "mass" node attribute).
OPTIONS = [
    {},
    {"linkage": "sum"},
    {"linkage": "max"},
    {"linkage": "min"},
    {"linkage": "abs_max"},
    {"linkage": "generalized_mean", "linkage_param": 2.0},
    {"linkage": "smooth_max", "linkage_param": 0.5},
    {"cannot_link": True},
    {"linkage": "sum", "cannot_link": True, "merge_constrained_at_end": True},
    {"lifted": True},
    {"lifted": True, "linkage": "abs_max", "cannot_link": True},
    {"edge_size": True, "linkage": "average"},
    {"node_size": True, "size_regularizer": 0.5},
    {"n_clusters": 3},
]


def option_id(opts):
    return ",".join(f"{k}={v}" for k, v in opts.items()) or "default"


def random_graph(seed, n=30, m=80, multigraph=False, nodes=None):
    """A random signed graph with a float "weight", a boolean "lifted" and a positive "size"
    on every edge and a positive "mass" on every node.  Includes isolated nodes."""
    rng = np.random.default_rng(seed)
    G = nx.MultiGraph() if multigraph else nx.Graph()
    labels = list(range(n)) if nodes is None else nodes
    order = rng.permutation(n)  # node order differs from id order
    G.add_nodes_from(labels[i] for i in order)
    for node in G:
        G.nodes[node]["mass"] = float(rng.uniform(0.5, 3.0))
    for _ in range(m):
        u, v = rng.integers(0, n, 2)
        if u == v:
            continue
        G.add_edge(
            labels[u],
            labels[v],
            weight=float(np.round(rng.normal(0.2, 1.0), 3)),
            lifted=bool(rng.random() < 0.3),
            size=float(rng.uniform(0.5, 2.0)),
        )
    return G


def nx_kwargs(opts):
    kw = dict(opts)
    if kw.pop("lifted", False):
        kw["lifted"] = "lifted"
    if kw.pop("edge_size", False):
        kw["edge_size"] = "size"
    if kw.pop("node_size", False):
        kw["node_size"] = "mass"
    return kw


def expected_from_graph(G, opts):
    """The obvious conversion, one edge at a time, then the array API."""
    nodes = list(G)
    pos = {u: i for i, u in enumerate(nodes)}
    edges, weights, lifted, sizes = [], [], [], []
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        edges.append((pos[u], pos[v]))
        weights.append(d["weight"])
        lifted.append(d.get("lifted", False))
        sizes.append(d.get("size", 1.0))
    kw = {k: v for k, v in opts.items() if k not in ("lifted", "edge_size", "node_size")}
    if opts.get("lifted"):
        kw["lifted"] = np.array(lifted, dtype=bool)
    if opts.get("edge_size"):
        kw["edge_sizes"] = np.array(sizes)
    if opts.get("node_size"):
        kw["node_sizes"] = np.array([G.nodes[u].get("mass", 1.0) for u in nodes])
    labels = gasp(np.array(edges, dtype=np.int64).reshape(-1, 2), weights, n_nodes=len(nodes), **kw)
    return nodes, labels


def as_communities(nodes, labels):
    """Documented order: decreasing size, ties by the position of the first node."""
    groups = {}
    for i, (u, label) in enumerate(zip(nodes, labels)):
        groups.setdefault(label, (i, set()))[1].add(u)
    ranked = sorted(groups.values(), key=lambda g: (-len(g[1]), g[0]))
    return [g[1] for g in ranked]


# ------------------------------------------------------------------------------------------
# networkx
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("multigraph", [False, True], ids=["Graph", "MultiGraph"])
@pytest.mark.parametrize("opts", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_graph_matches_array_api(seed, opts, multigraph):
    G = random_graph(seed, multigraph=multigraph)
    if multigraph:  # make sure parallel edges are present
        assert G.number_of_edges() > nx.Graph(G).number_of_edges()
    result = partition(G, **nx_kwargs(opts))
    nodes, labels = expected_from_graph(G, opts)
    assert result == as_communities(nodes, labels)
    assert nx.community.is_partition(G, result)


def test_order_decreasing_size_then_first_node():
    G = nx.Graph()
    G.add_nodes_from(["lonely", "p", "q", "r", "s", "t"])
    G.add_edge("s", "t", weight=1.0)
    G.add_edge("p", "q", weight=1.0)
    G.add_edge("q", "r", weight=1.0)
    with pytest.warns(GaspWarning, match="connected components"):  # unsigned on purpose
        assert partition(G) == [{"p", "q", "r"}, {"s", "t"}, {"lonely"}]


def test_isolated_nodes_are_singletons_and_empty_graphs():
    G = nx.Graph()
    G.add_nodes_from([3, 1, 2])
    assert partition(G) == [{3}, {1}, {2}]
    assert partition(nx.Graph()) == []
    assert partition(sp.csr_array((0, 0))).shape == (0,)


def test_self_loops_are_ignored():
    G = random_graph(5)
    expected = partition(G)
    H = G.copy()
    H.add_edge(next(iter(H)), next(iter(H)), weight=-100.0)
    H.add_edge(list(H)[3], list(H)[3])  # no weight at all: still ignored
    assert partition(H) == expected


def test_multigraph_parallel_edges_fold_with_linkage():
    G = nx.MultiGraph()
    G.add_edge(0, 1, weight=1.0)
    G.add_edge(0, 1, weight=-3.0)
    G.add_edge(1, 2, weight=0.5)
    assert partition(G, linkage="average") == [{1, 2}, {0}]  # mean(1, -3) < 0
    assert partition(G, linkage="max") == [{0, 1, 2}]


def test_mixed_node_types_round_trip():
    nodes = ["a", ("t", 1), 7, frozenset({1}), 2.5, True, "b", (0, 0)] + list(range(100, 122))
    G = random_graph(3, n=len(nodes), nodes=nodes)
    result = partition(G)
    assert nx.community.is_partition(G, result)
    assert set().union(*result) == set(nodes)
    ints = nx.convert_node_labels_to_integers(G)  # same node order, ids 0..n-1
    back = dict(enumerate(G))
    assert [{back[i] for i in c} for c in partition(ints)] == result


def test_relabelling_commutes():
    G = random_graph(4)
    mapping = {u: f"node-{u}" for u in G}
    H = nx.relabel_nodes(G, mapping)
    assert partition(H) == [{mapping[u] for u in c} for c in partition(G)]


def test_weight_pair_is_difference():
    G = random_graph(6)
    rng = np.random.default_rng(6)
    for _, _, d in G.edges(data=True):
        d["att"] = float(rng.uniform(0, 1))
        d["rep"] = float(rng.uniform(0, 1))
    H = G.copy()
    for _, _, d in H.edges(data=True):
        d["weight"] = d["att"] - d["rep"]
    assert partition(G, weight=("att", "rep")) == partition(H)


def test_weight_pair_with_default_for_missing_side():
    G = nx.Graph()
    G.add_edge(0, 1, att=1.0)
    G.add_edge(1, 2, rep=1.0)
    G.add_edge(0, 2, att=0.2)
    assert partition(G, weight=("att", "rep"), default_weight=0) == [{0, 1}, {2}]
    with pytest.raises(GaspValueError, match=r"edge \(1, 2\) has no 'att' attribute"):
        partition(G, weight=("att", "rep"))


def test_missing_weight_raises_unless_default():
    G = nx.Graph()
    G.add_edge("a", "b", weight=1.0)
    G.add_edge("b", "c")
    with pytest.raises(GaspValueError, match=r"edge \('b', 'c'\) has no 'weight' attribute"):
        partition(G)
    assert partition(G, default_weight=-1.0) == [{"a", "b"}, {"c"}]
    with pytest.warns(GaspWarning, match="no negative weight"):
        assert partition(G, default_weight=1.0) == [{"a", "b", "c"}]
    with pytest.raises(GaspValueError, match="default_weight"):
        partition(G, default_weight=float("nan"))


@pytest.mark.parametrize(
    "attrs, kwargs, exc, pattern",
    [
        ({"weight": float("nan")}, {}, GaspValueError, r"edge \(1, 2\) has weight=nan"),
        ({"weight": float("inf")}, {}, GaspValueError, r"edge \(1, 2\) has weight=inf"),
        ({"weight": "heavy"}, {}, GaspTypeError, r"edge \(1, 2\) has weight='heavy'"),
        ({"weight": 1.0, "lift": 2}, {"lifted": "lift"}, GaspValueError, r"edge \(1, 2\) has lift=2"),
        ({"weight": 1.0, "sz": 0.0}, {"edge_size": "sz"}, GaspValueError, r"edge \(1, 2\) has sz=0.0"),
        ({"weight": 1.0, "sz": "big"}, {"edge_size": "sz"}, GaspTypeError, r"edge \(1, 2\) has sz='big'"),
        ({"weight": 1.0}, {"weight": 3}, GaspTypeError, "weight must be an edge attribute name"),
        ({"weight": 1.0}, {"weight": ("a", "b", "c")}, GaspTypeError, "weight must be"),
        ({"weight": 1.0}, {"lifted": np.ones(2, bool)}, GaspTypeError, "lifted must be an attribute name"),
        ({"weight": 1.0}, {"linkage": "nope"}, GaspValueError, "linkage='nope'"),
        # not real numbers: were coerced (complex -> real part, "0.5" -> 0.5, True -> 1.0)
        ({"weight": np.complex128(-1 + 5j)}, {}, GaspTypeError, r"edge \(1, 2\) has weight=.*-1\+5j"),
        ({"weight": 1 + 0j}, {}, GaspTypeError, r"weight=\(1\+0j\) \(complex\)"),
        ({"weight": "0.5"}, {}, GaspTypeError, r"edge \(1, 2\) has weight='0.5' \(str\)"),
        ({"weight": True}, {}, GaspTypeError, r"edge \(1, 2\) has weight=True \(bool\)"),
        ({"weight": np.True_}, {}, GaspTypeError, r"weight=np.True_"),
        ({"weight": None}, {}, GaspTypeError, r"weight=None \(NoneType\)"),
        ({"weight": 1.0, "sz": True}, {"edge_size": "sz"}, GaspTypeError, r"sz=True \(bool\)"),
        ({"weight": 1.0, "lift": "1"}, {"lifted": "lift"}, GaspTypeError, r"lift='1' \(str\)"),
        ({"weight": 1.0, "lift": 0.5}, {"lifted": "lift"}, GaspValueError, r"lift=0.5"),
        # beyond the double range: was a bare OverflowError
        ({"weight": 10**400}, {}, GaspValueError,
         r"edge \(1, 2\) has weight=100000000000\.\.\. \(an integer of 401 digits\): too large"),
        ({"weight": 1.0, "sz": 10**400}, {"edge_size": "sz"}, GaspValueError, r"sz=1000.* too large"),
    ],
)
def test_bad_graph_inputs(attrs, kwargs, exc, pattern):
    G = nx.Graph()
    G.add_edge(0, 1, weight=0.5)
    G.add_edge(1, 2, **attrs)
    with pytest.raises(exc, match=pattern):
        partition(G, **kwargs)


def test_bad_node_size():
    G = nx.Graph()
    G.add_edge(0, 1, weight=0.5)
    G.nodes[1]["mass"] = -1.0
    with pytest.raises(GaspValueError, match="node 1 has mass=-1.0"):
        partition(G, node_size="mass", size_regularizer=1.0)
    G.nodes[1]["mass"] = "x"
    with pytest.raises(GaspTypeError, match="node 1 has mass='x'"):
        partition(G, node_size="mass", size_regularizer=1.0)
    G.nodes[1]["mass"] = True
    with pytest.raises(GaspTypeError, match=r"node 1 has mass=True \(bool\)"):
        partition(G, node_size="mass", size_regularizer=1.0)
    G.nodes[1]["mass"] = 10**400
    with pytest.raises(GaspValueError, match="node 1 has mass=1000.* too large for a double"):
        partition(G, node_size="mass", size_regularizer=1.0)


def test_real_number_attributes_of_every_kind_are_accepted():
    # int, float, numpy scalars, Fraction: real numbers; lifted flags also as bools
    from fractions import Fraction

    G = nx.Graph()
    G.add_edge(0, 1, weight=1, lift=False)
    G.add_edge(1, 2, weight=np.float32(0.5), lift=np.True_)
    G.add_edge(2, 3, weight=np.int8(-1), lift=0)
    G.add_edge(3, 4, weight=Fraction(1, 4), lift=0.0)
    assert partition(G, lifted="lift") == [{0, 1}, {3, 4}, {2}]
    with pytest.raises(GaspValueError, match="default_weight=1000.* too large for a double"):
        partition(G, default_weight=10**400)
    with pytest.raises(GaspTypeError, match="default_weight=True"):
        partition(G, default_weight=True)


@pytest.mark.parametrize("cls", ["DiGraph", "MultiDiGraph"])
def test_directed_raises_not_implemented(cls):
    G = getattr(nx, cls)()
    G.add_edge(0, 1, weight=1.0)
    with pytest.raises(nx.NetworkXNotImplemented, match="to_undirected"):
        partition(G)


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), [[0, 1]], "graph", None])
def test_not_a_graph_raises_type_error(bad):
    with pytest.raises(GaspTypeError, match="networkx Graph/MultiGraph, a pandas DataFrame, an igraph Graph or a scipy sparse"):
        partition(bad)


def test_modularity_interoperability():
    G = random_graph(7)
    for _, _, d in G.edges(data=True):
        d["weight"] = abs(d["weight"]) + 0.1
    communities = partition(G, n_clusters=4)
    q = nx.community.modularity(G, communities)
    assert -0.5 <= q <= 1.0
    assert len(communities) == 4


# ------------------------------------------------------------------------------------------
# scipy sparse
# ------------------------------------------------------------------------------------------

FORMATS = ["coo", "csr", "csc", "lil", "dok", "dia", "bsr"]


def random_symmetric(seed, n=25, m=70):
    """(symmetric csr matrix without explicit zeros, lifted flags, sizes) with fixed seed."""
    rng = np.random.default_rng(seed)
    r = rng.integers(0, n, m)
    c = rng.integers(0, n, m)
    keep = r != c
    r, c = np.minimum(r[keep], c[keep]), np.maximum(r[keep], c[keep])
    w = np.round(rng.normal(0.2, 1.0, r.shape[0]), 3)
    w[w == 0] = 0.5
    U = sp.coo_array((w, (r, c)), shape=(n, n)).tocsr()  # duplicates summed
    U.sum_duplicates()
    U.data[U.data == 0] = 0.25
    L = U.copy()
    L.data = (rng.random(U.nnz) < 0.3).astype(float)
    S = U.copy()
    S.data = rng.uniform(0.5, 2.0, U.nnz)
    sym = lambda M: (M + M.T).tocsr()
    return sym(U), sym(L), sym(S), U


def sparse_oracle(A, n=None):
    """Edges and weights of a sparse matrix, one stored entry at a time."""
    C = sp.coo_array(A)
    entries = {}
    for r, c, x in zip(C.row.tolist(), C.col.tolist(), C.data.tolist()):
        if r != c:
            entries[(r, c)] = entries.get((r, c), 0.0) + x
    pairs = {}
    for (r, c), x in entries.items():
        key = (min(r, c), max(r, c))
        assert pairs.get(key, x) == x
        pairs[key] = x
    keys = sorted(pairs)
    return np.array(keys, dtype=np.int64).reshape(-1, 2), np.array([pairs[k] for k in keys])


def convert(M, fmt, kind):
    M = sp.csr_array(M) if kind == "array" else sp.csr_matrix(M)
    return M.asformat(fmt)


def sparse_kwargs(opts, L, S, n):
    kw = dict(opts)
    if kw.pop("lifted", False):
        kw["lifted"] = L
    if kw.pop("edge_size", False):
        kw["edge_size"] = S
    if kw.pop("node_size", False):
        kw["node_size"] = np.linspace(0.5, 3.0, n)
    return kw


def sparse_expected(A, L, S, opts):
    edges, weights = sparse_oracle(A)
    n = A.shape[0]
    kw = {k: v for k, v in opts.items() if k not in ("lifted", "edge_size", "node_size")}
    if opts.get("lifted"):
        flags = {tuple(e) for e in sparse_oracle(L)[0][sparse_oracle(L)[1] != 0].tolist()}
        kw["lifted"] = np.array([tuple(e) in flags for e in edges.tolist()])
    if opts.get("edge_size"):
        se, sv = sparse_oracle(S)
        assert np.array_equal(se, edges)
        kw["edge_sizes"] = sv
    if opts.get("node_size"):
        kw["node_sizes"] = np.linspace(0.5, 3.0, n)
    return gasp(edges, weights, n_nodes=n, **kw)


@pytest.mark.parametrize("kind", ["array", "matrix"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", [0, 1])
def test_every_sparse_format_matches_array_api(seed, fmt, kind):
    A, L, S, _ = random_symmetric(seed)
    M = convert(A, fmt, kind)
    assert M.format == fmt and sp.issparse(M)
    assert isinstance(M, sp.sparray) == (kind == "array")
    for opts in OPTIONS:
        kw = sparse_kwargs(opts, convert(L, fmt, kind), convert(S, fmt, kind), A.shape[0])
        result = partition(M, **kw)
        assert result.dtype == np.int64
        np.testing.assert_array_equal(result, sparse_expected(A, L, S, opts), err_msg=str(opts))


@pytest.mark.parametrize("opts", OPTIONS, ids=option_id)
def test_one_triangle_matrices_match_symmetric(opts):
    A, L, S, _ = random_symmetric(3)
    expected = partition(A, **sparse_kwargs(opts, L, S, A.shape[0]))
    np.testing.assert_array_equal(expected, sparse_expected(A, L, S, opts))
    for tri in (sp.triu, sp.tril):
        kw = sparse_kwargs(opts, tri(L, format="csr"), tri(S, format="coo"), A.shape[0])
        np.testing.assert_array_equal(partition(tri(A, format="csr"), **kw), expected)
        # mixing: A upper, lifted and sizes symmetric
        kw = sparse_kwargs(opts, L, S, A.shape[0])
        np.testing.assert_array_equal(partition(tri(A, format="coo"), **kw), expected)


def test_mixed_triangles_and_duplicates():
    # (0,1) upper only, (1,2) lower only, (2,3) both; (3,4) stored twice in COO -> summed.
    A = sp.coo_array(
        ([0.5, -0.2, 0.7, 0.7, 0.3, 0.4], ([0, 2, 2, 3, 3, 3], [1, 1, 3, 2, 4, 4])), shape=(5, 5)
    )
    edges, weights = sparse_oracle(A)
    np.testing.assert_array_equal(edges, [[0, 1], [1, 2], [2, 3], [3, 4]])
    np.testing.assert_allclose(weights, [0.5, -0.2, 0.7, 0.7])
    for linkage in ("average", "sum", "max"):
        np.testing.assert_array_equal(
            partition(A, linkage=linkage), gasp(edges, weights, n_nodes=5, linkage=linkage)
        )


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # no negative weight off the diagonal
def test_explicit_zeros_are_edges_and_diagonal_is_ignored():
    # 0 -- 1 attract (1.0), 1 -- 2 attract weakly (0.1), 0 -- 2 stored zero.
    rows, cols = [0, 1, 0, 0, 2], [1, 2, 2, 0, 2]
    A = sp.coo_array(([1.0, 0.1, 0.0, -50.0, 7.0], (rows, cols)), shape=(3, 3))
    assert A.nnz == 5
    edges = np.array([[0, 1], [0, 2], [1, 2]])
    # min: after {0,1} merges, the pair to 2 has min(0.0, 0.1) = 0, not > 0.
    np.testing.assert_array_equal(partition(A, linkage="min"), gasp(edges, [1.0, 0.0, 0.1], linkage="min"))
    np.testing.assert_array_equal(partition(A, linkage="min"), [0, 0, 1])  # the zero edge blocks
    B = A.tocsr()
    B.eliminate_zeros()
    np.testing.assert_array_equal(partition(B, linkage="min"), [0, 0, 0])  # without it: merged


def test_asymmetric_matrix_error_says_where():
    A = sp.csr_array(np.array([[0, 1.0, 0], [1.0, 0, 2.0], [0, -2.0, 0]]))
    with pytest.raises(GaspValueError, match=r"A\[1, 2\] = 2.0 but A\[2, 1\] = -2.0"):
        partition(A)
    B = sp.coo_array(([1.0, 1.0, 3.0, 5.0, 2.0], ([0, 1, 0, 2, 2], [1, 0, 2, 0, 1])), shape=(3, 3))
    with pytest.raises(GaspValueError, match=r"A\[0, 2\] = 3.0 but A\[2, 0\] = 5.0"):
        partition(B)  # pattern not symmetric: (1, 2) only in the lower triangle


def test_sparse_lifted_and_edge_size_errors():
    A = sp.csr_array(np.array([[0, 1.0, 0], [0, 0, -1.0], [0, 0, 0]]))
    with pytest.raises(GaspValueError, match=r"lifted\[0, 2\] is set but A stores no entry"):
        partition(A, lifted=sp.csr_array(np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0]])))
    ok = sp.coo_array(([0, 1], ([0, 2], [2, 1])), shape=(3, 3))  # a stored False is no mark
    np.testing.assert_array_equal(partition(A, lifted=ok), gasp([[0, 1], [1, 2]], [1.0, -1.0], lifted=[False, True]))
    with pytest.raises(GaspValueError, match=r"lifted\[0, 1\] = 2"):
        partition(A, lifted=sp.csr_array(np.array([[0, 2, 0], [0, 0, 0], [0, 0, 0]])))
    with pytest.raises(GaspValueError, match="lifted must have A's shape"):
        partition(A, lifted=sp.csr_array((4, 4)))
    with pytest.raises(GaspTypeError, match="lifted must be a scipy sparse matrix"):
        partition(A, lifted=np.zeros((3, 3)))
    with pytest.raises(GaspValueError, match=r"edge_size stores no entry at \(1, 2\)"):
        partition(A, edge_size=sp.csr_array(np.array([[0, 1.0, 0], [0, 0, 0], [0, 0, 0]])))
    with pytest.raises(GaspValueError, match=r"edge_size\[0, 2\] is stored but A stores no"):
        partition(A, edge_size=sp.csr_array(np.array([[0, 1.0, 1], [0, 0, 1], [0, 0, 0]])))
    with pytest.raises(GaspValueError, match=r"edge_size\[1, 2\] = -1.0"):
        partition(A, edge_size=sp.csr_array(np.array([[0, 1.0, 0], [0, 0, -1], [0, 0, 0]])))


@pytest.mark.parametrize(
    "A, kwargs, exc, pattern",
    [
        (sp.csr_array((2, 3)), {}, GaspValueError, r"A must be a square 2-D matrix, got shape \(2, 3\)"),
        (sp.csr_array(np.array([[0, 1j], [1j, 0]])), {}, GaspTypeError, "A must hold real numbers"),
        (sp.csr_array(np.array([[0, 1], [1, 0]], dtype=bool)), {}, GaspTypeError, "dtype bool"),
        (sp.csr_array(np.array([[0, np.nan], [np.nan, 0]])), {}, GaspValueError, r"A\[0, 1\] = nan"),
        (sp.csr_array(np.eye(2)), {"weight": "w"}, GaspTypeError, "weight='w'"),
        (sp.csr_array(np.eye(2)), {"default_weight": 1.0}, GaspTypeError, "default_weight"),
        (sp.csr_array(np.eye(2)), {"node_size": "mass"}, GaspTypeError, "node_size='mass'"),
        (sp.csr_array(np.eye(2)), {"node_size": [1.0]}, GaspValueError, "node_sizes must have shape"),
    ],
)
def test_bad_sparse_inputs(A, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        partition(A, **kwargs)


def test_graph_and_matrix_agree():
    G = random_graph(8)
    A = nx.to_scipy_sparse_array(G, weight="weight", format="csr")
    labels = partition(A)
    # to_scipy_sparse_array uses G's node order; our edges are in (row, col) order, so
    # compare with the graph built in that order rather than relying on equal tie-breaking.
    H = nx.Graph()
    H.add_nodes_from(range(A.shape[0]))
    for (i, j), w in zip(*sparse_oracle(A)):
        H.add_edge(int(i), int(j), weight=float(w))
    assert as_communities(list(range(A.shape[0])), labels) == [
        c for c in partition(H)
    ]


def test_public_names():
    assert gasp_graph.partition is partition
    assert "partition" in gasp_graph.__all__


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@st.composite
def stored_entries(draw):
    """A COO matrix whose pairs are stored in the upper, the lower or both triangles, some
    split into duplicate entries, plus diagonal noise; with the pair weights it must mean."""
    n = draw(st.integers(1, 8))
    pairs = draw(
        st.dictionaries(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            st.integers(-5, 5),
        )
    )
    entries = []  # (row, col, value)
    for (i, j), w in pairs.items():
        mode = draw(st.sampled_from(["upper", "lower", "both", "split"]))
        if mode in ("upper", "both"):
            entries.append((i, j, w))
        if mode in ("lower", "both"):
            entries.append((j, i, w))
        if mode == "split":  # two COO entries summing to w
            a = draw(st.integers(-5, 5))
            entries += [(j, i, a), (j, i, w - a)]
    for i in draw(st.lists(st.integers(0, n - 1), max_size=3)):
        entries.append((i, i, draw(st.integers(-9, 9))))
    entries = draw(st.permutations(entries))
    rows, cols, vals = (np.array(x).reshape(-1) for x in zip(*entries)) if entries else ([], [], [])
    A = sp.coo_array((np.asarray(vals, dtype=float), (np.asarray(rows, dtype=int),
                                                      np.asarray(cols, dtype=int))), shape=(n, n))
    return A, pairs


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # random matrices may be unsigned
@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(stored_entries(), st.sampled_from(["average", "sum", "min", "abs_max"]))
def test_sparse_conversion_property(case, linkage):
    A, pairs = case
    keys = sorted(pairs)
    edges = np.array(keys, dtype=np.int64).reshape(-1, 2)
    weights = np.array([pairs[k] for k in keys], dtype=float)
    expected = gasp(edges, weights, n_nodes=A.shape[0], linkage=linkage)
    for fmt in ("coo", "csr", "lil"):
        np.testing.assert_array_equal(partition(A.asformat(fmt), linkage=linkage), expected)
