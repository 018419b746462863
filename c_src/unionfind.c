/* unionfind.c -- disjoint sets over node ids; see unionfind.h. */
#include "unionfind.h"

#include <stdlib.h>

#include "alloc.h"

int gasp_uf_init(gasp_uf_t *uf, gasp_idx_t n)
{
    size_t cap = n > 0 ? (size_t)n : 1;
    uf->parent = gasp_alloc(cap * sizeof *uf->parent);
    uf->size = gasp_alloc(cap * sizeof *uf->size);
    uf->n = n;
    if (!uf->parent || !uf->size) {
        gasp_uf_destroy(uf);
        return GASP_ENOMEM;
    }
    for (gasp_idx_t i = 0; i < n; i++) {
        uf->parent[i] = i;
        uf->size[i] = 1;
    }
    return GASP_OK;
}

void gasp_uf_destroy(gasp_uf_t *uf)
{
    free(uf->parent);
    free(uf->size);
    uf->parent = NULL;
    uf->size = NULL;
}

int64_t gasp_uf_labels(gasp_uf_t *uf, int64_t *labels, gasp_idx_t *scratch)
{
    int64_t k = 0;
    for (gasp_idx_t i = 0; i < uf->n; i++)
        scratch[i] = -1;
    for (gasp_idx_t i = 0; i < uf->n; i++) {
        gasp_idx_t r = gasp_uf_find(uf, i);
        if (scratch[r] < 0)
            scratch[r] = (gasp_idx_t)k++;
        labels[i] = scratch[r];
    }
    return k;
}

int gasp_uf_check(const gasp_uf_t *uf)
{
    /* Every walk to a root is at most n steps long; a longer one means a cycle. */
    gasp_idx_t roots = 0;
    int64_t total = 0;
    for (gasp_idx_t x = 0; x < uf->n; x++) {
        gasp_idx_t y = x;
        gasp_idx_t steps = 0;
        if (uf->parent[x] < 0 || uf->parent[x] >= uf->n)
            return GASP_EINTERNAL;
        while (uf->parent[y] != y) {
            y = uf->parent[y];
            if (y < 0 || y >= uf->n || ++steps > uf->n)
                return GASP_EINTERNAL;
        }
        if (uf->parent[x] == x) {
            roots++;
            total += uf->size[x];
        }
    }
    return (uf->n == 0 || (roots > 0 && total == uf->n)) ? GASP_OK : GASP_EINTERNAL;
}
