"""One entry for every graph kind: :func:`from_graph` picks the converter of the input's kind.

:func:`gasp_graph.partition`, :func:`gasp_graph.agglomerate` and :func:`gasp_graph.partitions`
accept the same graph kinds with the same rules through it.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..exceptions import GaspTypeError
from .igraph import from_igraph, is_igraph
from .networkx import from_networkx, is_networkx_graph
from .pandas import from_dataframe_check, from_pandas, is_dataframe
from .sparse import from_sparse, is_sparse

__all__ = ["GraphArrays", "is_graph", "from_graph", "GRAPH_KINDS"]

GRAPH_KINDS = ("a networkx Graph/MultiGraph, a pandas DataFrame, an igraph Graph or a scipy "
               "sparse matrix")


class GraphArrays(NamedTuple):
    """A graph as the engine's arrays; ``nodes`` is None for a sparse matrix (nodes 0..n-1)."""

    nodes: list | None
    n_nodes: int
    edges: np.ndarray
    weights: np.ndarray
    lifted: np.ndarray | None
    edge_sizes: np.ndarray | None
    node_sizes: np.ndarray | None


def is_graph(G) -> bool:
    """True for every graph kind :func:`from_graph` reads (rather than an edge array)."""
    return is_networkx_graph(G) or is_sparse(G) or is_dataframe(G) or is_igraph(G)


def from_graph(G, *, weight="weight", default_weight=None, lifted=None, edge_size=None,
               node_size=None, source="source", target="target", self_loops="ignore"):
    """The engine's arrays of any accepted graph kind (see :data:`GRAPH_KINDS`).

    ``source`` / ``target`` name a DataFrame's node columns and must keep their defaults for
    the other kinds.  For a sparse matrix ``weight`` must be "weight" (the stored values are the
    weights), there is no ``default_weight``, ``lifted`` / ``edge_size`` are sparse matrices and
    ``node_size`` is an array.
    """
    if not is_dataframe(G):
        from_dataframe_check(source, target)
    if is_networkx_graph(G) or is_dataframe(G) or is_igraph(G):
        kwargs = dict(weight=weight, default_weight=default_weight, lifted=lifted,
                      edge_size=edge_size, node_size=node_size, self_loops=self_loops)
        if is_networkx_graph(G):
            nodes, edges, w, lf, es, ns = from_networkx(G, **kwargs)
        elif is_dataframe(G):
            nodes, edges, w, lf, es, ns = from_pandas(G, source=source, target=target, **kwargs)
        else:
            nodes, edges, w, lf, es, ns = from_igraph(G, **kwargs)
        return GraphArrays(nodes, len(nodes), edges, w, lf, es, ns)
    if is_sparse(G):
        if weight != "weight":
            raise GaspTypeError(
                f"weight={weight!r} names an edge attribute; a sparse matrix's stored values "
                "are the weights (leave weight at its default)"
            )
        if default_weight is not None:
            raise GaspTypeError(
                "default_weight has no meaning for a sparse matrix: every stored entry has a value"
            )
        if isinstance(node_size, str):
            raise GaspTypeError(
                f"node_size={node_size!r}: for a sparse matrix pass an array of node sizes"
            )
        n, edges, w, lf, es = from_sparse(G, lifted=lifted, edge_size=edge_size,
                                          self_loops=self_loops)
        return GraphArrays(None, n, edges, w, lf, es, node_size)
    hint = ""
    if isinstance(G, (np.ndarray, list, tuple)):
        hint = (
            "; for edge arrays use gasp_graph.gasp(edges, weights), for a dense adjacency "
            "matrix scipy.sparse.csr_array(A) or gasp_graph.GASP(affinity='precomputed').fit(A)"
        )
    raise GaspTypeError(
        f"G must be {GRAPH_KINDS}, got {type(G).__module__}.{type(G).__name__}{hint}"
    )
