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
 * their value is <= 0, so they could never merge.
 *
 * Re-keying: after a merge only the folded edges get new keys.  Other keys a merge changes (the
 * size regulariser's factor, the null-model term of every edge of the surviving cluster) stay in
 * the heap as stale upper bounds and are re-checked when they reach the top: see "Lazy re-keying"
 * below, with the proof that the result is the same as with exact keys, ties included.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "gasp.h"
#include "control.h"
#include "engine.h"
#include "fastpath.h"
#include "graph.h"
#include "heap.h"
#include "refine.h"
#include "validate.h"
#include "unionfind.h"

#define POLL_INTERVAL 4096

typedef struct {
    gasp_graph_t g;
    gasp_heap_t heap;
    gasp_uf_t uf;
    double *cluster_size;   /* owned; normalised node-size sum per cluster root, or NULL (no
                               regulariser); see init_size_factors */
    double *size_factor;    /* owned; f = cluster_size^-r per root (never growing), or NULL */
    double r;               /* size regulariser */
    int constrained;        /* current phase: 1 = cannot-link pass */
    int any_sign;           /* unconstrained phase merges local edges of any sign (completion) */
    double *null_a;         /* owned; null-model value a per cluster root, or NULL (no null model) */
    double gamma;           /* resolution of the null model */
    int stale_keys;         /* current phase: heap keys may be stale upper bounds (see below) */
    int range_error;        /* a size factor or the priority of a popped edge left the normal
                               double range (see "Size factors" and pop_best) */
    const volatile int32_t *cancel;  /* options->cancel (may be NULL) */
    int interrupted;        /* cancel was seen during a scan of a cluster's edges */
    int64_t visits;         /* edges visited by such scans (polls cancel every 2^16) */
    gasp_stats_t *st;       /* the caller's statistics (never NULL inside the engine) */
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

/* The priority of edge e in the current state. */
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
    E->st->n_rekeys++;
    if (is_candidate(E, e))
        gasp_heap_set(&E->heap, e, priority(E, e));
    else
        gasp_heap_remove(&E->heap, e);
}

/* Null model: cluster l absorbed cluster s. */
static inline void null_model_merge(engine_t *E, gasp_idx_t l, gasp_idx_t s)
{
    if (E->null_a)
        E->null_a[l] += E->null_a[s];
}

/* Fill the heap with the candidates of the current phase, O(m), polling cancel.  The heap gets
 * room for the candidates only (plus a little), not for every edge: in the unconstrained phase
 * negative and lifted edges never enter it unless a fold makes them candidates.  Every key is
 * exact. */
static int fill_heap(engine_t *E)
{
    gasp_idx_t count = 0;
    for (gasp_idx_t e = 0; e < E->g.m; e++) {
        if (gasp_poll(e, E->cancel))
            return GASP_EINTERRUPTED;
        count += gasp_graph_alive(&E->g, e) && is_candidate(E, e);
    }
    gasp_heap_clear(&E->heap);
    if (gasp_heap_reserve(&E->heap, count + count / 8 + 16 < E->g.m ? count + count / 8 + 16
                                                                    : E->g.m) != GASP_OK)
        return GASP_ENOMEM;
    for (gasp_idx_t e = 0; e < E->g.m; e++) {
        if (gasp_poll(e, E->cancel))
            return GASP_EINTERRUPTED;
        if (gasp_graph_alive(&E->g, e) && is_candidate(E, e))
            gasp_heap_append(&E->heap, e, priority(E, e));
    }
    return gasp_heap_build_cancel(&E->heap, E->cancel);
}

/*
 * Size factors -----------------------------------------------------------------------------
 *
 * Range.  The regulariser multiplies a priority by F = (f(Su) + f(Sv)) / 2 with f(S) = S^-r.
 * Node sizes are first multiplied by 2^k, the power of two that puts the smallest node size in
 * [1, 2) (k = 0 for unit sizes: nothing changes).  Scaling by a power of two is exact, so node
 * sizes multiplied by any power of two give bit-identical normalised sizes and the same result;
 * any other constant c changes every factor by the same c^-r up to rounding.  After the scaling
 * every cluster size is >= 1, so every f <= 1 and F <= 1: a priority never overflows.  A factor
 * that would leave the normal range (a cluster size that overflows, or S^r above ~1e308) sets
 * range_error instead of silently becoming 0 (which would turn priorities into ties).
 *
 * Monotonicity.  f of a merged cluster is min(pow(Sa + Sb, -r), f(a), f(b)): it never grows as a
 * cluster grows, even if the platform's pow were not monotone to the last bit (the minimum then
 * only repairs that last bit).  Lazy re-keying relies on this.
 */
static int init_size_factors(engine_t *E, const double *node_sizes)
{
    const gasp_idx_t n = E->g.n;
    int shift = 0;
    if (node_sizes && n > 0) {
        double lo = node_sizes[0];
        for (gasp_idx_t i = 1; i < n; i++)
            lo = node_sizes[i] < lo ? node_sizes[i] : lo;
        int e;
        (void)frexp(lo, &e);  /* lo = f 2^e, f in [0.5, 1) */
        shift = 1 - e;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        if (gasp_poll_random(i, E->cancel))  /* pow() costs tens of ns */
            return GASP_EINTERRUPTED;
        double s = node_sizes ? node_sizes[i] : 1.0;
        E->cluster_size[i] = shift ? ldexp(s, shift) : s;
        E->size_factor[i] = pow(E->cluster_size[i], -E->r);
        if (!isfinite(E->cluster_size[i]) || E->size_factor[i] < DBL_MIN)
            E->range_error = 1;
    }
    return E->range_error ? GASP_ENUMERIC : GASP_OK;
}

/* Cluster s was merged into l: l's size and factor. */
static void update_size_factor(engine_t *E, gasp_idx_t l, gasp_idx_t s)
{
    double size = E->cluster_size[l] + E->cluster_size[s];
    double f = pow(size, -E->r);
    if (f > E->size_factor[l])
        f = E->size_factor[l];
    if (f > E->size_factor[s])
        f = E->size_factor[s];
    E->cluster_size[l] = size;
    E->size_factor[l] = f;
    if (!isfinite(size) || f < DBL_MIN)
        E->range_error = 1;
}

/*
 * Lazy re-keying ---------------------------------------------------------------------------
 *
 * A merge of cluster s into l may change the priority of edges it does not fold: with the size
 * regulariser, every edge at l gets a smaller factor.  Recomputing them all costs the degree of l
 * per merge, quadratic on a star.  Instead a phase may declare its heap keys *stale upper
 * bounds* (stale_keys): for every edge e in the heap, key(e) >= prio(e), where prio(e) is
 * priority() in the current state.  pop_best() re-checks the top entry before using it:
 *
 *   let (k, e) be the top entry and p = prio(e) <= k.  If p == k the entry is exact.  Otherwise
 *   e's key becomes p (a sift-down from the root) and the loop looks again: if e is still on top
 *   it is taken, else another entry is on top and is re-checked in turn.
 *
 * Exactness.  Write (a, x) < (b, y) when (a, x) comes first in the heap order: a > b, or a == b
 * and x < y (larger priority first, equal priorities by smaller edge id: the engine's tie rule).
 * When pop_best() returns e, its key is exact, key(e) = prio(e), and (prio(e), e) < (key(x), x)
 * for every other heap entry x (e is at the root).  For each x, key(x) >= prio(x) gives
 * (key(x), x) <= (prio(x), x): the pairs are equal, or the larger key comes first.  Hence
 * (prio(e), e) < (prio(x), x) for every other candidate x: e is the edge that a heap of exact keys
 * would pop, ties included.  Every round that does not return makes one stale key exact and a key
 * only becomes stale again after a merge, so the loop ends (after at most one round per heap
 * entry).
 *
 * Keeping the invariant: after a merge, every edge whose priority may have GROWN gets its exact
 * key (refresh()); edges whose priority can only shrink keep their key.  rekey_after_merge()
 * decides, per priority term:
 *   - folded edges: their value W changed, in either direction: always refreshed;
 *   - size regulariser: for every other edge at l, W is unchanged and the factor F can only
 *     shrink (update_size_factor: f(l) <= f(l before), f(l) <= f(s), and rounded addition and
 *     halving are monotone).  The priority base * F (base = W, or |W| with constraints) then
 *     shrinks or stays when base >= 0, because rounded multiplication by a non-negative number is
 *     monotone.  Every candidate of the GASP phases has base >= 0 (W > 0 unconstrained; |W|
 *     constrained).  In the completion phase (any_sign) a candidate with W < 0 has a priority
 *     W F that GROWS as F shrinks: those edges are refreshed, by a scan of l's edges (the
 *     regularised completion phase keeps the cost of eager re-keying).
 *   - null model: W = val - gamma a_S a_T with a >= 0, and a merge only raises a of the merged
 *     cluster (rounded sums and products of non-negative numbers are monotone), so W only falls
 *     for every other edge at l: no scan.  Combined with the regulariser
 *     the priority W F is a product of two non-increasing factors while W >= 0; once W < 0 (only
 *     a candidate in the completion phase), the scan above refreshes it.  An edge whose W falls
 *     to <= 0 stops being a candidate of the GASP passes: pop_best() drops it when it surfaces
 *     (no edge becomes a candidate without a fold, so none is missing from the heap).
 * Debug builds check the invariant (check_keys) along with the other structures.
 *
 * Cost.  A key is re-checked at most once per merge that made it stale, so the re-checks never
 * outnumber the refreshes of eager re-keying; on a star with distinct weights a merge makes a
 * few re-checks instead of a scan of the hub.  When many stale keys tie at the top (equal weights
 * at a hub), re-checking them one by one (each a sift-down from the root) costs more than one
 * refresh of the hub's edges in place: once the re-checks of one pop reach STALE_BULK_MIN and
 * 1/STALE_BULK_SHARE of the degree of the larger cluster of the top edge, that cluster's edges
 * are all refreshed at once.  Such a refresh is paid for by the re-checks before it, so the total
 * stays within a constant factor of the re-checks.  Refreshed keys are exact, so the invariant
 * and the proof above are unaffected.
 */
#define STALE_BULK_MIN 16
#define STALE_BULK_SHARE 32

/* Visitors of a cluster's edges (gasp_graph_for_each_edge): a hub's scan can be long, so they
 * poll cancel and do nothing more once it is set (the caller then returns GASP_EINTERRUPTED). */
static inline int scan_interrupted(engine_t *E)
{
    if (!E->interrupted && gasp_poll(++E->visits, E->cancel))
        E->interrupted = 1;
    return E->interrupted;
}

static void refresh_visit(void *ctx, gasp_idx_t e)
{
    engine_t *E = ctx;
    if (!scan_interrupted(E))
        refresh(E, e);
}

static void refresh_if_negative(void *ctx, gasp_idx_t e)
{
    engine_t *E = ctx;
    if (!scan_interrupted(E) && edge_value(E, e) < 0.0)
        refresh(E, e);
}

static void rekey_after_merge(engine_t *E, gasp_idx_t l)
{
    for (gasp_idx_t i = 0; i < E->g.n_folds; i++) {
        gasp_heap_remove(&E->heap, E->g.fold_dead[i]);
        refresh(E, E->g.fold_alive[i]);
    }
    if (E->size_factor && E->any_sign)
        gasp_graph_for_each_edge(&E->g, l, refresh_if_negative, E);
}

/* Does the current phase keep stale keys?  (The regulariser and the null model: see above.) */
static int phase_keys_may_be_stale(const engine_t *E)
{
    return E->size_factor != NULL || E->null_a != NULL;
}

/* After `rounds` re-checks in one pop: refresh every edge of the larger cluster of edge e when
 * that is cheaper than going on one key at a time (see "Cost").  Returns 1 when it did. */
static int maybe_refresh_cluster(engine_t *E, gasp_idx_t e, int64_t rounds)
{
    if (rounds < STALE_BULK_MIN)
        return 0;
    gasp_idx_t u = gasp_graph_u(&E->g, e), v = gasp_graph_v(&E->g, e);
    gasp_idx_t c = E->g.deg[u] > E->g.deg[v] ? u : v;
    if (rounds < E->g.deg[c] / STALE_BULK_SHARE)
        return 0;
    gasp_graph_for_each_edge(&E->g, c, refresh_visit, E);
    return 1;
}

/* pop_best() results that are not an edge. */
#define POP_NONE (-1)         /* no candidate left */
#define POP_INTERRUPTED (-2)  /* cancelled while re-checking */
#define POP_BROKEN (-3)       /* a key below its edge's priority: a broken invariant (debug) */

/* Remove and return the best candidate, exactly as with exact keys (see above), or a POP_ code.
 * A stale top entry that is no longer a candidate (the null-model term can make W <= 0 in the
 * GASP passes) is dropped.  Sets range_error when the returned edge's regularised priority is
 * below the normal range although its W is not zero: it would have been chosen by rounding noise
 * (a priority of the normal range is exact to the last bit, so only then is every other
 * candidate known to be below it). */
static gasp_idx_t pop_best(engine_t *E)
{
    gasp_heap_t *h = &E->heap;
    int64_t rounds = 0, since_refresh = 0;
    double k;
    while (E->stale_keys && h->size > 0) {
        gasp_idx_t e = gasp_heap_top(h, &k);
        if (!is_candidate(E, e)) {
            gasp_heap_remove(h, e);
            continue;
        }
        double p = priority(E, e);
        E->st->n_rekeys++;
        if (p == k)
            break;
#ifdef GASP_DEBUG
        if (p > k)
            return POP_BROKEN;
#endif
        if (maybe_refresh_cluster(E, e, ++since_refresh)) {
            if (E->interrupted)
                return POP_INTERRUPTED;
            since_refresh = 0;
            continue;
        }
        gasp_heap_set(h, e, p);
        double top_key;
        if (gasp_heap_top(h, &top_key) == e)
            break;
        if ((++rounds & (POLL_INTERVAL - 1)) == 0 && gasp_cancelled(E->cancel))
            return POP_INTERRUPTED;
    }
    if (h->size == 0)
        return POP_NONE;
    gasp_idx_t top = gasp_heap_top(h, &k);
    if (E->size_factor && fabs(k) < DBL_MIN && edge_value(E, top) != 0.0)
        E->range_error = 1;
    return gasp_heap_pop(h);
}

/* Debug builds: every heap key is the exact priority, or (stale_keys) an upper bound of it. */
static int check_key(const engine_t *E, const gasp_heap_entry_t *x)
{
    double p = priority(E, x->id);
    return (E->stale_keys ? p <= x->key : p == x->key) ? GASP_OK : GASP_EINTERNAL;
}

static int check_keys(const engine_t *E)
{
    const gasp_heap_t *h = &E->heap;
    for (gasp_idx_t j = h->run_head; j < h->run_len; j++)
        if (h->run[j].id >= 0 && check_key(E, &h->run[j]) != GASP_OK)
            return GASP_EINTERNAL;
    for (gasp_idx_t i = 0; i < h->hsize; i++)
        if (check_key(E, &h->at[i]) != GASP_OK)
            return GASP_EINTERNAL;
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
        rc = check_keys(E);
    if (rc == GASP_OK)
        rc = gasp_graph_check(&E->g);
    if (rc == GASP_OK)
        rc = gasp_uf_check(&E->uf);
    return rc;
}

#define FAIL(arg, idx) return gasp_invalid(st, (arg), (idx))

void gasp_stats_reset(gasp_stats_t *st)
{
    st->n_merges = st->n_clusters = st->n_pops = st->n_moved = st->n_folds = 0;
    st->stopped = 0;
    st->n_merges_gasp = 0;
    st->err_arg = GASP_ARG_NONE;
    st->err_index = -1;
    st->n_moves = 0;
    st->refine_gain = 0.0;
    st->n_rekeys = 0;
    gasp_set_phase(st, GASP_PHASE_VALIDATE);
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
    if (o->refine < GASP_REFINE_NONE || o->refine > GASP_REFINE_MOVES)
        FAIL(GASP_ARG_OPTIONS, -1);
    /* the refinement's moves change the number of clusters */
    if (o->refine && (o->n_clusters > 0 || o->min_clusters > 0))
        FAIL(GASP_ARG_N_CLUSTERS, -1);
    /* ... and ignore constraints: they would join clusters cannot_link keeps apart */
    if (o->refine && o->cannot_link)
        FAIL(GASP_ARG_OPTIONS, -1);
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
    int rc = gasp_check_sizes(n, m, edges, weights, o, st);
    if (rc != GASP_OK)
        return rc;
    rc = gasp_options_check(o, n, labels, st);
    if (rc != GASP_OK)
        return rc;
    rc = gasp_check_edges(n, m, edges, weights, edge_sizes, 0, o, st);
    if (rc != GASP_OK)
        return rc;
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
    gasp_set_phase(st, GASP_PHASE_HEAP);
    E->stale_keys = 0;  /* fill_heap computes every key exactly */
    int rc = fill_heap(E);
    if (rc != GASP_OK)
        return rc;
    E->stale_keys = phase_keys_may_be_stale(E);
    gasp_set_phase(st, GASP_PHASE_MERGE);
    while (E->heap.size > 0 && *clusters > stop) {
        if (gasp_cancelled(o->cancel))  /* one load per step: cheap next to a heap pop */
            return GASP_EINTERRUPTED;
#ifdef GASP_DEBUG
        if ((st->n_pops & (st->n_pops - 1)) == 0 && check_all(E) != GASP_OK)
            return GASP_EINTERNAL;
#endif
        gasp_idx_t e = pop_best(E);
        if (e == POP_NONE)
            break;  /* stale entries that were no longer candidates: none is left */
        if (e < 0)
            return e == POP_INTERRUPTED ? GASP_EINTERRUPTED : GASP_EINTERNAL;
        if (E->range_error)
            return GASP_ENUMERIC;
        st->n_pops++;
        double w = edge_value(E, e);
        if (!isfinite(w))
            return GASP_ENUMERIC;  /* the null-model term overflowed (a huge resolution) */
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
        if (E->size_factor)
            update_size_factor(E, l, s);
        rekey_after_merge(E, l);
        if (E->interrupted)
            return GASP_EINTERRUPTED;
        if (E->range_error)
            return GASP_ENUMERIC;
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
    if (options->refine && any_lifted(m, is_lifted)) {
        /* the refinement counts every edge alike: it would join clusters through lifted edges */
        st->err_arg = GASP_ARG_OPTIONS;
        return GASP_EINVAL;
    }
    rc = try_fast_paths(n, m, edges, weights, is_lifted, options, labels, merges, heights, st);
    if (rc == GASP_FAST_DECLINED) {
        gasp_graph_t g;
        gasp_set_phase(st, GASP_PHASE_BUILD);
        rc = gasp_graph_init(&g, n, m, edges, weights, edge_sizes, is_lifted, options->linkage,
                             options->linkage_param, options->cancel);
        if (rc != GASP_OK)
            return rc;
        rc = gasp_engine_run(&g, node_sizes, options, labels, merges, heights, st);
    } else {
        st->n_merges_gasp = st->n_merges;
    }
    /* gasp_engine_run has freed the contraction state: the refinement needs O(n + m) of its own */
    if (rc == GASP_OK && options->refine && !st->stopped) {
        gasp_set_phase(st, GASP_PHASE_REFINE);
        rc = gasp_refine_run(n, m, edges, weights, edge_sizes, options, labels, st, 1);
    }
    if (rc == GASP_OK)
        gasp_set_phase(st, GASP_PHASE_DONE);
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
    E.cancel = options->cancel;
    E.st = st;
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
        if ((rc = init_size_factors(&E, node_sizes)) != GASP_OK)
            goto cleanup;
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
    gasp_set_phase(st, GASP_PHASE_LABELS);
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
