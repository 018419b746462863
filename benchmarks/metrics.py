"""Partition comparison helpers (numpy only)."""
from __future__ import annotations

import numpy as np


def canonical(labels):
    """Relabel ``labels`` 0..k-1 by first occurrence (node 0 gets 0, ...)."""
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        return labels.astype(np.int64)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    start = np.concatenate([[True], sorted_labels[1:] != sorted_labels[:-1]])
    group = np.cumsum(start) - 1  # group id in sorted-label order
    first = order[start]  # first node of each group (stable sort keeps node order)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    out = np.empty(labels.size, dtype=np.int64)
    out[order] = rank[group]
    return out


def same_partition(a, b):
    """True if the two labellings describe the same partition."""
    a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
    return a.shape == b.shape and bool(np.array_equal(canonical(a), canonical(b)))


def _pairs(counts):
    counts = counts.astype(np.float64)
    return float((counts * (counts - 1.0) / 2.0).sum())


def adjusted_rand_index(a, b):
    """Adjusted Rand index of two labellings of the same nodes (1.0 = same partition)."""
    a = canonical(a)
    b = canonical(b)
    n = a.size
    if n != b.size:
        raise ValueError(f"labellings differ in length: {a.size} != {b.size}")
    if n < 2:
        return 1.0
    codes = np.sort(a * (int(b.max()) + 1) + b)
    start = np.concatenate([[True], codes[1:] != codes[:-1]])
    cell_counts = np.diff(np.concatenate([np.flatnonzero(start), [n]]))
    sum_cells = _pairs(cell_counts)
    sum_a = _pairs(np.bincount(a))
    sum_b = _pairs(np.bincount(b))
    total = n * (n - 1) / 2.0
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2.0
    if maximum == expected:  # both trivial (all singletons or one cluster)
        return 1.0
    return (sum_cells - expected) / (maximum - expected)


def normalized_mutual_information(a, b):
    """NMI of two labellings, arithmetic-mean normalisation (scikit-learn's default); 1.0 for
    the same partition, 1.0 also when both are a single cluster."""
    a = canonical(a)
    b = canonical(b)
    n = a.size
    if n != b.size:
        raise ValueError("labellings of different lengths")
    if n == 0:
        return 1.0
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    joint = np.bincount(a * kb + b, minlength=ka * kb).astype(np.float64) / n
    pa = np.bincount(a, minlength=ka) / n
    pb = np.bincount(b, minlength=kb) / n
    nz = joint > 0
    ia, ib = np.nonzero(joint.reshape(ka, kb))
    mi = float((joint[nz] * np.log(joint[nz] / (pa[ia] * pb[ib]))).sum())
    ha = -float((pa[pa > 0] * np.log(pa[pa > 0])).sum())
    hb = -float((pb[pb > 0] * np.log(pb[pb > 0])).sum())
    if ha == 0.0 and hb == 0.0:
        return 1.0
    return mi / ((ha + hb) / 2) if ha + hb > 0 else 0.0
