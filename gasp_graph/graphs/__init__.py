"""Input converters: every graph kind a front end accepts -> the engine's arrays.

One module per input kind (:mod:`.networkx`, :mod:`.sparse`, :mod:`.dense`); each returns the
edge arrays that :func:`gasp_graph._validation.prepare` validates, in a documented, deterministic
edge order.  :func:`.to_sets` turns labels back into the lists of sets networkx users expect.
The optional libraries are only imported when the caller passed one of their objects.
"""
from ._sets import to_sets
from .dense import from_dense
from .networkx import (
    check_undirected,
    from_networkx,
    is_networkx_graph,
    read_node_values,
    read_weights,
    self_loop_strengths,
)
from .sparse import from_sparse, is_sparse

__all__ = [
    "to_sets",
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
