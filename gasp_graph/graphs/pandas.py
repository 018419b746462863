"""pandas edge tables -> the engine's arrays.

A DataFrame with one row per edge: a source column, a target column and a weight column (or an
attractive and a repulsive one), optionally a lifted-flag and an edge-size column; the shape of
:func:`networkx.from_pandas_edgelist`.  Rows become edges in row order and nodes are numbered in
order of first appearance (row by row, source before target).  pandas is never imported here
unless the caller already passed one of its DataFrames.
"""
from __future__ import annotations

import sys

import numpy as np

from .._validation import self_loop_error, self_loops_mode
from ..exceptions import GaspTypeError, GaspValueError
from ._columns import as_column, check_sizes, drop, edge_columns

__all__ = ["is_dataframe", "from_pandas"]


def is_dataframe(obj) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame implies pandas is already imported
    return pd is not None and isinstance(obj, pd.DataFrame)


def _column(df, name, role):
    if name not in df.columns:
        columns = ", ".join(repr(c) for c in df.columns)
        raise GaspValueError(
            f"{role}={name!r} is not a column of the DataFrame (columns: {columns})"
        )
    return df[name]


def from_pandas(df, *, source, target, weight, default_weight, lifted, edge_size, node_size,
                self_loops="ignore"):
    """Engine arrays from a pandas edge table: ``(nodes, edges, weights, lifted, sizes,
    node_sizes)``.

    ``nodes`` are the node names in order of first appearance (row by row, source first);
    ``node_size`` is a mapping (dict or Series) from node name to size, missing names count 1.
    """
    import pandas as pd

    mode = self_loops_mode(self_loops)
    index = df.index

    def row(k):
        return f"row {index[k]!r}"

    src = _column(df, source, "source").to_numpy()
    tgt = _column(df, target, "target").to_numpy()
    m = src.shape[0]
    for name, col in ((source, src), (target, tgt)):
        missing = pd.isna(col)
        if missing.any():
            k = int(np.flatnonzero(missing)[0])
            raise GaspValueError(f"{row(k)} has no node in column {name!r} ({col[k]!r})")
    codes, uniques = pd.factorize(np.column_stack([src, tgt]).reshape(-1), sort=False)
    edges = np.ascontiguousarray(codes.reshape(m, 2), dtype=np.int64)
    nodes = list(uniques)
    keep = edges[:, 0] != edges[:, 1]
    if not keep.all() and mode == "error":
        k = int(np.flatnonzero(~keep)[0])
        raise self_loop_error(f"{row(k)} ({src[k]!r}, {tgt[k]!r})")

    def get(name, role):
        if name not in df.columns and role == "weight" and default_weight is not None:
            return None
        return _column(df, name, role).to_numpy()

    w, lifted_arr, sizes = edge_columns(get, row, m, keep, weight=weight,
                                        default_weight=default_weight, lifted=lifted,
                                        edge_size=edge_size)
    node_sizes = None
    if node_size is not None:
        if isinstance(node_size, str) or not hasattr(node_size, "get"):
            raise GaspTypeError(
                "node_size must be a mapping (dict or pandas Series) from node name to size "
                f"for a DataFrame, got {type(node_size).__name__}"
            )
        values = [node_size.get(v, 1.0) for v in nodes]
        node_sizes = as_column(values, lambda k: f"node {nodes[k]!r} has size")
        check_sizes(node_sizes, lambda k: f"node {nodes[k]!r} has size", "node")
    edges, w, lifted_arr, sizes = drop(keep, edges, w, lifted_arr, sizes)
    return nodes, edges, w, lifted_arr, sizes, node_sizes


def from_dataframe_check(source, target) -> None:
    """``source=`` / ``target=`` only apply to a DataFrame: elsewhere they keep their defaults."""
    for name, value, default in (("source", source, "source"), ("target", target, "target")):
        if value != default:
            raise GaspTypeError(
                f"{name}={value!r} names a DataFrame column; it only applies to a pandas "
                "DataFrame edge table"
            )
