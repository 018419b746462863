"""The C data structures (heap, union-find, contracted graph) through their invariant checks.

``_core.selftest`` drives each structure through pseudo-random operation sequences and runs its
``*_check()`` after every operation (the heap is also compared with a brute-force scan); the
checks are compiled into every build.  In a debug build (``GASP_DEBUG=1``, the CI debug job) the
engine also runs every check at exponentially spaced steps of a real run and at its end, and a
violation raises ``GaspInternalError``; the run test below is harmless in a normal build.
Set ``GASP_EXPECT_DEBUG=1`` to make the suite fail if it is not running against a debug build.
"""
import os

import numpy as np
import pytest
from random_graphs import LINKAGE_PARAMS, LINKAGES, random_edges

from gasp_graph import _core
from gasp_graph._validation import prepare


@pytest.mark.parametrize("index_bits", [32, 64])
def test_selftest_many_seeds(index_bits):
    # Each seed gives a new operation sequence (the contracted-graph part ends when no edge is
    # left, so many short sequences cover more than one long one).
    for seed in range(200):
        _core.selftest(seed, 500, index_bits)


@pytest.mark.parametrize("index_bits", [32, 64])
@pytest.mark.parametrize("seed", [0, 1, 2**32 + 7, 2**64 - 1])
def test_selftest_long_runs(seed, index_bits):
    _core.selftest(seed, 20000, index_bits)


def test_selftest_zero_operations():
    for bits in (32, 64):
        _core.selftest(123, 0, bits)


def test_debug_build_flag():
    assert isinstance(_core.debug_build(), bool)
    if os.environ.get("GASP_EXPECT_DEBUG", "") not in ("", "0"):
        assert _core.debug_build(), (
            "GASP_EXPECT_DEBUG is set but the engine was built without GASP_DEBUG=1")


def _problems():
    """Random graphs larger than the oracle tests' (more steps between the checks), over every
    linkage and constraint mode, with lifted edges, sizes, duplicates and cluster targets."""
    rng = np.random.default_rng(2718)
    for i in range(30):
        linkage = LINKAGES[i % len(LINKAGES)]
        n = int(rng.integers(2, 400))
        e = random_edges(rng, n, int(rng.integers(n, 6 * n)), duplicates=bool(i % 2))
        m = len(e)
        cannot_link = i % 3 > 0
        yield e, rng.uniform(-1, 1, m), dict(
            n_nodes=n, linkage=linkage, cannot_link=cannot_link,
            merge_constrained_at_end=i % 3 == 2,
            lifted=(rng.random(m) < 0.2) if i % 4 < 2 else None,
            edge_sizes=rng.uniform(0.5, 3, m) if i % 5 < 3 else None,
            node_sizes=rng.uniform(0.5, 3, n), size_regularizer=0.5 if i % 2 else 0.0,
            min_clusters=int(rng.integers(1, n)) if i % 7 == 0 else None,
            linkage_param=(float(rng.choice(LINKAGE_PARAMS[linkage]))
                           if linkage in LINKAGE_PARAMS else None),
        )


def test_engine_runs_with_invariant_checks():
    # In a debug build every run below checks all invariants at steps 1, 2, 4, 8, ... and at the
    # end; a violation raises GaspInternalError and fails the test.  In every build the two id
    # widths, with and without the fast paths and the merge record, must agree.
    for e, w, kw in _problems():
        problem = prepare(e, w, **kw)
        results = []
        for bits in (32, 64):
            for fast in (True, False):
                labels, merges, heights, info = _core.run(
                    problem, index_bits=bits, fast_paths=fast, record_merges=not fast)
                results.append(labels)
                assert info["n_clusters"] == labels.max() + 1
                if merges is not None:
                    assert len(merges) == info["n_merges"] == kw["n_nodes"] - info["n_clusters"]
                    assert (merges[:, 0] < merges[:, 1]).all()
                    assert (merges < kw["n_nodes"] + np.arange(len(merges))[:, None]).all()
                    assert (heights > 0).all()  # every merge of GASP has W > 0
            labels = _core.run(problem, index_bits=bits, run_to_completion=True)[0]
            # A run to completion only merges further: it coarsens the partition.
            coarse = {}
            for a, b in zip(results[-1], labels):
                assert coarse.setdefault(a, b) == b
        for labels in results[1:]:
            assert np.array_equal(labels, results[0])
