"""GASP on images and volumes: pixel grid graphs from affinities with long-range offsets.

A network for instance segmentation typically predicts, for every pixel ``p`` and every offset
``o`` of a fixed list, the probability ``affinities[k, p]`` that ``p`` and ``p + offsets[k]``
belong to the same object (the convention of the mutex watershed, affogato and elf).  This module
turns such an array into a signed grid graph (:func:`grid_graph`) and partitions it with the GASP
engine (:func:`segment`), optionally on the region graph of superpixels (:func:`region_graph`,
:func:`pre_merge`) and followed by a clean-up of small segments.  Without a network,
:func:`boundary_affinities` makes affinities from a plain image; :func:`boundary_map` goes the
other way.
"""
from .images.boundary import boundary_affinities, boundary_map
from .images.grid import GridGraph, grid_graph
from .images.premerge import pre_merge
from .images.regions import RegionGraph, region_graph
from .images.segment import segment

__all__ = [
    "GridGraph",
    "RegionGraph",
    "boundary_affinities",
    "boundary_map",
    "grid_graph",
    "pre_merge",
    "region_graph",
    "segment",
]
