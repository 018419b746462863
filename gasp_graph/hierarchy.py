"""The merge hierarchy: merge trees, scipy linkage matrices, edge heights and threshold sweeps.

GASP is agglomerative: it merges the pair of clusters with the highest linkage value ``W`` until
no positive value is left.  :func:`agglomerate` records that sequence (and, by default, keeps
merging past zero until every connected component is one cluster) in a :class:`MergeTree`; the
tree answers "what would GASP return at threshold ``t``?" without rerunning whenever the linkage
is invariant to shifting every weight (see :attr:`MergeTree.exact_sweep`).  :func:`partitions`
sweeps a list of thresholds over a networkx graph or a scipy sparse matrix, from one tree when that
is exact and by reruns otherwise.

Internally a tree is turned once into a *leaf order* (a permutation of the nodes in which every
cluster of the tree is a contiguous run) and, for every pair of neighbouring leaves, the index of
the merge that first joins them.  Every cut of the tree is then a set of boundaries in that order
(O(n) per cut), and the merge at which two nodes join is a range maximum (O(n + m) for all edges).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _control, _core
from ._validation import _array, _as_float, _as_int, prepare
from .exceptions import GaspTypeError, GaspValueError
from .graphs import GRAPH_KINDS, from_graph, is_graph, to_sets
from .graphs._null import graph_node_weights

__all__ = ["MergeTree", "agglomerate", "partitions"]

# Linkages whose value is shift-equivariant (W(w - t) == W(w) - t for every merge history):
# weighted means and extrema of the edge weights, and smooth_max, whose weights s*exp(p*W) all
# scale by the common factor exp(-p*t).  generalized_mean only qualifies for p == 1 (the mean).
_SHIFT_EQUIVARIANT = {"average", "max", "min", "smooth_max"}
_PARAMETRISED = {"generalized_mean", "smooth_max"}


def _linkage_is_shift_equivariant(linkage: str, linkage_param) -> bool:
    if linkage in _SHIFT_EQUIVARIANT:
        return True
    return linkage == "generalized_mean" and linkage_param == 1.0


def _threshold(value, name="threshold") -> float:
    value = _as_float(name, value)
    if np.isnan(value):
        raise GaspValueError(f"{name} must not be NaN, got {value!r}")
    return value


def _first_occurrence(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..k-1 by first occurrence in node order (gasp's convention)."""
    if labels.size == 0:
        return labels.astype(np.int64)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size, dtype=np.int64)
    return rank[inverse.reshape(-1)]


def _as_merges(merges) -> np.ndarray:
    """(k, 2) int64 merge array from integer ids (floats are not truncated: they are an error)."""
    arr = _array("merges", merges)
    if arr.size == 0 and arr.ndim <= 2:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise GaspTypeError(f"merges must hold integer cluster ids, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise GaspValueError(f"merges must have shape (k, 2), got shape {arr.shape}")
    if arr.dtype.kind == "u" and arr.dtype.itemsize >= 8 and (arr > np.iinfo(np.int64).max).any():
        j = int(np.flatnonzero((arr > np.iinfo(np.int64).max).any(axis=1))[0])
        raise GaspValueError(f"merges[{j}] = {tuple(int(x) for x in arr[j])}: ids must fit int64")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _as_heights(heights) -> np.ndarray:
    """(k,) float64 heights: real, finite numbers."""
    arr = _array("heights", heights)
    if arr.size == 0 and arr.ndim <= 1:
        return np.zeros(0, dtype=np.float64)
    if arr.dtype.kind not in "iuf":
        raise GaspTypeError(f"heights must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise GaspValueError(f"heights must have shape (k,), got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise GaspValueError(f"heights[{j}] = {float(arr[j])!r}: every height must be finite")
    return arr


class MergeTree:
    """The sequence of merges of a GASP run, with the linkage value of each merge.

    Usually obtained from :func:`agglomerate`.  Merge ``j`` joins the clusters ``merges[j, 0]`` and
    ``merges[j, 1]`` (ids ``< n_nodes`` are nodes, id ``n_nodes + i`` is the cluster created by
    merge ``i``: the scipy / igraph convention) into cluster ``n_nodes + j``, at linkage value
    ``heights[j]``.  A tree has at most ``n_nodes - 1`` merges; fewer when the graph is
    disconnected or the run stopped early, in which case it is a forest.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    merges : array_like of int, shape (k, 2)
        The merged cluster ids, smaller id first.
    heights : array_like of float, shape (k,)
        The linkage value ``W`` of every merge (high = merged early).
    edges : array_like of int, shape (m, 2), optional
        The graph's edges, needed by :meth:`edge_heights` only.
    options : dict, optional
        The GASP options the tree was recorded with (see :func:`agglomerate`).
    nodes : list, optional
        The node objects of a networkx graph, in index order (``nodes[i]`` is node ``i``).
    n_gasp_merges : int, optional
        How many of the merges GASP itself made, before the completion pass (default: all).

    Attributes
    ----------
    n_nodes : int
    merges : ndarray of int64, shape (k, 2)
    heights : ndarray of float64, shape (k,)
    sizes : ndarray of int64, shape (k,)
        Number of nodes in the cluster created by each merge (scipy's ``Z[:, 3]``).
    edges : ndarray of int64, shape (m, 2), or None
    options : dict
    nodes : list or None
    n_gasp_merges : int
        The merges GASP itself made; the rest come from the completion pass.
        ``labels_at(n_gasp_merges)`` is exactly ``gasp(...)`` with the same options, also with
        cannot-link constraints.

    See Also
    --------
    agglomerate : records a tree.

    Examples
    --------
    >>> import numpy as np
    >>> from gasp_graph import agglomerate
    >>> tree = agglomerate([[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5])
    >>> tree.merges
    array([[0, 1],
           [2, 3],
           [4, 5]])
    >>> tree.heights
    array([ 0.9,  0.5, -0.2])
    >>> tree.sizes
    array([2, 2, 4])
    >>> tree.labels()
    array([0, 0, 1, 1])
    """

    def __init__(self, n_nodes, merges, heights, *, edges=None, options=None, nodes=None,
                 n_gasp_merges=None):
        n = _as_int("n_nodes", n_nodes, minimum=0)
        _core.check_memory(n, 0)  # per-node arrays follow: GaspMemoryError, not numpy's
        merges, heights = _as_merges(merges), _as_heights(heights)
        k = merges.shape[0]
        if heights.shape[0] != k:
            raise GaspValueError(
                f"heights must have one value per merge ({k}), got shape {heights.shape}"
            )
        if k > max(n - 1, 0):
            raise GaspValueError(
                f"merges: a tree over n_nodes={n} has at most {max(n - 1, 0)} merges, got {k}"
            )
        self.n_nodes = n
        self.merges = merges
        self.heights = heights
        self.edges = None if edges is None else np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        self.options = dict(options or {})
        self.nodes = None if nodes is None else list(nodes)
        self.n_gasp_merges = k if n_gasp_merges is None else int(n_gasp_merges)
        if not 0 <= self.n_gasp_merges <= k:
            raise GaspValueError(f"n_gasp_merges must lie in [0, {k}], got {n_gasp_merges!r}")
        self.sizes = self._cluster_sizes()
        self._order = None  # leaf order: _order[p] = node at position p
        self._pos = None  # inverse: _pos[node] = position
        self._sep = None  # _sep[p] = merge joining positions p and p+1 (k: never)
        self._start = None
        self._running_min = None

    # -- construction helpers -------------------------------------------------------------------

    def _cluster_sizes(self) -> np.ndarray:
        n, k = self.n_nodes, self.merges.shape[0]
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        a, b = self.merges[:, 0], self.merges[:, 1]
        ids = np.arange(k) + n
        if (a < 0).any() or (b >= ids).any() or (a >= b).any():
            j = int(np.flatnonzero((a < 0) | (b >= ids) | (a >= b))[0])
            raise GaspValueError(
                f"merges[{j}] = ({a[j]}, {b[j]}): merge j must join ids 0 <= a < b < n_nodes + j"
            )
        used = np.bincount(self.merges.reshape(-1), minlength=n + k)
        if (used > 1).any():
            c = int(np.flatnonzero(used > 1)[0])
            raise GaspValueError(f"merges: cluster {c} is merged more than once")
        # Sequential by nature (a cluster's size needs its children's); a list loop is ~1 us/merge.
        size = [1] * n + [0] * k
        for j, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            size[n + j] = size[x] + size[y]
        return np.array(size[n:], dtype=np.int64)

    def _layout(self):
        """Compute the leaf order and the separating merge of every pair of neighbouring leaves.

        Every cluster occupies a contiguous run of positions: a merge puts its smaller-id child
        first.  Positions are sums of offsets along the path to the root (the left child adds 0,
        the right child adds the size of its left sibling, a root adds the positions used by the
        roots before it), evaluated for all nodes at once by pointer jumping (O(n log depth)).
        """
        if self._order is not None:
            return
        n, k = self.n_nodes, self.merges.shape[0]
        total = n + k
        size = np.ones(total, dtype=np.int64)
        size[n:] = self.sizes
        parent = np.full(total + 1, total, dtype=np.int64)  # index `total` is a sentinel root
        offset = np.zeros(total + 1, dtype=np.int64)
        if k:
            a, b = self.merges[:, 0], self.merges[:, 1]
            parent[a] = parent[b] = np.arange(n, total)
            offset[b] = size[a]
        roots = np.flatnonzero(parent[:total] == total)
        offset[roots] = np.cumsum(size[roots]) - size[roots]
        acc, up = offset, parent
        while (up[:total] != total).any():
            acc = acc + acc[up]
            up = up[up]
        start = acc[:total]
        pos = start[:n]
        order = np.empty(n, dtype=np.int64)
        order[pos] = np.arange(n, dtype=np.int64)
        sep = np.full(max(n - 1, 0), k, dtype=np.int64)
        if k:
            sep[start[n:] + size[a] - 1] = np.arange(k)
        self._order, self._pos, self._sep = order, pos, sep
        self._start = start  # first position of every cluster (nodes, then merges)

    # -- basic facts ----------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of recorded merges."""
        return int(self.merges.shape[0])

    def __repr__(self) -> str:
        linkage = self.options.get("linkage")
        extra = f", linkage={linkage!r}" if linkage else ""
        return f"MergeTree(n_nodes={self.n_nodes}, n_merges={len(self)}{extra})"

    @property
    def monotone(self) -> bool:
        """True when the heights never increase along the merge sequence.

        Always true (up to rounding) for average, max, min and smooth_max linkage without lifted
        edges, cannot-link constraints or size regulariser; typically false for sum linkage.
        """
        return bool(np.all(self.heights[1:] <= self.heights[:-1]))

    @property
    def exact_sweep(self) -> bool:
        """True when ``labels(t)`` equals ``gasp(edges, weights - t, <same options>)`` for every t.

        This holds for the shift-equivariant linkages (average, max, min, smooth_max, and
        generalized_mean with ``p == 1``) without cannot-link constraints and without size
        regulariser; lifted edges, edge sizes and ``min_clusters`` keep it.  ``n_clusters=k``
        does not: every ``gasp(edges, weights - t, n_clusters=k)`` has the same ``k`` clusters,
        the tree's last cut ``labels_at(len(tree))``.  For a tree recorded
        with ``run_to_completion=False`` it only holds for ``t >= 0``.  See the user guide page
        "Merge trees and threshold sweeps" for the proof.
        """
        o = self.options
        if "linkage" not in o:
            return False
        return (
            _linkage_is_shift_equivariant(o["linkage"], o.get("linkage_param"))
            and not o.get("cannot_link", False)
            and o.get("size_regularizer", 0.0) == 0.0
            and not o.get("n_clusters")
        )

    def _n_merges_above(self, threshold: float) -> int:
        """Length of the longest prefix of the merge sequence whose heights are all > threshold."""
        if self._running_min is None:
            self._running_min = np.minimum.accumulate(self.heights)
        # the running minimum is non-increasing: count its entries > threshold
        return int(np.searchsorted(-self._running_min, -threshold, side="left"))

    # -- cuts -----------------------------------------------------------------------------------

    def labels_at(self, n_merges) -> np.ndarray:
        """The partition after the first ``n_merges`` merges of the sequence.

        Parameters
        ----------
        n_merges : int
            ``0 <= n_merges <= len(tree)``.

        Returns
        -------
        labels : ndarray of int64, shape (n_nodes,)
            Numbered by first occurrence in node order, like :func:`gasp_graph.gasp`.

        Examples
        --------
        >>> from gasp_graph import agglomerate
        >>> tree = agglomerate([[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5])
        >>> tree.labels_at(1)
        array([0, 0, 1, 2])
        """
        if isinstance(n_merges, (bool, np.bool_)) or not isinstance(n_merges, numbers.Integral):
            raise GaspTypeError(f"n_merges must be an integer, got {n_merges!r}")
        j = int(n_merges)
        if not 0 <= j <= len(self):
            raise GaspValueError(f"n_merges must lie in [0, {len(self)}], got {j}")
        n = self.n_nodes
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        self._layout()
        # positions p and p+1 are apart unless the merge joining them is among the first j
        segment = np.zeros(n, dtype=np.int64)
        np.cumsum(self._sep >= j, out=segment[1:])
        return _first_occurrence(segment[self._pos])

    def labels(self, threshold=0.0) -> np.ndarray:
        """The partition obtained by stopping where the linkage value first drops to ``threshold``.

        The recorded merges are replayed in order and the replay stops before the first merge
        whose height is ``<= threshold`` (GASP merges while the best linkage value is ``> 0``;
        this is the same rule with ``0`` replaced by ``threshold``).

        Parameters
        ----------
        threshold : float, default 0.0
            Stop level; ``-inf`` replays every merge, ``+inf`` none.

        Returns
        -------
        labels : ndarray of int64, shape (n_nodes,)
            Numbered by first occurrence in node order, like :func:`gasp_graph.gasp`.

        Notes
        -----
        What the cut means depends on the options the tree was recorded with:

        * :attr:`exact_sweep` trees (average, max, min, smooth_max, generalized_mean with
          ``p == 1``; no cannot-link constraints, no size regulariser): ``labels(t)`` equals
          ``gasp(edges, weights - t, <same options>)``.  Shifting every weight by ``-t`` shifts
          every linkage value by ``-t``, so the merge order is unchanged and only the stop moves.
        * Every tree without cannot-link constraints: ``labels(0.0)`` equals ``gasp(...)`` with
          the same options, and ``labels(t)`` is the GASP run with its stopping level moved from
          0 to ``t`` (the merge order itself is the one of the unshifted weights).
        * ``cannot_link=True``: the completion pass of :func:`agglomerate` ignores constraints and
          merges by decreasing linkage value, so the recorded sequence is the one of
          ``merge_constrained_at_end=True`` and ``labels(0.0)`` equals
          ``gasp(..., cannot_link=True, merge_constrained_at_end=True)``.  The constrained
          partition ``gasp(..., cannot_link=True)`` is the prefix of the sequence before the
          completion pass: ``labels_at(tree.n_gasp_merges)``.

        When the heights are non-increasing (:attr:`monotone`) this is the usual cut of the
        dendrogram: nodes are together exactly when they joined at a height ``> threshold``.

        Examples
        --------
        >>> from gasp_graph import agglomerate, gasp
        >>> edges, weights = [[0, 1], [1, 2], [2, 3]], [0.9, -0.2, 0.5]
        >>> tree = agglomerate(edges, weights)
        >>> tree.labels(0.6)
        array([0, 0, 1, 2])
        >>> gasp(edges, [w - 0.6 for w in weights])
        array([0, 0, 1, 2])
        >>> tree.labels(-1.0)
        array([0, 0, 0, 0])
        """
        return self.labels_at(self._n_merges_above(_threshold(threshold)))

    def communities(self, threshold=0.0) -> list:
        """:meth:`labels` as a list of sets of nodes (networkx's shape).

        Clusters are ordered by decreasing size, ties broken by the position of each cluster's
        first node in node order (the order of :func:`gasp_graph.partition`).

        Nodes are the graph's node objects for a tree built from a networkx graph, and the
        integers ``0 .. n_nodes-1`` otherwise.

        Examples
        --------
        >>> import networkx as nx
        >>> from gasp_graph import agglomerate
        >>> G = nx.Graph()
        >>> G.add_weighted_edges_from([("a", "b", 0.9), ("b", "c", -0.2), ("c", "d", 0.5)])
        >>> [sorted(c) for c in agglomerate(G).communities()]
        [['a', 'b'], ['c', 'd']]
        """
        return to_sets(self.labels(threshold), self.nodes)

    # -- exports --------------------------------------------------------------------------------

    def to_linkage(self, *, monotone=True, completion_distance=None) -> np.ndarray:
        """The tree as a scipy linkage matrix ``Z``, for dendrograms and ``fcluster``.

        Parameters
        ----------
        monotone : bool, default True
            How linkage values (high = merged first) become distances (low = merged first).
            ``True``: ``d[j] = heights[0] - min(heights[:j+1])``, the distance of the stop level
            at which merge ``j`` is replayed by :meth:`labels`; distances never decrease, so the
            dendrogram has no crossings and ``fcluster(Z, heights[0] - t, "distance")`` equals
            ``labels(t)``.  It equals ``heights[0] - heights`` whenever the heights are
            non-increasing.  ``False``: ``d = max(heights) - heights``, the raw values; with
            non-monotone heights (sum linkage, lifted edges, ...) scipy's dendrogram then draws
            crossings and fcluster follows its own rule (the largest distance inside a cluster).
        completion_distance : float, optional
            The distance at which the roots of a forest are joined (see Notes).  Default: 10 %
            above the largest recorded distance (1.0 when that is 0 or there are no merges).

        Returns
        -------
        Z : ndarray of float64, shape (n_nodes - 1, 4)
            Rows ``(a, b, distance, size)``, valid for ``scipy.cluster.hierarchy.is_valid_linkage``.

        Raises
        ------
        GaspValueError
            ``n_nodes < 2`` (scipy's linkage matrices need two observations), or
            ``completion_distance`` is below the largest recorded distance.

        Notes
        -----
        scipy needs ``n_nodes - 1`` merges.  When the tree is a forest (a disconnected graph, a
        run stopped by constraints, ``n_clusters`` or ``min_clusters``, or
        ``run_to_completion=False``) the roots,
        in increasing order of their cluster ids, are chained at ``completion_distance``: the
        first two roots join, then each further root joins that cluster (smaller id first in
        every row).  These rows are not
        GASP merges: cutting ``Z`` below ``completion_distance`` never joins two roots.

        Examples
        --------
        >>> from gasp_graph import agglomerate
        >>> tree = agglomerate([[0, 1], [2, 3]], [0.9, 0.5])  # two components
        >>> tree.to_linkage()
        array([[0.  , 1.  , 0.  , 2.  ],
               [2.  , 3.  , 0.4 , 2.  ],
               [4.  , 5.  , 0.44, 4.  ]])
        """
        monotone = bool(monotone)
        n, k = self.n_nodes, len(self)
        if n < 2:
            raise GaspValueError(
                f"to_linkage needs n_nodes >= 2 (scipy's linkage matrices need two observations), "
                f"got n_nodes={n}"
            )
        if k:
            if monotone:
                dist = self.heights[0] - np.minimum.accumulate(self.heights)
            else:
                dist = self.heights.max() - self.heights
            top = float(dist.max())
        else:
            dist = np.zeros(0)
            top = 0.0
        if completion_distance is None:
            completion = top * 1.1 if top > 0 else 1.0
        else:
            completion = _threshold(completion_distance, "completion_distance")
            if not (np.isfinite(completion) and completion >= top):
                raise GaspValueError(
                    f"completion_distance must be finite and >= the largest recorded distance "
                    f"({top!r}), got {completion!r}"
                )
        Z = np.empty((n - 1, 4), dtype=np.float64)
        Z[:k, :2] = self.merges
        Z[:k, 2] = dist
        Z[:k, 3] = self.sizes
        if k < n - 1:
            has_parent = np.zeros(n + k, dtype=bool)
            has_parent[self.merges.reshape(-1)] = True
            roots = np.flatnonzero(~has_parent)
            size = np.ones(n + k, dtype=np.int64)
            size[n:] = self.sizes
            current, current_size = roots[0], size[roots[0]]
            for i, r in enumerate(roots[1:]):
                row = k + i
                current_size += size[r]
                Z[row] = (min(current, r), max(current, r), completion, current_size)
                current = n + row
        return Z

    def edge_heights(self) -> np.ndarray:
        """For every edge, the linkage value of the merge that first put its endpoints together.

        This is the ultrametric contour map (UCM) of the hierarchy: on a tree with non-increasing
        heights, nodes ``u`` and ``v`` of edge ``i`` are in one cluster of ``labels(t)`` exactly
        when ``edge_heights()[i] > t``.

        Returns
        -------
        heights : ndarray of float64, shape (m,)
            One value per edge of :attr:`edges` (the input order, lifted edges and ignored
            self-loops included); ``-inf`` for edges whose endpoints never joined (the tree is a
            forest), ``+inf`` for a self-loop.

        Examples
        --------
        >>> from gasp_graph import agglomerate
        >>> tree = agglomerate([[0, 1], [1, 2], [0, 2], [2, 3]], [0.9, 0.5, 0.2, -0.4],
        ...                    linkage="max", run_to_completion=False)
        >>> tree.edge_heights()
        array([ 0.9,  0.5,  0.5, -inf])
        """
        if self.edges is None:
            raise GaspValueError("edge_heights needs the edges; this tree was built without them")
        # merge index len(self) means "never joined"; -1 (the last entry) a self-loop
        ext = np.concatenate((self.heights, [-np.inf, np.inf]))
        return ext[self._join_merge(self.edges)]

    def _join_merge(self, edges: np.ndarray) -> np.ndarray:
        """Index of the merge that first puts the ends of every edge together (validated ids).

        ``len(self)`` when they never join, ``-1`` for a self-loop (always together).
        """
        out = np.full(edges.shape[0], -1, dtype=np.int64)
        p = q = None
        if edges.shape[0]:
            self._layout()
            p = self._pos[edges[:, 0]]
            q = self._pos[edges[:, 1]]
            apart = p != q
            if apart.any():
                lo, hi = np.minimum(p[apart], q[apart]), np.maximum(p[apart], q[apart])
                out[apart] = _range_max(self._sep, lo, hi)
        return out

    def modularity_curve(self, edges, weights=None, *, resolution=1.0) -> np.ndarray:
        """The modularity of every cut of the merge sequence, in O(n + m log n) for all of them.

        ``curve[j]`` is the modularity (with the given resolution) of the partition after the
        first ``j`` merges, :meth:`labels_at` ``(j)``, measured on the unsigned graph given
        by ``edges`` and ``weights`` over the tree's nodes; usually not the signed graph the tree
        was recorded on but the graph whose communities are sought (a kNN graph, the input
        graph before signing).

        Parameters
        ----------
        edges : array_like of int, shape (m, 2)
            Node ids in ``0 .. n_nodes-1``.  Self-loops are allowed (always inside a cluster).
            Parallel edges add up.
        weights : array_like of float, shape (m,), optional
            Non-negative finite edge weights, default 1.
        resolution : float, default 1.0
            ``gamma >= 0`` of the modularity.

        Returns
        -------
        curve : ndarray of float64, shape (len(tree) + 1,)

        Raises
        ------
        GaspValueError
            Ids out of range, negative or non-finite weights, a graph of total weight 0, a
            negative or non-finite resolution.

        Notes
        -----
        With ``m`` the total edge weight, ``d_c`` the weighted degree of cluster ``c`` (a
        self-loop adds twice its weight, as in networkx) and ``L_c`` the weight inside it,
        ``Q = sum_c L_c / m - resolution * (d_c / 2m)**2`` (networkx's
        ``community.modularity``).  A merge of ``A`` and ``B`` changes ``Q`` by
        ``w(A, B) / m - 2 * resolution * d_A * d_B / (2m)**2``, where ``w(A, B)`` is the weight
        of the edges whose ends first join at that merge (a range maximum over the leaf order),
        so the whole curve is a cumulative sum.

        Examples
        --------
        >>> import numpy as np
        >>> from gasp_graph import agglomerate
        >>> edges = np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]])
        >>> tree = agglomerate(edges, [0.9, 0.8, 0.7, 0.9, 0.6, 0.8, -0.5])
        >>> curve = tree.modularity_curve(edges)
        >>> int(np.argmax(curve))  # the two triangles: after 4 of the 5 merges
        4
        >>> round(float(curve.max()), 4)
        0.3571
        """
        from ._validation import as_edges, nonnegative_weights

        e = as_edges(edges)
        n = self.n_nodes
        if e.shape[0] and (e.min() < 0 or e.max() >= n):
            bad = ((e < 0) | (e >= n)).any(axis=1)
            i = int(np.flatnonzero(bad)[0])
            raise GaspValueError(
                f"edges[{i}] = ({e[i, 0]}, {e[i, 1]}): node ids must lie in [0, n_nodes={n})"
            )
        w = nonnegative_weights("weights", weights, e.shape[0])
        gamma = _threshold(resolution, "resolution")
        if not (np.isfinite(gamma) and gamma >= 0):
            raise GaspValueError(f"resolution must be finite and >= 0, got {gamma!r}")
        total = float(w.sum())
        if not total > 0:
            raise GaspValueError(
                "the graph has total edge weight 0: its modularity is undefined"
            )
        k = len(self)
        degree = np.bincount(e[:, 0], weights=w, minlength=n) + np.bincount(
            e[:, 1], weights=w, minlength=n
        )
        join = self._join_merge(e)
        inside = np.bincount(join + 1, weights=w, minlength=k + 2)  # [0]: self-loops
        two_m = 2.0 * total
        gain = inside[1 : k + 1] / total
        if k:
            self._layout()
            prefix = np.zeros(n + 1)
            np.cumsum(degree[self._order], out=prefix[1:])
            size = np.ones(n + k, dtype=np.int64)
            size[n:] = self.sizes
            start = self._start
            cluster_degree = prefix[start + size] - prefix[start]
            da = cluster_degree[self.merges[:, 0]]
            db = cluster_degree[self.merges[:, 1]]
            gain -= 2.0 * gamma * (da / two_m) * (db / two_m)
        curve = np.empty(k + 1)
        curve[0] = inside[0] / total - gamma * float(np.sum((degree / two_m) ** 2))
        np.cumsum(gain, out=curve[1:])
        curve[1:] += curve[0]
        return curve


def _range_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """max(values[lo[i]:hi[i]]) for every i (lo < hi), in O((len(values) + len(lo)) log) time.

    A sparse table answers a range of length L from level floor(log2(L)); the levels are built
    one after the other and each query is answered at its level, so only one level is held.
    """
    length = hi - lo
    level = np.log2(length).astype(np.int64)
    # floating log2 may be off by one next to powers of two: fix it exactly
    level[(1 << level) > length] -= 1
    level[(1 << (level + 1)) <= length] += 1
    out = np.empty(lo.shape, dtype=values.dtype)
    table = values
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(int(level.max()) + 2))
    for lev in range(int(level.max()) + 1):
        idx = order[bounds[lev] : bounds[lev + 1]]
        if idx.size:
            width = 1 << lev
            out[idx] = np.maximum(table[lo[idx]], table[hi[idx] - width])
        half = 1 << lev
        table = np.maximum(table[:-half], table[half:]) if table.size > half else table[:0]
    return out


# ---------------------------------------------------------------------------------------------
# Front ends
# ---------------------------------------------------------------------------------------------

def _graph_arrays(G, weight, lifted, edge_sizes, node_sizes, source, target, self_loops):
    """(edges, weights, nodes, n_nodes, per-edge options) of any graph kind partition accepts.

    The conversion is :func:`gasp_graph.partition`'s (:func:`gasp_graph.graphs.from_graph`), so
    both accept the same inputs with the same rules and messages: ``lifted`` / ``edge_sizes``
    name edge attributes (DataFrame: columns) and ``node_sizes`` a node attribute; for a sparse
    matrix ``lifted`` and ``edge_sizes`` are sparse matrices marking / sizing its stored pairs
    and ``node_sizes`` is an array.
    """
    g = from_graph(G, weight=weight, lifted=lifted, edge_size=edge_sizes, node_size=node_sizes,
                   source=source, target=target, self_loops=self_loops)
    per_edge = {"lifted": g.lifted, "edge_sizes": g.edge_sizes, "node_sizes": g.node_sizes}
    return g.edges, g.weights, g.nodes, g.n_nodes, per_edge


def agglomerate(
    edges,
    weights=None,
    *,
    n_nodes=None,
    weight="weight",
    source="source",
    target="target",
    linkage="average",
    cannot_link=False,
    lifted=None,
    edge_sizes=None,
    merge_constrained_at_end=False,
    node_sizes=None,
    size_regularizer=0.0,
    n_clusters=None,
    linkage_param=None,
    min_clusters=None,
    null_model=None,
    resolution=1.0,
    node_weights=None,
    self_loops="ignore",
    run_to_completion=True,
    progress=False,
    callback=None,
    callback_every=1000,
):
    """Run GASP and record its merge tree.

    Parameters
    ----------
    edges : array_like of int, shape (m, 2), or a graph
        The graph: node-id pairs (with ``weights``), or any graph :func:`gasp_graph.partition`
        accepts: an undirected networkx graph or igraph Graph (weights read from the ``weight``
        edge attribute), a pandas DataFrame edge table (columns ``source``, ``target``,
        ``weight``) or a square sparse matrix (its entries above the diagonal are the edges;
        any sparse format).
    weights : array_like of float, shape (m,)
        Signed edge weights, with an edge array only.
    n_nodes : int, optional
        With an edge array only; defaults to ``edges.max() + 1``.
    weight : str or (str, str), default "weight"
        With a graph object: the edge attribute (DataFrame: column) holding the weight, as in
        :func:`gasp_graph.partition`.
    source, target : str, default "source", "target"
        With a DataFrame: the columns holding the nodes.
    linkage, cannot_link, lifted, edge_sizes, merge_constrained_at_end, node_sizes, \
size_regularizer, n_clusters, linkage_param, min_clusters, self_loops
        As in :func:`gasp_graph.gasp`.  With a graph object they are read as by
        :func:`gasp_graph.partition`: ``lifted`` and ``edge_sizes`` name edge attributes
        (DataFrame: columns; sparse matrix: matrices) and ``node_sizes`` a node attribute.
        ``n_clusters`` or ``min_clusters`` ends the recording at that many clusters (with
        ``n_clusters`` the completion pass runs until then even if ``run_to_completion`` is
        False).  Self-loops are dropped (``self_loops="ignore"``) or raise (``"error"``).
    null_model, resolution, node_weights
        As in :func:`gasp_graph.gasp` (``node_weights``: a node attribute name with a networkx
        graph).  The heights are then the gains in the objective: for ``"modularity"`` the
        modularity gain of each merge, networkx's ``Delta Q`` (``2 W / 2m``), so that the
        greedy sequence is that of :func:`networkx.community.greedy_modularity_communities`;
        for ``"cpm"`` the linkage value ``W`` itself.
    run_to_completion : bool, default True
        After GASP stops (no positive linkage value left, or the constraints forbid every
        remaining merge), keep merging the pair with the highest linkage value, whatever its
        sign and ignoring constraints, until every connected component of the local (non-lifted)
        edges is one cluster.  A complete tree answers :meth:`MergeTree.labels` for negative
        thresholds too and draws a full dendrogram; ``False`` records only GASP's own merges.
    progress, callback, callback_every
        As in :func:`gasp_graph.gasp`.  A callback returning True stops the recording: the
        tree then holds the merges done so far.

    Returns
    -------
    tree : MergeTree
        With ``options`` holding the scalar options above (canonical linkage name) and, for a
        networkx graph, ``nodes`` holding the node objects in index order.

    See Also
    --------
    gasp_graph.gasp : the partition at threshold 0 only.
    partitions : a threshold sweep over a networkx graph or a sparse matrix.

    Notes
    -----
    Recording costs two arrays of ``n_nodes - 1`` rows and a sequential pass over the merges;
    the completion pass adds the merges past zero.  See the user guide page "Merge trees and
    threshold sweeps" for when ``tree.labels(t)`` equals a rerun on shifted weights.

    Examples
    --------
    >>> from gasp_graph import agglomerate
    >>> edges = [[0, 1], [1, 2], [0, 2], [3, 4], [2, 3]]
    >>> tree = agglomerate(edges, [0.9, 0.8, 0.7, 0.6, -0.5])
    >>> tree.labels()
    array([0, 0, 0, 1, 1])
    >>> tree.labels(-0.6)
    array([0, 0, 0, 0, 0])
    >>> tree.exact_sweep
    True
    """
    nodes = None
    if is_graph(edges):
        if weights is not None:
            raise GaspTypeError(
                "weights must not be given with a graph object (the weights come from the "
                f"graph), got {type(weights).__name__}"
            )
        if n_nodes is not None:
            raise GaspTypeError(f"n_nodes must not be given with a graph object, got {n_nodes!r}")
        G = edges
        edges, weights, nodes, n_nodes, per_edge = _graph_arrays(
            G, weight, lifted, edge_sizes, node_sizes, source, target, self_loops
        )
        lifted, edge_sizes, node_sizes = (
            per_edge.get("lifted"),
            per_edge.get("edge_sizes"),
            per_edge.get("node_sizes"),
        )
        node_weights = graph_node_weights(
            G, nodes, edges, weights, edge_sizes, null_model=null_model,
            node_weights=node_weights, weight=weight, source=source, target=target,
        )
    elif weights is None:
        raise GaspTypeError("weights is required with an edge array (one weight per edge)")
    if not isinstance(run_to_completion, (bool, np.bool_)):
        raise GaspTypeError(f"run_to_completion must be True or False, got {run_to_completion!r}")
    problem = prepare(
        edges,
        weights,
        n_nodes=n_nodes,
        linkage=linkage,
        cannot_link=cannot_link,
        lifted=lifted,
        edge_sizes=edge_sizes,
        merge_constrained_at_end=merge_constrained_at_end,
        node_sizes=node_sizes,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
        min_clusters=min_clusters,
        null_model=null_model,
        resolution=resolution,
        node_weights=node_weights,
        self_loops=self_loops,
    )
    _, merges, heights, info = _control.run(
        problem,
        record_merges=True,
        run_to_completion=bool(run_to_completion),
        progress=progress,
        callback=callback,
        callback_every=callback_every,
    )
    options = {
        "linkage": problem.linkage,
        "linkage_param": problem.linkage_param if problem.linkage in _PARAMETRISED else None,
        "cannot_link": problem.cannot_link,
        "merge_constrained_at_end": problem.merge_constrained_at_end,
        "size_regularizer": problem.size_regularizer,
        "n_clusters": problem.n_clusters or None,
        "min_clusters": problem.min_clusters or None,
        "run_to_completion": bool(run_to_completion),
        "null_model": problem.null_model,
        "resolution": problem.resolution if problem.null_model else None,
    }
    return MergeTree(
        problem.n_nodes, merges, heights, edges=problem.input_edges, options=options, nodes=nodes,
        n_gasp_merges=info["n_merges_gasp"],
    )


def partitions(
    G,
    thresholds,
    *,
    weight="weight",
    source="source",
    target="target",
    linkage="average",
    cannot_link=False,
    lifted=None,
    edge_sizes=None,
    merge_constrained_at_end=False,
    node_sizes=None,
    size_regularizer=0.0,
    n_clusters=None,
    linkage_param=None,
    min_clusters=None,
    self_loops="ignore",
):
    """GASP partitions of a graph at several thresholds, from one run when that is exact.

    The partition at threshold ``t`` is GASP's on the weights shifted by ``-t`` (so ``t > 0``
    asks for more, smaller clusters, ``t < 0`` for fewer, larger ones; ``t = 0`` is plain GASP).

    Parameters
    ----------
    G : networkx.Graph, pandas.DataFrame, igraph.Graph or scipy sparse matrix
        As in :func:`agglomerate`.
    thresholds : iterable of float
        The thresholds, read once when this function is called; partitions come in this order.
    weight, source, target, linkage, cannot_link, lifted, edge_sizes, merge_constrained_at_end, \
node_sizes, size_regularizer, n_clusters, linkage_param, min_clusters, self_loops
        As in :func:`agglomerate`.  With ``n_clusters=k`` every threshold gives exactly ``k``
        clusters (for shift-equivariant linkages, the same ``k`` clusters).

    Yields
    ------
    partition : list of set, or ndarray of int64
        For a networkx or igraph graph or a DataFrame, a list of sets of nodes (networkx's
        shape, clusters ordered by decreasing size, ties by their first node in node order);
        for a sparse matrix, labels numbered by first occurrence.

    Notes
    -----
    With a shift-equivariant linkage (average, max, min, smooth_max, generalized_mean with
    ``p == 1``), no cannot-link constraints and no size regulariser, one complete
    :class:`MergeTree` is recorded and every partition is a cut of it
    (:meth:`MergeTree.labels`); otherwise GASP is rerun on the shifted weights for every
    threshold.  Both give the same partitions.  Arguments are checked when this function is
    called; the work happens while iterating.

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph import partitions
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(0, 1, 0.9), (1, 2, 0.4), (2, 3, -0.3)])
    >>> for p in partitions(G, [0.5, 0.0, -0.5]):
    ...     print(p)
    [{0, 1}, {2}, {3}]
    [{0, 1, 2}, {3}]
    [{0, 1, 2, 3}]
    """
    if not is_graph(G):
        raise GaspTypeError(
            f"G must be {GRAPH_KINDS}, got {type(G).__name__}; "
            "for edge arrays use agglomerate(edges, weights).labels(t)"
        )
    ts = [_threshold(t, "thresholds") for t in thresholds]
    bad = [t for t in ts if not np.isfinite(t)]
    if bad:
        raise GaspValueError(f"thresholds must be finite, got {bad[0]!r}")
    edges, weights, nodes, n, per_edge = _graph_arrays(
        G, weight, lifted, edge_sizes, node_sizes, source, target, self_loops
    )
    kwargs = dict(
        n_nodes=n,
        linkage=linkage,
        cannot_link=cannot_link,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
        min_clusters=min_clusters,
        self_loops=self_loops,
        **per_edge,
    )
    problem = prepare(edges, weights, **kwargs)  # validate now, not on the first next()
    exact = (
        _linkage_is_shift_equivariant(problem.linkage, problem.linkage_param)
        and not problem.cannot_link
        and problem.size_regularizer == 0.0
    )

    def shape(labels):
        return labels if nodes is None else to_sets(labels, nodes)

    def sweep():
        if exact:
            tree = agglomerate(problem.edges, problem.weights, **kwargs, run_to_completion=True)
            for t in ts:
                # n_clusters=k: the shifted run merges in the same order down to k (its GASP
                # pass, then the completion pass), so every threshold gives the tree's last cut
                yield shape(tree.labels_at(len(tree)) if problem.n_clusters else tree.labels(t))
        else:
            for t in ts:
                shifted = prepare(problem.edges, problem.weights - t, **kwargs)
                yield shape(_control.run(shifted)[0])

    return sweep()
