"""The ``gasp-graph`` command: partition a signed graph given as an edge table or a graph file.

Edge tables (whitespace-separated, CSV, TSV; compressed or not; with or without a header; any
node names) are read by :func:`gasp_graph.io.read_edge_table`, without networkx, and partitioned
with :func:`gasp_graph.gasp`.  GraphML, GML and networkx's edge lists with attribute dicts are
read with networkx (:func:`gasp_graph.io.read_graph`) and partitioned with
:func:`gasp_graph.partition`.

Run ``gasp-graph --help`` for the options.  Without an input file (and with nothing piped in)
the command partitions a small bundled example graph (a planted partition) and prints a summary,
including how well the planted clusters were recovered.  Errors in the input (file, line and what
is wrong) go to stderr with exit status 2.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import lzma
import os
import re
import stat
import sys
import time
import warnings
import zlib
from pathlib import Path

import numpy as np

from . import __version__
from ._validation import LINKAGE_ALIASES, LINKAGES, normalize_linkage, prepare
from .arrays import gasp
from .partition import _warn_unsigned
from .exceptions import GaspError, GaspWarning
from .io import FORMATS, EdgeListError, open_text, read_edge_table
from .weights import signed_weights

__all__ = ["EdgeListError", "main", "read_edge_list"]

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_EDGES = DATA / "example_edges.txt"
EXAMPLE_TRUTH = DATA / "example_truth.txt"

EXIT_OK = 0
EXIT_ERROR = 2

_EPILOG = """\
input:
  An edge table, one edge per line: two node columns, a weight column (> 0 attracts, < 0
  repels) and optionally a lifted column (0 = local edge, 1 = lifted: it adds to the linkage
  but never merges by itself).  Columns are separated by whitespace, commas (.csv) or tabs
  (.tsv, .tab); for other names the first line decides.  Nodes may be any names ("alice",
  "Q42", 17); an integer id is the same node however it is written.  Everything after a '#'
  is a comment; blank lines are skipped; repeated pairs are folded with the linkage rule.
  A header line (e.g. "source,target,weight") is detected, or forced with --header /
  --no-header; --source, --target, --weight and --lifted choose columns by header name or by
  position (1 = first).  Without a header the layout is "u v weight [lifted]".
  Files ending in .gz, .bz2 or .xz are decompressed, a UTF-8 byte-order mark is skipped.
  "-" (or data piped in without a file name) reads standard input.

output:
  One "node label" line per node, labels 0..k-1 numbered by first occurrence.  Integer ids are
  listed in increasing order, names in order of first appearance.  A CSV or TSV input gives a
  CSV or TSV output (with a "node,label" header when the input had a header).  With no input,
  the bundled example graph (200 nodes, 5 planted clusters) is partitioned and a summary is
  printed instead; add -o FILE to also write its labels.

graph files (need networkx):
  GraphML (.graphml) and GML (.gml) files (optionally compressed), --format graphml / gml,
  and edge lists whose lines carry attribute dicts ("u v {'weight': 0.7}", networkx's
  write_edgelist) are read with networkx.  --weight NAME names the weight attribute (default
  "weight"); given twice (--weight att --weight rep) the weight is att - rep.  --lifted NAME
  names a boolean attribute marking lifted edges.  A directed graph is an error (convert it
  first).

exit status:
  0 on success, 2 on a usage error or an invalid input file (the message names the file and
  the line).

examples:
  gasp-graph                                 # summary of the bundled example
  gasp-graph --linkage max --cannot-link     # the same example, another configuration
  gasp-graph edges.csv -o labels.csv         # CSV with a header, any node names
  gasp-graph pairs.tsv.gz --source left --target right --weight score
  cat edges.txt | gasp-graph --n-clusters 10 --summary
  gasp-graph graph.graphml --weight score --lifted long_range
  gasp-graph pairs.txt --weight match --weight mismatch   # columns 3 and 4: w = 3rd - 4th
"""


def _prog() -> str:
    """The command's name in messages: ``gasp-graph``, or how ``scripts/run.sh`` was called
    (it sets GASP_GRAPH_PROG, since ``gasp-graph`` is not on PATH outside the environment)."""
    return os.environ.get("GASP_GRAPH_PROG") or "gasp-graph"


def _build_parser() -> argparse.ArgumentParser:
    linkages = ", ".join(LINKAGES)
    aliases = ", ".join(sorted(a for a in LINKAGE_ALIASES if a not in LINKAGES))
    p = argparse.ArgumentParser(
        prog=_prog(),
        description=(
            "Partition a signed graph with GASP (generalized agglomerative clustering of signed\n"
            "graphs): correlation clustering, multicut-style segmentation, deduplication, ..."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "input",
        nargs="?",
        metavar="EDGES",
        help="edge table or graph file ('-' for standard input; see 'input' below).  Default: "
        "standard input when data is piped in, else the bundled example graph.",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the 'node label' lines to FILE instead of standard output",
    )
    p.add_argument(
        "--linkage",
        default="average",
        metavar="NAME",
        help=f"linkage rule: {linkages} (aliases: {aliases}).  Default: average.",
    )
    p.add_argument(
        "--cannot-link",
        action="store_true",
        help="process cluster pairs by decreasing |linkage| and forbid merging pairs whose "
        "linkage is <= 0 when reached (constraints are inherited by later merges)",
    )
    p.add_argument(
        "--merge-constrained-at-end",
        action="store_true",
        help="with --cannot-link: after the constrained pass, drop the constraints and continue "
        "with the unconstrained algorithm",
    )
    p.add_argument(
        "--n-clusters",
        type=int,
        metavar="K",
        help="exactly K clusters (K >= 1): after GASP's merges, keep merging the best local "
        "pairs, whatever their sign, until K remain (a warning if the graph has more than K "
        "connected components)",
    )
    p.add_argument(
        "--min-clusters",
        type=int,
        metavar="K",
        help="stop early, as soon as at most K clusters remain (K >= 1); not with --n-clusters",
    )
    p.add_argument(
        "--size-regularizer",
        type=float,
        default=0.0,
        metavar="R",
        help="R >= 0: scale priorities by (|A|^-R + |B|^-R)/2 for clusters of sizes |A|, |B|, "
        "favouring merges of small clusters.  Default: 0.",
    )
    p.add_argument(
        "--linkage-param",
        type=float,
        metavar="P",
        help="parameter p of generalized_mean (p > 0) and smooth_max; default 1",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="input format: edgelist (whitespace), csv, tsv, graphml, gml.  Default: from the "
        "extension, else what the first line uses.  An explicit format fixes the delimiter.",
    )
    p.add_argument(
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the first line is (--header) or is not (--no-header) a header naming the "
        "columns.  Default: detected (a line of names above lines with numbers).",
    )
    p.add_argument("--source", metavar="COL",
                   help="the first node column: header name or position (default: 'source', "
                   "'u', 'from', ... or column 1)")
    p.add_argument("--target", metavar="COL",
                   help="the second node column (default: 'target', 'v', 'to', ... or column 2)")
    p.add_argument(
        "--weight",
        action="append",
        metavar="COL",
        help="the weight column (header name or position; default 'weight' or column 3), or "
        "the weight attribute of a graph file; give it twice for an (attractive, repulsive) "
        "pair: weight = first - second",
    )
    p.add_argument(
        "--lifted",
        metavar="COL",
        help="the column (graph files: the boolean attribute) of 0/1 flags marking lifted "
        "(long-range) edges (default: a 'lifted' column, or column 4 without a header)",
    )
    p.add_argument(
        "--default-weight",
        type=float,
        metavar="X",
        help="weight of edges whose weight is missing (an empty field, no weight column, or no "
        "weight attribute); default: a missing weight is an error",
    )
    p.add_argument(
        "--kind",
        choices=("linear", "logit"),
        default=None,
        help="the weight column holds probabilities in [0, 1] that two nodes belong together "
        "(match scores, predicted affinities): map each p to a signed weight, linear: w = p - "
        "BETA, logit: w = log(p/(1-p)) - log(BETA/(1-BETA)). Default: the weights are used as "
        "they are",
    )
    p.add_argument(
        "--beta",
        type=float,
        default=None,
        metavar="BETA",
        help="with --kind: the probability that maps to weight 0 (0 < BETA < 1); larger gives "
        "more, smaller clusters. Default: 0.5",
    )
    p.add_argument(
        "--self-loops",
        choices=("ignore", "error"),
        default="ignore",
        help="what to do with an edge from a node to itself: ignore it (default: it never "
        "changes a merge) or stop with an error",
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="print the summary (sizes, clusters, time) to stderr when partitioning a file",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


# --------------------------------------------------------------------------------------------
# reading


def read_edge_list(lines, name: str = "<input>"):
    """Parse the lines of an edge table into node names, edge index arrays, weights and flags.

    The reader of the command line (:func:`gasp_graph.io.read_edge_table`) on lines already
    in memory: any delimiter (whitespace, comma, tab: what the first line uses), an optional
    header, ``u v weight [lifted]`` columns.

    Parameters
    ----------
    lines : iterable of str
        The lines of the file (for instance an open text file).
    name : str
        The file name used in error messages.

    Returns
    -------
    nodes : ndarray, shape (n,)
        The distinct nodes: int64 ids sorted when every node field is an integer, else the
        names (dtype object) in order of first appearance.
    edges : ndarray of int64, shape (m, 2)
        Edges as positions into ``nodes``.
    weights : ndarray of float64, shape (m,)
    lifted : ndarray of bool, shape (m,), or None
        None when no line has a 4th column.

    Raises
    ------
    EdgeListError
        With the file name, the line number and what is wrong.

    Examples
    --------
    >>> nodes, edges, weights, lifted = read_edge_list(["# u v w", "10 20 0.5", "20 30 -1"])
    >>> nodes
    array([10, 20, 30])
    >>> edges
    array([[0, 1],
           [1, 2]])
    >>> weights
    array([ 0.5, -1. ])
    >>> lifted is None
    True
    """
    t = read_edge_table(lines=lines, name=name)
    return _node_array(t.nodes), t.edges, t.weights, t.lifted


def _node_array(nodes):
    if nodes and all(isinstance(v, int) for v in nodes) and -(2**63) <= nodes[0] and \
            nodes[-1] < 2**63:
        return np.array(nodes, dtype=np.int64)
    out = np.empty(len(nodes), dtype=object)
    out[:] = nodes
    return out


def _stdin_has_data() -> bool:
    """True when standard input is a pipe or a file (not a terminal, not /dev/null, not closed)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # closed, or replaced by an object without fd
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


# --------------------------------------------------------------------------------------------
# summary


def adjusted_rand_index(a, b) -> float:
    """Adjusted Rand index of two labelings (1 = identical up to relabelling, ~0 = chance).

    Examples
    --------
    >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2])
    1.0
    """
    _, ai = np.unique(np.asarray(a), return_inverse=True)
    _, bi = np.unique(np.asarray(b), return_inverse=True)
    n = ai.size
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.float64)
    np.add.at(table, (ai, bi), 1.0)

    def pairs(x):
        return float((x * (x - 1) / 2).sum())

    both = pairs(table)
    sa, sb = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = sa * sb / total if total else 0.0
    top = (sa + sb) / 2
    if top == expected:  # both labelings trivial (all one cluster or all singletons)
        return 1.0
    return (both - expected) / (top - expected)


def _summary(*, source, nodes, edges, lifted, labels, options, seconds_read, seconds_run,
             truth=None) -> str:
    sizes = np.bincount(labels) if labels.size else np.zeros(0, dtype=np.int64)
    order = np.sort(sizes)[::-1]
    k = int(sizes.size)
    n_lifted = int(lifted.sum()) if lifted is not None else 0
    opts = ", ".join(f"{key}={value}" for key, value in options.items())
    lines = [
        f"input        {source}",
        f"graph        {len(nodes)} nodes, {edges.shape[0]} edges"
        + (f" ({n_lifted} lifted)" if n_lifted else ""),
        f"options      {opts}",
        f"clusters     {k}  ({int((sizes == 1).sum())} singletons)",
        "largest      " + ", ".join(str(int(s)) for s in order[:10]) + (" ..." if k > 10 else ""),
        f"time         read {seconds_read * 1e3:.1f} ms, partition {seconds_run * 1e3:.1f} ms",
    ]
    if truth is not None:
        ari = adjusted_rand_index(labels, truth)
        true_sizes = np.sort(np.bincount(truth))[::-1]
        lines.append(
            f"planted      {true_sizes.size} clusters of sizes "
            + ", ".join(str(int(s)) for s in true_sizes)
        )
        lines.append(
            f"recovery     adjusted Rand index {ari:.3f}"
            + ("  (recovered exactly)" if ari == 1.0 else "  (1 = exact recovery, 0 = chance)")
        )
    return "\n".join(lines)


def _read_truth(nodes):
    table = np.loadtxt(EXAMPLE_TRUTH, dtype=np.int64, comments="#", ndmin=2)
    truth = dict(zip(table[:, 0].tolist(), table[:, 1].tolist()))
    return np.array([truth[int(v)] for v in nodes], dtype=np.int64)


_OPTION_NAMES = {
    "default_weight": "--default-weight",
    "beta": "--beta",
    "self_loops": "--self-loops",
    "merge_constrained_at_end": "--merge-constrained-at-end",
    "size_regularizer": "--size-regularizer",
    "linkage_param": "--linkage-param",
    "min_clusters": "--min-clusters",  # before n_clusters, which it contains
    "n_clusters": "--n-clusters",
    "cannot_link": "--cannot-link",
}


def _option_message(message: str) -> str:
    """A validation message with the Python argument names replaced by the option names."""
    for name, option in _OPTION_NAMES.items():
        # a whole word only, never inside an option name already there (--beta, --min-clusters)
        word = rf"(?<![\w-]){re.escape(name)}(?!\w)"
        message = re.sub(word + "=True", option, message)
        message = re.sub(word + "=", option + " ", message)
        message = re.sub(word, option, message)
    return re.sub(r"(?<![\w-])linkage=", "--linkage ", message)


@contextlib.contextmanager
def _warnings_to_stderr():
    """Print gasp_graph's warnings as ``gasp-graph: warning: ...`` lines (others pass through)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GaspWarning)
        yield
    for w in caught:
        if issubclass(w.category, GaspWarning):
            print(f"gasp-graph: warning: {_option_message(str(w.message))}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _write_labels(out, nodes, labels, delimiter=None, header=False) -> None:
    """One "node label" line per node, in the input's delimiter (CSV quoting for CSV/TSV)."""
    if delimiter is None:
        out.write("".join(f"{v} {c}\n" for v, c in zip(nodes, labels.tolist())))
        return
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(["node", "label"])
    writer.writerows(zip(nodes, labels.tolist()))


# --------------------------------------------------------------------------------------------
# main


def _wants_networkx(args, path: str) -> bool:
    """GraphML / GML (by --format or extension), or an edge list with attribute dicts."""
    from .io import _EXTENSIONS, _suffix

    fmt = args.format or _EXTENSIONS.get(_suffix(path))
    if fmt in ("graphml", "gml"):
        return True
    if path == "-" or fmt not in (None, "edgelist"):
        return False
    try:  # networkx's write_edgelist format: "u v {'weight': 0.7}"
        with open_text(path) as f:
            for raw in f:
                line = raw.split("#", 1)[0].strip()
                if line:
                    return "{" in line
    except (EdgeListError, UnicodeDecodeError, OSError, EOFError, lzma.LZMAError, zlib.error):
        return False  # the table reader reports it
    return False


def _warn_without_repulsion(weights, options) -> None:
    """partition's warning for an edge table that only attracts, with the command line's advice
    (--kind for probabilities)."""
    advice = ""
    if ((weights >= 0) & (weights <= 1)).all():
        advice = (" The weights are all in [0, 1]: if they are probabilities or match scores, "
                  "add --kind linear (w = p - 0.5; --beta sets the split point) or --kind logit.")
    _warn_unsigned(weights, None, options.get("n_clusters") or options.get("min_clusters"),
                   advice=advice)


def _main_networkx(args, path: str, options: dict, fail, mapping=None) -> int:
    """Read ``path`` with networkx and partition it with gasp_graph.partition."""
    if path == "-":
        return fail(f"--format {args.format} cannot be read from standard input; save the "
                    "graph to a file (compressed or not) and pass its name")
    try:
        import networkx as nx
    except ImportError:
        return fail(f"{path}: reading this format needs networkx "
                    "(pip install 'gasp_graph[networkx]')")
    from .io import read_graph
    from .partition import partition

    names = list(args.weight or ["weight"])
    if len(names) > 2:
        return fail(f"--weight given {len(names)} times; give one name, or two (att, rep)")
    weight = names[0] if len(names) == 1 else (names[0], names[1])
    columns = tuple(names) + ((args.lifted,) if args.lifted else ())
    t0 = time.perf_counter()
    try:
        G = read_graph(path, format=args.format, edge_attributes=columns)
    except (GaspError, OSError, EOFError) as exc:
        return fail(_option_message(str(exc)))
    if mapping is not None:
        try:
            signed_weights(G, weight, out=weight, **mapping)
        except GaspError as exc:
            return fail(f"{path}: {_option_message(str(exc))} (--kind {args.kind} maps "
                        "probabilities in [0, 1]; leave it out for signed weights)")
    t1 = time.perf_counter()
    try:
        with _warnings_to_stderr():
            communities = partition(G, weight=weight, lifted=args.lifted,
                                    default_weight=args.default_weight,
                                    self_loops=args.self_loops, **options)
    except nx.NetworkXNotImplemented:
        return fail(f"{path}: the graph is directed; GASP needs an undirected graph "
                    "(convert it, e.g. with networkx's G.to_undirected())")
    except GaspError as exc:
        return fail(f"{path}: {_option_message(str(exc))}")
    t2 = time.perf_counter()
    cluster_of = {}
    for i, nodes in enumerate(communities):
        for node in nodes:
            cluster_of[node] = i
    first = {}
    lines = []
    for node in G.nodes:
        label = first.setdefault(cluster_of[node], len(first))
        lines.append(f"{node} {label}\n")
    try:
        if args.output is not None:
            with open(args.output, "w", encoding="utf-8") as f:
                f.writelines(lines)
        else:
            sys.stdout.writelines(lines)
    except OSError as exc:
        return fail(f"{args.output}: cannot write ({exc.strerror})")
    if args.summary:
        sizes = sorted((len(c) for c in communities), reverse=True)
        print(
            f"input        {path} (networkx)\n"
            f"graph        {G.number_of_nodes()} nodes, {G.number_of_edges()} edges\n"
            f"clusters     {len(communities)}\n"
            f"largest      {', '.join(str(x) for x in sizes[:5])}\n"
            f"time         read {1e3 * (t1 - t0):.1f} ms, partition {1e3 * (t2 - t1):.1f} ms",
            file=sys.stderr,
        )
    return EXIT_OK


def main(argv=None) -> int:
    """Run the ``gasp-graph`` command and return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (without the program name); default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 on a usage error or an invalid input file (the message goes to stderr).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "edges.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("0 1 0.9\\n1 2 0.8\\n2 3 -0.7\\n3 4 0.6\\n")
    >>> main([path])
    0 0
    1 0
    2 0
    3 1
    4 1
    0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse already printed
        return int(exc.code) if exc.code is not None else EXIT_OK

    def fail(message: str) -> int:
        print(f"gasp-graph: error: {message}", file=sys.stderr)
        return EXIT_ERROR

    try:
        linkage = normalize_linkage(args.linkage)
    except GaspError as exc:
        return fail(str(exc).replace("linkage=", "--linkage "))
    options = {"linkage": linkage}
    if args.cannot_link:
        options["cannot_link"] = True
    if args.merge_constrained_at_end:
        options["merge_constrained_at_end"] = True
    if args.n_clusters is not None:
        options["n_clusters"] = args.n_clusters
    if args.min_clusters is not None:
        options["min_clusters"] = args.min_clusters
    if args.size_regularizer:
        options["size_regularizer"] = args.size_regularizer
    if args.linkage_param is not None:
        options["linkage_param"] = args.linkage_param
    try:  # check the options before reading a possibly large file
        prepare(np.zeros((0, 2), dtype=np.int64), np.zeros(0), n_nodes=0, **options)
    except GaspError as exc:
        return fail(_option_message(str(exc)))
    if args.beta is not None and args.kind is None:
        return fail("--beta applies to probabilities: give --kind linear or --kind logit too")
    mapping = None
    if args.kind is not None and args.weight and len(args.weight) > 1:
        return fail("--kind maps one probability column: give --weight once")
    if args.kind is not None:
        mapping = {"kind": args.kind, "beta": 0.5 if args.beta is None else args.beta}
        try:
            signed_weights(np.zeros(0), **mapping)
        except GaspError as exc:
            return fail(_option_message(str(exc)))

    path = args.input
    if path is None and _stdin_has_data():
        path = "-"
    example = path is None
    if example:
        path = str(EXAMPLE_EDGES)
    elif _wants_networkx(args, path):
        return _main_networkx(args, path, options, fail, mapping)
    t0 = time.perf_counter()
    try:
        table = read_edge_table(
            path, stdin=sys.stdin, format=args.format, header=args.header, source=args.source,
            target=args.target, weight=args.weight, lifted=args.lifted,
            default_weight=args.default_weight,
        )
    except EdgeListError as exc:
        return fail(_option_message(str(exc)))
    nodes, edges, weights, lifted = table.nodes, table.edges, table.weights, table.lifted
    name = "<stdin>" if path == "-" else path
    if args.self_loops == "error":
        loops = np.flatnonzero(edges[:, 0] == edges[:, 1])
        if loops.size:
            k = int(loops[0])
            node = nodes[edges[k, 0]]
            return fail(f"{name}, line {table.lines[k]}: self-loop ({node}, {node}); an edge "
                        "needs two different nodes (or leave out --self-loops error)")
    if mapping is not None:
        bad = np.flatnonzero(~((weights >= 0) & (weights <= 1)))
        if bad.size:
            k = int(bad[0])
            return fail(f"{name}, line {table.lines[k]}: weight {float(weights[k])!r} is not a "
                        f"probability in [0, 1] (--kind {args.kind} maps probabilities; leave it "
                        "out for signed weights)")
        weights = signed_weights(weights, **mapping)
    t1 = time.perf_counter()
    try:
        with _warnings_to_stderr():
            if not example:
                _warn_without_repulsion(weights, options)
            labels = gasp(edges, weights, n_nodes=len(nodes), lifted=lifted, **options)
    except GaspError as exc:  # the checks above and in the reader leave little to fail here
        return fail(f"{name}: {_option_message(str(exc))}")
    t2 = time.perf_counter()

    try:
        if args.output is not None:
            try:
                with open(args.output, "w", encoding="utf-8", newline="") as f:
                    _write_labels(f, nodes, labels, table.delimiter, table.header is not None)
            except OSError as exc:
                return fail(f"{args.output}: cannot write ({exc.strerror})")
        elif not example:
            _write_labels(sys.stdout, nodes, labels, table.delimiter, table.header is not None)
        if example or args.summary:
            text = _summary(
                source=f"bundled example ({EXAMPLE_EDGES})" if example else name,
                nodes=nodes,
                edges=edges,
                lifted=lifted,
                labels=labels,
                options=options,
                seconds_read=t1 - t0,
                seconds_run=t2 - t1,
                truth=_read_truth(nodes) if example else None,
            )
            if example:
                prog = _prog()
                text += (
                    "\n\nThis was the bundled example graph.  Partition your own edge list with"
                    f"\n'{prog} EDGES [-o FILE]'; '{prog} --help' lists the options."
                )
            print(text, file=sys.stdout if example else sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. "gasp-graph edges.txt | head": stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush is silent
        return EXIT_OK
    return EXIT_OK
