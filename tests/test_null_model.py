"""The null-model linkage (null_model="modularity" | "cpm") against the oracle and networkx.

* the engine (both id widths, merge record included) equals tests/reference.py, with ties
  (weights from a small set) and without, lifted edges, edge and node sizes, size regulariser
  and cluster targets;
* sum + modularity null model == networkx's greedy_modularity_communities (CNM) on tie-free
  weighted graphs, for several resolutions, cutoff and best_n, through gasp_graph's function
  and through the networkx backend; merge-tree heights are the modularity gains;
* strengths count self-loops (networkx's weighted degree); bad combinations raise.
"""
import importlib.metadata

import networkx as nx
import numpy as np
import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from random_graphs import TIE_WEIGHTS, random_edges

import gasp_graph
from gasp_graph import (
    GaspTypeError,
    GaspValueError,
    agglomerate,
    gasp,
    greedy_modularity_communities,
    partition,
)
from gasp_graph import _core
from gasp_graph._validation import prepare


class _Recording(reference.State):
    """The oracle's state, recording (a, b, W) per merge (scipy ids, W with the null term)."""

    def __init__(self, n, *args, **kwargs):
        super().__init__(n, *args, **kwargs)
        self.n = n
        self.sid = {v: v for v in range(n)}
        self.record = []

    def merge(self, a, b):
        key = (min(a, b), max(a, b))
        W = self.value(key, self.pair[key])
        ia, ib = sorted((self.sid.pop(a), self.sid.pop(b)))
        super().merge(a, b)
        self.sid[min(a, b)] = self.n + len(self.record)
        self.record.append((ia, ib, W))


def _problem(rng, ties, null_model):
    n = int(rng.integers(1, 25))
    e = random_edges(rng, n, int(rng.integers(0, 60)), duplicates=bool(rng.integers(2)))
    m = len(e)
    if null_model == "modularity":  # strengths must be >= 0: non-negative weights
        w = rng.choice(TIE_WEIGHTS[2:], size=m) if ties else rng.uniform(0.0, 1.0, size=m)
    else:
        w = rng.choice(TIE_WEIGHTS, size=m) if ties else rng.uniform(-1.0, 1.0, size=m)
    kw = dict(
        linkage="sum",
        null_model=null_model,
        resolution=float(rng.choice([0.0, 0.25, 0.5, 1.0, 2.0])),
        lifted=(rng.random(m) < 0.2) if rng.integers(2) else None,
        edge_sizes=rng.choice([1.0, 2.0], size=m) if rng.integers(2) else None,
        node_weights=(rng.choice([0.0, 1.0, 2.0], size=n) if ties else rng.uniform(0, 2, n))
        if rng.integers(2) else None,
    )
    target = int(rng.integers(1, n + 1))  # exact n_clusters (with the completion) or an early stop
    kw["n_clusters" if rng.integers(2) else "min_clusters"] = target if rng.integers(4) == 0 else None
    kw.setdefault("n_clusters", None)
    if rng.integers(3) == 0:
        kw["size_regularizer"] = 0.5
        kw["node_sizes"] = rng.uniform(0.5, 2.0, size=n)
    return n, e, w, kw


def _check(n, e, w, kw):
    expected = reference.gasp_reference(n, e, w, **kw)
    a, scale = reference.null_model_values(
        n, e.tolist(), w.tolist(), kw["edge_sizes"], kw["null_model"], kw["node_weights"])
    m = len(w)
    state = _Recording(
        n, e.tolist(), w.tolist(),
        [False] * m if kw["lifted"] is None else kw["lifted"].tolist(),
        [1.0] * m if kw["edge_sizes"] is None else kw["edge_sizes"].tolist(),
        [1.0] * n if kw.get("node_sizes") is None else kw["node_sizes"].tolist(),
        "sum", None, null_values=a, gamma=kw["resolution"])
    reference.run_phases(state, kw.get("size_regularizer", 0.0), False, False,
                         n_clusters=kw["n_clusters"], min_clusters=kw.get("min_clusters"))
    assert np.array_equal(state.labels(n), expected)
    assert np.array_equal(gasp(e, w, n_nodes=n, **kw), expected)
    problem = prepare(e, w, n_nodes=n, **kw)
    for bits in (32, 64):
        labels, merges, heights, _ = _core.run(problem, index_bits=bits, record_merges=True)
        assert np.array_equal(labels, expected), (bits, labels, expected, kw)
        ref_merges = np.array([(x, y) for x, y, _ in state.record], dtype=np.int64).reshape(-1, 2)
        assert np.array_equal(merges, ref_merges), (bits, merges.tolist(), ref_merges.tolist())
        np.testing.assert_allclose(heights, [h * scale for _, _, h in state.record],
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # unreachable n_clusters
@pytest.mark.parametrize("null_model", ["modularity", "cpm"])
@pytest.mark.parametrize("ties", [False, True])
def test_engine_equals_oracle_seeded(null_model, ties):
    rng = np.random.default_rng(11 + ties + 2 * (null_model == "cpm"))
    for _ in range(60):
        _check(*_problem(rng, ties, null_model))


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")  # unreachable n_clusters
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.sampled_from(["modularity", "cpm"]))
def test_engine_equals_oracle_hypothesis(seed, ties, null_model):
    _check(*_problem(np.random.default_rng(seed), ties, null_model))


# --------------------------------------------------------------------------------------------
# networkx's CNM
# --------------------------------------------------------------------------------------------

def _weighted_graph(seed, n, p):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.uniform(0.1, 2.0))
    return G


def _tie_free(G, resolution):
    """No merge of the greedy sequence has a gain within rounding of 0 or of another gain."""
    tree = agglomerate(G, linkage="sum", null_model="modularity", resolution=resolution)
    h = np.sort(tree.heights)
    return not (np.abs(h) < 1e-9).any() and not (np.diff(h) < 1e-12).any()


@pytest.mark.parametrize("resolution", [0.5, 1.0, 1.5])
def test_greedy_modularity_equals_networkx(resolution):
    compared = 0
    for seed in range(40):
        G = _weighted_graph(seed, 8 + seed % 20, 0.15 + 0.01 * (seed % 10))
        if G.number_of_edges() == 0 or not _tie_free(G, resolution):
            continue
        expected = nx.community.greedy_modularity_communities(G, weight="weight",
                                                              resolution=resolution)
        got = greedy_modularity_communities(G, weight="weight", resolution=resolution)
        # the same communities; equal sizes are ordered by first node here (by networkx's
        # internal dict order there)
        assert set(got) == set(expected)
        assert _ordered(got, list(G))
        assert all(isinstance(c, frozenset) for c in got)
        assert [len(c) for c in got] == sorted((len(c) for c in got), reverse=True)
        # partition() with the null model stops at the maximum too (no zero-gain merges here)
        assert sorted(map(sorted, partition(G, linkage="sum", null_model="modularity",
                                            resolution=resolution))) == sorted(map(sorted, got))
        for cutoff, best_n in [(3, None), (2, 4), (1, 2), (4, 4)]:
            if best_n is not None and best_n > len(G) or cutoff > len(G):
                continue
            exp = nx.community.greedy_modularity_communities(
                G, weight="weight", resolution=resolution, cutoff=cutoff, best_n=best_n)
            assert set(greedy_modularity_communities(
                G, weight="weight", resolution=resolution, cutoff=cutoff, best_n=best_n)) == set(exp)
        compared += 1
    assert compared >= 20


def _ordered(comms, nodes):
    """Decreasing size, ties by the position of each community's first node."""
    pos = {v: i for i, v in enumerate(nodes)}
    keys = [(-len(c), min(pos[v] for v in c)) for c in comms]
    return keys == sorted(keys)


def test_greedy_modularity_unweighted_and_special_cases():
    G = nx.karate_club_graph()
    assert set(greedy_modularity_communities(G)) == set(
        nx.community.greedy_modularity_communities(G))
    H = nx.Graph()
    H.add_nodes_from([3, 1, 2])
    assert greedy_modularity_communities(H) == [{3}, {1}, {2}]
    assert greedy_modularity_communities(G, best_n=1) == [set(G)]
    # disconnected: best_n joins the largest components, as networkx does
    D = nx.disjoint_union(nx.complete_graph(4), nx.path_graph(3))
    D.add_node(99)
    assert set(greedy_modularity_communities(D, best_n=2)) == set(
        nx.community.greedy_modularity_communities(D, best_n=2))
    with pytest.raises(ValueError, match="cutoff must be between 1 and 34"):
        greedy_modularity_communities(G, cutoff=0)
    with pytest.raises(GaspValueError, match="best_n >= cutoff"):
        greedy_modularity_communities(G, cutoff=5, best_n=3)
    with pytest.raises(nx.NetworkXNotImplemented):
        greedy_modularity_communities(nx.MultiGraph(G))
    with pytest.raises(nx.NetworkXNotImplemented):
        greedy_modularity_communities(nx.DiGraph(G))
    with pytest.raises(GaspTypeError, match="networkx graph"):
        greedy_modularity_communities([[0, 1]])


def test_self_loops_count_in_the_strengths():
    G = _weighted_graph(3, 14, 0.3)
    G.add_edge(0, 0, weight=5.0)
    G.add_edge(7, 7, weight=2.5)
    tree = agglomerate(G, linkage="sum", null_model="modularity")
    nodes = list(G)
    # every merge height is the change of networkx's modularity (which counts the loops)
    before = nx.community.modularity(G, [{v} for v in nodes])
    for j in range(len(tree)):
        after = nx.community.modularity(G, _sets(tree.labels_at(j + 1), nodes))
        assert after - before == pytest.approx(tree.heights[j], abs=1e-12)
        before = after
    if _tie_free(G, 1.0):
        assert set(greedy_modularity_communities(G, weight="weight")) == \
            set(nx.community.greedy_modularity_communities(G, weight="weight"))
    # a sparse matrix's diagonal is its self-loops
    A = nx.to_scipy_sparse_array(G, nodelist=nodes)
    np.testing.assert_array_equal(
        partition(A, linkage="sum", null_model="modularity"),
        gasp_graph.gasp(*_arrays(G), n_nodes=len(G), linkage="sum", null_model="modularity",
                        node_weights=[d for _, d in G.degree(weight="weight")]))


def _arrays(G):
    edges = np.array([(u, v) for u, v in G.edges if u != v])
    return edges, np.array([G[u][v]["weight"] for u, v in edges])


def _sets(labels, nodes):
    return [{nodes[i] for i in np.flatnonzero(labels == k)} for k in range(labels.max() + 1)]


def test_merge_heights_are_modularity_gains():
    G = nx.les_miserables_graph()
    for gamma in (0.5, 1.0, 2.0):
        tree = agglomerate(G, linkage="sum", null_model="modularity", resolution=gamma)
        nodes = tree.nodes
        q = [nx.community.modularity(G, _sets(tree.labels_at(j), nodes), resolution=gamma)
             for j in range(0, len(tree) + 1, 7)]
        np.testing.assert_allclose(np.diff(q), [tree.heights[j:j + 7].sum()
                                                for j in range(0, len(tree) - 6, 7)][:len(q) - 1],
                                   atol=1e-12)
        assert tree.options["null_model"] == "modularity"
        # the GASP part stops at the maximum: every later merge lowers modularity at once
        assert (tree.heights[: tree.n_gasp_merges] > 0).all()
        assert tree.heights[tree.n_gasp_merges] <= 0


def test_cpm_heights_are_cpm_gains():
    rng = np.random.default_rng(5)
    e = random_edges(rng, 20, 60)
    w = rng.uniform(-1, 1, size=len(e))
    tree = agglomerate(e, w, n_nodes=20, linkage="sum", null_model="cpm", resolution=0.1)
    f = [reference.objective(tree.labels_at(j), e, w, None, [1.0] * 20, 0.1)
         for j in range(len(tree) + 1)]
    np.testing.assert_allclose(np.diff(f), tree.heights, atol=1e-12)


# --------------------------------------------------------------------------------------------
# The networkx backend
# --------------------------------------------------------------------------------------------

def test_backend_entry_points_are_installed():
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="networkx.backends")}
    assert eps.get("gasp_graph") == "gasp_graph.backend:backend_interface"
    info = {ep.name: ep.value
            for ep in importlib.metadata.entry_points(group="networkx.backend_info")}
    assert info.get("gasp_graph") == "gasp_graph.backend:get_info"
    assert "gasp_graph" in nx.community.greedy_modularity_communities.backends


def test_backend_dispatch():
    G = _weighted_graph(1, 30, 0.2)
    expected = nx.community.greedy_modularity_communities(G, weight="weight")
    got = nx.community.greedy_modularity_communities(G, weight="weight", backend="gasp_graph")
    assert set(got) == set(expected)
    assert got == greedy_modularity_communities(G, weight="weight")
    # the dispatch really ran gasp_graph: a tie-breaking difference is visible on a ring
    # of equal weights, where networkx and gasp_graph break ties differently
    R = nx.relabel_nodes(nx.cycle_graph(12), {i: (5 * i) % 12 for i in range(12)})
    ours = greedy_modularity_communities(R)
    assert set(ours) != set(nx.community.greedy_modularity_communities(R))  # ties break apart
    assert nx.community.greedy_modularity_communities(R, backend="gasp_graph") == ours


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(linkage="average", null_model="modularity"), GaspValueError, "needs linkage='sum'"),
    (dict(linkage="sum", null_model="cpm", cannot_link=True), GaspValueError, "cannot_link"),
    (dict(linkage="sum", null_model="potts"), GaspValueError, "not a known null model"),
    (dict(linkage="sum", resolution=2.0), GaspValueError, "no effect without a null model"),
    (dict(linkage="sum", null_model="cpm", resolution=-1.0), GaspValueError, "resolution"),
    (dict(linkage="sum", null_model="cpm", resolution="x"), GaspTypeError, "resolution"),
    (dict(linkage="sum", node_weights=[1, 1, 1]), GaspValueError, "only used by a null model"),
    (dict(linkage="sum", null_model="cpm", node_weights=[1, -1, 1]), GaspValueError,
     r"node_weights\[1\] = -1.0"),
    (dict(linkage="sum", null_model="cpm", node_weights=[1, 1]), GaspValueError, r"shape \(3,\)"),
    (dict(linkage="sum", null_model="modularity", refine=True, n_clusters=2), GaspValueError,
     "n_clusters"),
])
def test_bad_null_model_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gasp([[0, 1], [1, 2]], [1.0, 0.5], **kwargs)


def test_negative_strength_is_refused_for_modularity():
    with pytest.raises(GaspValueError, match="node 2 has strength -2.0"):
        gasp([[0, 1], [1, 2], [2, 3]], [1.0, -1.0, -1.0], linkage="sum", null_model="modularity")
