"""One routine turning every accepted input into the engine's arrays, with the checks.

Every public entry point funnels its edge arrays and options through :func:`prepare`, so every
function accepts the same inputs and rejects bad ones with the same messages.  Messages name the
argument and the offending value (and its index, for array elements).
"""
from __future__ import annotations

import numbers
import operator
from dataclasses import dataclass

import numpy as np

from .exceptions import GaspTypeError, GaspValueError

# Canonical linkage names, their engine codes, and whether they take a parameter p.
LINKAGES = {
    "sum": (0, False),
    "average": (1, False),
    "max": (2, False),
    "min": (3, False),
    "abs_max": (4, False),
    "generalized_mean": (5, True),
    "smooth_max": (6, True),
}

# Accepted spellings (case-insensitive, "-" or " " read as "_"), including the reference
# implementation's names.
LINKAGE_ALIASES = {
    "sum": "sum",
    "average": "average",
    "mean": "average",
    "avg": "average",
    "arithmetic_mean": "average",
    "max": "max",
    "single": "max",
    "single_linkage": "max",
    "min": "min",
    "complete": "min",
    "complete_linkage": "min",
    "abs_max": "abs_max",
    "absmax": "abs_max",
    "mutex_watershed": "abs_max",
    "mws": "abs_max",
    "generalized_mean": "generalized_mean",
    "gmean": "generalized_mean",
    "smooth_max": "smooth_max",
}

# Default p of the parametrised linkages (the reference implementation's defaults).
DEFAULT_LINKAGE_PARAM = {"generalized_mean": 1.0, "smooth_max": 1.0}

NULL_MODELS = ("modularity", "cpm")

# What every entry point does with an edge (u, u): drop it (it never changes a merge) or refuse it.
SELF_LOOPS = ("ignore", "error")


@dataclass
class Problem:
    """A validated problem, in the exact dtypes and layouts the C engine takes."""

    n_nodes: int
    edges: np.ndarray  # (m, 2) int64, C-contiguous
    weights: np.ndarray  # (m,) float64
    lifted: np.ndarray | None  # (m,) uint8 or None
    edge_sizes: np.ndarray | None  # (m,) float64 or None
    node_sizes: np.ndarray | None  # (n,) float64 or None
    linkage: str
    linkage_code: int
    linkage_param: float
    cannot_link: bool
    merge_constrained_at_end: bool
    size_regularizer: float
    n_clusters: int  # exactly this many clusters; 0 = no target
    min_clusters: int = 0  # stop as soon as this many remain; 0 = no stop
    null_model: str | None = None
    null_weights: np.ndarray | None = None  # (n,) float64: the engine's a_i, or None
    resolution: float = 1.0
    height_scale: float = 1.0  # merge heights = engine linkage values * height_scale
    refine: bool = False
    # The validated (m, 2) edges as given, self-loops included: ``edges`` itself unless
    # self-loops were dropped (``self_loops="ignore"``); MergeTree keeps it for edge_heights.
    input_edges: np.ndarray | None = None


def normalize_linkage(linkage) -> str:
    """Return the canonical name of ``linkage`` or raise naming the accepted ones."""
    if not isinstance(linkage, str):
        raise GaspTypeError(f"linkage must be a string, got {linkage!r} ({type(linkage).__name__})")
    key = linkage.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in LINKAGE_ALIASES:
        names = ", ".join(sorted(LINKAGE_ALIASES))
        raise GaspValueError(f"linkage={linkage!r} is not a known linkage; use one of: {names}")
    return LINKAGE_ALIASES[key]


def self_loops_mode(self_loops) -> str:
    """Check the ``self_loops`` option of an entry point: ``"ignore"`` or ``"error"``."""
    if not isinstance(self_loops, str) or self_loops not in SELF_LOOPS:
        raise GaspValueError(f"self_loops must be 'ignore' or 'error', got {self_loops!r}")
    return self_loops


def self_loop_error(what) -> GaspValueError:
    """The error of ``self_loops="error"``; ``what`` names the loop (an edge, a row, ...)."""
    return GaspValueError(
        f"{what} is a self-loop and self_loops='error'; pass self_loops='ignore' to drop "
        "self-loops (they never change GASP's merges)"
    )


def _as_bool(name, value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise GaspTypeError(f"{name} must be True or False, got {value!r}")


_INT64_MAX = 2**63 - 1


def shown(value) -> str:
    """repr(value) for a message, with huge integers abbreviated (10**400 has 401 digits)."""
    text = repr(value)
    if isinstance(value, numbers.Integral) and len(text) > 40:
        return f"{text[:12]}... (an integer of {len(text.lstrip('-'))} digits)"
    return text


def _as_int(name, value, minimum=None, maximum=_INT64_MAX) -> int:
    """``value`` as an int in [minimum, maximum] (integers only; bool is not an integer here).

    The default maximum is the largest int64: every integer option ends in a C int64.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise GaspTypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = operator.index(value)
    if minimum is not None and value < minimum:
        raise GaspValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        what = "2**63 - 1, the largest int64" if maximum == _INT64_MAX else str(maximum)
        raise GaspValueError(f"{name} must be <= {what}, got {shown(value)}")
    return value


def _as_float(name, value) -> float:
    """``value`` as a float (real numbers only; bool is not a number here)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise GaspTypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    try:
        return float(value)
    except OverflowError:  # a Python int beyond the double range
        raise GaspValueError(
            f"{name}={shown(value)} is too large for a double (|x| > 1.8e308)"
        ) from None


def as_rng(seed, *, default=None, name="seed") -> np.random.Generator:
    """A numpy Generator from ``seed=``: None (``default``, itself None for fresh entropy, or a
    fixed integer), an integer >= 0, or a Generator (used as is)."""
    if seed is None:
        return np.random.default_rng(default)
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise GaspTypeError(
            f"{name} must be None, an integer >= 0 or a numpy.random.Generator, got {seed!r} "
            f"({type(seed).__name__})"
        )
    return np.random.default_rng(_as_int(name, seed, minimum=0, maximum=None))


def _array(name, value):
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise GaspTypeError(f"{name} could not be read as an array: {exc}") from None
    if arr.dtype == object:
        raise GaspTypeError(f"{name} must be a numeric array, got an array of Python objects")
    return arr


def as_edges(edges) -> np.ndarray:
    """(m, 2) int64 C-contiguous node-id array from any integer array-like."""
    arr = _array("edges", edges)
    if arr.size == 0 and arr.ndim <= 2 and (arr.ndim < 2 or arr.shape[-1] in (0, 2)):
        return np.zeros((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise GaspValueError(f"edges must have shape (m, 2), got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise GaspTypeError(f"edges must hold integer node ids, got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype.itemsize >= 8:
        big = arr > np.iinfo(np.int64).max
        if big.any():
            k = int(np.flatnonzero(big.any(axis=1))[0])
            raise GaspValueError(
                f"edges[{k}] = {tuple(int(x) for x in arr[k])}: node ids must fit in int64"
            )
    return np.ascontiguousarray(arr, dtype=np.int64)


def _per_edge(name, value, m, *, positive=False):
    arr = _array(name, value)
    if arr.ndim != 1 or arr.shape[0] != m:
        raise GaspValueError(f"{name} must have shape ({m},) (one value per edge), got shape {arr.shape}")
    if arr.dtype.kind not in "iuf":
        raise GaspTypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if positive:
        bad |= ~(arr > 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        what = "finite and > 0" if positive else "finite"
        raise GaspValueError(f"{name}[{k}] = {arr[k]!r}: every value must be {what}")
    return arr


def nonnegative_weights(name, weights, m) -> np.ndarray:
    """(m,) float64 weights >= 0 of an unsigned graph; ``None`` means 1 for every edge."""
    if weights is None:
        return np.ones(m, dtype=np.float64)
    arr = _per_edge(name, weights, m)
    neg = arr < 0
    if neg.any():
        k = int(np.flatnonzero(neg)[0])
        raise GaspValueError(
            f"{name}[{k}] = {float(arr[k])!r}: weights of an unsigned graph must be >= 0"
        )
    return arr


def as_weights(weights, m) -> np.ndarray:
    return _per_edge("weights", weights, m)


def as_lifted(lifted, m):
    if lifted is None:
        return None
    arr = _array("lifted", lifted)
    if arr.ndim != 1 or arr.shape[0] != m:
        raise GaspValueError(f"lifted must have shape ({m},) (one flag per edge), got shape {arr.shape}")
    if arr.dtype.kind == "b":
        return np.ascontiguousarray(arr, dtype=np.uint8)
    if arr.dtype.kind in "iu":
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise GaspValueError(f"lifted[{k}] = {arr[k]!r}: flags must be booleans (or 0/1)")
        return np.ascontiguousarray(arr, dtype=np.uint8)
    raise GaspTypeError(f"lifted must hold booleans, got dtype {arr.dtype}")


def node_strengths(n, edges, weights, edge_sizes=None) -> np.ndarray:
    """k_i = sum of s_e * w_e over the edges at node i (a self-loop counts twice)."""
    x = weights if edge_sizes is None else weights * edge_sizes
    k = np.bincount(edges[:, 0], weights=x, minlength=n)
    k += np.bincount(edges[:, 1], weights=x, minlength=n)
    return k.astype(np.float64, copy=False)


def _per_node(name, value, n):
    arr = _array(name, value)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise GaspValueError(
            f"{name} must have shape ({n},) (one value per node), got shape {arr.shape}"
        )
    if arr.dtype.kind not in "iuf":
        raise GaspTypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def null_model_values(null_model, n, edges, weights, edge_sizes, node_weights, resolution):
    """(null_model, a, height_scale): the engine's per-node values of a null model.

    "modularity": a_i = k_i / sqrt(2m) with k the node strengths (or ``node_weights``) and
    2m = sum(k), so that gamma * a_S * a_T = gamma * k_S * k_T / 2m; heights are scaled by
    2 / 2m, networkx's Delta Q.  "cpm": a_i = 1 (or ``node_weights``); heights unscaled.
    """
    if null_model is None:
        if node_weights is not None:
            raise GaspValueError(
                "node_weights is only used by a null model; pass null_model='modularity' or "
                "null_model='cpm' with it"
            )
        return None, None, 1.0
    if not isinstance(null_model, str) or null_model.lower() not in NULL_MODELS:
        raise GaspValueError(
            f"null_model={null_model!r} is not a known null model; use None, 'modularity' or 'cpm'"
        )
    null_model = null_model.lower()
    if node_weights is not None:
        a = _per_node("node_weights", node_weights, n)
        bad = ~(np.isfinite(a) & (a >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GaspValueError(
                f"node_weights[{i}] = {float(a[i])!r}: every value must be finite and >= 0"
            )
    elif null_model == "modularity":
        a = node_strengths(n, edges, weights, edge_sizes)
        bad = a < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GaspValueError(
                f"null_model='modularity' needs non-negative node strengths, but node {i} has "
                f"strength {float(a[i])!r} (negative weights); use null_model='cpm' for signed graphs"
            )
    else:
        a = np.ones(n, dtype=np.float64)
    scale = 1.0
    if null_model == "modularity":
        two_m = float(a.sum())
        if two_m > 0:
            a = a / np.sqrt(two_m)
            scale = 2.0 / two_m
    return null_model, np.ascontiguousarray(a, dtype=np.float64), scale


def prepare(
    edges,
    weights,
    *,
    n_nodes=None,
    linkage="average",
    cannot_link=False,
    lifted=None,
    edge_sizes=None,
    merge_constrained_at_end=False,
    node_sizes=None,
    size_regularizer=0.0,
    n_clusters=None,
    linkage_param=None,
    min_clusters=None,
    null_model=None,
    resolution=1.0,
    node_weights=None,
    refine=False,
    self_loops="ignore",
) -> Problem:
    """Validate a GASP problem given as arrays and convert it for the engine.

    With ``null_model="modularity"`` and no ``node_weights`` the node strengths are computed
    from all the given edges, self-loops included (counted twice), before anything else.

    Self-loops ``(u, u)`` are then dropped with their per-edge values (``self_loops="ignore"``)
    or raise (``"error"``), after every per-edge array has been checked in full.
    """
    name = normalize_linkage(linkage)
    code, takes_param = LINKAGES[name]
    if linkage_param is None:
        p = DEFAULT_LINKAGE_PARAM.get(name, 0.0)
    else:
        if not takes_param:
            raise GaspValueError(
                f"linkage_param={linkage_param!r} given, but linkage={linkage!r} takes no "
                "parameter (only 'generalized_mean' and 'smooth_max' do)"
            )
        p = _as_float("linkage_param", linkage_param)
        if not np.isfinite(p):
            raise GaspValueError(f"linkage_param must be finite, got {p!r}")
        if name == "generalized_mean" and not p > 0:
            raise GaspValueError(f"linkage_param must be > 0 for generalized_mean, got {p!r}")
    cannot_link = _as_bool("cannot_link", cannot_link)
    merge_constrained_at_end = _as_bool("merge_constrained_at_end", merge_constrained_at_end)
    if merge_constrained_at_end and not cannot_link:
        raise GaspValueError(
            "merge_constrained_at_end=True only has a meaning with cannot_link=True"
        )
    r = _as_float("size_regularizer", size_regularizer)
    if not (np.isfinite(r) and r >= 0):
        raise GaspValueError(f"size_regularizer must be finite and >= 0, got {r!r}")
    k = 0 if n_clusters is None else _as_int("n_clusters", n_clusters, minimum=1)
    k_min = 0 if min_clusters is None else _as_int("min_clusters", min_clusters, minimum=1)
    if k and k_min:
        raise GaspValueError(
            f"n_clusters={n_clusters!r} (exactly k clusters) and min_clusters={min_clusters!r} "
            "(stop as soon as k remain) were both given; choose one"
        )
    refine = _as_bool("refine", refine)
    gamma = _as_float("resolution", resolution)
    if not (np.isfinite(gamma) and gamma >= 0):
        raise GaspValueError(f"resolution must be finite and >= 0, got {resolution!r}")
    if null_model is None and gamma != 1.0:
        raise GaspValueError(
            f"resolution={resolution!r} has no effect without a null model; pass "
            "null_model='modularity' or null_model='cpm'"
        )
    if null_model is not None:
        if name != "sum":
            raise GaspValueError(
                f"null_model={null_model!r} needs linkage='sum', got linkage={linkage!r}: the "
                "null-model term gamma * a_S * a_T is a sum over node pairs, so it only adds up "
                "exactly to the sum of the edge weights (greedy modularity / CPM); with other "
                "linkages use signed weights instead (gasp_graph.signed_weights)"
            )
        if cannot_link:
            raise GaspValueError(
                f"null_model={null_model!r} cannot be combined with cannot_link=True"
            )
    if refine and (k or k_min):
        raise GaspValueError(
            f"refine=True cannot be combined with {'n_clusters' if k else 'min_clusters'}: "
            "local moves change the number of clusters"
        )
    if refine and cannot_link:
        raise GaspValueError(
            "refine=True cannot be combined with cannot_link=True: the local moves optimise the "
            "objective without constraints and would join clusters the constraints keep apart"
        )
    loop_mode = self_loops_mode(self_loops)

    e = as_edges(edges)
    m = e.shape[0]
    w = as_weights(weights, m)
    if m:
        lo, hi = int(e.min()), int(e.max())
    else:
        lo, hi = 0, -1
    if n_nodes is None:
        n = hi + 1
    else:
        n = _as_int("n_nodes", n_nodes, minimum=0)
    if m:
        if lo < 0 or hi >= n:
            bad = ((e < 0) | (e >= n)).any(axis=1)
            i = int(np.flatnonzero(bad)[0])
            raise GaspValueError(
                f"edges[{i}] = ({e[i, 0]}, {e[i, 1]}): node ids must lie in [0, n_nodes={n})"
            )
    lf = as_lifted(lifted, m)
    es = None if edge_sizes is None else _per_edge("edge_sizes", edge_sizes, m, positive=True)
    if refine and lf is not None and lf.any():
        raise GaspValueError("refine=True does not support lifted edges")
    # The null model's node strengths count self-loops: computed before they are looked at.
    null_model, null_weights, scale = null_model_values(
        null_model, n, e, w, es, node_weights, gamma
    )
    input_edges = e
    loops = e[:, 0] == e[:, 1]
    if loops.any():
        if loop_mode == "error":
            i = int(np.flatnonzero(loops)[0])
            raise self_loop_error(f"edges[{i}] = ({e[i, 0]}, {e[i, 1]})")
        keep = ~loops
        e, w = np.ascontiguousarray(e[keep]), w[keep]
        lf = None if lf is None else lf[keep]
        es = None if es is None else es[keep]
    ns = None
    if node_sizes is not None:
        ns = _array("node_sizes", node_sizes)
        if ns.ndim != 1 or ns.shape[0] != n:
            raise GaspValueError(
                f"node_sizes must have shape ({n},) (one value per node), got shape {ns.shape}"
            )
        if ns.dtype.kind not in "iuf":
            raise GaspTypeError(f"node_sizes must hold real numbers, got dtype {ns.dtype}")
        ns = np.ascontiguousarray(ns, dtype=np.float64)
        bad = ~(np.isfinite(ns) & (ns > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GaspValueError(f"node_sizes[{i}] = {ns[i]!r}: every value must be finite and > 0")
    return Problem(
        n_nodes=n,
        edges=e,
        weights=w,
        lifted=lf,
        edge_sizes=es,
        node_sizes=ns,
        linkage=name,
        linkage_code=code,
        linkage_param=p,
        cannot_link=cannot_link,
        merge_constrained_at_end=merge_constrained_at_end,
        size_regularizer=r,
        n_clusters=k,
        min_clusters=k_min,
        null_model=null_model,
        null_weights=null_weights,
        resolution=gamma,
        height_scale=scale,
        refine=refine,
        input_edges=input_edges,
    )


@dataclass
class GridProblem:
    """A validated problem on a pixel grid, in the layouts of the engine's grid entry point.

    The engine enumerates the edges itself (offset by offset, then by source pixel: the edge
    ids of :class:`gasp_graph.images.GridGraph`), so no edge array exists.  Attributes the
    engine options carry (``n_nodes``, ``linkage``, ``n_clusters``, ...) are those of
    ``options``, a :class:`Problem` without edges validated by :func:`prepare`.
    """

    options: Problem
    shape: np.ndarray  # (ndim,) int64
    offsets: np.ndarray  # (n_offsets, ndim) int64, C-contiguous
    affinities: np.ndarray  # (n_offsets, *shape) float32 or float64, C-contiguous
    mask: np.ndarray | None  # shape, uint8 0/1
    offset_flags: np.ndarray  # (n_offsets,) uint8: GASP_OFFSET_* bits
    keep_bits: np.ndarray  # uint8: keep bitstreams of the sampled offsets
    kind: str  # "linear" or "logit"
    beta: float
    eps: float
    n_edges: int

    def __getattr__(self, name):
        if name == "options":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.options, name)


# Bits of GridProblem.offset_flags (gasp_offset_flag_t).
OFFSET_LIFTED = 1
OFFSET_SAMPLED = 2


def prepare_grid(affinities, offsets, *, mask, lifted, sampled, keep_bits, n_edges, beta, kind,
                 eps, **options) -> GridProblem:
    """Convert a grid problem whose arrays the image front end has validated for the engine.

    ``affinities`` (n_offsets, *shape) real values in [0, 1] (float32 stays float32, other types
    become float64), ``offsets`` (n_offsets, ndim) int64, ``mask`` bool or None, ``lifted`` and
    ``sampled`` (n_offsets,) bool per offset, ``keep_bits`` the sampled offsets' bitstreams,
    ``n_edges`` the edges they define; ``options`` are :func:`prepare`'s engine options, checked
    by it.
    """
    a = np.asarray(affinities)
    a = np.ascontiguousarray(a, dtype=np.float32 if a.dtype == np.float32 else np.float64)
    shape = np.asarray(a.shape[1:], dtype=np.int64)
    n = int(np.prod(shape, dtype=np.int64))
    opts = prepare(np.zeros((0, 2), dtype=np.int64), np.zeros(0), n_nodes=n, **options)
    if not (isinstance(beta, numbers.Real) and 0.0 < float(beta) < 1.0):
        raise GaspValueError(f"beta must lie strictly between 0 and 1, got {beta!r}")
    if kind not in ("linear", "logit"):
        raise GaspValueError(f"kind must be 'linear' or 'logit', got {kind!r}")
    flags = (np.where(np.asarray(lifted, dtype=bool), OFFSET_LIFTED, 0)
             | np.where(np.asarray(sampled, dtype=bool), OFFSET_SAMPLED, 0)).astype(np.uint8)
    return GridProblem(
        options=opts,
        shape=shape,
        offsets=np.ascontiguousarray(offsets, dtype=np.int64),
        affinities=a,
        mask=None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8),
        offset_flags=flags,
        keep_bits=np.ascontiguousarray(keep_bits, dtype=np.uint8),
        kind=kind,
        beta=float(beta),
        eps=float(eps),
        n_edges=int(n_edges),
    )
