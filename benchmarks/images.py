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
    python benchmarks/images.py --volume       # 32x256x256, 12 offsets, 10 % long range:
                                               # edges, peak memory and time per linkage
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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


def _rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def volume_worker(path, method):
    z = np.load(path)
    affs, gt = z["affs"], z["gt"]
    base = _rss_mb()
    t = time.perf_counter()
    c = time.process_time()
    if method == "mwatershed":
        import mwatershed

        # the same 10 % sampling of long-range edges: random strides of probability 1/10
        strides = [[1, 1, 1] if sum(map(abs, o)) == 1 else [10, 1, 1] for o in OFFSETS_3D]
        seg = relabel_mwatershed(
            mwatershed.agglom(affs - 0.5, OFFSETS_3D, strides=strides, randomized_strides=True)
        )
    else:
        linkage, _, cl = method.partition("+")
        seg = segment(affs, OFFSETS_3D, linkage=linkage, cannot_link=bool(cl),
                      long_range_fraction=0.1, seed=0)
    dt = time.perf_counter() - t
    cpu = time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    arand, split, merge = score(seg, gt)
    print(json.dumps(dict(method=method, time=dt, cpu=cpu, base_mb=base, peak_mb=peak,
                          n_segments=len(np.unique(seg)), arand=arand, vi_split=split,
                          vi_merge=merge)))


def run_volume(seed, k, methods):
    rng = np.random.default_rng(seed)
    gt = planted_segmentation(VOLUME_SHAPE, 400, rng, anisotropy=(4, 1, 1))
    affs = noisy_affinities(gt, OFFSETS_3D, k, "merge", rng)
    g = grid_graph(VOLUME_SHAPE, OFFSETS_3D, long_range_fraction=0.1, seed=0)
    n_local = int((~g.lifted).sum())
    n_long = int(g.lifted.sum())
    del g
    lines = [
        f"\n### Volume {VOLUME_SHAPE[0]}x{VOLUME_SHAPE[1]}x{VOLUME_SHAPE[2]}, "
        f"{len(OFFSETS_3D)} offsets (3 direct, 9 long-range at 10 %), merge-biased noise K = {k}\n",
        f"Pixels: {int(np.prod(VOLUME_SHAPE))}; edges: {n_local + n_long} "
        f"({n_local} direct, {n_long} long-range); ground truth: {int(gt.max())} cells.\n",
        "Peak RSS of a fresh process that loads the float64 affinities "
        f"({affs.nbytes / 2**20:.0f} MiB) and segments them once; 'extra' = peak minus RSS after "
        "loading.\n",
        "| method | CPU (s) | wall (s) | peak RSS (MiB) | extra (MiB) | segments | ARAND "
        "| VI split | VI merge |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "volume.npz")
        np.savez(path, affs=affs, gt=gt)
        del affs
        for m in methods:
            res = subprocess.run([sys.executable, __file__, "--volume-worker", m, path],
                                 check=True, capture_output=True, text=True)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            lines.append(
                f"| {m} | {r['cpu']:.2f} | {r['time']:.2f} | {r['peak_mb']:.0f} "
                f"| {r['peak_mb'] - r['base_mb']:.0f} | {r['n_segments']} | {r['arand']:.3f} "
                f"| {r['vi_split']:.2f} | {r['vi_merge']:.2f} |"
            )
            print(f"  done {m}", file=sys.stderr)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--small", action="store_true", help="small sizes and few K (< 1 minute)")
    ap.add_argument("--volume", action="store_true", help="the 32x256x256 volume report")
    ap.add_argument("--volume-worker", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=float, default=2.0, help="noise strength K of --volume")
    args = ap.parse_args(argv)

    if args.volume_worker:
        volume_worker(args.volume_worker[1], args.volume_worker[0])
        return
    if args.volume:
        methods = [lk for lk in LINKAGES] + [lk + "+cl" for lk in LINKAGES] + ["mwatershed"]
        print(run_volume(args.seed, args.k, methods))
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
