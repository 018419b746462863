"""Pre-merge: contract the pixels far from any predicted boundary before GASP.

The construction of the GASP paper's full-volume experiments (supplementary Sec. 8.5), made
exact here (the docstring of :func:`pre_merge` lists the steps): connected components of the
safe pixels of a conservatively thresholded boundary map, intersected with the segments of a
distance-transform watershed, every other pixel left alone.
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


def pre_merge(affinities, offsets, *, threshold=0.4, mask=None, sigma=1.0):
    """Superpixels that merge the pixels far from any predicted boundary (the paper's pre-merge).

    Pixels whose boundary map is below ``threshold`` are *safe*; safe pixels joined by
    confident direct-neighbour affinities form connected components, which are cut along the
    lines of a distance-transform watershed so that two objects are not merged through a leak;
    every other pixel stays alone.  GASP on the region graph of the result
    (``segment(affinities, offsets, pre_merge=True)``) is much smaller than on the pixel grid
    and leaves every decision near a boundary to GASP.

    Parameters
    ----------
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        Probabilities in [0, 1], as in :func:`~gasp_graph.affinities.segment`.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels.
    threshold : float in (0, 1], default 0.4
        A pixel is safe when the mean of ``1 - affinity`` over its edges is below this value,
        and a direct-neighbour edge between two safe pixels joins them when its own ``1 -
        affinity`` is below it too.  Lower is more conservative (smaller pre-merged regions).
    mask : array_like of bool, shape spatial_shape, optional
        Pixels to use; the others get label 0.
    sigma : float >= 0, default 1.0
        Gaussian smoothing of the distance transform before its maxima become seeds (fewer
        spurious maxima along ridges); 0 for none.

    Returns
    -------
    superpixels : ndarray of int64, shape spatial_shape
        Labels ``1 .. k`` numbered by first occurrence in C order, 0 outside the mask.  Every
        superpixel is connected.

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
    The construction, step by step (``t = threshold``):

    1. the boundary map ``B`` of :func:`~gasp_graph.affinities.boundary_map` (the mean of ``1 -
       affinity`` over the short- and long-range edges touching each pixel, as in the paper);
    2. safe pixels: ``B < t`` inside the mask;
    3. components: two direct neighbours are linked when both are safe and the affinity of the
       edge between them (from whichever channel holds that direct offset) is above ``1 - t``;
       the connected components of the links;
    4. the distance-transform watershed: the Euclidean distance of every pixel to the nearest
       pixel that is not safe, smoothed with a Gaussian of width ``sigma``; its local maxima
       among the safe pixels (connected plateaus where it is at least as large as at every
       direct neighbour) seed a watershed of ``B`` over the mask (lowest boundary value first,
       ties first in, first out), whose basins follow the ridges of the boundary map;
    5. every connected piece (through links) of a component intersected with a basin is one
       superpixel; every pixel that is not safe is one more.

    Step 3 never links two pixels across a confidently predicted boundary, and step 5 cuts a
    component that leaks through a gap in the boundary along the watershed line between the two
    objects' distance maxima.

    Examples
    --------
    Two squares with a clear boundary between them: the interiors are pre-merged, the pixels
    along the boundary stay single.

    >>> import numpy as np
    >>> from gasp_graph.affinities import pre_merge
    >>> affs = np.ones((2, 6, 8))
    >>> affs[1, :, 3] = 0.0   # (0, 1) edges from column 3 to column 4 cross the boundary
    >>> sp = pre_merge(affs, [[1, 0], [0, 1]], threshold=0.2)
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
    boundary = _boundary_map(a, offs, msk)
    safe = (boundary < t) & inside
    links = _direct_links(a, offs, safe, t)
    return _premerge_labels(boundary, safe, links, inside, s)


def _direct_links(a, offs, safe, t):
    """links[d][x]: x and x + e_d are both safe and their direct edge has 1 - affinity < t (an
    axis without a direct-neighbour channel: both safe suffices)."""
    shape = safe.shape
    ndim = len(shape)
    links = np.zeros((ndim,) + shape, dtype=bool)
    for d in range(ndim):
        if shape[d] < 2:
            continue
        lo = [slice(None)] * ndim
        hi = [slice(None)] * ndim
        lo[d], hi[d] = slice(0, shape[d] - 1), slice(1, shape[d])
        lo, hi = tuple(lo), tuple(hi)
        ok = safe[lo] & safe[hi]
        for k, o in enumerate(offs.tolist()):
            if sum(abs(x) for x in o) == 1 and o[d] != 0:
                # affinities[k, p] links p and p + o: the pair (x, x + e_d) sits at x for
                # o = +e_d and at x + e_d for o = -e_d
                aff = a[k][lo] if o[d] > 0 else a[k][hi]
                ok &= (1.0 - aff) < t
        links[d][lo] = ok
    return links


def _premerge_labels(boundary, safe, links, inside, sigma):
    """Steps 3-5 of the construction."""
    shape = safe.shape
    if safe.size == 0:
        return np.zeros(shape, dtype=np.int64)
    comps, _ = _core.image_components(safe.astype(np.int64), links)
    dist = _core.image_distance(safe)
    if np.isinf(dist).any():  # every pixel is safe: no distance maxima, the components stay
        pieces = comps
    else:
        if sigma > 0:
            dist = gaussian_filter(dist, sigma)
        peaks, _ = _core.image_components(_local_maxima(dist, safe).astype(np.int64))
        basins = _core.image_watershed(boundary, peaks, inside)
        pair = np.where(safe, comps * (int(basins.max()) + 1) + basins, 0)
        pieces, _ = _core.image_components(pair, links)
    # pixels that are not safe (inside the mask): one label each, after the pieces
    n_pieces = int(pieces.max()) if pieces.size else 0
    labels = pieces.ravel().copy()
    single = (inside & ~safe).ravel()
    labels[single] = n_pieces + 1 + np.arange(int(single.sum()))
    labels[~inside.ravel()] = -1
    return (first_occurrence(labels) + 1).reshape(shape)
