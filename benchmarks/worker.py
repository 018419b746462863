"""Run ONE benchmark configuration in this (fresh) process.

Usage: ``python benchmarks/worker.py CONFIG_JSON`` where the JSON object has (a JSON list of
such objects runs them one after the other in this process, the results going as a list to
the first one's ``result_out``; ``run.py --smoke`` does that to save process start-ups)

``graph_file``  the cached graph (.npz written by ``run.py``),
``impl``        an implementation name (the keys of ``IMPLS``),
``linkage``, ``cannot_link``, ``lifted``  the GASP configuration,
``repeat``      number of timed calls (the best is reported),
``labels_out``  where to save the labels of the first call (.npy), or null,
``result_out``  where to write the result (JSON).

Only the clustering call is timed, in wall-clock time and in CPU time of the process (all
threads; on a loaded machine the CPU time is the steadier figure); building the peer's input (e.g. bioimage-cpp's graph
object, mwatershed's affinity array) happens before.  Memory: ``/proc/self/clear_refs`` resets
the peak RSS right before the first call, so ``extra_bytes`` is the peak RSS during the call
minus the RSS just before it (the input arrays are already resident); ``peak_rss_mib`` is the
whole worker's ``ru_maxrss``.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from metrics import adjusted_rand_index, canonical  # noqa: E402


class Missing(Exception):
    """The implementation's package is not installed."""


class NotExpressible(Exception):
    """The implementation cannot express this configuration."""


def _status_kib(field):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _import(name):
    try:
        return __import__(name, fromlist=["_"])
    except ImportError as exc:
        raise Missing(f"{name} is not installed ({exc})") from None


def _all_local(cfg, g):
    if cfg["lifted"] and "lifted" in g:
        raise NotExpressible("no lifted edges")


# Every setup function takes (graph dict, config) and returns a zero-argument callable whose
# result is a label array (or None for the sort floor).
IMPLS = {}


def impl(name):
    def register(fn):
        IMPLS[name] = fn
        return fn
    return register


@impl("gasp_graph")
def _gasp_graph(g, cfg):
    from gasp_graph import gasp

    lifted = g["lifted"] if cfg["lifted"] else None
    edges, weights, n = g["edges"], g["weights"], int(g["n_nodes"])
    kwargs = dict(n_nodes=n, linkage=cfg["linkage"], cannot_link=cfg["cannot_link"], lifted=lifted)
    return lambda: gasp(edges, weights, **kwargs)


def _grid_problem(g, cfg):
    """grid3d as the engine's grid entry point takes it: the 12 affinity channels (affinity =
    weight + 0.5, so the weights are those of the edge list up to rounding), the long-range
    edges kept by the generator as keep bits, lifted offsets in the +lifted rows."""
    if "channel" not in g:
        raise NotExpressible("not a grid graph")
    from gasp_graph._validation import prepare_grid

    shape = tuple(int(s) for s in g["shape"])
    offs = np.asarray(g["offsets"], dtype=np.int64)
    n = int(np.prod(shape))
    e, ch = g["edges"], g["channel"].astype(np.int64)
    src = e[:, 1]  # the voxel p; e[:, 0] = p + offset
    affs = np.zeros((len(offs), n), dtype=np.float64)
    affs[ch, src] = g["weights"] + 0.5
    long_range = np.abs(offs).sum(axis=1) != 1
    sampled = long_range.copy()
    bits = []
    for k in np.flatnonzero(sampled):
        lo = np.maximum(-offs[k], 0)
        hi = np.array(shape) - np.maximum(offs[k], 0)
        box = tuple(int(x) for x in hi - lo)
        coords = np.unravel_index(src[ch == k], shape)
        keep = np.zeros(int(np.prod(box)), dtype=bool)
        keep[np.ravel_multi_index(tuple(c - lo[d] for d, c in enumerate(coords)), box)] = True
        bits.append(np.packbits(keep, bitorder="little"))
    return prepare_grid(affs.reshape((len(offs),) + shape), offs, mask=None,
                        lifted=long_range & bool(cfg["lifted"]), sampled=sampled,
                        keep_bits=np.concatenate(bits), n_edges=e.shape[0], beta=0.5,
                        kind="linear", eps=1e-6, linkage=cfg["linkage"],
                        cannot_link=cfg["cannot_link"])


@impl("gasp_graph grid")
def _gasp_graph_grid(g, cfg):
    # The same graph through the engine's grid entry point (segment's path): edges enumerated
    # from the shape and offsets, in offset-major order (other ids than the sorted edge list:
    # ties may break differently).
    from gasp_graph import _control

    problem = _grid_problem(g, cfg)
    return lambda: _control.run(problem)[0]


@impl("bioimage-cpp GASP")
def _bioimage_gasp(g, cfg):
    # bioimage-cpp's GaspClusterPolicy is unconstrained GASP (no cannot-link option); its
    # is_mergeable mask installs constraints instead of GASP's lifted edges, so only the
    # all-local, unconstrained configurations are the same problem.
    if cfg["cannot_link"]:
        raise NotExpressible("no cannot-link constraints")
    _all_local(cfg, g)
    _import("bioimage_cpp")
    from bioimage_cpp.graph import UndirectedGraph
    from bioimage_cpp.graph.agglomeration import GaspClusterPolicy

    graph = UndirectedGraph.from_unique_edges(int(g["n_nodes"]), g["edges"].astype(np.uint64))
    linkage = {"average": "mean"}.get(cfg["linkage"], cfg["linkage"])
    policy = GaspClusterPolicy(linkage=linkage)
    weights = g["weights"]
    return lambda: policy.optimize(graph, weights)


def _mws_problem(g, cfg):
    if cfg["linkage"] != "abs_max" or cfg["cannot_link"]:
        raise NotExpressible("mutex watershed = abs_max")
    _all_local(cfg, g)


@impl("bioimage-cpp MWS")
def _bioimage_mws(g, cfg):
    # Positive edges are the attractive graph, negative edges the mutex edges (cost |w|).
    _mws_problem(g, cfg)
    _import("bioimage_cpp")
    from bioimage_cpp.graph import UndirectedGraph
    from bioimage_cpp.graph.mutex_watershed import mutex_watershed_clustering

    e, w = g["edges"], g["weights"]
    pos = w > 0
    graph = UndirectedGraph.from_unique_edges(int(g["n_nodes"]), e[pos].astype(np.uint64))
    attractive = np.ascontiguousarray(w[pos])
    mutex_uvs = e[~pos].astype(np.uint64)
    mutex_costs = np.ascontiguousarray(-w[~pos])
    return lambda: mutex_watershed_clustering(graph, attractive, mutex_uvs, mutex_costs)


@impl("mwatershed edges")
def _mwatershed_edges(g, cfg):
    # mwatershed's edge-list entry point takes a Python list of (attractive?, u, v) sorted by
    # decreasing |w|; the timed call includes the numpy sort and building that list.
    _mws_problem(g, cfg)
    mw = _import("mwatershed")
    e, w, n = g["edges"], g["weights"], int(g["n_nodes"])

    def call():
        order = np.argsort(-np.abs(w), kind="stable")
        pairs = mw.cluster(list(zip((w[order] > 0).tolist(), e[order, 0].tolist(),
                                    e[order, 1].tolist())))
        labels = -1 - np.arange(n, dtype=np.int64)  # nodes absent from the output: singletons
        if pairs:
            fs = np.asarray(pairs, dtype=np.int64)
            labels[fs[:, 0]] = fs[:, 1]
        return labels

    return call


@impl("mwatershed grid")
def _mwatershed_grid(g, cfg):
    # The grid entry point: one affinity channel per offset.
    _mws_problem(g, cfg)
    if "channel" not in g:
        raise NotExpressible("not a grid graph")
    mw = _import("mwatershed")
    shape = tuple(int(s) for s in g["shape"])
    # mwatershed panics on an offset as long as the volume: keep the offsets that fit
    fits = [i for i, o in enumerate(g["offsets"]) if all(abs(int(a)) < s for a, s in zip(o, shape))]
    offsets = [list(map(int, g["offsets"][i])) for i in fits]
    channel = np.full(len(g["offsets"]), -1)
    channel[fits] = np.arange(len(fits))
    channel = channel[g["channel"]]  # every edge's channel fits: it exists
    # Unsampled long-range edges: a negligible repulsion, so they are processed after every
    # real edge and can only add mutex constraints at the very end (no effect whatever the
    # library does with an affinity of exactly 0).
    aff = np.full((len(offsets),) + shape, -np.finfo(np.float64).tiny, dtype=np.float64)
    aff.reshape(len(offsets), -1)[channel, g["edges"][:, 1]] = g["weights"]
    return lambda: mw.agglom(aff, offsets)


@impl("affogato edges")
def _affogato_edges(g, cfg):
    # affogato's edge-list mutex watershed: attractive edges and mutex edges with float32 costs
    # (ties of the rounded costs may break differently).
    _mws_problem(g, cfg)
    seg = _import("affogato.segmentation")
    e, w, n = g["edges"], g["weights"], int(g["n_nodes"])
    pos = w > 0
    uvs = np.ascontiguousarray(e[pos].astype(np.uint64))
    mutex_uvs = np.ascontiguousarray(e[~pos].astype(np.uint64))
    wa = np.ascontiguousarray(w[pos].astype(np.float32))
    wm = np.ascontiguousarray(-w[~pos].astype(np.float32))
    return lambda: seg.compute_mws_clustering(n, uvs, mutex_uvs, wa, wm)


@impl("affogato grid")
def _affogato_grid(g, cfg):
    # affogato's grid mutex watershed on the signed affinities, the unsampled long-range edges
    # masked out (edge_mask); the timed call includes its argsort.
    _mws_problem(g, cfg)
    if "channel" not in g:
        raise NotExpressible("not a grid graph")
    seg = _import("affogato.segmentation")
    shape = tuple(int(s) for s in g["shape"])
    offsets = [list(map(int, o)) for o in g["offsets"]]
    signed = np.zeros((len(offsets),) + shape, dtype=np.float64)
    valid = np.zeros(signed.shape, dtype=bool)
    ch, src = g["channel"].astype(np.int64), g["edges"][:, 1]
    signed.reshape(len(offsets), -1)[ch, src] = g["weights"]
    valid.reshape(len(offsets), -1)[ch, src] = True
    return lambda: seg.compute_mws_segmentation_from_signed_affinities(signed, offsets,
                                                                         edge_mask=valid)


@impl("scipy CC")
def _scipy_cc(g, cfg):
    # Connected components of the positive edges = GASP "max" without constraints.
    if cfg["linkage"] != "max" or cfg["cannot_link"]:
        raise NotExpressible("connected components = max without constraints")
    _all_local(cfg, g)
    _import("scipy")
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    e, w, n = g["edges"], g["weights"], int(g["n_nodes"])

    def call():
        pos = w > 0
        a = coo_matrix((np.ones(int(pos.sum()), dtype=np.int8), (e[pos, 0], e[pos, 1])),
                       shape=(n, n)).tocsr()
        return connected_components(a, directed=False)[1]

    return call


def _sklearn(g, cfg, linkage):
    # scikit-learn takes features (or a dense n x n distance matrix), not edge weights.  To give
    # it exactly our problem, the features are the node ids and the module's
    # ``paired_distances`` (which computes the distances of the connected pairs, once, at the
    # start of ``linkage_tree``) is replaced by a vectorised look-up of d = c - w (c > max w).
    # Merging stops at distance c, i.e. at w <= 0; single linkage = GASP max, complete
    # linkage = GASP min (both over the existing edges).  Pairs sklearn adds itself to
    # connect the components get d = 2c (never merged below the threshold).
    gasp_linkage = {"single": "max", "complete": "min"}[linkage]
    if cfg["linkage"] != gasp_linkage or cfg["cannot_link"]:
        raise NotExpressible(f"{linkage} linkage = {gasp_linkage} without constraints")
    _all_local(cfg, g)
    _import("sklearn")
    import warnings

    import sklearn.cluster._agglomerative as agglomerative
    from scipy.sparse import coo_matrix
    from sklearn.cluster import AgglomerativeClustering

    e, w, n = g["edges"], g["weights"], int(g["n_nodes"])
    c = float(np.abs(w).max()) + 1.0
    d = c - w
    codes = e[:, 0] * n + e[:, 1]  # sorted: the edges are sorted lexicographically

    def lookup(a, b, metric=None, **kwargs):
        a = np.asarray(a).ravel().astype(np.int64)
        b = np.asarray(b).ravel().astype(np.int64)
        code = np.minimum(a, b) * n + np.maximum(a, b)
        idx = np.minimum(np.searchsorted(codes, code), codes.size - 1)
        return np.where(codes[idx] == code, d[idx], 2.0 * c)

    agglomerative.paired_distances = lookup
    warnings.simplefilter("ignore")  # "connectivity has k > 1 components"
    x = np.arange(n, dtype=np.float64)[:, None]
    conn = coo_matrix((np.ones(e.shape[0]), (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=c, linkage=linkage,
                                    connectivity=conn, compute_full_tree=True)
    return lambda: model.fit(x).labels_


@impl("sklearn single")
def _sklearn_single(g, cfg):
    return _sklearn(g, cfg, "single")


@impl("sklearn complete")
def _sklearn_complete(g, cfg):
    return _sklearn(g, cfg, "complete")


@impl("sort floor")
def _sort_floor(g, cfg):
    w = g["weights"]
    return lambda: np.argsort(np.abs(w))


def run(cfg):
    with np.load(cfg["graph_file"]) as data:
        g = {k: data[k] for k in data.files}
    n, m = int(g["n_nodes"]), int(g["weights"].shape[0])
    result = {"impl": cfg["impl"], "n_nodes": n, "n_edges": m}
    t0 = time.perf_counter()
    try:
        call = IMPLS[cfg["impl"]](g, cfg)
    except Missing as exc:
        return dict(result, status="missing", message=str(exc))
    except NotExpressible as exc:
        return dict(result, status="n/a", message=str(exc))
    result["setup_s"] = time.perf_counter() - t0
    gc.collect()
    peak_reset = _reset_peak()
    rss_before = _status_kib("VmRSS")
    times = []
    cpu_times = []
    labels = None
    for i in range(max(1, int(cfg["repeat"]))):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
        if i == 0:
            hwm = _status_kib("VmHWM") if peak_reset else None
            if hwm is None:
                hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            labels = out
        else:
            del out
        gc.collect()
    result.update(
        status="ok",
        time_s=min(times),
        times_s=times,
        cpu_s=min(cpu_times),
        cpu_times_s=cpu_times,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        rss_before_mib=(rss_before or 0) / 1024.0,
        extra_bytes=(hwm - rss_before) * 1024 if rss_before is not None else None,
        peak_is_call_only=peak_reset,
    )
    if result["extra_bytes"] is not None:
        result["bytes_per_edge"] = result["extra_bytes"] / max(m, 1)
    if labels is not None and cfg["impl"] != "sort floor":
        labels = canonical(np.asarray(labels).ravel().astype(np.int64))
        if labels.size != n:
            raise RuntimeError(f"{cfg['impl']} returned {labels.size} labels for {n} nodes")
        result["n_clusters"] = int(labels.max()) + 1 if n else 0
        if "truth" in g:
            result["ari_truth"] = adjusted_rand_index(labels, g["truth"])
        if cfg.get("labels_out"):
            np.save(cfg["labels_out"], labels)
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cfg = json.loads(argv[0])
    batch = isinstance(cfg, list)  # a list of configurations: run them one after the other
    results = []
    for c in (cfg if batch else [cfg]):
        try:
            result = run(c)
        except BaseException as exc:  # report, then fail
            result = {"impl": c.get("impl"), "status": "error",
                      "message": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()}
        results.append(result)
    out = cfg[0]["result_out"] if batch else cfg["result_out"]
    with open(out, "w") as fh:
        json.dump(results if batch else results[0], fh)
    return 1 if any(r["status"] == "error" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
