/*
 * heap.h -- indexed 4-ary max-heap over item ids 0..n_items-1.
 *
 * Order: a larger key comes first; on equal keys the SMALLER item id comes first.  This is the
 * engine's tie-breaking rule, so the same input gives the same result on every platform.
 * Keys must never be NaN (the engine checks linkage values before they reach the heap).
 *
 * Invariants (checked by gasp_heap_check):
 *   0 <= size <= capacity <= n_items (entries are allocated as needed, not for every item);
 *   for 0 <= i < size: pos[at[i].id] == i;
 *   for every item x not in the heap: pos[x] == -1;
 *   for 0 < i < size: entry (i-1)/4 is not after entry i in the order above.
 */
#ifndef GASP_HEAP_H
#define GASP_HEAP_H

#include "gasp.h"

/* One heap entry (16 bytes with 32-bit ids): the four children of an entry span one or two
 * cache lines. */
typedef struct {
    double key;
    gasp_idx_t id;
} gasp_heap_entry_t;

typedef struct {
    gasp_heap_entry_t *at; /* owned; at[0..size) in heap order */
    gasp_idx_t *pos;   /* owned; pos[item] = its index in at[], or -1 when absent */
    gasp_idx_t size;   /* entries in the heap */
    gasp_idx_t capacity; /* entries allocated in at[] */
    gasp_idx_t n_items;
    int failed;        /* an insertion could not grow at[]: the heap is incomplete */
} gasp_heap_t;

/* A heap for items 0..n_items-1 with room for `capacity` entries (it grows when needed). */
int gasp_heap_init(gasp_heap_t *h, gasp_idx_t n_items, gasp_idx_t capacity);
void gasp_heap_destroy(gasp_heap_t *h);

/* Empty the heap in O(size). */
void gasp_heap_clear(gasp_heap_t *h);

/* Insert item (absent) with key, O(log n).  When at[] cannot grow, sets `failed` instead. */
void gasp_heap_push(gasp_heap_t *h, gasp_idx_t item, double key);

/* Insert or change the key of item, O(log n). */
void gasp_heap_set(gasp_heap_t *h, gasp_idx_t item, double key);

/* Remove item if present, O(log n). */
void gasp_heap_remove(gasp_heap_t *h, gasp_idx_t item);

/* Remove and return the first item; the heap must not be empty. */
gasp_idx_t gasp_heap_pop(gasp_heap_t *h);

/* Append item without restoring the order (capacity permitting; see gasp_heap_reserve); call
 * gasp_heap_build() after a batch. */
void gasp_heap_append(gasp_heap_t *h, gasp_idx_t item, double key);

/* Make room for `capacity` entries.  Returns GASP_OK or GASP_ENOMEM. */
int gasp_heap_reserve(gasp_heap_t *h, gasp_idx_t capacity);

/* Restore the heap order over all entries in O(size) (Floyd). */
void gasp_heap_build(gasp_heap_t *h);

static inline int gasp_heap_contains(const gasp_heap_t *h, gasp_idx_t item)
{
    return h->pos[item] >= 0;
}

/* GASP_OK when every invariant above holds, GASP_EINTERNAL otherwise. */
int gasp_heap_check(const gasp_heap_t *h);

#endif /* GASP_HEAP_H */
