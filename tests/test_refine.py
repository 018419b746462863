"""refine=True: the local search on the objective of the sum linkage (refine.c): the multilevel
search (default) and node moves only.

Properties, on small random graphs (signed; modularity and CPM null models):
* the objective F of tests/reference.py never decreases (refined >= unrefined, whatever the
  linkage GASP ran with, and from arbitrary starting labels);
* the result is a local optimum, checked by brute force: no single node move (to another
  cluster or a new singleton) gains;
* every cluster is connected through edges inside it;
* deterministic, and the same with 32- and 64-bit ids (also the perturbation steps);
* the multilevel search goes beyond node moves alone; a set cancel flag stops it.
"""
import numpy as np
import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from random_graphs import TIE_WEIGHTS, random_edges

from gasp_graph import GaspValueError, _core, gasp
from gasp_graph._validation import prepare

LINKAGES = ["sum", "average", "max", "abs_max"]


def _graph(rng, null_model, ties=False):
    n = int(rng.integers(1, 16))
    e = random_edges(rng, n, int(rng.integers(0, 40)), duplicates=bool(rng.integers(2)))
    m = len(e)
    if null_model == "modularity":
        w = rng.choice(TIE_WEIGHTS[3:], size=m) if ties else rng.uniform(0.05, 1.0, size=m)
    else:
        w = rng.choice(TIE_WEIGHTS, size=m) if ties else rng.uniform(-1.0, 1.0, size=m)
    es = rng.choice([1.0, 2.0], size=m) if rng.integers(2) else None
    return n, e, w, es


def _objective_args(n, e, w, es, null_model, resolution):
    if null_model is None:
        return dict(edge_sizes=None if es is None else es.tolist(), a=None, gamma=0.0)
    a, _ = reference.null_model_values(n, e.tolist(), w.tolist(),
                                       None if es is None else es.tolist(), null_model)
    return dict(edge_sizes=None if es is None else es.tolist(), a=a, gamma=resolution)


def _connected(labels, e):
    return np.array_equal(reference.canonical(reference.split_disconnected(labels, e)),
                          reference.canonical(labels))


def _check(seed, null_model, ties):
    rng = np.random.default_rng(seed)
    n, e, w, es = _graph(rng, null_model, ties)
    resolution = float(rng.choice([0.0, 0.5, 1.0, 2.0])) if null_model else 1.0
    linkage = "sum" if null_model else str(rng.choice(LINKAGES))
    kw = dict(n_nodes=n, linkage=linkage, edge_sizes=es, null_model=null_model,
              resolution=resolution)
    obj = _objective_args(n, e, w, es, null_model, resolution)
    plain = gasp(e, w, **kw)
    refined = gasp(e, w, refine=True, **kw)
    f0 = reference.objective(plain, e.tolist(), w.tolist(), **obj)
    f1 = reference.objective(refined, e.tolist(), w.tolist(), **obj)
    assert f1 >= f0 - 1e-9, (f0, f1)
    assert reference.is_local_optimum(refined, e.tolist(), w.tolist(), **obj, tol=1e-9)
    assert _connected(refined, e)
    assert np.array_equal(refined, reference.canonical(refined))
    # from arbitrary labels, with both id widths
    start = rng.integers(0, max(n, 1), size=n)
    problem = prepare(e, w, n_nodes=n, linkage="sum", edge_sizes=es, null_model=null_model,
                      resolution=resolution)
    out32, info = _core.refine(problem, start, index_bits=32)
    out64, _ = _core.refine(problem, start, index_bits=64)
    assert np.array_equal(out32, out64)
    fs = reference.objective(start, e.tolist(), w.tolist(), **obj)
    fr = reference.objective(out32, e.tolist(), w.tolist(), **obj)
    assert fr >= fs - 1e-9
    assert fr - fs == pytest.approx(info["refine_gain"], abs=1e-9)
    assert reference.is_local_optimum(out32, e.tolist(), w.tolist(), **obj, tol=1e-9)
    assert _connected(out32, e)
    # node moves only (the mode communities() uses after its similarity step)
    moved, info = _core.refine(problem, start, moves_only=True)
    fm = reference.objective(moved, e.tolist(), w.tolist(), **obj)
    assert fm >= fs - 1e-9
    assert fm - fs == pytest.approx(info["refine_gain"], abs=1e-9)
    assert reference.is_local_optimum(moved, e.tolist(), w.tolist(), **obj, tol=1e-9)
    assert _connected(moved, e)


@pytest.mark.parametrize("null_model", [None, "modularity", "cpm"])
@pytest.mark.parametrize("ties", [False, True])
def test_refine_properties_seeded(null_model, ties):
    for seed in range(25):
        _check(1000 * (null_model is None) + seed, null_model, ties)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.sampled_from([None, "modularity", "cpm"]), st.booleans())
def test_refine_properties_hypothesis(seed, null_model, ties):
    _check(seed, null_model, ties)


def test_refine_improves_a_poor_start_and_is_deterministic():
    # two positive cliques joined by negative edges, started from one cluster
    rng = np.random.default_rng(0)
    blocks = np.repeat(np.arange(4), 10)
    iu, iv = np.triu_indices(40, 1)
    w = np.where(blocks[iu] == blocks[iv], 1.0, -1.0) * rng.uniform(0.5, 1.0, iu.size)
    flip = rng.random(iu.size) < 0.1
    w[flip] *= -1
    e = np.stack([iu, iv], 1)
    problem = prepare(e, w, linkage="sum")
    out, info = _core.refine(problem, np.zeros(40, dtype=np.int64))
    assert info["n_moves"] > 0
    np.testing.assert_array_equal(out, reference.canonical(blocks))
    again, _ = _core.refine(problem, np.zeros(40, dtype=np.int64))
    np.testing.assert_array_equal(out, again)


def test_refine_rejects_bad_labels():
    problem = prepare([[0, 1], [1, 2]], [1.0, -1.0], linkage="sum")
    with pytest.raises(GaspValueError, match=r"labels \(element 1\)"):
        _core.refine(problem, np.array([0, 3, 0]))
    with pytest.raises(GaspValueError, match="lifted"):
        gasp([[0, 1], [1, 2]], [1.0, -1.0], lifted=[True, False], refine=True)


def test_refine_through_partition_and_the_estimator():
    import networkx as nx
    import scipy.sparse as sp

    from gasp_graph import GASP, partition

    rng = np.random.default_rng(7)
    e = random_edges(rng, 30, 120)
    w = rng.uniform(-1, 1, size=len(e))
    expected = gasp(e, w, n_nodes=30, linkage="average", refine=True)
    assert not np.array_equal(expected, gasp(e, w, n_nodes=30, linkage="average"))  # it worked
    G = nx.Graph()
    G.add_nodes_from(range(30))
    G.add_weighted_edges_from((int(u), int(v), float(x)) for (u, v), x in zip(e, w))
    edges = np.array([(u, v) for u, v in G.edges()])
    weights = np.array([G[u][v]["weight"] for u, v in edges])
    labels = gasp(edges, weights, n_nodes=30, linkage="sum", refine=True)
    got = partition(G, linkage="sum", refine=True)
    assert sorted(map(sorted, got)) == sorted(
        sorted(np.flatnonzero(labels == k).tolist()) for k in range(labels.max() + 1))
    A = sp.coo_array((w, (e[:, 0], e[:, 1])), shape=(30, 30))
    model = GASP("sum", refine=True, affinity="precomputed")
    np.testing.assert_array_equal(partition(A, linkage="sum", refine=True), model.fit_predict(A))


def _planted(seed, n=600, k=12, p_in=0.08, p_out=0.01):
    rng = np.random.default_rng(seed)
    truth = rng.permutation(np.arange(n) % k)
    iu, iv = np.triu_indices(n, 1)
    p = np.where(truth[iu] == truth[iv], p_in, p_out)
    keep = rng.random(iu.size) < p
    return np.stack([iu[keep], iv[keep]], 1), truth


@pytest.mark.parametrize("null_model", ["modularity", "cpm"])
def test_multilevel_search_beats_node_moves_alone(null_model):
    # From singletons, node moves stop in a local optimum of many small clusters; the
    # multilevel search (aggregation, sub-clusters, perturbation steps) goes further.
    gains = []
    for seed in range(3):
        e, _ = _planted(seed)
        w = np.ones(len(e))
        problem = prepare(e, w, n_nodes=600, linkage="sum", null_model=null_model,
                          resolution=1.0 if null_model == "modularity" else 0.03)
        obj = _objective_args(600, e, w, None, null_model, problem.resolution)
        start = np.arange(600)
        full, _ = _core.refine(problem, start)
        moves, _ = _core.refine(problem, start, moves_only=True)
        f_full = reference.objective(full, e.tolist(), w.tolist(), **obj)
        f_moves = reference.objective(moves, e.tolist(), w.tolist(), **obj)
        assert f_full >= f_moves - 1e-9
        gains.append(f_full - f_moves)
    assert max(gains) > 1.0


def test_multilevel_search_is_deterministic_across_runs_and_id_widths():
    # The perturbation steps draw from a fixed sequence: same labels every run, 32 or 64 bits.
    e, truth = _planted(7, n=1500, k=30, p_in=0.05, p_out=0.004)
    rng = np.random.default_rng(7)
    w = np.where(truth[e[:, 0]] == truth[e[:, 1]], 1.0, -1.0) * rng.uniform(0.1, 1.0, len(e))
    w[rng.random(len(e)) < 0.15] *= -1
    first = gasp(e, w, n_nodes=1500, linkage="sum", refine=True)
    assert np.array_equal(first, gasp(e, w, n_nodes=1500, linkage="sum", refine=True))
    problem = prepare(e, w, n_nodes=1500, linkage="sum")
    start = np.zeros(1500, dtype=np.int64)
    out32, _ = _core.refine(problem, start, index_bits=32)
    out64, _ = _core.refine(problem, start, index_bits=64)
    assert np.array_equal(out32, out64)
    # refine=True is at least as good as the unrefined partition and as the search from
    # singletons alone
    obj = _objective_args(1500, e, w, None, None, 1.0)
    f = reference.objective(first, e.tolist(), w.tolist(), **obj)
    plain = gasp(e, w, n_nodes=1500, linkage="sum")
    assert f >= reference.objective(plain, e.tolist(), w.tolist(), **obj) - 1e-9


def test_refine_polls_cancel():
    # A set cancel flag stops gasp_refine (GASP_EINTERRUPTED) before it writes the labels.
    e, _ = _planted(3, n=3000, k=30, p_in=0.02, p_out=0.002)
    w = np.ones(len(e))
    problem = prepare(e, w, n_nodes=3000, linkage="sum", null_model="modularity")
    mod = _core._gasp32
    ffi, lib = mod.ffi, mod.lib
    labels = np.arange(3000, dtype=np.int64)
    for mode in (lib.GASP_REFINE_FULL, lib.GASP_REFINE_MOVES):
        opts = ffi.new("gasp_options_t *")
        opts.null_weights = ffi.cast("double *", ffi.from_buffer(problem.null_weights))
        opts.resolution = 1.0
        opts.refine = mode
        cancel = ffi.new("int32_t[1]")
        cancel[0] = 1
        opts.cancel = cancel
        stats = ffi.new("gasp_stats_t *")
        code = lib.gasp_refine(3000, len(e), ffi.cast("int64_t *", ffi.from_buffer(problem.edges)),
                               ffi.cast("double *", ffi.from_buffer(problem.weights)), ffi.NULL,
                               opts, ffi.cast("int64_t *", ffi.from_buffer(labels)), stats)
        assert code == lib.GASP_EINTERRUPTED
        assert np.array_equal(labels, np.arange(3000))
        opts.refine = 7  # not a gasp_refine_t
        cancel[0] = 0
        code = lib.gasp_refine(3000, len(e), ffi.cast("int64_t *", ffi.from_buffer(problem.edges)),
                               ffi.cast("double *", ffi.from_buffer(problem.weights)), ffi.NULL,
                               opts, ffi.cast("int64_t *", ffi.from_buffer(labels)), stats)
        assert code == lib.GASP_EINVAL


def _engine_args(mod, e, w, labels, opts, stats, lifted=None):
    ffi = mod.ffi
    e = np.ascontiguousarray(e, dtype=np.int64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    keep = [e, w, labels] + ([] if lifted is None else [lifted])
    args = dict(
        edges=ffi.cast("int64_t *", ffi.from_buffer(e)),
        weights=ffi.cast("double *", ffi.from_buffer(w)),
        labels=ffi.cast("int64_t *", ffi.from_buffer(labels)),
        lifted=ffi.NULL if lifted is None else ffi.cast("uint8_t *", ffi.from_buffer(lifted)),
    )
    return args, keep


def test_refine_argument_checks_poll_cancel():
    # gasp_refine's argument checks poll the cancel flag (as gasp_run's do): with the flag set,
    # it stops before it reaches the bad edge at the end, instead of reading all the input.
    mod = _core._gasp32
    ffi, lib = mod.ffi, mod.lib
    n = 1000
    e = np.stack([np.arange(n - 1), np.arange(1, n)], 1)
    e = np.concatenate([e, [[0, n]]])  # out of range
    labels = np.arange(n, dtype=np.int64)
    args, _keep = _engine_args(mod, e, np.ones(len(e)), labels, None, None)
    for cancelled, expected in ((0, lib.GASP_EINVAL), (1, lib.GASP_EINTERRUPTED)):
        opts = ffi.new("gasp_options_t *")
        opts.refine = lib.GASP_REFINE_MOVES
        cancel = ffi.new("int32_t[1]", [cancelled])
        opts.cancel = cancel
        stats = ffi.new("gasp_stats_t *")
        code = lib.gasp_refine(n, len(e), args["edges"], args["weights"], ffi.NULL, opts,
                               args["labels"], stats)
        assert code == expected

def test_core_refine_rejects_labels_of_the_wrong_shape():
    # The engine reads and writes n labels: a shorter array would be overrun (heap overflow
    # under ASan), a longer or 2-D one silently misread; floats were truncated.
    problem = prepare([[0, 1], [1, 2]], [1.0, 1.0], linkage="sum")
    for bad in (np.array([0, 0]), np.array([0, 0, 0, 0]), np.array([[0, 0, 0]]),
                np.array([0.5, 1.5, 2.0])):
        with pytest.raises(GaspValueError, match="labels must be n_nodes=3 integers"):
            _core.refine(problem, bad)
    out, _ = _core.refine(problem, np.array([2, 1, 0], dtype=np.int32))
    np.testing.assert_array_equal(out, [0, 0, 0])

@pytest.mark.parametrize("bits", [32, 64])
def test_gasp_run_rejects_refine_with_a_cluster_count_or_lifted_edges(bits):
    # The C core checks again what the Python front end rejects: local moves change the number
    # of clusters (n_clusters / min_clusters) and would join clusters through lifted edges.
    mod = _core._MODULES[bits]
    ffi, lib = mod.ffi, mod.lib
    e = np.array([[0, 1], [1, 2], [2, 3], [0, 3]])
    w = np.array([1.0, -0.2, 1.0, 0.5])
    labels = np.zeros(4, dtype=np.int64)
    lifted = np.array([0, 0, 0, 1], dtype=np.uint8)

    def run(n_clusters=0, min_clusters=0, with_lifted=False, cannot_link=0):
        opts = ffi.new("gasp_options_t *")
        opts.linkage = lib.GASP_LINKAGE_SUM
        opts.refine = lib.GASP_REFINE_FULL
        opts.cannot_link = cannot_link
        opts.n_clusters = n_clusters
        opts.min_clusters = min_clusters
        stats = ffi.new("gasp_stats_t *")
        args, _keep = _engine_args(mod, e, w, labels, opts, stats,
                                   lifted if with_lifted else None)
        code = lib.gasp_run(4, 4, args["edges"], args["weights"], ffi.NULL, args["lifted"],
                            ffi.NULL, opts, args["labels"], ffi.NULL, ffi.NULL, stats)
        return code, stats.err_arg

    assert run()[0] == lib.GASP_OK
    assert run(n_clusters=3) == (lib.GASP_EINVAL, lib.GASP_ARG_N_CLUSTERS)
    assert run(min_clusters=2) == (lib.GASP_EINVAL, lib.GASP_ARG_N_CLUSTERS)
    assert run(with_lifted=True) == (lib.GASP_EINVAL, lib.GASP_ARG_OPTIONS)
    assert run(cannot_link=1) == (lib.GASP_EINVAL, lib.GASP_ARG_OPTIONS)


def test_refine_with_cannot_link_is_an_error():
    # the moves ignore constraints: they joined 0 and 2 although cannot_link keeps them apart
    e = [[2, 0], [0, 1], [2, 4], [0, 3], [1, 4], [4, 2], [2, 1], [4, 3], [4, 0]]
    w = [-1.5, .9, .77, .89, .3, .05, .91, .58, .04]
    labels = gasp(e, w, linkage="sum", cannot_link=True)
    assert labels[0] != labels[2]
    with pytest.raises(GaspValueError, match="refine=True cannot be combined with cannot_link"):
        gasp(e, w, linkage="sum", cannot_link=True, refine=True)
