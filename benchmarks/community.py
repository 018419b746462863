"""Community detection benchmark: gasp_graph against Louvain, Leiden, CNM, side by side.

Usage::

    python benchmarks/community.py [--size small|medium|large] [--out FILE] [--only PART]
                                   [--smoke]

Three parts, each measured in this one process with ``time.process_time()`` (CPU time of the
call only: every method gets its input already built, in its own format, before the clock
starts; gasp_graph's networkx front ends include their conversion from the networkx graph):

``communities``
    LFR graphs (``networkx.LFR_benchmark_graph``) and planted partitions (equal blocks, and
    heterogeneous block sizes from 10 to 200 nodes: where modularity's resolution limit
    bites), 10^3 to 10^5 nodes, and two sparse halves of 500 nodes (few large communities whose
    neighbourhoods hardly overlap).  Methods: ``gasp_graph.communities`` (label-free default),
    ``gasp_graph.greedy_modularity_communities`` (CNM), networkx's ``louvain_communities``
    and ``greedy_modularity_communities`` (the latter at 10^3 nodes only: it is slow), igraph's
    ``community_multilevel`` (Louvain; Python's random module seeded with 0) and
    ``community_fastgreedy`` (CNM), leidenalg's ``ModularityVertexPartition`` (Leiden, default
    iterations).  ARI and NMI against the planted
    partition, modularity of the result, CPU seconds.
``cnm``
    greedy modularity (CNM) on a Barabasi-Albert graph (5 * 10^4 nodes at ``--size medium``):
    gasp_graph's edge-array call ``gasp(..., linkage="sum", null_model="modularity")`` and its
    networkx function, igraph's ``community_fastgreedy`` (+ ``as_clustering``), networkx's
    ``greedy_modularity_communities``; the ratios are the timing target (<= 0.5x igraph,
    <= 1/100 networkx).
``refine``
    signed stochastic block models (20 blocks, average degree 20, 10 % and 20 % of the signs
    flipped): ``gasp(linkage="sum")`` with and without ``refine=True`` against leidenalg's
    ``CPMVertexPartition`` on the signed weights at resolution 0 run to convergence
    (``n_iterations=-1``): correlation-clustering disagreement and CPU seconds.

Optional peers (igraph, leidenalg) are reported as "missing" when not installed
(``pip install gasp_graph[bench]``).  No timing is asserted; ``--smoke`` runs the small size of
every part once without networkx's CNM, for CI.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generators import ssbm_graph  # noqa: E402
from metrics import adjusted_rand_index, normalized_mutual_information  # noqa: E402

RESULTS = os.path.join(HERE, "results")

# part -> size -> list of (name, generator kwargs)
SIZES = {
    "small": {
        "communities": [("LFR mu=0.3", ("lfr", 1_000, 0.3)), ("LFR mu=0.5", ("lfr", 1_000, 0.5)),
                        ("planted equal", ("planted", 1_000, "equal")),
                        ("planted hetero", ("planted", 1_000, "hetero"))],
        "cnm": 5_000,
        "refine": [2_000],
    },
    "medium": {
        "communities": [("LFR mu=0.3", ("lfr", 1_000, 0.3)), ("LFR mu=0.5", ("lfr", 1_000, 0.5)),
                        ("LFR mu=0.3", ("lfr", 10_000, 0.3)), ("LFR mu=0.5", ("lfr", 10_000, 0.5)),
                        ("planted equal", ("planted", 1_000, "equal")),
                        ("planted hetero", ("planted", 1_000, "hetero")),
                        ("planted equal", ("planted", 10_000, "equal")),
                        ("planted hetero", ("planted", 10_000, "hetero")),
                        ("sparse halves", ("halves", 1_000, None))],
        "cnm": 50_000,
        "refine": [5_000, 10_000, 20_000],
    },
    "large": {
        "communities": [("LFR mu=0.3", ("lfr", 10_000, 0.3)), ("LFR mu=0.5", ("lfr", 10_000, 0.5)),
                        ("LFR mu=0.3", ("lfr", 100_000, 0.3)),
                        ("planted equal", ("planted", 100_000, "equal")),
                        ("planted hetero", ("planted", 100_000, "hetero"))],
        "cnm": 50_000,
        "refine": [5_000, 10_000, 20_000],
    },
}

# networkx's pure-Python CNM is only run up to this many nodes: in the cnm part (it takes many
# minutes on a 5 * 10^4-node graph) and in the communities part (where it is slow at 10^4 and
# its results are gasp_graph CNM's anyway).
NX_CNM_MAX_NODES = 50_000
NX_CNM_COMMUNITIES_MAX_NODES = 1_000
SEED = 20240611


def have(module):
    return importlib.util.find_spec(module) is not None


# ---------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------

def lfr_graph(n, mu, seed=SEED):
    """networkx's LFR benchmark graph (tau1 = 2.5, tau2 = 1.5, average degree 10), relabelled to
    0..n-1, with the planted partition (a node's smallest community)."""
    import networkx as nx

    G = nx.LFR_benchmark_graph(n, 2.5, 1.5, mu, average_degree=10, max_degree=max(50, n // 100),
                               min_community=10, max_community=max(100, n // 50), seed=seed)
    ids = {}
    truth = np.array([ids.setdefault(min(G.nodes[v]["community"]), len(ids)) for v in G])
    for v in G:
        del G.nodes[v]["community"]
    G.remove_edges_from(list(nx.selfloop_edges(G)))
    return G, truth


def planted_graph(n, kind, seed=SEED):
    """A planted partition: blocks of 100 nodes ("equal"), or sizes drawn from a power law
    between 10 and 200 ("hetero"); every node has about 8 neighbours inside its block and 2
    outside (uniform random pairs), so small blocks are as clear as large ones."""
    import networkx as nx

    rng = np.random.default_rng(seed)
    if kind == "equal":
        sizes = [100] * (n // 100)
    else:
        sizes = []
        while sum(sizes) < n:
            sizes.append(int(min(200, 10 * (1 - rng.random()) ** (-1 / 1.5))))
        sizes[-1] -= sum(sizes) - n
        if sizes[-1] < 2:
            sizes.pop()
            sizes[-1] += n - sum(sizes)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    pairs = []
    start = 0
    for s in sizes:
        m_in = int(round(8 * s / 2))
        u = rng.integers(0, s, 3 * m_in)
        v = rng.integers(0, s, 3 * m_in)
        pairs.append(np.stack([u, v], 1)[u != v][:m_in] + start)
        start += s
    m_out = n  # 2 per node on average
    pairs.append(rng.integers(0, n, (m_out, 2)))
    e = np.concatenate(pairs)
    e = e[e[:, 0] != e[:, 1]]
    e = np.unique(np.sort(e, axis=1), axis=0)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(e.tolist())
    return G, truth


def sparse_halves_graph(n, seed=SEED):
    """Two blocks of n/2 nodes, edge probabilities 20/n inside a block and 4/n across (about 10
    neighbours inside and 2 outside): few large, sparse communities, where neighbourhoods hardly
    overlap."""
    import networkx as nx

    half = n // 2
    p_in, p_out = 20.0 / n, 4.0 / n
    G = nx.Graph(nx.stochastic_block_model([half, n - half], [[p_in, p_out], [p_out, p_in]],
                                           seed=seed))
    for v in G:
        G.nodes[v].clear()
    G.graph.clear()
    return G, np.repeat([0, 1], [half, n - half])


def make_graph(spec):
    kind, n, param = spec
    if kind == "lfr":
        return lfr_graph(n, param)
    if kind == "halves":
        return sparse_halves_graph(n)
    return planted_graph(n, param)


# ---------------------------------------------------------------------------------------------
# Methods (each: prepare(G) -> input, then run(input) -> labels in node order 0..n-1)
# ---------------------------------------------------------------------------------------------

def _labels_of_sets(comms, n):
    labels = np.empty(n, dtype=np.int64)
    for k, c in enumerate(comms):
        labels[list(c)] = k
    return labels


def _igraph(G):
    import igraph as ig

    return ig.Graph(n=G.number_of_nodes(), edges=list(G.edges()))


def community_methods():
    import networkx as nx

    import gasp_graph

    methods = {
        "gasp_graph communities": (None, lambda G: G, lambda G: gasp_graph.communities(G)),
        "gasp_graph CNM": (None, lambda G: G,
                           lambda G: gasp_graph.greedy_modularity_communities(G)),
        "networkx Louvain": (None, lambda G: G,
                             lambda G: nx.community.louvain_communities(G, seed=0)),
        "networkx CNM": (None, lambda G: G,
                         lambda G: nx.community.greedy_modularity_communities(G)),
        "igraph Louvain": ("igraph", _igraph, _igraph_louvain),
        "igraph fastgreedy": ("igraph", _igraph,
                              lambda g: g.community_fastgreedy().as_clustering().membership),
        "Leiden modularity": ("leidenalg", _igraph, _leiden_modularity),
    }
    return methods


def _igraph_louvain(g):
    """igraph's Louvain draws from Python's random module (igraph's default generator): seeded
    with 0 like the other randomised methods, so that runs repeat."""
    import random

    random.seed(0)
    return g.community_multilevel().membership


def _leiden_modularity(g):
    import leidenalg as la

    return la.find_partition(g, la.ModularityVertexPartition, seed=0).membership


def _modularity(G, labels):
    from gasp_graph.quality import modularity_from_labels

    edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
    return modularity_from_labels(labels, edges)


def run_communities(size, log, smoke=False):
    rows = []
    for name, spec in SIZES[size]["communities"]:
        t0 = time.process_time()
        G, truth = make_graph(spec)
        n = G.number_of_nodes()
        log(f"{name} n={n} m={G.number_of_edges()} blocks={truth.max() + 1} "
            f"(built in {time.process_time() - t0:.1f} s)")
        for method, (module, prepare, call) in community_methods().items():
            row = {"graph": name, "n": n, "m": G.number_of_edges(), "blocks": int(truth.max() + 1),
                   "method": method}
            if module is not None and not have(module):
                row["status"] = "missing"
            elif method == "networkx CNM" and (n > NX_CNM_COMMUNITIES_MAX_NODES or smoke):
                row["status"] = "skipped (slow)"
            else:
                data = prepare(G)
                t = time.process_time()
                result = call(data)
                row["cpu"] = time.process_time() - t
                labels = (np.asarray(result, dtype=np.int64) if module is not None
                          else _labels_of_sets(result, n))
                row.update(status="ok", k=int(labels.max() + 1),
                           ari=adjusted_rand_index(truth, labels),
                           nmi=normalized_mutual_information(truth, labels),
                           modularity=_modularity(G, labels))
            rows.append(row)
            log("  " + _fmt_row(row))
    return rows


def _fmt_row(row):
    if row.get("status") != "ok":
        return f"{row['method']:24s} {row.get('status')}"
    return (f"{row['method']:24s} ARI {row['ari']:.3f} NMI {row['nmi']:.3f} "
            f"Q {row['modularity']:.4f} k {row['k']:5d} CPU {row['cpu']:.3f} s")


# ---------------------------------------------------------------------------------------------
# CNM timing
# ---------------------------------------------------------------------------------------------

def run_cnm(size, log, smoke=False):
    import networkx as nx

    import gasp_graph

    n = SIZES[size]["cnm"]
    G = nx.barabasi_albert_graph(n, 3, seed=SEED)
    edges = np.array(list(G.edges()), dtype=np.int64)
    ones = np.ones(edges.shape[0])
    rows = []

    def measure(method, call):
        t = time.process_time()
        labels = call()
        cpu = time.process_time() - t
        row = {"method": method, "n": n, "m": int(edges.shape[0]), "cpu": cpu,
               "modularity": _modularity(G, labels), "k": int(np.max(labels) + 1)}
        rows.append(row)
        log(f"  {method:32s} CPU {cpu:8.3f} s  Q {row['modularity']:.4f}  k {row['k']}")

    log(f"CNM on a Barabasi-Albert graph, n={n}, m={edges.shape[0]}")
    measure("gasp_graph gasp (arrays)", lambda: gasp_graph.gasp(
        edges, ones, n_nodes=n, linkage="sum", null_model="modularity"))
    measure("gasp_graph greedy_modularity", lambda: _labels_of_sets(
        gasp_graph.greedy_modularity_communities(G), n))
    if have("igraph"):
        g = _igraph(G)
        measure("igraph community_fastgreedy",
                lambda: np.array(g.community_fastgreedy().as_clustering().membership))
    else:
        rows.append({"method": "igraph community_fastgreedy", "status": "missing"})
    if n <= NX_CNM_MAX_NODES and not smoke:  # (main() sets it from --nx-cnm-max-nodes)
        measure("networkx greedy_modularity", lambda: _labels_of_sets(
            nx.community.greedy_modularity_communities(G), n))
    return rows


# ---------------------------------------------------------------------------------------------
# Refinement on signed SBMs
# ---------------------------------------------------------------------------------------------

def run_refine(size, log, smoke=False):
    import gasp_graph
    from gasp_graph.quality import disagreement_from_labels

    rows = []
    for n in SIZES[size]["refine"]:
        for eta in (0.1, 0.2):
            g = ssbm_graph(n, 20, 20.0, eta, seed=SEED)
            e, w = g["edges"], g["weights"]
            log(f"signed SBM n={n} m={e.shape[0]} 20 blocks, {int(eta * 100)} % flipped")

            def measure(method, call):
                t = time.process_time()
                labels = np.asarray(call(), dtype=np.int64)
                cpu = time.process_time() - t
                row = {"n": n, "eta": eta, "method": method, "cpu": cpu,
                       "disagreement": disagreement_from_labels(labels, e, w),
                       "ari": adjusted_rand_index(g["truth"], labels),
                       "k": int(labels.max() + 1)}
                rows.append(row)
                log(f"  {method:28s} disagreement {row['disagreement']:10.1f} "
                    f"ARI {row['ari']:.3f} k {row['k']:5d} CPU {cpu:8.3f} s")

            measure("gasp sum", lambda: gasp_graph.gasp(e, w, n_nodes=n, linkage="sum"))
            measure("gasp sum + refine", lambda: gasp_graph.gasp(e, w, n_nodes=n, linkage="sum",
                                                                refine=True))
            if have("leidenalg") and have("igraph"):
                import igraph as ig
                import leidenalg as la

                graph = ig.Graph(n=n, edges=e.tolist())
                graph.es["weight"] = w.tolist()
                measure("Leiden signed CPM (res 0)", lambda: la.find_partition(
                    graph, la.CPMVertexPartition, weights="weight", resolution_parameter=0.0,
                    n_iterations=-1, seed=0).membership)
            else:
                rows.append({"n": n, "eta": eta, "method": "Leiden signed CPM (res 0)",
                             "status": "missing"})
    return rows


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def report(results):
    lines = []
    if "communities" in results:
        lines += ["### Community detection (ARI / NMI vs the planted partition, modularity, "
                  "CPU s)", "",
                  "| graph | n | method | ARI | NMI | modularity | communities | CPU s |",
                  "|---|---:|---|---:|---:|---:|---:|---:|"]
        for r in results["communities"]:
            if r.get("status") == "ok":
                lines.append(f"| {r['graph']} ({r['blocks']} blocks) | {r['n']} | {r['method']} "
                             f"| {r['ari']:.3f} | {r['nmi']:.3f} | {r['modularity']:.4f} "
                             f"| {r['k']} | {r['cpu']:.3f} |")
            else:
                lines.append(f"| {r['graph']} | {r['n']} | {r['method']} | {r['status']} "
                             "| | | | |")
        lines.append("")
    if "cnm" in results:
        rows = {r["method"]: r for r in results["cnm"] if "cpu" in r}
        ours = rows.get("gasp_graph gasp (arrays)")
        lines += ["### Greedy modularity (CNM), Barabasi-Albert graph", "",
                  "| method | n | CPU s | x gasp_graph arrays | modularity |",
                  "|---|---:|---:|---:|---:|"]
        for r in results["cnm"]:
            if "cpu" in r:
                ratio = r["cpu"] / ours["cpu"] if ours and ours["cpu"] > 0 else float("nan")
                lines.append(f"| {r['method']} | {r['n']} | {r['cpu']:.3f} | {ratio:.1f} "
                             f"| {r['modularity']:.4f} |")
            else:
                lines.append(f"| {r['method']} | | {r['status']} | | |")
        lines.append("")
    if "refine" in results:
        lines += ["### Refinement on signed SBMs (20 blocks, degree 20)", "",
                  "| n | flipped | method | disagreement | ARI | CPU s |",
                  "|---:|---:|---|---:|---:|---:|"]
        for r in results["refine"]:
            if "cpu" in r:
                lines.append(f"| {r['n']} | {int(r['eta'] * 100)} % | {r['method']} "
                             f"| {r['disagreement']:.1f} | {r['ari']:.3f} | {r['cpu']:.3f} |")
            else:
                lines.append(f"| {r['n']} | {int(r['eta'] * 100)} % | {r['method']} "
                             f"| {r['status']} | | |")
        lines.append("")
    return "\n".join(lines)


# Column names of the reStructuredText tables.
SHORT = {"gasp_graph communities": "communities", "gasp_graph CNM": "gasp CNM",
         "networkx Louvain": "nx Louvain", "networkx CNM": "nx CNM",
         "igraph Louvain": "igraph Louvain", "igraph fastgreedy": "igraph CNM",
         "Leiden modularity": "Leiden"}


def report_rst(results):
    """The tables as reStructuredText csv-tables (for the user guide)."""
    out = []

    def table(title, header, rows):
        out.extend([f".. csv-table:: {title}", f"   :header: {header}", ""])
        out.extend("   " + r for r in rows)
        out.append("")

    if "communities" in results:
        comm = results["communities"]
        methods = list(dict.fromkeys(r["method"] for r in comm))
        graphs = list(dict.fromkeys((r["graph"], r["n"]) for r in comm))
        cell = {(r["graph"], r["n"], r["method"]): r for r in comm}
        header = "graph, n, " + ", ".join(SHORT.get(m, m) for m in methods)
        for title, fmt in (("ARI against the planted partition (NMI)",
                            lambda r: f'{r["ari"]:.3f} ({r["nmi"]:.2f})'),
                           ("Modularity of the result", lambda r: f'{r["modularity"]:.4f}'),
                           ("Communities found", lambda r: f'{r["k"]}'),
                           ("CPU seconds", lambda r: f'{r["cpu"]:.3f}')):
            rows = []
            for g, n in graphs:
                blocks = next((c["blocks"] for c in comm if (c["graph"], c["n"]) == (g, n)
                               and "blocks" in c), "")
                vals = []
                for m in methods:
                    r = cell.get((g, n, m))
                    vals.append(fmt(r) if r is not None and r.get("status") == "ok"
                                else (r or {}).get("status", ""))
                rows.append(f'"{g} ({blocks} blocks)",{n},' + ",".join(f'"{v}"' for v in vals))
            table(title, header, rows)
    if "cnm" in results:
        rows = [f'{r["method"]},{r["n"]},{r["cpu"]:.3f},{r["modularity"]:.4f}'
                for r in results["cnm"] if "cpu" in r]
        table("Greedy modularity (CNM), Barabasi-Albert graph", "method, n, CPU s, modularity",
              rows)
    if "refine" in results:
        rows = [f'{r["n"]},{int(r["eta"] * 100)} %,{r["method"]},{r["disagreement"]:.1f},'
                f'{r["cpu"]:.3f}' for r in results["refine"] if "cpu" in r]
        table("Refinement on signed SBMs (20 blocks, degree 20)",
              "n, flipped, method, disagreement, CPU s", rows)
    return "\n".join(out)


PARTS = {"communities": run_communities, "cnm": run_cnm, "refine": run_refine}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--out", help="markdown file to write (default results/community-SIZE.md)")
    parser.add_argument("--nx-cnm-max-nodes", type=int, default=NX_CNM_MAX_NODES,
                        help="largest graph of the cnm part that networkx's CNM runs on "
                             f"(default {NX_CNM_MAX_NODES})")
    parser.add_argument("--rst", help="also write the tables as reStructuredText to this file")
    parser.add_argument("--from-json", help="re-render the tables of an earlier run's JSON file(s)"
                        " (comma-separated; parts are merged) instead of running")
    parser.add_argument("--only", help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--smoke", action="store_true",
                        help="the small size without networkx's slow CNM, for CI")
    args = parser.parse_args(argv)
    size = "small" if args.smoke else args.size
    globals()["NX_CNM_MAX_NODES"] = args.nx_cnm_max_nodes
    parts = list(PARTS) if not args.only else [p.strip() for p in args.only.split(",")]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {list(PARTS)}")

    def log(text):
        print(text, flush=True)

    if args.from_json:
        results = {}
        for path in args.from_json.split(","):
            with open(path) as f:
                results.update(json.load(f))
    else:
        results = {part: PARTS[part](size, log, smoke=args.smoke) for part in parts}
    text = report(results)
    if args.rst:
        with open(args.rst, "w") as f:
            f.write(report_rst(results) + "\n")
    out = args.out or os.path.join(RESULTS, f"community-{size}.md")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(text + "\n")
    if not args.from_json:
        with open(os.path.splitext(out)[0] + ".json", "w") as f:
            json.dump(results, f, indent=1)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
