/*
 * engine.c -- unity build of the engine: one translation unit, so the compiler can inline the
 * heap and graph operations into the main loop.  Compiled twice, through engine32.c and
 * engine64.c, once per id width (see gasp.h).
 */
#define _DEFAULT_SOURCE 1 /* posix_memalign and madvise under -std=c99 (see alloc.h) */
#include "heap.c"
#include "unionfind.c"
#include "graph.c"
#include "fastpath.c"
#include "refine.c"
#include "gasp.c"
#include "image.c"
#include "grid.c"
#include "selftest.c"
