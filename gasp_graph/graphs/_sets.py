"""Labels -> lists of sets of nodes, in the one order every function returns them in."""
from __future__ import annotations

import numpy as np

__all__ = ["to_sets"]


def to_sets(labels, nodes=None):
    """Labels (numbered ``0 .. k-1`` by first occurrence) -> a list of sets of nodes.

    The clusters are ordered by decreasing size, ties broken by the position of each cluster's
    first node in node order (for labels numbered by first occurrence: by label).  ``nodes`` are
    the node objects in index order (``nodes[i]`` is node ``i``), or ``None`` for the integers
    ``0 .. n-1``.
    """
    labels = np.asarray(labels)
    if labels.shape[0] == 0:
        return []
    counts = np.bincount(labels)
    groups = [set() for _ in range(counts.shape[0])]
    names = range(labels.shape[0]) if nodes is None else nodes
    for node, label in zip(names, labels.tolist()):
        groups[label].add(node)
    return [groups[i] for i in np.argsort(-counts, kind="stable").tolist()]
