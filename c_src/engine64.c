/* engine64.c -- the engine with 64-bit ids inside (module gasp_graph._gasp64). */
#define GASP_IDX64 1
#include "engine.c"
