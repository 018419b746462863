/* fastpath.c -- connected components and mutex watershed shortcuts; see fastpath.h. */
#include "fastpath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
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
    gasp_set_phase(st, GASP_PHASE_SHORTCUT);
    int rc = gasp_uf_init(&uf, n);
    if (rc != GASP_OK)
        return rc;
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll_random(k, cancel)) {
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
 * Stable LSD radix sort of ids 0..m-1 by key (8 bits per pass; passes where every key has the
 * same byte are skipped).  keys and tmp_keys hold m keys; order and tmp_order m ids.  The sorted
 * ids end in *order_out (one of the two id buffers).  Polls cancel in every pass: returns GASP_OK
 * or GASP_EINTERRUPTED.
 */
static int radix_sort(gasp_idx_t m, uint64_t *keys, uint64_t *tmp_keys, gasp_idx_t *order,
                      gasp_idx_t *tmp_order, gasp_idx_t **order_out,
                      const volatile int32_t *cancel)
{
    int64_t count[256];
    for (gasp_idx_t i = 0; i < m; i++)
        order[i] = i;
    for (int shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof count);
        for (gasp_idx_t i = 0; i < m; i++) {
            if (gasp_poll(i, cancel))
                return GASP_EINTERRUPTED;
            count[(keys[i] >> shift) & 0xFF]++;
        }
        if (count[(keys[0] >> shift) & 0xFF] == m)
            continue;
        int64_t sum = 0;
        for (int d = 0; d < 256; d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (gasp_idx_t i = 0; i < m; i++) {
            if (gasp_poll(i, cancel))
                return GASP_EINTERRUPTED;
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
    return GASP_OK;
}

int gasp_mws_init(gasp_mws_t *s, gasp_idx_t n, const gasp_options_t *options, int64_t *merges,
                  double *heights, gasp_stats_t *st)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->clusters = n;
    s->options = options;
    s->merges = merges;
    s->heights = heights;
    s->st = st;
    int rc = gasp_uf_init(&s->uf, n);
    /* Mutexes are edges of a contracted graph over the clusters: a mutex between two clusters
     * is an edge between them, and merging two clusters merges their mutexes. */
    if (rc == GASP_OK)
        rc = gasp_graph_init(&s->mutex, n, MUTEX_START, NULL, NULL, NULL, NULL,
                             GASP_LINKAGE_MIN, 0.0, NULL);
    if (rc == GASP_OK && merges) {
        s->cluster_id = malloc((n > 0 ? (size_t)n : 1) * sizeof *s->cluster_id);
        if (!s->cluster_id)
            rc = GASP_ENOMEM;
        for (gasp_idx_t i = 0; s->cluster_id && i < n; i++)
            s->cluster_id[i] = i;
    }
    if (rc != GASP_OK)
        gasp_mws_destroy(s);
    return rc;
}

int gasp_mws_merge(gasp_mws_t *s, gasp_idx_t a, gasp_idx_t b, double w)
{
    gasp_stats_t *st = s->st;
    int64_t j = st->n_merges++;
    if (s->merges) {
        int64_t ca = s->cluster_id[a], cb = s->cluster_id[b];
        s->merges[2 * j] = ca < cb ? ca : cb;
        s->merges[2 * j + 1] = ca < cb ? cb : ca;
    }
    if (s->heights)
        s->heights[j] = w;
    gasp_idx_t dead;
    gasp_idx_t l = gasp_graph_merge(&s->mutex, a, b, &dead);
    if (l < 0)
        return GASP_ENOMEM;
    s->uf.parent[dead] = l;
    s->uf.size[l] += s->uf.size[dead];
    if (s->merges)
        s->cluster_id[l] = s->n + j;
    s->clusters--;
    const gasp_options_t *o = s->options;
    if (o->progress && st->n_merges % o->progress_every == 0 &&
        o->progress(o->progress_ctx, st->n_merges, s->clusters, w)) {
        st->stopped = 1;
        s->done = 1;
    }
    return GASP_OK;
}

int gasp_mws_poll(gasp_mws_t *s)
{
    if (s->options->cancel && *s->options->cancel)
        return GASP_EINTERRUPTED;
#ifdef GASP_DEBUG
    if (gasp_graph_check(&s->mutex) != GASP_OK || gasp_uf_check(&s->uf) != GASP_OK)
        return GASP_EINTERNAL;
#endif
    return GASP_OK;
}

void gasp_mws_finish(gasp_mws_t *s, int64_t *labels)
{
    gasp_stats_t *st = s->st;
    st->n_pops = st->n_merges;
    st->n_moved = s->mutex.total_moved;
    st->n_folds = s->mutex.total_folds;
    st->n_clusters = gasp_uf_labels(&s->uf, labels, s->uf.size);  /* sizes serve as scratch now */
}

void gasp_mws_destroy(gasp_mws_t *s)
{
    free(s->cluster_id);
    s->cluster_id = NULL;
    gasp_graph_destroy(&s->mutex);
    gasp_uf_destroy(&s->uf);
}

int gasp_fast_mutex_watershed(gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                              const double *weights, const gasp_options_t *options,
                              int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st)
{
    int rc = GASP_OK;
    size_t mm = m > 0 ? (size_t)m : 1;
    uint64_t *keys = malloc(mm * sizeof *keys), *tmp_keys = malloc(mm * sizeof *tmp_keys);
    gasp_idx_t *ids = malloc(mm * sizeof *ids), *tmp_ids = malloc(mm * sizeof *tmp_ids);
    gasp_idx_t *su = NULL, *sv = NULL;
    double *sw = NULL;
    gasp_idx_t *order = NULL;
    gasp_mws_t mws;
    int have_mws = 0;
    if (!keys || !tmp_keys || !ids || !tmp_ids) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    gasp_set_phase(st, GASP_PHASE_SORT);
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll(k, options->cancel)) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
        keys[k] = gasp_mws_key(weights[k]);
    }
    if (m > 0 &&
        (rc = radix_sort(m, keys, tmp_keys, ids, tmp_ids, &order, options->cancel)) != GASP_OK)
        goto cleanup;
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
        if (gasp_poll_random(i, options->cancel)) {
            rc = GASP_EINTERRUPTED;
            goto cleanup;
        }
        gasp_idx_t k = order[i];
        su[i] = (gasp_idx_t)edges[2 * (int64_t)k];
        sv[i] = (gasp_idx_t)edges[2 * (int64_t)k + 1];
        sw[i] = weights[k];
    }
    free(ids);
    free(tmp_ids);
    ids = tmp_ids = NULL;

    if ((rc = gasp_mws_init(&mws, n, options, merges, heights, st)) != GASP_OK)
        goto cleanup;
    have_mws = 1;
    gasp_set_phase(st, GASP_PHASE_SHORTCUT);
    for (gasp_idx_t i = 0; i < m && !mws.done; i++) {
        if ((i & (i - 1)) == 0 || (i & (GASP_POLL_EVERY_RANDOM - 1)) == 0) {
            if ((rc = gasp_mws_poll(&mws)) != GASP_OK)
                goto cleanup;
        }
        if (i + 16 < m) {
            FP_PREFETCH(&mws.uf.parent[su[i + 16]]);
            FP_PREFETCH(&mws.uf.parent[sv[i + 16]]);
        }
        if ((rc = gasp_mws_edge(&mws, su[i], sv[i], sw[i])) != GASP_OK)
            goto cleanup;
    }
    gasp_mws_finish(&mws, labels);
cleanup:
    free(keys);
    free(tmp_keys);
    free(ids);
    free(tmp_ids);
    free(su);
    free(sv);
    free(sw);
    if (have_mws)
        gasp_mws_destroy(&mws);
    return rc;
}
