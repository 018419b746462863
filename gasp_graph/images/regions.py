"""Region graphs: the graph of an over-segmentation, with the statistics every linkage needs.

:func:`region_graph` contracts the pixel graph of :func:`gasp_graph.affinities.grid_graph` along
a label image (superpixels).  For every pair of regions joined by at least one pixel edge it keeps
the count, sum, maximum and minimum of the signed weights of those pixel edges, how many of them
are direct-neighbour (local) edges, and three pixel-edge indices that reproduce the engine's
tie-breaking order.  That is everything GASP's pair edge holds after the pixel edges between two
clusters have folded, so GASP on the region graph of a partition reached by a pixel-level run
continues exactly as the pixel-level run (the user guide page "From an image to segments" states
the claim, its proof and its exception).

The work is vectorised per offset: the pixel edges of one offset form a box of the grid, the
edges inside one region are dropped at once, and only the edges between two regions are kept;
the C core groups them by region pair (a counting sort, O(edges + regions)) and reduces each
group in one pass.  Memory: the label image as node ids, plus about 50 bytes per pixel edge
between two different regions.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _core
from .._validation import _as_bool
from ..exceptions import GaspTypeError, GaspValueError
from .grid import _as_fraction, _as_mask, _as_offsets, offset_boxes, sampling_rng
from .labels import first_occurrence

__all__ = ["RegionGraph", "region_graph"]

# Linkages whose pair value is a function of these statistics (the others depend on the merge
# history or on a parameter the statistics do not carry).
REGION_LINKAGES = ("sum", "average", "max", "min", "abs_max")


class RegionGraph(NamedTuple):
    """The region adjacency graph of a label image, as returned by :func:`region_graph`.

    Nodes are the regions (distinct non-zero labels inside the mask) in increasing label order;
    edges join two regions linked by at least one pixel edge, ``edges[i, 0] < edges[i, 1]``,
    ordered by ``first``.  A *pixel edge index* is the index of that edge in
    :func:`~gasp_graph.affinities.grid_graph`'s edge list of the same grid, offsets, mask and
    sampling.

    Attributes
    ----------
    edges : ndarray of int64, shape (m, 2)
        Node ids of every region pair.
    n_nodes : int
        Number of regions.
    node_labels : ndarray of int64 (uint64 for labels above 2**63), shape (n_nodes,)
        The label of every node in the label image (increasing).
    node_sizes : ndarray of int64, shape (n_nodes,)
        Pixels per region.
    count : ndarray of int64, shape (m,)
        Pixel edges between the two regions.
    sum, max, min : ndarray of float64, shape (m,)
        Sum, largest and smallest weight over those pixel edges.
    local_count : ndarray of int64, shape (m,)
        How many of them are direct-neighbour edges (offsets of L1 norm 1).
    local_sum : ndarray of float64, shape (m,)
        The sum of their weights.
    first : ndarray of int64, shape (m,)
        Smallest pixel edge index between the two regions.
    argmax, argmin : ndarray of int64, shape (m,)
        Smallest pixel edge index whose weight equals ``max`` (``min``).
    pixel_nodes : ndarray of int64, shape spatial_shape
        The node of every pixel, -1 for ignored pixels (label 0 or outside the mask).
    """

    edges: np.ndarray
    n_nodes: int
    node_labels: np.ndarray
    node_sizes: np.ndarray
    count: np.ndarray
    sum: np.ndarray
    max: np.ndarray
    min: np.ndarray
    local_count: np.ndarray
    local_sum: np.ndarray
    first: np.ndarray
    argmax: np.ndarray
    argmin: np.ndarray
    pixel_nodes: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Mean weight of every region pair (``sum / count``)."""
        return self.sum / self.count

    @property
    def local(self) -> np.ndarray:
        """True for the region pairs joined by at least one direct-neighbour pixel edge."""
        return self.local_count > 0

    @property
    def abs_max(self) -> np.ndarray:
        """The weight of largest magnitude (of two opposite ones of equal magnitude, the
        negative one): the ``abs_max`` linkage value of every region pair."""
        return np.where(np.abs(self.max) > np.abs(self.min), self.max, self.min)

    @property
    def arg_abs_max(self) -> np.ndarray:
        """Smallest pixel edge index whose weight equals ``abs_max``."""
        return np.where(np.abs(self.max) > np.abs(self.min), self.argmax, self.argmin)

    def problem(self, linkage="average", *, local_merge=True) -> dict:
        """The keyword arguments of :func:`gasp_graph.gasp` / :func:`gasp_graph.agglomerate`
        that run GASP on this region graph.

        The region edges come in the order of the pixel edge each one's pair edge would carry
        in a pixel-level run (``first``; for ``max``, ``min``, ``abs_max`` the index carrying
        the value), with the folded value of every pixel edge between the two regions as
        weight: ``sum`` (edge size 1), ``mean`` (edge size ``count``), ``max``, ``min`` or
        ``abs_max``.  Node sizes are the region sizes in pixels (used by
        ``size_regularizer``).

        Parameters
        ----------
        linkage : {"sum", "average", "max", "min", "abs_max"}, default "average"
            Aliases as in :func:`gasp_graph.gasp`.
        local_merge : bool, default True
            Region pairs joined by long-range pixel edges only are lifted (they never merge by
            themselves); with False every edge can merge.

        Returns
        -------
        dict
            ``edges``, ``weights``, ``edge_sizes``, ``lifted``, ``n_nodes``, ``node_sizes``,
            ``linkage``; add any other option of :func:`gasp_graph.gasp`.

        Examples
        --------
        >>> import numpy as np
        >>> from gasp_graph import gasp
        >>> from gasp_graph.affinities import region_graph
        >>> sp = np.array([[1, 1, 2, 2, 3, 3]])
        >>> affs = np.array([[[0.9, 0.3, 0.9, 0.7, 0.9, 0.0]]])
        >>> rg = region_graph(sp, affs, [[0, 1]])
        >>> kw = rg.problem("average")
        >>> kw["edges"].tolist(), kw["weights"].round(6).tolist()
        ([[0, 1], [1, 2]], [-0.2, 0.2])
        >>> rg.pixel_labels(gasp(**kw))
        array([[1, 1, 2, 2, 2, 2]])
        """
        from .._validation import normalize_linkage

        name = normalize_linkage(linkage)
        if name not in REGION_LINKAGES:
            raise GaspValueError(
                f"linkage={linkage!r} has no exact region-graph form (its pair value depends on "
                "the merge history or on linkage_param); use one of "
                f"{', '.join(REGION_LINKAGES)}"
            )
        local_merge = _as_bool("local_merge", local_merge)
        sizes = None
        if name == "sum":
            value, tie = self.sum, self.first
        elif name == "average":
            value, tie = self.mean, self.first
            sizes = self.count.astype(np.float64)
        elif name == "max":
            value, tie = self.max, self.argmax
        elif name == "min":
            value, tie = self.min, self.argmin
        else:
            value, tie = self.abs_max, self.arg_abs_max
        order = np.argsort(tie, kind="stable")
        return dict(
            edges=self.edges[order],
            weights=value[order],
            edge_sizes=None if sizes is None else sizes[order],
            lifted=~self.local[order] if local_merge else None,
            n_nodes=self.n_nodes,
            node_sizes=self.node_sizes.astype(np.float64),
            linkage=name,
        )

    def pixel_labels(self, labels) -> np.ndarray:
        """Turn node labels (one per region) into an image: ``1 .. k`` numbered by first
        occurrence in C order, 0 for ignored pixels.

        Examples
        --------
        >>> import numpy as np
        >>> from gasp_graph.affinities import region_graph
        >>> rg = region_graph(np.array([[5, 5, 0, 7]]), np.ones((1, 1, 4)), [[0, 1]])
        >>> rg.pixel_labels([3, 3])
        array([[1, 1, 0, 1]])
        """
        lab = np.asarray(labels)
        if lab.shape != (self.n_nodes,) or lab.dtype.kind not in "iu":
            raise GaspValueError(
                f"labels must be integers of shape ({self.n_nodes},) (one per region), got "
                f"shape {lab.shape} and dtype {lab.dtype}"
            )
        nodes = self.pixel_nodes
        inside = nodes >= 0
        out = np.full(nodes.shape, -1, dtype=np.int64)
        out[inside] = lab[nodes[inside]]
        return (first_occurrence(out.ravel()) + 1).reshape(nodes.shape)


# --------------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------------

def as_superpixels(superpixels, shape):
    """Validate a label image of the given spatial shape: non-negative integers."""
    try:
        sp = np.asarray(superpixels)
    except Exception as exc:
        raise GaspTypeError(f"superpixels could not be read as an array: {exc}") from None
    if sp.shape != tuple(shape):
        raise GaspValueError(
            f"superpixels must have the affinities' spatial shape {tuple(shape)}, got shape "
            f"{sp.shape}"
        )
    if sp.dtype.kind not in "iu":
        if sp.dtype.kind == "b":
            sp = sp.astype(np.int64)
        else:
            raise GaspTypeError(f"superpixels must hold integer labels, got dtype {sp.dtype}")
    if sp.size and sp.dtype.kind == "i" and sp.min() < 0:
        first = int(np.flatnonzero(sp.ravel() < 0)[0])
        idx = tuple(int(i) for i in np.unravel_index(first, sp.shape))
        raise GaspValueError(
            f"superpixels{list(idx)} = {int(sp[idx])}: labels must be >= 0 (0 = ignored)"
        )
    return sp


def _node_ids(sp, msk):
    """(pixel_nodes, node_labels, node_sizes): node of every pixel (-1 = ignored), in
    increasing label order."""
    flat = sp.ravel()
    valid = flat != 0
    if msk is not None:
        valid &= msk.ravel()
    vals = flat[valid]
    nodes = np.full(flat.shape, -1, dtype=np.int64)
    if vals.size == 0:
        return nodes.reshape(sp.shape), np.zeros(0, np.int64), np.zeros(0, np.int64)
    top = int(vals.max())  # a Python int: uint64 labels above 2**63 do not wrap
    if top <= 4 * vals.size + 1024:  # dense labels: counting, O(n + top)
        vals = vals.astype(np.int64)
        sizes = np.bincount(vals, minlength=top + 1)
        present = sizes > 0
        rank = np.cumsum(present) - 1
        nodes[valid] = rank[vals]
        labels = np.flatnonzero(present).astype(np.int64)
        return nodes.reshape(sp.shape), labels, sizes[present].astype(np.int64)
    labels, inv, sizes = np.unique(vals, return_inverse=True, return_counts=True)
    nodes[valid] = inv.reshape(-1)
    # labels above 2**63 (uint64) cannot be int64 node labels: they keep their own dtype
    if labels.dtype == np.uint64 and int(labels[-1]) > np.iinfo(np.int64).max:
        return nodes.reshape(sp.shape), labels, sizes.astype(np.int64)
    return nodes.reshape(sp.shape), labels.astype(np.int64), sizes.astype(np.int64)


def build_region_graph(sp, values, offs, msk, fraction=None, rng=None, transform=None):
    """The region graph of validated inputs.

    ``values`` (n_offsets, *shape) holds per-channel values; ``transform(channel_values)`` (for
    example the probability -> weight map) is applied to the values of the edges between two
    regions only.  ``fraction``/``rng`` sample the long-range edges exactly as grid_graph does.
    """
    shape = sp.shape
    nodes, node_labels, node_sizes = _node_ids(sp, msk)
    n = int(node_labels.size)
    is_long = np.abs(offs).sum(axis=1) != 1
    us, vs, ws, ids, locs = [], [], [], [], []
    base = 0
    for k, src_sl, tgt_sl, keep in offset_boxes(shape, offs, msk, fraction, rng):
        a = nodes[src_sl].ravel()
        b = nodes[tgt_sl].ravel()
        if keep is None:
            n_kept = a.size
            cross = np.flatnonzero((a != b) & (a >= 0) & (b >= 0))
            pos = cross
        else:
            kept = np.flatnonzero(keep)
            n_kept = kept.size
            a, b = a[kept], b[kept]
            sel = np.flatnonzero((a != b) & (a >= 0) & (b >= 0))
            cross, pos = kept[sel], sel
        vals = values[k][src_sl].ravel()[cross]
        if transform is not None:
            vals = transform(vals)
        us.append(a[pos])
        vs.append(b[pos])
        ws.append(np.asarray(vals, dtype=np.float64))
        ids.append(base + pos)
        locs.append(np.full(pos.size, not is_long[k]))
        base += n_kept
    u = np.concatenate(us) if us else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    w = np.concatenate(ws) if ws else np.zeros(0)
    eid = np.concatenate(ids).astype(np.int64) if ids else np.zeros(0, np.int64)
    loc = np.concatenate(locs) if locs else np.zeros(0, bool)
    del us, vs, ws, ids, locs
    # pairs numbered by first occurrence: the edges come out ordered by their smallest pixel edge
    r = _core.region_reduce(n, u, v, w, eid, loc)
    return RegionGraph(
        edges=r["edges"],
        n_nodes=n,
        node_labels=node_labels,
        node_sizes=node_sizes,
        count=r["count"],
        sum=r["sum"],
        max=r["max"],
        min=r["min"],
        local_count=r["local_count"],
        local_sum=r["local_sum"],
        first=r["first"],
        argmax=r["argmax"],
        argmin=r["argmin"],
        pixel_nodes=nodes,
    )


def region_graph(superpixels, affinities, offsets, *, mask=None, beta=0.5, kind="linear",
                 long_range_fraction=None, seed=None) -> RegionGraph:
    """The region adjacency graph of an over-segmentation, with exact per-edge statistics.

    Two regions (superpixels) are joined when at least one pixel edge of
    :func:`~gasp_graph.affinities.grid_graph` links them; the edge keeps the count, sum, max and
    min of the signed weights ``signed_weights(affinities, beta=beta, kind=kind)`` of those pixel
    edges, how many of them join direct neighbours, and the pixel edge indices that decide ties.
    Regions joined only by long-range pixel edges get a *lifted* edge.  These statistics are
    exactly what GASP's pair edge holds once every pixel edge between two clusters has folded,
    so GASP on the region graph of a partition reached by a pixel-level GASP run continues that
    run exactly (see Notes).

    Parameters
    ----------
    superpixels : array_like of int, shape spatial_shape
        Region labels, any non-negative integers (a region need not be connected); 0 marks
        pixels to ignore.
    affinities : array_like of float, shape ``(n_offsets, *spatial_shape)``
        Probabilities in [0, 1] that ``p`` and ``p + offsets[k]`` belong together, as in
        :func:`~gasp_graph.affinities.segment`.
    offsets : array_like of int, shape (n_offsets, ndim)
        The offsets of the channels, see :func:`~gasp_graph.affinities.grid_graph`.
    mask : array_like of bool, shape spatial_shape, optional
        Pixels to use; the others are ignored like label 0.
    beta : float in (0, 1), default 0.5
        The boundary bias of :func:`gasp_graph.signed_weights`.
    kind : {"linear", "logit"}, default "linear"
        The probability-to-weight map of :func:`gasp_graph.signed_weights`.
    long_range_fraction : float in [0, 1], optional
        Keep each long-range pixel edge with this probability, drawn exactly as
        :func:`~gasp_graph.affinities.grid_graph` draws them (same ``seed``, same edges).
    seed : None, int or numpy.random.Generator
        Randomness of the sampling.

    Returns
    -------
    RegionGraph
        Named tuple with ``edges``, ``n_nodes``, ``node_labels``, ``node_sizes``, ``count``,
        ``sum``, ``max``, ``min``, ``local_count``, ``local_sum``, ``first``, ``argmax``,
        ``argmin``, ``pixel_nodes``; the properties ``mean``, ``local``, ``abs_max``,
        ``arg_abs_max``; :meth:`RegionGraph.problem` (GASP's arguments for a linkage) and
        :meth:`RegionGraph.pixel_labels` (node labels back to an image).

    Raises
    ------
    GaspValueError, GaspTypeError
        Superpixels of another shape, negative or non-integer labels; the errors of
        :func:`~gasp_graph.affinities.segment` for affinities, offsets, mask, beta and kind.

    See Also
    --------
    segment : ``segment(affinities, offsets, superpixels=labels)`` runs GASP on this graph.
    pre_merge : superpixels that are safe to contract before GASP.

    Notes
    -----
    *Exactness.*  Stop a pixel-level GASP run (linkage ``sum``, ``average``, ``max``, ``min``
    or ``abs_max``; lifted edges and size regulariser allowed) after any number of merges and
    take its partition as ``superpixels``.  GASP on this region graph (arguments from
    :meth:`RegionGraph.problem`) then makes the same remaining merges in the same order, with
    the same linkage values, and returns the same segmentation.  The reason: every fold rule
    is associative and commutative, and the id that breaks ties is the smallest pixel edge
    index folded into a pair (for ``max``, ``min``, ``abs_max`` the smallest one carrying the
    value), which is how :meth:`RegionGraph.problem` orders the region edges.  Two limits:
    sums and means are rounded differently when computed in another order, so ``sum`` and
    ``average`` continue exactly up to floating-point rounding (bit for bit when the weight
    sums are exact, for example weights that are multiples of a power of two); and with
    ``cannot_link=True`` a constraint installed before the stop is part of the run's state
    but not of the partition, so the property holds for stops before the first constraint.
    ``generalized_mean`` and ``smooth_max`` have no region form here.

    Examples
    --------
    Three regions in a row; regions 1 and 3 only see each other through the long-range offset:

    >>> import numpy as np
    >>> from gasp_graph.affinities import region_graph
    >>> sp = np.array([[1, 1, 2, 2, 3, 3]])
    >>> affs = np.full((2, 1, 6), 0.9)
    >>> affs[0, 0, 1] = 0.2   # (0,1)-edge from pixel 1 to pixel 2: across the 1|2 boundary
    >>> affs[1, 0, 1] = 0.0   # (0,3)-edge from pixel 1 to pixel 4: region 1 to region 3
    >>> rg = region_graph(sp, affs, [[0, 1], [0, 3]])
    >>> rg.edges.tolist(), rg.count.tolist(), rg.local.tolist()
    ([[0, 1], [1, 2], [0, 2]], [2, 2, 1], [True, True, False])
    >>> rg.mean.round(3).tolist(), rg.first.tolist()
    ([0.05, 0.4, -0.5], [1, 3, 6])
    """
    from ..weights import _check_options, _transform
    from .segment import _LOGIT_EPS, _as_affinities

    a = _as_affinities(affinities, offsets)
    shape = a.shape[1:]
    sp = as_superpixels(superpixels, shape)
    offs = _as_offsets(offsets, len(shape))
    msk = _as_mask(mask, shape)
    fraction = _as_fraction(long_range_fraction)
    _check_options(beta, kind, _LOGIT_EPS)
    b = float(beta)
    rng = sampling_rng(seed, fraction)
    return build_region_graph(
        sp, a, offs, msk, fraction, rng,
        transform=lambda p: _transform(p.astype(np.float64), b, kind, _LOGIT_EPS),
    )
