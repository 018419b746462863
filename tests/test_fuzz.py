"""Adversarial inputs at every public entry point, and at the C entry point itself.

Every call either works -- and then a partition covers exactly the n nodes, numbered by first
occurrence, and equals the result on the same data given in the canonical form (int64 / float64,
C-contiguous lists) -- or raises a documented exception: a GaspError subclass (which also
subclasses the matching builtin), or networkx's NetworkXNotImplemented for directed graphs.
Anything else (another exception, a crash, a hang) fails the test.

Budgets: the hypothesis profile (tests/conftest.py, HYPOTHESIS_PROFILE) sets the number of
examples; every profile is derandomized, so CI runs the same examples every time.
"""
from __future__ import annotations

import contextlib
import io
import numbers
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gasp_graph
from gasp_graph import (GaspError, GaspMemoryError, GaspTypeError, GaspValueError, GaspWarning,
                        agglomerate, gasp)
from gasp_graph import metrics, quality
from gasp_graph.affinities import grid_graph, segment

LINKAGES = ["sum", "average", "max", "min", "abs_max", "generalized_mean", "smooth_max"]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.intp, np.uintp, np.longlong, np.ulonglong]
FLOAT_DTYPES = [np.float16, np.float32, np.float64, np.longdouble]
SPECIAL_WEIGHTS = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308, 1.0,
                   -1.0, 0.5, np.nan, np.inf, -np.inf]
I64 = np.iinfo(np.int64)


def assert_partition(labels, n):
    assert isinstance(labels, np.ndarray) and labels.dtype == np.int64
    assert labels.shape == (n,)
    if n:
        _, first = np.unique(labels, return_index=True)
        assert np.array_equal(labels[np.sort(first)], np.arange(first.shape[0]))


def call(fn, *args, allowed=(GaspError,), **kwargs):
    """fn(*args, **kwargs), or the documented exception it raised (returned, not raised).

    GaspWarning (an unreachable n_clusters) is a documented outcome too, and is ignored."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GaspWarning)
            return fn(*args, **kwargs)
    except allowed as exc:
        assert str(exc), "an exception without a message"
        return exc


# ---------------------------------------------------------------------------------------------
# Array layouts: dtype, byte order, contiguity, writeability, lists, memory maps
# ---------------------------------------------------------------------------------------------


def relayout(arr, how, tmp_path=None):
    """The same values as ``arr`` in another memory layout or container."""
    arr = np.asarray(arr)
    if how == "list":
        return arr.tolist()
    if how == "big_endian":
        return arr.astype(arr.dtype.newbyteorder(">"))
    if how == "non_contiguous":
        wide = np.zeros((arr.shape[0] * 2,) + arr.shape[1:], dtype=arr.dtype)
        wide[::2] = arr
        return wide[::2]
    if how == "fortran":
        return np.asfortranarray(arr)
    if how == "read_only":
        out = arr.copy()
        out.flags.writeable = False
        return out
    if how == "memmap":
        path = tmp_path / f"arr{np.random.default_rng().integers(1 << 30)}.dat"
        mm = np.memmap(path, dtype=arr.dtype, mode="w+", shape=arr.shape if arr.size else (1,))
        if arr.size:
            mm[...] = arr
            mm.flush()
            return np.memmap(path, dtype=arr.dtype, mode="r", shape=arr.shape)
        return mm[:0].reshape(arr.shape)
    return arr


LAYOUTS = ["array", "list", "big_endian", "non_contiguous", "fortran", "read_only", "memmap"]


@st.composite
def array_problems(draw):
    n = draw(st.integers(0, 12))
    m = draw(st.integers(0, 25))
    hi = max(n, 1)
    lo = draw(st.sampled_from([0, 0, 0, -1]))  # sometimes a negative id
    edges = np.array(
        [[draw(st.integers(lo, hi)), draw(st.integers(lo, hi))] for _ in range(m)],
        dtype=np.int64,
    ).reshape(m, 2)
    weights = np.array(
        [draw(st.one_of(st.sampled_from(SPECIAL_WEIGHTS),
                        st.floats(-3, 3, allow_nan=False, width=16))) for _ in range(m)],
        dtype=np.float64,
    )
    if draw(st.booleans()):  # mostly valid graphs, so that the engine runs too
        keep = (edges[:, 0] != edges[:, 1]) & (edges >= 0).all(axis=1)
        edges, weights = edges[keep], np.nan_to_num(weights[keep], posinf=2.0, neginf=-2.0)
    kwargs = {"linkage": draw(st.sampled_from(LINKAGES))}
    if draw(st.booleans()):
        kwargs["n_nodes"] = n if draw(st.booleans()) else hi + 1
    if draw(st.booleans()):
        kwargs["cannot_link"] = True
        kwargs["merge_constrained_at_end"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["lifted"] = [draw(st.booleans()) for _ in range(edges.shape[0])]
    if draw(st.booleans()):
        kwargs["edge_sizes"] = [draw(st.sampled_from([1.0, 0.5, 3.0, 5e-324, 0.0]))
                                for _ in range(edges.shape[0])]
    if draw(st.booleans()):
        kwargs["size_regularizer"] = draw(st.sampled_from([0.0, 0.5, 2.0]))
    if draw(st.booleans()):
        kwargs[draw(st.sampled_from(["n_clusters", "min_clusters"]))] = draw(st.integers(0, 5))
    return edges, weights, kwargs


@given(array_problems(), st.sampled_from(INT_DTYPES), st.sampled_from(FLOAT_DTYPES),
       st.sampled_from(LAYOUTS), st.sampled_from(LAYOUTS))
def test_gasp_on_adversarial_arrays(tmp_path_factory, problem, int_dtype, float_dtype,
                                    edge_layout, weight_layout):
    edges, weights, kwargs = problem
    canonical = call(gasp, edges.tolist(), weights.tolist(), **kwargs)
    # The same values in another dtype: ids that do not fit the dtype, or weights that round
    # to another value, make a different problem, which must still be handled.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = edges.astype(int_dtype)
        w = weights.astype(float_dtype)
    same_values = np.array_equal(e.astype(np.int64), edges) and np.array_equal(
        w.astype(np.float64), weights, equal_nan=True)
    tmp = tmp_path_factory.mktemp("mm")
    result = call(gasp, relayout(e, edge_layout, tmp), relayout(w, weight_layout, tmp),
                  **kwargs)
    if isinstance(result, np.ndarray):
        n = kwargs.get("n_nodes", int(e.astype(np.int64).max()) + 1 if e.size else 0)
        assert_partition(result, n)
    if same_values and int_dtype not in (np.uint8, np.uint16, np.uint32, np.uint64, np.uintp,
                                         np.ulonglong):
        if isinstance(canonical, np.ndarray):
            assert isinstance(result, np.ndarray) and np.array_equal(result, canonical)
        else:
            assert type(result) is type(canonical)


@given(array_problems(), st.booleans())
def test_agglomerate_on_adversarial_arrays(problem, run_to_completion):
    edges, weights, kwargs = problem
    tree = call(agglomerate, edges, weights, run_to_completion=run_to_completion, **kwargs)
    if isinstance(tree, GaspError):
        return
    n = tree.n_nodes
    assert len(tree) <= max(n - 1, 0)
    assert tree.merges.shape == (len(tree), 2)
    assert np.all(tree.merges < n + np.arange(len(tree))[:, None])  # merge j joins older ids
    for k in {0, len(tree) // 2, len(tree)}:
        assert_partition(tree.labels_at(k), n)


# ---------------------------------------------------------------------------------------------
# Named classes of bad input (the table in the changelog entry / report)
# ---------------------------------------------------------------------------------------------

E3 = [[0, 1], [1, 2], [0, 2]]
CASES = {
    # name: (edges, weights, kwargs, expected: "ok" or an exception class)
    "empty graph, n_nodes inferred": (np.zeros((0, 2), int), [], {}, "ok"),
    "empty graph, n_nodes=0": ([], [], {"n_nodes": 0}, "ok"),
    "no edges, n_nodes=5": ([], [], {"n_nodes": 5}, "ok"),
    "one node": ([], [], {"n_nodes": 1}, "ok"),
    "one edge": ([[0, 1]], [1.0], {}, "ok"),
    "all negative": (E3, [-1.0, -2.0, -0.5], {}, "ok"),
    "all zero": (E3, [0.0, 0.0, 0.0], {}, "ok"),
    "-0.0 and subnormal weights": (E3, [-0.0, 5e-324, -5e-324], {}, "ok"),
    "huge finite weights (sum overflows to inf)": (E3 + [[0, 1]], [1e308, 1e308, 1e308, 1e308],
                                                   {"linkage": "sum"},
                                                   gasp_graph.GaspNumericError),
    "opposite huge weights (sum -> NaN)": ([[0, 2], [0, 2], [1, 2], [1, 2], [0, 1]],
                                           [1e308, 1e308, -1e308, -1e308, 1.0],
                                           {"linkage": "sum", "lifted": [1, 1, 0, 0, 0]},
                                           gasp_graph.GaspNumericError),
    "NaN weight": (E3, [1.0, np.nan, 1.0], {}, GaspValueError),
    "+inf weight": (E3, [1.0, np.inf, 1.0], {}, GaspValueError),
    "-inf weight": (E3, [1.0, -np.inf, 1.0], {}, GaspValueError),
    "self-loop": ([[0, 0]], [1.0], {"self_loops": "error"}, GaspValueError),
    "negative id": ([[-1, 0]], [1.0], {}, GaspValueError),
    "id >= n_nodes": ([[0, 3]], [1.0], {"n_nodes": 3}, GaspValueError),
    "id 2**40, n_nodes unset": ([[0, 2**40]], [1.0], {}, GaspMemoryError),
    "id 2**62, n_nodes unset": ([[0, 2**62]], [1.0], {}, GaspMemoryError),
    "id int64 max, n_nodes unset": ([[0, I64.max]], [1.0], {}, GaspMemoryError),
    "ids int64 min": ([[I64.min, 0]], [1.0], {}, GaspValueError),
    "uint64 id > int64 max": (np.array([[0, 2**64 - 1]], dtype=np.uint64), [1.0], {},
                              GaspValueError),
    "n_nodes = 2**62": ([[0, 1]], [1.0], {"n_nodes": 2**62}, GaspMemoryError),
    "n_nodes negative": ([[0, 1]], [1.0], {"n_nodes": -1}, GaspValueError),
    "n_nodes float": ([[0, 1]], [1.0], {"n_nodes": 2.0}, GaspTypeError),
    "float ids": ([[0.0, 1.0]], [1.0], {}, GaspTypeError),
    "complex weights": ([[0, 1]], [1 + 1j], {}, GaspTypeError),
    "string weights": ([[0, 1]], ["1.0"], {}, GaspTypeError),
    "object array": (np.array([[0, None]], dtype=object), [1.0], {}, GaspTypeError),
    "ragged edges": ([[0, 1], [2]], [1.0, 1.0], {}, GaspTypeError),
    "edges shape (m, 3)": ([[0, 1, 2]], [1.0], {}, GaspValueError),
    "edges 1-D": ([0, 1], [1.0], {}, GaspValueError),
    "weights too short": (E3, [1.0], {}, GaspValueError),
    "weights 2-D": (E3, [[1.0, 1.0, 1.0]], {}, GaspValueError),
    "bool edges": ([[True, False]], [1.0], {}, GaspTypeError),
    "bool weights": ([[0, 1]], [True], {}, GaspTypeError),
    "edge size 0": ([[0, 1]], [1.0], {"edge_sizes": [0.0]}, GaspValueError),
    "edge size NaN": ([[0, 1]], [1.0], {"edge_sizes": [np.nan]}, GaspValueError),
    "lifted flag 2": ([[0, 1]], [1.0], {"lifted": [2]}, GaspValueError),
    "all edges lifted": (E3, [1.0, 1.0, 1.0], {"lifted": [True] * 3}, "ok"),
    "node size -1": ([[0, 1]], [1.0], {"node_sizes": [1.0, -1.0], "size_regularizer": 1.0},
                     GaspValueError),
    "n_clusters 0": ([[0, 1]], [1.0], {"n_clusters": 0}, GaspValueError),
    "n_clusters > n": ([[0, 1]], [1.0], {"n_clusters": 10}, "ok"),
    "unknown linkage": ([[0, 1]], [1.0], {"linkage": "ward"}, GaspValueError),
    "linkage not a string": ([[0, 1]], [1.0], {"linkage": 1}, GaspTypeError),
    "linkage_param NaN": ([[0, 1]], [1.0], {"linkage": "smooth_max", "linkage_param": np.nan},
                          GaspValueError),
    "generalized_mean p <= 0": ([[0, 1]], [1.0], {"linkage": "generalized_mean",
                                                  "linkage_param": 0.0}, GaspValueError),
    "size_regularizer inf": ([[0, 1]], [1.0], {"size_regularizer": np.inf}, GaspValueError),
    "cannot_link not bool": ([[0, 1]], [1.0], {"cannot_link": "yes"}, GaspTypeError),
    "callback not callable": ([[0, 1]], [1.0], {"callback": 1}, GaspTypeError),
    "callback_every 0": ([[0, 1]], [1.0], {"callback_every": 0}, GaspValueError),
}


@pytest.mark.parametrize("name", list(CASES))
def test_named_bad_input_classes(name):
    edges, weights, kwargs, expected = CASES[name]
    result = call(gasp, edges, weights, **kwargs)
    if expected == "ok":
        assert isinstance(result, np.ndarray), result
        n = kwargs.get("n_nodes", int(np.max(edges)) + 1 if len(edges) else 0)
        assert_partition(result, n)
    else:
        assert type(result) is expected, result


def test_duplicate_edges_in_bulk():
    rng = np.random.default_rng(0)
    edges = np.tile([[3, 7]], (200_000, 1))
    weights = rng.normal(0.0, 1.0, size=200_000)
    for linkage in LINKAGES:
        labels = gasp(edges, weights, n_nodes=10, linkage=linkage)
        assert_partition(labels, 10)
        # One pair, folded: nodes 3 and 7 merge iff the folded value is positive.
        assert (labels[3] == labels[7]) == (labels.max() == 8)
    both = np.concatenate([edges, edges[:, ::-1]])  # (u, v) and (v, u) are the same pair
    assert_partition(gasp(both, np.tile(weights, 2), n_nodes=10), 10)


def test_every_integer_and_float_dtype_gives_the_same_result():
    rng = np.random.default_rng(1)
    edges = rng.integers(0, 100, size=(400, 2))
    edges = edges[edges[:, 0] != edges[:, 1]]
    weights = rng.normal(0.0, 1.0, size=edges.shape[0]).astype(np.float16)  # exact in every float
    expected = gasp(edges, weights.astype(np.float64), n_nodes=100)
    for it in INT_DTYPES:
        for ft in FLOAT_DTYPES + [np.int8, np.int64, np.uint8]:
            if np.dtype(ft).kind == "f":
                w = weights.astype(ft)
            else:
                w = np.round(weights * 10).astype(ft)
            want = expected if np.dtype(ft).kind == "f" else gasp(edges, w.astype(np.float64),
                                                                  n_nodes=100)
            for byteorder in "<>":
                e = edges.astype(np.dtype(it).newbyteorder(byteorder))
                got = gasp(e, w.astype(np.dtype(ft).newbyteorder(byteorder)), n_nodes=100)
                assert np.array_equal(got, want), (it, ft, byteorder)


def test_memory_mapped_inputs(tmp_path):
    rng = np.random.default_rng(2)
    edges = rng.integers(0, 1000, size=(5000, 2))
    edges = edges[edges[:, 0] != edges[:, 1]]
    weights = rng.normal(0.1, 1.0, size=edges.shape[0])
    np.save(tmp_path / "e.npy", edges)
    np.save(tmp_path / "w.npy", weights)
    e = np.load(tmp_path / "e.npy", mmap_mode="r")
    w = np.load(tmp_path / "w.npy", mmap_mode="r")
    assert np.array_equal(gasp(e, w, n_nodes=1000), gasp(edges, weights, n_nodes=1000))
    assert np.array_equal(gasp(e[::2], w[::2], n_nodes=1000),
                          gasp(edges[::2], weights[::2], n_nodes=1000))


def test_inputs_are_not_modified():
    edges = np.array([[0, 1], [1, 2], [0, 2]], dtype=np.int64)
    weights = np.array([1.0, -1.0, 0.5])
    before = edges.copy(), weights.copy()
    gasp(edges, weights, cannot_link=True)
    agglomerate(edges, weights)
    assert np.array_equal(edges, before[0]) and np.array_equal(weights, before[1])


# ---------------------------------------------------------------------------------------------
# networkx and scipy front ends, estimator, weights, quality, affinities, metrics
# ---------------------------------------------------------------------------------------------


@st.composite
def networkx_graphs(draw):
    nx = pytest.importorskip("networkx")
    kind = draw(st.sampled_from(["Graph", "MultiGraph", "DiGraph"]))
    G = getattr(nx, kind)()
    nodes = draw(st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=2),
                                    st.tuples(st.integers(0, 2))), max_size=8, unique=True))
    G.add_nodes_from(nodes)
    if nodes:
        for _ in range(draw(st.integers(0, 15))):
            u, v = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            attrs = {}
            if draw(st.integers(0, 9)):  # sometimes the weight is missing
                attrs["weight"] = draw(st.one_of(st.sampled_from(SPECIAL_WEIGHTS),
                                                 st.sampled_from([True, "x", None, 1, 2**70])))
            G.add_edge(u, v, **attrs)
    return G


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # random graphs may be unsigned
@given(networkx_graphs(), st.sampled_from(LINKAGES), st.sampled_from([None, 0.0, -1.0, np.nan]))
def test_partition_networkx_adversarial(G, linkage, default_weight):
    nx = pytest.importorskip("networkx")
    result = call(gasp_graph.partition, G, linkage=linkage, default_weight=default_weight,
                  allowed=(GaspError, nx.NetworkXNotImplemented))
    if isinstance(result, list):
        seen = [x for c in result for x in c]
        assert len(seen) == len(set(seen)) == G.number_of_nodes()
        assert set(seen) == set(G.nodes)
    if G.is_directed():
        assert isinstance(result, nx.NetworkXNotImplemented)


SPARSE_FORMATS = ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"]


@st.composite
def sparse_inputs(draw):
    sp = pytest.importorskip("scipy.sparse")
    n = draw(st.integers(0, 8))
    cols = draw(st.integers(0, 8)) if draw(st.integers(0, 9)) == 0 else n  # sometimes not square
    k = draw(st.integers(0, 20)) if n and cols else 0
    rows = [draw(st.integers(0, n - 1)) for _ in range(k)]
    cs = [draw(st.integers(0, cols - 1)) for _ in range(k)]
    vals = [draw(st.sampled_from(SPECIAL_WEIGHTS)) for _ in range(k)]
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int32, np.int8, np.bool_,
                                  np.complex128]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        A = sp.coo_array((np.array(vals).astype(dtype), (rows, cs)), shape=(n, cols))
        if draw(st.booleans()):
            A = A + A.T if n == cols else A
        fmt = draw(st.sampled_from(SPARSE_FORMATS))
        A = A.asformat(fmt)
    return A


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # random graphs may be unsigned
@given(sparse_inputs(), st.sampled_from(LINKAGES))
def test_partition_sparse_adversarial(A, linkage):
    result = call(gasp_graph.partition, A, linkage=linkage)
    if isinstance(result, np.ndarray):
        assert_partition(result, A.shape[0])


@given(sparse_inputs())
def test_estimator_adversarial(A):
    dense = A.toarray()
    for X in (A, dense, dense.tolist()):
        est = call(gasp_graph.GASP(affinity="precomputed").fit, X)
        if not isinstance(est, GaspError):
            assert_partition(est.labels_, A.shape[0])


@given(st.lists(st.sampled_from([0.0, 1.0, 0.5, -0.1, 1.1, np.nan, np.inf, 5e-324]), max_size=6),
       st.sampled_from([0.5, 0.0, 1.0, np.nan, 0.3]), st.sampled_from(["linear", "logit", "x"]),
       st.sampled_from([np.float64, np.float32, np.float16, np.int8]))
def test_signed_weights_adversarial(p, beta, kind, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = np.array(p).astype(dtype)
    w = call(gasp_graph.signed_weights, arr, beta=beta, kind=kind)
    if isinstance(w, np.ndarray):
        assert w.shape == arr.shape and np.isfinite(w).all()


@given(array_problems(), st.data())
def test_quality_from_labels_adversarial(problem, data):
    edges, weights, _ = problem
    n = int(edges.max()) + 1 if edges.size and edges.max() >= 0 else 0
    labels = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n + 1))
    # Finite weights are kept small enough that their sums cannot overflow (a sum of huge
    # weights is inf, as numpy computes it); NaN and inf stay, to be rejected.
    weights = np.where(np.isfinite(weights), np.clip(weights, -1e6, 1e6), weights)
    for fn in (quality.disagreement_from_labels, quality.multicut_cost_from_labels):
        value = call(fn, labels, edges, weights)
        if not isinstance(value, GaspError):
            assert isinstance(value, float) and np.isfinite(value)


@given(st.lists(st.integers(0, 3), min_size=1, max_size=3),
       st.lists(st.lists(st.integers(-4, 4), min_size=1, max_size=3), min_size=0, max_size=4),
       st.sampled_from([0.5, 0.0, 1.0, np.nan]), st.sampled_from([None, 0.0, 0.5, 2.0]),
       st.sampled_from(["fill", "nan", "outside"]), st.booleans())
def test_grid_graph_and_segment_adversarial(shape, offsets, beta, fraction, values, local_merge):
    offsets = [o[: len(shape)] + [0] * (len(shape) - len(o)) for o in offsets]
    g = call(grid_graph, shape, offsets, long_range_fraction=fraction, seed=0)
    if not isinstance(g, GaspError):
        assert g.edges.shape[1] == 2 and g.n_nodes == int(np.prod(shape))
        assert_partition(gasp(g.edges, np.ones(g.edges.shape[0]), n_nodes=g.n_nodes), g.n_nodes)
    rng = np.random.default_rng(0)
    affs = rng.uniform(0, 1, size=(len(offsets), *shape))
    if values == "nan" and affs.size:
        affs.flat[0] = np.nan
    if values == "outside" and affs.size:
        affs.flat[0] = 1.5
    labels = call(segment, affs, offsets, beta=beta, long_range_fraction=fraction, seed=0,
                  local_merge=local_merge)
    if isinstance(labels, np.ndarray):
        assert labels.shape == tuple(shape)
        if labels.size:
            assert labels.min() >= 1


@given(st.lists(st.sampled_from([0, 1, 2, -1, 2**40, 2**63 - 1]), max_size=6),
       st.lists(st.sampled_from([0, 1, 2, -1, 2**40]), max_size=6),
       st.sampled_from([np.int64, np.uint8, np.float64, np.int32]),
       st.sampled_from([None, 0, -1, 1.5]))
def test_metrics_adversarial(seg, gt, dtype, ignore):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = np.array(seg).astype(dtype)
        g = np.array(gt).astype(dtype)
    for fn in (metrics.adapted_rand_error, metrics.variation_of_information,
               metrics.cremi_score):
        value = call(fn, s, g, ignore_gt=ignore)
        if not isinstance(value, GaspError):
            assert np.all(np.isfinite(np.asarray(value, dtype=float)))


# ---------------------------------------------------------------------------------------------
# The C entry point, driven directly
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=[32, 64], ids=["gasp32", "gasp64"])
def engine(request):
    mod = gasp_graph._gasp32 if request.param == 32 else gasp_graph._gasp64
    return mod.ffi, mod.lib


def c_run(ffi, lib, n, m, edges=None, weights=None, *, options=True, labels=True, stats=True,
          edge_sizes=None, node_sizes=None, **opts):
    """Call gasp_run with raw values; returns (code, stats)."""
    keep = []

    def ptr(ctype, values, dtype):
        if values is None:
            return ffi.NULL
        arr = np.ascontiguousarray(values, dtype=dtype)
        keep.append(arr)
        return ffi.cast(ctype, ffi.from_buffer(arr))

    o = ffi.NULL
    if options:
        o = ffi.new("gasp_options_t *")
        for key, value in opts.items():
            setattr(o, key, value)
    # Room for n labels (the engine only writes them after a successful run; a huge n fails
    # earlier, with GASP_ETOOBIG or GASP_ENOMEM).
    out = ptr("int64_t *", np.zeros(min(max(n, 1), 1 << 20)), np.int64) if labels else ffi.NULL
    s = ffi.new("gasp_stats_t *") if stats else ffi.NULL
    code = lib.gasp_run(n, m, ptr("int64_t *", edges, np.int64), ptr("double *", weights,
                        np.float64), ptr("double *", edge_sizes, np.float64), ffi.NULL,
                        ptr("double *", node_sizes, np.float64), o, out, ffi.NULL, ffi.NULL, s)
    return code, s


C_CASES = {
    # name: (kwargs of c_run, expected code, expected err_arg or None, err_index)
    "options NULL": (dict(n=2, m=1, edges=[[0, 1]], weights=[1.0], options=False), 2, 11, -1),
    "n negative": (dict(n=-1, m=0), 2, 1, -1),
    "m negative": (dict(n=2, m=-5), 2, 2, -1),
    "n int64 min": (dict(n=I64.min, m=0), 2, 1, -1),
    # 32-bit module: too big (GASP_ETOOBIG); 64-bit module: the O(n) arrays cannot be
    # allocated (GASP_ENOMEM, including sizes whose byte count would overflow size_t).
    "n int64 max": (dict(n=I64.max, m=0), {1, 6}, None, None),
    "n 2**62": (dict(n=2**62, m=0), {1, 6}, None, None),
    "n 2**40": (dict(n=2**40, m=0), {1, 6}, None, None),
    "m int64 max": (dict(n=2, m=I64.max, edges=[[0, 1]], weights=[1.0]), 6, None, None),
    "edges NULL": (dict(n=2, m=1, weights=[1.0]), 2, 3, -1),
    "weights NULL": (dict(n=2, m=1, edges=[[0, 1]]), 2, 4, -1),
    "labels NULL": (dict(n=2, m=1, edges=[[0, 1]], weights=[1.0], labels=False), 2, 12, -1),
    "id == n": (dict(n=2, m=2, edges=[[0, 1], [1, 2]], weights=[1.0, 1.0]), 2, 3, 1),
    "id negative": (dict(n=2, m=1, edges=[[-1, 1]], weights=[1.0]), 2, 3, 0),
    "id int64 max": (dict(n=2, m=1, edges=[[0, I64.max]], weights=[1.0]), 2, 3, 0),
    "id int64 min": (dict(n=2, m=1, edges=[[I64.min, 0]], weights=[1.0]), 2, 3, 0),
    "self-loop": (dict(n=2, m=1, edges=[[1, 1]], weights=[1.0]), 2, 3, 0),
    "NaN weight": (dict(n=3, m=2, edges=[[0, 1], [1, 2]], weights=[1.0, np.nan]), 2, 4, 1),
    "inf weight": (dict(n=2, m=1, edges=[[0, 1]], weights=[-np.inf]), 2, 4, 0),
    "edge size 0": (dict(n=2, m=1, edges=[[0, 1]], weights=[1.0], edge_sizes=[0.0]), 2, 5, 0),
    "edge size NaN": (dict(n=2, m=1, edges=[[0, 1]], weights=[1.0], edge_sizes=[np.nan]),
                      2, 5, 0),
    "node size negative": (dict(n=2, m=1, edges=[[0, 1]], weights=[1.0],
                                node_sizes=[1.0, -2.0]), 2, 6, 1),
    "linkage -1": (dict(n=2, m=0, linkage=-1), 2, 7, -1),
    "linkage 99": (dict(n=2, m=0, linkage=99), 2, 7, -1),
    "linkage_param NaN": (dict(n=2, m=0, linkage=6, linkage_param=np.nan), 2, 8, -1),
    "generalized_mean p 0": (dict(n=2, m=0, linkage=5, linkage_param=0.0), 2, 8, -1),
    "size_regularizer -1": (dict(n=2, m=0, size_regularizer=-1.0), 2, 9, -1),
    "size_regularizer inf": (dict(n=2, m=0, size_regularizer=np.inf), 2, 9, -1),
    "n_clusters -1": (dict(n=2, m=0, n_clusters=-1), 2, 10, -1),
    "min_clusters -1": (dict(n=2, m=0, min_clusters=-1), 2, 10, -1),
    "n_clusters and min_clusters": (dict(n=2, m=0, n_clusters=1, min_clusters=1), 2, 10, -1),
    "stats NULL, bad n": (dict(n=-1, m=0, stats=False), 2, None, None),
    "n 0, m 0, all NULL": (dict(n=0, m=0, labels=False), 0, None, None),
    "valid": (dict(n=3, m=2, edges=[[0, 1], [1, 2]], weights=[1.0, -1.0]), 0, None, None),
}


@pytest.mark.parametrize("name", list(C_CASES))
def test_c_entry_point_rejects_bad_arguments(engine, name):
    ffi, lib = engine
    kwargs, code, err_arg, err_index = C_CASES[name]
    got, s = c_run(ffi, lib, **kwargs)
    assert got in code if isinstance(code, set) else got == code
    if err_arg is not None:
        assert (s.err_arg, s.err_index) == (err_arg, err_index)


def test_c_entry_point_rejects_progress_every_below_one(engine):
    ffi, lib = engine

    @ffi.callback("int32_t(void *, int64_t, int64_t, double)")
    def never(ctx, n_merges, n_clusters, value):
        return 0

    for every in (0, -1, I64.min):
        got, s = c_run(ffi, lib, n=2, m=1, edges=[[0, 1]], weights=[1.0], progress=never,
                       progress_every=every)
        assert (got, s.err_arg) == (2, 13)
    got, s = c_run(ffi, lib, n=2, m=1, edges=[[0, 1]], weights=[1.0], progress=never,
                   progress_every=I64.max)
    assert got == 0 and s.n_merges == 1


def test_c_entry_point_cancelled_before_start(engine):
    ffi, lib = engine
    cancel = ffi.new("int32_t[1]", [1])
    rng = np.random.default_rng(3)
    edges = rng.integers(0, 50, size=(200, 2))
    edges = edges[edges[:, 0] != edges[:, 1]]
    for linkage in range(7):
        got, _ = c_run(ffi, lib, n=50, m=edges.shape[0], edges=edges,
                       weights=rng.normal(size=edges.shape[0]), linkage=linkage, linkage_param=1.0,
                       cancel=cancel)
        assert got == lib.GASP_EINTERRUPTED, linkage


@given(st.integers(-3, 6), st.integers(-3, 6),
       st.lists(st.tuples(st.integers(-2, 6), st.integers(-2, 6)), max_size=6),
       st.lists(st.sampled_from(SPECIAL_WEIGHTS), min_size=6, max_size=6),
       st.integers(-2, 8), st.sampled_from([0.0, -1.0, 1.0, np.nan]), st.integers(-1, 4),
       st.booleans(), st.booleans(), st.booleans())
def test_c_entry_point_fuzz(n, m, pairs, weights, linkage, param, n_clusters, cannot_link,
                            run_to_completion, with_sizes):
    # m may disagree with the arrays only in the safe direction (m <= len(pairs)), since the C
    # code trusts the lengths it is given.
    m = min(m, len(pairs))
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2) if pairs else None
    for bits in (32, 64):
        mod = gasp_graph._gasp32 if bits == 32 else gasp_graph._gasp64
        code, s = c_run(mod.ffi, mod.lib, n, m, edges, weights[: len(pairs)] if pairs else None,
                        edge_sizes=np.ones(len(pairs)) if with_sizes and pairs else None,
                        linkage=linkage, linkage_param=param, n_clusters=n_clusters,
                        cannot_link=int(cannot_link), run_to_completion=int(run_to_completion))
        assert code in (0, 2, 4)
        if code == 0:
            assert 0 <= s.n_clusters <= max(n, 0) and s.n_merges == max(n, 0) - s.n_clusters


@given(st.lists(st.integers(0, 4), min_size=1, max_size=3),
       st.lists(st.lists(st.integers(-3, 3), min_size=1, max_size=3), min_size=0, max_size=3),
       st.sampled_from(["small", "zeros", "huge", "uint64_top", "negative", "float", "bool"]),
       st.sampled_from(["fine", "nan", "outside"]),
       st.sampled_from(["sum", "average", "abs_max", "smooth_max"]),
       st.sampled_from(["merge", "watershed"]), st.integers(0, 5))
def test_image_pipeline_adversarial(shape, offsets, labels_kind, values, linkage, cleanup,
                                    min_size):
    """region_graph, pre_merge, boundary_map, boundary_affinities and segment on superpixels:
    a result of the documented form or a GaspError, on any shape, offsets and labels."""
    from gasp_graph.affinities import boundary_affinities, boundary_map, pre_merge, region_graph

    offsets = [o[: len(shape)] + [0] * (len(shape) - len(o)) for o in offsets]
    rng = np.random.default_rng(1)
    affs = rng.uniform(0, 1, size=(len(offsets), *shape))
    if values == "nan" and affs.size:
        affs.flat[0] = np.nan
    if values == "outside" and affs.size:
        affs.flat[-1] = -0.5
    sp = {
        "small": lambda: rng.integers(0, 4, size=shape),
        "zeros": lambda: np.zeros(shape, np.int64),
        "huge": lambda: rng.integers(0, 3, size=shape) * (2**62),
        "uint64_top": lambda: (rng.integers(0, 3, size=shape).astype(np.uint64)
                               * np.uint64(2**63 + 1)),
        "negative": lambda: rng.integers(-2, 2, size=shape),
        "float": lambda: rng.random(shape),
        "bool": lambda: rng.random(shape) > 0.5,
    }[labels_kind]()
    rg = call(region_graph, sp, affs, offsets)
    if not isinstance(rg, GaspError):
        assert rg.edges.shape == (rg.count.shape[0], 2) and (rg.count > 0).all()
        assert rg.node_sizes.sum() == int((np.asarray(sp) != 0).sum())
        assert rg.pixel_labels(np.zeros(rg.n_nodes, np.int64)).shape == tuple(shape)
    for fn in (pre_merge, boundary_map):
        out = call(fn, affs, offsets)
        if not isinstance(out, GaspError):
            assert out.shape == tuple(shape)
    out = call(boundary_affinities, affs[0] if affs.shape[0] else np.zeros(shape), offsets)
    if not isinstance(out, GaspError):
        assert out.shape == (len(offsets), *shape) and ((out >= 0) & (out <= 1)).all()
    for kw in (dict(superpixels=sp), dict(pre_merge=True), dict()):
        labels = call(segment, affs, offsets, linkage=linkage, min_size=min_size,
                      cleanup=cleanup, **kw)
        if isinstance(labels, np.ndarray):
            assert labels.shape == tuple(shape) and labels.dtype == np.int64
            if labels.size and "superpixels" not in kw:
                assert labels.min() >= 1


# ---------------------------------------------------------------------------------------------
# Generated classes: values that are not real numbers or lie beyond int64 / the double range
# (options and attributes of every entry point), merge trees built by hand, grid sizes, seeds,
# shapes, estimator parameter names and damaged files.  Each test draws the bad values and
# states what must happen, instead of listing reproducers.
# ---------------------------------------------------------------------------------------------

NOT_REAL = [None, "0.5", "abc", "", b"1", 1 + 2j, np.complex128(-1 + 5j), [1.0], (1.0,), {},
            Decimal("0.5"), object(), np.array([1.0, 2.0]), np.array(1.0)]
BOOLS = [True, False, np.True_, np.False_]
HUGE_INTS = [2**63, 2**64, -(2**63) - 1, 10**30, 10**400, -(10**400)]
ODD_REALS = [Fraction(1, 3), np.float32(0.5), np.int8(-3), np.uint64(2**64 - 1), np.float16(2.0),
             np.longdouble(0.25), 5e-324, -0.0, 1e308]
REALS = st.one_of(st.integers(-(2**62), 2**62), st.floats(), st.sampled_from(ODD_REALS))
ANY_VALUE = st.one_of(REALS, st.sampled_from(NOT_REAL + BOOLS + HUGE_INTS))


def kind_of(x):
    """'bool', 'not_real', 'huge' (an integer beyond the double range) or 'real'."""
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        x = x[()]
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if not isinstance(x, numbers.Real):
        return "not_real"
    try:
        float(x)
    except OverflowError:
        return "huge"
    return "real"


def expect_typed(result, x, names):
    """Either a result, or a GaspError naming the argument; bool and non-real values are
    GaspTypeError, integers beyond the double range GaspValueError (or GaspMemoryError)."""
    if not isinstance(result, GaspError):
        assert kind_of(x) == "real" or x is None or kind_of(x) == "huge", (x, result)
        return
    assert any(name in str(result) for name in names), (x, result)
    if x is not None and kind_of(x) in ("bool", "not_real"):
        assert isinstance(result, GaspTypeError), (x, result)


E3W = (np.array([[0, 1], [1, 2], [0, 2]]), np.array([0.5, -0.2, 0.3]))
POINTS = np.random.default_rng(5).normal(size=(12, 2))


def _matrix():
    sp = pytest.importorskip("scipy.sparse")
    (e, w) = E3W
    return sp.coo_array((w, (e[:, 0], e[:, 1])), shape=(3, 3))


def _nx_triangle():
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0), (2, 3, 0.5)])
    return G


def _option_calls():
    gas = lambda **kw: gasp(*E3W, **kw)  # noqa: E731
    agg = lambda **kw: agglomerate(*E3W, **kw)  # noqa: E731
    return {
        "gasp n_nodes": (lambda x: gas(n_nodes=x), ["n_nodes"]),
        "gasp size_regularizer": (lambda x: gas(size_regularizer=x), ["size_regularizer"]),
        "gasp n_clusters": (lambda x: gas(n_clusters=x), ["n_clusters"]),
        "gasp min_clusters": (lambda x: gas(min_clusters=x), ["min_clusters"]),
        "gasp linkage_param": (lambda x: gas(linkage="smooth_max", linkage_param=x),
                               ["linkage_param"]),
        "gasp callback_every": (lambda x: gas(callback=lambda *a: False, callback_every=x),
                                ["callback_every"]),
        "agglomerate size_regularizer": (lambda x: agg(size_regularizer=x), ["size_regularizer"]),
        "agglomerate n_clusters": (lambda x: agg(n_clusters=x), ["n_clusters"]),
        "partitions threshold": (lambda x: list(gasp_graph.partitions(_matrix(), [x])),
                                 ["threshold"]),
        "MergeTree.labels": (lambda x: agg().labels(x), ["threshold"]),
        "MergeTree.labels_at": (lambda x: agg().labels_at(x), ["n_merges"]),
        "MergeTree n_nodes": (lambda x: gasp_graph.MergeTree(x, [], []), ["n_nodes"]),
        "signed_weights beta": (lambda x: gasp_graph.signed_weights([0.5], beta=x), ["beta"]),
        "signed_weights eps": (lambda x: gasp_graph.signed_weights([0.5], kind="logit", eps=x),
                               ["eps"]),
        "grid_graph shape": (lambda x: grid_graph((x, 3), [[0, 1]]), ["shape"]),
        "grid_graph long_range_fraction": (lambda x: grid_graph((3, 3), [[0, 1], [1, 1]],
                                                                long_range_fraction=x),
                                           ["long_range_fraction"]),
        "grid_graph seed": (lambda x: grid_graph((3, 3), [[0, 1], [1, 1]],
                                                 long_range_fraction=0.5, seed=x), ["seed"]),
        "segment beta": (lambda x: segment(np.full((2, 3, 3), 0.7), [[0, 1], [1, 0]], beta=x),
                         ["beta"]),
        "segment seed": (lambda x: segment(np.full((2, 3, 3), 0.7), [[0, 1], [1, 0]], seed=x),
                         ["seed"]),
        "knn_graph n_neighbors": (lambda x: gasp_graph.knn_graph(POINTS, n_neighbors=x),
                                  ["n_neighbors"]),
        "knn_graph seed": (lambda x: gasp_graph.knn_graph(POINTS, n_neighbors=3, seed=x),
                           ["seed"]),
        "GASP size_regularizer": (lambda x: gasp_graph.GASP(size_regularizer=x, beta=0.5)
                                  .fit(POINTS), ["size_regularizer"]),
        "GASP n_clusters": (lambda x: gasp_graph.GASP(n_clusters=x, beta=0.5).fit(POINTS),
                            ["n_clusters"]),
        "gasp null-model resolution": (lambda x: gasp(E3W[0], np.abs(E3W[1]), linkage="sum",
                                                      null_model="modularity", resolution=x),
                                       ["resolution"]),
        "communities resolution": (lambda x: gasp_graph.communities(_nx_triangle(),
                                                                    resolution=x),
                                   ["resolution"]),
        "greedy_modularity_communities resolution": (
            lambda x: gasp_graph.greedy_modularity_communities(_nx_triangle(), resolution=x),
            ["resolution"]),
        "greedy_modularity_communities best_n": (
            lambda x: gasp_graph.greedy_modularity_communities(_nx_triangle(), best_n=x),
            ["best_n"]),
        "region_graph seed": (lambda x: gasp_graph.affinities.region_graph(
            np.ones((3, 3), np.int64), np.full((2, 3, 3), 0.7), [[0, 1], [2, 2]],
            long_range_fraction=0.5, seed=x), ["seed"]),
    }


OPTION_CALLS = _option_calls()


@settings(max_examples=4 * settings().max_examples)  # ~30 entry points x many kinds of value
@given(st.sampled_from(sorted(OPTION_CALLS)), ANY_VALUE)
def test_every_numeric_option_takes_any_value_or_names_it(entry, x):
    fn, names = OPTION_CALLS[entry]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GaspWarning (unreachable n_clusters) and the like
        result = call(fn, x)
    expect_typed(result, x, names)


ATTRIBUTES = {
    # attribute: (partition keyword, expected error for a real value, or None when valid)
    "weight": ("weight", lambda x: None if np.isfinite(float(x)) else GaspValueError),
    "size": ("edge_size", lambda x: None if np.isfinite(float(x)) and float(x) > 0
             else GaspValueError),
    "lift": ("lifted", lambda x: None if x in (0, 1) else GaspValueError),
    "mass": ("node_size", lambda x: None if np.isfinite(float(x)) and float(x) > 0
             else GaspValueError),
}


@given(st.sampled_from(sorted(ATTRIBUTES)), ANY_VALUE, st.booleans())
def test_networkx_attributes_are_real_numbers_or_a_typed_error(attr, x, multigraph):
    nx = pytest.importorskip("networkx")
    G = (nx.MultiGraph if multigraph else nx.Graph)()
    for u, v in [("a", "b"), ("b", "c"), ("c", "d")]:
        G.add_edge(u, v, weight=0.5, size=1.0, lift=False)
    for node in G:
        G.nodes[node]["mass"] = 1.0
    if attr == "mass":
        G.nodes["b"]["mass"] = x
    else:
        next(iter(G.edges(data=True)))[2][attr] = x
    keyword, real_rule = ATTRIBUTES[attr]
    kwargs = {"weight": "weight"} if keyword == "weight" else {keyword: attr}
    if keyword == "node_size":
        kwargs["size_regularizer"] = 1.0
    result = call(gasp_graph.partition, G, **kwargs)
    kind = kind_of(x)
    if attr == "lift" and kind == "bool":
        assert isinstance(result, list)  # True/False are the lifted flags' own values
        return
    expected = {"bool": GaspTypeError, "not_real": GaspTypeError, "huge": GaspValueError}.get(
        kind) or real_rule(x)
    if expected is None and isinstance(result, gasp_graph.GaspNumericError):
        # sizes that span the double range: the size factor S**-1 leaves it (documented)
        assert attr == "mass" and not 1e-300 < abs(float(x)) < 1e300, (x, result)
    elif expected is None:
        assert isinstance(result, list), (x, result)
    else:
        assert type(result) is expected, (x, result)
        assert attr in str(result), result  # names the attribute (and the edge or node)


@given(st.sampled_from(["weight", "size", "lift"]), ANY_VALUE,
       st.sampled_from(["pandas", "igraph"]))
def test_table_attributes_are_real_numbers_or_a_typed_error(attr, x, kind):
    # The same rule for DataFrame columns and igraph edge attributes as for networkx.
    rows = {"source": [0, 1, 2], "target": [1, 2, 3], "weight": [0.5, 0.5, -0.5],
            "size": [1.0, 1.0, 1.0], "lift": [False, False, False]}
    rows[attr] = [x] + rows[attr][1:]
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        graph = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in rows.items()})
    else:
        ig = pytest.importorskip("igraph")
        graph = ig.Graph(list(zip(rows["source"], rows["target"])))
        for name in ("weight", "size", "lift"):
            graph.es[name] = rows[name]
    keyword, real_rule = ATTRIBUTES[attr]
    kwargs = {"weight": "weight"} if keyword == "weight" else {keyword: attr}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GaspWarning on graphs without repulsion
        result = call(gasp_graph.partition, graph, **kwargs)
    kind_x = kind_of(x)
    if x is None or (attr == "lift" and kind_x == "bool"):
        return  # a missing value (default or error) and the lifted flags' own values
    expected = {"bool": GaspTypeError, "not_real": GaspTypeError, "huge": GaspValueError}.get(
        kind_x) or real_rule(x)
    if expected is None:
        assert isinstance(result, list), (x, result)
    else:
        assert type(result) is expected, (x, result)
        assert attr in str(result), result


GRAPHML_TYPES = ["int", "long", "float", "double", "boolean", "string"]
GRAPHML_VALUES = st.one_of(st.sampled_from(["0.5", "-1", "1e400", "-1e400", "nan", "inf",
                                            "true", "false", "abc", "", "1" + "0" * 400,
                                            "0x10", "1_000", " 2 "]),
                           st.floats(allow_nan=False).map(repr), st.integers().map(str))


@given(st.sampled_from(GRAPHML_TYPES), GRAPHML_VALUES)
def test_cli_graphml_attributes_exit_0_or_2(tmp_path_factory, attr_type, value):
    pytest.importorskip("networkx")
    from xml.sax.saxutils import escape

    from gasp_graph.cli import main

    path = tmp_path_factory.mktemp("graphml") / "g.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        f'<key id="w" for="edge" attr.name="weight" attr.type="{attr_type}"/>\n'
        '<graph edgedefault="undirected"><node id="a"/><node id="b"/><node id="c"/>\n'
        f'<edge source="a" target="b"><data key="w">{escape(value)}</data></edge>\n'
        f'<edge source="b" target="c"><data key="w">{escape(value)}</data></edge>\n'
        "</graph></graphml>\n"
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(path)])
    assert code in (0, 2), (code, err.getvalue())
    if code == 2:
        assert err.getvalue().startswith("gasp-graph: error: ") and str(path) in err.getvalue()
    if attr_type in ("boolean", "string"):
        assert code == 2  # a flag or a text is not a weight


@st.composite
def hand_made_trees(draw):
    n = draw(st.one_of(st.integers(-2, 8), st.sampled_from([2**63, 2**70, "3", 3.0, True])))
    k = draw(st.integers(0, 8))
    hi = (n if isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 20 else 8) + k
    ids = st.one_of(st.integers(-2, hi + 1), st.sampled_from([2**63 - 1, -(2**63)]))
    merges = [[draw(ids), draw(ids)] for _ in range(k)]
    if draw(st.integers(0, 4)) == 0:
        merges = np.array(merges, dtype=float) + draw(st.sampled_from([0.0, 0.5]))
    heights = draw(st.lists(st.one_of(st.floats(), st.sampled_from(["x", None])),
                            min_size=max(k - 1, 0), max_size=k + 1))
    return n, merges, heights


@given(hand_made_trees(), st.lists(st.floats(allow_nan=False), max_size=3))
def test_merge_tree_constructor_accepts_valid_trees_only(tree_args, thresholds):
    n, merges, heights = tree_args
    tree = call(gasp_graph.MergeTree, n, merges, heights)
    if isinstance(tree, GaspError):
        return
    assert isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0
    m = tree.merges
    assert m.dtype == np.int64 and np.isfinite(tree.heights).all()
    seen = set()
    for j, (a, b) in enumerate(m.tolist()):
        assert 0 <= a < b < n + j and a not in seen and b not in seen
        seen |= {a, b}
    for t in thresholds:
        assert_partition(tree.labels(t), n)
    assert_partition(tree.labels_at(len(tree)), n)


@given(st.lists(st.sampled_from([0, 1, 3, 2**31, 2**32, 2**62, 2**63, -1, 1.5, "3", True]),
                min_size=1, max_size=3),
       st.lists(st.integers(1, 6), min_size=0, max_size=4))
def test_grid_sizes_and_gather_shapes_are_typed(shape, gather_shape):
    ndim = len(shape)
    g = call(grid_graph, tuple(shape), [[1] + [0] * (ndim - 1)])
    if isinstance(g, GaspError):
        assert any(isinstance(s, (bool, str, float)) or not 0 <= s for s in shape) or (
            isinstance(g, (GaspMemoryError, GaspValueError)))
        return
    assert g.n_nodes == int(np.prod(shape))
    values = np.ones(gather_shape)
    got = call(g.gather, values)
    if not isinstance(got, GaspError):
        assert got.shape == (g.edges.shape[0],)
    else:
        assert isinstance(got, GaspValueError) and "affinities" in str(got)


@given(st.text(alphabet="abcdefgiklmnprstuz_", min_size=1, max_size=20), ANY_VALUE)
def test_estimator_parameter_names(key, value):
    model = gasp_graph.GASP()
    result = call(model.set_params, **{key: value})
    if isinstance(result, GaspError):
        assert isinstance(result, GaspValueError) and repr(key) in str(result)
    else:
        assert key in model.get_params() and model.get_params()[key] is value


@given(st.sampled_from([b"\x1f\x8b\x08\x00", b"BZh9", b"", b"no"]), st.binary(max_size=64),
       st.sampled_from([".graphml.gz", ".gml.gz", ".graphml.bz2", ".edgelist.gz", ".gml"]))
def test_cli_damaged_files_exit_2_naming_the_file(tmp_path_factory, magic, body, suffix):
    pytest.importorskip("networkx")
    from gasp_graph.cli import main

    path = tmp_path_factory.mktemp("damaged") / ("g" + suffix)
    path.write_bytes(magic + body)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(path)])
    assert code in (0, 2), err.getvalue()
    if code == 2:
        assert str(path) in err.getvalue() and "Traceback" not in err.getvalue()
