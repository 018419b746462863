"""scipy sparse matrices -> the engine's arrays.

Any sparse format in; the stored off-diagonal entries become edges in (row, col) order of the
upper triangle (:func:`from_sparse`).  scipy is never imported here unless the caller already
passed one of its matrices.
"""
from __future__ import annotations

import sys

import numpy as np

from .._validation import self_loop_error, self_loops_mode
from ..exceptions import GaspTypeError, GaspValueError

__all__ = ["is_sparse", "from_sparse", "pair_entries", "square_shape", "real_dtype"]

# Largest n for which the pair key ``row * n + col`` fits in int64.
_MAX_KEY_N = 3_037_000_499


def is_sparse(A) -> bool:
    sp = sys.modules.get("scipy.sparse")  # likewise for scipy sparse matrices and arrays
    return sp is not None and sp.issparse(A)



def square_shape(name, A) -> int:
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


def pair_entries(name, A, n, *, reduce=np.add, check=None):
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


def real_dtype(name, A, *, allow_bool=False) -> None:
    kind = A.dtype.kind
    if kind in "iuf" or (allow_bool and kind == "b"):
        return
    raise GaspTypeError(f"{name} must hold real numbers, got dtype {A.dtype}")


def check_diagonal(A, self_loops) -> None:
    """With ``self_loops="error"``, a stored nonzero diagonal entry (a self-loop) raises."""
    if self_loops_mode(self_loops) == "error":
        d = np.asarray(A.diagonal())
        nz = np.flatnonzero(d != 0)
        if nz.shape[0]:
            i = int(nz[0])
            raise self_loop_error(f"A[{i}, {i}] = {d[i].item()!r}")


def from_sparse(A, *, lifted, edge_size, self_loops="ignore"):
    """Engine arrays from a scipy sparse matrix or array of signed weights (no loop over edges).

    Edges are the stored off-diagonal entries, in (row, col) order of the upper triangle.  The
    diagonal is ignored, or a nonzero diagonal entry raises with ``self_loops="error"``.
    """
    n = square_shape("A", A)
    real_dtype("A", A)
    check_diagonal(A, self_loops)
    key, weights = pair_entries("A", A, n, check=_finite_check)
    weights = np.asarray(weights, dtype=np.float64)
    row = key // n
    edges = np.empty((key.shape[0], 2), dtype=np.int64)
    edges[:, 0] = row
    edges[:, 1] = key - row * n
    lifted_arr = sizes = None
    if lifted is not None:
        if not is_sparse(lifted):
            raise GaspTypeError(
                "lifted must be a scipy sparse matrix (stored nonzero entries mark lifted edges) "
                f"when A is sparse, got {type(lifted).__name__}"
            )
        if lifted.shape != A.shape:
            raise GaspValueError(f"lifted must have A's shape {A.shape}, got shape {lifted.shape}")
        real_dtype("lifted", lifted, allow_bool=True)
        lkey, flags = pair_entries("lifted", lifted, n, reduce=np.maximum, check=_flag_check)
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
        if not is_sparse(edge_size):
            raise GaspTypeError(
                "edge_size must be a scipy sparse matrix with an entry for each of A's edges "
                f"when A is sparse, got {type(edge_size).__name__}"
            )
        if edge_size.shape != A.shape:
            raise GaspValueError(
                f"edge_size must have A's shape {A.shape}, got shape {edge_size.shape}"
            )
        real_dtype("edge_size", edge_size)
        skey, sizes = pair_entries("edge_size", edge_size, n, check=_size_check)
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

