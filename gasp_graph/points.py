"""Points: the signed graph of a feature matrix (``knn_graph``) and the automatic bias
(``select_beta``).

A feature matrix has no edges; :func:`knn_graph` makes them.  Every point is joined to its
``n_neighbors`` nearest neighbours by a *local* edge whose probability says how alike the two
points are; ``far_pairs`` far pairs per point (at evenly spaced ranks of its distances, or
random) are added as *lifted* edges: mostly two points of different clusters, with a
probability near 0, they supply the repulsion GASP needs (a
graph with attraction only merges into its connected components).  :func:`gasp_graph.signed_weights`
turns the probabilities into weights with a bias ``beta``.

:func:`select_beta` chooses ``beta`` without labels.  For the shift-equivariant linkages (average,
max, min, smooth_max), changing ``beta`` shifts every weight by the same amount, so one merge tree
answers every bias (:attr:`gasp_graph.MergeTree.exact_sweep`); each distinct partition of the sweep
holds over a range of biases, and the one that persists longest among those of good modularity
(:meth:`gasp_graph.MergeTree.modularity_curve`) wins.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._validation import _array, _as_float, _as_int, as_rng, normalize_linkage
from .exceptions import GaspTypeError, GaspValueError

__all__ = ["knn_graph", "select_beta", "PointGraph", "BetaSelection"]

_METRICS = ("euclidean", "manhattan", "chebyshev", "cosine")
_SIMILARITIES = ("jaccard", "kernel", "mean")
_FAR_SELECTIONS = ("quantile", "random")

# far_selection="quantile": the partners of each point are chosen among at most this many
# candidates (all points when n_samples is at most this, a random sample otherwise), so the
# cost stays linear in n_samples.  2000: the benchmark's mean ARI is the same as with 10000
# (GASP() set by set; with seeds varied 0.808 / 0.868 against 0.812 / 0.868 on the tuning /
# held-out sets) at a fifth of the distance computations above 2000 points (the graph of 20000
# points in 10-D: 5.8 s CPU, 14 s with 10000 candidates, 2.4 s with random pairs).
_QUANTILE_CANDIDATES = 2000

# seed=None draws the far pairs from this fixed seed: the same X gives the same graph every run.
_DEFAULT_SEED = 0

# Far-pair distances are computed in chunks of this many pairs (bounded scratch memory).
_CHUNK = 1 << 16


class PointGraph(NamedTuple):
    """The signed-ready graph of a point set (see :func:`knn_graph`)."""

    edges: np.ndarray
    """(m, 2) int64: the nearest-neighbour edges first (``i < j``, sorted), then the far pairs."""
    probabilities: np.ndarray
    """(m,) float64 in [0, 1]: how alike the two ends are (1 = identical neighbourhoods)."""
    lifted: np.ndarray
    """(m,) bool: True for the far pairs (they never trigger a merge by themselves)."""


class BetaSelection(NamedTuple):
    """The result of :func:`select_beta`."""

    beta: float
    """The chosen bias."""
    betas: np.ndarray
    """One bias per distinct partition of the sweep, decreasing (from the most clusters)."""
    scores: np.ndarray
    """The criterion of each of those partitions; ``beta`` is ``betas[argmax(scores)]``."""
    n_clusters: np.ndarray
    """The number of clusters of each of those partitions."""


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------

def as_points(X, name="X") -> np.ndarray:
    """(n, d) float64 C-contiguous finite points, n >= 1, d >= 1; clear errors otherwise."""
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        raise GaspTypeError(
            f"{name} is a scipy sparse matrix; sparse feature matrices are not supported by "
            "knn_graph (pass X.toarray(), or a precomputed affinity matrix with "
            "affinity='precomputed')"
        )
    arr = _array(name, X)
    if arr.dtype.kind not in "biuf":
        raise GaspTypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise GaspValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), got shape {arr.shape}"
            + ("; reshape a single feature with X.reshape(-1, 1)" if arr.ndim == 1 else "")
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise GaspValueError(
            f"{name} must have at least 1 sample and 1 feature, got shape {arr.shape}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise GaspValueError(
            f"{name}[{i}, {j}] = {float(arr[i, j])!r}: values must be finite (no NaN or inf)"
        )
    return arr


def _check_metric(metric) -> str:
    if not isinstance(metric, str) or metric not in _METRICS:
        raise GaspValueError(f"metric must be one of {', '.join(map(repr, _METRICS))}, got {metric!r}")
    return metric


def _check_scale(scale):
    if isinstance(scale, str):
        if scale not in ("local", "global"):
            raise GaspValueError(f"scale must be 'local', 'global' or a number > 0, got {scale!r}")
        return scale
    s = _as_float("scale", scale)
    if not (math.isfinite(s) and s > 0):
        raise GaspValueError(f"scale must be 'local', 'global' or a finite number > 0, got {s!r}")
    return s


def _rng(seed):
    return as_rng(seed, default=_DEFAULT_SEED)


# --------------------------------------------------------------------------------------------
# Neighbours and distances
# --------------------------------------------------------------------------------------------

def _pair_distances(X, a, b, metric) -> np.ndarray:
    """Distances between the rows X[a[i]] and X[b[i]], chunked."""
    out = np.empty(a.shape[0], dtype=np.float64)
    for lo in range(0, a.shape[0], _CHUNK):
        xa, xb = X[a[lo:lo + _CHUNK]], X[b[lo:lo + _CHUNK]]
        if metric == "euclidean":
            d = np.sqrt(np.einsum("ij,ij->i", xa - xb, xa - xb))
        elif metric == "manhattan":
            d = np.abs(xa - xb).sum(axis=1)
        elif metric == "chebyshev":
            d = np.abs(xa - xb).max(axis=1)
        else:  # cosine: rows are unit vectors here
            d = np.maximum(1.0 - np.einsum("ij,ij->i", xa, xb), 0.0)
        out[lo:lo + _CHUNK] = d
    return out


def _neighbours(X, k, metric):
    """(distances, indices), shape (n, k): each point's k nearest other points, nearest first.

    The point itself is never its own neighbour, also when duplicates tie with it at distance 0
    (scikit-learn's kneighbors() without arguments; the scipy fallback drops the query index).
    """
    try:
        from sklearn.neighbors import NearestNeighbors
    except ImportError:
        NearestNeighbors = None
    if NearestNeighbors is not None:
        nn = NearestNeighbors(n_neighbors=k, metric=metric).fit(X)
        d, idx = nn.kneighbors()
        return np.asarray(d, dtype=np.float64), np.asarray(idx, dtype=np.int64)
    try:
        from scipy.spatial import cKDTree
    except ImportError:
        raise ImportError(
            "knn_graph needs scikit-learn or scipy for the nearest-neighbour search: "
            "pip install gasp_graph[points]"
        ) from None
    n = X.shape[0]
    p = {"euclidean": 2, "manhattan": 1, "chebyshev": np.inf, "cosine": 2}[metric]
    d, idx = cKDTree(X).query(X, k=k + 1, p=p)
    d, idx = np.atleast_2d(d).reshape(n, k + 1), np.atleast_2d(idx).reshape(n, k + 1)
    self_col = idx == np.arange(n)[:, None]
    # drop the point itself; if k + 1 duplicates hid it, drop the farthest column instead
    self_col[~self_col.any(axis=1), k] = True
    keep = ~self_col
    d = d[keep].reshape(n, k)
    idx = idx[keep].reshape(n, k).astype(np.int64)
    if metric == "cosine":
        d = d * d / 2.0  # unit vectors: |a - b|^2 = 2 - 2 cos
    return d, idx


# --------------------------------------------------------------------------------------------
# knn_graph
# --------------------------------------------------------------------------------------------

def knn_graph(X, n_neighbors=40, *, metric="euclidean", scale="local", far_pairs=50,
              similarity="jaccard", far_selection="quantile", seed=None) -> PointGraph:
    """The signed-ready graph of a point set: nearest neighbours attract, far pairs repel.

    Parameters
    ----------
    X : array_like of float, shape (n_samples, n_features)
        The points, finite.
    n_neighbors : int, default 40
        Each point is joined to this many nearest other points (fewer when ``n_samples`` is
        smaller); the union over all points, one edge per pair, are the local edges.
    metric : {"euclidean", "manhattan", "chebyshev", "cosine"}, default "euclidean"
        The distance.
    scale : "local", "global" or float, default "local"
        Kernel width of ``similarity="kernel"`` and ``"mean"``: the kernel of a pair at
        distance ``d`` is ``exp(-d**2 / (s_i * s_j))`` with ``s_i`` the median distance from point
        ``i`` to its neighbours (``"local"``, adapting to the density), the median over all
        points (``"global"``), or the given number.
    far_pairs : int, default 50
        Pairs per point added as lifted edges (``far_pairs * n_samples`` chosen, repeated pairs
        and pairs that are already neighbours dropped).  They give the repulsion between
        clusters; with 0 the graph only attracts.
    similarity : {"jaccard", "kernel", "mean"}, default "jaccard"
        The probability of a pair: the Jaccard index of the two points' neighbourhoods (each
        point counting as its own neighbour; 0 for points without a common neighbour, as most
        far pairs), the kernel above, or the mean of both.
    far_selection : {"quantile", "random"}, default "quantile"
        How the far pairs are chosen.  ``"quantile"``: point ``i`` is paired with the points at
        ranks ``(j + 1/2) (n_samples - 1) / far_pairs``, ``j = 0 .. far_pairs - 1``, of its
        distances to all other points: the same spread over near and far points
        as uniform sampling, without its randomness, so the graph does not depend on ``seed``
        (nor, barring equal distances, on the order of the points).  It costs
        ``O(n_samples * min(n_samples, 2000))`` distances; above 2000 points the ranks are
        taken among 2000 points drawn with ``seed``.  ``"random"``: ``far_pairs * n_samples`` uniform random pairs.
    seed : None, int or numpy.random.Generator
        Randomness of the far pairs (``far_selection="random"``, or ``"quantile"`` above 2000
        points).  ``None`` uses a fixed seed, so that the same ``X`` gives the same graph on
        every run.

    Returns
    -------
    graph : PointGraph
        A named tuple ``(edges, probabilities, lifted)``: the nearest-neighbour edges (``i < j``,
        sorted, ``lifted`` False) followed by the far pairs (``lifted`` True).  Turn the
        probabilities into weights with :func:`gasp_graph.signed_weights`.

    Raises
    ------
    GaspValueError
        ``X`` is not 2-D, is empty or holds NaN or inf; an option is out of range; with
        ``metric="cosine"`` a row is zero.
    GaspTypeError
        ``X`` is not numeric or is a sparse matrix; an option has the wrong type.
    ImportError
        Neither scikit-learn nor scipy is installed (extra ``points``).

    See Also
    --------
    select_beta : the bias for these probabilities, chosen without labels.
    gasp_graph.GASP : the estimator that runs this recipe (``GASP().fit(X)``).

    Notes
    -----
    The nearest neighbours come from scikit-learn's ``NearestNeighbors`` when it is installed,
    from scipy's ``cKDTree`` otherwise (the same neighbours up to ties between equal
    distances).  Duplicate points are fine: a point is never its own neighbour, and a pair of
    duplicates is an ordinary edge of distance 0.  The defaults were chosen by measurement on
    eight data sets; the user guide page "Clustering points" gives the comparison.

    Examples
    --------
    >>> import numpy as np
    >>> from gasp_graph import knn_graph
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [9.0, 9.0], [9.0, 10.0], [10.0, 9.0]])
    >>> g = knn_graph(X, n_neighbors=2, far_pairs=1)
    >>> g.edges[~g.lifted]
    array([[0, 1],
           [0, 2],
           [1, 2],
           [3, 4],
           [3, 5],
           [4, 5]])
    >>> g.probabilities[~g.lifted]
    array([1., 1., 1., 1., 1., 1.])
    >>> float(g.probabilities[g.lifted].max())  # the far pairs share no neighbour
    0.0
    """
    X = as_points(X)
    n = X.shape[0]
    k_wanted = _as_int("n_neighbors", n_neighbors, minimum=1)
    metric = _check_metric(metric)
    scale = _check_scale(scale)
    n_far = _as_int("far_pairs", far_pairs, minimum=0)
    if not isinstance(far_selection, str) or far_selection not in _FAR_SELECTIONS:
        raise GaspValueError(
            f"far_selection must be one of {', '.join(map(repr, _FAR_SELECTIONS))}, "
            f"got {far_selection!r}"
        )
    if not isinstance(similarity, str) or similarity not in _SIMILARITIES:
        raise GaspValueError(
            f"similarity must be one of {', '.join(map(repr, _SIMILARITIES))}, got {similarity!r}"
        )
    rng = _rng(seed)
    if metric == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", X, X))
        if (norms == 0).any():
            i = int(np.flatnonzero(norms == 0)[0])
            raise GaspValueError(f"X[{i}] is a zero vector: the cosine distance is undefined")
        X = X / norms[:, None]
    k = min(k_wanted, n - 1)
    empty = PointGraph(np.zeros((0, 2), np.int64), np.zeros(0), np.zeros(0, dtype=bool))
    if k == 0:
        return empty
    dist, idx = _neighbours(X, k, metric)

    # local edges: one per unordered pair, sorted
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    cols = idx.reshape(-1)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    key, first = np.unique(lo * n + hi, return_index=True)
    edges = np.stack([lo[first], hi[first]], axis=1)
    knn_dist = dist.reshape(-1)[first]

    # far pairs, without repeats and without neighbour pairs
    far = np.zeros((0, 2), dtype=np.int64)
    if n_far and n > 2:
        if far_selection == "quantile":
            a, b = _quantile_partners(X, n_far, metric, rng)
        else:
            a = rng.integers(0, n, size=n_far * n)
            b = rng.integers(0, n, size=n_far * n)
        ok = a != b
        fkey = np.minimum(a[ok], b[ok]) * n + np.maximum(a[ok], b[ok])
        _, ffirst = np.unique(fkey, return_index=True)
        fkey = fkey[np.sort(ffirst)]  # first occurrence of each pair, in order
        fkey = fkey[~np.isin(fkey, key)]
        far = np.stack([fkey // n, fkey % n], axis=1)

    all_edges = np.concatenate([edges, far])
    p = np.empty(all_edges.shape[0], dtype=np.float64)
    n_local = edges.shape[0]
    if similarity in ("kernel", "mean"):
        if isinstance(scale, float):
            s = np.full(n, scale)
        else:
            s = np.median(dist, axis=1) if scale == "local" else np.full(n, np.median(dist))
            positive = dist[dist > 0]
            floor = float(np.median(positive)) if positive.size else 1.0
            s = np.where(s > 0, s, floor)  # a point whose neighbours are mostly duplicates
        d = np.concatenate([knn_dist, _pair_distances(X, far[:, 0], far[:, 1], metric)])
        kernel = np.exp(-(d * d) / (s[all_edges[:, 0]] * s[all_edges[:, 1]]))
    if similarity in ("jaccard", "mean"):
        jac = _jaccard(n, idx, all_edges, k)
    if similarity == "kernel":
        p[:] = kernel
    elif similarity == "jaccard":
        p[:] = jac
    else:
        p[:] = 0.5 * (kernel + jac)
    lifted = np.zeros(all_edges.shape[0], dtype=bool)
    lifted[n_local:] = True
    return PointGraph(all_edges, np.clip(p, 0.0, 1.0), lifted)


def _quantile_partners(X, n_far, metric, rng):
    """(a, b): point a[i] and its partner b[i], ``n_far`` partners per point (fewer when
    ``n_samples - 1`` is smaller): the candidates at evenly spaced ranks of the distance from
    the point (among equal distances, which one lands at a rank is deterministic but
    unspecified).

    The distances are computed row by row from the differences (no matrix product), so they do
    not depend on the linear-algebra library or its threads.
    """
    n, d = X.shape
    if n <= _QUANTILE_CANDIDATES:
        cand = np.arange(n, dtype=np.int64)
    else:
        cand = np.sort(rng.choice(n, size=_QUANTILE_CANDIDATES, replace=False)).astype(np.int64)
    c = cand.shape[0]
    n_other = c - 1  # a candidate is never its own partner (the point itself is put last)
    ranks = np.unique(np.floor((np.arange(min(n_far, n_other)) + 0.5) * n_other
                               / min(n_far, n_other)).astype(np.int64))
    Xc = X[cand]
    rows = max(1, (1 << 22) // max(1, c * d))  # bounded scratch: rows * c * d doubles
    a_out, b_out = [], []
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        diff = X[lo:hi, None, :] - Xc[None, :, :]
        if metric == "manhattan":
            dist = np.abs(diff).sum(axis=2)
        elif metric == "chebyshev":
            dist = np.abs(diff).max(axis=2)
        else:  # euclidean, and cosine on unit rows: the squared distance has the same order
            dist = np.einsum("ijk,ijk->ij", diff, diff)
        me = np.arange(lo, hi)[:, None] == cand[None, :]
        dist[me] = np.inf  # the point itself sorts last, after every other candidate
        order = np.argpartition(dist, ranks, axis=1)[:, ranks]
        a_out.append(np.repeat(np.arange(lo, hi, dtype=np.int64), ranks.shape[0]))
        b_out.append(cand[order].reshape(-1))
    return np.concatenate(a_out), np.concatenate(b_out)


def _jaccard(n, idx, pairs, k) -> np.ndarray:
    """|N(i) & N(j)| / |N(i) | N(j)| for every pair, N(i) = i's k neighbours plus i itself."""
    import scipy.sparse as sp

    rows = np.repeat(np.arange(n, dtype=np.int64), k + 1)
    cols = np.concatenate([np.arange(n, dtype=np.int64)[:, None], idx], axis=1).reshape(-1)
    N = sp.csr_array((np.ones(rows.shape[0]), (rows, cols)), shape=(n, n))
    N.sum_duplicates()
    N.data[:] = 1.0
    size = np.diff(N.indptr).astype(np.float64)
    common = np.empty(pairs.shape[0])
    for lo in range(0, pairs.shape[0], _CHUNK):
        a, b = pairs[lo:lo + _CHUNK, 0], pairs[lo:lo + _CHUNK, 1]
        common[lo:lo + _CHUNK] = np.asarray(N[a].multiply(N[b]).sum(axis=1)).reshape(-1)
    return common / (size[pairs[:, 0]] + size[pairs[:, 1]] - common)


# --------------------------------------------------------------------------------------------
# select_beta
# --------------------------------------------------------------------------------------------

_CRITERIA = ("persistence", "modularity")

# persistence: partitions whose modularity is below this fraction of the best one are not
# candidates, and the bias range is measured as log(beta + _PERSISTENCE_EPS).
_MODULARITY_FRACTION = 0.25
_PERSISTENCE_EPS = 0.01


def _bias(t, kind):
    """The bias whose weights are the beta=0.5 weights shifted by -t (array t)."""
    if kind == "linear":
        return np.clip(0.5 + t, 0.0, 1.0)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-t))


class Sweep(NamedTuple):
    """Every bias one merge tree answers (see :func:`sweep`)."""

    tree: object
    cuts: np.ndarray  # numbers of merges: tree.labels_at(cuts[i]) is partition i
    low: np.ndarray  # partition i is that of every bias in (low[i], high[i]) ...
    high: np.ndarray
    beta: np.ndarray  # ... for example this one, inside the range
    modularity: np.ndarray  # of partition i, on the local edges weighted by the probabilities


def sweep(edges, probabilities, *, n_nodes=None, lifted=None, edge_sizes=None, kind="linear",
          eps=1e-6, linkage="average", linkage_param=None, resolution=1.0,
          min_clusters=None) -> Sweep:
    """One merge tree and every partition it gives for a bias in (0, 1), with their ranges.

    The tree is recorded on ``signed_weights(p, beta=0.5, kind=kind)``; the weights of bias
    ``beta`` are those shifted by ``-t`` (``t = beta - 0.5``, or ``logit(beta)`` for ``"logit"``),
    so the partition of ``beta`` is ``tree.labels(t)``.  Cut ``j`` (the first ``j`` merges) is
    the partition of every ``t`` in ``[heights[j], min(heights[:j]))``; only the cuts some bias
    reaches are listed (with lifted edges the heights are not monotone).
    """
    from .hierarchy import _linkage_is_shift_equivariant, agglomerate
    from .weights import signed_weights

    name = normalize_linkage(linkage)
    if not _linkage_is_shift_equivariant(name, 1.0 if linkage_param is None else linkage_param):
        raise GaspValueError(
            f"beta='auto' needs a linkage for which one merge tree answers every bias (average, "
            f"max, min, smooth_max, generalized_mean with p=1), got linkage={linkage!r}; give "
            "beta a number instead"
        )
    w0 = signed_weights(probabilities, beta=0.5, kind=kind, eps=eps)
    tree = agglomerate(edges, w0, n_nodes=n_nodes, lifted=lifted, edge_sizes=edge_sizes,
                       linkage=name, linkage_param=linkage_param, min_clusters=min_clusters)
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    local = np.ones(p.shape[0], dtype=bool) if lifted is None else ~np.asarray(lifted, bool)
    h = tree.heights
    upper = np.concatenate([[np.inf], np.minimum.accumulate(h)])
    lower = np.concatenate([h, [-np.inf]])
    low, high = _bias(lower, kind), _bias(upper, kind)
    reachable = low < high
    cuts = np.flatnonzero(reachable)
    if cuts.size == 0:  # every weight is 0.5 (linear): one partition whatever the bias
        cuts, low, high = np.array([0]), np.zeros(1), np.ones(1)
    else:
        low, high = low[cuts], high[cuts]
    if kind == "linear":
        beta = 0.5 * (low + high)
    else:  # the middle in log-odds; an open end gets a point one unit beyond the finite end
        with np.errstate(divide="ignore", invalid="ignore"):
            lo_t, hi_t = np.log(low / (1 - low)), np.log(high / (1 - high))
            mid = np.where(np.isinf(hi_t), lo_t + 1.0,
                           np.where(np.isinf(lo_t), hi_t - 1.0, 0.5 * (lo_t + hi_t)))
        beta = _bias(mid, "logit")
    e_local = np.asarray(tree.edges)[local]
    if e_local.shape[0] and float(p[local].sum()) > 0:
        mod = tree.modularity_curve(e_local, p[local], resolution=resolution)[cuts]
    else:  # nothing to measure
        mod = np.zeros(cuts.shape[0])
    return Sweep(tree, cuts, low, high, beta, mod)


def choose(s: Sweep, criterion="persistence"):
    """(index of the chosen partition in ``s``, the criterion of every partition)."""
    if criterion == "modularity":
        return int(np.argmax(s.modularity)), s.modularity
    score = np.log(s.high + _PERSISTENCE_EPS) - np.log(s.low + _PERSISTENCE_EPS)
    best_q = float(s.modularity.max())
    candidate = s.modularity >= _MODULARITY_FRACTION * best_q if best_q > 0 else True
    candidate = candidate & (s.cuts > 0)  # never "no merge at all" while another partition exists
    if not np.any(candidate):
        return int(np.argmax(s.modularity)), s.modularity
    score = np.where(candidate, score, -np.inf)
    return int(np.argmax(score)), score


def select_beta(edges, probabilities, *, n_nodes=None, lifted=None, edge_sizes=None,
                kind="linear", eps=1e-6, linkage="average", linkage_param=None,
                criterion="persistence", resolution=1.0) -> BetaSelection:
    """Choose the bias ``beta`` of :func:`gasp_graph.signed_weights` without labels.

    GASP is run once, on the weights of ``beta = 0.5``, and its merge tree recorded to
    completion.  Every other bias shifts every weight by the same amount, so for the
    shift-equivariant linkages the tree's threshold cuts are exactly the partitions of every
    bias, each over a range of biases (see the user guide page "Merge trees and threshold
    sweeps").  Each distinct partition is scored and the bias in the middle of the best one's
    range is returned.

    Parameters
    ----------
    edges : array_like of int, shape (m, 2)
        The graph (for points: :func:`knn_graph`).
    probabilities : array_like of float, shape (m,)
        Probabilities in [0, 1] that the ends of each edge belong together.
    n_nodes : int, optional
        Default ``edges.max() + 1``.
    lifted : array_like of bool, shape (m,), optional
        Lifted edges: they add to the linkage but never merge by themselves, and the criterion
        ignores them.
    edge_sizes : array_like of float, shape (m,), optional
        As in :func:`gasp_graph.gasp`.
    kind : {"linear", "logit"}, default "linear"
        The mapping of :func:`gasp_graph.signed_weights`; ``eps`` is its clipping margin.
    eps : float, default 1e-6
        See :func:`gasp_graph.signed_weights`.
    linkage : str, default "average"
        A shift-equivariant linkage: ``"average"``, ``"max"``, ``"min"``, ``"smooth_max"`` (or
        ``"generalized_mean"`` with ``linkage_param=1``).
    linkage_param : float, optional
        As in :func:`gasp_graph.gasp`.
    criterion : {"persistence", "modularity"}, default "persistence"
        ``"modularity"``: the partition of highest modularity of the local edges weighted by
        their probabilities.  ``"persistence"``: among the partitions whose modularity is at
        least a quarter of the best one, the one that persists over the widest range of biases
        ``(b0, b1)``, measured as ``log((b1 + 0.01) / (b0 + 0.01))`` (the partition with no
        merge at all is not a candidate).  Persistence was measured best over nineteen data
        sets (user guide page "Clustering points").
    resolution : float, default 1.0
        The resolution of the modularity (below 1 favours fewer, larger clusters).

    Returns
    -------
    selection : BetaSelection
        A named tuple ``(beta, betas, scores, n_clusters)``: the chosen bias; one bias per
        distinct partition of the sweep (from the most clusters to the fewest), each in the
        middle of the range of biases giving that partition; the criterion of each partition
        (``-inf`` for those persistence does not consider) and its number of clusters.

    Raises
    ------
    GaspValueError
        A linkage that is not shift-equivariant (the sweep would not be exact), probabilities
        outside [0, 1], an unknown criterion, or any invalid graph (as :func:`gasp_graph.gasp`).

    See Also
    --------
    knn_graph : the graph of a point set.
    gasp_graph.MergeTree.modularity_curve : modularity for every cut at once.

    Examples
    --------
    Two triangles joined by a weak edge:

    >>> from gasp_graph import select_beta, gasp, signed_weights
    >>> edges = [[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]]
    >>> p = [0.9, 0.8, 0.9, 0.9, 0.8, 0.9, 0.4]
    >>> sel = select_beta(edges, p)
    >>> float(sel.beta), sel.n_clusters.tolist()
    (0.625, [6, 4, 2, 1])
    >>> gasp(edges, signed_weights(p, beta=sel.beta))
    array([0, 0, 0, 1, 1, 1])
    """
    r = _as_float("resolution", resolution)
    if not (math.isfinite(r) and r >= 0):
        raise GaspValueError(f"resolution must be finite and >= 0, got {r!r}")
    if not isinstance(criterion, str) or criterion not in _CRITERIA:
        raise GaspValueError(
            f"criterion must be one of {', '.join(map(repr, _CRITERIA))}, got {criterion!r}"
        )
    s = sweep(edges, probabilities, n_nodes=n_nodes, lifted=lifted, edge_sizes=edge_sizes,
              kind=kind, eps=eps, linkage=linkage, linkage_param=linkage_param, resolution=r)
    best, score = choose(s, criterion)
    return BetaSelection(float(s.beta[best]), s.beta, score, s.tree.n_nodes - s.cuts)
