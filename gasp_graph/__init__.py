"""gasp_graph: fast GASP partitioning of signed graphs.

GASP (Generalized Algorithm for Signed graph Partitioning; Bailoni et al., CVPR 2022) clusters a
graph whose edges say "these belong together" (positive weight) or "these must be apart"
(negative weight).  The engine is written in C and bound with cffi.
"""
from . import affinities, dask, metrics, quality  # gasp_graph.dask imports dask only when called
from .arrays import gasp
from .estimator import GASP
from .exceptions import (
    GaspError,
    GaspInternalError,
    GaspMemoryError,
    GaspNumericError,
    GaspTypeError,
    GaspValueError,
    GaspWarning,
)
from .hierarchy import MergeTree, agglomerate, partitions
from .partition import partition
from .weights import signed_weights

__version__ = "0.1.0.dev0"

__all__ = [
    "gasp",
    "partition",
    "signed_weights",
    "GASP",
    "agglomerate",
    "partitions",
    "MergeTree",
    "affinities",
    "metrics",
    "quality",
    "dask",
    "GaspError",
    "GaspValueError",
    "GaspTypeError",
    "GaspMemoryError",
    "GaspNumericError",
    "GaspInternalError",
    "GaspWarning",
    "__version__",
]
