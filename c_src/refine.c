/*
 * refine.c -- deterministic local moves on the objective of the sum linkage (with or without a
 * null model), the refinement of gasp_run(refine=1) and gasp_refine().
 *
 * Objective (to maximise): F(P) = sum_{e inside a cluster} s_e w_e
 *                                 - gamma * sum_C sum_{i < j in C} a_i a_j.
 * Without a null model (a = NULL) the penalty is absent and F = (total positive weight) -
 * (correlation-clustering disagreement).  With a_i = k_i / sqrt(2m) it is m * modularity plus a
 * constant; with a_i = 1 it is the constant Potts model (CPM).  Merging clusters S and T changes
 * F by w(S, T) - gamma a_S a_T, the null-model linkage value of gasp.c, and moving node i from
 * cluster A to cluster B changes it by
 *     [w(i, B) - gamma a_i a_B] - [w(i, A \ i) - gamma a_i (a_A - a_i)].
 *
 * Data structures (all owned by refine_t, freed by refine_destroy; invariants in refine_check,
 * run after every round by debug builds):
 *   - CSR adjacency: off[i] .. off[i+1] index nbr[] / val[] (neighbour, s*w), self-loops dropped;
 *     the neighbours of a node are in input edge order;
 *   - per node: lab[i] (its cluster id in [0, n)), a[i] (its value; 0 without a null model),
 *     absw[i] (sum of |s*w| at i, for the rounding tolerance);
 *   - per cluster id: ca[c] (sum of a over c), cnt[c] (nodes in c); unused ids on a stack
 *     (freeid[0 .. nfree)), so a node can always move to a new singleton;
 *   - scratch: acc[c] = w(i, c) for the clusters touched[0 .. ntouched) next to the node being
 *     evaluated (acc is all zero between evaluations); a FIFO queue of nodes with an in-queue
 *     flag.
 *
 * Moves: a round starts with the queue holding 0..n-1.  A popped node moves to the cluster of
 * largest gain among the clusters of its neighbours, in the order they first appear in its
 * adjacency (the first of equal gains wins), or, last, to a new singleton; only when the gain
 * exceeds a tolerance of 1e-12 times the magnitude of the terms involved (so rounding cannot make
 * two clusters trade a node forever).  (A cluster without an edge to the node is never better
 * than a new singleton: its gain is lower by gamma a_i a_B >= 0.)  After a move, the node's
 * neighbours join the queue.  When the queue is empty every cluster that is not connected through
 * edges inside it is split into its components (the gain gamma a_X a_Y of a split is >= 0).
 * Rounds repeat until one round moves nothing and splits nothing: then every node was checked
 * against every move, so the partition is a local optimum.  Each pass over the nodes costs O(m);
 * every move increases F, so the loop ends; a cap of 1000 passes guards against pathological
 * rounding.  cancel is polled every 4096 visits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refine.h"
#include "alloc.h"

#define REFINE_POLL 4096
#define REFINE_MAX_PASSES 1000
#define REFINE_TOL 1e-12

typedef struct {
    gasp_idx_t n;
    gasp_idx_t *off;      /* n + 1 */
    gasp_idx_t *nbr;      /* off[n] */
    double *val;          /* off[n] */
    gasp_idx_t *lab;      /* n */
    double *a;            /* n */
    double *absw;         /* n */
    double *ca;           /* n */
    gasp_idx_t *cnt;      /* n */
    gasp_idx_t *freeid;   /* n */
    gasp_idx_t nfree;
    gasp_idx_t nclust;    /* non-empty clusters */
    double *acc;          /* n */
    gasp_idx_t *touched;  /* n */
    gasp_idx_t *queue;    /* n, circular */
    uint8_t *inq;         /* n */
    uint8_t *mark;        /* n: cluster is in touched[] */
    double gamma;
    double a_total;
} refine_t;

static void refine_destroy(refine_t *R)
{
    free(R->off);
    free(R->nbr);
    free(R->val);
    free(R->lab);
    free(R->a);
    free(R->absw);
    free(R->ca);
    free(R->cnt);
    free(R->freeid);
    free(R->acc);
    free(R->touched);
    free(R->queue);
    free(R->inq);
    free(R->mark);
}

/* Cluster sums, counts and free ids from lab[] (recomputed exactly after every split). */
static void refine_recount(refine_t *R)
{
    gasp_idx_t n = R->n;
    for (gasp_idx_t c = 0; c < n; c++) {
        R->ca[c] = 0.0;
        R->cnt[c] = 0;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        R->ca[R->lab[i]] += R->a[i];
        R->cnt[R->lab[i]]++;
    }
    R->nfree = 0;
    for (gasp_idx_t c = n; c-- > 0;)
        if (R->cnt[c] == 0)
            R->freeid[R->nfree++] = c;
    R->nclust = n - R->nfree;
}

static int refine_init(refine_t *R, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                       const double *weights, const double *edge_sizes, const gasp_options_t *o,
                       const int64_t *labels)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    memset(R, 0, sizeof *R);
    R->n = n;
    R->gamma = o->null_weights ? o->resolution : 0.0;
    R->off = calloc(nn + 1, sizeof *R->off);
    R->lab = malloc(nn * sizeof *R->lab);
    R->a = malloc(nn * sizeof *R->a);
    R->absw = calloc(nn, sizeof *R->absw);
    R->ca = malloc(nn * sizeof *R->ca);
    R->cnt = malloc(nn * sizeof *R->cnt);
    R->freeid = malloc(nn * sizeof *R->freeid);
    R->acc = calloc(nn, sizeof *R->acc);
    R->touched = malloc(nn * sizeof *R->touched);
    R->queue = malloc(nn * sizeof *R->queue);
    R->inq = calloc(nn, 1);
    R->mark = calloc(nn, 1);
    if (!R->off || !R->lab || !R->a || !R->absw || !R->ca || !R->cnt || !R->freeid || !R->acc ||
        !R->touched || !R->queue || !R->inq || !R->mark)
        return GASP_ENOMEM;
    gasp_idx_t deg_total = 0;
    for (gasp_idx_t k = 0; k < m; k++) {
        int64_t u = edges[2 * (int64_t)k], v = edges[2 * (int64_t)k + 1];
        if (u == v)
            continue;
        R->off[u + 1]++;
        R->off[v + 1]++;
        deg_total += 2;
    }
    for (gasp_idx_t i = 0; i < n; i++)
        R->off[i + 1] += R->off[i];
    R->nbr = gasp_alloc((size_t)deg_total * sizeof *R->nbr);
    R->val = gasp_alloc((size_t)deg_total * sizeof *R->val);
    if (!R->nbr || !R->val)
        return GASP_ENOMEM;
    /* fill with a moving cursor per node (lab[] is the cursor scratch until it is set below) */
    for (gasp_idx_t i = 0; i < n; i++)
        R->lab[i] = R->off[i];
    for (gasp_idx_t k = 0; k < m; k++) {
        gasp_idx_t u = (gasp_idx_t)edges[2 * (int64_t)k], v = (gasp_idx_t)edges[2 * (int64_t)k + 1];
        if (u == v)
            continue;
        double x = weights[k] * (edge_sizes ? edge_sizes[k] : 1.0);
        R->nbr[R->lab[u]] = v;
        R->val[R->lab[u]++] = x;
        R->nbr[R->lab[v]] = u;
        R->val[R->lab[v]++] = x;
        R->absw[u] += fabs(x);
        R->absw[v] += fabs(x);
    }
    R->a_total = 0.0;
    for (gasp_idx_t i = 0; i < n; i++) {
        R->lab[i] = (gasp_idx_t)labels[i];
        R->a[i] = o->null_weights ? o->null_weights[i] : 0.0;
        R->a_total += R->a[i];
    }
    refine_recount(R);
    return GASP_OK;
}

#ifdef GASP_DEBUG
/* Invariants: every label in [0, n); cnt[c] counts the nodes labelled c and ca[c] sums their a
 * (up to rounding); the free ids are exactly the empty clusters, each once; nclust counts the
 * non-empty ones; acc and mark are clear between visits.  GASP_OK or GASP_EINTERNAL. */
static int refine_check(const refine_t *R)
{
    gasp_idx_t n = R->n, nonempty = 0;
    int rc = GASP_OK;
    gasp_idx_t *count = calloc((size_t)(n > 0 ? n : 1), sizeof *count);
    double *sum = calloc((size_t)(n > 0 ? n : 1), sizeof *sum);
    if (!count || !sum) {
        rc = GASP_ENOMEM;
        goto done;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        if (R->lab[i] < 0 || R->lab[i] >= n) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        count[R->lab[i]]++;
        sum[R->lab[i]] += R->a[i];
    }
    for (gasp_idx_t c = 0; c < n; c++) {
        double tol = 1e-9 * (1.0 + fabs(sum[c]) + fabs(R->a_total));
        if (count[c] != R->cnt[c] || fabs(sum[c] - R->ca[c]) > tol || R->acc[c] != 0.0 ||
            R->mark[c]) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        nonempty += count[c] > 0;
    }
    if (nonempty != R->nclust || R->nfree != n - nonempty) {
        rc = GASP_EINTERNAL;
        goto done;
    }
    for (gasp_idx_t f = 0; f < R->nfree; f++) {
        gasp_idx_t c = R->freeid[f];
        if (c < 0 || c >= n || count[c] != 0) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        count[c] = -1;  /* seen: a second occurrence fails the test above */
    }
done:
    free(count);
    free(sum);
    return rc;
}
#endif

/* Evaluate node i and move it if a move gains more than the tolerance; returns the gain (0 when
 * it stays) and writes the new cluster to *to. */
static double refine_visit(refine_t *R, gasp_idx_t i, gasp_idx_t *to)
{
    gasp_idx_t A = R->lab[i], ntouched = 0;
    for (gasp_idx_t p = R->off[i]; p < R->off[i + 1]; p++) {
        gasp_idx_t c = R->lab[R->nbr[p]];
        if (!R->mark[c]) {
            R->mark[c] = 1;
            R->touched[ntouched++] = c;
        }
        R->acc[c] += R->val[p];
    }
    const double g = R->gamma, ai = R->a[i];
    double stay = R->acc[A] - g * ai * (R->ca[A] - ai);
    double tol = REFINE_TOL * (R->absw[i] + g * ai * R->a_total);
    double best_gain = tol;
    gasp_idx_t best = -1;
    for (gasp_idx_t t = 0; t < ntouched; t++) {
        gasp_idx_t c = R->touched[t];
        if (c != A) {
            double gain = R->acc[c] - g * ai * R->ca[c] - stay;
            if (gain > best_gain) {
                best_gain = gain;
                best = c;
            }
        }
    }
    int to_new = 0;
    if (R->cnt[A] > 1 && -stay > best_gain) {
        best_gain = -stay;
        to_new = 1;
    }
    for (gasp_idx_t t = 0; t < ntouched; t++) {
        R->acc[R->touched[t]] = 0.0;
        R->mark[R->touched[t]] = 0;
    }
    if (to_new) {
        best = R->freeid[--R->nfree];  /* one exists: A holds >= 2 of the n nodes */
        R->nclust++;
    }
    if (best < 0)
        return 0.0;
    R->ca[A] -= ai;
    if (--R->cnt[A] == 0) {
        R->freeid[R->nfree++] = A;
        R->nclust--;
    }
    R->lab[i] = best;
    R->ca[best] += ai;
    R->cnt[best]++;
    *to = best;
    return best_gain;
}

/* Split every cluster into its connected components (through edges inside it); the new ids
 * are the components' union-find roots.  Returns the number of clusters added by the split and
 * adds the split's gain to *gain.  parent is n entries of scratch. */
static gasp_idx_t refine_split(refine_t *R, gasp_idx_t *parent, double *gain)
{
    gasp_idx_t n = R->n, before = R->nclust, after;
    for (gasp_idx_t i = 0; i < n; i++)
        parent[i] = i;
    for (gasp_idx_t i = 0; i < n; i++)
        for (gasp_idx_t p = R->off[i]; p < R->off[i + 1]; p++) {
            gasp_idx_t j = R->nbr[p];
            if (j < i && R->lab[j] == R->lab[i]) {
                gasp_idx_t x = i, y = j;
                while (parent[x] != x)
                    x = parent[x] = parent[parent[x]];
                while (parent[y] != y)
                    y = parent[y] = parent[parent[y]];
                if (x != y)
                    parent[x > y ? x : y] = x < y ? x : y;
            }
        }
    double sq_before = 0.0, sq_after = 0.0;
    for (gasp_idx_t c = 0; c < n; c++)
        sq_before += R->ca[c] * R->ca[c];
    for (gasp_idx_t i = 0; i < n; i++) {
        gasp_idx_t x = i;
        while (parent[x] != x)
            x = parent[x];
        R->lab[i] = x;
    }
    refine_recount(R);
    after = R->nclust;
    for (gasp_idx_t c = 0; c < n; c++)
        sq_after += R->ca[c] * R->ca[c];
    if (after > before)
        *gain += 0.5 * R->gamma * (sq_before - sq_after);
    return after - before;
}

int gasp_refine_run(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                    const double *edge_sizes, const gasp_options_t *o, int64_t *labels,
                    gasp_stats_t *st)
{
    refine_t R;
    int rc = refine_init(&R, n, m, edges, weights, edge_sizes, o, labels);
    int64_t visits = 0, passes = 0;
    double gain = 0.0;
    if (rc != GASP_OK)
        goto cleanup;
    for (;;) {
        /* one round of moves: the queue starts with every node, in order */
        gasp_idx_t head = 0, size = n;
        for (gasp_idx_t i = 0; i < n; i++) {
            R.queue[i] = i;
            R.inq[i] = 1;
        }
        int64_t round_visits = 0, round_moves = 0;
        while (size > 0) {
            if ((visits & (REFINE_POLL - 1)) == 0 && o->cancel && *o->cancel) {
                rc = GASP_EINTERRUPTED;
                goto cleanup;
            }
            visits++;
            gasp_idx_t i = R.queue[head];
            head = head + 1 == n ? 0 : head + 1;
            size--;
            R.inq[i] = 0;
            gasp_idx_t to;
            double g = refine_visit(&R, i, &to);
            if (g > 0.0) {
                gain += g;
                st->n_moves++;
                round_moves++;
                /* every neighbour's gains changed (with signed weights also those now in the
                 * same cluster, whose staying got worse through a negative edge) */
                for (gasp_idx_t p = R.off[i]; p < R.off[i + 1]; p++) {
                    gasp_idx_t j = R.nbr[p];
                    if (!R.inq[j]) {
                        R.inq[j] = 1;
                        gasp_idx_t tail = head + size >= n ? head + size - n : head + size;
                        R.queue[tail] = j;
                        size++;
                    }
                }
            }
            if (++round_visits % (n > 0 ? n : 1) == 0) {
                passes++;
                if (o->progress && o->progress(o->progress_ctx, st->n_merges, R.nclust, gain)) {
                    st->stopped = 1;
                    goto done;
                }
                if (passes >= REFINE_MAX_PASSES)
                    goto done;
            }
        }
#ifdef GASP_DEBUG
        if ((rc = refine_check(&R)) != GASP_OK)
            goto cleanup;
#endif
        /* the queue is empty between rounds: reuse it as union-find parents */
        gasp_idx_t split = refine_split(&R, R.queue, &gain);
        /* a round without a move checked every node: a local optimum (a null model's penalty
         * also changes for non-neighbours, so a round with moves is followed by another) */
        if (round_moves == 0 && split == 0)
            break;
    }
done:
    for (gasp_idx_t i = 0; i < n; i++)
        R.inq[i] = 0;
    {
        /* canonical labels: numbered by first occurrence in node order (touched[] maps ids) */
        int64_t k = 0;
        for (gasp_idx_t i = 0; i < n; i++) {
            gasp_idx_t c = R.lab[i];
            if (!R.mark[c]) {
                R.mark[c] = 1;
                R.touched[c] = (gasp_idx_t)k++;
            }
            labels[i] = R.touched[c];
        }
        st->n_clusters = k;
    }
    st->refine_gain += gain;
cleanup:
    refine_destroy(&R);
    return rc;
}

static int refine_validate(int64_t n, int64_t m, const int64_t *edges, const double *weights,
                           const double *edge_sizes, const gasp_options_t *o,
                           const int64_t *labels, gasp_stats_t *st)
{
#define FAIL(arg, idx)          \
    do {                        \
        st->err_arg = (arg);    \
        st->err_index = (idx);  \
        return GASP_EINVAL;     \
    } while (0)
    if (!o)
        FAIL(GASP_ARG_OPTIONS, -1);
    if (n < 0)
        FAIL(GASP_ARG_N_NODES, -1);
    if (m < 0)
        FAIL(GASP_ARG_N_EDGES, -1);
    if (n > gasp_max_nodes() || m > gasp_max_edges())
        return GASP_ETOOBIG;
    if (m > 0 && (!edges || !weights))
        FAIL(!edges ? GASP_ARG_EDGES : GASP_ARG_WEIGHTS, -1);
    if (n > 0 && !labels)
        FAIL(GASP_ARG_LABELS, -1);
    if (o->progress && o->progress_every < 1)
        FAIL(GASP_ARG_PROGRESS_EVERY, -1);
    if (!(isfinite(o->resolution) && o->resolution >= 0.0))
        FAIL(GASP_ARG_RESOLUTION, -1);
    for (int64_t k = 0; k < m; k++) {
        int64_t a = edges[2 * k], b = edges[2 * k + 1];
        if (a < 0 || b < 0 || a >= n || b >= n)
            FAIL(GASP_ARG_EDGES, k);
        if (!isfinite(weights[k]))
            FAIL(GASP_ARG_WEIGHTS, k);
        if (edge_sizes && !(isfinite(edge_sizes[k]) && edge_sizes[k] > 0.0))
            FAIL(GASP_ARG_EDGE_SIZES, k);
    }
    for (int64_t i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= n)
            FAIL(GASP_ARG_LABELS, i);
        if (o->null_weights && !(isfinite(o->null_weights[i]) && o->null_weights[i] >= 0.0))
            FAIL(GASP_ARG_NODE_WEIGHTS, i);
    }
    return GASP_OK;
#undef FAIL
}

int gasp_refine(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
                const double *edge_sizes, const gasp_options_t *options, int64_t *labels,
                gasp_stats_t *stats)
{
    gasp_stats_t local_stats;
    gasp_stats_t *st = stats ? stats : &local_stats;
    memset(st, 0, sizeof *st);
    st->err_index = -1;
    int rc = refine_validate(n_nodes, n_edges, edges, weights, edge_sizes, options, labels, st);
    if (rc != GASP_OK)
        return rc;
    return gasp_refine_run((gasp_idx_t)n_nodes, (gasp_idx_t)n_edges, edges, weights, edge_sizes,
                           options, labels, st);
}

int gasp_collapse(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *values,
                  const int64_t *labels, int64_t n_clusters, int64_t *out_edges,
                  double *out_values, int64_t *out_m)
{
    int rc = GASP_OK;
    int64_t *start = NULL, *slot = NULL, *last = NULL;
    int64_t *order_b = NULL;
    double *order_x = NULL;
    if (n_nodes < 0 || n_edges < 0 || n_clusters < 0 || !out_m ||
        (n_edges > 0 && (!edges || !values || !out_edges || !out_values)) ||
        (n_nodes > 0 && !labels))
        return GASP_EINVAL;
    for (int64_t i = 0; i < n_nodes; i++)
        if (labels[i] < 0 || labels[i] >= n_clusters)
            return GASP_EINVAL;
    for (int64_t k = 0; k < n_edges; k++)
        if (edges[2 * k] < 0 || edges[2 * k] >= n_nodes || edges[2 * k + 1] < 0 ||
            edges[2 * k + 1] >= n_nodes)
            return GASP_EINVAL;
    size_t kk = (size_t)(n_clusters > 0 ? n_clusters : 1), mm = (size_t)(n_edges > 0 ? n_edges : 1);
    start = calloc(kk + 1, sizeof *start);   /* bucket offsets by the smaller cluster id */
    last = malloc(kk * sizeof *last);        /* per larger id: its output index in this bucket */
    order_b = malloc(mm * sizeof *order_b);  /* bucketed larger ids */
    order_x = malloc(mm * sizeof *order_x);  /* bucketed values */
    slot = malloc(kk * sizeof *slot);        /* fill cursor per bucket */
    if (!start || !last || !order_b || !order_x || !slot) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    /* counting sort of the cross-cluster edges by their smaller cluster id */
    for (int64_t k = 0; k < n_edges; k++) {
        int64_t a = labels[edges[2 * k]], b = labels[edges[2 * k + 1]];
        if (a != b)
            start[(a < b ? a : b) + 1]++;
    }
    for (int64_t c = 0; c < n_clusters; c++) {
        start[c + 1] += start[c];
        slot[c] = start[c];
        last[c] = -1;
    }
    for (int64_t k = 0; k < n_edges; k++) {
        int64_t a = labels[edges[2 * k]], b = labels[edges[2 * k + 1]];
        if (a == b)
            continue;
        int64_t lo = a < b ? a : b, hi = a < b ? b : a, p = slot[lo]++;
        order_b[p] = hi;
        order_x[p] = values[k];
    }
    /* per bucket, add up equal larger ids (last[] marks where each went; reset after) */
    int64_t m_out = 0;
    for (int64_t lo = 0; lo < n_clusters; lo++) {
        int64_t first = m_out;
        for (int64_t p = start[lo]; p < start[lo + 1]; p++) {
            int64_t hi = order_b[p];
            if (last[hi] < first) {
                last[hi] = m_out;
                out_edges[2 * m_out] = lo;
                out_edges[2 * m_out + 1] = hi;
                out_values[m_out++] = order_x[p];
            } else {
                out_values[last[hi]] += order_x[p];
            }
        }
    }
    *out_m = m_out;
cleanup:
    free(start);
    free(last);
    free(order_b);
    free(order_x);
    free(slot);
    return rc;
}
