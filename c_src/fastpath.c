/* fastpath.c -- connected components and mutex watershed shortcuts; see fastpath.h. */
#include "fastpath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "unionfind.h"

/* Edge ids the mutex graph starts with room for; it grows by doubling. */
#define MUTEX_START 1024

#if defined(__GNUC__) || defined(__clang__)
#define FP_PREFETCH(p) __builtin_prefetch(p)
#else
#define FP_PREFETCH(p) ((void)0)
#endif

int gasp_fast_components(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                         int64_t *labels, const volatile int32_t *cancel, gasp_stats_t *st)
{
    gasp_uf_t uf;
    int rc = gasp_uf_init(&uf, n);
    if (rc != GASP_OK)
        return rc;
    for (gasp_idx_t k = 0; k < m; k++) {
        if ((k & 0xFFFF) == 0 && cancel && *cancel) {
            gasp_uf_destroy(&uf);
            return GASP_EINTERRUPTED;
        }
        if (!(weights[k] > 0.0))
            continue;
        gasp_idx_t a = gasp_uf_find(&uf, (gasp_idx_t)edges[2 * (int64_t)k]);
        gasp_idx_t b = gasp_uf_find(&uf, (gasp_idx_t)edges[2 * (int64_t)k + 1]);
        if (a != b) {
            gasp_uf_link(&uf, a, b);
            st->n_merges++;
        }
    }
    /* uf.size is no longer needed: it serves as the labelling scratch. */
    st->n_clusters = gasp_uf_labels(&uf, labels, uf.size);
    gasp_uf_destroy(&uf);
    return GASP_OK;
}

/*
 * Sort key of an edge: ascending keys = decreasing |w|, and among equal |w| the non-positive
 * weights (mutexes) before the positive ones; the stable sort keeps index order after that.
 * The bits of a non-negative double order like the double, so ~|w| bits order decreasingly; its
 * top bit is always 1 and makes room for the sign bit at the bottom.
 */
static inline uint64_t order_key(double w)
{
    uint64_t bits;
    memcpy(&bits, &w, sizeof bits);
    return (~(bits & 0x7FFFFFFFFFFFFFFFull) << 1) | (w > 0.0 ? 1u : 0u);
}

/*
 * Stable LSD radix sort of ids 0..m-1 by key (8 bits per pass; passes where every key has the
 * same byte are skipped).  keys and tmp_keys hold m keys; order and tmp_order m ids.  The sorted
 * ids end in *order_out (one of the two id buffers).
 */
static void radix_sort(gasp_idx_t m, uint64_t *keys, uint64_t *tmp_keys, gasp_idx_t *order,
                       gasp_idx_t *tmp_order, gasp_idx_t **order_out)
{
    int64_t count[256];
    for (gasp_idx_t i = 0; i < m; i++)
        order[i] = i;
    for (int shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof count);
        for (gasp_idx_t i = 0; i < m; i++)
            count[(keys[i] >> shift) & 0xFF]++;
        if (count[(keys[0] >> shift) & 0xFF] == m)
            continue;
        int64_t sum = 0;
        for (int d = 0; d < 256; d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (gasp_idx_t i = 0; i < m; i++) {
            int64_t at = count[(keys[i] >> shift) & 0xFF]++;
            tmp_keys[at] = keys[i];
            tmp_order[at] = order[i];
        }
        uint64_t *tk = keys;
        keys = tmp_keys;
        tmp_keys = tk;
        gasp_idx_t *to = order;
        order = tmp_order;
        tmp_order = to;
    }
    *order_out = order;
}

int gasp_fast_mutex_watershed(gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                              const double *weights, const gasp_options_t *options,
                              int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st)
{
    const int64_t stop = options->min_clusters;  /* n_clusters > 0 never takes this path */
    const volatile int32_t *cancel = options->cancel;
    int rc = GASP_OK;
    size_t mm = m > 0 ? (size_t)m : 1;
    uint64_t *keys = malloc(mm * sizeof *keys), *tmp_keys = malloc(mm * sizeof *tmp_keys);
    gasp_idx_t *ids = malloc(mm * sizeof *ids), *tmp_ids = malloc(mm * sizeof *tmp_ids);
    gasp_idx_t *su = NULL, *sv = NULL;
    double *sw = NULL;
    int64_t *cluster_id = NULL;
    gasp_idx_t *order = NULL;
    gasp_graph_t mutex = {0};
    gasp_uf_t uf = {0};
    if (!keys || !tmp_keys || !ids || !tmp_ids) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    for (gasp_idx_t k = 0; k < m; k++)
        keys[k] = order_key(weights[k]);
    if (m > 0)
        radix_sort(m, keys, tmp_keys, ids, tmp_ids, &order);
    free(keys);
    free(tmp_keys);
    keys = tmp_keys = NULL;
    /* Gather the edges in processing order: independent loads the processor overlaps, so the
     * main loop below reads sequentially. */
    su = malloc(mm * sizeof *su);
    sv = malloc(mm * sizeof *sv);
    sw = malloc(mm * sizeof *sw);
    if (!su || !sv || !sw) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    for (gasp_idx_t i = 0; i < m; i++) {
        gasp_idx_t k = order[i];
        su[i] = (gasp_idx_t)edges[2 * (int64_t)k];
        sv[i] = (gasp_idx_t)edges[2 * (int64_t)k + 1];
        sw[i] = weights[k];
    }
    free(ids);
    free(tmp_ids);
    ids = tmp_ids = NULL;

    if ((rc = gasp_uf_init(&uf, n)) != GASP_OK)
        goto cleanup;
    /* Mutexes are edges of a contracted graph over the clusters: a mutex between two clusters
     * is an edge between them, and merging two clusters merges their mutexes. */
    if ((rc = gasp_graph_init(&mutex, n, MUTEX_START, NULL, NULL, NULL, NULL, GASP_LINKAGE_MIN,
                              0.0, NULL)) != GASP_OK)
        goto cleanup;
    if (merges) {
        cluster_id = malloc((n > 0 ? (size_t)n : 1) * sizeof *cluster_id);
        if (!cluster_id) {
            rc = GASP_ENOMEM;
            goto cleanup;
        }
        for (gasp_idx_t i = 0; i < n; i++)
            cluster_id[i] = i;
    }
    int64_t clusters = n;
    gasp_idx_t next_mutex = 0;
    for (gasp_idx_t i = 0; i < m; i++) {
        if ((i & 0xFFFF) == 0 && cancel && *cancel) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
#ifdef GASP_DEBUG
        if ((i & (i - 1)) == 0 && (gasp_graph_check(&mutex) != GASP_OK || gasp_uf_check(&uf) != GASP_OK)) {
            rc = GASP_EINTERNAL;
            goto cleanup;
        }
#endif
        if (i + 16 < m) {
            FP_PREFETCH(&uf.parent[su[i + 16]]);
            FP_PREFETCH(&uf.parent[sv[i + 16]]);
        }
        double w = sw[i];
        gasp_idx_t a = gasp_uf_find(&uf, su[i]);
        gasp_idx_t b = gasp_uf_find(&uf, sv[i]);
        if (a == b)
            continue;
        if (w <= 0.0) {
            if ((rc = gasp_graph_add_edge(&mutex, a, b, next_mutex, w)) != GASP_OK)
                goto cleanup;
            /* a new mutex took the id (the mutex graph grows as mutexes are added) */
            next_mutex += next_mutex < mutex.m && gasp_graph_alive(&mutex, next_mutex);
            continue;
        }
        if (gasp_graph_has_edge(&mutex, a, b))
            continue;
        if (clusters <= stop)
            break;
        int64_t j = st->n_merges++;
        if (merges) {
            int64_t ca = cluster_id[a], cb = cluster_id[b];
            merges[2 * j] = ca < cb ? ca : cb;
            merges[2 * j + 1] = ca < cb ? cb : ca;
        }
        if (heights)
            heights[j] = w;
        gasp_idx_t dead;
        gasp_idx_t l = gasp_graph_merge(&mutex, a, b, &dead);
        if (l < 0) {
            rc = GASP_ENOMEM;
            goto cleanup;
        }
        uf.parent[dead] = l;
        uf.size[l] += uf.size[dead];
        if (merges)
            cluster_id[l] = n + j;
        clusters--;
        if (options->progress && st->n_merges % options->progress_every == 0 &&
            options->progress(options->progress_ctx, st->n_merges, clusters, w)) {
            st->stopped = 1;
            break;
        }
    }
    st->n_pops = st->n_merges;
    st->n_moved = mutex.total_moved;
    st->n_folds = mutex.total_folds;
    st->n_clusters = gasp_uf_labels(&uf, labels, uf.size);  /* sizes serve as scratch now */
cleanup:
    free(keys);
    free(tmp_keys);
    free(ids);
    free(tmp_ids);
    free(su);
    free(sv);
    free(sw);
    free(cluster_id);
    gasp_graph_destroy(&mutex);
    gasp_uf_destroy(&uf);
    return rc;
}
