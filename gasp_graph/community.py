"""Community detection on ordinary (unsigned) graphs.

* :func:`communities`: the recommended call, label-free.  GASP's sum linkage with the CPM null
  model on the neighbourhood similarities of the edges, then local node moves on modularity;
  a multilevel modularity optimisation (local moves and aggregation, as Louvain) is the
  fallback when that partition's modularity is far below the optimiser's.
* :func:`greedy_modularity_communities`: the Clauset-Newman-Moore greedy modularity maximisation
  with networkx's signature and results, computed by the engine's sum linkage with the
  modularity null model (also reachable as the networkx backend ``"gasp_graph"``).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _control
from ._validation import _as_float, node_strengths, prepare
from .exceptions import GaspTypeError, GaspValueError
from .graphs import check_undirected, from_networkx, is_networkx_graph, to_sets
from .graphs.convert import GRAPH_KINDS, from_graph, is_graph
from .graphs.sparse import is_sparse
from .graphs._null import graph_node_weights
from .hierarchy import MergeTree

__all__ = ["communities", "greedy_modularity_communities"]

METHODS = ("auto", "similarity", "modularity")

# method="auto" keeps the similarity partition unless its modularity is below this fraction of
# the multilevel optimiser's (see communities' Notes and the benchmark in the user guide).
AUTO_MODULARITY_RATIO = 0.95
# Between AUTO_FALLBACK_RATIO and AUTO_MODULARITY_RATIO, "auto" returns the multilevel search
# on modularity at resolution AUTO_SEARCH_RESOLUTION started from the similarity partition;
# below, the one at resolution 1 started from singletons.
AUTO_FALLBACK_RATIO = 0.85
AUTO_SEARCH_RESOLUTION = 1.15


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


# a column / attribute name no input has: with default_weight=1.0 every edge weighs 1
_UNIT = "\x00unit weight"


def _community_arrays(G, weight):
    """(nodes, edges, weights, node_weights) of any graph kind for communities(); nodes is None
    for a sparse matrix (its nodes are 0..n-1 and the result is a label array)."""
    if is_networkx_graph(G):
        check_undirected(G)
        return _unit_or_weighted(G, weight)
    if not is_graph(G):
        raise GaspTypeError(
            f"communities needs {GRAPH_KINDS}, got {type(G).__module__}.{type(G).__name__}"
        )
    if weight is not None and not isinstance(weight, str):
        raise GaspTypeError(f"weight must be an edge attribute name or None, got {weight!r}")
    if is_sparse(G):
        if weight not in (None, "weight"):
            raise GaspTypeError(
                f"weight={weight!r} names an edge attribute; a sparse matrix's stored values "
                "are its weights (weight='weight'), or weight=None for unit weights"
            )
        g = from_graph(G)
        w = g.weights if weight == "weight" else np.ones_like(g.weights)
        diag = np.asarray(G.diagonal(), dtype=np.float64)
        loops = 2.0 * (diag if weight == "weight" else (diag != 0))
        nw = node_strengths(g.n_nodes, g.edges, w, None) + loops if loops.any() else None
        return None, g.edges, w, nw
    name = _UNIT if weight is None else weight
    g = from_graph(G, weight=name, default_weight=1.0)
    nw = graph_node_weights(G, g.nodes, g.edges, g.weights, None, null_model="modularity",
                            node_weights=None, weight=name, default_weight=1.0)
    return g.nodes, g.edges, g.weights, nw


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
    merged, until no merge raises it [1]_.  The same function as
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


# --------------------------------------------------------------------------------------------
# communities()
# --------------------------------------------------------------------------------------------

def communities(G, *, weight=None, resolution=3.0, method="auto"):
    r"""Communities of an ordinary (unsigned) graph: the one call for community detection.

    Label-free: no number of communities and no threshold to choose.  The default recipe
    (``method="auto"``), chosen by the benchmark in the user guide ("Community detection"):

    1. every edge gets the cosine similarity of its ends' closed neighbourhoods (how many
       neighbours they share, relative to their degrees), in ``(0, 1]``;
    2. GASP with the sum linkage and the CPM null model merges two clusters while the summed
       similarity between them exceeds ``gamma * |S| * |T|``, with
       ``gamma = resolution * s_mean`` and ``s_mean`` the mean similarity over all node pairs:
       clusters join while they are ``resolution`` times more similar than random pairs;
    3. single nodes then move between neighbouring communities while that raises the
       modularity of ``G`` (refinement), and communities that are not connected are split.

    Dense groups too small for modularity's resolution limit stay apart this way.  When the
    graph holds large, sparse communities (neighbourhoods then hardly overlap, and step 2
    splits them), the modularity of that partition is below the optimum.  ``"auto"`` compares
    it with the multilevel modularity optimisation from singletons (``method="modularity"``):
    at 95 % of its modularity or more the similarity partition is returned; from 85 % to 95 %
    the multilevel optimisation of modularity at resolution 1.15 started from the similarity
    partition (it joins the parts that modularity says belong together, with less of its
    resolution limit); below 85 % the multilevel optimisation from singletons.

    Parameters
    ----------
    G : networkx.Graph or MultiGraph, pandas.DataFrame, igraph.Graph, or scipy sparse matrix
        An undirected graph, read as :func:`gasp_graph.partition` reads it (a DataFrame's
        ``source`` and ``target`` columns; a sparse matrix is a symmetric adjacency matrix).
        Self-loops are ignored by the similarity, counted by the modularity.
    weight : str, optional
        The edge attribute (DataFrame column) holding non-negative weights (missing: 1);
        ``None`` (default): every edge weighs 1.  For a sparse matrix ``"weight"`` means its
        stored values.  Weighted neighbourhoods give weighted similarities (a node weighs
        itself as much as its strongest edge).
    resolution : float, default 3.0
        ``> 0``: how many times more similar than random node pairs two clusters must be to
        merge (step 2); higher values give more, smaller communities.
    method : {"auto", "similarity", "modularity"}, default "auto"
        ``"similarity"``: steps 1-3 only; ``"modularity"``: the multilevel modularity
        optimisation (node moves from singletons, then moves of whole communities and of
        sub-communities collapsed into nodes, as in the Louvain and Leiden methods, repeated
        from perturbed partitions; deterministic).

    Returns
    -------
    communities : list of set, or ndarray of int64
        A partition of ``G``'s nodes, largest communities first (ties: by the position of the
        first node in ``G``'s node order), as :func:`networkx.community.louvain_communities`.
        For a sparse matrix: one label per row, ``0 .. k-1`` by first occurrence (as
        :func:`gasp_graph.partition` returns for one).

    Raises
    ------
    networkx.NetworkXNotImplemented
        ``G`` is a directed networkx graph.
    GaspTypeError
        ``G`` is not one of the graph kinds above, or ``weight`` is not a name.
    GaspValueError
        A weight is negative or not finite, a sparse matrix is not symmetric, or an option is
        invalid.
    ImportError
        scipy is missing (``pip install gasp_graph[networkx]``).

    See Also
    --------
    gasp_graph.greedy_modularity_communities : greedy modularity (CNM), networkx's results.
    gasp_graph.partition : partitions of signed graphs.
    gasp_graph.quality.modularity : scoring.

    Notes
    -----
    Deterministic: the same graph (and node and edge order) gives the same communities.
    The cost is that of the similarities, ``O(sum of squared degrees)`` with scipy's sparse
    products, plus ``O(m log m)`` for GASP and ``O(m)`` per round of node moves.

    Examples
    --------
    Thirty cliques of five nodes in a ring, each joined to the next by one edge: modularity's
    resolution limit merges neighbouring cliques, the default recipe keeps all thirty.

    >>> import networkx as nx
    >>> from gasp_graph import communities
    >>> G = nx.ring_of_cliques(30, 5)
    >>> len(communities(G))
    30
    >>> len(communities(G, method="modularity"))
    15
    >>> sorted(communities(G)[0])
    [0, 1, 2, 3, 4]
    """
    if method not in METHODS:
        raise GaspValueError(f"method={method!r} is not one of {', '.join(map(repr, METHODS))}")
    resolution = _as_float("resolution", resolution)
    if not (np.isfinite(resolution) and resolution > 0):
        raise GaspValueError(f"resolution must be finite and > 0, got {resolution!r}")
    nodes, edges, weights, nw = _community_arrays(G, weight)
    if nodes is None:  # a sparse matrix: labels, as partition returns for one
        n = int(G.shape[0])

        def result(labels):
            return np.asarray(labels, dtype=np.int64)
    else:
        n = len(nodes)

        def result(labels):
            return to_sets(labels, nodes)
    if edges.shape[0] == 0:
        return result(np.arange(n))
    bad = weights < 0
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        u, v = ((int(edges[k, 0]), int(edges[k, 1])) if nodes is None
                else (nodes[edges[k, 0]], nodes[edges[k, 1]]))
        raise GaspValueError(
            f"edge ({u!r}, {v!r}) has weight "
            f"{float(weights[k])!r}: communities() needs non-negative weights (for signed "
            "graphs use gasp_graph.partition)"
        )
    modularity_problem = prepare(edges, weights, n_nodes=n, linkage="sum",
                                 null_model="modularity", node_weights=nw)
    labels = None
    if method in ("auto", "similarity"):
        labels = _similarity_communities(n, edges, weights, float(resolution), modularity_problem)
    if method in ("auto", "modularity"):
        multilevel = _multilevel_modularity(modularity_problem)
        if labels is None:
            labels = multilevel
        else:
            from .quality import modularity_from_labels

            def score(lab):
                return modularity_from_labels(lab, modularity_problem.edges,
                                              modularity_problem.weights)

            ratio = score(labels) / score(multilevel) if score(multilevel) > 0 else 1.0
            if ratio < AUTO_FALLBACK_RATIO:
                labels = multilevel
            elif ratio < AUTO_MODULARITY_RATIO:
                finer = prepare(edges, weights, n_nodes=n, linkage="sum",
                                null_model="modularity", node_weights=nw,
                                resolution=AUTO_SEARCH_RESOLUTION)
                labels = _core_refine(finer, labels, moves_only=False)
    return result(labels)


def neighbourhood_similarity(n, edges, weights):
    """Cosine similarity of the closed neighbourhoods of every edge's ends, in (0, 1].

    Rows of ``A + D`` where ``D`` puts on the diagonal each node's largest incident weight
    (1 for unit weights); parallel edges add up.  Needs scipy.
    """
    try:
        import scipy.sparse as sp
    except ImportError as exc:  # pragma: no cover - scipy comes with the networkx extra
        raise ImportError(
            "communities() needs scipy: pip install gasp_graph[networkx]"
        ) from exc
    u, v = edges[:, 0], edges[:, 1]
    own = np.zeros(n)
    np.maximum.at(own, u, weights)
    np.maximum.at(own, v, weights)
    A = sp.coo_array(
        (np.concatenate([weights, weights, own]),
         (np.concatenate([u, v, np.arange(n)]), np.concatenate([v, u, np.arange(n)]))),
        shape=(n, n),
    ).tocsr()
    A.sum_duplicates()
    norms = np.sqrt(np.asarray(A.multiply(A).sum(axis=1)).ravel())
    dots = np.empty(edges.shape[0])
    step = 1 << 17
    for s in range(0, edges.shape[0], step):
        rows_u, rows_v = A[u[s:s + step]], A[v[s:s + step]]
        dots[s:s + step] = np.asarray(rows_u.multiply(rows_v).sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = dots / (norms[u] * norms[v])
    return np.nan_to_num(sim, nan=0.0)


def _similarity_communities(n, edges, weights, resolution, modularity_problem):
    """Steps 1-3 of communities(): similarity, GASP sum + CPM, modularity node moves."""
    sim = neighbourhood_similarity(n, edges, weights)
    gamma = resolution * float(sim.sum()) / (n * (n - 1) / 2)
    problem = prepare(edges, sim, n_nodes=n, linkage="sum", null_model="cpm", resolution=gamma)
    labels, _, _, _ = _control.run(problem)
    return _core_refine(modularity_problem, labels)


def _core_refine(problem, labels, moves_only=True):
    from . import _core

    return _core.refine(problem, labels, moves_only=moves_only)[0]


def _multilevel_modularity(problem):
    """Multilevel modularity from singletons (refine.c's search), deterministic."""
    return _core_refine(problem, np.arange(problem.n_nodes, dtype=np.int64), moves_only=False)
