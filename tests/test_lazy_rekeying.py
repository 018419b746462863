"""Lazy re-keying with the size regulariser: the same result as exact keys, for linear work.

With ``size_regularizer > 0`` a merge lowers the priority of every edge of the surviving cluster.
The engine leaves those keys in the queue as stale upper bounds and re-checks an edge when it
reaches the top (c_src/gasp.c, "Lazy re-keying", with the proof).  These tests check

* exactness: the merge sequence equals the oracle's (which recomputes every priority at every
  step) on shapes where many keys are stale at once: stars, hubs, equal weights (ties), the
  constrained pass, the completion pass (where negative priorities grow as clusters grow);
* the work: the number of keys recomputed after merges (``n_rekeys``) grows linearly on a star,
  where recomputing every edge of the hub after each merge made it quadratic.
"""
import itertools

import numpy as np
import pytest
import reference
from test_oracle import check_against_oracle, check_completion_against_oracle

from gasp_graph import _core, gasp
from gasp_graph._validation import prepare


def star(n_leaves, rng, *, equal=False, hub=0):
    leaves = np.array([i for i in range(n_leaves + 1) if i != hub], dtype=np.int64)
    edges = np.stack([np.full(n_leaves, hub), leaves], axis=1)
    weights = np.ones(n_leaves) if equal else rng.uniform(0.01, 1.0, n_leaves)
    return edges, weights


def hub_graph(rng, n, m_extra, *, ties):
    """A star on n nodes plus m_extra random edges among the leaves, shuffled."""
    e, _ = star(n - 1, rng)
    extra = rng.integers(1, n, size=(m_extra, 2))
    extra = extra[extra[:, 0] != extra[:, 1]]
    e = np.concatenate([e, extra])
    e = e[rng.permutation(len(e))]
    w = (rng.choice([-1.0, -0.5, 0.5, 1.0], size=len(e)) if ties
         else rng.uniform(-1.0, 1.0, size=len(e)))
    return e, w


def options(rng, linkage, constraints):
    return dict(linkage=linkage, cannot_link=constraints != "none",
                merge_constrained_at_end=constraints == "at_end", lifted=None, edge_sizes=None,
                node_sizes=None, size_regularizer=float(rng.choice([0.5, 1.0, 4.0])),
                n_clusters=None, min_clusters=None,
                linkage_param=1.5 if linkage in ("generalized_mean", "smooth_max") else None)


@pytest.mark.parametrize("linkage,constraints,ties", list(itertools.product(
    reference.LINKAGES, ("none", "cannot_link", "at_end"), (False, True))))
def test_hub_graphs_match_the_oracle(linkage, constraints, ties):
    rng = np.random.default_rng([15, reference.LINKAGES.index(linkage), ties,
                                 ("none", "cannot_link", "at_end").index(constraints)])
    for _ in range(3):
        n = int(rng.integers(5, 40))
        e, w = hub_graph(rng, n, int(rng.integers(0, 2 * n)), ties=ties)
        kw = options(rng, linkage, constraints)
        kw["node_sizes"] = (rng.choice([1.0, 2.0], size=n) if ties
                            else rng.uniform(0.5, 3.0, size=n))
        check_against_oracle(n, e, w, kw)
        check_completion_against_oracle(n, e, w, kw)


@pytest.mark.parametrize("equal", [False, True])
def test_stars_match_the_oracle(equal):
    rng = np.random.default_rng([16, equal])
    for n_leaves, hub in [(1, 0), (2, 1), (30, 0), (60, 17)]:
        e, w = star(n_leaves, rng, equal=equal, hub=hub)
        for r in (0.5, 1.0, 8.0):
            kw = dict(linkage="average", cannot_link=False, merge_constrained_at_end=False,
                      lifted=None, edge_sizes=None, node_sizes=None, size_regularizer=r,
                      n_clusters=None, min_clusters=None, linkage_param=None)
            check_against_oracle(n_leaves + 1, e, w, kw)
            check_against_oracle(n_leaves + 1, e, -w, kw | {"cannot_link": True})
            check_completion_against_oracle(n_leaves + 1, e, w - 0.5, kw)


@pytest.mark.parametrize("n_leaves", [1000, 4000])
def test_star_rekeys_grow_linearly(n_leaves):
    # Before lazy re-keying every merge recomputed every remaining edge of the hub:
    # n_leaves**2 / 2 keys (8 million for 4000 leaves).  Now a merge re-checks a few stale keys.
    e, w = star(n_leaves, np.random.default_rng(n_leaves))
    problem = prepare(e, w, size_regularizer=1.0)
    labels, _, _, info = _core.run(problem, fast_paths=False)
    assert info["n_merges"] == n_leaves and labels.max() == 0
    assert info["n_rekeys"] <= 16 * n_leaves, info  # about 8 per merge at every size
    # the merge order follows the weights, as the exact priorities say it must
    _, merges, _, _ = _core.run(problem, record_merges=True)
    # merge 0 joins (0, leaf); merge j > 0 joins (leaf, cluster n + j - 1)
    leaf_order = np.where(merges[:, 1] <= n_leaves, merges[:, 1], merges[:, 0])
    assert np.array_equal(leaf_order, 1 + np.argsort(-w, kind="stable"))


def test_powerlaw_graph_matches_the_oracle():
    # A scale-free graph: hubs whose many edges go stale at every merge, duplicate pairs.
    rng = np.random.default_rng(11)
    n = 120
    p = (np.arange(n) + 1.0) ** -0.6
    p /= p.sum()
    u, v = rng.choice(n, 900, p=p), rng.choice(n, 900, p=p)
    keep = u != v
    e = np.stack([u[keep], v[keep]], axis=1)
    w = rng.uniform(-0.4, 1.0, len(e))
    for r in (0.3, 1.0):
        expected = reference.gasp_reference(n, e, w, size_regularizer=r)
        assert np.array_equal(gasp(e, w, n_nodes=n, size_regularizer=r), expected)


@pytest.mark.filterwarnings("ignore::gasp_graph.GaspWarning")
@pytest.mark.parametrize("null_model", ["modularity", "cpm"])
def test_null_model_with_regularizer_and_completion_matches_the_oracle(null_model):
    # Two stale-key terms at once (the null-model term falls, the size factor shrinks), and the
    # completion pass, where negative values grow as the factor shrinks.
    pytest.importorskip("networkx")
    from test_null_model import _problem, _Recording

    rng = np.random.default_rng(17 + (null_model == "cpm"))
    for _ in range(30):
        n, e, w, kw = _problem(rng, bool(rng.integers(2)), null_model)
        kw.update(size_regularizer=float(rng.choice([0.5, 2.0])), n_clusters=None,
                  min_clusters=None, node_sizes=rng.uniform(0.5, 2.0, size=n))
        a, scale = reference.null_model_values(
            n, e.tolist(), w.tolist(), kw["edge_sizes"], null_model, kw["node_weights"])
        m = len(w)
        state = _Recording(
            n, e.tolist(), w.tolist(),
            [False] * m if kw["lifted"] is None else kw["lifted"].tolist(),
            [1.0] * m if kw["edge_sizes"] is None else kw["edge_sizes"].tolist(),
            kw["node_sizes"].tolist(), "sum", None, null_values=a, gamma=kw["resolution"])
        reference.run_phases(state, kw["size_regularizer"], False, False, run_to_completion=True)
        problem = prepare(e, w, n_nodes=n, **kw)
        labels, merges, heights, _ = _core.run(problem, record_merges=True,
                                               run_to_completion=True)
        ref = np.array([(x, y) for x, y, _ in state.record], dtype=np.int64).reshape(-1, 2)
        assert np.array_equal(merges, ref), (merges.tolist(), ref.tolist(), kw)
        assert np.array_equal(labels, state.labels(n))
        np.testing.assert_allclose(heights, [h * scale for _, _, h in state.record],
                                   rtol=1e-9, atol=1e-12)
