"""Clean-up of small segments after GASP: merge them into a neighbour, or regrow the large
segments over them with a seeded watershed."""
from __future__ import annotations

import heapq

import numpy as np

from .. import _core
from .labels import first_occurrence

__all__ = ["CLEANUPS", "merge_small_segments", "watershed_small_segments"]

CLEANUPS = ("merge", "watershed")


def merge_small_segments(labels, n_labels, edges, weights, min_size, *, node_sizes=None,
                         edge_counts=None):
    """Merge segments smaller than ``min_size`` into their most attractive neighbour.

    ``labels`` (n,) holds 0..n_labels-1 or -1 (outside the mask); ``edges``/``weights`` are the
    mergeable edges.  Rule: repeatedly take the smallest segment below ``min_size`` (ties: lowest
    label) and merge it into the neighbour (a segment joined to it by at least one edge) with the
    highest mean edge weight over their common edges (ties: lowest label); sizes and boundaries
    are updated after each merge.  A segment without neighbour stays.  Returns new labels (same
    convention, renumbered by first occurrence).

    On a region graph, ``node_sizes`` gives the pixels of every node, and every edge stands for
    ``edge_counts`` pixel edges whose weights sum to ``weights``: the rule is then the same as
    on the pixel graph.
    """
    valid = labels >= 0
    sizes = np.bincount(labels[valid], weights=None if node_sizes is None else node_sizes[valid],
                        minlength=n_labels).astype(np.int64)
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
    cnt = np.bincount(inv, weights=None if edge_counts is None else edge_counts[keep],
                      minlength=uniq.size).astype(np.float64)
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


def watershed_small_segments(labels, height, min_size, inside):
    """Delete the segments under ``min_size`` pixels and grow the others back over them.

    ``labels`` (spatial shape) holds 1..k, 0 outside ``inside``; ``height`` is the relief of the
    watershed (the boundary map).  Rule: (1) split every segment into its connected components
    (direct neighbours); (2) the components of at least ``min_size`` pixels are seeds; in a
    connected piece of ``inside`` without such a component, its largest component (ties: first
    in C order) is the seed; (3) a seeded watershed on ``height`` inside ``inside`` (the C flood
    of :func:`gasp_graph._core.image_watershed`: lowest height first, equal heights first in,
    first out) gives every other pixel the label of the seed that reaches it first.  Every
    segment left is connected and has at least ``min_size`` pixels unless its piece of
    ``inside`` is smaller; the result depends on nothing but the inputs.  Returns labels
    1..k' numbered by first occurrence, 0 outside.
    """
    comps, k = _core.image_components(labels)
    if k == 0:
        return labels
    sizes = np.bincount(comps.ravel(), minlength=k + 1)
    sizes[0] = 0
    seed = sizes >= min_size
    seed[0] = False
    # the connected pieces of `inside` and, for each component, the piece it lies in
    pieces, n_pieces = _core.image_components(inside.astype(np.int64))
    piece_of = np.zeros(k + 1, dtype=np.int64)
    flat_c, flat_p = comps.ravel(), pieces.ravel()
    piece_of[flat_c[flat_c > 0]] = flat_p[flat_c > 0]
    seeded = np.zeros(n_pieces + 1, dtype=bool)
    seeded[piece_of[seed]] = True
    cand = np.flatnonzero(~seeded[piece_of] & (sizes > 0))
    if cand.size:
        # largest component of each unseeded piece; ties: lowest component label (C order)
        order = np.lexsort((cand, -sizes[cand], piece_of[cand]))
        best = cand[order]
        firsts = np.concatenate(([True], piece_of[best][1:] != piece_of[best][:-1]))
        seed[best[firsts]] = True
    seeds = np.where(seed[comps], comps, 0)
    grown = _core.image_watershed(height, seeds, inside)
    out = np.where(inside, grown, -1).ravel()
    return (first_occurrence(out) + 1).reshape(labels.shape)
