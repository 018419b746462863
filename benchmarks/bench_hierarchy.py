"""Overhead of recording the merge tree, relative to plain gasp().

The graph: n nodes, m edges with uniform random endpoints (self-loops dropped), weights uniform
in (-1, 1), fixed seed; average linkage.

Time: one process runs the variants in interleaved rounds (A B C ... A B C ...) and keeps the
best CPU time (time.process_time) of each, which is robust to other processes sharing the
machine.  Peak memory: each variant runs once in a fresh subprocess, which reports the growth of
its peak resident set (VmHWM, reset through /proc/self/clear_refs once the input is built; Linux).

    python benchmarks/bench_hierarchy.py                # n=200000, m=1000000, 3 rounds
    python benchmarks/bench_hierarchy.py --n 20000 --m 100000 --rounds 5
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from gasp_graph import _core, agglomerate, gasp
from gasp_graph._validation import prepare


def _everything(e, w, n):
    tree = agglomerate(e, w, n_nodes=n)
    tree.labels(0.1)
    tree.edge_heights()
    tree.to_linkage()


VARIANTS = {
    "gasp": lambda e, w, n: gasp(e, w, n_nodes=n),
    "engine with record_merges=True": lambda e, w, n: _core.run(
        prepare(e, w, n_nodes=n), record_merges=True
    ),
    "agglomerate(run_to_completion=False)": lambda e, w, n: agglomerate(
        e, w, n_nodes=n, run_to_completion=False
    ),
    "agglomerate()": lambda e, w, n: agglomerate(e, w, n_nodes=n),
    "agglomerate() + labels(0.1) + edge_heights() + to_linkage()": _everything,
}

MEMORY_CHILD = r"""
import json, sys
from bench_hierarchy import VARIANTS, make_graph
n, m, seed = (int(x) for x in sys.argv[1:4])
e, w = make_graph(n, m, seed)

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS:")
VARIANTS[sys.argv[4]](e, w, n)
print(json.dumps({"peak_bytes": status("VmHWM:") - base}))
"""


def make_graph(n, m, seed):
    rng = np.random.default_rng(seed)
    e = rng.integers(0, n, size=(m, 2))
    e = e[e[:, 0] != e[:, 1]]
    return e, rng.uniform(-1, 1, e.shape[0])


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--m", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    e, w = make_graph(args.n, args.m, args.seed)
    best = dict.fromkeys(VARIANTS, float("inf"))
    for _ in range(args.rounds):
        for name, run in VARIANTS.items():
            t = time.process_time()
            run(e, w, args.n)
            best[name] = min(best[name], time.process_time() - t)

    peak = {}
    here = os.path.dirname(os.path.abspath(__file__))
    for name in VARIANTS:
        argv = [str(x) for x in (args.n, args.m, args.seed)]
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, *argv, name],
            check=True, capture_output=True, text=True, cwd=here,
        )
        peak[name] = json.loads(out.stdout)["peak_bytes"]

    print(f"n={args.n} m={e.shape[0]} (self-loops dropped) seed={args.seed}, average linkage, "
          f"best CPU time of {args.rounds} interleaved rounds")
    print(f"{'variant':62s} {'CPU s':>7s} {'x gasp':>7s} {'peak MB':>8s} {'x gasp':>7s}")
    t0, m0 = best["gasp"], peak["gasp"]
    for name in VARIANTS:
        print(f"{name:62s} {best[name]:7.2f} {best[name] / t0:7.2f} "
              f"{peak[name] / 2**20:8.1f} {peak[name] / m0:7.2f}")


if __name__ == "__main__":
    main()
