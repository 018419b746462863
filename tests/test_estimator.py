"""The scikit-learn style estimator GASP."""
import numpy as np
import pytest

from gasp_graph import GASP, GaspTypeError, GaspValueError, gasp

sp = pytest.importorskip("scipy.sparse")


def random_signed(seed, n=20, m=60):
    rng = np.random.default_rng(seed)
    r, c = rng.integers(0, n, (2, m))
    keep = r != c
    r, c = np.minimum(r[keep], c[keep]), np.maximum(r[keep], c[keep])
    U = sp.coo_array((rng.normal(0.2, 1, r.shape[0]), (r, c)), shape=(n, n)).tocsr()
    U.sum_duplicates()
    return U


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"linkage": "max"},
        {"linkage": "sum", "cannot_link": True, "merge_constrained_at_end": True},
        {"linkage": "smooth_max", "linkage_param": 2.0},
        {"n_clusters": 4},
    ],
)
def test_fit_sparse_matches_array_api(params):
    U = random_signed(0)
    A = (U + U.T).tocsr()
    coo = U.tocoo()
    expected = gasp(np.column_stack((coo.row, coo.col)), coo.data, n_nodes=20, **params)
    model = GASP(**params).fit(A)
    np.testing.assert_array_equal(model.labels_, expected)
    assert model.n_clusters_ == len(np.unique(expected))
    np.testing.assert_array_equal(GASP(**params).fit_predict(U), expected)


def test_fit_options_and_node_size():
    U = random_signed(1)
    coo = U.tocoo()
    lifted = sp.csr_array((coo.data > 1.0, (coo.row, coo.col)), shape=U.shape)
    sizes = np.linspace(1, 2, 20)
    expected = gasp(
        np.column_stack((coo.row, coo.col)), coo.data, n_nodes=20, lifted=coo.data > 1.0,
        node_sizes=sizes, size_regularizer=1.0,
    )
    labels = GASP(size_regularizer=1.0).fit_predict(U, lifted=lifted, node_size=sizes)
    np.testing.assert_array_equal(labels, expected)


def test_dense_is_complete_graph():
    D = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.1], [0.0, 0.1, 0.0]])
    # Dense: the zero at (0, 2) is an edge; with "min" it blocks the merge of 2.
    np.testing.assert_array_equal(GASP(linkage="min").fit_predict(D), [0, 0, 1])
    np.testing.assert_array_equal(GASP(linkage="min").fit_predict(sp.csr_array(D)), [0, 0, 0])
    with pytest.raises(GaspValueError, match=r"A\[0, 1\] = 1.0 but A\[1, 0\] = 2.0"):
        GASP().fit(np.array([[0, 1.0], [2.0, 0]]))
    with pytest.raises(GaspValueError, match=r"A must be a square"):
        GASP().fit(np.zeros((2, 3)))
    with pytest.raises(GaspTypeError, match="only accepted with a scipy sparse A"):
        GASP().fit(D, lifted=sp.csr_array(D))


def test_params_stored_as_given_and_validated_at_fit():
    model = GASP(linkage="no-such-linkage", n_clusters=-1)
    assert model.linkage == "no-such-linkage"
    with pytest.raises(GaspValueError, match="linkage='no-such-linkage'"):
        model.fit(np.eye(2))


def test_get_set_params():
    model = GASP(linkage="max", n_clusters=3)
    params = model.get_params()
    assert params == {
        "cannot_link": False,
        "linkage": "max",
        "linkage_param": None,
        "merge_constrained_at_end": False,
        "min_clusters": None,
        "n_clusters": 3,
        "size_regularizer": 0.0,
    }
    assert model.set_params(cannot_link=True, linkage="abs_max") is model
    assert model.get_params()["cannot_link"] is True
    assert repr(model) == "GASP(cannot_link=True, linkage='abs_max', n_clusters=3)"
    with pytest.raises(GaspValueError, match="invalid parameter 'bogus'"):
        model.set_params(bogus=1)
    assert repr(GASP()) == "GASP()"


def test_sklearn_clone_and_grid_search():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone

    model = GASP(linkage="generalized_mean", linkage_param=3.0, cannot_link=True)
    copy = clone(model)
    assert copy is not model and type(copy) is GASP
    assert copy.get_params() == model.get_params()
    fitted = GASP().fit(np.eye(3))
    assert not hasattr(clone(fitted), "labels_")
    from sklearn.model_selection import ParameterGrid

    for params in ParameterGrid({"linkage": ["max", "average"], "cannot_link": [False, True]}):
        clone(model).set_params(linkage_param=None, **params).fit(random_signed(2))
    assert sklearn.__version__
