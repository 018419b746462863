/*
 * selftest.c -- drives the engine's data structures through pseudo-random operation sequences and
 * verifies their invariants (*_check) after every operation; the heap is also compared against a
 * brute-force scan.  Called from the Python tests through gasp_selftest().
 */
#include <stdlib.h>

#include "gasp.h"
#include "graph.h"
#include "heap.h"
#include "unionfind.h"

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Keys from a small set, so that ties (broken by item id) are frequent. */
static double random_key(uint64_t *state)
{
    return (double)(int64_t)(next_random(state) % 16) - 8.0;
}

static int test_heap(uint64_t *rng, int64_t n_ops)
{
    enum { N = 64 };
    gasp_heap_t h;
    double key[N];
    int present[N] = {0};
    int rc = gasp_heap_init(&h, N, 4);  /* small: exercises growth */
    if (rc != GASP_OK)
        return rc;
    for (int64_t op = 0; op < n_ops && rc == GASP_OK; op++) {
        gasp_idx_t x = (gasp_idx_t)(next_random(rng) % N);
        switch (next_random(rng) % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
            key[x] = random_key(rng);
            gasp_heap_set(&h, x, key[x]);
            present[x] = 1;
            break;
        case 4:
        case 5:
            gasp_heap_remove(&h, x);
            present[x] = 0;
            break;
        case 6:
            /* bulk: every present item appended again, then sorted into the run */
            gasp_heap_clear(&h);
            rc = gasp_heap_reserve(&h, N);
            for (gasp_idx_t i = 0; i < N && rc == GASP_OK; i++)
                if (present[i])
                    gasp_heap_append(&h, i, key[i]);
            gasp_heap_build(&h);
            break;
        case 7:
            gasp_heap_build(&h);  /* the heap's entries join the run */
            break;
        default:
            if (h.size > 0) {
                gasp_idx_t best = -1;
                for (gasp_idx_t i = 0; i < N; i++)
                    if (present[i] && (best < 0 || key[i] > key[best]))
                        best = i;
                if (gasp_heap_pop(&h) != best)
                    rc = GASP_EINTERNAL;
                present[best] = 0;
            }
        }
        if (rc == GASP_OK)
            rc = gasp_heap_check(&h);
        for (gasp_idx_t i = 0; i < N && rc == GASP_OK; i++)
            if (present[i] != gasp_heap_contains(&h, i))
                rc = GASP_EINTERNAL;
    }
    if (rc == GASP_OK) {
        /* Bulk build from appended entries, then pops in the order of a brute-force scan. */
        enum { M = 1024 };
        gasp_heap_destroy(&h);
        double *keys = malloc(M * sizeof *keys);
        int *taken = calloc(M, sizeof *taken);
        rc = (keys && taken) ? gasp_heap_init(&h, M, 4) : GASP_ENOMEM;
        if (rc == GASP_OK)
            rc = gasp_heap_reserve(&h, M);
        for (gasp_idx_t i = 0; i < M && rc == GASP_OK; i++) {
            /* many ties, and a few far-apart keys that leave most buckets empty */
            keys[i] = next_random(rng) % 64 == 0 ? (double)(int64_t)(next_random(rng) % 7) * 1e6
                                                 : random_key(rng) / 3.0;
            gasp_heap_append(&h, i, keys[i]);
        }
        if (rc == GASP_OK) {
            gasp_heap_build(&h);
            rc = gasp_heap_check(&h);
        }
        for (gasp_idx_t k = 0, best = 0; k < M && rc == GASP_OK; k++) {
            for (gasp_idx_t i = 0; i < M; i++)
                if (!taken[i] && (taken[best] || keys[i] > keys[best]))
                    best = i;
            if (gasp_heap_pop(&h) != best)
                rc = GASP_EINTERNAL;
            taken[best] = 1;
        }
        free(keys);
        free(taken);
    }
    gasp_heap_destroy(&h);
    return rc;
}

static int test_graph(uint64_t *rng, int64_t n_ops)
{
    enum { N = 40, M = 160 };
    int64_t edges[2 * M];
    double weights[M];
    uint8_t lifted[M];
    for (int k = 0; k < M; k++) {
        int64_t a = (int64_t)(next_random(rng) % N), b = (int64_t)(next_random(rng) % (N - 1));
        if (b >= a)
            b++;  /* b != a; duplicate pairs are intended */
        edges[2 * k] = a;
        edges[2 * k + 1] = b;
        weights[k] = random_key(rng);
        lifted[k] = (uint8_t)(next_random(rng) % 3 == 0);
    }
    gasp_graph_t g = {0};
    gasp_uf_t uf = {0};
    /* built in steps, so that the threshold of big clusters can be low: both ways of contracting
     * (through the pair table, and by marking the survivor's neighbours) and the switch between
     * them run on this small graph */
    int rc = gasp_graph_alloc(&g, N, M, GASP_LINKAGE_AVERAGE, 0.0, 1);
    if (rc == GASP_OK) {
        g.big_threshold = (gasp_idx_t)(next_random(rng) % 16);
        for (gasp_idx_t k = 0; k < M; k += GASP_GRAPH_CHUNK) {
            gasp_idx_t a[GASP_GRAPH_CHUNK], b[GASP_GRAPH_CHUNK];
            gasp_idx_t count = M - k < GASP_GRAPH_CHUNK ? M - k : GASP_GRAPH_CHUNK;
            for (gasp_idx_t i = 0; i < count; i++) {
                a[i] = (gasp_idx_t)edges[2 * (k + i)];
                b[i] = (gasp_idx_t)edges[2 * (k + i) + 1];
            }
            gasp_graph_put_edges(&g, k, count, a, b, weights + k, NULL, lifted + k);
        }
        rc = gasp_graph_finish(&g);
    }
    if (rc == GASP_OK)
        rc = gasp_uf_init(&uf, N);
    if (rc == GASP_OK)
        rc = gasp_graph_check(&g);
    for (int64_t op = 0; op < n_ops && rc == GASP_OK; op++) {
        gasp_idx_t alive[M], n_alive = 0;
        for (gasp_idx_t e = 0; e < M; e++)
            if (gasp_graph_alive(&g, e))
                alive[n_alive++] = e;
        if (n_alive == 0)
            break;
        gasp_idx_t e = alive[next_random(rng) % (uint64_t)n_alive], s;
        gasp_idx_t gu = gasp_graph_u(&g, e), gv = gasp_graph_v(&g, e);
        if (gasp_uf_find(&uf, gu) != gu || gasp_uf_find(&uf, gv) != gv)
            rc = GASP_EINTERNAL;  /* endpoints must always be cluster representatives */
        gasp_idx_t l = gasp_graph_contract(&g, e, &s);
        if (l < 0) {
            rc = GASP_ENOMEM;
            break;
        }
        uf.parent[s] = l;
        uf.size[l] += uf.size[s];
        for (gasp_idx_t i = 0; i < g.n_folds && rc == GASP_OK; i++)
            if (gasp_graph_alive(&g, g.fold_dead[i]) || !gasp_graph_alive(&g, g.fold_alive[i]) ||
                g.fold_alive[i] > g.fold_dead[i])
                rc = GASP_EINTERNAL;
        if (rc == GASP_OK)
            rc = gasp_graph_check(&g);
        if (rc == GASP_OK)
            rc = gasp_uf_check(&uf);
    }
    gasp_graph_destroy(&g);
    gasp_uf_destroy(&uf);
    return rc;
}

/*
 * A graph grown by gasp_graph_add_edge and shrunk by merges without an edge (the mutex watershed
 * uses it so): large enough for the hash table to grow and to shrink, checked at exponentially
 * spaced steps and at the end.
 */
static int test_incremental(uint64_t *rng, int64_t n_ops)
{
    enum { N = 3000, M = 12000 };
    gasp_graph_t g;
    gasp_uf_t uf = {0};
    int rc = gasp_graph_init(&g, N, M, NULL, NULL, NULL, NULL, GASP_LINKAGE_MIN, 0.0, NULL);
    if (rc == GASP_OK)
        rc = gasp_uf_init(&uf, N);
    gasp_idx_t next = 0, clusters = N;
    int64_t steps = n_ops * 8;
    for (int64_t op = 1; op <= steps && rc == GASP_OK && clusters > 1; op++) {
        gasp_idx_t a = gasp_uf_find(&uf, (gasp_idx_t)(next_random(rng) % N));
        gasp_idx_t b = gasp_uf_find(&uf, (gasp_idx_t)(next_random(rng) % N));
        if (a == b)
            continue;
        /* Mostly add edges early on, mostly merge later, so the table grows and then shrinks. */
        int add = next < M && (next_random(rng) % 4) < (op < steps / 2 ? 3u : 1u);
        if (add) {
            rc = gasp_graph_add_edge(&g, a, b, next++, -1.0);
            if (rc == GASP_OK && gasp_graph_has_edge(&g, a, b) == 0)
                rc = GASP_EINTERNAL;
        } else {
            gasp_idx_t dead, l = gasp_graph_merge(&g, a, b, &dead);
            if (l < 0) {
                rc = GASP_ENOMEM;
                break;
            }
            uf.parent[dead] = l;
            uf.size[l] += uf.size[dead];
            clusters--;
        }
        if (rc == GASP_OK && (op & (op - 1)) == 0)
            rc = gasp_graph_check(&g);
    }
    if (rc == GASP_OK)
        rc = gasp_graph_check(&g);
    gasp_graph_destroy(&g);
    gasp_uf_destroy(&uf);
    return rc;
}

int gasp_selftest(uint64_t seed, int64_t n_ops)
{
    uint64_t rng = seed;
    int rc = test_heap(&rng, n_ops);
    if (rc == GASP_OK)
        rc = test_graph(&rng, n_ops);
    if (rc == GASP_OK)
        rc = test_incremental(&rng, n_ops);
    return rc;
}
