"""Benchmark: GASP on synthetic affinities with spatially correlated noise, against mwatershed.

Planted segmentations (Voronoi cells, 2D and 3D) give exact affinities (1 = same cell) for a
list of short- and long-range offsets.  Their logits ``F = +-f`` (plus a little white jitter)
are corrupted as in the GASP paper (Bailoni et al., CVPR 2022, Sec. 5) with smooth noise ``N``
of standard deviation 1 (several octaves of Gaussian-filtered white noise, a Perlin-type noise),
drawn independently for every offset channel:

    merge-biased:  F + |K * max(N, 0)|        split-biased:  F - |K * max(-N, 0)|

For every noise form, every K and every linkage with and without cannot-link constraints, GASP
(:func:`gasp_graph.affinities.segment`, ``local_merge=True``) is scored with the adapted Rand
error and the variation of information; the mutex watershed of ``mwatershed`` (PyPI) runs on the
same affinities (``affinities - 0.5``, every edge mergeable) for speed and quality side by side.
Output: markdown on stdout.  Times are CPU seconds of the calling process
(``time.process_time``), which are robust to a busy machine; mwatershed is single-threaded.

    python benchmarks/images.py --small        # < 1 minute
    python benchmarks/images.py                # the full grid (several minutes)
    python benchmarks/images.py --volume       # 32x256x256, 12 offsets, every edge: CPU
        [--repeat 3] [--only PATTERNS]         # time and memory per edge of every linkage
                                               # and of mwatershed / affogato (if installed)
    python benchmarks/images.py --noise        # the paper's noise experiment (Fig. 4): 30
        [--figure docs/gallery/noise.png]      # noise samples per K, median and quartiles
                                               # per method (about 6 CPU minutes)
    python benchmarks/images.py --pre-merge    # pre-merge vs pixel-level GASP: nodes, edges,
                                               # CPU time, peak memory, ARAND / VI change

The noise experiment follows the supplementary Sec. 8.6 of the paper: one planted volume
(8 x 48 x 48 voxels, anisotropic cells, the 12 offsets below), merge- and split-biased noise of
strength K, a fresh noise sample for every one of the 30 repetitions; every GASP linkage with and
without cannot-link constraints and the mutex watershed of mwatershed run on the same affinities.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from gasp_graph.affinities import grid_graph, segment
from gasp_graph.metrics import adapted_rand_error, variation_of_information

LINKAGES = ["sum", "average", "max", "min", "abs_max"]

OFFSETS_2D = [[-1, 0], [0, -1], [-3, 0], [0, -3], [-3, -3], [3, -3], [-9, 0], [0, -9]]
OFFSETS_3D = [
    [-1, 0, 0], [0, -1, 0], [0, 0, -1],
    [-2, 0, 0], [0, -3, 0], [0, 0, -3],
    [-1, -3, -3], [-1, 3, -3], [0, -9, 0], [0, 0, -9], [-4, 0, 0], [-2, -9, -9],
]


# ------------------------------------------------------------------------------------------
# Synthetic data
# ------------------------------------------------------------------------------------------

def planted_segmentation(shape, n_cells, rng, anisotropy=None):
    """Voronoi cells of ``n_cells`` random seeds (labels 1..n_cells); convex, hence connected."""
    from scipy import ndimage

    seeds = np.ones(shape, dtype=bool)
    flat = rng.choice(seeds.size, size=n_cells, replace=False)
    seeds.ravel()[flat] = False
    labels = np.zeros(shape, dtype=np.int64)
    labels.ravel()[flat] = np.arange(1, n_cells + 1)
    _, idx = ndimage.distance_transform_edt(seeds, sampling=anisotropy, return_indices=True)
    return labels[tuple(idx)]


def smooth_noise(shape, rng, scales=(2.0, 4.0, 8.0)):
    """Perlin-type noise: octaves of Gaussian-filtered white noise (amplitude ~ scale), scaled to
    standard deviation 1."""
    from scipy import ndimage

    out = np.zeros(shape)
    for s in scales:
        layer = ndimage.gaussian_filter(rng.standard_normal(shape), s, mode="wrap")
        out += s * layer / layer.std()
    return out / out.std()


def noisy_affinities(gt, offsets, k, form, rng, f=3.0, jitter=0.5):
    """Affinities (n_offsets, *shape): sigmoid of +-f (same/different cell), jitter and noise."""
    shape = gt.shape
    affs = np.empty((len(offsets),) + shape, dtype=np.float64)
    for c, o in enumerate(offsets):
        partner = np.roll(gt, [-x for x in o], axis=tuple(range(gt.ndim)))  # gt[p + o]
        logits = np.where(gt == partner, f, -f) + jitter * rng.standard_normal(shape)
        if k:
            n = smooth_noise(shape, rng)
            if form == "merge":
                logits += np.abs(k * np.maximum(n, 0))
            else:
                logits -= np.abs(k * np.maximum(-n, 0))
        affs[c] = 1.0 / (1.0 + np.exp(-logits))
    return affs


def relabel_mwatershed(labels):
    """mwatershed gives unmerged pixels label 0: make each of them its own segment."""
    out = labels.astype(np.int64).ravel()
    zero = out == 0
    out[zero] = out.max() + 1 + np.arange(zero.sum())
    return out.reshape(labels.shape)


# ------------------------------------------------------------------------------------------
# Quality benchmark
# ------------------------------------------------------------------------------------------

def score(seg, gt):
    split, merge = variation_of_information(seg, gt)
    return adapted_rand_error(seg, gt), split, merge


def run_quality(datasets, ks, forms, linkages, seed):
    import mwatershed

    rows = []
    for name, gt, offsets in datasets:
        for form in forms:
            for k in ks:
                rng = np.random.default_rng([seed, int(10 * k), forms.index(form)])
                affs = noisy_affinities(gt, offsets, k, form, rng)
                for linkage in linkages:
                    for cl in (False, True):
                        t = time.process_time()
                        seg = segment(affs, offsets, linkage=linkage, cannot_link=cl)
                        dt = time.process_time() - t
                        rows.append((name, form, k, f"GASP {linkage}" + (" +CL" if cl else ""),
                                     dt, int(seg.max()), *score(seg, gt)))
                t = time.process_time()
                mws = mwatershed.agglom(affs - 0.5, offsets)
                dt = time.process_time() - t
                mws = relabel_mwatershed(mws)
                rows.append((name, form, k, "mwatershed", dt, len(np.unique(mws)), *score(mws, gt)))
                print(f"  done {name} {form} K={k}", file=sys.stderr)
    return rows


def markdown(rows, ks):
    out = []
    keys = sorted({(r[0], r[1]) for r in rows}, key=lambda x: (x[0], x[1]))
    methods = list(dict.fromkeys(r[3] for r in rows))
    table = {(r[0], r[1], r[2], r[3]): r for r in rows}
    for name, form in keys:
        out.append(f"\n### {name}, {form}-biased noise\n")
        out.append(
            "Adapted Rand error / VI (split + merge, bits) / CPU time (s); lower is better.\n"
        )
        out.append("| method | " + " | ".join(f"K = {k}" for k in ks) + " |")
        out.append("|---|" + "---|" * len(ks))
        for m in methods:
            cells = []
            for k in ks:
                r = table[(name, form, k, m)]
                cells.append(f"{r[6]:.3f} / {r[7]:.2f}+{r[8]:.2f} / {r[4]:.2f}")
            out.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# Large volume: edges, peak memory, time per method (one subprocess per method)
# ------------------------------------------------------------------------------------------

VOLUME_SHAPE = (32, 256, 256)


def _rss_mb(field="VmRSS:"):
    """Resident memory of this process (or, with ``"VmHWM:"``, its peak) in MiB.

    The peak is read from /proc (the memory map's high-water mark, which starts afresh in an
    exec'd worker), not from ``ru_maxrss``, which Linux carries over from the parent process
    through fork and exec.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


# Methods of --volume: (label, what runs).  Every row segments the same affinities with every
# edge of the 12 offsets (no sampling): the mutex-watershed rows let every edge merge (the
# problem mwatershed and affogato solve), the "+lifted" rows are GASP with the long-range edges
# lifted (local_merge=True).  "(edge list)" rows build grid_graph's explicit edge list and run
# gasp() on it: the engine path segment() used before it took the grid directly.
VOLUME_METHODS = (
    ["gasp_graph MWS", "gasp_graph MWS (edge list)"]
    + [f"gasp_graph {lk}+lifted" for lk in LINKAGES]
    + ["gasp_graph abs_max+cl+lifted", "gasp_graph average+lifted (edge list)",
       "mwatershed", "affogato"]
)


def _volume_call(method, affs):
    """(the zero-argument call that segments affs, None or the package missing)."""
    if method == "mwatershed":
        try:
            import mwatershed
        except ImportError:
            return None
        signed = affs.astype(np.float64) - 0.5  # its input: signed float64, built before timing
        return lambda: relabel_mwatershed(mwatershed.agglom(signed, OFFSETS_3D))
    if method == "affogato":
        try:
            from affogato.segmentation import compute_mws_segmentation_from_signed_affinities
        except ImportError:
            return None
        signed = affs - np.float32(0.5)
        return lambda: compute_mws_segmentation_from_signed_affinities(signed, OFFSETS_3D)
    name = method[len("gasp_graph "):]
    edge_list = name.endswith(" (edge list)")
    name = name.replace(" (edge list)", "")
    if name == "MWS":
        kw = dict(linkage="abs_max", cannot_link=True, local_merge=False)
    else:
        linkage, *flags = name.split("+")
        kw = dict(linkage=linkage, cannot_link="cl" in flags, local_merge=True)
    if not edge_list:
        return lambda: segment(affs, OFFSETS_3D, **kw)
    from gasp_graph import gasp, signed_weights

    def explicit():
        g = grid_graph(affs.shape[1:], OFFSETS_3D)
        w = signed_weights(g.gather(affs))
        lifted = g.lifted if kw["local_merge"] else None
        labels = gasp(g.edges, w, n_nodes=g.n_nodes, linkage=kw["linkage"],
                      cannot_link=kw["cannot_link"], lifted=lifted)
        return labels.reshape(affs.shape[1:]) + 1

    return explicit


def volume_worker(path, method, repeat):
    """Segment the volume of ``path`` with ``method`` ``repeat`` times in this fresh process;
    print one JSON line: best CPU time, the peak memory of the first call above the RSS before
    it (the affinities and the method's prepared input are already resident), the partition."""
    z = np.load(path)
    affs, gt = z["affs"], z["gt"]
    call = _volume_call(method, affs)
    if call is None:
        print(json.dumps(dict(method=method, missing=True)))
        return
    cpus, walls, seg, extra = [], [], None, None
    for i in range(repeat):
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak (VmHWM) to the current RSS
        base = _rss_mb()
        t, c = time.perf_counter(), time.process_time()
        out = call()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        if i == 0:
            extra = _rss_mb("VmHWM:") - base
            seg = out
        del out
    np.save(path + f".{VOLUME_METHODS.index(method)}.npy", seg)
    arand, split, merge = score(seg, gt)
    print(json.dumps(dict(method=method, cpu=min(cpus), cpus=cpus, time=min(walls),
                          extra_mb=extra, n_segments=len(np.unique(seg)), arand=arand,
                          vi_split=split, vi_merge=merge)))


def run_volume(seed, k, methods, repeat):
    from metrics import adjusted_rand_index, same_partition

    rng = np.random.default_rng(seed)
    gt = planted_segmentation(VOLUME_SHAPE, 400, rng, anisotropy=(4, 1, 1))
    affs = noisy_affinities(gt, OFFSETS_3D, k, "merge", rng).astype(np.float32)
    g = grid_graph(VOLUME_SHAPE, OFFSETS_3D)
    n_local, n_long = int((~g.lifted).sum()), int(g.lifted.sum())
    m = n_local + n_long
    del g
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "volume.npz")
        np.savez(path, affs=affs, gt=gt)
        del affs
        for meth in methods:
            res = subprocess.run([sys.executable, __file__, "--volume-worker", meth, path,
                                  "--repeat", str(repeat)],
                                 check=True, capture_output=True, text=True)
            results.append(json.loads(res.stdout.strip().splitlines()[-1]))
            print(f"  done {meth}", file=sys.stderr)
        labels = {r["method"]: np.load(path + f".{VOLUME_METHODS.index(r['method'])}.npy")
                  for r in results if not r.get("missing")}
    ref = labels.get("gasp_graph MWS")
    ref_cpu = {r["method"]: r["cpu"] for r in results if not r.get("missing")}
    mws_cpu = ref_cpu.get("gasp_graph MWS")
    lines = [
        f"\n### Volume {VOLUME_SHAPE[0]}x{VOLUME_SHAPE[1]}x{VOLUME_SHAPE[2]}, "
        f"{len(OFFSETS_3D)} offsets, every edge, merge-biased noise K = {k}\n",
        f"Pixels: {int(np.prod(VOLUME_SHAPE))}; edges: {m} ({n_local} direct, {n_long} "
        f"long-range); float32 affinities ({4 * m / 2**20:.0f} MiB over the edges, "
        f"{4 * len(OFFSETS_3D) * int(np.prod(VOLUME_SHAPE)) / 2**20:.0f} MiB in all); ground "
        f"truth: {int(gt.max())} cells.\n",
        f"CPU: best of {repeat} calls in a fresh process per method (time.process_time); "
        "extra: peak RSS of the first call minus RSS before it, and per edge (B/edge); "
        "agreement with gasp_graph MWS: same partition, else the adjusted Rand index.\n",
        "| method | CPU (s) | x gasp_graph MWS | extra (MiB) | B/edge | segments | agreement "
        "| ARAND | VI split | VI merge |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.get("missing"):
            lines.append(f"| {r['method']} | missing | | | | | | | | |")
            continue
        agree = "—"
        if ref is not None and r["method"] != "gasp_graph MWS" and (
                "MWS" in r["method"] or r["method"] in ("mwatershed", "affogato")):
            lab = labels[r["method"]]
            agree = ("exact" if same_partition(lab, ref)
                     else f"ARI {adjusted_rand_index(lab.ravel(), ref.ravel()):.6f}")
        ratio = f"{r['cpu'] / mws_cpu:.2f}" if mws_cpu else "—"
        lines.append(
            f"| {r['method']} | {r['cpu']:.2f} | {ratio} | {r['extra_mb']:.0f} "
            f"| {r['extra_mb'] * 2**20 / m:.1f} | {r['n_segments']} | {agree} | {r['arand']:.3f} "
            f"| {r['vi_split']:.2f} | {r['vi_merge']:.2f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# The paper's noise experiment (supplementary Sec. 8.6, Fig. 4)
# ------------------------------------------------------------------------------------------

NOISE_SHAPE = (8, 48, 48)
NOISE_KS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
NOISE_METHODS = [f"GASP {lk}" + cl for lk in LINKAGES for cl in ("", " +CL")] + ["mwatershed"]


def noise_methods(mws=True):
    """(name, function(affs, offsets) -> labels) of every method of the noise experiment."""
    out = []
    for lk in LINKAGES:
        for cl in (False, True):
            out.append((f"GASP {lk}" + (" +CL" if cl else ""),
                        lambda a, o, lk=lk, cl=cl: segment(a, o, linkage=lk, cannot_link=cl)))
    if mws:
        import mwatershed

        out.append(("mwatershed",
                    lambda a, o: relabel_mwatershed(mwatershed.agglom(a - 0.5, o))))
    return out


def run_noise(shape=NOISE_SHAPE, n_cells=12, ks=NOISE_KS, n_samples=30, seed=0, mws=True,
              offsets=None):
    """Rows (form, K, sample, method, ARAND, VI split, VI merge, CPU s) of the experiment."""
    offsets = OFFSETS_3D if offsets is None else offsets
    gt = planted_segmentation(shape, n_cells, np.random.default_rng(seed),
                              anisotropy=(4, 1, 1) if len(shape) == 3 else None)
    methods = noise_methods(mws)
    rows = []
    for form in ("merge", "split"):
        for k in ks:
            for i in range(n_samples):
                rng = np.random.default_rng([seed, int(10 * k), ("merge", "split").index(form), i])
                affs = noisy_affinities(gt, offsets, k, form, rng)
                for name, fn in methods:
                    t = time.process_time()
                    seg = fn(affs, offsets)
                    dt = time.process_time() - t
                    rows.append((form, k, i, name, *score(seg, gt), dt))
            print(f"  done {form} K={k}", file=sys.stderr)
    return rows


def noise_summary(rows):
    """{(form, K, method): (median, q25, q75) of ARAND and of VI = split + merge}."""
    groups = {}
    for form, k, _, m, arand, split, merge, _ in rows:
        groups.setdefault((form, k, m), []).append((arand, split + merge))
    out = {}
    for key, vals in groups.items():
        v = np.array(vals)
        out[key] = {name: tuple(np.percentile(v[:, j], [50, 25, 75]).tolist())
                    for j, name in enumerate(("arand", "vi"))}
    return out


def noise_markdown(summary, ks):
    methods = list(dict.fromkeys(k[2] for k in summary))
    lines = []
    for form in ("merge", "split"):
        lines.append(f"\n### {form}-biased noise: median ARAND [25 %, 75 %] over the samples\n")
        lines.append("| method | " + " | ".join(f"K = {k:g}" for k in ks) + " |")
        lines.append("|---|" + "---|" * len(ks))
        for m in methods:
            cells = []
            for k in ks:
                med, lo, hi = summary[(form, k, m)]["arand"]
                cells.append(f"{med:.3f} [{lo:.3f}, {hi:.3f}]")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append(f"\n{form}-biased noise, median VI (split + merge, bits):\n")
        lines.append("| method | " + " | ".join(f"K = {k:g}" for k in ks) + " |")
        lines.append("|---|" + "---|" * len(ks))
        for m in methods:
            lines.append(f"| {m} | " + " | ".join(
                f"{summary[(form, k, m)]['vi'][0]:.2f}" for k in ks) + " |")
    return "\n".join(lines)


def noise_figure(summary, ks, path):
    """Median and quartile band of ARAND and VI against K, one panel per noise form."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = dict(zip(LINKAGES, ["tab:purple", "tab:blue", "tab:green", "tab:orange", "tab:red"]))
    methods = list(dict.fromkeys(k[2] for k in summary))
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for col, form in enumerate(("merge", "split")):
        for row, metric in enumerate(("arand", "vi")):
            ax = axes[row, col]
            for m in methods:
                stats = np.array([summary[(form, k, m)][metric] for k in ks])
                if m == "mwatershed":
                    style = dict(color="black", linestyle=":", linewidth=1.8)
                else:
                    lk = m.split()[1]
                    style = dict(color=colors[lk], linestyle="--" if "+CL" in m else "-")
                ax.plot(ks, stats[:, 0], label=m, **style)
                ax.fill_between(ks, stats[:, 1], stats[:, 2], color=style["color"], alpha=0.08)
            ax.set_title(f"{form}-biased noise", fontsize=10)
            ax.set_ylabel("adapted Rand error" if metric == "arand" else "VI (bits)")
            if row == 1:
                ax.set_xlabel("noise strength K")
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7, ncol=2)
    fig.suptitle("GASP linkages under structured noise (median, band: 25-75 %)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


# ------------------------------------------------------------------------------------------
# Pre-merge against pixel-level GASP
# ------------------------------------------------------------------------------------------

def premerge_worker(path, method, threshold=0.4):
    """One pixel-level or pre-merged run in a fresh process: JSON with CPU, peak RSS, sizes,
    scores."""
    from gasp_graph.affinities import pre_merge

    z = np.load(path)
    affs, gt = z["affs"], z["gt"]
    offsets = z["offsets"].tolist()
    fraction = float(z["fraction"]) if z["fraction"] > 0 else None
    base = _rss_mb()
    c = time.process_time()
    extra = {}
    if method == "pixel":
        seg = segment(affs, offsets, long_range_fraction=fraction, seed=0)
    else:
        sp = pre_merge(affs, offsets, threshold=threshold)
        extra["premerge_cpu"] = time.process_time() - c
        seg = segment(affs, offsets, superpixels=sp, long_range_fraction=fraction, seed=0)
    cpu = time.process_time() - c
    peak = _rss_mb("VmHWM:")
    extra["nodes"] = int(gt.size) if method == "pixel" else int(sp.max())
    arand, split, merge = score(seg, gt)
    print(json.dumps(dict(method=method, cpu=cpu, base_mb=base, peak_mb=peak, arand=arand,
                          vi=split + merge, **extra)))


def run_premerge(seed, cases, threshold=0.4):
    """Markdown rows comparing pixel-level GASP (average) with pre-merge + GASP."""
    lines = [
        "| data | noise | pixels | nodes after pre-merge | reduction | CPU pixel (s) | "
        "CPU pre-merged (s) | peak extra MiB pixel | peak extra MiB pre-merged | ARAND pixel "
        "| ARAND pre-merged | VI pixel | VI pre-merged |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, gt, offsets, fraction, form, k in cases:
            rng = np.random.default_rng([seed, int(10 * k), ("merge", "split").index(form)])
            affs = noisy_affinities(gt, offsets, k, form, rng)
            path = os.path.join(tmp, "case.npz")
            np.savez(path, affs=affs, gt=gt, offsets=np.array(offsets), fraction=fraction or 0.0)
            del affs
            res = {}
            for method in ("pixel", "premerge"):
                out = subprocess.run([sys.executable, __file__, "--premerge-worker", method, path,
                                      "--threshold", str(threshold)],
                                     check=True, capture_output=True, text=True)
                res[method] = json.loads(out.stdout.strip().splitlines()[-1])
            p, q = res["pixel"], res["premerge"]
            lines.append(
                f"| {name} | {form} K={k:g} | {p['nodes']} | {q['nodes']} | "
                f"{p['nodes'] / q['nodes']:.1f}x | {p['cpu']:.2f} | {q['cpu']:.2f} "
                f"({q['premerge_cpu']:.2f} pre-merge) | {p['peak_mb'] - p['base_mb']:.0f} | "
                f"{q['peak_mb'] - q['base_mb']:.0f} | {p['arand']:.4f} | {q['arand']:.4f} | "
                f"{p['vi']:.3f} | {q['vi']:.3f} |"
            )
            print(f"  done {name} {form} K={k}", file=sys.stderr)
    return "\n".join(lines)


def premerge_figure(path, seed=0, k=2.0):
    """The pre-merge on a 2D case: ground truth, boundary map, superpixels, GASP on pixels and
    on the pre-merged region graph."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gasp_graph.affinities import boundary_map, pre_merge

    rng = np.random.default_rng(seed)
    gt = planted_segmentation((160, 160), 25, rng)
    affs = noisy_affinities(gt, OFFSETS_2D, k, "merge", rng)
    sp = pre_merge(affs, OFFSETS_2D)
    pixel = segment(affs, OFFSETS_2D)
    merged = segment(affs, OFFSETS_2D, superpixels=sp)

    def colours(labels):
        c = np.random.default_rng(1).uniform(0.15, 1.0, size=(labels.max() + 1, 3))
        return c[labels]

    panels = [
        ("ground truth", colours(gt)),
        ("boundary map", boundary_map(affs, OFFSETS_2D)),
        (f"pre-merge: {sp.max()} superpixels\n({gt.size} pixels)", colours(sp)),
        (f"GASP on pixels\nARAND {adapted_rand_error(pixel, gt):.4f}", colours(pixel)),
        (f"GASP on the superpixels\nARAND {adapted_rand_error(merged, gt):.4f}",
         colours(merged)),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 3.1))
    for ax, (title, img) in zip(axes, panels):
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=72)


def premerge_cases(seed, ks=(0.0, 1.0, 2.0, 3.0), large=True):
    """The cases of --pre-merge: the 2D and 3D volumes of the quality benchmark with merge- and
    split-biased noise of every strength in ``ks``, and the large volume (merge-biased, K = 2)."""
    rng = np.random.default_rng(seed)
    gt2 = planted_segmentation((256, 256), 80, rng)
    gt3 = planted_segmentation((24, 96, 96), 60, rng, anisotropy=(4, 1, 1))
    cases = []
    for form in ("merge", "split"):
        for k in ks:
            cases.append(("2D 256x256", gt2, OFFSETS_2D, None, form, k))
            cases.append(("3D 24x96x96", gt3, OFFSETS_3D, None, form, k))
    if large:
        big = planted_segmentation(VOLUME_SHAPE, 400, rng, anisotropy=(4, 1, 1))
        cases.append(("3D 32x256x256 (10 % long range)", big, OFFSETS_3D, 0.1, "merge", 2.0))
    return cases


# ------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--small", action="store_true", help="small sizes and few K (< 1 minute)")
    ap.add_argument("--volume", action="store_true", help="the 32x256x256 volume report")
    ap.add_argument("--volume-worker", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3, help="--volume: calls per method (best)")
    ap.add_argument("--only", help="--volume: comma-separated substrings of the methods to run")
    ap.add_argument("--noise", action="store_true", help="the paper's noise experiment (Fig. 4)")
    ap.add_argument("--samples", type=int, default=30, help="noise samples per K (--noise)")
    ap.add_argument("--figure", help="--noise, --pre-merge: write the figure (PNG) here")
    ap.add_argument("--json", help="--noise: write the raw rows (JSON) here")
    ap.add_argument("--pre-merge", action="store_true", help="pre-merge vs pixel-level GASP")
    ap.add_argument("--threshold", type=float, default=0.4, help="--pre-merge: the threshold")
    ap.add_argument("--ks", help="--pre-merge: comma-separated noise strengths (default 0,1,2,3)")
    ap.add_argument("--no-large", action="store_true", help="--pre-merge: skip the large volume")
    ap.add_argument("--premerge-worker", nargs=2, metavar=("METHOD", "PATH"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=float, default=2.0, help="noise strength K of --volume")
    args = ap.parse_args(argv)

    if args.volume_worker:
        volume_worker(args.volume_worker[1], args.volume_worker[0], max(1, args.repeat))
        return
    if args.premerge_worker:
        premerge_worker(args.premerge_worker[1], args.premerge_worker[0], args.threshold)
        return
    if args.pre_merge:
        print("## Pre-merge + GASP (average) against GASP on the pixel grid\n")
        print("CPU: time.process_time of a fresh process (pre-merge, region graph and GASP "
              "for the pre-merged runs); peak extra: peak RSS minus RSS after loading.\n")
        ks = (0.0, 1.0, 2.0, 3.0) if args.ks is None else tuple(map(float, args.ks.split(",")))
        if args.figure:
            premerge_figure(args.figure, args.seed)
        print(f"pre_merge(threshold={args.threshold})\n")
        print(run_premerge(args.seed, premerge_cases(args.seed, ks, not args.no_large),
                           args.threshold))
        return
    if args.noise:
        t = time.process_time()
        rows = run_noise(n_samples=args.samples, seed=args.seed)
        summary = noise_summary(rows)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(rows, fh)
        print(f"## Noise experiment: {NOISE_SHAPE} voxels, {args.samples} samples per K\n")
        print(noise_markdown(summary, NOISE_KS))
        print(f"\nTotal CPU time: {time.process_time() - t:.0f} s")
        if args.figure:
            noise_figure(summary, NOISE_KS, args.figure)
        return
    if args.volume:
        methods = VOLUME_METHODS
        if args.only:
            pats = [p.strip() for p in args.only.split(",") if p.strip()]
            methods = [m for m in methods if any(p in m for p in pats)]
        print(run_volume(args.seed, args.k, methods, max(1, args.repeat)))
        return

    rng = np.random.default_rng(args.seed)
    if args.small:
        datasets = [
            ("2D 64x64", planted_segmentation((64, 64), 12, rng), OFFSETS_2D),
            ("3D 8x32x32", planted_segmentation((8, 32, 32), 10, rng, anisotropy=(4, 1, 1)),
             OFFSETS_3D),
        ]
        ks = [0.0, 2.0]
    else:
        datasets = [
            ("2D 256x256", planted_segmentation((256, 256), 80, rng), OFFSETS_2D),
            ("3D 24x96x96", planted_segmentation((24, 96, 96), 60, rng, anisotropy=(4, 1, 1)),
             OFFSETS_3D),
        ]
        ks = [0.0, 1.0, 2.0, 3.0, 4.0]
    t = time.perf_counter()
    rows = run_quality(datasets, ks, ["merge", "split"], LINKAGES, args.seed)
    print("## GASP vs mutex watershed (mwatershed) on noisy synthetic affinities\n")
    print(f"Offsets 2D: {OFFSETS_2D}  \nOffsets 3D: {OFFSETS_3D}  \n"
          "GASP: `segment(affs, offsets, linkage=..., cannot_link=...)` (beta 0.5, linear weights, "
          "only direct neighbours merge); mwatershed: `agglom(affs - 0.5, offsets)` (every edge "
          "merges).  +CL = cannot-link constraints.")
    print(markdown(rows, ks))
    print(f"\nTotal wall time: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
