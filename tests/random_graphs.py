"""Random GASP problems for the tests: small signed graphs and option sets, from a seed.

Every generator takes a ``numpy.random.Generator`` so that a test fixes its seed and the problem
is the same on every run and platform.
"""
import numpy as np
from reference import LINKAGES

# The constraint modes: (cannot_link, merge_constrained_at_end).
CONSTRAINT_MODES = {"none": (False, False), "cannot_link": (True, False), "at_end": (True, True)}

# Size modes: (random edge sizes?, size_regularizer); random node sizes are always passed.
SIZE_MODES = {"unit": (False, 0.0), "edge_sizes": (True, 0.0), "regularized": (False, 0.5),
              "edge_sizes+regularized": (True, 0.5)}

# Parameters tried for the parametrised linkages (smooth_max also with p = 0 and p < 0).
LINKAGE_PARAMS = {"generalized_mean": (0.5, 1.0, 2.0, 3.0), "smooth_max": (-2.0, 0.0, 1.0, 5.0)}

TIE_WEIGHTS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])


def random_edges(rng, n, m, *, duplicates=False):
    """(m', 2) int64 edges on n nodes in random order and orientation, no self-loops.

    Without ``duplicates`` the m edges join distinct node pairs (m is capped at n(n-1)/2); with
    ``duplicates`` up to 20 extra copies of existing pairs (either orientation) are mixed in.
    """
    m = min(m, n * (n - 1) // 2)
    if m == 0:
        return np.zeros((0, 2), dtype=np.int64)
    iu, iv = np.triu_indices(n, k=1)
    pick = rng.choice(iu.size, size=m, replace=False)
    e = np.stack([iu[pick], iv[pick]], axis=1).astype(np.int64)
    flip = rng.random(m) < 0.5
    e[flip] = e[flip][:, ::-1]
    if duplicates:
        k = int(rng.integers(1, min(20, m) + 1))
        extra = e[rng.integers(0, m, size=k)]
        flip = rng.random(k) < 0.5
        extra[flip] = extra[flip][:, ::-1]
        e = np.concatenate([e, extra])
        e = e[rng.permutation(len(e))]
    return e


def random_problem(rng, *, linkage, constraints="none", lifted=False, sizes="unit",
                   n_clusters=False, duplicates=False, ties=False, n_max=30, m_max=80):
    """A random problem as ``(n_nodes, edges, weights, kwargs)`` for ``gasp`` and the oracle.

    Weights are uniform in (-1, 1) (exact ties have probability zero), or drawn from
    ``TIE_WEIGHTS`` when ``ties`` is set.  ``kwargs`` always holds every option explicitly
    (``linkage_param`` too), so that the oracle and the engine see the same problem.  With
    ``n_clusters`` a random cluster target is set, as ``n_clusters`` (exactly k) or
    ``min_clusters`` (stop at k) with equal probability.
    """
    n = int(rng.integers(1, n_max + 1))
    e = random_edges(rng, n, int(rng.integers(0, m_max + 1)), duplicates=duplicates)
    m = len(e)
    if ties:
        w = rng.choice(TIE_WEIGHTS, size=m)
    else:
        w = rng.uniform(-1.0, 1.0, size=m)
    target = int(rng.integers(1, n + 1)) if n_clusters else None
    exact = bool(rng.random() < 0.5) if n_clusters else False
    cannot_link, at_end = CONSTRAINT_MODES[constraints]
    random_edge_sizes, r = SIZE_MODES[sizes]
    if ties:  # sizes from a small set too, so that equal priorities stay frequent
        es = rng.choice([1.0, 2.0], size=m) if random_edge_sizes else None
        ns = rng.choice([1.0, 2.0], size=n)
    else:
        es = rng.uniform(0.5, 3.0, size=m) if random_edge_sizes else None
        ns = rng.uniform(0.5, 3.0, size=n)
    kwargs = dict(
        linkage=linkage,
        cannot_link=cannot_link,
        merge_constrained_at_end=at_end,
        lifted=(rng.random(m) < 0.3) if lifted else None,
        edge_sizes=es,
        node_sizes=ns,
        size_regularizer=r,
        n_clusters=target if exact else None,
        min_clusters=None if exact else target,
        linkage_param=(float(rng.choice(LINKAGE_PARAMS[linkage]))
                       if linkage in LINKAGE_PARAMS else None),
    )
    return n, e, w, kwargs


__all__ = [
    "CONSTRAINT_MODES",
    "LINKAGES",
    "LINKAGE_PARAMS",
    "SIZE_MODES",
    "TIE_WEIGHTS",
    "random_edges",
    "random_problem",
]
