"""
Segmenting an image from noisy affinities: GASP and the mutex watershed
=======================================================================

A network for instance segmentation predicts, for every pixel ``p`` and every offset ``o`` of
a fixed list, the probability that ``p`` and ``p + o`` belong to the same object.
:func:`gasp_graph.affinities.segment` turns these *affinities* into a label image with GASP.

The data are made up here: a planted segmentation (the Voronoi cells of 25 random seeds) and
affinities that say "same object" or "different objects" with some confidence, blurred by
smooth noise that pushes them towards "same" in places (so that a careless method merges
neighbouring cells).  Average linkage is compared with the mutex watershed (``abs_max``
linkage, every edge mergeable), both computed by gasp_graph.

Every segmentation is drawn with the colours of the ground-truth cells it matches
(:func:`gasp_graph.metrics.match_labels`): identical segmentations look identical, and a cell
that is merged into a neighbour or split in two shows up as a change of colour.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage

from gasp_graph.affinities import segment
from gasp_graph.metrics import cremi_score, match_labels

rng = np.random.default_rng(3)
shape = (160, 160)

# the planted segmentation: every pixel takes the label of its nearest seed
seeds = np.ones(shape, dtype=bool)
at = rng.choice(seeds.size, size=25, replace=False)
seeds.ravel()[at] = False
seed_label = np.zeros(shape, dtype=np.int64)
seed_label.ravel()[at] = np.arange(1, 26)
_, nearest = ndimage.distance_transform_edt(seeds, return_indices=True)
gt = seed_label[tuple(nearest)]

# %%
# Affinities for the direct neighbours and a few long-range offsets: a logit of +-3 (same or
# different cell), pixel noise, and smooth noise that adds false "same object" evidence.

offsets = [[-1, 0], [0, -1], [-3, 0], [0, -3], [-3, -3], [3, -3], [-9, 0], [0, -9]]


def smooth_noise():
    out = sum(s * ndimage.gaussian_filter(rng.standard_normal(shape), s, mode="wrap")
              for s in (2.0, 4.0, 8.0))
    return out / out.std()


affinities = np.empty((len(offsets),) + shape)
padded = np.pad(gt, 9, constant_values=-1)  # -1: outside the image (those values are ignored)
for k, (dy, dx) in enumerate(offsets):
    partner = padded[9 + dy:9 + dy + shape[0], 9 + dx:9 + dx + shape[1]]  # gt[p + o]
    logit = np.where(gt == partner, 3.0, -3.0) + 0.5 * rng.standard_normal(shape)
    logit[partner < 0] = 3.0
    logit += 2.0 * np.maximum(smooth_noise(), 0)
    affinities[k] = 1 / (1 + np.exp(-logit))

average = segment(affinities, offsets, linkage="average")
mutex = segment(affinities, offsets, linkage="abs_max", local_merge=False)

# %%
# Scores against the planted segmentation (lower is better): the adapted Rand error and the
# variation of information (split + merge, in bits).

panels = [("ground truth", gt, None), ("GASP average", average, cremi_score(average, gt)),
          ("mutex watershed (abs_max)", mutex, cremi_score(mutex, gt))]
for title, _, score in panels[1:]:
    print(f"{title:28s} ARAND {score.adapted_rand:.3f}  VI {score.vi_split + score.vi_merge:.2f}")

palette = np.random.default_rng(0).uniform(0.25, 1.0, size=(512, 3))


def colour(labels):
    """One colour per label, the same in every panel (labels matched to the ground truth)."""
    return palette[match_labels(labels, gt) % len(palette)]


fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
axes[0].imshow(colour(gt), interpolation="nearest")
axes[0].set_title("ground truth", fontsize=8)
axes[1].imshow(affinities[:2].min(axis=0), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
axes[1].set_title("affinities (min of direct neighbours)", fontsize=8)
for ax, (title, labels, score) in zip(axes[2:], panels[1:]):
    ax.imshow(colour(labels), interpolation="nearest")
    ax.set_title(f"{title}\nARAND {score.adapted_rand:.3f}, "
                 f"VI {score.vi_split + score.vi_merge:.2f}", fontsize=8)
for ax in axes:
    ax.set_axis_off()
fig.tight_layout()
plt.show()
