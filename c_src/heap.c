/*
 * heap.c -- indexed priority queue: a sorted run plus a 4-ary max-heap; see heap.h for the order
 * and the invariants.
 *
 * The heap is 4-ary: half the depth of a binary heap, and the four children of an entry sit next
 * to each other in memory, so a sift-down step reads one cache line (entries hold the key and the
 * id together, in heap order, so comparisons do not chase item ids).
 *
 * The run is sorted in place by gasp_heap_build: entries are distributed into 256 buckets of
 * equal key width between the smallest and the largest key (an in-place American flag sort: one
 * pass to count, one cycle-following pass to permute), recursively, and small buckets are sorted
 * by the full order (key, then id) with a quicksort that ends in insertion sort.  The bucket of
 * an entry is a monotone function of its key, so sorting inside the buckets gives the total
 * order whatever the rounding of the bucket arithmetic.
 */
#include "heap.h"

#include <math.h>
#include <stdlib.h>

#include "alloc.h"

/* Non-zero when (ka, ia) comes before (kb, ib). */
static inline int before(double ka, gasp_idx_t ia, double kb, gasp_idx_t ib)
{
    return ka > kb || (ka == kb && ia < ib);
}

static inline int entry_before(const gasp_heap_entry_t *a, const gasp_heap_entry_t *b)
{
    return before(a->key, a->id, b->key, b->id);
}

int gasp_heap_init(gasp_heap_t *h, gasp_idx_t n_items, gasp_idx_t capacity)
{
    size_t n = n_items > 0 ? (size_t)n_items : 1;
    if (capacity > n_items)
        capacity = n_items;
    if (capacity < 1)
        capacity = 1;
    h->at = gasp_alloc((size_t)capacity * sizeof *h->at);
    h->run = NULL;
    h->pos = gasp_alloc(n * sizeof *h->pos);
    h->size = h->hsize = h->n_run = 0;
    h->run_head = h->run_len = h->run_cap = 0;
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
    free(h->run);
    free(h->pos);
    h->at = h->run = NULL;
    h->pos = NULL;
    h->size = h->hsize = h->n_run = 0;
    h->run_head = h->run_len = h->run_cap = 0;
}

void gasp_heap_clear(gasp_heap_t *h)
{
    for (gasp_idx_t i = 0; i < h->hsize; i++)
        h->pos[h->at[i].id] = -1;
    for (gasp_idx_t j = h->run_head; j < h->run_len; j++)
        if (h->run[j].id >= 0)
            h->pos[h->run[j].id] = -1;
    h->size = h->hsize = h->n_run = 0;
    h->run_head = h->run_len = 0;
}

/* Move the entry (item, key) up from heap index i to its place. */
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

/* Move the entry (item, key) down from heap index i to its place. */
static void sift_down(gasp_heap_t *h, gasp_idx_t i, gasp_idx_t item, double key)
{
    const gasp_idx_t size = h->hsize;
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
    if (capacity <= h->run_cap)
        return GASP_OK;
    gasp_heap_entry_t *run = realloc(h->run, (size_t)capacity * sizeof *run);
    if (!run)
        return GASP_ENOMEM;
    h->run = run;
    h->run_cap = capacity;
    return GASP_OK;
}

void gasp_heap_push(gasp_heap_t *h, gasp_idx_t item, double key)
{
    if (h->hsize == h->capacity) {
        int64_t want = (int64_t)h->capacity + h->capacity / 2 + 16;
        if (want > h->n_items)
            want = h->n_items;
        gasp_heap_entry_t *at = realloc(h->at, (size_t)want * sizeof *at);
        if (!at) {
            h->failed = 1;
            return;
        }
        h->at = at;
        h->capacity = (gasp_idx_t)want;
    }
    h->size++;
    sift_up(h, h->hsize++, item, key);
}

/* Take the live run entry at index j out of the run (it leaves a hole). */
static inline void run_kill(gasp_heap_t *h, gasp_idx_t j)
{
    h->pos[h->run[j].id] = -1;
    h->run[j].id = -1;
    h->n_run--;
    h->size--;
}

/* Remove the entry at heap index i. */
static void heap_remove_at(gasp_heap_t *h, gasp_idx_t i)
{
    h->pos[h->at[i].id] = -1;
    h->size--;
    gasp_idx_t last = --h->hsize;
    if (i == last)
        return;
    gasp_idx_t moved = h->at[last].id;
    double key = h->at[last].key;
    if (i > 0 && before(key, moved, h->at[(i - 1) >> 2].key, h->at[(i - 1) >> 2].id))
        sift_up(h, i, moved, key);
    else
        sift_down(h, i, moved, key);
}

void gasp_heap_set(gasp_heap_t *h, gasp_idx_t item, double key)
{
    gasp_idx_t i = h->pos[item];
    if (i < 0) {
        if (i != -1)
            run_kill(h, -2 - i);
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
    if (i == -1)
        return;
    if (i < 0)
        run_kill(h, -2 - i);
    else
        heap_remove_at(h, i);
}

/* Drop the holes at the run's head; non-zero when the run's head comes before the heap's top
 * (or the heap is empty and the run is not). */
static inline int run_first(gasp_heap_t *h)
{
    while (h->run_head < h->run_len && h->run[h->run_head].id < 0)
        h->run_head++;
    return h->run_head < h->run_len &&
           (h->hsize == 0 || entry_before(&h->run[h->run_head], &h->at[0]));
}

gasp_idx_t gasp_heap_pop(gasp_heap_t *h)
{
    if (run_first(h)) {
        gasp_idx_t top = h->run[h->run_head].id;
        run_kill(h, h->run_head++);
        return top;
    }
    gasp_idx_t top = h->at[0].id;
    heap_remove_at(h, 0);
    return top;
}

gasp_idx_t gasp_heap_top(gasp_heap_t *h, double *key)
{
    const gasp_heap_entry_t *first = run_first(h) ? &h->run[h->run_head] : &h->at[0];
    *key = first->key;
    return first->id;
}

void gasp_heap_append(gasp_heap_t *h, gasp_idx_t item, double key)
{
    gasp_idx_t j = h->run_len++;
    h->run[j].key = key;
    h->run[j].id = item;
    h->pos[item] = -2 - j;
    h->n_run++;
    h->size++;
}

/* ---------------------------------------------------------------------------------------------
 * Sorting the run
 * ------------------------------------------------------------------------------------------- */

#define INSERTION_MAX 16

/* Cancellation of a long sort (gasp_heap_build_cancel): cancel is polled about every 2^16
 * elements of work; once it is set the sorts return at once, leaving the array out of order. */
typedef struct {
    const volatile int32_t *cancel;  /* not owned; may be NULL */
    int64_t work;                    /* element operations since the last poll */
    int stopped;                     /* cancel was seen */
} sort_ctl_t;

static inline int sort_poll(sort_ctl_t *c, int64_t units)
{
    if (c->stopped)
        return 1;
    c->work += units;
    if (c->work >= 0x10000) {
        c->work = 0;
        c->stopped = c->cancel && *c->cancel;
    }
    return c->stopped;
}

static void insertion_sort(gasp_heap_entry_t *a, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        gasp_heap_entry_t x = a[i];
        int64_t j = i;
        while (j > 0 && entry_before(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static inline void swap_entries(gasp_heap_entry_t *a, gasp_heap_entry_t *b)
{
    gasp_heap_entry_t t = *a;
    *a = *b;
    *b = t;
}

/* Quicksort by the queue order (median of three pivots; the smaller side recursed, so the depth
 * is O(log n)).  The order is total (ids differ), so equal elements never occur. */
static void quick_sort(gasp_heap_entry_t *a, int64_t n, sort_ctl_t *c)
{
    while (n > INSERTION_MAX) {
        if (sort_poll(c, n))  /* a partition costs O(n) */
            return;
        int64_t mid = n / 2;
        if (entry_before(&a[mid], &a[0]))
            swap_entries(&a[mid], &a[0]);
        if (entry_before(&a[n - 1], &a[0]))
            swap_entries(&a[n - 1], &a[0]);
        if (entry_before(&a[n - 1], &a[mid]))
            swap_entries(&a[n - 1], &a[mid]);
        gasp_heap_entry_t pivot = a[mid];
        int64_t i = 0, j = n - 1;
        for (;;) {
            while (entry_before(&a[i], &pivot))
                i++;
            while (entry_before(&pivot, &a[j]))
                j--;
            if (i >= j)
                break;
            swap_entries(&a[i], &a[j]);
            i++;
            j--;
        }
        int64_t left = j + 1;  /* a[0..left) before-or-equal the pivot, a[left..n) after-or-equal */
        if (left < n - left) {
            quick_sort(a, left, c);
            a += left;
            n -= left;
        } else {
            quick_sort(a + left, n - left, c);
            n = left;
        }
    }
    insertion_sort(a, n);
}

#define RADIX 256

/* Bucket of key: 0 for the largest key, RADIX - 1 at most; non-increasing in key. */
static inline int bucket_of(double key, double half_hi, double scale)
{
    double x = (half_hi - 0.5 * key) * scale;
    int b = x > 0.0 ? (int)x : 0;
    return b < RADIX ? b : RADIX - 1;
}

/* Sort a[0..n) in the queue order, in place: RADIX buckets of equal key width between the
 * smallest and the largest key (American flag sort; RADIX write positions stay in cache), each
 * bucket sorted the same way until it is small (or all its keys are equal). */
static void sort_entries(gasp_heap_entry_t *a, int64_t n, sort_ctl_t *c)
{
    if (n <= 64) {
        quick_sort(a, n, c);
        return;
    }
    if (sort_poll(c, 2 * n))  /* the two passes below */
        return;
    double lo = a[0].key, hi = a[0].key;
    for (int64_t i = 1; i < n; i++) {
        lo = a[i].key < lo ? a[i].key : lo;
        hi = a[i].key > hi ? a[i].key : hi;
    }
    /* halves keep the width finite for any finite keys */
    double width = 0.5 * hi - 0.5 * lo;
    double half_hi = 0.5 * hi, scale = (double)RADIX / width;
    if (!(width > 0.0) || !isfinite(scale)) {
        quick_sort(a, n, c);  /* equal keys, or too close together for buckets */
        return;
    }
    int64_t next[RADIX], end[RADIX];
    for (int b = 0; b < RADIX; b++)
        end[b] = 0;
    for (int64_t i = 0; i < n; i++)
        end[bucket_of(a[i].key, half_hi, scale)]++;
    int64_t sum = 0;
    for (int b = 0; b < RADIX; b++) {
        next[b] = sum;
        sum += end[b];
        end[b] = sum;
    }
    /* follow each displaced entry to its bucket's next free place */
    for (int b = 0; b < RADIX; b++) {
        if (sort_poll(c, end[b] - next[b]))
            return;
        while (next[b] < end[b]) {
            gasp_heap_entry_t x = a[next[b]];
            int c = bucket_of(x.key, half_hi, scale);
            while (c != b) {
                swap_entries(&x, &a[next[c]++]);
                c = bucket_of(x.key, half_hi, scale);
            }
            a[next[b]++] = x;
        }
    }
    int64_t start = 0;
    for (int b = 0; b < RADIX; b++) {
        if (end[b] - start == n) {
            quick_sort(a, n, c);  /* one bucket took everything (a far outlier): stop splitting */
            return;
        }
        sort_entries(a + start, end[b] - start, c);
        if (c->stopped)
            return;
        start = end[b];
    }
}

int gasp_heap_build_cancel(gasp_heap_t *h, const volatile int32_t *cancel)
{
    sort_ctl_t ctl = {cancel, 0, 0};
    /* gather the live entries at the front of the run: its own, then the heap's */
    gasp_idx_t k = 0;
    for (gasp_idx_t j = h->run_head; j < h->run_len; j++)
        if (h->run[j].id >= 0)
            h->run[k++] = h->run[j];
    h->run_head = 0;
    h->run_len = k;
    if (h->hsize > 0 && gasp_heap_reserve(h, k + h->hsize) == GASP_OK) {
        for (gasp_idx_t i = 0; i < h->hsize; i++)
            h->run[k++] = h->at[i];
        h->run_len = k;
        h->n_run += h->hsize;
        h->hsize = 0;
    }
    sort_entries(h->run, k, &ctl);
    if (ctl.stopped)
        return GASP_EINTERRUPTED;  /* the run is out of order and pos[] stale: not usable */
    for (gasp_idx_t j = 0; j < k; j++)
        h->pos[h->run[j].id] = -2 - j;
    return GASP_OK;
}

void gasp_heap_build(gasp_heap_t *h)
{
    (void)gasp_heap_build_cancel(h, NULL);
}

int gasp_heap_check(const gasp_heap_t *h)
{
    if (h->hsize < 0 || h->hsize > h->capacity || h->capacity > (h->n_items > 0 ? h->n_items : 1))
        return GASP_EINTERNAL;
    if (h->run_head < 0 || h->run_head > h->run_len || h->run_len > h->run_cap ||
        h->size != h->n_run + h->hsize)
        return GASP_EINTERNAL;
    gasp_idx_t present = 0;
    for (gasp_idx_t x = 0; x < h->n_items; x++) {
        gasp_idx_t i = h->pos[x];
        if (i == -1)
            continue;
        if (i >= 0 ? (i >= h->hsize || h->at[i].id != x)
                   : (-2 - i < h->run_head || -2 - i >= h->run_len || h->run[-2 - i].id != x))
            return GASP_EINTERNAL;
        present++;
    }
    if (present != h->size)
        return GASP_EINTERNAL;
    gasp_idx_t live = 0;
    const gasp_heap_entry_t *prev = NULL;
    for (gasp_idx_t j = h->run_head; j < h->run_len; j++) {
        if (h->run[j].id < 0)
            continue;
        if (prev && !entry_before(prev, &h->run[j]))
            return GASP_EINTERNAL;
        prev = &h->run[j];
        live++;
    }
    if (live != h->n_run)
        return GASP_EINTERNAL;
    for (gasp_idx_t i = 1; i < h->hsize; i++) {
        gasp_idx_t p = (i - 1) >> 2;
        if (before(h->at[i].key, h->at[i].id, h->at[p].key, h->at[p].id))
            return GASP_EINTERNAL;
    }
    return GASP_OK;
}
