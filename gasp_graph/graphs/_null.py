"""Per-node values of the null model for graph inputs (networkx graphs, sparse matrices).

The engine's arrays drop self-loops (networkx) and the diagonal (sparse), but the modularity null
model counts them in the node strengths, as networkx's weighted degree does (a self-loop of weight
w adds 2w).  :func:`graph_node_weights` returns what :func:`gasp_graph._validation.prepare` needs
as ``node_weights``: the user's values, the strengths with the self-loops when there are any, or
None (prepare then computes the strengths from the edge arrays).
"""
from __future__ import annotations

import numpy as np

from .._validation import node_strengths
from ..exceptions import GaspTypeError
from .networkx import is_networkx_graph, read_node_values, self_loop_strengths

__all__ = ["graph_node_weights"]


def graph_node_weights(G, nodes, edges, weights, edge_sizes, *, null_model, node_weights,
                       weight="weight", default_weight=None, edge_size=None):
    """``node_weights`` for prepare(): see the module description."""
    if is_networkx_graph(G):
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
