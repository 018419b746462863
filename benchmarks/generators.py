"""Deterministic benchmark graphs (numpy only, vectorised, fixed seeds).

Every generator returns a dict of numpy arrays with at least

``n_nodes``  (0-d int64) number of nodes,
``edges``    (m, 2) int64, ``u < v``, distinct pairs, sorted lexicographically,
``weights``  (m,) float64 signed weights (``w > 0`` attracts),

and, where the graph has them, ``lifted`` (m,) bool (long-range edges), ``truth`` (n,) int64
(the planted partition) and, for ``grid3d``, ``shape``, ``offsets``, ``channel`` (m,) uint8 (the
offset index of each edge; edge k joins voxel ``edges[k, 1]`` and voxel
``edges[k, 1] + offset``, i.e. ``edges[k, 0]``).

Edges are sorted lexicographically so that every implementation sees the same edge ids in the
same order (bioimage-cpp's ``UndirectedGraph.from_unique_edges`` needs that order).
"""
from __future__ import annotations

import numpy as np

#: The 12 offsets of the CREMI experiments of the mutex watershed and GASP papers (z, y, x);
#: the first 3 are the direct (local) neighbours.
CREMI_OFFSETS = (
    (-1, 0, 0), (0, -1, 0), (0, 0, -1),
    (-2, 0, 0), (0, -3, 0), (0, 0, -3),
    (-3, 0, 0), (0, -9, 0), (0, 0, -9),
    (-4, 0, 0), (0, -27, 0), (0, 0, -27),
)

#: Parameters per size.  ``random``: n nodes and 5n edges.  ``ssbm``: n nodes, k blocks,
#: average degree (p = degree / (n - 1)), sign-flip probability eta.  ``grid3d``: volume shape.
SIZES = {
    "small": {
        "random": {"n": 20_000},
        "grid3d": {"shape": (8, 64, 64)},
        "ssbm": {"n": 5_000, "k": 5, "degree": 40.0, "eta": 0.1},
    },
    "medium": {
        "random": {"n": 200_000},
        "grid3d": {"shape": (16, 128, 128)},
        "ssbm": {"n": 50_000, "k": 5, "degree": 40.0, "eta": 0.1},
    },
    "large": {
        "random": {"n": 1_000_000},
        "grid3d": {"shape": (32, 256, 256)},
        "ssbm": {"n": 250_000, "k": 5, "degree": 40.0, "eta": 0.1},
    },
}

SEEDS = {"random": 20240601, "grid3d": 20240602, "ssbm": 20240603}

GRAPHS = tuple(SEEDS)


def _sorted_unique(a):
    """``np.unique`` by sorting (numpy >= 2.3 hashes first, which is slower here)."""
    a = np.sort(a)
    if a.size:
        a = a[np.concatenate([[True], a[1:] != a[:-1]])]
    return a


def distinct_pairs(n, m, rng):
    """``m`` distinct node pairs ``u < v`` drawn uniformly from ``n`` nodes, sorted.

    Returns an (m, 2) int64 array sorted lexicographically.
    """
    n = int(n)
    m = int(m)
    if m > n * (n - 1) // 2:
        raise ValueError(f"m={m} exceeds the {n * (n - 1) // 2} pairs of {n} nodes")
    codes = np.empty(0, dtype=np.int64)
    while codes.size < m:
        # expected loss to u == v and to repeated pairs, plus a margin
        missing = m - codes.size
        k = int(missing * (1.0 + 1.0 / n + 2.0 * m / (n * (n - 1.0))) * 1.01) + 64
        u = rng.integers(0, n, size=k, dtype=np.int64)
        v = rng.integers(0, n, size=k, dtype=np.int64)
        keep = u != v
        u, v = u[keep], v[keep]
        new = np.minimum(u, v) * n + np.maximum(u, v)
        codes = _sorted_unique(np.concatenate([codes, new]))
    if codes.size > m:  # drop a uniform random subset of the surplus
        drop = rng.choice(codes.size, size=codes.size - m, replace=False)
        codes = np.delete(codes, drop)
    edges = np.empty((m, 2), dtype=np.int64)
    np.floor_divide(codes, n, out=edges[:, 0])
    np.remainder(codes, n, out=edges[:, 1])
    return edges


def random_graph(n, *, seed=SEEDS["random"]):
    """``n`` nodes, ``5 n`` distinct random edges, weights uniform in (-1, 1)."""
    rng = np.random.default_rng(seed)
    edges = distinct_pairs(n, 5 * n, rng)
    weights = rng.uniform(-1.0, 1.0, size=edges.shape[0])
    return {"n_nodes": np.int64(n), "edges": edges, "weights": weights}


def ssbm_graph(n, k, degree, eta, *, seed=SEEDS["ssbm"]):
    """Signed stochastic block model.

    ``n`` nodes in ``k`` blocks of (almost) equal size, each pair an edge with probability
    ``p = degree / (n - 1)`` (drawn as ``round(p n (n-1) / 2)`` distinct uniform pairs), sign
    ``+`` inside a block and ``-`` across blocks, flipped with probability ``eta``; magnitudes
    ``|N(0, 1)|``.
    """
    rng = np.random.default_rng(seed)
    truth = rng.permutation(np.arange(n, dtype=np.int64) % k)
    m = int(round(degree * n / 2))
    edges = distinct_pairs(n, m, rng)
    sign = np.where(truth[edges[:, 0]] == truth[edges[:, 1]], 1.0, -1.0)
    sign[rng.random(m) < eta] *= -1.0
    weights = sign * np.abs(rng.standard_normal(m))
    return {"n_nodes": np.int64(n), "edges": edges, "weights": weights, "truth": truth}


def voronoi_volume(shape, rng, *, cell=(4, 16, 16), anisotropy=4.0):
    """Planted segmentation: anisotropic Voronoi cells of one jittered seed per ``cell`` block.

    Distances are measured with the z axis scaled by ``anisotropy`` (thick sections, as in EM
    data), and each voxel takes the label of the nearest seed among the 27 blocks around its
    own, which makes the labelling a (near-exact) Voronoi diagram computed in O(27 V).
    """
    shape = tuple(int(s) for s in shape)
    cell = np.array(cell, dtype=np.int64)
    nb = -(-np.array(shape) // cell)  # blocks per axis
    n_blocks = int(np.prod(nb))
    seeds = (np.stack(np.unravel_index(np.arange(n_blocks), nb), axis=1) * cell
             + rng.random((n_blocks, 3)) * cell)
    scale = np.array([anisotropy, 1.0, 1.0])
    zz, yy, xx = np.meshgrid(*(np.arange(s) for s in shape), indexing="ij")
    pos = np.stack([zz.ravel(), yy.ravel(), xx.ravel()], axis=1).astype(np.float64)
    blk = pos.astype(np.int64) // cell
    best = np.full(pos.shape[0], np.inf)
    label = np.zeros(pos.shape[0], dtype=np.int64)
    for dz in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                nbk = blk + np.array([dz, dy, dx])
                ok = np.all((nbk >= 0) & (nbk < nb), axis=1)
                sid = np.ravel_multi_index(tuple(np.clip(nbk, 0, nb - 1).T), nb)
                d = (((pos - seeds[sid]) * scale) ** 2).sum(axis=1)
                d[~ok] = np.inf
                better = d < best
                best[better] = d[better]
                label[better] = sid[better]
    return label.reshape(shape)


def grid3d_graph(shape, *, seed=SEEDS["grid3d"], p_long=0.1, contrast=2.5, noise=1.5):
    """3-D grid graph with a planted segmentation and the 12 CREMI offsets.

    The planted segmentation is :func:`voronoi_volume`.  An edge between voxels in the same
    cell gets the affinity ``sigmoid(contrast + noise * N(0, 1))``, across cells
    ``sigmoid(-contrast + noise * N(0, 1))``; its signed weight is ``affinity - 0.5``.  The 3
    direct offsets give local edges; every long-range edge is kept with probability ``p_long``
    and marked lifted.
    """
    rng = np.random.default_rng(seed)
    truth = voronoi_volume(shape, rng)
    Z, Y, X = truth.shape
    ids = np.arange(Z * Y * X, dtype=np.int64).reshape(truth.shape)
    flat_truth = truth.ravel()
    us, vs, chans = [], [], []
    for c, (oz, oy, ox) in enumerate(CREMI_OFFSETS):
        v = ids[-oz:, -oy:, -ox:].ravel()  # voxels p with p + offset inside the volume
        u = ids[: Z + oz, : Y + oy, : X + ox].ravel()  # p + offset
        if c >= 3:
            keep = rng.random(v.size) < p_long
            u, v = u[keep], v[keep]
        us.append(u)
        vs.append(v)
        chans.append(np.full(u.size, c, dtype=np.uint8))
    u = np.concatenate(us)
    v = np.concatenate(vs)
    channel = np.concatenate(chans)
    order = np.lexsort((v, u))
    edges = np.stack([u[order], v[order]], axis=1)
    channel = channel[order]
    same = flat_truth[edges[:, 0]] == flat_truth[edges[:, 1]]
    logit = np.where(same, contrast, -contrast) + noise * rng.standard_normal(edges.shape[0])
    weights = 1.0 / (1.0 + np.exp(-logit)) - 0.5
    truth_labels = np.searchsorted(_sorted_unique(flat_truth), flat_truth)
    return {
        "n_nodes": np.int64(Z * Y * X),
        "edges": edges,
        "weights": weights,
        "lifted": channel >= 3,
        "truth": truth_labels.astype(np.int64),
        "shape": np.array(truth.shape, dtype=np.int64),
        "offsets": np.array(CREMI_OFFSETS, dtype=np.int64),
        "channel": channel,
    }


def make(graph, size):
    """The benchmark graph ``graph`` ("random", "grid3d", "ssbm") at ``size``."""
    params = SIZES[size][graph]
    if graph == "random":
        return random_graph(params["n"])
    if graph == "grid3d":
        return grid3d_graph(params["shape"])
    if graph == "ssbm":
        return ssbm_graph(params["n"], params["k"], params["degree"], params["eta"])
    raise ValueError(f"graph={graph!r} is not one of {GRAPHS}")


def describe(graph, size):
    """A one-line description of the generator parameters (for the report)."""
    params = SIZES[size][graph]
    if graph == "random":
        return f"n={params['n']:,}, 5n edges, w ~ U(-1, 1)"
    if graph == "grid3d":
        z, y, x = params["shape"]
        return (f"{z}x{y}x{x} voxels, 12 CREMI offsets, 3 local, long-range kept with p=0.1 "
                "(lifted in the lifted rows), w = affinity - 0.5")
    return (f"n={params['n']:,}, k={params['k']} blocks, average degree {params['degree']:g}, "
            f"eta={params['eta']}, |w| ~ |N(0, 1)|")
