/*
 * grid.h -- the pixel graph of an n-D grid, enumerated from its shape and offsets (no edge array
 * is ever stored), and the probability -> signed weight mappings.
 *
 * Pixels are numbered in C order (flat index p).  Edge ids are those of gasp_graph's GridGraph:
 * offset by offset, in the order given, then by increasing source pixel.  For offset o = offsets[k]
 * and every pixel p such that p + o lies inside the grid, the candidate edge (p, p + o) exists
 * when both pixels are inside the mask (if any) and, for a sampled offset, its keep bit is set;
 * its value is affinities[k * n_pixels + p], mapped to a signed weight.
 *
 * Keep bits: one bitstream per sampled offset, in the order of the offsets, each starting on a
 * byte boundary; bit j (least significant bit first) decides the offset's j-th candidate edge
 * (candidates counted after the mask).
 */
#ifndef GASP_GRID_H
#define GASP_GRID_H

#include <math.h>
#include <stdint.h>

#include "gasp.h"

#define GASP_GRID_MAX_DIM GASP_IMAGE_MAX_NDIM  /* the limit of the image operations too */

/* A validated grid description.  The caller's arrays are borrowed, not copied; the per-offset
 * arrays are owned (gasp_grid_destroy). */
typedef struct {
    int32_t ndim;
    int64_t shape[GASP_GRID_MAX_DIM];
    int64_t stride[GASP_GRID_MAX_DIM]; /* C-order strides in pixels */
    int64_t n;                         /* pixels */
    int32_t n_offsets;
    const int64_t *offsets;            /* borrowed; n_offsets * ndim */
    int64_t *delta;                    /* owned; n_offsets: flat index of p + o minus p */
    int64_t *keep_start;               /* owned; n_offsets: first keep byte of a sampled offset */
    int64_t *count;                    /* owned; n_offsets: edges of each offset */
    const void *affinities;            /* borrowed; n_offsets * n values */
    int32_t value_type;                /* a gasp_value_type_t */
    const uint8_t *mask;               /* borrowed; n bytes, or NULL */
    const uint8_t *offset_flags;       /* borrowed; n_offsets bytes, or NULL (all 0) */
    const uint8_t *keep_bits;          /* borrowed; the keep bitstreams, or NULL */
    int32_t kind;                      /* a gasp_weight_kind_t */
    double beta, eps, logit_beta;
    int64_t m;                         /* edges */
    int any_lifted;                    /* some edge is lifted */
} gasp_grid_t;

/* Signed weight of probability p (in [0, 1]): "linear" p - beta; "logit" log(q / (1 - q)) -
 * logit_beta with q = p clipped to [eps, 1 - eps] and logit_beta = log(beta / (1 - beta)).  The
 * single definition used by gasp_signed_weights and gasp_grid_run. */
static inline double gasp_weight_of(double p, int32_t kind, double beta, double eps,
                                    double logit_beta)
{
    if (kind == GASP_WEIGHTS_LINEAR)
        return p - beta;
    double q = p < eps ? eps : (p > 1.0 - eps ? 1.0 - eps : p);
    return log(q / (1.0 - q)) - logit_beta;
}

static inline double gasp_grid_value(const gasp_grid_t *gr, int64_t index)
{
    return gr->value_type == GASP_VALUES_FLOAT32 ? (double)((const float *)gr->affinities)[index]
                                                 : ((const double *)gr->affinities)[index];
}

static inline int gasp_grid_lifted(const gasp_grid_t *gr, int32_t k)
{
    return gr->offset_flags && (gr->offset_flags[k] & GASP_OFFSET_LIFTED);
}

/*
 * Validate a grid description (the arguments of gasp_grid_run) and count its edges.  On
 * GASP_EINVAL, st->err_arg / err_index say which argument and where.  GASP_ETOOBIG when the
 * pixels or edges exceed this build's id width.
 */
int gasp_grid_init(gasp_grid_t *gr, int32_t ndim, const int64_t *shape, int32_t n_offsets,
                   const int64_t *offsets, const void *affinities, int32_t value_type,
                   const uint8_t *mask, const uint8_t *offset_flags, const uint8_t *keep_bits,
                   int64_t n_keep_bytes, int32_t kind, double beta, double eps,
                   const volatile int32_t *cancel, gasp_stats_t *st);
void gasp_grid_destroy(gasp_grid_t *gr);

/* Sequential enumeration of the edges in id order. */
typedef struct {
    const gasp_grid_t *gr;
    int32_t k;                          /* current offset; n_offsets at the end */
    int64_t lo[GASP_GRID_MAX_DIM];      /* the source box of offset k */
    int64_t hi[GASP_GRID_MAX_DIM];
    int64_t coord[GASP_GRID_MAX_DIM];   /* current source pixel (its last coordinate is x) */
    int64_t x;
    int64_t cand;                       /* candidates of offset k seen so far */
    int in_box;                         /* coord/x point at a source pixel of offset k */
} gasp_grid_iter_t;

void gasp_grid_iter_start(gasp_grid_iter_t *it, const gasp_grid_t *gr);

/* Write up to cap next edges (source pixel and offset index); returns how many (0 at the end). */
int64_t gasp_grid_iter_next(gasp_grid_iter_t *it, int64_t cap, int64_t *pixel, int32_t *offset);

#endif /* GASP_GRID_H */
