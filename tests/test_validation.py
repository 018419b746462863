"""Input validation of the array API: every bad input raises the documented exception with a
message naming the argument (and the offending value), and every accepted input kind gives the
right result."""

import numpy as np
import pytest
from reference import gasp_reference

import gasp_graph
from gasp_graph import (
    GaspError,
    GaspInternalError,
    GaspMemoryError,
    GaspNumericError,
    GaspTypeError,
    GaspValueError,
    GaspWarning,
    _core,
    gasp,
)

E = np.array([[0, 1], [1, 2], [2, 3], [0, 3]])
W = np.array([1.0, -0.5, 0.3, -0.2])
EXPECTED = gasp_reference(4, E, W)  # [0, 0, 1, 1]


def _call(**overrides):
    kw = dict(edges=E, weights=W)
    kw.update(overrides)
    return gasp(kw.pop("edges"), kw.pop("weights"), **kw)


# (id, keyword arguments of gasp, exception, regex the message must match)
BAD_INPUTS = [
    # shapes
    ("edges (m,3)", dict(edges=np.zeros((4, 3), int)), GaspValueError,
     r"edges must have shape \(m, 2\), got shape \(4, 3\)"),
    ("edges 1-D", dict(edges=np.array([0, 1, 2, 3])), GaspValueError,
     r"edges must have shape \(m, 2\), got shape \(4,\)"),
    ("edges 3-D", dict(edges=np.zeros((4, 2, 1), int)), GaspValueError, r"edges .*\(4, 2, 1\)"),
    ("edges scalar", dict(edges=5), GaspValueError, r"edges .*shape \(\)"),
    ("edges ragged", dict(edges=[[0, 1], [1]], weights=[1.0, 2.0]), GaspTypeError,
     r"edges could not be read as an array"),
    ("weights too short", dict(weights=W[:3]), GaspValueError,
     r"weights must have shape \(4,\).*got shape \(3,\)"),
    ("weights too long", dict(weights=np.ones(5)), GaspValueError,
     r"weights must have shape \(4,\).*got shape \(5,\)"),
    ("weights 2-D", dict(weights=W[:, None]), GaspValueError, r"weights .*got shape \(4, 1\)"),
    ("edge_sizes length", dict(edge_sizes=[1.0, 2.0]), GaspValueError,
     r"edge_sizes must have shape \(4,\).*got shape \(2,\)"),
    ("lifted length", dict(lifted=[True, False]), GaspValueError,
     r"lifted must have shape \(4,\).*got shape \(2,\)"),
    ("node_sizes too short", dict(node_sizes=[1.0, 1.0, 1.0]), GaspValueError,
     r"node_sizes must have shape \(4,\).*got shape \(3,\)"),
    ("node_sizes too long", dict(node_sizes=np.ones(6), n_nodes=5), GaspValueError,
     r"node_sizes must have shape \(5,\).*got shape \(6,\)"),
    # dtypes
    ("float edges", dict(edges=E.astype(float)), GaspTypeError, r"edges .*integer.*float64"),
    ("bool edges", dict(edges=E.astype(bool)), GaspTypeError, r"edges .*integer.*bool"),
    ("string edges", dict(edges=E.astype(str)), GaspTypeError, r"edges .*integer.*<U"),
    ("object edges", dict(edges=E.astype(object)), GaspTypeError, r"edges .*Python objects"),
    ("None edges", dict(edges=None), GaspTypeError, r"edges"),
    ("complex weights", dict(weights=W.astype(complex)), GaspTypeError,
     r"weights must hold real numbers, got dtype complex128"),
    ("object weights", dict(weights=W.astype(object)), GaspTypeError,
     r"weights .*Python objects"),
    ("string weights", dict(weights=["a", "b", "c", "d"]), GaspTypeError, r"weights .*<U1"),
    ("bool weights", dict(weights=np.ones(4, bool)), GaspTypeError, r"weights .*bool"),
    ("None weights", dict(weights=None), GaspTypeError, r"weights"),
    ("complex edge_sizes", dict(edge_sizes=np.ones(4, complex)), GaspTypeError,
     r"edge_sizes .*complex128"),
    ("string node_sizes", dict(node_sizes=np.array(["a"] * 4)), GaspTypeError,
     r"node_sizes .*<U1"),
    ("float lifted", dict(lifted=[0.0, 1.0, 0.5, 0.0]), GaspTypeError, r"lifted .*float64"),
    ("object lifted", dict(lifted=np.array([None, 1, 0, 0], dtype=object)), GaspTypeError,
     r"lifted .*Python objects"),
    # non-finite values
    ("NaN weight", dict(weights=[1.0, np.nan, 0.3, 0.1]), GaspValueError,
     r"weights\[1\] = .*nan.*finite"),
    ("+inf weight", dict(weights=[1.0, 0.2, np.inf, 0.1]), GaspValueError,
     r"weights\[2\] = .*inf.*finite"),
    ("-inf weight", dict(weights=[-np.inf, 0.2, 0.3, 0.1]), GaspValueError,
     r"weights\[0\] = .*-inf.*finite"),
    ("NaN edge size", dict(edge_sizes=[1.0, 1.0, 1.0, np.nan]), GaspValueError,
     r"edge_sizes\[3\] = .*nan"),
    ("inf edge size", dict(edge_sizes=[1.0, np.inf, 1.0, 1.0]), GaspValueError,
     r"edge_sizes\[1\] = .*inf"),
    ("NaN node size", dict(node_sizes=[1.0, np.nan, 1.0, 1.0]), GaspValueError,
     r"node_sizes\[1\] = .*nan"),
    # sizes <= 0
    ("negative edge size", dict(edge_sizes=[1.0, -1.0, 1.0, 1.0]), GaspValueError,
     r"edge_sizes\[1\] = .*-1\.0.*> 0"),
    ("zero edge size", dict(edge_sizes=[1.0, 1.0, 0.0, 1.0]), GaspValueError,
     r"edge_sizes\[2\] = .*0\.0.*> 0"),
    ("negative node size", dict(node_sizes=[1.0, 1.0, 1.0, -2.0]), GaspValueError,
     r"node_sizes\[3\] = .*-2\.0.*> 0"),
    ("zero node size", dict(node_sizes=[0.0, 1.0, 1.0, 1.0]), GaspValueError,
     r"node_sizes\[0\] = .*0\.0.*> 0"),
    # node ids
    ("self-loop", dict(edges=[[0, 1], [2, 2]], weights=[1.0, 1.0], self_loops="error"),
     GaspValueError, r"edges\[1\] = \(2, 2\) is a self-loop and self_loops='error'"),
    ("self_loops value", dict(self_loops="drop"), GaspValueError,
     r"self_loops must be 'ignore' or 'error', got 'drop'"),
    ("negative id", dict(edges=[[0, 1], [-1, 2]], weights=[1.0, 1.0]), GaspValueError,
     r"edges\[1\] = \(-1, 2\).*\[0, n_nodes=3\)"),
    ("id >= n_nodes", dict(edges=[[0, 1], [1, 4]], weights=[1.0, 1.0], n_nodes=4),
     GaspValueError, r"edges\[1\] = \(1, 4\).*\[0, n_nodes=4\)"),
    ("id way above n_nodes", dict(n_nodes=2), GaspValueError, r"edges\[1\] = \(1, 2\).*n_nodes=2"),
    ("uint64 id beyond int64", dict(edges=np.array([[0, 2**63]], np.uint64), weights=[1.0]),
     GaspValueError, r"edges\[0\] = \(0, 9223372036854775808\).*int64"),
    # n_nodes
    ("n_nodes negative", dict(n_nodes=-1), GaspValueError, r"n_nodes must be >= 0, got -1"),
    ("n_nodes float", dict(n_nodes=4.0), GaspTypeError, r"n_nodes must be an integer, got 4\.0"),
    ("n_nodes bool", dict(n_nodes=True), GaspTypeError, r"n_nodes must be an integer, got True"),
    ("n_nodes string", dict(n_nodes="4"), GaspTypeError, r"n_nodes must be an integer, got '4'"),
    # linkage and its parameter
    ("unknown linkage", dict(linkage="median"), GaspValueError,
     r"linkage='median' is not a known linkage.*average"),
    ("linkage not a string", dict(linkage=3), GaspTypeError, r"linkage must be a string, got 3"),
    ("linkage None", dict(linkage=None), GaspTypeError, r"linkage must be a string, got None"),
    ("linkage_param for max", dict(linkage="max", linkage_param=2.0), GaspValueError,
     r"linkage_param=2\.0 .*linkage='max' takes no parameter"),
    ("linkage_param for average", dict(linkage="mean", linkage_param=1.0), GaspValueError,
     r"linkage_param=1\.0 .*linkage='mean' takes no parameter"),
    ("generalized_mean p = 0", dict(linkage="generalized_mean", linkage_param=0.0),
     GaspValueError, r"linkage_param must be > 0 for generalized_mean, got 0\.0"),
    ("generalized_mean p < 0", dict(linkage="generalized_mean", linkage_param=-1),
     GaspValueError, r"linkage_param must be > 0 .*got -1\.0"),
    ("generalized_mean p NaN", dict(linkage="generalized_mean", linkage_param=np.nan),
     GaspValueError, r"linkage_param must be finite, got nan"),
    ("smooth_max p inf", dict(linkage="smooth_max", linkage_param=np.inf), GaspValueError,
     r"linkage_param must be finite, got inf"),
    ("linkage_param string", dict(linkage="smooth_max", linkage_param="1"), GaspTypeError,
     r"linkage_param must be a real number, got '1'"),
    # size_regularizer
    ("size_regularizer negative", dict(size_regularizer=-0.1), GaspValueError,
     r"size_regularizer must be finite and >= 0, got -0\.1"),
    ("size_regularizer NaN", dict(size_regularizer=np.nan), GaspValueError,
     r"size_regularizer .*got nan"),
    ("size_regularizer inf", dict(size_regularizer=np.inf), GaspValueError,
     r"size_regularizer .*got inf"),
    ("size_regularizer string", dict(size_regularizer="0.5"), GaspTypeError,
     r"size_regularizer must be a real number, got '0\.5'"),
    # n_clusters
    ("n_clusters 0", dict(n_clusters=0), GaspValueError, r"n_clusters must be >= 1, got 0"),
    ("n_clusters negative", dict(n_clusters=-3), GaspValueError, r"n_clusters .*got -3"),
    ("n_clusters float", dict(n_clusters=2.0), GaspTypeError,
     r"n_clusters must be an integer, got 2\.0"),
    ("n_clusters bool", dict(n_clusters=True), GaspTypeError, r"n_clusters .*got True"),
    # Python integers beyond int64 / the double range: were bare OverflowError from cffi/float()
    ("n_clusters 2**63", dict(n_clusters=2**63), GaspValueError,
     r"n_clusters must be <= 2\*\*63 - 1, the largest int64, got 9223372036854775808"),
    ("min_clusters 2**64", dict(min_clusters=2**64), GaspValueError, r"min_clusters must be <="),
    ("n_nodes 10**30", dict(n_nodes=10**30), GaspValueError, r"n_nodes must be <="),
    ("size_regularizer 10**400", dict(size_regularizer=10**400), GaspValueError,
     r"size_regularizer=100000000000\.\.\. \(an integer of 401 digits\) is too large"),
    ("linkage_param 10**400", dict(linkage="smooth_max", linkage_param=10**400), GaspValueError,
     r"linkage_param=.* is too large for a double"),
    ("linkage_param -10**400", dict(linkage="smooth_max", linkage_param=-(10**400)),
     GaspValueError, r"linkage_param=-1000.* is too large for a double"),
    # flags
    ("merge_constrained_at_end without cannot_link", dict(merge_constrained_at_end=True),
     GaspValueError, r"merge_constrained_at_end=True .*cannot_link=True"),
    ("cannot_link not a bool", dict(cannot_link="yes"), GaspTypeError,
     r"cannot_link must be True or False, got 'yes'"),
    ("merge_constrained_at_end not a bool", dict(cannot_link=True, merge_constrained_at_end=None),
     GaspTypeError, r"merge_constrained_at_end must be True or False, got None"),
    ("lifted = 2", dict(lifted=[0, 2, 1, 0]), GaspValueError, r"lifted\[1\] = .*2.*0/1"),
    ("lifted = -1", dict(lifted=np.array([0, 0, 0, -1], np.int8)), GaspValueError,
     r"lifted\[3\] = .*-1"),
]


@pytest.mark.parametrize("overrides,exc,pattern", [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises(overrides, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        _call(**overrides)
    # Documented hierarchy: the library's base class and the builtin a user would catch.
    assert isinstance(info.value, GaspError)
    builtin = ValueError if exc is GaspValueError else TypeError
    assert isinstance(info.value, builtin)


def test_exception_hierarchy():
    for exc, builtin in [(GaspValueError, ValueError), (GaspTypeError, TypeError),
                         (GaspMemoryError, MemoryError), (GaspNumericError, FloatingPointError),
                         (GaspInternalError, RuntimeError)]:
        assert issubclass(exc, GaspError) and issubclass(exc, builtin)
        assert getattr(gasp_graph, exc.__name__) is exc
    with pytest.raises(ValueError):
        _call(n_nodes=-1)
    with pytest.raises(TypeError):
        _call(n_nodes=1.5)


def test_engine_error_codes_map_to_exceptions():
    # C failures become Python exceptions, never crashes.
    _core.raise_for(0)
    for code, exc in [(1, GaspMemoryError), (2, GaspValueError), (4, GaspNumericError),
                      (5, GaspInternalError), (6, GaspValueError), (99, GaspInternalError)]:
        with pytest.raises(exc):
            _core.raise_for(code)
    with pytest.raises(KeyboardInterrupt):
        _core.raise_for(3)


def test_linkage_overflow_raises_numeric_error():
    # Sizes of 1e300 make w * s overflow in the average: +inf and -inf meet and give NaN.
    with pytest.raises(GaspNumericError, match="overflowed to inf or NaN"):
        gasp([[0, 1], [0, 1], [0, 1]], [1e308, 1e308, -1e308], linkage="average",
             edge_sizes=[1e300] * 3)


# --------------------------------------------------------------------------------------------
# Accepted inputs
# --------------------------------------------------------------------------------------------

INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              ">i8", ">i4", ">u2", "<i8", "intp", "uintp"]


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_every_integer_dtype_for_edges(dtype):
    assert np.array_equal(gasp(E.astype(dtype), W), EXPECTED)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", ">f8", ">f4", "int8",
                                   "int64", ">i4"])
def test_weight_dtypes(dtype):
    w = np.array([2.0, -1.0, 1.0, -1.0])  # exactly representable in every dtype listed
    expected = gasp_reference(4, E, w)
    assert np.array_equal(gasp(E, w.astype(dtype)), expected)
    assert np.array_equal(gasp(E, w.astype(dtype), linkage="sum", cannot_link=True),
                          gasp_reference(4, E, w, linkage="sum", cannot_link=True))


def test_size_dtypes():
    for dtype in ["float16", "float32", ">f8", "int32", "uint8"]:
        es = np.array([1, 2, 3, 1]).astype(dtype)
        ns = np.array([1, 2, 1, 3]).astype(dtype)
        got = gasp(E, W, edge_sizes=es, node_sizes=ns, size_regularizer=0.5)
        assert np.array_equal(got, gasp_reference(4, E, W, edge_sizes=es.astype(float),
                                                  node_sizes=ns.astype(float),
                                                  size_regularizer=0.5))


def test_lists_and_tuples():
    assert np.array_equal(gasp(E.tolist(), W.tolist()), EXPECTED)
    assert np.array_equal(gasp(tuple(map(tuple, E.tolist())), tuple(W.tolist())), EXPECTED)
    assert np.array_equal(gasp([(0, 1), (1, 2), (2, 3), (0, 3)], [1, -1, 1, -1]),
                          gasp_reference(4, E, [1, -1, 1, -1]))
    lifted = [False, False, True, False]
    assert np.array_equal(gasp(E.tolist(), W.tolist(), lifted=lifted, edge_sizes=(1, 2, 3, 4),
                               node_sizes=[1, 1, 2, 2], size_regularizer=1),
                          gasp_reference(4, E, W, lifted=lifted, edge_sizes=[1, 2, 3, 4],
                                         node_sizes=[1, 1, 2, 2], size_regularizer=1))


def test_lifted_as_integers_and_bools():
    expected = gasp_reference(4, E, W, lifted=[0, 0, 1, 0])
    for lifted in ([0, 0, 1, 0], np.array([0, 0, 1, 0], np.uint8), np.array([0, 0, 1, 0], ">i8"),
                   np.array([False, False, True, False])):
        assert np.array_equal(gasp(E, W, lifted=lifted), expected)
    assert not np.array_equal(expected, EXPECTED)  # lifting edge 2 changes the result


def test_scalar_options_as_numpy_scalars():
    got = gasp(E, W, n_nodes=np.int32(6), n_clusters=np.int64(5), cannot_link=np.bool_(True),
               size_regularizer=np.float32(0.5), linkage="generalized_mean",
               linkage_param=np.float64(2))
    assert np.array_equal(got, gasp_reference(6, E, W, n_clusters=5, cannot_link=True,
                                              size_regularizer=0.5, linkage="generalized_mean",
                                              linkage_param=2))


@pytest.mark.parametrize("alias,canonical", [
    ("mean", "average"), ("avg", "average"), ("AVERAGE", "average"), ("single_linkage", "max"),
    ("complete_linkage", "min"), ("mutex_watershed", "abs_max"), ("Mutex-Watershed", "abs_max"),
    (" sum ", "sum"), ("generalized mean", "generalized_mean"),
])
def test_linkage_aliases(alias, canonical):
    rng = np.random.default_rng(3)
    e = np.array([[i, j] for i in range(8) for j in range(i + 1, 8)])
    w = rng.uniform(-1, 1, len(e))
    assert np.array_equal(gasp(e, w, linkage=alias), gasp_reference(8, e, w, linkage=canonical,
                          linkage_param=1.0 if canonical == "generalized_mean" else None))


def test_non_contiguous_arrays():
    big = np.zeros((8, 3), dtype=np.int64)
    big[::2, :2] = E
    edges = big[::2, :2]  # strided rows and columns
    assert not edges.flags.c_contiguous
    weights = np.repeat(W, 3)[::3]
    assert not weights.flags.c_contiguous
    assert np.array_equal(gasp(edges, weights), EXPECTED)
    assert np.array_equal(gasp(np.asfortranarray(E), W), EXPECTED)
    assert np.array_equal(gasp(E[::-1], W[::-1]), gasp_reference(4, E[::-1], W[::-1]))
    sizes = np.repeat([1.0, 2.0, 3.0, 4.0], 2)[::2]
    assert np.array_equal(gasp(edges, weights, edge_sizes=sizes, node_sizes=sizes,
                               size_regularizer=0.5),
                          gasp_reference(4, E, W, edge_sizes=sizes, node_sizes=sizes,
                                         size_regularizer=0.5))


def test_read_only_arrays_and_inputs_untouched():
    edges, weights = E.copy(), W.copy()
    sizes, lifted = np.array([1.0, 2.0, 1.0, 2.0]), np.array([False, False, False, True])
    for a in (edges, weights, sizes, lifted):
        a.setflags(write=False)
    got = gasp(edges, weights, edge_sizes=sizes, node_sizes=sizes, lifted=lifted,
               size_regularizer=0.5, cannot_link=True)
    assert np.array_equal(got, gasp_reference(4, E, W, edge_sizes=sizes, node_sizes=sizes,
                                              lifted=lifted, size_regularizer=0.5,
                                              cannot_link=True))
    assert np.array_equal(edges, E) and np.array_equal(weights, W)
    # Writable inputs of the engine's exact dtypes (passed without a copy) stay untouched too.
    e2, w2, s2 = E.copy(), W.copy(), sizes.copy()
    gasp(e2, w2, edge_sizes=s2, node_sizes=s2, size_regularizer=0.5, linkage="sum")
    assert np.array_equal(e2, E) and np.array_equal(w2, W) and np.array_equal(s2, sizes)


def test_empty_graph():
    for edges in ([], np.zeros((0, 2), np.int64), np.zeros((0, 2)), np.zeros(0, np.int32)):
        labels = gasp(edges, [])
        assert labels.dtype == np.int64 and labels.shape == (0,)
        assert gasp(edges, [], n_nodes=5).tolist() == [0, 1, 2, 3, 4]
        assert gasp(edges, np.zeros(0), n_nodes=3, linkage="abs_max", cannot_link=True,
                    min_clusters=1).tolist() == [0, 1, 2]
        with pytest.warns(GaspWarning, match="n_clusters=1 cannot be reached: 3 clusters"):
            assert gasp(edges, np.zeros(0), n_nodes=3, n_clusters=1).tolist() == [0, 1, 2]
    assert gasp([], [], n_nodes=0).shape == (0,)
    assert gasp([], [], n_nodes=2, node_sizes=[1.0, 2.0], size_regularizer=1.0).tolist() == [0, 1]


def test_one_node():
    assert gasp([], [], n_nodes=1).tolist() == [0]
    assert gasp([], [], n_nodes=1, n_clusters=1, linkage="max").tolist() == [0]


def test_isolated_nodes_and_n_nodes_larger_than_ids():
    labels = gasp([[0, 1], [3, 4]], [1.0, 1.0], n_nodes=7)
    assert labels.tolist() == [0, 0, 1, 2, 2, 3, 4]
    assert labels.dtype == np.int64
