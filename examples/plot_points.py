"""
Clustering points without the number of clusters
================================================

``GASP().fit(X)`` on four generated point sets: blobs of varied density, two moons, two circles
and anisotropic blobs.  Every point is joined to its nearest neighbours (attraction) and to
random far points (repulsion); the bias that turns similarities into signed weights is chosen
without labels, from one merge tree, as the partition that persists over the widest range of
biases among those of good modularity.  The bottom row shows that choice: the criterion of every
distinct partition of the sweep against its number of clusters.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn import datasets
from sklearn.preprocessing import StandardScaler

from gasp_graph import GASP, knn_graph, select_beta

sets = {
    "blobs, varied density": datasets.make_blobs(
        n_samples=[300, 150, 100], centers=[[0, 0], [6, 0], [3, 5]],
        cluster_std=[1.5, 0.5, 1.0], random_state=170),
    "two moons": datasets.make_moons(n_samples=500, noise=0.06, random_state=0),
    "two circles": datasets.make_circles(n_samples=500, factor=0.5, noise=0.05, random_state=0),
    "anisotropic blobs": (
        datasets.make_blobs(n_samples=500, random_state=170)[0]
        @ np.array([[0.6, -0.6], [-0.4, 0.8]]),
        datasets.make_blobs(n_samples=500, random_state=170)[1]),
}

fig, axes = plt.subplots(2, len(sets), figsize=(4 * len(sets), 7.5))
for col, (name, (X, y)) in enumerate(sets.items()):
    X = StandardScaler().fit_transform(X)
    model = GASP().fit(X)
    ax = axes[0, col]
    ax.scatter(X[:, 0], X[:, 1], c=model.labels_, s=6, cmap="tab10")
    ax.set_title(f"{name}\n{model.n_clusters_} clusters, beta = {model.beta_:.3f}")
    ax.set_xticks([])
    ax.set_yticks([])

    # the same choice by hand: the criterion over every partition of the sweep
    g = knn_graph(X)
    sel = select_beta(g.edges, g.probabilities, lifted=g.lifted)
    ok = np.isfinite(sel.scores) & (sel.n_clusters <= 30)
    ax = axes[1, col]
    ax.plot(sel.n_clusters[ok], sel.scores[ok], "o", ms=3)
    best = int(np.argmax(sel.scores))
    ax.plot(sel.n_clusters[best], sel.scores[best], "o", color="C3", ms=7, label="chosen")
    ax.set_xlim(0, 31)
    ax.set_xlabel("clusters of the partition (up to 30)")
    ax.legend()
    if col == 0:
        ax.set_ylabel("persistence (log range of biases)")

fig.tight_layout()
plt.show()
