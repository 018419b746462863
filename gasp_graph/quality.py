r"""Quality measures of a partition of a signed graph.

Shaped like :func:`networkx.community.modularity`: ``measure(G, communities, weight="weight")``,
plus array versions ``measure_from_labels(labels, edges, weights)``.

With the sign convention of this library (``w > 0`` attracts, ``w < 0`` repels) and
:math:`\mathrm{cut}` the set of edges whose ends lie in different clusters:

* **disagreement** (correlation clustering): the attraction that is cut plus the repulsion
  that is kept inside clusters,

  .. math:: D = \sum_{e \in \mathrm{cut},\, w_e > 0} w_e
              + \sum_{e \notin \mathrm{cut},\, w_e < 0} |w_e| \;\ge 0,

  zero exactly when the partition agrees with every edge's sign.

* **multicut cost**: the multicut objective, the sum of the weights of the cut edges,

  .. math:: C = \sum_{e \in \mathrm{cut}} w_e ,

  which cutting attractive edges raises and cutting repulsive edges lowers (it can be
  negative).  GASP is a heuristic for minimising it.

Both are to be minimised and differ by a constant of the graph:
:math:`D = C + \sum_{w_e < 0} |w_e|`, so they rank partitions identically.

For community detection on ordinary graphs, two measures to be maximised (the objectives of
``null_model="modularity"`` and ``null_model="cpm"``):

* **modularity** (networkx's :func:`~networkx.community.modularity`), with :math:`m` the total
  weight, :math:`L_c` the weight inside community :math:`c` and :math:`d_c` the sum of its
  nodes' weighted degrees (a self-loop counts twice there),

  .. math:: Q = \sum_c \frac{L_c}{m} - \gamma \left(\frac{d_c}{2m}\right)^2 ;

* **CPM** (the constant Potts model), with node weights :math:`a_i` (default 1, then
  :math:`\sum_{i<j \in c} a_i a_j = \binom{n_c}{2}`, as in leidenalg's ``CPMVertexPartition``),

  .. math:: H = \sum_c \Big( L_c - \gamma \sum_{i < j \in c} a_i a_j \Big).

Self-loops are ignored (an edge from a node to itself can never be cut).  Parallel edges of a
multigraph each count.
"""
from __future__ import annotations

import numpy as np

from ._validation import as_edges, as_weights
from .exceptions import GaspTypeError, GaspValueError
from .graphs.networkx import check_undirected, not_loop, read_weights

__all__ = [
    "disagreement",
    "multicut_cost",
    "disagreement_from_labels",
    "multicut_cost_from_labels",
    "modularity",
    "modularity_from_labels",
    "cpm",
    "cpm_from_labels",
]


def _labels_of(G, communities):
    """int64 labels in G's node order, checking that communities partition G's nodes."""
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    labels = np.full(len(nodes), -1, dtype=np.int64)
    try:
        groups = list(communities)
    except TypeError:
        raise GaspTypeError(
            f"communities must be an iterable of node sets, got {type(communities).__name__}"
        ) from None
    for k, group in enumerate(groups):
        try:
            members = list(group)
        except TypeError:
            raise GaspTypeError(
                f"communities[{k}] must be an iterable of nodes, got {group!r}"
            ) from None
        for node in members:
            try:
                i = index[node]
            except (KeyError, TypeError):
                raise GaspValueError(
                    f"communities[{k}] contains {node!r}, which is not a node of G"
                ) from None
            if labels[i] >= 0:
                raise GaspValueError(
                    f"node {node!r} is in communities[{labels[i]}] and communities[{k}]: "
                    "communities must be disjoint"
                )
            labels[i] = k
    missing = np.flatnonzero(labels < 0)
    if missing.shape[0]:
        raise GaspValueError(
            f"node {nodes[int(missing[0])]!r} of G is in no community: communities must cover "
            "every node (put isolated nodes in singletons)"
        )
    return index, labels


def _graph_arrays(G, communities, weight, default_weight, keep=not_loop):
    check_undirected(G)
    index, labels = _labels_of(G, communities)
    u, v, w = read_weights(G, index, weight, default_weight, G.number_of_edges(), keep)
    return labels, u, v, w


def _cut(labels, u, v):
    return (labels[u] != labels[v]) & (u != v)


def _from_labels(labels, edges, weights):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise GaspTypeError(
            f"labels must be a 1-D integer array, got dtype {labels.dtype} and shape {labels.shape}"
        )
    e = as_edges(edges)
    w = as_weights(weights, e.shape[0])
    if e.shape[0]:
        bad = (e < 0) | (e >= labels.shape[0])
        if bad.any():
            i = int(np.flatnonzero(bad.any(axis=1))[0])
            raise GaspValueError(
                f"edges[{i}] = ({e[i, 0]}, {e[i, 1]}): node ids must lie in "
                f"[0, len(labels)={labels.shape[0]})"
            )
    return labels, e[:, 0], e[:, 1], w


def _disagreement(labels, u, v, w) -> float:
    cut = _cut(labels, u, v)
    inside = ~cut & (u != v)
    return float(w[cut & (w > 0)].sum() - w[inside & (w < 0)].sum())


def _multicut_cost(labels, u, v, w) -> float:
    return float(w[_cut(labels, u, v)].sum())


def disagreement(G, communities, weight="weight", *, default_weight=None):
    """Correlation-clustering disagreement of a partition of a signed graph.

    The total attractive weight cut between clusters plus the total absolute repulsive weight
    kept inside clusters (see the module description).  Lower is better; 0 means every edge
    agrees with the partition.

    Parameters
    ----------
    G : networkx.Graph or networkx.MultiGraph
        An undirected graph with signed edge weights.
    communities : iterable of iterables of nodes
        A partition of ``G``'s nodes, e.g. the output of :func:`gasp_graph.partition`.
    weight : str or (str, str), default "weight"
        The weight attribute, or a pair ``(attractive, repulsive)`` of attributes meaning
        ``w = w[attractive] - w[repulsive]``, as in :func:`gasp_graph.partition`.
    default_weight : float, optional
        Weight of edges without the attribute; without it a missing weight is an error.

    Returns
    -------
    float

    Raises
    ------
    GaspValueError
        ``communities`` is not a partition of ``G``'s nodes (a foreign node, a node in two
        communities, or a node in none), or a weight is missing or not finite.
    networkx.NetworkXNotImplemented
        ``G`` is directed.

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph.quality import disagreement
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(0, 1, 2.0), (1, 2, -1.0), (0, 2, 0.5)])
    >>> disagreement(G, [{0, 1, 2}])    # the repulsive edge (1, 2) is kept inside
    1.0
    >>> disagreement(G, [{0, 1}, {2}])  # the attractive edge (0, 2) is cut
    0.5
    """
    return _disagreement(*_graph_arrays(G, communities, weight, default_weight))


def multicut_cost(G, communities, weight="weight", *, default_weight=None):
    """Multicut cost of a partition: the sum of the weights of the edges it cuts.

    With ``w > 0`` attractive, cutting an attractive edge costs its weight and cutting a
    repulsive edge gains ``|w|``; lower is better and the value may be negative.  It equals
    :func:`disagreement` minus the total absolute repulsive weight of ``G``.

    Parameters
    ----------
    G : networkx.Graph or networkx.MultiGraph
        An undirected graph with signed edge weights.
    communities : iterable of iterables of nodes
        A partition of ``G``'s nodes.
    weight : str or (str, str), default "weight"
        As in :func:`disagreement`.
    default_weight : float, optional
        As in :func:`disagreement`.

    Returns
    -------
    float

    Raises
    ------
    GaspValueError
        As in :func:`disagreement`.
    networkx.NetworkXNotImplemented
        ``G`` is directed.

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph.quality import multicut_cost
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(0, 1, 2.0), (1, 2, -1.0), (0, 2, 0.5)])
    >>> multicut_cost(G, [{0, 1, 2}])
    0.0
    >>> multicut_cost(G, [{0, 1}, {2}])  # cuts (1, 2) and (0, 2): -1.0 + 0.5
    -0.5
    """
    return _multicut_cost(*_graph_arrays(G, communities, weight, default_weight))


def disagreement_from_labels(labels, edges, weights):
    """:func:`disagreement` for a labelling and edge arrays.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Cluster label of each node (any integers; equal labels mean the same cluster).
    edges : array_like of int, shape (m, 2)
        Node ids in ``[0, n)``; edges with equal ends are ignored.
    weights : array_like of float, shape (m,)
        Finite signed weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from gasp_graph.quality import disagreement_from_labels
    >>> disagreement_from_labels([0, 0, 1], [[0, 1], [1, 2], [0, 2]], [2.0, -1.0, 0.5])
    0.5
    """
    return _disagreement(*_from_labels(labels, edges, weights))


def multicut_cost_from_labels(labels, edges, weights):
    """:func:`multicut_cost` for a labelling and edge arrays.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Cluster label of each node.
    edges : array_like of int, shape (m, 2)
        Node ids in ``[0, n)``; edges with equal ends are ignored.
    weights : array_like of float, shape (m,)
        Finite signed weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from gasp_graph.quality import multicut_cost_from_labels
    >>> multicut_cost_from_labels([0, 0, 1], [[0, 1], [1, 2], [0, 2]], [2.0, -1.0, 0.5])
    -0.5
    """
    return _multicut_cost(*_from_labels(labels, edges, weights))


def _modularity(labels, u, v, w, resolution) -> float:
    gamma = _resolution(resolution)
    m = float(w.sum())
    if m == 0:
        raise GaspValueError("modularity is undefined for a graph of total weight 0")
    _, lab = np.unique(labels, return_inverse=True)
    k = lab.max() + 1 if lab.shape[0] else 0
    inside = np.bincount(lab[u], weights=np.where(lab[u] == lab[v], w, 0.0), minlength=k)
    degree = np.bincount(lab[u], weights=w, minlength=k) + np.bincount(lab[v], weights=w,
                                                                       minlength=k)
    return float((inside / m).sum() - gamma * ((degree / (2 * m)) ** 2).sum())


def _cpm(labels, u, v, w, resolution, node_weights) -> float:
    gamma = _resolution(resolution)
    _, lab = np.unique(labels, return_inverse=True)
    k = lab.max() + 1 if lab.shape[0] else 0
    a = np.ones(lab.shape[0]) if node_weights is None else node_weights
    inside = float(w[(lab[u] == lab[v]) & (u != v)].sum())
    total = np.bincount(lab, weights=a, minlength=k)
    squares = np.bincount(lab, weights=a * a, minlength=k)
    return inside - gamma * float(((total ** 2 - squares) / 2).sum())


def _resolution(resolution) -> float:
    if isinstance(resolution, (bool, np.bool_)) or not isinstance(resolution, (int, float)):
        raise GaspTypeError(f"resolution must be a real number, got {resolution!r}")
    if not (np.isfinite(resolution) and resolution >= 0):
        raise GaspValueError(f"resolution must be finite and >= 0, got {resolution!r}")
    return float(resolution)


def _node_weights(node_weights, n):
    if node_weights is None:
        return None
    from ._validation import _per_node

    a = _per_node("node_weights", node_weights, n)
    if not np.isfinite(a).all():
        i = int(np.flatnonzero(~np.isfinite(a))[0])
        raise GaspValueError(f"node_weights[{i}] = {float(a[i])!r}: must be finite")
    return a


def modularity(G, communities, weight="weight", resolution=1, *, default_weight=1.0):
    """Modularity of a partition of an (unsigned) graph, as :func:`networkx.community.modularity`.

    Parameters
    ----------
    G : networkx.Graph or networkx.MultiGraph
        An undirected graph.  Self-loops count (inside their node's community, twice in its
        degree); parallel edges add up.
    communities : iterable of iterables of nodes
        A partition of ``G``'s nodes.
    weight : str or None, default "weight"
        The edge attribute holding the weight; ``None``: every edge weighs 1.
    resolution : float, default 1
        ``gamma >= 0`` (see the module description).
    default_weight : float, default 1.0
        Weight of edges without the attribute (networkx's rule).

    Returns
    -------
    float

    Raises
    ------
    GaspValueError
        ``communities`` is not a partition of ``G``'s nodes, a weight is not finite, or the
        total weight is 0.

    See Also
    --------
    modularity_from_labels : the same for labels and edge arrays.
    gasp_graph.greedy_modularity_communities : greedy maximisation of it.

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph.quality import modularity
    >>> G = nx.barbell_graph(3, 0)
    >>> round(modularity(G, [{0, 1, 2}, {3, 4, 5}]), 6)
    0.357143
    >>> round(nx.community.modularity(G, [{0, 1, 2}, {3, 4, 5}]), 6)
    0.357143
    """
    if weight is None:  # every edge weighs 1
        labels, u, v, w = _graph_arrays(G, communities, "", 1.0, None)
        return _modularity(labels, u, v, np.ones_like(w), resolution)
    return _modularity(*_graph_arrays(G, communities, weight, default_weight, None), resolution)


def modularity_from_labels(labels, edges, weights=None, resolution=1):
    """:func:`modularity` for a labelling and edge arrays (self-loops allowed, weights >= 0).

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Community label of each node.
    edges : array_like of int, shape (m, 2)
        Node ids in ``[0, n)``.
    weights : array_like of float, shape (m,), optional
        Non-negative weights (default 1).
    resolution : float, default 1

    Returns
    -------
    float

    Examples
    --------
    >>> from gasp_graph.quality import modularity_from_labels
    >>> edges = [[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]]
    >>> round(modularity_from_labels([0, 0, 0, 1, 1, 1], edges), 6)
    0.357143
    """
    from ._validation import nonnegative_weights

    lab, u, v, _ = _from_labels(labels, edges, np.zeros(np.asarray(edges).reshape(-1, 2).shape[0]))
    w = nonnegative_weights("weights", weights, u.shape[0])
    return _modularity(lab, u, v, w, resolution)


def cpm(G, communities, weight="weight", resolution=1, *, node_weight=None,
        default_weight=None):
    """Constant Potts model quality of a partition of a signed or unsigned graph.

    The weight inside communities minus ``resolution`` times the sum of ``a_i * a_j`` over the
    node pairs inside them (``a``: the ``node_weight`` attribute, default 1, so that the
    penalty is ``resolution * n_c * (n_c - 1) / 2`` per community).  Higher is better.
    :func:`gasp_graph.gasp` with ``linkage="sum", null_model="cpm"`` increases it greedily.

    Parameters
    ----------
    G : networkx.Graph or networkx.MultiGraph
        An undirected graph; self-loops are ignored.
    communities : iterable of iterables of nodes
        A partition of ``G``'s nodes.
    weight : str or (str, str), default "weight"
        As in :func:`disagreement`.
    resolution : float, default 1
        ``gamma >= 0``.
    node_weight : str, optional
        A node attribute holding ``a_i >= 0`` (missing: 1).
    default_weight : float, optional
        Weight of edges without the attribute; without it a missing weight is an error.

    Returns
    -------
    float

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph.quality import cpm
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(0, 1, 1.0), (1, 2, 1.0), (0, 2, -1.0)])
    >>> cpm(G, [{0, 1, 2}], resolution=0.5)  # weight 1, minus 0.5 * 3 pairs
    -0.5
    >>> cpm(G, [{0, 1}, {2}], resolution=0.5)
    0.5
    """
    labels, u, v, w = _graph_arrays(G, communities, weight, default_weight)
    a = None
    if node_weight is not None:
        from .graphs import read_node_values

        a = read_node_values(G, list(G), node_weight, what="node weights", positive=False)
    return _cpm(labels, u, v, w, resolution, a)


def cpm_from_labels(labels, edges, weights, resolution=1, node_weights=None):
    """:func:`cpm` for a labelling and edge arrays.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
    edges : array_like of int, shape (m, 2)
        Edges with equal ends are ignored.
    weights : array_like of float, shape (m,)
        Finite signed weights.
    resolution : float, default 1
    node_weights : array_like of float, shape (n,), optional
        ``a_i`` (default 1).

    Returns
    -------
    float

    Examples
    --------
    >>> from gasp_graph.quality import cpm_from_labels
    >>> cpm_from_labels([0, 0, 1], [[0, 1], [1, 2], [0, 2]], [1.0, 1.0, -1.0], resolution=0.5)
    0.5
    """
    lab, u, v, w = _from_labels(labels, edges, weights)
    return _cpm(lab, u, v, w, resolution, _node_weights(node_weights, lab.shape[0]))
