/*
 * image.c -- the image pipeline's C parts (contracts in gasp.h): connected components, a seeded
 * watershed and the distance transform on n-D label images (the pre-merge and the clean-up of
 * small segments), and the grouping and reduction of pixel edges into region-graph edges.
 * Self-contained: no engine state is shared.
 *
 * References: F. Meyer, "Topographic distance and watershed lines", Signal Processing 38 (1994)
 * (the priority flood); P. Felzenszwalb, D. Huttenlocher, "Distance transforms of sampled
 * functions", Theory of Computing 8 (2012) (the lower envelope of parabolas).
 */
#include <math.h>
#include <stdlib.h>

#include "gasp.h"

#define IMAGE_POLL 4096

/* Grid geometry: shape, strides and pixel count, validated once. */
typedef struct {
    int32_t ndim;
    int64_t shape[GASP_IMAGE_MAX_NDIM];
    int64_t stride[GASP_IMAGE_MAX_NDIM];
    int64_t n;
} image_grid_t;

static int image_fail(gasp_stats_t *st, int32_t arg, int64_t index)
{
    if (st) {
        st->err_arg = arg;
        st->err_index = index;
    }
    return GASP_EINVAL;
}

static void image_reset_stats(gasp_stats_t *st)
{
    if (!st)
        return;
    st->n_merges = st->n_clusters = st->n_pops = st->n_moved = st->n_folds = 0;
    st->n_merges_gasp = 0;
    st->stopped = 0;
    st->err_arg = GASP_ARG_NONE;
    st->err_index = -1;
}

/* Validate ndim and shape (prod(shape) must fit size_t-addressable memory) and fill *g. */
static int image_grid_init(image_grid_t *g, int32_t ndim, const int64_t *shape, gasp_stats_t *st)
{
    if (ndim < 1 || ndim > GASP_IMAGE_MAX_NDIM || !shape)
        return image_fail(st, GASP_ARG_IMAGE_SHAPE, -1);
    g->ndim = ndim;
    int64_t n = 1;
    for (int32_t d = ndim - 1; d >= 0; d--) {
        if (shape[d] < 0)
            return image_fail(st, GASP_ARG_IMAGE_SHAPE, d);
        g->shape[d] = shape[d];
        g->stride[d] = n;
        if (shape[d] > 0 && n > (INT64_MAX / 16) / shape[d])
            return image_fail(st, GASP_ARG_IMAGE_SHAPE, d);
        n *= shape[d];
    }
    g->n = n;
    return GASP_OK;
}

static inline int64_t image_coord(const image_grid_t *g, int64_t p, int32_t d)
{
    return (p / g->stride[d]) % g->shape[d];
}

/* Neighbour j (0 .. 2*ndim-1: axis j/2, lower first) of p, or -1 outside the grid. */
static inline int64_t image_neighbour(const image_grid_t *g, int64_t p, int32_t j)
{
    int32_t d = j >> 1;
    int64_t c = image_coord(g, p, d);
    if (j & 1)
        return c + 1 < g->shape[d] ? p + g->stride[d] : -1;
    return c > 0 ? p - g->stride[d] : -1;
}

static inline int image_cancelled(const volatile int32_t *cancel, int64_t i)
{
    return (i & (IMAGE_POLL - 1)) == 0 && cancel && *cancel;
}

/* ------------------------------------------------------------------------------------------ */
/* Connected components: breadth-first flood from every unvisited non-zero pixel in C order.   */
/* ------------------------------------------------------------------------------------------ */

int gasp_image_components(int32_t ndim, const int64_t *shape, const int64_t *labels,
                          const uint8_t *links, int64_t *out, const volatile int32_t *cancel,
                          gasp_stats_t *stats)
{
    image_reset_stats(stats);
    image_grid_t g;
    int rc = image_grid_init(&g, ndim, shape, stats);
    if (rc != GASP_OK)
        return rc;
    if (g.n > 0 && (!labels || !out))
        return image_fail(stats, !labels ? GASP_ARG_IMAGE_LABELS : GASP_ARG_OUTPUT, -1);
    int64_t *queue = malloc((g.n > 0 ? (size_t)g.n : 1) * sizeof *queue); /* owned */
    if (!queue)
        return GASP_ENOMEM;
    for (int64_t p = 0; p < g.n; p++)
        out[p] = 0;
    int64_t k = 0, steps = 0;
    for (int64_t p = 0; p < g.n; p++) {
        if (labels[p] == 0 || out[p] != 0)
            continue;
        out[p] = ++k;
        int64_t head = 0, tail = 0;
        queue[tail++] = p;
        while (head < tail) {
            if (image_cancelled(cancel, ++steps)) {
                rc = GASP_EINTERRUPTED;
                goto cleanup;
            }
            int64_t q = queue[head++];
            for (int32_t j = 0; j < 2 * ndim; j++) {
                int64_t r = image_neighbour(&g, q, j);
                if (r < 0 || out[r] != 0 || labels[r] != labels[p])
                    continue;
                /* links[d * n + x]: the pair (x, x + stride[d]); the lower pixel of q, r is x */
                if (links && !links[(int64_t)(j >> 1) * g.n + (j & 1 ? q : r)])
                    continue;
                out[r] = k;
                queue[tail++] = r; /* every pixel is queued at most once: tail <= n */
            }
        }
    }
    if (stats)
        stats->n_clusters = k;
cleanup:
    free(queue);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Seeded watershed: a binary min-heap of (height, queue order) entries.                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    double key;    /* height of the pixel */
    int64_t order; /* when it was queued: equal heights pop first in, first out */
    int64_t pixel;
} flood_entry_t;

/* Invariant (flood_heap_check): for 0 < i < size, entry (i-1)/2 is not after entry i; at most
 * n entries (each pixel is queued at most once). */
typedef struct {
    flood_entry_t *at; /* owned; capacity n */
    int64_t size;
} flood_heap_t;

static inline int flood_before(const flood_entry_t *a, const flood_entry_t *b)
{
    return a->key < b->key || (a->key == b->key && a->order < b->order);
}

static void flood_push(flood_heap_t *h, flood_entry_t e)
{
    int64_t i = h->size++;
    while (i > 0) {
        int64_t up = (i - 1) / 2;
        if (!flood_before(&e, &h->at[up]))
            break;
        h->at[i] = h->at[up];
        i = up;
    }
    h->at[i] = e;
}

static flood_entry_t flood_pop(flood_heap_t *h)
{
    flood_entry_t top = h->at[0], last = h->at[--h->size];
    int64_t i = 0;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= h->size)
            break;
        if (c + 1 < h->size && flood_before(&h->at[c + 1], &h->at[c]))
            c++;
        if (!flood_before(&h->at[c], &last))
            break;
        h->at[i] = h->at[c];
        i = c;
    }
    if (h->size > 0)
        h->at[i] = last;
    return top;
}

#ifdef GASP_DEBUG
static int flood_heap_check(const flood_heap_t *h, int64_t n)
{
    if (h->size < 0 || h->size > n)
        return GASP_EINTERNAL;
    for (int64_t i = 1; i < h->size; i++)
        if (flood_before(&h->at[i], &h->at[(i - 1) / 2]))
            return GASP_EINTERNAL;
    return GASP_OK;
}
#endif

int gasp_image_watershed(int32_t ndim, const int64_t *shape, const double *height,
                         const int64_t *seeds, const uint8_t *mask, int64_t *out,
                         const volatile int32_t *cancel, gasp_stats_t *stats)
{
    image_reset_stats(stats);
    image_grid_t g;
    int rc = image_grid_init(&g, ndim, shape, stats);
    if (rc != GASP_OK)
        return rc;
    if (g.n > 0 && (!height || !seeds || !out))
        return image_fail(stats, !height ? GASP_ARG_HEIGHT : !seeds ? GASP_ARG_SEEDS : GASP_ARG_OUTPUT,
                    -1);
    for (int64_t p = 0; p < g.n; p++) {
        if (!isfinite(height[p]))
            return image_fail(stats, GASP_ARG_HEIGHT, p);
        if (seeds[p] < 0)
            return image_fail(stats, GASP_ARG_SEEDS, p);
    }
    flood_heap_t h = {NULL, 0};
    uint8_t *queued = NULL; /* owned; 1 once a pixel is labelled (seed or queued) */
    h.at = malloc((g.n > 0 ? (size_t)g.n : 1) * sizeof *h.at);
    queued = malloc(g.n > 0 ? (size_t)g.n : 1);
    if (!h.at || !queued) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    int64_t order = 0, grown = 0;
    for (int64_t p = 0; p < g.n; p++) {
        out[p] = seeds[p];
        queued[p] = seeds[p] != 0 || (mask && !mask[p]);
    }
    /* Queue the seed pixels that touch an unlabelled pixel, in C order. */
    for (int64_t p = 0; p < g.n; p++) {
        if (image_cancelled(cancel, p)) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
        if (seeds[p] == 0)
            continue;
        for (int32_t j = 0; j < 2 * ndim; j++) {
            int64_t r = image_neighbour(&g, p, j);
            if (r >= 0 && !queued[r]) {
                flood_push(&h, (flood_entry_t){height[p], order++, p});
                break;
            }
        }
    }
    int64_t pops = 0;
    while (h.size > 0) {
        if (image_cancelled(cancel, ++pops)) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
#ifdef GASP_DEBUG
        if ((pops & (pops - 1)) == 0 && flood_heap_check(&h, g.n) != GASP_OK) {
            rc = GASP_EINTERNAL;
            goto cleanup;
        }
#endif
        flood_entry_t e = flood_pop(&h);
        for (int32_t j = 0; j < 2 * ndim; j++) {
            int64_t r = image_neighbour(&g, e.pixel, j);
            if (r >= 0 && !queued[r]) {
                queued[r] = 1;
                out[r] = out[e.pixel];
                grown++;
                /* each pixel enters the heap at most once: size stays <= n */
                flood_push(&h, (flood_entry_t){height[r], order++, r});
            }
        }
    }
    if (stats)
        stats->n_clusters = grown;
cleanup:
    free(h.at);
    free(queued);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Distance transform                                                                          */
/* ------------------------------------------------------------------------------------------ */

/*
 * One line: f (len values, squared distances so far, +inf where unknown) becomes
 * min_p ((x_q - x_p)^2 + f[p]) with x = index * s.  v, z: scratch of len and len + 1 entries.
 */
static void image_distance_line(double *f, int64_t len, double s, int64_t *v, double *z, double *tmp)
{
    int64_t k = -1;
    for (int64_t q = 0; q < len; q++) {
        if (!isfinite(f[q]))
            continue;
        double xq = (double)q * s, fq = f[q] + xq * xq;
        double cut = -INFINITY;
        while (k >= 0) {
            double xv = (double)v[k] * s;
            cut = (fq - (f[v[k]] + xv * xv)) / (2.0 * (xq - xv));
            if (cut > z[k])
                break;
            k--;
        }
        k++;
        v[k] = q;
        z[k] = k == 0 ? -INFINITY : cut;
        z[k + 1] = INFINITY;
    }
    if (k < 0)
        return; /* no finite value: the line stays +inf */
    int64_t j = 0;
    for (int64_t q = 0; q < len; q++) {
        double xq = (double)q * s;
        while (z[j + 1] < xq)
            j++;
        double dx = xq - (double)v[j] * s;
        tmp[q] = dx * dx + f[v[j]];
    }
    for (int64_t q = 0; q < len; q++)
        f[q] = tmp[q];
}

int gasp_image_distance(int32_t ndim, const int64_t *shape, const uint8_t *inside,
                        const double *sampling, double *out, const volatile int32_t *cancel,
                        gasp_stats_t *stats)
{
    image_reset_stats(stats);
    image_grid_t g;
    int rc = image_grid_init(&g, ndim, shape, stats);
    if (rc != GASP_OK)
        return rc;
    if (g.n > 0 && (!inside || !out))
        return image_fail(stats, !inside ? GASP_ARG_IMAGE_LABELS : GASP_ARG_OUTPUT, -1);
    if (sampling)
        for (int32_t d = 0; d < ndim; d++)
            if (!(isfinite(sampling[d]) && sampling[d] > 0.0))
                return image_fail(stats, GASP_ARG_SAMPLING, d);
    int64_t longest = 1;
    for (int32_t d = 0; d < ndim; d++)
        if (g.shape[d] > longest)
            longest = g.shape[d];
    double *line = NULL, *z = NULL, *tmp = NULL; /* owned scratch */
    int64_t *v = NULL;                            /* owned scratch */
    line = malloc((size_t)longest * sizeof *line);
    tmp = malloc((size_t)longest * sizeof *tmp);
    z = malloc(((size_t)longest + 1) * sizeof *z);
    v = malloc((size_t)longest * sizeof *v);
    if (!line || !tmp || !z || !v) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    for (int64_t p = 0; p < g.n; p++)
        out[p] = inside[p] ? INFINITY : 0.0;
    int64_t work = 0, next_poll = 0;
    for (int32_t d = 0; d < ndim && g.n > 0; d++) {
        const int64_t len = g.shape[d], st = g.stride[d];
        const double s = sampling ? sampling[d] : 1.0;
        const int64_t n_lines = g.n / len;
        for (int64_t l = 0; l < n_lines; l++) {
            /* line l: outer index l / st, inner index l % st */
            int64_t start = (l / st) * st * len + l % st;
            if (work >= next_poll) {
                next_poll = work + IMAGE_POLL;
                if (cancel && *cancel) {
                    rc = GASP_EINTERRUPTED;
                    goto cleanup;
                }
            }
            work += len;
            for (int64_t i = 0; i < len; i++)
                line[i] = out[start + i * st];
            image_distance_line(line, len, s, v, z, tmp);
            for (int64_t i = 0; i < len; i++)
                out[start + i * st] = line[i];
        }
    }
    for (int64_t p = 0; p < g.n; p++)
        out[p] = sqrt(out[p]);
cleanup:
    free(line);
    free(tmp);
    free(z);
    free(v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Region graphs: group pixel edges by region pair, then reduce their statistics               */
/* ------------------------------------------------------------------------------------------ */

int gasp_region_pairs(int64_t n_nodes, int64_t m, const int64_t *u, const int64_t *v,
                      int64_t *pair, const volatile int32_t *cancel, gasp_stats_t *stats)
{
    image_reset_stats(stats);
    if (n_nodes < 0)
        return image_fail(stats, GASP_ARG_N_NODES, -1);
    if (m < 0)
        return image_fail(stats, GASP_ARG_N_EDGES, -1);
    if (m > 0 && (!u || !v || !pair))
        return image_fail(stats, !u || !v ? GASP_ARG_EDGES : GASP_ARG_OUTPUT, -1);
    for (int64_t e = 0; e < m; e++)
        if (u[e] < 0 || v[e] < 0 || u[e] >= n_nodes || v[e] >= n_nodes || u[e] == v[e])
            return image_fail(stats, GASP_ARG_EDGES, e);
    const size_t nn = (size_t)(n_nodes > 0 ? n_nodes : 1), mm = (size_t)(m > 0 ? m : 1);
    int rc = GASP_OK;
    /* all owned scratch: */
    int64_t *start = malloc((nn + 1) * sizeof *start); /* bucket offsets by smaller end */
    int64_t *order = malloc(mm * sizeof *order);       /* edges sorted by smaller end, stable */
    int64_t *last_lo = malloc(nn * sizeof *last_lo);   /* per larger end: the bucket seen last */
    int64_t *last_id = malloc(nn * sizeof *last_id);   /* ... and the pair it gave */
    int64_t *remap = malloc(mm * sizeof *remap);       /* bucket-order pair id -> final id */
    if (!start || !order || !last_lo || !last_id || !remap) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    for (int64_t i = 0; i <= n_nodes; i++)
        start[i] = 0;
    for (int64_t e = 0; e < m; e++)
        start[(u[e] < v[e] ? u[e] : v[e]) + 1]++;
    for (int64_t i = 0; i < n_nodes; i++)
        start[i + 1] += start[i];
    for (int64_t e = 0; e < m; e++) {
        if (image_cancelled(cancel, e)) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
        int64_t lo = u[e] < v[e] ? u[e] : v[e];
        order[start[lo]++] = e; /* start[lo] ends at the next bucket's start */
    }
    for (int64_t i = 0; i < n_nodes; i++)
        last_lo[i] = -1;
    /* bucket by bucket (start[lo] now is the end of bucket lo): one id per distinct larger end */
    int64_t n_prov = 0, begin = 0;
    for (int64_t lo = 0; lo < n_nodes; lo++) {
        for (int64_t i = begin; i < start[lo]; i++) {
            int64_t e = order[i], hi = u[e] < v[e] ? v[e] : u[e];
            if (last_lo[hi] != lo) {
                last_lo[hi] = lo;
                last_id[hi] = n_prov++;
            }
            pair[e] = last_id[hi];
        }
        begin = start[lo];
    }
    /* renumber by first occurrence in edge order */
    for (int64_t p = 0; p < n_prov; p++)
        remap[p] = -1;
    int64_t n_pairs = 0;
    for (int64_t e = 0; e < m; e++) {
        if (remap[pair[e]] < 0)
            remap[pair[e]] = n_pairs++;
        pair[e] = remap[pair[e]];
    }
    if (stats)
        stats->n_clusters = n_pairs;
cleanup:
    free(start);
    free(order);
    free(last_lo);
    free(last_id);
    free(remap);
    return rc;
}

int gasp_region_stats(int64_t m, int64_t n_pairs, const int64_t *pair, const double *w,
                      const int64_t *eid, const uint8_t *local, int64_t *count, double *sum,
                      double *max, double *min, int64_t *local_count, double *local_sum,
                      int64_t *first, int64_t *argmax, int64_t *argmin,
                      const volatile int32_t *cancel, gasp_stats_t *stats)
{
    image_reset_stats(stats);
    if (m < 0)
        return image_fail(stats, GASP_ARG_N_EDGES, -1);
    if (n_pairs < 0 || (m > 0 && n_pairs == 0))
        return image_fail(stats, GASP_ARG_N_CLUSTERS, -1);
    if (m > 0 && (!pair || !w || !eid || !local))
        return image_fail(stats, !pair ? GASP_ARG_IMAGE_LABELS : !w ? GASP_ARG_WEIGHTS
                                                                   : GASP_ARG_EDGES, -1);
    if (n_pairs > 0 && (!count || !sum || !max || !min || !local_count || !local_sum || !first ||
                        !argmax || !argmin))
        return image_fail(stats, GASP_ARG_OUTPUT, -1);
    for (int64_t e = 0; e < m; e++) {
        if (pair[e] < 0 || pair[e] >= n_pairs)
            return image_fail(stats, GASP_ARG_IMAGE_LABELS, e);
        if (!isfinite(w[e]))
            return image_fail(stats, GASP_ARG_WEIGHTS, e);
    }
    for (int64_t p = 0; p < n_pairs; p++) {
        count[p] = local_count[p] = 0;
        sum[p] = local_sum[p] = 0.0;
        first[p] = argmax[p] = argmin[p] = -1;
    }
    /* edges in increasing eid order: the first edge seen of a pair holds its smallest id, and a
     * later edge only takes over argmax / argmin with a strictly better value */
    for (int64_t e = 0; e < m; e++) {
        if (image_cancelled(cancel, e))
            return GASP_EINTERRUPTED;
        int64_t p = pair[e];
        double x = w[e];
        if (count[p]++ == 0) {
            first[p] = argmax[p] = argmin[p] = eid[e];
            max[p] = min[p] = x;
        } else {
            if (x > max[p]) {
                max[p] = x;
                argmax[p] = eid[e];
            }
            if (x < min[p]) {
                min[p] = x;
                argmin[p] = eid[e];
            }
        }
        sum[p] += x;
        if (local[e]) {
            local_count[p]++;
            local_sum[p] += x;
        }
    }
    return GASP_OK;
}
