"""The array API: GASP on numpy edge lists."""
from __future__ import annotations

from . import _control
from ._validation import prepare

__all__ = ["gasp"]


def gasp(
    edges,
    weights,
    *,
    n_nodes=None,
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
    refine=False,
    self_loops="ignore",
    progress=False,
    callback=None,
    callback_every=1000,
):
    """Partition a signed graph given as arrays with GASP.

    GASP (Generalized Algorithm for Signed graph Partitioning) [1]_ starts from singleton clusters
    and repeatedly merges the two clusters joined by the highest linkage value, as long as that value
    is strictly positive.  The linkage value of two clusters combines the weights of all edges
    between them (sum, average, max, ...).

    Parameters
    ----------
    edges : array_like of int, shape (m, 2)
        Node ids of the edges.  Duplicate pairs are allowed and are folded with the linkage
        rule, in edge order, before the run.  Self-loops ``(u, u)`` are handled as
        ``self_loops`` says.
    weights : array_like of float, shape (m,)
        Signed weights: ``w > 0`` attracts, ``w < 0`` repels.  Must be finite.
    n_nodes : int, optional
        Number of nodes; nodes are ``0 .. n_nodes-1``.  Defaults to ``edges.max() + 1``.
        Nodes without edges stay singletons.
    linkage : str, default "average"
        ``"sum"``, ``"average"`` (aliases ``"mean"``, ``"avg"``), ``"max"`` (``"single"``,
        ``"single_linkage"``), ``"min"`` (``"complete"``, ``"complete_linkage"``), ``"abs_max"``
        (``"mutex_watershed"``), ``"generalized_mean"`` or ``"smooth_max"``.
    cannot_link : bool, default False
        Process cluster pairs by decreasing ``|W|``; a pair whose linkage is ``<= 0`` when it is
        processed may never merge later (the constraint is inherited by their merges).
    lifted : array_like of bool, shape (m,), optional
        Marks lifted (long-range) edges: they add attraction or repulsion to the linkage but can
        never trigger a merge by themselves, so every cluster is connected through local edges.
    edge_sizes : array_like of float, shape (m,), optional
        Positive edge sizes (default 1), the weights of the edges inside the linkage (used by
        sum, average, generalized_mean and smooth_max).
    merge_constrained_at_end : bool, default False
        With ``cannot_link=True``: after the constrained pass, drop the constraints and continue
        with the unconstrained algorithm.
    node_sizes : array_like of float, shape (n_nodes,), optional
        Positive node sizes (default 1), only used with ``size_regularizer``.
    size_regularizer : float, default 0.0
        ``r >= 0``: priorities are multiplied by ``(S_u**-r + S_v**-r) / 2`` where ``S`` sums the
        node sizes of a cluster, which favours merging small clusters first.  Merge decisions still
        depend on the sign of the linkage only.
    n_clusters : int, optional
        Return exactly this many clusters (isolated nodes count).  GASP merges while the best
        linkage value is positive and stops at ``n_clusters``; if more clusters remain, merging
        continues with the local pair of highest linkage value, whatever its sign and ignoring
        cannot-link constraints (the completion order :func:`gasp_graph.agglomerate` records),
        until ``n_clusters`` remain.  If the local (non-lifted) edges have more connected
        components than that, every component becomes one cluster and a
        :class:`~gasp_graph.GaspWarning` says so.  Not together with ``min_clusters``.
    linkage_param : float, optional
        ``p`` of ``"generalized_mean"`` (``p > 0``, default 1) and ``"smooth_max"`` (default 1).
        Passing it to another linkage is an error.
    min_clusters : int, optional
        Stop as soon as at most this many clusters remain (the reference implementation's
        "number of nodes to stop"): a lower bound on the number of clusters, never more merges
        than GASP makes on its own.  Not together with ``n_clusters``.
    null_model : {None, "modularity", "cpm"}, default None
        With ``linkage="sum"``: subtract a null model from the linkage value of every cluster
        pair, ``W(S, T) = w(S, T) - resolution * a_S * a_T`` where ``a_S`` sums a value per node
        over ``S``.  ``"modularity"``: ``a_S * a_T = k_S * k_T / 2m`` with ``k`` the node
        strengths (the sum of the weights, times the edge sizes, of each node's edges) and
        ``2m`` their total, so that GASP is exactly the greedy modularity maximisation of
        Clauset, Newman and Moore [2]_; ``"cpm"``: ``a_i = 1``, the constant Potts model
        (``W = w(S, T) - resolution * |S| * |T|``).  Pairs of clusters without an edge have
        ``W <= 0`` and never merge.  Not available with other linkages (the penalty sums over
        node pairs, which only the sum of the edge weights matches) or ``cannot_link``.
    resolution : float, default 1.0
        ``gamma >= 0`` of the null model: higher values give smaller clusters.
    node_weights : array_like of float, shape (n_nodes,), optional
        Non-negative per-node values replacing the null model's default: the strengths ``k``
        for ``"modularity"``, the node sizes (1) for ``"cpm"``.
    refine : bool, default False
        After GASP, improve the partition by local search on the objective GASP's sum
        linkage greedily increases: the weight inside clusters minus the null-model penalty
        (without a null model: minus the correlation-clustering disagreement).  Single nodes
        move to the neighbouring cluster (or a new singleton) that raises it most, clusters
        that are not connected are split, whole clusters and sub-clusters move between
        clusters (as in Louvain and Leiden); the same search is also run from singletons,
        and the better result is returned.  Deterministic; never lowers the objective; the
        result is a local optimum for single-node moves.  Not available with
        ``n_clusters``, ``min_clusters``, ``cannot_link`` (the moves ignore constraints) or
        lifted edges.
    self_loops : {"ignore", "error"}, default "ignore"
        What to do with an edge ``(u, u)``: ``"ignore"`` drops it (with its weight, lifted flag
        and size: a self-loop never changes which clusters merge), ``"error"`` raises
        GaspValueError naming it.  k-nearest-neighbour graphs of duplicate points, for instance,
        have self-loops.
    progress : bool, default False
        Show progress on stderr (a tqdm bar when tqdm is installed, a plain line otherwise)
        once the run has lasted about a second: merges done out of the largest possible
        number, ``n_nodes - 1``, with the clusters left.  Quick runs print nothing.
    callback : callable, optional
        ``callback(n_merges, n_clusters, value)``, called from the engine every
        ``callback_every`` merges with the merges done so far, the clusters left and the
        linkage value of the latest merge.  If it returns True the run stops there and the
        partition reached so far is returned: the clusters after exactly ``n_merges`` merges,
        a valid partition of all ``n_nodes`` nodes.  An exception raised by the callback stops
        the run and propagates.  The callback runs in a worker thread while the engine waits;
        it must not call gasp_graph itself.
    callback_every : int, default 1000
        How many merges between two calls of ``callback`` (and updates of the progress
        display).

    Returns
    -------
    labels : ndarray of int64, shape (n_nodes,)
        Cluster labels ``0 .. k-1``, numbered by first occurrence in node order.

    Raises
    ------
    GaspValueError
        A shape, range or value is invalid (NaN weights, node ids outside
        ``[0, n_nodes)``, non-positive sizes, unknown linkage, a self-loop with
        ``self_loops="error"``, ...).  Subclass of ``ValueError``.
    GaspTypeError
        An argument has the wrong type or dtype.  Subclass of ``TypeError``.
    GaspMemoryError
        The engine could not allocate its working memory.  Subclass of ``MemoryError``.
    KeyboardInterrupt
        Ctrl-C during the run: the engine stops within a fraction of a second and frees its
        memory; no result is returned and the process stays usable.

    Warns
    -----
    GaspWarning
        ``n_clusters`` cannot be reached: the local edges have more connected components.

    See Also
    --------
    gasp_graph.partition : the networkx / scipy front end.

    Notes
    -----
    Ties between equal priorities are broken by edge order: the pair of clusters whose
    connecting edges include the lowest input edge index goes first (for max, min and abs_max:
    the lowest index among the edges carrying the pair's value).  The result is therefore the
    same on every run and platform.  The semantics (including lifted edges and cannot-link
    constraints) follow the reference implementation of the paper [1]_; the documentation page
    "Semantics: exactly what GASP computes" states them in full.

    References
    ----------
    .. [1] A. Bailoni et al., "GASP, a generalized framework for agglomerative clustering of
       signed graphs and its application to Instance Segmentation", CVPR 2022.
    .. [2] A. Clauset, M. E. J. Newman, C. Moore, "Finding community structure in very large
       networks", Phys. Rev. E 70, 066111 (2004).

    Examples
    --------
    Two triangles that attract inside and repel each other:

    >>> import numpy as np
    >>> from gasp_graph import gasp
    >>> edges = np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]])
    >>> weights = np.array([0.9, 0.8, 0.7, 0.9, 0.6, 0.8, -0.5])
    >>> gasp(edges, weights)
    array([0, 0, 0, 1, 1, 1])

    A strong repulsion overrules attraction with ``abs_max`` (the mutex watershed):

    >>> gasp([[0, 1], [1, 2], [0, 2]], [1.0, 1.0, -2.0], linkage="abs_max")
    array([0, 0, 1])

    ``n_clusters`` asks for exactly that many clusters, merging past zero if needed;
    ``min_clusters`` only stops early:

    >>> gasp(edges, weights, n_clusters=1)
    array([0, 0, 0, 0, 0, 0])
    >>> gasp(edges, weights, min_clusters=4)
    array([0, 0, 1, 2, 2, 3])
    >>> gasp(edges, weights, min_clusters=1)
    array([0, 0, 0, 1, 1, 1])

    Self-loops are dropped unless ``self_loops="error"``:

    >>> gasp([[0, 0], [0, 1]], [5.0, 0.5])
    array([0, 0])

    A callback sees every merge (``callback_every=1``) and stops the run after two merges;
    the result is the partition after exactly those two merges:

    >>> seen = []
    >>> def stop_after_two(n_merges, n_clusters, value):
    ...     seen.append((n_merges, n_clusters, value))
    ...     return n_merges == 2
    >>> gasp(edges, weights, callback=stop_after_two, callback_every=1)
    array([0, 0, 1, 2, 2, 3])
    >>> seen
    [(1, 5, 0.9), (2, 4, 0.9)]

    Unsigned weights with the modularity null model (greedy modularity): two triangles joined
    by one edge become two communities, although every weight attracts:

    >>> two_triangles = [[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]]
    >>> gasp(two_triangles, np.ones(7), linkage="sum", null_model="modularity")
    array([0, 0, 0, 1, 1, 1])
    """
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
        refine=refine,
        self_loops=self_loops,
    )
    labels, _, _, _ = _control.run(
        problem, progress=progress, callback=callback, callback_every=callback_every
    )
    return labels
