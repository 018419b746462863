/*
 * refine.c -- deterministic local search on the objective of the sum linkage (with or without a
 * null model): the refinement of gasp_run(refine) and gasp_refine().
 *
 * Objective (to maximise): F(P) = sum_{e inside a cluster} s_e w_e
 *                                 - gamma * sum_C sum_{i < j in C} a_i a_j.
 * Without a null model (a = NULL) the penalty is absent and F = (total positive weight) -
 * (correlation-clustering disagreement).  With a_i = k_i / sqrt(2m) it is m * modularity plus a
 * constant; with a_i = 1 it is the constant Potts model (CPM).  Merging clusters S and T changes
 * F by w(S, T) - gamma a_S a_T, the null-model linkage value of gasp.c, and moving node i from
 * cluster A to cluster B changes it by
 *     [w(i, B) - gamma a_i a_B] - [w(i, A \ i) - gamma a_i (a_A - a_i)].
 * Collapsing the clusters of a partition into nodes (edge values added up, edges inside a
 * cluster dropped, values a added up) changes F by a constant only, so the same formula moves
 * whole clusters on a collapsed graph.
 *
 * Two modes (options->refine):
 *   GASP_REFINE_MOVES: node moves in rounds until no node moves (refine_rounds below);
 *   GASP_REFINE_FULL (and GASP_REFINE_NONE in gasp_refine): the multilevel search of the
 *     Leiden method [1] made deterministic, from the given partition.  One iteration:
 *       1. node moves on the current level's graph (a FIFO queue, refine_drain);
 *       2. every cluster is split into sub-clusters: its nodes start alone and, in node order,
 *          a node still alone and well connected to its cluster (w(i, S \ i) >= gamma a_i
 *          (a_S - a_i)) joins the well-connected sub-cluster of its cluster with the largest
 *          positive gain (Leiden's refinement with its randomness parameter at 0);
 *       3. the sub-clusters become the nodes of the next level, starting in the clusters of
 *          step 1 (so step 1 on that level moves sub-clusters between clusters); when step 2
 *          joined nothing, the clusters themselves become the nodes;
 *       4. repeat from 1 until step 1 leaves every node of a level alone; unfold the labels.
 *     Iterations repeat from their own result while one raises F.  The first iteration
 *     visits (steps 1 and 2) in node order, later ones in orders drawn from a fixed
 *     pseudo-random sequence (splitmix64 from 0: the same on every run and platform), so that
 *     a repeated iteration can escape where the first one stopped.
 *   The search runs from the given labels and, for GASP's result (gasp_run), also from
 *   singletons; the partition of higher F wins (the given one on a tie).  Then
 *   REFINE_PERTURB_STEPS perturbation steps (an iterated local search): each dissolves
 *   every cluster of the best partition so far into singletons with probability
 *   REFINE_PERTURB_FRACTION (drawn from the same sequence), runs REFINE_PERTURB_ITERATIONS
 *   iterations, and keeps the result when its F is at least the best one's.  Last, the
 *   node-move rounds, so the result is a local optimum whatever the rounding.
 *
 * Node moves: a popped node moves to the cluster of largest gain among the clusters of its
 * neighbours, in the order they first appear in its adjacency (the first of equal gains wins),
 * or, last, to a new singleton; only when the gain exceeds a tolerance of 1e-12 times the
 * magnitude of the terms involved (so rounding cannot make two clusters trade a node forever).
 * (A cluster without an edge to the node is never better than a new singleton: its gain is lower
 * by gamma a_i a_B >= 0.)  After a move, the node's neighbours join the queue.  refine_rounds:
 * when the queue is empty every cluster that is not connected through edges inside it is split
 * into its components (the gain gamma a_X a_Y of a split is >= 0); rounds repeat until one round
 * moves nothing and splits nothing: then every node was checked against every move, so the
 * partition is a local optimum.  Each pass over the nodes costs O(m); every move increases F, so
 * the loop ends; caps on passes and iterations guard against pathological rounding.  cancel is
 * polled every 4096 units of work in every pass over the nodes or edges (node moves, the
 * objective, sub-clusters, splits, aggregation) and every GASP_POLL_EVERY(_RANDOM) edges of the
 * argument checks and of the level-0 build.
 *
 * Data structures (invariants in refine_check, run after every round by debug builds):
 *   - rgraph_t: a level's graph as CSR adjacency: off[i] .. off[i+1] index nbr[] / val[]
 *     (neighbour, summed s*w), no self-loops; a[i] the node's value (0 without a null model);
 *     absw[i] the sum of |s*w| of the input edges inside node i and at it (for the rounding
 *     tolerance).  Level 0 keeps every node's neighbours in input edge order.
 *   - rwork_t, sized for level 0 and reused by every level: per node lab[i] (cluster id in
 *     [0, n)); per cluster id ca[c] (sum of a over c) and cnt[c] (nodes in c); unused ids on a
 *     stack (freeid[0 .. nfree)), so a node can always move to a new singleton; scratch acc[c] =
 *     w(i, c) for the clusters touched[0 .. ntouched) next to the node being evaluated (acc and
 *     mark are all zero between evaluations); a FIFO queue with an in-queue flag; the
 *     refinement's sub-cluster labels and sums; the level-0 node -> level node map.
 *
 * [1] V. A. Traag, L. Waltman, N. J. van Eck, "From Louvain to Leiden: guaranteeing
 *     well-connected communities", Scientific Reports 9, 5233 (2019).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refine.h"
#include "validate.h"
#include "alloc.h"
#include "control.h"

#define REFINE_POLL 4096
#define REFINE_MAX_PASSES 1000
#define REFINE_MAX_ITERATIONS 1000
#define REFINE_TOL 1e-12
#define REFINE_PERTURB_STEPS 10        /* perturbation steps after the search */
#define REFINE_PERTURB_FRACTION 0.05   /* share of the clusters each step dissolves */
#define REFINE_PERTURB_ITERATIONS 2    /* multilevel iterations per step */

/* A level's graph; every array owned by the struct (rgraph_free). */
typedef struct {
    gasp_idx_t n;
    gasp_idx_t *off;  /* n + 1 */
    gasp_idx_t *nbr;  /* off[n] */
    double *val;      /* off[n] */
    double *a;        /* n */
    double *absw;     /* n */
} rgraph_t;

/* Move state and scratch for graphs of at most cap nodes; every array owned (rwork_free). */
typedef struct {
    gasp_idx_t cap;
    gasp_idx_t *lab;      /* cap: the current level's labels */
    double *ca;           /* cap */
    gasp_idx_t *cnt;      /* cap */
    gasp_idx_t *freeid;   /* cap */
    gasp_idx_t nfree;
    gasp_idx_t nclust;    /* non-empty clusters */
    double *acc;          /* cap */
    gasp_idx_t *touched;  /* cap */
    uint8_t *mark;        /* cap: cluster is in touched[] */
    gasp_idx_t *queue;    /* cap, circular; union-find parents between rounds */
    uint8_t *inq;         /* cap */
    gasp_idx_t *rlab;     /* cap: sub-cluster labels of the refinement step */
    double *rext;         /* cap: w(sub-cluster, its cluster minus it) */
    double *ra;           /* cap: a summed over a sub-cluster */
    gasp_idx_t *rcnt;     /* cap */
    gasp_idx_t *map;      /* cap: level-0 node -> node of the current level */
    gasp_idx_t *prev;     /* cap: level-0 labels before the current iteration */
    gasp_idx_t *keep;     /* cap: the best labels of the perturbation steps */
    gasp_idx_t *alt;      /* cap: the result of the first of two searches */
    gasp_idx_t *order;    /* cap: the visiting order of the current level */
    uint64_t rng;         /* state of the fixed sequence of visiting orders */
    int shuffle;          /* 0: visit in node order; 1: orders from rng */
    double gamma;
    double a_total;
    double scale;         /* sum of absw over level 0: the magnitude of F */
    const gasp_options_t *o;
    gasp_stats_t *st;
    int64_t work;         /* units of work since the start (for cancel polling) */
    int64_t visits;       /* node visits at level 0 (for the progress callback) */
    double gain;          /* F gained so far */
} rwork_t;

static void rgraph_free(rgraph_t *G)
{
    free(G->off);
    free(G->nbr);
    free(G->val);
    free(G->a);
    free(G->absw);
    memset(G, 0, sizeof *G);
}

static void rwork_free(rwork_t *W)
{
    free(W->lab);
    free(W->ca);
    free(W->cnt);
    free(W->freeid);
    free(W->acc);
    free(W->touched);
    free(W->mark);
    free(W->queue);
    free(W->inq);
    free(W->rlab);
    free(W->rext);
    free(W->ra);
    free(W->rcnt);
    free(W->map);
    free(W->prev);
    free(W->keep);
    free(W->alt);
    free(W->order);
}

static int rwork_init(rwork_t *W, gasp_idx_t n, const gasp_options_t *o, gasp_stats_t *st)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    memset(W, 0, sizeof *W);
    W->cap = n;
    W->o = o;
    W->st = st;
    W->gamma = o->null_weights ? o->resolution : 0.0;
    W->lab = malloc(nn * sizeof *W->lab);
    W->ca = malloc(nn * sizeof *W->ca);
    W->cnt = malloc(nn * sizeof *W->cnt);
    W->freeid = malloc(nn * sizeof *W->freeid);
    W->acc = calloc(nn, sizeof *W->acc);
    W->touched = malloc(nn * sizeof *W->touched);
    W->mark = calloc(nn, 1);
    W->queue = malloc(nn * sizeof *W->queue);
    W->inq = calloc(nn, 1);
    W->rlab = malloc(nn * sizeof *W->rlab);
    W->rext = malloc(nn * sizeof *W->rext);
    W->ra = malloc(nn * sizeof *W->ra);
    W->rcnt = malloc(nn * sizeof *W->rcnt);
    W->map = malloc(nn * sizeof *W->map);
    W->prev = malloc(nn * sizeof *W->prev);
    W->keep = malloc(nn * sizeof *W->keep);
    W->alt = malloc(nn * sizeof *W->alt);
    W->order = malloc(nn * sizeof *W->order);
    if (!W->lab || !W->ca || !W->cnt || !W->freeid || !W->acc || !W->touched || !W->mark ||
        !W->queue || !W->inq || !W->rlab || !W->rext || !W->ra || !W->rcnt || !W->map ||
        !W->prev || !W->keep || !W->alt || !W->order)
        return GASP_ENOMEM;
    return GASP_OK;
}

/* Counts work and polls cancel every REFINE_POLL units; non-zero when the run must stop. */
static int rwork_cancelled(rwork_t *W, int64_t units)
{
    int64_t before = W->work;
    W->work += units;
    if ((before / REFINE_POLL) != (W->work / REFINE_POLL) || units >= REFINE_POLL)
        return W->o->cancel && *W->o->cancel;
    return 0;
}

/* Level 0 from the validated edge list (self-loops dropped).  GASP_OK, GASP_ENOMEM or
 * GASP_EINTERRUPTED. */
static int rgraph_from_edges(rgraph_t *G, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                             const double *weights, const double *edge_sizes,
                             const double *null_weights, gasp_idx_t *cursor,
                             const volatile int32_t *cancel)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    memset(G, 0, sizeof *G);
    G->n = n;
    G->off = calloc(nn + 1, sizeof *G->off);
    G->a = malloc(nn * sizeof *G->a);
    G->absw = calloc(nn, sizeof *G->absw);
    if (!G->off || !G->a || !G->absw)
        return GASP_ENOMEM;
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll_random(k, cancel))
            return GASP_EINTERRUPTED;
        int64_t u = edges[2 * (int64_t)k], v = edges[2 * (int64_t)k + 1];
        if (u == v)
            continue;
        G->off[u + 1]++;
        G->off[v + 1]++;
    }
    for (gasp_idx_t i = 0; i < n; i++)
        G->off[i + 1] += G->off[i];
    G->nbr = gasp_alloc((size_t)G->off[n] * sizeof *G->nbr);
    G->val = gasp_alloc((size_t)G->off[n] * sizeof *G->val);
    if (!G->nbr || !G->val)
        return GASP_ENOMEM;
    for (gasp_idx_t i = 0; i < n; i++)
        cursor[i] = G->off[i];
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll_random(k, cancel))
            return GASP_EINTERRUPTED;
        gasp_idx_t u = (gasp_idx_t)edges[2 * (int64_t)k], v = (gasp_idx_t)edges[2 * (int64_t)k + 1];
        if (u == v)
            continue;
        double x = weights[k] * (edge_sizes ? edge_sizes[k] : 1.0);
        G->nbr[cursor[u]] = v;
        G->val[cursor[u]++] = x;
        G->nbr[cursor[v]] = u;
        G->val[cursor[v]++] = x;
        G->absw[u] += fabs(x);
        G->absw[v] += fabs(x);
    }
    for (gasp_idx_t i = 0; i < n; i++)
        G->a[i] = null_weights ? null_weights[i] : 0.0;
    return GASP_OK;
}

/* The graph whose nodes are the k clusters of lab (labels in [0, k)): neighbours in the order
 * they are first reached from the cluster's nodes in node order.  Uses W's acc, mark, touched,
 * queue (member lists) and cnt (offsets) as scratch; they are left clear. */
static int rgraph_collapse(rwork_t *W, const rgraph_t *S, const gasp_idx_t *lab, gasp_idx_t k,
                           rgraph_t *D)
{
    gasp_idx_t n = S->n;
    size_t kk = (size_t)(k > 0 ? k : 1);
    memset(D, 0, sizeof *D);
    D->n = k;
    D->off = calloc(kk + 1, sizeof *D->off);
    D->a = calloc(kk, sizeof *D->a);
    D->absw = calloc(kk, sizeof *D->absw);
    D->nbr = gasp_alloc((size_t)S->off[n] * sizeof *D->nbr);
    D->val = gasp_alloc((size_t)S->off[n] * sizeof *D->val);
    if (!D->off || !D->a || !D->absw || !D->nbr || !D->val)
        return GASP_ENOMEM;
    /* members of each cluster in node order: a counting sort into queue[] (offsets in cnt) */
    gasp_idx_t *start = W->cnt, *member = W->queue;
    for (gasp_idx_t c = 0; c < k; c++)
        start[c] = 0;
    for (gasp_idx_t i = 0; i < n; i++)
        if (lab[i] + 1 < k)
            start[lab[i] + 1]++;
    for (gasp_idx_t c = 1; c < k; c++)
        start[c] += start[c - 1];
    for (gasp_idx_t i = 0; i < n; i++)
        member[start[lab[i]]++] = i;
    /* start[c] is now the end of cluster c's members, the start of c + 1's */
    gasp_idx_t out = 0, p0 = 0;
    for (gasp_idx_t c = 0; c < k; c++) {
        gasp_idx_t ntouched = 0, p1 = start[c];
        int64_t units = 1;
        for (gasp_idx_t q = p0; q < p1; q++) {
            gasp_idx_t i = member[q];
            D->a[c] += S->a[i];
            D->absw[c] += S->absw[i];
            units += 1 + (S->off[i + 1] - S->off[i]) / 8;
            for (gasp_idx_t p = S->off[i]; p < S->off[i + 1]; p++) {
                gasp_idx_t d = lab[S->nbr[p]];
                if (d == c)
                    continue;
                if (!W->mark[d]) {
                    W->mark[d] = 1;
                    W->touched[ntouched++] = d;
                }
                W->acc[d] += S->val[p];
            }
        }
        for (gasp_idx_t t = 0; t < ntouched; t++) {
            gasp_idx_t d = W->touched[t];
            D->nbr[out] = d;
            D->val[out++] = W->acc[d];
            W->acc[d] = 0.0;
            W->mark[d] = 0;
        }
        D->off[c + 1] = out;
        if (rwork_cancelled(W, units))
            return GASP_EINTERRUPTED;
        p0 = p1;
    }
    return GASP_OK;
}

/* splitmix64: the next number of the fixed sequence behind the visiting orders. */
static uint64_t refine_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* order[0 .. n): node order, or (shuffle) a permutation drawn from the fixed sequence. */
static void refine_order(rwork_t *W, gasp_idx_t n)
{
    for (gasp_idx_t i = 0; i < n; i++)
        W->order[i] = i;
    if (!W->shuffle)
        return;
    for (gasp_idx_t i = n - 1; i > 0; i--) {
        gasp_idx_t j = (gasp_idx_t)(refine_next(&W->rng) % (uint64_t)(i + 1));
        gasp_idx_t t = W->order[i];
        W->order[i] = W->order[j];
        W->order[j] = t;
    }
}

/* Cluster sums, counts and free ids of the first n entries of lab[]. */
static void rwork_recount(rwork_t *W, const rgraph_t *G)
{
    gasp_idx_t n = G->n;
    for (gasp_idx_t c = 0; c < n; c++) {
        W->ca[c] = 0.0;
        W->cnt[c] = 0;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        W->ca[W->lab[i]] += G->a[i];
        W->cnt[W->lab[i]]++;
    }
    W->nfree = 0;
    for (gasp_idx_t c = n; c-- > 0;)
        if (W->cnt[c] == 0)
            W->freeid[W->nfree++] = c;
    W->nclust = n - W->nfree;
}

/* Renumber lab[0 .. n) to 0..k-1 by first occurrence; returns k.  Uses mark and touched. */
static gasp_idx_t relabel(rwork_t *W, gasp_idx_t *lab, gasp_idx_t n)
{
    gasp_idx_t k = 0;
    for (gasp_idx_t i = 0; i < n; i++) {
        gasp_idx_t c = lab[i];
        if (!W->mark[c]) {
            W->mark[c] = 1;
            W->touched[c] = k++;
        }
        lab[i] = W->touched[c];
    }
    for (gasp_idx_t c = 0; c < n; c++)
        W->mark[c] = 0;
    return k;
}

#ifdef GASP_DEBUG
/* Invariants of W on G: every label in [0, n); cnt[c] counts the nodes labelled c and ca[c]
 * sums their a (up to rounding); the free ids are exactly the empty clusters, each once; nclust
 * counts the non-empty ones; acc and mark are clear between visits.  GASP_OK, GASP_ENOMEM or
 * GASP_EINTERNAL. */
static int refine_check(const rwork_t *W, const rgraph_t *G)
{
    gasp_idx_t n = G->n, nonempty = 0;
    int rc = GASP_OK;
    gasp_idx_t *count = calloc((size_t)(n > 0 ? n : 1), sizeof *count);
    double *sum = calloc((size_t)(n > 0 ? n : 1), sizeof *sum);
    if (!count || !sum) {
        rc = GASP_ENOMEM;
        goto done;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        if (W->lab[i] < 0 || W->lab[i] >= n || G->off[i] > G->off[i + 1]) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        count[W->lab[i]]++;
        sum[W->lab[i]] += G->a[i];
    }
    for (gasp_idx_t c = 0; c < n; c++) {
        double tol = 1e-9 * (1.0 + fabs(sum[c]) + fabs(W->a_total));
        if (count[c] != W->cnt[c] || fabs(sum[c] - W->ca[c]) > tol || W->acc[c] != 0.0 ||
            W->mark[c]) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        nonempty += count[c] > 0;
    }
    if (nonempty != W->nclust || W->nfree != n - nonempty) {
        rc = GASP_EINTERNAL;
        goto done;
    }
    for (gasp_idx_t f = 0; f < W->nfree; f++) {
        gasp_idx_t c = W->freeid[f];
        if (c < 0 || c >= n || count[c] != 0) {
            rc = GASP_EINTERNAL;
            goto done;
        }
        count[c] = -1;  /* seen: a second occurrence fails the test above */
    }
    for (gasp_idx_t p = 0; p < G->off[n]; p++)
        if (G->nbr[p] < 0 || G->nbr[p] >= n) {
            rc = GASP_EINTERNAL;
            goto done;
        }
done:
    free(count);
    free(sum);
    return rc;
}
#endif

/* Evaluate node i of G and move it if a move gains more than the tolerance; returns the gain (0
 * when it stays). */
static double refine_visit(rwork_t *W, const rgraph_t *G, gasp_idx_t i)
{
    gasp_idx_t A = W->lab[i], ntouched = 0;
    for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++) {
        gasp_idx_t c = W->lab[G->nbr[p]];
        if (!W->mark[c]) {
            W->mark[c] = 1;
            W->touched[ntouched++] = c;
        }
        W->acc[c] += G->val[p];
    }
    const double g = W->gamma, ai = G->a[i];
    double stay = W->acc[A] - g * ai * (W->ca[A] - ai);
    double tol = REFINE_TOL * (G->absw[i] + g * ai * W->a_total);
    double best_gain = tol;
    gasp_idx_t best = -1;
    for (gasp_idx_t t = 0; t < ntouched; t++) {
        gasp_idx_t c = W->touched[t];
        if (c != A) {
            double gain = W->acc[c] - g * ai * W->ca[c] - stay;
            if (gain > best_gain) {
                best_gain = gain;
                best = c;
            }
        }
    }
    int to_new = 0;
    if (W->cnt[A] > 1 && -stay > best_gain) {
        best_gain = -stay;
        to_new = 1;
    }
    for (gasp_idx_t t = 0; t < ntouched; t++) {
        W->acc[W->touched[t]] = 0.0;
        W->mark[W->touched[t]] = 0;
    }
    if (to_new) {
        best = W->freeid[--W->nfree];  /* one exists: A holds >= 2 of the n nodes */
        W->nclust++;
    }
    if (best < 0)
        return 0.0;
    W->ca[A] -= ai;
    if (--W->cnt[A] == 0) {
        W->freeid[W->nfree++] = A;
        W->nclust--;
    }
    W->lab[i] = best;
    W->ca[best] += ai;
    W->cnt[best]++;
    return best_gain;
}

/* One queue of node moves on G (lab, ca, cnt, freeid current), initially every node in order;
 * a moved node's neighbours join the queue.  *moves counts the moves.  Level 0 (G0 set) calls
 * the progress callback after every n visits.  GASP_OK, GASP_EINTERRUPTED or 1 (stopped by the
 * callback). */
static int refine_drain(rwork_t *W, const rgraph_t *G, int level0, int64_t *moves)
{
    gasp_idx_t n = G->n, head = 0, size = n;
    int64_t visits = 0;
    for (gasp_idx_t i = 0; i < n; i++) {
        W->queue[i] = W->order[i];
        W->inq[i] = 1;
    }
    *moves = 0;
    while (size > 0) {
        gasp_idx_t i = W->queue[head];
        if (rwork_cancelled(W, 1 + (G->off[i + 1] - G->off[i]) / 8))
            return GASP_EINTERRUPTED;
        head = head + 1 == n ? 0 : head + 1;
        size--;
        W->inq[i] = 0;
        double g = refine_visit(W, G, i);
        if (g > 0.0) {
            W->gain += g;
            W->st->n_moves++;
            (*moves)++;
            /* every neighbour's gains changed (with signed weights also those now in the same
             * cluster, whose staying got worse through a negative edge) */
            for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++) {
                gasp_idx_t j = G->nbr[p];
                if (!W->inq[j]) {
                    W->inq[j] = 1;
                    /* head + size may exceed GASP_IDX_MAX when n > GASP_IDX_MAX / 2 */
                    gasp_idx_t tail = size >= n - head ? size - (n - head) : head + size;
                    W->queue[tail] = j;
                    size++;
                }
            }
        }
        if (++visits >= (int64_t)REFINE_MAX_PASSES * n)
            break;  /* pathological rounding only: every move gains */
        if (level0 && ++W->visits % n == 0) {
            const gasp_options_t *o = W->o;
            if (o->progress && o->progress(o->progress_ctx, W->st->n_merges, W->nclust, W->gain))
                return 1;
        }
    }
    return GASP_OK;
}

/* Split every cluster of G into its connected components (through edges inside it); the new
 * ids are the components' union-find roots.  *added: the number of clusters added; adds the
 * split's gain to W->gain.  Uses queue[] as union-find parents (the queue is empty).  GASP_OK,
 * or GASP_EINTERRUPTED (lab unchanged). */
static int refine_split(rwork_t *W, const rgraph_t *G, gasp_idx_t *added)
{
    gasp_idx_t n = G->n, before = W->nclust, after, *parent = W->queue;
    for (gasp_idx_t i = 0; i < n; i++)
        parent[i] = i;
    for (gasp_idx_t i = 0; i < n; i++) {
        if (rwork_cancelled(W, 1 + (G->off[i + 1] - G->off[i]) / 8))
            return GASP_EINTERRUPTED;
        for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++) {
            gasp_idx_t j = G->nbr[p];
            if (j < i && W->lab[j] == W->lab[i]) {
                gasp_idx_t x = i, y = j;
                while (parent[x] != x)
                    x = parent[x] = parent[parent[x]];
                while (parent[y] != y)
                    y = parent[y] = parent[parent[y]];
                if (x != y)
                    parent[x > y ? x : y] = x < y ? x : y;
            }
        }
    }
    double sq_before = 0.0, sq_after = 0.0;
    for (gasp_idx_t c = 0; c < n; c++)
        sq_before += W->ca[c] * W->ca[c];
    for (gasp_idx_t i = 0; i < n; i++) {
        gasp_idx_t x = i;
        while (parent[x] != x)
            x = parent[x];
        W->lab[i] = x;
    }
    rwork_recount(W, G);
    after = W->nclust;
    for (gasp_idx_t c = 0; c < n; c++)
        sq_after += W->ca[c] * W->ca[c];
    if (after > before)
        W->gain += 0.5 * W->gamma * (sq_before - sq_after);
    *added = after - before;
    return GASP_OK;
}

/* Node-move rounds on level 0 from W->lab until a round moves and splits nothing (a local
 * optimum).  GASP_OK, GASP_EINTERRUPTED, GASP_EINTERNAL (debug check) or 1 (stopped). */
static int refine_rounds(rwork_t *W, const rgraph_t *G)
{
    W->shuffle = 0;
    refine_order(W, G->n);
    rwork_recount(W, G);
    for (int64_t round = 0;; round++) {
        int64_t moves;
        int rc = refine_drain(W, G, 1, &moves);
        if (rc != GASP_OK)
            return rc;
#ifdef GASP_DEBUG
        if ((rc = refine_check(W, G)) != GASP_OK)
            return rc;
#endif
        gasp_idx_t split;
        if ((rc = refine_split(W, G, &split)) != GASP_OK)
            return rc;
        /* a round without a move checked every node: a local optimum (a null model's penalty
         * also changes for non-neighbours, so a round with moves is followed by another) */
        if ((moves == 0 && split == 0) || round >= REFINE_MAX_PASSES)
            return GASP_OK;
    }
}

/* The refinement step on G with the clusters lab (canonical, ca / cnt current): sub-cluster
 * labels in rlab (canonical); returns their number.  A node still alone whose link to the rest
 * of its cluster S is at least gamma a_i (a_S - a_i) joins the sub-cluster r of S (linked the
 * same way to the rest of S) of largest gain w(i, r) - gamma a_i a_r > tolerance.  GASP_OK
 * (*kr set) or GASP_EINTERRUPTED. */
static int refine_subclusters(rwork_t *W, const rgraph_t *G, gasp_idx_t *kr)
{
    gasp_idx_t n = G->n;
    const double g = W->gamma;
    for (gasp_idx_t i = 0; i < n; i++) {
        if (rwork_cancelled(W, 1 + (G->off[i + 1] - G->off[i]) / 8))
            return GASP_EINTERRUPTED;
        double ext = 0.0;
        for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++)
            if (W->lab[G->nbr[p]] == W->lab[i])
                ext += G->val[p];
        W->rlab[i] = i;
        W->rext[i] = ext;
        W->ra[i] = G->a[i];
        W->rcnt[i] = 1;
    }
    for (gasp_idx_t q = 0; q < n; q++) {
        gasp_idx_t i = W->order[q], r0 = W->rlab[i], S = W->lab[i], ntouched = 0;
        if (rwork_cancelled(W, 1 + (G->off[i + 1] - G->off[i]) / 8))
            return GASP_EINTERRUPTED;  /* (acc and mark are clear between nodes) */
        if (W->rcnt[r0] != 1)
            continue;
        const double ai = G->a[i], aS = W->ca[S];
        double tol = REFINE_TOL * (G->absw[i] + g * ai * W->a_total);
        if (W->rext[r0] < g * ai * (aS - ai) - tol)
            continue;
        for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++) {
            gasp_idx_t j = G->nbr[p];
            if (W->lab[j] != S)
                continue;
            gasp_idx_t r = W->rlab[j];
            if (!W->mark[r]) {
                W->mark[r] = 1;
                W->touched[ntouched++] = r;
            }
            W->acc[r] += G->val[p];
        }
        double best_gain = tol;
        gasp_idx_t best = -1;
        for (gasp_idx_t t = 0; t < ntouched; t++) {
            gasp_idx_t r = W->touched[t];
            double gain = W->acc[r] - g * ai * W->ra[r];
            if (gain > best_gain && W->rext[r] >= g * W->ra[r] * (aS - W->ra[r]) - tol) {
                best_gain = gain;
                best = r;
            }
        }
        if (best >= 0) {
            W->rext[best] += W->rext[r0] - 2.0 * W->acc[best];
            W->ra[best] += ai;
            W->rcnt[best]++;
            W->rcnt[r0] = 0;
            W->rlab[i] = best;
        }
        for (gasp_idx_t t = 0; t < ntouched; t++) {
            W->acc[W->touched[t]] = 0.0;
            W->mark[W->touched[t]] = 0;
        }
    }
    *kr = relabel(W, W->rlab, n);
    return GASP_OK;
}

/* *value = F (up to a constant of the graph) of the labels lab on G: the weight inside clusters
 * minus gamma/2 sum_C a_C^2.  Uses ca as scratch (recount after).  GASP_OK or
 * GASP_EINTERRUPTED. */
static int refine_objective(rwork_t *W, const rgraph_t *G, const gasp_idx_t *lab, double *value)
{
    gasp_idx_t n = G->n;
    double inside = 0.0, sq = 0.0;
    for (gasp_idx_t i = 0; i < n; i++) {
        if (rwork_cancelled(W, 1 + (G->off[i + 1] - G->off[i]) / 8))
            return GASP_EINTERRUPTED;
        for (gasp_idx_t p = G->off[i]; p < G->off[i + 1]; p++)
            if (lab[G->nbr[p]] == lab[i])
                inside += G->val[p];
    }
    if (W->gamma != 0.0) {
        for (gasp_idx_t c = 0; c < n; c++)
            W->ca[c] = 0.0;
        for (gasp_idx_t i = 0; i < n; i++)
            W->ca[lab[i]] += G->a[i];
        for (gasp_idx_t c = 0; c < n; c++)
            sq += W->ca[c] * W->ca[c];
    }
    *value = 0.5 * inside - 0.5 * W->gamma * sq;
    return GASP_OK;
}

/* One multilevel iteration (steps 1-4 of the file comment) from the level-0 labels W->lab on
 * G0; the result is left in W->lab.  GASP_OK, GASP_ENOMEM, GASP_EINTERRUPTED, GASP_EINTERNAL
 * (debug check after every level's node moves) or 1 (stopped). */
static int refine_iteration(rwork_t *W, const rgraph_t *G0)
{
    int rc = GASP_OK;
    rgraph_t own = {0}, next = {0};
    const rgraph_t *G = G0;
    gasp_idx_t n0 = G0->n;
    for (gasp_idx_t i = 0; i < n0; i++)
        W->map[i] = i;
    for (;;) {
        int64_t moves;
        rwork_recount(W, G);
        refine_order(W, G->n);
        rc = refine_drain(W, G, G == G0, &moves);
        if (rc != GASP_OK)
            goto cleanup;
#ifdef GASP_DEBUG
        if ((rc = refine_check(W, G)) != GASP_OK)
            goto cleanup;
#endif
        gasp_idx_t k = relabel(W, W->lab, G->n);
        if (k == G->n)
            break;
        rwork_recount(W, G);
        gasp_idx_t kr;
        if ((rc = refine_subclusters(W, G, &kr)) != GASP_OK)
            goto cleanup;
        const gasp_idx_t *by = W->rlab;
        if (kr == G->n) {  /* nothing joined: the clusters become the nodes */
            by = W->lab;
            kr = k;
        }
        rc = rgraph_collapse(W, G, by, kr, &next);
        if (rc != GASP_OK)
            goto cleanup;
        for (gasp_idx_t i = 0; i < n0; i++)
            W->map[i] = by[W->map[i]];
        /* the next level's labels: each sub-cluster starts in its cluster (ids < kr) */
        if (by == W->rlab) {
            for (gasp_idx_t i = 0; i < G->n; i++)
                W->rcnt[W->rlab[i]] = W->lab[i];  /* scratch: the cluster of each sub-cluster */
            for (gasp_idx_t r = 0; r < kr; r++)
                W->lab[r] = W->rcnt[r];
        } else {
            for (gasp_idx_t r = 0; r < kr; r++)
                W->lab[r] = r;
        }
        rgraph_free(&own);
        own = next;
        memset(&next, 0, sizeof next);
        G = &own;
    }
    /* unfold: level-0 node i is in the cluster of its level node map[i] */
    if (G != G0) {
        for (gasp_idx_t i = 0; i < n0; i++)
            W->rlab[i] = W->lab[W->map[i]];
        memcpy(W->lab, W->rlab, (size_t)n0 * sizeof *W->lab);
    }
cleanup:
    rgraph_free(&own);
    rgraph_free(&next);
    return rc;
}

/* The multilevel search from W->lab on G0: iterations while they raise F (by more than the
 * tolerance), then node-move rounds; the result in W->lab.  GASP_OK, GASP_ENOMEM,
 * GASP_EINTERRUPTED, GASP_EINTERNAL (debug check) or 1 (stopped: W->lab holds a partition no
 * worse than the start). */
static int refine_search(rwork_t *W, const rgraph_t *G0)
{
    gasp_idx_t n = G0->n;
    double tol = REFINE_TOL * (W->scale + W->gamma * W->a_total * W->a_total);
    double best, value;
    int rc = refine_objective(W, G0, W->lab, &best);
    if (rc != GASP_OK)
        return rc;
    W->rng = 0;
    for (int it = 0; it < REFINE_MAX_ITERATIONS; it++) {
        W->shuffle = it > 0;
        memcpy(W->prev, W->lab, (size_t)n * sizeof *W->lab);
        rc = refine_iteration(W, G0);
        if (rc != GASP_OK) {
            memcpy(W->lab, W->prev, (size_t)n * sizeof *W->lab);
            return rc;
        }
        if ((rc = refine_objective(W, G0, W->lab, &value)) != GASP_OK)
            return rc;
        if (!(value > best + tol)) {
            if (value < best)  /* (rounding only: moves never lower F) */
                memcpy(W->lab, W->prev, (size_t)n * sizeof *W->lab);
            break;
        }
        best = value;
    }
    return refine_rounds(W, G0);
}

/* The canonical labels of W->lab (numbered by first occurrence) into labels. */
static void refine_output(rwork_t *W, gasp_idx_t n, int64_t *labels)
{
    gasp_idx_t k = relabel(W, W->lab, n);
    for (gasp_idx_t i = 0; i < n; i++)
        labels[i] = W->lab[i];
    W->st->n_clusters = k;
}

/* Perturbation steps from the partition in W->lab: each dissolves a fraction of the clusters
 * (drawn from the fixed sequence) into singletons, runs iters iterations, and keeps the result
 * when its F is at least the best one's.  The best partition ends in W->lab. */
static int refine_perturb(rwork_t *W, const rgraph_t *G0, int steps, double frac, int iters)
{
    gasp_idx_t n = G0->n;
    double best, value;
    int rc = refine_objective(W, G0, W->lab, &best);
    if (rc != GASP_OK)
        return rc;
    memcpy(W->keep, W->lab, (size_t)n * sizeof *W->lab);
    for (int step = 0; step < steps; step++) {
        gasp_idx_t k = relabel(W, W->keep, n);
        for (gasp_idx_t c = 0; c < k; c++) {
            W->rcnt[c] = (double)(refine_next(&W->rng) >> 11) * 0x1.0p-53 < frac;
            W->touched[c] = -1;
        }
        for (gasp_idx_t i = 0; i < n; i++) {
            gasp_idx_t c = W->keep[i];
            if (W->touched[c] < 0)
                W->touched[c] = i;
            W->lab[i] = W->rcnt[c] ? i : W->touched[c];
        }
        W->shuffle = 1;
        for (int it = 0; it < iters; it++) {
            rc = refine_iteration(W, G0);
            if (rc != GASP_OK)
                goto done;
        }
        if ((rc = refine_objective(W, G0, W->lab, &value)) != GASP_OK)
            goto done;
        if (value >= best) {
            best = value;
            memcpy(W->keep, W->lab, (size_t)n * sizeof *W->lab);
        }
    }
done:
    memcpy(W->lab, W->keep, (size_t)n * sizeof *W->lab);
    return rc;
}

int gasp_refine_run(gasp_idx_t n, gasp_idx_t m, const int64_t *edges, const double *weights,
                    const double *edge_sizes, const gasp_options_t *o, int64_t *labels,
                    gasp_stats_t *st, int from_singletons)
{
    rwork_t W;
    rgraph_t G0 = {0};
    int rc = rwork_init(&W, n, o, st);
    if (rc != GASP_OK)
        goto cleanup;
    rc = rgraph_from_edges(&G0, n, m, edges, weights, edge_sizes, o->null_weights, W.queue,
                           o->cancel);
    if (rc != GASP_OK)
        goto cleanup;
    for (gasp_idx_t i = 0; i < n; i++) {
        W.a_total += G0.a[i];
        W.scale += G0.absw[i];
        W.lab[i] = (gasp_idx_t)labels[i];
    }
    double f_start, f, f_alt;
    if ((rc = refine_objective(&W, &G0, W.lab, &f_start)) != GASP_OK)
        goto cleanup;
    if (o->refine == GASP_REFINE_MOVES) {
        rc = refine_rounds(&W, &G0);
    } else {
        rc = refine_search(&W, &G0);
        if (rc == GASP_OK && from_singletons && n > 1) {
            /* the same search from singletons; kept only when it is better */
            double tol = REFINE_TOL * (W.scale + W.gamma * W.a_total * W.a_total);
            if ((rc = refine_objective(&W, &G0, W.lab, &f)) != GASP_OK)
                goto cleanup;
            memcpy(W.alt, W.lab, (size_t)n * sizeof *W.alt);
            for (gasp_idx_t i = 0; i < n; i++)
                W.lab[i] = i;
            rc = refine_search(&W, &G0);
            if (rc == GASP_OK && (rc = refine_objective(&W, &G0, W.lab, &f_alt)) != GASP_OK)
                goto cleanup;
            if (rc == 1 || (rc == GASP_OK && !(f_alt > f + tol)))
                memcpy(W.lab, W.alt, (size_t)n * sizeof *W.alt);
        }
        if (rc == GASP_OK && n > 1) {
            rc = refine_perturb(&W, &G0, REFINE_PERTURB_STEPS, REFINE_PERTURB_FRACTION,
                                REFINE_PERTURB_ITERATIONS);
            if (rc == GASP_OK)
                rc = refine_rounds(&W, &G0);
        }
    }
    if (rc == 1) {
        st->stopped = 1;
        rc = GASP_OK;
    }
    if (rc == GASP_OK && (rc = refine_objective(&W, &G0, W.lab, &f)) == GASP_OK) {
        st->refine_gain += f - f_start;
        refine_output(&W, n, labels);
    }
cleanup:
    rgraph_free(&G0);
    rwork_free(&W);
    return rc;
}

static int refine_validate(int64_t n, int64_t m, const int64_t *edges, const double *weights,
                           const double *edge_sizes, const gasp_options_t *o,
                           const int64_t *labels, gasp_stats_t *st)
{
#define FAIL(arg, idx) return gasp_invalid(st, (arg), (idx))
    int rc = gasp_check_sizes(n, m, edges, weights, o, st);
    if (rc != GASP_OK)
        return rc;
    if (n > 0 && !labels)
        FAIL(GASP_ARG_LABELS, -1);
    if (o->progress && o->progress_every < 1)
        FAIL(GASP_ARG_PROGRESS_EVERY, -1);
    if (!(isfinite(o->resolution) && o->resolution >= 0.0))
        FAIL(GASP_ARG_RESOLUTION, -1);
    if (o->refine < GASP_REFINE_NONE || o->refine > GASP_REFINE_MOVES)
        FAIL(GASP_ARG_OPTIONS, -1);
    rc = gasp_check_edges(n, m, edges, weights, edge_sizes, 1, o, st);  /* self-loops ignored */
    if (rc != GASP_OK)
        return rc;
    for (int64_t i = 0; i < n; i++) {
        if (gasp_poll(i, o->cancel))
            return GASP_EINTERRUPTED;
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
                           options, labels, st, 0);
}
