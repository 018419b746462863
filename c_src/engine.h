/*
 * engine.h -- entry points shared inside the engine by its front doors (gasp_run for edge
 * arrays, gasp_grid_run for pixel grids); not part of the public API.
 */
#ifndef GASP_ENGINE_H
#define GASP_ENGINE_H

#include "gasp.h"
#include "graph.h"

/* Zero the counters of *st and clear its error details. */
void gasp_stats_reset(gasp_stats_t *st);

/* Validate the options of a run on n nodes, and that labels is given when n > 0.  Returns
 * GASP_OK or GASP_EINVAL with st->err_arg set. */
int gasp_options_check(const gasp_options_t *o, int64_t n, const int64_t *labels,
                       gasp_stats_t *st);

/*
 * Run GASP's general loop on a built graph (gasp_graph_alloc/put_edges/finish or
 * gasp_graph_init).  The engine takes the graph over: it is destroyed before this returns,
 * whatever the outcome.  node_sizes: NULL (all 1) or n values, read with a size regulariser.
 * The outputs are those of gasp_run.
 */
int gasp_engine_run(gasp_graph_t *graph, const double *node_sizes, const gasp_options_t *options,
                    int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st);

#endif /* GASP_ENGINE_H */
