"""pandas edge tables -> the engine's arrays.

A DataFrame with one row per edge: a source column, a target column and a weight column (or an
attractive and a repulsive one), optionally a lifted-flag and an edge-size column; the shape of
:func:`networkx.from_pandas_edgelist`.  Rows become edges in row order and nodes are numbered in
order of first appearance (row by row, source before target).  pandas is never imported here
unless the caller already passed one of its DataFrames.
"""
from __future__ import annotations

import numbers
import sys

import numpy as np

from .._validation import self_loop_error, self_loops_mode
from ..exceptions import GaspTypeError, GaspValueError
from ._columns import as_column, check_flags, check_sizes, check_weights

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


def _weight_names(weight):
    if isinstance(weight, tuple) and len(weight) == 2:
        return weight
    if isinstance(weight, (list, dict, set, tuple)) or weight is None:
        raise GaspTypeError(
            "weight must be a column name or a pair (attractive, repulsive) of column names, "
            f"got {weight!r}"
        )
    return (weight,)


def from_pandas(df, *, source, target, weight, default_weight, lifted, edge_size, node_size,
                self_loops="ignore"):
    """Engine arrays from a pandas edge table: ``(nodes, edges, weights, lifted, sizes, node_sizes)``.

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

    if default_weight is not None and (
        isinstance(default_weight, (bool, np.bool_))
        or not isinstance(default_weight, numbers.Real)
        or not np.isfinite(default_weight)
    ):
        raise GaspValueError(f"default_weight must be a finite real number, got {default_weight!r}")
    columns = []
    for name in _weight_names(weight):
        if name not in df.columns and default_weight is not None:
            columns.append(np.full(m, float(default_weight)))
            continue
        values = _column(df, name, "weight").to_numpy()

        def where(k, name=name):
            return f"{row(k)} has {name}"

        w = as_column(values, where, missing=default_weight)
        check_weights(np.where(keep, w, 0.0), where, default_weight is not None)
        columns.append(w)
    w = columns[0] - columns[1] if len(columns) == 2 else columns[0]

    lifted_arr = sizes = None
    if lifted is not None:
        values = _column(df, lifted, "lifted").to_numpy()
        flags = as_column(values, lambda k: f"{row(k)} has {lifted}", missing=0.0)
        lifted_arr = check_flags(np.where(keep, flags, 0.0), lambda k: f"{row(k)} has {lifted}")
    if edge_size is not None:
        values = _column(df, edge_size, "edge_size").to_numpy()
        sizes = as_column(values, lambda k: f"{row(k)} has {edge_size}", missing=1.0)
        check_sizes(np.where(keep, sizes, 1.0), lambda k: f"{row(k)} has {edge_size}", "edge")
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
    if not keep.all():
        edges, w = np.ascontiguousarray(edges[keep]), w[keep]
        lifted_arr = None if lifted_arr is None else lifted_arr[keep]
        sizes = None if sizes is None else sizes[keep]
    return nodes, edges, w, lifted_arr, sizes, node_sizes


def from_dataframe_check(source, target) -> None:
    """``source=`` / ``target=`` only apply to a DataFrame: elsewhere they must keep their defaults."""
    for name, value, default in (("source", source, "source"), ("target", target, "target")):
        if value != default:
            raise GaspTypeError(
                f"{name}={value!r} names a DataFrame column; it only applies to a pandas "
                "DataFrame edge table"
            )
