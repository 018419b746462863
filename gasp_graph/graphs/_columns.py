"""Checks of per-edge and per-node value columns shared by the table-like converters.

The pandas and igraph converters read whole columns at once; these helpers apply the rules every
input kind follows (weights finite, lifted flags boolean, sizes finite and > 0) and name the
offending row, edge or node through ``describe(k)``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..exceptions import GaspTypeError, GaspValueError

__all__ = ["as_column", "check_weights", "check_flags", "check_sizes"]


def as_column(values, what, missing=None):
    """float64 array of a sequence of numbers; ``None`` (and NaN) entries become ``missing``.

    ``what(k)`` describes entry ``k`` for the error raised when a value is not a real number.
    ``missing=None`` keeps them as NaN, so that the checks below name them.
    """
    fill = np.nan if missing is None else float(missing)
    try:
        arr = np.asarray(values)
        if arr.dtype.kind in "iufb":
            out = arr.astype(np.float64)
            if missing is not None:
                out[np.isnan(out)] = fill
            return out
    except (TypeError, ValueError):
        pass
    out = np.empty(len(values), dtype=np.float64)
    for k, x in enumerate(values):
        if x is None or (isinstance(x, float) and x != x):
            out[k] = fill
        elif isinstance(x, (bool, np.bool_)) or isinstance(x, numbers.Real):
            out[k] = float(x)
        else:
            raise GaspTypeError(f"{what(k)} = {x!r} ({type(x).__name__}); it must be a real number")
    return out


def _first_bad(bad, values, what, rule):
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GaspValueError(f"{what(k)} = {values[k].item()!r}; {rule}")


def check_weights(w, what, has_default):
    hint = "" if has_default else " (a missing value needs default_weight=)"
    _first_bad(~np.isfinite(w), w, what, "weights must be finite" + hint)


def check_flags(f, what):
    _first_bad(~((f == 0) | (f == 1)), f, what, "lifted flags must be True/False (or 1/0)")
    return f == 1


def check_sizes(s, what, kind):
    _first_bad(~(np.isfinite(s) & (s > 0)), s, what, f"{kind} sizes must be finite and > 0")
    return s
