/*
 * grid.c -- GASP on pixel grids: edges enumerated from the shape and the offsets (grid.h), never
 * stored as an edge list.
 *
 * gasp_grid_run follows gasp_run step for step, with the grid as the edge source:
 *   - max linkage (the conditions of fastpath.h): union-find over the positive edges, read in
 *     one pass;
 *   - abs_max without lifted edges or size regulariser: the mutex watershed (fastpath.h) fed in
 *     processing order by a sort that never holds every edge: the edges are split by their
 *     processing key into at most GRID_MWS_CHUNKS ranges of about equal size (histograms of the
 *     key, 16 bits at a time, in passes over the affinities); each range is gathered in edge id
 *     order, sorted stably by key and processed.  A range whose edges all have one key needs no
 *     sort: it is processed as it is read, in id order.  This is the order of the edge-list
 *     shortcut (key, then id), so the merges are the same;
 *   - otherwise the graph is built from the grid (gasp_graph_alloc / put_edges / finish) and
 *     handed to the general loop (gasp_engine_run).
 * Affinities are validated where they are read ([0, 1], so never NaN).
 */
#include "grid.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "engine.h"
#include "fastpath.h"
#include "graph.h"
#include "unionfind.h"

/* The mutex watershed of a grid sorts its edges in about this many pieces (fewer when small). */
#define GRID_MWS_CHUNKS 4
/* ... but never in pieces of fewer edges than this (debug builds: tiny pieces, so that the tests'
 * small grids exercise the chunked sort). */
#ifdef GASP_DEBUG
#define GRID_MWS_MIN_CHUNK ((int64_t)16)
#else
#define GRID_MWS_MIN_CHUNK ((int64_t)1 << 20)
#endif
/* Edges per batch read from the iterator. */
#define GRID_BATCH 256

#if defined(__GNUC__) || defined(__clang__)
#define GRID_PREFETCH(p) __builtin_prefetch(p)
#else
#define GRID_PREFETCH(p) ((void)0)
#endif

#define FAIL(arg, idx) return gasp_invalid(st, (arg), (idx))

/* ---------------------------------------------------------------------------------------------
 * Grid description and enumeration
 * ------------------------------------------------------------------------------------------- */

/* The source box of offset k: pixels p with p + offsets[k] inside the grid, lo <= x < hi per
 * dimension.  Returns 0 when the box is empty. */
static int source_box(const gasp_grid_t *gr, int32_t k, int64_t *lo, int64_t *hi)
{
    const int64_t *o = gr->offsets + (int64_t)k * gr->ndim;
    int nonempty = 1;
    for (int32_t d = 0; d < gr->ndim; d++) {
        int64_t s = gr->shape[d];
        if (o[d] >= s || -o[d] >= s) {
            lo[d] = hi[d] = 0;
            nonempty = 0;
            continue;
        }
        lo[d] = o[d] < 0 ? -o[d] : 0;
        hi[d] = o[d] > 0 ? s - o[d] : s;
        nonempty &= lo[d] < hi[d];
    }
    return nonempty;
}

static inline int keep_bit(const gasp_grid_t *gr, int32_t k, int64_t j)
{
    return (gr->keep_bits[gr->keep_start[k] + (j >> 3)] >> (j & 7)) & 1;
}

/* Candidates of offset k: source pixels whose edge lies inside the mask. */
static int64_t count_candidates(const gasp_grid_t *gr, int32_t k, const volatile int32_t *cancel,
                                int *interrupted)
{
    int64_t lo[GASP_GRID_MAX_DIM], hi[GASP_GRID_MAX_DIM], c[GASP_GRID_MAX_DIM];
    if (!source_box(gr, k, lo, hi))
        return 0;
    const int32_t last = gr->ndim - 1;
    if (!gr->mask) {
        int64_t count = 1;
        for (int32_t d = 0; d < gr->ndim; d++)
            count *= hi[d] - lo[d];
        return count;
    }
    const int64_t delta = gr->delta[k];
    int64_t count = 0, rows = 0;
    for (int32_t d = 0; d < last; d++)
        c[d] = lo[d];
    for (;;) {
        int64_t base = 0;
        for (int32_t d = 0; d < last; d++)
            base += c[d] * gr->stride[d];
        for (int64_t x = lo[last]; x < hi[last]; x++)
            count += gr->mask[base + x] & gr->mask[base + x + delta];
        if ((++rows & 0x3FF) == 0 && cancel && *cancel) {
            *interrupted = 1;
            return 0;
        }
        int32_t d = last - 1;
        for (; d >= 0; d--) {
            if (++c[d] < hi[d])
                break;
            c[d] = lo[d];
        }
        if (d < 0)
            return count;
    }
}

/* Set bits among the first `bits` bits of bytes[]. */
static int64_t popcount_bits(const uint8_t *bytes, int64_t bits)
{
    int64_t count = 0, full = bits >> 3;
    for (int64_t i = 0; i < full; i++) {
        unsigned x = bytes[i];
        while (x) {
            x &= x - 1;
            count++;
        }
    }
    if (bits & 7) {
        unsigned x = bytes[full] & ((1u << (bits & 7)) - 1u);
        while (x) {
            x &= x - 1;
            count++;
        }
    }
    return count;
}

/* Validate the value type and the probability -> weight mapping. */
static int check_mapping(int32_t value_type, int32_t kind, double beta, double eps,
                         gasp_stats_t *st)
{
    if (value_type != GASP_VALUES_FLOAT64 && value_type != GASP_VALUES_FLOAT32)
        FAIL(GASP_ARG_VALUE_TYPE, -1);
    if (kind != GASP_WEIGHTS_LINEAR && kind != GASP_WEIGHTS_LOGIT)
        FAIL(GASP_ARG_WEIGHT_KIND, -1);
    if (!(beta > 0.0 && beta < 1.0))
        FAIL(GASP_ARG_BETA, -1);
    if (kind == GASP_WEIGHTS_LOGIT && !(eps > 0.0 && eps < 0.5))
        FAIL(GASP_ARG_EPS, -1);
    return GASP_OK;
}

void gasp_grid_destroy(gasp_grid_t *gr)
{
    free(gr->delta);
    free(gr->keep_start);
    free(gr->count);
    gr->delta = gr->keep_start = gr->count = NULL;
}

int gasp_grid_init(gasp_grid_t *gr, int32_t ndim, const int64_t *shape, int32_t n_offsets,
                   const int64_t *offsets, const void *affinities, int32_t value_type,
                   const uint8_t *mask, const uint8_t *offset_flags, const uint8_t *keep_bits,
                   int64_t n_keep_bytes, int32_t kind, double beta, double eps,
                   const volatile int32_t *cancel, gasp_stats_t *st)
{
    memset(gr, 0, sizeof *gr);
    int rc;
    if (ndim < 1 || ndim > GASP_GRID_MAX_DIM || !shape)
        FAIL(GASP_ARG_SHAPE, -1);
    int64_t n = 1;
    int any_zero = 0;
    for (int32_t d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            FAIL(GASP_ARG_SHAPE, d);
        any_zero |= shape[d] == 0;
    }
    for (int32_t d = 0; d < ndim && !any_zero; d++) {
        if (n > gasp_max_nodes() / shape[d])
            return GASP_ETOOBIG;
        n *= shape[d];
    }
    if (any_zero)
        n = 0;
    gr->ndim = ndim;
    gr->n = n;
    for (int32_t d = ndim - 1; d >= 0; d--) {
        gr->shape[d] = shape[d];
        gr->stride[d] = d == ndim - 1 ? 1 : gr->stride[d + 1] * shape[d + 1];
    }
    if (n_offsets < 0 || (n_offsets > 0 && !offsets))
        FAIL(GASP_ARG_OFFSETS, -1);
    for (int32_t k = 0; k < n_offsets; k++) {
        const int64_t *o = offsets + (int64_t)k * ndim;
        int zero = 1;
        for (int32_t d = 0; d < ndim; d++)
            zero &= o[d] == 0;
        if (zero)
            FAIL(GASP_ARG_OFFSETS, k);
        for (int32_t j = 0; j < k; j++) {
            const int64_t *q = offsets + (int64_t)j * ndim;
            int same = 1, opposite = 1;
            for (int32_t d = 0; d < ndim; d++) {
                same &= q[d] == o[d];
                opposite &= q[d] == -o[d];
            }
            if (same || opposite)
                FAIL(GASP_ARG_OFFSETS, k);  /* they would give the same pixel pairs */
        }
    }
    if (n > 0 && n_offsets > 0 && !affinities)
        FAIL(GASP_ARG_AFFINITIES, -1);
    for (int32_t k = 0; offset_flags && k < n_offsets; k++)
        if (offset_flags[k] & ~(GASP_OFFSET_LIFTED | GASP_OFFSET_SAMPLED))
            FAIL(GASP_ARG_OFFSET_FLAGS, k);
    for (int64_t p = 0; mask && p < n; p++)
        if (mask[p] > 1)
            FAIL(GASP_ARG_MASK, p);
    if ((rc = check_mapping(value_type, kind, beta, eps, st)) != GASP_OK)
        return rc;
    if (n_keep_bytes < 0 || (n_keep_bytes > 0 && !keep_bits))
        FAIL(GASP_ARG_KEEP_BITS, -1);
    gr->n_offsets = n_offsets;
    gr->offsets = offsets;
    gr->affinities = affinities;
    gr->value_type = value_type;
    gr->mask = mask;
    gr->offset_flags = offset_flags;
    gr->keep_bits = keep_bits;
    gr->kind = kind;
    gr->beta = beta;
    gr->eps = eps;
    gr->logit_beta = log(beta / (1.0 - beta));
    size_t no = n_offsets > 0 ? (size_t)n_offsets : 1;
    gr->delta = malloc(no * sizeof *gr->delta);
    gr->keep_start = malloc(no * sizeof *gr->keep_start);
    gr->count = malloc(no * sizeof *gr->count);
    if (!gr->delta || !gr->keep_start || !gr->count) {
        gasp_grid_destroy(gr);
        return GASP_ENOMEM;
    }
    /* Count the edges of every offset; lay out the keep bitstreams. */
    int64_t bytes = 0, m = 0;
    for (int32_t k = 0; k < n_offsets; k++) {
        const int64_t *o = offsets + (int64_t)k * ndim;
        gr->delta[k] = 0;
        int64_t lo[GASP_GRID_MAX_DIM], hi[GASP_GRID_MAX_DIM];
        if (n > 0 && source_box(gr, k, lo, hi))
            for (int32_t d = 0; d < ndim; d++)
                gr->delta[k] += o[d] * gr->stride[d];  /* |o[d]| < shape[d]: no overflow */
        int interrupted = 0;
        int64_t cand = n > 0 ? count_candidates(gr, k, cancel, &interrupted) : 0;
        if (interrupted) {
            gasp_grid_destroy(gr);
            return GASP_EINTERRUPTED;
        }
        gr->keep_start[k] = bytes;
        gr->count[k] = cand;
        if (offset_flags && (offset_flags[k] & GASP_OFFSET_SAMPLED)) {
            int64_t need = (cand + 7) >> 3;
            if (bytes + need > n_keep_bytes) {
                gasp_grid_destroy(gr);
                FAIL(GASP_ARG_KEEP_BITS, -1);
            }
            gr->count[k] = popcount_bits(keep_bits + bytes, cand);
            bytes += need;
        }
        m += gr->count[k];
        gr->any_lifted |= gasp_grid_lifted(gr, k) && gr->count[k] > 0;
    }
    if (bytes != n_keep_bytes) {
        gasp_grid_destroy(gr);
        FAIL(GASP_ARG_KEEP_BITS, -1);
    }
    if (m > gasp_max_edges()) {
        gasp_grid_destroy(gr);
        return GASP_ETOOBIG;
    }
    gr->m = m;
    return GASP_OK;
}

void gasp_grid_iter_start(gasp_grid_iter_t *it, const gasp_grid_t *gr)
{
    memset(it, 0, sizeof *it);
    it->gr = gr;
}

int64_t gasp_grid_iter_next(gasp_grid_iter_t *it, int64_t cap, int64_t *pixel, int32_t *offset)
{
    const gasp_grid_t *gr = it->gr;
    const int32_t last = gr->ndim - 1;
    int64_t got = 0;
    while (got < cap && it->k < gr->n_offsets) {
        const int32_t k = it->k;
        if (!it->in_box) {
            if (gr->count[k] == 0 || !source_box(gr, k, it->lo, it->hi)) {
                it->k++;  /* no edge: skip the offset */
                continue;
            }
            for (int32_t d = 0; d < last; d++)
                it->coord[d] = it->lo[d];
            it->x = it->lo[last];
            it->cand = 0;
            it->in_box = 1;
        }
        const int64_t delta = gr->delta[k], hi = it->hi[last];
        const uint8_t *mask = gr->mask;
        const int sampled = gr->offset_flags && (gr->offset_flags[k] & GASP_OFFSET_SAMPLED);
        int64_t base = 0;
        for (int32_t d = 0; d < last; d++)
            base += it->coord[d] * gr->stride[d];
        int64_t x = it->x;
        if (!mask && !sampled) {
            int64_t take = hi - x < cap - got ? hi - x : cap - got;
            for (int64_t i = 0; i < take; i++) {
                pixel[got + i] = base + x + i;
                offset[got + i] = k;
            }
            got += take;
            x += take;
        } else {
            for (; x < hi && got < cap; x++) {
                int64_t p = base + x;
                if (mask && !(mask[p] & mask[p + delta]))
                    continue;
                if (sampled && !keep_bit(gr, k, it->cand++))
                    continue;
                pixel[got] = p;
                offset[got++] = k;
            }
        }
        it->x = x;
        if (x < hi)
            break;  /* the batch is full */
        /* next row of the box, or the next offset */
        int32_t d = last - 1;
        for (; d >= 0; d--) {
            if (++it->coord[d] < it->hi[d])
                break;
            it->coord[d] = it->lo[d];
        }
        it->x = it->lo[last];
        if (d < 0) {
            it->in_box = 0;
            it->k++;
        }
    }
    return got;
}

/* The weight of the edge of offset k at source pixel p, or GASP_EINVAL (st says where) when its
 * affinity is not in [0, 1]. */
static inline int edge_weight(const gasp_grid_t *gr, int32_t k, int64_t p, double *w,
                              gasp_stats_t *st)
{
    int64_t index = (int64_t)k * gr->n + p;
    double a = gasp_grid_value(gr, index);
    if (!(a >= 0.0 && a <= 1.0))
        FAIL(GASP_ARG_AFFINITIES, index);
    *w = gasp_weight_of(a, gr->kind, gr->beta, gr->eps, gr->logit_beta);
    return GASP_OK;
}

/* ---------------------------------------------------------------------------------------------
 * General loop: the graph built from the grid
 * ------------------------------------------------------------------------------------------- */

/* Non-zero when no two edges of the grid join the same pair of pixels: the edge (p, p + o) of
 * offset o has the coordinate difference o, so that holds unless two offsets are equal or
 * opposite. */
static int grid_pairs_distinct(const gasp_grid_t *gr)
{
    for (int32_t i = 0; i < gr->n_offsets; i++) {
        const int64_t *oi = gr->offsets + (int64_t)i * gr->ndim;
        for (int32_t j = i + 1; j < gr->n_offsets; j++) {
            const int64_t *oj = gr->offsets + (int64_t)j * gr->ndim;
            int same = 1, opposite = 1;
            for (int32_t d = 0; d < gr->ndim; d++) {
                same &= oi[d] == oj[d];
                opposite &= oi[d] == -oj[d];
            }
            if (same || opposite)
                return 0;
        }
    }
    return 1;
}

static int grid_build(const gasp_grid_t *gr, gasp_graph_t *g, const gasp_options_t *o,
                      gasp_stats_t *st)
{
    int rc = gasp_graph_alloc(g, (gasp_idx_t)gr->n, (gasp_idx_t)gr->m, o->linkage,
                              o->linkage_param, 1);
    if (rc != GASP_OK)
        return rc;
    g->distinct_pairs = grid_pairs_distinct(gr);  /* then no duplicate pair to fold */
    gasp_grid_iter_t it;
    gasp_grid_iter_start(&it, gr);
    int64_t pixel[GASP_GRAPH_CHUNK];
    int32_t offset[GASP_GRAPH_CHUNK];
    gasp_idx_t a[GASP_GRAPH_CHUNK], b[GASP_GRAPH_CHUNK];
    double w[GASP_GRAPH_CHUNK];
    uint8_t lifted[GASP_GRAPH_CHUNK];
    int64_t k0 = 0, got;
    while ((got = gasp_grid_iter_next(&it, GASP_GRAPH_CHUNK, pixel, offset)) > 0) {
        if ((k0 & 0xFFFF) < got && o->cancel && *o->cancel) {
            gasp_graph_destroy(g);
            return GASP_EINTERRUPTED;
        }
        for (int64_t i = 0; i < got; i++) {
            a[i] = (gasp_idx_t)pixel[i];
            b[i] = (gasp_idx_t)(pixel[i] + gr->delta[offset[i]]);
            lifted[i] = (uint8_t)gasp_grid_lifted(gr, offset[i]);
            if ((rc = edge_weight(gr, offset[i], pixel[i], &w[i], st)) != GASP_OK) {
                gasp_graph_destroy(g);
                return rc;
            }
        }
        gasp_graph_put_edges(g, (gasp_idx_t)k0, (gasp_idx_t)got, a, b, w, NULL, lifted);
        k0 += got;
    }
    if (k0 != gr->m || (rc = gasp_graph_finish(g)) != GASP_OK) {
        gasp_graph_destroy(g);
        return k0 != gr->m ? GASP_EINTERNAL : rc;
    }
    return GASP_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Connected components of the positive edges (max linkage)
 * ------------------------------------------------------------------------------------------- */

static int grid_components(const gasp_grid_t *gr, const gasp_options_t *o, int64_t *labels,
                           gasp_stats_t *st)
{
    gasp_uf_t uf;
    int rc = gasp_uf_init(&uf, (gasp_idx_t)gr->n);
    if (rc != GASP_OK)
        return rc;
    gasp_grid_iter_t it;
    gasp_grid_iter_start(&it, gr);
    int64_t pixel[GRID_BATCH];
    int32_t offset[GRID_BATCH];
    int64_t done = 0, got;
    while ((got = gasp_grid_iter_next(&it, GRID_BATCH, pixel, offset)) > 0) {
        if ((done & 0xFFFF) < got && o->cancel && *o->cancel) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
        done += got;
        for (int64_t i = 0; i < got; i++) {
            double w;
            if ((rc = edge_weight(gr, offset[i], pixel[i], &w, st)) != GASP_OK)
                goto cleanup;
            if (!(w > 0.0))
                continue;
            gasp_idx_t a = gasp_uf_find(&uf, (gasp_idx_t)pixel[i]);
            gasp_idx_t b = gasp_uf_find(&uf, (gasp_idx_t)(pixel[i] + gr->delta[offset[i]]));
            if (a != b) {
                gasp_uf_link(&uf, a, b);
                st->n_merges++;
            }
        }
    }
    st->n_clusters = gasp_uf_labels(&uf, labels, uf.size);
cleanup:
    gasp_uf_destroy(&uf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Mutex watershed (abs_max, no lifted edges)
 * ------------------------------------------------------------------------------------------- */

/* A range of processing keys [lo, hi] (inclusive) holding `count` edges; stream: a chunk of a
 * single key too large to gather, processed as it is read. */
typedef struct {
    uint64_t lo, hi;
    int64_t count;
    int stream;
} key_range_t;

typedef struct {
    key_range_t *at;
    int64_t len, cap;
} range_list_t;

static int range_push(range_list_t *l, uint64_t lo, uint64_t hi, int64_t count)
{
    if (l->len == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 1024;
        key_range_t *at = realloc(l->at, (size_t)cap * sizeof *at);
        if (!at)
            return GASP_ENOMEM;
        l->at = at;
        l->cap = cap;
    }
    l->at[l->len].lo = lo;
    l->at[l->len].hi = hi;
    l->at[l->len].stream = 0;
    l->at[l->len++].count = count;
    return GASP_OK;
}

/* Reads the edges in id order, a batch at a time, with their processing keys. */
typedef struct {
    const gasp_grid_t *gr;
    const gasp_options_t *o;
    gasp_grid_iter_t it;
    int64_t done;
    int64_t pixel[GRID_BATCH];
    int32_t offset[GRID_BATCH];
    uint64_t key[GRID_BATCH];
} key_reader_t;

static void key_reader_start(key_reader_t *r, const gasp_grid_t *gr, const gasp_options_t *o)
{
    r->gr = gr;
    r->o = o;
    r->done = 0;
    gasp_grid_iter_start(&r->it, gr);
}

/* The next batch: returns its size (0 at the end) or a negative error code (-GASP_E...). */
static int64_t key_reader_next(key_reader_t *r, gasp_stats_t *st)
{
    const gasp_grid_t *gr = r->gr;
    int64_t got = gasp_grid_iter_next(&r->it, GRID_BATCH, r->pixel, r->offset);
    if ((r->done & 0xFFFF) < got && r->o->cancel && *r->o->cancel)
        return -GASP_EINTERRUPTED;
    r->done += got;
    for (int64_t i = 0; i < got; i++) {
        double w;
        if (edge_weight(gr, r->offset[i], r->pixel[i], &w, st) != GASP_OK)
            return -GASP_EINVAL;
        r->key[i] = gasp_mws_key(w);
    }
    return got;
}

/*
 * Plan the chunks: ranges of consecutive keys whose edges number at most `cap` each, or that
 * hold a single key.  Starts from one range over every key and splits the ranges holding more
 * than cap edges by the next key bits (20, then 16, 16 and 12), one pass over the affinities
 * per level, until none is left (every range of the last level holds one key).  The ranges come
 * out sorted and disjoint.
 */
static int plan_chunks(const gasp_grid_t *gr, const gasp_options_t *o, gasp_stats_t *st,
                       int64_t cap, range_list_t *out)
{
    static const int shifts[] = {44, 28, 12, 0};
    range_list_t cur = {0}, next = {0}, big = {0};
    int64_t *hist = NULL;
    key_reader_t *r = malloc(sizeof *r);
    int rc = r ? range_push(&cur, 0, ~(uint64_t)0, gr->m) : GASP_ENOMEM;
    for (int level = 0, top = 64; rc == GASP_OK && level < 4; top = shifts[level++]) {
        const int shift = shifts[level], bits = top - shift;
        const uint64_t digits = (uint64_t)1 << bits;
        big.len = 0;
        for (int64_t i = 0; i < cur.len && rc == GASP_OK; i++)
            if (cur.at[i].count > cap && cur.at[i].lo != cur.at[i].hi)
                rc = range_push(&big, cur.at[i].lo, cur.at[i].hi, cur.at[i].count);
        if (rc != GASP_OK || big.len == 0)
            break;
        free(hist);
        hist = calloc((size_t)big.len * digits, sizeof *hist);
        if (!hist) {
            rc = GASP_ENOMEM;
            break;
        }
        /* one pass: the edges of the big ranges counted by their digit (at most m / cap big
         * ranges: a linear scan finds an edge's) */
        key_reader_start(r, gr, o);
        int64_t got;
        while ((got = key_reader_next(r, st)) > 0)
            for (int64_t i = 0; i < got; i++) {
                const uint64_t key = r->key[i];
                for (int64_t b = 0; b < big.len; b++)
                    if (key >= big.at[b].lo && key <= big.at[b].hi) {
                        hist[(uint64_t)b * digits + ((key >> shift) & (digits - 1))]++;
                        break;
                    }
            }
        if (got < 0) {
            rc = (int)-got;
            break;
        }
        next.len = 0;
        int64_t b = 0;
        for (int64_t i = 0; i < cur.len && rc == GASP_OK; i++) {
            const key_range_t x = cur.at[i];
            if (b < big.len && big.at[b].lo == x.lo) {
                /* every key of x shares the bits above `top`: its sub-ranges by digit */
                const uint64_t prefix = top < 64 ? (x.lo >> top) << top : 0;
                const uint64_t width = shift ? ((uint64_t)1 << shift) - 1 : 0;
                for (uint64_t d = 0; d < digits && rc == GASP_OK; d++) {
                    int64_t c = hist[(uint64_t)b * digits + d];
                    if (c > 0)
                        rc = range_push(&next, prefix | (d << shift), prefix | (d << shift) | width,
                                        c);
                }
                b++;
            } else {
                rc = range_push(&next, x.lo, x.hi, x.count);
            }
        }
        range_list_t t = cur;
        cur = next;
        next = t;
    }
    /* consecutive small ranges merge into chunks of at most cap edges */
    out->len = 0;
    for (int64_t i = 0; i < cur.len && rc == GASP_OK; i++) {
        key_range_t x = cur.at[i];
        key_range_t *prev = out->len > 0 ? &out->at[out->len - 1] : NULL;
        if (x.count == 0)
            continue;
        if (x.count > cap) {
            /* still above cap after every split: a single key */
            if ((rc = range_push(out, x.lo, x.hi, x.count)) == GASP_OK)
                out->at[out->len - 1].stream = 1;
        } else if (prev && !prev->stream && prev->count + x.count <= cap) {
            prev->hi = x.hi;
            prev->count += x.count;
        } else {
            rc = range_push(out, x.lo, x.hi, x.count);
        }
    }
    free(r);
    free(hist);
    free(cur.at);
    free(next.at);
    free(big.at);
    return rc;
}

/*
 * Stable LSD radix sort of (keys, payload) by key, in place of the key bits that differ between
 * keys: bit 0 (the sign bit of gasp_mws_key) and the others shifted down next to it (dropping
 * bits every key shares keeps the order), then 12 bits per pass.  The result ends in *keys /
 * *payload (swapped with the tmp buffers as needed); the keys come out compacted, with
 * *restore to undo it (key = ((k >> 1) << restore_shift) | restore_bits | (k & 1)).
 */
#define DEFINE_SORT_BY_KEY(name, payload_t)                                                     \
    static void name(int64_t n, uint64_t **keys, payload_t **payload, uint64_t **tmp_keys,      \
                     payload_t **tmp_payload, int *restore_shift, uint64_t *restore_bits)       \
    {                                                                                           \
        uint64_t all_and = ~(uint64_t)0, all_or = 0;                                            \
        for (int64_t i = 0; i < n; i++) {                                                       \
            all_and &= (*keys)[i];                                                              \
            all_or |= (*keys)[i];                                                               \
        }                                                                                       \
        const uint64_t varying = (all_and ^ all_or) & ~(uint64_t)1;                             \
        int t = 1; /* bits 1 .. t-1 are shared by every key */                                  \
        while (t < 64 && !((varying >> t) & 1))                                                 \
            t++;                                                                                \
        *restore_shift = t;                                                                     \
        *restore_bits = n > 0 ? all_and & (t < 64 ? (((uint64_t)1 << t) - 2) : ~(uint64_t)1) : 0; \
        int width = 1;                                                                          \
        if (t < 64) {                                                                           \
            uint64_t rest = (varying >> t) << 1;                                                \
            while (width < 64 && (rest >> width))                                               \
                width++;                                                                        \
        }                                                                                       \
        for (int64_t i = 0; i < n; i++) {                                                       \
            uint64_t k = (*keys)[i];                                                            \
            (*keys)[i] = (t < 64 ? (k >> t) << 1 : 0) | (k & 1);                                \
        }                                                                                       \
        int64_t count[4096];                                                                    \
        for (int shift = 0; n > 1 && shift < width; shift += 12) {                              \
            uint64_t *k = *keys, *tk = *tmp_keys;                                               \
            payload_t *p = *payload, *tp = *tmp_payload;                                        \
            memset(count, 0, sizeof count);                                                     \
            for (int64_t i = 0; i < n; i++)                                                     \
                count[(k[i] >> shift) & 0xFFF]++;                                               \
            int64_t sum = 0;                                                                    \
            for (int d = 0; d < 4096; d++) {                                                    \
                int64_t c = count[d];                                                           \
                count[d] = sum;                                                                 \
                sum += c;                                                                       \
            }                                                                                   \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int64_t at = count[(k[i] >> shift) & 0xFFF]++;                                  \
                tk[at] = k[i];                                                                  \
                tp[at] = p[i];                                                                  \
            }                                                                                   \
            *keys = tk;                                                                         \
            *payload = tp;                                                                      \
            *tmp_keys = k;                                                                      \
            *tmp_payload = p;                                                                   \
        }                                                                                       \
    }

DEFINE_SORT_BY_KEY(sort_by_key32, uint32_t)
DEFINE_SORT_BY_KEY(sort_by_key64, uint64_t)

static inline uint64_t restore_key(uint64_t k, int shift, uint64_t bits)
{
    return (shift < 64 ? (k >> 1) << shift : 0) | bits | (k & 1);
}

/*
 * One gathered chunk, sorted and processed; payload_t holds pixel << offset_bits | offset.
 * Returns GASP_OK or an error code.
 */
#define DEFINE_RUN_CHUNK(name, payload_t, sort)                                                 \
    static int name(const gasp_grid_t *gr, key_reader_t *r, const key_range_t *ch,             \
                    int offset_bits, int64_t room, void **buf, gasp_mws_t *mws,                 \
                    gasp_stats_t *st)                                                           \
    {                                                                                           \
        uint64_t *keys = buf[0], *tk = buf[2];                                                  \
        payload_t *payload = buf[1], *tp = buf[3];                                              \
        const uint64_t offset_mask = ((uint64_t)1 << offset_bits) - 1;                          \
        int64_t got, len = 0;                                                                   \
        /* gather in id order, without a branch on the key (room has one slot to spare) */     \
        while ((got = key_reader_next(r, st)) > 0) {                                            \
            for (int64_t i = 0; i < got; i++) {                                                 \
                const uint64_t key = r->key[i];                                                 \
                keys[len] = key;                                                                \
                payload[len] = (payload_t)(((uint64_t)r->pixel[i] << offset_bits) |             \
                                           (uint64_t)r->offset[i]);                             \
                len += (key >= ch->lo) & (key <= ch->hi);                                       \
                if (len == room)                                                                \
                    return GASP_EINTERNAL; /* more edges than counted: the values changed */    \
            }                                                                                   \
        }                                                                                       \
        if (got < 0)                                                                            \
            return (int)-got;                                                                   \
        int restore_shift;                                                                      \
        uint64_t restore_bits;                                                                  \
        sort(len, &keys, &payload, &tk, &tp, &restore_shift, &restore_bits);                    \
        for (int64_t i = 0; i < len && !mws->done; i++) {                                       \
            int rc;                                                                             \
            if ((i & 0xFFFF) == 0 && (rc = gasp_mws_poll(mws)) != GASP_OK)                      \
                return rc;                                                                      \
            if (i + 16 < len) {                                                                 \
                uint64_t q = payload[i + 16];                                                   \
                int64_t p = (int64_t)(q >> offset_bits);                                        \
                GRID_PREFETCH(&mws->uf.parent[p]);                                              \
                GRID_PREFETCH(&mws->uf.parent[p + gr->delta[q & offset_mask]]);                 \
            }                                                                                   \
            uint64_t q = payload[i];                                                            \
            int64_t p = (int64_t)(q >> offset_bits);                                            \
            double w = gasp_mws_weight(restore_key(keys[i], restore_shift, restore_bits));      \
            rc = gasp_mws_edge(mws, (gasp_idx_t)p, (gasp_idx_t)(p + gr->delta[q & offset_mask]), \
                               w);                                                              \
            if (rc != GASP_OK)                                                                  \
                return rc;                                                                      \
        }                                                                                       \
        return GASP_OK;                                                                         \
    }

DEFINE_RUN_CHUNK(run_chunk32, uint32_t, sort_by_key32)
DEFINE_RUN_CHUNK(run_chunk64, uint64_t, sort_by_key64)

static int grid_mutex_watershed(const gasp_grid_t *gr, const gasp_options_t *o, int64_t *labels,
                                int64_t *merges, double *heights, gasp_stats_t *st)
{
    int offset_bits = 0;
    while (((int64_t)1 << offset_bits) < gr->n_offsets)
        offset_bits++;
    if (gr->n > 0 && (uint64_t)(gr->n - 1) > (UINT64_MAX >> offset_bits))
        return GASP_FAST_DECLINED;  /* (pixel, offset) does not fit 64 bits: the general loop */
    /* 32-bit payloads when (pixel, offset) fits them */
    const int narrow = gr->n == 0 || (uint64_t)(gr->n - 1) <= (UINT32_MAX >> offset_bits);
    /* an eighth of slack, so that ranges packed greedily make GRID_MWS_CHUNKS chunks */
    int64_t cap = (gr->m + GRID_MWS_CHUNKS - 1) / GRID_MWS_CHUNKS;
    cap += cap / 8;
    if (cap < GRID_MWS_MIN_CHUNK)
        cap = GRID_MWS_MIN_CHUNK;
    range_list_t chunks = {0};
    void *buf[4] = {NULL, NULL, NULL, NULL};
    key_reader_t *r = malloc(sizeof *r);
    gasp_mws_t mws;
    int have_mws = 0;
    int rc = r ? plan_chunks(gr, o, st, cap, &chunks) : GASP_ENOMEM;
    int64_t largest = 0;
    for (int64_t c = 0; c < chunks.len; c++)
        if (!chunks.at[c].stream && chunks.at[c].count > largest)
            largest = chunks.at[c].count;
    const int64_t room = largest + 1;  /* the gather writes one slot past the chunk's edges */
    for (int i = 0; rc == GASP_OK && i < 4 && largest > 0; i++) {
        size_t item = (i & 1) && narrow ? sizeof(uint32_t) : sizeof(uint64_t);
        if (!(buf[i] = gasp_alloc((size_t)room * item)))
            rc = GASP_ENOMEM;
    }
    if (rc == GASP_OK && (rc = gasp_mws_init(&mws, (gasp_idx_t)gr->n, o, merges, heights, st)) ==
                             GASP_OK)
        have_mws = 1;
    for (int64_t c = 0; rc == GASP_OK && c < chunks.len && !mws.done; c++) {
        const key_range_t *ch = &chunks.at[c];
        key_reader_start(r, gr, o);
        if (!ch->stream) {
            rc = narrow ? run_chunk32(gr, r, ch, offset_bits, room, buf, &mws, st)
                        : run_chunk64(gr, r, ch, offset_bits, room, buf, &mws, st);
            continue;
        }
        /* one key: the chunk's order is the id order, in which the edges are read */
        const double w = gasp_mws_weight(ch->lo);
        int64_t got = 0, seen = 0;
        while (rc == GASP_OK && !mws.done && (got = key_reader_next(r, st)) > 0)
            for (int64_t i = 0; i < got && rc == GASP_OK && !mws.done; i++) {
                if (r->key[i] != ch->lo)
                    continue;
                if ((seen++ & 0xFFFF) == 0 && (rc = gasp_mws_poll(&mws)) != GASP_OK)
                    break;
                int64_t p = r->pixel[i];
                rc = gasp_mws_edge(&mws, (gasp_idx_t)p, (gasp_idx_t)(p + gr->delta[r->offset[i]]),
                                   w);
            }
        if (rc == GASP_OK && got < 0)
            rc = (int)-got;
    }
    if (rc == GASP_OK)
        gasp_mws_finish(&mws, labels);
    for (int i = 0; i < 4; i++)
        free(buf[i]);
    free(chunks.at);
    free(r);
    if (have_mws)
        gasp_mws_destroy(&mws);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

int gasp_grid_run(int32_t ndim, const int64_t *shape, int32_t n_offsets, const int64_t *offsets,
                  const void *affinities, int32_t value_type, const uint8_t *mask,
                  const uint8_t *offset_flags, const uint8_t *keep_bits, int64_t n_keep_bytes,
                  int32_t weight_kind, double beta, double eps, const gasp_options_t *options,
                  int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *stats)
{
    gasp_stats_t local_stats;
    gasp_stats_t *st = stats ? stats : &local_stats;
    gasp_stats_reset(st);
    if (!options)
        FAIL(GASP_ARG_OPTIONS, -1);
    gasp_grid_t gr;
    int rc = gasp_grid_init(&gr, ndim, shape, n_offsets, offsets, affinities, value_type, mask,
                            offset_flags, keep_bits, n_keep_bytes, weight_kind, beta, eps,
                            options->cancel, st);
    if (rc != GASP_OK)
        return rc;
    if ((rc = gasp_options_check(options, gr.n, labels, st)) != GASP_OK)
        goto cleanup;
    if (options->refine) {
        /* the refinement reads an edge list, which a grid run never builds */
        st->err_arg = GASP_ARG_OPTIONS;
        st->err_index = -1;
        rc = GASP_EINVAL;
        goto cleanup;
    }
    const gasp_options_t *o = options;
    rc = GASP_FAST_DECLINED;
    if (!o->no_fast_path && !o->run_to_completion && o->n_clusters == 0) {
        /* (an exact cluster count may need the completion pass: no shortcut) */
        if (o->linkage == GASP_LINKAGE_MAX && !o->cannot_link && o->min_clusters <= 1 && !merges &&
            !heights && !gr.any_lifted)
            rc = grid_components(&gr, o, labels, st);
        else if (o->linkage == GASP_LINKAGE_ABS_MAX && o->size_regularizer == 0.0 &&
                 !gr.any_lifted)
            rc = grid_mutex_watershed(&gr, o, labels, merges, heights, st);
    }
    if (rc != GASP_FAST_DECLINED) {
        st->n_merges_gasp = st->n_merges;
        goto cleanup;
    }
    gasp_graph_t g;
    if ((rc = grid_build(&gr, &g, o, st)) != GASP_OK)
        goto cleanup;
    rc = gasp_engine_run(&g, NULL, o, labels, merges, heights, st);
cleanup:
    gasp_grid_destroy(&gr);
    return rc;
}

int gasp_signed_weights(const void *p, int32_t value_type, int64_t n, int32_t weight_kind,
                        double beta, double eps, double *out, gasp_stats_t *stats)
{
    gasp_stats_t local_stats;
    gasp_stats_t *st = stats ? stats : &local_stats;
    gasp_stats_reset(st);
    int rc = check_mapping(value_type, weight_kind, beta, eps, st);
    if (rc != GASP_OK)
        return rc;
    if (n < 0 || (n > 0 && (!p || !out)))
        FAIL(GASP_ARG_AFFINITIES, -1);
    const double logit_beta = log(beta / (1.0 - beta));
    for (int64_t i = 0; i < n; i++) {
        double a = value_type == GASP_VALUES_FLOAT32 ? (double)((const float *)p)[i]
                                                     : ((const double *)p)[i];
        if (!(a >= 0.0 && a <= 1.0))
            FAIL(GASP_ARG_AFFINITIES, i);
        out[i] = gasp_weight_of(a, weight_kind, beta, eps, logit_beta);
    }
    return GASP_OK;
}

#undef FAIL
