"""Region graphs: against a pixel loop, the oracle's state after a prefix, and the engine's
prefix continuation (GASP on the region graph of a partially run pixel-level GASP finishes the
run exactly)."""
import numpy as np
import pytest
import region_reference as rr
from hypothesis import given, settings
from hypothesis import strategies as st

from gasp_graph import GaspTypeError, GaspValueError, agglomerate, gasp
from gasp_graph.affinities import grid_graph, region_graph
from gasp_graph.images.labels import first_occurrence

OFFSETS_2D = [[0, 1], [1, 0], [0, 3], [-2, 1], [3, 3]]
OFFSETS_3D = [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [0, 2, -1], [-2, 0, 2], [1, -3, 0]]
LINKAGES = ["sum", "average", "max", "min", "abs_max"]


def random_superpixels(rng, shape, n_labels, zero_fraction=0.0):
    sp = rng.integers(1, n_labels + 1, size=shape)
    if zero_fraction:
        sp[rng.random(shape) < zero_fraction] = 0
    return sp


def affinities_for(linkage, rng, n_offsets, shape):
    """Affinities whose weights (beta = 0.5) make the claim bitwise testable: quantised (many
    exact ties, opposite-sign abs_max ties) for the selection linkages, multiples of 1/16 for
    sum (exact sums), continuous for average (means are rounded, ties have probability 0)."""
    if linkage in ("max", "min", "abs_max"):
        return rng.integers(0, 5, size=(n_offsets,) + shape) / 4.0
    if linkage == "sum":
        return rng.integers(0, 17, size=(n_offsets,) + shape) / 16.0
    return rng.random((n_offsets,) + shape)


def check_against_brute(rg, sizes, pairs):
    assert rg.n_nodes == len(sizes)
    assert rg.node_labels.tolist() == sorted(sizes)
    assert rg.node_sizes.tolist() == [sizes[k] for k in sorted(sizes)]
    assert rg.edges.shape == (len(pairs), 2)
    assert (rg.edges[:, 0] < rg.edges[:, 1]).all()
    assert (np.diff(rg.first) > 0).all()  # ordered by smallest pixel edge
    for i, (a, b) in enumerate(rg.edges.tolist()):
        s = pairs[(int(rg.node_labels[a]), int(rg.node_labels[b]))]
        assert rg.count[i] == s["count"] and rg.local_count[i] == s["local_count"]
        assert rg.max[i] == s["max"] and rg.min[i] == s["min"]
        assert rg.sum[i] == pytest.approx(s["sum"], abs=1e-12)
        assert rg.local_sum[i] == pytest.approx(s["local_sum"], abs=1e-12)
        assert (rg.first[i], rg.argmax[i], rg.argmin[i]) == (s["first"], s["argmax"], s["argmin"])
        for linkage in ("max", "min", "abs_max"):
            value = {"max": rg.max, "min": rg.min, "abs_max": rg.abs_max}[linkage][i]
            tie = {"max": rg.argmax, "min": rg.argmin, "abs_max": rg.arg_abs_max}[linkage][i]
            assert value == rr.pair_value(s, linkage) and tie == rr.pair_id(s, linkage)


# ------------------------------------------------------------------------------------------
# Against the pixel loop
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,offsets", [((7, 8), OFFSETS_2D), ((3, 5, 4), OFFSETS_3D)])
@pytest.mark.parametrize("seed", range(4))
def test_region_graph_equals_pixel_loop(shape, offsets, seed):
    rng = np.random.default_rng(seed)
    sp = random_superpixels(rng, shape, 6, zero_fraction=0.1)
    if seed == 3:
        sp = sp * 10**9  # sparse labels: the sorting path
    affs = rng.integers(0, 5, size=(len(offsets),) + shape) / 4.0  # ties
    mask = rng.random(shape) > 0.15 if seed % 2 else None
    rg = region_graph(sp, affs, offsets, mask=mask, beta=0.5)
    sizes, pairs = rr.brute_region_graph(sp, affs - 0.5, offsets, mask)
    check_against_brute(rg, sizes, pairs)
    ignored = (sp == 0) if mask is None else (sp == 0) | ~mask
    assert np.array_equal(rg.pixel_nodes < 0, ignored)


def test_region_graph_logit_weights_and_sampling_follow_grid_graph():
    rng = np.random.default_rng(5)
    shape = (9, 8)
    sp = random_superpixels(rng, shape, 5)
    affs = rng.random((len(OFFSETS_2D),) + shape)
    kw = dict(long_range_fraction=0.4, seed=3)
    rg = region_graph(sp, affs, OFFSETS_2D, beta=0.3, kind="logit", **kw)
    g = grid_graph(shape, OFFSETS_2D, **kw)
    p = np.clip(g.gather(affs), 1e-6, 1 - 1e-6)
    w = np.log(p / (1 - p)) - np.log(0.3 / 0.7)
    flat = sp.ravel()
    expect = {}
    for i, ((u, v), lf) in enumerate(zip(g.edges.tolist(), g.lifted.tolist())):
        a, b = flat[u], flat[v]
        if a != b:
            expect.setdefault((min(a, b), max(a, b)), []).append((i, w[i], not lf))
    assert rg.edges.shape[0] == len(expect)
    for i, (a, b) in enumerate(rg.edges.tolist()):
        items = expect[(rg.node_labels[a], rg.node_labels[b])]
        assert rg.count[i] == len(items) and rg.first[i] == items[0][0]
        assert rg.max[i] == max(x[1] for x in items)
        assert rg.local_count[i] == sum(x[2] for x in items)
        assert rg.sum[i] == pytest.approx(sum(x[1] for x in items))


def test_region_graph_small_cases():
    # one region: no edge; everything ignored: no node
    rg = region_graph(np.ones((3, 3), int), np.ones((2, 3, 3)), [[0, 1], [1, 0]])
    assert rg.n_nodes == 1 and rg.edges.shape == (0, 2) and rg.node_sizes.tolist() == [9]
    rg = region_graph(np.zeros((3, 3), int), np.ones((2, 3, 3)), [[0, 1], [1, 0]])
    assert rg.n_nodes == 0 and rg.edges.shape == (0, 2)
    assert rg.pixel_labels(np.zeros(0, np.int64)).tolist() == [[0] * 3] * 3
    # non-contiguous region, boolean superpixels
    rg = region_graph(np.array([[1, 2, 1]]), np.full((1, 1, 3), 0.25), [[0, 1]])
    assert rg.edges.tolist() == [[0, 1]] and rg.count.tolist() == [2]
    assert rg.mean.tolist() == [-0.25]
    rg = region_graph(np.array([[True, False, True]]), np.full((1, 1, 3), 0.5), [[0, 1]])
    assert rg.n_nodes == 1 and rg.node_sizes.tolist() == [2] and rg.edges.shape == (0, 2)


def test_region_graph_rejects_bad_input():
    affs = np.full((2, 3, 3), 0.5)
    offs = [[0, 1], [1, 0]]
    with pytest.raises(GaspValueError, match="superpixels must have"):
        region_graph(np.ones((3, 4), int), affs, offs)
    with pytest.raises(GaspTypeError, match="integer labels"):
        region_graph(np.ones((3, 3)), affs, offs)
    with pytest.raises(GaspValueError, match=r"superpixels\[0, 1\] = -2"):
        region_graph(np.array([[1, -2, 1]] * 3), affs, offs)
    with pytest.raises(GaspValueError, match="beta"):
        region_graph(np.ones((3, 3), int), affs, offs, beta=1.5)
    with pytest.raises(GaspValueError, match="kind"):
        region_graph(np.ones((3, 3), int), affs, offs, kind="probit")
    with pytest.raises(GaspValueError, match="lie in"):
        region_graph(np.ones((3, 3), int), affs + 1, offs)
    rg = region_graph(np.array([[1, 1, 2]] * 3), affs, offs)
    with pytest.raises(GaspValueError, match="no exact region-graph form"):
        rg.problem("smooth_max")
    with pytest.raises(GaspValueError, match="one per region"):
        rg.pixel_labels([0, 1, 2])


# ------------------------------------------------------------------------------------------
# The oracle: the state after k merges is a function of the partition
# ------------------------------------------------------------------------------------------

def pixel_problem(rng, linkage, shape, offsets):
    affs = affinities_for(linkage, rng, len(offsets), shape)
    edges, oidx, lifted = rr.pixel_graph(shape, offsets)
    w = affs.reshape(len(offsets), -1)[oidx, edges[:, 0]] - 0.5
    return affs, edges, w, lifted


def test_oracle_state_after_prefix_is_the_region_graph():
    """For every linkage and prefix length, the oracle's pair edges after k merges carry the
    region graph's value, size, local flag and tie id (exactly; average up to rounding)."""
    shape = (4, 5)
    n = 20
    for linkage in LINKAGES:
        for seed in range(3):
            rng = np.random.default_rng([seed, LINKAGES.index(linkage)])
            affs, edges, w, lifted = pixel_problem(rng, linkage, shape, OFFSETS_2D)
            _, merges, _ = rr.traced_run(n, edges, w, linkage=linkage, lifted=lifted)
            for k in sorted({0, len(merges) // 3, len(merges) // 2, len(merges)}):
                state = rr.state_after(n, edges, w, merges[:k], linkage=linkage, lifted=lifted)
                sp = state.labels(n).reshape(shape) + 1
                rg = region_graph(sp, affs, OFFSETS_2D)
                _, pairs = rr.brute_region_graph(sp, affs - 0.5, OFFSETS_2D)
                check_against_brute(rg, *rr.brute_region_graph(sp, affs - 0.5, OFFSETS_2D))
                assert len(state.pair) == len(pairs)
                for (a, b), edge in state.pair.items():
                    la, lb = sp.ravel()[a], sp.ravel()[b]
                    s = pairs[(min(la, lb), max(la, lb))]
                    assert edge.s == s["count"] and edge.local == (s["local_count"] > 0)
                    assert edge.id == rr.pair_id(s, linkage)
                    if linkage == "average":
                        assert edge.W == pytest.approx(rr.pair_value(s, linkage), abs=1e-12)
                    else:
                        assert edge.W == rr.pair_value(s, linkage)


# ------------------------------------------------------------------------------------------
# The engine: prefix continuation
# ------------------------------------------------------------------------------------------

def merge_signature(tree, cluster_min):
    """Merges as (smallest pixel of one side, of the other), from a node -> smallest-pixel map."""
    mins = list(cluster_min)
    out = []
    for a, b in tree.merges.tolist():
        x, y = mins[a], mins[b]
        out.append((min(x, y), max(x, y)))
        mins.append(min(x, y))
    return out


def continue_from_prefix(shape, offsets, linkage, rng, *, k_fraction, cannot_link=False,
                         size_regularizer=0.0, local_merge=True, mask=None):
    """(pixel labels, region labels, pixel tail, region tail) of a pixel run and its
    continuation on the region graph of its prefix of k merges."""
    affs = affinities_for(linkage, rng, len(offsets), shape)
    g = grid_graph(shape, offsets, mask=mask)
    w = g.gather(affs) - 0.5
    lifted = g.lifted if local_merge else None
    opts = dict(linkage=linkage, cannot_link=cannot_link, size_regularizer=size_regularizer)
    tree = agglomerate(g.edges, w, n_nodes=g.n_nodes, lifted=lifted, run_to_completion=False,
                       **opts)
    k = int(k_fraction * len(tree))
    sp = tree.labels_at(k).reshape(shape) + 1
    inside = np.ones(shape, bool) if mask is None else np.asarray(mask, bool)
    sp[~inside] = 0
    rg = region_graph(sp, affs, offsets, mask=mask)
    kw = rg.problem(linkage, local_merge=local_merge)
    kw.pop("linkage")
    rtree = agglomerate(run_to_completion=False, **kw, **opts)
    pixel = first_occurrence(np.where(inside.ravel(), tree.labels(), -1)).reshape(shape) + 1
    region = rg.pixel_labels(rtree.labels())
    node_min = np.full(rg.n_nodes, g.n_nodes, dtype=np.int64)
    np.minimum.at(node_min, rg.pixel_nodes.ravel()[inside.ravel()],
                  np.flatnonzero(inside.ravel()))
    pixel_tail = list(zip(merge_signature(tree, range(g.n_nodes))[k:], tree.heights[k:].tolist()))
    region_tail = list(zip(merge_signature(rtree, node_min), rtree.heights.tolist()))
    return pixel, region, pixel_tail, region_tail


@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("shape,offsets", [((9, 10), OFFSETS_2D), ((4, 6, 5), OFFSETS_3D)])
@pytest.mark.parametrize("size_regularizer", [0.0, 0.5])
def test_prefix_continuation_is_exact(linkage, shape, offsets, size_regularizer):
    for seed in range(3):
        for k_fraction in (0.0, 0.3, 0.7, 1.0):
            rng = np.random.default_rng([seed, LINKAGES.index(linkage), len(shape)])
            pixel, region, ptail, rtail = continue_from_prefix(
                shape, offsets, linkage, rng, k_fraction=k_fraction,
                size_regularizer=size_regularizer)
            assert np.array_equal(pixel, region)
            assert [m for m, _ in ptail] == [m for m, _ in rtail]
            if linkage == "average":
                np.testing.assert_allclose([h for _, h in ptail], [h for _, h in rtail],
                                           rtol=1e-12, atol=1e-12)
            else:
                assert [h for _, h in ptail] == [h for _, h in rtail]


@pytest.mark.parametrize("linkage", LINKAGES)
def test_prefix_continuation_with_mask_and_without_local_merge(linkage):
    shape = (8, 9)
    mask = np.ones(shape, bool)
    mask[2:5, 3:6] = False
    for local_merge in (True, False):
        rng = np.random.default_rng([7, LINKAGES.index(linkage)])
        pixel, region, ptail, rtail = continue_from_prefix(
            shape, OFFSETS_2D, linkage, rng, k_fraction=0.5, local_merge=local_merge, mask=mask)
        assert np.array_equal(pixel, region)
        assert [m for m, _ in ptail] == [m for m, _ in rtail]


@pytest.mark.parametrize("linkage", LINKAGES)
def test_prefix_continuation_with_constraints_before_the_first_constraint(linkage):
    """With cannot-link constraints the property holds for every prefix that installed no
    constraint yet (found with the oracle)."""
    shape, offsets = (5, 6), OFFSETS_2D
    n = 30
    checked = 0
    for seed in range(6):
        rng = np.random.default_rng([seed, 11, LINKAGES.index(linkage)])
        affs = affinities_for(linkage, rng, len(offsets), shape)
        # weak repulsions: the first constraint comes late
        affs = np.where(affs < 0.5, 0.5 - (0.5 - affs) / 4, affs)
        g = grid_graph(shape, offsets)
        w = g.gather(affs) - 0.5
        _, merges, before = rr.traced_run(n, g.edges, w, linkage=linkage, lifted=g.lifted,
                                          cannot_link=True)
        tree = agglomerate(g.edges, w, n_nodes=n, lifted=g.lifted, linkage=linkage,
                           cannot_link=True, run_to_completion=False)
        for k in sorted({0, before // 2, before}):
            sp = tree.labels_at(k).reshape(shape) + 1
            rg = region_graph(sp, affs, offsets)
            region = rg.pixel_labels(gasp(**rg.problem(linkage), cannot_link=True))
            assert np.array_equal(region, tree.labels().reshape(shape) + 1)
            checked += 1
    assert checked >= 15


def test_prefix_continuation_counterexample_with_an_installed_constraint():
    """The documented exception.  Three pixels A B C in a row: direct-neighbour edges A-B
    (w = -0.4) and B-C (w = +0.35), a long-range edge A-C (w = +0.5).  With cannot_link,
    |w(A-B)| goes first and installs the constraint A|B; then B-C merges, and the folded pair
    A-(BC) gets the positive average (-0.4 + 0.5) / 2 but keeps the constraint: the run ends
    with {A}, {B, C}.  The region graph of that partition has no record of the constraint, so
    GASP on it merges A into {B, C}."""
    offsets = [[0, 1], [0, 2]]
    affs = np.zeros((2, 1, 3))
    affs[0, 0, 0], affs[0, 0, 1] = 0.1, 0.85  # A-B: w = -0.4, B-C: w = +0.35
    affs[1, 0, 0] = 1.0                       # A-C (lifted): w = +0.5
    g = grid_graph((1, 3), offsets)
    full = gasp(g.edges, g.gather(affs) - 0.5, lifted=g.lifted, cannot_link=True)
    assert full.tolist() == [0, 1, 1]
    rg = region_graph(np.array([[1, 2, 2]]), affs, offsets)
    region = rg.pixel_labels(gasp(**rg.problem("average"), cannot_link=True))
    assert region.tolist() == [[1, 1, 1]]  # differs: the constraint A|B was part of the state


@st.composite
def region_problems(draw):
    ndim = draw(st.sampled_from([2, 3]))
    shape = tuple(draw(st.integers(1, 5)) for _ in range(ndim))
    offsets = OFFSETS_2D if ndim == 2 else OFFSETS_3D
    n_labels = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31))
    return shape, offsets, n_labels, seed


@settings(max_examples=40)
@given(region_problems())
def test_region_graph_property(problem):
    shape, offsets, n_labels, seed = problem
    rng = np.random.default_rng(seed)
    sp = random_superpixels(rng, shape, n_labels, zero_fraction=0.2)
    affs = rng.integers(0, 3, size=(len(offsets),) + shape) / 2.0
    rg = region_graph(sp, affs, offsets)
    check_against_brute(rg, *rr.brute_region_graph(sp, affs - 0.5, offsets))
