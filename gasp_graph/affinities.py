"""GASP on images and volumes: pixel grid graphs from affinities with long-range offsets.

A network for instance segmentation typically predicts, for every pixel ``p`` and every offset
``o`` of a fixed list, the probability ``affinities[k, p]`` that ``p`` and ``p + offsets[k]``
belong to the same object (the convention of the mutex watershed, affogato and elf).  This module
turns such an array into a signed grid graph (:func:`grid_graph`) and partitions it with the GASP
engine (:func:`segment`), optionally followed by a clean-up of small segments.
"""
from __future__ import annotations

import heapq
import numbers
from typing import NamedTuple

import numpy as np

from . import _control
from ._validation import _as_bool, _as_float, _as_int, normalize_linkage, prepare
from .exceptions import GaspTypeError, GaspValueError

__all__ = ["GridGraph", "grid_graph", "segment"]

# Probabilities are clipped to [_LOGIT_EPS, 1 - _LOGIT_EPS] before the logit, so that affinities
# of exactly 0 or 1 give finite weights (|logit| <= 13.8).
_LOGIT_EPS = 1e-6


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
        """
        a = np.asarray(affinities)
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


def _as_fraction(long_range_fraction):
    if long_range_fraction is None:
        return None
    f = _as_float("long_range_fraction", long_range_fraction)
    if not 0.0 <= f <= 1.0:
        raise GaspValueError(f"long_range_fraction must lie in [0, 1], got {f!r}")
    return f


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
    ndim = len(shape)
    offs = _as_offsets(offsets, ndim)
    msk = _as_mask(mask, shape)
    fraction = _as_fraction(long_range_fraction)
    n = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng(seed) if fraction is not None and fraction < 1.0 else None

    strides = np.ones(ndim, dtype=np.int64)
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    index = np.arange(n, dtype=np.int64).reshape(shape)
    is_long = np.abs(offs).sum(axis=1) != 1

    sources = []
    for k, o in enumerate(offs):
        src_sl = tuple(slice(max(0, -int(x)), max(0, s - max(0, int(x)))) for x, s in zip(o, shape))
        tgt_sl = tuple(slice(max(0, int(x)), max(0, s + min(0, int(x)))) for x, s in zip(o, shape))
        src = index[src_sl]
        if msk is not None:
            keep = msk[src_sl] & msk[tgt_sl]
            src = src[keep]
        else:
            src = src.ravel()
        if rng is not None and is_long[k] and src.size:
            src = src[rng.random(src.size) < fraction]
        sources.append(src)

    counts = np.array([s.size for s in sources], dtype=np.int64)
    m = int(counts.sum())
    edges = np.empty((m, 2), dtype=np.int64)
    start = 0
    for k, src in enumerate(sources):
        stop = start + src.size
        edges[start:stop, 0] = src
        np.add(src, int(offs[k] @ strides), out=edges[start:stop, 1])
        start = stop
    offset_index = np.repeat(np.arange(len(offs), dtype=np.int64), counts)
    lifted = np.repeat(is_long, counts)
    return GridGraph(edges, offset_index, lifted, n)


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------

def _check_beta(beta) -> float:
    b = _as_float("beta", beta)
    if not 0.0 < b < 1.0:
        raise GaspValueError(f"beta must lie strictly between 0 and 1, got {b!r}")
    return b


def _signed_weights(p, beta: float, kind: str) -> np.ndarray:
    """Signed edge weights from probabilities p of 'same object' (gasp_graph.signed_weights:
    ``"linear"``: ``p - beta``; ``"logit"``: ``logit(p) - logit(beta)``, p clipped to
    ``[_LOGIT_EPS, 1 - _LOGIT_EPS]``)."""
    from .weights import signed_weights

    return signed_weights(p, beta=beta, kind=kind, eps=_LOGIT_EPS)


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------

def _first_occurrence(labels: np.ndarray) -> np.ndarray:
    """Renumber non-negative labels 0..k-1 by first occurrence; negative labels stay -1."""
    out = np.full(labels.shape, -1, dtype=np.int64)
    valid = labels >= 0
    vals = labels[valid]
    if vals.size == 0:
        return out
    uniq, first, inv = np.unique(vals, return_index=True, return_inverse=True)
    rank = np.empty(uniq.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(uniq.size, dtype=np.int64)
    out[valid] = rank[inv]
    return out


def _merge_small_segments(labels, n_labels, edges, weights, min_size):
    """Merge segments smaller than ``min_size`` into their most attractive neighbour.

    ``labels`` (n,) holds 0..n_labels-1 or -1 (outside the mask); ``edges``/``weights`` are the
    mergeable edges.  Rule: repeatedly take the smallest segment below ``min_size`` (ties: lowest
    label) and merge it into the neighbour (a segment joined to it by at least one edge) with the
    highest mean edge weight over their common edges (ties: lowest label); sizes and boundaries
    are updated after each merge.  A segment without neighbour stays.  Returns new labels (same
    convention, renumbered by first occurrence).
    """
    valid = labels >= 0
    sizes = np.bincount(labels[valid], minlength=n_labels).astype(np.int64)
    small = sizes < min_size
    if not small.any() or edges.shape[0] == 0:
        return labels
    lu = labels[edges[:, 0]]
    lv = labels[edges[:, 1]]
    keep = (lu != lv) & (small[lu] | small[lv])
    lo = np.minimum(lu[keep], lv[keep])
    hi = np.maximum(lu[keep], lv[keep])
    key = lo * np.int64(n_labels) + hi
    uniq, inv = np.unique(key, return_inverse=True)
    wsum = np.bincount(inv, weights=weights[keep], minlength=uniq.size)
    cnt = np.bincount(inv, minlength=uniq.size).astype(np.float64)
    a_ids = (uniq // n_labels).tolist()
    b_ids = (uniq % n_labels).tolist()

    # adj[s][t] = [sum of weights, number of edges] between segments s and t.  Only pairs with
    # at least one initially small segment are kept: sizes only grow, so a pair of two large
    # segments never matters.
    adj: dict = {}
    for a, b, s, c in zip(a_ids, b_ids, wsum.tolist(), cnt.tolist()):
        adj.setdefault(a, {})[b] = [s, c]
        adj.setdefault(b, {})[a] = [s, c]

    parent = np.arange(n_labels, dtype=np.int64)
    size = sizes.tolist()
    heap = [(size[s], s) for s in np.flatnonzero(small).tolist()]
    heapq.heapify(heap)
    alive = [True] * n_labels
    while heap:
        sz, s = heapq.heappop(heap)
        if not alive[s] or sz != size[s] or sz >= min_size:
            continue
        nbrs = adj.get(s)
        if not nbrs:
            continue  # no neighbour: the segment stays
        t = max(nbrs.items(), key=lambda it: (it[1][0] / it[1][1], -it[0]))[0]
        # merge s into t
        alive[s] = False
        parent[s] = t
        size[t] += size[s]
        at = adj.setdefault(t, {})
        del at[s]
        for x, (ws, wc) in nbrs.items():
            if x == t:
                continue
            ax = adj[x]
            del ax[s]
            if x in at:
                at[x][0] += ws
                at[x][1] += wc
                ax[t] = at[x]
            else:
                at[x] = ax[t] = [ws, wc]
        del adj[s]
        if size[t] < min_size:
            heapq.heappush(heap, (size[t], t))

    # resolve chains of merges by pointer jumping
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    out = np.where(valid, parent[np.where(valid, labels, 0)], -1)
    return _first_occurrence(out)


# --------------------------------------------------------------------------------------------
# segment
# --------------------------------------------------------------------------------------------

def _as_affinities(affinities, offsets):
    try:
        a = np.asarray(affinities)
    except Exception as exc:
        raise GaspTypeError(f"affinities could not be read as an array: {exc}") from None
    if a.dtype.kind not in "fiub":
        raise GaspTypeError(f"affinities must hold real numbers, got dtype {a.dtype}")
    if a.ndim < 2:
        raise GaspValueError(
            f"affinities must have shape (n_offsets, *spatial_shape), got shape {a.shape}"
        )
    n_offsets = _as_offsets(offsets, a.ndim - 1).shape[0]
    if a.shape[0] != n_offsets:
        raise GaspValueError(
            f"affinities has {a.shape[0]} channels (shape {a.shape}) but {n_offsets} offsets were "
            "given; affinities[k] must belong to offsets[k]"
        )
    if a.dtype.kind == "f":
        bad = ~((a >= 0) & (a <= 1))  # also catches NaN
        if bad.any():
            first = int(np.flatnonzero(bad.ravel())[0])
            idx = tuple(int(i) for i in np.unravel_index(first, a.shape))
            raise GaspValueError(
                f"affinities{list(idx)} = {float(a[idx])!r}: affinities are probabilities "
                "and must lie in [0, 1]"
            )
    elif a.size and (a.min() < 0 or a.max() > 1):
        raise GaspValueError("affinities are probabilities and must lie in [0, 1]")
    return a


def segment(
    affinities,
    offsets,
    *,
    beta=0.5,
    weights="linear",
    linkage="average",
    cannot_link=False,
    local_merge=True,
    long_range_fraction=None,
    mask=None,
    seed=None,
    min_size=0,
    merge_constrained_at_end=False,
    size_regularizer=0.0,
    linkage_param=None,
    n_clusters=None,
    progress=False,
    callback=None,
    callback_every=1000,
):
    """Segment an image or volume from affinities with GASP.

    Builds the grid graph of :func:`grid_graph`, turns the affinity of every edge into a signed
    weight, runs GASP, and optionally merges segments smaller than ``min_size`` pixels into a
    neighbour.

    Parameters
    ----------
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        ``affinities[k, p]`` in [0, 1] is the probability that pixel ``p`` and pixel
        ``p + offsets[k]`` belong to the same object (1 = same object; the convention of the
        mutex watershed, affogato and elf).  Values at pixels whose partner lies outside the
        image are ignored.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels; see :func:`grid_graph`.
    beta : float in (0, 1), default 0.5
        Boundary bias: affinities above ``beta`` attract, below repel.  Larger values give more
        (smaller) segments.
    weights : {"linear", "logit"}, default "linear"
        ``"linear"``: ``w = p - beta``; ``"logit"``: ``w = log(p / (1 - p)) - log(beta / (1 -
        beta))`` with ``p`` clipped to ``[1e-6, 1 - 1e-6]``.
    linkage : str, default "average"
        GASP linkage (see :func:`gasp_graph.gasp`); ``"abs_max"`` is the mutex watershed.
    cannot_link : bool, default False
        Cannot-link constraints (see :func:`gasp_graph.gasp`).
    local_merge : bool, default True
        Only direct-neighbour edges (offsets of L1 norm 1) can trigger a merge; long-range edges
        add attraction or repulsion to the linkage (lifted edges).  Every segment is then
        connected in the image.  With False every edge can merge.
    long_range_fraction : float in [0, 1], optional
        Keep each long-range edge with this probability (see :func:`grid_graph`).
    mask : array_like of bool, shape spatial_shape, optional
        Pixels to segment; pixels outside get label 0.
    seed : None, int or numpy.random.Generator
        Randomness of the long-range sampling.
    min_size : int, default 0
        After GASP, merge every segment of fewer than ``min_size`` pixels into a neighbour, see
        Notes.
    merge_constrained_at_end, size_regularizer, linkage_param, n_clusters
        Passed to the engine, see :func:`gasp_graph.gasp` (node sizes are 1 per pixel).
    progress, callback, callback_every
        Progress display and early stop, see :func:`gasp_graph.gasp`.  A callback that stops
        the run gives the segments reached so far (``min_size`` is still applied).

    Returns
    -------
    labels : ndarray of int64, shape spatial_shape
        Segment labels ``1 .. k`` numbered by first occurrence in C order; 0 marks pixels
        outside ``mask`` (and only those).

    Raises
    ------
    GaspValueError, GaspTypeError
        Invalid arguments (see :func:`grid_graph` and :func:`gasp_graph.gasp`); affinities
        outside [0, 1] or NaN; ``local_merge=True`` with no direct-neighbour offset.

    See Also
    --------
    grid_graph : the graph used here.
    gasp_graph.gasp : the engine on arrays.

    Notes
    -----
    *Edges and weights.*  The graph is ``grid_graph(spatial_shape, offsets, mask=mask,
    long_range_fraction=long_range_fraction, seed=seed)``; edge ``i`` gets the weight of
    ``affinities.reshape(n_offsets, -1)[offset_index[i], edges[i, 0]]``.  With ``linkage=
    "abs_max"``, ``local_merge=False`` and no sampling the result is the mutex watershed of
    these weights.

    *Mutex watershed tools.*  ``mwatershed.agglom(a, offsets)`` expects signed float64 values
    (> 0 attract, < 0 repel) with the same offset direction (value at ``p`` links ``p`` and
    ``p + o``) and lets every edge merge: the equivalent here is ``segment(a_prob, offsets,
    linkage="abs_max", local_merge=False)`` with ``a = a_prob - beta`` (``weights="linear"``).
    mwatershed labels unmerged pixels 0; relabel them before comparing.

    *Small segments* (``min_size > 0``).  The segment with the fewest pixels below the
    threshold (ties: lowest label) is merged into the neighbouring segment with the highest
    *mean* weight over the mergeable edges joining the two (ties: lowest label); sizes and
    boundaries are updated and the process repeats until every segment has at least
    ``min_size`` pixels or has no neighbour.  Neighbours are segments joined by a mergeable
    edge (a direct-neighbour edge with ``local_merge=True``, any edge otherwise), so segments
    stay connected.  The mean, unlike the sum, does not favour a neighbour for a long but weak
    boundary.  The region adjacency graph is built vectorised from the edges touching small
    segments; the merge loop runs in Python over those segments only (not over pixels).

    Examples
    --------
    Two 2 x 2 squares side by side in a 2 x 4 image, with the right and down neighbours:

    >>> import numpy as np
    >>> from gasp_graph.affinities import segment
    >>> offsets = [[0, 1], [1, 0]]
    >>> affs = np.full((2, 2, 4), 0.9)
    >>> affs[0, :, 1] = 0.1  # boundary between columns 1 and 2
    >>> segment(affs, offsets)
    array([[1, 1, 2, 2],
           [1, 1, 2, 2]])

    A third, weaker boundary splits off column 3:

    >>> affs[0, :, 2] = 0.3  # a weaker boundary between columns 2 and 3
    >>> segment(affs, offsets)
    array([[1, 1, 2, 3],
           [1, 1, 2, 3]])

    With ``min_size=3``, column 2 joins the neighbour it repels least (column 3):

    >>> segment(affs, offsets, min_size=3)
    array([[1, 1, 2, 2],
           [1, 1, 2, 2]])
    """
    a = _as_affinities(affinities, offsets)
    shape = a.shape[1:]
    b = _check_beta(beta)
    if not isinstance(weights, str) or weights not in ("linear", "logit"):
        raise GaspValueError(f"weights must be 'linear' or 'logit', got {weights!r}")
    local_merge = _as_bool("local_merge", local_merge)
    min_size = _as_int("min_size", min_size, minimum=0)
    normalize_linkage(linkage)  # fail early, before building the graph

    offs = _as_offsets(offsets, len(shape))
    g = grid_graph(shape, offs, mask=mask, long_range_fraction=long_range_fraction, seed=seed)
    if local_merge and np.all(np.abs(offs).sum(axis=1) != 1):
        raise GaspValueError(
            "local_merge=True needs at least one direct-neighbour offset (L1 norm 1) in offsets, "
            f"got {offs.tolist()}; pass local_merge=False to let every edge merge"
        )
    w = _signed_weights(g.gather(a), b, weights)
    problem = prepare(
        g.edges,
        w,
        n_nodes=g.n_nodes,
        linkage=linkage,
        cannot_link=cannot_link,
        lifted=g.lifted if local_merge else None,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
    )
    labels, _, _, _ = _control.run(
        problem, progress=progress, callback=callback, callback_every=callback_every
    )
    if mask is not None:
        inside = np.asarray(mask, dtype=bool).ravel()
        labels = _first_occurrence(np.where(inside, labels, -1))
    if min_size > 1 and labels.size:
        n_labels = int(labels.max()) + 1
        if local_merge:
            sel = ~g.lifted
            labels = _merge_small_segments(labels, n_labels, g.edges[sel], w[sel], min_size)
        else:
            labels = _merge_small_segments(labels, n_labels, g.edges, w, min_size)
    return (labels + 1).reshape(shape)
