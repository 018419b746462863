"""Known equivalences between GASP and classical algorithms, each on random graphs (fixed seeds).

* max linkage without constraints = connected components of the positive edges (scipy);
* abs_max linkage, with or without constraints = the Kruskal-style mutex watershed;
* the engine's fast paths (components for max, mutex watershed for abs_max) = its general loop;
* on complete graphs, average / min / max linkage without constraints = scipy's average /
  complete / single linkage on distances d = 1 - w, cut between merges at d < 1 (w > 0);
* sum linkage on the modularity matrix B = A - k k^T / 2m = greedy modularity (Clauset, Newman
  and Moore), as in networkx.community.greedy_modularity_communities.
"""
import itertools

import numpy as np
import pytest
from random_graphs import TIE_WEIGHTS, random_edges
from reference import canonical

from gasp_graph import _core, gasp
from gasp_graph._validation import prepare

SEEDS = range(40)


def _random_graph(seed, *, n_max=40, m_max=120, ties=False, duplicates=None):
    rng = np.random.default_rng([31337, seed])
    n = int(rng.integers(1, n_max + 1))
    if duplicates is None:
        duplicates = bool(seed % 2)
    e = random_edges(rng, n, int(rng.integers(0, m_max + 1)), duplicates=duplicates)
    if ties:
        w = rng.choice(TIE_WEIGHTS, size=len(e))
    else:
        w = rng.uniform(-1.0, 1.0, size=len(e))
    return rng, n, e, w


# --------------------------------------------------------------------------------------------
# max = connected components of the positive edges
# --------------------------------------------------------------------------------------------

def _positive_components(n, e, w):
    sp = pytest.importorskip("scipy.sparse")
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    pos = e[w > 0]
    a = sp.coo_matrix((np.ones(len(pos)), (pos[:, 0], pos[:, 1])), shape=(n, n))
    _, labels = csgraph.connected_components(a, directed=False)
    return canonical(labels)


@pytest.mark.parametrize("seed", SEEDS)
def test_max_is_connected_components_of_positive_edges(seed):
    rng, n, e, w = _random_graph(seed)
    expected = _positive_components(n, e, w)
    assert np.array_equal(gasp(e, w, n_nodes=n, linkage="max"), expected)
    problem = prepare(e, w, n_nodes=n, linkage="max")
    for bits in (32, 64):
        assert np.array_equal(_core.run(problem, fast_paths=False, index_bits=bits)[0], expected)
    # Sizes change the order of the merges, not the result.
    r = prepare(e, w, n_nodes=n, linkage="max", edge_sizes=rng.uniform(0.5, 3, len(w)),
                node_sizes=rng.uniform(0.5, 3, n), size_regularizer=0.5)
    assert np.array_equal(_core.run(r)[0], expected)


def test_max_components_with_ties_and_zero_weights():
    # Zero weights are not positive: they never merge.
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(2, 30))
        e = random_edges(rng, n, int(rng.integers(1, 60)), duplicates=True)
        w = rng.choice([-1.0, 0.0, 1.0], size=len(e))
        expected = _positive_components(n, e, w)
        assert np.array_equal(gasp(e, w, n_nodes=n, linkage="max"), expected)
        problem = prepare(e, w, n_nodes=n, linkage="max")
        assert np.array_equal(_core.run(problem, fast_paths=False)[0], expected)


# --------------------------------------------------------------------------------------------
# abs_max = mutex watershed
# --------------------------------------------------------------------------------------------

def mutex_watershed(n, edges, weights):
    """Kruskal-style mutex watershed (Wolf et al.): edges by decreasing |w| (stable); a positive
    edge unites its two clusters unless a mutex separates them; a non-positive edge puts a mutex
    between them.  Mutexes are stored per root as sets and merged on union."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    mutex = {v: set() for v in range(n)}
    for k in sorted(range(len(weights)), key=lambda k: -abs(weights[k])):
        a, b = find(int(edges[k][0])), find(int(edges[k][1]))
        if a == b:
            continue
        if weights[k] > 0:
            if b in mutex[a]:
                continue
            parent[b] = a
            for c in mutex[b]:  # every cluster separated from b is now separated from a
                mutex[c].discard(b)
                mutex[c].add(a)
            mutex[a] |= mutex.pop(b)
        else:
            mutex[a].add(b)
            mutex[b].add(a)
    return canonical([find(v) for v in range(n)])


def test_mutex_watershed_helper():
    # The helper itself, on a case worked by hand: 0-1 (+3) merges, (0,1)-2 gets a mutex (-2.5)
    # although 1-2 (+2) attracts; 2-3 (+1) merges.
    e = [[0, 1], [1, 2], [0, 2], [2, 3]]
    assert mutex_watershed(4, e, [3.0, 2.0, -2.5, 1.0]).tolist() == [0, 0, 1, 1]
    assert mutex_watershed(4, e, [3.0, 2.0, -1.5, 1.0]).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("constraints", ["none", "cannot_link", "at_end"])
def test_abs_max_is_mutex_watershed(seed, constraints):
    _, n, e, w = _random_graph(seed)
    expected = mutex_watershed(n, e, w)
    kw = dict(n_nodes=n, linkage="abs_max", cannot_link=constraints != "none",
              merge_constrained_at_end=constraints == "at_end")
    assert np.array_equal(gasp(e, w, **kw), expected)
    problem = prepare(e, w, **kw)
    for bits in (32, 64):
        assert np.array_equal(_core.run(problem, fast_paths=False, index_bits=bits)[0], expected)


# --------------------------------------------------------------------------------------------
# Fast paths = general loop
# --------------------------------------------------------------------------------------------

FAST_CASES = list(itertools.product(
    ["max", "abs_max"],
    ["none", "cannot_link", "at_end"],
    [False, True],  # min_clusters (the early stop the fast paths honour)
    [False, True],  # ties (weights in {-1, -0.5, 0, 0.5, 1})
))


@pytest.mark.parametrize("linkage,constraints,n_clusters,ties", FAST_CASES)
def test_fast_paths_equal_general_loop(linkage, constraints, n_clusters, ties):
    for seed in range(15):
        rng, n, e, w = _random_graph(seed, ties=ties)
        kw = dict(n_nodes=n, linkage=linkage, cannot_link=constraints != "none",
                  merge_constrained_at_end=constraints == "at_end",
                  min_clusters=int(rng.integers(1, n + 1)) if n_clusters else None)
        problem = prepare(e, w, **kw)
        for bits in (32, 64):
            fast = _core.run(problem, index_bits=bits)
            slow = _core.run(problem, fast_paths=False, index_bits=bits)
            assert np.array_equal(fast[0], slow[0]), (seed, bits)
            assert fast[3]["n_merges"] == slow[3]["n_merges"]
            assert fast[3]["n_clusters"] == slow[3]["n_clusters"]
            fast = _core.run(problem, index_bits=bits, record_merges=True)
            slow = _core.run(problem, fast_paths=False, index_bits=bits, record_merges=True)
            assert np.array_equal(fast[0], slow[0])
            assert np.array_equal(fast[1], slow[1]), (seed, bits)  # same merges, same order
            assert np.array_equal(fast[2], slow[2])


@pytest.mark.parametrize("ties", [False, True])
def test_fast_paths_are_taken(ties):
    # Guard for the test above: the shortcuts really run, ties included (they do no heap pops
    # beyond merges), so the comparison is not the general loop against itself.
    _, n, e, w = _random_graph(3, n_max=40, m_max=120, ties=ties)
    assert (w < 0).any() and (w > 0).any()
    p = prepare(e, w, n_nodes=n, linkage="max")
    assert _core.run(p)[3]["n_pops"] == 0 < _core.run(p, fast_paths=False)[3]["n_pops"]
    p = prepare(e, w, n_nodes=n, linkage="abs_max", cannot_link=True)
    fast, slow = _core.run(p)[3], _core.run(p, fast_paths=False)[3]
    assert fast["n_pops"] == fast["n_merges"] < slow["n_pops"]


# --------------------------------------------------------------------------------------------
# Complete graphs: average / min / max = scipy's average / complete / single linkage
# --------------------------------------------------------------------------------------------

SCIPY_METHOD = {"average": "average", "min": "complete", "max": "single"}


@pytest.mark.parametrize("linkage", sorted(SCIPY_METHOD))
@pytest.mark.parametrize("seed", range(12))
def test_complete_graph_equals_scipy_hierarchy(linkage, seed):
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    rng = np.random.default_rng([4242, seed])
    n = int(rng.integers(2, 31))
    iu, iv = np.triu_indices(n, k=1)  # scipy's condensed order
    # Weights with a bias per seed so that the partitions range from singletons to one cluster.
    w = 0.5 * rng.uniform(-1, 1, iu.size) + rng.uniform(-0.45, 0.45)
    # scipy wants non-negative distances: d = 1 - w in (0, 2); GASP merges while w > 0, d < 1.
    d = 1.0 - w
    Z = hierarchy.linkage(d, method=SCIPY_METHOD[linkage])
    assert np.abs(Z[:, 2] - 1.0).min() > 1e-9  # no merge height at the cut
    expected = canonical(hierarchy.fcluster(Z, t=1.0, criterion="distance"))
    e = np.stack([iu, iv], axis=1)
    order = rng.permutation(iu.size)  # edge order must not matter without ties
    assert np.array_equal(gasp(e[order], w[order], linkage=linkage), expected)
    problem = prepare(e, w, linkage=linkage)
    assert np.array_equal(_core.run(problem, fast_paths=False)[0], expected)
    # The merge heights are scipy's too, as long as they are positive (w > 0).
    heights = _core.run(problem, fast_paths=False, record_merges=True)[2]
    below = Z[:, 2] < 1.0
    np.testing.assert_allclose(np.sort(1.0 - heights), np.sort(Z[below, 2]), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Sum on the modularity matrix = greedy modularity (CNM)
# --------------------------------------------------------------------------------------------

def _modularity_communities_by_gasp(G, weight, order=None):
    nx = pytest.importorskip("networkx")
    nodes = list(G)
    n = len(nodes)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight)
    k = A.sum(axis=1)
    two_m = k.sum()
    iu, iv = np.triu_indices(n, k=1)
    e = np.stack([iu, iv], axis=1)
    B = A[iu, iv] - k[iu] * k[iv] / two_m  # every pair of nodes is an edge
    if order is not None:
        e, B = e[order], B[order]
    labels = gasp(e, B, n_nodes=n, linkage="sum")
    # networkx merges while the gain is >= 0, GASP while it is > 0: make sure the best gain left
    # at the end is strictly negative (the next merge of a run to completion).
    heights = _core.run(prepare(e, B, n_nodes=n, linkage="sum"), record_merges=True,
                        run_to_completion=True)[2]
    stop = n - (int(labels.max()) + 1)
    assert heights[stop - 1] > 1e-9 and heights[stop] < -1e-9
    communities = {}
    for v, lab in zip(nodes, labels):
        communities.setdefault(lab, set()).add(v)
    return {frozenset(c) for c in communities.values()}


@pytest.mark.parametrize("graph,weight", [("karate_club_graph", None),
                                          ("les_miserables_graph", None),
                                          ("les_miserables_graph", "weight")])
def test_sum_on_modularity_matrix_is_greedy_modularity(graph, weight):
    # Merging two clusters changes the modularity by sum(B_ij over the two clusters) / m, so GASP
    # with sum linkage merges the pair of largest modularity gain while it is positive: CNM.
    # (networkx also merges at a gain of exactly 0 and GASP does not: the helper checks that the
    # best gain left at the end is negative.)
    nx = pytest.importorskip("networkx")
    G = getattr(nx, graph)()
    expected = {frozenset(c) for c in nx.community.greedy_modularity_communities(G, weight=weight)}
    assert len(expected) > 2
    assert _modularity_communities_by_gasp(G, weight) == expected
    # Equal gains can occur on these integer-weighted graphs, and GASP breaks ties by edge order
    # while networkx breaks them by node labels: the partition must not depend on the edge order.
    rng = np.random.default_rng(1)
    n = G.number_of_nodes()
    for _ in range(3):
        order = rng.permutation(n * (n - 1) // 2)
        assert _modularity_communities_by_gasp(G, weight, order) == expected
