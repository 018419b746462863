/*
 * heap.c -- indexed 4-ary max-heap; see heap.h for the order and the invariants.
 *
 * A 4-ary heap halves the depth of a binary heap; the four children of an entry sit next to each
 * other in memory, so a sift-down step reads one cache line (entries hold the key and the id
 * together, in heap order, so comparisons do not chase item ids).
 */
#include "heap.h"

#include <stdlib.h>

#include "alloc.h"

/* Non-zero when (ka, ia) comes before (kb, ib). */
static inline int before(double ka, gasp_idx_t ia, double kb, gasp_idx_t ib)
{
    return ka > kb || (ka == kb && ia < ib);
}

int gasp_heap_init(gasp_heap_t *h, gasp_idx_t n_items, gasp_idx_t capacity)
{
    size_t n = n_items > 0 ? (size_t)n_items : 1;
    if (capacity > n_items)
        capacity = n_items;
    if (capacity < 1)
        capacity = 1;
    h->at = gasp_alloc((size_t)capacity * sizeof *h->at);
    h->pos = gasp_alloc(n * sizeof *h->pos);
    h->size = 0;
    h->capacity = capacity;
    h->n_items = n_items;
    h->failed = 0;
    if (!h->at || !h->pos) {
        gasp_heap_destroy(h);
        return GASP_ENOMEM;
    }
    for (gasp_idx_t i = 0; i < n_items; i++)
        h->pos[i] = -1;
    return GASP_OK;
}

void gasp_heap_destroy(gasp_heap_t *h)
{
    free(h->at);
    free(h->pos);
    h->at = NULL;
    h->pos = NULL;
    h->size = 0;
}

void gasp_heap_clear(gasp_heap_t *h)
{
    for (gasp_idx_t i = 0; i < h->size; i++)
        h->pos[h->at[i].id] = -1;
    h->size = 0;
}

/* Move the entry (item, key) up from index i to its place. */
static void sift_up(gasp_heap_t *h, gasp_idx_t i, gasp_idx_t item, double key)
{
    while (i > 0) {
        gasp_idx_t parent = (i - 1) >> 2;
        if (!before(key, item, h->at[parent].key, h->at[parent].id))
            break;
        h->at[i] = h->at[parent];
        h->pos[h->at[i].id] = i;
        i = parent;
    }
    h->at[i].key = key;
    h->at[i].id = item;
    h->pos[item] = i;
}

/* Move the entry (item, key) down from index i to its place. */
static void sift_down(gasp_heap_t *h, gasp_idx_t i, gasp_idx_t item, double key)
{
    const gasp_idx_t size = h->size;
    for (;;) {
        gasp_idx_t first = 4 * i + 1;
        if (first >= size)
            break;
        gasp_idx_t last = first + 4 < size ? first + 4 : size;
        gasp_idx_t best = first;
        for (gasp_idx_t c = first + 1; c < last; c++)
            if (before(h->at[c].key, h->at[c].id, h->at[best].key, h->at[best].id))
                best = c;
        if (!before(h->at[best].key, h->at[best].id, key, item))
            break;
        h->at[i] = h->at[best];
        h->pos[h->at[i].id] = i;
        i = best;
    }
    h->at[i].key = key;
    h->at[i].id = item;
    h->pos[item] = i;
}

int gasp_heap_reserve(gasp_heap_t *h, gasp_idx_t capacity)
{
    if (capacity <= h->capacity)
        return GASP_OK;
    gasp_heap_entry_t *at = realloc(h->at, (size_t)capacity * sizeof *at);
    if (!at)
        return GASP_ENOMEM;
    h->at = at;
    h->capacity = capacity;
    return GASP_OK;
}

void gasp_heap_push(gasp_heap_t *h, gasp_idx_t item, double key)
{
    if (h->size == h->capacity) {
        int64_t want = (int64_t)h->capacity + h->capacity / 2 + 16;
        if (want > h->n_items)
            want = h->n_items;
        if (gasp_heap_reserve(h, (gasp_idx_t)want) != GASP_OK) {
            h->failed = 1;
            return;
        }
    }
    sift_up(h, h->size++, item, key);
}

void gasp_heap_set(gasp_heap_t *h, gasp_idx_t item, double key)
{
    gasp_idx_t i = h->pos[item];
    if (i < 0) {
        gasp_heap_push(h, item, key);
        return;
    }
    double old = h->at[i].key;
    if (before(key, item, old, item))
        sift_up(h, i, item, key);
    else
        sift_down(h, i, item, key);
}

void gasp_heap_remove(gasp_heap_t *h, gasp_idx_t item)
{
    gasp_idx_t i = h->pos[item];
    if (i < 0)
        return;
    h->pos[item] = -1;
    gasp_idx_t last = --h->size;
    if (i == last)
        return;
    gasp_idx_t moved = h->at[last].id;
    double key = h->at[last].key;
    if (i > 0 && before(key, moved, h->at[(i - 1) >> 2].key, h->at[(i - 1) >> 2].id))
        sift_up(h, i, moved, key);
    else
        sift_down(h, i, moved, key);
}

gasp_idx_t gasp_heap_pop(gasp_heap_t *h)
{
    gasp_idx_t top = h->at[0].id;
    gasp_heap_remove(h, top);
    return top;
}

void gasp_heap_append(gasp_heap_t *h, gasp_idx_t item, double key)
{
    gasp_idx_t i = h->size++;
    h->at[i].key = key;
    h->at[i].id = item;
    h->pos[item] = i;
}

void gasp_heap_build(gasp_heap_t *h)
{
    if (h->size < 2)
        return;
    for (gasp_idx_t i = (h->size - 2) >> 2; i >= 0; i--)
        sift_down(h, i, h->at[i].id, h->at[i].key);
}

int gasp_heap_check(const gasp_heap_t *h)
{
    if (h->size < 0 || h->size > h->capacity || h->capacity > (h->n_items > 0 ? h->n_items : 1))
        return GASP_EINTERNAL;
    gasp_idx_t present = 0;
    for (gasp_idx_t x = 0; x < h->n_items; x++) {
        gasp_idx_t i = h->pos[x];
        if (i < 0) {
            if (i != -1)
                return GASP_EINTERNAL;
            continue;
        }
        if (i >= h->size || h->at[i].id != x)
            return GASP_EINTERNAL;
        present++;
    }
    if (present != h->size)
        return GASP_EINTERNAL;
    for (gasp_idx_t i = 1; i < h->size; i++) {
        gasp_idx_t p = (i - 1) >> 2;
        if (before(h->at[i].key, h->at[i].id, h->at[p].key, h->at[p].id))
            return GASP_EINTERNAL;
    }
    return GASP_OK;
}
