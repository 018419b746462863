/*
 * fastpath.h -- exactly equivalent shortcuts for special cases of GASP.
 *
 *   - max linkage, no constraints, no lifted edges, no cluster target, no merge record: a pair of
 *     clusters has a positive max linkage iff a positive edge joins them, so GASP ends with the
 *     connected components of the positive edges, whatever the order of its merges.
 *   - abs_max linkage, no lifted edges, no size regulariser: GASP is the mutex watershed
 *     (Wolf et al., TPAMI 2020): process the edges by decreasing |w|; a positive edge merges its
 *     two clusters unless a mutex separates them, a non-positive edge installs a mutex.  This
 *     holds with and without cannot-link constraints (and merge_constrained_at_end adds nothing).
 *     Among equal |w|, mutexes come first and then index order: with the general loop's rule
 *     that an abs_max pair is represented by its lowest-index edge carrying the pair's value
 *     (linkage.h), the merges are the same, in the same order, even when weights tie.  (At a
 *     level |w| = x, the loop next merges the pair whose lowest valid +x edge comes first; an
 *     edge the scan skipped, internal or blocked by a mutex, never becomes valid again.)
 *
 * Each function returns GASP_OK or an error code.
 */
#ifndef GASP_FASTPATH_H
#define GASP_FASTPATH_H

#include <string.h>

#include "gasp.h"
#include "graph.h"
#include "unionfind.h"

/* try_fast_paths() in gasp.c returns this when no shortcut applies. */
#define GASP_FAST_DECLINED (-1)

int gasp_fast_components(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                         int64_t *labels, const volatile int32_t *cancel, gasp_stats_t *st);

/*
 * Processing key of an edge of the mutex watershed: ascending keys = decreasing |w|, and among
 * equal |w| the non-positive weights (mutexes) before the positive ones; a stable sort keeps
 * index order after that.  The bits of a non-negative double order like the double, so ~|w|
 * bits order decreasingly; its top bit is always 1 and makes room for the sign bit at the
 * bottom.  -0.0 and +0.0 get the same key.
 */
static inline uint64_t gasp_mws_key(double w)
{
    uint64_t bits;
    memcpy(&bits, &w, sizeof bits);
    return (~(bits & 0x7FFFFFFFFFFFFFFFull) << 1) | (w > 0.0 ? 1u : 0u);
}

/* The weight an edge of key `key` has (for w > 0 exactly; for w <= 0 its value -|w|). */
static inline double gasp_mws_weight(uint64_t key)
{
    uint64_t bits = ~(key >> 1) & 0x7FFFFFFFFFFFFFFFull;
    double a;
    memcpy(&a, &bits, sizeof a);
    return (key & 1u) ? a : -a;
}

/*
 * The state of a mutex watershed: union-find over the nodes, the mutexes (a contracted graph
 * whose edges are mutexes between clusters), the merge record.  Edges are fed in processing
 * order to gasp_mws_edge; gasp_mws_poll every 2^16 edges (cancel, and the invariant checks of
 * debug builds); done becomes 1 when the cluster target is reached or the progress callback
 * stopped the run.  Shared by the edge-list and the grid front doors, so both make the same
 * merges.
 */
typedef struct {
    gasp_uf_t uf;
    gasp_graph_t mutex;
    int64_t *cluster_id;     /* owned; with a merge record: cluster id of each root, or NULL */
    gasp_idx_t n;
    gasp_idx_t next_mutex;   /* id of the next mutex */
    int64_t clusters;
    int done;
    const gasp_options_t *options;  /* borrowed */
    int64_t *merges;         /* borrowed outputs (may be NULL) */
    double *heights;
    gasp_stats_t *st;
} gasp_mws_t;

int gasp_mws_init(gasp_mws_t *s, gasp_idx_t n, const gasp_options_t *options, int64_t *merges,
                  double *heights, gasp_stats_t *st);
int gasp_mws_poll(gasp_mws_t *s);
int gasp_mws_merge(gasp_mws_t *s, gasp_idx_t a, gasp_idx_t b, double w);
/* Labels and statistics of the partition reached. */
void gasp_mws_finish(gasp_mws_t *s, int64_t *labels);
void gasp_mws_destroy(gasp_mws_t *s);

/* Process edge (u, v) of weight w, the next one in processing order. */
static inline int gasp_mws_edge(gasp_mws_t *s, gasp_idx_t u, gasp_idx_t v, double w)
{
    gasp_idx_t a = gasp_uf_find(&s->uf, u);
    gasp_idx_t b = gasp_uf_find(&s->uf, v);
    if (a == b)
        return GASP_OK;
    if (w <= 0.0) {
        if (gasp_graph_add_edge(&s->mutex, a, b, s->next_mutex, w) != GASP_OK)
            return GASP_ENOMEM;
        /* a new mutex took the id (the mutex graph grows as mutexes are added) */
        s->next_mutex += s->next_mutex < s->mutex.m && gasp_graph_alive(&s->mutex, s->next_mutex);
        return GASP_OK;
    }
    if (gasp_graph_has_edge(&s->mutex, a, b))
        return GASP_OK;
    if (s->clusters <= s->options->min_clusters) {  /* n_clusters > 0 never comes here */
        s->done = 1;
        return GASP_OK;
    }
    return gasp_mws_merge(s, a, b, w);
}

/* Honours options->min_clusters (never called with n_clusters), cancel and the progress
 * callback like the general loop. */
int gasp_fast_mutex_watershed(gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                              const double *weights, const gasp_options_t *options,
                              int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st);

#endif /* GASP_FASTPATH_H */
