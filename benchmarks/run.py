"""Benchmark gasp_graph against its peers on the same graphs, one fresh process per run.

Usage::

    python benchmarks/run.py [--size small|medium|large] [--out FILE] [--only PATTERN]
                             [--repeat 3] [--graphs random,grid3d,ssbm] [--smoke]

Every configuration (graph x linkage x cannot-link x lifted, and each peer that can express
it) runs in a fresh process (``benchmarks/worker.py``) that loads the cached graph and times
only the clustering call (best of ``--repeat``).  The result is a markdown table (ratios
gasp_graph / peer, measured in the same run) written to ``--out`` and printed, plus a JSON
file with the raw numbers next to it.  Peers are optional: a missing one is reported as
"missing".  Task ids look like ``random/average+cl/gasp_graph`` or
``grid3d/abs_max/mwatershed grid``; ``--only`` keeps the tasks matching any of its
comma-separated patterns (shell wildcards, or a plain substring).

The run exits with status 1 if a gasp_graph run crashed or gasp_graph disagreed with its own
semantics (self-checks: max = connected components of the positive edges, abs_max with and
without cannot-link = the same mutex-watershed partition, clusters connected through local
edges, and tiny graphs against the pure-Python oracle in tests/reference.py).  Peers that
crash or disagree are reported, never fatal.  No timing is asserted.
"""
from __future__ import annotations

import argparse
import datetime
import fnmatch
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generators  # noqa: E402
from metrics import adjusted_rand_index, canonical, same_partition  # noqa: E402

RESULTS = os.path.join(HERE, "results")
LINKAGES = ("sum", "average", "max", "min", "abs_max")

# peer -> (module that must be importable, sizes where it runs)
PEERS = {
    "bioimage-cpp GASP": ("bioimage_cpp", ("small", "medium", "large")),
    "bioimage-cpp MWS": ("bioimage_cpp", ("small", "medium", "large")),
    "mwatershed edges": ("mwatershed", ("small", "medium", "large")),
    "mwatershed grid": ("mwatershed", ("small", "medium", "large")),
    "gasp_graph grid": ("gasp_graph", ("small", "medium", "large")),
    "affogato edges": ("affogato", ("small", "medium", "large")),
    "affogato grid": ("affogato", ("small", "medium", "large")),
    "scipy CC": ("scipy", ("small", "medium", "large")),
    "sklearn single": ("sklearn", ("small", "medium")),
    "sklearn complete": ("sklearn", ("small", "medium")),
}


def config_name(linkage, cannot_link, lifted):
    return linkage + ("+cl" if cannot_link else "") + ("+lifted" if lifted else "")


def peers_for(graph, linkage, cannot_link, lifted):
    """The peers listed under a configuration: (peer, expressible?)."""
    out = []
    plain = not cannot_link and not lifted
    if graph == "grid3d":
        out.append(("gasp_graph grid", True))
    out.append(("bioimage-cpp GASP", plain))
    if linkage == "abs_max" and plain:
        out += [("bioimage-cpp MWS", True), ("mwatershed edges", True), ("affogato edges", True)]
        if graph == "grid3d":
            out += [("mwatershed grid", True), ("affogato grid", True)]
    if linkage == "max" and plain:
        out += [("scipy CC", True), ("sklearn single", True)]
    if linkage == "min" and plain:
        out.append(("sklearn complete", True))
    return out


def make_tasks(graphs, size, smoke):
    tasks = []
    smoked = set()
    for graph in graphs:
        tasks.append(dict(graph=graph, config="sort", impl="sort floor", linkage="sum",
                          cannot_link=False, lifted=False))
        for lifted in ((False, True) if graph == "grid3d" else (False,)):
            for linkage in LINKAGES:
                for cl in (False, True):
                    base = dict(graph=graph, config=config_name(linkage, cl, lifted),
                                linkage=linkage, cannot_link=cl, lifted=lifted)
                    tasks.append(dict(base, impl="gasp_graph"))
                    for peer, ok in peers_for(graph, linkage, cl, lifted):
                        if size not in PEERS[peer][1]:
                            continue
                        if smoke and (peer == "sklearn complete" or peer in smoked or not ok):
                            continue  # smoke: each peer once; sklearn complete takes minutes
                        smoked.add(peer)
                        tasks.append(dict(base, impl=peer, expressible=ok))
    for t in tasks:
        t["id"] = f"{t['graph']}/{t['config']}/{t['impl']}"
    return tasks


def select(tasks, only):
    if not only:
        return tasks
    pats = [p.strip() for p in only.split(",") if p.strip()]

    def keep(t):
        for p in pats:
            if any(ch in p for ch in "*?[") and fnmatch.fnmatchcase(t["id"], p):
                return True
            if not any(ch in p for ch in "*?[") and p in t["id"]:
                return True
        return False

    kept = [t for t in tasks if keep(t)]
    graphs = {t["graph"] for t in kept}  # the sort floor of every graph still in play
    return [t for t in tasks if t in kept or (t["impl"] == "sort floor" and t["graph"] in graphs)]


def graph_file(graph, size, cache_dir):
    path = os.path.join(cache_dir, f"{graph}_{size}_v1.npz")
    if not os.path.exists(path):
        t0 = time.perf_counter()
        data = generators.make(graph, size)
        tmp = path + ".tmp.npz"
        np.savez(tmp, **data)  # uncompressed: loading makes no large temporaries
        os.replace(tmp, path)
        print(f"  generated {graph} ({size}): {int(data['weights'].size):,} edges in "
              f"{time.perf_counter() - t0:.1f} s -> {path}", flush=True)
    return path


def run_tasks(tasks, path, repeat, workdir, timeout):
    """Run ``tasks`` (same graph) in ONE fresh worker process; list of (result, labels file)."""
    result_out = os.path.join(workdir, "result.json")
    if os.path.exists(result_out):
        os.remove(result_out)
    cfgs = []
    for task in tasks:
        labels_out = os.path.join(workdir, f"{len(os.listdir(workdir))}-{len(cfgs)}.npy")
        cfgs.append(dict(graph_file=path, impl=task["impl"], linkage=task["linkage"],
                         cannot_link=task["cannot_link"], lifted=task["lifted"], repeat=repeat,
                         labels_out=labels_out if task["impl"] != "sort floor" else None,
                         result_out=result_out))
    cmd = [sys.executable, os.path.join(HERE, "worker.py"),
           json.dumps(cfgs if len(cfgs) > 1 else cfgs[0])]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [({"status": "timeout", "message": f"> {timeout:g} s"}, None) for _ in tasks]
    wall = time.perf_counter() - t0
    if os.path.exists(result_out):
        with open(result_out) as fh:
            res = json.load(fh)
        res = res if isinstance(res, list) else [res]
    else:
        res = [{"status": "error", "message": f"worker died (exit {proc.returncode}): "
                                              f"{proc.stderr.strip()[-500:]}"} for _ in tasks]
    out = []
    for r, c in zip(res, cfgs):
        r["wall_s"] = wall / len(cfgs)
        ok = r.get("status") == "ok" and c["labels_out"] and os.path.exists(c["labels_out"])
        out.append((r, c["labels_out"] if ok else None))
    return out


# ---------------------------------------------------------------------------- self-checks

def components(n, edges):
    """Connected-component labels of an undirected graph (scipy if present, else numpy)."""
    if importlib.util.find_spec("scipy") is not None:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        a = coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])),
                       shape=(n, n)).tocsr()
        return connected_components(a, directed=False)[1]
    parent = np.arange(n)
    while True:  # hook and shortcut
        pu, pv = parent[edges[:, 0]], parent[edges[:, 1]]
        before = parent.copy()
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        if np.array_equal(parent, before):
            return parent


def oracle_checks():
    """gasp_graph against tests/reference.py on tiny random graphs; list of failures."""
    ref_dir = os.path.join(ROOT, "tests")
    if not os.path.exists(os.path.join(ref_dir, "reference.py")):
        return None
    sys.path.insert(0, ref_dir)
    try:
        from reference import gasp_reference
    finally:
        sys.path.remove(ref_dir)
    from gasp_graph import gasp

    failures = []
    rng = np.random.default_rng(7)
    for trial in range(6):
        n = 40
        edges = generators.distinct_pairs(n, 120, rng)
        weights = rng.uniform(-1, 1, len(edges))
        lifted = rng.random(len(edges)) < 0.3
        for linkage in LINKAGES:
            for cl in (False, True):
                for lf in (None, lifted):
                    kw = dict(linkage=linkage, cannot_link=cl, lifted=lf)
                    got = gasp(edges, weights, n_nodes=n, **kw)
                    want = gasp_reference(n, edges, weights, **kw)
                    if not np.array_equal(got, want):
                        failures.append(f"trial {trial} {config_name(linkage, cl, lf is not None)}")
    return failures


def self_checks(size, graphs, results, cache_dir):
    """Semantic checks on gasp_graph's own partitions; list of (name, ok, detail)."""
    checks = []
    for graph in graphs:
        got = {r["config"]: r for r in results if r["graph"] == graph and r["impl"] == "gasp_graph"
               and r.get("labels")}
        if not got:
            continue
        with np.load(graph_file(graph, size, cache_dir)) as d:
            e, w, n = d["edges"], d["weights"], int(d["n_nodes"])
            lifted = d["lifted"] if "lifted" in d.files else None
        if "max" in got:
            cc = components(n, e[w > 0])
            ok = same_partition(np.load(got["max"]["labels"]), cc)
            checks.append((f"{graph}: max = connected components of the positive edges", ok, ""))
        if "abs_max" in got and "abs_max+cl" in got:
            ok = same_partition(np.load(got["abs_max"]["labels"]),
                                np.load(got["abs_max+cl"]["labels"]))
            checks.append((f"{graph}: abs_max with and without cannot-link agree (MWS)", ok, ""))
        if lifted is not None:
            local = e[~lifted]
            for cfg, r in got.items():
                if "+lifted" not in cfg:
                    continue
                lab = np.load(r["labels"])
                inside = local[lab[local[:, 0]] == lab[local[:, 1]]]
                k = int(canonical(components(n, inside)).max()) + 1
                checks.append((f"{graph}: {cfg} clusters connected through local edges",
                               k == int(lab.max()) + 1, f"{k} pieces, {int(lab.max()) + 1} clusters"))
    failures = oracle_checks()
    if failures is None:
        checks.append(("oracle (tests/reference.py) on tiny graphs", True, "skipped: not found"))
    else:
        checks.append(("oracle (tests/reference.py) on tiny graphs: 6 graphs x 20 configs",
                       not failures, "; ".join(failures[:5])))
    return checks


# ---------------------------------------------------------------------------- report

def _fmt_time(r, key="time_s"):
    if r["status"] == "ok":
        t = r.get(key)
        if t is None:
            return "—"
        return f"{t:.3g}" if t < 100 else f"{t:.0f}"
    return {"n/a": "n/a", "missing": "missing", "timeout": r.get("message", "timeout")}.get(
        r["status"], "error")


def _fmt(x, spec, none="—"):
    return none if x is None else format(x, spec)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def versions():
    out = {}
    for name, mod in [("gasp_graph", "gasp_graph"), ("numpy", "numpy"), ("bioimage-cpp", "bioimage_cpp"),
                      ("mwatershed", "mwatershed"), ("affogato", "affogato"), ("scipy", "scipy"),
                      ("scikit-learn", "sklearn")]:
        try:
            from importlib.metadata import version
            out[name] = version(name)
        except Exception:
            if importlib.util.find_spec(mod) is None:
                out[name] = "missing"
            else:  # importable without package metadata (a build from source)
                out[name] = getattr(__import__(mod), "__version__", "?")
    return out


HEADER = ("config", "implementation", "time (s)", "CPU (s)", "gasp_graph / it", "x sort floor",
          "agreement", "clusters", "peak RSS (MiB)", "B/edge", "ARI vs planted")


def table_rows(rows, key):
    """Cells of one graph's table (``key``: "cpu_s" or "time_s", the time of the ratios)."""
    sort = next((r for r in rows if r["impl"] == "sort floor" and r["status"] == "ok"), None)
    gasp_rows = {r["config"]: r for r in rows if r["impl"] == "gasp_graph"}
    out = []
    for r in rows:
        if r["impl"] == "sort floor":
            continue
        g = gasp_rows.get(r["config"])
        ok = r["status"] == "ok"
        ratio = xsort = agree = "—"
        if ok and g and g["status"] == "ok" and r["impl"] != "gasp_graph" and r[key] > 0:
            ratio = f"{g[key] / r[key]:.2f}"
        if ok and sort and sort[key] > 0:
            xsort = f"{r[key] / sort[key]:.1f}"
        if r.get("agreement") is not None:
            agree = r["agreement"]
        out.append([r["config"], r["impl"], _fmt_time(r), _fmt_time(r, "cpu_s"), ratio, xsort,
                    agree, _fmt(r.get("n_clusters"), ","), _fmt(r.get("peak_rss_mib"), ".0f"),
                    _fmt(r.get("bytes_per_edge"), ".0f"), _fmt(r.get("ari_truth"), ".3f")])
    return out


def rst_tables(meta, results):
    """The per-graph tables as reStructuredText csv-tables (for docs/guide/benchmarks.rst)."""
    lines = []
    for graph in meta["graphs"]:
        rows = [r for r in results if r["graph"] == graph]
        if not rows:
            continue
        info = next((r for r in rows if r.get("n_edges")), {})
        sort = next((r for r in rows if r["impl"] == "sort floor" and r["status"] == "ok"), None)
        lines += [f".. csv-table:: {graph}: {info.get('n_nodes', 0):,} nodes, "
                  f"{info.get('n_edges', 0):,} edges"
                  + (f"; sort floor {sort['cpu_s']:.3g} s CPU" if sort else ""),
                  "   :header-rows: 1", "   :class: wide", "",
                  "   " + ", ".join(f'"{h}"' for h in HEADER)]
        for cells in table_rows(rows, meta["ratio_by"]):
            lines.append("   " + ", ".join(f'"{c}"' for c in cells))
        lines.append("")
    return "\n".join(lines)


def report(meta, results, checks):
    lines = [f"# gasp_graph benchmark: size {meta['size']}", ""]
    lines.append(f"- date: {meta['date']}; machine: {meta['machine']}")
    lines.append(f"- command: `{meta['command']}`")
    lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
    lines.append(f"- time = best of {meta['repeat']} calls in a fresh process per row (wall "
                 "clock; CPU = CPU time of the process, all threads); ratios (gasp_graph / it, "
                 f"x sort floor) use the {'CPU' if meta['ratio_by'] == 'cpu_s' else 'wall'} "
                 "times: gasp_graph time / peer time on the same graph in this run "
                 "(< 1: gasp_graph faster); agreement = same partition as gasp_graph "
                 "(else the adjusted Rand index); B/edge = peak RSS during the call minus RSS "
                 "before it, per edge (the input arrays are already resident)")
    lines.append("")
    for graph in meta["graphs"]:
        rows = [r for r in results if r["graph"] == graph]
        if not rows:
            continue
        info = next((r for r in rows if r.get("n_edges")), {})
        lines.append(f"## {graph}: {generators.describe(graph, meta['size'])}")
        lines.append("")
        lines.append(f"{info.get('n_nodes', 0):,} nodes, {info.get('n_edges', 0):,} edges.")
        sort = next((r for r in rows if r["impl"] == "sort floor" and r["status"] == "ok"), None)
        if sort:
            lines.append(f"Sort floor (numpy argsort of |w|): {sort['time_s']:.3g} s "
                         f"(CPU {sort['cpu_s']:.3g} s).")
        lines.append("")
        lines.append("| " + " | ".join(HEADER) + " |")
        lines.append("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        for cells in table_rows(rows, meta["ratio_by"]):
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    problems = [r for r in results if r["status"] in ("error", "timeout")]
    if problems:
        lines.append("## Errors and timeouts")
        lines.append("")
        for r in problems:
            lines.append(f"- {r['id']}: {r['status']}: {r.get('message', '')}")
        lines.append("")
    lines.append("## Self-checks of gasp_graph")
    lines.append("")
    for name, ok, detail in checks:
        lines.append(f"- [{'ok' if ok else 'FAILED'}] {name}" + (f" ({detail})" if detail else ""))
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(generators.SIZES), default="small")
    ap.add_argument("--out", help="markdown output (default benchmarks/results/<size>.md; "
                                  "<size>-partial.md with --only); the JSON goes next to it")
    ap.add_argument("--only", help="comma-separated task-id patterns, e.g. 'random/average*'")
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per row (best reported)")
    ap.add_argument("--graphs", default=",".join(generators.GRAPHS))
    ap.add_argument("--smoke", action="store_true",
                    help="CI mode: repeat 1, every gasp_graph row but each peer only once (no "
                         "sklearn complete linkage); fails only on crashes or self-check "
                         "failures of gasp_graph")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per worker")
    ap.add_argument("--slow-peer-timeout", type=float, default=120.0,
                    help="seconds per worker for sklearn complete linkage (quadratic-ish)")
    ap.add_argument("--ratio-by", choices=("cpu", "wall"), default="cpu",
                    help="time used for the ratios: CPU time of the worker (default; steadier "
                         "on a loaded machine, all implementations here are single-threaded) "
                         "or wall-clock time")
    ap.add_argument("--cache-dir", default=os.path.join(RESULTS, "cache"))
    ap.add_argument("--keep-labels", action="store_true", help="keep the label files")
    ap.add_argument("--report", metavar="JSON",
                    help="only re-render the markdown and .rst tables of an earlier run's JSON")
    args = ap.parse_args(argv)
    if args.report:
        with open(args.report) as fh:
            saved = json.load(fh)
        meta = dict(saved["meta"])
        meta.setdefault("ratio_by", "cpu_s")
        if args.ratio_by == "wall":
            meta["ratio_by"] = "time_s"
        checks = [(c["name"], c["ok"], c["detail"]) for c in saved["checks"]]
        text = report(meta, saved["results"], checks)
        base = os.path.splitext(args.out or args.report)[0]
        with open(base + ".md", "w") as fh:
            fh.write(text)
        with open(base + ".rst", "w") as fh:
            fh.write(rst_tables(meta, saved["results"]))
        print(text)
        return 0
    graphs = [g.strip() for g in args.graphs.split(",") if g.strip()]
    for g in graphs:
        if g not in generators.GRAPHS:
            ap.error(f"--graphs: unknown graph {g!r}; use {','.join(generators.GRAPHS)}")
    repeat = 1 if args.smoke else max(1, args.repeat)
    out = args.out or os.path.join(RESULTS, f"{args.size}{'-partial' if args.only else ''}.md")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    os.makedirs(args.cache_dir, exist_ok=True)

    tasks = select(make_tasks(graphs, args.size, args.smoke), args.only)
    if not tasks:
        ap.error(f"--only {args.only!r} matches no task")
    t_start = time.perf_counter()
    print(f"{len(tasks)} tasks, size {args.size}, repeat {repeat}", flush=True)
    workdir = tempfile.mkdtemp(prefix="labels-", dir=RESULTS)
    results = []
    paths = {}
    pending = []  # tasks to run, in order

    def flush():
        if not pending:
            return
        timeout = args.timeout * len(pending)
        if len(pending) == 1 and pending[0]["impl"] == "sklearn complete":
            timeout = args.slow_peer_timeout
        for task, (r, labels) in zip(pending, run_tasks(pending, paths[pending[0]["graph"]],
                                                        repeat, workdir, timeout)):
            res = dict(task, **r)
            res["labels"] = labels
            results.append(res)
            show(res)
        pending.clear()

    progress = os.path.splitext(out)[0] + ".progress.json"

    def show(res):
        with open(progress, "w") as fh:  # raw results so far, in case the run is interrupted
            json.dump([{k: v for k, v in r.items() if k != "labels"} for r in results], fh)
        print(f"[{len(results)}/{len(tasks)}] {res['id']}: {_fmt_time(res)}"
              + ("" if res["status"] != "ok" else " s" if res.get("n_clusters") is None
                 else f" s, {res['n_clusters']:,} clusters")
              + ("" if res["status"] == "ok" else f" ({res.get('message', '')})"), flush=True)

    for task in tasks:
        if task["graph"] not in paths:
            flush()
            paths[task["graph"]] = graph_file(task["graph"], args.size, args.cache_dir)
        res = dict(task)
        if task["impl"] != "gasp_graph" and task["impl"] != "sort floor":
            module = PEERS[task["impl"]][0]
            if not task.get("expressible", True):
                res.update(status="n/a", message="cannot express this configuration")
            elif importlib.util.find_spec(module) is None:
                res.update(status="missing", message=f"{module} is not installed")
        if "status" in res:  # nothing to run
            flush()
            results.append(res)
            show(res)
            continue
        pending.append(task)
        if not args.smoke:  # one fresh process per task; smoke batches a graph's tasks
            flush()
    flush()

    # agreement of each peer with gasp_graph on the same configuration
    by_id = {(r["graph"], r["config"]): r for r in results if r["impl"] == "gasp_graph"}
    for r in results:
        g = by_id.get((r["graph"], r["config"]))
        if r["impl"] in ("gasp_graph", "sort floor") or not (r.get("labels") and g and g.get("labels")):
            continue
        a, b = np.load(r["labels"]), np.load(g["labels"])
        r["agreement"] = "exact" if same_partition(a, b) else f"ARI {adjusted_rand_index(a, b):.6f}"

    checks = self_checks(args.size, graphs, results, args.cache_dir)
    meta = dict(size=args.size, date=datetime.datetime.now().isoformat(timespec="minutes"),
                machine=machine(), command="python benchmarks/run.py " + " ".join(
                    argv if argv is not None else sys.argv[1:]),
                versions=versions(), repeat=repeat, graphs=graphs,
                ratio_by="cpu_s" if args.ratio_by == "cpu" else "time_s")
    text = report(meta, results, checks)
    with open(out, "w") as fh:
        fh.write(text)
    with open(os.path.splitext(out)[0] + ".rst", "w") as fh:
        fh.write(rst_tables(meta, results))
    for r in results:
        r.pop("labels", None)
    with open(os.path.splitext(out)[0] + ".json", "w") as fh:
        json.dump({"meta": meta, "results": results,
                   "checks": [dict(name=n, ok=ok, detail=d) for n, ok, d in checks]}, fh, indent=1)
    if os.path.exists(progress):
        os.remove(progress)
    if not args.keep_labels:
        for f in os.listdir(workdir):
            os.remove(os.path.join(workdir, f))
        os.rmdir(workdir)
    print()
    print(text)
    print(f"written {out} and its .json ({time.perf_counter() - t_start:.0f} s)")

    crashed = [r["id"] for r in results if r["impl"] == "gasp_graph" and r["status"] != "ok"]
    failed = [name for name, ok, _ in checks if not ok]
    if crashed or failed:
        print("FAILED: " + "; ".join([f"gasp_graph run {c} crashed" for c in crashed] + failed),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
