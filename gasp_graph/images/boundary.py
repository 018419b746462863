"""Boundaries: a per-pixel boundary map from affinities, and affinities from a plain image.

:func:`boundary_map` averages ``1 - affinity`` over the pixel edges touching each pixel (the
paper's boundary map, used by the pre-merge and by the watershed clean-up);
:func:`boundary_affinities` goes the other way when no network predicts affinities: it makes
affinities for any offsets from the intensity differences of a smoothed image.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import _as_float
from ..exceptions import GaspTypeError, GaspValueError
from .grid import _as_mask, _as_offsets, offset_boxes

__all__ = ["boundary_map", "boundary_affinities", "gaussian_filter"]


def gaussian_filter(image, sigma):
    """Separable Gaussian smoothing (truncated at 4 sigma, mirror boundaries: scipy's
    ``mode="reflect"``), over every axis of ``image``.  ``sigma = 0`` returns a copy."""
    out = np.array(image, dtype=np.float64)
    if sigma <= 0:
        return out
    radius = max(1, int(math.ceil(4.0 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    for axis in range(out.ndim):
        n = out.shape[axis]
        if n == 0:
            continue
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius, radius)
        # mirror repeatedly for axes shorter than the kernel (np.pad's "symmetric" does that)
        padded = np.pad(out, pad, mode="symmetric")
        acc = np.zeros_like(out)
        for k, c in enumerate(kernel):
            sl = [slice(None)] * out.ndim
            sl[axis] = slice(k, k + n)
            acc += c * padded[tuple(sl)]
        out = acc
    return out


def boundary_map(affinities, offsets, *, mask=None):
    """The mean of ``1 - affinity`` over the pixel edges touching each pixel.

    Every edge ``(p, p + offsets[k])`` of :func:`~gasp_graph.affinities.grid_graph` (both
    pixels inside the grid and the mask) contributes ``1 - affinities[k, p]`` to both of its
    pixels; the map is the mean of the contributions, so 0 deep inside an object (every edge
    certain to join) and up to 1 on a boundary.  A pixel without edges gets 1.

    Parameters
    ----------
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        Probabilities in [0, 1], as in :func:`~gasp_graph.affinities.segment`.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels.
    mask : array_like of bool, shape spatial_shape, optional
        Pixels to use; the map is 1 outside.

    Returns
    -------
    ndarray of float64, shape spatial_shape
        Values in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from gasp_graph.affinities import boundary_map
    >>> affs = np.ones((1, 1, 4))
    >>> affs[0, 0, 1] = 0.0   # the edge between pixels 1 and 2 is a boundary
    >>> boundary_map(affs, [[0, 1]])
    array([[0. , 0.5, 0.5, 0. ]])
    """
    from .segment import _as_affinities

    a = _as_affinities(affinities, offsets)
    shape = a.shape[1:]
    offs = _as_offsets(offsets, len(shape))
    msk = _as_mask(mask, shape)
    return _boundary_map(a, offs, msk)


def _boundary_map(a, offs, msk, channels=None):
    """boundary_map of validated inputs, over the given channels (default: all)."""
    shape = a.shape[1:]
    total = np.zeros(shape)
    count = np.zeros(shape)
    for k, src_sl, tgt_sl, keep in offset_boxes(shape, offs, msk, None, None):
        if channels is not None and k not in channels:
            continue
        v = 1.0 - a[k][src_sl].astype(np.float64)
        if keep is None:
            c = 1.0
        else:
            c = keep.reshape(v.shape).astype(np.float64)
            v = v * c
        total[src_sl] += v
        total[tgt_sl] += v
        count[src_sl] += c
        count[tgt_sl] += c
    out = np.ones(shape)
    np.divide(total, count, out=out, where=count > 0)
    return np.clip(out, 0.0, 1.0)


def _path_steps(o):
    """The rasterised straight path from 0 to ``o``: integer points ``round(t * o / L)`` for
    ``t = 0 .. L``, ``L`` the largest |component|."""
    o = np.asarray(o, dtype=np.int64)
    length = int(np.abs(o).max())
    t = np.arange(length + 1)[:, None]
    # round half away from zero, so that o and -o give mirrored paths
    return (np.sign(o) * np.floor(np.abs(o) * t / length + 0.5)).astype(np.int64)


def _shifted(img, shift):
    """``img[p + shift]`` for every pixel, with coordinates clamped to the grid."""
    idx = []
    for d, s in enumerate(shift):
        n = img.shape[d]
        idx.append(np.clip(np.arange(n) + int(s), 0, n - 1))
    return img[np.ix_(*idx)]


def boundary_affinities(image, offsets, *, sigma=1.0, scale=None, channel_axis=None):
    """Affinities for the given offsets from a plain intensity image.

    For a pixel ``p`` and an offset ``o`` the affinity is ``1 - min(1, d / scale)``, where
    ``d`` is the largest normalised intensity step along the straight path from ``p`` to
    ``p + o`` in the image ``S`` smoothed with a Gaussian of width ``sigma``: the path is
    rasterised into the points ``round(t * o / L)``, ``t = 0 .. L`` (``L`` the largest
    component of ``o``), and each step ``x -> x + u`` contributes ``|S(x + u) - S(x)| /
    |u|`` if that is at least as large as the steps just before and after it in the same
    direction (non-maximum suppression, as in Canny's edge detector), else 0.  So a smoothed
    edge is crossed by exactly one cut step instead of a band of them (which would leave
    one-pixel "dust" segments along every boundary), steps along an edge hardly change the
    intensity (pixels along an edge stay attracted), and any path across an edge is cut.  Use
    the result with :func:`~gasp_graph.affinities.segment` as any predicted affinities.

    Affinities predicted by a network trained for the task separate objects far better
    (texture, faint or missing edges, touching objects of equal brightness are out of reach of
    an intensity gradient); this function is for trying GASP on an image without one.

    Parameters
    ----------
    image : array_like of float, shape spatial_shape (or with a channel axis)
        Intensities, any range.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets to make affinities for (see :func:`~gasp_graph.affinities.grid_graph`).
    sigma : float >= 0, default 1.0
        Width (in pixels) of the Gaussian smoothing applied first; 0 for none.
    scale : float > 0, optional
        The step that counts as a certain boundary (affinity 0).  Default: 8 times the median
        direct-neighbour step of the smoothed image (a robust noise level), or, when most steps
        are zero (a piecewise constant image), the mean of the non-zero ones; so noise gives
        affinities near 1 and real edges near 0.
    channel_axis : int, optional
        The axis of a colour image's channels; the steps of all channels combine as the
        Euclidean norm.

    Returns
    -------
    affinities : ndarray of float64, shape ``(n_offsets, *spatial_shape)``
        Values in [0, 1]; ``affinities[k, p]`` belongs to ``p`` and ``p + offsets[k]``.  Where
        ``p + offsets[k]`` lies outside the image the path is clamped to the border (those
        values are ignored by :func:`~gasp_graph.affinities.segment`).

    Raises
    ------
    GaspValueError, GaspTypeError
        An image that is not real-valued or not finite, offsets of the wrong length, a negative
        ``sigma``, a non-positive ``scale``.

    See Also
    --------
    segment : ``segment(boundary_affinities(image, offsets), offsets)``.
    boundary_map : the reverse direction, a boundary map from affinities.

    Examples
    --------
    A vertical step edge: low affinity across it, high along it.

    >>> import numpy as np
    >>> from gasp_graph.affinities import boundary_affinities, segment
    >>> image = np.zeros((6, 6))
    >>> image[:, 3:] = 1.0
    >>> offsets = [[0, 1], [1, 0]]
    >>> affs = boundary_affinities(image, offsets, sigma=0.0)
    >>> affs[0, 0].round(2)   # (0, 1) edges along row 0: the step is between columns 2 and 3
    array([1., 1., 0., 1., 1., 1.])
    >>> affs[1, :, 2].round(2)   # (1, 0) edges down column 2, along the edge
    array([1., 1., 1., 1., 1., 1.])
    >>> segment(affs, offsets, min_size=0)[0]
    array([1, 1, 1, 2, 2, 2])
    """
    try:
        img = np.asarray(image)
    except Exception as exc:
        raise GaspTypeError(f"image could not be read as an array: {exc}") from None
    if img.dtype.kind not in "fiub":
        raise GaspTypeError(f"image must hold real numbers, got dtype {img.dtype}")
    img = img.astype(np.float64)
    if channel_axis is not None:
        if isinstance(channel_axis, bool) or not isinstance(channel_axis, (int, np.integer)):
            raise GaspTypeError(f"channel_axis must be an integer, got {channel_axis!r}")
        if not -img.ndim <= int(channel_axis) < img.ndim:
            raise GaspValueError(
                f"channel_axis={channel_axis} is out of range for an image of shape {img.shape}"
            )
        img = np.moveaxis(img, int(channel_axis), 0)
    else:
        img = img[None]
    if img.ndim < 2 or img[0].size == 0:
        raise GaspValueError(f"image must have at least one non-empty dimension, got {image!r}")
    if not np.isfinite(img).all():
        raise GaspValueError("image must be finite (no NaN or infinity)")
    shape = img.shape[1:]
    if channel_axis is None and len(shape) >= 3 and shape[-1] in (3, 4):
        width = np.shape(offsets)[-1] if np.ndim(offsets) == 2 else None
        if width == len(shape) - 1:
            raise GaspValueError(
                f"offsets have {width} coordinates but the image of shape {tuple(shape)} has "
                f"{len(shape)} axes; for a colour image pass channel_axis=-1"
            )
    offs = _as_offsets(offsets, len(shape))
    s = _as_float("sigma", sigma)
    if not (np.isfinite(s) and s >= 0):
        raise GaspValueError(f"sigma must be finite and >= 0, got {sigma!r}")
    smooth = np.stack([gaussian_filter(c, s) for c in img])
    if scale is None:
        steps = np.concatenate([
            np.sqrt((np.diff(smooth, axis=d + 1) ** 2).sum(axis=0)).ravel()
            for d in range(len(shape)) if shape[d] > 1
        ] or [np.zeros(1)])
        med = float(np.median(steps))
        nonzero = steps[steps > 1e-12 * max(1.0, float(np.abs(smooth).max()))]
        sc = 8.0 * med if med > 0 else (float(nonzero.mean()) if nonzero.size else 1.0)
    else:
        sc = _as_float("scale", scale)
        if not (np.isfinite(sc) and sc > 0):
            raise GaspValueError(f"scale must be finite and > 0, got {scale!r}")
    out = np.empty((len(offs),) + shape)
    steps_by_direction = {}
    for k, o in enumerate(offs):
        path = _path_steps(o)
        worst = np.zeros(shape)
        for t in range(1, path.shape[0]):
            u = tuple((path[t] - path[t - 1]).tolist())
            if u not in steps_by_direction:
                steps_by_direction[u] = _suppressed_steps(smooth, u)
            np.maximum(worst, _shifted(steps_by_direction[u], path[t - 1]), out=worst)
        out[k] = 1.0 - np.minimum(1.0, worst / sc)
    return out


def _suppressed_steps(smooth, u):
    """For every pixel x, the step ``|S(x + u) - S(x)| / |u|`` (channels combined by the
    Euclidean norm), kept only where it is at least as large as the steps just before and just
    after it along ``u`` (non-maximum suppression), else 0: one smoothed edge gives one step,
    not a band of them."""
    norm = float(np.sqrt(np.sum(np.square(u))))
    ahead = np.stack([_shifted(c, u) for c in smooth])
    step = np.sqrt(((ahead - smooth) ** 2).sum(axis=0)) / norm
    before = _shifted(step, tuple(-x for x in u))
    after = _shifted(step, u)
    # at the border the clamped neighbour is the step itself, which never suppresses it
    return np.where((step >= before) & (step >= after), step, 0.0)
