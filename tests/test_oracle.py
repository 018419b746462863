"""The C engine against the pure-Python oracle (tests/reference.py).

Every linkage x constraint mode (none / cannot_link / cannot_link + merge_constrained_at_end) x
lifted (none / random) x sizes (unit / random edge sizes, size_regularizer 0 / 0.5) combination
is checked, with and without a cluster target, with and without duplicate edges:

* a seeded sweep covers every combination for sure;
* hypothesis draws more problems (derandomized, so CI is deterministic);
* weights from a small set ({-1, -0.5, 0, 0.5, 1}) make exact ties frequent: the engine must break
  them like the oracle (smallest pair-edge id first: the smallest input edge index folded into
  the pair, or for max, min and abs_max the smallest index among the folded edges whose weight
  is the pair's value).

Each problem goes through every engine variant: the public ``gasp`` (fast paths, automatic id
width), the general loop with 32- and 64-bit ids, and the fast paths with 64-bit ids.  The
general loop's merge record (pairs and heights) must equal the oracle's merge sequence.
"""
import itertools

import numpy as np
import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from random_graphs import CONSTRAINT_MODES, LINKAGES, SIZE_MODES, random_problem

from gasp_graph import GaspWarning, _core, gasp
from gasp_graph._validation import prepare

COMBINATIONS = list(itertools.product(LINKAGES, CONSTRAINT_MODES, (False, True), SIZE_MODES))


# --------------------------------------------------------------------------------------------
# The oracle with a merge record
# --------------------------------------------------------------------------------------------

class _RecordingState(reference.State):
    """The oracle's state, also recording each merge as (a, b, W) in the scipy convention:
    ids < n are nodes, merge j creates cluster n + j, a < b."""

    def __init__(self, n_nodes, *args):
        super().__init__(n_nodes, *args)
        self.n_nodes = n_nodes
        self.scipy_id = {v: v for v in range(n_nodes)}  # cluster (its smallest node) -> id
        self.record = []

    def merge(self, a, b):
        W = self.pair[(min(a, b), max(a, b))].W
        ia, ib = sorted((self.scipy_id.pop(a), self.scipy_id.pop(b)))
        super().merge(a, b)
        self.scipy_id[min(a, b)] = self.n_nodes + len(self.record)
        self.record.append((ia, ib, W))


def oracle_with_merges(n, edges, weights, kw, run_to_completion=False):
    """(labels, merges (k, 2), heights (k,)) of the oracle, run phase by phase as
    reference.gasp_reference does."""
    m = len(weights)
    lifted = [False] * m if kw["lifted"] is None else [bool(x) for x in kw["lifted"]]
    es = [1.0] * m if kw["edge_sizes"] is None else [float(x) for x in kw["edge_sizes"]]
    ns = [1.0] * n if kw["node_sizes"] is None else [float(x) for x in kw["node_sizes"]]
    p = kw["linkage_param"]
    state = _RecordingState(n, edges.tolist(), [float(x) for x in weights], lifted, es, ns,
                            kw["linkage"], None if p is None else float(p))
    reference.run_phases(state, kw["size_regularizer"], kw["cannot_link"],
                         kw["merge_constrained_at_end"], kw["n_clusters"], kw["min_clusters"],
                         run_to_completion)
    rec = state.record
    merges = np.array([(a, b) for a, b, _ in rec], dtype=np.int64).reshape(-1, 2)
    heights = np.array([h for _, _, h in rec], dtype=np.float64)
    return state.labels(n), merges, heights


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------

def _describe(n, edges, weights, kw):
    opts = {k: v for k, v in kw.items() if not isinstance(v, np.ndarray)}
    return (f"n={n} m={len(weights)} {opts}\nedges={edges.tolist()}\nweights={weights.tolist()}"
            f"\nlifted={None if kw['lifted'] is None else kw['lifted'].astype(int).tolist()}"
            f"\nedge_sizes={None if kw['edge_sizes'] is None else kw['edge_sizes'].tolist()}"
            f"\nnode_sizes={kw['node_sizes'].tolist()}")


def check_against_oracle(n, edges, weights, kw):
    """Assert that every engine variant reproduces the oracle on one problem."""
    expected = reference.gasp_reference(n, edges, weights, **kw)
    ref_labels, ref_merges, ref_heights = oracle_with_merges(n, edges, weights, kw)
    assert np.array_equal(ref_labels, expected)  # the recording oracle is the oracle

    problem = prepare(edges, weights, n_nodes=n, **kw)
    short = kw["n_clusters"] is not None and int(expected.max(initial=-1)) + 1 > kw["n_clusters"]

    def public():
        # exactly when the oracle ends above the n_clusters target, gasp warns (pytest turns
        # any other warning into an error)
        if not short:
            return gasp(edges, weights, n_nodes=n, **kw)
        with pytest.warns(GaspWarning, match=f"n_clusters={kw['n_clusters']} cannot be reached"):
            return gasp(edges, weights, n_nodes=n, **kw)

    variants = {
        "gasp": public,
        "general32": lambda: _core.run(problem, fast_paths=False, index_bits=32)[0],
        "general64": lambda: _core.run(problem, fast_paths=False, index_bits=64)[0],
        "fast64": lambda: _core.run(problem, index_bits=64)[0],
    }
    for name, call in variants.items():
        labels = call()
        assert labels.dtype == np.int64
        assert np.array_equal(labels, expected), (
            f"{name} differs from the oracle\nengine={labels.tolist()}\noracle={expected.tolist()}"
            f"\n{_describe(n, edges, weights, kw)}")

    for bits in (32, 64):
        labels, merges, heights, info = _core.run(
            problem, fast_paths=False, index_bits=bits, record_merges=True)
        assert np.array_equal(labels, expected)
        assert info["n_merges"] == len(ref_merges)
        assert info["n_clusters"] == int(expected.max(initial=-1)) + 1
        assert np.array_equal(merges, ref_merges), (
            f"merge order differs (index_bits={bits})\nengine={merges.tolist()}"
            f"\noracle={ref_merges.tolist()}\n{_describe(n, edges, weights, kw)}")
        np.testing.assert_allclose(heights, ref_heights, rtol=1e-9, atol=1e-12)


def check_completion_against_oracle(n, edges, weights, kw):
    """The general loop with the completion pass (agglomerate's merge tree) against the oracle:
    the same merges in the same order, with the same heights."""
    expected = reference.gasp_reference(n, edges, weights, run_to_completion=True, **kw)
    ref_labels, ref_merges, ref_heights = oracle_with_merges(n, edges, weights, kw,
                                                             run_to_completion=True)
    assert np.array_equal(ref_labels, expected)
    problem = prepare(edges, weights, n_nodes=n, **kw)
    for bits in (32, 64):
        labels, merges, heights, _ = _core.run(problem, index_bits=bits, record_merges=True,
                                               run_to_completion=True)
        assert np.array_equal(labels, expected)
        assert np.array_equal(merges, ref_merges), (
            f"merge order differs (index_bits={bits})\nengine={merges.tolist()}"
            f"\noracle={ref_merges.tolist()}\n{_describe(n, edges, weights, kw)}")
        np.testing.assert_allclose(heights, ref_heights, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Every combination, seeded
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("linkage,constraints,lifted,sizes", COMBINATIONS)
def test_every_combination_seeded(linkage, constraints, lifted, sizes):
    combo = COMBINATIONS.index((linkage, constraints, lifted, sizes))
    rng = np.random.default_rng([20240611, combo])
    for n_clusters, duplicates in itertools.product((False, True), repeat=2):
        n, e, w, kw = random_problem(rng, linkage=linkage, constraints=constraints,
                                     lifted=lifted, sizes=sizes, n_clusters=n_clusters,
                                     duplicates=duplicates)
        check_against_oracle(n, e, w, kw)


# --------------------------------------------------------------------------------------------
# Exact ties
# --------------------------------------------------------------------------------------------

# Regression: the C smooth_max fold W = Wy + (Wx - Wy) / (1 + exp(p (Wy - Wx) + log(sy / sx)))
# is algebraically symmetric in x and y, but it was not bit-for-bit: fold(0.9, 0.2) and
# fold(0.2, 0.9) differed in the last bit, so two pair edges tying exactly in the oracle differed
# by one ulp in the engine and the tie rule was bypassed.  The engine now orders the operands.
def test_smooth_max_exact_tie_reproducer():
    # After merging {0, 1}, the pairs ({0,1}, 2) and ({0,1}, 3) both fold the values 0.9 and 0.2
    # (in opposite edge order): an exact tie, which the pair holding edge 1 wins -> node 2 joins.
    e = np.array([[0, 1], [0, 2], [1, 2], [1, 3], [0, 3]])
    w = np.array([1.0, 0.9, 0.2, 0.2, 0.9])
    kw = dict(linkage="smooth_max", linkage_param=1.0, n_clusters=2)
    expected = reference.gasp_reference(4, e, w, **kw)
    assert expected.tolist() == [0, 0, 0, 1]
    assert gasp(e, w, **kw).tolist() == expected.tolist()


def _tie_problem(rng, linkage, **options):
    return random_problem(rng, linkage=linkage, ties=True, **options)


@pytest.mark.parametrize("linkage,constraints,lifted,sizes", COMBINATIONS)
def test_every_combination_exact_ties(linkage, constraints, lifted, sizes):
    # Weights in {-1, -0.5, 0, 0.5, 1} and sizes in {1, 2}: many exact ties between priorities.
    # Both the oracle and the engine take the pair edge with the smallest id first.
    combo = COMBINATIONS.index((linkage, constraints, lifted, sizes))
    rng = np.random.default_rng([777, combo])
    for n_clusters, duplicates in itertools.product((False, True), repeat=2):
        n, e, w, kw = _tie_problem(rng, linkage, constraints=constraints, lifted=lifted,
                                   sizes=sizes, n_clusters=n_clusters, duplicates=duplicates)
        check_against_oracle(n, e, w, kw)


def test_ties_are_frequent_in_the_tie_tests():
    # Guard for the test above: its problems must really contain equal priorities.
    rng = np.random.default_rng(0)
    w = random_problem(rng, linkage="max", ties=True)[2]
    while len(w) < 20:
        w = random_problem(rng, linkage="max", ties=True)[2]
    assert len(np.unique(w)) < len(w) // 2


# --------------------------------------------------------------------------------------------
# Property-based
# --------------------------------------------------------------------------------------------

# The drawn options every property test shares.
PROBLEM_STRATEGIES = dict(
    seed=st.integers(0, 2**32 - 1),
    linkage=st.sampled_from(LINKAGES),
    constraints=st.sampled_from(sorted(CONSTRAINT_MODES)),
    lifted=st.booleans(),
    sizes=st.sampled_from(sorted(SIZE_MODES)),
)

@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    **PROBLEM_STRATEGIES,
    n_clusters=st.booleans(),
    duplicates=st.booleans(),
    n_max=st.sampled_from([2, 5, 12, 30]),
    m_max=st.sampled_from([1, 10, 40, 80]),
)
def test_oracle_property(seed, linkage, constraints, lifted, sizes, n_clusters, duplicates,
                         n_max, m_max):
    rng = np.random.default_rng(seed)
    n, e, w, kw = random_problem(rng, linkage=linkage, constraints=constraints, lifted=lifted,
                                 sizes=sizes, n_clusters=n_clusters, duplicates=duplicates,
                                 n_max=n_max, m_max=m_max)
    check_against_oracle(n, e, w, kw)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(**PROBLEM_STRATEGIES, n_clusters=st.booleans(), duplicates=st.booleans())
def test_oracle_property_exact_ties(seed, linkage, constraints, lifted, sizes, n_clusters,
                                    duplicates):
    rng = np.random.default_rng(seed)
    n, e, w, kw = _tie_problem(rng, linkage, constraints=constraints, lifted=lifted,
                               sizes=sizes, n_clusters=n_clusters, duplicates=duplicates,
                               n_max=12, m_max=40)
    check_against_oracle(n, e, w, kw)


# Completion pass (run_to_completion): with the size regulariser, priorities of negative edges
# grow as clusters grow, which lazy re-keying must handle (they are re-keyed after each merge).
@settings(max_examples=150, deadline=None, derandomize=True)
@given(**PROBLEM_STRATEGIES, ties=st.booleans(), n_clusters=st.booleans())
def test_oracle_property_completion(seed, linkage, constraints, lifted, sizes, ties, n_clusters):
    rng = np.random.default_rng(seed)
    n, e, w, kw = random_problem(rng, linkage=linkage, constraints=constraints, lifted=lifted,
                                 sizes=sizes, ties=ties, n_clusters=n_clusters, n_max=15,
                                 m_max=45)
    check_completion_against_oracle(n, e, w, kw)


@pytest.mark.parametrize("linkage", LINKAGES)
def test_completion_with_regularizer_seeded(linkage):
    rng = np.random.default_rng([4242, LINKAGES.index(linkage)])
    for sizes, ties in itertools.product(("regularized", "edge_sizes+regularized"), (False, True)):
        for _ in range(3):
            n, e, w, kw = random_problem(rng, linkage=linkage, sizes=sizes, ties=ties)
            kw["size_regularizer"] = float(rng.choice([0.5, 1.0, 3.0]))
            check_completion_against_oracle(n, e, w, kw)


# --------------------------------------------------------------------------------------------
# Hand-made tie cases (the documented rule, visible in the test)
# --------------------------------------------------------------------------------------------

def test_tie_lowest_edge_index_merges_first():
    # Path 0-1-2 with equal weights and n_clusters=2: exactly one merge happens, through the
    # edge listed first.
    e = np.array([[1, 2], [0, 1]])
    for linkage in LINKAGES:
        kw = {"linkage_param": 1.0} if linkage in ("generalized_mean", "smooth_max") else {}
        assert gasp(e, [1.0, 1.0], linkage=linkage, n_clusters=2, **kw).tolist() == [0, 1, 1]
        assert gasp(e[::-1], [1.0, 1.0], linkage=linkage, n_clusters=2, **kw).tolist() == [0, 0, 1]


def test_tie_pair_id():
    # Clusters {0}, {1}, {2}; pair (0, 2) folds edges 0 (0.5) and 3 (1.0), pair (1, 2) folds
    # edges 1 (1.0) and 2 (0.5).  Averaging linkages: both pairs are worth the same, and the pair
    # holding the smallest edge index (0) merges.  max / abs_max: both are worth 1.0, carried by
    # edge 3 and edge 1: the pair whose value-carrying edge comes first (1) merges.  min: both
    # are worth 0.5, carried by edges 0 and 2: pair (0, 2) merges.
    e = np.array([[2, 0], [1, 2], [2, 1], [0, 2]])
    w = np.array([0.5, 1.0, 0.5, 1.0])
    expected = {"max": [0, 1, 1], "abs_max": [0, 1, 1], "min": [0, 1, 0], "sum": [0, 1, 0],
                "average": [0, 1, 0], "generalized_mean": [0, 1, 0], "smooth_max": [0, 1, 0]}
    for linkage, labels in expected.items():
        kw = {"linkage_param": 2.0} if linkage in ("generalized_mean", "smooth_max") else {}
        assert gasp(e, w, linkage=linkage, n_clusters=2, **kw).tolist() == labels, linkage
        assert reference.gasp_reference(3, e, w, linkage=linkage, n_clusters=2,
                                        **kw).tolist() == labels, linkage
