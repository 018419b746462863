"""``n_clusters=k`` means exactly k clusters on every entry point; ``min_clusters=k`` is the
early stop.  (The engine against the oracle, both options, is in test_oracle.py; the reference
cases' "stop at k" goes through ``min_clusters`` in test_reference_cases.py.)"""
import io
import sys
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from reference import LINKAGES, gasp_reference

from gasp_graph import (
    GASP,
    GaspValueError,
    GaspWarning,
    agglomerate,
    gasp,
    partition,
    partitions,
)
from gasp_graph.affinities import segment
from gasp_graph.cli import main

CONSTRAINTS = {"none": {}, "cannot_link": {"cannot_link": True},
               "at_end": {"cannot_link": True, "merge_constrained_at_end": True}}


def _param(linkage):
    return {"linkage_param": 2.0} if linkage in ("generalized_mean", "smooth_max") else {}


def connected_signed_graph(seed, n=40, extra=60, lifted_fraction=0.0):
    """A random spanning tree plus random edges (connected through the local edges), weights
    mostly negative so that GASP alone stops with many clusters."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    tree = np.array([[order[i], order[rng.integers(0, i)]] for i in range(1, n)])
    more = rng.integers(0, n, size=(extra, 2))
    more = more[more[:, 0] != more[:, 1]]
    e = np.sort(np.concatenate([tree, more]), axis=1)
    _, first = np.unique(e, axis=0, return_index=True)
    e = e[np.sort(first)]  # one edge per pair, the tree's first
    w = rng.uniform(-1.0, 0.3, e.shape[0])
    lifted = np.zeros(e.shape[0], dtype=bool)
    lifted[n - 1:] = rng.random(e.shape[0] - (n - 1)) < lifted_fraction  # the tree stays local
    return n, e, w, lifted


@pytest.mark.parametrize("constraints", sorted(CONSTRAINTS))
@pytest.mark.parametrize("linkage", LINKAGES)
def test_exactly_k_on_connected_graphs(linkage, constraints):
    for seed in range(4):
        n, e, w, lifted = connected_signed_graph(seed, lifted_fraction=0.3 * (seed % 2))
        kw = dict(linkage=linkage, lifted=lifted, **CONSTRAINTS[constraints], **_param(linkage))
        plain = gasp(e, w, n_nodes=n, **kw).max() + 1
        assert plain > 8  # GASP alone stops above every target below
        for k in (1, 2, 5, 8, n):
            labels = gasp(e, w, n_nodes=n, n_clusters=k, **kw)
            assert labels.max() + 1 == k, (seed, k)
            expected = gasp_reference(n, e, w, n_clusters=k, **kw)
            assert np.array_equal(labels, expected)
            # the early stop is an upper bound: GASP's own clusters when it stops above k
            stopped = gasp(e, w, n_nodes=n, min_clusters=k, **kw)
            assert stopped.max() + 1 == max(k, plain) if not kw.get("cannot_link") else True
            assert stopped.max() + 1 >= k


def test_exact_k_continues_from_gasps_partition():
    # GASP's clusters are kept: the exact-k partition is coarser than GASP's own.
    n, e, w, _ = connected_signed_graph(7)
    own = gasp(e, w, n_nodes=n)
    for k in (1, 3, 6):
        exact = gasp(e, w, n_nodes=n, n_clusters=k)
        for c in np.unique(own):
            assert len(np.unique(exact[own == c])) == 1


def test_min_clusters_stops_while_merges_remain():
    # Mostly attractive: GASP alone makes one cluster; both options stop at k on the way.
    rng = np.random.default_rng(3)
    n, e, _, _ = connected_signed_graph(3)
    w = rng.uniform(0.1, 1.0, e.shape[0])
    for k in (2, 7):
        assert gasp(e, w, n_nodes=n, min_clusters=k).max() + 1 == k
        assert np.array_equal(gasp(e, w, n_nodes=n, min_clusters=k),
                              gasp(e, w, n_nodes=n, n_clusters=k))


def test_unreachable_k_warns_and_returns_the_local_components():
    # Two components; the lifted edge between them can never merge anything.
    e = [[0, 1], [1, 2], [3, 4], [2, 3]]
    w = [-0.5, -0.2, -0.1, 0.9]
    lifted = [False, False, False, True]
    with pytest.warns(GaspWarning, match=r"n_clusters=1 cannot be reached: 2 clusters remain"):
        labels = gasp(e, w, lifted=lifted, n_clusters=1)
    assert labels.tolist() == [0, 0, 0, 1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gasp(e, w, lifted=lifted, n_clusters=2).tolist() == [0, 0, 0, 1, 1]
        assert gasp(e, w, lifted=lifted, min_clusters=1).tolist() == [0, 1, 2, 3, 4]


def test_the_warning_points_at_the_caller():
    with pytest.warns(GaspWarning) as record:
        partition(nx.empty_graph(3), n_clusters=1)
    assert record[0].filename == __file__


def test_both_options_is_an_error():
    for call in (
        lambda: gasp([[0, 1]], [1.0], n_clusters=1, min_clusters=1),
        lambda: partition(nx.path_graph(3), default_weight=1.0, n_clusters=1, min_clusters=2),
        lambda: agglomerate([[0, 1]], [1.0], n_clusters=1, min_clusters=1),
        lambda: GASP(n_clusters=1, min_clusters=1, affinity="precomputed").fit(np.eye(2)),
    ):
        with pytest.raises(GaspValueError, match="n_clusters=1 .* and min_clusters=.* both"):
            call()
    with pytest.raises(GaspValueError, match="min_clusters must be >= 1, got 0"):
        gasp([[0, 1]], [1.0], min_clusters=0)


def test_every_front_end_gives_exactly_k():
    n, e, w, _ = connected_signed_graph(11)
    expected = gasp(e, w, n_nodes=n, n_clusters=4)
    assert expected.max() + 1 == 4
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(e[:, 0].tolist(), e[:, 1].tolist(), w.tolist()))
    sets = partition(G, n_clusters=4)
    assert len(sets) == 4
    A = sp.coo_array((w, (e[:, 0], e[:, 1])), shape=(n, n))
    assert partition(A, n_clusters=4).max() + 1 == 4
    tree = agglomerate(e, w, n_nodes=n, n_clusters=4, run_to_completion=False)
    assert np.array_equal(tree.labels_at(len(tree)), expected)
    assert tree.n_gasp_merges == n - gasp(e, w, n_nodes=n).max() - 1
    assert all(p.max() + 1 == 4 for p in partitions(A, [-0.5, 0.0, 0.5], n_clusters=4))
    assert all(p.max() + 1 == 4 for p in partitions(A, [0.0, 0.3], n_clusters=4,
                                                    linkage="sum"))
    D = A.toarray()
    D = D + D.T
    assert GASP(affinity="precomputed", n_clusters=4).fit(sp.csr_array(D)).n_clusters_ == 4


def test_segment_exactly_k():
    rng = np.random.default_rng(0)
    affs = rng.uniform(0.0, 0.45, size=(2, 8, 8))  # mostly repulsive: GASP alone stops early
    for k in (1, 3, 10):
        assert segment(affs, [[0, 1], [1, 0]], n_clusters=k).max() == k
    assert segment(affs, [[0, 1], [1, 0]], min_clusters=3).max() > 10


def test_cli_n_clusters_and_min_clusters(capsys, tmp_path):
    f = tmp_path / "edges.txt"
    f.write_text("0 1 -0.5\n1 2 -0.4\n2 3 -0.3\n5 6 0.2\n")
    assert main([str(f), "--n-clusters", "2"]) == 0
    out, err = capsys.readouterr()
    assert out == "0 0\n1 0\n2 0\n3 0\n5 1\n6 1\n"
    assert err == ""
    assert main([str(f), "--n-clusters", "1"]) == 0
    out, err = capsys.readouterr()
    assert out == "0 0\n1 0\n2 0\n3 0\n5 1\n6 1\n"
    assert err.startswith("gasp-graph: warning: --n-clusters 1 cannot be reached: 2 clusters")
    assert main([str(f), "--min-clusters", "2"]) == 0
    out, _ = capsys.readouterr()
    assert out == "0 0\n1 1\n2 2\n3 3\n5 4\n6 4\n"
    assert main([str(f), "--min-clusters", "2", "--n-clusters", "2"]) == 2
    _, err = capsys.readouterr()
    assert "--n-clusters 2" in err and "--min-clusters 2" in err


def test_cli_help_describes_both(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["--help"]) == 0
    text = " ".join(sys.stdout.getvalue().split())
    assert "--n-clusters K exactly K clusters" in text
    assert "--min-clusters K stop early" in text
