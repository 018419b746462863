"""Pixel (voxel) grid graphs: one edge per pixel and offset, short-range edges local, long-range
edges lifted.

:func:`grid_graph` enumerates the edges of an n-D grid for a list of offsets (the convention of
the mutex watershed, affogato and elf: ``affinities[k, p]`` links pixel ``p`` and ``p +
offsets[k]``), in a fixed order: offset by offset, then by source pixel.
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .. import _core
from .._validation import _array, _as_float, _as_int, as_rng
from ..exceptions import GaspMemoryError, GaspTypeError, GaspValueError

__all__ = ["GridGraph", "grid_graph", "offset_boxes"]


class GridGraph(NamedTuple):
    """The pixel graph of a grid, as returned by :func:`grid_graph`.

    Attributes
    ----------
    edges : ndarray of int64, shape (m, 2)
        ``edges[i] = (p, p + o)`` with ``p`` the flat C-order index of the source pixel and
        ``o = offsets[offset_index[i]]``.  Edges come offset by offset (in the order of
        ``offsets``) and, within one offset, by increasing source pixel.
    offset_index : ndarray of int64, shape (m,)
        Index into ``offsets`` of each edge.
    lifted : ndarray of bool, shape (m,)
        True for edges whose offset has an L1 norm other than 1 (long-range edges).
    n_nodes : int
        Number of pixels, ``prod(shape)``; pixels outside the mask are isolated nodes.
    """

    edges: np.ndarray
    offset_index: np.ndarray
    lifted: np.ndarray
    n_nodes: int

    @property
    def source(self) -> np.ndarray:
        """Flat index of the source pixel of each edge (a view of ``edges[:, 0]``)."""
        return self.edges[:, 0]

    def gather(self, affinities) -> np.ndarray:
        """The value of ``affinities`` (shape ``(n_offsets, *shape)``) on every edge.

        Equal to ``affinities.reshape(n_offsets, -1)[offset_index, edges[:, 0]]``.

        Raises
        ------
        GaspValueError
            ``affinities`` has fewer offsets than the graph, or not ``n_nodes`` pixels per
            offset.
        GaspTypeError
            ``affinities`` is not an array of numbers.
        """
        a = _array("affinities", affinities)
        n_off = int(self.offset_index.max()) + 1 if self.offset_index.size else 0
        if a.ndim < 1 or a.shape[0] < n_off or (a.shape[0] > 0 and a[0].size != self.n_nodes):
            raise GaspValueError(
                f"affinities must have shape (n_offsets, *shape): at least {n_off} offsets of "
                f"{self.n_nodes} pixels each, got shape {a.shape}"
            )
        return a.reshape(a.shape[0], -1)[self.offset_index, self.edges[:, 0]]


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------

def _as_shape(shape) -> tuple:
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise GaspTypeError(f"shape must be a tuple of integers, got {shape!r}") from None
    if not dims:
        raise GaspValueError("shape must have at least one dimension, got ()")
    return tuple(_as_int(f"shape[{d}]", s, minimum=0) for d, s in enumerate(dims))


def _as_offsets(offsets, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(offsets)
    except Exception as exc:
        raise GaspTypeError(f"offsets could not be read as an array: {exc}") from None
    if arr.ndim == 2 and arr.shape[0] == 0:
        raise GaspValueError("offsets must contain at least one offset, got none")
    if arr.dtype.kind not in "iu":
        finite = arr.dtype.kind == "f" and np.all(np.isfinite(arr))
        if arr.size and finite and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise GaspTypeError(f"offsets must hold integers, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != ndim:
        raise GaspValueError(
            f"offsets must have shape (n_offsets, {ndim}) for a {ndim}-D grid, "
            f"got shape {arr.shape}"
        )
    arr = arr.astype(np.int64)
    zero = ~arr.any(axis=1)
    if zero.any():
        k = int(np.flatnonzero(zero)[0])
        raise GaspValueError(f"offsets[{k}] = {arr[k].tolist()} is the zero offset (a self-loop)")
    seen = {}
    for k, row in enumerate(map(tuple, arr.tolist())):
        if row in seen:
            raise GaspValueError(
                f"offsets[{k}] = {list(row)} repeats offsets[{seen[row]}]; "
                "every offset must be unique"
            )
        neg = tuple(-x for x in row)
        if neg in seen:
            raise GaspValueError(
                f"offsets[{k}] = {list(row)} is the opposite of "
                f"offsets[{seen[neg]}] = {list(neg)}: "
                "both describe the same pixel pairs; keep one of them (affinities[k, p] already "
                "links p and p + offsets[k] in both directions)"
            )
        seen[row] = k
    return arr


def _as_mask(mask, shape):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != shape:
        raise GaspValueError(f"mask must have the grid's shape {shape}, got shape {m.shape}")
    if m.dtype.kind != "b":
        if m.dtype.kind in "iu" and np.all((m == 0) | (m == 1)):
            m = m.astype(bool)
        else:
            raise GaspTypeError(f"mask must hold booleans, got dtype {m.dtype}")
    return m


def sampling_rng(seed, fraction):
    """The Generator that samples long-range edges, or None when every edge is kept.  ``seed``
    is validated either way, so that a bad seed is never silently ignored."""
    rng = as_rng(seed)
    return rng if fraction is not None and fraction < 1.0 else None


def _as_fraction(long_range_fraction):
    if long_range_fraction is None:
        return None
    f = _as_float("long_range_fraction", long_range_fraction)
    if not 0.0 <= f <= 1.0:
        raise GaspValueError(f"long_range_fraction must lie in [0, 1], got {f!r}")
    return f


# Uniform numbers drawn per call when sampling: drawing in chunks gives the same numbers as one
# call, without a float64 temporary per candidate edge.
_DRAW_CHUNK = 1 << 20


def _draw(rng, size, fraction):
    """``rng.random(size) < fraction``, drawn in chunks."""
    keep = np.empty(size, dtype=bool)
    for i in range(0, size, _DRAW_CHUNK):
        j = min(i + _DRAW_CHUNK, size)
        np.less(rng.random(j - i), fraction, out=keep[i:j])
    return keep


def is_long_range(offs) -> np.ndarray:
    """True for the offsets whose L1 norm is not 1 (their edges are long-range, lifted)."""
    return np.abs(offs).sum(axis=1) != 1


def offset_boxes(shape, offs, msk, fraction, rng):
    """Per offset, the box of source pixels and the edges of :func:`grid_graph` inside it.

    Yields ``(k, src_sl, tgt_sl, keep)`` for every offset ``k``: ``src_sl`` / ``tgt_sl`` are the
    slices of the source pixels ``p`` and of their partners ``p + offsets[k]`` inside the grid,
    and ``keep`` is None (every pixel of the box has an edge) or a flat boolean array over the
    box in C order marking the edges kept by the mask and by the long-range sampling.  This is
    the single definition of which edges exist and in which order: :func:`grid_graph` and
    :func:`gasp_graph.affinities.region_graph` both read it, so edge ``i`` of one is edge ``i``
    of the other.  With ``rng`` (sampling), one uniform number is drawn per candidate long-range
    edge (after masking), offset by offset, in edge order.
    """
    is_long = np.abs(offs).sum(axis=1) != 1
    for k, o in enumerate(offs.tolist()):
        src_sl = tuple(slice(max(0, -x), max(0, s - max(0, x))) for x, s in zip(o, shape))
        tgt_sl = tuple(slice(max(0, x), max(0, s + min(0, x))) for x, s in zip(o, shape))
        keep = None
        if msk is not None:
            keep = (msk[src_sl] & msk[tgt_sl]).ravel()
        if rng is not None and is_long[k]:
            size = int(keep.sum()) if keep is not None else int(
                np.prod([max(0, sl.stop - sl.start) for sl in src_sl], dtype=np.int64))
            if size:
                draw = _draw(rng, size, fraction)
                if keep is None:
                    keep = draw
                else:
                    keep[np.flatnonzero(keep)[~draw]] = False
        yield k, src_sl, tgt_sl, keep


# --------------------------------------------------------------------------------------------
# grid_graph
# --------------------------------------------------------------------------------------------

def grid_graph(shape, offsets, *, mask=None, long_range_fraction=None, seed=None) -> GridGraph:
    """The pixel (voxel) graph of an n-D grid with one edge per pixel and offset.

    Node ``p`` is the flat C-order index of a pixel.  For every offset ``o = offsets[k]`` and
    every pixel ``p`` such that ``p + o`` lies inside the grid (and both pixels inside ``mask``)
    there is one edge ``(p, p + o)``.  Edges whose offset has L1 norm 1 (direct neighbours) are
    local; all others are flagged as lifted.

    Parameters
    ----------
    shape : tuple of int
        Spatial shape of the grid (any number of dimensions).
    offsets : array_like of int, shape (n_offsets, ndim)
        Pixel offsets; non-zero and pairwise distinct.  An offset and its opposite (``o`` and
        ``-o``) describe the same pixel pairs and are rejected together.
    mask : array_like of bool, shape ``shape``, optional
        Pixels to keep; edges touching a pixel outside the mask are dropped (the pixel stays an
        isolated node).
    long_range_fraction : float in [0, 1], optional
        Keep each long-range edge (L1 norm of its offset other than 1) independently with this
        probability; direct-neighbour edges are always kept.  Default: keep all.
    seed : None, int or numpy.random.Generator
        Randomness of the sampling (passed to :func:`numpy.random.default_rng`).  The same seed
        gives the same edges.

    Returns
    -------
    GridGraph
        Named tuple ``(edges, offset_index, lifted, n_nodes)`` with a ``source`` property
        (``edges[:, 0]``) and a ``gather(affinities)`` method.  Edges are ordered by offset (in
        the order given), then by source pixel.  Per-edge values of an affinity array of shape
        ``(n_offsets, *shape)`` are ``affinities.reshape(n_offsets, -1)[offset_index, source]``.

    Raises
    ------
    GaspValueError
        Bad shape, offsets of the wrong length, zero, repeated or opposite offsets, a mask of
        another shape, a fraction outside [0, 1].
    GaspTypeError
        Non-integer offsets, a non-boolean mask.

    Notes
    -----
    The work is vectorised per offset: the source pixels of an offset form a box of the grid,
    so no Python loop runs over pixels.  With sampling, one uniform number is drawn per
    candidate long-range edge (after masking), offset by offset, in edge order.

    Examples
    --------
    A 2 x 3 image with its right and down neighbours and one diagonal long-range offset:

    >>> from gasp_graph.affinities import grid_graph
    >>> g = grid_graph((2, 3), [[0, 1], [1, 0], [1, 1]])
    >>> g.edges.tolist()
    [[0, 1], [1, 2], [3, 4], [4, 5], [0, 3], [1, 4], [2, 5], [0, 4], [1, 5]]
    >>> g.offset_index.tolist()
    [0, 0, 0, 0, 1, 1, 1, 2, 2]
    >>> g.lifted.tolist()
    [False, False, False, False, False, False, False, True, True]
    """
    shape = _as_shape(shape)
    offs = _as_offsets(offsets, len(shape))
    msk = _as_mask(mask, shape)
    fraction = _as_fraction(long_range_fraction)
    n = check_grid_size(shape, len(offs))
    if n == 0:  # a dimension of length 0: no pixel, no edge (and no index array to shape)
        empty = np.zeros(0, dtype=np.int64)
        sampling_rng(seed, fraction)  # the seed is still checked
        return GridGraph(np.zeros((0, 2), dtype=np.int64), empty, np.zeros(0, dtype=bool), 0)
    try:
        sampling = sample_long_range(shape, offs, msk, fraction, seed)
        return build_grid_graph(shape, offs, msk, sampling)
    except MemoryError:
        raise GaspMemoryError(
            f"not enough memory for the edges of a grid of shape {shape} with {len(offs)} offsets"
        ) from None


def check_grid_size(shape, n_offsets) -> int:
    """The pixel count of ``shape``; GaspValueError beyond int64, GaspMemoryError when the edges
    (one per pixel and offset at most) cannot fit in this machine's memory."""
    n = math.prod(shape)  # exact: np.prod would wrap around in int64
    if n > np.iinfo(np.int64).max:
        raise GaspValueError(f"shape {shape} has {n} pixels, more than int64 ids can number")
    # the pixel index (8 bytes a pixel), up to one edge per pixel and offset (16 + 8 + 1 bytes)
    need, total = 8 * n + 25 * n * n_offsets, _core.machine_memory()
    if total is not None and need > total:
        raise GaspMemoryError(
            f"a grid of shape {shape} with {n_offsets} offsets needs about {need / 2**30:.3g} "
            f"GiB for its edges, more than this machine has ({total / 2**30:.3g} GiB with swap)"
        )
    return n


# --------------------------------------------------------------------------------------------
# The edge set in the layout of the engine's grid entry point
# --------------------------------------------------------------------------------------------

class Sampling(NamedTuple):
    """The edge set of :func:`grid_graph` (from :func:`offset_boxes`) in the layout the engine's
    grid entry point reads.

    ``sampled[k]``: offset ``k``'s candidate edges (the source pixels whose edge lies inside the
    mask) were sampled; their keep bits are ``keep_bits[start[k]:start[k] + ceil(candidates /
    8)]``, least significant bit first (bit ``j`` keeps the ``j``-th candidate).  ``counts[k]``:
    the edges of offset ``k``.
    """

    sampled: np.ndarray  # (n_offsets,) bool
    keep_bits: np.ndarray  # uint8
    start: np.ndarray  # (n_offsets,) int64
    counts: np.ndarray  # (n_offsets,) int64


def sample_long_range(shape, offs, msk, fraction, seed) -> Sampling:
    """The edges of ``grid_graph(shape, offs, mask=msk, long_range_fraction=fraction,
    seed=seed)`` (validated arguments) as keep bits: the same draws from the same seed."""
    rng = sampling_rng(seed, fraction)
    is_long = is_long_range(offs)
    n_off = len(offs)
    sampled = np.zeros(n_off, dtype=bool)
    start = np.zeros(n_off, dtype=np.int64)
    counts = np.zeros(n_off, dtype=np.int64)
    parts, n_bytes = [], 0
    for k, src_sl, tgt_sl, keep in offset_boxes(shape, offs, msk, fraction, rng):
        box = int(np.prod([max(0, sl.stop - sl.start) for sl in src_sl], dtype=np.int64))
        counts[k] = box if keep is None else int(np.count_nonzero(keep))
        if rng is None or not is_long[k]:
            continue
        if keep is None:
            keep = np.ones(box, dtype=bool)
        elif msk is not None:
            keep = keep[(msk[src_sl] & msk[tgt_sl]).ravel()]  # over the candidates only
        sampled[k] = True
        start[k] = n_bytes
        bits = np.packbits(keep, bitorder="little")
        parts.append(bits)
        n_bytes += bits.size
    keep_bits = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    return Sampling(sampled, keep_bits, start, counts)


def build_grid_graph(shape, offs, msk, sampling: Sampling) -> GridGraph:
    """The :class:`GridGraph` of validated arguments whose edges ``sampling`` describes (what
    :func:`grid_graph` returns for the seed that drew it), without drawing again."""
    ndim = len(shape)
    n = int(np.prod(shape, dtype=np.int64))
    index = np.arange(n, dtype=np.int64).reshape(shape)
    sources = []
    for k, src_sl, tgt_sl, keep in offset_boxes(shape, offs, msk, None, None):
        src = index[src_sl].ravel()
        if keep is not None:
            src = src[keep]
        if sampling.sampled[k] and src.size:
            bits = sampling.keep_bits[sampling.start[k]: sampling.start[k] + (src.size + 7) // 8]
            src = src[np.unpackbits(bits, count=src.size, bitorder="little").astype(bool)]
        sources.append(src)
    strides = np.ones(ndim, dtype=np.int64)
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    counts = np.array([s.size for s in sources], dtype=np.int64)
    edges = np.empty((int(counts.sum()), 2), dtype=np.int64)
    begin = 0
    for k, src in enumerate(sources):
        stop = begin + src.size
        edges[begin:stop, 0] = src
        np.add(src, int(offs[k] @ strides), out=edges[begin:stop, 1])
        begin = stop
    offset_index = np.repeat(np.arange(len(offs), dtype=np.int64), counts)
    return GridGraph(edges, offset_index, np.repeat(is_long_range(offs), counts), n)
