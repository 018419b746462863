/*
 * refine.h -- local-move refinement of a partition on the objective GASP's sum linkage greedily
 * increases (see gasp.h, gasp_refine).
 */
#ifndef GASP_REFINE_H
#define GASP_REFINE_H

#include "gasp.h"

/*
 * The refinement without input validation: n, m, edges, weights, edge_sizes as validated by
 * gasp_run (self-loops allowed and ignored), labels in [0, n); o->refine chooses the mode (a
 * gasp_refine_t); from_singletons non-zero: GASP_REFINE_FULL also searches from singletons and
 * keeps the better result.  Adds to st->n_moves and st->refine_gain, sets st->n_clusters, and
 * may set st->stopped (progress callback).  Returns GASP_OK, GASP_ENOMEM, GASP_EINTERRUPTED or
 * (debug builds) GASP_EINTERNAL.
 */
int gasp_refine_run(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                    const double *edge_sizes, const gasp_options_t *o, int64_t *labels,
                    gasp_stats_t *st, int from_singletons);

#endif /* GASP_REFINE_H */
