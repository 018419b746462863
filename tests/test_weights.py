"""signed_weights: the two formulas, clipping, validation, and the networkx form."""
import math

import numpy as np
import pytest

from gasp_graph import GaspTypeError, GaspValueError, signed_weights

P = np.array([0.0, 1e-9, 0.1, 0.25, 0.5, 0.7, 0.999, 1.0])


@pytest.mark.parametrize("beta", [0.5, 0.3, 0.8])
def test_linear_formula(beta):
    np.testing.assert_allclose(signed_weights(P, beta=beta), P - beta, rtol=0, atol=1e-15)


@pytest.mark.parametrize("beta", [0.5, 0.3, 0.8])
@pytest.mark.parametrize("eps", [1e-6, 1e-3])
def test_logit_formula(beta, eps):
    w = signed_weights(P, beta=beta, kind="logit", eps=eps)
    expected = []
    for p in P.tolist():
        q = min(max(p, eps), 1 - eps)
        expected.append(math.log(q / (1 - q)) - math.log(beta / (1 - beta)))
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    assert np.isfinite(w).all()
    assert w[0] == pytest.approx(-math.log((1 - eps) / eps) - math.log(beta / (1 - beta)))
    assert np.all(np.diff(w) >= 0)  # monotone
    assert signed_weights(beta, beta=beta, kind="logit") == pytest.approx(0.0, abs=1e-12)


def test_shapes_and_scalars():
    p = np.random.default_rng(0).random((3, 4))
    assert signed_weights(p).shape == (3, 4)
    w = signed_weights(0.75)
    assert isinstance(w, float) and w == 0.25
    assert signed_weights([1, 0]).tolist() == [0.5, -0.5]  # integers are probabilities too
    assert signed_weights([]).shape == (0,)


@pytest.mark.parametrize(
    "p, pattern",
    [
        ([0.5, 1.5], r"p\[1\] = 1.5"),
        ([0.5, -0.1], r"p\[1\] = -0.1"),
        ([0.2, float("nan")], r"p\[1\] = nan"),
        ([[0.1, 0.2], [0.3, 2.0]], r"p\[\(1, 1\)\] = 2.0"),
        (1.5, r"^p = 1.5"),
    ],
)
def test_rejects_outside_unit_interval(p, pattern):
    for kind in ("linear", "logit"):
        with pytest.raises(GaspValueError, match=pattern):
            signed_weights(p, kind=kind)


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"kind": "probit"}, GaspValueError, "kind must be 'linear' or 'logit'"),
        ({"beta": 0.0}, GaspValueError, "beta must lie strictly between 0 and 1"),
        ({"beta": 1.0}, GaspValueError, "beta must lie strictly between 0 and 1"),
        ({"beta": "half"}, GaspTypeError, "beta must be a real number"),
        ({"eps": 0.0}, GaspValueError, "eps must lie strictly between 0 and 0.5"),
        # 1 - eps rounds to 1: p = 1 gave an infinite logit ([-39.1, inf])
        ({"eps": 1e-17, "kind": "logit"}, GaspValueError, "eps=1e-17 is too small"),
        ({"eps": 5.5e-17}, GaspValueError, "1 - eps rounds to 1"),
        ({"beta": 10**400}, GaspValueError, r"beta=100000000000\.\.\. \(an integer of 401"),
        ({"eps": -(10**400)}, GaspValueError, "too large for a double"),
        ({"out": "w"}, GaspTypeError, "only apply to a networkx graph"),
    ],
)
def test_bad_options(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        signed_weights([0.5], **kwargs)


def test_smallest_eps_gives_finite_logits():
    # the smallest accepted margins: 1 - eps stays below 1, so both ends are finite
    for eps in (5.6e-17, 2.0**-53, 1.2e-16):
        w = signed_weights([0.0, 1.0], kind="logit", eps=eps)
        assert np.isfinite(w).all() and w[0] < -36 and w[1] > 36


def test_non_numeric_input():
    with pytest.raises(GaspTypeError, match="p must hold real numbers"):
        signed_weights(["a", "b"])


def test_networkx_graph_in_place():
    nx = pytest.importorskip("networkx")
    G = nx.MultiGraph()
    G.add_edge("a", "b", p=0.9)
    G.add_edge("a", "b", p=0.1)
    G.add_edge("b", "c", p=0.0)
    out = signed_weights(G, "p", out="w", kind="logit")
    assert out is G
    values = [d["w"] for _, _, d in G.edges(data=True)]
    np.testing.assert_allclose(values, signed_weights([0.9, 0.1, 0.0], kind="logit"))
    signed_weights(G)  # defaults: attr "p", out "weight"
    np.testing.assert_allclose([w for *_, w in G.edges(data="weight")], [0.4, -0.4, -0.5])


def test_networkx_graph_errors_leave_graph_unchanged():
    nx = pytest.importorskip("networkx")
    G = nx.Graph()
    G.add_edge(0, 1, p=0.3)
    G.add_edge(1, 2, p=1.2)
    with pytest.raises(GaspValueError, match=r"edge \(1, 2\) has p=1.2"):
        signed_weights(G)
    assert all("weight" not in d for _, _, d in G.edges(data=True))
    G.add_edge(1, 2, p=0.5)
    G.add_edge(2, 3)
    with pytest.raises(GaspValueError, match=r"edge \(2, 3\) has no 'p' attribute"):
        signed_weights(G)
    with pytest.raises(nx.NetworkXNotImplemented):
        signed_weights(nx.DiGraph([(0, 1, {"p": 0.5})]))
