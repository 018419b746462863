"""Input converters: every graph kind a front end accepts -> the engine's arrays.

One module per input kind (:mod:`.networkx`, :mod:`.sparse`, :mod:`.dense`, :mod:`.pandas`,
:mod:`.igraph`); each returns the edge arrays that :func:`gasp_graph._validation.prepare`
validates, in a documented, deterministic edge order.  :func:`.from_graph` picks the converter
of a graph object; :func:`.to_sets` turns labels back into the lists of sets networkx users
expect.  The optional libraries are only imported when the caller passed one of their objects.
"""
from ._sets import to_sets
from .convert import GRAPH_KINDS, GraphArrays, from_graph, is_graph
from .dense import from_dense
from .igraph import from_igraph, is_igraph
from .networkx import (
    check_undirected,
    from_networkx,
    is_networkx_graph,
    read_node_values,
    read_weights,
    self_loop_strengths,
)
from .pandas import from_pandas, is_dataframe
from .sparse import from_sparse, is_sparse

__all__ = [
    "to_sets",
    "from_graph",
    "is_graph",
    "GraphArrays",
    "GRAPH_KINDS",
    "from_pandas",
    "is_dataframe",
    "from_igraph",
    "is_igraph",
    "from_dense",
    "from_networkx",
    "from_sparse",
    "is_networkx_graph",
    "is_sparse",
    "check_undirected",
    "read_weights",
    "read_node_values",
    "self_loop_strengths",
]
