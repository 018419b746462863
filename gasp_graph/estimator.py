"""The scikit-learn clusterer: ``GASP().fit(X).labels_``.

With scikit-learn installed, :class:`GASP` derives from its ``ClusterMixin`` and
``BaseEstimator`` (tags, ``clone``, grid searches, pipelines, the HTML repr) and validates ``X``
with its ``validate_data``; without it a small base class of the same behaviour
(:class:`_FallbackEstimator`) takes their place, so the estimator works either way.  Importing
this module imports scikit-learn when available: ``gasp_graph`` loads it on first use of
``gasp_graph.GASP`` only.

scikit-learn's own ``check_estimator`` passes except for the checks listed in
:data:`EXPECTED_FAILED_CHECKS` (tests/test_estimator.py asserts exactly that list).
"""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from .exceptions import GaspTypeError, GaspValueError

__all__ = ["GASP", "EXPECTED_FAILED_CHECKS"]

try:  # the real base classes when scikit-learn is installed
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import ClusterMixin as _Mixin
except ImportError:  # pragma: no cover - exercised by the no-sklearn test in a subprocess
    _Base = _Mixin = None

#: The checks of ``sklearn.utils.estimator_checks.check_estimator`` that GASP does not pass,
#: ``{check name: reason}`` (for its ``expected_failed_checks``).  Empty: every check passes
#: (scikit-learn itself skips its array-API check unless ``SCIPY_ARRAY_API=1`` is set).
EXPECTED_FAILED_CHECKS: dict = {}

_AFFINITIES = ("knn", "precomputed", "precomputed_probability")


class _FallbackEstimator:
    """scikit-learn's estimator protocol without scikit-learn: parameters are the keyword
    arguments of ``__init__``, stored unchanged and validated in ``fit``."""

    _estimator_type = "clusterer"

    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Parameters of this estimator, ``{name: value}`` (see scikit-learn's ``get_params``)."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params().items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, /, **params):
        """Set parameters (validated at ``fit``); ``name__param`` sets a nested one."""
        valid = self.get_params(deep=True)
        nested = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise GaspValueError(
                    f"invalid parameter {name!r} for estimator {type(self).__name__}; valid "
                    f"parameters are: {sorted(self._get_param_names())}"
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self):
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            if default is inspect.Parameter.empty or not (
                value is default or (type(value) is type(default) and value == default)
            ):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def fit_predict(self, X, y=None, **kwargs):
        """Fit and return ``labels_``."""
        return self.fit(X, y, **kwargs).labels_


_BASES = (_Mixin, _Base) if _Base is not None else (_FallbackEstimator,)


def _sklearn_validate(estimator, X, *, accept_sparse):
    """scikit-learn's validate_data (its messages, n_features_in_, feature_names_in_), with its
    ValueError / TypeError re-raised as gasp_graph's."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        validate_data = None
    try:
        kw = dict(accept_sparse=accept_sparse, dtype=np.float64, ensure_min_samples=1)
        with np.errstate(invalid="ignore", over="ignore"):  # its finiteness test sums X
            if validate_data is not None:
                return validate_data(estimator, X, reset=True, **kw)
            return estimator._validate_data(X, reset=True, **kw)
    except GaspValueError:
        raise
    except ValueError as exc:
        raise GaspValueError(str(exc)) from None
    except TypeError as exc:
        raise GaspTypeError(str(exc)) from None


class GASP(*_BASES):
    """GASP clustering, scikit-learn style: points, or a precomputed signed or similarity matrix.

    By default ``fit(X)`` takes a feature matrix: :func:`gasp_graph.knn_graph` joins every point
    to its nearest neighbours (attraction) and to random far points (repulsion, as lifted edges),
    the probabilities become signed weights with a bias chosen without labels
    (:func:`gasp_graph.select_beta`), and GASP partitions the graph.  No number of clusters is
    needed.

    Parameters
    ----------
    linkage : str, default "average"
        The linkage rule (see :func:`gasp_graph.gasp`).
    cannot_link : bool, default False
        Repulsive cluster pairs become constraints that forbid merging them later.
    merge_constrained_at_end : bool, default False
        With ``cannot_link=True``, drop the constraints after the constrained pass.
    size_regularizer : float, default 0.0
        ``r >= 0`` favours merging small clusters first.
    n_clusters : int, optional
        Exactly this many clusters (see :func:`gasp_graph.gasp`); the bias is then irrelevant
        (with ``beta="auto"`` none is searched; ``beta_`` is 0.5).
    linkage_param : float, optional
        ``p`` of ``"generalized_mean"`` and ``"smooth_max"``.
    min_clusters : int, optional
        Stop as soon as at most this many clusters remain.
    null_model : {None, "modularity", "cpm"}, default None
        With ``linkage="sum"``: the null-model term of :func:`gasp_graph.gasp` (greedy
        modularity or CPM) on the graph's weights; for modularity the node strengths are the
        sums of each node's edge weights.
    resolution : float, default 1.0
        ``gamma >= 0`` of the null model.
    refine : bool, default False
        Improve the partition by local search on the objective of the sum linkage (see
        :func:`gasp_graph.gasp`).
    self_loops : {"ignore", "error"}, default "ignore"
        With a precomputed ``X``: its diagonal (self-loops) is ignored, or a nonzero diagonal
        entry raises GaspValueError with ``"error"``.
    affinity : {"knn", "precomputed", "precomputed_probability"}, default "knn"
        What ``X`` is: ``"knn"``, a feature matrix ``(n_samples, n_features)``;
        ``"precomputed"``, a square matrix of signed weights (``X[i, j] > 0`` attracts);
        ``"precomputed_probability"``, a square matrix of similarities in [0, 1] mapped to
        weights with ``kind`` and ``beta``.  See Notes for which entries are edges.
    beta : float in (0, 1) or "auto", default "auto"
        The bias of :func:`gasp_graph.signed_weights` (``"knn"`` and
        ``"precomputed_probability"``; ignored by ``"precomputed"``): probabilities above it
        attract.  ``"auto"`` chooses it by the modularity criterion of
        :func:`gasp_graph.select_beta` from one merge tree (needs a shift-equivariant linkage:
        average, max, min, smooth_max, and no cannot-link constraints or size regulariser).
    kind : {"linear", "logit"}, default "linear"
        The probability-to-weight mapping of :func:`gasp_graph.signed_weights`.
    n_neighbors : int, default 40
        ``"knn"``: neighbours per point (see :func:`gasp_graph.knn_graph`).
    metric : str, default "euclidean"
        ``"knn"``: the distance (see :func:`gasp_graph.knn_graph`).
    scale : "local", "global" or float, default "local"
        ``"knn"``: the kernel width (see :func:`gasp_graph.knn_graph`).
    far_pairs : int, default 50
        ``"knn"``: far pairs per point (see :func:`gasp_graph.knn_graph`).
    similarity : {"jaccard", "kernel", "mean"}, default "jaccard"
        ``"knn"``: the edge probability (see :func:`gasp_graph.knn_graph`).
    far_selection : {"quantile", "random"}, default "quantile"
        ``"knn"``: how the far pairs are chosen (see :func:`gasp_graph.knn_graph`); with
        ``"quantile"`` the labels do not depend on ``seed`` up to 10000 samples.
    beta_criterion : {"persistence", "modularity"}, default "persistence"
        ``beta="auto"``: how the bias is chosen (see :func:`gasp_graph.select_beta`).
    seed : None, int or numpy.random.Generator
        ``"knn"``: randomness of the far pairs (``far_selection="random"``, or more than 10000
        samples); ``None`` is a fixed seed (the same ``X`` gives the same labels on every run).

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n_samples,)
        Cluster label of each sample, numbered ``0 .. k-1`` by first occurrence.
    n_clusters_ : int
        The number of clusters found.
    beta_ : float or None
        The bias used (the chosen one with ``beta="auto"``); None with ``"precomputed"``.
    merge_tree_ : MergeTree or None
        With ``beta="auto"``: the merge tree whose sweep chose the bias (``labels_`` is one of
        its cuts); None otherwise.
    n_features_in_ : int
        Number of features (columns) of ``X``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a pandas DataFrame with string column names (scikit-learn
        installed).

    See Also
    --------
    gasp_graph.knn_graph : the graph of ``affinity="knn"``.
    gasp_graph.select_beta : the automatic bias.
    gasp_graph.partition : GASP on networkx graphs and sparse matrices.

    Notes
    -----
    With ``affinity="precomputed"`` or ``"precomputed_probability"``, for a scipy sparse matrix
    the stored off-diagonal entries are the edges, exactly as in :func:`gasp_graph.partition`
    (one triangle or both, equal).  A dense array is a complete graph: every off-diagonal entry
    is an edge, zeros included; it must be symmetric up to rounding (a relative difference of
    ``1e-10``, or ``1e-12`` of the largest magnitude, is averaged away).  The diagonal is
    ignored.  Parameters are validated when ``fit`` runs.

    Without scikit-learn, the estimator keeps the same parameters, ``get_params`` /
    ``set_params`` / ``fit_predict`` and attributes; feature matrices then need scipy for the
    neighbour search.

    Examples
    --------
    Two groups of points, no number of clusters given:

    >>> import numpy as np
    >>> from gasp_graph import GASP
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (40, 2)), rng.normal(8, 1, (40, 2))])
    >>> model = GASP().fit(X)
    >>> model.n_clusters_
    2
    >>> bool((model.labels_[:40] == 0).all() and (model.labels_[40:] == 1).all())
    True

    A precomputed signed adjacency matrix:

    >>> A = np.array([[ 0.0,  0.9, -0.4, -0.6],
    ...               [ 0.9,  0.0, -0.3, -0.5],
    ...               [-0.4, -0.3,  0.0,  0.8],
    ...               [-0.6, -0.5,  0.8,  0.0]])
    >>> GASP(affinity="precomputed").fit_predict(A)
    array([0, 0, 1, 1])
    >>> GASP(affinity="precomputed", linkage="max", n_clusters=3).fit(A).n_clusters_
    3
    """

    def __init__(
        self,
        linkage="average",
        *,
        cannot_link=False,
        merge_constrained_at_end=False,
        size_regularizer=0.0,
        n_clusters=None,
        linkage_param=None,
        min_clusters=None,
        null_model=None,
        resolution=1.0,
        refine=False,
        self_loops="ignore",
        affinity="knn",
        beta="auto",
        kind="linear",
        n_neighbors=40,
        metric="euclidean",
        scale="local",
        far_pairs=50,
        similarity="jaccard",
        beta_criterion="persistence",
        far_selection="quantile",
        seed=None,
    ):
        self.linkage = linkage
        self.cannot_link = cannot_link
        self.merge_constrained_at_end = merge_constrained_at_end
        self.size_regularizer = size_regularizer
        self.n_clusters = n_clusters
        self.linkage_param = linkage_param
        self.min_clusters = min_clusters
        self.null_model = null_model
        self.resolution = resolution
        self.refine = refine
        self.self_loops = self_loops
        self.affinity = affinity
        self.beta = beta
        self.kind = kind
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.scale = scale
        self.far_pairs = far_pairs
        self.similarity = similarity
        self.beta_criterion = beta_criterion
        self.far_selection = far_selection
        self.seed = seed

    def set_params(self, /, **params):
        """Set parameters (see scikit-learn's ``set_params``); they are validated at ``fit``.

        GASP's parameters are plain values, so a nested ``name__key`` is an error
        (GaspValueError, a ValueError, as for an unknown name).
        """
        names = self.get_params(deep=False)
        for key in params:
            name, nested, _ = key.partition("__")
            if name not in names:
                raise GaspValueError(
                    f"invalid parameter {key!r} for estimator {type(self).__name__}; valid "
                    f"parameters are: {sorted(names)}"
                )
            if nested and not hasattr(names[name], "set_params"):
                raise GaspValueError(
                    f"invalid parameter {key!r} for estimator {type(self).__name__}: {name}="
                    f"{names[name]!r} has no parameters of its own (set {name}=... instead)"
                )
        return super().set_params(**params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.affinity != "knn"
        tags.input_tags.pairwise = self.affinity != "knn"
        tags.non_deterministic = False
        return tags

    # -- fitting --------------------------------------------------------------------------------

    def _engine_options(self):
        return dict(
            linkage=self.linkage,
            cannot_link=self.cannot_link,
            merge_constrained_at_end=self.merge_constrained_at_end,
            size_regularizer=self.size_regularizer,
            n_clusters=self.n_clusters,
            linkage_param=self.linkage_param,
            min_clusters=self.min_clusters,
            null_model=self.null_model,
            resolution=self.resolution,
            refine=self.refine,
            self_loops=self.self_loops,
        )

    def _check_affinity_and_beta(self):
        if not isinstance(self.affinity, str) or self.affinity not in _AFFINITIES:
            raise GaspValueError(
                f"affinity must be one of {', '.join(map(repr, _AFFINITIES))}, "
                f"got {self.affinity!r}"
            )
        beta = self.beta
        if isinstance(beta, str):
            if beta != "auto":
                raise GaspValueError(f"beta must be a number in (0, 1) or 'auto', got {beta!r}")
            return beta
        if isinstance(beta, (bool, np.bool_)) or not isinstance(beta, numbers.Real):
            raise GaspTypeError(f"beta must be a number in (0, 1) or 'auto', got {beta!r}")
        if not 0.0 < float(beta) < 1.0:
            raise GaspValueError(f"beta must lie strictly between 0 and 1, got {beta!r}")
        return float(beta)

    def _validate_X(self, X):
        """X as the estimator takes it: dense float points, or a matrix for the precomputed modes."""
        from .graphs import is_sparse
        from .points import as_points

        if self.affinity == "knn":
            if _Base is not None:
                X = _sklearn_validate(self, X, accept_sparse=False)
            X = as_points(X)
            self.n_features_in_ = X.shape[1]
            return X
        if is_sparse(X):  # from_sparse checks it (any format, with its own messages)
            self.n_features_in_ = X.shape[1]
            return X
        if _Base is not None:
            X = _sklearn_validate(self, X, accept_sparse=False)
        X = np.asarray(X)
        if X.ndim == 2:
            self.n_features_in_ = X.shape[1]
        return X

    def fit(self, X, y=None, *, lifted=None, edge_size=None, node_size=None):
        """Cluster the samples of ``X``.

        Parameters
        ----------
        X : array_like or scipy sparse matrix
            ``affinity="knn"``: a feature matrix of shape (n_samples, n_features).  Otherwise a
            square matrix (n_samples, n_samples) of signed weights or of similarities in [0, 1]
            (see the class Notes for which entries are edges).
        y : None
            Ignored; present for scikit-learn API consistency.
        lifted : scipy sparse matrix, optional
            Precomputed sparse ``X`` only: stored nonzero entries mark which of ``X``'s edges
            are lifted (as in :func:`gasp_graph.partition`).
        edge_size : scipy sparse matrix, optional
            Precomputed sparse ``X`` only: positive sizes of its edges.
        node_size : array_like of float, shape (n_samples,), optional
            Positive node sizes for ``size_regularizer``.

        Returns
        -------
        self : GASP
            The fitted estimator.

        Raises
        ------
        GaspValueError, GaspTypeError
            Invalid ``X`` or parameters (the message names them).

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> from gasp_graph import GASP
        >>> A = sp.csr_array(([1.0, -2.0, 0.5], ([0, 1, 2], [1, 2, 3])), shape=(4, 4))
        >>> GASP(affinity="precomputed").fit(A).labels_
        array([0, 0, 1, 1])
        """
        from .arrays import gasp
        from .graphs import from_dense, from_sparse, is_sparse
        from .points import _CRITERIA, choose, knn_graph, sweep
        from .weights import signed_weights

        beta = self._check_affinity_and_beta()
        options = self._engine_options()
        X = self._validate_X(X)
        self.merge_tree_ = None
        self.beta_ = None
        if self.affinity == "knn":
            if lifted is not None or edge_size is not None:
                raise GaspTypeError(
                    "lifted= and edge_size= are only accepted with a precomputed sparse X"
                )
            g = knn_graph(X, self.n_neighbors, metric=self.metric, scale=self.scale,
                          far_pairs=self.far_pairs, similarity=self.similarity,
                          far_selection=self.far_selection, seed=self.seed)
            n, edges, p, lifted_arr, sizes = X.shape[0], g.edges, g.probabilities, g.lifted, None
        else:
            if is_sparse(X):
                n, edges, p, lifted_arr, sizes = from_sparse(X, lifted=lifted, edge_size=edge_size,
                                                             self_loops=self.self_loops)
            else:
                if lifted is not None or edge_size is not None:
                    raise GaspTypeError(
                        "lifted= and edge_size= are only accepted with a precomputed sparse X"
                    )
                n, edges, p = from_dense(X, self_loops=self.self_loops)
                lifted_arr = sizes = None
        if self.affinity == "precomputed":
            labels = gasp(edges, p, n_nodes=n, lifted=lifted_arr, edge_sizes=sizes,
                          node_sizes=node_size, **options)
        elif beta == "auto" and self.n_clusters is None:
            if self.cannot_link or self.size_regularizer:
                raise GaspValueError(
                    "beta='auto' needs one merge tree to answer every bias, which cannot-link "
                    "constraints and a size regulariser prevent; give beta a number instead"
                )
            if self.beta_criterion not in _CRITERIA:
                raise GaspValueError(
                    f"beta_criterion must be one of {', '.join(map(repr, _CRITERIA))}, "
                    f"got {self.beta_criterion!r}"
                )
            s = sweep(edges, p, n_nodes=n, lifted=lifted_arr, edge_sizes=sizes, kind=self.kind,
                      linkage=self.linkage, linkage_param=self.linkage_param,
                      min_clusters=self.min_clusters)
            best = choose(s, self.beta_criterion)[0]
            labels = s.tree.labels_at(int(s.cuts[best]))
            self.beta_ = float(s.beta[best])
            self.merge_tree_ = s.tree
        else:
            self.beta_ = 0.5 if beta == "auto" else beta
            w = signed_weights(p, beta=self.beta_, kind=self.kind)
            labels = gasp(edges, w, n_nodes=n, lifted=lifted_arr, edge_sizes=sizes,
                          node_sizes=node_size, **options)
        self.labels_ = labels
        self.n_clusters_ = int(labels.max()) + 1 if labels.shape[0] else 0
        return self

    def fit_predict(self, X, y=None, **kwargs):
        """Fit and return ``labels_``.

        Parameters
        ----------
        X : array_like or scipy sparse matrix
            As in :meth:`fit`.
        y : None
            Ignored.
        **kwargs : dict
            ``lifted``, ``edge_size``, ``node_size`` as in :meth:`fit`.

        Returns
        -------
        labels : ndarray of int64, shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from gasp_graph import GASP
        >>> GASP(affinity="precomputed").fit_predict(np.array([[0, 1], [1, 0]]))
        array([0, 0])
        """
        return self.fit(X, y, **kwargs).labels_
