"""The engine's grid entry point against the explicit edge list of the same grid.

``segment`` hands the engine the shape, the offsets and the affinities; the engine enumerates the
edges itself with GridGraph's ids.  Every partition, merge record and statistic must equal the
one of ``gasp(grid_graph(...).edges, signed_weights(...))`` exactly, on every linkage, with and
without constraints, lifted edges, masks, sampling, float32 or float64 affinities, and ties.
"""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gasp_graph import _core, gasp
from gasp_graph._validation import prepare, prepare_grid
from gasp_graph.affinities import grid_graph, segment
from gasp_graph.exceptions import GaspValueError
from gasp_graph.images.grid import build_grid_graph, is_long_range, sample_long_range
from gasp_graph.images.labels import first_occurrence
from gasp_graph.weights import signed_weights

LINKAGES = ["sum", "average", "max", "min", "abs_max", "generalized_mean", "smooth_max"]


def random_grid(rng, ndim=None):
    """A small random grid: shape, offsets (the direct neighbours mostly included), affinities
    quantised to a few levels (ties) or not, float32 or float64, maybe a mask."""
    ndim = int(rng.integers(1, 4)) if ndim is None else ndim
    shape = tuple(int(x) for x in rng.integers(1, 7, ndim))
    offs = []
    if rng.random() < 0.8:
        offs.append(tuple(int(d == 0) for d in range(ndim)))
    for _ in range(int(rng.integers(1, 4))):
        o = tuple(int(x) for x in rng.integers(-3, 4, ndim))
        if any(o) and o not in offs and tuple(-x for x in o) not in offs:
            offs.append(o)
    if not offs:
        offs.append(tuple(int(d == 0) for d in range(ndim)))
    dtype = np.float32 if rng.random() < 0.5 else np.float64
    affs = rng.random((len(offs),) + shape)
    if rng.random() < 0.5:
        affs = np.round(affs * 4) / 4
    mask = rng.random(shape) < 0.75 if rng.random() < 0.3 else None
    return shape, np.array(offs, dtype=np.int64), affs.astype(dtype), mask


def both_paths(shape, offs, affs, mask, fraction, seed, *, lifted, beta=0.5, kind="linear",
               fast_paths=True, record_merges=False, **options):
    """(grid path result, explicit path result) of _core.run on the same problem."""
    sampling = sample_long_range(shape, offs, mask, fraction, seed)
    g = build_grid_graph(shape, offs, mask, sampling)
    grid = prepare_grid(affs, offs, mask=mask, lifted=is_long_range(offs) & lifted,
                        sampled=sampling.sampled, keep_bits=sampling.keep_bits,
                        n_edges=int(sampling.counts.sum()), beta=beta, kind=kind, eps=1e-6,
                        **options)
    w = signed_weights(g.gather(affs), beta=beta, kind=kind, eps=1e-6)
    explicit = prepare(g.edges, w, n_nodes=g.n_nodes, lifted=g.lifted if lifted else None,
                       **options)
    kw = dict(fast_paths=fast_paths, record_merges=record_merges)
    return _core.run(grid, **kw), _core.run(explicit, **kw)


def assert_same(a, b):
    assert np.array_equal(a[0], b[0])
    if a[1] is not None or b[1] is not None:
        assert np.array_equal(a[1], b[1])
        assert np.array_equal(a[2], b[2])
    assert a[3] == b[3]


@pytest.mark.parametrize("seed", range(6))
def test_every_linkage_and_option_equals_the_edge_list(seed):
    rng = np.random.default_rng(seed)
    shape, offs, affs, mask = random_grid(rng)
    fraction = [None, 0.0, 0.5, 1.0][seed % 4]
    for linkage, cl, lifted in itertools.product(LINKAGES, [False, True], [False, True]):
        param = {"generalized_mean": 2.0, "smooth_max": 1.5}.get(linkage)
        for kind, fp in [("linear", True), ("logit", True), ("linear", False)]:
            a, b = both_paths(shape, offs, affs, mask, fraction, seed, lifted=lifted, kind=kind,
                              fast_paths=fp, linkage=linkage, cannot_link=cl,
                              linkage_param=param, beta=0.4)
            assert_same(a, b)


@pytest.mark.parametrize("options", [
    {"merge_constrained_at_end": True, "cannot_link": True},
    {"size_regularizer": 0.7},
    {"n_clusters": 3},
    {"min_clusters": 4},
])
@pytest.mark.parametrize("linkage", ["average", "abs_max", "max", "sum"])
def test_options_and_merge_records_equal_the_edge_list(options, linkage):
    rng = np.random.default_rng(11)
    for _ in range(3):
        shape, offs, affs, mask = random_grid(rng, ndim=2)
        for lifted, fp in itertools.product([False, True], [True, False]):
            a, b = both_paths(shape, offs, affs, mask, None, 0, lifted=lifted, fast_paths=fp,
                              record_merges=True, linkage=linkage, **options)
            assert_same(a, b)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(LINKAGES[:5]), st.booleans(), st.booleans())
def test_random_grids_equal_the_edge_list(seed, linkage, cannot_link, lifted):
    rng = np.random.default_rng(seed)
    shape, offs, affs, mask = random_grid(rng)
    fraction = [None, 0.3][seed % 2]
    a, b = both_paths(shape, offs, affs, mask, fraction, seed, lifted=lifted, linkage=linkage,
                      cannot_link=cannot_link)
    assert_same(a, b)


def test_segment_is_the_explicit_edge_list():
    """segment() through the grid entry point, against gasp() on grid_graph's edges."""
    rng = np.random.default_rng(5)
    for trial in range(8):
        shape, offs, affs, mask = random_grid(rng, ndim=2 + trial % 2)
        fraction = [None, 0.5][trial % 2]
        local = np.abs(offs).sum(axis=1) == 1
        for linkage, cl, kind in itertools.product(["average", "abs_max", "max"], [False, True],
                                                   ["linear", "logit"]):
            for local_merge in ([False, True] if local.any() else [False]):
                got = segment(affs, offs, linkage=linkage, cannot_link=cl, kind=kind,
                              local_merge=local_merge, mask=mask, long_range_fraction=fraction,
                              seed=trial, beta=0.45)
                g = grid_graph(shape, offs, mask=mask, long_range_fraction=fraction, seed=trial)
                w = signed_weights(g.gather(affs), beta=0.45, kind=kind, eps=1e-6)
                lab = gasp(g.edges, w, n_nodes=g.n_nodes, linkage=linkage, cannot_link=cl,
                           lifted=g.lifted if local_merge else None)
                if mask is not None:
                    lab = first_occurrence(np.where(mask.ravel(), lab, -1))
                assert np.array_equal(got, (lab + 1).reshape(shape))


def test_grid_graph_sampling_is_the_draws_it_always_made():
    """grid_graph's edge set is unchanged: one uniform number per candidate long-range edge,
    offset by offset after masking, kept when below the fraction."""
    rng = np.random.default_rng(3)
    for trial in range(10):
        shape, offs, _, mask = random_grid(rng)
        g = grid_graph(shape, offs, mask=mask, long_range_fraction=0.4, seed=trial)
        draws = np.random.default_rng(trial)
        index = np.arange(int(np.prod(shape))).reshape(shape)
        expected = []
        for o in offs:
            src = tuple(slice(max(0, -x), max(0, s - max(0, x))) for x, s in zip(o, shape))
            tgt = tuple(slice(max(0, x), max(0, s + min(0, x))) for x, s in zip(o, shape))
            p = index[src][mask[src] & mask[tgt]] if mask is not None else index[src].ravel()
            if np.abs(o).sum() != 1 and p.size:
                p = p[draws.random(p.size) < 0.4]
            expected.append(p)
        assert np.array_equal(g.edges[:, 0], np.concatenate(expected))


def test_signed_weights_is_the_engine_mapping():
    p = np.random.default_rng(0).random(1000)
    p[:3] = [0.0, 1.0, 0.5]
    assert np.array_equal(signed_weights(p, beta=0.3), p - 0.3)
    want = [math.log(q / (1 - q)) - math.log(0.3 / 0.7)
            for q in np.clip(p, 1e-6, 1 - 1e-6)]
    assert np.array_equal(signed_weights(p, beta=0.3, kind="logit"), np.array(want))
    p32 = p.astype(np.float32)
    assert np.array_equal(signed_weights(p32, beta=0.3, kind="logit"),
                          signed_weights(p32.astype(np.float64), beta=0.3, kind="logit"))


def _grid_problem(affs, offs, **kw):
    shape = affs.shape[1:]
    sampling = sample_long_range(shape, np.asarray(offs), None, None, 0)
    args = dict(mask=None, lifted=np.zeros(len(offs), bool), sampled=sampling.sampled,
                keep_bits=sampling.keep_bits, n_edges=int(sampling.counts.sum()), beta=0.5,
                kind="linear", eps=1e-6, linkage="average")
    args.update(kw)
    return prepare_grid(affs, offs, **args)


@pytest.mark.parametrize("index_bits", [32, 64])
def test_engine_rejects_bad_grids(index_bits):
    """The C entry point validates what Python passes it (typed errors naming the argument)."""
    affs = np.full((2, 3, 4), 0.7)
    ok = _grid_problem(affs, [[0, 1], [1, 0]])
    assert _core.run(ok, index_bits=index_bits)[0].shape == (12,)
    bad = _grid_problem(affs, [[0, 1], [1, 0]])
    bad.offsets = np.array([[0, 1], [0, -1]])  # opposite offsets: the same pixel pairs twice
    with pytest.raises(GaspValueError, match="offsets"):
        _core.run(bad, index_bits=index_bits)
    bad.offsets = np.array([[0, 0], [1, 0]])
    with pytest.raises(GaspValueError, match="offsets"):
        _core.run(bad, index_bits=index_bits)
    nan = affs.copy()
    nan[1, 2, 3] = np.nan  # pixel (2, 3) has no partner at offset (1, 0): never read
    bad = _grid_problem(affs, [[0, 1], [1, 0]])
    bad.affinities = nan
    assert np.array_equal(_core.run(bad, index_bits=index_bits)[0], _core.run(ok)[0])
    nan[1, 1, 3] = np.nan
    with pytest.raises(GaspValueError, match=r"affinities \(element 19\)"):
        _core.run(bad, index_bits=index_bits)
    bad = _grid_problem(affs, [[0, 1], [1, 0]])
    bad.keep_bits = np.zeros(3, np.uint8)  # no offset is sampled: no bits expected
    with pytest.raises(GaspValueError, match="keep bits"):
        _core.run(bad, index_bits=index_bits)
    bad = _grid_problem(affs, [[0, 1], [1, 0]])
    bad.mask = np.full((3, 4), 2, np.uint8)
    with pytest.raises(GaspValueError, match="mask"):
        _core.run(bad, index_bits=index_bits)


def test_segment_rejects_bad_affinities_before_the_engine():
    affs = np.full((2, 3, 4), 0.5, dtype=np.float32)
    affs[1, 0, 2] = 1.5
    with pytest.raises(GaspValueError, match=r"affinities\[1, 0, 2\] = 1.5"):
        segment(affs, [[0, 1], [1, 0]])


@pytest.mark.slow
def test_large_mutex_watershed_is_chunked_and_exact():
    """A grid large enough for the mutex watershed to sort in pieces, with one value so
    frequent that its edges are processed as they are read: the edge list's result."""
    rng = np.random.default_rng(1)
    shape = (1100, 1200)
    offs = np.array([[0, 1], [1, 0], [3, -3]])
    affs = rng.random((3,) + shape).astype(np.float32)
    affs[rng.random(affs.shape) < 0.55] = 0.875  # > 10^6 edges of one key
    for lifted in (False,):
        a, b = both_paths(shape, offs, affs, None, None, 0, lifted=lifted, linkage="abs_max",
                          cannot_link=True, record_merges=True)
        assert_same(a, b)


@pytest.mark.parametrize("linkage", ["average", "abs_max"])
def test_a_callback_stops_both_paths_at_the_same_merge(linkage):
    """The progress callback sees the same merges on the grid and on the edge list, and a stop
    after the 7th merge leaves the same partition."""
    rng = np.random.default_rng(9)
    shape, offs = (9, 11), np.array([[0, 1], [1, 0], [2, -1]])
    affs = rng.random((len(offs),) + shape).astype(np.float32)
    results = []
    for grid in (True, False):
        seen = []

        def stop(n_merges, n_clusters, value):
            seen.append((n_merges, n_clusters, value))
            return n_merges >= 7

        sampling = sample_long_range(shape, offs, None, None, 0)
        if grid:
            problem = prepare_grid(affs, offs, mask=None, lifted=is_long_range(offs),
                                   sampled=sampling.sampled, keep_bits=sampling.keep_bits,
                                   n_edges=int(sampling.counts.sum()), beta=0.5, kind="linear",
                                   eps=1e-6, linkage=linkage)
        else:
            g = build_grid_graph(shape, offs, None, sampling)
            problem = prepare(g.edges, signed_weights(g.gather(affs)), n_nodes=g.n_nodes,
                              lifted=g.lifted, linkage=linkage)
        labels, _, _, info = _core.run(problem, callback=stop, callback_every=1)
        assert info["stopped"] and info["n_merges"] == 7
        results.append((labels, seen))
    assert np.array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
