"""Dense symmetric matrices -> the engine's arrays (every off-diagonal pair is an edge)."""
from __future__ import annotations

import numpy as np

from ..exceptions import GaspTypeError, GaspValueError
from .sparse import check_diagonal, square_shape

__all__ = ["from_dense"]


# A dense matrix is symmetric when |A[i, j] - A[j, i]| <= SYMMETRY_ATOL * max|A| +
# SYMMETRY_RTOL * max(|A[i, j]|, |A[j, i]|); such a matrix is averaged with its transpose.
SYMMETRY_RTOL = 1e-10
SYMMETRY_ATOL = 1e-12


def from_dense(A, self_loops="ignore"):
    """Engine arrays from a dense symmetric matrix: every off-diagonal pair is an edge.

    The diagonal is ignored, or a nonzero diagonal entry raises with ``self_loops="error"``.

    Differences between ``A[i, j]`` and ``A[j, i]`` within rounding (see ``SYMMETRY_RTOL``) are
    averaged; larger ones are an error telling how to symmetrise.
    """
    A = np.asarray(A)
    if A.dtype == object or A.dtype.kind not in "iuf":
        raise GaspTypeError(f"A must hold real numbers, got dtype {A.dtype}")
    n = square_shape("A", A)
    check_diagonal(A, self_loops)
    r, c = np.triu_indices(n, 1)
    w = A[r, c]
    bad = ~np.isfinite(w)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GaspValueError(f"A[{r[k]}, {c[k]}] = {w[k].item()!r}: weights must be finite")
    w = np.asarray(w, dtype=np.float64)
    wt = np.asarray(A[c, r], dtype=np.float64)
    bad = ~np.isfinite(wt)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GaspValueError(f"A[{c[k]}, {r[k]}] = {wt[k].item()!r}: weights must be finite")
    if not np.array_equal(w, wt):
        # rounding (e.g. 1 - pairwise_distances(X) / c) is forgiven and averaged out
        top = float(np.max(np.abs(w), initial=0.0)) if w.size else 0.0
        top = max(top, float(np.max(np.abs(wt), initial=0.0)))
        allowed = SYMMETRY_ATOL * top + SYMMETRY_RTOL * np.maximum(np.abs(w), np.abs(wt))
        differ = np.abs(w - wt) > allowed
        if differ.any():
            k = int(np.flatnonzero(differ)[0])
            raise GaspValueError(
                f"A[{r[k]}, {c[k]}] = {w[k].item()!r} but A[{c[k]}, {r[k]}] = {wt[k].item()!r}: "
                "a dense matrix must be symmetric (up to rounding: a relative difference of "
                f"{SYMMETRY_RTOL:g}, or {SYMMETRY_ATOL:g} of the largest magnitude); symmetrise "
                "it first, e.g. with (A + A.T) / 2, np.maximum(A, A.T) or np.minimum(A, A.T)"
            )
        w = 0.5 * (w + wt)
    edges = np.empty((r.shape[0], 2), dtype=np.int64)
    edges[:, 0] = r
    edges[:, 1] = c
    return n, edges, w

