"""Dask report: agreement with the single-machine result, time and peak memory per worker.

For synthetic graphs (planted partitions and grid volumes) this runs
  - gasp_graph.gasp on one machine (the reference),
  - gasp_graph.dask.partition (exact decomposition by positive components),
  - gasp_graph.dask.partition_blockwise (8 blocks, fanin 2; grid: 8 chunks, others: 8 contiguous id ranges),
on distributed.LocalCluster with 1, 2 and 4 worker processes (one thread each), and prints a
Markdown table: adjusted Rand index (ARI) against the single-machine labels, the relative
difference of the objective (the multicut energy: the sum of the weights of the cut edges, lower
is better), wall time, and the largest peak RSS among the worker processes.

Usage:  python benchmarks/dask_report.py [--scale 1.0] [--workers 1 2 4] [--json out.json]
Fixed seeds; nothing is downloaded.  Needs gasp_graph[dask].
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np


def planted(seed, n, n_groups, degree, noise, *, shuffle=False, cross_positive=True):
    """Planted partition: +1 inside groups, -1 between, Gaussian noise.  Groups are contiguous id
    ranges unless ``shuffle``; without ``cross_positive`` the weights between groups stay
    negative, so the positive-edge components are the groups."""
    rng = np.random.default_rng(seed)
    truth = np.arange(n) * n_groups // n
    if shuffle:
        truth = truth[rng.permutation(n)]
    m = n * degree // 2
    u = rng.integers(0, n, m)
    order = np.argsort(truth, kind="stable")
    starts = np.searchsorted(truth[order], np.arange(n_groups))
    counts = np.bincount(truth, minlength=n_groups)
    inside = rng.random(m) < 0.5  # half of the edges stay inside a group
    v = rng.integers(0, n, m)
    g = truth[u[inside]]
    v[inside] = order[starts[g] + (rng.random(inside.sum()) * counts[g]).astype(np.int64)]
    keep = u != v
    u, v = u[keep], v[keep]
    same = truth[u] == truth[v]
    w = np.where(same, 1.0, -1.0) + rng.normal(0, noise, u.size)
    if not cross_positive:
        w[~same] = -np.abs(w[~same])
    return np.column_stack([u, v]), w, n


def grid_volume(seed, side, n_seeds, noise):
    """3-D grid, 6-neighbourhood; a Voronoi segmentation defines the true objects; affinities
    +1 inside an object, -1 across a boundary, plus noise."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    shape = (side, side, side)
    n = side**3
    pts = np.indices(shape).reshape(3, -1).T
    seg = cKDTree(rng.random((n_seeds, 3)) * side).query(pts)[1]
    ids = np.arange(n).reshape(shape)
    edges = []
    for ax in range(3):
        a = np.take(ids, np.arange(side - 1), axis=ax).ravel()
        b = np.take(ids, np.arange(1, side), axis=ax).ravel()
        edges.append(np.column_stack([a, b]))
    e = np.vstack(edges)
    w = np.where(seg[e[:, 0]] == seg[e[:, 1]], 1.0, -1.0) + rng.normal(0, noise, len(e))
    return e, w, n


def ari(a, b):
    from scipy.sparse import coo_matrix

    n = a.size
    c = coo_matrix((np.ones(n), (a, b))).tocsr()
    c.sum_duplicates()

    def comb(x):
        x = np.asarray(x, dtype=np.float64)
        return (x * (x - 1) / 2).sum()

    sij = comb(c.data)
    sa, sb = comb(np.asarray(c.sum(axis=1)).ravel()), comb(np.asarray(c.sum(axis=0)).ravel())
    expected = sa * sb / comb([n])
    top = (sa + sb) / 2
    return 1.0 if top == expected else (sij - expected) / (top - expected)


def energy(labels, e, w):
    cut = labels[e[:, 0]] != labels[e[:, 1]]
    return float(w[cut].sum())


def _reset_peak():
    """Reset this process's peak RSS (VmHWM) so that the next reading covers one run only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def worker_peak_mb(client):
    """Largest peak RSS among the workers since the last reset (Linux /proc)."""
    return max(client.run(_peak_mb).values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    import dask.dataframe as dd
    import distributed
    import pandas as pd

    from gasp_graph import gasp
    from gasp_graph.dask import grid_blocks, partition, partition_blockwise

    s = args.scale
    side = int(round(48 * s ** (1 / 3)))
    cases = {
        "planted, components": planted(0, int(200_000 * s), int(2_000 * s), 10, 0.8,
                                       cross_positive=False),
        "planted": planted(1, int(100_000 * s), int(1_000 * s), 10, 0.8),
        "planted, shuffled ids": planted(1, int(100_000 * s), int(1_000 * s), 10, 0.8,
                                         shuffle=True),
        "grid": grid_volume(2, side, max(8, int(300 * s)), 0.8),
    }
    rows = []
    for name, (e, w, n) in cases.items():
        t0 = time.perf_counter()
        ref = gasp(e, w, n_nodes=n)
        t_single = time.perf_counter() - t0
        table = pd.DataFrame({"u": e[:, 0], "v": e[:, 1], "weight": w})
        ddf = dd.from_pandas(table, npartitions=8, sort=False)
        if name.startswith("grid"):
            blocks = grid_blocks((side,) * 3, (-(-side // 2),) * 3)  # 8 chunks
        else:
            blocks = np.arange(n) // -(-n // 8)  # 8 contiguous id ranges
        rows.append(dict(graph=name, nodes=n, edges=len(e), method="gasp (1 process)",
                         workers=1, ari=1.0, energy_rel=0.0, seconds=t_single,
                         peak_mb=float("nan")))
        e_ref = energy(ref, e, w)
        for k in args.workers:
            with distributed.LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                                          dashboard_address=None, memory_limit="4GiB") as cl, \
                    distributed.Client(cl) as client:
                part = client.persist(ddf)
                distributed.wait(part)
                for method, fn in (
                    ("partition (exact)", lambda: partition(part, n_nodes=n, client=client)),
                    ("partition_blockwise (8 blocks)",
                     lambda: partition_blockwise(part, n_nodes=n, blocks=blocks, fanin=2,
                                                 client=client)),
                ):
                    client.run(_reset_peak)
                    t0 = time.perf_counter()
                    got = fn()
                    dt = time.perf_counter() - t0
                    rows.append(dict(
                        graph=name, nodes=n, edges=len(e), method=method, workers=k,
                        ari=ari(ref, got),
                        energy_rel=(energy(got, e, w) - e_ref) / abs(e_ref),
                        seconds=dt, peak_mb=worker_peak_mb(client),
                        exact=bool(np.array_equal(got, ref)),
                    ))
    print(f"cpu cores: {os.cpu_count()}; peak RSS is not measured for the single-process run")
    print("| graph | nodes | edges | method | workers | ARI | objective diff | time (s) "
          "| peak RSS / worker (MB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['graph']} | {r['nodes']:,} | {r['edges']:,} | {r['method']} | "
              f"{r['workers']} | {r['ari']:.4f} | {r['energy_rel']:+.2e} | {r['seconds']:.2f} | "
              f"{r['peak_mb']:.0f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
