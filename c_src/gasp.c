/*
 * gasp.c -- GASP main loop: pop the best cluster-pair edge, contract it (graph.c folds parallel
 * edges with the linkage rule), re-key the edges whose priority changed.
 *
 * Reference: A. Bailoni, C. Pape, N. Huetsch, S. Wolf, T. Beier, A. Kreshuk, F. A. Hamprecht,
 * "GASP, a generalized framework for agglomerative clustering of signed graphs and its application
 * to Instance Segmentation", CVPR 2022.  The semantics follow the reference implementation (nifty's
 * GaspClusterPolicy) to the letter; they are spelled out in docs/guide/semantics.rst.
 *
 * Priority queue contents.  Unconstrained phase: exactly the LOCAL edges with W > 0, keyed by W
 * (times the size factor).  The run stops when it is empty, which is the same as stopping at the
 * first non-positive local maximum.  Constrained phase: the edges that carry no constraint and are
 * local or have W <= 0, keyed by |W|; popping W > 0 merges, popping W <= 0 sets the edge's
 * CONSTRAINED flag.  Because an edge between two clusters persists until they merge, and flags
 * are OR-ed when edges fold, "clusters A and B are constrained" is exactly "the edge between A
 * and B carries the flag": no separate constraint sets are needed.
 *
 * Completion (run_to_completion): a last unconstrained phase whose candidates are all local edges,
 * whatever their sign, so the merge sequence continues past zero until every connected component
 * of the local edges is one cluster.  It is used to record full merge trees, and by n_clusters=k
 * (exactly k clusters) when GASP's own passes end with more than k clusters.
 *
 * Ties: the heap orders equal keys by edge id, and a folded edge keeps the smaller id of its
 * parts, so equal priorities are broken by the original edge order.
 *
 * Null model (options->null_weights, sum linkage): the linkage value of an edge between
 * clusters S and T is W = val - gamma * a_S * a_T (edge_value()), with a_S kept per cluster root
 * (O(1) state; null_model_merge()).  Cluster pairs without an edge are never materialised:
 * their value is <= 0, so they could never merge.  A merge raises a of the merged cluster and so
 * lowers the value of every edge at it without touching their heap keys: keys are upper bounds,
 * and pop_best() re-keys a stale top entry and looks again, which is exact, ties included (an
 * entry whose key is current is the true maximum, and an equal current value with a smaller id
 * would have an equal or larger key and sit above it).
 */
#include <math.h>
#include <stdlib.h>

#include "gasp.h"
#include "engine.h"
#include "fastpath.h"
#include "graph.h"
#include "heap.h"
#include "refine.h"
#include "unionfind.h"

#define POLL_INTERVAL 4096

typedef struct {
    gasp_graph_t g;
    gasp_heap_t heap;
    gasp_uf_t uf;
    double *cluster_size;   /* owned; node-size sum per cluster root, or NULL (no regulariser) */
    double *size_factor;    /* owned; cluster_size^-r per root, or NULL */
    double r;               /* size regulariser */
    int constrained;        /* current phase: 1 = cannot-link pass */
    int any_sign;           /* unconstrained phase merges local edges of any sign (completion) */
    double *null_a;         /* owned; null-model value a per cluster root, or NULL (no null model) */
    double gamma;           /* resolution of the null model */
} engine_t;

/* The linkage value of alive edge e: its folded value, minus the null-model term. */
static inline double edge_value(const engine_t *E, gasp_idx_t e)
{
    double w = E->g.val[e];
    if (E->null_a)
        w -= E->gamma * E->null_a[gasp_graph_u(&E->g, e)] * E->null_a[gasp_graph_v(&E->g, e)];
    return w;
}

static inline int is_candidate(const engine_t *E, gasp_idx_t e)
{
    unsigned f = E->g.flags[e];
    double w = edge_value(E, e);
    if (E->constrained)
        return !(f & GASP_EDGE_CONSTRAINED) && ((f & GASP_EDGE_LOCAL) || w <= 0.0);
    return (f & GASP_EDGE_LOCAL) && (w > 0.0 || E->any_sign);
}

static inline double priority(const engine_t *E, gasp_idx_t e)
{
    double w = edge_value(E, e);
    double p = E->constrained ? fabs(w) : w;
    if (E->size_factor)
        p *= 0.5 * (E->size_factor[gasp_graph_u(&E->g, e)] + E->size_factor[gasp_graph_v(&E->g, e)]);
    return p;
}

static inline void refresh(engine_t *E, gasp_idx_t e)
{
    if (is_candidate(E, e))
        gasp_heap_set(&E->heap, e, priority(E, e));
    else
        gasp_heap_remove(&E->heap, e);
}

static void refresh_visit(void *ctx, gasp_idx_t e)
{
    refresh((engine_t *)ctx, e);
}

/* Remove and return the candidate of highest current priority, or -1 when there is none.  With
 * a null model the keys of the edges at a merged cluster are stale upper bounds (see the file
 * comment): a stale top entry is re-keyed (or dropped when no longer a candidate) first.
 * Without one every key is current and this is a plain pop. */
static gasp_idx_t pop_best(engine_t *E)
{
    while (E->heap.size > 0) {
        if (!E->null_a)
            return gasp_heap_pop(&E->heap);
        double key;
        gasp_idx_t e = gasp_heap_top(&E->heap, &key);
        if (!is_candidate(E, e)) {
            gasp_heap_remove(&E->heap, e);
            continue;
        }
        double p = priority(E, e);
        if (p == key)
            return gasp_heap_pop(&E->heap);
        gasp_heap_set(&E->heap, e, p);
    }
    return -1;
}

/* Null model: cluster l absorbed cluster s. */
static inline void null_model_merge(engine_t *E, gasp_idx_t l, gasp_idx_t s)
{
    if (E->null_a)
        E->null_a[l] += E->null_a[s];
}

/* Fill the heap with the candidates of the current phase, O(m).  The heap gets room for the
 * candidates only (plus a little), not for every edge: in the unconstrained phase negative and
 * lifted edges never enter it unless a fold makes them candidates. */
static int fill_heap(engine_t *E)
{
    gasp_idx_t count = 0;
    for (gasp_idx_t e = 0; e < E->g.m; e++)
        count += gasp_graph_alive(&E->g, e) && is_candidate(E, e);
    gasp_heap_clear(&E->heap);
    if (gasp_heap_reserve(&E->heap, count + count / 8 + 16 < E->g.m ? count + count / 8 + 16
                                                                    : E->g.m) != GASP_OK)
        return GASP_ENOMEM;
    for (gasp_idx_t e = 0; e < E->g.m; e++)
        if (gasp_graph_alive(&E->g, e) && is_candidate(E, e))
            gasp_heap_append(&E->heap, e, priority(E, e));
    gasp_heap_build(&E->heap);
    return GASP_OK;
}

/* The cluster count at which every pass stops (0: none); validate() allows one of the two. */
static inline int64_t cluster_target(const gasp_options_t *o)
{
    return o->n_clusters > 0 ? o->n_clusters : o->min_clusters;
}

static int check_all(engine_t *E)
{
    int rc = gasp_heap_check(&E->heap);
    if (rc == GASP_OK)
        rc = gasp_graph_check(&E->g);
    if (rc == GASP_OK)
        rc = gasp_uf_check(&E->uf);
    return rc;
}

#define FAIL(arg, idx)          \
    do {                        \
        st->err_arg = (arg);    \
        st->err_index = (idx);  \
        return GASP_EINVAL;     \
    } while (0)

void gasp_stats_reset(gasp_stats_t *st)
{
    st->n_merges = st->n_clusters = st->n_pops = st->n_moved = st->n_folds = 0;
    st->stopped = 0;
    st->n_merges_gasp = 0;
    st->err_arg = GASP_ARG_NONE;
    st->err_index = -1;
    st->n_moves = 0;
    st->refine_gain = 0.0;
}

int gasp_options_check(const gasp_options_t *o, int64_t n, const int64_t *labels,
                       gasp_stats_t *st)
{
    if (!o)
        FAIL(GASP_ARG_OPTIONS, -1);
    if (n > 0 && !labels)
        FAIL(GASP_ARG_OUTPUT, -1);
    if (o->linkage < 0 || o->linkage >= GASP_LINKAGE_COUNT_)
        FAIL(GASP_ARG_LINKAGE, -1);
    if (!isfinite(o->linkage_param) ||
        (o->linkage == GASP_LINKAGE_GENERALIZED_MEAN && !(o->linkage_param > 0.0)))
        FAIL(GASP_ARG_LINKAGE_PARAM, -1);
    if (!isfinite(o->size_regularizer) || o->size_regularizer < 0.0)
        FAIL(GASP_ARG_SIZE_REGULARIZER, -1);
    if (o->n_clusters < 0 || o->min_clusters < 0 || (o->n_clusters > 0 && o->min_clusters > 0))
        FAIL(GASP_ARG_N_CLUSTERS, -1);
    if (o->progress && o->progress_every < 1)
        FAIL(GASP_ARG_PROGRESS_EVERY, -1);
    if (o->null_weights || o->refine) {
        if (!(isfinite(o->resolution) && o->resolution >= 0.0))
            FAIL(GASP_ARG_RESOLUTION, -1);
        for (int64_t i = 0; o->null_weights && i < n; i++)
            if (!(isfinite(o->null_weights[i]) && o->null_weights[i] >= 0.0))
                FAIL(GASP_ARG_NODE_WEIGHTS, i);
    }
    /* the null-model term is defined for sum only (and its keys only fall: no |W| ordering) */
    if (o->null_weights && (o->linkage != GASP_LINKAGE_SUM || o->cannot_link))
        FAIL(o->cannot_link ? GASP_ARG_OPTIONS : GASP_ARG_LINKAGE, -1);
    return GASP_OK;
}

static int validate(int64_t n, int64_t m, const int64_t *edges, const double *weights,
                    const double *edge_sizes, const double *node_sizes,
                    const gasp_options_t *o, int64_t *labels, gasp_stats_t *st)
{
    if (!o)
        FAIL(GASP_ARG_OPTIONS, -1);
    if (n < 0)
        FAIL(GASP_ARG_N_NODES, -1);
    if (m < 0)
        FAIL(GASP_ARG_N_EDGES, -1);
    if (n > gasp_max_nodes())
        return GASP_ETOOBIG;
    if (m > gasp_max_edges())
        return GASP_ETOOBIG;
    if (m > 0 && (!edges || !weights))
        FAIL(!edges ? GASP_ARG_EDGES : GASP_ARG_WEIGHTS, -1);
    int rc = gasp_options_check(o, n, labels, st);
    if (rc != GASP_OK)
        return rc;
    for (int64_t k = 0; k < m; k++) {
        int64_t a = edges[2 * k], b = edges[2 * k + 1];
        if (a < 0 || b < 0 || a >= n || b >= n || a == b)
            FAIL(GASP_ARG_EDGES, k);
        if (!isfinite(weights[k]))
            FAIL(GASP_ARG_WEIGHTS, k);
        if (edge_sizes && !(isfinite(edge_sizes[k]) && edge_sizes[k] > 0.0))
            FAIL(GASP_ARG_EDGE_SIZES, k);
    }
    if (node_sizes)
        for (int64_t i = 0; i < n; i++)
            if (!(isfinite(node_sizes[i]) && node_sizes[i] > 0.0))
                FAIL(GASP_ARG_NODE_SIZES, i);
    return GASP_OK;
}
#undef FAIL

/* Run one phase (constrained or not) until the queue empties or the cluster target is met. */
static int run_phase(engine_t *E, const gasp_options_t *o, int64_t *clusters, int64_t *merges,
                     double *heights, int64_t *cluster_id, gasp_stats_t *st)
{
    const int64_t n = E->g.n;
    const int64_t stop = cluster_target(o);
    if (fill_heap(E) != GASP_OK)
        return GASP_ENOMEM;
    while (E->heap.size > 0 && *clusters > stop) {
        if ((st->n_pops & (POLL_INTERVAL - 1)) == 0 && o->cancel && *o->cancel)
            return GASP_EINTERRUPTED;
#ifdef GASP_DEBUG
        if ((st->n_pops & (st->n_pops - 1)) == 0 && check_all(E) != GASP_OK)
            return GASP_EINTERNAL;
#endif
        gasp_idx_t e = pop_best(E);
        if (e < 0)
            break;
        st->n_pops++;
        double w = edge_value(E, e);
        if (E->constrained && w <= 0.0) {
            E->g.flags[e] |= GASP_EDGE_CONSTRAINED;
            continue;
        }
        int64_t j = st->n_merges++;
        if (merges) {
            int64_t ca = cluster_id[gasp_graph_u(&E->g, e)], cb = cluster_id[gasp_graph_v(&E->g, e)];
            merges[2 * j] = ca < cb ? ca : cb;
            merges[2 * j + 1] = ca < cb ? cb : ca;
        }
        if (heights)
            heights[j] = w;
        gasp_idx_t s;
        gasp_idx_t l = gasp_graph_contract(&E->g, e, &s);
        if (E->g.alloc_error || E->heap.failed)
            return GASP_ENOMEM;
        if (E->g.numeric_error)
            return GASP_ENUMERIC;
        E->uf.parent[s] = l;
        E->uf.size[l] += E->uf.size[s];
        null_model_merge(E, l, s);
        if (merges)
            cluster_id[l] = n + j;
        (*clusters)--;
        for (gasp_idx_t i = 0; i < E->g.n_folds; i++) {
            gasp_heap_remove(&E->heap, E->g.fold_dead[i]);
            refresh(E, E->g.fold_alive[i]);
        }
        if (E->size_factor) {
            E->cluster_size[l] += E->cluster_size[s];
            E->size_factor[l] = pow(E->cluster_size[l], -E->r);
            gasp_graph_for_each_edge(&E->g, l, refresh_visit, E);
        }
        if (o->progress && st->n_merges % o->progress_every == 0 &&
            o->progress(o->progress_ctx, st->n_merges, *clusters, w)) {
            st->stopped = 1;
            break;
        }
    }
    if (E->heap.failed)
        return GASP_ENOMEM;  /* a candidate could not be queued: the result would be wrong */
#ifdef GASP_DEBUG
    if (check_all(E) != GASP_OK)
        return GASP_EINTERNAL;
#endif
    return GASP_OK;
}

static int any_lifted(gasp_idx_t m, const uint8_t *is_lifted)
{
    for (gasp_idx_t k = 0; is_lifted && k < m; k++)
        if (is_lifted[k])
            return 1;
    return 0;
}

/* Run an exactly equivalent shortcut (fastpath.h) when one applies; else GASP_FAST_DECLINED. */
static int try_fast_paths(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                          const uint8_t *is_lifted, const gasp_options_t *o, int64_t *labels,
                          int64_t *merges, double *heights, gasp_stats_t *st)
{
    if (o->no_fast_path || o->run_to_completion || o->n_clusters > 0)
        return GASP_FAST_DECLINED;  /* an exact cluster count may need the completion pass */
    if (o->linkage == GASP_LINKAGE_MAX && !o->cannot_link && o->min_clusters <= 1 && !merges &&
        !heights && !any_lifted(m, is_lifted))
        return gasp_fast_components(n, m, edges, weights, labels, o->cancel, st);
    if (o->linkage == GASP_LINKAGE_ABS_MAX && o->size_regularizer == 0.0 &&
        !any_lifted(m, is_lifted))
        return gasp_fast_mutex_watershed(n, m, edges, weights, o, labels, merges, heights, st);
    return GASP_FAST_DECLINED;
}

int gasp_run(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
             const double *edge_sizes, const uint8_t *is_lifted, const double *node_sizes,
             const gasp_options_t *options, int64_t *labels, int64_t *merges, double *heights,
             gasp_stats_t *stats)
{
    gasp_stats_t local_stats;
    gasp_stats_t *st = stats ? stats : &local_stats;
    gasp_stats_reset(st);
    int rc = validate(n_nodes, n_edges, edges, weights, edge_sizes, node_sizes, options, labels,
                      st);
    if (rc != GASP_OK)
        return rc;

    const gasp_idx_t n = (gasp_idx_t)n_nodes, m = (gasp_idx_t)n_edges;
    rc = try_fast_paths(n, m, edges, weights, is_lifted, options, labels, merges, heights, st);
    if (rc == GASP_FAST_DECLINED) {
        gasp_graph_t g;
        rc = gasp_graph_init(&g, n, m, edges, weights, edge_sizes, is_lifted, options->linkage,
                             options->linkage_param, options->cancel);
        if (rc != GASP_OK)
            return rc;
        rc = gasp_engine_run(&g, node_sizes, options, labels, merges, heights, st);
    } else {
        st->n_merges_gasp = st->n_merges;
    }
    /* gasp_engine_run has freed the contraction state: the refinement needs O(n + m) of its own */
    if (rc == GASP_OK && options->refine && !st->stopped)
        rc = gasp_refine_run(n, m, edges, weights, edge_sizes, options, labels, st);
    return rc;
}

int gasp_engine_run(gasp_graph_t *graph, const double *node_sizes, const gasp_options_t *options,
                    int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *st)
{
    int rc = GASP_OK;
    engine_t E = {0};
    E.g = *graph;  /* the engine owns the graph from here on */
    int64_t *cluster_id = NULL;
    const gasp_idx_t n = E.g.n, m = E.g.m;
    E.r = options->size_regularizer;
    E.gamma = options->resolution;
    if (E.g.numeric_error) {
        rc = GASP_ENUMERIC;
        goto cleanup;
    }
    if ((rc = gasp_heap_init(&E.heap, m, 16)) != GASP_OK)
        goto cleanup;
    if ((rc = gasp_uf_init(&E.uf, n)) != GASP_OK)
        goto cleanup;
    if (E.r > 0.0) {
        size_t nn = n > 0 ? (size_t)n : 1;
        E.cluster_size = malloc(nn * sizeof *E.cluster_size);
        E.size_factor = malloc(nn * sizeof *E.size_factor);
        if (!E.cluster_size || !E.size_factor) {
            rc = GASP_ENOMEM;
            goto cleanup;
        }
        for (gasp_idx_t i = 0; i < n; i++) {
            E.cluster_size[i] = node_sizes ? node_sizes[i] : 1.0;
            E.size_factor[i] = pow(E.cluster_size[i], -E.r);
        }
    }
    if (options->null_weights) {
        E.null_a = malloc((n > 0 ? (size_t)n : 1) * sizeof *E.null_a);
        if (!E.null_a) {
            rc = GASP_ENOMEM;
            goto cleanup;
        }
        for (gasp_idx_t i = 0; i < n; i++)
            E.null_a[i] = options->null_weights[i];
    }
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
    E.constrained = options->cannot_link != 0;
    rc = run_phase(&E, options, &clusters, merges, heights, cluster_id, st);
    if (rc == GASP_OK && !st->stopped && E.constrained && options->merge_constrained_at_end) {
        E.constrained = 0;
        rc = run_phase(&E, options, &clusters, merges, heights, cluster_id, st);
    }
    st->n_merges_gasp = st->n_merges;
    const int exact_short = options->n_clusters > 0 && clusters > options->n_clusters;
    if (rc == GASP_OK && !st->stopped && (options->run_to_completion || exact_short)) {
        E.constrained = 0;
        E.any_sign = 1;
        rc = run_phase(&E, options, &clusters, merges, heights, cluster_id, st);
    }
    st->n_moved = E.g.total_moved;
    st->n_folds = E.g.total_folds;
    if (rc != GASP_OK)
        goto cleanup;
    /* g.deg is no longer needed: it serves as the labelling scratch. */
    st->n_clusters = gasp_uf_labels(&E.uf, labels, E.g.deg);

cleanup:
    gasp_graph_destroy(&E.g);
    gasp_heap_destroy(&E.heap);
    gasp_uf_destroy(&E.uf);
    free(E.cluster_size);
    free(E.size_factor);
    free(E.null_a);
    free(cluster_id);
    return rc;
}

int gasp_index_bits(void)
{
    return (int)(8 * sizeof(gasp_idx_t));
}

int64_t gasp_max_nodes(void)
{
    return (int64_t)GASP_IDX_MAX;
}

int64_t gasp_max_edges(void)
{
    /* half-edge ids 2m+1 must fit, and the hash table needs 2m slots addressable */
    return (int64_t)(GASP_IDX_MAX / 2 - 1);
}

int gasp_debug_build(void)
{
#ifdef GASP_DEBUG
    return 1;
#else
    return 0;
#endif
}
