"""Scaling of gasp_graph with the number of edges (random graphs, average linkage).

Usage::

    python benchmarks/scaling.py [--edges 1e5,1e6,1e7] [--huge] [--linkage average]
                                 [--repeat 1] [--out FILE]

Each size is a ``random`` graph (n = m / 5 nodes, m distinct edges, w ~ U(-1, 1), fixed seed)
run in a fresh process (``benchmarks/worker.py``), with the numpy sort floor (argsort of |w|)
on the same weights for reference.  ``--huge`` adds m = 10^8 (n = 2 x 10^7; about 2.4 GB of
input arrays on disk and in memory; not for CI).  The table reports the time per edge, its
ratio to log2(m) (flat = the O(m log m) target), the peak RSS and the bytes per edge above the
input arrays.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generators  # noqa: E402
from run import RESULTS, machine, run_tasks, versions  # noqa: E402


def graph_file(m, cache_dir):
    n = max(2, int(m) // 5)
    path = os.path.join(cache_dir, f"random_n{n}_v1.npz")
    if not os.path.exists(path):
        t0 = time.perf_counter()
        data = generators.random_graph(n)
        tmp = path + ".tmp.npz"
        np.savez(tmp, **data)
        os.replace(tmp, path)
        del data
        print(f"  generated random n={n:,} in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edges", default="1e5,1e6,1e7", help="comma-separated edge counts")
    ap.add_argument("--huge", action="store_true", help="also m = 1e8 (n = 2e7)")
    ap.add_argument("--linkage", default="average")
    ap.add_argument("--cannot-link", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="timed calls per size (best reported)")
    ap.add_argument("--out", default=os.path.join(RESULTS, "scaling.md"))
    ap.add_argument("--cache-dir", default=os.path.join(RESULTS, "cache"))
    ap.add_argument("--timeout", type=float, default=4 * 3600.0)
    ap.add_argument("--report", metavar="JSON", help="only re-render an earlier run's JSON")
    args = ap.parse_args(argv)
    if args.report:
        with open(args.report) as fh:
            saved = json.load(fh)
        write(saved["meta"], saved["rows"], os.path.splitext(args.report)[0] + ".md")
        return 0
    sizes = [int(float(x)) for x in args.edges.split(",") if x.strip()]
    if args.huge and 10**8 not in sizes:
        sizes.append(10**8)
    os.makedirs(args.cache_dir, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="scaling-", dir=RESULTS)
    rows = []
    for m in sizes:
        path = graph_file(m, args.cache_dir)
        base = dict(linkage=args.linkage, cannot_link=args.cannot_link, lifted=False)
        (g, _), = run_tasks([dict(base, impl="gasp_graph")], path, args.repeat, workdir,
                            args.timeout)
        (s, _), = run_tasks([dict(base, impl="sort floor")], path, args.repeat, workdir,
                            args.timeout)
        row = {"m": m, "gasp": g, "sort": s}
        rows.append(row)
        print(f"m={m:.0e}: gasp_graph {g.get('time_s', g.get('status'))} s, "
              f"sort floor {s.get('time_s', s.get('status'))} s", flush=True)
    for f in os.listdir(workdir):
        os.remove(os.path.join(workdir, f))
    os.rmdir(workdir)

    meta = {"config": args.linkage + ("+cl" if args.cannot_link else ""),
            "date": datetime.datetime.now().isoformat(timespec="minutes"),
            "machine": machine(), "repeat": args.repeat, "versions": versions(),
            "command": "python benchmarks/scaling.py " + " ".join(
                argv if argv is not None else sys.argv[1:])}
    write(meta, rows, args.out)
    return 0 if all(r["gasp"].get("status") == "ok" for r in rows) else 1


def render(meta, rows):
    """The markdown report.  Per-edge times use the CPU time of the worker (steadier than the
    wall-clock time on a shared machine); the wall-clock time is shown too."""
    lines = [f"# gasp_graph scaling: random graphs, {meta['config']}", "",
             f"- date: {meta['date']}; machine: {meta['machine']}",
             f"- command: `{meta['command']}`",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
             f"- best of {meta['repeat']} call(s), fresh process per size; n = m / 5; times per "
             "edge from the CPU time of the worker; ns/edge / log2(m) stays flat for "
             "O(m log m)", "",
             "| edges m | nodes n | wall (s) | CPU (s) | ns/edge | ns/edge/log2(m) "
             "| sort floor CPU (s) | x sort floor | clusters | peak RSS (MiB) "
             "| B/edge above input |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        g, s, m = row["gasp"], row["sort"], row["m"]
        if g.get("status") != "ok":
            lines.append(f"| {m:,} | {m // 5:,} | {g.get('status')}: {g.get('message', '')} "
                         "| | | | | | | | |")
            continue
        ns = g["cpu_s"] / m * 1e9
        st = s["cpu_s"] if s.get("status") == "ok" else None
        sort_s = "—" if st is None else f"{st:.3g}"
        xsort = "—" if st is None or st <= 0 else f"{g['cpu_s'] / st:.1f}"
        lines.append(
            f"| {m:,} | {m // 5:,} | {g['time_s']:.3g} | {g['cpu_s']:.3g} | {ns:.0f} "
            f"| {ns / math.log2(m):.1f} | {sort_s} | {xsort} | {g['n_clusters']:,} "
            f"| {g['peak_rss_mib']:.0f} | {g.get('bytes_per_edge', float('nan')):.0f} |")
    return "\n".join(lines) + "\n"


def write(meta, rows, out):
    text = render(meta, rows)
    with open(out, "w") as fh:
        fh.write(text)
    with open(os.path.splitext(out)[0] + ".json", "w") as fh:
        json.dump({"meta": meta, "rows": rows}, fh, indent=1)
    print()
    print(text)
    print(f"written {out}")


if __name__ == "__main__":
    sys.exit(main())
