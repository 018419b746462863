"""``segment``: GASP on an image or volume from affinities.

The grid graph of :func:`gasp_graph.images.grid.grid_graph` (or the region graph of superpixels,
:mod:`gasp_graph.images.regions`, optionally from the pre-merge of
:mod:`gasp_graph.images.premerge`), the affinities mapped to signed weights
(:func:`gasp_graph.signed_weights`), the engine, and an optional clean-up of small segments
(:mod:`gasp_graph.images.cleanup`).
"""
from __future__ import annotations

import numpy as np

from .. import _control
from .._validation import _as_bool, _as_float, _as_int, normalize_linkage, prepare, prepare_grid
from ..exceptions import GaspTypeError, GaspValueError
from .boundary import _boundary_map
from .cleanup import CLEANUPS, merge_small_segments, watershed_small_segments
from .grid import (
    _as_fraction,
    _as_mask,
    _as_offsets,
    build_grid_graph,
    is_long_range,
    sample_long_range,
    sampling_rng,
)
from .labels import first_occurrence

__all__ = ["segment"]

# Probabilities are clipped to [_LOGIT_EPS, 1 - _LOGIT_EPS] before the logit, so that affinities
# of exactly 0 or 1 give finite weights (|logit| <= 13.8).
_LOGIT_EPS = 1e-6


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------

def _check_beta(beta):
    if isinstance(beta, str) and beta == "auto":
        return beta
    b = _as_float("beta", beta)
    if not 0.0 < b < 1.0:
        raise GaspValueError(f"beta must lie strictly between 0 and 1, got {b!r}")
    return b


def _signed_weights(p, beta: float, kind: str) -> np.ndarray:
    """Signed edge weights from probabilities p of 'same object' (gasp_graph.signed_weights:
    ``"linear"``: ``p - beta``; ``"logit"``: ``logit(p) - logit(beta)``, p clipped to
    ``[_LOGIT_EPS, 1 - _LOGIT_EPS]``)."""
    from ..weights import signed_weights

    return signed_weights(p, beta=beta, kind=kind, eps=_LOGIT_EPS)


def _kind(kind, weights):
    """``kind``, or the deprecated ``weights=`` spelling of it (FutureWarning)."""
    if weights is not None:
        import warnings

        if kind != "linear":
            raise GaspTypeError(
                f"kind={kind!r} and weights={weights!r} both given; weights= is the deprecated "
                "spelling of kind=: pass kind= only"
            )
        warnings.warn(
            "segment(weights=...) is deprecated and will be removed in the next release; use "
            f"kind={weights!r} (the spelling of gasp_graph.signed_weights)",
            FutureWarning,
            stacklevel=3,
        )
        kind = weights
        name = "weights"
    else:
        name = "kind"
    if not isinstance(kind, str) or kind not in ("linear", "logit"):
        raise GaspValueError(f"{name} must be 'linear' or 'logit', got {kind!r}")
    return kind


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
        for k in range(a.shape[0]):  # one channel at a time: small temporaries
            bad = ~((a[k] >= 0) & (a[k] <= 1))  # also catches NaN
            if bad.any():
                first = int(np.flatnonzero(bad.ravel())[0])
                idx = (k,) + tuple(int(i) for i in np.unravel_index(first, a.shape[1:]))
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
    kind="linear",
    weights=None,
    linkage="average",
    cannot_link=False,
    local_merge=True,
    long_range_fraction=None,
    mask=None,
    seed=None,
    min_size=0,
    cleanup="merge",
    superpixels=None,
    pre_merge=False,
    merge_constrained_at_end=False,
    size_regularizer=0.0,
    linkage_param=None,
    n_clusters=None,
    min_clusters=None,
    progress=False,
    callback=None,
    callback_every=1000,
):
    """Segment an image or volume from affinities with GASP.

    Builds the grid graph of :func:`grid_graph` (or, with ``superpixels`` or ``pre_merge``, the
    region graph of an over-segmentation), turns the affinity of every edge into a signed
    weight, runs GASP, and optionally cleans up segments smaller than ``min_size`` pixels.

    Parameters
    ----------
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        ``affinities[k, p]`` in [0, 1] is the probability that pixel ``p`` and pixel
        ``p + offsets[k]`` belong to the same object (1 = same object; the convention of the
        mutex watershed, affogato and elf).  Values at pixels whose partner lies outside the
        image are ignored.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels; see :func:`grid_graph`.
    beta : float in (0, 1) or "auto", default 0.5
        Boundary bias: affinities above ``beta`` attract, below repel.  Larger values give more
        (smaller) segments.  ``"auto"`` chooses it without labels with
        :func:`gasp_graph.select_beta` (the modularity of the mergeable edges weighted by their
        affinities, over every bias at once from one merge tree; needs a shift-equivariant
        linkage and no cannot-link constraints or size regulariser), then segments with it.
    kind : {"linear", "logit"}, default "linear"
        The mapping of affinities to signed weights, as in :func:`gasp_graph.signed_weights`:
        ``"linear"``: ``w = p - beta``; ``"logit"``: ``w = log(p / (1 - p)) - log(beta / (1 -
        beta))`` with ``p`` clipped to ``[1e-6, 1 - 1e-6]``.
    weights : {"linear", "logit"}, optional
        Deprecated spelling of ``kind`` (emits FutureWarning; it will be removed in the next
        release).
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
        After GASP, clean up every segment of fewer than ``min_size`` pixels, see ``cleanup``
        and Notes.
    cleanup : {"merge", "watershed"}, default "merge"
        How small segments are removed: ``"merge"`` merges each into its most attractive
        neighbour; ``"watershed"`` deletes them and grows the other segments back over them
        with a seeded watershed on the boundary map, so that every segment left is connected
        and has at least ``min_size`` pixels.  See Notes.
    superpixels : array_like of int, shape spatial_shape, optional
        An over-segmentation (labels, 0 = ignore): GASP runs on its region graph
        (:func:`region_graph`) instead of the pixel grid, and the result is mapped back to
        pixels.  Pixels with label 0 get label 0 like pixels outside ``mask``.
    pre_merge : bool, default False
        Run GASP on the region graph of :func:`pre_merge` (default threshold): the pixels far
        from any boundary are contracted first, which makes large volumes much cheaper.  For
        another threshold, call :func:`pre_merge` and pass its result as ``superpixels``.
    merge_constrained_at_end, size_regularizer, linkage_param, n_clusters, min_clusters
        Passed to the engine, see :func:`gasp_graph.gasp` (node sizes are 1 per pixel):
        ``n_clusters=k`` gives exactly ``k`` segments (before ``min_size``), ``min_clusters=k``
        stops GASP early at ``k``.
    progress, callback, callback_every
        Progress display and early stop, see :func:`gasp_graph.gasp`.  A callback that stops
        the run gives the segments reached so far (``min_size`` is still applied).  On a region
        graph, merges and clusters count regions.

    Returns
    -------
    labels : ndarray of int64, shape spatial_shape
        Segment labels ``1 .. k`` numbered by first occurrence in C order; 0 marks pixels
        outside ``mask`` and, with ``superpixels``, pixels of superpixel label 0 (and only
        those).

    Raises
    ------
    GaspValueError, GaspTypeError
        Invalid arguments (see :func:`grid_graph` and :func:`gasp_graph.gasp`); affinities
        outside [0, 1] or NaN; ``local_merge=True`` with no direct-neighbour offset; both
        ``superpixels`` and ``pre_merge=True``; with superpixels, a linkage without an exact
        region form (``generalized_mean``, ``smooth_max``).

    See Also
    --------
    grid_graph : the graph used here.
    region_graph : the graph used with ``superpixels`` or ``pre_merge``.
    pre_merge : the pre-merge superpixels.
    boundary_affinities : affinities from a plain image.
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
    linkage="abs_max", local_merge=False)`` with ``a = a_prob - beta`` (``kind="linear"``).
    mwatershed labels unmerged pixels 0; relabel them before comparing.

    *Superpixels.*  With ``superpixels`` (or ``pre_merge=True``) GASP runs on
    :func:`region_graph`, whose edges carry the folded value of every pixel edge between two
    regions and the pixel-edge order for ties.  When the superpixels are the partition that a
    pixel-level run reaches after some merges, the result is exactly the pixel-level result
    (linkages ``sum``, ``average``, ``max``, ``min``, ``abs_max``; see :func:`region_graph` for
    the two limits); one pixel per superpixel gives exactly the pixel-level result.
    ``n_clusters`` and ``min_clusters`` count segments inside the mask, on both paths.

    *Small segments, "merge"* (``min_size > 1``).  The segment with the fewest pixels below the
    threshold (ties: lowest label) is merged into the neighbouring segment with the highest
    *mean* weight over the mergeable edges joining the two (ties: lowest label); sizes and
    boundaries are updated and the process repeats until every segment has at least
    ``min_size`` pixels or has no neighbour.  Neighbours are segments joined by a mergeable
    edge (a direct-neighbour edge with ``local_merge=True``, any edge otherwise), so segments
    stay connected.  The mean, unlike the sum, does not favour a neighbour for a long but weak
    boundary.  The region adjacency graph is built vectorised from the edges touching small
    segments; the merge loop runs in Python over those segments only (not over pixels).

    *Small segments, "watershed".*  Every segment is split into its connected components
    (direct neighbours); the components of at least ``min_size`` pixels are kept as seeds (in
    a connected piece of the mask without one, its largest component is the seed) and every
    other pixel is flooded from them with a seeded watershed on the boundary map of the
    direct-neighbour affinities (:func:`boundary_map` over those channels): lowest boundary
    value first, ties first in, first out.  Every segment left is connected and has at least
    ``min_size`` pixels (unless its piece of the mask is smaller), deterministically.  This is
    the clean-up of the GASP paper's full-volume experiments.

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

    On superpixels (here: columns), GASP runs on their region graph:

    >>> columns = np.array([[1, 2, 3, 4], [1, 2, 3, 4]])
    >>> segment(affs, offsets, superpixels=columns)
    array([[1, 1, 2, 3],
           [1, 1, 2, 3]])
    """
    a = _as_affinities(affinities, offsets)
    shape = a.shape[1:]
    b = _check_beta(beta)
    kind = _kind(kind, weights)
    local_merge = _as_bool("local_merge", local_merge)
    min_size = _as_int("min_size", min_size, minimum=0)
    if not isinstance(cleanup, str) or cleanup not in CLEANUPS:
        raise GaspValueError(f"cleanup must be 'merge' or 'watershed', got {cleanup!r}")
    pre_merge = _as_bool("pre_merge", pre_merge)
    normalize_linkage(linkage)  # fail early, before building the graph

    offs = _as_offsets(offsets, len(shape))
    if pre_merge or superpixels is not None:
        return _segment_regions(
            a, offs, superpixels, pre_merge, b, kind, linkage, local_merge, mask,
            long_range_fraction, seed, min_size, cleanup,
            dict(cannot_link=cannot_link, merge_constrained_at_end=merge_constrained_at_end,
                 size_regularizer=size_regularizer, n_clusters=n_clusters,
                 min_clusters=min_clusters, linkage_param=linkage_param),
            dict(progress=progress, callback=callback, callback_every=callback_every),
        )
    msk = _as_mask(mask, shape)
    sampling = sample_long_range(shape, offs, msk, _as_fraction(long_range_fraction), seed)
    long_range = is_long_range(offs)
    if local_merge and np.all(long_range):
        raise GaspValueError(
            "local_merge=True needs at least one direct-neighbour offset (L1 norm 1) in offsets, "
            f"got {offs.tolist()}; pass local_merge=False to let every edge merge"
        )
    g = None  # the explicit edge list, built only for what needs one (beta="auto", min_size)
    if b == "auto":
        from ..points import select_beta

        if cannot_link or size_regularizer:
            raise GaspValueError(
                "beta='auto' needs one merge tree to answer every bias, which cannot-link "
                "constraints and a size regulariser prevent; give beta a number instead"
            )
        g = build_grid_graph(shape, offs, msk, sampling)
        b = select_beta(g.edges, g.gather(a), n_nodes=g.n_nodes,
                        lifted=g.lifted if local_merge else None, kind=kind, eps=_LOGIT_EPS,
                        linkage=linkage, linkage_param=linkage_param).beta
    if msk is not None:
        # pixels outside the mask are isolated nodes of the grid graph: the cluster counts
        # given by the caller count segments inside the mask only
        n_out = int(msk.size - np.count_nonzero(msk))
        if n_clusters is not None:
            n_clusters = _as_int("n_clusters", n_clusters, minimum=1) + n_out
        if min_clusters is not None:
            min_clusters = _as_int("min_clusters", min_clusters, minimum=1) + n_out
    # The engine enumerates the edges of grid_graph(...) itself, in its order, and maps the
    # affinities with signed_weights' function: the partition of that explicit edge list.
    problem = prepare_grid(
        a,
        offs,
        mask=msk,
        lifted=long_range & local_merge,
        sampled=sampling.sampled,
        keep_bits=sampling.keep_bits,
        n_edges=int(sampling.counts.sum()),
        beta=b,
        kind=kind,
        eps=_LOGIT_EPS,
        linkage=linkage,
        cannot_link=cannot_link,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
        min_clusters=min_clusters,
    )
    labels, _, _, _ = _control.run(
        problem, progress=progress, callback=callback, callback_every=callback_every
    )
    del problem
    if mask is not None:
        inside = np.asarray(mask, dtype=bool).ravel()
        labels = first_occurrence(np.where(inside, labels, -1))
    if min_size > 1 and labels.size and cleanup == "watershed":
        return _watershed_clean_up((labels + 1).reshape(shape), a, offs, mask, min_size)
    if min_size > 1 and labels.size:
        if g is None:
            g = build_grid_graph(shape, offs, msk, sampling)
        w = _signed_weights(g.gather(a), b, kind)
        n_labels = int(labels.max()) + 1
        if local_merge:
            sel = ~g.lifted
            labels = merge_small_segments(labels, n_labels, g.edges[sel], w[sel], min_size)
        else:
            labels = merge_small_segments(labels, n_labels, g.edges, w, min_size)
    return (labels + 1).reshape(shape)


# --------------------------------------------------------------------------------------------
# Superpixels and clean-up
# --------------------------------------------------------------------------------------------

def _watershed_clean_up(labels, a, offs, mask, min_size):
    """cleanup="watershed" on an image of labels 1..k (0 outside the mask); the relief is the
    boundary map of the direct-neighbour channels (of every channel when there is none)."""
    msk = _as_mask(mask, labels.shape)
    local = [k for k, o in enumerate(offs.tolist()) if sum(abs(x) for x in o) == 1]
    height = _boundary_map(a, offs, msk, channels=local or None)
    inside = labels > 0
    return watershed_small_segments(labels, height, min_size, inside)


def _segment_regions(a, offs, superpixels, pre_merge, beta, kind, linkage, local_merge, mask,
                     long_range_fraction, seed, min_size, cleanup, engine, run):
    """segment() on the region graph of superpixels (given, or from the pre-merge)."""
    from ..weights import _transform
    from .premerge import pre_merge as _pre_merge
    from .regions import as_superpixels, build_region_graph

    shape = a.shape[1:]
    if isinstance(beta, str):
        raise GaspValueError(
            "beta='auto' is not available with superpixels or pre_merge=True (it selects the "
            "bias on the pixel graph); give beta a number"
        )
    if pre_merge:
        if superpixels is not None:
            raise GaspValueError("give superpixels or pre_merge=True, not both")
        sp = _pre_merge(a, offs, mask=mask)
    else:
        sp = as_superpixels(superpixels, shape)
    msk = _as_mask(mask, shape)
    fraction = _as_fraction(long_range_fraction)
    rng = sampling_rng(seed, fraction)
    if local_merge and np.all(np.abs(offs).sum(axis=1) != 1):
        raise GaspValueError(
            "local_merge=True needs at least one direct-neighbour offset (L1 norm 1) in offsets, "
            f"got {offs.tolist()}; pass local_merge=False to let every edge merge"
        )
    rg = build_region_graph(
        sp, a, offs, msk, fraction, rng,
        transform=lambda p: _transform(p.astype(np.float64), beta, kind, _LOGIT_EPS),
    )
    kw = rg.problem(linkage, local_merge=local_merge)
    problem = prepare(
        kw["edges"], kw["weights"], n_nodes=rg.n_nodes, linkage=kw["linkage"],
        lifted=kw["lifted"], edge_sizes=kw["edge_sizes"], node_sizes=kw["node_sizes"], **engine,
    )
    node_labels, _, _, _ = _control.run(problem, **run)
    labels = rg.pixel_labels(node_labels)
    if min_size <= 1 or rg.n_nodes == 0:
        return labels
    if cleanup == "watershed":
        return _watershed_clean_up(labels, a, offs, mask, min_size)
    # "merge" on the region graph: the pixel-level rule, with labels numbered as on pixels
    inside = rg.pixel_nodes >= 0
    node_seg = np.empty(rg.n_nodes, dtype=np.int64)
    node_seg[rg.pixel_nodes[inside]] = labels[inside] - 1
    sel = rg.local_count > 0 if local_merge else np.ones(rg.edges.shape[0], bool)
    sums = rg.local_sum if local_merge else rg.sum
    counts = rg.local_count if local_merge else rg.count
    merged = merge_small_segments(
        node_seg, int(node_seg.max()) + 1, rg.edges[sel], sums[sel], min_size,
        node_sizes=rg.node_sizes, edge_counts=counts[sel],
    )
    return rg.pixel_labels(merged)
