"""
Communities below modularity's resolution limit
===============================================

Twenty-four small groups of six nodes, densely connected inside, each joined to its two
neighbours on a ring and to a few random nodes.  Modularity prefers to merge neighbouring
groups (its *resolution limit*: the gain of keeping two small groups apart is smaller than
the noise), so greedy modularity (CNM) and a multilevel modularity optimisation (Louvain-like)
return fewer, merged communities.  :func:`gasp_graph.communities` weighs every edge by how many
neighbours its ends share and merges clusters only while they are much more similar than random
pairs, which keeps the groups apart, without being told how many there are.
"""
import sys

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import gasp_graph
from gasp_graph.metrics import match_labels

rng = np.random.default_rng(0)
n_groups, size = 24, 6
G = nx.Graph()
for g in range(n_groups):
    members = range(g * size, (g + 1) * size)
    G.add_edges_from((u, v) for u in members for v in members if u < v and rng.random() < 0.8)
    G.add_edge(g * size, ((g + 1) % n_groups) * size + 1)  # the ring
for _ in range(12):  # a little noise between random groups
    u, v = rng.integers(0, n_groups * size, 2)
    if u // size != v // size:
        G.add_edge(int(u), int(v))
truth = [set(range(g * size, (g + 1) * size)) for g in range(n_groups)]

results = {
    "gasp_graph.communities": gasp_graph.communities(G),
    "multilevel modularity": gasp_graph.communities(G, method="modularity"),
    "greedy modularity (CNM)": gasp_graph.greedy_modularity_communities(G),
}

# One colouring for the three panels: every community takes the colour of the planted group it
# matches best (gasp_graph.metrics.match_labels), so equal results look equal.
nodes = list(G)
planted = np.array([v // size for v in nodes])
pos = nx.kamada_kawai_layout(G)
fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
for ax, (name, comms) in zip(axes, results.items()):
    found = {v: k for k, c in enumerate(comms) for v in c}
    matched = match_labels(np.array([found[v] for v in nodes]), planted)
    colour = dict(zip(nodes, matched.tolist()))
    cmap = plt.get_cmap("tab20")
    nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.25, width=0.6)
    nx.draw_networkx_nodes(G, pos, ax=ax, node_size=28,
                           node_color=[cmap(colour[v] % 20) for v in G])
    recovered = sum(c in truth for c in map(set, comms))
    ax.set_title(f"{name}\n{len(comms)} communities, {recovered} of {n_groups} groups exact, "
                 f"Q = {gasp_graph.quality.modularity(G, comms):.3f}", fontsize=10)
    ax.set_axis_off()
fig.tight_layout()

if __name__ == "__main__" and len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=80)
plt.show()
