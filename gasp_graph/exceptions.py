"""Exceptions raised by gasp_graph.

Every exception subclasses both :class:`GaspError` and the builtin a user would catch anyway
(``ValueError``, ``TypeError``, ``MemoryError``, ...), so ``except ValueError`` and
``except gasp_graph.GaspError`` both work.
"""

__all__ = [
    "GaspError",
    "GaspValueError",
    "GaspTypeError",
    "GaspMemoryError",
    "GaspNumericError",
    "GaspInternalError",
]


class GaspError(Exception):
    """Base class of every error raised by gasp_graph."""


class GaspValueError(GaspError, ValueError):
    """An argument has the right type but an invalid value (shape, range, NaN, self-loop, ...)."""


class GaspTypeError(GaspError, TypeError):
    """An argument has the wrong type or dtype (e.g. float node ids, complex weights)."""


class GaspMemoryError(GaspError, MemoryError):
    """The engine could not allocate its working memory."""


class GaspNumericError(GaspError, FloatingPointError):
    """A linkage value overflowed to NaN (e.g. a sum of huge weights of both signs)."""


class GaspInternalError(GaspError, RuntimeError):
    """An internal invariant of the C engine failed.  This is a bug: please report it."""
