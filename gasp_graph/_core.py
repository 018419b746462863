"""The only importer of the compiled engine: array preparation, the call, error mapping.

Two builds of the same C engine exist: ``_gasp32`` (int32 ids inside; less memory, faster) and
``_gasp64`` (int64 ids inside).  :func:`run` picks the 32-bit one whenever the graph fits.
"""
from __future__ import annotations

import os
import signal
import threading

import numpy as np

from . import _gasp32, _gasp64
from ._validation import GridProblem, Problem
from .exceptions import GaspInternalError, GaspMemoryError, GaspNumericError, GaspValueError

_MODULES = {32: _gasp32, 64: _gasp64}

_ARG_NAMES = {
    1: "n_nodes",
    2: "n_edges",
    3: "edges",
    4: "weights",
    5: "edge_sizes",
    6: "node_sizes",
    7: "linkage",
    8: "linkage_param",
    9: "size_regularizer",
    10: "n_clusters",
    11: "options",
    12: "output",
    13: "callback_every",
    20: "shape",
    21: "labels",
    22: "height",
    23: "seeds",
    24: "sampling",
    30: "node_weights",
    31: "resolution",
    32: "labels",
    40: "shape",
    41: "offsets",
    42: "affinities",
    43: "affinities (element type)",
    44: "mask",
    45: "offset flags",
    46: "keep bits",
    47: "kind",
    48: "beta",
    49: "eps",
}

_VALUE_TYPES = {np.dtype(np.float64): 0, np.dtype(np.float32): 1}
_WEIGHT_KINDS = {"linear": 0, "logit": 1}


def _module_for(n_nodes: int, n_edges: int, index_bits: int | None):
    if index_bits is not None:
        return _MODULES[index_bits]
    lib32 = _gasp32.lib
    if n_nodes <= lib32.gasp_max_nodes() and n_edges <= lib32.gasp_max_edges():
        return _gasp32
    return _gasp64


def _ptr(ffi, ctype, arr):
    """A C pointer into a numpy array (no copy), or NULL for None."""
    if arr is None:
        return ffi.NULL
    return ffi.cast(ctype, ffi.from_buffer(arr))


def raise_for(code: int, stats=None) -> None:
    """Map an engine error code to the matching exception."""
    if code == 0:
        return
    if code == 1:
        raise GaspMemoryError("the GASP engine could not allocate its working memory")
    if code == 2:
        arg = _ARG_NAMES.get(stats.err_arg, "an argument") if stats is not None else "an argument"
        where = f" (element {stats.err_index})" if stats is not None and stats.err_index >= 0 else ""
        raise GaspValueError(f"the GASP engine rejected {arg}{where}")
    if code == 3:
        raise KeyboardInterrupt("GASP run interrupted")
    if code == 4:
        raise GaspNumericError(
            "a value left the double range: a linkage value overflowed to inf or NaN (a sum, "
            "a size-weighted mean or a power of huge weights), or, with size_regularizer, a "
            "size factor S**-r or a priority fell below 2.2e-308, or a null-model term "
            "overflowed; rescale the weights, the sizes, size_regularizer or resolution"
        )
    if code == 6:
        raise GaspValueError("the graph is too large for this build of the engine")
    raise GaspInternalError(f"internal error in the GASP engine (code {code}); please report it")


# A lower bound on the engine's working memory per node and per edge, in bytes (output labels,
# adjacency offsets and lengths, union-find, scratch; edge ends, values, flags, hash table slots,
# adjacency entries, heap).  Only used to refuse graphs that cannot fit in this machine at all.
_BYTES_PER_NODE = 40
_BYTES_PER_EDGE = 64
_memory_total = []


def machine_memory():
    """Physical memory plus swap in bytes, or None when unknown."""
    if not _memory_total:
        total = None
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
            with open("/proc/meminfo") as f:
                for line in f:
                    if line.startswith("SwapTotal:"):
                        total += int(line.split()[1]) * 1024
        except (AttributeError, OSError, ValueError):
            pass
        _memory_total.append(total if total and total > 0 else None)
    return _memory_total[0]


def check_memory(n_nodes: int, n_edges: int) -> None:
    """Refuse, with GaspMemoryError, a graph whose working memory exceeds the machine's memory.

    Without this check a huge node id (n_nodes defaults to the largest id + 1) makes the engine
    allocate and fill O(n_nodes) arrays: the process swaps or is killed instead of failing.
    """
    total = machine_memory()
    need = _BYTES_PER_NODE * n_nodes + _BYTES_PER_EDGE * n_edges
    if total is not None and need > total:
        raise GaspMemoryError(
            f"a graph with n_nodes={n_nodes} and {n_edges} edges needs at least "
            f"{need / 2**30:.3g} GiB of working memory, more than this machine has "
            f"({total / 2**30:.3g} GiB with swap); node ids run from 0 to n_nodes - 1, so "
            "sparse or hashed ids should first be relabelled to 0..k-1 "
            "(np.unique(edges, return_inverse=True))"
        )


# Runs with at least this many edges execute in a worker thread, so that Ctrl-C reaches the
# main thread while the engine works (smaller runs finish in milliseconds).
THREADED_MIN_EDGES = 20_000

# How long the main thread sleeps between checks of a threaded run, in seconds.
_WAIT_SLICE = 0.05


for _mod in _MODULES.values():

    @_mod.ffi.def_extern(name="gasp_py_progress")
    def _progress_trampoline(ctx, n_merges, n_clusters, value, _ffi=_mod.ffi):
        """Called by the engine every few merges: forwards to the Python callback."""
        state = _ffi.from_handle(ctx)
        try:
            return 1 if state["callback"](int(n_merges), int(n_clusters), float(value)) else 0
        except BaseException as exc:  # noqa: BLE001 - re-raised after the engine returns
            state["error"] = exc
            return 1


def _mask_interrupts():
    """Block SIGINT in the calling (worker) thread, where available.

    The kernel delivers a process-wide SIGINT to any thread that does not block it.  If the
    engine's thread took it, the waiting thread would only notice at the end of its current wait
    slice; blocked here, the signal wakes the waiting thread at once.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _call_engine(lib, args, cancel, threaded, fn=None):
    """Call gasp_run (or ``fn``), in a worker thread when ``threaded`` so Ctrl-C can cancel it.

    On KeyboardInterrupt (or any exception raised in the waiting thread) the engine is told to
    stop (it polls ``cancel``), the calling thread waits until the engine has returned, so every
    C allocation is freed and no C code still reads the caller's arrays, and the exception
    propagates.  A second Ctrl-C during that wait (a few milliseconds) is ignored.

    The wait uses an Event, not ``Thread.join``: on some Python versions (3.11, for one) a
    ``join`` interrupted by a signal marks the thread as finished although it still runs
    (bpo-45274), so a second ``join`` would return at once.

    When no thread can be started (an address-space or thread-count limit: ``RuntimeError:
    can't start new thread``), the engine runs in the calling thread instead: the result is the
    same, only a Ctrl-C then takes effect when the run ends.
    """
    fn = lib.gasp_run if fn is None else fn
    if not threaded:
        return fn(*args)
    result = {}
    done = threading.Event()

    def work():
        try:
            _mask_interrupts()
            result["code"] = fn(*args)
        finally:
            done.set()

    worker = threading.Thread(target=work, name="gasp_graph-engine", daemon=True)
    try:
        worker.start()
    except RuntimeError:  # the thread could not start; nothing ran
        return fn(*args)
    try:
        while not done.wait(_WAIT_SLICE):
            pass
    except BaseException:
        cancel[0] = 1
        while True:
            try:
                done.wait()
                break
            except BaseException:  # noqa: BLE001 - keep waiting: the engine stops within ms
                continue
        raise
    return result["code"]


def run(
    problem: Problem,
    *,
    record_merges: bool = False,
    run_to_completion: bool = False,
    fast_paths: bool = True,
    index_bits: int | None = None,
    callback=None,
    callback_every: int = 1000,
    threaded: bool | None = None,
):
    """Run the engine on a validated problem.

    ``run_to_completion`` adds a last unconstrained pass that merges local edges of any sign,
    highest linkage first, until every connected component (of the local edges) is one cluster.
    ``fast_paths=False`` forces the general loop even where an exactly equivalent shortcut
    exists (connected components for max, mutex watershed for abs_max); tests use it.

    ``callback(n_merges, n_clusters, value)`` is called every ``callback_every`` merges (not on
    the connected-components shortcut, which performs no ordered merges); a true return value
    stops the run early, and the partition reached so far is returned (``info["stopped"]``).
    An exception raised by the callback stops the run and is re-raised here.

    ``threaded`` (default: runs of at least THREADED_MIN_EDGES edges, or with a callback) runs
    the engine in a worker thread while the calling thread waits, so that Ctrl-C raises
    KeyboardInterrupt promptly: the engine is cancelled and its memory freed first.  The GIL is
    released during the C call either way.

    Returns ``(labels, merges, heights, stats)``; ``merges`` and ``heights`` are ``None`` unless
    ``record_merges``; ``stats`` is a dict with ``n_merges``, ``n_clusters``, ``n_pops``, ``n_moved`` (edges
    re-attached by contractions) and ``n_folds`` (parallel edges folded), ``stopped`` (the callback stopped the run) and
    ``n_merges_gasp`` (merges before the completion pass) and ``n_rekeys`` (queue keys recomputed
    after merges: folded edges, stale keys re-checked on top of the queue, refreshed clusters).
    """
    grid = isinstance(problem, GridProblem)
    n = problem.n_nodes
    m = problem.n_edges if grid else problem.edges.shape[0]
    check_memory(n, m)
    mod = _module_for(n, m, index_bits)
    ffi, lib = mod.ffi, mod.lib
    merges = heights = None
    try:
        labels = np.empty(n, dtype=np.int64)
        if record_merges:
            merges = np.empty((max(n - 1, 0), 2), dtype=np.int64)
            heights = np.empty(max(n - 1, 0), dtype=np.float64)
    except MemoryError:
        raise GaspMemoryError(f"could not allocate the output arrays for n_nodes={n}") from None
    opts = ffi.new("gasp_options_t *")
    opts.linkage = problem.linkage_code
    opts.linkage_param = problem.linkage_param
    opts.cannot_link = int(problem.cannot_link)
    opts.merge_constrained_at_end = int(problem.merge_constrained_at_end)
    opts.size_regularizer = problem.size_regularizer
    opts.n_clusters = problem.n_clusters
    opts.min_clusters = problem.min_clusters
    opts.run_to_completion = int(run_to_completion)
    opts.no_fast_path = int(not fast_paths)
    opts.null_weights = _ptr(ffi, "double *", problem.null_weights)
    opts.resolution = problem.resolution
    opts.refine = int(problem.refine)
    cancel = ffi.new("int32_t[1]")
    opts.cancel = cancel
    state = handle = None
    if callback is not None:
        if isinstance(callback_every, bool) or not isinstance(callback_every, int) or callback_every < 1:
            raise GaspValueError(f"callback_every must be an integer >= 1, got {callback_every!r}")
        state = {"callback": callback, "error": None}
        handle = ffi.new_handle(state)
        opts.progress = lib.gasp_py_progress
        opts.progress_ctx = handle
        opts.progress_every = callback_every
    if threaded is None:
        threaded = m >= THREADED_MIN_EDGES or callback is not None
    stats = ffi.new("gasp_stats_t *")
    outputs = (
        opts,
        _ptr(ffi, "int64_t *", labels),
        _ptr(ffi, "int64_t *", merges) if record_merges and n > 1 else ffi.NULL,
        _ptr(ffi, "double *", heights) if record_merges and n > 1 else ffi.NULL,
        stats,
    )
    if grid:
        function, args = lib.gasp_grid_run, _grid_args(ffi, problem) + outputs
    else:
        function, args = lib.gasp_run, _edge_args(ffi, problem, n, m) + outputs
    code = _call_engine(lib, args, cancel, threaded, fn=function)
    if state is not None and state["error"] is not None:
        raise state["error"]
    raise_for(code, stats)
    info = {
        "n_merges": stats.n_merges,
        "n_clusters": stats.n_clusters,
        "n_pops": stats.n_pops,
        "n_moved": stats.n_moved,
        "n_folds": stats.n_folds,
        "stopped": bool(stats.stopped),
        "n_merges_gasp": stats.n_merges_gasp,
        "n_moves": stats.n_moves,
        "refine_gain": stats.refine_gain,
        "n_rekeys": stats.n_rekeys,
    }
    if record_merges:
        merges = merges[: stats.n_merges]
        heights = heights[: stats.n_merges]
        if problem.height_scale != 1.0:
            heights *= problem.height_scale
    return labels, merges, heights, info


def _edge_args(ffi, problem, n, m):
    """The graph arguments of gasp_run."""
    return (
        n,
        m,
        _ptr(ffi, "int64_t *", problem.edges),
        _ptr(ffi, "double *", problem.weights),
        _ptr(ffi, "double *", problem.edge_sizes),
        _ptr(ffi, "uint8_t *", problem.lifted),
        _ptr(ffi, "double *", problem.node_sizes),
    )


def _grid_args(ffi, problem):
    """The grid arguments of gasp_grid_run (the arrays are the problem's: they outlive the
    call)."""
    return (
        problem.shape.size,
        _ptr(ffi, "int64_t *", problem.shape),
        problem.offsets.shape[0],
        _ptr(ffi, "int64_t *", problem.offsets),
        ffi.from_buffer(problem.affinities),
        _VALUE_TYPES[problem.affinities.dtype],
        _ptr(ffi, "uint8_t *", problem.mask),
        _ptr(ffi, "uint8_t *", problem.offset_flags),
        _ptr(ffi, "uint8_t *", problem.keep_bits) if problem.keep_bits.size else ffi.NULL,
        problem.keep_bits.size,
        _WEIGHT_KINDS[problem.kind],
        problem.beta,
        problem.eps,
    )


def signed_weights(p: np.ndarray, beta: float, kind: str, eps: float) -> np.ndarray:
    """The engine's probability -> signed weight mapping of ``p`` (float32 or float64, values
    in [0, 1], validated by the caller): a float64 array of p's shape.  The grid entry point
    applies the same function, so weights computed here equal the engine's."""
    p = np.asarray(p, dtype=np.float32 if p.dtype == np.float32 else np.float64, order="C")
    out = np.empty(p.shape, dtype=np.float64)
    lib, ffi = _gasp32.lib, _gasp32.ffi
    stats = ffi.new("gasp_stats_t *")
    code = lib.gasp_signed_weights(ffi.from_buffer(p), _VALUE_TYPES[p.dtype], p.size,
                                   _WEIGHT_KINDS[kind], beta, eps,
                                   _ptr(ffi, "double *", out), stats)
    raise_for(code, stats)
    return out


# --------------------------------------------------------------------------------------------
# Label-image operations (gasp_image_*): int64 everywhere, so one module serves every size.
# --------------------------------------------------------------------------------------------

def _image_call(name, shape, *arrays):
    """Call gasp_image_<name>(ndim, shape, *arrays, cancel, stats); arrays are numpy arrays of
    the C dtype (C-contiguous) or None.  Returns the stats struct."""
    ffi, lib = _gasp64.ffi, _gasp64.lib
    ctypes = {np.dtype(np.int64): "int64_t *", np.dtype(np.float64): "double *",
              np.dtype(np.uint8): "uint8_t *"}
    ptrs = [ffi.NULL if a is None else _ptr(ffi, ctypes[a.dtype], a) for a in arrays]
    shp = np.ascontiguousarray(shape, dtype=np.int64)
    cancel = ffi.new("int32_t[1]")
    stats = ffi.new("gasp_stats_t *")
    n = int(np.prod(shape, dtype=np.int64))
    args = (len(shape), _ptr(ffi, "int64_t *", shp), *ptrs, cancel, stats)
    code = _call_engine(lib, args, cancel, n >= THREADED_MIN_EDGES,
                        fn=getattr(lib, f"gasp_image_{name}"))
    raise_for(code, stats)
    return stats


def image_components(labels: np.ndarray, links=None) -> tuple[np.ndarray, int]:
    """Connected components (direct neighbours) of equal non-zero labels: (components 1..k in
    first-occurrence order, 0 on background; k).  ``links`` (bool, shape ``(ndim, *shape)``):
    ``links[d][x]`` allows the pair x, x + e_d (default: every pair)."""
    lab = np.ascontiguousarray(labels, dtype=np.int64)
    lk = None
    if links is not None:
        lk = np.ascontiguousarray(links, dtype=np.uint8)
        if lk.shape != (lab.ndim,) + lab.shape:
            raise ValueError(f"links must have shape {(lab.ndim,) + lab.shape}, got {lk.shape}")
    out = np.empty(lab.shape, dtype=np.int64)
    stats = _image_call("components", lab.shape, lab, lk, out)
    return out, int(stats.n_clusters)


def image_watershed(height: np.ndarray, seeds: np.ndarray, mask=None) -> np.ndarray:
    """Seeded watershed (priority flood, direct neighbours) of ``seeds`` (0 = unlabelled) on
    ``height``; pixels where ``mask`` is False stay unlabelled."""
    h = np.ascontiguousarray(height, dtype=np.float64)
    sd = np.ascontiguousarray(seeds, dtype=np.int64)
    mk = None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
    out = np.empty(h.shape, dtype=np.int64)
    _image_call("watershed", h.shape, h, sd, mk, out)
    return out


def image_distance(inside: np.ndarray, sampling=None) -> np.ndarray:
    """Euclidean distance from every pixel to the nearest pixel where ``inside`` is False
    (+inf when there is none)."""
    ins = np.ascontiguousarray(inside, dtype=np.uint8)
    smp = None if sampling is None else np.ascontiguousarray(sampling, dtype=np.float64)
    out = np.empty(ins.shape, dtype=np.float64)
    _image_call("distance", ins.shape, ins, smp, out)
    return out


def region_reduce(n_nodes: int, u, v, w, eid, local) -> dict:
    """Group edges (u, v) by unordered node pair and reduce them: per pair (numbered by first
    occurrence in edge order) the ends, count, sum, max, min of ``w``, the count and sum over
    ``local`` edges, the first ``eid``, the first ``eid`` carrying the max / the min.  Edges must
    come in increasing ``eid`` order."""
    ffi, lib = _gasp64.ffi, _gasp64.lib
    u = np.ascontiguousarray(u, dtype=np.int64)
    v = np.ascontiguousarray(v, dtype=np.int64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    eid = np.ascontiguousarray(eid, dtype=np.int64)
    local = np.ascontiguousarray(local, dtype=np.uint8)
    m = u.shape[0]
    pair = np.empty(m, dtype=np.int64)
    cancel = ffi.new("int32_t[1]")
    stats = ffi.new("gasp_stats_t *")
    threaded = m >= THREADED_MIN_EDGES
    args = (n_nodes, m, _ptr(ffi, "int64_t *", u), _ptr(ffi, "int64_t *", v),
            _ptr(ffi, "int64_t *", pair), cancel, stats)
    raise_for(_call_engine(lib, args, cancel, threaded, fn=lib.gasp_region_pairs), stats)
    p = int(stats.n_clusters)
    out = {name: np.empty(p, dtype=np.int64) for name in
           ("count", "local_count", "first", "argmax", "argmin")}
    out.update({name: np.empty(p) for name in ("sum", "max", "min", "local_sum")})
    f64 = lambda name: _ptr(ffi, "double *", out[name])  # noqa: E731
    i64 = lambda name: _ptr(ffi, "int64_t *", out[name])  # noqa: E731
    args = (m, p, _ptr(ffi, "int64_t *", pair), _ptr(ffi, "double *", w),
            _ptr(ffi, "int64_t *", eid), _ptr(ffi, "uint8_t *", local), i64("count"), f64("sum"),
            f64("max"), f64("min"), i64("local_count"), f64("local_sum"), i64("first"),
            i64("argmax"), i64("argmin"), cancel, stats)
    raise_for(_call_engine(lib, args, cancel, threaded, fn=lib.gasp_region_stats), stats)
    ends = np.empty((p, 2), dtype=np.int64)
    ends[pair, 0] = np.minimum(u, v)  # every edge of a pair writes the same ends
    ends[pair, 1] = np.maximum(u, v)
    out["edges"] = ends
    return out
def refine(problem: Problem, labels, *, moves_only=False, index_bits: int | None = None,
           threaded=None):
    """The local search of refine.c from ``labels`` (int64, values in [0, n)) on ``problem``'s
    objective: the multilevel search, or node moves only (``moves_only=True``).

    Returns ``(labels, stats)`` with canonical labels and ``n_moves`` / ``refine_gain``.
    """
    n, m = problem.n_nodes, problem.edges.shape[0]
    mod = _module_for(n, m, index_bits)
    ffi, lib = mod.ffi, mod.lib
    given = np.asarray(labels)
    # the engine reads and writes n labels: a shorter array would be overrun
    if given.shape != (n,) or given.dtype.kind not in "iu":
        raise GaspValueError(
            f"labels must be n_nodes={n} integers, got shape {given.shape} of dtype {given.dtype}"
        )
    out = np.array(given, dtype=np.int64, copy=True, order="C")
    opts = ffi.new("gasp_options_t *")
    opts.null_weights = _ptr(ffi, "double *", problem.null_weights)
    opts.resolution = problem.resolution
    opts.refine = lib.GASP_REFINE_MOVES if moves_only else lib.GASP_REFINE_FULL
    cancel = ffi.new("int32_t[1]")
    opts.cancel = cancel
    stats = ffi.new("gasp_stats_t *")
    args = (
        n,
        m,
        _ptr(ffi, "int64_t *", problem.edges),
        _ptr(ffi, "double *", problem.weights),
        _ptr(ffi, "double *", problem.edge_sizes),
        opts,
        _ptr(ffi, "int64_t *", out),
        stats,
    )
    if threaded is None:
        threaded = m >= THREADED_MIN_EDGES
    code = _call_engine(lib, args, cancel, threaded, fn=lib.gasp_refine)
    raise_for(code, stats)
    return out, {"n_moves": stats.n_moves, "refine_gain": stats.refine_gain,
                 "n_clusters": stats.n_clusters}


def selftest(seed: int, n_ops: int, index_bits: int = 32) -> None:
    """Exercise the C data structures through their invariant checks; raise on a violation."""
    code = _MODULES[index_bits].lib.gasp_selftest(seed, n_ops)
    raise_for(code)


def debug_build() -> bool:
    """True when the engine was compiled with invariant checks (GASP_DEBUG=1)."""
    return bool(_gasp32.lib.gasp_debug_build())
