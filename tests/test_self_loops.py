"""self_loops="ignore" (default) | "error" on every entry point, with the same meaning."""
import numpy as np
import pytest

import gasp_graph
from gasp_graph import GASP, GaspValueError, agglomerate, gasp, partition, partitions

from random_graphs import random_edges  # noqa: E402  (tests/ is on sys.path)


def _with_loops(seed, n=30, m=90, n_loops=6):
    rng = np.random.default_rng(seed)
    edges = random_edges(rng, n, m)
    w = rng.normal(size=edges.shape[0])
    loops = np.repeat(rng.integers(0, n, size=n_loops), 2).reshape(-1, 2)
    at = np.sort(rng.choice(edges.shape[0] + n_loops, n_loops, replace=False))
    keep = np.ones(edges.shape[0] + n_loops, dtype=bool)
    keep[at] = False
    all_edges = np.empty((keep.shape[0], 2), dtype=np.int64)
    all_edges[keep] = edges
    all_edges[~keep] = loops
    all_w = np.empty(keep.shape[0])
    all_w[keep] = w
    all_w[~keep] = rng.normal(size=n_loops) * 10  # big loop weights: must change nothing
    return all_edges, all_w, keep, n


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("linkage", ["average", "sum", "abs_max", "max"])
def test_gasp_ignores_self_loops_with_their_per_edge_values(seed, linkage):
    edges, w, keep, n = _with_loops(seed)
    rng = np.random.default_rng(seed + 100)
    lifted = rng.random(keep.shape[0]) < 0.2
    sizes = rng.uniform(0.5, 2.0, keep.shape[0])
    got = gasp(edges, w, n_nodes=n, linkage=linkage, lifted=lifted, edge_sizes=sizes)
    want = gasp(edges[keep], w[keep], n_nodes=n, linkage=linkage, lifted=lifted[keep],
                edge_sizes=sizes[keep])
    np.testing.assert_array_equal(got, want)
    with pytest.raises(GaspValueError, match=r"is a self-loop and self_loops='error'"):
        gasp(edges, w, n_nodes=n, linkage=linkage, self_loops="error")


def test_a_node_with_only_a_self_loop_is_a_singleton():
    np.testing.assert_array_equal(gasp([[0, 1], [2, 2]], [1.0, 5.0]), [0, 0, 1])


def test_agglomerate_keeps_self_loops_in_edge_heights():
    edges, w, keep, n = _with_loops(1)
    tree = agglomerate(edges, w, n_nodes=n)
    ref = agglomerate(edges[keep], w[keep], n_nodes=n)
    np.testing.assert_array_equal(tree.merges, ref.merges)
    h = tree.edge_heights()
    assert h.shape == (edges.shape[0],)
    np.testing.assert_array_equal(h[keep], ref.edge_heights())
    assert np.all(h[~keep] == np.inf)
    with pytest.raises(GaspValueError, match="self-loop"):
        agglomerate(edges, w, n_nodes=n, self_loops="error")


def test_graph_inputs_ignore_or_reject_self_loops():
    nx = pytest.importorskip("networkx")
    sp = pytest.importorskip("scipy.sparse")
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 0.9), ("b", "c", -0.5), ("c", "c", 3.0)])
    assert partition(G) == [{"a", "b"}, {"c"}]
    with pytest.raises(GaspValueError, match=r"edge \('c', 'c'\) is a self-loop"):
        partition(G, self_loops="error")
    with pytest.raises(GaspValueError, match=r"edge \('c', 'c'\) is a self-loop"):
        list(partitions(G, [0.0], self_loops="error"))
    with pytest.raises(GaspValueError, match="self-loop"):
        agglomerate(G, self_loops="error")
    A = sp.csr_array(np.array([[2.0, 0.9, 0.0], [0.9, 0.0, -0.5], [0.0, -0.5, 0.0]]))
    np.testing.assert_array_equal(partition(A), [0, 0, 1])
    with pytest.raises(GaspValueError, match=r"A\[0, 0\] = 2.0 is a self-loop"):
        partition(A, self_loops="error")
    dense = A.toarray()
    np.testing.assert_array_equal(GASP(affinity="precomputed").fit_predict(dense), [0, 0, 1])
    with pytest.raises(GaspValueError, match=r"A\[0, 0\] = 2.0 is a self-loop"):
        GASP(affinity="precomputed", self_loops="error").fit(dense)
    with pytest.raises(GaspValueError, match=r"A\[0, 0\] = 2.0 is a self-loop"):
        GASP(affinity="precomputed", self_loops="error").fit(A)
    # a zero diagonal is no self-loop
    model = GASP(affinity="precomputed", self_loops="error")
    np.testing.assert_array_equal(model.fit_predict(dense - np.diag([2, 0, 0])), [0, 0, 1])


@pytest.mark.parametrize("bad", ["drop", None, True])
def test_self_loops_value_is_checked_everywhere(bad):
    nx = pytest.importorskip("networkx")
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 1.0, "weight")
    for call in (lambda: gasp([[0, 1]], [1.0], self_loops=bad),
                 lambda: partition(G, self_loops=bad),
                 lambda: agglomerate([[0, 1]], [1.0], self_loops=bad),
                 lambda: GASP(affinity="precomputed", self_loops=bad).fit(np.zeros((2, 2)))):
        with pytest.raises(GaspValueError, match="self_loops must be 'ignore' or 'error'"):
            call()


def test_every_entry_point_has_the_same_default():
    import inspect

    for f in (gasp_graph.gasp, gasp_graph.partition, gasp_graph.agglomerate,
              gasp_graph.partitions, gasp_graph.GASP):
        assert inspect.signature(f).parameters["self_loops"].default == "ignore", f
