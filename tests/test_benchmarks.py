"""The benchmark helpers (benchmarks/): generators, partition metrics, the worker, task lists.

No timing is asserted here; these tests check that the benchmark measures the problems it claims
to (deterministic graphs of the stated shape, correct agreement metrics, the same problem handed
to gasp_graph and to the peers).
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import generators  # noqa: E402
import metrics  # noqa: E402
import run  # noqa: E402
import worker  # noqa: E402


def _check_edge_list(g):
    e = g["edges"]
    n = int(g["n_nodes"])
    assert e.dtype == np.int64 and e.ndim == 2 and e.shape[1] == 2
    assert (e[:, 0] < e[:, 1]).all() and e.min() >= 0 and e.max() < n
    codes = e[:, 0] * n + e[:, 1]
    assert (np.diff(codes) > 0).all()  # sorted lexicographically, distinct
    assert g["weights"].shape == (e.shape[0],) and np.isfinite(g["weights"]).all()


def test_random_graph_shape_and_determinism():
    a = generators.random_graph(500)
    b = generators.random_graph(500)
    _check_edge_list(a)
    assert a["edges"].shape == (2500, 2)
    assert np.array_equal(a["edges"], b["edges"]) and np.array_equal(a["weights"], b["weights"])
    assert -1 < a["weights"].min() < -0.9 and 0.9 < a["weights"].max() < 1


def test_distinct_pairs_dense_case():
    rng = np.random.default_rng(0)
    e = generators.distinct_pairs(10, 45, rng)  # every pair of 10 nodes
    assert len({tuple(p) for p in e}) == 45
    with pytest.raises(ValueError):
        generators.distinct_pairs(10, 46, rng)


def test_ssbm_signs_follow_blocks_up_to_flips():
    g = generators.ssbm_graph(2000, 4, 20.0, 0.1)
    _check_edge_list(g)
    assert g["edges"].shape[0] == 20000
    same = g["truth"][g["edges"][:, 0]] == g["truth"][g["edges"][:, 1]]
    agree = (g["weights"] > 0) == same
    assert 0.85 < agree.mean() < 0.95  # eta = 0.1 of the signs flipped


def test_grid3d_offsets_local_and_lifted():
    shape = (6, 30, 32)
    g = generators.grid3d_graph(shape)
    _check_edge_list(g)
    z, y, x = shape
    e, ch = g["edges"], g["channel"]
    # every local edge of the three direct offsets is present
    assert (ch == 0).sum() == (z - 1) * y * x
    assert (ch == 1).sum() == z * (y - 1) * x
    assert (ch == 2).sum() == z * y * (x - 1)
    assert np.array_equal(g["lifted"], ch >= 3)
    # each edge joins voxel v and v + offset of its channel
    zyx = np.stack(np.unravel_index(e[:, 1], shape), axis=1) + g["offsets"][ch]
    assert np.array_equal(np.ravel_multi_index(tuple(zyx.T), shape), e[:, 0])
    # about 10% of the long-range edges, attractive mostly inside the planted cells
    full = sum(int(np.prod([s + o for s, o in zip(shape, off)])) for off in g["offsets"][3:])
    assert 0.07 < g["lifted"].sum() / full < 0.13
    same = g["truth"][e[:, 0]] == g["truth"][e[:, 1]]
    assert ((g["weights"] > 0) == same).mean() > 0.9


def test_canonical_and_same_partition():
    assert metrics.canonical([5, 5, 2, 7, 2, 0]).tolist() == [0, 0, 1, 2, 1, 3]
    assert metrics.same_partition([3, 3, 1], [0, 0, 9])
    assert not metrics.same_partition([3, 3, 1], [0, 1, 1])


def test_adjusted_rand_index_known_values():
    assert metrics.adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2]) == 1.0
    # sklearn's adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
    assert abs(metrics.adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-12
    # independent labellings: close to 0
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 5, 20000), rng.integers(0, 5, 20000)
    assert abs(metrics.adjusted_rand_index(a, b)) < 0.01


def test_worker_runs_gasp_and_sort_floor(tmp_path):
    g = generators.grid3d_graph((4, 12, 12))
    path = tmp_path / "g.npz"
    np.savez(path, **g)
    base = dict(graph_file=str(path), linkage="average", cannot_link=False, lifted=True,
                repeat=2, result_out=str(tmp_path / "r.json"))
    res = worker.run(dict(base, impl="gasp_graph", labels_out=str(tmp_path / "l.npy")))
    assert res["status"] == "ok" and len(res["times_s"]) == 2
    from gasp_graph import gasp

    expected = gasp(g["edges"], g["weights"], linkage="average", lifted=g["lifted"])
    assert np.array_equal(np.load(tmp_path / "l.npy"), expected)
    assert res["n_clusters"] == expected.max() + 1 and -1 <= res["ari_truth"] <= 1
    res = worker.run(dict(base, impl="sort floor", labels_out=None))
    assert res["status"] == "ok" and "n_clusters" not in res
    # a peer asked for a configuration it cannot express is n/a, not an error
    res = worker.run(dict(base, impl="bioimage-cpp GASP", labels_out=None))
    assert res["status"] in ("n/a", "missing")
    # the batch form writes a list of results
    cfgs = [dict(base, impl="sort floor", labels_out=None)] * 2
    assert worker.main([json.dumps(cfgs)]) == 0
    assert [r["status"] for r in json.loads((tmp_path / "r.json").read_text())] == ["ok", "ok"]


@pytest.mark.parametrize("impl,linkage", [("bioimage-cpp GASP", "sum"), ("bioimage-cpp MWS", "abs_max"),
                                          ("mwatershed grid", "abs_max"), ("scipy CC", "max"),
                                          ("sklearn complete", "min")])
def test_peers_solve_the_same_problem(tmp_path, impl, linkage):
    # Where installed, each peer returns exactly gasp_graph's partition on a small grid graph.
    module = run.PEERS[impl][0]
    pytest.importorskip(module)
    if impl.startswith("sklearn"):
        pytest.importorskip("scipy")
    g = generators.grid3d_graph((3, 10, 12))
    path = tmp_path / "g.npz"
    np.savez(path, **g)
    cfg = dict(graph_file=str(path), linkage=linkage, cannot_link=False, lifted=False, repeat=1,
               result_out=str(tmp_path / "r.json"))
    res = worker.run(dict(cfg, impl=impl, labels_out=str(tmp_path / "peer.npy")))
    assert res["status"] == "ok", res
    from gasp_graph import gasp

    expected = gasp(g["edges"], g["weights"], linkage=linkage)
    assert metrics.same_partition(np.load(tmp_path / "peer.npy"), expected)


def test_tasks_and_selection():
    tasks = run.make_tasks(["random", "grid3d"], "large", smoke=False)
    ids = [t["id"] for t in tasks]
    assert len(ids) == len(set(ids))
    assert sum(t["impl"] == "gasp_graph" for t in tasks) == 10 + 20
    assert not any(t["impl"].startswith("sklearn") for t in tasks)  # not at the large size
    assert "grid3d/abs_max+cl+lifted/gasp_graph" in ids
    sel = run.select(tasks, "random/average/*")
    assert [t["id"] for t in sel] == ["random/sort/sort floor", "random/average/gasp_graph",
                                      "random/average/bioimage-cpp GASP"]
    smoke = run.make_tasks(["random", "grid3d", "ssbm"], "small", smoke=True)
    peers = [t["impl"] for t in smoke if t["impl"] not in ("gasp_graph", "sort floor")]
    assert len(peers) == len(set(peers)) and "sklearn complete" not in peers


def test_components_numpy_fallback_matches_scipy(monkeypatch):
    rng = np.random.default_rng(3)
    e = generators.distinct_pairs(300, 280, rng)
    with_scipy = run.components(300, e)
    monkeypatch.setattr(run.importlib.util, "find_spec", lambda name: None)
    assert metrics.same_partition(run.components(300, e), with_scipy)


def test_points_benchmark_report():
    # benchmarks/points.py on two small generated sets and three of its methods: every cell is
    # filled, and the target lines compare the right means.
    pytest.importorskip("sklearn")
    import points
    from sklearn.datasets import make_blobs

    data = {}
    for seed in (0, 1):
        X, y = make_blobs(n_samples=90, centers=3, random_state=seed)
        data[f"blobs{seed}"] = (X, y)
    meths = {k: v for k, v in points.methods().items()
             if k in ("GASP() (defaults)", "HDBSCAN", "spectral (k given)")}
    res = points.measure(data, meths)
    assert set(res) == set(meths) and all(set(r) == set(data) for r in res.values())
    for row in res.values():
        for ari, nmi, cpu, k in row.values():
            assert -1 <= ari <= 1 and 0 <= nmi <= 1 + 1e-12 and cpu >= 0 and k >= 1
    text = points.report(data, meths, res)
    gasp = np.mean([res["GASP() (defaults)"][d][0] for d in data])
    hdb = np.mean([res["HDBSCAN"][d][0] for d in data])
    assert f"GASP() (defaults): mean ARI {gasp:.3f}; target 1 (>= HDBSCAN {hdb:.3f}" in text
    assert text.splitlines()[0].startswith("| method | blobs0 | blobs1 | mean ARI")
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == 1 + len(meths)
# ---------------------------------------------------------------------------------------------
# benchmarks/community.py
# ---------------------------------------------------------------------------------------------

def test_nmi_matches_scikit_learn():
    from sklearn.metrics import normalized_mutual_info_score

    rng = np.random.default_rng(3)
    for _ in range(10):
        a, b = rng.integers(0, 6, 200), rng.integers(0, 4, 200)
        assert metrics.normalized_mutual_information(a, b) == pytest.approx(
            normalized_mutual_info_score(a, b), abs=1e-12)
    assert metrics.normalized_mutual_information([0, 0, 1], [5, 5, 2]) == pytest.approx(1.0)


def test_planted_graphs_are_deterministic_and_planted():
    import community

    for kind in ("equal", "hetero"):
        G, truth = community.planted_graph(1000, kind)
        H, again = community.planted_graph(1000, kind)
        assert sorted(G.edges()) == sorted(H.edges()) and np.array_equal(truth, again)
        assert G.number_of_nodes() == truth.shape[0] == 1000
        e = np.array(list(G.edges()))
        inside = truth[e[:, 0]] == truth[e[:, 1]]
        assert 0.7 < inside.mean() < 0.9  # about 8 of 10 neighbours inside the block
    assert community.planted_graph(1000, "equal")[1].max() == 9


def test_community_report_renders_every_part():
    import community

    results = {
        "communities": [{"graph": "g", "n": 10, "m": 20, "blocks": 2, "method": "x",
                         "status": "ok", "k": 2, "ari": 1.0, "nmi": 1.0, "modularity": 0.4,
                         "cpu": 0.01},
                        {"graph": "g", "n": 10, "method": "y", "status": "missing"}],
        "cnm": [{"method": "gasp_graph gasp (arrays)", "n": 10, "m": 20, "cpu": 0.5,
                 "modularity": 0.3, "k": 2},
                {"method": "igraph community_fastgreedy", "n": 10, "m": 20, "cpu": 1.0,
                 "modularity": 0.3, "k": 2}],
        "refine": [{"n": 10, "eta": 0.1, "method": "gasp sum", "cpu": 0.1,
                    "disagreement": 3.0, "ari": 0.5, "k": 3}],
    }
    text = community.report(results)
    assert "| g (2 blocks) | 10 | x | 1.000 |" in text
    assert "| igraph community_fastgreedy | 10 | 1.000 | 2.0 |" in text
    assert "| 10 | 10 % | gasp sum | 3.0 |" in text
    rst = community.report_rst(results)
    assert ".. csv-table:: ARI against the planted partition (NMI)" in rst
    assert '"g (2 blocks)",10,"1.000 (1.00)","missing"' in rst


def test_worst_case_shapes_and_growth_exponent():
    import worst_case

    for shape in worst_case.SHAPES:
        e1, w1 = worst_case.make(shape, 2000)
        e2, w2 = worst_case.make(shape, 2000)
        assert np.array_equal(e1, e2) and np.array_equal(w1, w2)  # fixed seeds
        assert e1.dtype == np.int64 and e1.shape[1] == 2 and w1.shape == (e1.shape[0],)
        assert (e1[:, 0] != e1[:, 1]).all() and 1000 <= e1.shape[0] <= 2100  # about m
    star, _ = worst_case.make("star", 500)
    assert (star[:, 0] == 0).all() and np.array_equal(np.sort(star[:, 1]), np.arange(1, 501))
    assert (worst_case.make("star_equal", 10)[1] == 1).all()
    assert (worst_case.make("grid", 2000)[1] == 1).all()
    degrees = np.bincount(worst_case.make("powerlaw", 20000)[0].ravel())
    assert degrees.max() > 20 * np.median(degrees[degrees > 0])  # hubs
    # the fitted exponent of t = c m^k, from the runs of at least 10 ms
    pts = [(m, 1e-9 * m ** 2) for m in (1e4, 1e5, 1e6)]
    assert worst_case.exponent(pts) == pytest.approx(2.0)
    assert worst_case.exponent([(10, 0.001), (100, 0.002)]) is None
