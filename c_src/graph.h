/*
 * graph.h -- the contracted graph: alive clusters, their cluster-pair edges, and the folding of
 * parallel edges when two clusters merge.
 *
 * Data structures (all flat arrays, allocated once; no allocation per merge):
 *   - eu[e], ev[e]: the two clusters that edge e joins now (a cluster is named by one of its
 *     nodes).  Half-edge 2e sits in the adjacency list of eu[e], half-edge 2e+1 in that of ev[e].
 *   - adjacency lists as singly linked lists of half-edges: head[c], next[h].  Lists are cleaned
 *     lazily: an edge that died (contracted, or folded into another) may leave half-edges in the
 *     lists of clusters that were not traversed; they are dropped the next time the list is read.
 *   - deg[c]: the exact number of alive edges at cluster c.
 *   - a hash table with linear probing keyed by the unordered pair {eu[e], ev[e]}: it holds the
 *     ids of alive edges only, so finding the edge between two clusters is O(1) expected.  Slots
 *     hold edge ids; keys are recomputed from eu/ev, which keeps a slot at one id's width.
 *
 * Contraction of edge e0 between clusters a and b: the cluster of smaller degree (s) is merged into
 * the other (l).  Every alive edge (s, w) is re-keyed to (l, w); if (l, w) already exists the two
 * edges fold (linkage.h) and the one with the higher id dies.  Cost: O(length of s's list)
 * expected, so an edge moves O(log m) times over a whole run.
 *
 * Invariants (gasp_graph_check): every alive edge has eu != ev, both alive clusters, and is in the
 * hash table exactly once under its current pair; no two alive edges join the same pair; deg[c]
 * counts the alive edges at c; each alive edge's two half-edges are in the lists of its endpoints.
 */
#ifndef GASP_GRAPH_H
#define GASP_GRAPH_H

#include <stdint.h>

#include "gasp.h"

#define GASP_EDGE_LOCAL 1u
#define GASP_EDGE_CONSTRAINED 2u
#define GASP_EDGE_DEAD 4u

typedef struct {
    gasp_idx_t n;          /* nodes */
    gasp_idx_t m;          /* edges (alive or dead) */
    gasp_idx_t *eu, *ev;   /* owned; current endpoints of each edge */
    double *val;           /* owned; linkage value W of each edge */
    double *esz;           /* owned; edge size, or NULL when the linkage ignores sizes */
    uint8_t *flags;        /* owned; GASP_EDGE_* bits */
    gasp_idx_t *head;      /* owned; head[c] = first half-edge of cluster c, or -1 */
    gasp_idx_t *next;      /* owned; next[h] = next half-edge in the same list, or -1 */
    gasp_idx_t *deg;       /* owned; alive edges at each cluster */
    gasp_idx_t *slots;     /* owned; hash table of alive edge ids, -1 = empty */
    uint64_t mask;         /* table size - 1 (a power of two minus one) */
    int linkage;
    double linkage_param;
    int numeric_error;     /* set when a fold produced NaN */
    /* Scratch filled by gasp_graph_contract: the edges a contraction folded. */
    gasp_idx_t *fold_alive; /* owned; capacity n: the surviving edge of each fold */
    gasp_idx_t *fold_dead;  /* owned; capacity n: the edge that died in each fold */
    gasp_idx_t n_folds;
} gasp_graph_t;

/*
 * Build the graph of n nodes from m edges (2*m ids, validated by the caller), their initial
 * values and sizes (sizes may be NULL = 1), and lifted flags (NULL = all local).  Duplicate pairs
 * fold in index order; the folded-away ids are marked dead.
 */
int gasp_graph_init(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                    const double *weights, const double *edge_sizes, const uint8_t *is_lifted,
                    int linkage, double linkage_param);
void gasp_graph_destroy(gasp_graph_t *g);

/*
 * Contract alive edge e0: merge its two clusters and fold parallel edges.  Returns the surviving
 * cluster and writes the absorbed one to *dead_cluster.  The folds are listed in fold_alive /
 * fold_dead (n_folds entries) for the caller to update its priority queue.
 */
gasp_idx_t gasp_graph_contract(gasp_graph_t *g, gasp_idx_t e0, gasp_idx_t *dead_cluster);

/*
 * Call visit(ctx, e) for every alive edge at cluster c, dropping dead half-edges from c's list.
 */
void gasp_graph_for_each_edge(gasp_graph_t *g, gasp_idx_t c,
                              void (*visit)(void *ctx, gasp_idx_t e), void *ctx);

static inline int gasp_graph_alive(const gasp_graph_t *g, gasp_idx_t e)
{
    return !(g->flags[e] & GASP_EDGE_DEAD);
}

int gasp_graph_check(const gasp_graph_t *g);

#endif /* GASP_GRAPH_H */
