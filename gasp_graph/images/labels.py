"""Label conventions of the image front end."""
from __future__ import annotations

import numpy as np

__all__ = ["first_occurrence"]


def first_occurrence(labels: np.ndarray) -> np.ndarray:
    """Renumber non-negative labels 0..k-1 by first occurrence; negative labels stay -1."""
    out = np.full(labels.shape, -1, dtype=np.int64)
    valid = labels >= 0
    vals = labels[valid]
    if vals.size == 0:
        return out
    uniq, first, inv = np.unique(vals, return_index=True, return_inverse=True)
    rank = np.empty(uniq.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(uniq.size, dtype=np.int64)
    out[valid] = rank[inv]
    return out
