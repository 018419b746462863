"""The ``gasp-graph`` command: partition a signed graph given as an edge-list file.

Plain numeric edge lists are read by a small parser of its own (errors name the line; networkx
is not needed).  GraphML, GML and edge lists with named attributes are read with networkx
(:func:`gasp_graph.io.read_graph`) and partitioned with :func:`gasp_graph.partition`, selected by
the file extension, ``--format``, or the attribute options ``--weight`` / ``--lifted``.

Run ``gasp-graph --help`` for the options.  Without an input file the command partitions a small
bundled example graph (a planted partition) and prints a summary, including how well the planted
clusters were recovered.  Errors in the input (file, line and what is wrong) go to stderr with
exit status 2.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._validation import LINKAGE_ALIASES, LINKAGES, normalize_linkage, prepare
from .arrays import gasp
from .exceptions import GaspError, GaspValueError, GaspWarning

__all__ = ["EdgeListError", "main", "read_edge_list"]

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_EDGES = DATA / "example_edges.txt"
EXAMPLE_TRUTH = DATA / "example_truth.txt"

EXIT_OK = 0
EXIT_ERROR = 2

_EPILOG = """\
input format:
  One edge per line: "u v weight" or "u v weight lifted", separated by whitespace or by
  commas.  u and v are integer node ids (any integers; they need not be consecutive), weight
  is a finite real number (> 0 attracts, < 0 repels), and the optional 4th column lifted is
  0 (local edge, the default) or 1 (lifted edge: it adds to the linkage but never merges by
  itself).  Everything after a '#' is a comment; blank lines are skipped; a first line made of
  non-numeric names (a CSV header such as "source,target,weight") is skipped.  Repeated pairs
  are folded with the linkage rule.  "-" reads the edges from standard input.

output:
  One "node label" line per node that occurs in the input, in increasing node order, with
  labels 0..k-1 numbered by first occurrence.  With no input file, the bundled example graph
  (200 nodes, 5 planted clusters) is partitioned and a summary is printed instead; add -o FILE
  to also write its labels.

networkx formats (needs networkx):
  Files ending in .graphml or .gml (optionally .gz / .bz2), or any file with --format, are read
  with networkx; so are edge lists when --weight or --lifted name attributes.  --weight NAME
  names the weight attribute (default "weight"); given twice (--weight att --weight rep) the
  weight is att - rep.  --lifted NAME names a boolean attribute marking lifted edges.  For
  column edge lists ("u v 0.7 1"), the columns after u and v are the --weight names, then the
  --lifted name; lines "u v {'weight': 0.7}" (networkx's write_edgelist) are read as written.
  Node names are kept as text; the output lists them in the file's node order, labels numbered
  by first occurrence.  A directed GraphML/GML graph is an error (convert it first).

exit status:
  0 on success, 2 on a usage error or an invalid input file.

examples:
  gasp-graph                                 # summary of the bundled example
  gasp-graph --linkage max --cannot-link     # the same example, another configuration
  gasp-graph edges.csv -o labels.txt         # partition a file, labels to labels.txt
  gasp-graph edges.txt --n-clusters 10 --summary
  gasp-graph graph.graphml --weight score --lifted long_range
  gasp-graph pairs.txt --format edgelist --weight match --weight mismatch
"""


class EdgeListError(GaspValueError):
    """An edge-list file that cannot be read; the message names the file, the line and the fault.

    Subclass of :class:`ValueError` and :class:`gasp_graph.GaspError`.
    """


def _build_parser() -> argparse.ArgumentParser:
    linkages = ", ".join(LINKAGES)
    aliases = ", ".join(sorted(a for a in LINKAGE_ALIASES if a not in LINKAGES))
    p = argparse.ArgumentParser(
        prog="gasp-graph",
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
        help="edge-list file ('u v weight [lifted]' per line; '-' for stdin).  "
        "Default: the bundled example graph.",
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
        choices=("edgelist", "graphml", "gml"),
        help="read the input with networkx in this format (default: from the extension for "
        ".graphml / .gml; the plain 'u v weight [lifted]' reader otherwise)",
    )
    p.add_argument(
        "--weight",
        action="append",
        metavar="NAME",
        help="edge attribute holding the weight (networkx formats; default 'weight'); give it "
        "twice for an (attractive, repulsive) pair: weight = first - second",
    )
    p.add_argument(
        "--lifted",
        metavar="NAME",
        help="boolean edge attribute marking lifted (long-range) edges (networkx formats)",
    )
    p.add_argument(
        "--default-weight",
        type=float,
        metavar="X",
        help="weight of edges that lack the weight attribute (networkx formats; default: such "
        "an edge is an error)",
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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fields(line: str, where: str) -> list[str]:
    if "," in line:
        fields = [f.strip() for f in line.split(",")]
        if any(f == "" for f in fields):
            raise EdgeListError(f"{where}: empty field in {line.strip()!r}")
        return fields
    return line.split()


def read_edge_list(lines, name: str = "<input>"):
    """Parse an edge list into node ids, edge index arrays, weights and lifted flags.

    Parameters
    ----------
    lines : iterable of str
        The lines of the file (for instance an open text file).
    name : str
        The file name used in error messages.

    Returns
    -------
    nodes : ndarray of int64, shape (n,)
        The distinct node ids, sorted.
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
    >>> nodes, edges, weights, lifted = read_edge_list(["# u v w", "10 20 0.5", "20,30,-1"])
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
    us: list[int] = []
    vs: list[int] = []
    ws: list[float] = []
    lf: list[int] = []
    any_lifted_column = False
    seen_data = False
    for lineno, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        where = f"{name}, line {lineno}"
        fields = _fields(line, where)
        if not seen_data and len(fields) in (3, 4) and not any(_is_number(f) for f in fields):
            seen_data = True  # a header line such as "source,target,weight"
            continue
        seen_data = True
        if len(fields) not in (3, 4):
            raise EdgeListError(
                f"{where}: expected 3 or 4 fields (u v weight [lifted]), got {len(fields)} "
                f"in {line.strip()!r}"
            )
        try:
            u = int(fields[0])
            v = int(fields[1])
        except ValueError:
            bad = fields[0] if not _is_int(fields[0]) else fields[1]
            raise EdgeListError(f"{where}: node id {bad!r} is not an integer") from None
        try:
            w = float(fields[2])
        except ValueError:
            raise EdgeListError(f"{where}: weight {fields[2]!r} is not a number") from None
        if not math.isfinite(w):
            raise EdgeListError(f"{where}: weight {fields[2]!r} is not finite")
        if u == v:
            raise EdgeListError(f"{where}: self-loop ({u}, {v}); an edge needs two different nodes")
        if len(fields) == 4:
            if fields[3] not in ("0", "1"):
                raise EdgeListError(f"{where}: lifted flag {fields[3]!r} must be 0 or 1")
            any_lifted_column = True
            lf.append(fields[3] == "1")
        else:
            lf.append(False)
        us.append(u)
        vs.append(v)
        ws.append(w)
    if not us:
        raise EdgeListError(f"{name}: no edges found")
    try:
        ends = np.array([us, vs], dtype=np.int64)
    except OverflowError:
        raise EdgeListError(f"{name}: a node id does not fit in a 64-bit integer") from None
    nodes, inverse = np.unique(ends, return_inverse=True)
    edges = np.ascontiguousarray(inverse.reshape(2, -1).T, dtype=np.int64)
    weights = np.array(ws, dtype=np.float64)
    lifted = np.array(lf, dtype=bool) if any_lifted_column else None
    return nodes, edges, weights, lifted


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _read_path(path: str):
    if path == "-":
        return read_edge_list(sys.stdin, "<stdin>")
    p = Path(path)
    try:
        with p.open(encoding="utf-8") as f:
            return read_edge_list(f, str(p))
    except FileNotFoundError:
        raise EdgeListError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise EdgeListError(f"{p}: is a directory, not an edge-list file") from None
    except PermissionError:
        raise EdgeListError(f"{p}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise EdgeListError(f"{p}: not a text file (not UTF-8: {exc.reason})") from None


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
        f"graph        {nodes.size} nodes, {edges.shape[0]} edges"
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
        message = message.replace(f"{name}=True", option).replace(f"{name}=", f"{option} ")
        message = message.replace(name, option)
    return message.replace("linkage=", "--linkage ")


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


def _write_labels(out, nodes, labels) -> None:
    out.write("".join(f"{v} {c}\n" for v, c in zip(nodes.tolist(), labels.tolist())))


# --------------------------------------------------------------------------------------------
# main


def _wants_networkx(args, path: str) -> bool:
    name = path.lower()
    for ext in (".gz", ".bz2"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return (
        args.format is not None
        or name.endswith((".graphml", ".gml"))
        or args.weight is not None
        or args.lifted is not None
        or args.default_weight is not None
    )


def _main_networkx(args, path: str, options: dict, fail) -> int:
    """Read ``path`` with networkx and partition it with gasp_graph.partition."""
    try:
        import networkx as nx
    except ImportError:
        return fail(f"{path}: reading this format needs networkx (pip install networkx)")
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
    except (GaspError, OSError) as exc:
        return fail(str(exc))
    t1 = time.perf_counter()
    try:
        with _warnings_to_stderr():
            communities = partition(G, weight=weight, lifted=args.lifted,
                                    default_weight=args.default_weight, **options)
    except nx.NetworkXNotImplemented:
        return fail(f"{path}: the graph is directed; GASP needs an undirected graph "
                    "(convert it, e.g. with networkx's G.to_undirected())")
    except GaspError as exc:
        return fail(f"{path}: {exc}")
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

    example = args.input is None
    path = str(EXAMPLE_EDGES) if example else args.input
    if not example and _wants_networkx(args, path):
        return _main_networkx(args, path, options, fail)
    t0 = time.perf_counter()
    try:
        nodes, edges, weights, lifted = _read_path(path)
    except EdgeListError as exc:
        return fail(str(exc))
    t1 = time.perf_counter()
    try:
        with _warnings_to_stderr():
            labels = gasp(edges, weights, n_nodes=nodes.size, lifted=lifted, **options)
    except GaspError as exc:  # the checks above and in the reader leave little to fail here
        return fail(f"{path}: {exc}")
    t2 = time.perf_counter()

    try:
        if args.output is not None:
            try:
                with open(args.output, "w", encoding="utf-8") as f:
                    _write_labels(f, nodes, labels)
            except OSError as exc:
                return fail(f"{args.output}: cannot write ({exc.strerror})")
        elif not example:
            _write_labels(sys.stdout, nodes, labels)
        if example or args.summary:
            text = _summary(
                source=f"bundled example ({EXAMPLE_EDGES})" if example else path,
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
                text += (
                    "\n\nThis was the bundled example graph.  Partition your own edge list with"
                    "\n'gasp-graph EDGES [-o FILE]'; 'gasp-graph --help' lists the options."
                )
            print(text, file=sys.stdout if example else sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. "gasp-graph edges.txt | head": stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush is silent
        return EXIT_OK
    return EXIT_OK
