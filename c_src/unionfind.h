/*
 * unionfind.h -- union-find (disjoint sets) over node ids 0..n-1.
 *
 * The engine records every merge as parent[dead] = alive, where alive is a root, so finding a
 * node's cluster after the run is a walk to the root (with path halving).  The fast paths
 * (connected components, mutex watershed) use gasp_uf_union, union by size.
 *
 * Invariants (gasp_uf_check): 0 <= parent[x] < n; following parent from any node reaches a root
 * (parent[r] == r) without a cycle; size[r] of a root is the number of nodes below it.
 */
#ifndef GASP_UNIONFIND_H
#define GASP_UNIONFIND_H

#include "gasp.h"

typedef struct {
    gasp_idx_t *parent;  /* owned; parent[x] == x for a root */
    gasp_idx_t *size;    /* owned; size[r] = nodes in the set of root r (roots only) */
    gasp_idx_t n;
} gasp_uf_t;

int gasp_uf_init(gasp_uf_t *uf, gasp_idx_t n);
void gasp_uf_destroy(gasp_uf_t *uf);

static inline gasp_idx_t gasp_uf_find(gasp_uf_t *uf, gasp_idx_t x)
{
    gasp_idx_t *p = uf->parent;
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Join the sets of roots a != b; returns the surviving root (the larger set; a on a tie). */
static inline gasp_idx_t gasp_uf_link(gasp_uf_t *uf, gasp_idx_t a, gasp_idx_t b)
{
    if (uf->size[a] < uf->size[b]) {
        gasp_idx_t t = a;
        a = b;
        b = t;
    }
    uf->parent[b] = a;
    uf->size[a] += uf->size[b];
    return a;
}

/*
 * Write labels[x] for every node: 0..k-1 numbered by first occurrence in node order.
 * scratch must hold n entries.  Returns k.
 */
int64_t gasp_uf_labels(gasp_uf_t *uf, int64_t *labels, gasp_idx_t *scratch);

int gasp_uf_check(const gasp_uf_t *uf);

#endif /* GASP_UNIONFIND_H */
