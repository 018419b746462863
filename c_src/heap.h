/*
 * heap.h -- indexed priority queue over item ids 0..n_items-1: a sorted run plus a 4-ary max-heap.
 *
 * Order: a larger key comes first; on equal keys the SMALLER item id comes first.  This is the
 * engine's tie-breaking rule, so the same input gives the same result on every platform.
 * Keys must never be NaN (the engine checks linkage values before they reach the heap).
 *
 * Two parts hold the entries.  gasp_heap_build() sorts every entry into the *run*, an array in pop
 * order read from its head; later insertions and key changes go to the *heap*, a 4-ary heap that
 * stays small (a key change takes the item out of the run, leaving a hole there, and pushes it on
 * the heap).  A pop takes the better of the run's head and the heap's top.  The engine queues
 * millions of candidates at the start of a phase and changes few of them before they are popped,
 * so most pops read the run sequentially instead of sifting down a heap of millions of entries.
 *
 * Invariants (checked by gasp_heap_check):
 *   size == n_run + hsize;  0 <= hsize <= capacity <= n_items;
 *   0 <= run_head <= run_len <= run_cap; run entries outside [run_head, run_len) are unused;
 *   a run entry with id < 0 is a hole; the n_run others are in pop order;
 *   for 0 <= i < hsize: pos[at[i].id] == i;  for a live run entry j: pos[run[j].id] == -2 - j;
 *   for every item x in neither part: pos[x] == -1;
 *   for 0 < i < hsize: entry (i-1)/4 of at[] is not after entry i in the order above.
 */
#ifndef GASP_HEAP_H
#define GASP_HEAP_H

#include "gasp.h"

/* One entry (16 bytes with 32-bit ids): the four children of an entry span one or two cache
 * lines. */
typedef struct {
    double key;
    gasp_idx_t id;
} gasp_heap_entry_t;

typedef struct {
    gasp_heap_entry_t *at;  /* owned; the heap, at[0..hsize) in heap order */
    gasp_heap_entry_t *run; /* owned (may be NULL); the sorted run, live from run_head */
    gasp_idx_t *pos;        /* owned; where each item is (see the invariants) */
    gasp_idx_t size;        /* entries queued (run and heap) */
    gasp_idx_t hsize;       /* entries in the heap */
    gasp_idx_t capacity;    /* entries allocated in at[] */
    gasp_idx_t n_run;       /* live entries in the run */
    gasp_idx_t run_head;    /* first run entry not yet popped */
    gasp_idx_t run_len;     /* end of the run (appended entries included) */
    gasp_idx_t run_cap;     /* entries allocated in run[] */
    gasp_idx_t n_items;
    int failed;             /* an insertion could not grow at[]: the queue is incomplete */
} gasp_heap_t;

/* A queue for items 0..n_items-1 with room for `capacity` heap entries (it grows when needed). */
int gasp_heap_init(gasp_heap_t *h, gasp_idx_t n_items, gasp_idx_t capacity);
void gasp_heap_destroy(gasp_heap_t *h);

/* Empty the queue in O(size). */
void gasp_heap_clear(gasp_heap_t *h);

/* Insert item (absent) with key, O(log n).  When at[] cannot grow, sets `failed` instead. */
void gasp_heap_push(gasp_heap_t *h, gasp_idx_t item, double key);

/* Insert or change the key of item, O(log n). */
void gasp_heap_set(gasp_heap_t *h, gasp_idx_t item, double key);

/* Remove item if present, O(log n) (O(1) for an item in the run). */
void gasp_heap_remove(gasp_heap_t *h, gasp_idx_t item);

/* Remove and return the first item; the queue must not be empty. */
gasp_idx_t gasp_heap_pop(gasp_heap_t *h);

/* The first item and its key (in *key), without removing it; the queue must not be empty. */
gasp_idx_t gasp_heap_top(gasp_heap_t *h, double *key);

/* Append item (absent) without ordering it (room permitting; see gasp_heap_reserve); call
 * gasp_heap_build() after a batch. */
void gasp_heap_append(gasp_heap_t *h, gasp_idx_t item, double key);

/* Make room for `capacity` entries in the run, for gasp_heap_append.  GASP_OK or GASP_ENOMEM. */
int gasp_heap_reserve(gasp_heap_t *h, gasp_idx_t capacity);

/* Sort every queued entry into the run: O(size) expected (buckets by key, then a comparison sort
 * inside each bucket), in place.  If the heap's entries do not fit in the run's room and it
 * cannot grow, they stay in the heap (still a valid queue). */
void gasp_heap_build(gasp_heap_t *h);

/* gasp_heap_build, polling cancel (may be NULL) about every 2^16 elements of sorting work:
 * GASP_OK, or GASP_EINTERRUPTED when *cancel became non-zero (the queue is then unusable). */
int gasp_heap_build_cancel(gasp_heap_t *h, const volatile int32_t *cancel);

static inline int gasp_heap_contains(const gasp_heap_t *h, gasp_idx_t item)
{
    return h->pos[item] != -1;
}

/* GASP_OK when every invariant above holds, GASP_EINTERNAL otherwise. */
int gasp_heap_check(const gasp_heap_t *h);

#endif /* GASP_HEAP_H */
