"""python-igraph graphs -> the engine's arrays.

Edges in ``g.es`` order, weights and flags from edge attributes named by strings, node sizes from
a vertex attribute; nodes are the values of the ``"name"`` vertex attribute when the graph has
one, the vertex indices otherwise.  igraph is never imported here unless the caller already
passed one of its graphs.
"""
from __future__ import annotations

import sys

import numpy as np

from .._validation import self_loop_error, self_loops_mode
from ..exceptions import GaspTypeError, GaspValueError
from ._columns import as_column, check_sizes, drop, edge_columns

__all__ = ["is_igraph", "from_igraph"]


def is_igraph(obj) -> bool:
    ig = sys.modules.get("igraph")  # an igraph Graph implies igraph is already imported
    return ig is not None and isinstance(obj, ig.Graph)


def from_igraph(g, *, weight, default_weight, lifted, edge_size, node_size, self_loops="ignore"):
    """Engine arrays from an undirected igraph Graph: ``(nodes, edges, weights, lifted, sizes,
    node_sizes)``."""
    mode = self_loops_mode(self_loops)
    if g.is_directed():
        raise GaspValueError(
            "the igraph Graph is directed: GASP partitions undirected signed graphs; convert "
            "it with g.as_undirected(mode='each') (or combine_edges= to merge opposite edges)"
        )
    n, m = g.vcount(), g.ecount()
    nodes = g.vs["name"] if "name" in g.vs.attributes() else list(range(n))
    edges = np.array(g.get_edgelist(), dtype=np.int64).reshape(m, 2)

    def edge(k):
        return f"edge ({nodes[edges[k, 0]]!r}, {nodes[edges[k, 1]]!r})"

    keep = edges[:, 0] != edges[:, 1]
    if not keep.all() and mode == "error":
        raise self_loop_error(edge(int(np.flatnonzero(~keep)[0])))

    def get(name, role):
        if not isinstance(name, str):
            raise GaspTypeError(f"{role} must be an edge attribute name (str), got {name!r}")
        if name in g.es.attributes():
            return g.es[name]
        if role == "weight" and default_weight is None:
            raise GaspValueError(
                f"the graph has no edge attribute {name!r} (attributes: "
                f"{', '.join(map(repr, g.es.attributes())) or 'none'}); name the weight "
                "attribute with weight=, or pass default_weight="
            )
        return None  # a default applies

    w, lifted_arr, sizes = edge_columns(get, edge, m, keep, weight=weight,
                                        default_weight=default_weight, lifted=lifted,
                                        edge_size=edge_size)
    node_sizes = None
    if node_size is not None:
        if not isinstance(node_size, str):
            raise GaspTypeError(
                f"node_size must be a vertex attribute name (str) for an igraph Graph, "
                f"got {node_size!r}"
            )
        values = g.vs[node_size] if node_size in g.vs.attributes() else [1.0] * n
        node_sizes = as_column(values, lambda k: f"node {nodes[k]!r} has {node_size}",
                               missing=1.0)
        check_sizes(node_sizes, lambda k: f"node {nodes[k]!r} has {node_size}", "node")
    edges, w, lifted_arr, sizes = drop(keep, edges, w, lifted_arr, sizes)
    return list(nodes), edges, w, lifted_arr, sizes, node_sizes
