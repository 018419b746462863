"""Clustering points: ``GASP().fit(X)`` with its defaults against the usual clusterers.

Two groups of data sets (``TUNE``, ``HELD_OUT`` below), each over five seeds: a generated set is
drawn again for every seed, and every randomised method gets the seed.

* ``tune`` (19 sets, used to choose GASP's defaults): scikit-learn's bundled iris, wine,
  breast_cancer and digits (standardised), iris and digits unscaled, digits 0-4; generated blobs
  (varied densities, four variances, unbalanced 1000/150/40, 20-D, 5000 points, 150 points),
  anisotropic blobs, moons and circles (two noise levels each), 150 to 5000 points.
* ``heldout`` (9 sets, measured only once the defaults were fixed): digits 5-9, wine and
  breast_cancer min-max scaled, unequal 3-D blobs (600/300/150/80/40), 10-D blobs, wide 2-D
  blobs (2000 points), anisotropic blobs (1500), small moons (300), large circles (3000).

Methods, all in one process:

* ``GASP()``: the defaults, no number of clusters (label-free: ``beta="auto"``);
* ``GASP(far_selection="random", seed=s)``: the earlier random far pairs, for comparison;
* ``GASP(n_clusters=k)``: told the true number of clusters k;
* HDBSCAN (``sklearn.cluster.HDBSCAN()``, defaults, label-free; noise points are one cluster);
* spectral clustering told k (``SpectralClustering(k, affinity="nearest_neighbors")``: the
  neighbour-graph affinity; the default RBF affinity is far weaker on these sets);
* ward and k-means told k (``AgglomerativeClustering(k)``, ``KMeans(k, n_init=10)``);
* Leiden (leidenalg, modularity, label-free) on the same neighbour graph as GASP
  (``knn_graph(X)``'s local edges weighted by their probabilities).

Scores: adjusted Rand index and normalised mutual information against the true labels, mean over
the seeds; time is the CPU time of the fit in this process (``time.process_time``, all
threads), not wall time.

    python benchmarks/points.py                 # both groups: the tables and the targets
    python benchmarks/points.py --group heldout # one group
    python benchmarks/points.py --quick         # three small data sets, two seeds (smoke test)
    python benchmarks/points.py --sweep         # GASP's candidate defaults on the tuning sets
"""
import argparse
import sys
import time
import warnings

import numpy as np

from gasp_graph import GASP, knn_graph

N_SEEDS = 5
TARGET_OVER_HDBSCAN = 0.15
TARGET_BELOW_SPECTRAL = 0.03


def _bundled(name, variant):
    from sklearn import datasets as ds

    X, y = getattr(ds, f"load_{name}")(return_X_y=True)
    if variant is not None:  # digits "0to4" / "5to9": five of the ten digits
        keep = (y < 5) if variant == "0to4" else (y >= 5)
        X, y = X[keep], y[keep]
    return X, y


def _blobs(sizes, centers, std, d, seed, transform=None):
    from sklearn import datasets as ds

    if centers is None:  # random centres in [-10, 10]^d
        X, y = ds.make_blobs(n_samples=sizes, n_features=d, cluster_std=std,
                             random_state=seed)
    else:
        X, y = ds.make_blobs(n_samples=sizes, centers=centers, cluster_std=std,
                             random_state=seed)
    return (X if transform is None else X @ np.asarray(transform)), y


def _moons(n, noise, seed):
    from sklearn import datasets as ds

    return ds.make_moons(n_samples=n, noise=noise, random_state=seed)


def _circles(n, factor, noise, seed):
    from sklearn import datasets as ds

    return ds.make_circles(n_samples=n, factor=factor, noise=noise, random_state=seed)


# name -> (maker(seed) -> (X, y), scaling: True = StandardScaler, "minmax", False = raw).  Generated sets take the data seed (seed 0 is the
# random_state listed); the bundled sets are the same for every seed.
TUNE = {
    "iris": (lambda s: _bundled("iris", None), True),
    "wine": (lambda s: _bundled("wine", None), True),
    "breast_cancer": (lambda s: _bundled("breast_cancer", None), True),
    "digits": (lambda s: _bundled("digits", None), True),
    "blobs_varied": (lambda s: _blobs([300, 150, 100], [[0, 0], [6, 0], [3, 5]],
                                      [1.5, 0.5, 1.0], 2, 170 + s), True),
    "moons": (lambda s: _moons(500, 0.06, s), True),
    "circles": (lambda s: _circles(500, 0.5, 0.05, s), True),
    "anisotropic": (lambda s: _blobs(500, None, 1.0, 2, 170 + s,
                                     [[0.6, -0.6], [-0.4, 0.8]]), True),
}

# More sets of the kinds above, also used to choose the defaults.
TUNE.update({
    "iris_raw": (lambda s: _bundled("iris", None), False),
    "digits_raw": (lambda s: _bundled("digits", None), False),
    "digits_0to4": (lambda s: _bundled("digits", "0to4"), True),
    "small_blobs": (lambda s: _blobs(150, None, 1.5, 2, 300 + s), True),
    "blobs_4var": (lambda s: _blobs([250, 250, 250, 250], None, [0.5, 1.0, 1.5, 2.5], 2,
                                    400 + s), True),
    "unbalanced": (lambda s: _blobs([1000, 150, 40], [[0, 0], [5, 0], [0, 5]],
                                    [1.2, 0.6, 0.4], 2, 500 + s), True),
    "blobs_20d": (lambda s: _blobs(1200, None, 4.0, 20, 600 + s), True),
    "blobs_5000": (lambda s: _blobs(5000, None, 1.0, 2, 700 + s), True),
    "aniso_4": (lambda s: _blobs(800, None, 0.8, 2, 800 + s, [[1.0, 0.9], [0.2, 0.4]]), True),
    "moons_noisy": (lambda s: _moons(1000, 0.12, 900 + s), True),
    "circles_noisy": (lambda s: _circles(800, 0.4, 0.08, 1000 + s), True),
})

# Held out: never used to choose the defaults (only measured once they were fixed).
HELD_OUT = {
    "digits_5to9": (lambda s: _bundled("digits", "5to9"), True),
    "wine_minmax": (lambda s: _bundled("wine", None), "minmax"),
    "breast_cancer_minmax": (lambda s: _bundled("breast_cancer", None), "minmax"),
    "blobs_3d_unequal": (lambda s: _blobs([600, 300, 150, 80, 40], None,
                                          [2.0, 1.5, 1.0, 1.0, 0.5], 3, 1100 + s), True),
    "blobs_10d": (lambda s: _blobs(900, None, 3.0, 10, 1200 + s), True),
    "blobs_wide": (lambda s: _blobs(2000, None, 2.0, 2, 1300 + s), True),
    "aniso_3": (lambda s: _blobs(1500, None, 1.0, 2, 1400 + s, [[0.5, -0.8], [0.3, 0.9]]), True),
    "moons_small": (lambda s: _moons(300, 0.08, 1500 + s), True),
    "circles_big": (lambda s: _circles(3000, 0.6, 0.04, 1600 + s), True),
}

GROUPS = {"tune": TUNE, "heldout": HELD_OUT}
QUICK = ("iris", "wine", "blobs_varied")


def datasets(quick=False, group="tune", seed=0):
    """{name: (X, y)} of one group at one data seed (standardised where the group says)."""
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    sets = {k: v for k, v in GROUPS[group].items() if not quick or k in QUICK}
    out = {}
    for name, (make, standardise) in sets.items():
        X, y = make(seed)
        if standardise == "minmax":
            X = MinMaxScaler().fit_transform(X)
        elif standardise:
            X = StandardScaler().fit_transform(X)
        out[name] = (np.asarray(X, np.float64), np.asarray(y))
    return out


def _leiden(X, seed=0):
    import igraph as ig
    import leidenalg

    g = knn_graph(X)
    local = ~g.lifted
    graph = ig.Graph(n=X.shape[0], edges=g.edges[local].tolist())
    part = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition,
                                    weights=g.probabilities[local].tolist(), seed=seed)
    return np.array(part.membership)


def methods():
    """{name: (label_free, fit(X, k, seed) -> labels)}; a missing peer library skips its row."""
    from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans, SpectralClustering

    out = {
        "GASP() (defaults)": (True, lambda X, k, s: GASP().fit_predict(X)),
        "GASP(far_selection='random', seed=s)": (
            True, lambda X, k, s: GASP(far_selection="random", seed=s).fit_predict(X)),
        "GASP(n_clusters=k)": (False, lambda X, k, s: GASP(n_clusters=k).fit_predict(X)),
        "HDBSCAN": (True, lambda X, k, s: HDBSCAN().fit_predict(X)),
        "spectral (k given)": (False, lambda X, k, s: SpectralClustering(
            n_clusters=k, affinity="nearest_neighbors", random_state=s).fit_predict(X)),
        "ward (k given)": (False, lambda X, k, s: AgglomerativeClustering(n_clusters=k)
                           .fit_predict(X)),
        "KMeans (k given)": (False, lambda X, k, s: KMeans(n_clusters=k, n_init=10,
                                                           random_state=s).fit_predict(X)),
    }
    try:
        import igraph  # noqa: F401
        import leidenalg  # noqa: F401
    except ImportError:
        print("leidenalg / igraph not installed: Leiden skipped (pip install gasp_graph[bench])",
              file=sys.stderr)
    else:
        out["Leiden on the kNN graph"] = (True, lambda X, k, s: _leiden(X, seed=s))
    return out


def _per_seed(data):
    """A list of {name: (X, y)}, one per seed (a single dict is seed 0)."""
    return [data] if isinstance(data, dict) else list(data)


def measure(data, meths):
    """{method: {dataset: (ari, nmi, cpu_seconds, clusters found)}}, means over the seeds.

    ``data`` is ``{name: (X, y)}`` (one seed) or a list of them, one per seed ``s``; method fits
    get ``s`` as their seed.  ``clusters found`` is a number, or ``"a-b"`` when it varies.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    per_seed = _per_seed(data)
    res = {}
    for mname, (_, fit) in meths.items():
        for dname in per_seed[0]:
            runs = []
            for s, sets in enumerate(per_seed):
                X, y = sets[dname]
                k = len(np.unique(y))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # peers' convergence / connectivity warnings
                    t0 = time.process_time()
                    labels = np.asarray(fit(X, k, s))
                    cpu = time.process_time() - t0
                runs.append((adjusted_rand_score(y, labels),
                             normalized_mutual_info_score(y, labels), cpu,
                             len(np.unique(labels))))
            a, b, c, d = zip(*runs)
            res.setdefault(mname, {})[dname] = (
                float(np.mean(a)), float(np.mean(b)), float(np.mean(c)),
                f"{min(d)}-{max(d)}" if min(d) < max(d) else d[0])
    return res


def report(data, meths, res):
    per_seed = _per_seed(data)
    names = list(per_seed[0])
    lines = ["| method | " + " | ".join(names) + " | mean ARI | mean NMI | CPU s |",
             "|---|" + "---|" * (len(names) + 3)]
    for mname in res:
        row = res[mname]
        cells = [f"{row[d][0]:.2f} ({row[d][3]})" for d in names]
        ari = np.mean([row[d][0] for d in names])
        nmi = np.mean([row[d][1] for d in names])
        cpu = sum(row[d][2] for d in names)
        tag = "" if meths[mname][0] else " *"
        lines.append(f"| {mname}{tag} | " + " | ".join(cells)
                     + f" | {ari:.3f} | {nmi:.3f} | {cpu:.2f} |")
    lines.append("")
    lines.append(f"Cells: ARI (clusters found), mean over {len(per_seed)} seed(s) of the data "
                 "and of the methods.  * = told the true number of clusters k.  CPU s: the fits "
                 "on all sets, per seed.")
    mean = {m: np.mean([res[m][d][0] for d in names]) for m in res}
    hdb, spec = mean["HDBSCAN"], mean["spectral (k given)"]
    lines.append("")
    for m in (m for m in res if m.startswith("GASP(") and meths[m][0]):
        g = mean[m]
        lines.append(f"{m}: mean ARI {g:.3f}; target 1 (>= HDBSCAN {hdb:.3f} + "
                     f"{TARGET_OVER_HDBSCAN} = {hdb + TARGET_OVER_HDBSCAN:.3f}) "
                     + ("met" if g >= hdb + TARGET_OVER_HDBSCAN else "MISSED")
                     + f"; target 2 (>= spectral told k {spec:.3f} - {TARGET_BELOW_SPECTRAL} = "
                     f"{spec - TARGET_BELOW_SPECTRAL:.3f}) "
                     + ("met" if g >= spec - TARGET_BELOW_SPECTRAL else "MISSED"))
    return "\n".join(lines)


# The candidate defaults compared by --sweep (label-free GASP only, mean ARI over the sets).
# "_modularity_fraction" sets the candidate threshold of the persistence criterion (a module
# constant, not a parameter).
SWEEP = [
    {},
    {"far_selection": "random"},
    {"_modularity_fraction": 0.5},
    {"_modularity_fraction": 0.5, "far_selection": "random"},
    {"_modularity_fraction": 0.1},
    {"n_neighbors": 30},
    {"n_neighbors": 50},
    {"far_pairs": 30},
    {"far_pairs": 80},
    {"similarity": "mean"},
    {"beta_criterion": "modularity"},
]


def _gasp_with(params, X, seed):
    from gasp_graph import points as gp

    params = dict(params)
    fraction = params.pop("_modularity_fraction", gp._MODULARITY_FRACTION)
    saved, gp._MODULARITY_FRACTION = gp._MODULARITY_FRACTION, fraction
    try:
        return GASP(seed=seed, **params).fit_predict(X)
    finally:
        gp._MODULARITY_FRACTION = saved


def sweep(data):
    """Mean ARI of each candidate over the data sets and the seeds (data seed = GASP seed)."""
    from sklearn.metrics import adjusted_rand_score

    per_seed = _per_seed(data)
    names = list(per_seed[0])
    lines = ["| GASP parameters | " + " | ".join(names) + " | mean ARI |",
             "|---|" + "---|" * (len(names) + 1)]
    for params in SWEEP:
        scores = [np.mean([adjusted_rand_score(sets[n][1], _gasp_with(params, sets[n][0], s))
                           for s, sets in enumerate(per_seed)])
                  for n in names]
        lines.append(f"| {params or 'defaults'} | " + " | ".join(f"{v:.2f}" for v in scores)
                     + f" | {np.mean(scores):.3f} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="three small data sets, two seeds")
    ap.add_argument("--group", choices=["tune", "heldout", "all"], default="all",
                    help="the sets used to choose the defaults, the held-out ones, or both")
    ap.add_argument("--seeds", type=int, default=N_SEEDS, help="seeds 0..N-1 (default 5)")
    ap.add_argument("--sweep", action="store_true",
                    help="compare GASP's candidate defaults on the tuning sets")
    ap.add_argument("--out", help="also write the report to this file")
    args = ap.parse_args(argv)
    n_seeds = 2 if args.quick else args.seeds
    if args.sweep:
        text = sweep([datasets(args.quick, "tune", s) for s in range(n_seeds)])
    else:
        meths = methods()
        groups = ["tune", "heldout"] if args.group == "all" else [args.group]
        if args.quick:
            groups = ["tune"]
        parts = []
        for group in groups:
            data = [datasets(args.quick, group, s) for s in range(n_seeds)]
            title = {"tune": "Sets used to choose the defaults",
                     "heldout": "Held-out sets (not used to choose the defaults)"}[group]
            parts.append(f"## {title}\n\n" + report(data, meths, measure(data, meths)))
        text = "\n\n".join(parts)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
