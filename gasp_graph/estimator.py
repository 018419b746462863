"""A scikit-learn style estimator: ``GASP().fit(A).labels_``.

scikit-learn is not a dependency: :meth:`GASP.get_params` and :meth:`GASP.set_params` follow
its rules (parameters are the keyword arguments of ``__init__``, stored unchanged and validated
in ``fit``), so :func:`sklearn.base.clone`, grid searches and pipelines work with it.
"""
from __future__ import annotations

import inspect

from .arrays import gasp
from .exceptions import GaspTypeError, GaspValueError
from .graphs import from_dense, from_sparse, is_sparse

__all__ = ["GASP"]


class GASP:
    """GASP clustering of a signed adjacency matrix, scikit-learn style.

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
        Exactly this many clusters (see :func:`gasp_graph.gasp`).
    linkage_param : float, optional
        ``p`` of ``"generalized_mean"`` and ``"smooth_max"``.
    min_clusters : int, optional
        Stop as soon as at most this many clusters remain.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n,)
        Cluster label of each node, numbered ``0 .. k-1`` by first occurrence.
    n_clusters_ : int
        The number of clusters found.

    See Also
    --------
    gasp_graph.partition : the same on networkx graphs and sparse matrices.

    Notes
    -----
    ``fit`` takes a square matrix ``A`` of signed weights (``A[i, j] > 0`` attracts ``i`` and
    ``j``).  For a scipy sparse matrix the stored off-diagonal entries are the edges, exactly as
    in :func:`gasp_graph.partition` (one triangle or symmetric).  A dense array is a complete
    graph: every off-diagonal entry is an edge, zeros included, and it must be symmetric.  The
    diagonal is ignored.  Parameters are validated when ``fit`` runs.

    Examples
    --------
    >>> import numpy as np
    >>> from gasp_graph import GASP
    >>> A = np.array([[ 0.0,  0.9, -0.4, -0.6],
    ...               [ 0.9,  0.0, -0.3, -0.5],
    ...               [-0.4, -0.3,  0.0,  0.8],
    ...               [-0.6, -0.5,  0.8,  0.0]])
    >>> GASP(linkage="average").fit_predict(A)
    array([0, 0, 1, 1])
    >>> model = GASP(linkage="max", n_clusters=3).fit(A)
    >>> model.n_clusters_
    3
    >>> model
    GASP(linkage='max', n_clusters=3)
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
    ):
        self.linkage = linkage
        self.cannot_link = cannot_link
        self.merge_constrained_at_end = merge_constrained_at_end
        self.size_regularizer = size_regularizer
        self.n_clusters = n_clusters
        self.linkage_param = linkage_param
        self.min_clusters = min_clusters

    @classmethod
    def _get_param_names(cls):
        """The names of the parameters: the arguments of ``__init__``, sorted (as scikit-learn)."""
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Parameters of this estimator.

        Parameters
        ----------
        deep : bool, default True
            Also return the parameters of parameters that are estimators themselves, as
            ``name__param`` (none of GASP's are, but scikit-learn's contract asks for it).

        Returns
        -------
        dict
            Parameter names mapped to their values.

        Examples
        --------
        >>> from gasp_graph import GASP
        >>> GASP(linkage="max").get_params()["linkage"]
        'max'
        """
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params().items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters of this estimator (validated at ``fit``).

        Parameters
        ----------
        **params : dict
            Parameter names and new values; ``name__param`` sets a parameter of a nested
            estimator.

        Returns
        -------
        self : GASP

        Raises
        ------
        GaspValueError
            A name is not a parameter of GASP.

        Examples
        --------
        >>> from gasp_graph import GASP
        >>> GASP().set_params(linkage="abs_max", cannot_link=True)
        GASP(cannot_link=True, linkage='abs_max')
        """
        if not params:
            return self
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

    def fit(self, A, y=None, *, lifted=None, edge_size=None, node_size=None):
        """Cluster the nodes of the signed graph with adjacency matrix ``A``.

        Parameters
        ----------
        A : scipy sparse matrix or array_like, shape (n, n)
            Signed weights (see the class Notes for which entries are edges).
        y : None
            Ignored; present for scikit-learn API consistency.
        lifted : scipy sparse matrix, optional
            Sparse ``A`` only: stored nonzero entries mark which of ``A``'s edges are lifted
            (as in :func:`gasp_graph.partition`).
        edge_size : scipy sparse matrix, optional
            Sparse ``A`` only: positive sizes of ``A``'s edges.
        node_size : array_like of float, shape (n,), optional
            Positive node sizes for ``size_regularizer``.

        Returns
        -------
        self : GASP
            The fitted estimator.

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> from gasp_graph import GASP
        >>> A = sp.csr_array(([1.0, -2.0, 0.5], ([0, 1, 2], [1, 2, 3])), shape=(4, 4))
        >>> GASP().fit(A).labels_
        array([0, 0, 1, 1])
        """
        if is_sparse(A):
            n, edges, weights, lifted_arr, sizes = from_sparse(
                A, lifted=lifted, edge_size=edge_size
            )
        else:
            if lifted is not None or edge_size is not None:
                raise GaspTypeError(
                    "lifted= and edge_size= are only accepted with a scipy sparse A"
                )
            n, edges, weights = from_dense(A)
            lifted_arr = sizes = None
        labels = gasp(
            edges,
            weights,
            n_nodes=n,
            linkage=self.linkage,
            cannot_link=self.cannot_link,
            lifted=lifted_arr,
            edge_sizes=sizes,
            merge_constrained_at_end=self.merge_constrained_at_end,
            node_sizes=node_size,
            size_regularizer=self.size_regularizer,
            n_clusters=self.n_clusters,
            linkage_param=self.linkage_param,
            min_clusters=self.min_clusters,
        )
        self.labels_ = labels
        self.n_clusters_ = int(labels.max()) + 1 if labels.shape[0] else 0
        return self

    def fit_predict(self, A, y=None, **fit_params):
        """Fit and return ``labels_``.

        Parameters
        ----------
        A : scipy sparse matrix or array_like, shape (n, n)
            Signed weights.
        y : None
            Ignored.
        **fit_params : dict
            ``lifted``, ``edge_size``, ``node_size`` as in :meth:`fit`.

        Returns
        -------
        labels : ndarray of int64, shape (n,)

        Examples
        --------
        >>> import numpy as np
        >>> from gasp_graph import GASP
        >>> GASP().fit_predict(np.array([[0, 1], [1, 0]]))
        array([0, 0])
        """
        return self.fit(A, y, **fit_params).labels_

