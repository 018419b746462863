"""Merge trees: cuts against reruns on shifted weights and against scipy, linkage matrices, edge
heights, and the threshold sweep of partitions()."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import canonical

from gasp_graph import (GaspMemoryError, GaspTypeError, GaspValueError, MergeTree, agglomerate,
                        gasp, partitions)

THRESHOLDS = [-0.7, -0.25, -0.05, 0.0, 0.1, 0.35, 0.8]

# (linkage, linkage_param): the shift-equivariant linkages, for which a sweep is exact.
EXACT = [
    ("average", None),
    ("max", None),
    ("min", None),
    ("smooth_max", None),
    ("smooth_max", 4.0),
    ("generalized_mean", 1.0),
]


def random_graph(seed, n=60, m=180):
    """A sparse random graph with continuous weights in (-1, 1) (ties have probability 0)."""
    rng = np.random.default_rng(seed)
    e = rng.integers(0, n, size=(m, 2))
    e = e[e[:, 0] != e[:, 1]]
    return e, rng.uniform(-1, 1, e.shape[0]), n


def replay(n, merges, n_merges):
    """Labels after the first n_merges merges, by a plain union-find over the merge list."""
    parent = list(range(n + len(merges)))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for j in range(n_merges):
        a, b = merges[j]
        parent[a] = parent[b] = n + j
    return canonical(np.array([find(i) for i in range(n)]))


def prefix_length(heights, t):
    """Number of leading merges with height > t (the documented stopping rule)."""
    below = np.flatnonzero(np.asarray(heights) <= t)
    return int(below[0]) if below.size else len(heights)


# --- labels(t) against reruns ---------------------------------------------------------------


@pytest.mark.parametrize("linkage,p", EXACT)
@pytest.mark.parametrize("seed", range(4))
def test_labels_equal_gasp_on_shifted_weights(linkage, p, seed):
    e, w, n = random_graph(seed)
    tree = agglomerate(e, w, n_nodes=n, linkage=linkage, linkage_param=p)
    assert tree.exact_sweep
    for t in THRESHOLDS:
        expected = gasp(e, w - t, n_nodes=n, linkage=linkage, linkage_param=p)
        assert np.array_equal(tree.labels(t), expected), t


@pytest.mark.parametrize("linkage,p", EXACT)
@pytest.mark.parametrize("seed", range(4))
def test_heights_are_non_increasing(linkage, p, seed):
    e, w, n = random_graph(100 + seed)
    tree = agglomerate(e, w, n_nodes=n, linkage=linkage, linkage_param=p)
    assert len(tree) > n // 2
    assert np.all(np.diff(tree.heights) <= 0)
    assert tree.monotone


def test_sum_linkage_heights_can_increase():
    e, w, n = random_graph(7)
    tree = agglomerate(e, w, n_nodes=n, linkage="sum")
    assert not tree.monotone
    assert not tree.exact_sweep


@pytest.mark.parametrize("linkage", ["average", "max", "min", "smooth_max"])
@pytest.mark.parametrize(
    "option",
    ["lifted", "edge_sizes", "min_clusters"],
)
def test_exact_sweep_survives_lifted_edges_sizes_and_min_clusters(linkage, option):
    for seed in range(3):
        e, w, n = random_graph(200 + seed)
        rng = np.random.default_rng(seed)
        kw = {
            "lifted": {"lifted": rng.random(w.size) < 0.4},
            "edge_sizes": {"edge_sizes": rng.uniform(0.5, 3.0, w.size)},
            "min_clusters": {"min_clusters": 12},
        }[option]
        tree = agglomerate(e, w, n_nodes=n, linkage=linkage, **kw)
        assert tree.exact_sweep
        for t in THRESHOLDS:
            assert np.array_equal(tree.labels(t), gasp(e, w - t, n_nodes=n, linkage=linkage, **kw))


@pytest.mark.parametrize("linkage", ["average", "max", "min"])
def test_exact_n_clusters_is_the_last_cut_at_every_threshold(linkage):
    # n_clusters=k: whatever the shift, the run merges in the same order down to k clusters, so
    # every gasp(w - t, n_clusters=k) is the tree's last cut, and the tree says it is no sweep.
    for seed in range(3):
        e, w, n = random_graph(300 + seed)
        tree = agglomerate(e, w, n_nodes=n, linkage=linkage, n_clusters=5)
        assert not tree.exact_sweep
        last = tree.labels_at(len(tree))
        assert last.max() + 1 == 5
        for t in THRESHOLDS:
            assert np.array_equal(gasp(e, w - t, n_nodes=n, linkage=linkage, n_clusters=5), last)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 14),
    pairs=st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=40),
    seed=st.integers(0, 2**32 - 1),
    linkage=st.sampled_from(["average", "max", "min"]),
    t=st.floats(-1.5, 1.5),
)
def test_labels_equal_gasp_on_shifted_weights_property(n, pairs, seed, linkage, t):
    e = np.array([(u % n, v % n) for u, v in pairs if u % n != v % n], dtype=np.int64)
    e = e.reshape(-1, 2)
    w = np.random.default_rng(seed).uniform(-1, 1, e.shape[0])
    tree = agglomerate(e, w, n_nodes=n, linkage=linkage)
    assert tree.monotone
    assert np.array_equal(tree.labels(t), gasp(e, w - t, n_nodes=n, linkage=linkage))


# --- rounding at exact ties (docs/guide/hierarchy.rst, "Rounding") ------------------------


def test_labels_at_a_recorded_height_follow_the_recorded_value():
    # The second merge is recorded at height (0.5 + 0.1) / 2 = 0.3 exactly, so labels(0.3) stops
    # before it (0.3 - 0.3 = 0 is not positive).  A rerun on weights - 0.3 rounds the shifted
    # weights and sees (0.2 + -0.19999999999999998) / 2 = 1.4e-17 > 0: it merges.  This is the
    # documented difference: both follow GASP's rule on their own rounded values.
    edges, weights = [[0, 3], [0, 1], [1, 3]], np.array([0.5, 0.5, 0.1])
    tree = agglomerate(edges, weights)
    assert tree.heights[1] == 0.3
    assert tree.labels(0.3).tolist() == [0, 1, 2, 0]
    assert tree.labels(np.nextafter(0.3, 0)).tolist() == [0, 0, 1, 0]
    assert gasp(edges, weights - 0.3).tolist() == [0, 0, 1, 0]
    assert 0 < (weights[1] - 0.3 + weights[2] - 0.3) / 2 < 1e-16  # the rounding residue


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    n=st.integers(2, 14),
    pairs=st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=40),
    seed=st.integers(0, 2**32 - 1),
    linkage=st.sampled_from(["max", "min"]),
    lifted=st.booleans(),
)
def test_exact_arithmetic_sweeps_agree_at_every_threshold_ties_included(n, pairs, seed, linkage,
                                                                        lifted):
    # Weights and thresholds on a grid of multiples of 1/64 in [-1, 1]: every w - t is exact and
    # max / min keep exact values, so labels(t) must equal the rerun at every threshold, also at
    # thresholds equal to a recorded height and with many tied weights.
    e = np.array([(u % n, v % n) for u, v in pairs if u % n != v % n], dtype=np.int64)
    e = e.reshape(-1, 2)
    rng = np.random.default_rng(seed)
    w = rng.integers(-64, 65, e.shape[0]) / 64.0
    lf = rng.random(e.shape[0]) < 0.3 if lifted else None
    tree = agglomerate(e, w, n_nodes=n, linkage=linkage, lifted=lf)
    for t in sorted(set(tree.heights.tolist()) | {-1.0, -0.5, 0.0, 0.5, 1.0}):
        assert np.array_equal(tree.labels(t), gasp(e, w - t, n_nodes=n, linkage=linkage,
                                                   lifted=lf)), t


@pytest.mark.parametrize(
    "kw",
    [
        {"linkage": "sum"},
        {"linkage": "abs_max"},
        {"linkage": "generalized_mean", "linkage_param": 2.0},
        {"linkage": "average", "size_regularizer": 0.7},
        {"linkage": "max", "cannot_link": True},
        {"linkage": "average", "cannot_link": True, "merge_constrained_at_end": True},
    ],
    ids=lambda kw: "-".join(str(v) for v in kw.values()),
)
def test_labels_of_non_exact_trees_follow_the_documented_rule(kw):
    for seed in range(3):
        e, w, n = random_graph(300 + seed)
        tree = agglomerate(e, w, n_nodes=n, **kw)
        assert not tree.exact_sweep
        for t in THRESHOLDS:
            expected = replay(n, tree.merges, prefix_length(tree.heights, t))
            assert np.array_equal(tree.labels(t), expected), t
        if not kw.get("cannot_link"):
            assert np.array_equal(tree.labels(0.0), gasp(e, w, n_nodes=n, **kw))


def test_cannot_link_tree_is_the_merge_constrained_at_end_sequence():
    mismatches = 0
    for seed in range(5):
        e, w, n = random_graph(400 + seed)
        tree = agglomerate(e, w, n_nodes=n, linkage="max", cannot_link=True)
        end = agglomerate(
            e, w, n_nodes=n, linkage="max", cannot_link=True, merge_constrained_at_end=True
        )
        assert np.array_equal(tree.merges, end.merges)
        assert np.array_equal(
            tree.labels(0.0),
            gasp(e, w, n_nodes=n, linkage="max", cannot_link=True, merge_constrained_at_end=True),
        )
        constrained = gasp(e, w, n_nodes=n, linkage="max", cannot_link=True)
        assert np.array_equal(tree.labels_at(n - (constrained.max() + 1)), constrained)
        mismatches += not np.array_equal(tree.labels(0.0), constrained)
    assert mismatches > 0  # the documented caveat is real: labels(0) is not the constrained run


def test_labels_at_matches_a_plain_replay_at_every_step():
    e, w, n = random_graph(11, n=30, m=50)
    tree = agglomerate(e, w, n_nodes=n, linkage="sum")
    for j in range(len(tree) + 1):
        assert np.array_equal(tree.labels_at(j), replay(n, tree.merges, j))


def test_run_to_completion_false_stops_with_gasp():
    e, w, n = random_graph(12)
    tree = agglomerate(e, w, n_nodes=n, run_to_completion=False)
    assert np.all(tree.heights > 0)
    assert np.array_equal(tree.labels(-0.5), gasp(e, w, n_nodes=n))
    assert np.array_equal(tree.labels(0.2), gasp(e, w - 0.2, n_nodes=n))


def test_completion_joins_every_local_component_and_no_more():
    e, w, n = random_graph(13, n=80, m=70)
    lifted = np.zeros(w.size, dtype=bool)
    lifted[:10] = True
    tree = agglomerate(e, w, n_nodes=n, lifted=lifted)
    scipy_sparse = pytest.importorskip("scipy.sparse")
    from scipy.sparse.csgraph import connected_components

    local = e[~lifted]
    A = scipy_sparse.coo_array((np.ones(len(local)), (local[:, 0], local[:, 1])), shape=(n, n))
    n_comp, comp = connected_components(A, directed=False)
    assert len(tree) == n - n_comp
    assert np.array_equal(tree.labels(-np.inf), canonical(comp))


# --- against scipy on complete graphs -------------------------------------------------------


@pytest.mark.parametrize(
    "linkage,method", [("max", "single"), ("min", "complete"), ("average", "average")]
)
@pytest.mark.parametrize("seed", range(3))
def test_complete_graph_cuts_equal_scipy(linkage, method, seed):
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(seed)
    n = 25
    D = rng.uniform(0.1, 2.0, size=(n, n))
    D = (D + D.T) / 2
    np.fill_diagonal(D, 0)
    iu, ju = np.triu_indices(n, 1)
    edges = np.stack([iu, ju], axis=1)
    tree = agglomerate(edges, -D[iu, ju], linkage=linkage)  # weight = -distance
    Z = hierarchy.linkage(squareform(D, checks=False), method=method)
    assert len(tree) == n - 1
    np.testing.assert_allclose(-tree.heights, Z[:, 2], rtol=1e-12)
    # every cut: between consecutive merge distances, and beyond both ends
    d = Z[:, 2]
    cuts = np.concatenate([[d[0] / 2], (d[:-1] + d[1:]) / 2, [d[-1] + 1]])
    for c in cuts:
        expected = canonical(hierarchy.fcluster(Z, c, criterion="distance"))
        assert np.array_equal(tree.labels(-c), expected), c
    # the linkage matrices have the same cophenetic distances, up to the offset d[0]
    ours = tree.to_linkage()
    np.testing.assert_allclose(hierarchy.cophenet(ours) + d[0], hierarchy.cophenet(Z), rtol=1e-12)


# --- to_linkage ------------------------------------------------------------------------------


def _cuts(tree):
    """Thresholds strictly between the distinct stop levels, and one beyond each end."""
    r = np.unique(np.minimum.accumulate(tree.heights))
    span = max(r[-1] - r[0], 1.0)
    return np.concatenate([[r[-1] + 0.01 * span], (r[:-1] + r[1:]) / 2, [r[0] - 0.01 * span]])


@pytest.mark.parametrize(
    "kw,n,m",
    [
        ({"linkage": "average"}, 60, 300),  # connected
        ({"linkage": "average"}, 60, 45),  # a forest: many components
        ({"linkage": "max", "run_to_completion": False}, 60, 200),
        ({"linkage": "sum"}, 60, 200),  # non-monotone heights
        ({"linkage": "average", "cannot_link": True}, 60, 200),
        ({"linkage": "min", "n_clusters": 5}, 60, 300),
    ],
)
def test_to_linkage_is_valid_and_fcluster_reproduces_labels(kw, n, m):
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    for seed in range(3):
        e, w, n = random_graph(500 + seed, n=n, m=m)
        tree = agglomerate(e, w, n_nodes=n, **kw)
        Z = tree.to_linkage()
        assert Z.shape == (n - 1, 4) and Z.dtype == np.float64
        assert hierarchy.is_valid_linkage(Z, throw=True)
        assert hierarchy.is_monotonic(Z)
        assert np.array_equal(Z[: len(tree), 3], tree.sizes)
        hierarchy.dendrogram(Z, no_plot=True)
        for t in _cuts(tree):
            fc = hierarchy.fcluster(Z, tree.heights[0] - t, criterion="distance")
            assert np.array_equal(tree.labels(t), canonical(fc)), t
        # above the completion distance, the whole forest is one cluster
        assert np.all(hierarchy.fcluster(Z, Z[-1, 2], criterion="distance") == 1)
        raw = tree.to_linkage(monotone=False)
        assert hierarchy.is_valid_linkage(raw, throw=True)
        assert np.all(raw[:, 2] >= 0)
        assert hierarchy.is_monotonic(raw) == tree.monotone


def test_to_linkage_completion_rule():
    tree = agglomerate([[0, 1], [2, 3], [3, 4]], [0.9, 0.5, 0.1], n_nodes=6)
    Z = tree.to_linkage()
    top = Z[: len(tree), 2].max()
    # roots 5 (isolated node), 6 ({0, 1}), 8 ({2, 3, 4}) chained in increasing id order
    np.testing.assert_allclose(Z[3:], [[5, 6, 1.1 * top, 3], [8, 9, 1.1 * top, 6]])
    assert np.array_equal(tree.to_linkage(completion_distance=5.0)[3:, 2], [5.0, 5.0])
    with pytest.raises(GaspValueError, match="completion_distance"):
        tree.to_linkage(completion_distance=top / 2)
    with pytest.raises(GaspValueError, match="n_nodes >= 2"):
        agglomerate(np.zeros((0, 2), dtype=int), [], n_nodes=1).to_linkage()
    # no merges at all: every root joins at distance 1
    Z = agglomerate([[0, 1]], [-1.0], run_to_completion=False).to_linkage()
    np.testing.assert_array_equal(Z, [[0, 1, 1.0, 2]])


# --- edge_heights ---------------------------------------------------------------------------


def naive_edge_heights(n, merges, heights, edges):
    parent = list(range(n + len(merges)))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    out = np.full(len(edges), -np.inf)
    pending = set(range(len(edges)))
    for j, (a, b) in enumerate(merges):
        parent[a] = parent[b] = n + j
        for i in list(pending):
            if find(edges[i][0]) == find(edges[i][1]):
                out[i] = heights[j]
                pending.discard(i)
    return out


@pytest.mark.parametrize("mode", ["average", "sum", "stopped", "lifted"])
@pytest.mark.parametrize("seed", range(3))
def test_edge_heights_agree_with_the_merge_sequence(mode, seed):
    e, w, n = random_graph(600 + seed, n=50, m=60)
    kw = {
        "average": {"linkage": "average"},
        "sum": {"linkage": "sum"},
        "stopped": {"linkage": "max", "run_to_completion": False},
        "lifted": {"linkage": "min", "lifted": np.arange(w.size) % 3 == 0},
    }[mode]
    tree = agglomerate(e, w, n_nodes=n, **kw)
    got = tree.edge_heights()
    assert np.array_equal(got, naive_edge_heights(n, tree.merges, tree.heights, e))
    # -inf exactly for edges whose endpoints never joined
    final = tree.labels(-np.inf)
    assert np.array_equal(np.isneginf(got), final[e[:, 0]] != final[e[:, 1]])
    if mode in ("stopped", "lifted"):
        assert np.isneginf(got).any()
    if tree.monotone:  # the UCM property
        for t in THRESHOLDS:
            lab = tree.labels(t)
            assert np.array_equal(got > t, lab[e[:, 0]] == lab[e[:, 1]])


def test_edge_heights_on_a_long_chain():
    # depth n - 1: exercises the pointer jumping and every level of the range maximum
    n = 1000
    e = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)
    w = np.linspace(1.0, -1.0, n - 1)
    tree = agglomerate(e, w, linkage="max")
    assert np.array_equal(tree.edge_heights(), w)
    far = np.array([[0, n - 1], [3, 700], [500, 501]])
    tree = MergeTree(n, tree.merges, tree.heights, edges=far)
    np.testing.assert_array_equal(tree.edge_heights(), [w[-1], w[699], w[500]])


# --- the MergeTree object -------------------------------------------------------------------


def test_tree_attributes():
    tree = agglomerate([[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5], linkage="mean")
    assert len(tree) == 3
    assert tree.options == {
        "linkage": "average",
        "linkage_param": None,
        "cannot_link": False,
        "merge_constrained_at_end": False,
        "size_regularizer": 0.0,
        "n_clusters": None,
        "min_clusters": None,
        "run_to_completion": True,
        "null_model": None,
        "resolution": None,
    }
    assert repr(tree) == "MergeTree(n_nodes=4, n_merges=3, linkage='average')"
    assert tree.sizes.tolist() == [2, 2, 4]
    assert tree.labels(np.inf).tolist() == [0, 1, 2, 3]
    assert tree.labels(-np.inf).tolist() == [0, 0, 0, 0]


def _a_leaf(tree, c):
    while c >= tree.n_nodes:
        c = tree.merges[c - tree.n_nodes, 0]
    return c


def test_sizes_count_nodes():
    e, w, n = random_graph(14)
    tree = agglomerate(e, w, n_nodes=n)
    for j in range(len(tree)):
        members = replay(n, tree.merges, j + 1)
        leaf = _a_leaf(tree, n + j)
        assert tree.sizes[j] == np.sum(members == members[leaf])


def test_empty_and_tiny_trees():
    t0 = agglomerate(np.zeros((0, 2), dtype=int), [], n_nodes=0)
    assert len(t0) == 0 and t0.labels().shape == (0,)
    t1 = agglomerate(np.zeros((0, 2), dtype=int), [], n_nodes=3)
    assert t1.labels().tolist() == [0, 1, 2]
    assert t1.edge_heights().shape == (0,)
    assert t1.to_linkage().shape == (2, 4)


def test_bad_arguments():
    tree = agglomerate([[0, 1], [1, 2]], [0.5, -0.5])
    with pytest.raises(GaspValueError, match="threshold"):
        tree.labels(float("nan"))
    with pytest.raises(GaspTypeError, match="threshold"):
        tree.labels("0.5")
    with pytest.raises(GaspValueError, match="n_merges"):
        tree.labels_at(3)
    with pytest.raises(GaspTypeError, match="weights"):
        agglomerate([[0, 1]])
    with pytest.raises(GaspTypeError, match="run_to_completion"):
        agglomerate([[0, 1]], [1.0], run_to_completion=1)
    with pytest.raises(GaspValueError, match="linkage"):
        agglomerate([[0, 1]], [1.0], linkage="ward")
    with pytest.raises(GaspValueError, match=r"merges\[1\]"):
        MergeTree(3, [[0, 1], [2, 4]], [1.0, 0.5])
    with pytest.raises(GaspValueError, match="more than once"):
        MergeTree(4, [[0, 1], [0, 2]], [1.0, 0.5])
    with pytest.raises(GaspValueError, match="edges"):
        MergeTree(2, [[0, 1]], [1.0]).edge_heights()


@pytest.mark.parametrize("args,exc,match", [
    ((-3, [], []), GaspValueError, "n_nodes must be >= 0"),
    (("abc", [], []), GaspTypeError, "n_nodes must be an integer"),
    ((3.0, [], []), GaspTypeError, "n_nodes must be an integer"),
    ((True, [], []), GaspTypeError, "n_nodes must be an integer"),
    ((2**70, [], []), GaspValueError, "n_nodes must be <="),
    ((2**50, [], []), GaspMemoryError, "n_nodes=1125899906842624"),
    ((3, [[2, 2]], [1.0]), GaspValueError, r"merges\[0\] = \(2, 2\)"),
    ((3, [[0, 7]], [1.0]), GaspValueError, r"merges\[0\] = \(0, 7\)"),
    ((3, [[0, -1]], [1.0]), GaspValueError, r"merges\[0\] = \(0, -1\)"),
    ((3, [[0.5, 1.7]], [1.0]), GaspTypeError, "merges must hold integer"),
    ((3, [[0, 1, 2]], [1.0]), GaspValueError, r"merges must have shape \(k, 2\)"),
    ((3, np.array([[0, 2**64 - 1]], dtype=np.uint64), [1.0]), GaspValueError, "fit int64"),
    ((3, [[0, 1]], [np.nan]), GaspValueError, r"heights\[0\] = nan"),
    ((3, [[0, 1]], [np.inf]), GaspValueError, r"heights\[0\] = inf"),
    ((3, [[0, 1]], ["x"]), GaspTypeError, "heights must hold real numbers"),
    ((3, [[0, 1]], [[1.0]]), GaspValueError, r"heights must have shape \(k,\)"),
    ((3, [[0, 1]], [1.0, 2.0]), GaspValueError, "one value per merge"),
])
def test_merge_tree_constructor_validates_its_arguments(args, exc, match):
    # Were numpy / Python errors (or IndexError later), truncated float ids and NaN heights.
    with pytest.raises(exc, match=match):
        MergeTree(*args)


def test_merge_tree_constructor_accepts_what_agglomerate_records():
    tree = agglomerate([[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5])
    copy = MergeTree(np.int64(tree.n_nodes), tree.merges.astype(np.int32), tree.heights.tolist())
    assert np.array_equal(copy.merges, tree.merges) and np.array_equal(copy.heights, tree.heights)
    assert np.array_equal(copy.labels(0.0), tree.labels(0.0))
    assert len(MergeTree(0, [], [])) == 0


# --- networkx and sparse front ends ----------------------------------------------------------


def _nx_graph(seed):
    nx = pytest.importorskip("networkx")
    e, w, n = random_graph(seed, n=40, m=90)
    G = nx.Graph()
    names = [f"v{i}" for i in range(n)]
    G.add_nodes_from(names[::-1])  # node order differs from the integer order
    for (u, v), x in zip(e, w):
        G.add_edge(names[u], names[v], weight=x)
    return G


def _expected_sets(G, t, **kw):
    nodes = list(G.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    uv = [(index[u], index[v], d) for u, v, d in G.edges(data="weight")]
    edges = np.array([(a, b) for a, b, _ in uv])
    w = np.array([d for _, _, d in uv])
    labels = gasp(edges, w - t, n_nodes=len(nodes), **kw)
    sets = [set(np.array(nodes, dtype=object)[labels == c]) for c in range(labels.max() + 1)]
    return sorted(sets, key=len, reverse=True)  # stable: ties stay in first-node order


@pytest.mark.parametrize(
    "kw", [{"linkage": "average"}, {"linkage": "min"}, {"linkage": "sum"}, {"cannot_link": True}]
)
def test_partitions_of_a_networkx_graph_equal_separate_calls(kw):
    G = _nx_graph(21)
    thresholds = [0.3, -0.4, 0.0, 0.05, -0.1]  # unsorted: yielded in this order
    got = list(partitions(G, thresholds, **kw))
    assert len(got) == len(thresholds)
    for t, part in zip(thresholds, got):
        assert part == _expected_sets(G, t, **kw), t


@pytest.mark.parametrize("fmt", ["csr", "coo", "lil"])
@pytest.mark.parametrize("linkage", ["average", "sum"])
def test_partitions_of_a_sparse_matrix_equal_separate_calls(fmt, linkage):
    sparse = pytest.importorskip("scipy.sparse")
    e, w, n = random_graph(22, n=40, m=90)
    key = np.minimum(e[:, 0], e[:, 1]) * n + np.maximum(e[:, 0], e[:, 1])
    _, keep = np.unique(key, return_index=True)  # one entry per node pair
    e, w = e[keep], w[keep]
    A = sparse.coo_array((w, (e[:, 0], e[:, 1])), shape=(n, n))
    A = (A + A.T).asformat(fmt)  # symmetric
    thresholds = [-0.2, 0.0, 0.4]
    for t, labels in zip(thresholds, partitions(A, thresholds, linkage=linkage)):
        upper = np.sort(e, axis=1)
        assert np.array_equal(labels, gasp(upper, w - t, n_nodes=n, linkage=linkage)), t


def test_networkx_agglomerate_with_attribute_options():
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_edge("a", "b", weight=0.9, size=2.0)
    G.add_edge("b", "c", weight=-0.8, size=1.0, long=True)
    G.add_edge("c", "d", weight=0.4, size=1.0)
    G.add_edge("a", "c", weight=0.3, size=1.0)
    G.add_edge("d", "d", weight=5.0)  # self-loops are skipped
    tree = agglomerate(G, lifted="long", edge_sizes="size", linkage="average")
    assert tree.nodes == ["a", "b", "c", "d"]
    expected = gasp(
        [[0, 1], [1, 2], [2, 3], [0, 2]],
        [0.9, -0.8, 0.4, 0.3],
        lifted=[False, True, False, False],
        edge_sizes=[2.0, 1.0, 1.0, 1.0],
    )
    assert np.array_equal(tree.labels(), expected)
    assert tree.communities(-np.inf) == [{"a", "b", "c", "d"}]
    with pytest.raises(nx.NetworkXNotImplemented, match="directed"):  # as partition(G)
        agglomerate(nx.DiGraph([(0, 1, {"weight": 1.0})]))
    with pytest.raises(GaspValueError, match="'weight' attribute"):
        agglomerate(nx.Graph([(0, 1)]))
    with pytest.raises(GaspTypeError, match="weights must not be given"):
        agglomerate(G, [1.0])


def test_partitions_checks_arguments_before_iterating():
    G = _nx_graph(23)
    with pytest.raises(GaspValueError, match="thresholds"):
        partitions(G, [0.0, float("nan")])
    with pytest.raises(GaspValueError, match="thresholds"):
        partitions(G, [np.inf])
    with pytest.raises(GaspValueError, match="linkage"):
        partitions(G, [0.0], linkage="ward")
    with pytest.raises(GaspTypeError, match="networkx Graph/MultiGraph, a pandas DataFrame, an igraph Graph or a scipy sparse"):
        partitions(np.array([[0, 1]]), [0.0])


@pytest.mark.parametrize("linkage", ["sum", "average", "max", "min", "abs_max"])
@pytest.mark.parametrize("end", [False, True])
def test_gasp_prefix_of_completed_tree_equals_gasp_with_constraints(linkage, end):
    # The completion pass ignores constraints, but the tree remembers where GASP itself stopped.
    rng = np.random.default_rng(11)
    for _ in range(5):
        n = 40
        u, v = rng.integers(0, n, 200), rng.integers(0, n, 200)
        keep = u != v
        edges, weights = np.column_stack([u[keep], v[keep]]), rng.uniform(-1, 1, keep.sum())
        kw = dict(linkage=linkage, cannot_link=True, merge_constrained_at_end=end, n_nodes=n)
        tree = agglomerate(edges, weights, **kw)
        assert np.array_equal(tree.labels_at(tree.n_gasp_merges), gasp(edges, weights, **kw))
        assert tree.n_gasp_merges <= len(tree)


# ---------------------------------------------------------------------------------------------
# modularity_curve
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("resolution", [1.0, 0.5, 2.0])
def test_modularity_curve_equals_networkx_modularity_of_every_cut(seed, resolution):
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(seed)
    n = 25
    e, w, _ = random_graph(seed, n=n, m=30 if seed >= 3 else 60)
    # the tree of a signed graph, measured on another (unsigned) graph with self-loops and
    # parallel edges; seed 0..2 run to completion, 3..5 leave a forest
    tree = agglomerate(e, w, n_nodes=n, run_to_completion=seed < 3)
    ge = rng.integers(0, n, size=(70, 2))
    ge[:3, 1] = ge[:3, 0]  # self-loops
    ge[3] = ge[4]  # a parallel edge
    gw = rng.uniform(0.1, 2.0, size=70)
    G = nx.MultiGraph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from((int(a), int(b), float(x)) for (a, b), x in zip(ge, gw))
    curve = tree.modularity_curve(ge, gw, resolution=resolution)
    assert curve.shape == (len(tree) + 1,)
    for j in range(len(tree) + 1):
        labels = tree.labels_at(j)
        parts = [set(np.flatnonzero(labels == c).tolist()) for c in range(labels.max() + 1)]
        expected = nx.community.modularity(G, parts, weight="weight", resolution=resolution)
        assert curve[j] == pytest.approx(expected, abs=1e-12)


def test_modularity_curve_default_weights_and_errors():
    tree = agglomerate([[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5])
    assert np.allclose(tree.modularity_curve([[0, 1], [2, 3]]),
                       tree.modularity_curve([[0, 1], [2, 3]], [1.0, 1.0]))
    with pytest.raises(GaspValueError, match="node ids must lie"):
        tree.modularity_curve([[0, 4]])
    with pytest.raises(GaspValueError, match=r"weights\[1\] = -1.0"):
        tree.modularity_curve([[0, 1], [1, 2]], [1.0, -1.0])
    with pytest.raises(GaspValueError, match="total edge weight 0"):
        tree.modularity_curve([[0, 1]], [0.0])
    with pytest.raises(GaspValueError, match="resolution"):
        tree.modularity_curve([[0, 1]], resolution=-1.0)
