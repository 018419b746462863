"""GASP beyond one machine: many graphs, one large graph, one giant component, on Dask.

Three entry points, from the most to the least exact:

- :func:`partition_many` solves independent problems in parallel.
- :func:`partition` solves one large graph held as a Dask DataFrame (or a Parquet dataset) exactly:
  it splits the graph into the connected components of its positive edges, which GASP never
  joins, and solves them in parallel.  The labels equal the single-machine ones.
- :func:`partition_blockwise` handles a graph that is one giant component: it solves blocks of
  nodes on their inner edges, contracts what every block merged with exact linkage statistics and
  repeats on the reduced graph with larger blocks, finishing on one machine.  It approximates the
  single-machine result (see the user guide for measured agreement).

Dask is imported inside the functions, so ``import gasp_graph`` never needs it.  Install the
optional dependencies with ``pip install 'gasp_graph[dask]'``.

By default the work runs on Dask's threaded scheduler: the C engine releases the GIL, so threads
run GASP in parallel.  Pass ``client=`` (a ``distributed.Client``) to run on any Dask cluster.
"""
from __future__ import annotations

import math
import numbers
import os
import uuid
from dataclasses import dataclass

import numpy as np

from ._validation import _as_int, as_edges, as_lifted, as_weights, normalize_linkage, prepare
from ._validation import _per_edge, self_loop_error, self_loops_mode
from .arrays import gasp
from .exceptions import GaspError, GaspNumericError, GaspTypeError, GaspValueError

__all__ = ["partition_many", "partition", "partition_blockwise", "grid_blocks"]

# Options of gasp() that apply to a whole problem (per-edge data comes from the edge table).
_GRAPH_OPTIONS = {
    "linkage",
    "cannot_link",
    "merge_constrained_at_end",
    "node_sizes",
    "size_regularizer",
    "linkage_param",
    "n_clusters",
    "min_clusters",
    "self_loops",
}


def _require_dask():
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "gasp_graph.dask needs dask, pandas and pyarrow; install them with "
            "pip install 'gasp_graph[dask]'"
        ) from exc
    return dask


# --------------------------------------------------------------------------------------------
# Scheduling helpers: the same code runs on the threaded scheduler and on a distributed client.
# --------------------------------------------------------------------------------------------


def _compute(client, objs):
    """Compute a list of delayed objects, returning their values in order."""
    if not objs:
        return []
    if client is None:
        import dask

        return list(dask.compute(*objs, scheduler="threads"))
    return client.gather(client.compute(list(objs)))


def _persist(client, objs):
    """Persist a list of delayed objects (in local memory, or on the cluster's workers)."""
    if not objs:
        return []
    if client is None:
        import dask

        return list(dask.persist(*objs, scheduler="threads"))
    return client.persist(list(objs))


def _share(obj, client):
    """Something a delayed call can take as an argument, without copying obj into every task."""
    import dask

    if client is None:
        return dask.delayed(obj, name=f"gasp-shared-{uuid.uuid4().hex}")
    return client.scatter(obj, broadcast=True, hash=False)


def _n_workers(client) -> int:
    if client is None:
        return os.cpu_count() or 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def _tree(items, combine, fanin=8):
    """Reduce a list of delayed objects pairwise-ish (fan-in ``fanin``) into one."""
    import dask

    items = list(items)
    while len(items) > 1:
        items = [
            dask.delayed(combine, pure=True)(*items[i : i + fanin])
            for i in range(0, len(items), fanin)
        ]
    return items[0]


# --------------------------------------------------------------------------------------------
# Options and inputs
# --------------------------------------------------------------------------------------------


def _graph_options(options, *, where):
    """Split **options into engine options, rejecting unknown names and per-edge arrays."""
    for key in options:
        if key in ("edges", "weights", "lifted", "edge_sizes", "n_nodes"):
            raise GaspTypeError(
                f"{where}() got {key}=...; per-edge data comes from the edge table's columns "
                "(see the source, target, weight, size and lifted arguments)"
            )
        if key not in _GRAPH_OPTIONS:
            raise GaspTypeError(f"{where}() got an unexpected keyword argument {key!r}")
    for key in ("n_clusters", "min_clusters"):
        if options.get(key) is not None:
            raise GaspValueError(
                f"{key}={options[key]!r} is not supported by {where}(): it is a global target "
                "(the number of clusters over the whole graph), so it cannot be split over "
                "independent pieces; use gasp_graph.gasp on one machine"
            )
    opts = {k: v for k, v in options.items() if k not in ("n_clusters", "min_clusters")}
    # Validate the scalar options now, on the client, with the usual messages.
    probe = {k: v for k, v in opts.items() if k != "node_sizes"}
    prepare(np.zeros((0, 2), dtype=np.int64), np.zeros(0), n_nodes=0, **probe)
    opts["linkage"] = normalize_linkage(opts.get("linkage", "average"))
    return opts


def _node_sizes(node_sizes, n):
    if node_sizes is None:
        return None
    return prepare(np.zeros((0, 2), dtype=np.int64), np.zeros(0), n_nodes=n,
                   node_sizes=node_sizes).node_sizes


@dataclass(frozen=True)
class _Columns:
    source: str
    target: str
    weight: str
    size: str | None
    lifted: str | None
    self_loops: str = "ignore"

    def names(self):
        out = [self.source, self.target, self.weight]
        out += [c for c in (self.size, self.lifted) if c is not None]
        return out


def _partitions(edges, cols: _Columns):
    """The edge table as a list of delayed pandas DataFrames, one per partition."""
    import dask.dataframe as dd

    names = cols.names()
    if isinstance(edges, (str, os.PathLike)):
        frame = dd.read_parquet(os.fspath(edges), columns=names)
    elif isinstance(edges, dd.DataFrame):
        frame = edges
    elif hasattr(edges, "columns") and hasattr(edges, "iloc"):  # a pandas DataFrame
        frame = dd.from_pandas(edges, npartitions=1, sort=False)
    else:
        raise GaspTypeError(
            "edges must be a dask DataFrame, a pandas DataFrame or the path of a Parquet "
            f"dataset, got {type(edges).__name__}"
        )
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise GaspValueError(
            f"edges has no column {missing[0]!r} (columns: {list(frame.columns)}); name the "
            "columns with source=, target=, weight=, size= and lifted="
        )
    return list(frame[names].to_delayed())


def _raw(df, p, cols: _Columns):
    """Validated numpy arrays of one partition: u, v, w, s (or None), lifted (bool or None),
    self-loops dropped (or refused with ``self_loops="error"``), and the largest node id of the
    partition, self-loops included (-1 when it is empty)."""
    try:
        e = as_edges(np.column_stack([np.asarray(df[cols.source]), np.asarray(df[cols.target])])
                     if len(df) else np.zeros((0, 2), dtype=np.int64))
        m = e.shape[0]
        w = as_weights(np.asarray(df[cols.weight]), m)
        s = None if cols.size is None else _per_edge("edge_sizes", np.asarray(df[cols.size]), m,
                                                     positive=True)
        lf = None if cols.lifted is None else as_lifted(np.asarray(df[cols.lifted]), m)
        loops = e[:, 0] == e[:, 1]
        if m:
            bad = (e < 0).any(axis=1)
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise GaspValueError(f"edges[{k}] = ({e[k, 0]}, {e[k, 1]}) has a negative node id")
            if loops.any() and cols.self_loops == "error":
                k = int(np.flatnonzero(loops)[0])
                raise self_loop_error(f"edges[{k}] = ({e[k, 0]}, {e[k, 1]})")
    except GaspError as exc:
        raise type(exc)(f"edge table, partition {p}: {exc}") from None
    hi = int(e.max()) if m else -1
    if loops.any():
        keep = ~loops
        e, w = e[keep], w[keep]
        s = None if s is None else s[keep]
        lf = None if lf is None else lf[keep]
    return hi, {
        "u": e[:, 0].copy(),
        "v": e[:, 1].copy(),
        "w": w,
        "s": s,
        "lifted": None if lf is None else lf.astype(bool),
    }


def _take(d, idx):
    return {k: (None if a is None else a[idx]) for k, a in d.items()}


def _concat(pieces):
    pieces = [q for q in pieces if q is not None]
    keys = pieces[0].keys()
    out = {}
    for k in keys:
        if any(q[k] is None for q in pieces):
            out[k] = None
        else:
            out[k] = np.concatenate([q[k] for q in pieces])
    return out


def _split_by(d, key, present):
    """Split the rows of d by ``key`` (row order kept inside each group); returns {k: rows}."""
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.searchsorted(ks, present, side="left")
    stops = np.searchsorted(ks, present, side="right")
    return {int(k): _take(d, order[a:b]) for k, a, b in zip(present, starts, stops)}


def _labels_from_rep(rep):
    """Labels numbered by first occurrence, from rep[i] = smallest node of i's cluster."""
    n = rep.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    is_root = rep == np.arange(n)
    return (np.cumsum(is_root) - 1)[rep].astype(np.int64)


def _rep_of(nodes, labels):
    """Smallest node of each node's cluster, given sorted ``nodes`` and their local labels."""
    _, first = np.unique(labels, return_index=True)
    return nodes[first][labels]


# --------------------------------------------------------------------------------------------
# partition_many
# --------------------------------------------------------------------------------------------


def _kind(item):
    if isinstance(item, dict):
        return "dict"
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return "pair"
    if hasattr(item, "adj") or hasattr(item, "tocsr"):
        return "graph"
    return None


def _solve_item(item, opts):
    kind = _kind(item)
    if kind == "dict":
        kw = {**opts, **item}
        try:
            edges, weights = kw.pop("edges"), kw.pop("weights")
        except KeyError as exc:
            raise GaspValueError(f"a graph given as a dict needs the key {exc.args[0]!r}") from None
        return gasp(edges, weights, **kw)
    if kind == "pair":
        return gasp(item[0], item[1], **opts)
    import gasp_graph

    front = getattr(gasp_graph, "partition", None)
    if not callable(front):
        raise GaspTypeError(
            f"partition_many() got a {type(item).__name__}: graphs and sparse matrices need the "
            "front end gasp_graph.partition, which this version lacks; pass (edges, weights) "
            "pairs or dicts of gasp() arguments"
        )
    return front(item, **opts)


def partition_many(graphs, *, client=None, **options):
    """Partition many independent graphs in parallel with GASP.

    Parameters
    ----------
    graphs : iterable
        Each item is an ``(edges, weights)`` pair, a dict of :func:`gasp_graph.gasp` arguments
        (with the keys ``"edges"`` and ``"weights"``; its other keys override ``options``), or a
        networkx graph / scipy sparse matrix, which is passed to ``gasp_graph.partition`` when that
        front end is available.
    client : distributed.Client, optional
        Run on this Dask cluster.  By default the problems run on Dask's threaded scheduler in this
        process (the C engine releases the GIL, so threads run in parallel).
    **options
        Options shared by every problem, as for :func:`gasp_graph.gasp` (``linkage``,
        ``cannot_link``, ``n_clusters``, ...).

    Returns
    -------
    list
        One result per input, in input order: labels arrays for pairs and dicts, whatever
        ``gasp_graph.partition`` returns for graphs.

    See Also
    --------
    gasp_graph.gasp : one problem on one machine.

    Examples
    --------
    >>> import numpy as np
    >>> from gasp_graph.dask import partition_many
    >>> triangle = (np.array([[0, 1], [1, 2], [0, 2]]), np.array([1.0, 1.0, -3.0]))
    >>> path = {"edges": [[0, 1], [1, 2]], "weights": [0.5, -0.5]}
    >>> partition_many([triangle, path], linkage="sum")
    [array([0, 0, 1]), array([0, 0, 1])]
    """
    dask = _require_dask()
    items = list(graphs)
    for i, item in enumerate(items):
        if _kind(item) is None:
            raise GaspTypeError(
                f"graphs[{i}] is a {type(item).__name__}; expected an (edges, weights) pair, a "
                "dict of gasp() arguments, a networkx graph or a scipy sparse matrix"
            )
    if client is None:
        tasks = [dask.delayed(_solve_item, pure=False)(item, options) for item in items]
        return _compute(None, tasks)
    futures = client.scatter(items, hash=False)
    return client.gather(client.map(_solve_item, futures, opts=options, pure=False))


# --------------------------------------------------------------------------------------------
# partition: exact decomposition into positive-edge components
# --------------------------------------------------------------------------------------------


def _star_forest(a, b):
    """Equivalence pairs (a[i] ~ b[i]) -> (nodes, roots): every non-root node and the smallest
    node of its class.  Classes are the connected components of the pairs."""
    if a.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    k, m = nodes.size, a.size
    g = coo_matrix((np.ones(m, dtype=np.int8), (inv[:m], inv[m:])), shape=(k, k)).tocsr()
    _, lab = connected_components(g, directed=False)
    roots = _rep_of(nodes, lab)
    keep = roots != nodes
    return nodes[keep], roots[keep]


def _scan_part(df, p, cols):
    """Pass 1 over one partition: validation, size, largest id, star forest of positive edges."""
    hi, d = _raw(df, p, cols)
    pos = d["w"] > 0
    nodes, roots = _star_forest(d["u"][pos], d["v"][pos])
    return nodes, roots, hi, int(d["u"].size)


def _merge_scans(*scans):
    nodes, roots = _star_forest(
        np.concatenate([s[0] for s in scans]), np.concatenate([s[1] for s in scans])
    )
    return nodes, roots, max(s[2] for s in scans), sum(s[3] for s in scans)


def _resolve_n(n_nodes, hi):
    if n_nodes is None:
        return hi + 1
    n = _as_int("n_nodes", n_nodes, minimum=0)
    if hi >= n:
        raise GaspValueError(f"the edge table holds node id {hi}, outside [0, n_nodes={n})")
    return n


def _tag_part(df, p, cols, comp):
    """Pass 2: the edges inside one positive component, tagged with it, and counts per component."""
    _, d = _raw(df, p, cols)
    cu, cv = comp[d["u"]], comp[d["v"]]
    inner = np.flatnonzero(cu == cv)
    d = _take(d, inner)
    d["c"] = cu[inner]
    cs, counts = np.unique(d["c"], return_counts=True)
    return d, cs, counts


def _counts(tagged):
    return tagged[1], tagged[2]


def _split_batches(tagged, batch_of_root):
    d = tagged[0]
    key = batch_of_root[d["c"]]
    present = np.unique(key)
    return _split_by(d, key, present)


def _piece(split, b):
    return split[b]


def _solve_batch(pieces, node_sizes, opts):
    d = _concat(pieces)
    nodes, inv = np.unique(np.concatenate([d["u"], d["v"]]), return_inverse=True)
    m = d["u"].size
    e = np.column_stack([inv[:m], inv[m:]])
    ns = None if node_sizes is None else node_sizes[nodes]
    labels = gasp(e, d["w"], n_nodes=nodes.size, lifted=d["lifted"], edge_sizes=d["s"],
                  node_sizes=ns, **opts)
    return nodes, _rep_of(nodes, labels)


def _assign_batches(comps, counts, target):
    """Components (with their edge counts) -> batch ids.  Components with at least ``target``
    edges get a batch of their own; smaller ones are packed, largest first, into batches of about
    ``target`` edges.  Returns (batch of each component, number of batches)."""
    order = np.argsort(-counts, kind="stable")
    batch = np.empty(comps.size, dtype=np.int64)
    b, load = -1, target
    for i in order:
        if load + counts[i] > target:
            b += 1
            load = 0
        batch[i] = b
        load += counts[i]
    return batch, b + 1


def partition(
    edges,
    *,
    n_nodes=None,
    source="u",
    target="v",
    weight="weight",
    lifted=None,
    size=None,
    client=None,
    batch_edges=None,
    **options,
):
    """Partition one large graph, held as a Dask DataFrame, exactly with GASP.

    The graph is split into the connected components of its positive edges (lifted ones
    included), which GASP never joins; the components are solved in parallel and the labels equal
    those of :func:`gasp_graph.gasp` on the whole graph, bit for bit.

    Parameters
    ----------
    edges : dask.dataframe.DataFrame, pandas.DataFrame or path
        The edge table, one row per edge, or the path of a Parquet dataset holding it.  Row order
        is the edge order of :func:`gasp_graph.gasp` (it breaks ties).
    n_nodes : int, optional
        Number of nodes (ids ``0 .. n_nodes-1``); defaults to the largest id + 1.
    source, target : str, default "u", "v"
        Columns of the two end nodes (integer ids).
    weight : str, default "weight"
        Column of the signed weights.
    lifted : str, optional
        Column of boolean lifted-edge flags.  By default every edge is local.
    size : str, optional
        Column of positive edge sizes (default 1).
    client : distributed.Client, optional
        Run on this Dask cluster; by default on the threaded scheduler in this process.
    batch_edges : int, optional
        Components are solved in batches of about this many edges (a larger component is a batch
        of its own).  Default: the edges divided by 4 x the number of workers, at least 50,000.
    **options
        ``linkage``, ``cannot_link``, ``merge_constrained_at_end``, ``node_sizes`` (an array of
        ``n_nodes`` values), ``size_regularizer``, ``linkage_param`` and ``self_loops``
        (rows with ``u == v`` are dropped, or refused with ``"error"``) as for
        :func:`gasp_graph.gasp`.  ``n_clusters`` and ``min_clusters`` are rejected: they are
        global targets.

    Returns
    -------
    labels : ndarray of int64, shape (n_nodes,)
        Cluster labels numbered by first occurrence, equal to ``gasp_graph.gasp``'s.

    Raises
    ------
    GaspValueError
        Invalid data (the message names the partition and the row), or ``n_clusters`` /
        ``min_clusters`` given.
    GaspTypeError
        ``edges`` is of an unsupported type, or an unknown option was given.

    Notes
    -----
    The algorithm reads the edge table twice.  Pass 1 computes, in every partition, the
    connected components of the positive edges (scipy), and merges these star forests in a tree
    reduction into one equivalence; the client then holds one component id per node.  Pass 2
    keeps, in every partition, the edges whose two ends lie in the same component (the others
    never influence a merge), groups them into batches of components, and solves every batch with
    the C engine.  Within a batch the edges keep their original relative order, so ties break as
    on one machine.  Every worker holds two arrays of ``n_nodes`` integers, and the edges inside
    components are held once in the workers' memory between the two steps of pass 2.  The user
    guide ("Dask") gives the argument for exactness.

    Examples
    --------
    >>> import pandas as pd
    >>> from gasp_graph.dask import partition
    >>> table = pd.DataFrame({"u": [0, 1, 0, 3, 2], "v": [1, 2, 2, 4, 3],
    ...                       "weight": [0.9, 0.8, -0.1, 0.7, -0.6]})
    >>> partition(table)
    array([0, 0, 0, 1, 1])
    """
    dask = _require_dask()
    opts = _graph_options(options, where="partition")
    node_sizes = opts.pop("node_sizes", None)
    cols = _Columns(source, target, weight, size, lifted,
                    self_loops_mode(opts.get("self_loops", "ignore")))
    parts = _partitions(edges, cols)

    scans = [dask.delayed(_scan_part, pure=False)(part, p, cols) for p, part in enumerate(parts)]
    nodes, roots, hi, m = _compute(client, [_tree(scans, _merge_scans)])[0]
    n = _resolve_n(n_nodes, hi)
    node_sizes = _node_sizes(node_sizes, n)
    rep = np.arange(n, dtype=np.int64)
    if m == 0 or roots.size == 0:
        return _labels_from_rep(rep)
    comp = rep.copy()
    comp[nodes] = roots

    comp_d = _share(comp, client)
    tagged = _persist(client, [
        dask.delayed(_tag_part, pure=False)(part, p, cols, comp_d) for p, part in enumerate(parts)
    ])
    counts = _compute(client, [dask.delayed(_counts, pure=True)(t) for t in tagged])
    comps = np.concatenate([c for c, _ in counts])
    sizes = np.concatenate([k for _, k in counts])
    comps, inv = np.unique(comps, return_inverse=True)
    sizes = np.bincount(inv, weights=sizes, minlength=comps.size).astype(np.int64)
    if batch_edges is None:
        target = max(50_000, math.ceil(sizes.sum() / (4 * _n_workers(client))))
    else:
        target = _as_int("batch_edges", batch_edges, minimum=1)
    batch, n_batches = _assign_batches(comps, sizes, target)
    batch_of_root = np.full(n, -1, dtype=np.int64)
    batch_of_root[comps] = batch
    parts_of = [[] for _ in range(n_batches)]
    for p, (cs, _) in enumerate(counts):
        for b in np.unique(batch_of_root[cs]):
            parts_of[b].append(p)

    batch_d = _share(batch_of_root, client)
    sizes_d = None if node_sizes is None else _share(node_sizes, client)
    splits = [dask.delayed(_split_batches, pure=True)(t, batch_d) for t in tagged]
    solves = [
        dask.delayed(_solve_batch, pure=True)(
            [dask.delayed(_piece, pure=True)(splits[p], b) for p in parts_of[b]], sizes_d, opts
        )
        for b in range(n_batches)
    ]
    for nodes_b, rep_b in _compute(client, solves):
        rep[nodes_b] = rep_b
    return _labels_from_rep(rep)


# --------------------------------------------------------------------------------------------
# partition_blockwise: hierarchical blocks for one giant component
# --------------------------------------------------------------------------------------------
#
# An edge of the (reduced) graph is carried as "statistics": u, v, first (the smallest original
# edge index it stands for: the engine's tie-breaking rank), S (sum of edge sizes), W and b (the
# linkage statistics below), local (any constituent is local), cons (a cannot-link constraint
# separates its two clusters).
#
#   sum               W = sum of s*w                       (engine value; size 1)
#   average           W = sum(s*w) / S                     (size S)
#   generalized_mean  W = f^-1(sum(s*f(w)) / S), f(w) = sign(w)|w|^p
#   max, min          W = max / min of w
#   abs_max           W = max of w, b = min of w; value = b if -b >= W else W (ties: negative)
#   smooth_max        W = sum(e*w) / sum(e), b = log sum(e), e = s*exp(p*w)  (closed form)
#
# A single edge has W = w (sum: s*w), so a level with one block feeds the engine the input itself.

_USES_SIZES = {"average", "generalized_mean", "smooth_max"}


def _signed_pow(x, p):
    return np.sign(x) * np.abs(x) ** p


def _stats_part(df, p, offset, cols, linkage, lp):
    _, d = _raw(df, p, cols)
    m = d["u"].size
    s = np.ones(m) if d["s"] is None else d["s"]
    w = d["w"]
    b = None
    if linkage == "abs_max":
        b = w.copy()
    elif linkage == "smooth_max":
        b = np.log(s) + lp * w
    return {
        "u": d["u"],
        "v": d["v"],
        "first": offset + np.arange(m, dtype=np.int64),
        "W": s * w if linkage == "sum" else w.copy(),
        "b": b,
        "S": s.copy(),
        "local": np.ones(m, bool) if d["lifted"] is None else ~d["lifted"],
        "cons": np.zeros(m, bool),
    }


def _value(st, linkage):
    if linkage == "abs_max":
        return np.where(-st["b"] >= st["W"], st["b"], st["W"])
    return st["W"]


def _aggregate(st, linkage, lp):
    """Fold parallel edges (same unordered pair) into one, with the statistics above."""
    u, v = st["u"], st["v"]
    if u.size == 0:
        return st
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    new = np.empty(lo.size, bool)
    new[0] = True
    new[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    starts = np.flatnonzero(new)
    grp = np.cumsum(new) - 1

    def red(ufunc, x):
        return ufunc.reduceat(x[order], starts)

    S = red(np.add, st["S"])
    W, b = st["W"][order], None
    if linkage == "sum":
        W = np.add.reduceat(W, starts)
    elif linkage == "average":
        W = np.add.reduceat(W * st["S"][order], starts) / S
    elif linkage == "generalized_mean":
        z = np.add.reduceat(_signed_pow(W, lp) * st["S"][order], starts) / S
        W = _signed_pow(z, 1.0 / lp)
    elif linkage == "max":
        W = np.maximum.reduceat(W, starts)
    elif linkage == "min":
        W = np.minimum.reduceat(W, starts)
    elif linkage == "abs_max":
        W = np.maximum.reduceat(W, starts)
        b = red(np.minimum, st["b"])
    else:  # smooth_max
        bb = st["b"][order]
        top = np.maximum.reduceat(bb, starts)
        e = np.exp(bb - top[grp])
        z = np.add.reduceat(e, starts)
        W = np.add.reduceat(e * W, starts) / z
        b = top + np.log(z)
    return {
        "u": lo[starts],
        "v": hi[starts],
        "first": red(np.minimum, st["first"]),
        "W": W,
        "b": b,
        "S": S,
        "local": red(np.logical_or, st["local"]),
        "cons": red(np.logical_or, st["cons"]),
    }


def _encode_constraints(W, S, cons, linkage, lp):
    """Give every constrained edge a negative value that dominates every fold it enters.

    In the cannot-link pass the value of a constrained pair never matters again; what matters is
    that the pair (and every pair it folds into) can never merge.  A value -H with H above the
    total mass of the other edges keeps every fold that contains it <= 0, so the engine pops such
    a pair with W <= 0 and installs the constraint itself.  (Not possible for max and smooth_max,
    where a negative value never dominates; those are rejected with cannot_link.)
    """
    free = ~cons
    a = np.abs(W[free])
    if linkage in ("min", "abs_max"):
        H = 2.0 * (a.max() if a.size else 0.0) + 1.0
    elif linkage == "sum":
        H = 2.0 * a.sum() + 1.0
    elif linkage == "average":
        H = 2.0 * (a * S[free]).sum() / S[cons].min() + 1.0
    else:  # generalized_mean
        H = (2.0 * (a**lp * S[free]).sum() / S[cons].min()) ** (1.0 / lp) + 1.0
    if not np.isfinite(H):
        raise GaspNumericError(
            "the weights are too large to carry cannot-link constraints between levels; rescale "
            "the weights"
        )
    W = W.copy()
    W[cons] = -H
    return W


def _block_split(st, block):
    bu, bv = block[st["u"]], block[st["v"]]
    inner = np.flatnonzero(bu == bv)
    key = bu[inner]
    present = np.unique(key)
    pieces = _split_by(_take(st, inner), key, present)
    cross = _take(st, np.flatnonzero(bu != bv))
    return pieces, cross, present


def _present(split):
    return split[2]


def _inner(split, b):
    return split[0][b]


def _cross(split):
    return split[1]


def _solve_block(pieces, node_sizes, opts, lp):
    st = _concat(pieces)
    st = _take(st, np.argsort(st["first"], kind="stable"))
    linkage = opts["linkage"]
    m = st["u"].size
    nodes, inv = np.unique(np.concatenate([st["u"], st["v"]]), return_inverse=True)
    W = _value(st, linkage)
    if opts.get("cannot_link") and st["cons"].any():
        W = _encode_constraints(W, st["S"], st["cons"], linkage, lp)
    lifted = None if st["local"].all() else ~st["local"]
    labels = gasp(
        np.column_stack([inv[:m], inv[m:]]),
        W,
        n_nodes=nodes.size,
        lifted=lifted,
        edge_sizes=st["S"] if linkage in _USES_SIZES else None,
        node_sizes=None if node_sizes is None else node_sizes[nodes],
        **opts,
    )
    rep = _rep_of(nodes, labels)
    ru, rv = rep[inv[:m]], rep[inv[m:]]
    keep = np.flatnonzero(ru != rv)
    red = _take(st, keep)
    red["u"], red["v"] = ru[keep], rv[keep]
    red = _aggregate(red, linkage, lp)
    if opts.get("cannot_link"):
        # At the end of the cannot-link pass every pair still joined by a local edge, or with a
        # linkage <= 0, carries a constraint (the queue only empties once each was popped).
        red["cons"] = red["cons"] | red["local"] | (_value(red, linkage) <= 0)
    return nodes, rep, red


def _labels_part(solved):
    return solved[0], solved[1]


def _reduced_part(solved):
    return solved[2]


def _contract(pieces, cmap, linkage, lp):
    st = _concat(pieces)
    st["u"], st["v"] = cmap[st["u"]], cmap[st["v"]]
    keep = np.flatnonzero(st["u"] != st["v"])
    return _aggregate(_take(st, keep), linkage, lp)


def _rows_part(df, p, cols):
    hi, d = _raw(df, p, cols)
    return d["u"].size, hi


def grid_blocks(shape, chunks):
    """Block ids of the voxels of a grid volume cut into chunks (C order, as ``np.ravel``).

    Parameters
    ----------
    shape : tuple of int
        Shape of the volume; node ``i`` is voxel ``np.unravel_index(i, shape)``.
    chunks : int or tuple of int
        Chunk shape (an int is used along every axis).

    Returns
    -------
    blocks : ndarray of int64, shape (prod(shape),)
        The chunk of every voxel, numbered in C order of the chunk grid.

    Examples
    --------
    >>> from gasp_graph.dask import grid_blocks
    >>> grid_blocks((2, 4), (2, 2))
    array([0, 0, 1, 1, 0, 0, 1, 1])
    """
    shape = tuple(_as_int("shape", s, minimum=1) for s in shape)
    if isinstance(chunks, numbers.Integral):
        chunks = (chunks,) * len(shape)
    chunks = tuple(_as_int("chunks", c, minimum=1) for c in chunks)
    if len(chunks) != len(shape):
        raise GaspValueError(f"chunks={chunks} must have one entry per axis of shape={shape}")
    grid = tuple(-(-s // c) for s, c in zip(shape, chunks))
    idx = np.indices(shape).reshape(len(shape), -1)
    coords = tuple(idx[k] // chunks[k] for k in range(len(shape)))
    return np.ravel_multi_index(coords, grid).astype(np.int64)


def partition_blockwise(
    edges,
    *,
    n_nodes=None,
    source="u",
    target="v",
    weight="weight",
    lifted=None,
    size=None,
    blocks=None,
    block_size=None,
    fanin=4,
    client=None,
    **options,
):
    """Partition one giant graph with hierarchical blockwise GASP (approximate).

    Nodes are grouped into blocks.  Every block is solved with GASP on its inner edges; what a
    block merged is contracted, with exact linkage statistics, into a reduced graph whose edges
    aggregate all original edges between two clusters (crossing edges included).  The reduced
    graph is solved again with ``fanin`` times larger blocks, until one block is left, which is
    solved on one machine.  The result can differ from :func:`gasp_graph.gasp` on the whole
    graph: merges inside a block are decided without the edges leaving it.

    Parameters
    ----------
    edges : dask.dataframe.DataFrame, pandas.DataFrame or path
        The edge table (see :func:`partition`).
    n_nodes, source, target, weight, lifted, size, client
        As for :func:`partition`.
    blocks : array_like of int, shape (n_nodes,), optional
        Block id of every node (for a grid volume, :func:`grid_blocks`).  Blocks with nearby ids
        are merged first at the next level.
    block_size : int, optional
        Without ``blocks``: nodes ``0 .. block_size-1`` form block 0, and so on.  Default: the
        nodes divided by the number of workers.
    fanin : int, default 4
        Number of blocks of one level that form one block of the next level (>= 2).
    **options
        ``linkage``, ``cannot_link``, ``node_sizes``, ``size_regularizer``, ``linkage_param``
        and ``self_loops`` as for :func:`gasp_graph.gasp`.  ``n_clusters``, ``min_clusters`` and
        ``merge_constrained_at_end`` are rejected, and so is ``cannot_link`` with the ``max`` and
        ``smooth_max`` linkages (their constraints cannot be carried to the next level).

    Returns
    -------
    labels : ndarray of int64, shape (n_nodes,)
        Cluster labels numbered by first occurrence.

    Notes
    -----
    With a single block the result is exactly that of :func:`gasp_graph.gasp`.  Clusters that a
    cannot-link constraint separated inside a block are never joined later: the constraint is
    carried as a flag of the reduced edge and given to the engine as a dominating negative value
    (only the constrained pass runs, where a constrained pair's value no longer matters).  A pair
    joined only by lifted edges whose linkage is positive at the end of its block is carried
    without a constraint.  For ``smooth_max``, whose pairwise fold depends on the merge history,
    the contraction uses the closed form ``sum(e*w) / sum(e)`` with ``e = s*exp(p*w)``.

    Examples
    --------
    Two blocks of three nodes; the edges 2-3 and 0-5 cross the blocks.  Each block merges its
    chain, then the two block clusters are joined by the average of 0.5 and -2.0, which repels:

    >>> import pandas as pd
    >>> from gasp_graph.dask import partition_blockwise
    >>> table = pd.DataFrame({"u": [0, 1, 2, 3, 4, 0], "v": [1, 2, 3, 4, 5, 5],
    ...                       "weight": [1.0, 1.0, 0.5, 1.0, 1.0, -2.0]})
    >>> partition_blockwise(table, block_size=3)
    array([0, 0, 0, 1, 1, 1])
    """
    dask = _require_dask()
    opts = _graph_options(options, where="partition_blockwise")
    if opts.get("merge_constrained_at_end"):
        raise GaspValueError(
            "merge_constrained_at_end=True is not supported by partition_blockwise(): the "
            "unconstrained pass would need the constraints of every level at once"
        )
    linkage = opts["linkage"]
    if opts.get("cannot_link") and linkage in ("max", "smooth_max"):
        raise GaspValueError(
            f"cannot_link=True with linkage={linkage!r} is not supported by "
            "partition_blockwise(): a constraint cannot be carried to the next level as a value"
        )
    fanin = _as_int("fanin", fanin, minimum=2)
    node_sizes = opts.pop("node_sizes", None)
    lp = prepare(np.zeros((0, 2), np.int64), np.zeros(0), n_nodes=0, linkage=linkage,
                 linkage_param=opts.get("linkage_param")).linkage_param
    cols = _Columns(source, target, weight, size, lifted,
                    self_loops_mode(opts.get("self_loops", "ignore")))
    parts = _partitions(edges, cols)

    rows = _compute(client, [
        dask.delayed(_rows_part, pure=False)(part, p, cols) for p, part in enumerate(parts)
    ])
    hi = max((h for _, h in rows), default=-1)
    n = _resolve_n(n_nodes, hi)
    node_sizes = _node_sizes(node_sizes, n)
    if opts.get("size_regularizer", 0.0) > 0 and node_sizes is None:
        node_sizes = np.ones(n)
    if opts.get("size_regularizer", 0.0) == 0:
        node_sizes = None
    if blocks is not None:
        blk = np.asarray(blocks)
        if blk.shape != (n,) or blk.dtype.kind not in "iu":
            raise GaspValueError(
                f"blocks must be an integer array of shape ({n},), got shape {blk.shape} and "
                f"dtype {blk.dtype}"
            )
        block = np.unique(blk, return_inverse=True)[1].reshape(-1).astype(np.int64)
    else:
        if block_size is None:
            block_size = max(1, math.ceil(n / _n_workers(client)))
        block = np.arange(n, dtype=np.int64) // _as_int("block_size", block_size, minimum=1)
    offsets = np.concatenate([[0], np.cumsum([r for r, _ in rows])])
    parts = [
        dask.delayed(_stats_part, pure=False)(part, p, int(offsets[p]), cols, linkage, lp)
        for p, part in enumerate(parts)
    ]

    total = np.arange(n, dtype=np.int64)  # cluster of every original node at the current level
    cur_n = n
    while cur_n > 0:
        last = block.min() == block.max()
        block_d = _share(block, client)
        splits = _persist(client, [
            dask.delayed(_block_split, pure=True)(part, block_d) for part in parts
        ])
        present = _compute(client, [dask.delayed(_present, pure=True)(s) for s in splits])
        parts_of = {}
        for p, bs in enumerate(present):
            for b in bs:
                parts_of.setdefault(int(b), []).append(p)
        sizes_d = None if node_sizes is None else _share(node_sizes, client)
        solved = _persist(client, [
            dask.delayed(_solve_block, pure=True)(
                [dask.delayed(_inner, pure=True)(splits[p], b) for p in ps], sizes_d, opts, lp
            )
            for b, ps in sorted(parts_of.items())
        ])
        rep = np.arange(cur_n, dtype=np.int64)
        for nodes_b, rep_b in _compute(
            client, [dask.delayed(_labels_part, pure=True)(s) for s in solved]
        ):
            rep[nodes_b] = rep_b
        cmap = _labels_from_rep(rep)
        total = cmap[total]
        if last:
            break
        roots = np.flatnonzero(rep == np.arange(cur_n))
        block = block[roots] // fanin
        if node_sizes is not None:
            node_sizes = np.bincount(cmap, weights=node_sizes, minlength=roots.size)
        cur_n = roots.size
        cmap_d = _share(cmap, client)
        pieces = [dask.delayed(_cross, pure=True)(s) for s in splits]
        pieces += [dask.delayed(_reduced_part, pure=True)(s) for s in solved]
        parts = [
            dask.delayed(_contract, pure=True)(pieces[i : i + fanin], cmap_d, linkage, lp)
            for i in range(0, len(pieces), fanin)
        ]
    return total  # cluster ids follow the smallest node: numbered by first occurrence
