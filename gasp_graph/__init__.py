"""gasp_graph: fast GASP partitioning of signed graphs.

GASP (Generalized Algorithm for Signed graph Partitioning; Bailoni et al., CVPR 2022) clusters a
graph whose edges say "these belong together" (positive weight) or "these must be apart"
(negative weight).  The engine is written in C and bound with cffi.
"""
from . import affinities, dask, metrics, quality  # gasp_graph.dask imports dask only when called
from .arrays import gasp
from .community import communities, greedy_modularity_communities
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
from .points import knn_graph, select_beta
from .weights import signed_weights

__version__ = "0.1.0.dev0"


def __getattr__(name):
    # The estimator imports scikit-learn (when installed) for its base classes: only load it
    # when GASP is first used, so that "import gasp_graph" stays quick.
    if name == "GASP":
        from .estimator import GASP

        globals()["GASP"] = GASP
        return GASP
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"GASP"})

__all__ = [
    "gasp",
    "partition",
    "communities",
    "greedy_modularity_communities",
    "signed_weights",
    "GASP",
    "agglomerate",
    "partitions",
    "MergeTree",
    "knn_graph",
    "select_beta",
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
