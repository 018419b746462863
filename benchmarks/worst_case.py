"""Worst-case graph shapes: how the CPU time of gasp() grows with the number of edges.

Usage::

    python benchmarks/worst_case.py [--shapes star,hub_ring,...] [--regularizer 0,1]
                                    [--budget 5] [--max-edges 1e6] [--completion] [--out FILE]

Shapes (fixed seeds; ``m`` is the number of edges):

* ``star``: hub 0, leaves 1..m, weights U(0.01, 1);
* ``star_equal``: the same star with every weight 1 (all priorities tie);
* ``hub_ring``: a star plus a ring through the leaves (m/2 spokes, m/2 ring edges), U(0.01, 1);
* ``complete``: the complete graph on k nodes (m = k(k-1)/2), weights U(-1, 1);
* ``path``: 0-1-2-...-m, weights U(0.01, 1);
* ``grid``: a square 4-neighbour grid, every weight 1 (all priorities tie);
* ``powerlaw``: a Chung-Lu graph (expected degrees ~ rank^-1/2, about m edges), weights U(-1, 1).

Each shape runs at growing sizes (10^3, 3x10^3, 10^4, ...) with and without the size regulariser,
until a run takes more than ``--budget`` CPU seconds or ``--max-edges`` is reached.  The figure is
the CPU time of this process (``time.process_time()``, all threads; the machine's load does not
change it much, unlike wall-clock time) of one ``gasp(edges, weights, size_regularizer=r)`` call
(average linkage), best of ``--repeat``.  The growth exponent is the slope of a least-squares fit
of log(time) against log(m) over the sizes whose run took at least 10 ms (1 = linear; m log m
reads as about 1.1 over this range; 2 = quadratic).  ``--completion`` also runs
``agglomerate(...)`` (the merge tree, with the completion pass).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SEED = 20240615
SHAPES = ("star", "star_equal", "hub_ring", "complete", "path", "grid", "powerlaw")


def star(m, rng):
    leaves = np.arange(1, m + 1, dtype=np.int64)
    edges = np.stack([np.zeros(m, dtype=np.int64), leaves], axis=1)
    return edges, rng.uniform(0.01, 1.0, m)


def star_equal(m, rng):
    edges, _ = star(m, rng)
    return edges, np.ones(m)


def hub_ring(m, rng):
    k = max(m // 2, 3)
    leaves = np.arange(1, k + 1, dtype=np.int64)
    spokes = np.stack([np.zeros(k, dtype=np.int64), leaves], axis=1)
    ring = np.stack([leaves, np.roll(leaves, -1)], axis=1)
    edges = np.concatenate([spokes, ring])
    return edges, rng.uniform(0.01, 1.0, edges.shape[0])


def complete(m, rng):
    k = max(int(round((1 + math.sqrt(1 + 8 * m)) / 2)), 2)
    iu = np.triu_indices(k, 1)
    edges = np.stack(iu, axis=1).astype(np.int64)
    return edges, rng.uniform(-1.0, 1.0, edges.shape[0])


def path(m, rng):
    a = np.arange(m, dtype=np.int64)
    return np.stack([a, a + 1], axis=1), rng.uniform(0.01, 1.0, m)


def grid(m, rng):
    side = max(int(round(math.sqrt(m / 2))), 2)
    idx = np.arange(side * side, dtype=np.int64).reshape(side, side)
    right = np.stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()], axis=1)
    down = np.stack([idx[:-1, :].ravel(), idx[1:, :].ravel()], axis=1)
    edges = np.concatenate([right, down])
    return edges, np.ones(edges.shape[0])


def powerlaw(m, rng):
    """Chung-Lu: nodes i = 0..n-1 with expected degree ~ (i + 1)^-1/2; m distinct edges."""
    n = max(m // 4, 4)
    p = (np.arange(n) + 1.0) ** -0.5
    p /= p.sum()
    u = rng.choice(n, size=2 * m, p=p)
    v = rng.choice(n, size=2 * m, p=p)
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    codes = np.unique(a[keep].astype(np.int64) * n + b[keep])[:m]
    rng.shuffle(codes)
    edges = np.stack([codes // n, codes % n], axis=1)
    return edges, rng.uniform(-1.0, 1.0, edges.shape[0])


GENERATORS = {"star": star, "star_equal": star_equal, "hub_ring": hub_ring, "complete": complete, "path": path,
              "grid": grid, "powerlaw": powerlaw}


def make(shape, m):
    rng = np.random.default_rng([SEED, SHAPES.index(shape), int(m)])
    return GENERATORS[shape](int(m), rng)


def cpu_time(fn, repeat):
    best = math.inf
    out = None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def exponent(points):
    """Least-squares slope of log(time) over log(m), from the runs of at least 10 ms."""
    pts = [(m, t) for m, t in points if t >= 0.01]
    if len(pts) < 2:
        return None
    x = np.log([m for m, _ in pts])
    y = np.log([t for _, t in pts])
    return float(np.polyfit(x, y, 1)[0])


def measure(shape, r, mode, sizes, budget, repeat):
    import gasp_graph

    rows = []
    for m in sizes:
        edges, weights = make(shape, m)
        if mode == "gasp":
            fn = lambda: gasp_graph.gasp(edges, weights, size_regularizer=r)  # noqa: E731
        else:
            fn = lambda: gasp_graph.agglomerate(edges, weights, size_regularizer=r)  # noqa: E731
        t, _ = cpu_time(fn, repeat)
        rows.append((int(edges.shape[0]), t))
        print(f"  {shape:9s} r={r:<4g} {mode:11s} m={edges.shape[0]:>9,}  {t:9.4f} s CPU",
              flush=True)
        if t > budget:
            break
    return rows


def render(results, title):
    lines = [f"## {title}", "",
             "| shape | mode | r | sizes (edges) | CPU s at the largest | exponent |",
             "|---|---|---|---|---|---|"]
    for res in results:
        pts = res["points"]
        exp = res["exponent"]
        lines.append(f"| {res['shape']} | {res['mode']} | {res['r']:g} | "
                     f"{pts[0][0]:,} .. {pts[-1][0]:,} | {pts[-1][1]:.3g} | "
                     f"{'-' if exp is None else f'{exp:.2f}'} |")
    return "\n".join(lines) + "\n"


def report(text, data, out=None):
    """Print a markdown report; with ``out``, also write it there and the data to out.json."""
    print(text)
    if out:
        with open(out, "w") as fh:
            fh.write(text)
        with open(out + ".json", "w") as fh:
            json.dump(data, fh, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--regularizer", default="0,1", help="comma-separated size_regularizer values")
    ap.add_argument("--budget", type=float, default=5.0,
                    help="stop growing a shape after a run of this many CPU seconds")
    ap.add_argument("--min-edges", type=float, default=1e3)
    ap.add_argument("--max-edges", type=float, default=1e6)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--completion", action="store_true", help="also agglomerate()")
    ap.add_argument("--title", default="Worst-case shapes")
    ap.add_argument("--out", help="write the markdown table here (and FILE.json)")
    args = ap.parse_args(argv)
    sizes = []
    m = args.min_edges
    while m <= args.max_edges * 1.0001:
        sizes.append(int(round(m)))
        m *= math.sqrt(10)
    modes = ["gasp"] + (["agglomerate"] if args.completion else [])
    results = []
    for shape in args.shapes.split(","):
        for r in (float(x) for x in args.regularizer.split(",")):
            for mode in modes:
                pts = measure(shape, r, mode, sizes, args.budget, args.repeat)
                results.append(dict(shape=shape, r=r, mode=mode, points=pts,
                                    exponent=exponent(pts)))
    report(render(results, args.title), results, args.out)


if __name__ == "__main__":
    main()
