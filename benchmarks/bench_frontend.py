"""Conversion time vs engine time of gasp_graph.partition on large inputs (fixed seeds).

Usage: python benchmarks/bench_frontend.py [--nx-edges 1000000] [--sparse-nnz 10000000]
"""
import argparse
import time

import numpy as np


def bench_networkx(m, seed=0):
    import networkx as nx

    from gasp_graph import gasp
    from gasp_graph.partition import _from_networkx, partition

    rng = np.random.default_rng(seed)
    n = m // 5
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    w = rng.normal(0.1, 1.0, m)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    t0 = time.perf_counter()
    nodes, edges, weights, _, _, _ = _from_networkx(
        G, weight="weight", default_weight=None, lifted=None, edge_size=None, node_size=None
    )
    t1 = time.perf_counter()
    labels = gasp(edges, weights, n_nodes=len(nodes))
    t2 = time.perf_counter()
    communities = partition(G)
    t3 = time.perf_counter()
    print(
        f"networkx Graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges: "
        f"conversion {t1 - t0:.2f} s, engine {t2 - t1:.2f} s, "
        f"partition(G) total {t3 - t2:.2f} s ({len(communities)} clusters, "
        f"{labels.max() + 1} labels)"
    )


def bench_sparse(nnz, seed=0):
    import scipy.sparse as sp

    from gasp_graph import gasp
    from gasp_graph.partition import _from_sparse, partition

    rng = np.random.default_rng(seed)
    n = nnz // 10
    half = nnz // 2
    r = rng.integers(0, n, half)
    c = rng.integers(0, n, half)
    w = rng.normal(0.1, 1.0, half)
    U = sp.coo_array((w, (r, c)), shape=(n, n)).tocsr()  # sums duplicates
    U = sp.triu(U, 1, format="csr")
    A = (U + U.T).tocsr()  # symmetric: both triangles stored
    print(f"scipy csr_array {A.shape}, {A.nnz} stored entries (symmetric)")
    for name, M in (("symmetric", A), ("upper triangle only", U)):
        t0 = time.perf_counter()
        k, edges, weights, _, _ = _from_sparse(M, lifted=None, edge_size=None)
        t1 = time.perf_counter()
        gasp(edges, weights, n_nodes=k)
        t2 = time.perf_counter()
        partition(M)
        t3 = time.perf_counter()
        print(
            f"  {name}: {edges.shape[0]} edges: conversion {t1 - t0:.2f} s, "
            f"engine {t2 - t1:.2f} s, partition(A) total {t3 - t2:.2f} s"
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
