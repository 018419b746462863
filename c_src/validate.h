/*
 * validate.h -- the checks of an edge-list input, shared by gasp_run (gasp.c) and gasp_refine
 * (refine.c): one set of rules for the sizes, the pointers and every edge's ids and values.
 * On a bad argument they set st->err_arg / st->err_index and return GASP_EINVAL.
 */
#ifndef GASP_VALIDATE_H
#define GASP_VALIDATE_H

#include <math.h>
#include <stdint.h>

#include "control.h"
#include "gasp.h"

static inline int gasp_invalid(gasp_stats_t *st, int arg, int64_t index)
{
    st->err_arg = arg;
    st->err_index = index;
    return GASP_EINVAL;
}

/* options present, n and m in range, edges / weights given when m > 0. */
static int gasp_check_sizes(int64_t n, int64_t m, const int64_t *edges, const double *weights,
                            const gasp_options_t *o, gasp_stats_t *st)
{
    if (!o)
        return gasp_invalid(st, GASP_ARG_OPTIONS, -1);
    if (n < 0)
        return gasp_invalid(st, GASP_ARG_N_NODES, -1);
    if (m < 0)
        return gasp_invalid(st, GASP_ARG_N_EDGES, -1);
    if (n > gasp_max_nodes() || m > gasp_max_edges())
        return GASP_ETOOBIG;
    if (m > 0 && (!edges || !weights))
        return gasp_invalid(st, !edges ? GASP_ARG_EDGES : GASP_ARG_WEIGHTS, -1);
    return GASP_OK;
}

/* Every edge: ids in [0, n) (two different ones unless self_loops), a finite weight, a finite
 * size > 0 when edge_sizes is given.  Polls o->cancel. */
static int gasp_check_edges(int64_t n, int64_t m, const int64_t *edges, const double *weights,
                            const double *edge_sizes, int self_loops, const gasp_options_t *o,
                            gasp_stats_t *st)
{
    for (int64_t k = 0; k < m; k++) {
        if (gasp_poll(k, o->cancel))
            return GASP_EINTERRUPTED;
        int64_t a = edges[2 * k], b = edges[2 * k + 1];
        if (a < 0 || b < 0 || a >= n || b >= n || (a == b && !self_loops))
            return gasp_invalid(st, GASP_ARG_EDGES, k);
        if (!isfinite(weights[k]))
            return gasp_invalid(st, GASP_ARG_WEIGHTS, k);
        if (edge_sizes && !(isfinite(edge_sizes[k]) && edge_sizes[k] > 0.0))
            return gasp_invalid(st, GASP_ARG_EDGE_SIZES, k);
    }
    return GASP_OK;
}

#endif /* GASP_VALIDATE_H */
