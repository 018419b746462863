"""Segmentation metrics: adapted Rand error, variation of information, CREMI score.

All metrics compare a segmentation ``seg`` with a ground truth ``gt`` of the same shape (any
number of dimensions, any integer labels; only equality of labels matters).  They are computed
from the sparse contingency table ``n[i, j]`` = number of pixels with ground-truth label ``i``
and segment label ``j``, built by sorting (memory linear in the number of pixels, never
quadratic in the number of labels).

Background: with ``ignore_gt=L``, pixels whose *ground truth* label is ``L`` are left out of
every metric (the CREMI convention, where ``L = 0``).  Segment labels are never special.
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from ..exceptions import GaspTypeError, GaspValueError

__all__ = [
    "SegmentationScores",
    "adapted_rand_error",
    "cremi_score",
    "match_labels",
    "variation_of_information",
]


class SegmentationScores(NamedTuple):
    """The scores returned by :func:`cremi_score`.

    Attributes
    ----------
    cremi_score : float
        ``sqrt((vi_split + vi_merge) * adapted_rand)``; lower is better.
    vi_split : float
        ``H(seg | gt)`` in bits (over-segmentation).
    vi_merge : float
        ``H(gt | seg)`` in bits (under-segmentation).
    adapted_rand : float
        Adapted Rand error in [0, 1].
    """

    cremi_score: float
    vi_split: float
    vi_merge: float
    adapted_rand: float


def _labels(name, value) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise GaspTypeError(f"{name} could not be read as an array: {exc}") from None
    if arr.dtype.kind not in "iub":
        raise GaspTypeError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    return arr.ravel()


def _contingency(seg, gt, ignore_gt):
    """Non-zero entries of the contingency table: (gt index, seg index, count) and the total."""
    s = _labels("seg", seg)
    g = _labels("gt", gt)
    if np.shape(seg) != np.shape(gt):
        raise GaspValueError(
            f"seg and gt must have the same shape, got {np.shape(seg)} and {np.shape(gt)}"
        )
    if ignore_gt is not None:
        if isinstance(ignore_gt, (bool, np.bool_)) or not isinstance(ignore_gt, numbers.Integral):
            raise GaspTypeError(f"ignore_gt must be None or an integer label, got {ignore_gt!r}")
        keep = g != ignore_gt
        s = s[keep]
        g = g[keep]
    if s.size == 0:
        raise GaspValueError(
            f"no pixel left to compare (seg has {np.size(seg)} pixels, ignore_gt={ignore_gt!r})"
        )
    _, gi = np.unique(g, return_inverse=True)
    su, si = np.unique(s, return_inverse=True)
    key = gi.astype(np.int64) * np.int64(su.size) + si
    pairs, counts = np.unique(key, return_counts=True)
    return pairs // su.size, pairs % su.size, counts.astype(np.float64), float(s.size)


def _arand(gi, si, n) -> float:
    a = np.bincount(gi, weights=n)
    b = np.bincount(si, weights=n)
    sum_ab = float(np.dot(n, n))
    precision = sum_ab / float(np.dot(b, b))
    recall = sum_ab / float(np.dot(a, a))
    return float(1.0 - 2.0 * precision * recall / (precision + recall))


def _vi(gi, si, n, total) -> tuple[float, float]:
    p = n / total
    pg = np.bincount(gi, weights=p)
    ps = np.bincount(si, weights=p)
    # H(seg | gt) = -sum p_ij log2(p_ij / p_i.),  H(gt | seg) = -sum p_ij log2(p_ij / p_.j)
    split = float(-np.sum(p * np.log2(p / pg[gi])))
    merge = float(-np.sum(p * np.log2(p / ps[si])))
    return (max(split, 0.0) + 0.0, max(merge, 0.0) + 0.0)


def adapted_rand_error(seg, gt, *, ignore_gt=None) -> float:
    """Adapted Rand error of a segmentation (SNEMI3D / CREMI; [ArgandaCarreras2015]_).

    With the contingency table ``n[i, j]`` (ground truth ``i``, segment ``j``), row sums
    ``a[i]`` and column sums ``b[j]``: precision ``P = sum n[i, j]**2 / sum b[j]**2``, recall
    ``R = sum n[i, j]**2 / sum a[i]**2``, and the error is ``1 - 2 P R / (P + R)``.

    Parameters
    ----------
    seg, gt : array_like of int, same shape
        Segmentation and ground truth (any shape).
    ignore_gt : int, optional
        Ground-truth label whose pixels are left out (e.g. 0 for background, as in CREMI).

    Returns
    -------
    float
        In [0, 1]; 0 if and only if the segmentations agree up to relabelling.

    Raises
    ------
    GaspValueError
        Different shapes, or no pixel left after ignoring.
    GaspTypeError
        Non-integer labels.

    Notes
    -----
    The CREMI script counts segment label 0 specially (as singletons, with a scaling quirk);
    here segment labels are never special.  With ``ignore_gt=0`` and no 0 in ``seg`` the two
    agree.

    References
    ----------
    .. [ArgandaCarreras2015] I. Arganda-Carreras et al., "Crowdsourcing the creation of image
       segmentation algorithms for connectomics", Front. Neuroanat. 9:142 (2015).

    Examples
    --------
    >>> from gasp_graph.metrics import adapted_rand_error
    >>> adapted_rand_error([1, 1, 2, 2], [5, 5, 7, 7])
    0.0
    >>> round(adapted_rand_error([1, 1, 1, 1], [1, 1, 2, 2]), 4)  # P = 8/16, R = 1
    0.3333
    >>> adapted_rand_error([1, 1, 1, 1], [0, 0, 2, 2], ignore_gt=0)
    0.0
    """
    gi, si, n, _ = _contingency(seg, gt, ignore_gt)
    return _arand(gi, si, n)


def variation_of_information(seg, gt, *, ignore_gt=None) -> tuple[float, float]:
    """Variation of information split into its split and merge parts (in bits; [Meila2007]_).

    Parameters
    ----------
    seg, gt : array_like of int, same shape
        Segmentation and ground truth (any shape).
    ignore_gt : int, optional
        Ground-truth label whose pixels are left out (e.g. 0 for background, as in CREMI).

    Returns
    -------
    (vi_split, vi_merge) : tuple of float
        ``vi_split = H(seg | gt)`` (over-segmentation: ground-truth objects cut into pieces) and
        ``vi_merge = H(gt | seg)`` (under-segmentation: objects merged), with base-2 logarithms.
        Their sum is the variation of information.  This is the order and the base of
        ``cremi.evaluation.voi``.

    Raises
    ------
    GaspValueError
        Different shapes, or no pixel left after ignoring.
    GaspTypeError
        Non-integer labels.

    References
    ----------
    .. [Meila2007] M. Meila, "Comparing clusterings -- an information based distance", Journal of
       Multivariate Analysis 98 (2007) 873-895.

    Examples
    --------
    One object cut in two halves: one bit of split error, no merge error.

    >>> from gasp_graph.metrics import variation_of_information
    >>> variation_of_information([1, 1, 2, 2], [3, 3, 3, 3])
    (1.0, 0.0)
    >>> variation_of_information([3, 3, 3, 3], [1, 1, 2, 2])
    (0.0, 1.0)
    """
    return _vi(*_contingency(seg, gt, ignore_gt))


def cremi_score(seg, gt, *, ignore_gt=None) -> SegmentationScores:
    """The CREMI challenge score and its parts.

    ``cremi_score = sqrt(VOI * ARAND)`` with ``VOI = vi_split + vi_merge`` (bits) and ``ARAND``
    the adapted Rand error: the geometric mean used to rank the CREMI neuron segmentation
    challenge (https://cremi.org/metrics/).

    Parameters
    ----------
    seg, gt : array_like of int, same shape
        Segmentation and ground truth (any shape).
    ignore_gt : int, optional
        Ground-truth label whose pixels are left out; CREMI uses 0.

    Returns
    -------
    SegmentationScores
        Named tuple ``(cremi_score, vi_split, vi_merge, adapted_rand)``.

    Examples
    --------
    >>> from gasp_graph.metrics import cremi_score
    >>> s = cremi_score([1, 1, 1, 1], [1, 1, 2, 2])
    >>> s.vi_split, s.vi_merge, round(s.adapted_rand, 4), round(s.cremi_score, 4)
    (0.0, 1.0, 0.3333, 0.5774)
    """
    gi, si, n, total = _contingency(seg, gt, ignore_gt)
    vs, vm = _vi(gi, si, n, total)
    are = _arand(gi, si, n)
    return SegmentationScores(math.sqrt((vs + vm) * are), vs, vm, are)


def match_labels(seg, gt):
    """Relabel ``seg`` so that its segments take the labels of the ground-truth segments they match.

    Segments and ground-truth segments are paired one to one, greedily by decreasing overlap
    (pixels in common; ties by the smaller ground-truth label, then the smaller segment label):
    each pair's segment takes its ground-truth label.  Segments left unpaired (the extra
    pieces of a split) get new labels above every ground-truth label, in order of first
    occurrence.  Drawn with one colour per label, segmentations relabelled against the same
    ``gt`` are then coloured consistently: identical segmentations look identical, and a split
    or merge shows as a change of colour.

    Parameters
    ----------
    seg, gt : array_like of int, same shape
        The segmentation and the reference (any integer labels, any number of dimensions).

    Returns
    -------
    labels : ndarray of int64, ``seg``'s shape

    Raises
    ------
    GaspTypeError, GaspValueError
        Non-integer labels, or different shapes.

    Examples
    --------
    >>> from gasp_graph.metrics import match_labels
    >>> gt = [1, 1, 2, 2, 3, 3]
    >>> match_labels([7, 7, 5, 5, 5, 5], gt)  # 2 and 3 merged: the merge takes label 2
    array([1, 1, 2, 2, 2, 2])
    >>> match_labels([0, 9, 4, 4, 8, 8], gt)  # 1 split in two: one piece gets a new label
    array([1, 4, 2, 2, 3, 3])
    """
    s = _labels("seg", seg)
    g = _labels("gt", gt)
    if np.shape(seg) != np.shape(gt):
        raise GaspValueError(
            f"seg and gt must have the same shape, got {np.shape(seg)} and {np.shape(gt)}"
        )
    if s.size == 0:
        return np.zeros(np.shape(seg), dtype=np.int64)
    gu, gi = np.unique(g, return_inverse=True)
    su, first, si = np.unique(s, return_index=True, return_inverse=True)
    key = gi.astype(np.int64) * np.int64(su.size) + si
    pairs, counts = np.unique(key, return_counts=True)
    pg, ps = pairs // su.size, pairs % su.size
    order = np.lexsort((ps, pg, -counts))  # by decreasing overlap, then gt, then seg label
    new = np.full(su.size, -1, dtype=np.int64)
    taken = np.zeros(gu.size, dtype=bool)
    for a, b in zip(pg[order].tolist(), ps[order].tolist()):
        if new[b] < 0 and not taken[a]:
            new[b] = int(gu[a])
            taken[a] = True
    rest = np.flatnonzero(new < 0)
    rest = rest[np.argsort(first[rest], kind="stable")]
    new[rest] = int(gu.max()) + 1 + np.arange(rest.size)
    return new[si].reshape(np.shape(seg))
