"""read_graph: graph files of every supported format into networkx graphs."""
import gzip

import numpy as np
import pytest

from gasp_graph import GaspValueError, GaspWarning, partition
from gasp_graph.io import read_graph

nx = pytest.importorskip("networkx")


@pytest.fixture
def graph():
    rng = np.random.default_rng(0)
    G = nx.Graph()
    for _ in range(40):
        u, v = (int(x) for x in rng.integers(0, 15, 2))
        if u != v:
            G.add_edge(u, v, weight=float(np.round(rng.normal(0.1, 1), 3)),
                       lifted=int(rng.random() < 0.3))
    return G


def same(H, G):
    """Same edges and attributes, nodes compared as strings."""
    key = lambda e: (str(min(e[0], e[1], key=str)), str(max(e[0], e[1], key=str)))
    a = sorted(((*key((u, v)), d["weight"], bool(d["lifted"])) for u, v, d in G.edges(data=True)))
    b = sorted(((*key((u, v)), d["weight"], bool(d["lifted"])) for u, v, d in H.edges(data=True)))
    return a == b


def test_edgelist_dict_form(graph, tmp_path):
    path = tmp_path / "g.edgelist"
    nx.write_edgelist(graph, path, data=True)
    H = read_graph(path)
    assert same(H, graph)
    assert all(isinstance(u, str) for u in H)
    Hi = read_graph(path, nodetype=int)
    assert [{str(u) for u in c} for c in partition(Hi)] == partition(H)


@pytest.mark.parametrize("name, delimiter", [("g.txt", " "), ("g.csv", ","), ("g.tsv", "\t"),
                                             ("g.edges.gz", " ")])
def test_edgelist_columns(graph, tmp_path, name, delimiter):
    path = tmp_path / name
    lines = ["# u v weight lifted"] + [
        delimiter.join(str(x) for x in (u, v, d["weight"], d["lifted"]))
        for u, v, d in graph.edges(data=True)
    ]
    text = "\n".join(lines) + "\n"
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    H = read_graph(path, edge_attributes=("weight", "lifted"), nodetype=int)
    assert same(H, graph)
    assert partition(H, lifted="lifted") == partition(graph, lifted="lifted")


def test_two_columns_give_unweighted_graph(tmp_path):
    path = tmp_path / "g.el"
    path.write_text("a b\nb c\n")
    H = read_graph(path)
    assert sorted(map(sorted, H.edges())) == [["a", "b"], ["b", "c"]]
    with pytest.raises(GaspValueError, match="has no 'weight' attribute"):
        partition(H)
    with pytest.warns(GaspWarning):  # an unweighted graph: the components
        assert partition(H, default_weight=1.0) == [{"a", "b", "c"}]


@pytest.mark.parametrize("fmt, writer", [("graphml", nx.write_graphml), ("gml", nx.write_gml)])
def test_graphml_and_gml(graph, tmp_path, fmt, writer):
    path = tmp_path / f"g.{fmt}"
    writer(graph, path)
    H = read_graph(path)
    assert same(H, graph)
    assert [{str(u) for u in c} for c in partition(graph)] == [
        {str(u) for u in c} for c in partition(H)
    ]
    other = tmp_path / "graph.data"
    other.write_bytes(path.read_bytes())
    assert same(read_graph(other, format=fmt.upper()), graph)


def test_errors(tmp_path):
    path = tmp_path / "g.unknown"
    path.write_text("a b 1\n")
    with pytest.raises(GaspValueError, match=r"cannot tell the format of .*'\.unknown'"):
        read_graph(path)
    with pytest.raises(GaspValueError, match="format='pajek' is not supported"):
        read_graph(path, format="pajek")
    with pytest.raises(FileNotFoundError):
        read_graph(tmp_path / "missing.gml")
    bad = tmp_path / "bad.txt"
    bad.write_text("a b 1.0\nb c heavy\n")
    with pytest.raises(GaspValueError, match=r"could not read .*bad\.txt' as edgelist"):
        read_graph(bad)
    short = tmp_path / "short.txt"
    short.write_text("a b 1.0 0\nb c 2.0\n")
    with pytest.raises(GaspValueError, match="could not read"):
        read_graph(short, edge_attributes=("weight", "lifted"))
    broken = tmp_path / "broken.gml"
    broken.write_text("graph [ node [ id 0 ")
    with pytest.raises(GaspValueError, match="as gml"):
        read_graph(broken)
