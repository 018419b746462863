/*
 * alloc.h -- allocation of the engine's large working arrays.
 *
 * The engine's loops read its big arrays (edge records, hash slots, adjacency blocks, heap) at
 * random, so with 4 KiB pages most accesses of a large graph also miss the TLB.  On Linux, where
 * transparent huge pages are often enabled only on request ("madvise" mode), arrays of 4 MiB or
 * more are aligned to 2 MiB and advised MADV_HUGEPAGE.  Elsewhere, or when that fails, this is
 * plain malloc.  Memory from gasp_alloc is released with free() and may be passed to realloc().
 */
#ifndef GASP_ALLOC_H
#define GASP_ALLOC_H

#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define GASP_HUGE_MIN ((size_t)4 << 20)
#define GASP_HUGE_ALIGN ((size_t)2 << 20)

static inline void *gasp_alloc(size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(GASP_NO_HUGEPAGES)
    if (bytes >= GASP_HUGE_MIN) {
        void *p = NULL;
        if (posix_memalign(&p, GASP_HUGE_ALIGN, bytes) == 0) {
            (void)madvise(p, bytes, MADV_HUGEPAGE);  /* advice only: failure is harmless */
            return p;
        }
        return NULL;
    }
#endif
    return malloc(bytes);
}

#endif /* GASP_ALLOC_H */
