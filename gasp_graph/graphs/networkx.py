"""networkx graphs -> the engine's arrays.

:func:`from_networkx` reads a (Multi)Graph's nodes, edges and attributes in its own iteration
orders into the arrays :func:`gasp_graph._validation.prepare` takes.  networkx itself is never
imported here unless the caller already passed one of its graphs.
"""
from __future__ import annotations

import itertools
import math
import numbers
import sys

import numpy as np

from .._validation import self_loop_error, self_loops_mode
from ..exceptions import GaspTypeError, GaspValueError
from ._columns import flag_value, real_value

__all__ = [
    "is_networkx_graph",
    "check_undirected",
    "from_networkx",
    "read_weights",
    "read_node_values",
    "self_loop_strengths",
]


def is_networkx_graph(G) -> bool:
    nx = sys.modules.get("networkx")  # a graph object implies networkx is already imported
    return nx is not None and isinstance(G, nx.Graph)



def check_undirected(G) -> None:
    """Raise networkx.NetworkXNotImplemented for a directed graph, with a hint."""
    if G.is_directed():
        import networkx as nx

        raise nx.NetworkXNotImplemented(
            "not implemented for directed type: GASP partitions undirected signed graphs; "
            "convert with G.to_undirected() (which keeps the attributes of only one of two "
            "opposite edges u->v, v->u: combine their weights first if they differ)"
        )


# --------------------------------------------------------------------------------------------
# networkx
# --------------------------------------------------------------------------------------------


def edge_at(G, k):
    """(u, v, data) of the k-th edge in G's edge iteration order (only used to build errors)."""
    return next(itertools.islice(G.edges(data=True), k, None))


def _checked(u, v, attr, x, check):
    # the common case first: a plain float needs no conversion or check
    if type(x) is float and check is real_value:
        return x
    return check(x, f"edge ({u!r}, {v!r}) has {attr}=")


def edge_column(G, index, attr, default, m, *, with_ends=False, check=real_value):
    """One pass over ``G.edges(data=attr)`` into float64 values (and int64 end ids if asked).

    Every value goes through ``check`` (real_value: real numbers only; flag_value: lifted
    flags), which raises GaspTypeError or GaspValueError naming the edge.
    """
    edges = G.edges(data=attr, default=default)
    if with_ends:
        rows = np.fromiter(
            ((index[u], index[v], _checked(u, v, attr, x, check)) for u, v, x in edges),
            dtype=[("u", np.int64), ("v", np.int64), ("x", np.float64)],
            count=m,
        )
        return rows["u"], rows["v"], rows["x"]
    return np.fromiter(
        (_checked(u, v, attr, x, check) for u, v, x in edges), dtype=np.float64, count=m
    )


def read_weights(G, index, weight, default_weight, m, keep):
    """Signed weights of G's edges: one attribute, or a pair (attractive, repulsive)."""
    if isinstance(weight, str):
        names = (weight,)
    elif (
        isinstance(weight, tuple)
        and len(weight) == 2
        and all(isinstance(a, str) for a in weight)
    ):
        names = weight
    else:
        raise GaspTypeError(
            f"weight must be an edge attribute name or a pair (attractive, repulsive) of names, "
            f"got {weight!r}"
        )
    if default_weight is None:
        default = math.nan
    else:
        default = real_value(default_weight, "default_weight=")
        if not math.isfinite(default):
            raise GaspValueError(
                f"default_weight must be a finite real number, got {default_weight!r}"
            )
    u, v, w = edge_column(G, index, names[0], default, m, with_ends=True)
    columns = [w]
    if len(names) == 2:
        columns.append(edge_column(G, index, names[1], default, m))
    for name, col in zip(names, columns):
        bad = ~np.isfinite(col)
        if keep is not None:
            bad &= keep(u, v)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            a, b, d = edge_at(G, k)
            if name not in d:
                raise GaspValueError(
                    f"edge ({a!r}, {b!r}) has no {name!r} attribute; give every edge one, "
                    "or pass default_weight= (a silent default of 1 would merge everything)"
                )
            raise GaspValueError(
                f"edge ({a!r}, {b!r}) has {name}={d[name]!r}; weights must be finite"
            )
    w = columns[0] - columns[1] if len(names) == 2 else columns[0]
    return u, v, w


def not_loop(u, v):
    return u != v


def read_node_values(G, nodes, attr, *, what, default=1.0, positive=True):
    """float64 values of the node attribute ``attr`` in node order (missing: ``default``), each
    a real number (see real_value), finite and > 0 (``positive``) or >= 0; ``what`` names them
    in the error message."""
    values = np.fromiter(
        (x if type(x) is float else real_value(x, f"node {a!r} has {attr}=")
         for a, x in G.nodes(data=attr, default=default)),
        dtype=np.float64,
        count=len(nodes),
    )
    ok = np.isfinite(values) & ((values > 0) if positive else (values >= 0))
    if not ok.all():
        a = nodes[int(np.flatnonzero(~ok)[0])]
        raise GaspValueError(
            f"node {a!r} has {attr}={G.nodes[a][attr]!r}; {what} must be finite real "
            f"numbers {'> 0' if positive else '>= 0'}"
        )
    return values


def self_loop_strengths(G, index, weight, default_weight, edge_size=None):
    """Per node (index order): twice the weight (times the edge size) of its self-loops, the
    part of its strength that the engine's edge arrays (self-loops dropped) do not carry, as
    networkx's weighted degree counts it.  None when G has no self-loop."""
    import networkx as nx

    names = (weight,) if isinstance(weight, str) else tuple(weight)
    out = None
    for u, _, d in nx.selfloop_edges(G, data=True):
        parts = []
        for name in names:
            x = d.get(name, default_weight)
            if x is None:
                raise GaspValueError(
                    f"self-loop ({u!r}, {u!r}) has no {name!r} attribute; the modularity null "
                    "model counts self-loops in the node strengths (pass default_weight=)"
                )
            x = real_value(x, f"self-loop ({u!r}, {u!r}) has {name}=")
            if not math.isfinite(x):
                raise GaspValueError(
                    f"self-loop ({u!r}, {u!r}) has {name}={x!r}; weights must be finite"
                )
            parts.append(x)
        w = parts[0] - parts[1] if len(parts) == 2 else parts[0]
        if edge_size is not None:
            w *= real_value(d.get(edge_size, 1.0), f"self-loop ({u!r}, {u!r}) has {edge_size}=")
        if out is None:
            out = np.zeros(len(index), dtype=np.float64)
        out[index[u]] += 2.0 * w
    return out


def check_no_self_loops(G, self_loops) -> None:
    """Raise for a self-loop of G when ``self_loops="error"`` (else they are dropped later)."""
    if self_loops_mode(self_loops) == "error":
        import networkx as nx

        loop = next(iter(nx.selfloop_edges(G)), None)
        if loop is not None:
            raise self_loop_error(f"edge ({loop[0]!r}, {loop[1]!r})")


def from_networkx(G, *, weight, default_weight, lifted, edge_size, node_size,
                  self_loops="ignore"):
    """Engine arrays from a networkx (Multi)Graph, in G's node and edge iteration orders.

    Self-loops are dropped (their attributes are not read), or raise with
    ``self_loops="error"``.
    """
    check_undirected(G)
    check_no_self_loops(G, self_loops)
    for name, value in (("lifted", lifted), ("edge_size", edge_size), ("node_size", node_size)):
        if value is not None and not isinstance(value, str):
            raise GaspTypeError(
                f"{name} must be an attribute name (str) for a networkx graph, "
                f"got {type(value).__name__}"
            )
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    m = G.number_of_edges()
    u, v, w = read_weights(G, index, weight, default_weight, m, not_loop)
    keep = u != v
    lifted_arr = sizes = None
    if lifted is not None:
        lifted_arr = edge_column(G, index, lifted, False, m, check=flag_value) == 1
    if edge_size is not None:
        sizes = edge_column(G, index, edge_size, 1.0, m)
        bad = ~(np.isfinite(sizes) & (sizes > 0)) & keep
        if bad.any():
            a, b, d = edge_at(G, int(np.flatnonzero(bad)[0]))
            raise GaspValueError(
                f"edge ({a!r}, {b!r}) has {edge_size}={d[edge_size]!r}; edge sizes must be "
                "finite and > 0"
            )
    node_sizes = None
    if node_size is not None:
        node_sizes = read_node_values(G, nodes, node_size, what="node sizes")
    if not keep.all():  # self-loops are ignored
        u, v, w = u[keep], v[keep], w[keep]
        lifted_arr = None if lifted_arr is None else lifted_arr[keep]
        sizes = None if sizes is None else sizes[keep]
    edges = np.empty((u.shape[0], 2), dtype=np.int64)
    edges[:, 0] = u
    edges[:, 1] = v
    return nodes, edges, w, lifted_arr, sizes, node_sizes

