"""Segmentation metrics: adapted Rand error, variation of information, CREMI score.

All metrics compare a segmentation ``seg`` with a ground truth ``gt`` of the same shape (any
number of dimensions, any integer labels; only equality of labels matters); see
:func:`adapted_rand_error`, :func:`variation_of_information` and :func:`cremi_score`.
"""
from .images.metrics import (
    SegmentationScores,
    adapted_rand_error,
    cremi_score,
    match_labels,
    variation_of_information,
)

__all__ = [
    "SegmentationScores",
    "adapted_rand_error",
    "cremi_score",
    "match_labels",
    "variation_of_information",
]
