"""The gasp-graph command (gasp_graph.cli): reading edge lists, options, output, errors."""
import subprocess
import sys

import numpy as np
import pytest

from gasp_graph import gasp
from gasp_graph.cli import (
    EXAMPLE_EDGES,
    EXAMPLE_TRUTH,
    EdgeListError,
    adjusted_rand_index,
    main,
    read_edge_list,
)
from gasp_graph.exceptions import GaspError

TWO_TRIANGLES = """\
# two triangles that attract inside and repel each other
0 1 0.9
1 2 0.8
0 2 0.7
3 4 0.9
4 5 0.6
3 5 0.8
2 3 -0.5
"""


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def parse_labels(text):
    rows = [line.split() for line in text.splitlines()]
    assert all(len(r) == 2 for r in rows), text
    return {int(v): int(c) for v, c in rows}


def load_example():
    table = np.loadtxt(EXAMPLE_EDGES, comments="#")
    return table[:, :2].astype(np.int64), table[:, 2]


# ---------------------------------------------------------------------------------- the example


def test_example_summary(capsys):
    code, out, err = run(capsys, [])
    assert code == 0 and err == ""
    assert "200 nodes, 1454 edges" in out
    assert "linkage=average" in out
    edges, weights = load_example()
    labels = gasp(edges, weights)
    sizes = sorted(np.bincount(labels).tolist(), reverse=True)
    assert f"clusters     {len(sizes)}  (0 singletons)" in out
    assert "largest      " + ", ".join(map(str, sizes)) in out
    truth = np.loadtxt(EXAMPLE_TRUTH, dtype=np.int64, comments="#")[:, 1]
    assert f"adjusted Rand index {adjusted_rand_index(labels, truth):.3f}" in out
    assert "planted      5 clusters of sizes 60, 45, 40, 30, 25" in out
    assert "partition" in out and " ms" in out


def test_messages_name_the_command_as_typed(capsys, monkeypatch):
    # scripts/run.sh sets GASP_GRAPH_PROG: gasp-graph itself is not on PATH outside .venv
    monkeypatch.delenv("GASP_GRAPH_PROG", raising=False)
    out = run(capsys, [])[1]
    assert "'gasp-graph EDGES [-o FILE]'" in out
    monkeypatch.setenv("GASP_GRAPH_PROG", "./scripts/run.sh")
    out = run(capsys, [])[1]
    assert "'./scripts/run.sh EDGES [-o FILE]'; './scripts/run.sh --help'" in out
    assert "gasp-graph EDGES" not in out
    assert run(capsys, ["--help"])[1].startswith("usage: ./scripts/run.sh ")


def test_example_recovers_most_of_the_planted_partition():
    # The bundled example is meant to show GASP working: average linkage finds the 5 clusters
    # up to a few nodes, single linkage (max) without constraints chains everything together.
    edges, weights = load_example()
    truth = np.loadtxt(EXAMPLE_TRUTH, dtype=np.int64, comments="#")[:, 1]
    assert adjusted_rand_index(gasp(edges, weights), truth) > 0.95
    assert gasp(edges, weights, linkage="max").max() == 0


def test_example_labels_to_file(capsys, tmp_path):
    out_file = tmp_path / "labels.txt"
    code, out, _ = run(capsys, ["--linkage", "sum", "-o", str(out_file)])
    assert code == 0 and "linkage=sum" in out
    got = parse_labels(out_file.read_text())
    edges, weights = load_example()
    expected = gasp(edges, weights, linkage="sum")
    assert got == dict(enumerate(expected.tolist()))


# ------------------------------------------------------------------------------------ files


def test_partition_file_to_stdout(capsys, tmp_path):
    f = tmp_path / "edges.txt"
    f.write_text(TWO_TRIANGLES)
    code, out, err = run(capsys, [str(f)])
    assert code == 0 and err == ""
    assert out == "0 0\n1 0\n2 0\n3 1\n4 1\n5 1\n"


def test_sparse_and_negative_ids_are_kept(capsys, tmp_path):
    # Node ids are names: output lists exactly the ids of the file, in increasing order.
    f = tmp_path / "edges.txt"
    f.write_text("1000000 -3 1.0\n-3 7 1.0\n7 42 -1.0\n")
    code, out, _ = run(capsys, [str(f)])
    assert code == 0
    assert out == "-3 0\n7 0\n42 1\n1000000 0\n"


def test_csv_with_header_comments_and_blank_lines_equals_whitespace(capsys, tmp_path):
    plain = tmp_path / "edges.txt"
    plain.write_text(TWO_TRIANGLES)
    csv = tmp_path / "edges.csv"
    rows = [line.split() for line in TWO_TRIANGLES.splitlines() if not line.startswith("#")]
    csv.write_text(
        "source,target,weight\n\n"
        + "\n".join(f"{u}, {v},{w}  # edge" for u, v, w in rows)
        + "\n"
    )
    code, out, err = run(capsys, [str(csv)])
    assert (code, err) == (0, "")
    # CSV in, CSV out (with a header, as the input had one)
    assert out.replace(",", " ") == "node label\n" + run(capsys, [str(plain)])[1]


def test_lifted_column(capsys, tmp_path):
    # A lifted edge alone never merges; as a local edge it does.  Mixed 3/4-column lines are fine.
    f = tmp_path / "edges.txt"
    f.write_text("0 1 1.0 1\n1 2 1.0\n")
    code, out, _ = run(capsys, [str(f)])
    assert code == 0 and parse_labels(out) == {0: 0, 1: 1, 2: 1}
    f.write_text("0 1 1.0 0\n1 2 1.0\n")
    assert parse_labels(run(capsys, [str(f)])[1]) == {0: 0, 1: 0, 2: 0}


def test_summary_goes_to_stderr(capsys, tmp_path):
    f = tmp_path / "edges.txt"
    f.write_text(TWO_TRIANGLES + "0 5 -2.0 1\n")
    code, out, err = run(capsys, [str(f), "--summary"])
    assert code == 0
    assert parse_labels(out) == {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert "6 nodes, 8 edges (1 lifted)" in err and "clusters     2" in err


def test_stdin(capsys, monkeypatch, tmp_path):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(TWO_TRIANGLES))
    code, out, _ = run(capsys, ["-"])
    assert code == 0 and out == "0 0\n1 0\n2 0\n3 1\n4 1\n5 1\n"


OPTION_SETS = [
    (["--linkage", "mutex_watershed"], dict(linkage="abs_max")),
    (["--linkage", "min", "--cannot-link"], dict(linkage="min", cannot_link=True)),
    (
        ["--linkage", "min", "--cannot-link", "--merge-constrained-at-end"],
        dict(linkage="min", cannot_link=True, merge_constrained_at_end=True),
    ),
    (["--n-clusters", "12", "--linkage", "max"], dict(n_clusters=12, linkage="max")),
    (["--size-regularizer", "0.5"], dict(size_regularizer=0.5)),
    (
        ["--linkage", "generalized_mean", "--linkage-param", "3"],
        dict(linkage="generalized_mean", linkage_param=3.0),
    ),
    (
        ["--linkage", "smooth_max", "--linkage-param", "-2"],
        dict(linkage="smooth_max", linkage_param=-2.0),
    ),
]


@pytest.mark.parametrize("argv, kwargs", OPTION_SETS)
def test_options_reach_the_engine(capsys, tmp_path, argv, kwargs):
    # The example with its node ids renamed (shuffled, spaced, offset) written to a file: the
    # command must print what gasp() gives with the same options on the same graph.
    edges, weights = load_example()
    perm = np.random.default_rng(5).permutation(edges.max() + 1)
    renamed = perm[edges]
    f = tmp_path / "edges.txt"
    f.write_text("".join(f"{1000 + 7 * u} {1000 + 7 * v} {w!r}\n"
                         for (u, v), w in zip(renamed.tolist(), weights.tolist())))
    code, out, err = run(capsys, [str(f), *argv])
    assert code == 0, err
    expected = gasp(renamed, weights, **kwargs)
    assert parse_labels(out) == {1000 + 7 * i: c for i, c in enumerate(expected.tolist())}


def test_options_change_the_result(capsys):
    # Guards the test above against options being silently ignored: they do matter here.
    edges, weights = load_example()
    results = {tuple(gasp(edges, weights, **kw).tolist()) for _, kw in OPTION_SETS}
    assert len(results) >= 4


# ----------------------------------------------------------------------------------- errors

BAD_FILES = [
    ("0 1 0.5\n1 2 x\n", "line 2: weight 'x' is not a number"),
    ("0 1 0.5\n1 2\n", "line 2: expected 3 or 4 fields"),
    ("0 1 0.5 1 7\n", "line 1: expected 3 or 4 fields"),
    ("a b c\n0 1\n", "line 2: expected 3 fields (as the header), got 2"),
    ("0 1 0.5\n1,2,0.5\n", "line 2: expected 3 or 4 fields (u v weight [lifted]), got 1"),
    ("# c\n0 1 inf\n", "line 2: weight 'inf' is not finite"),
    ("0 1 nan\n", "line 1: weight 'nan' is not finite"),
    ("0 1 0.5 yes\n", "line 1: lifted flag 'yes' must be 0 or 1"),
    ("0,,0.5\n", "line 1: empty field"),
    ("# only a comment\n\n", "no edges found"),
]


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_bad_file(capsys, tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_text(content)
    code, out, err = run(capsys, [str(f)])
    assert code == 2 and out == ""
    assert err.startswith("gasp-graph: error: ")
    assert f"{f}" in err and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_read_edge_list_raises_typed_error(content, message):
    with pytest.raises(EdgeListError, match="bad.txt") as info:
        read_edge_list(content.splitlines(keepends=True), "bad.txt")
    assert message in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, GaspError)


def test_unreadable_inputs(capsys, tmp_path):
    missing = tmp_path / "missing.txt"
    code, _, err = run(capsys, [str(missing)])
    assert code == 2 and "missing.txt: no such file" in err
    code, _, err = run(capsys, [str(tmp_path)])
    assert code == 2 and "is a directory" in err
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    code, _, err = run(capsys, [str(binary)])
    assert code == 2 and "not a text file" in err
    good = tmp_path / "edges.txt"
    good.write_text(TWO_TRIANGLES)
    code, _, err = run(capsys, [str(good), "-o", str(tmp_path / "no" / "dir" / "out.txt")])
    assert code == 2 and "cannot write" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--linkage", "bogus"], "'bogus' is not a known linkage"),
        (["--n-clusters", "0"], "--n-clusters must be >= 1"),
        (["--size-regularizer", "-1"], "--size-regularizer must be finite and >= 0"),
        (["--linkage-param", "2"], "--linkage-param 2.0 given, but --linkage 'average' takes no"),
        (["--linkage", "generalized_mean", "--linkage-param", "0"], "--linkage-param must be > 0"),
        (
            ["--merge-constrained-at-end"],
            "--merge-constrained-at-end only has a meaning with --cannot-link",
        ),
        (["--n-clusters", "two"], "argument --n-clusters: invalid int value"),
        # beyond int64 / the double range: was a traceback and exit 1
        (["--n-clusters", "99999999999999999999999"], "--n-clusters must be <= 2**63 - 1"),
        (["--min-clusters", "99999999999999999999999"], "--min-clusters must be <= 2**63 - 1"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_bad_options(capsys, argv, message):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_help_documents_every_option(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    for option in ["--output", "--linkage", "--cannot-link", "--merge-constrained-at-end",
                   "--n-clusters", "--size-regularizer", "--linkage-param", "--summary",
                   "lifted", "exit status", "abs_max", "mutex_watershed"]:
        assert option in out, option


def test_version(capsys):
    import gasp_graph

    code, out, _ = run(capsys, ["--version"])
    assert code == 0 and out.strip() == f"gasp-graph {gasp_graph.__version__}"


# ------------------------------------------------------------------------------------- misc


def test_adjusted_rand_index():
    assert adjusted_rand_index([0, 0, 1, 1], [3, 3, 7, 7]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # Hand computed: pairs together in both 1, expected 2 * 1 / 6, mean of the margins 1.5.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 0, 1]) == 0.0


# ------------------------------------------------------------------------------- subprocess


def test_python_dash_m_runs_the_example(tmp_path):
    # Outside the source tree, so the installed package is the one that runs.
    proc = subprocess.run(
        [sys.executable, "-m", "gasp_graph"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "200 nodes, 1454 edges" in proc.stdout and "adjusted Rand index" in proc.stdout


def test_python_dash_m_bad_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("0 1 0.5\n1 2 oops\n")
    proc = subprocess.run(
        [sys.executable, "-m", "gasp_graph", str(bad)], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"gasp-graph: error: {bad}, line 2: weight 'oops' is not a number\n"


# --------------------------------------------------------------------------------------------
# networkx formats: GraphML, GML, edge lists with named attributes


def _signed_graph(nx, seed=3):
    rng = np.random.default_rng(seed)
    G = nx.gnm_random_graph(30, 90, seed=seed)
    G = nx.relabel_nodes(G, {i: f"n{i}" for i in G.nodes})
    for u, v in G.edges:
        G.edges[u, v]["score"] = float(rng.uniform(-1, 1))
        G.edges[u, v]["long"] = bool(rng.random() < 0.3)
    return G


def _labels_by_node(text):
    return {line.split()[0]: int(line.split()[1]) for line in text.splitlines() if line.strip()}


def _expected(nx, G, **kwargs):
    from gasp_graph import partition

    cluster = {node: i for i, c in enumerate(partition(G, **kwargs)) for node in c}
    first = {}
    return {node: first.setdefault(cluster[node], len(first)) for node in G.nodes}


@pytest.mark.parametrize("fmt", ["graphml", "gml"])
@pytest.mark.parametrize("lifted", [False, True])
def test_networkx_formats_equal_partition(capsys, tmp_path, fmt, lifted):
    nx = pytest.importorskip("networkx")
    G = _signed_graph(nx)
    path = tmp_path / f"g.{fmt}"
    (nx.write_graphml if fmt == "graphml" else nx.write_gml)(G, path)
    argv = [str(path), "--weight", "score", "--linkage", "sum", "--cannot-link"]
    if lifted:
        argv += ["--lifted", "long"]
    code, out, _ = run(capsys, argv)
    assert code == 0
    got = _labels_by_node(out)
    expected = _expected(nx, G, weight="score", linkage="sum", cannot_link=True,
                         lifted="long" if lifted else None)
    assert got == expected
    assert len(set(got.values())) > 1  # a real partition, not everything in one cluster


def test_edge_list_with_an_attractive_repulsive_pair(capsys, tmp_path):
    nx = pytest.importorskip("networkx")
    path = tmp_path / "pairs.txt"
    path.write_text("a b 0.9 0.1\nb c 0.2 0.7\nc d 0.8 0.0\n")
    code, out, _ = run(capsys, [str(path), "--format", "edgelist", "--weight", "att",
                                "--weight", "rep"])
    assert code == 0
    assert _labels_by_node(out) == {"a": 0, "b": 0, "c": 1, "d": 1}


def test_networkx_missing_weight_needs_default_weight(capsys, tmp_path):
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_edge("a", "b", weight=0.5)
    G.add_edge("b", "c")
    path = tmp_path / "g.graphml"
    nx.write_graphml(G, path)
    code, _, err = run(capsys, [str(path)])
    assert code == 2 and "weight" in err and "Traceback" not in err
    code, out, _ = run(capsys, [str(path), "--default-weight", "-1"])
    assert code == 0 and _labels_by_node(out) == {"a": 0, "b": 0, "c": 1}


def test_directed_graphml_is_a_clear_error(capsys, tmp_path):
    nx = pytest.importorskip("networkx")
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=0.5)
    path = tmp_path / "d.graphml"
    nx.write_graphml(G, path)
    code, _, err = run(capsys, [str(path)])
    assert code == 2 and "directed" in err and "Traceback" not in err


def test_help_documents_the_networkx_options(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    for flag in ("--format", "--weight", "--lifted", "--default-weight", "GraphML", "gml",
                 "--header", "--no-header", "--source", "--target", "--self-loops", ".xz"):
        assert flag in out


GRAPHML_TYPED = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="{type}"/>
  <graph edgedefault="undirected">
    <node id="a"/><node id="b"/><node id="c"/>
    <edge source="a" target="b"><data key="w">{value}</data></edge>
    <edge source="b" target="c"><data key="w">{value}</data></edge>
  </graph>
</graphml>
"""


@pytest.mark.parametrize("attr_type, value, message", [
    # weights declared as strings or booleans ran through and exited 0
    ("string", "0.5", "has weight='0.5' (str)"),
    ("boolean", "true", "has weight=True (bool)"),
    # integers beyond the double range: a traceback and exit 1
    ("long", "1" + "0" * 400, "(an integer of 401 digits): too large for a double"),
])
def test_graphml_weights_that_are_not_doubles_exit_2(capsys, tmp_path, attr_type, value, message):
    pytest.importorskip("networkx")
    path = tmp_path / "typed.graphml"
    path.write_text(GRAPHML_TYPED.format(type=attr_type, value=value))
    code, out, err = run(capsys, [str(path)])
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("name, content, message", [
    ("huge.gml", 'graph [ node [ id 0 label "a" ] node [ id 1 label "b" ] '
                 'edge [ source 0 target 1 weight 1' + "0" * 400 + " ] ]",
     "too large for a double"),
    ("huge.txt", "0 1 {'weight': 1" + "0" * 400 + "}\n", "too large for a double"),
    ("corrupt.graphml.gz", "no", "could not read"),
    ("truncated.gml.gz", "\x1f\x8b\x08\x00garbage", "could not read"),
    ("corrupt.gml.bz2", "BZhgarbage", "could not read"),
])
def test_bad_networkx_files_exit_2_naming_the_file(capsys, tmp_path, name, content, message):
    pytest.importorskip("networkx")
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1"))
    argv = [str(path)] + (["--format", "edgelist"] if name.endswith(".txt") else [])
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert message in err and str(path) in err and "Traceback" not in err


# ------------------------------------------------------------- probabilities: --kind, --beta

SCORES = """\
source,target,weight
alice,alicia,0.95
alice,bob,0.1
bob,robert,0.9
alicia,robert,0.05
carol,caroline,0.8
"""


@pytest.mark.parametrize("argv, kind, beta", [
    (["--kind", "linear"], "linear", 0.5),
    (["--kind", "logit", "--beta", "0.3"], "logit", 0.3),
    (["--kind", "linear", "--beta", "0.92"], "linear", 0.92),
])
def test_kind_maps_probabilities_like_signed_weights(capsys, tmp_path, argv, kind, beta):
    from gasp_graph import signed_weights

    path = tmp_path / "scores.csv"
    path.write_text(SCORES)
    code, out, err = run(capsys, [str(path), *argv])
    assert code == 0 and err == ""
    names = ["alice", "alicia", "bob", "robert", "carol", "caroline"]
    rows = [line.split(",") for line in SCORES.splitlines()[1:]]
    edges = np.array([[names.index(a), names.index(b)] for a, b, _ in rows])
    p = np.array([float(x) for *_, x in rows])
    expected = gasp(edges, signed_weights(p, kind=kind, beta=beta), n_nodes=6)
    got = dict(line.split(",") for line in out.splitlines()[1:])
    assert [int(got[v]) for v in names] == expected.tolist()


def test_all_positive_weights_warn_with_the_probability_hint(capsys, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text(SCORES)
    code, out, err = run(capsys, [str(path)])
    assert code == 0
    assert "warning: the graph has no negative weight" in err and "--kind linear" in err
    assert "----" not in err  # option names are not replaced twice
    assert len({line.split(",")[1] for line in out.splitlines()[1:]}) == 2  # the components
    path.write_text(SCORES.replace("0.95", "3.5"))  # not probabilities: no hint
    err = run(capsys, [str(path)])[2]
    assert "no negative weight" in err and "--kind" not in err
    signed = tmp_path / "signed.txt"
    signed.write_text(TWO_TRIANGLES)
    assert run(capsys, [str(signed)])[2] == ""  # a signed graph: no warning
    assert "warning" not in run(capsys, [])[2]  # nor on the bundled example


@pytest.mark.parametrize("argv, message", [
    (["--beta", "0.3"], "--beta applies to probabilities: give --kind"),
    (["--kind", "logit", "--beta", "1.5"], "--beta must lie strictly between 0 and 1"),
    (["--kind", "linear"], "line 2: weight 1.5 is not a probability in [0, 1]"),
    (["--kind", "linear", "--weight", "3", "--weight", "3"], "give --weight once"),
])
def test_kind_and_beta_errors_exit_2(capsys, tmp_path, argv, message):
    path = tmp_path / "e.txt"
    path.write_text("a b 0.5\nb c 1.5\n")
    code, out, err = run(capsys, [str(path), *argv])
    assert code == 2 and out == ""
    assert message in err


def test_kind_on_a_graph_file(capsys, tmp_path):
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_edge("a", "b", p=0.9)
    G.add_edge("b", "c", p=0.2)
    G.add_edge("c", "d", p=0.7)
    path = tmp_path / "g.graphml"
    nx.write_graphml(G, path)
    code, out, err = run(capsys, [str(path), "--weight", "p", "--kind", "linear"])
    assert code == 0 and err == ""
    assert dict(line.split() for line in out.splitlines()) == {"a": "0", "b": "0", "c": "1",
                                                                "d": "1"}
    G.add_edge("d", "e", p=1.5)
    nx.write_graphml(G, path)
    code, out, err = run(capsys, [str(path), "--weight", "p", "--kind", "linear"])
    assert code == 2 and "probabilities in [0, 1]" in err
