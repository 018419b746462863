"""Per-node values of the null model for graph inputs (networkx, pandas, igraph, sparse).

The engine's arrays drop self-loops (networkx, DataFrame rows, igraph edges) and the diagonal
(sparse), but the modularity null
model counts them in the node strengths, as networkx's weighted degree does (a self-loop of weight
w adds 2w).  :func:`graph_node_weights` returns what :func:`gasp_graph._validation.prepare` needs
as ``node_weights``: the user's values, the strengths with the self-loops when there are any, or
None (prepare then computes the strengths from the edge arrays).
"""
from __future__ import annotations

import numpy as np

from .._validation import node_strengths
from ..exceptions import GaspTypeError
from ._columns import as_column, check_weights, weight_names
from .igraph import is_igraph
from .networkx import is_networkx_graph, read_node_values, self_loop_strengths
from .pandas import is_dataframe

__all__ = ["graph_node_weights"]


def _table_loops(G, nodes, weight, default_weight, edge_size, source, target):
    """Twice the weight (times the size) of the self-loops of a DataFrame or igraph Graph, per
    node, or None when there is none."""
    index = {node: i for i, node in enumerate(nodes)}
    if is_dataframe(G):
        src, tgt = G[source].to_numpy(), G[target].to_numpy()
        rows = [k for k in range(src.shape[0]) if src[k] == tgt[k]]
        ends = [src[k] for k in rows]

        def column(name):
            return G[name].to_numpy()[rows] if name in G.columns else None

        def what(k):
            return f"self-loop row {G.index[rows[k]]!r} has"
    else:
        pairs = G.get_edgelist()
        rows = [k for k, (a, b) in enumerate(pairs) if a == b]
        ends = [nodes[pairs[k][0]] for k in rows]

        def column(name):
            if name not in G.es.attributes():
                return None
            values = G.es[name]
            return [values[k] for k in rows]

        def what(k):
            return f"self-loop ({ends[k]!r}, {ends[k]!r}) has"
    if not rows:
        return None
    total = None
    for i, name in enumerate(weight_names(weight)):
        values = column(name)
        w = (np.full(len(rows), np.nan if default_weight is None else float(default_weight))
             if values is None else as_column(values, lambda k, n=name: f"{what(k)} {n}",
                                              missing=default_weight))
        check_weights(w, lambda k, n=name: f"{what(k)} {n}", default_weight is not None)
        total = w if i == 0 else total - w
    if edge_size is not None:
        sizes = column(edge_size)
        if sizes is not None:
            total = total * as_column(sizes, lambda k: f"{what(k)} {edge_size}", missing=1.0)
    out = np.zeros(len(nodes), dtype=np.float64)
    np.add.at(out, [index[v] for v in ends], 2.0 * total)
    return out


def graph_node_weights(G, nodes, edges, weights, edge_sizes, *, null_model, node_weights,
                       weight="weight", default_weight=None, edge_size=None, source="source",
                       target="target"):
    """``node_weights`` for prepare(): see the module description."""
    if is_dataframe(G) or is_igraph(G):
        if node_weights is not None:
            if is_igraph(G):
                if not isinstance(node_weights, str):
                    raise GaspTypeError(
                        "node_weights must be a vertex attribute name (str) for an igraph "
                        f"Graph, got {type(node_weights).__name__}"
                    )
                values = (G.vs[node_weights] if node_weights in G.vs.attributes()
                          else [1.0] * len(nodes))
            else:
                if isinstance(node_weights, str) or not hasattr(node_weights, "get"):
                    raise GaspTypeError(
                        "node_weights must be a mapping (dict or pandas Series) from node to "
                        f"value for a DataFrame, got {type(node_weights).__name__}"
                    )
                values = [node_weights.get(v, 1.0) for v in nodes]
            return as_column(values, lambda k: f"node {nodes[k]!r} has node weight")
        if null_model != "modularity":
            return None
        loops = _table_loops(G, nodes, weight, default_weight, edge_size, source, target)
    elif is_networkx_graph(G):
        if node_weights is not None:
            if not isinstance(node_weights, str):
                raise GaspTypeError(
                    "node_weights must be a node attribute name (str) for a networkx graph, "
                    f"got {type(node_weights).__name__}"
                )
            return read_node_values(G, nodes, node_weights, what="node weights",
                                    default=1.0, positive=False)
        if null_model != "modularity":
            return None
        index = {node: i for i, node in enumerate(nodes)}
        loops = self_loop_strengths(G, index, weight, default_weight, edge_size)
    else:  # sparse matrix
        if node_weights is not None:
            if isinstance(node_weights, str):
                raise GaspTypeError(
                    f"node_weights={node_weights!r}: for a sparse matrix pass an array of node "
                    "weights"
                )
            return node_weights
        if null_model != "modularity":
            return None
        diag = np.asarray(G.diagonal(), dtype=np.float64)
        loops = 2.0 * diag if diag.any() else None
    if loops is None:
        return None
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.asarray(weights, dtype=np.float64)
    es = None if edge_sizes is None else np.asarray(edge_sizes, dtype=np.float64)
    return node_strengths(loops.shape[0], e, w, es) + loops
