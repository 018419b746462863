"""Draw the dendrogram figure of the user guide (docs/gallery/dendrogram.png).

A small signed graph with three planted groups: every pair of nodes is joined by an edge whose
weight is positive inside a group and negative between groups, with 15 % of the signs flipped.
The merge tree of average-linkage GASP is drawn with scipy's dendrogram; the axis shows linkage
values, and the dashed line is the cut that plain GASP makes (threshold 0).

    python docs/gallery/make_dendrogram.py      # needs matplotlib and scipy
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from scipy.cluster.hierarchy import dendrogram

from gasp_graph import agglomerate

rng = np.random.default_rng(3)
group = np.repeat([0, 1, 2], [5, 6, 5])
n = group.size
iu, ju = np.triu_indices(n, 1)
edges = np.stack([iu, ju], axis=1)
sign = np.where(group[iu] == group[ju], 1.0, -1.0)
sign[rng.random(sign.size) < 0.15] *= -1
weights = sign * rng.uniform(0.2, 1.0, sign.size)

tree = agglomerate(edges, weights, linkage="average")
Z = tree.to_linkage()  # distance = heights[0] - linkage value (non-increasing heights here)
top = tree.heights[0]

fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100)
dendrogram(Z, ax=ax, labels=[f"{i}" for i in range(n)], color_threshold=top - 0.0,
           above_threshold_color="0.55")
ax.axhline(top - 0.0, color="k", ls="--", lw=1)
ax.text(0.01, top, "threshold 0 (plain GASP)", transform=ax.get_yaxis_transform(),
        va="bottom", ha="left", fontsize=8)
lowest = top - Z[:, 2].max()
ticks = [t for t in MaxNLocator(6).tick_values(lowest, top) if lowest <= t <= top]
ax.set_yticks([top - t for t in ticks])
ax.set_yticklabels([f"{t + 0.0:g}" for t in ticks])
ax.set_ylabel("linkage value W")
ax.set_xlabel("node (groups: 0-4, 5-10, 11-15)")
ax.set_title("Average-linkage GASP merge tree", fontsize=10)
fig.tight_layout()
out = Path(__file__).with_name("dendrogram.png")
fig.savefig(out)
print(f"wrote {out} ({out.stat().st_size // 1024} kB); clusters at threshold 0: {tree.labels()}")
