"""communities(G): planted partitions it must recover, methods, inputs; partition()'s warning."""
import networkx as nx
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from gasp_graph import (
    GaspTypeError,
    GaspValueError,
    GaspWarning,
    communities,
    greedy_modularity_communities,
    partition,
)
from gasp_graph.community import neighbourhood_similarity
from gasp_graph.quality import modularity


def _labels(comms, nodes):
    where = {v: k for k, c in enumerate(comms) for v in c}
    return [where[v] for v in nodes]


def _sbm(sizes, p_in, p_out, seed):
    P = np.full((len(sizes), len(sizes)), p_out)
    np.fill_diagonal(P, p_in)
    G = nx.stochastic_block_model(sizes, P.tolist(), seed=seed)
    return G, np.repeat(np.arange(len(sizes)), sizes)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_planted_partitions(seed):
    G, truth = _sbm([30] * 8 + [10] * 6, 0.5, 0.01, seed)
    got = communities(G)
    assert nx.community.is_partition(G, got)
    assert adjusted_rand_score(truth, _labels(got, list(G))) > 0.95


def test_keeps_cliques_apart_where_modularity_merges_them():
    G = nx.ring_of_cliques(30, 5)
    truth = [set(range(5 * i, 5 * i + 5)) for i in range(30)]
    assert communities(G) == truth
    merged = communities(G, method="modularity")
    assert len(merged) == 15 and len(greedy_modularity_communities(G)) == 15
    assert modularity(G, merged) > modularity(G, truth)  # the resolution limit


def test_lfr_graph():
    G = nx.LFR_benchmark_graph(1000, 2.5, 1.5, 0.2, average_degree=10, max_degree=50,
                               min_community=10, max_community=100, seed=2)
    ids = {}
    truth = [ids.setdefault(min(G.nodes[v]["community"]), len(ids)) for v in G]
    got = communities(G)
    louvain = nx.community.louvain_communities(G, seed=0)
    assert adjusted_rand_score(truth, _labels(got, list(G))) >= \
        adjusted_rand_score(truth, _labels(louvain, list(G))) - 0.01


def test_auto_falls_back_to_modularity_for_large_sparse_communities():
    # below 85 % of the optimiser's modularity: the optimiser from singletons
    G, truth = _sbm([250] * 4, 0.04, 0.01, 2)
    sim = communities(G, method="similarity")
    mod = communities(G, method="modularity")
    assert modularity(G, sim) < 0.85 * modularity(G, mod)
    assert communities(G) == mod
    louvain = nx.community.louvain_communities(G, seed=0)
    assert adjusted_rand_score(truth, _labels(mod, list(G))) > max(
        0.85, adjusted_rand_score(truth, _labels(louvain, list(G))))


def test_auto_searches_from_the_similarity_partition_on_noisy_graphs():
    # LFR with mixing 0.5 (the benchmark's graph): the similarity partition has 85 to 95 % of
    # the optimiser's modularity, so "auto" runs the multilevel search (modularity at
    # resolution 1.15) from it, which raises its modularity and recovers the planted partition
    # better than Louvain and than the optimiser from singletons.
    G = nx.LFR_benchmark_graph(1000, 2.5, 1.5, 0.5, average_degree=10, max_degree=50,
                               min_community=10, max_community=100, seed=20240611)
    ids = {}
    truth = [ids.setdefault(min(G.nodes[v]["community"]), len(ids)) for v in G]
    G.remove_edges_from(list(nx.selfloop_edges(G)))
    sim = communities(G, method="similarity")
    mod = communities(G, method="modularity")
    assert 0.85 * modularity(G, mod) <= modularity(G, sim) < 0.95 * modularity(G, mod)
    got = communities(G)
    assert got != sim and got != mod
    assert modularity(G, got) > modularity(G, sim)

    def ari(comms):
        return adjusted_rand_score(truth, _labels(comms, list(G)))

    louvain = nx.community.louvain_communities(G, seed=0)
    assert ari(got) > max(ari(mod), ari(louvain)) + 0.05


def test_multilevel_modularity_beats_greedy():
    for G in (nx.karate_club_graph(), nx.les_miserables_graph(), _sbm([40] * 5, 0.2, 0.02, 4)[0]):
        ml = communities(G, method="modularity")
        assert nx.community.is_partition(G, ml)
        assert modularity(G, ml, weight=None) >= modularity(
            G, greedy_modularity_communities(G), weight=None) - 1e-12


def test_weights_order_and_special_graphs():
    G = nx.Graph()
    G.add_nodes_from(["z", "a"])
    assert communities(G) == [{"z"}, {"a"}]
    H = nx.ring_of_cliques(6, 4)
    H.add_node("alone")
    got = communities(H)
    assert got[-1] == {"alone"}
    sizes = [len(c) for c in got]
    assert sizes == sorted(sizes, reverse=True)
    W = nx.Graph()
    W.add_edge(0, 1, w=5.0)
    W.add_edge(1, 2, w=0.1)
    W.add_edge(2, 3, w=5.0)
    assert communities(W, weight="w") == [{0, 1}, {2, 3}]
    assert communities(nx.MultiGraph(nx.ring_of_cliques(4, 4))) == communities(
        nx.ring_of_cliques(4, 4))


def test_similarity_is_the_closed_neighbourhood_cosine():
    edges = np.array([[0, 1], [1, 2], [0, 2], [2, 3]])
    s = neighbourhood_similarity(4, edges, np.ones(4))
    # N[0] = {0,1,2}, N[2] = {0,1,2,3}: |common| = 3, cosine 3 / sqrt(3 * 4)
    assert s[2] == pytest.approx(3 / np.sqrt(12))
    assert s[3] == pytest.approx(2 / np.sqrt(4 * 2))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(method="louvain"), GaspValueError, "method='louvain'"),
    (dict(resolution=0), GaspValueError, "resolution"),
    (dict(resolution="3"), GaspTypeError, "resolution"),
])
def test_bad_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        communities(nx.karate_club_graph(), **kwargs)


def test_bad_inputs():
    G = nx.path_graph(3)
    G[0][1]["weight"] = -1.0
    with pytest.raises(GaspValueError, match=r"edge \(0, 1\) has weight -1.0"):
        communities(G, weight="weight")
    with pytest.raises(nx.NetworkXNotImplemented):
        communities(nx.DiGraph([(0, 1)]))
    with pytest.raises(GaspTypeError, match="a scipy sparse matrix, got numpy.ndarray"):
        communities(np.eye(3))


def _weighted_cliques():
    G = nx.ring_of_cliques(12, 5)
    G.add_edge(0, 0)  # a self-loop: counted by the modularity's strengths
    for u, v, d in G.edges(data=True):
        d["weight"] = 1.0 + (u + v) % 3
    return G


@pytest.mark.parametrize("weight", [None, "weight"])
@pytest.mark.parametrize("method", ["auto", "similarity", "modularity"])
def test_other_graph_kinds_give_the_networkx_result(weight, method):
    G = _weighted_cliques()
    expected = {frozenset(c) for c in communities(G, weight=weight, method=method)}
    assert len(expected) > 1
    # a sparse adjacency matrix: one label per row, numbered by first occurrence
    A = nx.to_scipy_sparse_array(G, format="csr", weight="weight")
    labels = communities(A, weight=weight, method=method)
    assert labels.dtype == np.int64 and labels[0] == 0
    assert {frozenset(np.flatnonzero(labels == c).tolist()) for c in set(labels)} == expected
    # a DataFrame edge table and an igraph Graph: lists of sets of their nodes
    df = nx.to_pandas_edgelist(G)
    assert {frozenset(c) for c in communities(df, weight=weight, method=method)} == expected
    ig = pytest.importorskip("igraph")
    H = ig.Graph.from_networkx(G)
    got = communities(H, weight=weight, method=method)
    assert {frozenset(c) for c in got} == expected


def test_other_graph_kinds_bad_inputs():
    A = nx.to_scipy_sparse_array(nx.path_graph(4), format="csr")
    with pytest.raises(GaspTypeError, match="stored values"):
        communities(A, weight="w")
    with pytest.raises(GaspValueError, match=r"edge \(0, 1\) has weight -1.0"):
        communities(-A, weight="weight")
    df = nx.to_pandas_edgelist(nx.path_graph(3))
    df["weight"] = [1.0, -2.0]
    with pytest.raises(GaspValueError, match="has weight -2.0"):
        communities(df, weight="weight")
    assert len(communities(df)) >= 1  # weight=None ignores the column


def test_partition_of_an_unsigned_graph_warns():
    G = nx.karate_club_graph()
    with pytest.warns(GaspWarning, match=r"connected components.*communities\(G\).*signed_weights"):
        assert partition(G) == [set(G)]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        partition(G, linkage="sum", null_model="modularity")  # a null model: no warning
        G.add_edge(0, 1, weight=-1.0)
        partition(G)  # something repels: no warning


@pytest.mark.gallery
def test_gallery_example_runs(monkeypatch):
    import runpy
    from pathlib import Path

    pytest.importorskip("matplotlib")
    script = Path(__file__).resolve().parent.parent / "examples" / "plot_communities.py"
    if not script.exists():
        pytest.skip(f"{script} not found: not running from a source tree")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setattr("sys.argv", [str(script)])
    namespace = runpy.run_path(str(script), run_name="__main__")
    results = namespace["results"]
    exact = {name: sum(set(c) in namespace["truth"] for c in comms)
             for name, comms in results.items()}
    assert exact["gasp_graph.communities"] > exact["greedy modularity (CNM)"]
    import matplotlib.pyplot as plt

    plt.close("all")
