/*
 * graph.c -- the contracted graph and the folding of parallel edges; see graph.h for the data
 * structures and their invariants.
 */
#include "graph.h"

#include <stdlib.h>

#include "linkage.h"

/* splitmix64's finaliser over the ordered pair (a < b). */
static inline uint64_t pair_hash(gasp_idx_t a, gasp_idx_t b)
{
    uint64_t x = (uint64_t)a * 0x9E3779B97F4A7C15ull + (uint64_t)b;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static inline uint64_t home_of_pair(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b)
{
    return (a < b ? pair_hash(a, b) : pair_hash(b, a)) & g->mask;
}

static inline uint64_t home_of_edge(const gasp_graph_t *g, gasp_idx_t e)
{
    return home_of_pair(g, g->eu[e], g->ev[e]);
}

/*
 * Find the edge joining clusters a and b.  Returns its id and sets *slot to its slot, or returns
 * -1 and sets *slot to the empty slot where such an edge would be inserted.
 */
static inline gasp_idx_t table_find(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b,
                                    uint64_t *slot)
{
    uint64_t i = home_of_pair(g, a, b);
    for (;;) {
        gasp_idx_t x = g->slots[i];
        if (x < 0) {
            *slot = i;
            return -1;
        }
        gasp_idx_t xu = g->eu[x], xv = g->ev[x];
        if ((xu == a && xv == b) || (xu == b && xv == a)) {
            *slot = i;
            return x;
        }
        i = (i + 1) & g->mask;
    }
}

/* Remove edge e, still keyed by its current endpoints, from the table (backward-shift delete). */
static void table_delete(gasp_graph_t *g, gasp_idx_t e)
{
    uint64_t i = home_of_edge(g, e);
    while (g->slots[i] != e)
        i = (i + 1) & g->mask;
    uint64_t j = i;
    for (;;) {
        j = (j + 1) & g->mask;
        gasp_idx_t x = g->slots[j];
        if (x < 0)
            break;
        uint64_t k = home_of_edge(g, x);
        /* x may move back to hole i unless its home lies cyclically in (i, j]. */
        int stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            g->slots[i] = x;
            i = j;
        }
    }
    g->slots[i] = -1;
}

/* Fold edge y into edge x (x survives).  Values, sizes and flags combine; y dies. */
static inline void fold_into(gasp_graph_t *g, gasp_idx_t x, gasp_idx_t y)
{
    double sx = 1.0, sy = 1.0;
    if (g->esz) {
        sx = g->esz[x];
        sy = g->esz[y];
        g->esz[x] = sx + sy;
    }
    double v = gasp_linkage_fold(g->linkage, g->linkage_param, g->val[x], sx, g->val[y], sy);
    if (v != v)
        g->numeric_error = 1;
    g->val[x] = v;
    g->flags[x] |= g->flags[y] & (GASP_EDGE_LOCAL | GASP_EDGE_CONSTRAINED);
    g->flags[y] |= GASP_EDGE_DEAD;
}

int gasp_graph_init(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                    const double *weights, const double *edge_sizes, const uint8_t *is_lifted,
                    int linkage, double linkage_param)
{
    size_t nn = n > 0 ? (size_t)n : 1, mm = m > 0 ? (size_t)m : 1;
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)mm)
        cap <<= 1;
    g->n = n;
    g->m = m;
    g->linkage = linkage;
    g->linkage_param = linkage_param;
    g->numeric_error = 0;
    g->n_folds = 0;
    g->mask = cap - 1;
    g->eu = malloc(mm * sizeof *g->eu);
    g->ev = malloc(mm * sizeof *g->ev);
    g->val = malloc(mm * sizeof *g->val);
    g->esz = gasp_linkage_uses_sizes(linkage) ? malloc(mm * sizeof *g->esz) : NULL;
    g->flags = malloc(mm);
    g->head = malloc(nn * sizeof *g->head);
    g->next = malloc(2 * mm * sizeof *g->next);
    g->deg = calloc(nn, sizeof *g->deg);
    g->slots = malloc(cap * sizeof *g->slots);
    g->fold_alive = malloc(nn * sizeof *g->fold_alive);
    g->fold_dead = malloc(nn * sizeof *g->fold_dead);
    if (!g->eu || !g->ev || !g->val || (gasp_linkage_uses_sizes(linkage) && !g->esz) ||
        !g->flags || !g->head || !g->next || !g->deg || !g->slots || !g->fold_alive ||
        !g->fold_dead) {
        gasp_graph_destroy(g);
        return GASP_ENOMEM;
    }
    for (gasp_idx_t c = 0; c < n; c++)
        g->head[c] = -1;
    for (uint64_t i = 0; i < cap; i++)
        g->slots[i] = -1;

    for (gasp_idx_t k = 0; k < m; k++) {
        gasp_idx_t a = (gasp_idx_t)edges[2 * (int64_t)k], b = (gasp_idx_t)edges[2 * (int64_t)k + 1];
        double s = edge_sizes ? edge_sizes[k] : 1.0;
        g->eu[k] = a;
        g->ev[k] = b;
        g->val[k] = gasp_linkage_init(linkage, weights[k], s);
        if (g->esz)
            g->esz[k] = s;
        g->flags[k] = (is_lifted && is_lifted[k]) ? 0 : GASP_EDGE_LOCAL;
        g->next[2 * (int64_t)k] = g->next[2 * (int64_t)k + 1] = -1;
        uint64_t slot;
        gasp_idx_t f = table_find(g, a, b, &slot);
        if (f >= 0) {
            fold_into(g, f, k);  /* f < k: the earlier edge absorbs the duplicate */
            continue;
        }
        g->slots[slot] = k;
        g->next[2 * (int64_t)k] = g->head[a];
        g->head[a] = 2 * k;
        g->next[2 * (int64_t)k + 1] = g->head[b];
        g->head[b] = 2 * k + 1;
        g->deg[a]++;
        g->deg[b]++;
    }
    return GASP_OK;
}

void gasp_graph_destroy(gasp_graph_t *g)
{
    free(g->eu);
    free(g->ev);
    free(g->val);
    free(g->esz);
    free(g->flags);
    free(g->head);
    free(g->next);
    free(g->deg);
    free(g->slots);
    free(g->fold_alive);
    free(g->fold_dead);
    g->eu = g->ev = g->head = g->next = g->deg = g->slots = g->fold_alive = g->fold_dead = NULL;
    g->val = g->esz = NULL;
    g->flags = NULL;
}

gasp_idx_t gasp_graph_contract(gasp_graph_t *g, gasp_idx_t e0, gasp_idx_t *dead_cluster)
{
    gasp_idx_t a = g->eu[e0], b = g->ev[e0];
    gasp_idx_t l = a, s = b;
    if (g->deg[b] > g->deg[a]) {
        l = b;
        s = a;
    }
    table_delete(g, e0);
    g->flags[e0] |= GASP_EDGE_DEAD;
    g->deg[l]--;
    g->deg[s]--;

    gasp_idx_t n_folds = 0, first = -1, prev = -1;
    for (gasp_idx_t h = g->head[s], nh; h >= 0; h = nh) {
        nh = g->next[h];
        gasp_idx_t e = h >> 1;
        if (g->flags[e] & GASP_EDGE_DEAD)
            continue;  /* drop the stale half-edge */
        int side = h & 1;
        gasp_idx_t w = side ? g->eu[e] : g->ev[e];
        table_delete(g, e);
        if (side)
            g->ev[e] = l;
        else
            g->eu[e] = l;
        uint64_t slot;
        gasp_idx_t f = table_find(g, l, w, &slot);
        if (f >= 0) {
            g->deg[w]--;
            if (f < e) {
                fold_into(g, f, e);
                g->fold_alive[n_folds] = f;
                g->fold_dead[n_folds++] = e;
                continue;  /* e's half-edge leaves s's list */
            }
            fold_into(g, e, f);
            g->slots[slot] = e;
            g->fold_alive[n_folds] = e;
            g->fold_dead[n_folds++] = f;
        } else {
            g->slots[slot] = e;
        }
        if (prev < 0)
            first = h;
        else
            g->next[prev] = h;
        prev = h;
    }
    if (prev >= 0) {
        g->next[prev] = g->head[l];
        g->head[l] = first;
    }
    g->head[s] = -1;
    g->deg[l] = g->deg[l] + g->deg[s] - n_folds;
    g->deg[s] = 0;
    g->n_folds = n_folds;
    *dead_cluster = s;
    return l;
}

void gasp_graph_for_each_edge(gasp_graph_t *g, gasp_idx_t c,
                              void (*visit)(void *ctx, gasp_idx_t e), void *ctx)
{
    gasp_idx_t prev = -1;
    for (gasp_idx_t h = g->head[c]; h >= 0; h = g->next[h]) {
        gasp_idx_t e = h >> 1;
        if (g->flags[e] & GASP_EDGE_DEAD) {
            if (prev < 0)
                g->head[c] = g->next[h];
            else
                g->next[prev] = g->next[h];
            continue;
        }
        prev = h;
        visit(ctx, e);
    }
}

int gasp_graph_check(const gasp_graph_t *g)
{
    int rc = GASP_EINTERNAL;
    gasp_idx_t *count = calloc(g->n > 0 ? (size_t)g->n : 1, sizeof *count);
    uint8_t *seen = calloc(g->m > 0 ? 2 * (size_t)g->m : 1, 1);
    if (!count || !seen) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    int64_t alive = 0, occupied = 0;
    for (gasp_idx_t e = 0; e < g->m; e++) {
        if (g->flags[e] & GASP_EDGE_DEAD)
            continue;
        gasp_idx_t u = g->eu[e], v = g->ev[e];
        if (u < 0 || v < 0 || u >= g->n || v >= g->n || u == v)
            goto cleanup;
        uint64_t slot;
        if (table_find(g, u, v, &slot) != e)
            goto cleanup;  /* missing, or a second alive edge on the same pair */
        count[u]++;
        count[v]++;
        alive++;
    }
    for (uint64_t i = 0; i <= g->mask; i++) {
        gasp_idx_t x = g->slots[i];
        if (x < 0)
            continue;
        if (x >= g->m || (g->flags[x] & GASP_EDGE_DEAD))
            goto cleanup;
        occupied++;
    }
    if (occupied != alive)
        goto cleanup;
    for (gasp_idx_t c = 0; c < g->n; c++) {
        if (count[c] != g->deg[c])
            goto cleanup;
        int64_t steps = 0;
        for (gasp_idx_t h = g->head[c]; h >= 0; h = g->next[h]) {
            gasp_idx_t e = h >> 1;
            if (h >= 2 * g->m || ++steps > 2 * (int64_t)g->m || seen[h])
                goto cleanup;
            seen[h] = 1;
            if (!(g->flags[e] & GASP_EDGE_DEAD) && ((h & 1) ? g->ev[e] : g->eu[e]) != c)
                goto cleanup;
        }
    }
    for (gasp_idx_t e = 0; e < g->m; e++)
        if (!(g->flags[e] & GASP_EDGE_DEAD) && (!seen[2 * (int64_t)e] || !seen[2 * (int64_t)e + 1]))
            goto cleanup;
    rc = GASP_OK;
cleanup:
    free(count);
    free(seen);
    return rc;
}
