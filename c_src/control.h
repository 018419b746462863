/*
 * control.h -- run control shared by the engine's loops: the cancel flag and the phase record.
 *
 * Every loop that can run for more than a few milliseconds on a large graph polls the caller's
 * cancel flag (gasp_options_t.cancel) every GASP_POLL_EVERY iterations, so that Ctrl-C stops a
 * run within a fraction of a second in every phase (docs/guide/control.rst lists the measured
 * latencies).  The phase record (gasp_stats_t.phase) says which part of the run is going on.
 */
#ifndef GASP_CONTROL_H
#define GASP_CONTROL_H

#include <stdint.h>

#include "gasp.h"

/* Iterations between two polls of the cancel flag: of a streaming loop (a few ns each), and of
 * a loop that misses the cache at every step (union-find, hash table: up to ~1 us each). */
#define GASP_POLL_EVERY 0x10000
#define GASP_POLL_EVERY_RANDOM 0x1000

/* Non-zero when the caller asked the run to stop; cancel may be NULL. */
static inline int gasp_cancelled(const volatile int32_t *cancel)
{
    return cancel && *cancel;
}

/* Non-zero when iteration i of a streaming loop should poll and the run was cancelled. */
static inline int gasp_poll(int64_t i, const volatile int32_t *cancel)
{
    return (i & (GASP_POLL_EVERY - 1)) == 0 && gasp_cancelled(cancel);
}

/* The same for a loop with a cache miss per iteration. */
static inline int gasp_poll_random(int64_t i, const volatile int32_t *cancel)
{
    return (i & (GASP_POLL_EVERY_RANDOM - 1)) == 0 && gasp_cancelled(cancel);
}

/* Record the phase the run is in; another thread may read it while the run goes on. */
static inline void gasp_set_phase(gasp_stats_t *st, int phase)
{
    *(volatile int32_t *)&st->phase = phase;
}

#endif /* GASP_CONTROL_H */
