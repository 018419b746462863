"""Values at the ends of the double range: the right answer or GaspNumericError, never a silent
wrong one.

* Edge sizes are kept in range by an exact power-of-two scaling (the largest one in [1, 2)), so
  huge sizes no longer overflow the folded size to inf (which turned averages into 0 or NaN).
* Node sizes are scaled by the power of two that puts the smallest one in [1, 2): every size
  factor S**-r is then <= 1, scaling node sizes by a power of two gives bit-identical results,
  and by any constant the same results (up to exact ties of rounded priorities).
* A linkage value that overflows, a size factor or the priority of the edge taken next that
  leaves the normal range: GaspNumericError (the oracle raises NumericRangeError there).
"""
import itertools

import numpy as np
import pytest
import reference
from random_graphs import random_problem
from test_oracle import check_against_oracle, check_completion_against_oracle

from gasp_graph import GaspNumericError, agglomerate, gasp

SIZED = ("average", "generalized_mean", "smooth_max")


def test_huge_edge_sizes_reproducer():
    # The folded size 2e308 overflowed to inf: the average became 0 and nodes 0-1 / 2 stayed
    # apart ([0 0 1]).  Both pairs (0, 2) and (1, 2) attract with 0.5: one cluster.
    e, w = [[0, 1], [0, 2], [1, 2]], [1.0, 0.5, 0.5]
    for big in (1e307, 1e308, 1.7e308):
        assert gasp(e, w, edge_sizes=[1.0, big, big]).tolist() == [0, 0, 0]
        assert reference.gasp_reference(3, e, w, edge_sizes=[1.0, big, big]).tolist() == [0, 0, 0]
        tree = agglomerate(e, w, edge_sizes=[1.0, big, big])
        np.testing.assert_allclose(tree.heights, [1.0, 0.5])


@pytest.mark.parametrize("linkage", SIZED)
def test_edge_sizes_scaled_by_a_power_of_two_give_identical_results(linkage):
    rng = np.random.default_rng([2, SIZED.index(linkage)])
    for ties, shift in itertools.product((False, True), (-1000, -600, 600, 1016)):
        n, e, w, kw = random_problem(rng, linkage=linkage, sizes="edge_sizes", ties=ties)
        if kw["edge_sizes"] is None:
            continue
        base = agglomerate(e, w, n_nodes=n, **kw)
        scaled = agglomerate(e, w, n_nodes=n, **(kw | {"edge_sizes": np.ldexp(kw["edge_sizes"],
                                                                              shift)}))
        assert np.array_equal(scaled.merges, base.merges)
        assert np.array_equal(scaled.heights, base.heights)  # bit for bit


@pytest.mark.parametrize("linkage", SIZED)
def test_edge_sizes_scaled_by_any_constant_give_the_same_partition(linkage):
    rng = np.random.default_rng([3, SIZED.index(linkage)])
    for scale in (1e-300, 1e-30, 1e30, 1e300):
        for _ in range(25):
            n, e, w, kw = random_problem(rng, linkage=linkage, sizes="edge_sizes")
            if kw["edge_sizes"] is None:
                continue
            expected = gasp(e, w, n_nodes=n, **kw)
            got = gasp(e, w, n_nodes=n, **(kw | {"edge_sizes": kw["edge_sizes"] * scale}))
            assert np.array_equal(got, expected), (scale, kw)


def test_edge_size_scaling_keeps_the_oracle_agreement():
    rng = np.random.default_rng(4)
    for linkage in SIZED:
        for _ in range(10):
            n, e, w, kw = random_problem(rng, linkage=linkage, sizes="edge_sizes+regularized")
            if kw["edge_sizes"] is not None:
                kw["edge_sizes"] = kw["edge_sizes"] * 1e300
            check_against_oracle(n, e, w, kw)
            check_completion_against_oracle(n, e, w, kw)


def test_sum_overflow_is_an_error_not_inf():
    # sum uses the sizes as given: s * w = 1e300 * 1e10 overflows
    with pytest.raises(GaspNumericError, match="overflowed"):
        gasp([[0, 1], [1, 2]], [1e10, 1.0], linkage="sum", edge_sizes=[1e300, 1.0])
    with pytest.raises(GaspNumericError):
        gasp([[0, 1], [0, 1]], [1e308, 1e308], linkage="sum")  # duplicate pairs fold to inf
    with pytest.raises(reference.NumericRangeError):
        reference.gasp_reference(2, [[0, 1], [0, 1]], [1e308, 1e308], linkage="sum")
    with pytest.raises(GaspNumericError):  # 1e200 ** 2 overflows in the mean of powers
        gasp([[0, 1], [0, 2], [1, 2]], [1.0, 1e200, 1e200], linkage="generalized_mean",
             linkage_param=2.0)


# --------------------------------------------------------------------------------------------
# Node sizes and the size regulariser
# --------------------------------------------------------------------------------------------

def _regularized(rng, r, ties=False):
    linkage = str(rng.choice(reference.LINKAGES))
    constraints = str(rng.choice(["none", "cannot_link", "at_end"]))
    n, e, w, kw = random_problem(rng, linkage=linkage, constraints=constraints,
                                 sizes="regularized", ties=ties, lifted=bool(rng.random() < 0.3))
    kw["size_regularizer"] = r
    return n, e, w, kw


@pytest.mark.parametrize("shift", [-1000, -133, 133, 1000])
def test_node_sizes_scaled_by_a_power_of_two_give_identical_results(shift):
    rng = np.random.default_rng([5, abs(shift), shift < 0])
    for ties in (False, True):
        for _ in range(20):
            n, e, w, kw = _regularized(rng, 8.0, ties)
            base = agglomerate(e, w, n_nodes=n, **kw)
            scaled = agglomerate(e, w, n_nodes=n, **(kw | {"node_sizes": np.ldexp(
                kw["node_sizes"], shift)}))
            assert np.array_equal(scaled.merges, base.merges)
            assert np.array_equal(scaled.heights, base.heights)


def test_node_sizes_scaled_by_any_constant_give_the_same_partition():
    # The reproducer: r = 8 with node sizes times 1e-40 or 1e40 changed 521 of 800 partitions
    # (the factors S**-8 overflowed to inf or underflowed to 0).
    rng = np.random.default_rng(6)
    for _ in range(200):
        n, e, w, kw = _regularized(rng, 8.0)
        expected = gasp(e, w, n_nodes=n, **kw)
        for scale in (1e-40, 1e40):
            got = gasp(e, w, n_nodes=n, **(kw | {"node_sizes": kw["node_sizes"] * scale}))
            assert np.array_equal(got, expected), (scale, kw)


def test_scaled_node_sizes_keep_the_oracle_agreement():
    rng = np.random.default_rng(7)
    for scale in (1e-40, 1e40, 2.0**-900):
        for _ in range(15):
            n, e, w, kw = _regularized(rng, float(rng.choice([0.5, 2.0, 8.0])))
            kw["node_sizes"] = kw["node_sizes"] * scale
            check_against_oracle(n, e, w, kw)
            check_completion_against_oracle(n, e, w, kw)


def test_size_factors_out_of_range_raise():
    e, w = [[0, 1], [1, 2]], [1.0, 0.5]
    # (1e300 / 1) ** -2 = 1e-600: below the double range
    for call in (lambda: gasp(e, w, node_sizes=[1.0, 1e300, 1.0], size_regularizer=2.0),
                 lambda: reference.gasp_reference(3, e, w, node_sizes=[1.0, 1e300, 1.0],
                                                  size_regularizer=2.0)):
        with pytest.raises((GaspNumericError, reference.NumericRangeError)):
            call()
    # a cluster of 1000 nodes has the factor 1000 ** -200 = 1e-600: raised when it forms
    n = 1001
    path = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)
    with pytest.raises(GaspNumericError, match="size factor"):
        gasp(path, np.ones(n - 1), size_regularizer=200.0)
    # a smaller regulariser is fine
    assert gasp(path, np.ones(n - 1), size_regularizer=20.0).max() == 0
    # sizes spanning more than the double range: the scaled largest one overflows
    with pytest.raises(GaspNumericError):
        gasp(e, w, node_sizes=[1e-300, 1e300, 1.0], size_regularizer=1e-3)


def test_priority_below_the_normal_range_raises():
    # 1e-300 * (f + f) / 2 with f = 10 ** -10 (S = 1e10 / 1): the priority is ~1e-310, subnormal
    e, w = [[0, 1], [1, 2]], [1e-300, 1e-300]
    kw = dict(node_sizes=[1.0, 1e10, 1e10], size_regularizer=1.0)
    with pytest.raises(GaspNumericError, match="priority"):
        gasp(e, w, **kw)
    with pytest.raises(reference.NumericRangeError):
        reference.gasp_reference(3, e, w, **kw)
    # the same weights without the regulariser are fine (priorities are the weights)
    assert gasp(e, w).tolist() == [0, 0, 0]
