"""From probabilities to signed weights: ``signed_weights(p)``.

Many models output, for each edge, a probability ``p`` that its two ends belong to the same
cluster.  GASP needs signed weights: positive to attract, negative to repel.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._validation import _as_float
from .exceptions import GaspTypeError, GaspValueError
from .graphs.networkx import check_undirected, is_networkx_graph

__all__ = ["signed_weights"]

_KINDS = ("linear", "logit")


def _check_options(beta, kind, eps):
    """Validated (beta, eps) as floats."""
    if not isinstance(kind, str) or kind not in _KINDS:
        raise GaspValueError(f"kind must be 'linear' or 'logit', got {kind!r}")
    out = []
    for name, value, hi in (("beta", beta, 1.0), ("eps", eps, 0.5)):
        x = _as_float(name, value)
        if not 0.0 < x < hi:
            raise GaspValueError(f"{name} must lie strictly between 0 and {hi}, got {value!r}")
        out.append(x)
    if 1.0 - out[1] == 1.0:
        raise GaspValueError(
            f"eps={eps!r} is too small: 1 - eps rounds to 1, so p = 1 would give an infinite "
            "weight; eps must exceed 5.6e-17 (half the spacing of doubles below 1)"
        )
    return out


def _transform(p, beta, kind, eps):
    # the engine's mapping, which its grid entry point applies too: segment() on the grid and
    # the explicit edge list with these weights give the same partition, bit for bit
    from . import _core

    return _core.signed_weights(p, beta, kind, eps)


def signed_weights(p, attr=None, *, out=None, beta=0.5, kind="linear", eps=1e-6):
    """Turn probabilities of "same cluster" into signed weights.

    Parameters
    ----------
    p : array_like of float, or networkx.Graph
        Probabilities in ``[0, 1]`` that the two ends of an edge belong together.  A networkx
        graph (or multigraph) is transformed in place: the attribute ``attr`` of every edge is
        read and the weight written to the attribute ``out``.
    attr : str, optional
        Graphs only: the edge attribute holding the probability (default ``"p"``).
    out : str, optional
        Graphs only: the edge attribute receiving the weight (default ``"weight"``).
    beta : float, default 0.5
        The probability that maps to weight 0 (the boundary between attraction and
        repulsion); ``0 < beta < 1``.  A larger ``beta`` gives more, smaller clusters.
    kind : {"linear", "logit"}, default "linear"
        ``"linear"``: ``w = p - beta``.  ``"logit"``: ``w = log(p / (1 - p)) -
        log(beta / (1 - beta))``, the log-odds used by multicut and correlation-clustering
        models; ``p`` is first clipped to ``[eps, 1 - eps]`` so that 0 and 1 give finite values.
    eps : float, default 1e-6
        The clipping margin of ``"logit"``; ``5.6e-17 < eps < 0.5`` (below that, ``1 - eps``
        rounds to 1 and ``p = 1`` would give an infinite weight).

    Returns
    -------
    weights : ndarray of float64 or float, or networkx.Graph
        For array input: the weights, with ``p``'s shape.  For a graph: the same graph
        ``G`` (modified in place), so calls can be chained.

    Raises
    ------
    GaspValueError
        A probability is NaN or outside ``[0, 1]`` (the message gives its index, or its
        edge), an edge lacks ``attr``, or ``beta``, ``eps`` or ``kind`` is invalid.
    GaspTypeError
        ``p`` is not numeric, or ``attr`` / ``out`` are given with array input.

    Examples
    --------
    >>> from gasp_graph import signed_weights
    >>> signed_weights([0.0, 0.25, 0.5, 1.0])
    array([-0.5 , -0.25,  0.  ,  0.5 ])
    >>> signed_weights([0.5, 0.9], kind="logit").round(4)
    array([0.    , 2.1972])
    >>> signed_weights([0.0, 1.0], kind="logit").round(2)   # finite thanks to clipping
    array([-13.82,  13.82])

    On a networkx graph:

    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_edge("a", "b", p=0.9)
    >>> G.add_edge("b", "c", p=0.2)
    >>> signed_weights(G, "p", beta=0.4).edges(data="weight")
    EdgeDataView([('a', 'b', 0.5), ('b', 'c', -0.2)])
    """
    beta, eps = _check_options(beta, kind, eps)
    if is_networkx_graph(p):
        return _apply_to_graph(p, "p" if attr is None else attr, "weight" if out is None else out,
                               beta, kind, eps)
    if attr is not None or out is not None:
        raise GaspTypeError(
            "attr= and out= name edge attributes and only apply to a networkx graph, "
            f"got p of type {type(p).__name__}"
        )
    try:
        arr = np.asarray(p)
    except Exception as exc:  # ragged lists and the like
        raise GaspTypeError(f"p could not be read as an array: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise GaspTypeError(f"p must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    bad = ~((arr >= 0) & (arr <= 1))  # NaN fails both comparisons
    if bad.any():
        k = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), arr.shape)
        where = k[0] if len(k) == 1 else tuple(int(i) for i in k)
        where = "" if arr.ndim == 0 else f"[{where}]"
        raise GaspValueError(f"p{where} = {arr[k].item()!r}: probabilities must lie in [0, 1]")
    w = _transform(arr, beta, kind, eps)
    return w[()] if w.ndim == 0 else w


def _apply_to_graph(G, attr, out, beta, kind, eps):
    check_undirected(G)
    for name, value in (("attr", attr), ("out", out)):
        if not isinstance(value, str):
            raise GaspTypeError(f"{name} must be an edge attribute name (str), got {value!r}")
    datas = [d for _, _, d in G.edges(data=True)]
    values = []
    for (u, v), d in zip(G.edges(), datas):
        if attr not in d:
            raise GaspValueError(f"edge ({u!r}, {v!r}) has no {attr!r} attribute")
        x = d[attr]
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real) or not 0 <= x <= 1:
            raise GaspValueError(
                f"edge ({u!r}, {v!r}) has {attr}={x!r}: probabilities must lie in [0, 1]"
            )
        values.append(x)
    w = _transform(np.asarray(values, dtype=np.float64), beta, kind, eps)
    for d, x in zip(datas, w.tolist()):
        d[out] = x
    return G
