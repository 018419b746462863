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

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "engine.h"
#include "fastpath.h"
#include "graph.h"
#include "unionfind.h"

/* The mutex watershed of a grid sorts its edges in about this many pieces (fewer when small). */
#define GRID_MWS_CHUNKS 4
/* ... but never in pieces of fewer edges than this. */
#define GRID_MWS_MIN_CHUNK ((int64_t)1 << 20)
/* Edges per batch read from the iterator. */
#define GRID_BATCH 256

#if defined(__GNUC__) || defined(__clang__)
#define GRID_PREFETCH(p) __builtin_prefetch(p)
#else
#define GRID_PREFETCH(p) ((void)0)
#endif

#define FAIL(arg, idx)          \
    do {                        \
        st->err_arg = (arg);    \
        st->err_index = (idx);  \
        return GASP_EINVAL;     \
    } while (0)

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
    if (value_type != GASP_VALUES_FLOAT64 && value_type != GASP_VALUES_FLOAT32)
        FAIL(GASP_ARG_VALUE_TYPE, -1);
    if (n > 0 && n_offsets > 0 && !affinities)
        FAIL(GASP_ARG_AFFINITIES, -1);
    for (int32_t k = 0; offset_flags && k < n_offsets; k++)
        if (offset_flags[k] & ~(GASP_OFFSET_LIFTED | GASP_OFFSET_SAMPLED))
            FAIL(GASP_ARG_OFFSET_FLAGS, k);
    for (int64_t p = 0; mask && p < n; p++)
        if (mask[p] > 1)
            FAIL(GASP_ARG_MASK, p);
    if (kind != GASP_WEIGHTS_LINEAR && kind != GASP_WEIGHTS_LOGIT)
        FAIL(GASP_ARG_WEIGHT_KIND, -1);
    if (!(beta > 0.0 && beta < 1.0))
        FAIL(GASP_ARG_BETA, -1);
    if (kind == GASP_WEIGHTS_LOGIT && !(eps > 0.0 && eps < 0.5))
        FAIL(GASP_ARG_EPS, -1);
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

static int grid_build(const gasp_grid_t *gr, gasp_graph_t *g, const gasp_options_t *o,
                      gasp_stats_t *st)
{
    int rc = gasp_graph_alloc(g, (gasp_idx_t)gr->n, (gasp_idx_t)gr->m, o->linkage,
                              o->linkage_param);
    if (rc != GASP_OK)
        return rc;
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

/* Calls visit(ctx, key, pixel, offset) for every edge in id order; stops at the first error. */
typedef int (*key_visit_t)(void *ctx, uint64_t key, int64_t pixel, int32_t offset);

static int for_each_key(const gasp_grid_t *gr, const gasp_options_t *o, gasp_stats_t *st,
                        key_visit_t visit, void *ctx)
{
    gasp_grid_iter_t it;
    gasp_grid_iter_start(&it, gr);
    int64_t pixel[GRID_BATCH];
    int32_t offset[GRID_BATCH];
    int64_t done = 0, got;
    int rc;
    while ((got = gasp_grid_iter_next(&it, GRID_BATCH, pixel, offset)) > 0) {
        if ((done & 0xFFFF) < got && o->cancel && *o->cancel)
            return GASP_EINTERRUPTED;
        done += got;
        for (int64_t i = 0; i < got; i++) {
            double w;
            if ((rc = edge_weight(gr, offset[i], pixel[i], &w, st)) != GASP_OK)
                return rc;
            if ((rc = visit(ctx, gasp_mws_key(w), pixel[i], offset[i])) != GASP_OK)
                return rc;
        }
    }
    return GASP_OK;
}

/* Histogram pass: the ranges in `split` (sorted, disjoint, each covering the keys with one
 * common prefix above bit `shift + 16`) are split into 65536 sub-ranges by key bits
 * [shift, shift + 16). */
typedef struct {
    const key_range_t *split;
    int64_t n_split;
    int shift;
    int64_t *hist;  /* n_split * 65536 counters */
} split_ctx_t;

static int split_visit(void *ctx, uint64_t key, int64_t pixel, int32_t offset)
{
    (void)pixel;
    (void)offset;
    split_ctx_t *c = ctx;
    /* few ranges are split at once (at most GRID_MWS_CHUNKS per level): a linear scan */
    for (int64_t r = 0; r < c->n_split; r++)
        if (key >= c->split[r].lo && key <= c->split[r].hi) {
            c->hist[(r << 16) + ((key >> c->shift) & 0xFFFF)]++;
            break;
        }
    return GASP_OK;
}

/* Gather pass: the edges whose key lies in [lo, hi], in id order. */
typedef struct {
    uint64_t lo, hi;
    uint64_t *keys;
    uint64_t *payload;  /* pixel << offset_bits | offset */
    int offset_bits;
    int64_t len, room;
} gather_ctx_t;

static int gather_visit(void *ctx, uint64_t key, int64_t pixel, int32_t offset)
{
    gather_ctx_t *c = ctx;
    if (key < c->lo || key > c->hi)
        return GASP_OK;
    if (c->len == c->room)
        return GASP_EINTERNAL;  /* more edges than counted: the affinities changed meanwhile */
    c->keys[c->len] = key;
    c->payload[c->len++] = ((uint64_t)pixel << c->offset_bits) | (uint64_t)offset;
    return GASP_OK;
}

/* Stream pass: the edges of key `key`, processed in id order as they are read. */
typedef struct {
    uint64_t key;
    const gasp_grid_t *gr;
    gasp_mws_t *mws;
    int64_t seen;
} stream_ctx_t;

static int stream_visit(void *ctx, uint64_t key, int64_t pixel, int32_t offset)
{
    stream_ctx_t *c = ctx;
    if (key != c->key || c->mws->done)
        return GASP_OK;
    if ((c->seen++ & 0xFFFF) == 0) {
        int rc = gasp_mws_poll(c->mws);
        if (rc != GASP_OK)
            return rc;
    }
    return gasp_mws_edge(c->mws, (gasp_idx_t)pixel, (gasp_idx_t)(pixel + c->gr->delta[offset]),
                         gasp_mws_weight(key));
}

/* Stable LSD radix sort of (keys, payload) by key, 8 bits per pass, skipping the bytes every key
 * shares; the result ends in *keys / *payload (buffers swapped with the tmp ones as needed). */
static void sort_by_key(int64_t n, uint64_t **keys, uint64_t **payload, uint64_t **tmp_keys,
                        uint64_t **tmp_payload)
{
    if (n < 2)
        return;
    uint64_t all_and = ~(uint64_t)0, all_or = 0;
    for (int64_t i = 0; i < n; i++) {
        all_and &= (*keys)[i];
        all_or |= (*keys)[i];
    }
    const uint64_t varying = all_and ^ all_or;
    int64_t count[256];
    for (int shift = 0; shift < 64; shift += 8) {
        if (((varying >> shift) & 0xFF) == 0)
            continue;
        uint64_t *k = *keys, *p = *payload, *tk = *tmp_keys, *tp = *tmp_payload;
        memset(count, 0, sizeof count);
        for (int64_t i = 0; i < n; i++)
            count[(k[i] >> shift) & 0xFF]++;
        int64_t sum = 0;
        for (int d = 0; d < 256; d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t at = count[(k[i] >> shift) & 0xFF]++;
            tk[at] = k[i];
            tp[at] = p[i];
        }
        *keys = tk;
        *payload = tp;
        *tmp_keys = k;
        *tmp_payload = p;
    }
}

/*
 * Plan the chunks: ranges of consecutive keys whose edges number at most `cap` each, or that
 * hold a single key.  Starts from one range over every key and splits the ranges holding more
 * than cap edges, 16 key bits per pass over the affinities, until none is left (after 4 passes
 * every range holds one key).  The ranges come out sorted and disjoint.
 */
static int plan_chunks(const gasp_grid_t *gr, const gasp_options_t *o, gasp_stats_t *st,
                       int64_t cap, range_list_t *out)
{
    range_list_t cur = {0}, next = {0}, big = {0};
    int64_t *hist = NULL;
    int rc = range_push(&cur, 0, ~(uint64_t)0, gr->m);
    for (int shift = 48; rc == GASP_OK && shift >= 0; shift -= 16) {
        big.len = 0;
        for (int64_t r = 0; r < cur.len && rc == GASP_OK; r++)
            if (cur.at[r].count > cap && cur.at[r].lo != cur.at[r].hi)
                rc = range_push(&big, cur.at[r].lo, cur.at[r].hi, cur.at[r].count);
        if (rc != GASP_OK || big.len == 0)
            break;
        free(hist);
        hist = calloc((size_t)big.len << 16, sizeof *hist);
        if (!hist) {
            rc = GASP_ENOMEM;
            break;
        }
        split_ctx_t sc = {big.at, big.len, shift, hist};
        if ((rc = for_each_key(gr, o, st, split_visit, &sc)) != GASP_OK)
            break;
        next.len = 0;
        int64_t b = 0;
        for (int64_t r = 0; r < cur.len && rc == GASP_OK; r++) {
            const key_range_t x = cur.at[r];
            if (b < big.len && big.at[b].lo == x.lo) {
                /* every key of x shares the bits above shift + 16: its sub-ranges */
                const uint64_t prefix = shift + 16 < 64 ? (x.lo >> (shift + 16)) << (shift + 16) : 0;
                for (uint64_t d = 0; d < 65536 && rc == GASP_OK; d++) {
                    int64_t c = hist[(b << 16) + (int64_t)d];
                    if (c == 0)
                        continue;
                    uint64_t lo = prefix | (d << shift);
                    uint64_t hi = lo | (shift ? (((uint64_t)1 << shift) - 1) : 0);
                    rc = range_push(&next, lo, hi, c);
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
    /* merge consecutive small ranges into chunks of at most cap edges */
    out->len = 0;
    for (int64_t r = 0; r < cur.len && rc == GASP_OK; r++) {
        key_range_t x = cur.at[r];
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
    free(hist);
    free(cur.at);
    free(next.at);
    free(big.at);
    return rc;
}

static int grid_mutex_watershed(const gasp_grid_t *gr, const gasp_options_t *o, int64_t *labels,
                                int64_t *merges, double *heights, gasp_stats_t *st)
{
    int offset_bits = 0;
    while (((int64_t)1 << offset_bits) < gr->n_offsets)
        offset_bits++;
    if (gr->n > 0 && (uint64_t)(gr->n - 1) > (UINT64_MAX >> offset_bits))
        return GASP_FAST_DECLINED;  /* (pixel, offset) does not fit 64 bits: the general loop */
    int64_t cap = (gr->m + GRID_MWS_CHUNKS - 1) / GRID_MWS_CHUNKS;
    if (cap < GRID_MWS_MIN_CHUNK)
        cap = GRID_MWS_MIN_CHUNK;
    range_list_t chunks = {0};
    uint64_t *buf[4] = {NULL, NULL, NULL, NULL};
    gasp_mws_t mws;
    int have_mws = 0;
    int rc = plan_chunks(gr, o, st, cap, &chunks);
    int64_t largest = 0;
    for (int64_t c = 0; c < chunks.len; c++)
        if (!chunks.at[c].stream && chunks.at[c].count > largest)
            largest = chunks.at[c].count;
    for (int i = 0; rc == GASP_OK && i < 4 && largest > 0; i++)
        if (!(buf[i] = gasp_alloc((size_t)largest * sizeof *buf[i])))
            rc = GASP_ENOMEM;
    if (rc == GASP_OK && (rc = gasp_mws_init(&mws, (gasp_idx_t)gr->n, o, merges, heights, st)) ==
                             GASP_OK)
        have_mws = 1;
    const uint64_t offset_mask = ((uint64_t)1 << offset_bits) - 1;
    for (int64_t c = 0; rc == GASP_OK && c < chunks.len && !mws.done; c++) {
        const key_range_t ch = chunks.at[c];
        if (ch.stream) {
            stream_ctx_t sc = {ch.lo, gr, &mws, 0};
            rc = for_each_key(gr, o, st, stream_visit, &sc);
            continue;
        }
        gather_ctx_t gc = {ch.lo, ch.hi, buf[0], buf[1], offset_bits, 0, largest};
        if ((rc = for_each_key(gr, o, st, gather_visit, &gc)) != GASP_OK)
            break;
        uint64_t *keys = buf[0], *payload = buf[1], *tk = buf[2], *tp = buf[3];
        sort_by_key(gc.len, &keys, &payload, &tk, &tp);
        for (int64_t i = 0; i < gc.len && !mws.done; i++) {
            if ((i & 0xFFFF) == 0 && (rc = gasp_mws_poll(&mws)) != GASP_OK)
                break;
            if (i + 16 < gc.len) {
                uint64_t q = payload[i + 16];
                int64_t p = (int64_t)(q >> offset_bits);
                GRID_PREFETCH(&mws.uf.parent[p]);
                GRID_PREFETCH(&mws.uf.parent[p + gr->delta[q & offset_mask]]);
            }
            uint64_t q = payload[i];
            int64_t p = (int64_t)(q >> offset_bits);
            rc = gasp_mws_edge(&mws, (gasp_idx_t)p, (gasp_idx_t)(p + gr->delta[q & offset_mask]),
                               gasp_mws_weight(keys[i]));
            if (rc != GASP_OK)
                break;
        }
    }
    if (rc == GASP_OK)
        gasp_mws_finish(&mws, labels);
    for (int i = 0; i < 4; i++)
        free(buf[i]);
    free(chunks.at);
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
    if (value_type != GASP_VALUES_FLOAT64 && value_type != GASP_VALUES_FLOAT32)
        FAIL(GASP_ARG_VALUE_TYPE, -1);
    if (weight_kind != GASP_WEIGHTS_LINEAR && weight_kind != GASP_WEIGHTS_LOGIT)
        FAIL(GASP_ARG_WEIGHT_KIND, -1);
    if (!(beta > 0.0 && beta < 1.0))
        FAIL(GASP_ARG_BETA, -1);
    if (weight_kind == GASP_WEIGHTS_LOGIT && !(eps > 0.0 && eps < 0.5))
        FAIL(GASP_ARG_EPS, -1);
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
