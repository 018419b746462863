"""Exceptions raised by gasp_graph.

Every exception subclasses both :class:`GaspError` and the builtin a user would catch anyway
(``ValueError``, ``TypeError``, ``MemoryError``, ...), so ``except ValueError`` and
``except gasp_graph.GaspError`` both work.  Warnings are :class:`GaspWarning` (a
``UserWarning``), reported at the caller's line by :func:`warn`.
"""
import os
import sys
import warnings

__all__ = [
    "GaspError",
    "GaspValueError",
    "GaspTypeError",
    "GaspMemoryError",
    "GaspNumericError",
    "GaspInternalError",
    "GaspWarning",
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


class GaspWarning(UserWarning):
    """A result that is valid but not what was asked for (e.g. fewer merges than requested), or
    a call that probably does not do what was meant (``partition`` of a graph without negative
    weights, which can only return its connected components)."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def warn(message, category=GaspWarning):
    """Emit ``message`` attributed to the first caller outside the gasp_graph package.

    Front ends call the engine through several layers; a fixed ``stacklevel`` would point at one
    of them.  This counts the frames inside the package instead (as pandas' find_stack_level).
    """
    level = 2  # stacklevel 2 is the caller of warn()
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _PACKAGE_DIR + os.sep
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
