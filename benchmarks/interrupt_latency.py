"""Ctrl-C latency in every phase of a run: the time from SIGINT to KeyboardInterrupt.

Usage::

    python benchmarks/interrupt_latency.py [--edges 2e7] [--repeat 3] [--configs average,...]
                                           [--out FILE]

A random graph (n = m / 5 nodes, m edges, w ~ U(-1, 1), fixed seed) is partitioned with
``gasp()`` in several configurations, each exercising other phases of the engine:

* ``average``: the general loop (graph build, heap fill and build, main loop, labels);
* ``average_r``: the same with ``size_regularizer=0.5`` (lazy re-keying);
* ``min``, ``sum_clc`` (sum with cannot_link): other fold rules and the constrained pass;
* ``abs_max``, ``abs_max_clc``: the mutex watershed shortcut (radix sort, gather, main loop);
* ``max``: the connected-components shortcut;
* ``agglomerate``: the merge tree (completion pass).

Each configuration first runs once uninterrupted while a thread samples the engine's phase
(``gasp_stats_t.phase``) every half millisecond, which gives the time window of every phase (the
Python-side checks are the time from the call to the engine's start).  Then, for every phase that
lasts at least 20 ms, the run is repeated and a timer thread sends SIGINT to the process at 40%
of the way into that phase (it waits for the phase to begin, then for 40% of its calibrated
length); the figure is the wall-clock time from the signal to the KeyboardInterrupt caught in the
calling thread.  Wall-clock time is the point here (it is what a user waits), so a loaded machine
makes the figures larger, never smaller.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import threading
import time

import numpy as np

import gasp_graph
from gasp_graph import _core

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from worst_case import report  # noqa: E402

PHASES = {0: "engine: thread start", 1: "engine: validation", 2: "engine: sort and gather (mutex watershed)",
          3: "engine: shortcut loop", 4: "engine: graph build", 5: "engine: heap fill and build",
          6: "engine: main loop", 7: "engine: labels", 8: "engine: done",
          9: "engine: refinement"}
PYTHON = "Python-side checks"

CONFIGS = {
    "average": dict(linkage="average"),
    "average_r": dict(linkage="average", size_regularizer=0.5),
    "min": dict(linkage="min"),
    "sum_clc": dict(linkage="sum", cannot_link=True),
    "abs_max": dict(linkage="abs_max"),
    "abs_max_clc": dict(linkage="abs_max", cannot_link=True),
    "max": dict(linkage="max"),
    "agglomerate": dict(linkage="average", _agglomerate=True),
}


class EngineSpy:
    """Wraps _core._call_engine to expose the running engine's stats struct to other threads."""

    def __init__(self):
        self.stats = None
        self.started = None
        self._orig = _core._call_engine

    def __enter__(self):
        def spy(lib, args, cancel, threaded, fn=None):
            self.stats = args[-1]
            self.started = time.perf_counter()
            return self._orig(lib, args, cancel, threaded, fn)
        _core._call_engine = spy
        return self

    def __exit__(self, *exc):
        _core._call_engine = self._orig

    def phase(self):
        return None if self.stats is None else int(self.stats.phase)


def graph(m, seed=20240617):
    rng = np.random.default_rng(seed)
    n = m // 5
    e = rng.integers(0, n, size=(m, 2))
    loops = e[:, 0] == e[:, 1]
    e[loops, 1] = (e[loops, 0] + 1) % n
    return e, rng.uniform(-1.0, 1.0, m), n


def call(cfg, e, w, n):
    kw = {k: v for k, v in cfg.items() if not k.startswith("_")}
    if cfg.get("_agglomerate"):
        return gasp_graph.agglomerate(e, w, n_nodes=n, **kw)
    return gasp_graph.gasp(e, w, n_nodes=n, **kw)


def calibrate(cfg, e, w, n):
    """Phase windows {name: (start, end)} in seconds from the call, of one uninterrupted run
    (a phase that occurs again, such as the heap fill of a second pass, gets its first
    occurrence's window)."""
    windows = {}
    stop = threading.Event()
    with EngineSpy() as spy:
        t0 = time.perf_counter()

        def sample():
            last = key = None
            while not stop.is_set():
                now = time.perf_counter() - t0
                ph = spy.phase()
                name = PYTHON if ph is None else PHASES.get(ph, str(ph))
                if name != last:  # a new phase begins; a repeated one is kept apart
                    last = name
                    key = name if name not in windows else name + " (again)"
                    windows.setdefault(key, [now, now])
                windows[key][1] = now
                time.sleep(0.0005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        call(cfg, e, w, n)
        total = time.perf_counter() - t0
        stop.set()
        sampler.join()
    windows.pop(PHASES[8], None)
    return {k: tuple(v) for k, v in windows.items()}, total


def interrupt_once(cfg, e, w, n, phase, delay):
    """SIGINT `delay` s after `phase` begins; returns (latency s, phase at the signal)."""
    sent = {}
    with EngineSpy() as spy:
        def timer():
            t_call = time.perf_counter()
            while True:
                ph = spy.phase()
                name = PYTHON if ph is None else PHASES.get(ph, str(ph))
                if name == phase:
                    break
                if ph == 8 or time.perf_counter() - t_call > 600:
                    return
                time.sleep(0.0002)
            time.sleep(delay)
            ph = spy.phase()
            sent["phase"] = PYTHON if ph is None else PHASES.get(ph, str(ph))
            sent["t"] = time.perf_counter()
            os.kill(os.getpid(), signal.SIGINT)

        th = threading.Thread(target=timer, daemon=True)
        th.start()
        try:
            call(cfg, e, w, n)
        except KeyboardInterrupt:
            caught = time.perf_counter()
            th.join()
            return caught - sent["t"], sent["phase"]
        th.join()
    return None, None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edges", type=float, default=2e7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--min-phase", type=float, default=0.02,
                    help="only interrupt phases at least this long (s)")
    ap.add_argument("--out", help="write the markdown table here (and FILE.json)")
    args = ap.parse_args(argv)
    m = int(args.edges)
    e, w, n = graph(m)
    print(f"graph: n={n:,} m={m:,}", flush=True)
    rows = []
    for name in args.configs.split(","):
        cfg = CONFIGS[name]
        windows, total = calibrate(cfg, e, w, n)
        print(f"{name}: {total:.2f} s; " + ", ".join(
            f"{k} {b - a:.3f} s" for k, (a, b) in windows.items()), flush=True)
        for phase, (a, b) in windows.items():
            if b - a < args.min_phase or phase.endswith("(again)") or phase == PHASES[0]:
                continue
            lat = []
            for _ in range(args.repeat):
                t, at = interrupt_once(cfg, e, w, n, phase, 0.4 * (b - a))
                if t is not None and at == phase:
                    lat.append(t)
            if lat:
                rows.append(dict(config=name, phase=phase, length=b - a, n=len(lat),
                                 median=statistics.median(lat), max=max(lat)))
                print(f"  {phase:45s} {b - a:7.3f} s long: latency median "
                      f"{1e3 * statistics.median(lat):6.1f} ms, max {1e3 * max(lat):6.1f} ms "
                      f"({len(lat)} runs)", flush=True)
    lines = [f"Ctrl-C latency at m = {m:,} edges (n = {n:,})", "",
             "| configuration | phase | phase length (s) | latency median (ms) | max (ms) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['config']} | {r['phase']} | {r['length']:.2f} | "
                     f"{1e3 * r['median']:.0f} | {1e3 * r['max']:.0f} |")
    report("\n".join(lines) + "\n", rows, args.out)


if __name__ == "__main__":
    main()
