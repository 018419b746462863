"""knn_graph (the graph of a point set) and select_beta / beta="auto" (the label-free bias)."""
import sys

import networkx as nx
import numpy as np
import pytest

from gasp_graph import (
    GASP,
    GaspTypeError,
    GaspValueError,
    gasp,
    knn_graph,
    select_beta,
    signed_weights,
)
from gasp_graph.affinities import segment

# --------------------------------------------------------------------------------------------
# knn_graph against brute force
# --------------------------------------------------------------------------------------------


def points(seed, n=50, d=3):
    return np.random.default_rng(seed).normal(size=(n, d))


def brute_neighbours(X, k, metric="euclidean"):
    diff = X[:, None, :] - X[None, :, :]
    if metric == "euclidean":
        D = np.sqrt((diff ** 2).sum(-1))
    elif metric == "manhattan":
        D = np.abs(diff).sum(-1)
    elif metric == "chebyshev":
        D = np.abs(diff).max(-1)
    else:
        U = X / np.linalg.norm(X, axis=1, keepdims=True)
        D = 1 - U @ U.T
    np.fill_diagonal(D, np.inf)
    idx = np.argsort(D, axis=1, kind="stable")[:, :k]
    return D, idx


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "chebyshev", "cosine"])
def test_local_edges_are_the_union_of_nearest_neighbours(metric):
    X = points(0)
    k = 6
    g = knn_graph(X, k, metric=metric, far_pairs=3, similarity="kernel", scale="global")
    D, idx = brute_neighbours(X, k, metric)
    expected = {(min(i, j), max(i, j)) for i in range(len(X)) for j in idx[i]}
    local = g.edges[~g.lifted]
    assert sorted(expected) == [tuple(e) for e in local.tolist()]  # sorted, one per pair
    s = np.median(np.sort(D, axis=1)[:, :k])
    d = D[local[:, 0], local[:, 1]]
    np.testing.assert_allclose(g.probabilities[~g.lifted], np.exp(-d ** 2 / s ** 2), rtol=1e-9)
    far = g.edges[g.lifted]
    assert (far[:, 0] < far[:, 1]).all()
    assert len({tuple(e) for e in far.tolist()}) == len(far)  # no repeats
    assert not expected & {tuple(e) for e in far.tolist()}  # no neighbour pair
    assert 0.5 * 3 * len(X) < len(far) <= 3 * len(X)
    d = D[far[:, 0], far[:, 1]]
    np.testing.assert_allclose(g.probabilities[g.lifted], np.exp(-d ** 2 / s ** 2), rtol=1e-9,
                               atol=1e-300)


def test_local_scale_and_jaccard():
    X = points(1, n=30)
    k = 5
    D, idx = brute_neighbours(X, k)
    s = np.median(np.sort(D, axis=1)[:, :k], axis=1)
    hood = [set(idx[i].tolist()) | {i} for i in range(len(X))]
    for similarity in ("kernel", "jaccard", "mean"):
        g = knn_graph(X, k, similarity=similarity, far_pairs=2)
        for (i, j), p in zip(g.edges.tolist(), g.probabilities.tolist()):
            kern = np.exp(-D[i, j] ** 2 / (s[i] * s[j]))
            jac = len(hood[i] & hood[j]) / len(hood[i] | hood[j])
            want = {"kernel": kern, "jaccard": jac, "mean": (kern + jac) / 2}[similarity]
            assert p == pytest.approx(want, rel=1e-9, abs=1e-300)


def test_scipy_fallback_gives_the_same_graph(monkeypatch):
    X = points(2, n=40)  # continuous coordinates: no ties between distances
    Xd = np.concatenate([X, X[:5]])  # duplicates: ties, but never a point its own neighbour
    with_sklearn = [knn_graph(X, 7, metric=m) for m in ("euclidean", "manhattan", "cosine")]
    monkeypatch.setitem(sys.modules, "sklearn.neighbors", None)  # import raises ImportError
    without = [knn_graph(X, 7, metric=m) for m in ("euclidean", "manhattan", "cosine")]
    for g, h in zip(with_sklearn, without):
        for a, b in zip(g, h):
            np.testing.assert_allclose(a, b, rtol=1e-9)
    g = knn_graph(Xd, 7)
    assert (g.edges[:, 0] != g.edges[:, 1]).all()
    assert ((g.edges[~g.lifted] == [0, 40]).all(axis=1)).any()  # a duplicate pair is an edge


def test_duplicate_points_have_no_self_pairs():
    X = np.repeat(points(3, n=10), 4, axis=0)  # every point four times
    g = knn_graph(X, 5, far_pairs=5, similarity="kernel")
    assert (g.edges[:, 0] != g.edges[:, 1]).all()
    dup = (X[g.edges[:, 0]] == X[g.edges[:, 1]]).all(axis=1)
    assert dup.sum() >= 10 * 6 and (g.probabilities[dup] == 1.0).all()
    g = knn_graph(np.ones((6, 2)), 3, similarity="kernel")  # all distances 0: no scale
    assert (g.probabilities == 1).all()


def test_small_inputs_and_seeds():
    assert knn_graph([[0.0, 1.0]]).edges.shape == (0, 2)
    g = knn_graph([[0.0], [1.0]], 10)
    assert g.edges.tolist() == [[0, 1]] and not g.lifted.any()
    X = points(4)
    a, b = knn_graph(X), knn_graph(X)
    np.testing.assert_array_equal(a.edges, b.edges)  # seed=None is a fixed seed
    np.testing.assert_array_equal(knn_graph(X, seed=1).edges, a.edges)  # quantile: no seed
    r = knn_graph(X, far_selection="random")
    np.testing.assert_array_equal(knn_graph(X, far_selection="random").edges, r.edges)
    c = knn_graph(X, far_selection="random", seed=1)
    assert not np.array_equal(r.edges, c.edges)
    np.testing.assert_array_equal(
        knn_graph(X, far_selection="random", seed=np.random.default_rng(1)).edges, c.edges)
    assert not knn_graph(X, far_pairs=0).lifted.any()


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "chebyshev", "cosine"])
def test_quantile_far_pairs_against_brute_force(metric):
    # point i's partners are the points at ranks floor((j + 1/2) (n - 1) / f) of its distances
    X = points(5, n=40)
    n, k, f = len(X), 4, 6
    D, _ = brute_neighbours(X, k, metric)
    ranks = np.floor((np.arange(f) + 0.5) * (n - 1) / f).astype(int)
    order = np.argsort(D, axis=1, kind="stable")  # the diagonal (inf) sorts last
    want = {(min(i, int(j)), max(i, int(j))) for i in range(n) for j in order[i, ranks]}
    g = knn_graph(X, k, metric=metric, far_pairs=f)
    local = {tuple(e) for e in g.edges[~g.lifted].tolist()}
    assert {tuple(e) for e in g.edges[g.lifted].tolist()} == want - local
    assert want & local  # the nearest rank can be a neighbour: dropped, as with random pairs


def test_quantile_far_pairs_do_not_depend_on_the_point_order():
    X = points(6, n=60)
    perm = np.random.default_rng(0).permutation(len(X))
    g, h = knn_graph(X, 5, far_pairs=8), knn_graph(X[perm], 5, far_pairs=8)

    def pairs(graph, relabel):
        e = relabel[graph.edges]
        return {(min(a, b), max(a, b), lift) for (a, b), lift in zip(e.tolist(), graph.lifted)}

    assert pairs(g, np.arange(len(X))) == pairs(h, perm)  # the same pairs, lifted or not
    np.testing.assert_array_equal(g.edges, knn_graph(X, 5, far_pairs=8, seed=7).edges)


def test_quantile_far_pairs_above_the_candidate_limit(monkeypatch):
    # above the limit, the partners are ranks among a random sample of candidates (seed=)
    from gasp_graph import points as gp

    monkeypatch.setattr(gp, "_QUANTILE_CANDIDATES", 25)
    X = points(7, n=60)
    a, b = gp._quantile_partners(X, 5, "euclidean", np.random.default_rng(3))
    cand = np.sort(np.random.default_rng(3).choice(60, size=25, replace=False))
    assert np.isin(b, cand).all() and (a != b).all()
    assert np.bincount(a, minlength=60).tolist() == [5] * 60
    D, _ = brute_neighbours(X, 1)
    ranks = np.floor((np.arange(5) + 0.5) * 24 / 5).astype(int)
    for i in range(60):
        d = D[i, cand]
        want = cand[np.argsort(d, kind="stable")[ranks]]
        assert sorted(b[a == i].tolist()) == sorted(want.tolist())
    g0, g1 = knn_graph(X, 4, far_pairs=5, seed=0), knn_graph(X, 4, far_pairs=5, seed=1)
    assert not np.array_equal(g0.edges, g1.edges)


@pytest.mark.parametrize(
    "X, kwargs, error, match",
    [
        (np.zeros(3), {}, GaspValueError, "2-D array"),
        (np.zeros((0, 2)), {}, GaspValueError, "at least 1 sample"),
        ([[0.0, np.inf]], {}, GaspValueError, r"X\[0, 1\] = inf"),
        ([["a"]], {}, GaspTypeError, "real numbers"),
        (np.ones((3, 2)), {"n_neighbors": 0}, GaspValueError, "n_neighbors must be >= 1"),
        (np.ones((3, 2)), {"far_pairs": -1}, GaspValueError, "far_pairs must be >= 0"),
        (np.ones((3, 2)), {"metric": "l3"}, GaspValueError, "metric must be one of"),
        (np.ones((3, 2)), {"scale": 0.0}, GaspValueError, "scale must be"),
        (np.ones((3, 2)), {"scale": "median"}, GaspValueError, "scale must be"),
        (np.ones((3, 2)), {"similarity": "snn"}, GaspValueError, "similarity must be one of"),
        (np.ones((3, 2)), {"far_selection": "uniform"}, GaspValueError,
         "far_selection must be one of"),
        (np.ones((3, 2)), {"seed": 1.5}, GaspTypeError, "seed must be"),
        (np.zeros((3, 2)), {"metric": "cosine"}, GaspValueError, "zero vector"),
    ],
)
def test_knn_graph_errors(X, kwargs, error, match):
    with pytest.raises(error, match=match):
        knn_graph(X, **kwargs)


def test_sparse_X_is_refused_with_a_hint():
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(GaspTypeError, match="sparse"):
        knn_graph(sp.csr_array(np.eye(3)))


# --------------------------------------------------------------------------------------------
# select_beta: the same bias as an exhaustive search over separate runs
# --------------------------------------------------------------------------------------------

def modularity(edges, p, labels, resolution):
    G = nx.Graph()
    G.add_nodes_from(range(len(labels)))
    for (u, v), w in zip(edges.tolist(), p.tolist()):
        G.add_edge(u, v, weight=w)
    groups = [set(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels)]
    return nx.community.modularity(G, groups, resolution=resolution)


def _separate_run(g, beta, kind, linkage):
    return gasp(g.edges, signed_weights(g.probabilities, beta=beta, kind=kind), lifted=g.lifted,
                linkage=linkage)


@pytest.mark.parametrize("kind", ["linear", "logit"])
@pytest.mark.parametrize("linkage", ["average", "max"])
def test_select_beta_equals_an_exhaustive_search_over_separate_runs(kind, linkage):
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(c, 0.7, (12, 2)) for c in ((0, 0), (4, 0), (2, 3))])
    g = knn_graph(X, 5, far_pairs=3, similarity="mean")
    local = ~g.lifted
    sel = select_beta(g.edges, g.probabilities, lifted=g.lifted, kind=kind, linkage=linkage,
                      criterion="modularity")
    assert (np.diff(sel.betas) < 0).all() and (np.diff(sel.n_clusters) < 0).all()
    # every listed bias: a separate run gives that partition, and the score is its modularity
    seen = {}
    for beta, score, k in zip(sel.betas, sel.scores, sel.n_clusters):
        labels = _separate_run(g, beta, kind, linkage)
        assert labels.max() + 1 == k
        q = modularity(g.edges[local], g.probabilities[local], labels, 1.0)
        assert score == pytest.approx(q, abs=1e-12)
        seen[tuple(labels)] = q
    # an exhaustive grid of separate runs finds no partition the sweep missed, none better
    if kind == "linear":
        grid = np.linspace(0.005, 0.995, 199)
    else:
        grid = 1 / (1 + np.exp(-np.linspace(-14, 14, 281)))
    best_grid = -np.inf
    for beta in grid:
        labels = _separate_run(g, beta, kind, linkage)
        assert tuple(labels) in seen, beta
        best_grid = max(best_grid, seen[tuple(labels)])
    assert sel.scores.max() == pytest.approx(best_grid, abs=1e-12)
    assert sel.beta == sel.betas[int(np.argmax(sel.scores))]

    # persistence: the same partitions; each holds over exactly its range of biases (separate
    # runs just inside and just outside), and the widest range among the good ones wins
    from gasp_graph.points import sweep

    s = sweep(g.edges, g.probabilities, lifted=g.lifted, kind=kind, linkage=linkage)
    pers = select_beta(g.edges, g.probabilities, lifted=g.lifted, kind=kind, linkage=linkage)
    np.testing.assert_array_equal(pers.betas, sel.betas)
    width = np.log(s.high + 0.01) - np.log(s.low + 0.01)
    for i, (lo, hi) in enumerate(zip(s.low, s.high)):
        labels = _separate_run(g, sel.betas[i], kind, linkage)
        for inside in (lo + 1e-7 * (hi - lo), hi - 1e-7 * (hi - lo)):
            if 0 < inside < 1:
                np.testing.assert_array_equal(_separate_run(g, inside, kind, linkage), labels)
        for outside in (lo - 1e-6, hi + 1e-6):
            if 0 < outside < 1:
                assert not np.array_equal(_separate_run(g, outside, kind, linkage), labels)
    good = (sel.scores >= 0.25 * sel.scores.max()) & (s.cuts > 0)  # a quarter of the best
    assert pers.beta == sel.betas[int(np.argmax(np.where(good, width, -np.inf)))]
    np.testing.assert_allclose(pers.scores[good], width[good])
    assert np.isneginf(pers.scores[~good]).all()


def test_select_beta_refuses_non_exact_sweeps():
    with pytest.raises(GaspValueError, match="beta='auto' needs a linkage"):
        select_beta([[0, 1]], [0.7], linkage="sum")
    with pytest.raises(GaspValueError, match="beta='auto' needs a linkage"):
        select_beta([[0, 1]], [0.7], linkage="generalized_mean", linkage_param=2.0)
    with pytest.raises(GaspValueError, match="probabilities must lie in"):
        select_beta([[0, 1]], [1.7])
    with pytest.raises(GaspValueError, match="resolution must be"):
        select_beta([[0, 1]], [0.7], resolution=-1.0)
    with pytest.raises(GaspValueError, match="criterion must be one of"):
        select_beta([[0, 1]], [0.7], criterion="silhouette")


def test_select_beta_degenerate_inputs():
    sel = select_beta(np.zeros((0, 2), int), [], n_nodes=3)
    assert sel.n_clusters.tolist() == [3] and 0 < sel.beta < 1
    sel = select_beta([[0, 1], [1, 2]], [0.5, 0.5])  # every weight 0 at beta=0.5
    assert 0 < sel.beta < 1


def test_estimator_auto_beta_is_select_beta():
    X = np.random.default_rng(3).normal(size=(60, 2))
    X[30:] += 6
    model = GASP(n_neighbors=8, far_pairs=4).fit(X)
    g = knn_graph(X, 8, far_pairs=4)
    sel = select_beta(g.edges, g.probabilities, lifted=g.lifted)
    assert model.beta_ == sel.beta
    assert model.n_clusters_ == sel.n_clusters[int(np.argmax(sel.scores))]


def test_segment_auto_beta():
    rng = np.random.default_rng(0)
    shape = (12, 12)
    truth = np.zeros(shape, int)
    truth[:, 6:] = 1
    truth[6:, :6] = 2
    offsets = [[0, 1], [1, 0], [0, 3], [3, 0]]
    affs = np.empty((4, *shape))
    for c, (dy, dx) in enumerate(offsets):
        shifted = np.roll(truth, (-dy, -dx), axis=(0, 1))
        affs[c] = np.where(shifted == truth, 0.8, 0.3) + rng.uniform(-0.1, 0.1, shape)
    labels = segment(affs, offsets, beta="auto")
    from gasp_graph.affinities import grid_graph

    g = grid_graph(shape, offsets)
    sel = select_beta(g.edges, g.gather(affs), n_nodes=g.n_nodes, lifted=g.lifted)
    np.testing.assert_array_equal(labels, segment(affs, offsets, beta=sel.beta))
    assert labels.max() == 3
    with pytest.raises(GaspValueError, match="beta='auto' needs one merge tree"):
        segment(affs, offsets, beta="auto", cannot_link=True)
