"""The graph front end: ``partition(G)`` on a networkx graph, a pandas edge table, an igraph
Graph or a scipy sparse adjacency matrix.

The converters of :mod:`gasp_graph.graphs` turn the caller's object into the engine's arrays;
:func:`partition` then runs the array API :func:`gasp_graph.gasp` and converts the labels back.

networkx, pandas, igraph and scipy are optional dependencies: they are only imported when the
caller already passed one of their objects.
"""
from __future__ import annotations

from .arrays import gasp
from .exceptions import warn
from .graphs import from_graph, to_sets
from .graphs._null import graph_node_weights

__all__ = ["partition"]


def partition(
    G,
    *,
    weight="weight",
    source="source",
    target="target",
    linkage="average",
    cannot_link=False,
    lifted=None,
    edge_size=None,
    default_weight=None,
    merge_constrained_at_end=False,
    node_size=None,
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
    """Partition a signed graph (networkx, pandas edge table, igraph, scipy sparse) with GASP.

    Positive edge weights attract (their ends should share a cluster), negative weights repel.
    GASP starts from singletons and repeatedly merges the two clusters joined by the highest
    linkage value while that value is positive (see :func:`gasp_graph.gasp`).

    Parameters
    ----------
    G : networkx.Graph or MultiGraph, pandas.DataFrame, igraph.Graph, or scipy sparse matrix
        The graph.  For networkx graphs the weights are edge attributes.  A pandas DataFrame
        is an edge table: one row per edge, the nodes in the columns ``source`` and ``target``,
        the weight in the column ``weight`` (repeated pairs are folded by the linkage, like the
        parallel edges of a MultiGraph).  For an igraph Graph the weights are edge attributes
        and the nodes are the values of the ``"name"`` vertex attribute when there is one, the
        vertex indices otherwise.  For a scipy sparse
        matrix or array (any format) of shape ``(n, n)``, each stored off-diagonal entry is an
        edge with the stored value as weight: explicitly stored zeros are edges of weight 0,
        and the diagonal is ignored.  The matrix may be symmetric or store only its upper or
        only its lower triangle; if it stores both ``A[i, j]`` and ``A[j, i]`` they must be
        equal.  Directed graphs are not accepted.
    weight : str or (str, str), default "weight"
        The edge attribute (DataFrame: the column) holding the signed weight, or a pair of
        names ``(attractive, repulsive)`` meaning ``w = w[attractive] - w[repulsive]``.  Not for
        a sparse matrix, whose stored values are the weights.  Attribute values must be real
        numbers (Python or numpy ints and floats, fractions); strings, complex numbers and
        booleans raise GaspTypeError naming the edge, rather than being converted (``"0.5"``,
        the real part, or ``True`` as 1.0 would hide a mistake).  The same holds for
        ``edge_size`` and ``node_size``; ``lifted`` flags are booleans or 0 / 1.
    source, target : str, default "source", "target"
        DataFrame only: the columns holding the two nodes of each edge (any hashable values).
    linkage : str, default "average"
        How the weights of all edges between two clusters combine: ``"sum"``, ``"average"``,
        ``"max"``, ``"min"``, ``"abs_max"`` (mutex watershed), ``"generalized_mean"``,
        ``"smooth_max"`` (aliases as in :func:`gasp_graph.gasp`).
    cannot_link : bool, default False
        Treat a repulsive cluster pair as a constraint that forbids merging it later.
    lifted : str or sparse matrix, optional
        Lifted (long-range) edges: they attract or repel but never merge two clusters by
        themselves.  networkx, igraph: the name of a boolean edge attribute (missing means not
        lifted); DataFrame: a column of booleans or 0/1.
        sparse: a matrix of ``A``'s shape whose stored nonzero (True) entries mark which of
        ``A``'s edges are lifted (one triangle or symmetric, like ``A``); marking a pair that
        ``A`` does not store is an error.
    edge_size : str or sparse matrix, optional
        Positive edge sizes (the weights of edges inside the linkage).  networkx, igraph: an
        edge attribute name (missing means 1); DataFrame: a column.  sparse: a matrix storing
        an entry for exactly the
        pairs ``A`` stores.
    default_weight : float, optional
        The weight of an edge without the ``weight`` attribute (DataFrame: a missing value, or
        a missing column; with a pair of names: the value of each missing one).  Without it a
        missing weight is an error.  Not for a sparse matrix.
    merge_constrained_at_end : bool, default False
        With ``cannot_link=True``, drop the constraints after the constrained pass and continue.
    node_size : str or array_like, optional
        Positive node sizes for ``size_regularizer``.  networkx, igraph: a node attribute name
        (missing means 1); DataFrame: a mapping (dict or Series) from node to size (missing
        means 1); sparse: an array of length ``n``.
    size_regularizer : float, default 0.0
        ``r >= 0`` favours merging small clusters first (see :func:`gasp_graph.gasp`).
    n_clusters : int, optional
        Exactly this many clusters: GASP's merges, then (if more clusters remain) the local
        pairs of highest linkage value whatever their sign, as in :func:`gasp_graph.gasp`.
    linkage_param : float, optional
        ``p`` of ``"generalized_mean"`` and ``"smooth_max"``.
    min_clusters : int, optional
        Stop as soon as at most this many clusters remain (an early stop, see
        :func:`gasp_graph.gasp`).  Not together with ``n_clusters``.
    null_model : {None, "modularity", "cpm"}, default None
        With ``linkage="sum"``: subtract ``resolution * a_S * a_T`` from every cluster pair's
        linkage (greedy modularity or CPM; see :func:`gasp_graph.gasp`).  For modularity the
        node strengths count self-loops twice, as networkx's weighted degree does (a sparse
        matrix's diagonal entries are its self-loops).
    resolution : float, default 1.0
        ``gamma >= 0`` of the null model.
    node_weights : str or array_like, optional
        Non-negative per-node values replacing the null model's default (strengths for
        modularity, 1 for CPM).  networkx: a node attribute name (missing means 1); sparse:
        an array of length ``n``.
    refine : bool, default False
        Improve the result by local node moves (see :func:`gasp_graph.gasp`).
    self_loops : {"ignore", "error"}, default "ignore"
        Self-loops (an edge from a node to itself; for a matrix: a nonzero diagonal entry) are
        dropped, or raise GaspValueError with ``"error"``.  They never change GASP's merges.
    progress : bool, default False
        Show progress on stderr (tqdm when installed) once the run has lasted about a second.
    callback : callable, optional
        ``callback(n_merges, n_clusters, value)``, called every ``callback_every`` merges; a
        True return value stops the run with the partition reached so far (see
        :func:`gasp_graph.gasp` and the user guide page on run control).
    callback_every : int, default 1000
        Merges between two calls of ``callback``.

    Returns
    -------
    communities : list of sets, or ndarray of int64
        For a networkx or igraph graph or a DataFrame: a list of sets of node objects forming a
        partition of the nodes (isolated nodes are singletons), ordered by decreasing size, ties
        broken by the position in node order of each cluster's first node (networkx: ``G``'s
        node order; igraph: vertex order; DataFrame: order of first appearance, row by row,
        source before target).  For a sparse matrix:
        labels of shape ``(n,)`` numbered ``0 .. k-1`` by first occurrence.

    Raises
    ------
    networkx.NetworkXNotImplemented
        ``G`` is a directed networkx graph (a directed igraph Graph raises GaspValueError).
    GaspValueError
        A weight is missing (and no ``default_weight``), NaN or infinite; a sparse matrix is
        not square or its two triangles disagree; a lifted flag or a size is invalid; an
        engine option is invalid.  The message names the edge or position.
    GaspTypeError
        ``G`` is none of the accepted kinds; an attribute value or
        a dtype is not numeric; an option has the wrong type for the input kind.
    KeyboardInterrupt
        Ctrl-C during the run (the engine stops promptly and frees its memory).

    See Also
    --------
    gasp_graph.gasp : the same algorithm on edge arrays.
    gasp_graph.GASP : a scikit-learn style estimator.
    gasp_graph.signed_weights : turn probabilities into signed weights.

    Warns
    -----
    GaspWarning
        ``G`` has no negative weight and no null model is given: GASP then merges every
        connected component into one cluster.  For communities of an unsigned graph use
        :func:`gasp_graph.communities` (or ``null_model="modularity"``), or turn similarities
        into signed weights with :func:`gasp_graph.signed_weights`.

    Notes
    -----
    Parallel edges of a ``MultiGraph`` (and repeated pairs of a DataFrame or of an igraph
    Graph) are passed to the engine as duplicate edges, which it folds with the linkage rule in
    edge order.

    The order of the edges given to the engine is deterministic, so the result is too (ties
    are broken by edge order): for networkx, ``G.edges()`` iteration order; for sparse input,
    ``(row, col)`` order of the upper triangle, where an entry stored in the lower triangle at
    ``(j, i)`` counts as ``(i, j)``.  Duplicate entries of a COO matrix are summed, as scipy
    does.  A BSR matrix stores whole blocks: zeros inside stored blocks are edges of weight 0
    (call ``A.eliminate_zeros()`` first if they are not); DIA matrices drop zeros on conversion.

    Examples
    --------
    Two triangles that attract inside and repel each other:

    >>> import networkx as nx
    >>> from gasp_graph import partition
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("a", "b", 0.9), ("b", "c", 0.8), ("a", "c", 0.7),
    ...                            ("x", "y", 0.9), ("y", "z", 0.6), ("x", "z", 0.8),
    ...                            ("c", "x", -0.5)])
    >>> [sorted(c) for c in partition(G)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]

    Separate attraction and repulsion attributes:

    >>> H = nx.Graph()
    >>> H.add_edge(1, 2, attract=0.9, repel=0.1)
    >>> H.add_edge(2, 3, attract=0.2, repel=0.7)
    >>> partition(H, weight=("attract", "repel"))
    [{1, 2}, {3}]

    The same graph as a scipy sparse matrix storing the upper triangle only:

    >>> import scipy.sparse as sp
    >>> A = sp.coo_array(([0.8, -0.5], ([0, 1], [1, 2])), shape=(3, 3))
    >>> partition(A)
    array([0, 0, 1])

    A pandas edge table with named columns (a matcher's scores, for deduplication):

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"u": ["ann", "ann", "bob"], "v": ["anne", "bob", "rob"],
    ...                       "score": [0.9, -0.6, 0.7]})
    >>> [sorted(c) for c in partition(pairs, source="u", target="v", weight="score")]
    [['ann', 'anne'], ['bob', 'rob']]

    Stop after the first merge (the callback sees every merge with ``callback_every=1``):

    >>> stopped = partition(G, callback=lambda n_merges, n_clusters, value: n_merges == 1,
    ...                     callback_every=1)
    >>> [sorted(c) for c in stopped]
    [['a', 'b'], ['c'], ['x'], ['y'], ['z']]
    """
    options = dict(
        null_model=null_model,
        resolution=resolution,
        refine=refine,
        linkage=linkage,
        cannot_link=cannot_link,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=size_regularizer,
        n_clusters=n_clusters,
        linkage_param=linkage_param,
        min_clusters=min_clusters,
        self_loops=self_loops,
        progress=progress,
        callback=callback,
        callback_every=callback_every,
    )
    g = from_graph(G, weight=weight, default_weight=default_weight, lifted=lifted,
                   edge_size=edge_size, node_size=node_size, source=source, target=target,
                   self_loops=self_loops)
    nw = graph_node_weights(
        G, g.nodes, g.edges, g.weights, g.edge_sizes, null_model=null_model,
        node_weights=node_weights, weight=weight, default_weight=default_weight,
        edge_size=edge_size, source=source, target=target,
    )
    labels = gasp(
        g.edges,
        g.weights,
        n_nodes=g.n_nodes,
        lifted=g.lifted,
        edge_sizes=g.edge_sizes,
        node_sizes=g.node_sizes,
        node_weights=nw,
        **options,
    )
    _warn_unsigned(g.weights, null_model, n_clusters or min_clusters)
    return labels if g.nodes is None else to_sets(labels, g.nodes)


_UNSIGNED_ADVICE = (
    " For communities of an unsigned graph use gasp_graph.communities(G) (or "
    "null_model='modularity' with linkage='sum'); to turn similarities or probabilities into "
    "attraction and repulsion use gasp_graph.signed_weights"
)


def _warn_unsigned(weights, null_model, cluster_target, advice=_UNSIGNED_ADVICE):
    """GaspWarning when GASP can only return the connected components (no repulsion at all);
    ``advice`` says what to do instead (the command line gives its own)."""
    if null_model is not None or cluster_target is not None or weights.shape[0] == 0:
        return
    if (weights < 0).any() or not (weights > 0).any():
        return
    warn(
        "the graph has no negative weight, so nothing repels and GASP returns the connected "
        "components (of the positive edges) as clusters." + advice
    )
