"""
From an image to segments
=========================

The whole image pipeline on scikit-image's bundled ``coins`` photograph: affinities made from
the image itself (:func:`~gasp_graph.affinities.boundary_affinities`), the pre-merge of the
pixels far from any boundary (:func:`~gasp_graph.affinities.pre_merge`), GASP with average
linkage on the region graph of the pre-merged superpixels, and the seeded-watershed clean-up of
segments under 50 pixels.  Affinities predicted by a trained network would separate the coins
from their own relief far better; these only look at intensity steps.

Run it as a script to write the figure to a file: ``python plot_image_pipeline.py out.png``.
"""
import sys

import matplotlib.pyplot as plt
import numpy as np
from skimage import data

from gasp_graph.affinities import boundary_affinities, pre_merge, segment
from gasp_graph.metrics import match_labels

# Direct neighbours (they can merge two segments) and long-range offsets (lifted edges: they
# only add attraction or repulsion).  affinities[k, p] links pixel p and p + offsets[k].
OFFSETS = [[-1, 0], [0, -1], [-4, 0], [0, -4], [-4, -4], [4, -4], [-12, 0], [0, -12]]


def random_colours(labels, seed=0):
    """One random colour per label, black for label 0."""
    colours = np.random.default_rng(seed).uniform(0.2, 1.0, size=(labels.max() + 1, 3))
    colours[0] = 0.0
    return colours[labels]


def main(out=None):
    image = data.coins().astype(float)
    affinities = boundary_affinities(image, OFFSETS, sigma=2.0)
    superpixels = pre_merge(affinities, OFFSETS)
    raw = segment(affinities, OFFSETS, beta=0.2, superpixels=superpixels)
    clean = segment(affinities, OFFSETS, beta=0.2, superpixels=superpixels, min_size=50,
                    cleanup="watershed")

    # One colouring for the three label images: the superpixels and the cleaned segments take the
    # colours of the GASP segments they match, so what the clean-up changed stands out.
    panels = [
        ("image", image, "gray"),
        ("affinities (direct neighbours, min)", affinities[:2].min(axis=0), "gray"),
        (f"pre-merge: {superpixels.max()} superpixels\nfor {image.size} pixels",
         random_colours(match_labels(superpixels, raw)), None),
        (f"GASP average: {raw.max()} segments", random_colours(raw), None),
        (f"watershed clean-up (50 px):\n{clean.max()} segments",
         random_colours(match_labels(clean, raw)), None),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 3.4))
    for ax, (title, img, cmap) in zip(axes, panels):
        ax.imshow(img, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    if out is not None:
        fig.savefig(out, dpi=72)
    return fig


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    if len(sys.argv) == 1:
        plt.show()
