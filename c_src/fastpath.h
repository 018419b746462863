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

#include "gasp.h"

/* try_fast_paths() in gasp.c returns this when no shortcut applies. */
#define GASP_FAST_DECLINED (-1)

int gasp_fast_components(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                         int64_t *labels, const volatile int32_t *cancel, gasp_stats_t *st);

/* Honours options->min_clusters (never called with n_clusters), cancel and the progress
 * callback like the general loop. */
int gasp_fast_mutex_watershed(gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                              const double *weights, const gasp_options_t *options,
                              int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st);

#endif /* GASP_FASTPATH_H */
