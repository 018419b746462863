/*
 * fastpath.h -- exactly equivalent shortcuts for special cases of GASP.
 *
 *   - max linkage, no constraints, no lifted edges, no cluster target, no merge record: a pair of
 *     clusters has a positive max linkage iff a positive edge joins them, so GASP ends with the
 *     connected components of the positive edges, whatever the order of its merges.
 *   - abs_max linkage, no lifted edges, no size regulariser: GASP is the mutex watershed
 *     (Wolf et al., TPAMI 2020): process the edges by decreasing |w|; a positive edge merges its
 *     two clusters unless a mutex separates them, a negative edge installs a mutex.  This holds
 *     with and without cannot-link constraints (and merge_constrained_at_end adds nothing).  The
 *     merge order is the same as the general loop's when all |w| differ; when two edges have the
 *     same |w| the orders may differ, so the shortcut declines and the general loop runs.
 *
 * Each function returns GASP_OK, an error code, or GASP_FAST_DECLINED when it does not apply.
 */
#ifndef GASP_FASTPATH_H
#define GASP_FASTPATH_H

#include "gasp.h"

#define GASP_FAST_DECLINED (-1)

int gasp_fast_components(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                         int64_t *labels, const volatile int32_t *cancel, gasp_stats_t *st);

/* Honours options->n_clusters, cancel and the progress callback like the general loop. */
int gasp_fast_mutex_watershed(gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                              const double *weights, const gasp_options_t *options,
                              int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st);

#endif /* GASP_FASTPATH_H */
