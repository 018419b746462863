"""Tests of gasp_graph.metrics against hand-computed values and brute-force definitions."""
import math
from collections import Counter

import numpy as np
import pytest

from gasp_graph import GaspTypeError, GaspValueError
from gasp_graph.metrics import adapted_rand_error, cremi_score, variation_of_information


def brute_arand(seg, gt):
    """Adapted Rand error from explicit ordered pixel pairs (self-pairs included)."""
    s = np.ravel(seg)
    g = np.ravel(gt)
    same_s = s[:, None] == s[None, :]
    same_g = g[:, None] == g[None, :]
    both = np.sum(same_s & same_g)
    precision = both / same_s.sum()
    recall = both / same_g.sum()
    return 1 - 2 * precision * recall / (precision + recall)


def brute_vi(seg, gt):
    """(H(seg|gt), H(gt|seg)) in bits from counts."""
    s = np.ravel(seg).tolist()
    g = np.ravel(gt).tolist()
    n = len(s)
    joint = Counter(zip(g, s))
    cg = Counter(g)
    cs = Counter(s)
    h_s_given_g = -sum(c / n * math.log2(c / cg[a]) for (a, b), c in joint.items())
    h_g_given_s = -sum(c / n * math.log2(c / cs[b]) for (a, b), c in joint.items())
    return h_s_given_g, h_g_given_s


def test_hand_computed_values():
    seg = [1, 1, 2, 2, 2, 3]
    gt = [1, 1, 1, 2, 2, 2]
    # contingency (gt rows 1, 2; seg columns 1, 2, 3): [[2, 1, 0], [0, 2, 1]]
    # sum n^2 = 4 + 1 + 4 + 1 = 10; seg sizes 2, 3, 1 -> 14; gt sizes 3, 3 -> 18
    p, r = 10 / 14, 10 / 18
    assert adapted_rand_error(seg, gt) == pytest.approx(1 - 2 * p * r / (p + r))
    # H(seg|gt): each gt object (prob 1/2) is split 2:1 -> H(2/3, 1/3)
    h21 = -(2 / 3 * math.log2(2 / 3) + 1 / 3 * math.log2(1 / 3))
    # H(gt|seg): only segment 2 (prob 1/2) is mixed, 1:2
    split, merge = variation_of_information(seg, gt)
    assert split == pytest.approx(h21)
    assert merge == pytest.approx(0.5 * h21)
    s = cremi_score(seg, gt)
    assert s.cremi_score == pytest.approx(math.sqrt((split + merge) * s.adapted_rand))
    assert (s.vi_split, s.vi_merge) == (split, merge)


def test_split_and_merge_directions():
    gt = np.array([[1, 1], [1, 1]])
    halves = np.array([[1, 2], [1, 2]])
    assert variation_of_information(halves, gt) == (1.0, 0.0)  # over-segmentation = split
    assert variation_of_information(gt, halves) == (0.0, 1.0)  # under-segmentation = merge
    # adapted Rand: precision 1 for an over-segmentation, recall 1 for an under-segmentation
    assert adapted_rand_error(halves, gt) == pytest.approx(1 - 2 * 0.5 / 1.5)


@pytest.mark.parametrize("seed", range(5))
def test_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 4, size=(5, 6))
    seg = np.where(rng.random((5, 6)) < 0.7, gt * 3 + 7, rng.integers(-5, 5, size=(5, 6)))
    assert adapted_rand_error(seg, gt) == pytest.approx(brute_arand(seg, gt))
    assert variation_of_information(seg, gt) == pytest.approx(brute_vi(seg, gt))


@pytest.mark.parametrize("shape", [(50,), (7, 8), (3, 4, 5), (2, 2, 3, 3)])
def test_zero_for_identical_up_to_relabelling(shape):
    rng = np.random.default_rng(1)
    gt = rng.integers(0, 9, size=shape)
    perm = rng.permutation(1000)[:9] - 300
    seg = perm[gt].astype(np.int32)
    assert adapted_rand_error(seg, gt) == 0.0
    assert variation_of_information(seg, gt) == (0.0, 0.0)
    assert cremi_score(seg, gt) == (0.0, 0.0, 0.0, 0.0)
    # and not zero once one pixel changes
    seg.ravel()[0] = 5000
    assert adapted_rand_error(seg, gt) > 0 and sum(variation_of_information(seg, gt)) > 0


def test_background_is_ignored_in_gt_only():
    gt = np.array([0, 0, 0, 1, 1, 2, 2])
    seg = np.array([5, 6, 7, 1, 1, 2, 2])  # arbitrary labels on the background
    assert adapted_rand_error(seg, gt, ignore_gt=0) == 0.0
    assert variation_of_information(seg, gt, ignore_gt=0) == (0.0, 0.0)
    assert adapted_rand_error(seg, gt) > 0  # counted without ignore_gt
    # equal to the metric on the remaining pixels
    seg2 = np.array([1, 1, 1, 1, 1, 2, 9])
    keep = gt != 0
    expected = brute_arand(seg2[keep], gt[keep])
    assert adapted_rand_error(seg2, gt, ignore_gt=0) == pytest.approx(expected)
    expected = brute_vi(seg2[keep], gt[keep])
    assert variation_of_information(seg2, gt, ignore_gt=0) == pytest.approx(expected)
    # a segment label 0 is an ordinary label
    seg3 = np.array([0, 0, 0, 0, 0, 2, 2])
    expected = brute_arand(seg3[keep], gt[keep])
    assert adapted_rand_error(seg3, gt, ignore_gt=0) == pytest.approx(expected)


def test_large_label_values_use_little_memory():
    # labels near 2**62: a dense table would be impossible
    gt = np.array([2**62, 2**62, 3, 3], dtype=np.int64)
    seg = np.array([-(2**62), 5, 5, 5], dtype=np.int64)
    assert adapted_rand_error(seg, gt) == pytest.approx(brute_arand(seg, gt))
    assert variation_of_information(seg, gt) == pytest.approx(brute_vi(seg, gt))


def test_errors():
    with pytest.raises(GaspValueError, match="same shape"):
        adapted_rand_error([1, 2], [1, 2, 3])
    with pytest.raises(GaspValueError, match="same shape"):
        variation_of_information(np.zeros((2, 3), int), np.zeros((3, 2), int))
    with pytest.raises(GaspTypeError, match="seg must hold integer labels"):
        cremi_score([1.5, 2.0], [1, 2])
    with pytest.raises(GaspValueError, match="no pixel left"):
        adapted_rand_error([1, 2], [0, 0], ignore_gt=0)
    with pytest.raises(GaspTypeError, match="ignore_gt"):
        adapted_rand_error([1, 2], [0, 0], ignore_gt="0")


def test_match_labels_colours_compared_segmentations_consistently():
    from gasp_graph.metrics import match_labels

    rng = np.random.default_rng(4)
    gt = rng.integers(1, 6, size=(12, 9))
    perm = np.array([40, 7, 3, 11, 9, 5])  # seg = gt under other label names
    np.testing.assert_array_equal(match_labels(perm[gt], gt), gt)
    seg = gt.copy()
    seg[:4][seg[:4] == 2] = 99  # split segment 2
    seg[seg == 5] = 4  # merge 4 and 5
    out = match_labels(seg, gt)
    # the same partition as seg (a relabelling) ...
    pairs = {(a, b) for a, b in zip(seg.ravel().tolist(), out.ravel().tolist())}
    assert len(pairs) == len(np.unique(seg)) == len(np.unique(out))
    # ... that keeps every unchanged segment's ground-truth label
    for label in (1, 3):
        np.testing.assert_array_equal(out[gt == label], label)
    assert set(np.unique(out[seg == 99]).tolist()) <= {2, 6}  # a piece of 2, or a new label
    with pytest.raises(GaspValueError, match="same shape"):
        match_labels(seg, gt[:3])
