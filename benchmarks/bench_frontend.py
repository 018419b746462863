"""Conversion time vs engine time of gasp_graph.partition on large inputs (fixed seeds).

Usage: python benchmarks/bench_frontend.py [--nx-edges 1000000] [--sparse-nnz 10000000]
"""
import argparse
import time

import numpy as np


class Clock:
    """Wall and CPU seconds since the last tick (CPU time is less sensitive to a busy machine)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def tick(self):
        wall, cpu = time.perf_counter(), time.process_time()
        out = f"{wall - self.wall:.2f} s (cpu {cpu - self.cpu:.2f} s)"
        self.wall, self.cpu = wall, cpu
        return out


def bench_networkx(m, seed=0):
    import networkx as nx

    from gasp_graph import gasp
    from gasp_graph import partition
    from gasp_graph.graphs import from_networkx

    rng = np.random.default_rng(seed)
    n = m // 5
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    w = rng.normal(0.1, 1.0, m)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    clock = Clock()
    nodes, edges, weights, _, _, _ = from_networkx(
        G, weight="weight", default_weight=None, lifted=None, edge_size=None, node_size=None
    )
    t_conv = clock.tick()
    gasp(edges, weights, n_nodes=len(nodes))
    t_engine = clock.tick()
    communities = partition(G)
    t_total = clock.tick()
    print(
        f"networkx Graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges: "
        f"conversion {t_conv}, engine {t_engine}, partition(G) total {t_total} "
        f"({len(communities)} clusters)"
    )


def bench_sparse(nnz, seed=0):
    import scipy.sparse as sp

    from gasp_graph import gasp
    from gasp_graph import partition
    from gasp_graph.graphs import from_sparse

    rng = np.random.default_rng(seed)
    n = nnz // 10
    half = nnz // 2
    r = rng.integers(0, n, half)
    c = rng.integers(0, n, half)
    r, c = np.minimum(r, c), np.maximum(r, c)
    keep = r != c
    w = rng.normal(0.1, 1.0, half)[keep]
    U = sp.coo_array((w, (r[keep], c[keep])), shape=(n, n)).tocsr()  # upper triangle only
    A = (U + U.T).tocsr()  # symmetric: both triangles stored, ~nnz entries
    print(f"scipy csr_array {A.shape}, {A.nnz} stored entries (symmetric)")
    for name, M in (("symmetric", A), ("upper triangle only", U)):
        clock = Clock()
        k, edges, weights, _, _ = from_sparse(M, lifted=None, edge_size=None)
        t_conv = clock.tick()
        gasp(edges, weights, n_nodes=k)
        t_engine = clock.tick()
        partition(M)
        t_total = clock.tick()
        print(
            f"  {name}: {edges.shape[0]} edges: conversion {t_conv}, engine {t_engine}, "
            f"partition(A) total {t_total}"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nx-edges", type=int, default=1_000_000)
    ap.add_argument("--sparse-nnz", type=int, default=10_000_000)
    args = ap.parse_args()
    if args.nx_edges:
        bench_networkx(args.nx_edges)
    if args.sparse_nnz:
        bench_sparse(args.sparse_nnz)
