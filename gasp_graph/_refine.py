"""Cluster-level refinement around the C node moves (refine.c): aggregation, as in Louvain and
Leiden.

The objective is that of refine.c (``F = weight inside clusters - gamma * sum_C sum_{i<j in C}
a_i a_j``).  Collapsing the clusters of a partition into nodes (edge weights added up, edges
inside a cluster dropped, node values ``a`` added up) changes ``F`` by a constant, so node moves
on the collapsed graph are exact moves of whole clusters.

* :func:`levels`: node moves, then moves of whole clusters on the collapsed graph, repeated
  until a level moves nothing (Louvain's phases, from a given partition);
* :func:`refine_gasp`: what ``refine=True`` returns: :func:`refine_partition` from GASP's
  partition and from singletons (the multilevel search alone), the one of higher ``F``
  (GASP's on a tie);
* :func:`refine_partition`: :func:`levels`, then rounds that split every cluster into
  sub-clusters (GASP with the CPM null model on the edges inside clusters, at a fraction of the
  mean edge weight), collapse the sub-clusters and let them move between clusters, then
  :func:`levels` again (Leiden's refinement, deterministic); a round is kept only when it raises
  ``F``, and the rounds stop after a full cycle of fractions without a gain.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import _core

# Sub-cluster resolutions of refine_partition, as fractions of the mean |edge value|.
SUB_FRACTIONS = (0.5, 0.2, 0.1, 0.05, 0.02, 0.01)
MAX_ROUNDS = 50

__all__ = ["levels", "refine_partition", "refine_gasp", "objective"]


def _values(problem):
    """The edge values s * w the objective sums."""
    if problem.edge_sizes is None:
        return problem.weights
    return problem.weights * problem.edge_sizes


def objective(problem, labels) -> float:
    """F of refine.c for labels on the problem's graph."""
    e, x = problem.edges, _values(problem)
    inside = labels[e[:, 0]] == labels[e[:, 1]]
    f = float(x[inside].sum())
    if problem.null_weights is not None and problem.resolution:
        a = problem.null_weights
        k = int(labels.max()) + 1 if labels.shape[0] else 0
        total = np.bincount(labels, weights=a, minlength=k)
        f -= problem.resolution * float((total ** 2 - np.bincount(labels, weights=a * a,
                                                                  minlength=k)).sum()) / 2
    return f


def _collapse(problem, labels, count):
    """The problem on the graph whose nodes are the clusters of ``labels``."""
    edges, weights = _core.collapse(problem.edges, _values(problem), labels, count)
    null = None
    if problem.null_weights is not None:
        null = np.bincount(labels, weights=problem.null_weights, minlength=count)
    return dataclasses.replace(problem, n_nodes=count, edges=edges, weights=weights,
                               edge_sizes=None, lifted=None, node_sizes=None, null_weights=null)


def _moves(problem, labels):
    """The C node moves (in the calling thread: each call is short, so Ctrl-C waits little)."""
    return _core.refine(problem, labels, threaded=False)[0]


def levels(problem, labels):
    """Node moves, then moves of whole clusters on the collapsed graph, until nothing moves."""
    labels = _moves(problem, labels)
    while True:
        count = int(labels.max()) + 1 if labels.shape[0] else 0
        collapsed = _collapse(problem, labels, count)
        moved = _moves(collapsed, np.arange(count, dtype=np.int64))
        if int(moved.max(initial=-1)) + 1 == count:
            return labels
        labels = _moves(problem, moved[labels])


def refine_partition(problem, labels):
    """levels(), then Leiden-style rounds of sub-cluster moves while they raise F."""
    from ._validation import prepare

    labels = levels(problem, np.asarray(labels, dtype=np.int64))
    best = objective(problem, labels)
    x = _values(problem)
    scale = float(np.abs(x).mean()) if x.shape[0] else 0.0
    if scale == 0.0:
        return labels
    fails = rounds = 0
    while fails < len(SUB_FRACTIONS) and rounds < MAX_ROUNDS:
        gamma = SUB_FRACTIONS[rounds % len(SUB_FRACTIONS)] * scale
        rounds += 1
        e = problem.edges
        inside = labels[e[:, 0]] == labels[e[:, 1]]
        sub_problem = prepare(e[inside], x[inside], n_nodes=problem.n_nodes, linkage="sum",
                              null_model="cpm", resolution=gamma)
        sub = _core.run(sub_problem, threaded=False)[0]
        count = int(sub.max()) + 1
        start = np.empty(count, dtype=np.int64)
        start[sub] = labels  # every sub-cluster lies inside one cluster
        collapsed = _collapse(problem, sub, count)
        moved = _moves(collapsed, start)
        candidate = levels(problem, moved[sub])
        value = objective(problem, candidate)
        if value > best + 1e-12 * max(1.0, abs(best)):
            labels, best, fails = candidate, value, 0
        else:
            fails += 1
    return labels


def refine_gasp(problem, labels):
    """refine_partition() from GASP's labels and from singletons; the better (ties: GASP's)."""
    from .hierarchy import _first_occurrence

    labels = refine_partition(problem, labels)
    if problem.n_nodes > 1:
        alone = refine_partition(problem, np.arange(problem.n_nodes, dtype=np.int64))
        if objective(problem, alone) > objective(problem, labels) + 1e-12 * max(
            1.0, abs(objective(problem, labels))
        ):
            labels = alone
    return _first_occurrence(labels)
