"""Reading graph files: edge tables (plain, CSV, TSV) and, through networkx, GraphML and GML.

:func:`read_edge_table` reads the edge tables the ``gasp-graph`` command takes, without
networkx: one edge per line, the two nodes and a weight (and optionally a lifted flag) in
columns chosen by name or position, an optional header, any node names.  :func:`read_graph`
reads any supported format into a networkx graph.

Formats, chosen from the file name (below a compression extension) or by ``format=``:

============  ============================  ============================================
format        extensions                    columns separated by
============  ============================  ============================================
``csv``       ``.csv``                      commas (quoted fields as in CSV)
``tsv``       ``.tsv``, ``.tab``            tabs
``edgelist``  ``.txt``, ``.edgelist``,      whitespace; for an edge table of any other
              ``.edges``, ``.el``, others   than ``.csv`` / ``.tsv`` / ``.tab`` without
                                            ``format=``: what its first line uses
``graphml``   ``.graphml``                  (XML; read with networkx)
``gml``       ``.gml``                      (read with networkx)
============  ============================  ============================================

A final ``.gz``, ``.bz2`` or ``.xz`` is decompressed (data arriving on standard input is
recognised by its first bytes); a UTF-8 byte-order mark is skipped.  An explicit ``format=``
fixes the delimiter: a comma-separated file read as ``edgelist`` is an error naming the line,
never a silently empty graph.
"""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import math
import os
import zlib
from dataclasses import dataclass

import numpy as np

from .exceptions import GaspTypeError, GaspValueError

__all__ = ["read_edge_table", "read_graph", "open_text", "EdgeListError", "EdgeTable",
           "FORMATS"]

FORMATS = ("edgelist", "csv", "tsv", "graphml", "gml")
TABLE_FORMATS = ("edgelist", "csv", "tsv")

_EXTENSIONS = {
    ".edgelist": "edgelist",
    ".edges": "edgelist",
    ".el": "edgelist",
    ".txt": "edgelist",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".csv": "csv",
    ".graphml": "graphml",
    ".gml": "gml",
}

_DELIMITERS = {"csv": ",", "tsv": "\t", "edgelist": None}

_COMPRESSION = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_MAGIC = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open))

# Header names recognised without being asked for (case-insensitive).
_SOURCE_NAMES = ("source", "u", "from", "src", "node1", "node_1", "id1", "left")
_TARGET_NAMES = ("target", "v", "to", "dst", "node2", "node_2", "id2", "right")


class EdgeListError(GaspValueError):
    """An edge-list file that cannot be read; the message names the file, the line and the fault.

    Subclass of :class:`ValueError` and :class:`gasp_graph.GaspError`.
    """


def _split_compression(path: str):
    """(path without a compression extension, opener or None)."""
    root, ext = os.path.splitext(path)
    if ext.lower() in _COMPRESSION:
        return root, _COMPRESSION[ext.lower()]
    return path, None


def _suffix(path) -> str:
    """The format extension of a path, below a final .gz / .bz2 / .xz."""
    root, _ = _split_compression(os.fspath(path))
    return os.path.splitext(root)[1].lower()


def _open_binary(path, stdin=None):
    """A binary stream of ``path`` (``"-"``: ``stdin``), decompressed by extension or magic."""
    if path == "-":
        if stdin is None:
            import sys

            stdin = sys.stdin
        raw = stdin.buffer if hasattr(stdin, "buffer") else stdin
        if isinstance(raw, io.TextIOBase):  # a text stream without a buffer (tests)
            return None, raw
        raw = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
        start = raw.peek(6)[:6]
        opener = next((o for magic, o in _MAGIC if start.startswith(magic)), None)
        return (opener(raw) if opener is not None else raw), None
    _, opener = _split_compression(os.fspath(path))
    if opener is None:
        with open(path, "rb") as f:
            start = f.read(6)
        opener = next((o for magic, o in _MAGIC if start.startswith(magic)), None)
    return (opener(path, "rb") if opener is not None else open(path, "rb")), None


def open_text(path, stdin=None):
    """Open ``path`` (``"-"`` for ``stdin``) as UTF-8 text, decompressed, a BOM skipped.

    Parameters
    ----------
    path : str or os.PathLike
        The file, or ``"-"``.  ``.gz``, ``.bz2`` and ``.xz`` files are decompressed, as is any
        file or standard input whose first bytes are those of one of these formats.
    stdin : file, optional
        The stream read for ``"-"`` (default :data:`sys.stdin`).

    Returns
    -------
    io.TextIOBase
        Lines keep their line endings (``newline=""``, as the :mod:`csv` module wants).

    Raises
    ------
    EdgeListError
        No such file, a directory, permission denied.

    Examples
    --------
    >>> import gzip, os, tempfile
    >>> from gasp_graph.io import open_text
    >>> path = os.path.join(tempfile.mkdtemp(), "edges.txt.gz")
    >>> with gzip.open(path, "wt", encoding="utf-8-sig") as f:
    ...     _ = f.write("a b 0.5\\n")
    >>> with open_text(path) as f:
    ...     f.read()
    'a b 0.5\\n'
    """
    name = "<stdin>" if path == "-" else os.fspath(path)
    try:
        binary, text = _open_binary(path, stdin)
    except FileNotFoundError:
        raise EdgeListError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise EdgeListError(f"{name}: is a directory, not an edge-list file") from None
    except PermissionError:
        raise EdgeListError(f"{name}: permission denied") from None
    if text is not None:
        return text
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


@dataclass
class EdgeTable:
    """An edge table as read by :func:`read_edge_table`.

    Attributes
    ----------
    nodes : list
        The node names in index order: ints sorted increasingly when every node field of the
        file is an integer, otherwise the strings as read, in order of first appearance.
    edges : ndarray of int64, shape (m, 2)
        Positions into ``nodes``, in file order (self-loops included).
    weights : ndarray of float64, shape (m,)
    lifted : ndarray of bool, shape (m,), or None
        None when the table has no lifted column.
    header : list of str or None
        The header row, when the file has one.
    delimiter : str or None
        The column separator; None for whitespace.
    lines : ndarray of int64, shape (m,)
        The line number of every edge (1-based), for messages.
    """

    nodes: list
    edges: np.ndarray
    weights: np.ndarray
    lifted: np.ndarray | None
    header: list | None
    delimiter: str | None
    lines: np.ndarray


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


class _Lines:
    """Data lines of a text stream: comments (``#`` to the end of the line) and blanks skipped."""

    def __init__(self, stream, name):
        self.stream, self.name = stream, name
        self.lineno = 0

    def __iter__(self):
        while True:
            try:
                raw = next(self.stream, None)
            except UnicodeDecodeError as exc:
                where = f"line {self.lineno + 1}" if self.lineno else "its start"
                raise EdgeListError(
                    f"{self.name}: not a text file (not UTF-8 at {where}: {exc.reason})"
                ) from None
            except (EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
                raise EdgeListError(
                    f"{self.name}, line {self.lineno + 1}: cannot be decompressed ({exc})"
                ) from None
            if raw is None:
                return
            self.lineno += 1
            line = raw.split("#", 1)[0]
            if line.strip():
                yield self.lineno, line


def _splitter(delimiter):
    if delimiter is None:
        return str.split

    def split(line):
        fields = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
        return [f.strip() for f in fields]

    return split


def _column_index(spec, header, role, name, n_fields):
    """0-based index of a column given by name (in the header) or by 1-based position."""
    if header is not None and spec in header:
        return header.index(spec)
    if _is_int(spec):
        k = int(spec)
        if not 1 <= k <= n_fields:
            raise EdgeListError(
                f"{name}: --{role} {spec}: the table has {n_fields} columns (positions start at 1)"
            )
        return k - 1
    if header is None:
        raise EdgeListError(
            f"{name}: --{role} {spec!r} names a column, but the file has no header line; "
            "give the column's position (1 = first), or --header if the first line is one"
        )
    raise EdgeListError(
        f"{name}: --{role} {spec!r} is not a column of the header ({', '.join(header)})"
    )


def _looks_like_header(first, second) -> bool:
    """A first row of names (no number) above a row with numbers, or known column names."""
    if any(_is_number(f) for f in first):
        return False
    if second is not None and any(_is_number(f) for f in second):
        return True
    return (len(first) >= 2 and first[0].lower() in _SOURCE_NAMES
            and first[1].lower() in _TARGET_NAMES)


def _default_column(header, names, position):
    if header is not None:
        lower = [h.lower() for h in header]
        for n in names:
            if n in lower:
                return lower.index(n)
    return position


def read_edge_table(path="-", *, stdin=None, format=None, header=None, source=None,
                    target=None, weight=None, lifted=None, default_weight=None, lines=None,
                    name=None):
    """Read an edge table (plain, CSV or TSV; compressed or not) without networkx.

    Parameters
    ----------
    path : str or os.PathLike, default "-"
        The file; ``"-"`` reads ``stdin``.  Ignored when ``lines`` is given.
    stdin : file, optional
        The stream read for ``"-"`` (default :data:`sys.stdin`).
    format : {"edgelist", "csv", "tsv"}, optional
        The delimiter: whitespace, comma, tab.  By default from the extension (``.csv``,
        ``.tsv`` / ``.tab``), else what the first data line uses (tabs between three or more
        columns, else commas, else whitespace).
    header : bool, optional
        Whether the first data line names the columns.  By default detected: a first line
        without any number above a line with numbers, or starting with two known node column
        names (``source``/``target``, ``u``/``v``, ``from``/``to``, ...).
    source, target : str, optional
        The node columns: a header name, or a position (``"1"`` is the first column).  Default:
        the header's ``source`` / ``target`` (or ``u`` / ``v``, ...) column, else columns 1 and 2.
    weight : str or sequence of str, optional
        The weight column (name or position); two columns mean ``weight = first - second``
        (attraction minus repulsion).  Default: the header's ``weight`` column, else column 3.
        Without a header, names that are not positions name the columns after the node
        columns, in the order given (then ``lifted``).
    lifted : str, optional
        A column of 0/1 flags marking lifted edges.  Default: the header's ``lifted`` column;
        without a header, a 4th column when there is one.
    default_weight : float, optional
        The weight of an edge whose weight field is empty, or of every edge when the table has
        no weight column.  Without it these are errors.
    lines : iterable of str, optional
        Read these lines instead of a file.
    name : str, optional
        The name used in messages (default: the path, or ``<stdin>``).

    Returns
    -------
    EdgeTable

    Raises
    ------
    EdgeListError
        The file cannot be read, or a line is malformed: the message names the file, the line
        and the fault (a missing field, a weight that is not a finite number, a flag other than
        0/1, a column that does not exist, a line that uses another delimiter than ``format``).

    Examples
    --------
    >>> from gasp_graph.io import read_edge_table
    >>> t = read_edge_table(lines=["source,target,weight", "alice,bob,0.9", "bob,carol,-0.4"])
    >>> t.header, t.nodes
    (['source', 'target', 'weight'], ['alice', 'bob', 'carol'])
    >>> t.edges.tolist(), t.weights.tolist()
    ([[0, 1], [1, 2]], [0.9, -0.4])
    >>> read_edge_table(lines=["10 20 0.5", "20 3 -1"]).nodes  # integer ids: sorted
    [3, 10, 20]
    """
    import sys

    if format is not None and format not in TABLE_FORMATS:
        raise GaspValueError(
            f"format={format!r} is not an edge-table format; use one of {', '.join(TABLE_FORMATS)}"
        )
    if lines is not None:
        name = name or "<input>"
        stream = iter(lines)
        ext = ""
    else:
        name = name or ("<stdin>" if path == "-" else os.fspath(path))
        stream = open_text(path, stdin if stdin is not None else sys.stdin)
        ext = "" if path == "-" else _suffix(path)
    try:
        return _read_table(stream, name, ext, format, header, source, target, weight, lifted,
                           default_weight)
    finally:
        if lines is None and path != "-":
            stream.close()


def _sniff(line) -> str:
    """The format of a file of unknown extension, from its first data line: tabs between at
    least three columns, else commas, else whitespace (a tab among spaces is whitespace)."""
    if len(line.split("\t")) >= 3:
        return "tsv"
    return "csv" if "," in line else "edgelist"


def _resolve_columns(head, n_fields, name, source, target, weights, lifted):
    """(src, tgt, weight columns, lifted column, legacy) as 0-based indices.

    ``legacy``: no header and no column options: the plain ``u v weight [lifted]`` layout,
    where the weight (with --default-weight) and the lifted flag columns are optional per line.
    """
    if head is not None:
        lower = [h.lower() for h in head]
        src = (_column_index(source, head, "source", name, n_fields) if source is not None
               else _default_column(head, _SOURCE_NAMES, 0))
        tgt = (_column_index(target, head, "target", name, n_fields) if target is not None
               else _default_column(head, _TARGET_NAMES, 1))
        if weights:
            wcols = [_column_index(w, head, "weight", name, n_fields) for w in weights]
        elif "weight" in lower:
            wcols = [lower.index("weight")]
        else:
            rest = [k for k in range(len(head)) if k not in (src, tgt) and lower[k] != "lifted"]
            wcols = rest[:1]
        if lifted is not None:
            lcol = _column_index(lifted, head, "lifted", name, n_fields)
        else:
            lcol = lower.index("lifted") if "lifted" in lower else None
        return src, tgt, wcols, lcol, False
    for role, spec in (("source", source), ("target", target)):
        if spec is not None and not _is_int(spec):
            raise EdgeListError(
                f"{name}: --{role} {spec!r} names a column, but the file has no header line; "
                "give the column's position (1 = first), or --header if the first line is one"
            )
    src = 0 if source is None else int(source) - 1
    tgt = 1 if target is None else int(target) - 1
    # Names without a header name the columns after the node columns, in the order given.
    free = (k for k in range(n_fields + 8) if k not in (src, tgt))
    placed = {}
    for spec in weights + ([lifted] if lifted is not None else []):
        if not _is_int(spec):
            placed[spec] = next(free)
    for role, spec in (("source", source), ("target", target)):
        if spec is not None and not 1 <= int(spec):
            raise EdgeListError(f"{name}: --{role} {spec}: positions start at 1")

    def col(spec, role):
        if spec in placed:
            return placed[spec]
        k = int(spec)
        if k < 1:
            raise EdgeListError(f"{name}: --{role} {spec}: positions start at 1")
        return k - 1

    legacy = not weights and lifted is None and source is None and target is None
    wcols = [col(w, "weight") for w in weights] if weights else [2]
    lcol = col(lifted, "lifted") if lifted is not None else (3 if legacy else None)
    return src, tgt, wcols, lcol, legacy


def _read_table(stream, name, ext, format, header, source, target, weight, lifted,
                default_weight):
    rows = iter(_Lines(stream, name))
    first = next(rows, None)
    if first is None:
        raise EdgeListError(f"{name}: no edges found")
    if format is None:
        format = _EXTENSIONS.get(ext)
        if format not in ("csv", "tsv"):  # other extensions (or stdin): what the line uses
            format = _sniff(first[1])
    delimiter = _DELIMITERS[format]
    split = _splitter(delimiter)
    pending = [(first[0], split(first[1]))]
    if header is None:
        second = next(rows, None)
        if second is not None:
            pending.append((second[0], split(second[1])))
        header = _looks_like_header(pending[0][1], pending[1][1] if second else None)
    head = None
    if header:
        head = pending.pop(0)[1]
        if any(h == "" for h in head):
            raise EdgeListError(f"{name}, line {first[0]}: empty column name in the header")
    weights = [] if weight is None else ([weight] if isinstance(weight, str) else list(weight))
    if len(weights) > 2:
        raise EdgeListError(f"{name}: --weight given {len(weights)} times; give one column, "
                            "or two (attraction, repulsion)")
    n_fields = len(head) if head is not None else max(len(f) for _, f in pending) if pending else 0
    src, tgt, wcols, lcol, legacy = _resolve_columns(head, n_fields, name, source, target,
                                                      weights, lifted)
    if head is not None and not wcols and default_weight is None:
        raise EdgeListError(
            f"{name}: the table has no weight column; name it with --weight, or give every edge "
            "the same weight with --default-weight"
        )
    need = max([src, tgt] + wcols + ([lcol] if lcol is not None and not legacy else []))
    if legacy:
        low, high = (2 if default_weight is not None else 3), 4
        layout = "u v weight [lifted]"
    else:
        low = high = need + 1
        layout = f"{need + 1} columns"

    names, lineno, ws, lf = [], [], [], []
    any_lifted = False

    def all_rows():
        yield from pending
        for k, line in rows:
            yield k, split(line)

    for k, fields in all_rows():
        where = f"{name}, line {k}"
        n = len(fields)
        if head is not None and n != len(head):
            raise EdgeListError(
                f"{where}: expected {len(head)} fields (as the header), got {n} in "
                f"{_show(fields, delimiter)}" + _delimiter_hint(fields, delimiter, format)
            )
        if head is None and not (low <= n <= high or (not legacy and n >= low)):
            expected = (f"{low} or {high}" if legacy and high == low + 1 else
                        f"{low} to {high}" if legacy else f"at least {low}")
            hint = _delimiter_hint(fields, delimiter, format)
            if legacy and n == 2 and not hint:
                hint = "; a line without a weight needs --default-weight"
            raise EdgeListError(
                f"{where}: expected {expected} fields ({layout}), got {n} in "
                f"{_show(fields, delimiter)}" + hint
            )
        u, v = fields[src], fields[tgt]
        if u == "" or v == "":
            raise EdgeListError(f"{where}: empty field in {_show(fields, delimiter)}")
        w = None
        for i, c in enumerate(wcols):
            text = fields[c] if c < n else ""
            if text == "":
                if default_weight is None:
                    raise EdgeListError(f"{where}: empty field in {_show(fields, delimiter)}")
                x = float(default_weight)
            else:
                try:
                    x = float(text)
                except ValueError:
                    raise EdgeListError(f"{where}: weight {text!r} is not a number") from None
                if not math.isfinite(x):
                    raise EdgeListError(f"{where}: weight {text!r} is not finite")
            w = x if i == 0 else w - x
        if w is None:
            w = float(default_weight)
        flag = False
        if lcol is not None and lcol < n:
            text = fields[lcol]
            if text.lower() not in ("0", "1", "true", "false"):
                raise EdgeListError(f"{where}: lifted flag {text!r} must be 0 or 1")
            flag = text.lower() in ("1", "true")
            any_lifted = True
        lf.append(flag)
        names.append(u)
        names.append(v)
        ws.append(w)
        lineno.append(k)
    if not ws:
        raise EdgeListError(f"{name}: no edges found")
    if all(_is_int(x) for x in names):
        ints = [int(x) for x in names]
        nodes = sorted(set(ints))
        index = {x: i for i, x in enumerate(nodes)}
        ids = [index[x] for x in ints]
    else:
        index = {}
        ids = [index.setdefault(x, len(index)) for x in names]
        nodes = list(index)
    return EdgeTable(
        nodes=nodes,
        edges=np.array(ids, dtype=np.int64).reshape(-1, 2),
        weights=np.array(ws, dtype=np.float64),
        lifted=np.array(lf, dtype=bool) if any_lifted or lifted is not None else None,
        header=head,
        delimiter=delimiter,
        lines=np.array(lineno, dtype=np.int64),
    )


def _show(fields, delimiter):
    return repr((delimiter or " ").join(fields))


def _delimiter_hint(fields, delimiter, format):
    """A hint when a line seems to use another delimiter than the format's."""
    text = "".join(fields)
    for other, fmt in (("\t", "tsv"), (",", "csv")):
        if other != delimiter and other in text:
            return (f"; the line contains {'tabs' if other == chr(9) else 'commas'}: is the "
                    f"file {fmt.upper()}? (read as {format}; pass --format {fmt})")
    if delimiter is not None and len(fields) == 1 and " " in text:
        return "; the line contains spaces: is it whitespace-separated? (pass --format edgelist)"
    return ""


def read_graph(
    path,
    *,
    format=None,
    nodetype=None,
    edge_attributes=("weight",),
    delimiter=None,
    comments="#",
):
    """Read a graph file into a networkx graph.

    Edge lists become a ``Graph`` whose edges carry the named numeric columns as attributes
    (for edge tables with headers and node names without networkx, see
    :func:`read_edge_table`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.  ``.gz``, ``.bz2`` and ``.xz`` files are decompressed.
    format : {"edgelist", "csv", "tsv", "graphml", "gml"}, optional
        The file format; by default chosen from the extension (see the module description).
    nodetype : callable, optional
        Edge lists only: converts node names (e.g. ``int``); by default nodes are strings.
    edge_attributes : sequence of str, default ("weight",)
        Edge lists only: names of the numeric columns after the two node columns, e.g.
        ``("weight", "lifted")`` for lines ``u v 0.7 0``.  Lines with two columns only give a
        graph without attributes.  Ignored when the data part of the
        lines is a Python dict literal (``u v {'weight': 0.7, 'lifted': True}``, the format
        :func:`networkx.write_edgelist` writes), which is detected from the first line.
    delimiter : str, optional
        Edge lists only: the column separator; default whitespace (``","`` for ``csv``,
        tab for ``tsv``).
    comments : str, default "#"
        Edge lists only: the comment marker.

    Returns
    -------
    networkx.Graph
        A ``Graph`` for edge lists; for GraphML and GML whatever the file declares
        (``Graph``, ``MultiGraph``, or a directed graph, which :func:`gasp_graph.partition`
        rejects: convert it with ``G.to_undirected()``).

    Raises
    ------
    GaspValueError
        The format is unknown or cannot be guessed, or the file cannot be parsed (the message
        names the file and gives the reader's reason).
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> import os, tempfile
    >>> from gasp_graph.io import read_graph
    >>> path = os.path.join(tempfile.mkdtemp(), "g.edgelist")
    >>> with open(path, "w") as f:
    ...     _ = f.write("# u v weight\\na b 0.9\\nb c -0.4\\n")
    >>> G = read_graph(path)
    >>> sorted(G.edges(data="weight"))
    [('a', 'b', 0.9), ('b', 'c', -0.4)]
    """
    import networkx as nx

    if format is None:
        ext = _suffix(path)
        if ext not in _EXTENSIONS:
            raise GaspValueError(
                f"cannot tell the format of {os.fspath(path)!r} from its extension {ext!r}; "
                f"pass format= (one of {', '.join(FORMATS)})"
            )
        format = _EXTENSIONS[ext]
    elif not isinstance(format, str) or format.lower() not in FORMATS:
        raise GaspValueError(f"format={format!r} is not supported; use one of {', '.join(FORMATS)}")
    format = format.lower()
    if delimiter is None:
        delimiter = _DELIMITERS.get(format)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such graph file: {os.fspath(path)!r}")
    if isinstance(edge_attributes, str) or not all(isinstance(a, str) for a in edge_attributes):
        raise GaspTypeError(
            f"edge_attributes must be a sequence of attribute names, got {edge_attributes!r}"
        )

    def handle():
        return _open_binary(path)[0]  # decompressed by extension or by its first bytes

    try:
        if format == "graphml":
            with handle() as f:
                return nx.read_graphml(f)
        if format == "gml":
            with handle() as f:
                return nx.read_gml(f)
        with handle() as f:
            tokens = []
            for raw in f:
                line = raw.decode("utf-8-sig").split(comments)[0].strip()
                if line:
                    tokens = line.split(delimiter)
                    break
        if len(tokens) > 2 and tokens[2].lstrip().startswith("{"):
            data = True
        elif len(tokens) == 2:  # no attributes at all (partition then needs default_weight)
            data = False
        else:
            data = tuple((name, float) for name in edge_attributes)
        with handle() as f:
            lines = (raw.decode("utf-8-sig") for raw in f)
            return nx.parse_edgelist(
                lines, comments=comments, delimiter=delimiter, nodetype=nodetype, data=data
            )
    except (nx.NetworkXError, TypeError, ValueError, SyntaxError, KeyError, IndexError,
            EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
        import re

        text = re.sub(r"at \((\d+), (\d+)\)", r"at line \1, column \2", str(exc))  # GML's
        raise GaspValueError(f"could not read {os.fspath(path)!r} as {format}: {text}") from exc
