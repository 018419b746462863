/*
 * graph.h -- the contracted graph: alive clusters, their cluster-pair edges, and the folding of
 * parallel edges when two clusters merge.
 *
 * Data structures (flat arrays; no allocation per merge except an occasional block move):
 *   - ends[2e], ends[2e+1]: the two clusters edge e joins now (a cluster is named by one of its
 *     nodes).  Half-edge h = 2e + side belongs to cluster ends[h]; its partner is h ^ 1.  A dead
 *     edge (contracted, or folded into another) has ends = -1 on both sides.
 *   - adjacency blocks: cluster c owns arena[astart[c] .. astart[c] + alen[c]), the half-edges
 *     at c, with room up to acap[c].  Blocks are cleaned lazily: a half-edge whose edge died may
 *     stay in the block of a cluster that was not traversed and is dropped the next time the
 *     block is read.  When a block must grow it moves to the top of the arena; when the arena is
 *     full every block slides down in place (amortised O(1) per entry).  The blocks with room
 *     (acap > 0) form a doubly linked list in address order, so compaction walks them without
 *     sorting.
 *   - deg[c]: the exact number of alive edges at cluster c.
 *   - big[c]: set (for good) once cluster c has more than GASP_GRAPH_BIG alive edges.
 *   - a hash table with linear probing keyed by the unordered pair {ends[2e], ends[2e+1]}: it
 *     holds the alive edges with at least one big end, and only those, so finding the edge
 *     between a big cluster and another is O(1) expected.  A slot
 *     holds the edge id and the high bits of the pair's hash (its fingerprint); the home slot is
 *     computed from the fingerprint (multiply-shift, so the table can have 1.5 slots per
 *     edge in it rather than a power of two), so probing and deleting never read ends[], and only a fingerprint
 *     match is confirmed against the edge's endpoints.
 *
 * Contraction of edge e0 between clusters a and b: one cluster (s) is merged into the other (l):
 * l is the big one when exactly one is big, else the one of larger degree.  Every alive edge
 * (s, w) is re-keyed to (l, w); if (l, w) already exists the two edges fold (linkage.h; which id
 * survives is the tie rule described there).  When l is big, (l, w) is looked up in the table:
 * O(block length of s) expected; the loop works in chunks whose endpoint records and hash slots
 * it prefetches first, since it is bound by memory latency, not by arithmetic.  When neither is
 * big (most merges on grids), l's neighbours are marked in mark[] first and each (s, w) is looked
 * up there: O(block lengths of l and s), no hashing, and the table only sees edges at a big w.
 * A cluster whose degree passes the threshold puts its edges into the table (once: big stays).
 *
 * Invariants (gasp_graph_check): every alive edge has two different, in-range ends; the hash
 * table holds exactly the alive edges with a big end, each once under its current pair, at a
 * load of at most 2/3; a cluster with more than GASP_GRAPH_BIG alive edges is big; no two alive edges join the same pair; deg[c]
 * counts the alive edges at c; each alive half-edge h is in the block of ends[h], exactly once;
 * blocks lie inside the arena and do not overlap; the block list holds exactly the clusters with
 * acap > 0, by increasing astart.
 */
#ifndef GASP_GRAPH_H
#define GASP_GRAPH_H

#include <stdint.h>

#include "gasp.h"

#define GASP_EDGE_LOCAL 1u
#define GASP_EDGE_CONSTRAINED 2u
#define GASP_EDGE_DEAD 4u

#ifdef GASP_IDX64
typedef uint64_t gasp_fp_t;
#else
typedef uint32_t gasp_fp_t;
#endif

/* One hash-table slot: e < 0 marks an empty slot. */
typedef struct {
    gasp_fp_t fp;    /* high bits of the pair hash; home slot = home_slot(fp, cap) */
    gasp_idx_t e;    /* alive edge id, or -1 */
} gasp_slot_t;

typedef struct {
    gasp_idx_t n;          /* nodes */
    gasp_idx_t m;          /* edges (alive or dead) */
    gasp_idx_t *ends;      /* owned; 2*m: current cluster of each half-edge, -1 when dead */
    double *val;           /* owned; linkage value W of each edge */
    double *esz;           /* owned; edge size, or NULL (the linkage ignores sizes, or ecount) */
    uint32_t *ecount;      /* owned; with unit input sizes (32-bit ids): the number of input
                              edges folded into each edge, which is its size; or NULL */
    uint8_t *flags;        /* owned; GASP_EDGE_* bits */
    gasp_idx_t *arena;     /* owned; adjacency blocks of half-edge ids */
    int64_t arena_cap;     /* entries in arena */
    int64_t arena_top;     /* first unused entry */
    int64_t *astart;       /* owned; n: start of each cluster's block */
    gasp_idx_t *alen;      /* owned; n: entries used (alive or stale) */
    gasp_idx_t *acap;      /* owned; n: entries reserved */
    gasp_idx_t *anext;     /* owned; n: the next block in address order (-1: last), for the */
    gasp_idx_t *aprev;     /* owned; n: clusters with acap > 0 only; aprev is the reverse link */
    gasp_idx_t ahead;      /* cluster of the lowest block, or -1 */
    gasp_idx_t atail;      /* cluster of the highest block, or -1 */
    gasp_idx_t *deg;       /* owned; n: alive edges at each cluster */
    gasp_slot_t *slots;    /* owned; hash table of the alive edges at a big cluster */
    uint64_t cap;          /* table size in slots */
    int64_t n_hashed;      /* edges in the table; it shrinks when they fill less than 1/16 */
    int64_t n_alive;       /* alive edges */
    uint8_t *big;          /* owned; n: 1 when the cluster's edges are all in the table */
    gasp_idx_t *mark;      /* owned; n: scratch of merges between small clusters: mark[w] is
                              the edge joining the surviving cluster and w, when valid */
    gasp_idx_t big_threshold; /* a cluster with more alive edges becomes big */
    int distinct_pairs;    /* set by the builder: no two input edges join the same pair */
    int linkage;
    double linkage_param;
    int numeric_error;     /* set when a value became inf or NaN (init or fold) */
    int alloc_error;       /* set when the arena could not grow (contraction left undone) */
    const volatile int32_t *cancel;  /* not owned, may be NULL: polled by long single steps */
    int size_shift;        /* edge sizes are stored times 2^size_shift (see edge_size_shift) */
    /* Scratch filled by gasp_graph_contract. */
    gasp_idx_t *moved;      /* owned; surviving half-edges of the absorbed cluster */
    gasp_idx_t *fold_alive; /* owned; the surviving edge of each fold */
    gasp_idx_t *fold_dead;  /* owned; the edge that died in each fold */
    int64_t scratch_cap;    /* entries allocated in each of the three (grown to the longest
                               block contracted so far) */
    gasp_idx_t n_folds;
    int64_t total_moved;    /* alive edges re-attached by all contractions so far */
    int64_t total_folds;    /* folds so far, initial duplicates included */
} gasp_graph_t;

/* A cluster with more alive edges than this becomes big: its edges go into the pair table.  The
 * edges between two small clusters stay out of it; merging two small clusters finds their common
 * neighbours by marking the survivor's neighbours (mark[]) instead. */
#ifndef GASP_GRAPH_BIG
#define GASP_GRAPH_BIG 128
#endif

/* Edges per call of gasp_graph_put_edges. */
#define GASP_GRAPH_CHUNK 32

/*
 * Building in three steps (gasp_graph_init does all three from edge arrays; other edge sources,
 * such as grids, call them directly): allocate room for n nodes and m edges, put the edges in
 * id order in chunks of at most GASP_GRAPH_CHUNK, then lay out the adjacency blocks.
 * unit_sizes: every edge will have size 1 (gasp_graph_put_edges with s NULL), so sizes are
 * stored as counts.
 * gasp_graph_put_edges takes edges k0 .. k0+count-1 with ends a[i] != b[i] (validated by the
 * caller), weights w[i], sizes s[i] (s NULL = 1) and lifted flags (lifted NULL = all local).
 * gasp_graph_finish folds the edges of a duplicate pair in id order, as if each was added after
 * the earlier ones (by marking each node's neighbours in turn: no pair hashing), unless the
 * caller set distinct_pairs after gasp_graph_alloc (no two edges join the same pair, as on a
 * grid with distinct offsets), and builds the pair table for the big clusters.  On an error the graph is destroyed by
 * gasp_graph_alloc, and must be destroyed by the caller after gasp_graph_finish.
 */
int gasp_graph_alloc(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, int linkage,
                     double linkage_param, int unit_sizes);
void gasp_graph_put_edges(gasp_graph_t *g, gasp_idx_t k0, gasp_idx_t count, const gasp_idx_t *a,
                          const gasp_idx_t *b, const double *w, const double *s,
                          const uint8_t *lifted);
int gasp_graph_finish(gasp_graph_t *g);

/*
 * Build the graph of n nodes from m edges (2*m ids, validated by the caller), their weights and
 * sizes (sizes may be NULL = 1), and lifted flags (NULL = all local).  Duplicate pairs fold in
 * index order; the folded-away ids are marked dead.  With edges == NULL the graph starts with
 * no edge and room for m edges, to be added with gasp_graph_add_edge().  cancel (may be NULL)
 * is polled while building; a non-zero value returns GASP_EINTERRUPTED.
 */
int gasp_graph_init(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                    const double *weights, const double *edge_sizes, const uint8_t *is_lifted,
                    int linkage, double linkage_param, const volatile int32_t *cancel);
void gasp_graph_destroy(gasp_graph_t *g);

/*
 * Contract alive edge e0: merge its two clusters and fold parallel edges.  Returns the surviving
 * cluster and writes the absorbed one to *dead_cluster.  The folds are listed in fold_alive /
 * fold_dead (n_folds entries) for the caller to update its priority queue.  If the adjacency
 * arena cannot grow, sets alloc_error and returns -1 (the graph is then unusable).
 */
gasp_idx_t gasp_graph_contract(gasp_graph_t *g, gasp_idx_t e0, gasp_idx_t *dead_cluster);

/*
 * Merge clusters a != b, folding their parallel edges; an edge joining them, if any, is removed
 * as in gasp_graph_contract.
 */
gasp_idx_t gasp_graph_merge(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b, gasp_idx_t *dead_cluster);

/*
 * Add edge id e (currently dead, or >= m: the edge arrays then grow) between clusters a != b
 * with a value, unless an edge already joins them (then nothing changes).  Returns GASP_OK or
 * GASP_ENOMEM.
 */
int gasp_graph_add_edge(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b, gasp_idx_t e, double value);

/* Non-zero when an alive edge joins clusters a and b. */
int gasp_graph_has_edge(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b);

/*
 * Call visit(ctx, e) for every alive edge at cluster c, dropping stale half-edges from c's block.
 */
void gasp_graph_for_each_edge(gasp_graph_t *g, gasp_idx_t c,
                              void (*visit)(void *ctx, gasp_idx_t e), void *ctx);

static inline int gasp_graph_alive(const gasp_graph_t *g, gasp_idx_t e)
{
    return !(g->flags[e] & GASP_EDGE_DEAD);
}

static inline gasp_idx_t gasp_graph_u(const gasp_graph_t *g, gasp_idx_t e)
{
    return g->ends[2 * (int64_t)e];
}

static inline gasp_idx_t gasp_graph_v(const gasp_graph_t *g, gasp_idx_t e)
{
    return g->ends[2 * (int64_t)e + 1];
}

int gasp_graph_check(const gasp_graph_t *g);

#endif /* GASP_GRAPH_H */
