"""The networkx and scipy front end: ``partition(G)`` on a graph or a sparse adjacency matrix.

One private converter per input kind turns the caller's object into the engine's arrays
(:func:`_from_networkx`, :func:`_from_sparse`, :func:`_from_dense`); :func:`partition` then runs
the array API :func:`gasp_graph.gasp` and converts the labels back.

networkx and scipy are optional dependencies: they are only imported when the caller already
passed one of their objects.
"""
from __future__ import annotations

import itertools
import math
import numbers
import sys

import numpy as np

from .arrays import gasp
from .exceptions import GaspTypeError, GaspValueError

__all__ = ["partition"]

# Largest n for which the pair key ``row * n + col`` fits in int64.
_MAX_KEY_N = 3_037_000_499


# --------------------------------------------------------------------------------------------
# Input kinds
# --------------------------------------------------------------------------------------------


def _is_networkx_graph(G) -> bool:
    nx = sys.modules.get("networkx")  # a graph object implies networkx is already imported
    return nx is not None and isinstance(G, nx.Graph)


def _is_sparse(A) -> bool:
    sp = sys.modules.get("scipy.sparse")  # likewise for scipy sparse matrices and arrays
    return sp is not None and sp.issparse(A)


def _check_undirected(G) -> None:
    """Raise networkx.NetworkXNotImplemented for a directed graph, with a hint."""
    if G.is_directed():
        import networkx as nx

        raise nx.NetworkXNotImplemented(
            "not implemented for directed type: GASP partitions undirected signed graphs; "
            "convert with G.to_undirected() (which keeps the attributes of only one of two "
            "opposite edges u->v, v->u: combine their weights first if they differ)"
        )


# --------------------------------------------------------------------------------------------
# networkx
# --------------------------------------------------------------------------------------------


def _edge_at(G, k):
    """(u, v, data) of the k-th edge in G's edge iteration order (only used to build errors)."""
    return next(itertools.islice(G.edges(data=True), k, None))


def _edge_column(G, index, attr, default, m, *, with_ends=False):
    """One pass over ``G.edges(data=attr)`` into float64 values (and int64 end ids if asked).

    Values that are not real numbers raise GaspTypeError naming the edge.
    """
    try:
        if with_ends:
            rows = np.fromiter(
                (
                    (index[u], index[v], x)
                    for u, v, x in G.edges(data=attr, default=default)
                ),
                dtype=[("u", np.int64), ("v", np.int64), ("x", np.float64)],
                count=m,
            )
            return rows["u"], rows["v"], rows["x"]
        return np.fromiter(
            (x for _, _, x in G.edges(data=attr, default=default)), dtype=np.float64, count=m
        )
    except (TypeError, ValueError):
        pass
    # Slow path, only to name the offending edge.
    for u, v, x in G.edges(data=attr, default=default):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise GaspTypeError(
                f"edge ({u!r}, {v!r}) has {attr}={x!r} ({type(x).__name__}); "
                "it must be a real number"
            ) from None
    raise AssertionError("unreachable: np.fromiter failed but every value is a real number")


def _read_weights(G, index, weight, default_weight, m, keep):
    """Signed weights of G's edges: one attribute, or a pair (attractive, repulsive)."""
    if isinstance(weight, str):
        names = (weight,)
    elif (
        isinstance(weight, tuple)
        and len(weight) == 2
        and all(isinstance(a, str) for a in weight)
    ):
        names = weight
    else:
        raise GaspTypeError(
            f"weight must be an edge attribute name or a pair (attractive, repulsive) of names, "
            f"got {weight!r}"
        )
    if default_weight is None:
        default = math.nan
    elif isinstance(default_weight, (bool, np.bool_)) or not isinstance(
        default_weight, numbers.Real
    ) or not math.isfinite(default_weight):
        raise GaspValueError(f"default_weight must be a finite real number, got {default_weight!r}")
    else:
        default = float(default_weight)
    u, v, w = _edge_column(G, index, names[0], default, m, with_ends=True)
    columns = [w]
    if len(names) == 2:
        columns.append(_edge_column(G, index, names[1], default, m))
    for name, col in zip(names, columns):
        bad = ~np.isfinite(col)
        if keep is not None:
            bad &= keep(u, v)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            a, b, d = _edge_at(G, k)
            if name not in d:
                raise GaspValueError(
                    f"edge ({a!r}, {b!r}) has no {name!r} attribute; give every edge one, "
                    "or pass default_weight= (a silent default of 1 would merge everything)"
                )
            raise GaspValueError(
                f"edge ({a!r}, {b!r}) has {name}={d[name]!r}; weights must be finite"
            )
    w = columns[0] - columns[1] if len(names) == 2 else columns[0]
    return u, v, w


def _not_loop(u, v):
    return u != v


def _from_networkx(G, *, weight, default_weight, lifted, edge_size, node_size):
    """Engine arrays from a networkx (Multi)Graph, in G's node and edge iteration orders."""
    _check_undirected(G)
    for name, value in (("lifted", lifted), ("edge_size", edge_size), ("node_size", node_size)):
        if value is not None and not isinstance(value, str):
            raise GaspTypeError(
                f"{name} must be an attribute name (str) for a networkx graph, "
                f"got {type(value).__name__}"
            )
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    m = G.number_of_edges()
    u, v, w = _read_weights(G, index, weight, default_weight, m, _not_loop)
    keep = u != v
    lifted_arr = sizes = None
    if lifted is not None:
        flags = _edge_column(G, index, lifted, 0.0, m)
        bad = ~((flags == 0) | (flags == 1)) & keep
        if bad.any():
            a, b, d = _edge_at(G, int(np.flatnonzero(bad)[0]))
            raise GaspValueError(
                f"edge ({a!r}, {b!r}) has {lifted}={d[lifted]!r}; lifted flags must be "
                "True/False (or 1/0)"
            )
        lifted_arr = flags == 1
    if edge_size is not None:
        sizes = _edge_column(G, index, edge_size, 1.0, m)
        bad = ~(np.isfinite(sizes) & (sizes > 0)) & keep
        if bad.any():
            a, b, d = _edge_at(G, int(np.flatnonzero(bad)[0]))
            raise GaspValueError(
                f"edge ({a!r}, {b!r}) has {edge_size}={d[edge_size]!r}; edge sizes must be "
                "finite and > 0"
            )
    node_sizes = None
    if node_size is not None:
        try:
            node_sizes = np.fromiter(
                (x for _, x in G.nodes(data=node_size, default=1.0)),
                dtype=np.float64,
                count=len(nodes),
            )
        except (TypeError, ValueError):
            node_sizes = None
        bad_node = None
        if node_sizes is None:
            bad_node = next(
                (a, x) for a, x in G.nodes(data=node_size, default=1.0)
                if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real)
            )
        else:
            bad = ~(np.isfinite(node_sizes) & (node_sizes > 0))
            if bad.any():
                a = nodes[int(np.flatnonzero(bad)[0])]
                bad_node = (a, G.nodes[a][node_size])
        if bad_node is not None:
            raise GaspValueError(
                f"node {bad_node[0]!r} has {node_size}={bad_node[1]!r}; node sizes must be "
                "finite real numbers > 0"
            )
    if not keep.all():  # self-loops are ignored
        u, v, w = u[keep], v[keep], w[keep]
        lifted_arr = None if lifted_arr is None else lifted_arr[keep]
        sizes = None if sizes is None else sizes[keep]
    edges = np.empty((u.shape[0], 2), dtype=np.int64)
    edges[:, 0] = u
    edges[:, 1] = v
    return nodes, edges, w, lifted_arr, sizes, node_sizes


def _communities(nodes, labels):
    """Labels (numbered by first occurrence) -> list of sets, by decreasing size, ties by label."""
    if labels.shape[0] == 0:
        return []
    counts = np.bincount(labels)
    groups = [set() for _ in range(counts.shape[0])]
    for node, label in zip(nodes, labels.tolist()):
        groups[label].add(node)
    return [groups[i] for i in np.argsort(-counts, kind="stable").tolist()]


# --------------------------------------------------------------------------------------------
# scipy sparse
# --------------------------------------------------------------------------------------------


def _square_shape(name, A) -> int:
    shape = A.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise GaspValueError(f"{name} must be a square 2-D matrix, got shape {shape}")
    if shape[0] > _MAX_KEY_N:
        raise GaspValueError(
            f"{name} has {shape[0]} rows; matrices with more than {_MAX_KEY_N} rows are not "
            "supported (pass an edge list to gasp_graph.gasp instead)"
        )
    return int(shape[0])


def _asymmetric(name, n, key, upper_value, lower_value):
    r, c = divmod(int(key), n)
    raise GaspValueError(
        f"{name}[{r}, {c}] = {upper_value.item()!r} but {name}[{c}, {r}] = "
        f"{lower_value.item()!r}: "
        "a matrix that stores both triangles must be symmetric (or store one triangle only)"
    )


def _pair_entries(name, A, n, *, reduce=np.add, check=None):
    """The stored off-diagonal entries of a square sparse matrix as sorted upper-triangle pairs.

    Returns ``(keys, values)`` where ``keys = row * n + col`` (row < col) are unique and increasing
    and ``values`` are the stored values.  Duplicate entries of one position (possible in COO) are
    combined with ``reduce`` (``np.add``: scipy's own meaning).  An entry stored in one triangle
    only is taken as it is; a pair stored in both triangles must hold equal values.  ``check``
    (values -> bad mask, message) validates the raw stored values and names the position.
    """
    C = A.tocoo()
    row = np.asarray(C.row, dtype=np.int64)
    col = np.asarray(C.col, dtype=np.int64)
    data = np.asarray(C.data)
    off = row != col  # the diagonal is ignored
    if not off.all():
        row, col, data = row[off], col[off], data[off]
    if check is not None:
        bad, what = check(data)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise GaspValueError(f"{name}[{row[k]}, {col[k]}] = {data[k].item()!r}: {what}")
    key = row * n + col
    if key.shape[0] > 1 and not (key[1:] > key[:-1]).all():
        order = np.argsort(key, kind="stable")
        key = key[order]
        data = data[order]
        first = np.empty(key.shape[0], dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        if not first.all():
            start = np.flatnonzero(first)
            data = reduce.reduceat(data, start)
            key = key[start]
        row = key // n
        col = key - row * n
    upper = row < col
    if upper.all():
        return key, data
    up_key, up_val = key[upper], data[upper]
    lower = ~upper
    lo_key = col[lower] * n + row[lower]
    lo_val = data[lower]
    order = np.argsort(lo_key)  # keys are unique: any sort is deterministic
    lo_key, lo_val = lo_key[order], lo_val[order]
    if up_key.shape[0] == 0:
        return lo_key, lo_val
    if up_key.shape == lo_key.shape and np.array_equal(up_key, lo_key):  # symmetric pattern
        differ = up_val != lo_val
        if differ.any():
            k = int(np.flatnonzero(differ)[0])
            _asymmetric(name, n, up_key[k], up_val[k], lo_val[k])
        return up_key, up_val
    pos = np.minimum(np.searchsorted(up_key, lo_key), up_key.shape[0] - 1)
    both = up_key[pos] == lo_key
    differ = np.zeros_like(both)
    differ[both] = up_val[pos[both]] != lo_val[both]
    if differ.any():
        k = int(np.flatnonzero(differ)[0])
        _asymmetric(name, n, lo_key[k], up_val[pos[k]], lo_val[k])
    only_lower = ~both
    if not only_lower.any():
        return up_key, up_val
    key = np.concatenate((up_key, lo_key[only_lower]))
    data = np.concatenate((up_val, lo_val[only_lower]))
    order = np.argsort(key, kind="stable")
    return key[order], data[order]


def _finite_check(data):
    return ~np.isfinite(data), "weights must be finite"


def _flag_check(data):
    return ~((data == 0) | (data == 1)), "lifted flags must be True/False (or 1/0)"


def _size_check(data):
    return ~(np.isfinite(data) & (data > 0)), "edge sizes must be finite and > 0"


def _real_dtype(name, A, *, allow_bool=False) -> None:
    kind = A.dtype.kind
    if kind in "iuf" or (allow_bool and kind == "b"):
        return
    raise GaspTypeError(f"{name} must hold real numbers, got dtype {A.dtype}")


def _from_sparse(A, *, lifted, edge_size):
    """Engine arrays from a scipy sparse matrix or array of signed weights (no loop over edges).

    Edges are the stored off-diagonal entries, in (row, col) order of the upper triangle.
    """
    n = _square_shape("A", A)
    _real_dtype("A", A)
    key, weights = _pair_entries("A", A, n, check=_finite_check)
    weights = np.asarray(weights, dtype=np.float64)
    row = key // n
    edges = np.empty((key.shape[0], 2), dtype=np.int64)
    edges[:, 0] = row
    edges[:, 1] = key - row * n
    lifted_arr = sizes = None
    if lifted is not None:
        if not _is_sparse(lifted):
            raise GaspTypeError(
                "lifted must be a scipy sparse matrix (stored nonzero entries mark lifted edges) "
                f"when A is sparse, got {type(lifted).__name__}"
            )
        if lifted.shape != A.shape:
            raise GaspValueError(f"lifted must have A's shape {A.shape}, got shape {lifted.shape}")
        _real_dtype("lifted", lifted, allow_bool=True)
        lkey, flags = _pair_entries("lifted", lifted, n, reduce=np.maximum, check=_flag_check)
        lkey = lkey[flags != 0]
        pos = np.minimum(np.searchsorted(key, lkey), max(key.shape[0] - 1, 0))
        found = key[pos] == lkey if key.shape[0] else np.zeros(lkey.shape[0], dtype=bool)
        if not found.all():
            r, c = divmod(int(lkey[np.flatnonzero(~found)[0]]), n)
            raise GaspValueError(
                f"lifted[{r}, {c}] is set but A stores no entry at ({r}, {c}) or ({c}, {r}): "
                "lifted marks which of A's edges are lifted; add the edge (with its weight) to A"
            )
        lifted_arr = np.zeros(key.shape[0], dtype=bool)
        lifted_arr[pos] = True
    if edge_size is not None:
        if not _is_sparse(edge_size):
            raise GaspTypeError(
                "edge_size must be a scipy sparse matrix with an entry for each of A's edges "
                f"when A is sparse, got {type(edge_size).__name__}"
            )
        if edge_size.shape != A.shape:
            raise GaspValueError(
                f"edge_size must have A's shape {A.shape}, got shape {edge_size.shape}"
            )
        _real_dtype("edge_size", edge_size)
        skey, sizes = _pair_entries("edge_size", edge_size, n, check=_size_check)
        if skey.shape != key.shape or not np.array_equal(skey, key):
            missing = np.setdiff1d(key, skey, assume_unique=True)
            if missing.shape[0]:
                r, c = divmod(int(missing[0]), n)
                raise GaspValueError(
                    f"edge_size stores no entry at ({r}, {c}) although A does: edge_size must "
                    "store a size for every edge of A"
                )
            r, c = divmod(int(np.setdiff1d(skey, key, assume_unique=True)[0]), n)
            raise GaspValueError(
                f"edge_size[{r}, {c}] is stored but A stores no entry at ({r}, {c}) or ({c}, {r})"
            )
        sizes = np.asarray(sizes, dtype=np.float64)
    return n, edges, weights, lifted_arr, sizes


def _from_dense(A):
    """Engine arrays from a dense symmetric matrix: every off-diagonal pair is an edge."""
    A = np.asarray(A)
    if A.dtype == object or A.dtype.kind not in "iuf":
        raise GaspTypeError(f"A must hold real numbers, got dtype {A.dtype}")
    n = _square_shape("A", A)
    r, c = np.triu_indices(n, 1)
    w = A[r, c]
    bad = ~np.isfinite(w)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GaspValueError(f"A[{r[k]}, {c[k]}] = {w[k].item()!r}: weights must be finite")
    differ = w != A[c, r]
    if differ.any():
        k = int(np.flatnonzero(differ)[0])
        raise GaspValueError(
            f"A[{r[k]}, {c[k]}] = {w[k].item()!r} but A[{c[k]}, {r[k]}] = "
            f"{A[c[k], r[k]].item()!r}: "
            "a dense matrix must be symmetric"
        )
    edges = np.empty((r.shape[0], 2), dtype=np.int64)
    edges[:, 0] = r
    edges[:, 1] = c
    return n, edges, np.asarray(w, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def partition(
    G,
    *,
    weight="weight",
    linkage="average",
    cannot_link=False,
    lifted=None,
    edge_size=None,
    default_weight=None,
    merge_constrained_at_end=False,
    node_size=None,
    size_regularizer=0.0,
    n_clusters=None,
    linkage_param=None,
    progress=False,
    callback=None,
    callback_every=1000,
):
    """Partition a signed graph (networkx graph or scipy sparse matrix) with GASP.

    Positive edge weights attract (their ends should share a cluster), negative weights repel.
    GASP starts from singletons and repeatedly merges the two clusters joined by the highest
    linkage value while that value is positive (see :func:`gasp_graph.gasp`).

    Parameters
    ----------
    G : networkx.Graph or networkx.MultiGraph, or scipy sparse matrix/array
        The graph.  For networkx graphs the weights are edge attributes.  For a scipy sparse
        matrix or array (any format) of shape ``(n, n)``, each stored off-diagonal entry is an
        edge with the stored value as weight: explicitly stored zeros are edges of weight 0,
        and the diagonal is ignored.  The matrix may be symmetric or store only its upper or
        only its lower triangle; if it stores both ``A[i, j]`` and ``A[j, i]`` they must be
        equal.  Directed networkx graphs are not accepted.
    weight : str or (str, str), default "weight"
        networkx only: the edge attribute holding the signed weight, or a pair of attribute
        names ``(attractive, repulsive)`` meaning ``w = w[attractive] - w[repulsive]``.
    linkage : str, default "average"
        How the weights of all edges between two clusters combine: ``"sum"``, ``"average"``,
        ``"max"``, ``"min"``, ``"abs_max"`` (mutex watershed), ``"generalized_mean"``,
        ``"smooth_max"`` (aliases as in :func:`gasp_graph.gasp`).
    cannot_link : bool, default False
        Treat a repulsive cluster pair as a constraint that forbids merging it later.
    lifted : str or sparse matrix, optional
        Lifted (long-range) edges: they attract or repel but never merge two clusters by
        themselves.  networkx: the name of a boolean edge attribute (missing means not lifted).
        sparse: a matrix of ``A``'s shape whose stored nonzero (True) entries mark which of
        ``A``'s edges are lifted (one triangle or symmetric, like ``A``); marking a pair that
        ``A`` does not store is an error.
    edge_size : str or sparse matrix, optional
        Positive edge sizes (the weights of edges inside the linkage).  networkx: an edge
        attribute name (missing means 1).  sparse: a matrix storing an entry for exactly the
        pairs ``A`` stores.
    default_weight : float, optional
        networkx only: the weight of an edge without the ``weight`` attribute (with a pair of
        names: the value of each missing one).  Without it a missing weight is an error.
    merge_constrained_at_end : bool, default False
        With ``cannot_link=True``, drop the constraints after the constrained pass and continue.
    node_size : str or array_like, optional
        Positive node sizes for ``size_regularizer``.  networkx: a node attribute name
        (missing means 1).  sparse: an array of length ``n``.
    size_regularizer : float, default 0.0
        ``r >= 0`` favours merging small clusters first (see :func:`gasp_graph.gasp`).
    n_clusters : int, optional
        Stop as soon as at most this many clusters remain.
    linkage_param : float, optional
        ``p`` of ``"generalized_mean"`` and ``"smooth_max"``.
    progress : bool, default False
        Show progress on stderr (tqdm when installed) once the run has lasted about a second.
    callback : callable, optional
        ``callback(n_merges, n_clusters, value)``, called every ``callback_every`` merges; a
        True return value stops the run with the partition reached so far (see
        :func:`gasp_graph.gasp` and the user guide page on run control).
    callback_every : int, default 1000
        Merges between two calls of ``callback``.

    Returns
    -------
    communities : list of sets, or ndarray of int64
        For a networkx graph: a list of sets of ``G``'s node objects forming a partition of
        its nodes (isolated nodes are singletons), ordered by decreasing size, ties broken by
        the position in ``G``'s node order of each cluster's first node.  For a sparse matrix:
        labels of shape ``(n,)`` numbered ``0 .. k-1`` by first occurrence.

    Raises
    ------
    networkx.NetworkXNotImplemented
        ``G`` is directed.
    GaspValueError
        A weight is missing (and no ``default_weight``), NaN or infinite; a sparse matrix is
        not square or its two triangles disagree; a lifted flag or a size is invalid; an
        engine option is invalid.  The message names the edge or position.
    GaspTypeError
        ``G`` is neither a networkx graph nor a scipy sparse matrix; an attribute value or
        a dtype is not numeric; an option has the wrong type for the input kind.
    KeyboardInterrupt
        Ctrl-C during the run (the engine stops promptly and frees its memory).

    See Also
    --------
    gasp_graph.gasp : the same algorithm on edge arrays.
    gasp_graph.GASP : a scikit-learn style estimator.
    gasp_graph.signed_weights : turn probabilities into signed weights.

    Notes
    -----
    Self-loops are ignored.  Parallel edges of a ``MultiGraph`` are passed to the engine as
    duplicate edges, which it folds with the linkage rule in edge order.

    The order of the edges given to the engine is deterministic, so the result is too (ties
    are broken by edge order): for networkx, ``G.edges()`` iteration order; for sparse input,
    ``(row, col)`` order of the upper triangle, where an entry stored in the lower triangle at
    ``(j, i)`` counts as ``(i, j)``.  Duplicate entries of a COO matrix are summed, as scipy
    does.  A BSR matrix stores whole blocks: zeros inside stored blocks are edges of weight 0
    (call ``A.eliminate_zeros()`` first if they are not); DIA matrices drop zeros on conversion.

    Examples
    --------
    Two triangles that attract inside and repel each other:

    >>> import networkx as nx
    >>> from gasp_graph import partition
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("a", "b", 0.9), ("b", "c", 0.8), ("a", "c", 0.7),
    ...                            ("x", "y", 0.9), ("y", "z", 0.6), ("x", "z", 0.8),
    ...                            ("c", "x", -0.5)])
    >>> [sorted(c) for c in partition(G)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]

    Separate attraction and repulsion attributes:

    >>> H = nx.Graph()
    >>> H.add_edge(1, 2, attract=0.9, repel=0.1)
    >>> H.add_edge(2, 3, attract=0.2, repel=0.7)
    >>> partition(H, weight=("attract", "repel"))
    [{1, 2}, {3}]

    The same graph as a scipy sparse matrix storing the upper triangle only:

    >>> import scipy.sparse as sp
    >>> A = sp.coo_array(([0.8, -0.5], ([0, 1], [1, 2])), shape=(3, 3))
    >>> partition(A)
    array([0, 0, 1])

    Stop after the first merge (the callback sees every merge with ``callback_every=1``):

    >>> stopped = partition(G, callback=lambda n_merges, n_clusters, value: n_merges == 1,
    ...                     callback_every=1)
    >>> [sorted(c) for c in stopped]
    [['a', 'b'], ['c'], ['x'], ['y'], ['z']]
    """
    options = dict(
        linkage=linkage,
        cannot_link=cannot_link,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
        progress=progress,
        callback=callback,
        callback_every=callback_every,
    )
    if _is_networkx_graph(G):
        nodes, edges, weights, lifted_arr, sizes, node_sizes = _from_networkx(
            G,
            weight=weight,
            default_weight=default_weight,
            lifted=lifted,
            edge_size=edge_size,
            node_size=node_size,
        )
        labels = gasp(
            edges,
            weights,
            n_nodes=len(nodes),
            lifted=lifted_arr,
            edge_sizes=sizes,
            node_sizes=node_sizes,
            **options,
        )
        return _communities(nodes, labels)
    if _is_sparse(G):
        if weight != "weight":
            raise GaspTypeError(
                f"weight={weight!r} names an edge attribute; a sparse matrix's stored values "
                "are the weights (leave weight at its default)"
            )
        if default_weight is not None:
            raise GaspTypeError(
                "default_weight has no meaning for a sparse matrix: every stored entry has a value"
            )
        if isinstance(node_size, str):
            raise GaspTypeError(
                f"node_size={node_size!r}: for a sparse matrix pass an array of node sizes"
            )
        n, edges, weights, lifted_arr, sizes = _from_sparse(G, lifted=lifted, edge_size=edge_size)
        return gasp(
            edges,
            weights,
            n_nodes=n,
            lifted=lifted_arr,
            edge_sizes=sizes,
            node_sizes=node_size,
            **options,
        )
    hint = ""
    if isinstance(G, (np.ndarray, list, tuple)):
        hint = (
            "; for edge arrays use gasp_graph.gasp(edges, weights), for a dense adjacency "
            "matrix scipy.sparse.csr_array(A) or gasp_graph.GASP().fit(A)"
        )
    raise GaspTypeError(
        "G must be a networkx Graph/MultiGraph or a scipy sparse matrix, "
        f"got {type(G).__module__}.{type(G).__name__}{hint}"
    )
