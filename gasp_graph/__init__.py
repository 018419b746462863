"""gasp_graph: fast GASP partitioning of signed graphs.

GASP (Generalized Algorithm for Signed graph Partitioning; Bailoni et al., CVPR 2022) clusters a
graph whose edges say "these belong together" (positive weight) or "these must be apart"
(negative weight).  The engine is written in C and bound with cffi.
"""
from . import dask  # the Dask helpers; imports dask itself only when called
from .arrays import gasp
from .exceptions import (
    GaspError,
    GaspInternalError,
    GaspMemoryError,
    GaspNumericError,
    GaspTypeError,
    GaspValueError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "gasp",
    "dask",
    "GaspError",
    "GaspValueError",
    "GaspTypeError",
    "GaspMemoryError",
    "GaspNumericError",
    "GaspInternalError",
    "__version__",
]
