"""Dense symmetric matrices -> the engine's arrays (every off-diagonal pair is an edge)."""
from __future__ import annotations

import numpy as np

from ..exceptions import GaspTypeError, GaspValueError
from .sparse import square_shape

__all__ = ["from_dense"]


def from_dense(A):
    """Engine arrays from a dense symmetric matrix: every off-diagonal pair is an edge."""
    A = np.asarray(A)
    if A.dtype == object or A.dtype.kind not in "iuf":
        raise GaspTypeError(f"A must hold real numbers, got dtype {A.dtype}")
    n = square_shape("A", A)
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

