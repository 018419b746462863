"""Images and volumes: grid graphs from affinities, segmentation, clean-up and metrics.

One module per step: :mod:`.grid` (pixel graphs), :mod:`.segment` (GASP on affinities),
:mod:`.regions` (region graphs of superpixels), :mod:`.premerge`
(pre-merge superpixels), :mod:`.boundary` (boundary maps, affinities from images),
:mod:`.cleanup` (small segments), :mod:`.metrics` (ARAND, VI, CREMI score).  The public
namespaces are :mod:`gasp_graph.affinities` and :mod:`gasp_graph.metrics`.
"""
from .boundary import boundary_affinities, boundary_map
from .grid import GridGraph, grid_graph
from .metrics import (
    SegmentationScores,
    adapted_rand_error,
    cremi_score,
    match_labels,
    variation_of_information,
)
from .premerge import pre_merge
from .regions import RegionGraph, region_graph
from .segment import segment

__all__ = [
    "GridGraph",
    "grid_graph",
    "RegionGraph",
    "region_graph",
    "pre_merge",
    "boundary_affinities",
    "boundary_map",
    "segment",
    "SegmentationScores",
    "adapted_rand_error",
    "cremi_score",
    "match_labels",
    "variation_of_information",
]
