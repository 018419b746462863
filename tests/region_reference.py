"""Slow, obviously-correct oracles for region graphs (the companion of tests/reference.py).

Public functions
----------------
``pixel_graph(shape, offsets, mask=None)``
    The pixel graph by a loop over every offset and pixel, in grid_graph's order (offset by
    offset, then source pixel in C order): ``(edges, offset_index, lifted)``.
``brute_region_graph(superpixels, weights, offsets, mask=None)``
    The region graph of a label image (0 = ignored) by a loop over every pixel edge:
    ``(sizes, pairs)`` with ``sizes[label]`` the pixel count of every region and
    ``pairs[(a, b)]`` (labels a < b) a dict of the statistics below.
``pair_value(stats, linkage)`` / ``pair_id(stats, linkage)``
    The linkage value and the tie-breaking id the engine's pair edge carries after all of the
    pixel edges between two regions have been folded (semantics page, "Ties").
``traced_run(...)`` / ``state_after(...)``
    The oracle's run with every selection recorded, and the oracle's state after replaying the
    first k merges of a run.

Statistics of one pair of regions (a, b), over the pixel edges (p, q) with {label(p),
label(q)} = {a, b}, both pixels inside the mask: ``count``, ``sum``, ``max``, ``min`` of their
weights, ``local_count`` (how many are direct-neighbour edges), ``local_sum``, and the pixel-edge
indices ``first`` (smallest), ``argmax`` / ``argmin`` (smallest among those whose weight is the
max / min).

The prefix-continuation property
--------------------------------
Run GASP on the pixel graph and stop after k merges.  The state is then a partition plus, for
every pair of clusters joined by a pixel edge, ONE pair edge with (W, s, local, constrained, id).
Without installed constraints that pair edge is a function of the partition alone:

    sum       W = sum of the weights           s = count   id = first
    average   W = sum / count                   s = count   id = first
    max       W = max                           id = argmax
    min       W = min                           id = argmin
    abs_max   W = max if |max| > |min| else min (an opposite-sign tie keeps the negative one)
              id = argmax or argmin accordingly
    local     = local_count > 0

because every fold rule is associative and commutative in the value (exactly so for the
selection linkages; up to rounding for sum and average) and the surviving id is the smallest one
(for the selection linkages the smallest one carrying the value).  Hence GASP on the region
graph of that partition, with region edges ordered by their id, continues exactly as the pixel
run.  A constraint installed before step k is part of the state but not of the partition: that
is the exception (see test_regions.py for a counterexample).
"""
import itertools

import numpy as np
import reference


def pixel_graph(shape, offsets, mask=None):
    """Edges (p, p + o) of every offset and pixel, offset by offset, then source pixel."""
    edges, oidx, lifted = [], [], []
    for k, o in enumerate(offsets):
        for pix in itertools.product(*(range(s) for s in shape)):
            tgt = tuple(a + b for a, b in zip(pix, o))
            if not all(0 <= t < s for t, s in zip(tgt, shape)):
                continue
            if mask is not None and not (mask[pix] and mask[tgt]):
                continue
            edges.append((np.ravel_multi_index(pix, shape), np.ravel_multi_index(tgt, shape)))
            oidx.append(k)
            lifted.append(sum(abs(x) for x in o) != 1)
    return (np.array(edges, dtype=np.int64).reshape(-1, 2), np.array(oidx, dtype=np.int64),
            np.array(lifted, dtype=bool))


def brute_region_graph(superpixels, weights, offsets, mask=None):
    """(sizes, pairs) of a label image: see the module docstring.

    ``weights`` has shape ``(n_offsets, *shape)``: ``weights[k][p]`` is the weight of the edge
    (p, p + offsets[k]).
    """
    sp = np.asarray(superpixels)
    shape = sp.shape
    inside = np.ones(shape, bool) if mask is None else np.asarray(mask, bool)
    sizes = {}
    for pix in itertools.product(*(range(s) for s in shape)):
        if inside[pix] and sp[pix] != 0:
            sizes[int(sp[pix])] = sizes.get(int(sp[pix]), 0) + 1
    edges, oidx, lifted = pixel_graph(shape, offsets, mask)
    flat_sp = sp.ravel()
    flat_w = np.asarray(weights, dtype=np.float64).reshape(len(offsets), -1)
    members = {}
    for i, ((p, q), k, lf) in enumerate(zip(edges.tolist(), oidx.tolist(), lifted.tolist())):
        a, b = int(flat_sp[p]), int(flat_sp[q])
        if a == 0 or b == 0 or a == b:
            continue
        members.setdefault((min(a, b), max(a, b)), []).append((i, float(flat_w[k, p]), not lf))
    pairs = {}
    for key, items in members.items():
        ws = [w for _, w, _ in items]
        hi, lo = max(ws), min(ws)
        pairs[key] = dict(
            count=len(items),
            sum=sum(ws),
            max=hi,
            min=lo,
            local_count=sum(1 for _, _, loc in items if loc),
            local_sum=sum(w for _, w, loc in items if loc),
            first=min(i for i, _, _ in items),
            argmax=min(i for i, w, _ in items if w == hi),
            argmin=min(i for i, w, _ in items if w == lo),
        )
    return sizes, pairs


def pair_value(stats, linkage):
    """The linkage value W of the pair edge folded from all of a pair's pixel edges."""
    if linkage == "sum":
        return stats["sum"]
    if linkage == "average":
        return stats["sum"] / stats["count"]
    if linkage == "max":
        return stats["max"]
    if linkage == "min":
        return stats["min"]
    if linkage == "abs_max":
        return stats["max"] if abs(stats["max"]) > abs(stats["min"]) else stats["min"]
    raise ValueError(f"no region-graph value for linkage {linkage!r}")


def pair_id(stats, linkage):
    """The pixel-edge index that the folded pair edge carries as its tie-breaking id."""
    if linkage == "max":
        return stats["argmax"]
    if linkage == "min":
        return stats["argmin"]
    if linkage == "abs_max":
        return stats["argmax"] if abs(stats["max"]) > abs(stats["min"]) else stats["argmin"]
    return stats["first"]


class TracingState(reference.State):
    """The oracle's state, recording every selected candidate as (key, W) and every merge."""

    def __init__(self, *args):
        super().__init__(*args)
        self.selected = []   # (key, W) of every selection, merge or constraint
        self.merged = []     # (a, b) cluster names of every merge, in order

    def select(self, is_candidate, use_abs, r):
        best = super().select(is_candidate, use_abs, r)
        if best is not None:
            self.selected.append((best[0], best[1].W))
        return best

    def merge(self, a, b):
        self.merged.append((a, b))
        super().merge(a, b)


def _state(n_nodes, edges, weights, lifted, linkage, node_sizes=None, cls=reference.State):
    m = len(weights)
    lifted = [False] * m if lifted is None else [bool(x) for x in lifted]
    ns = [1.0] * n_nodes if node_sizes is None else [float(x) for x in node_sizes]
    return cls(n_nodes, np.asarray(edges).tolist(), [float(w) for w in weights], lifted,
               [1.0] * m, ns, linkage, None)


def traced_run(n_nodes, edges, weights, *, linkage, lifted=None, cannot_link=False,
               size_regularizer=0.0):
    """Run the oracle (one phase); return (labels, merges, n_merges_before_first_constraint).

    ``merges`` lists the merged cluster names (the smallest node of each cluster) in order.
    """
    state = _state(n_nodes, edges, weights, lifted, linkage, cls=TracingState)
    if cannot_link:
        reference.run_constrained(state, size_regularizer, None)
    else:
        reference.run_unconstrained(state, size_regularizer, None)
    before = len(state.merged)
    n_merges = 0
    for _, w in state.selected:
        if cannot_link and w <= 0:
            before = n_merges
            break
        n_merges += w > 0
    return state.labels(n_nodes), state.merged, before


def state_after(n_nodes, edges, weights, merges, *, linkage, lifted=None):
    """The oracle's state after replaying ``merges`` (cluster-name pairs) from the start."""
    state = _state(n_nodes, edges, weights, lifted, linkage)
    for a, b in merges:
        state.merge(a, b)
    return state
