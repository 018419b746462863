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
from ._validation import _per_edge
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
    if options.get("n_clusters") is not None:
        raise GaspValueError(
            f"n_clusters={options['n_clusters']!r} is not supported by {where}(): it is a global "
            "stop (the number of clusters left over the whole graph), so it cannot be split over "
            "independent pieces; use gasp_graph.gasp on one machine"
        )
    opts = {k: v for k, v in options.items() if k != "n_clusters"}
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
    """Validated numpy arrays of one partition: u, v, w, s (or None), lifted (bool or None)."""
    try:
        e = as_edges(np.column_stack([np.asarray(df[cols.source]), np.asarray(df[cols.target])])
                     if len(df) else np.zeros((0, 2), dtype=np.int64))
        m = e.shape[0]
        w = as_weights(np.asarray(df[cols.weight]), m)
        s = None if cols.size is None else _per_edge("edge_sizes", np.asarray(df[cols.size]), m,
                                                     positive=True)
        lf = None if cols.lifted is None else as_lifted(np.asarray(df[cols.lifted]), m)
        if m:
            bad = (e < 0).any(axis=1) | (e[:, 0] == e[:, 1])
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                what = "is a self-loop" if e[k, 0] == e[k, 1] else "has a negative node id"
                raise GaspValueError(f"edges[{k}] = ({e[k, 0]}, {e[k, 1]}) {what}")
    except GaspError as exc:
        raise type(exc)(f"edge table, partition {p}: {exc}") from None
    return {
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
    d = _raw(df, p, cols)
    pos = d["w"] > 0
    nodes, roots = _star_forest(d["u"][pos], d["v"][pos])
    hi = int(max(d["u"].max(), d["v"].max())) if d["u"].size else -1
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
    d = _raw(df, p, cols)
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
        ``n_nodes`` values), ``size_regularizer`` and ``linkage_param`` as for
        :func:`gasp_graph.gasp`.  ``n_clusters`` is rejected: it is a global stop.

    Returns
    -------
    labels : ndarray of int64, shape (n_nodes,)
        Cluster labels numbered by first occurrence, equal to ``gasp_graph.gasp``'s.

    Raises
    ------
    GaspValueError
        Invalid data (the message names the partition and the row) or ``n_clusters`` given.
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
    cols = _Columns(source, target, weight, size, lifted)
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
