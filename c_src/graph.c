/*
 * graph.c -- the contracted graph and the folding of parallel edges; see graph.h for the data
 * structures and their invariants.
 */
#include "graph.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "control.h"
#include "linkage.h"

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* Entries per chunk of the contraction loop (see merge_apart). */
#define CHUNK 32

/* splitmix64's finaliser over the ordered pair (a < b), reduced to a fingerprint. */
static inline gasp_fp_t pair_fp(gasp_idx_t a, gasp_idx_t b)
{
    if (a > b) {
        gasp_idx_t t = a;
        a = b;
        b = t;
    }
    uint64_t x = (uint64_t)a * 0x9E3779B97F4A7C15ull + (uint64_t)b;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return (gasp_fp_t)(x >> (64 - 8 * sizeof(gasp_fp_t)));
}

/* Home slot of fingerprint f in a table of `cap` slots (Lemire's multiply-shift range map: the
 * high bits of f choose the slot, so any table size works, not only powers of two). */
static inline uint64_t home_slot(gasp_fp_t f, uint64_t cap)
{
#ifdef GASP_IDX64
#if defined(__SIZEOF_INT128__)
    return (uint64_t)(((unsigned __int128)f * cap) >> 64);
#else
    return f % cap;
#endif
#else
    return ((uint64_t)f * cap) >> 32;
#endif
}

static inline uint64_t next_slot(uint64_t i, uint64_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

/*
 * Find the edge joining clusters a and b.  Returns its id and sets *slot to its slot, or returns
 * -1 and sets *slot to the empty slot where such an edge would be inserted; *fp gets the pair's
 * fingerprint either way.
 */
static inline gasp_idx_t table_find_fp(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b,
                                       gasp_fp_t f, uint64_t *slot)
{
    uint64_t i = home_slot(f, g->cap);
    for (;;) {
        const gasp_slot_t sl = g->slots[i];
        if (sl.e < 0) {
            *slot = i;
            return -1;
        }
        if (sl.fp == f) {
            gasp_idx_t xu = g->ends[2 * (int64_t)sl.e], xv = g->ends[2 * (int64_t)sl.e + 1];
            if ((xu == a && xv == b) || (xu == b && xv == a)) {
                *slot = i;
                return sl.e;
            }
        }
        i = next_slot(i, g->cap);
    }
}

static inline gasp_idx_t table_find(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b,
                                    uint64_t *slot, gasp_fp_t *fp)
{
    *fp = pair_fp(a, b);
    return table_find_fp(g, a, b, *fp, slot);
}

/* Remove edge e, whose pair has fingerprint f, from the table (backward-shift delete). */
static void table_delete_fp(gasp_graph_t *g, gasp_idx_t e, gasp_fp_t f)
{
    const uint64_t cap = g->cap;
    uint64_t i = home_slot(f, cap);
    while (g->slots[i].e != e)
        i = next_slot(i, cap);
    uint64_t j = i;
    for (;;) {
        j = next_slot(j, cap);
        const gasp_slot_t x = g->slots[j];
        if (x.e < 0)
            break;
        uint64_t k = home_slot(x.fp, cap);
        /* x may move back to hole i unless its home lies cyclically in (i, j]. */
        int stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            g->slots[i] = x;
            i = j;
        }
    }
    g->slots[i].e = -1;
    g->n_hashed--;
}

/* Put edge e with pair fingerprint fp into empty slot `slot` (found by table_find_fp). */
static inline void table_put(gasp_graph_t *g, uint64_t slot, gasp_fp_t fp, gasp_idx_t e)
{
    g->slots[slot].fp = fp;
    g->slots[slot].e = e;
    g->n_hashed++;
}

/* Non-zero when the edge joining clusters u and v belongs in the table (one end is big). */
static inline int hashed(const gasp_graph_t *g, gasp_idx_t u, gasp_idx_t v)
{
    return g->big[u] | g->big[v];
}

/* Remove edge e, still keyed by its current endpoints, from the table. */
static void table_delete(gasp_graph_t *g, gasp_idx_t e)
{
    table_delete_fp(g, e, pair_fp(g->ends[2 * (int64_t)e], g->ends[2 * (int64_t)e + 1]));
}

/* Fold edge y into edge x (x survives).  Values, sizes and flags combine; y dies. */
static inline void fold_into(gasp_graph_t *g, gasp_idx_t x, gasp_idx_t y)
{
    double sx = 1.0, sy = 1.0;
    if (g->esz) {
        sx = g->esz[x];
        sy = g->esz[y];
        g->esz[x] = sx + sy;
    } else if (g->ecount) {
        sx = (double)g->ecount[x];  /* exact: counts stay below 2^32 */
        sy = (double)g->ecount[y];
        g->ecount[x] += g->ecount[y];
    }
    double v = gasp_linkage_fold(g->linkage, g->linkage_param, g->val[x], sx, g->val[y], sy);
    if (!isfinite(v))
        g->numeric_error = 1;
    g->val[x] = v;
    g->flags[x] |= g->flags[y] & (GASP_EDGE_LOCAL | GASP_EDGE_CONSTRAINED);
    g->flags[y] |= GASP_EDGE_DEAD;
    g->ends[2 * (int64_t)y] = g->ends[2 * (int64_t)y + 1] = -1;
    g->total_folds++;
    g->n_alive--;
}

/*
 * Rebuild the table with fresh_cap slots (a power of two above the alive edges).  Slots keep
 * their fingerprints, so rehashing never reads the edge records.  Returns GASP_ENOMEM, keeping
 * the old table, when the new one cannot be allocated, and GASP_EINTERRUPTED, keeping it too,
 * when g->cancel is set meanwhile (a rehash of a large table is one long step).
 */
static int table_resize(gasp_graph_t *g, uint64_t fresh_cap)
{
    uint64_t cap = g->cap;
    gasp_slot_t *fresh = gasp_alloc(fresh_cap * sizeof *fresh);
    if (!fresh)
        return GASP_ENOMEM;
    for (uint64_t i = 0; i < fresh_cap; i++) {
        fresh[i].fp = 0;
        fresh[i].e = -1;
    }
    for (uint64_t i = 0; i < cap; i++) {
        if (gasp_poll_random((int64_t)i, g->cancel)) {
            free(fresh);  /* the old table stays, intact */
            return GASP_EINTERRUPTED;
        }
        gasp_slot_t x = g->slots[i];
        if (x.e < 0)
            continue;
        uint64_t j = home_slot(x.fp, fresh_cap);
        while (fresh[j].e >= 0)
            j = next_slot(j, fresh_cap);
        fresh[j] = x;
    }
    free(g->slots);
    g->slots = fresh;
    g->cap = fresh_cap;
    return GASP_OK;
}

/* Shrink the table to a quarter when alive edges fill less than 1/16 of it, so the late phase
 * of a run (few clusters, few edges) works in cache.  A failed allocation keeps the old table. */
static void table_maybe_shrink(gasp_graph_t *g)
{
    uint64_t cap = g->cap;
    if (cap > 4096 && (uint64_t)g->n_hashed * 16 < cap)
        (void)table_resize(g, cap / 4);
}

/* Make room for `extra` more edges in the table at a load of at most 2/3.  A contraction cannot
 * stop half-way, so the rehash does not poll for cancellation here.  Returns GASP_ENOMEM, the
 * old table kept, when the new one cannot be allocated. */
static int table_reserve(gasp_graph_t *g, int64_t extra)
{
    uint64_t need = (uint64_t)(g->n_hashed + extra);
    if (need * 3 <= 2 * g->cap)
        return GASP_OK;
    uint64_t fresh_cap = 2 * g->cap;
    if (fresh_cap < need + need / 2 + 16)
        fresh_cap = need + need / 2 + 16;
    const volatile int32_t *cancel = g->cancel;
    g->cancel = NULL;
    int rc = table_resize(g, fresh_cap);
    g->cancel = cancel;
    return rc;
}

/*
 * Edge sizes enter the size-weighted linkages (average, generalized_mean, smooth_max) through
 * sums and ratios only, so they are stored multiplied by 2^k, the power of two that puts the
 * largest edge size in [1, 2) (k = 0, nothing changes, when it already lies there: unit sizes).
 * Scaling by a power of two is exact and commutes with rounded +, *, / (barring underflow and
 * overflow), so every folded value is bit-for-bit what the unscaled sizes give whenever those stay
 * in range; and the sum of all sizes now stays below 2m, so it cannot overflow to inf (which made
 * averages 0 or NaN).  Sizes below 2^-1022 of the largest lose precision or become 0: their
 * contribution is below the rounding of the others (two folded zero sizes give NaN, reported as
 * GASP_ENUMERIC).  Returns k.
 */
static int edge_size_shift(const double *edge_sizes, gasp_idx_t m)
{
    if (!edge_sizes || m == 0)
        return 0;
    double hi = edge_sizes[0];
    for (gasp_idx_t k = 1; k < m; k++)
        hi = edge_sizes[k] > hi ? edge_sizes[k] : hi;
    int e;
    (void)frexp(hi, &e);  /* hi = f 2^e, f in [0.5, 1) */
    return 1 - e;
}

static void *alloc_array(size_t count, size_t size)
{
    return gasp_alloc((count > 0 ? count : 1) * size);
}

/* Put c's block (just placed at the top of the arena) last in the block list. */
static void blocks_append(gasp_graph_t *g, gasp_idx_t c)
{
    g->aprev[c] = g->atail;
    g->anext[c] = -1;
    if (g->atail >= 0)
        g->anext[g->atail] = c;
    else
        g->ahead = c;
    g->atail = c;
}

/* Make room for `need` entries in the contraction scratch (moved, fold_alive, fold_dead). */
static int scratch_reserve(gasp_graph_t *g, int64_t need)
{
    if (need <= g->scratch_cap)
        return GASP_OK;
    int64_t cap = 2 * need;
    gasp_idx_t *moved = realloc(g->moved, (size_t)cap * sizeof *moved);
    if (moved)
        g->moved = moved;
    gasp_idx_t *fa = realloc(g->fold_alive, (size_t)cap * sizeof *fa);
    if (fa)
        g->fold_alive = fa;
    gasp_idx_t *fd = realloc(g->fold_dead, (size_t)cap * sizeof *fd);
    if (fd)
        g->fold_dead = fd;
    if (!moved || !fa || !fd)
        return GASP_ENOMEM;
    g->scratch_cap = cap;
    return GASP_OK;
}

/* Take c's block (acap > 0) off the block list. */
static void blocks_unlink(gasp_graph_t *g, gasp_idx_t c)
{
    gasp_idx_t p = g->aprev[c], x = g->anext[c];
    if (p >= 0)
        g->anext[p] = x;
    else
        g->ahead = x;
    if (x >= 0)
        g->aprev[x] = p;
    else
        g->atail = p;
}

int gasp_graph_alloc(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, int linkage,
                     double linkage_param, int unit_sizes)
{
    /* the table starts empty: gasp_graph_finish sizes it for the edges at big clusters, or
     * gasp_graph_add_edge grows it */
    uint64_t cap = 16;
    memset(g, 0, sizeof *g);
    g->n = n;
    g->m = m;
    g->linkage = linkage;
    g->linkage_param = linkage_param;
    g->cap = cap;
    g->ends = alloc_array(2 * (size_t)m, sizeof *g->ends);
    g->val = alloc_array((size_t)m, sizeof *g->val);
    /* sizes: none when the linkage ignores them; counts of input edges (4 bytes) when every
     * input edge has size 1 and the counts cannot overflow; doubles otherwise */
    const int sized = gasp_linkage_uses_sizes(linkage);
    const int counts = sized && unit_sizes && sizeof(gasp_idx_t) == 4;
    g->esz = sized && !counts ? alloc_array((size_t)m, sizeof *g->esz) : NULL;
    g->ecount = counts ? alloc_array((size_t)m, sizeof *g->ecount) : NULL;
    g->flags = alloc_array((size_t)m, 1);
    g->astart = alloc_array((size_t)n, sizeof *g->astart);
    g->alen = calloc(n > 0 ? (size_t)n : 1, sizeof *g->alen);
    g->acap = alloc_array((size_t)n, sizeof *g->acap);
    g->anext = alloc_array((size_t)n, sizeof *g->anext);
    g->aprev = alloc_array((size_t)n, sizeof *g->aprev);
    g->deg = calloc(n > 0 ? (size_t)n : 1, sizeof *g->deg);
    g->big = calloc(n > 0 ? (size_t)n : 1, 1);
    g->mark = alloc_array((size_t)n, sizeof *g->mark);
    g->big_threshold = GASP_GRAPH_BIG;
    g->slots = alloc_array(cap, sizeof *g->slots);
    if (!g->ends || !g->val || (sized && !g->esz && !g->ecount) || !g->flags ||
        !g->astart || !g->alen || !g->acap || !g->anext || !g->aprev || !g->deg || !g->slots ||
        !g->big || !g->mark || scratch_reserve(g, 64) != GASP_OK) {
        gasp_graph_destroy(g);
        return GASP_ENOMEM;
    }
    for (uint64_t i = 0; i < cap; i++) {
        g->slots[i].fp = 0;
        g->slots[i].e = -1;
    }
    for (gasp_idx_t c = 0; c < n; c++)
        g->mark[c] = -1;
    return GASP_OK;
}

void gasp_graph_put_edges(gasp_graph_t *g, gasp_idx_t k0, gasp_idx_t count, const gasp_idx_t *a,
                          const gasp_idx_t *b, const double *w, const double *s,
                          const uint8_t *lifted)
{
    const int linkage = g->linkage;
    assert(!(g->ecount && s));  /* counts are sizes only when every size is 1 */
    for (gasp_idx_t i = 0; i < count; i++) {
        const gasp_idx_t k = k0 + i, u = a[i], v = b[i];
        const double size = s ? s[i] : 1.0;
        g->ends[2 * (int64_t)k] = u;
        g->ends[2 * (int64_t)k + 1] = v;
        g->val[k] = gasp_linkage_init(linkage, w[i], size);
        if (!isfinite(g->val[k]))
            g->numeric_error = 1;  /* sum: s * w overflowed */
        if (g->esz)
            g->esz[k] = g->size_shift ? ldexp(size, g->size_shift) : size;
        else if (g->ecount)
            g->ecount[k] = 1;
        g->flags[k] = (lifted && lifted[i]) ? 0 : GASP_EDGE_LOCAL;
        g->n_alive++;  /* a duplicate dies again in fold_into */
        g->deg[u]++;
        g->deg[v]++;
    }
}

/*
 * Fold the duplicate pairs, in id order as if each edge had been added after the earlier ones:
 * each pair {u, v} (u < v) is handled in u's block, which lists u's edges by increasing id;
 * mark[v] holds the pair's surviving edge while owner[v] == u.  The dead edges' half-edges stay
 * in the blocks as stale entries.  Returns GASP_ENOMEM or GASP_EINTERRUPTED, else GASP_OK.
 */
static int fold_duplicates(gasp_graph_t *g)
{
    const gasp_idx_t n = g->n;
    gasp_idx_t *owner = alloc_array((size_t)n, sizeof *owner);
    if (!owner)
        return GASP_ENOMEM;
    for (gasp_idx_t c = 0; c < n; c++)
        owner[c] = -1;
    gasp_idx_t *const ends = g->ends, *const mark = g->mark;
    for (gasp_idx_t u = 0; u < n; u++) {
        if (gasp_poll(u, g->cancel)) {
            free(owner);
            return GASP_EINTERRUPTED;
        }
        const gasp_idx_t *block = g->arena + g->astart[u];
        const gasp_idx_t len = g->alen[u];
        for (gasp_idx_t j = 0; j < len; j++)
            PREFETCH(&ends[block[j] & ~(gasp_idx_t)1]);
        for (gasp_idx_t j = 0; j < len; j++) {
            const gasp_idx_t h = block[j], k = h >> 1, v = ends[h ^ 1];
            if (v < u)
                continue;  /* handled in v's block */
            if (owner[v] != u) {
                owner[v] = u;
                mark[v] = k;
                continue;
            }
            /* f < k; k's id survives only when it carries the value of a selection linkage */
            const gasp_idx_t f = mark[v];
            if (gasp_linkage_second_survives(g->linkage, g->val[f], g->val[k])) {
                fold_into(g, k, f);
                mark[v] = k;
            } else {
                fold_into(g, f, k);
            }
            g->deg[u]--;
            g->deg[v]--;
        }
    }
    free(owner);
    return GASP_OK;
}

/*
 * Build the table of the edges at a big cluster from the edge records, sized for them.
 */
static int table_build(gasp_graph_t *g)
{
    const gasp_idx_t m = g->m;
    int64_t keep = 0;
    for (gasp_idx_t k = 0; k < m; k++) {
        gasp_idx_t u = g->ends[2 * (int64_t)k], v = g->ends[2 * (int64_t)k + 1];
        keep += u >= 0 && hashed(g, u, v);
    }
    uint64_t cap = (uint64_t)keep + (uint64_t)keep / 2 + 16;
    free(g->slots);
    g->slots = alloc_array(cap, sizeof *g->slots);
    g->cap = cap;
    g->n_hashed = 0;
    if (!g->slots)
        return GASP_ENOMEM;
    for (uint64_t i = 0; i < cap; i++) {
        g->slots[i].fp = 0;
        g->slots[i].e = -1;
    }
    if (keep == 0)
        return GASP_OK;
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll(k, g->cancel))
            return GASP_EINTERRUPTED;
        gasp_idx_t u = g->ends[2 * (int64_t)k], v = g->ends[2 * (int64_t)k + 1];
        if (u < 0 || !hashed(g, u, v))
            continue;
        gasp_fp_t fp = pair_fp(u, v);
        uint64_t j = home_slot(fp, cap);
        while (g->slots[j].e >= 0)
            j = next_slot(j, cap);
        table_put(g, j, fp, k);
    }
    return GASP_OK;
}

int gasp_graph_finish(gasp_graph_t *g)
{
    const gasp_idx_t n = g->n, m = g->m;
    int64_t entries = 0;
    for (gasp_idx_t c = 0; c < n; c++)
        entries += g->deg[c];
    /* one tight adjacency block per node, in edge order; an eighth of the arena stays free for
     * blocks that grow */
    g->arena_cap = entries + entries / 8 + 16;
    g->arena = alloc_array((size_t)g->arena_cap, sizeof *g->arena);
    if (!g->arena)
        return GASP_ENOMEM;
    int64_t top = 0;
    g->ahead = g->atail = -1;
    for (gasp_idx_t c = 0; c < n; c++) {
        g->astart[c] = top;
        g->acap[c] = g->deg[c];
        top += g->deg[c];
        if (g->acap[c] > 0)
            blocks_append(g, c);
    }
    g->arena_top = top;
    for (gasp_idx_t k = 0; k < m; k++) {
        if (gasp_poll(k, g->cancel))
            return GASP_EINTERRUPTED;
        if (g->flags[k] & GASP_EDGE_DEAD)
            continue;
        gasp_idx_t a = g->ends[2 * (int64_t)k], b = g->ends[2 * (int64_t)k + 1];
        g->arena[g->astart[a] + g->alen[a]++] = 2 * k;
        g->arena[g->astart[b] + g->alen[b]++] = 2 * k + 1;
    }
    int rc;
    if (!g->distinct_pairs && (rc = fold_duplicates(g)) != GASP_OK)
        return rc;
    for (gasp_idx_t c = 0; c < n; c++)
        g->big[c] = g->deg[c] > g->big_threshold;
    return table_build(g);
}

int gasp_graph_init(gasp_graph_t *g, gasp_idx_t n, gasp_idx_t m, const int64_t *edges,
                    const double *weights, const double *edge_sizes, const uint8_t *is_lifted,
                    int linkage, double linkage_param, const volatile int32_t *cancel)
{
    int rc = gasp_graph_alloc(g, n, m, linkage, linkage_param, edge_sizes == NULL);
    if (rc != GASP_OK)
        return rc;
    g->cancel = cancel;
    if (g->esz)
        g->size_shift = edge_size_shift(edge_sizes, m);
    if (!edges) {
        /* every id starts dead, to be added with gasp_graph_add_edge */
        for (gasp_idx_t k = 0; k < m; k++) {
            g->ends[2 * (int64_t)k] = g->ends[2 * (int64_t)k + 1] = -1;
            g->flags[k] = GASP_EDGE_DEAD;
        }
        for (gasp_idx_t c = 0; c < n; c++) {
            g->astart[c] = 0;
            g->acap[c] = 0;
            g->big[c] = 1;  /* edges come and go one at a time: all of them are hashed */
        }
        g->arena_cap = 2 * (int64_t)m + 16;
        g->arena = alloc_array((size_t)g->arena_cap, sizeof *g->arena);
        g->ahead = g->atail = -1;
        if (!g->arena) {
            gasp_graph_destroy(g);
            return GASP_ENOMEM;
        }
        return GASP_OK;
    }
    gasp_idx_t a[GASP_GRAPH_CHUNK], b[GASP_GRAPH_CHUNK];
    for (gasp_idx_t k = 0; k < m; k += GASP_GRAPH_CHUNK) {
        if (gasp_poll_random(k, cancel)) {  /* k steps by GASP_GRAPH_CHUNK, which divides 4096 */
            gasp_graph_destroy(g);
            return GASP_EINTERRUPTED;
        }
        gasp_idx_t count = m - k < GASP_GRAPH_CHUNK ? m - k : GASP_GRAPH_CHUNK;
        for (gasp_idx_t i = 0; i < count; i++) {
            a[i] = (gasp_idx_t)edges[2 * ((int64_t)k + i)];
            b[i] = (gasp_idx_t)edges[2 * ((int64_t)k + i) + 1];
        }
        gasp_graph_put_edges(g, k, count, a, b, weights + k, edge_sizes ? edge_sizes + k : NULL,
                             is_lifted ? is_lifted + k : NULL);
    }
    if ((rc = gasp_graph_finish(g)) != GASP_OK) {
        gasp_graph_destroy(g);
        return rc;
    }
    return GASP_OK;
}

void gasp_graph_destroy(gasp_graph_t *g)
{
    free(g->ends);
    free(g->val);
    free(g->esz);
    free(g->ecount);
    free(g->flags);
    free(g->arena);
    free(g->astart);
    free(g->alen);
    free(g->acap);
    free(g->anext);
    free(g->aprev);
    free(g->deg);
    free(g->big);
    free(g->mark);
    free(g->slots);
    free(g->moved);
    free(g->fold_alive);
    free(g->fold_dead);
    memset(g, 0, sizeof *g);
}

/*
 * Compact the arena in place: slide every live block down in address order (the block list),
 * keeping its capacity (so pending reservations survive), then move c's block to the top with
 * `reserve` entries of room, growing the arena (realloc, by a quarter) when less than an eighth
 * would stay free.  Blocks of absorbed clusters (acap == 0, off the list) are the garbage reclaimed, and so
 * are the stale half-edges of blocks where they outnumber the alive ones (alen - deg > alen / 2;
 * folds leave one in the block of each cluster the dead edge touched), with the room they had;
 * other stale half-edges stay until their block is traversed.  Sliding in place avoids holding
 * two arenas at once, which would be the peak of the run's memory.
 */
static int arena_compact(gasp_graph_t *g, gasp_idx_t c, int64_t reserve)
{
    int64_t top = 0;
    for (gasp_idx_t x = g->ahead; x >= 0; x = g->anext[x]) {
        const gasp_idx_t len = g->alen[x];
        if (x != c && len > 16 && len - g->deg[x] > len / 2) {
            /* more stale half-edges than alive ones (deg counts the alive): drop them and
             * give back the room (a quarter spare, and at least one entry, which an edge
             * being added may have reserved) */
            const gasp_idx_t *from = g->arena + g->astart[x];
            gasp_idx_t kept = 0;
            for (gasp_idx_t k = 0; k < len; k++)
                if (g->ends[from[k]] >= 0)
                    g->arena[top + kept++] = from[k];  /* top <= astart[x]: never overtakes */
            g->alen[x] = kept;
            g->acap[x] = kept + kept / 4 + 1;
        } else {
            memmove(g->arena + top, g->arena + g->astart[x], (size_t)len * sizeof *g->arena);
        }
        g->astart[x] = top;
        top += g->acap[x];
    }
    /* c last, with its reservation (its slid place becomes a gap until the next compaction) */
    int64_t need = top + g->alen[c] + reserve;
    if (8 * need > 7 * g->arena_cap) {
        int64_t cap = need + need / 4;
        gasp_idx_t *grown = realloc(g->arena, (size_t)cap * sizeof *grown);
        if (!grown)
            return GASP_ENOMEM;
        g->arena = grown;
        g->arena_cap = cap;
    }
    memmove(g->arena + top, g->arena + g->astart[c], (size_t)g->alen[c] * sizeof *g->arena);
    if (g->acap[c] > 0)
        blocks_unlink(g, c);
    g->astart[c] = top;
    g->acap[c] = (gasp_idx_t)(g->alen[c] + reserve);
    g->arena_top = top + g->acap[c];
    blocks_append(g, c);
    return GASP_OK;
}

/* Make room for `need` more entries in c's block, moving it to the top of the arena (or
 * compacting the arena) when it is full.  Capacity doubles, so moves cost O(1) amortised. */
static int block_reserve(gasp_graph_t *g, gasp_idx_t c, gasp_idx_t need)
{
    if ((int64_t)g->alen[c] + need <= g->acap[c])
        return GASP_OK;
    int64_t want = 2 * ((int64_t)g->alen[c] + need);
    if (want > 2 * (int64_t)g->m)
        want = 2 * (int64_t)g->m;  /* a live block never holds a half-edge twice */
    if (g->arena_top + want > g->arena_cap)
        return arena_compact(g, c, want - g->alen[c]);
    memcpy(g->arena + g->arena_top, g->arena + g->astart[c], (size_t)g->alen[c] * sizeof *g->arena);
    if (g->acap[c] > 0)
        blocks_unlink(g, c);
    g->astart[c] = g->arena_top;
    g->acap[c] = (gasp_idx_t)want;
    g->arena_top += want;
    blocks_append(g, c);
    return GASP_OK;
}

static gasp_idx_t merge_apart(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b,
                              gasp_idx_t *dead_cluster);

/* Remove alive edge e (it becomes internal to a cluster). */
static void remove_edge(gasp_graph_t *g, gasp_idx_t e)
{
    gasp_idx_t a = g->ends[2 * (int64_t)e], b = g->ends[2 * (int64_t)e + 1];
    if (hashed(g, a, b))
        table_delete(g, e);
    g->flags[e] |= GASP_EDGE_DEAD;
    g->ends[2 * (int64_t)e] = g->ends[2 * (int64_t)e + 1] = -1;
    g->n_alive--;
    g->deg[a]--;
    g->deg[b]--;
}

gasp_idx_t gasp_graph_contract(gasp_graph_t *g, gasp_idx_t e0, gasp_idx_t *dead_cluster)
{
    gasp_idx_t a = g->ends[2 * (int64_t)e0], b = g->ends[2 * (int64_t)e0 + 1];
    remove_edge(g, e0);
    return merge_apart(g, a, b, dead_cluster);
}

/* The alive edge joining clusters a and b, or -1: from the table when one of them is big, else
 * from the shorter of their blocks (at most about big_threshold alive entries). */
static gasp_idx_t find_edge(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b)
{
    if (hashed(g, a, b)) {
        uint64_t slot;
        gasp_fp_t fp;
        return table_find(g, a, b, &slot, &fp);
    }
    gasp_idx_t c = g->alen[a] <= g->alen[b] ? a : b, o = c == a ? b : a;
    const gasp_idx_t *block = g->arena + g->astart[c];
    for (gasp_idx_t k = 0; k < g->alen[c]; k++) {
        gasp_idx_t h = block[k];
        if (g->ends[h] >= 0 && g->ends[h ^ 1] == o)
            return h >> 1;
    }
    return -1;
}

gasp_idx_t gasp_graph_merge(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b, gasp_idx_t *dead_cluster)
{
    gasp_idx_t e = find_edge(g, a, b);
    if (e >= 0)
        remove_edge(g, e);
    return merge_apart(g, a, b, dead_cluster);
}

/* Which edge survives when alive edges f and e, joining the same pair, fold (linkage.h): 1 for f. */
static inline int fold_keeps_first(const gasp_graph_t *g, gasp_idx_t f, gasp_idx_t e)
{
    return f < e ? !gasp_linkage_second_survives(g->linkage, g->val[f], g->val[e])
                 : gasp_linkage_second_survives(g->linkage, g->val[e], g->val[f]);
}

/* Fold edge dead into edge alive and list the fold for the caller (fold_alive / fold_dead). */
static inline void fold_listed(gasp_graph_t *g, gasp_idx_t alive, gasp_idx_t dead,
                               gasp_idx_t *n_folds)
{
    fold_into(g, alive, dead);
    g->fold_alive[*n_folds] = alive;
    g->fold_dead[(*n_folds)++] = dead;
}

/*
 * Re-attach s's alive half-edges to l (big: every edge at l is in the table), folding parallel
 * edges found through the table.  Fills moved / fold_alive / fold_dead; returns the moves.
 */
static gasp_idx_t merge_into_big(gasp_graph_t *g, gasp_idx_t l, gasp_idx_t s)
{
    gasp_idx_t *const ends = g->ends;
    const uint8_t *const big = g->big;
    const int s_big = big[s];
    const gasp_idx_t len = g->alen[s];
    const gasp_idx_t *block = g->arena + g->astart[s];
    gasp_idx_t n_folds = 0, n_moved = 0;
    /* Work in chunks of CHUNK entries, in three passes, so that a chunk's cache misses overlap
     * (blocks are short: a few to a few dozen entries, so prefetching a fixed distance ahead
     * within one block would hide little): 1) prefetch the entries' endpoint records; 2) read the
     * far ends, hash the old pair (when it is in the table) and the new one, prefetch their
     * slots; 3) re-key or fold.  An entry's far end w cannot change between passes (only s-side
     * ends move, and an edge killed meanwhile is skipped by its ends check). */
    gasp_fp_t ring_s[CHUNK], ring_l[CHUNK];
    for (gasp_idx_t c0 = 0; c0 < len; c0 += CHUNK) {
        const gasp_idx_t c1 = c0 + CHUNK < len ? c0 + CHUNK : len;
        for (gasp_idx_t k = c0; k < c1; k++)
            PREFETCH(&ends[block[k] & ~(gasp_idx_t)1]);
        for (gasp_idx_t k = c0; k < c1; k++) {
            gasp_idx_t w2 = ends[block[k] ^ 1];
            gasp_fp_t fs = 0, fl = 0;
            if (w2 >= 0) {
                if (s_big | big[w2]) {
                    fs = pair_fp(s, w2);
                    PREFETCH(&g->slots[home_slot(fs, g->cap)]);
                }
                fl = pair_fp(l, w2);
                PREFETCH(&g->slots[home_slot(fl, g->cap)]);
            }
            ring_s[k - c0] = fs;
            ring_l[k - c0] = fl;
        }
        for (gasp_idx_t j = c0; j < c1; j++) {
            gasp_idx_t h = block[j];
            if (ends[h] < 0)
                continue;  /* the edge died: drop the stale half-edge */
            gasp_idx_t e = h >> 1;
            gasp_idx_t w = ends[h ^ 1];
            g->total_moved++;
            if (s_big | big[w])
                table_delete_fp(g, e, ring_s[j - c0]);
            ends[h] = l;
            uint64_t slot;
            gasp_fp_t fp = ring_l[j - c0];
            gasp_idx_t f = table_find_fp(g, l, w, fp, &slot);
            if (f >= 0) {
                g->deg[w]--;
                if (fold_keeps_first(g, f, e)) {
                    fold_listed(g, f, e, &n_folds);
                    continue;  /* e's half-edge is dropped */
                }
                fold_listed(g, e, f, &n_folds);
                g->slots[slot].e = e;  /* same pair, same fingerprint */
            } else {
                table_put(g, slot, fp, e);
            }
            g->moved[n_moved++] = h;
        }
    }
    g->n_folds = n_folds;
    return n_moved;
}

/*
 * Re-attach s's alive half-edges to l, neither of them big: l's neighbours are marked first
 * (mark[w] = the edge joining l and w; a mark is valid only while that edge still joins them, so
 * marks are never cleared), then each edge (s, w) folds into the marked one or moves.  Only edges
 * at a big w are in the table.  Drops the stale half-edges of l's block on the way.
 */
static gasp_idx_t merge_small(gasp_graph_t *g, gasp_idx_t l, gasp_idx_t s)
{
    gasp_idx_t *const ends = g->ends;
    gasp_idx_t *const mark = g->mark;
    const uint8_t *const big = g->big;
    gasp_idx_t *lb = g->arena + g->astart[l];
    const gasp_idx_t llen = g->alen[l];
    gasp_idx_t kept = 0;
    for (gasp_idx_t k = 0; k < llen; k++)
        PREFETCH(&ends[lb[k] & ~(gasp_idx_t)1]);
    for (gasp_idx_t k = 0; k < llen; k++) {
        gasp_idx_t h = lb[k];
        if (ends[h] < 0)
            continue;
        lb[kept++] = h;
        mark[ends[h ^ 1]] = h >> 1;
    }
    g->alen[l] = kept;

    const gasp_idx_t len = g->alen[s];
    const gasp_idx_t *block = g->arena + g->astart[s];
    gasp_idx_t n_folds = 0, n_moved = 0;
    for (gasp_idx_t k = 0; k < len; k++)
        PREFETCH(&ends[block[k] & ~(gasp_idx_t)1]);
    for (gasp_idx_t j = 0; j < len; j++) {
        gasp_idx_t h = block[j];
        if (ends[h] < 0)
            continue;  /* the edge died: drop the stale half-edge */
        gasp_idx_t e = h >> 1;
        gasp_idx_t w = ends[h ^ 1];
        g->total_moved++;
        const int in_table = big[w];
        if (in_table)
            table_delete_fp(g, e, pair_fp(s, w));
        ends[h] = l;
        gasp_idx_t f = mark[w];
        if (f >= 0 && f != e &&
            ((ends[2 * (int64_t)f] == l && ends[2 * (int64_t)f + 1] == w) ||
             (ends[2 * (int64_t)f] == w && ends[2 * (int64_t)f + 1] == l))) {
            g->deg[w]--;
            if (fold_keeps_first(g, f, e)) {
                fold_listed(g, f, e, &n_folds);
                continue;  /* e's half-edge is dropped */
            }
            if (in_table) {
                uint64_t slot;
                gasp_fp_t fp;
                (void)table_find(g, l, w, &slot, &fp);  /* finds f, before it dies */
                g->slots[slot].e = e;
            }
            fold_listed(g, e, f, &n_folds);
            mark[w] = e;
        } else if (in_table) {
            uint64_t slot;
            gasp_fp_t fp;
            (void)table_find(g, l, w, &slot, &fp);  /* absent: the empty slot */
            table_put(g, slot, fp, e);
        }
        g->moved[n_moved++] = h;
    }
    g->n_folds = n_folds;
    return n_moved;
}

/* Cluster c (not big) becomes big: its edges to small clusters join the table (those to big
 * ones are there already).  Returns GASP_ENOMEM when the table cannot grow (nothing changed). */
static int make_big(gasp_graph_t *g, gasp_idx_t c)
{
    if (table_reserve(g, g->deg[c]) != GASP_OK)
        return GASP_ENOMEM;
    const gasp_idx_t *block = g->arena + g->astart[c];
    for (gasp_idx_t k = 0; k < g->alen[c]; k++) {
        gasp_idx_t h = block[k];
        if (g->ends[h] < 0)
            continue;
        gasp_idx_t w = g->ends[h ^ 1];
        if (g->big[w])
            continue;
        uint64_t slot;
        gasp_fp_t fp;
        (void)table_find(g, c, w, &slot, &fp);
        table_put(g, slot, fp, h >> 1);
    }
    g->big[c] = 1;
    return GASP_OK;
}

/* Merge clusters a and b, which no alive edge joins.  The survivor l is the big one when only
 * one is big, else the one of larger degree. */
static gasp_idx_t merge_apart(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b,
                              gasp_idx_t *dead_cluster)
{
    gasp_idx_t l = a, s = b;
    if (g->big[a] != g->big[b] ? g->big[b] : g->deg[b] > g->deg[a]) {
        l = b;
        s = a;
    }
    const gasp_idx_t len = g->alen[s];
    if (scratch_reserve(g, len) != GASP_OK || table_reserve(g, len) != GASP_OK) {
        g->alloc_error = 1;
        return -1;
    }
    const gasp_idx_t n_moved = g->big[l] ? merge_into_big(g, l, s) : merge_small(g, l, s);
    const gasp_idx_t n_folds = g->n_folds;
    g->alen[s] = 0;
    if (g->acap[s] > 0)
        blocks_unlink(g, s);
    g->acap[s] = 0;
    g->deg[l] = g->deg[l] + g->deg[s] - n_folds;
    g->deg[s] = 0;
    *dead_cluster = s;
    table_maybe_shrink(g);
    if (block_reserve(g, l, n_moved) != GASP_OK) {
        g->alloc_error = 1;
        return -1;
    }
    memcpy(g->arena + g->astart[l] + g->alen[l], g->moved, (size_t)n_moved * sizeof *g->moved);
    g->alen[l] += n_moved;
    if (!g->big[l] && g->deg[l] > g->big_threshold && make_big(g, l) != GASP_OK) {
        g->alloc_error = 1;
        return -1;
    }
    return l;
}

/* Make room for edge ids below `need` (the new ids start dead). */
static int edges_reserve(gasp_graph_t *g, int64_t need)
{
    if (need <= g->m)
        return GASP_OK;
    int64_t m = 2 * (int64_t)g->m > need ? 2 * (int64_t)g->m : need;
    if (m > GASP_IDX_MAX / 2)
        m = GASP_IDX_MAX / 2;
    if (need > m)
        return GASP_ENOMEM;
    gasp_idx_t *ends = realloc(g->ends, 2 * (size_t)m * sizeof *ends);
    if (ends)
        g->ends = ends;
    double *val = realloc(g->val, (size_t)m * sizeof *val);
    if (val)
        g->val = val;
    double *esz = g->esz ? realloc(g->esz, (size_t)m * sizeof *esz) : NULL;
    if (esz)
        g->esz = esz;
    uint32_t *ecount = g->ecount ? realloc(g->ecount, (size_t)m * sizeof *ecount) : NULL;
    if (ecount)
        g->ecount = ecount;
    uint8_t *flags = realloc(g->flags, (size_t)m);
    if (flags)
        g->flags = flags;
    if (!ends || !val || (g->esz && !esz) || (g->ecount && !ecount) || !flags)
        return GASP_ENOMEM;
    for (int64_t k = g->m; k < m; k++) {
        g->ends[2 * k] = g->ends[2 * k + 1] = -1;
        g->flags[k] = GASP_EDGE_DEAD;
    }
    g->m = (gasp_idx_t)m;
    return GASP_OK;
}

int gasp_graph_add_edge(gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b, gasp_idx_t e, double value)
{
    if (find_edge(g, a, b) >= 0)
        return GASP_OK;
    if (edges_reserve(g, (int64_t)e + 1) != GASP_OK)
        return GASP_ENOMEM;
    if (block_reserve(g, a, 1) != GASP_OK || block_reserve(g, b, 1) != GASP_OK)
        return GASP_ENOMEM;
    const int in_table = hashed(g, a, b);
    uint64_t slot = 0;
    gasp_fp_t fp = 0;
    if (in_table) {
        /* keep the load at most 2/3 as edges are added */
        if ((uint64_t)(g->n_hashed + 1) * 3 > 2 * g->cap && table_resize(g, 2 * g->cap) != GASP_OK)
            return GASP_ENOMEM;
        table_find(g, a, b, &slot, &fp);
    }
    g->ends[2 * (int64_t)e] = a;
    g->ends[2 * (int64_t)e + 1] = b;
    g->val[e] = value;
    if (g->esz)
        g->esz[e] = 1.0;
    else if (g->ecount)
        g->ecount[e] = 1;
    g->flags[e] = GASP_EDGE_LOCAL;
    if (in_table)
        table_put(g, slot, fp, e);
    g->arena[g->astart[a] + g->alen[a]++] = 2 * e;
    g->arena[g->astart[b] + g->alen[b]++] = 2 * e + 1;
    g->deg[a]++;
    g->deg[b]++;
    g->n_alive++;
    return GASP_OK;
}

int gasp_graph_has_edge(const gasp_graph_t *g, gasp_idx_t a, gasp_idx_t b)
{
    return find_edge(g, a, b) >= 0;
}

void gasp_graph_for_each_edge(gasp_graph_t *g, gasp_idx_t c,
                              void (*visit)(void *ctx, gasp_idx_t e), void *ctx)
{
    gasp_idx_t *block = g->arena + g->astart[c];
    gasp_idx_t kept = 0;
    for (gasp_idx_t k = 0; k < g->alen[c]; k++) {
        gasp_idx_t h = block[k];
        if (g->ends[h] < 0)
            continue;
        block[kept++] = h;
        visit(ctx, h >> 1);
    }
    g->alen[c] = kept;
}

int gasp_graph_check(const gasp_graph_t *g)
{
    int rc = GASP_EINTERNAL;
    const int64_t m2 = 2 * (int64_t)g->m;
    gasp_idx_t *count = calloc(g->n > 0 ? (size_t)g->n : 1, sizeof *count);
    uint8_t *seen = calloc(m2 > 0 ? (size_t)m2 : 1, 1);
    uint8_t *owned = calloc(g->arena_top > 0 ? (size_t)g->arena_top : 1, 1);
    if (!count || !seen || !owned) {
        rc = GASP_ENOMEM;
        goto cleanup;
    }
    int64_t alive = 0, occupied = 0, in_table = 0;
    for (gasp_idx_t e = 0; e < g->m; e++) {
        gasp_idx_t u = g->ends[2 * (int64_t)e], v = g->ends[2 * (int64_t)e + 1];
        if (g->flags[e] & GASP_EDGE_DEAD) {
            if (u != -1 || v != -1)
                goto cleanup;
            continue;
        }
        if (u < 0 || v < 0 || u >= g->n || v >= g->n || u == v)
            goto cleanup;
        if (find_edge(g, u, v) != e)
            goto cleanup;  /* missing, or a second alive edge on the same pair */
        count[u]++;
        count[v]++;
        alive++;
        in_table += hashed(g, u, v);
    }
    for (uint64_t i = 0; i < g->cap; i++) {
        gasp_idx_t x = g->slots[i].e;
        if (x < 0)
            continue;
        if (x >= g->m || (g->flags[x] & GASP_EDGE_DEAD) ||
            !hashed(g, g->ends[2 * (int64_t)x], g->ends[2 * (int64_t)x + 1]) ||
            g->slots[i].fp != pair_fp(g->ends[2 * (int64_t)x], g->ends[2 * (int64_t)x + 1]))
            goto cleanup;
        occupied++;
    }
    /* the table holds exactly the alive edges at a big cluster */
    if (occupied != in_table || occupied != g->n_hashed || alive != g->n_alive ||
        g->arena_top > g->arena_cap || 3 * (uint64_t)occupied > 2 * g->cap)
        goto cleanup;
    for (gasp_idx_t c = 0; c < g->n; c++)
        if (g->big[c] > 1 || (!g->big[c] && g->deg[c] > g->big_threshold))
            goto cleanup;  /* a cluster with many edges must be big (merge_small's cost) */
    for (gasp_idx_t c = 0; c < g->n; c++) {
        if (count[c] != g->deg[c] || g->alen[c] < 0 || g->alen[c] > g->acap[c])
            goto cleanup;
        if (g->alen[c] == 0)
            continue;
        if (g->astart[c] < 0 || g->astart[c] + g->alen[c] > g->arena_top)
            goto cleanup;
        for (gasp_idx_t k = 0; k < g->alen[c]; k++) {
            int64_t cell = g->astart[c] + k;
            gasp_idx_t h = g->arena[cell];
            if (owned[cell] || h < 0 || h >= m2)
                goto cleanup;  /* overlapping blocks, or an id out of range */
            owned[cell] = 1;
            if (g->ends[h] < 0)
                continue;  /* stale entry of a dead edge */
            if (g->ends[h] != c || seen[h])
                goto cleanup;
            seen[h] = 1;
        }
    }
    for (int64_t h = 0; h < m2; h++)
        if (g->ends[h] >= 0 && !seen[h])
            goto cleanup;
    /* the block list: exactly the clusters with room, by increasing start, linked both ways */
    gasp_idx_t listed = 0, prev = -1;
    for (gasp_idx_t x = g->ahead; x >= 0; x = g->anext[x]) {
        if (x >= g->n || g->acap[x] <= 0 || g->aprev[x] != prev || ++listed > g->n)
            goto cleanup;
        if (prev >= 0 && g->astart[prev] + g->acap[prev] > g->astart[x])
            goto cleanup;
        if (g->astart[x] + g->acap[x] > g->arena_top)
            goto cleanup;
        prev = x;
    }
    if (prev != g->atail)
        goto cleanup;
    for (gasp_idx_t c = 0; c < g->n; c++)
        listed -= g->acap[c] > 0;
    if (listed != 0)
        goto cleanup;
    rc = GASP_OK;
cleanup:
    free(count);
    free(seen);
    free(owned);
    return rc;
}
