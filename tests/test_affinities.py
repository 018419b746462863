"""Tests of gasp_graph.affinities: grid graphs, segmentation from affinities, small segments."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from region_reference import pixel_graph

from gasp_graph import GaspMemoryError, GaspTypeError, GaspValueError, gasp
from gasp_graph.affinities import grid_graph, segment
from gasp_graph.images.segment import _signed_weights

LINKAGES = ["sum", "average", "max", "min", "abs_max", "generalized_mean", "smooth_max"]

OFFSETS_2D = [[0, 1], [1, 0], [0, 3], [-2, 1], [3, 3]]
OFFSETS_3D = [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [0, 2, -1], [-2, 0, 2], [1, -3, 0]]


# ------------------------------------------------------------------------------------------
# Brute-force oracles
# ------------------------------------------------------------------------------------------

def brute_grid_candidates(shape, offsets, mask=None):
    """Per offset, the edges (p, p + o) by a loop over every pixel (C order)."""
    edges, oidx, _ = pixel_graph(shape, offsets, mask)
    return [[tuple(e) for e in edges[oidx == k].tolist()] for k in range(len(offsets))]


def brute_grid(shape, offsets, mask=None, fraction=None, seed=None):
    rng = np.random.default_rng(seed)
    edges, oidx, lifted = [], [], []
    for k, (o, rows) in enumerate(zip(offsets, brute_grid_candidates(shape, offsets, mask))):
        long_range = sum(abs(x) for x in o) != 1
        if fraction is not None and fraction < 1 and long_range and rows:
            keep = rng.random(len(rows)) < fraction
            rows = [r for r, kp in zip(rows, keep) if kp]
        edges += rows
        oidx += [k] * len(rows)
        lifted += [long_range] * len(rows)
    return np.array(edges, dtype=np.int64).reshape(-1, 2), np.array(oidx), np.array(lifted, bool)


def kruskal_mutex_watershed(n, edges, weights):
    """Mutex watershed: edges by |w| descending; w > 0 unions unless a mutex separates the roots,
    w < 0 adds a mutex between the roots."""
    parent = list(range(n))
    mutex = [set() for _ in range(n)]

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in sorted(range(len(weights)), key=lambda i: (-abs(weights[i]), i)):
        a, b = find(int(edges[i, 0])), find(int(edges[i, 1]))
        if a == b:
            continue
        if weights[i] > 0:
            if b in mutex[a]:
                continue
            parent[b] = a
            for c in mutex[b]:
                mutex[c].discard(b)
                mutex[c].add(a)
            mutex[a] |= mutex[b]
            mutex[b] = set()
        else:
            mutex[a].add(b)
            mutex[b].add(a)
    return np.array([find(i) for i in range(n)])


def same_partition(a, b):
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def slow_merge_small(labels, edges, weights, min_size):
    """The documented min_size rule, literally: pick the smallest segment below min_size
    having a neighbour (ties: lowest label), merge it into the neighbour with the highest mean
    weight (ties: lowest label); the survivor keeps the neighbour's label."""
    labels = labels.copy()
    while True:
        ids, sizes = np.unique(labels[labels >= 0], return_counts=True)
        size = dict(zip(ids.tolist(), sizes.tolist()))
        best = None
        for s in sorted(size, key=lambda s: (size[s], s)):
            if size[s] >= min_size:
                break
            tot = {}
            for (u, v), w in zip(edges.tolist(), weights.tolist()):
                lu, lv = labels[u], labels[v]
                if lu == s and lv != s:
                    tot.setdefault(lv, []).append(w)
                elif lv == s and lu != s:
                    tot.setdefault(lu, []).append(w)
            if tot:
                t = max(tot, key=lambda t: (np.mean(tot[t]), -t))
                best = (s, t)
                break
        if best is None:
            return labels
        labels[labels == best[0]] = best[1]


# ------------------------------------------------------------------------------------------
# grid_graph
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "shape, offsets",
    [((4, 5), OFFSETS_2D), ((3, 4, 5), OFFSETS_3D), ((7,), [[1], [-3], [8]]), ((1, 1), [[0, 1]])],
)
def test_grid_graph_equals_brute_force(shape, offsets):
    g = grid_graph(shape, offsets)
    e, k, lf = brute_grid(shape, offsets)
    np.testing.assert_array_equal(g.edges, e)
    np.testing.assert_array_equal(g.offset_index, k)
    np.testing.assert_array_equal(g.lifted, lf)
    assert g.n_nodes == int(np.prod(shape))
    assert g.edges.dtype == np.int64 and g.offset_index.dtype == np.int64
    np.testing.assert_array_equal(g.source, e[:, 0])


@pytest.mark.parametrize("shape, offsets", [((5, 6), OFFSETS_2D), ((3, 4, 5), OFFSETS_3D)])
def test_grid_graph_with_mask_equals_brute_force(shape, offsets):
    mask = np.random.default_rng(1).random(shape) < 0.7
    g = grid_graph(shape, offsets, mask=mask)
    e, k, lf = brute_grid(shape, offsets, mask=mask)
    np.testing.assert_array_equal(g.edges, e)
    np.testing.assert_array_equal(g.offset_index, k)
    np.testing.assert_array_equal(g.lifted, lf)


@pytest.mark.parametrize("shape, offsets", [((6, 7), OFFSETS_2D), ((4, 5, 6), OFFSETS_3D)])
def test_grid_graph_sampling_reproducible_and_equal_to_brute_force(shape, offsets):
    mask = np.random.default_rng(2).random(shape) < 0.8
    g1 = grid_graph(shape, offsets, mask=mask, long_range_fraction=0.3, seed=7)
    g2 = grid_graph(shape, offsets, mask=mask, long_range_fraction=0.3, seed=7)
    g3 = grid_graph(shape, offsets, mask=mask, long_range_fraction=0.3, seed=8)
    np.testing.assert_array_equal(g1.edges, g2.edges)
    assert not np.array_equal(g1.edges, g3.edges)
    e, k, _ = brute_grid(shape, offsets, mask=mask, fraction=0.3, seed=7)
    np.testing.assert_array_equal(g1.edges, e)
    np.testing.assert_array_equal(g1.offset_index, k)
    # direct-neighbour edges are all kept
    full = grid_graph(shape, offsets, mask=mask)
    np.testing.assert_array_equal(g1.edges[~g1.lifted], full.edges[~full.lifted])
    # fraction 0 keeps no long-range edge; fraction 1 keeps all
    assert not grid_graph(shape, offsets, long_range_fraction=0.0, seed=1).lifted.any()
    np.testing.assert_array_equal(
        grid_graph(shape, offsets, long_range_fraction=1.0, seed=1).edges,
        grid_graph(shape, offsets).edges,
    )


def test_grid_graph_sampling_fraction_is_respected():
    g = grid_graph((60, 60), [[0, 1], [0, 5], [5, 0]], long_range_fraction=0.25, seed=0)
    full = grid_graph((60, 60), [[0, 1], [0, 5], [5, 0]])
    ratio = g.lifted.sum() / full.lifted.sum()
    assert 0.22 < ratio < 0.28


def test_grid_graph_gather():
    shape = (3, 4)
    offsets = [[0, 1], [1, 1]]
    affs = np.random.default_rng(0).random((2,) + shape)
    g = grid_graph(shape, offsets)
    vals = g.gather(affs)
    for (u, v), k, val in zip(g.edges, g.offset_index, vals):
        pix = np.unravel_index(u, shape)
        assert np.ravel_multi_index(tuple(np.add(pix, offsets[k])), shape) == v
        assert affs[(k,) + pix] == val


def test_grid_graph_rejects_bad_offsets():
    with pytest.raises(GaspValueError, match=r"offsets\[2\] = \[0, -1\] is the opposite of "):
        grid_graph((3, 3), [[0, 1], [1, 0], [0, -1]])
    with pytest.raises(GaspValueError, match="zero offset"):
        grid_graph((3, 3), [[0, 1], [0, 0]])
    with pytest.raises(GaspValueError, match="repeats"):
        grid_graph((3, 3), [[0, 1], [0, 1]])
    with pytest.raises(GaspValueError, match=r"shape \(n_offsets, 2\)"):
        grid_graph((3, 3), [[0, 1, 0]])
    with pytest.raises(GaspTypeError, match="integers"):
        grid_graph((3, 3), [[0, 0.5]])
    with pytest.raises(GaspValueError, match="mask"):
        grid_graph((3, 3), [[0, 1]], mask=np.ones((3, 4), bool))
    with pytest.raises(GaspValueError, match="long_range_fraction"):
        grid_graph((3, 3), [[0, 1]], long_range_fraction=1.5)
    with pytest.raises(GaspValueError, match="shape"):
        grid_graph((3, -1), [[0, 1]])


# ------------------------------------------------------------------------------------------
# segment
# ------------------------------------------------------------------------------------------

def random_affinities(n_offsets, shape, seed):
    return np.random.default_rng(seed).random((n_offsets,) + tuple(shape))


@pytest.mark.parametrize("shape, offsets", [((8, 9), OFFSETS_2D), ((4, 5, 6), OFFSETS_3D)])
@pytest.mark.parametrize("cannot_link", [False, True])
def test_abs_max_equals_brute_force_mutex_watershed(shape, offsets, cannot_link):
    affs = random_affinities(len(offsets), shape, 3)
    labels = segment(affs, offsets, linkage="abs_max", local_merge=False, cannot_link=cannot_link)
    g = grid_graph(shape, offsets)
    w = g.gather(affs) - 0.5
    mws = kruskal_mutex_watershed(g.n_nodes, g.edges, w)
    assert same_partition(labels, mws)
    assert len(np.unique(labels)) > 3  # a non-trivial partition


@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("cannot_link", [False, True])
@pytest.mark.parametrize("local_merge", [False, True])
def test_segment_equals_gasp_on_grid_graph(linkage, cannot_link, local_merge):
    shape, offsets = (9, 10), OFFSETS_2D
    affs = random_affinities(len(offsets), shape, 4)
    mask = np.ones(shape, bool)
    mask[2:4, 3:7] = False
    kw = dict(mask=mask, long_range_fraction=0.5, seed=11)
    labels = segment(affs, offsets, linkage=linkage, cannot_link=cannot_link,
                     local_merge=local_merge, beta=0.4, **kw)
    g = grid_graph(shape, offsets, **kw)
    w = g.gather(affs) - 0.4
    expected = gasp(g.edges, w, n_nodes=g.n_nodes, linkage=linkage, cannot_link=cannot_link,
                    lifted=g.lifted if local_merge else None)
    assert labels.shape == shape and labels.dtype == np.int64
    assert np.all(labels[~mask] == 0) and np.all(labels[mask] > 0)
    assert same_partition(labels[mask], expected.reshape(shape)[mask])


def test_segment_logit_weights_and_options_reach_the_engine():
    shape, offsets = (8, 8), OFFSETS_2D
    affs = random_affinities(len(offsets), shape, 5)
    affs[0, 0, 0] = 1.0  # clipped, stays finite
    g = grid_graph(shape, offsets)
    w = _signed_weights(g.gather(affs), 0.3, "logit")
    p = np.clip(g.gather(affs), 1e-6, 1 - 1e-6)
    np.testing.assert_allclose(w, np.log(p / (1 - p)) - np.log(0.3 / 0.7))
    for kw in [dict(linkage="generalized_mean", linkage_param=2.0),
               dict(cannot_link=True, merge_constrained_at_end=True),
               dict(size_regularizer=0.5),
               dict(n_clusters=10)]:
        labels = segment(affs, offsets, beta=0.3, kind="logit", **kw)
        expected = gasp(g.edges, w, n_nodes=g.n_nodes, lifted=g.lifted, **kw)
        np.testing.assert_array_equal(labels.ravel(), expected + 1)


def direct_neighbour_components(labels):
    """Connected components of the graph of direct-neighbour edges inside equal labels."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    shape = labels.shape
    offsets = np.eye(len(shape), dtype=int).tolist()
    g = grid_graph(shape, offsets)
    flat = labels.ravel()
    same = flat[g.edges[:, 0]] == flat[g.edges[:, 1]]
    e = g.edges[same]
    adj = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(flat.size, flat.size))
    return connected_components(adj, directed=False)[0]


@pytest.mark.parametrize("linkage", ["average", "abs_max", "sum", "max"])
def test_local_merge_gives_connected_segments(linkage):
    pytest.importorskip("scipy")
    shape, offsets = (6, 7, 8), OFFSETS_3D
    affs = random_affinities(len(offsets), shape, 6)
    affs[3:] = np.clip(affs[3:] + 0.4, 0, 1)  # strongly attractive long-range edges
    labels = segment(affs, offsets, linkage=linkage)
    assert len(np.unique(labels)) > 1
    assert direct_neighbour_components(labels) == len(np.unique(labels))


@pytest.mark.parametrize("linkage", ["average", "abs_max"])
def test_without_local_merge_segments_can_be_disconnected(linkage):
    # the check of the test above can fail: here the same data gives disconnected segments
    pytest.importorskip("scipy")
    shape, offsets = (6, 7, 8), OFFSETS_3D
    affs = random_affinities(len(offsets), shape, 6)
    affs[3:] = np.clip(affs[3:] + 0.4, 0, 1)
    free = segment(affs, offsets, linkage=linkage, local_merge=False)
    assert direct_neighbour_components(free) > len(np.unique(free))


def test_local_merge_tiny_example():
    # pixels 0 and 2 attract through a long-range edge; both repel pixel 1 in between
    affs = np.zeros((2, 1, 3))
    affs[1, 0, 0] = 1.0  # offset (0, 2): pixel 0 -- pixel 2
    assert segment(affs, [[0, 1], [0, 2]], local_merge=False).tolist() == [[1, 2, 1]]
    assert segment(affs, [[0, 1], [0, 2]]).tolist() == [[1, 2, 3]]


@pytest.mark.parametrize("local_merge", [True, False])
@pytest.mark.parametrize("min_size", [3, 6])
def test_min_size_equals_slow_rule(local_merge, min_size):
    shape, offsets = (7, 8), OFFSETS_2D
    affs = random_affinities(len(offsets), shape, 8)
    mask = np.ones(shape, bool)
    mask[3, :] = False  # two halves, ...
    mask[0:2, 0:2] = False
    mask[0, 3] = False
    mask[0, 0] = True  # ... and an isolated pixel: no partner under any offset
    kw = dict(linkage="abs_max", local_merge=local_merge, mask=mask, beta=0.6)
    before = segment(affs, offsets, **kw)
    after = segment(affs, offsets, min_size=min_size, **kw)
    g = grid_graph(shape, offsets, mask=mask)
    w = g.gather(affs) - 0.6
    sel = ~g.lifted if local_merge else np.ones(len(w), bool)
    slow = slow_merge_small(before.ravel() - 1, g.edges[sel], w[sel], min_size)
    assert same_partition(after.ravel(), slow)
    ids, sizes = np.unique(after[mask], return_counts=True)
    assert sizes.min() < min_size  # the isolated pixel stays ...
    assert after[0, 0] in ids[sizes < min_size]
    # ... and it is the only segment below the threshold, the others had neighbours
    assert (sizes < min_size).sum() == 1
    assert np.all(after[~mask] == 0)
    assert len(np.unique(before)) > len(np.unique(after))  # something was merged
    if local_merge:
        pytest.importorskip("scipy")
        labels = np.where(mask, after, -np.arange(after.size).reshape(shape) - 1)
        assert direct_neighbour_components(labels) == len(np.unique(labels))


def test_min_size_merges_into_most_attractive_neighbour():
    # columns: [0 1] | [2] | [3 4]   boundary weights -0.4 (1|2) and -0.2 (2|3)
    affs = np.full((2, 2, 5), 0.9)
    affs[0, :, 1] = 0.1
    affs[0, :, 2] = 0.3
    assert segment(affs, [[0, 1], [1, 0]]).tolist() == [[1, 1, 2, 3, 3]] * 2
    assert segment(affs, [[0, 1], [1, 0]], min_size=3).tolist() == [[1, 1, 2, 2, 2]] * 2
    affs[0, :, 1] = 0.35  # now -0.15 (1|2) beats -0.2 (2|3)
    assert segment(affs, [[0, 1], [1, 0]], min_size=3).tolist() == [[1, 1, 1, 2, 2]] * 2


def test_segment_matches_mwatershed():
    mw = pytest.importorskip("mwatershed")
    shape, offsets = (12, 13), [[0, 1], [1, 0], [0, 3], [3, 0], [2, 2]]
    affs = random_affinities(len(offsets), shape, 9)
    ours = segment(affs, offsets, linkage="abs_max", local_merge=False)
    theirs = mw.agglom(affs - 0.5, offsets).ravel()
    singles = theirs == 0  # mwatershed labels unmerged pixels 0
    theirs[singles] = theirs.max() + 1 + np.arange(singles.sum())
    assert same_partition(ours, theirs)


def test_segment_rejects_bad_input():
    offsets = [[0, 1], [1, 0]]
    good = np.full((2, 3, 3), 0.5)
    with pytest.raises(GaspValueError, match="channels"):
        segment(good[:1], offsets)
    bad = good.copy()
    bad[1, 2, 0] = 1.5
    with pytest.raises(GaspValueError, match=r"affinities\[1, 2, 0\] = 1.5"):
        segment(bad, offsets)
    bad[1, 2, 0] = np.nan
    with pytest.raises(GaspValueError, match="affinities"):
        segment(bad, offsets)
    with pytest.raises(GaspValueError, match="beta"):
        segment(good, offsets, beta=1.0)
    with pytest.raises(GaspValueError, match="kind must be 'linear' or 'logit', got 'log'"):
        segment(good, offsets, kind="log")
    with pytest.raises(GaspValueError, match="linkage"):
        segment(good, offsets, linkage="ward")
    with pytest.raises(GaspValueError, match="local_merge"):
        segment(good, [[0, 2], [2, 0]])
    with pytest.raises(GaspValueError, match="min_size"):
        segment(good, offsets, min_size=-1)
    with pytest.raises(GaspValueError, match="opposite"):
        segment(good, [[0, 1], [0, -1]])


# ------------------------------------------------------------------------------------------
# Property-based: grid_graph against the loop on random grids, offsets, masks and fractions
# ------------------------------------------------------------------------------------------


@st.composite
def grid_problems(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim)))
    raw = draw(st.lists(st.tuples(*[st.integers(-4, 4)] * ndim), min_size=1, max_size=5))
    offsets, seen = [], set()
    for o in raw:
        if any(o) and o not in seen and tuple(-x for x in o) not in seen:
            seen.add(o)
            offsets.append(list(o))
    if not offsets:
        offsets = [[1] + [0] * (ndim - 1)]
    mask = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape)
    fraction = draw(st.one_of(st.none(), st.floats(0, 1)))
    mask = draw(st.one_of(st.none(), st.just(mask)))
    return shape, offsets, mask, fraction, draw(st.integers(0, 9))


@settings(max_examples=40, deadline=None)
@given(grid_problems())
def test_grid_graph_property(problem):
    shape, offsets, mask, fraction, seed = problem
    g = grid_graph(shape, offsets, mask=mask, long_range_fraction=fraction, seed=seed)
    e, k, lf = brute_grid(shape, offsets, mask=mask, fraction=fraction, seed=seed)
    np.testing.assert_array_equal(g.edges, e)
    np.testing.assert_array_equal(g.offset_index, k)
    np.testing.assert_array_equal(g.lifted, lf)


def test_weights_is_a_deprecated_alias_of_kind():
    offsets = [[0, 1], [1, 0], [2, 2]]
    affs = random_affinities(len(offsets), (6, 7), 3)
    want = segment(affs, offsets, beta=0.3, kind="logit")
    with pytest.warns(FutureWarning, match=r"segment\(weights=\.\.\.\) is deprecated.*kind='logit'"):
        got = segment(affs, offsets, beta=0.3, weights="logit")
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(want, segment(affs, offsets, beta=0.3, kind="linear"))
    with pytest.raises(GaspTypeError, match="both given"):
        segment(affs, offsets, kind="logit", weights="linear")
    with pytest.warns(FutureWarning), pytest.raises(GaspValueError, match="weights must be"):
        segment(affs, offsets, weights="log")


# --- typed errors for sizes, seeds and shapes -----------------------------------------------


@pytest.mark.parametrize("call, exc, match", [
    # the pixel count 2**64 overflowed int64 inside numpy (ValueError)
    (lambda: grid_graph((2**32, 2**32), [[0, 1]]), GaspValueError, "more than int64 ids"),
    # numpy's MemoryError, not GaspMemoryError
    (lambda: grid_graph((10**6, 10**6), [[0, 1]]), GaspMemoryError, r"grid of shape \(1000000"),
    (lambda: grid_graph((4, 4), [[0, 1], [2, 2]], long_range_fraction=0.5, seed="x"),
     GaspTypeError, "seed must be None, an integer >= 0 or a numpy.random.Generator"),
    (lambda: grid_graph((4, 4), [[0, 1]], seed=-1), GaspValueError, "seed must be >= 0, got -1"),
    (lambda: grid_graph((4, 4), [[0, 1]], seed=1.5), GaspTypeError, "seed must be None"),
    (lambda: grid_graph((4, 4), [[0, 1]]).gather(np.zeros((1, 3, 3))), GaspValueError,
     r"at least 1 offsets of 16 pixels each, got shape \(1, 3, 3\)"),
    (lambda: grid_graph((4, 4), [[0, 1], [1, 0]]).gather(np.zeros((1, 4, 4))), GaspValueError,
     r"at least 2 offsets"),
    (lambda: grid_graph((4, 4), [[0, 1]]).gather(np.float64(1.0)), GaspValueError,
     r"got shape \(\)"),
    (lambda: grid_graph((4, 4), [[0, 1]]).gather([[None] * 16]), GaspTypeError, "affinities"),
    (lambda: segment(np.random.default_rng(0).random((2, 8, 8)), [[0, 1], [1, 0]], seed="x"),
     GaspTypeError, "seed must be None"),
    (lambda: segment(np.random.default_rng(0).random((2, 8, 8)), [[0, 1], [1, 0]], seed=-1),
     GaspValueError, "seed must be >= 0"),
])
def test_grid_graph_and_segment_typed_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_grid_graph_seeds_and_gather_that_work():
    g = grid_graph((5, 6), [[0, 1], [2, 2]], long_range_fraction=0.5, seed=3)
    again = grid_graph((5, 6), [[0, 1], [2, 2]], long_range_fraction=0.5,
                       seed=np.random.default_rng(3))
    assert np.array_equal(g.edges, again.edges)
    a = np.arange(2 * 30, dtype=float).reshape(2, 5, 6)
    assert np.array_equal(g.gather(a), a.reshape(2, -1)[g.offset_index, g.source])
    assert np.array_equal(g.gather(np.concatenate([a, a])), g.gather(a))  # extra offsets unused


@pytest.mark.parametrize("linkage", ["average", "abs_max", "sum"])
def test_n_clusters_counts_segments_inside_the_mask(linkage):
    rng = np.random.default_rng(3)
    offsets = [[0, 1], [1, 0], [2, 2]]
    affs = rng.uniform(0, 1, size=(3, 12, 12))
    mask = np.zeros((12, 12), dtype=bool)
    mask[2:10, 1:11] = True
    for k in (1, 3, 7):
        labels = segment(affs, offsets, mask=mask, n_clusters=k, linkage=linkage)
        assert set(np.unique(labels[mask]).tolist()) == set(range(1, k + 1))
        assert (labels[~mask] == 0).all()
    # min_clusters stops as soon as k segments are left inside the mask (GASP alone merges
    # these attractive affinities into one segment)
    attractive = 0.6 + 0.4 * affs
    assert segment(attractive, offsets, mask=mask, linkage=linkage).max() == 1
    labels = segment(attractive, offsets, mask=mask, min_clusters=3, linkage=linkage)
    assert set(np.unique(labels[mask]).tolist()) == {1, 2, 3}
