"""Quality measures against brute force on small graphs."""
import itertools

import numpy as np
import pytest

from gasp_graph import GaspTypeError, GaspValueError, partition, quality

nx = pytest.importorskip("networkx")


def set_partitions(items):
    """Every partition of a list (Bell number many)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for sub in set_partitions(rest):
        for i in range(len(sub)):
            yield sub[:i] + [[first] + sub[i]] + sub[i + 1:]
        yield [[first]] + sub


def brute(G, communities):
    """Direct definitions, one node pair and one edge at a time."""
    where = {u: k for k, c in enumerate(communities) for u in c}
    dis = cost = 0.0
    for u, v, w in G.edges(data="weight"):
        if u == v:
            continue
        if where[u] != where[v]:
            cost += w
            dis += max(w, 0.0)
        else:
            dis += max(-w, 0.0)
    return dis, cost


def small_graph(seed, multigraph=False):
    rng = np.random.default_rng(seed)
    G = nx.MultiGraph() if multigraph else nx.Graph()
    G.add_nodes_from("abcdef")
    for _ in range(12):
        u, v = rng.choice(list("abcdef"), 2)
        G.add_edge(str(u), str(v), weight=float(np.round(rng.normal(0, 1), 2)))
    return G


@pytest.mark.parametrize("multigraph", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_agree_with_brute_force_on_every_partition(seed, multigraph):
    G = small_graph(seed, multigraph)
    negative = -sum(min(w, 0.0) for u, v, w in G.edges(data="weight") if u != v)
    n_partitions = 0
    for communities in set_partitions(list(G)):
        dis, cost = brute(G, communities)
        assert quality.disagreement(G, communities) == pytest.approx(dis, abs=1e-12)
        assert quality.multicut_cost(G, communities) == pytest.approx(cost, abs=1e-12)
        assert dis == pytest.approx(cost + negative, abs=1e-12)  # documented identity
        n_partitions += 1
    assert n_partitions == 203  # Bell(6)


@pytest.mark.parametrize("seed", range(4))
def test_array_versions_match_graph_versions(seed):
    G = small_graph(seed, multigraph=True)
    nodes = list(G)
    index = {u: i for i, u in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in G.edges()])
    weights = np.array([w for *_, w in G.edges(data="weight")])
    for communities in itertools.islice(set_partitions(nodes), 0, None, 7):
        labels = np.empty(len(nodes), dtype=np.int64)
        for k, c in enumerate(communities):
            labels[[index[u] for u in c]] = 10 * k + 3  # arbitrary label values
        assert quality.disagreement_from_labels(labels, edges, weights) == pytest.approx(
            quality.disagreement(G, communities), abs=1e-12
        )
        assert quality.multicut_cost_from_labels(labels, edges, weights) == pytest.approx(
            quality.multicut_cost(G, communities), abs=1e-12
        )


def test_consistent_partition_has_zero_disagreement():
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 1.0), (2, 3, 2.0), (1, 2, -1.5), (0, 3, -0.5)])
    assert quality.disagreement(G, partition(G)) == 0.0
    assert quality.multicut_cost(G, partition(G)) == -2.0


def test_self_loops_ignored_and_weight_pair():
    G = nx.Graph()
    G.add_edge(0, 1, a=1.0, r=3.0)
    G.add_edge(0, 0, a=0.0, r=5.0)
    assert quality.disagreement(G, [{0, 1}], weight=("a", "r")) == 2.0
    assert quality.multicut_cost(G, [{0}, {1}], weight=("a", "r")) == -2.0


@pytest.mark.parametrize(
    "communities, pattern",
    [
        ([{0, 1}, {1, 2}], r"node 1 is in communities\[0\] and communities\[1\]"),
        ([{0, 1}], "node 2 of G is in no community"),
        ([{0, 1, 2}, {"x"}], r"communities\[1\] contains 'x', which is not a node of G"),
        ([[0, 1, 2, ["unhashable"]]], "not a node of G"),
    ],
)
def test_not_a_partition(communities, pattern):
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 1.0, "weight")
    for f in (quality.disagreement, quality.multicut_cost):
        with pytest.raises(GaspValueError, match=pattern):
            f(G, communities)


def test_other_errors():
    G = nx.path_graph(3)
    with pytest.raises(GaspValueError, match=r"edge \(0, 1\) has no 'weight' attribute"):
        quality.disagreement(G, [{0, 1, 2}])
    assert quality.disagreement(G, [{0}, {1, 2}], default_weight=1.0) == 1.0
    with pytest.raises(GaspTypeError, match="communities must be an iterable"):
        quality.multicut_cost(G, 3)
    with pytest.raises(nx.NetworkXNotImplemented):
        quality.disagreement(nx.DiGraph([(0, 1)]), [{0, 1}])
    with pytest.raises(GaspValueError, match=r"edges\[0\] = \(0, 5\)"):
        quality.disagreement_from_labels([0, 1], [[0, 5]], [1.0])
    with pytest.raises(GaspTypeError, match="labels must be a 1-D integer array"):
        quality.multicut_cost_from_labels([0.5, 1.0], [[0, 1]], [1.0])
    with pytest.raises(GaspValueError, match="weights"):
        quality.multicut_cost_from_labels([0, 1], [[0, 1]], [np.nan])
