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


def _graph_arrays(G, communities, weight, default_weight):
    check_undirected(G)
    index, labels = _labels_of(G, communities)
    u, v, w = read_weights(G, index, weight, default_weight, G.number_of_edges(), not_loop)
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
