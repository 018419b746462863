"""Slow, obviously-correct pure-Python reference implementation of GASP.

GASP = Generalized Algorithm for Signed graph Partitioning (Bailoni et al.,
CVPR 2022).  This module is a *test oracle*: it favours readability over
speed (a full scan for the best candidate at every step, O(n * m) per run or
worse), and every rule of the semantics below is visible in the code.
Only numpy and the standard library are used.

Public functions
----------------
``gasp_reference(n_nodes, edges, weights, *, linkage="average", ...)``
    Returns int64 labels (length n_nodes) numbered by first occurrence.
``run_phases(state, r, cannot_link, merge_constrained_at_end, ...)``
    The phases of a run on a ``State`` (used by oracles that record merges).
``canonical(labels)``
    Renumbers any labelling by first occurrence (node 0 -> label 0, the next
    node not in node 0's cluster -> label 1, ...).

Sign convention: w > 0 is attractive (merge), w < 0 is repulsive.

State
-----
A set of clusters (initially every node alone; isolated nodes are clusters
too), each with a node set and a node-size sum S.  For every pair of clusters
joined by at least one input edge there is exactly ONE *pair edge* carrying

    W            the linkage value,
    s            the size (sum of the input edge sizes folded into it),
    local        False only if every input edge folded into it is lifted,
    constrained  the cannot-link flag (only used with cannot_link=True),
    id           the smallest input-edge index folded into it; for the selection
                 linkages max, min and abs_max, the smallest index among the
                 folded input edges whose weight is the pair's value W.

Size normalisation
------------------
Sizes are first multiplied by a power of two, which is exact and only keeps them in range:

* node sizes by 2**k1, k1 the exponent that puts the smallest node size in [1, 2), so every
  cluster size S is >= 1 and every size factor S**-r is <= 1;
* for the linkages that read edge sizes (average, generalized_mean, smooth_max), edge sizes by
  2**k2, k2 the exponent that puts the largest edge size in [1, 2), so sums of sizes stay
  below 2m.  ("sum" uses the sizes as given: they scale its values.)

Unit sizes are unchanged (k = 0).

Initial pair edges
------------------
Input edge k = (u, v) gives a pair edge with W = init(w_k, s_k), s = s_k,
local = not lifted[k], constrained = False, id = k, where init(w, s) = s * w
for linkage "sum" and init(w, s) = w for every other linkage.  Duplicate input
edges between the same node pair (in either orientation) are folded at the
start, in increasing input index order: the existing pair edge (lower id)
absorbs the later one via fold().

fold(x, y)  (x = the pair edge with the lower id)
-------------------------------------------------
    local       = x.local or y.local
    constrained = x.constrained or y.constrained
    id          = x.id, except for the selection linkages (max, min, abs_max),
                  where it is the id of the edge whose W is kept: y.id when
                  y's W wins strictly (larger for max, smaller for min, larger
                  |W| for abs_max, or the negative one of an opposite-sign
                  |W| tie), x.id otherwise (equal values keep the lower id)
    s           = x.s + y.s
    W by linkage:
      sum               Wx + Wy
      average           (Wx*sx + Wy*sy) / (sx + sy)
      max / min         max(Wx, Wy) / min(Wx, Wy)
      abs_max           the value with the larger |W|; if |Wx| == |Wy| but
                        Wx != Wy (opposite signs) the negative one, -|Wx|
      smooth_max (p)    p == 0: same as average; otherwise
                        ex = sx*exp(p*Wx), ey = sy*exp(p*Wy),
                        W = (Wx*ex + Wy*ey) / (ex + ey)
      generalized_mean  (p > 0) with the odd power f(w) = sign(w)*|w|**p and
                        finv(z) = sign(z)*|z|**(1/p):
                        W = finv((sx*f(Wx) + sy*f(Wy)) / (sx + sy))

Merging clusters A and B (through their pair edge, which disappears)
-------------------------------------------------------------------
The new cluster's node set is the union and its node-size sum is S_A + S_B.
For every third cluster C joined to A and/or B, the pair edges (A, C) and
(B, C) fold into one pair edge (C, A u B); if only one of them exists it is
re-attached unchanged.

Priority and selection
----------------------
Every cluster c has a size factor f(c): S**-r for a single node; for a merge of a and b,
min((S_a + S_b)**-r, f(a), f(b)) (the minimum only matters if pow were not monotone).  For a
pair edge between clusters u and v:
    base     = W  (unconstrained mode)   or   |W|  (constrained mode)
    priority = base * 0.5 * (f(u) + f(v))     if size_regularizer r > 0
    priority = base                           otherwise
Selection picks the candidate with the HIGHEST priority.
TIE-BREAKING RULE: among equal priorities, the pair edge with the SMALLEST id
wins.

Stop rule (all phases)
----------------------
Before each step: if a cluster target k is set (min_clusters=k or n_clusters=k;
giving both is an error) and the current number of clusters (isolated nodes
count) is <= k, stop everything.

Unconstrained mode (cannot_link=False)
--------------------------------------
Candidates are the LOCAL pair edges.  Take the best; if its W > 0 (strictly)
merge its two clusters and repeat; otherwise stop.  Lifted pair edges never
trigger a merge themselves, but once folded with a local pair edge the result
is local and its value includes the lifted weight.

Constrained mode (cannot_link=True)
-----------------------------------
Candidates are pair edges that are NOT constrained and are either local, or
lifted with W <= 0.  Take the best (|W|-based priority).  If W > 0: merge.  If
W <= 0: set its constrained flag (the two clusters may never merge in this
phase; since flags are OR-ed in folds, later merges of either cluster inherit
the constraint).  Repeat until there are no candidates.
If merge_constrained_at_end=True, continue afterwards with the unconstrained
mode from the current clusters, ignoring all constrained flags (priorities are
W-based again).

A lifted pair edge with W > 0 is simply not a candidate; if a later fold makes
it local (or, in constrained mode, makes W <= 0) it becomes a candidate.

Completion (exact n_clusters, and the merge trees of agglomerate)
-----------------------------------------------------------------
min_clusters=k is the early stop above and nothing else.  n_clusters=k asks for
EXACTLY k clusters: the phases above run with the stop rule at k; if more than
k clusters remain afterwards (GASP ran out of positive linkage values, or the
constraints forbid the remaining merges), a completion phase continues until k
remain or no candidate is left:

    candidates  every LOCAL pair edge, whatever its sign; constrained flags
                are ignored
    priority    W (times the size factor when r > 0), as in unconstrained mode
    action      always merge the best candidate

When no candidate is left the local edges have more than k connected
components and k is out of reach: the result has more than k clusters (the
Python front ends warn).  ``run_to_completion=True`` (agglomerate's full merge
trees) runs the same completion phase after GASP's phases, down to k clusters
when a target is set, to one cluster per local component otherwise.
Null model (linkage "sum" only, no cannot_link)
-----------------------------------------------
Every cluster S carries a value a_S, the sum of its nodes' values a_i, and the
value of the pair edge between S and T used everywhere above (priority,
candidacy, the sign test, the merge height) is

    W(S, T) = W_sum(S, T) - gamma * a_S * a_T

where W_sum is the plain sum linkage of the edges between S and T.  Pairs of
clusters without an edge have W <= 0 and never merge.  The node values:

    null_model="modularity"  a_i = k_i / sqrt(2m), k_i the strength of node i
                             (sum of s_e * w_e over its edges, a self-loop
                             counted twice: networkx's weighted degree) or the
                             given node_weights, 2m = sum_i k_i.  The reported
                             merge heights are W / m: networkx's Delta Q.
    null_model="cpm"         a_i = 1 or the given node_weights; heights are W.

Objective and refinement
------------------------
Greedy merging with W above increases, merge by merge, the objective

    F(P) = sum of s_e * w_e over edges inside clusters
           - gamma * sum over clusters C of sum_{i < j in C} a_i * a_j

(no null model: gamma = 0, and F = total positive weight - disagreement).
Modularity is F / m plus a constant of the graph.  refine=True improves the
GASP partition by local search on F.  Its contract (what the tests check; the
engine's search itself is a deterministic multilevel one: node moves,
sub-cluster aggregation, perturbation steps, see c_src/refine.c):
* F(refined) >= F(GASP's partition) (and >= F(start) for gasp_refine);
* the result is a local optimum: no single node move, to another cluster or a
  new singleton, gains more than a rounding tolerance (``is_local_optimum``);
* every cluster is connected by edges inside it (``split_disconnected``).
``refine_reference`` is the plainest search with that contract: a node moves to
the cluster (a neighbouring one or a new singleton) of largest gain in F while
some move gains, and clusters that are not connected are split into their
connected components, which never lowers F.  The engine's node-moves mode
(GASP_REFINE_MOVES) is that search with a queue order instead of sweeps.

Range errors (NumericRangeError; the engine raises GaspNumericError)
-------------------------------------------------------------------
* a pair-edge value W becomes inf or NaN (initial s * w of "sum", or a fold);
* with r > 0: a (normalised) cluster size is infinite, or a size factor is below
  2.2250738585072014e-308 (the smallest normal double), at the start or after a merge;
* with r > 0: the edge about to be merged (or constrained) has W != 0 and a priority
  whose magnitude is below that bound: it would be chosen by rounding noise;
* the value W of the edge about to be merged is infinite (the null-model term
  gamma * a_S * a_T overflowed).
"""

import math
import sys

import numpy as np

NULL_MODELS = (None, "modularity", "cpm")

DBL_MIN = sys.float_info.min
SIZE_LINKAGES = ("average", "generalized_mean", "smooth_max")
LINKAGES = ("sum", "average", "max", "min", "abs_max", "generalized_mean", "smooth_max")


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------

def canonical(labels):
    """Renumber a labelling by first occurrence (returns int64 array)."""
    labels = np.asarray(labels).ravel()
    new_label_of = {}
    out = np.empty(len(labels), dtype=np.int64)
    for i, lab in enumerate(labels.tolist()):
        if lab not in new_label_of:
            new_label_of[lab] = len(new_label_of)
        out[i] = new_label_of[lab]
    return out


# --------------------------------------------------------------------------
# Pair edges: init and fold
# --------------------------------------------------------------------------

class PairEdge:
    """The single edge between two current clusters."""

    __slots__ = ("W", "s", "local", "constrained", "id")

    def __init__(self, W, s, local, constrained, id):
        self.W = W
        self.s = s
        self.local = local
        self.constrained = constrained
        self.id = id

    def __repr__(self):
        return (f"PairEdge(W={self.W!r}, s={self.s!r}, local={self.local}, "
                f"constrained={self.constrained}, id={self.id})")


def init_value(linkage, w, s):
    """Value of the pair edge made from one input edge of weight w, size s."""
    if linkage == "sum":
        return s * w
    return w


def _odd_power(w, p):
    """f(w) = sign(w) * |w|**p."""
    return math.copysign(abs(w) ** p, w)


def fold_value(linkage, p, Wx, sx, Wy, sy):
    """Linkage value of two folded pair edges (x has the lower id)."""
    if linkage == "sum":
        return Wx + Wy
    if linkage == "average":
        return (Wx * sx + Wy * sy) / (sx + sy)
    if linkage == "max":
        return max(Wx, Wy)
    if linkage == "min":
        return min(Wx, Wy)
    if linkage == "abs_max":
        if abs(Wx) > abs(Wy):
            return Wx
        if abs(Wy) > abs(Wx):
            return Wy
        if Wx == Wy:
            return Wx
        return -abs(Wx)                     # equal |W|, opposite signs: negative wins
    if linkage == "smooth_max":
        if p == 0:
            return (Wx * sx + Wy * sy) / (sx + sy)
        ex = sx * math.exp(p * Wx)
        ey = sy * math.exp(p * Wy)
        return (Wx * ex + Wy * ey) / (ex + ey)
    if linkage == "generalized_mean":
        z = (sx * _odd_power(Wx, p) + sy * _odd_power(Wy, p)) / (sx + sy)
        return _odd_power(z, 1.0 / p)      # finv(z) = sign(z) * |z|**(1/p)
    raise ValueError(f"unknown linkage {linkage!r}")


def _y_carries_value(linkage, Wx, Wy):
    """For the selection linkages: does y's W (strictly) win the fold?"""
    if linkage == "max":
        return Wy > Wx
    if linkage == "min":
        return Wy < Wx
    if linkage == "abs_max":
        return abs(Wy) > abs(Wx) or (abs(Wy) == abs(Wx) and Wy < Wx)
    return False


class NumericRangeError(ArithmeticError):
    """A value left the double range (see "Range errors")."""


def _finite(W):
    if not math.isfinite(W):
        raise NumericRangeError(f"a linkage value became {W!r}")
    return W


def power_of_two_shift(values, *, smallest):
    """k such that 2**k puts min(values) (smallest=True) or max(values) in [1, 2)."""
    if not len(values):
        return 0
    _, e = math.frexp(min(values) if smallest else max(values))  # x = f 2**e, f in [0.5, 1)
    return 1 - e


def fold(linkage, p, a, b):
    """Fold two pair edges into one; the one with the lower id plays x."""
    x, y = (a, b) if a.id < b.id else (b, a)
    return PairEdge(
        W=_finite(fold_value(linkage, p, x.W, x.s, y.W, y.s)),
        s=x.s + y.s,
        local=x.local or y.local,
        constrained=x.constrained or y.constrained,
        id=y.id if _y_carries_value(linkage, x.W, y.W) else x.id,
    )


# --------------------------------------------------------------------------
# Clustering state
# --------------------------------------------------------------------------

def _key(a, b):
    """Dictionary key of the pair edge between clusters a and b."""
    return (a, b) if a < b else (b, a)


class State:
    """Clusters and the pair edges between them.

    clusters[c] = set of nodes of cluster c      (c = one of its node ids)
    size[c]     = node-size sum of cluster c
    pair[(a, b)] with a < b = the PairEdge between clusters a and b
    neighbours[c] = set of clusters joined to c by a pair edge
    """

    def __init__(self, n_nodes, edges, weights, lifted, edge_sizes, node_sizes, linkage, p,
                 null_values=None, gamma=0.0):
        self.linkage = linkage
        self.p = p
        # null model: a[c] = sum of the node values of cluster c (None: no null model)
        self.a = None if null_values is None else {v: float(null_values[v]) for v in range(n_nodes)}
        self.gamma = float(gamma)
        self.clusters = {v: {v} for v in range(n_nodes)}
        shift = power_of_two_shift(node_sizes, smallest=True)
        self.size = {v: math.ldexp(float(node_sizes[v]), shift) for v in range(n_nodes)}
        self.factor = None  # cluster -> size factor, once the regulariser is used (r > 0)
        self.r = None
        self.pair = {}
        self.neighbours = {v: set() for v in range(n_nodes)}
        eshift = power_of_two_shift(edge_sizes, smallest=False) if linkage in SIZE_LINKAGES else 0
        for k in range(len(weights)):      # increasing input index order
            u, v = int(edges[k][0]), int(edges[k][1])
            s = float(edge_sizes[k])
            W = _finite(init_value(linkage, float(weights[k]), s))
            s = math.ldexp(s, eshift)
            new = PairEdge(W=W, s=s,
                           local=not bool(lifted[k]), constrained=False, id=k)
            key = _key(u, v)
            if key in self.pair:           # duplicate input edge: lower id absorbs it
                self.pair[key] = fold(linkage, p, self.pair[key], new)
            else:
                self.pair[key] = new
                self.neighbours[u].add(v)
                self.neighbours[v].add(u)

    def n_clusters(self):
        return len(self.clusters)

    def merge(self, a, b):
        """Merge clusters a and b through their pair edge (which disappears)."""
        del self.pair[_key(a, b)]
        self.neighbours[a].discard(b)
        self.neighbours[b].discard(a)
        keep, gone = min(a, b), max(a, b)  # the merged cluster is called `keep`
        self.clusters[keep] |= self.clusters.pop(gone)
        self.size[keep] += self.size.pop(gone)
        if self.a is not None:
            self.a[keep] += self.a.pop(gone)
        if self.factor is not None:
            f = min(self.size[keep] ** -self.r, self.factor[keep], self.factor.pop(gone))
            self.factor[keep] = self._checked_factor(self.size[keep], f)
        # Re-attach every pair edge (gone, C) to keep, folding with (keep, C).
        for c in self.neighbours.pop(gone):
            edge_gc = self.pair.pop(_key(gone, c))
            self.neighbours[c].discard(gone)
            k = _key(keep, c)
            if k in self.pair:
                self.pair[k] = fold(self.linkage, self.p, self.pair[k], edge_gc)
            else:
                self.pair[k] = edge_gc
                self.neighbours[keep].add(c)
                self.neighbours[c].add(keep)

    def value(self, key, edge):
        """The linkage value of a pair edge: W, minus gamma * a_S * a_T with a null model."""
        if self.a is None:
            return edge.W
        return edge.W - self.gamma * self.a[key[0]] * self.a[key[1]]

    @staticmethod
    def _checked_factor(size, f):
        if not math.isfinite(size) or f < DBL_MIN:
            raise NumericRangeError(f"cluster size {size!r}: size factor {f!r} out of range")
        return f

    def priority(self, key, edge, use_abs, r):
        W = self.value(key, edge)
        base = abs(W) if use_abs else W
        if r > 0:
            if self.factor is None:
                self.r = r
                self.factor = {c: self._checked_factor(S, S ** -r) for c, S in self.size.items()}
            return base * 0.5 * (self.factor[key[0]] + self.factor[key[1]])
        return base

    def check_chosen(self, key, edge, use_abs, r):
        """Raise when the edge about to be acted on was chosen by rounding noise, or its value
        is infinite (a null-model term that overflowed)."""
        if not math.isfinite(self.value(key, edge)):
            raise NumericRangeError(f"the value of {edge!r} overflowed")
        if r > 0 and self.value(key, edge) != 0 and abs(
                self.priority(key, edge, use_abs, r)) < DBL_MIN:
            raise NumericRangeError(f"priority of {edge!r} below the normal range")

    def select(self, is_candidate, use_abs, r):
        """Best candidate (key, edge): highest priority, ties -> smallest id.

        Returns None if there is no candidate.
        """
        best = None
        best_prio = None
        for key, edge in self.pair.items():
            if not is_candidate(edge):
                continue
            prio = self.priority(key, edge, use_abs, r)
            if (best is None or prio > best_prio
                    or (prio == best_prio and edge.id < best[1].id)):
                best, best_prio = (key, edge), prio
        return best

    def labels(self, n_nodes):
        lab = np.empty(n_nodes, dtype=np.int64)
        for c, nodes in self.clusters.items():
            for v in nodes:
                lab[v] = c
        return canonical(lab)


# --------------------------------------------------------------------------
# The phases
# --------------------------------------------------------------------------

def _should_stop(state, n_clusters):
    return n_clusters is not None and state.n_clusters() <= n_clusters


def run_completion(state, r, n_clusters):
    """Merge the best local pair edge, whatever its sign and ignoring constraints, until the
    cluster target is met or no local pair edge is left."""
    while not _should_stop(state, n_clusters):
        best = state.select(_unconstrained_candidate, use_abs=False, r=r)
        if best is None:
            return
        state.check_chosen(*best, use_abs=False, r=r)
        state.merge(*best[0])


def _unconstrained_candidate(edge):
    return edge.local


def _constrained_candidate(edge):
    return (not edge.constrained) and (edge.local or edge.W <= 0)


def run_unconstrained(state, r, n_clusters):
    """Merge the best local pair edge while its W > 0. Returns False if the
    cluster-count stop rule fired."""
    while True:
        if _should_stop(state, n_clusters):
            return False
        best = state.select(_unconstrained_candidate, use_abs=False, r=r)
        if best is None or not state.value(*best) > 0:
            return True
        state.check_chosen(*best, use_abs=False, r=r)
        state.merge(*best[0])


def run_constrained(state, r, n_clusters):
    """Process candidates by |W| priority: merge (W > 0) or constrain (W <= 0).
    Returns False if the cluster-count stop rule fired."""
    while True:
        if _should_stop(state, n_clusters):
            return False
        best = state.select(_constrained_candidate, use_abs=True, r=r)
        if best is None:
            return True
        key, edge = best
        state.check_chosen(key, edge, use_abs=True, r=r)
        if edge.W > 0:
            state.merge(*key)              # candidates with W > 0 are always local
        else:
            edge.constrained = True


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

def gasp_reference(n_nodes, edges, weights, *, linkage="average", cannot_link=False, lifted=None,
                   edge_sizes=None, merge_constrained_at_end=False, node_sizes=None,
                   size_regularizer=0.0, n_clusters=None, linkage_param=None,
                   min_clusters=None, run_to_completion=False,
                   null_model=None, resolution=1.0, node_weights=None, refine=False):
    """Run GASP (semantics in the module docstring); return canonical int64 labels.

    Raises NumericRangeError where the engine raises GaspNumericError."""
    if n_clusters is not None and min_clusters is not None:
        raise ValueError("give n_clusters (exactly k) or min_clusters (stop at k), not both")
    if linkage not in LINKAGES:
        raise ValueError(f"unknown linkage {linkage!r}; expected one of {LINKAGES}")
    p = None
    if linkage in ("generalized_mean", "smooth_max"):
        if linkage_param is None:
            raise ValueError(f"linkage {linkage!r} needs linkage_param")
        p = float(linkage_param)
        if linkage == "generalized_mean" and not p > 0:
            raise ValueError("generalized_mean needs linkage_param p > 0")

    n_nodes = int(n_nodes)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2).tolist()
    weights = np.asarray(weights, dtype=np.float64).ravel().tolist()
    m = len(weights)
    if len(edges) != m:
        raise ValueError("edges and weights differ in length")
    for u, v in edges:
        if not (0 <= u < n_nodes and 0 <= v < n_nodes) or u == v:
            raise ValueError(f"invalid edge ({u}, {v}) for n_nodes={n_nodes}")
    lifted = [False] * m if lifted is None else np.asarray(lifted, dtype=bool).ravel().tolist()
    edge_sizes = [1.0] * m if edge_sizes is None else np.asarray(edge_sizes, np.float64).ravel().tolist()
    node_sizes = [1.0] * n_nodes if node_sizes is None else np.asarray(node_sizes, np.float64).ravel().tolist()
    r = float(size_regularizer)

    a = None
    if null_model is not None:
        if linkage != "sum" or cannot_link:
            raise ValueError("a null model needs linkage='sum' without cannot_link")
        a, _ = null_model_values(n_nodes, edges, weights, edge_sizes, null_model, node_weights)
    state = State(n_nodes, edges, weights, lifted, edge_sizes, node_sizes, linkage, p,
                  null_values=a, gamma=resolution)
    run_phases(state, r, cannot_link, merge_constrained_at_end, n_clusters, min_clusters,
               run_to_completion)
    labels = state.labels(n_nodes)
    if refine:
        gamma = 0.0 if a is None else resolution
        labels = refine_reference(labels, edges, weights, edge_sizes, a, gamma)
    return labels


def run_phases(state, r, cannot_link, merge_constrained_at_end, n_clusters=None,
               min_clusters=None, run_to_completion=False):
    """Every phase of a run on a prepared state, in order (see the module docstring)."""
    stop = n_clusters if n_clusters is not None else min_clusters
    if not cannot_link:
        finished = run_unconstrained(state, r, stop)
    else:
        finished = run_constrained(state, r, stop)
        if finished and merge_constrained_at_end:
            finished = run_unconstrained(state, r, stop)   # constrained flags are ignored here
    if finished and (run_to_completion or n_clusters is not None):
        run_completion(state, r, stop)


# --------------------------------------------------------------------------
# Null model, objective, refinement
# --------------------------------------------------------------------------

def strengths(n_nodes, edges, weights, edge_sizes=None):
    """k_i = sum of s_e * w_e over the edges at node i; a self-loop counts twice."""
    k = [0.0] * n_nodes
    for idx, (u, v) in enumerate(edges):
        x = float(weights[idx]) * (1.0 if edge_sizes is None else float(edge_sizes[idx]))
        k[int(u)] += x
        k[int(v)] += x
    return k


def null_model_values(n_nodes, edges, weights, edge_sizes, null_model, node_weights=None):
    """(a, height_scale): the node values of the null model and the factor turning a merge's
    linkage value into its reported height (1/m for modularity, 1 for cpm)."""
    if null_model == "modularity":
        k = (strengths(n_nodes, edges, weights, edge_sizes) if node_weights is None
             else [float(x) for x in node_weights])
        two_m = sum(k)
        if two_m <= 0:
            return [0.0] * n_nodes, 1.0
        root = math.sqrt(two_m)
        return [x / root for x in k], 2.0 / two_m
    if null_model == "cpm":
        a = [1.0] * n_nodes if node_weights is None else [float(x) for x in node_weights]
        return a, 1.0
    raise ValueError(f"unknown null model {null_model!r}")


def objective(labels, edges, weights, edge_sizes=None, a=None, gamma=0.0):
    """F(P): the weight inside clusters minus gamma * sum_C sum_{i<j in C} a_i a_j."""
    labels = [int(x) for x in labels]
    inside = 0.0
    for idx, (u, v) in enumerate(edges):
        if int(u) != int(v) and labels[int(u)] == labels[int(v)]:
            inside += float(weights[idx]) * (1.0 if edge_sizes is None else float(edge_sizes[idx]))
    penalty = 0.0
    if a is not None and gamma:
        total, squares = {}, {}
        for i, c in enumerate(labels):
            total[c] = total.get(c, 0.0) + a[i]
            squares[c] = squares.get(c, 0.0) + a[i] * a[i]
        penalty = sum((total[c] ** 2 - squares[c]) / 2 for c in total)
    return inside - gamma * penalty


def move_gains(labels, edges, weights, edge_sizes=None, a=None, gamma=0.0):
    """For every node i and target t (every current cluster label, or None for a new singleton
    cluster): the exact gain in F of moving i alone to t, by recomputing F."""
    labels = [int(x) for x in labels]
    base = objective(labels, edges, weights, edge_sizes, a, gamma)
    fresh = max(labels, default=-1) + 1
    out = {}
    for i in range(len(labels)):
        for t in sorted(set(labels)) + [None]:
            if t == labels[i]:
                continue
            moved = list(labels)
            moved[i] = fresh if t is None else t
            out[(i, t)] = objective(moved, edges, weights, edge_sizes, a, gamma) - base
    return out


def is_local_optimum(labels, edges, weights, edge_sizes=None, a=None, gamma=0.0, tol=1e-9):
    """No single node move (to another cluster or a new singleton) gains more than tol."""
    gains = move_gains(labels, edges, weights, edge_sizes, a, gamma)
    return all(g <= tol for g in gains.values())


def refine_reference(labels, edges, weights, edge_sizes=None, a=None, gamma=0.0, tol=1e-12):
    """Local moves by brute force until no move gains more than tol, then split disconnected
    clusters; repeated until neither changes anything.  Returns canonical labels.

    Moves are tried node by node in index order, each to its best target (largest gain; ties:
    the smallest label; a new singleton last)."""
    labels = [int(x) for x in canonical(labels)]
    n = len(labels)
    changed = True
    while changed:
        changed = False
        for i in range(n):
            gains = move_gains(labels, edges, weights, edge_sizes, a, gamma)
            best, best_gain = None, tol
            for (j, t), g in gains.items():
                if j == i and g > best_gain:
                    best, best_gain = t, g
            if best_gain > tol:
                labels[i] = max(labels) + 1 if best is None else best
                changed = True
        split = split_disconnected(labels, edges)
        if len(set(split)) != len(set(labels)):
            changed = True
        labels = split
    return canonical(labels)


def split_disconnected(labels, edges):
    """Labels whose clusters are the connected components (through edges inside a cluster) of
    the given clusters."""
    n = len(labels)
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        u, v = int(u), int(v)
        if labels[u] == labels[v]:
            parent[find(u)] = find(v)
    return [int(x) for x in canonical([find(i) for i in range(n)])]
