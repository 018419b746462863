"""Clean-up of small segments after GASP."""
from __future__ import annotations

import heapq

import numpy as np

from .labels import first_occurrence

__all__ = ["merge_small_segments"]


def merge_small_segments(labels, n_labels, edges, weights, min_size):
    """Merge segments smaller than ``min_size`` into their most attractive neighbour.

    ``labels`` (n,) holds 0..n_labels-1 or -1 (outside the mask); ``edges``/``weights`` are the
    mergeable edges.  Rule: repeatedly take the smallest segment below ``min_size`` (ties: lowest
    label) and merge it into the neighbour (a segment joined to it by at least one edge) with the
    highest mean edge weight over their common edges (ties: lowest label); sizes and boundaries
    are updated after each merge.  A segment without neighbour stays.  Returns new labels (same
    convention, renumbered by first occurrence).
    """
    valid = labels >= 0
    sizes = np.bincount(labels[valid], minlength=n_labels).astype(np.int64)
    small = sizes < min_size
    if not small.any() or edges.shape[0] == 0:
        return labels
    lu = labels[edges[:, 0]]
    lv = labels[edges[:, 1]]
    keep = (lu != lv) & (small[lu] | small[lv])
    lo = np.minimum(lu[keep], lv[keep])
    hi = np.maximum(lu[keep], lv[keep])
    key = lo * np.int64(n_labels) + hi
    uniq, inv = np.unique(key, return_inverse=True)
    wsum = np.bincount(inv, weights=weights[keep], minlength=uniq.size)
    cnt = np.bincount(inv, minlength=uniq.size).astype(np.float64)
    a_ids = (uniq // n_labels).tolist()
    b_ids = (uniq % n_labels).tolist()

    # adj[s][t] = [sum of weights, number of edges] between segments s and t.  Only pairs with
    # at least one initially small segment are kept: sizes only grow, so a pair of two large
    # segments never matters.
    adj: dict = {}
    for a, b, s, c in zip(a_ids, b_ids, wsum.tolist(), cnt.tolist()):
        adj.setdefault(a, {})[b] = [s, c]
        adj.setdefault(b, {})[a] = [s, c]

    parent = np.arange(n_labels, dtype=np.int64)
    size = sizes.tolist()
    heap = [(size[s], s) for s in np.flatnonzero(small).tolist()]
    heapq.heapify(heap)
    alive = [True] * n_labels
    while heap:
        sz, s = heapq.heappop(heap)
        if not alive[s] or sz != size[s] or sz >= min_size:
            continue
        nbrs = adj.get(s)
        if not nbrs:
            continue  # no neighbour: the segment stays
        t = max(nbrs.items(), key=lambda it: (it[1][0] / it[1][1], -it[0]))[0]
        # merge s into t
        alive[s] = False
        parent[s] = t
        size[t] += size[s]
        at = adj.setdefault(t, {})
        del at[s]
        for x, (ws, wc) in nbrs.items():
            if x == t:
                continue
            ax = adj[x]
            del ax[s]
            if x in at:
                at[x][0] += ws
                at[x][1] += wc
                ax[t] = at[x]
            else:
                at[x] = ax[t] = [ws, wc]
        del adj[s]
        if size[t] < min_size:
            heapq.heappush(heap, (size[t], t))

    # resolve chains of merges by pointer jumping
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    out = np.where(valid, parent[np.where(valid, labels, 0)], -1)
    return first_occurrence(out)
