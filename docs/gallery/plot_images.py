"""Gallery figure for docs/guide/images.rst: noisy 2D affinities, GASP and mutex watershed.

Regenerate with (needs matplotlib, scipy and mwatershed; the docs build itself does not):

    python docs/gallery/plot_images.py            # writes docs/gallery/images.png
"""
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))

from images import noisy_affinities, planted_segmentation, relabel_mwatershed

from gasp_graph.affinities import segment
from gasp_graph.metrics import cremi_score

OFFSETS = [[-1, 0], [0, -1], [-3, 0], [0, -3], [-3, -3], [3, -3], [-9, 0], [0, -9]]


def random_colors(labels, seed=0):
    rng = np.random.default_rng(seed)
    _, inv = np.unique(labels, return_inverse=True)
    colors = rng.uniform(0.15, 1.0, size=(inv.max() + 1, 3))
    return colors[inv.reshape(labels.shape)]


def main(out=HERE / "images.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mwatershed

    rng = np.random.default_rng(3)
    gt = planted_segmentation((160, 160), 25, rng)
    affs = noisy_affinities(gt, OFFSETS, 2.0, "merge", rng)
    gasp_seg = segment(affs, OFFSETS, linkage="average")
    mws = relabel_mwatershed(mwatershed.agglom(affs - 0.5, OFFSETS))

    panels = [
        ("ground truth", random_colors(gt), None),
        ("affinities (min of direct neighbours)", affs[:2].min(axis=0), "gray"),
        ("GASP average", random_colors(gasp_seg), cremi_score(gasp_seg, gt)),
        ("mutex watershed (mwatershed)", random_colors(mws), cremi_score(mws, gt)),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
    for ax, (title, img, extra) in zip(axes, panels):
        if extra == "gray":
            ax.imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        else:
            ax.imshow(img, interpolation="nearest")
        if extra is not None and extra != "gray":
            title += f"\nARAND {extra.adapted_rand:.3f}, VI {extra.vi_split + extra.vi_merge:.2f}"
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    print(f"wrote {out} ({out.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
