"""The installed ``gasp-graph`` command on every kind of file, run in a subprocess.

Each test writes a small file (plain, CSV, TSV; compressed; with or without a header; with a
byte-order mark; piped on standard input), runs the command as a user would, and compares the
labels with what :func:`gasp_graph.gasp` gives on the same graph.  Bad inputs must exit with
status 2 and name the file and the line.
"""
import bz2
import csv
import gzip
import io
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gasp_graph import gasp


def _command():
    here = Path(sys.executable).parent
    for name in ("gasp-graph", "gasp-graph.exe"):
        if (here / name).exists():
            return [str(here / name)]
    found = shutil.which("gasp-graph")
    return [found] if found else [sys.executable, "-m", "gasp_graph"]


COMMAND = _command()


def run(args, *, stdin=None, cwd=None):
    """Run gasp-graph; ``stdin`` bytes are piped in (None: no standard input at all)."""
    proc = subprocess.run(
        COMMAND + [str(a) for a in args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True, cwd=cwd, timeout=120,
    )
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


# Two named triangles that attract inside and repel each other, plus a weak link.
NAMED = [("alice", "bob", 0.9), ("bob", "carol", 0.8), ("alice", "carol", 0.7),
         ("dave", "erin", 0.9), ("erin", "frank smith", 0.6), ("dave", "frank smith", 0.8),
         ("carol", "dave", -0.5)]
NODES = ["alice", "bob", "carol", "dave", "erin", "frank smith"]


def expected(rows=NAMED):
    """{node: label} of gasp on rows, nodes in order of first appearance."""
    index = {}
    edges = [(index.setdefault(u, len(index)), index.setdefault(v, len(index))) for u, v, _ in rows]
    labels = gasp(edges, [w for *_, w in rows], n_nodes=len(index))
    return dict(zip(index, labels.tolist()))


def parse(out, delimiter=None):
    if delimiter is None:
        rows = [line.rsplit(None, 1) for line in out.splitlines()]
    else:
        rows = list(csv.reader(io.StringIO(out), delimiter=delimiter))
    return {node: int(label) for node, label in rows if label != "label"}


def table(rows, delimiter, header=("source", "target", "weight")):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(path, text, compress=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    opener = {None: open, "gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}[compress]
    with opener(path, "wb") as f:
        f.write(data)
    return path


# ------------------------------------------------------------------------------- tables


@pytest.mark.parametrize("name, delimiter", [("edges.csv", ","), ("edges.tsv", "\t"),
                                             ("edges.tab", "\t"), ("edges.txt", ","),
                                             ("edges.dat", "\t")])
def test_tables_with_header_and_named_nodes(tmp_path, name, delimiter):
    path = write(tmp_path / name, table(NAMED, delimiter))
    code, out, err = run([path])
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"node{delimiter}label"  # the header comes back
    assert parse(out, delimiter) == expected()
    assert list(parse(out, delimiter)) == NODES  # names as read, in order of first appearance


def test_whitespace_table_without_header(tmp_path):
    rows = [(u.replace(" ", "_"), v.replace(" ", "_"), w) for u, v, w in NAMED]
    path = write(tmp_path / "edges.txt", "".join(f"{u}  {v}\t{w}\n" for u, v, w in rows))
    code, out, _ = run([path])
    assert code == 0 and parse(out) == expected(rows)


@pytest.mark.parametrize("compress", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("name", ["edges.csv", "edges.txt"])
def test_compressed_tables(tmp_path, compress, name):
    delimiter = "," if name.endswith(".csv") else " "
    text = (table(NAMED, ",") if delimiter == "," else
            "".join(f"{i} {j} {w}\n" for i, j, w in [(0, 1, 0.9), (1, 2, -0.4)]))
    path = write(tmp_path / f"{name}.{compress}", text, compress)
    code, out, err = run([path])
    assert code == 0, err
    if delimiter == ",":
        assert parse(out, ",") == expected()
    else:
        assert out == "0 0\n1 0\n2 1\n"


def test_byte_order_mark(tmp_path):
    path = write(tmp_path / "excel.csv", "\ufeff" + table(NAMED, ","))
    code, out, err = run([path])
    assert code == 0, err
    assert parse(out, ",") == expected()  # "source" (not "\ufeffsource") is the header


def test_header_detection_and_override(tmp_path):
    # integer ids with a header, detected; the same without the header line
    rows = [(0, 1, 0.9), (1, 2, 0.8), (2, 3, -0.7), (3, 4, 0.6)]
    with_header = run([write(tmp_path / "a.csv", table(rows, ","))])
    without = run([write(tmp_path / "b.csv", table(rows, ",", header=None))])
    assert with_header[0] == without[0] == 0
    assert parse(with_header[1], ",") == parse(without[1], ",") == {
        "0": 0, "1": 0, "2": 0, "3": 1, "4": 1}
    assert without[1].splitlines()[0] == "0,0"  # no header in, no header out
    # two columns of names: not detected (nothing tells), forced with --header
    pairs = write(tmp_path / "pairs.txt", "person alias\nann anne\nbob rob\n")
    code, out, _ = run([pairs, "--default-weight", "1"])
    assert code == 0 and set(parse(out)) == {"person", "alias", "ann", "anne", "bob", "rob"}
    code, out, _ = run([pairs, "--header", "--default-weight", "1"])
    assert code == 0 and parse(out) == {"ann": 0, "anne": 0, "bob": 1, "rob": 1}
    # --no-header: a first line of names is data, and its 'weight' is not a number
    code, _, err = run([write(tmp_path / "c.csv", table(NAMED, ",")), "--no-header"])
    assert code == 2 and "line 1: weight 'weight' is not a number" in err


def test_columns_by_name_and_by_position(tmp_path):
    header = ("id", "score", "right", "left", "noise")
    rows = [(k, w, v, u, 7) for k, (u, v, w) in enumerate(NAMED)]
    path = write(tmp_path / "pairs.tsv.gz", table(rows, "\t", header), "gz")
    by_name = run([path, "--source", "left", "--target", "right", "--weight", "score"])
    by_position = run([path, "--source", "4", "--target", "3", "--weight", "2"])
    assert by_name[0] == by_position[0] == 0
    assert parse(by_name[1], "\t") == parse(by_position[1], "\t") == expected()
    code, _, err = run([path, "--weight", "nope"])
    assert code == 2 and "--weight 'nope' is not a column of the header" in err


def test_attractive_repulsive_columns_and_lifted(tmp_path):
    header = ("source", "target", "att", "rep", "lifted")
    rows = [("a", "b", 0.9, 0.1, 0), ("b", "c", 0.2, 0.7, 0), ("c", "d", 0.8, 0.0, 1)]
    path = write(tmp_path / "e.csv", table(rows, ",", header))
    code, out, _ = run([path, "--weight", "att", "--weight", "rep"])
    # c-d is lifted: it never merges by itself
    assert code == 0 and parse(out, ",") == {"a": 0, "b": 0, "c": 1, "d": 2}


def test_stdin_dash_pipe_and_compressed(tmp_path):
    data = table(NAMED, ",").encode()
    for args, payload in (([], data), (["-"], data), ([], gzip.compress(data)),
                          (["-", "--format", "csv"], data)):
        code, out, err = run(args, stdin=payload)
        assert code == 0, (args, err)
        assert parse(out, ",") == expected()
    code, _, err = run(["-", "--format", "graphml"], stdin=data)
    assert code == 2 and "cannot be read from standard input" in err
    # an empty pipe is an empty input, not the bundled example
    code, out, err = run([], stdin=b"")
    assert code == 2 and out == "" and "<stdin>: no edges found" in err
    # no standard input at all: the bundled example
    code, out, _ = run([])
    assert code == 0 and "bundled example" in out


def test_explicit_format_never_changes_the_delimiter(tmp_path):
    path = write(tmp_path / "edges.csv", table(NAMED, ","))
    code, out, err = run([path, "--format", "edgelist"])
    assert code == 2 and out == ""
    assert "line 1:" in err and "commas" in err and "--format csv" in err
    code, out, err = run([path, "--format", "tsv"])
    assert code == 2 and "line 1:" in err and "--format csv" in err


def test_self_loops(tmp_path):
    path = write(tmp_path / "e.txt", "0 1 0.5\n2 2 9.0\n1 2 -1\n")
    code, out, _ = run([path])
    assert code == 0 and out == "0 0\n1 0\n2 1\n"  # node 2 is kept, its loop ignored
    code, out, err = run([path, "--self-loops", "error"])
    assert code == 2 and out == "" and f"{path}, line 2: self-loop (2, 2)" in err


def test_messages_name_flags_not_python_keywords(tmp_path):
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_edge("a", "b", weight=0.5)
    G.add_edge("b", "c")
    path = tmp_path / "g.graphml.xz"
    with lzma.open(path, "wb") as f:
        nx.write_graphml(G, f)
    code, _, err = run([path])
    assert code == 2 and "--default-weight" in err and "default_weight" not in err
    code, out, _ = run([path, "--default-weight", "-1"])
    assert code == 0 and parse(out) == {"a": 0, "b": 0, "c": 1}
    code, _, err = run([write(tmp_path / "two.txt", "a b\n"), "--no-header"])
    assert code == 2 and "--default-weight" in err


BAD = [
    ("bad.txt", "0 1 0.5\n1 2 oops\n", "line 2: weight 'oops' is not a number"),
    ("bad.csv", "source,target,weight\na,b,0.5\nb,c\n", "line 3: expected 3 fields"),
    ("bad.tsv", "u\tv\tweight\na\tb\tinf\n", "line 2: weight 'inf' is not finite"),
    ("bad.txt.gz", None, "cannot be decompressed"),
    ("bad.csv.bz2", "source,target,weight,lifted\na,b,1,maybe\n",
     "line 2: lifted flag 'maybe' must be 0 or 1"),
    ("bad.graphml", '<?xml version="1.0"?>\n<graphml>\n<graph edgedefault="undirected">\n'
     '<node id="a"/>\n<edge source="a" target="b">\n</graph></graphml>\n', "line 6"),
    ("bad.gml", "graph [\n  node [ id 0 ]\n  edge [ source 0 target 0 weight x ]\n]\n",
     "line 3"),
    ("binary.txt", b"\xff\xfe\x00\x01 1 2\n", "not a text file"),
]


@pytest.mark.parametrize("name, content, message", BAD, ids=[b[0] for b in BAD])
def test_malformed_file_of_each_kind(tmp_path, name, content, message):
    if name.endswith((".graphml", ".gml")):
        pytest.importorskip("networkx")
    path = tmp_path / name
    if content is None:  # a truncated gzip stream
        path.write_bytes(gzip.compress(b"0 1 0.5\n" * 50)[:30])
    elif name.endswith(".bz2"):
        write(path, content, "bz2")
    else:
        write(path, content)
    code, out, err = run([path])
    assert code == 2 and out == ""
    assert err.startswith("gasp-graph: error: ") and "Traceback" not in err
    assert name in err and message in err, err


def test_node_names_are_written_back_as_read(tmp_path):
    rows = [("Zoë", "o'brien", 0.9), ('say "hi"', "Zoë", 0.8), ("1e3", "x,y", 0.7)]
    path = write(tmp_path / "names.csv", table(rows, ","))
    code, out, _ = run([path])
    assert code == 0
    assert list(parse(out, ",")) == ["Zoë", "o'brien", 'say "hi"', "1e3", "x,y"]
    assert parse(out, ",") == {"Zoë": 0, "o'brien": 0, 'say "hi"': 0, "1e3": 1, "x,y": 1}
    if os.name == "posix":  # and to a file with -o
        code, _, _ = run([path, "-o", tmp_path / "labels.csv"])
        assert code == 0 and (tmp_path / "labels.csv").read_text(encoding="utf-8") == out
