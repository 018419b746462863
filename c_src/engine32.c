/* engine32.c -- the engine with 32-bit ids inside (module gasp_graph._gasp32). */
#include "engine.c"
