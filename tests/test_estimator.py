"""The scikit-learn estimator GASP: precomputed matrices, feature matrices, the sklearn protocol."""
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from reference import canonical

from gasp_graph import (GASP, GaspTypeError, GaspValueError, GaspWarning, gasp, knn_graph,
                        signed_weights)

sp = pytest.importorskip("scipy.sparse")


def random_signed(seed, n=20, m=60):
    rng = np.random.default_rng(seed)
    r, c = rng.integers(0, n, (2, m))
    keep = r != c
    r, c = np.minimum(r[keep], c[keep]), np.maximum(r[keep], c[keep])
    U = sp.coo_array((rng.normal(0.2, 1, r.shape[0]), (r, c)), shape=(n, n)).tocsr()
    U.sum_duplicates()
    return U


def blobs(seed=0, n=60, centres=((0, 0), (10, 0), (5, 9)), spread=1.0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, spread, (n, 2)) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n)


def same_partition(a, b):
    return np.array_equal(canonical(a), canonical(b))


# --------------------------------------------------------------------------------------------
# affinity="precomputed": today's behaviour
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "params",
    [
        {},
        {"linkage": "max"},
        {"linkage": "sum", "cannot_link": True, "merge_constrained_at_end": True},
        {"linkage": "smooth_max", "linkage_param": 2.0},
        {"n_clusters": 4},
        {"min_clusters": 4},
    ],
)
def test_precomputed_sparse_matches_array_api(params):
    U = random_signed(0)
    A = (U + U.T).tocsr()
    coo = U.tocoo()
    expected = gasp(np.column_stack((coo.row, coo.col)), coo.data, n_nodes=20, **params)
    model = GASP(affinity="precomputed", **params).fit(A)
    np.testing.assert_array_equal(model.labels_, expected)
    assert model.n_clusters_ == len(np.unique(expected))
    assert model.beta_ is None and model.merge_tree_ is None and model.n_features_in_ == 20
    np.testing.assert_array_equal(GASP(affinity="precomputed", **params).fit_predict(U), expected)


def test_precomputed_options_and_node_size():
    U = random_signed(1)
    coo = U.tocoo()
    lifted = sp.csr_array((coo.data > 1.0, (coo.row, coo.col)), shape=U.shape)
    sizes = np.linspace(1, 2, 20)
    expected = gasp(
        np.column_stack((coo.row, coo.col)), coo.data, n_nodes=20, lifted=coo.data > 1.0,
        node_sizes=sizes, size_regularizer=1.0,
    )
    labels = GASP(affinity="precomputed", size_regularizer=1.0).fit_predict(
        U, lifted=lifted, node_size=sizes)
    np.testing.assert_array_equal(labels, expected)


def test_precomputed_dense_is_complete_graph():
    D = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.1], [0.0, 0.1, 0.0]])
    model = GASP(affinity="precomputed", linkage="min")
    # Dense: the zero at (0, 2) is an edge; with "min" it blocks the merge of 2.
    np.testing.assert_array_equal(model.fit_predict(D), [0, 0, 1])
    np.testing.assert_array_equal(model.fit_predict(sp.csr_array(D)), [0, 0, 0])
    with pytest.raises(GaspValueError, match=r"A\[0, 1\] = 1.0 but A\[1, 0\] = 2.0.*\(A \+ A.T\)"):
        GASP(affinity="precomputed").fit(np.array([[0, 1.0], [2.0, 0]]))
    with pytest.raises(GaspValueError, match=r"A must be a square"):
        GASP(affinity="precomputed").fit(np.zeros((2, 3)))
    with pytest.raises(GaspTypeError, match="only accepted with a precomputed sparse X"):
        GASP(affinity="precomputed").fit(D, lifted=sp.csr_array(D))


def test_dense_similarity_with_rounding_asymmetry_is_symmetrised():
    # 1 - pairwise_distances(X) / c differs from its transpose in the last bits
    X, _ = blobs(3, n=15)
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    S = 1.0 - d / d.max()
    S[np.triu_indices(len(X), 1)] *= 1 + 1e-14  # a rounding-sized asymmetry
    assert not np.array_equal(S, S.T)
    model = GASP(affinity="precomputed_probability", beta=0.7).fit(S)
    Ssym = (S + S.T) / 2
    r, c = np.triu_indices(len(X), 1)
    expected = gasp(np.column_stack((r, c)), signed_weights(Ssym[r, c], beta=0.7))
    np.testing.assert_array_equal(model.labels_, expected)
    assert model.n_clusters_ == 3
    S[0, 1] += 1e-6  # far beyond rounding
    with pytest.raises(GaspValueError, match=r"must be symmetric \(up to rounding"):
        GASP(affinity="precomputed_probability").fit(S)


def test_precomputed_probability_with_fixed_and_auto_beta():
    U = random_signed(4)
    P = U.copy()
    P.data = 1 / (1 + np.exp(-P.data))  # probabilities
    coo = P.tocoo()
    e = np.column_stack((coo.row, coo.col))
    for kind in ("linear", "logit"):
        expected = gasp(e, signed_weights(coo.data, beta=0.6, kind=kind), n_nodes=20)
        got = GASP(affinity="precomputed_probability", beta=0.6, kind=kind).fit_predict(P)
        np.testing.assert_array_equal(got, expected)
        auto = GASP(affinity="precomputed_probability", kind=kind).fit(P)
        again = gasp(e, signed_weights(coo.data, beta=auto.beta_, kind=kind), n_nodes=20)
        np.testing.assert_array_equal(auto.labels_, again)
    bad = P.copy()
    bad.data[0] = 1.5
    with pytest.raises(GaspValueError, match="probabilities must lie in"):
        GASP(affinity="precomputed_probability").fit(bad)


# --------------------------------------------------------------------------------------------
# affinity="knn": feature matrices
# --------------------------------------------------------------------------------------------

def test_fit_recovers_planted_blobs():
    X, y = blobs(0)
    model = GASP().fit(X)
    assert model.n_clusters_ == 3 and same_partition(model.labels_, y)
    assert model.n_features_in_ == 2
    assert 0 < model.beta_ < 1
    # labels_ is the partition of beta_: a separate run at that bias gives it
    g = knn_graph(X)
    w = signed_weights(g.probabilities, beta=model.beta_)
    np.testing.assert_array_equal(model.labels_, gasp(g.edges, w, lifted=g.lifted))
    assert model.merge_tree_ is not None and model.merge_tree_.n_nodes == len(X)


def test_fit_recovers_two_moons():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = sklearn_datasets.make_moons(300, noise=0.05, random_state=0)
    labels = GASP(n_clusters=2, linkage="max").fit_predict(X)
    assert same_partition(labels, y)
    assert same_partition(GASP(n_clusters=2).fit_predict(X), y)
    assert same_partition(GASP().fit_predict(X), y)  # label-free


def test_fixed_beta_equals_the_recipe_by_hand():
    X, _ = blobs(1)
    g = knn_graph(X, 10, far_pairs=5, similarity="kernel", seed=3)
    for kind in ("linear", "logit"):
        expected = gasp(g.edges, signed_weights(g.probabilities, beta=0.3, kind=kind),
                        lifted=g.lifted, linkage="max")
        model = GASP(beta=0.3, kind=kind, n_neighbors=10, far_pairs=5, similarity="kernel",
                     seed=3, linkage="max").fit(X)
        np.testing.assert_array_equal(model.labels_, expected)
        assert model.beta_ == 0.3 and model.merge_tree_ is None


def test_n_clusters_on_points():
    X, _ = blobs(2)
    for k in (3, 5, 8):
        model = GASP(n_clusters=k).fit(X)
        assert model.n_clusters_ == k and model.beta_ == 0.5
    # the three blobs are apart in the neighbour graph: fewer clusters are out of reach
    with pytest.warns(GaspWarning, match="n_clusters=2 cannot be reached: 3 clusters remain"):
        assert GASP(n_clusters=2).fit(X).n_clusters_ == 3


def test_duplicate_points_and_tiny_inputs():
    X, y = blobs(5, n=20)
    Xd = np.concatenate([X, X, X[:5]])  # every point twice, some three times
    labels = GASP().fit_predict(Xd)
    assert labels.shape == (125,)
    np.testing.assert_array_equal(labels[:60], labels[60:120])  # duplicates stay together
    assert same_partition(labels[:60], y)
    assert GASP().fit_predict(np.ones((7, 3))).tolist() == [0] * 7  # all identical points
    assert GASP().fit_predict([[1.0]]).tolist() == [0]
    assert GASP().fit_predict([[0.0], [1.0]]).shape == (2,)
    x = np.random.default_rng(0).normal(0, 1, 80)
    x[40:] += 20
    one_d = GASP().fit_predict(x.reshape(-1, 1))  # one feature
    assert one_d.tolist() == [0] * 40 + [1] * 40


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.zeros(5), GaspValueError, "2D array|2-D array"),
        (np.zeros((0, 2)), GaspValueError, "0 sample"),
        (np.array([[0.0, np.nan], [1.0, 2.0]]), GaspValueError, "NaN"),
        (np.array([[1 + 2j, 0], [0, 1]]), GaspValueError, "Complex data not supported"),
        (np.array([["a", "b"], ["c", "d"]]), GaspValueError, "could not convert|must hold real"),
    ],
)
def test_bad_feature_matrices(X, error, match):
    with pytest.raises(error, match=match):
        GASP().fit(X)


def test_set_params_with_a_nested_or_unknown_name_is_a_value_error():
    # GASP().set_params(linkage__x=1) was an AttributeError ('str' object has no set_params)
    with pytest.raises(GaspValueError, match=r"'linkage__x' .* linkage='average' has no param"):
        GASP().set_params(linkage__x=1)
    with pytest.raises(GaspValueError, match="invalid parameter 'no_such'"):
        GASP().set_params(no_such=1)
    with pytest.raises(GaspValueError, match="invalid parameter 'self'"):  # was a TypeError
        GASP().set_params(self=1)
    model = GASP().set_params(linkage="max", beta=0.3)
    assert model.linkage == "max" and model.beta == 0.3


def test_bad_parameters_raise_at_fit():
    X, _ = blobs(0, n=5)
    cases = [
        (dict(affinity="rbf"), GaspValueError, "affinity must be one of"),
        (dict(beta="best"), GaspValueError, "beta must be a number in \\(0, 1\\) or 'auto'"),
        (dict(beta=1.0), GaspValueError, "strictly between 0 and 1"),
        (dict(beta=True), GaspTypeError, "beta must be"),
        (dict(linkage="sum"), GaspValueError, "beta='auto' needs a linkage"),
        (dict(cannot_link=True), GaspValueError, "beta='auto' needs one merge tree"),
        (dict(n_neighbors=0), GaspValueError, "n_neighbors must be >= 1"),
        (dict(metric="mahalanobis"), GaspValueError, "metric must be one of"),
        (dict(similarity="cosine"), GaspValueError, "similarity must be one of"),
        (dict(beta_criterion="silhouette"), GaspValueError, "beta_criterion must be one of"),
        (dict(kind="probit", beta=0.5), GaspValueError, "kind must be"),
        (dict(linkage="no-such-linkage", n_clusters=-1), GaspValueError, "linkage="),
    ]
    for params, error, match in cases:
        model = GASP(**params)
        assert model.get_params()[next(iter(params))] == params[next(iter(params))]
        with pytest.raises(error, match=match):
            model.fit(X)


# --------------------------------------------------------------------------------------------
# The scikit-learn protocol
# --------------------------------------------------------------------------------------------

def test_get_set_params_and_repr():
    model = GASP(linkage="max", n_clusters=3)
    params = model.get_params()
    assert params["linkage"] == "max" and params["n_clusters"] == 3
    assert set(params) == {
        "affinity", "beta", "beta_criterion", "cannot_link", "far_pairs", "far_selection", "kind",
        "linkage",
        "linkage_param", "merge_constrained_at_end", "metric", "min_clusters", "n_clusters",
        "n_neighbors", "null_model", "refine", "resolution", "scale", "seed", "self_loops",
        "similarity", "size_regularizer",
    }
    assert model.set_params(cannot_link=True, linkage="abs_max") is model
    assert model.get_params()["cannot_link"] is True
    assert repr(model) == "GASP(cannot_link=True, linkage='abs_max', n_clusters=3)"
    with pytest.raises(ValueError, match="[Ii]nvalid parameter 'bogus'"):
        model.set_params(bogus=1)
    assert repr(GASP()) == "GASP()"


def test_check_estimator_passes_with_the_documented_list():
    pytest.importorskip("sklearn")
    from sklearn.utils.estimator_checks import check_estimator

    from gasp_graph.estimator import EXPECTED_FAILED_CHECKS

    with pytest.warns(Warning):  # scikit-learn reports its own skip as a warning
        results = check_estimator(GASP(), on_fail=None,
                                  expected_failed_checks=EXPECTED_FAILED_CHECKS)
    status = {}
    for r in results:
        status.setdefault(r["status"], set()).add(r["check_name"])
    assert EXPECTED_FAILED_CHECKS == {}  # the documented list (docs/guide/points.rst): empty
    assert "failed" not in status and "xfail" not in status
    # the only skip is scikit-learn's own: array-API checks need SCIPY_ARRAY_API=1 set
    assert status.get("skipped", set()) <= {"check_array_api_input"}
    assert {"check_clustering", "check_fit_idempotent", "check_n_features_in"} <= status["passed"]


def test_is_clusterer_clone_pickle():
    sklearn_base = pytest.importorskip("sklearn.base")
    assert sklearn_base.is_clusterer(GASP())
    model = GASP(linkage="generalized_mean", linkage_param=1.0, far_pairs=3)
    copy = sklearn_base.clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    X, _ = blobs(0, n=20)
    fitted = model.fit(X)
    assert not hasattr(sklearn_base.clone(fitted), "labels_")
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.labels_, fitted.labels_)


def test_grid_search_and_pipeline():
    pytest.importorskip("sklearn")
    from sklearn.metrics import adjusted_rand_score, make_scorer
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = blobs(0, n=30)
    X = X * [1.0, 100.0]  # badly scaled: the pipeline standardises

    def ari(estimator, X, y):
        return adjusted_rand_score(y, estimator.fit_predict(X))

    search = GridSearchCV(GASP(), {"n_neighbors": [5, 15], "linkage": ["average", "max"]},
                          scoring=ari, cv=[(np.arange(len(X)), np.arange(len(X)))])
    search.fit(X, y)
    assert set(search.cv_results_["param_linkage"]) == {"average", "max"}
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    pipe = make_pipeline(StandardScaler(), GASP())
    labels = pipe.fit_predict(X)
    assert same_partition(labels, y)
    del make_scorer


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    X, _ = blobs(0, n=10)
    model = GASP().fit(pd.DataFrame(X, columns=["a", "b"]))
    assert model.feature_names_in_.tolist() == ["a", "b"]


def test_fallback_without_scikit_learn():
    # A fresh interpreter in which scikit-learn cannot be imported: the fallback base class.
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "sklearn" or name.startswith("sklearn."):
                    raise ImportError("blocked")
        sys.meta_path.insert(0, Block())
        import numpy as np
        from gasp_graph import GASP
        assert GASP.__mro__[1].__name__ == "_FallbackEstimator", GASP.__mro__
        rng = np.random.default_rng(0)
        X = np.concatenate([rng.normal(0, 1, (30, 2)), rng.normal(9, 1, (30, 2))])
        m = GASP().fit(X)
        assert m.n_clusters_ == 2, m.labels_
        assert m.labels_.tolist() == [0] * 30 + [1] * 30
        m.set_params(linkage="max", n_neighbors=10)
        assert m.get_params()["n_neighbors"] == 10
        assert repr(m) == "GASP(linkage='max', n_neighbors=10)"
        A = np.array([[0, 1.0], [1.0, 0]])
        assert GASP(affinity="precomputed").fit_predict(A).tolist() == [0, 0]
        try:
            GASP().fit(np.zeros(3))
        except ValueError as exc:
            assert "2-D" in str(exc)
        else:
            raise AssertionError("1-D X accepted")
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_import_gasp_graph_does_not_import_scikit_learn():
    code = ("import sys, gasp_graph; assert 'sklearn' not in sys.modules; "
            "gasp_graph.GASP; assert 'GASP' in dir(gasp_graph); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
