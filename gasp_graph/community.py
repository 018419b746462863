"""Community detection on ordinary (unsigned) graphs.

* :func:`greedy_modularity_communities`: the Clauset-Newman-Moore greedy modularity maximisation
  with networkx's signature and results, computed by the engine's sum linkage with the
  modularity null model (also reachable as the networkx backend ``"gasp_graph"``).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _control
from ._validation import prepare
from .exceptions import GaspTypeError, GaspValueError
from .graphs import check_undirected, from_networkx, is_networkx_graph, to_sets
from .graphs._null import graph_node_weights
from .hierarchy import MergeTree

__all__ = ["greedy_modularity_communities"]


def _require_graph(G, name):
    if not is_networkx_graph(G):
        raise GaspTypeError(
            f"{name} needs a networkx graph, got {type(G).__module__}.{type(G).__name__}"
        )
    check_undirected(G)


def _unit_or_weighted(G, weight):
    """(nodes, edges, weights, node_weights) of G for the modularity null model: the weights of
    the ``weight`` attribute (missing: 1, as networkx's modularity functions read them) or all 1
    for ``weight=None``; node_weights carries the self-loops' share of the strengths."""
    if weight is None:
        nodes = list(G)
        index = {node: i for i, node in enumerate(nodes)}
        pairs = [(index[u], index[v]) for u, v in G.edges() if u != v]
        edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        weights = np.ones(edges.shape[0], dtype=np.float64)
        n_loops = np.zeros(len(nodes))
        for u, _ in _self_loops(G):
            n_loops[index[u]] += 2.0
        nw = None
        if n_loops.any():
            nw = (np.bincount(edges.reshape(-1), minlength=len(nodes)) + n_loops).astype(float)
        return nodes, edges, weights, nw
    if not isinstance(weight, str):
        raise GaspTypeError(f"weight must be an edge attribute name or None, got {weight!r}")
    nodes, edges, weights, _, _, _ = from_networkx(
        G, weight=weight, default_weight=1.0, lifted=None, edge_size=None, node_size=None
    )
    nw = graph_node_weights(G, nodes, edges, weights, None, null_model="modularity",
                            node_weights=None, weight=weight, default_weight=1.0)
    return nodes, edges, weights, nw


def _self_loops(G):
    import networkx as nx

    return nx.selfloop_edges(G)


def _count(name, value, n):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise GaspTypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if not 1 <= value <= n:
        raise GaspValueError(f"{name} must be between 1 and {n}. Got {value}.")
    return value


def greedy_modularity_communities(G, weight=None, resolution=1, cutoff=1, best_n=None):
    r"""Communities of ``G`` by greedy modularity maximisation (Clauset-Newman-Moore).

    Starting from singletons, the two communities whose merge raises the modularity most are
    merged, until no merge raises it.  The same function as
    :func:`networkx.community.greedy_modularity_communities`, with its arguments and results
    (also reachable from networkx as ``backend="gasp_graph"``), run by the C engine: GASP with
    the sum linkage and the modularity null model (``null_model="modularity"``).

    Parameters
    ----------
    G : networkx.Graph
        An undirected graph (not a multigraph).
    weight : str or None, default None
        The edge attribute holding the non-negative weight (missing: 1); ``None``: every edge
        weighs 1.
    resolution : float, default 1
        ``gamma >= 0``; below 1 favours larger communities, above 1 smaller ones.
    cutoff : int, default 1
        Stop merging when this many communities remain, even if modularity could still rise.
    best_n : int, optional
        Keep merging, even when modularity falls, until at most this many communities remain.
        ``cutoff = best_n = k`` gives exactly ``k`` communities (when the graph has at most
        ``k`` connected components, otherwise the largest components are joined).

    Returns
    -------
    communities : list of frozenset
        The communities, largest first; communities of equal size are ordered by the position
        of their first node in ``G``'s node order.  (A graph without edges, and ``best_n=1``,
        give a list of sets, as networkx does.)

    Raises
    ------
    networkx.NetworkXNotImplemented
        ``G`` is directed or a multigraph.
    GaspValueError
        ``cutoff`` or ``best_n`` is outside ``[1, G.number_of_nodes()]``, or ``best_n <
        cutoff`` (a subclass of ``ValueError``, networkx's messages); a weight is negative or
        not finite.

    See Also
    --------
    gasp_graph.communities : the recommended community detection.
    gasp_graph.agglomerate : the merge tree, with the modularity gain of every merge.

    Notes
    -----
    The sequence of merges is that of networkx, and so are the stopping rules of ``cutoff``
    and ``best_n`` (merges of zero gain continue), on every graph where no two candidate
    merges have the same modularity gain.  Where gains tie, networkx takes the pair of
    smallest node labels and this function the pair joined by the earliest edge in
    ``G.edges()`` order, so the results may differ (with the same modularity at that step).
    The computation takes ``O(m log m)`` time for ``m`` edges in practice: no pair of
    communities without an edge between them is ever considered (their gain is negative).

    References
    ----------
    .. [1] A. Clauset, M. E. J. Newman, C. Moore, "Finding community structure in very large
       networks", Phys. Rev. E 70, 066111 (2004).

    Examples
    --------
    >>> import networkx as nx
    >>> from gasp_graph import greedy_modularity_communities
    >>> G = nx.karate_club_graph()
    >>> c = greedy_modularity_communities(G)
    >>> sorted(c[0])
    [8, 14, 15, 18, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]
    >>> c == nx.community.greedy_modularity_communities(G)
    True
    """
    _require_graph(G, "greedy_modularity_communities")
    if G.is_multigraph():
        import networkx as nx

        raise nx.NetworkXNotImplemented("not implemented for multigraph type")
    n = G.number_of_nodes()
    if not G.size():
        return [{node} for node in G]
    cutoff = _count("cutoff", cutoff, n)
    if best_n is not None:
        best_n = _count("best_n", best_n, n)
        if best_n < cutoff:
            raise GaspValueError(f"Must have best_n >= cutoff. Got {best_n} < {cutoff}")
        if best_n == 1:
            return [set(G)]
    else:
        best_n = n
    nodes, edges, weights, nw = _unit_or_weighted(G, weight)
    tree = _modularity_tree(nodes, edges, weights, nw, resolution)
    # networkx's stopping rules over the recorded greedy sequence
    j, count, k = 0, n, len(tree)
    while count > cutoff:
        if j == k:  # the connected components: join the largest ones until best_n remain
            comms = [frozenset(c) for c in tree.communities(-np.inf)]
            while len(comms) > best_n:
                comms = [comms[0] | comms[1]] + comms[2:]
            return comms
        if tree.heights[j] < 0 and count <= best_n:
            break
        j += 1
        count -= 1
    return [frozenset(c) for c in to_sets(tree.labels_at(j), nodes)]


def _modularity_tree(nodes, edges, weights, node_weights, resolution):
    """The complete greedy-modularity merge tree (heights: the modularity gains)."""
    problem = prepare(
        edges, weights, n_nodes=len(nodes), linkage="sum", null_model="modularity",
        resolution=resolution, node_weights=node_weights,
    )
    _, merges, heights, info = _control.run(problem, record_merges=True, run_to_completion=True)
    return MergeTree(problem.n_nodes, merges, heights, edges=problem.edges, nodes=nodes,
                     options={"linkage": "sum", "null_model": "modularity",
                              "resolution": problem.resolution},
                     n_gasp_merges=info["n_merges_gasp"])
