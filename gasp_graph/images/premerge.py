"""Pre-merge: contract the pixels far from any predicted boundary before GASP.

The construction of the GASP paper's full-volume experiments (supplementary Sec. 8.5), made
exact here:

1. the boundary map ``B`` (:func:`~gasp_graph.affinities.boundary_map`: the mean of ``1 -
   affinity`` over the pixel edges touching each pixel);
2. the *safe* pixels ``B < threshold`` inside the mask (a conservative threshold: a pixel is safe
   only when nearly all of its short- and long-range edges are confident attractions);
3. the distance ``D`` of every safe pixel to the nearest unsafe (or masked-out) pixel, smoothed
   with a Gaussian of width ``sigma``;
4. a seeded watershed of ``-D`` over the safe pixels (direct neighbours), seeded at the plateaus
   of local maxima of ``D``: every connected component of safe pixels contains at least one
   seed, and a component made of two objects joined by a narrow bridge of safe pixels is split
   at the bridge (the distance-transform watershed, "WSDT").  Each basin is one superpixel: it
   is a connected piece of one connected component of safe pixels, which is what "components of
   the thresholded map intersected with the WSDT segments" means;
5. every unsafe pixel stays a superpixel of its own, so GASP decides every pixel near a
   boundary exactly as on the pixel grid.
"""
from __future__ import annotations

import numpy as np

from .. import _core
from .._validation import _as_float
from ..exceptions import GaspValueError
from .boundary import _boundary_map, gaussian_filter
from .grid import _as_mask, _as_offsets
from .labels import first_occurrence

__all__ = ["pre_merge"]


def _local_maxima(d, inside):
    """Pixels of ``inside`` whose value is >= every direct neighbour inside (plateaus kept)."""
    is_max = inside.copy()
    for axis in range(d.ndim):
        n = d.shape[axis]
        if n < 2:
            continue
        lo = [slice(None)] * d.ndim
        hi = [slice(None)] * d.ndim
        lo[axis], hi[axis] = slice(0, n - 1), slice(1, n)
        lo, hi = tuple(lo), tuple(hi)
        both = inside[lo] & inside[hi]
        is_max[lo] &= ~(both & (d[hi] > d[lo]))
        is_max[hi] &= ~(both & (d[lo] > d[hi]))
    return is_max


def pre_merge(affinities, offsets, *, threshold=0.2, mask=None, sigma=1.0):
    """Superpixels that merge the pixels far from any predicted boundary (the paper's pre-merge).

    Safe pixels (boundary map below ``threshold``) are grouped into the basins of a watershed on
    their distance to the nearest unsafe pixel, so that two objects joined by a narrow bridge of
    safe pixels are not merged; every other pixel stays alone.  Running GASP on the region graph
    of the result (``segment(affinities, offsets, pre_merge=True)``) is much smaller than on the
    pixel grid, and leaves every decision near a boundary to GASP.

    Parameters
    ----------
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        Probabilities in [0, 1], as in :func:`~gasp_graph.affinities.segment`.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels.
    threshold : float in (0, 1], default 0.2
        A pixel is safe when the mean of ``1 - affinity`` over its edges is below this value.
        Lower is more conservative (fewer, smaller pre-merged regions).
    mask : array_like of bool, shape spatial_shape, optional
        Pixels to use; the others get label 0.
    sigma : float >= 0, default 1.0
        Gaussian smoothing of the distance transform before its maxima become seeds (fewer
        spurious maxima along ridges); 0 for none.

    Returns
    -------
    superpixels : ndarray of int64, shape spatial_shape
        Labels ``1 .. k`` numbered by first occurrence in C order, 0 outside the mask.

    Raises
    ------
    GaspValueError, GaspTypeError
        The errors of :func:`~gasp_graph.affinities.segment` for the affinities, offsets and
        mask; a threshold outside (0, 1]; a negative sigma.

    See Also
    --------
    segment : ``pre_merge=True`` runs this first.
    boundary_map : step 1 of the construction.
    region_graph : the graph GASP then runs on.

    Notes
    -----
    The construction, step by step: (1) the boundary map ``B`` of
    :func:`~gasp_graph.affinities.boundary_map`; (2) safe pixels ``B < threshold`` inside the
    mask; (3) the Euclidean distance ``D`` of each safe pixel to the nearest pixel that is not
    safe, smoothed with a Gaussian of width ``sigma``; (4) seeds: the connected plateaus of
    safe pixels where ``D`` is at least as large as at every direct neighbour; a seeded
    watershed of ``-D`` restricted to the safe pixels grows them into basins; (5) each basin is
    one superpixel, each unsafe pixel one more.  Every basin lies in one connected component of
    safe pixels, so the result refines the components of the thresholded map exactly as the
    paper's intersection with distance-transform watershed segments does.

    Examples
    --------
    Two squares with a clear boundary between them: the interiors are pre-merged, the pixels
    along the boundary stay single.

    >>> import numpy as np
    >>> from gasp_graph.affinities import pre_merge
    >>> affs = np.ones((2, 6, 8))
    >>> affs[1, :, 3] = 0.0   # (0, 1) edges from column 3 to column 4 cross the boundary
    >>> sp = pre_merge(affs, [[1, 0], [0, 1]])
    >>> sp[0]
    array([1, 1, 1, 2, 3, 4, 4, 4])
    >>> int(sp.max()), int((sp == 1).sum()), int((sp == 4).sum())
    (14, 18, 18)
    """
    from .segment import _as_affinities

    a = _as_affinities(affinities, offsets)
    shape = a.shape[1:]
    offs = _as_offsets(offsets, len(shape))
    msk = _as_mask(mask, shape)
    t = _as_float("threshold", threshold)
    if not 0.0 < t <= 1.0:
        raise GaspValueError(f"threshold must lie in (0, 1], got {threshold!r}")
    s = _as_float("sigma", sigma)
    if not (np.isfinite(s) and s >= 0):
        raise GaspValueError(f"sigma must be finite and >= 0, got {sigma!r}")
    inside = np.ones(shape, bool) if msk is None else msk
    safe = (_boundary_map(a, offs, msk) < t) & inside
    return _premerge_labels(safe, inside, s)


def _premerge_labels(safe, inside, sigma):
    """Steps 3-5 of the construction on a boolean map of safe pixels."""
    shape = safe.shape
    dist = _core.image_distance(safe)
    if np.isinf(dist).any():  # no unsafe pixel at all: the components are the basins
        basins, _ = _core.image_components(safe.astype(np.int64))
    else:
        if sigma > 0:
            dist = np.where(safe, gaussian_filter(dist, sigma), 0.0)
        peaks, _ = _core.image_components(_local_maxima(dist, safe).astype(np.int64))
        basins = _core.image_watershed(-dist, peaks, safe)
    # unsafe pixels inside the mask: one label each, after the basins
    n_basins = int(basins.max()) if basins.size else 0
    labels = basins.ravel().copy()
    single = (inside & ~safe).ravel()
    labels[single] = n_basins + 1 + np.arange(int(single.sum()))
    labels[~inside.ravel()] = -1
    return (first_occurrence(labels) + 1).reshape(shape)
