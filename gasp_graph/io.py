"""Reading graph files into networkx graphs (used by the command-line tool).

Supported formats, chosen from the file name or by ``format=``:

============  ==========================================  ====================================
format        extensions                                  reader
============  ==========================================  ====================================
``edgelist``  ``.edgelist``, ``.edges``, ``.el``,          :func:`networkx.read_edgelist`
              ``.txt``, ``.tsv`` (tab), ``.csv`` (comma)
``graphml``   ``.graphml``                                :func:`networkx.read_graphml`
``gml``       ``.gml``                                    :func:`networkx.read_gml`
============  ==========================================  ====================================

A final ``.gz`` or ``.bz2`` is read compressed.
"""
from __future__ import annotations

import os

from .exceptions import GaspTypeError, GaspValueError

__all__ = ["read_graph", "FORMATS"]

FORMATS = ("edgelist", "graphml", "gml")

_EXTENSIONS = {
    ".edgelist": "edgelist",
    ".edges": "edgelist",
    ".el": "edgelist",
    ".txt": "edgelist",
    ".tsv": "edgelist",
    ".csv": "edgelist",
    ".graphml": "graphml",
    ".gml": "gml",
}

_DELIMITERS = {".csv": ",", ".tsv": "\t"}


def _suffix(path) -> str:
    """The format extension of a path, below a final .gz / .bz2."""
    root, ext = os.path.splitext(os.fspath(path).lower())
    if ext in (".gz", ".bz2"):
        ext = os.path.splitext(root)[1]
    return ext


def _first_data_line(path, comments, delimiter):
    """The tokens of the first non-comment, non-blank line (opened like networkx does)."""
    import networkx as nx

    @nx.utils.open_file(0, mode="rb")
    def first(f):
        for raw in f:
            line = raw.decode("utf-8").split(comments)[0].strip()
            if line:
                return line.split(delimiter)
        return []

    return first(path)


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

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.  ``.gz`` and ``.bz2`` files are decompressed.
    format : {"edgelist", "graphml", "gml"}, optional
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
        Edge lists only: the column separator; default whitespace (``","`` for ``.csv``,
        tab for ``.tsv``).
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
        if delimiter is None:
            delimiter = _DELIMITERS.get(ext)
    elif not isinstance(format, str) or format.lower() not in FORMATS:
        raise GaspValueError(f"format={format!r} is not supported; use one of {', '.join(FORMATS)}")
    format = format.lower()
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such graph file: {os.fspath(path)!r}")
    if isinstance(edge_attributes, str) or not all(isinstance(a, str) for a in edge_attributes):
        raise GaspTypeError(
            f"edge_attributes must be a sequence of attribute names, got {edge_attributes!r}"
        )
    try:
        if format == "graphml":
            return nx.read_graphml(path)
        if format == "gml":
            return nx.read_gml(path)
        tokens = _first_data_line(path, comments, delimiter)
        if len(tokens) > 2 and tokens[2].lstrip().startswith("{"):
            data = True
        elif len(tokens) == 2:  # no attributes at all (partition then needs default_weight)
            data = False
        else:
            data = tuple((name, float) for name in edge_attributes)
        return nx.read_edgelist(
            path, comments=comments, delimiter=delimiter, nodetype=nodetype, data=data
        )
    except (nx.NetworkXError, TypeError, ValueError, SyntaxError, KeyError, IndexError) as exc:
        raise GaspValueError(f"could not read {os.fspath(path)!r} as {format}: {exc}") from exc
