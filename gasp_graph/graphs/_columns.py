"""Checks of per-edge and per-node value columns shared by the table-like converters.

The pandas and igraph converters read whole columns at once; these helpers apply the rules every
input kind follows (weights finite, lifted flags boolean, sizes finite and > 0) and name the
offending row, edge or node through ``describe(k)``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._validation import shown
from ..exceptions import GaspTypeError, GaspValueError

__all__ = ["as_column", "check_weights", "check_flags", "check_sizes", "real_value", "flag_value"]


def real_value(x, what):
    """``x`` as a float if it is a real number (bool excluded), else GaspTypeError.

    ``what`` names the value in the message ("edge (0, 1) has weight=").  Strings, complex
    numbers and other objects are rejected rather than converted (float("0.5") or the real part
    of a complex would hide a mistake).  True/False are not weights either: a flag stored in a
    weight attribute is an error, not 1.0.  Integers too large for a double are GaspValueError.
    """
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        x = x[()]  # a 0-d array holding a number: the number (numpy does the same in a list)
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise GaspTypeError(
            f"{what}{x!r} ({type(x).__name__}); it must be a real number "
            "(int or float; strings, complex numbers and booleans are not accepted)"
        )
    try:
        return float(x)
    except OverflowError:
        raise GaspValueError(f"{what}{shown(x)}: too large for a double (|x| > 1.8e308)") from None


def flag_value(x, what):
    """A lifted flag: True/False or a number equal to 0 or 1, as 0.0 / 1.0."""
    if isinstance(x, (bool, np.bool_)):
        return float(x)
    if isinstance(x, numbers.Real) and not isinstance(x, str) and x in (0, 1):
        return float(x)
    if isinstance(x, numbers.Real):
        raise GaspValueError(f"{what}{x!r}; lifted flags must be True/False (or 1/0)")
    raise GaspTypeError(
        f"{what}{x!r} ({type(x).__name__}); lifted flags must be True/False (or 1/0)"
    )


def as_column(values, what, missing=None, *, flags=False):
    """float64 array of a sequence of real numbers; ``None`` (and NaN) entries become ``missing``.

    ``what(k)`` describes entry ``k`` for the error raised when a value is not a real number
    (see real_value: strings, complex numbers and booleans are errors, not converted; integers
    beyond the double range are GaspValueError).  ``flags=True`` (lifted flags) also takes
    booleans.  ``missing=None`` keeps missing entries as NaN, so that the checks below name them.
    """
    fill = np.nan if missing is None else float(missing)
    # numpy would turn True in a list of numbers into 1.0: such lists take the checked path
    mixed_bools = not flags and not isinstance(values, np.ndarray) and any(
        isinstance(x, (bool, np.bool_)) for x in values)
    try:
        arr = np.asarray(values)
        if not mixed_bools and arr.dtype.kind in ("iufb" if flags else "iuf"):
            out = arr.astype(np.float64)
            if missing is not None:
                out[np.isnan(out)] = fill
            return out
    except (TypeError, ValueError, OverflowError):
        pass
    out = np.empty(len(values), dtype=np.float64)
    for k, x in enumerate(values):
        if x is None or (isinstance(x, float) and x != x):
            out[k] = fill
        elif flags and isinstance(x, (bool, np.bool_)):
            out[k] = float(x)
        else:
            out[k] = real_value(x, f"{what(k)} = ")
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


def weight_names(weight):
    """``weight`` as a tuple of one name, or of two (attractive, repulsive)."""
    if isinstance(weight, tuple) and len(weight) == 2 and all(isinstance(a, str) for a in weight):
        return weight
    if isinstance(weight, str):
        return (weight,)
    raise GaspTypeError(
        "weight must be a name or a pair (attractive, repulsive) of names, got "
        f"{weight!r}"
    )


def check_default_weight(default_weight) -> None:
    if default_weight is not None and not np.isfinite(real_value(default_weight,
                                                                  "default_weight=")):
        raise GaspValueError(f"default_weight must be a finite real number, got {default_weight!r}")


def edge_columns(get, describe, m, keep, *, weight, default_weight, lifted, edge_size):
    """Weights, lifted flags and edge sizes of ``m`` edges read column by column.

    ``get(name, role)`` returns the values of a column (or attribute), or None when the graph
    has none of that name and a default applies (it raises itself otherwise); ``describe(k)``
    names edge ``k``; ``keep`` masks out the self-loops, whose values are never checked.
    Returns ``(weights, lifted or None, sizes or None)``.
    """
    check_default_weight(default_weight)
    columns = []
    for name in weight_names(weight):
        values = get(name, "weight")
        if values is None:
            columns.append(np.full(m, float(default_weight)))
            continue

        def where(k, name=name):
            return f"{describe(k)} has {name}"

        w = as_column(values, where, missing=default_weight)
        check_weights(np.where(keep, w, 0.0), where, default_weight is not None)
        columns.append(w)
    w = columns[0] - columns[1] if len(columns) == 2 else columns[0]
    lifted_arr = sizes = None
    if lifted is not None:
        values = get(lifted, "lifted")

        def where(k):
            return f"{describe(k)} has {lifted}"

        flags = (np.zeros(m) if values is None
                 else as_column(values, where, missing=0.0, flags=True))
        lifted_arr = check_flags(np.where(keep, flags, 0.0), where)
    if edge_size is not None:
        values = get(edge_size, "edge_size")

        def where(k):
            return f"{describe(k)} has {edge_size}"

        sizes = np.ones(m) if values is None else as_column(values, where, missing=1.0)
        check_sizes(np.where(keep, sizes, 1.0), where, "edge")
    return w, lifted_arr, sizes


def drop(keep, edges, *columns):
    """``edges`` and the per-edge ``columns`` (None stays None) without the masked-out rows."""
    if keep.all():
        return (edges, *columns)
    return (np.ascontiguousarray(edges[keep]),
            *(None if c is None else c[keep] for c in columns))
