/*
 * gasp.h -- public C API of the gasp_graph engine.
 *
 * GASP (Generalized Algorithm for Signed graph Partitioning; Bailoni et al., "GASP, a generalized
 * framework for agglomerative clustering of signed graphs and its application to Instance
 * Segmentation", CVPR 2022) clusters a graph whose edge weights are signed: w > 0 attracts,
 * w < 0 repels.  The engine contracts edges greedily, highest linkage first, folding parallel edges
 * with the chosen linkage rule, until no strictly positive local linkage is left.
 *
 * Ownership: every pointer passed to gasp_run() belongs to the caller.  The engine reads the input
 * arrays, writes the caller-provided output arrays, and frees all of its own scratch memory before
 * it returns, on success and on every error path.  It keeps no global mutable state, so several
 * threads may call it at once.
 *
 * Inside, ids are gasp_idx_t: int32_t by default, int64_t when compiled with GASP_IDX64.  The
 * Python layer loads the 32-bit module when n_nodes and 2*n_edges fit, the 64-bit one otherwise.
 */
#ifndef GASP_H
#define GASP_H

#include <stdint.h>

#ifdef GASP_IDX64
typedef int64_t gasp_idx_t;
#define GASP_IDX_MAX INT64_MAX
#else
typedef int32_t gasp_idx_t;
#define GASP_IDX_MAX INT32_MAX
#endif

/* Error codes returned by every fallible function.  GASP_OK is zero. */
typedef enum {
    GASP_OK = 0,
    GASP_ENOMEM = 1,        /* a working array could not be allocated */
    GASP_EINVAL = 2,        /* an argument is invalid; gasp_stats_t says which and where */
    GASP_EINTERRUPTED = 3,  /* *options->cancel became non-zero during the run */
    GASP_ENUMERIC = 4,      /* a value left the double range: a linkage value overflowed (inf or
                               NaN), or a size factor or regularised priority left the normal
                               range (see gasp.c, "Size factors") */
    GASP_EINTERNAL = 5,     /* an invariant check failed: a bug, please report it */
    GASP_ETOOBIG = 6        /* the graph does not fit the id width of this module */
} gasp_error_t;

/* Linkage rules: how two parallel cluster-pair edges fold into one. */
typedef enum {
    GASP_LINKAGE_SUM = 0,              /* sum of size * weight */
    GASP_LINKAGE_AVERAGE = 1,          /* size-weighted mean; sizes add up */
    GASP_LINKAGE_MAX = 2,              /* largest weight (sizes ignored) */
    GASP_LINKAGE_MIN = 3,              /* smallest weight (sizes ignored) */
    GASP_LINKAGE_ABS_MAX = 4,          /* weight of largest magnitude; exact opposite tie -> negative */
    GASP_LINKAGE_GENERALIZED_MEAN = 5, /* (sum s*f(w) / sum s) mapped back, f(w) = sign(w)|w|^p */
    GASP_LINKAGE_SMOOTH_MAX = 6,       /* pairwise exp(p*w)-weighted mean, as in nifty */
    GASP_LINKAGE_COUNT_ = 7
} gasp_linkage_t;

/* What options.refine asks for (gasp_run after its merges, gasp_refine from given labels). */
typedef enum {
    GASP_REFINE_NONE = 0,   /* gasp_run: no refinement (gasp_refine: as GASP_REFINE_FULL) */
    GASP_REFINE_FULL = 1,   /* the multilevel search (Leiden's phases, deterministic), then node
                               moves; gasp_run also searches from singletons and keeps the
                               better partition */
    GASP_REFINE_MOVES = 2   /* node moves only, until none gains */
} gasp_refine_t;

/* Which argument an GASP_EINVAL refers to (gasp_stats_t.err_arg). */
typedef enum {
    GASP_ARG_NONE = 0,
    GASP_ARG_N_NODES = 1,
    GASP_ARG_N_EDGES = 2,
    GASP_ARG_EDGES = 3,
    GASP_ARG_WEIGHTS = 4,
    GASP_ARG_EDGE_SIZES = 5,
    GASP_ARG_NODE_SIZES = 6,
    GASP_ARG_LINKAGE = 7,
    GASP_ARG_LINKAGE_PARAM = 8,
    GASP_ARG_SIZE_REGULARIZER = 9,
    GASP_ARG_N_CLUSTERS = 10,
    GASP_ARG_OPTIONS = 11,
    GASP_ARG_OUTPUT = 12,
    GASP_ARG_PROGRESS_EVERY = 13,
    /* image operations (gasp_image_*) */
    GASP_ARG_IMAGE_SHAPE = 20,
    GASP_ARG_IMAGE_LABELS = 21,
    GASP_ARG_HEIGHT = 22,
    GASP_ARG_SEEDS = 23,
    GASP_ARG_SAMPLING = 24,
    GASP_ARG_NODE_WEIGHTS = 30,        /* options.null_weights */
    GASP_ARG_RESOLUTION = 31,          /* options.resolution */
    GASP_ARG_LABELS = 32,              /* gasp_refine's input labels */
    /* arguments of gasp_grid_run and gasp_signed_weights */
    GASP_ARG_SHAPE = 40,           /* err_index: the dimension (ndim itself: -1) */
    GASP_ARG_OFFSETS = 41,         /* err_index: the offset */
    GASP_ARG_AFFINITIES = 42,      /* err_index: the flat index of the value */
    GASP_ARG_VALUE_TYPE = 43,
    GASP_ARG_MASK = 44,            /* err_index: the pixel */
    GASP_ARG_OFFSET_FLAGS = 45,    /* err_index: the offset */
    GASP_ARG_KEEP_BITS = 46,       /* the bitstreams' total length differs from n_keep_bytes */
    GASP_ARG_WEIGHT_KIND = 47,
    GASP_ARG_BETA = 48,
    GASP_ARG_EPS = 49
} gasp_arg_t;

/* Element types of affinity (probability) arrays. */
typedef enum {
    GASP_VALUES_FLOAT64 = 0,
    GASP_VALUES_FLOAT32 = 1
} gasp_value_type_t;

/* Probability -> signed weight mappings (beta in (0, 1) maps to 0):
 * linear: w = p - beta;  logit: w = log(q / (1 - q)) - log(beta / (1 - beta)), q = p clipped to
 * [eps, 1 - eps], 0 < eps < 0.5. */
typedef enum {
    GASP_WEIGHTS_LINEAR = 0,
    GASP_WEIGHTS_LOGIT = 1
} gasp_weight_kind_t;

/* Per-offset flags of gasp_grid_run. */
typedef enum {
    GASP_OFFSET_LIFTED = 1,   /* the offset's edges are lifted (never merge by themselves) */
    GASP_OFFSET_SAMPLED = 2   /* a keep bit decides each candidate edge of the offset */
} gasp_offset_flag_t;

/* What the engine is doing (gasp_stats_t.phase). */
typedef enum {
    GASP_PHASE_VALIDATE = 1,  /* checking the arguments */
    GASP_PHASE_SORT = 2,      /* mutex watershed shortcut: sorting and gathering the edges */
    GASP_PHASE_SHORTCUT = 3,  /* a shortcut's main loop (components, mutex watershed) */
    GASP_PHASE_BUILD = 4,     /* building the contraction graph */
    GASP_PHASE_HEAP = 5,      /* filling and building the priority queue of a pass */
    GASP_PHASE_MERGE = 6,     /* the main loop of a pass */
    GASP_PHASE_LABELS = 7,    /* writing the labels */
    GASP_PHASE_DONE = 8,      /* finished successfully */
    GASP_PHASE_REFINE = 9     /* local moves after the merges (options.refine) */
} gasp_phase_t;

/* Options of one run.  Zero-initialised means: sum linkage, no constraints, no regulariser. */
typedef struct {
    int32_t linkage;                   /* a gasp_linkage_t */
    double linkage_param;              /* p of generalized_mean (> 0) and smooth_max (finite) */
    int32_t cannot_link;               /* non-zero: process by |W|, W <= 0 installs a constraint */
    int32_t merge_constrained_at_end;  /* non-zero: unconstrained pass after the constrained one */
    double size_regularizer;           /* r >= 0: priorities scaled by (Su^-r + Sv^-r) / 2 */
    int64_t n_clusters;                /* k >= 1: exactly k clusters (GASP's passes stop at k; if
                                          more remain, a completion pass merges the best local
                                          pairs of any sign, ignoring constraints, until k remain
                                          or no local edge is left); 0 = no target */
    int64_t min_clusters;              /* k >= 1: stop once at most k clusters remain (the
                                          reference implementation's early stop); 0 = no stop.
                                          Setting both n_clusters and min_clusters is EINVAL. */
    int32_t run_to_completion;         /* non-zero: a last unconstrained pass merges local edges of
                                          any sign, highest W first, until none is left */
    int32_t no_fast_path;              /* non-zero: always run the general loop (for testing) */
    const volatile int32_t *cancel;    /* NULL, or polled every few thousand steps: non-zero ends
                                          the run with GASP_EINTERRUPTED (no result) */
    /* NULL, or called after every progress_every-th merge with the merges done, the clusters
     * left and the linkage value of that merge; a non-zero return stops the run early with the
     * partition reached so far (stats.stopped = 1, return GASP_OK).  The callback must not call
     * back into the engine for the same run. */
    int32_t (*progress)(void *ctx, int64_t n_merges, int64_t n_clusters, double value);
    void *progress_ctx;                /* passed to progress as is */
    int64_t progress_every;            /* >= 1 when progress is set */
    /* Null model (sum linkage only, no cannot_link): NULL, or n finite values a_i >= 0.  The
     * linkage value of clusters S and T becomes W(S, T) = w(S, T) - resolution * a_S * a_T with
     * a_S the sum of a_i over S (CNM greedy modularity, greedy CPM). */
    const double *null_weights;
    double resolution;                 /* gamma >= 0 of the null model (and of refine) */
    int32_t refine;                    /* a gasp_refine_t: local search after the merges (not
                                          with n_clusters, min_clusters, cannot_link or
                                          lifted edges) */
} gasp_options_t;

/* Filled by gasp_run() when the caller passes a non-NULL pointer. */
typedef struct {
    int64_t n_merges;    /* merges performed */
    int64_t n_clusters;  /* clusters in the result */
    int64_t n_pops;      /* priority-queue pops (merges plus installed constraints) */
    int64_t n_moved;     /* edges re-attached from an absorbed cluster (the contraction work) */
    int64_t n_folds;     /* parallel edges folded into one (duplicates in the input included) */
    int32_t stopped;     /* 1 when the progress callback stopped the run early */
    int64_t n_merges_gasp; /* merges before the completion pass (= n_merges without it) */
    int32_t err_arg;     /* with GASP_EINVAL: a gasp_arg_t */
    int64_t err_index;   /* with GASP_EINVAL: offending element index, or -1 */
    int64_t n_moves;     /* node moves made by the refinement */
    double refine_gain;  /* the objective's increase due to the refinement */
    int64_t n_rekeys;    /* priority-queue keys recomputed after merges (folded edges, stale keys
                            re-checked on top of the queue, refreshed clusters) */
    int32_t phase;       /* a gasp_phase_t: written as the run proceeds (another thread may read
                            it); after an error, the phase the run ended in */
} gasp_stats_t;

/*
 * gasp_run -- partition a signed graph with GASP.
 *
 * n_nodes     number of nodes n >= 0; node ids are 0..n-1.
 * n_edges     number of edges m >= 0.
 * edges       2*m int64 ids, row k = (edges[2k], edges[2k+1]); ids in [0, n), no self-loops.
 *             Duplicate pairs are legal: they fold at the start, in index order.
 * weights     m finite doubles; > 0 attracts, < 0 repels.
 * edge_sizes  NULL (all 1) or m finite doubles > 0.
 * is_lifted   NULL (all local) or m bytes; non-zero marks a lifted (never merging) edge.
 * node_sizes  NULL (all 1) or n finite doubles > 0; only read when size_regularizer > 0.
 * options     see gasp_options_t; must not be NULL.
 * labels      output, n int64: cluster labels 0..k-1 numbered by first occurrence.
 * merges      NULL, or output with room for 2*(n-1) int64: merge j joined clusters merges[2j] <
 *             merges[2j+1], where cluster ids < n are nodes and merge j creates cluster n+j.
 * heights     NULL, or output with room for n-1 doubles: the linkage value W of merge j.
 * stats       NULL, or output statistics and error details.
 *
 * Returns GASP_OK or an error code; on error the outputs hold no meaningful values.
 */
int gasp_run(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
             const double *edge_sizes, const uint8_t *is_lifted, const double *node_sizes,
             const gasp_options_t *options, int64_t *labels, int64_t *merges, double *heights,
             gasp_stats_t *stats);

/*
 * Label-image operations of the image pipeline (image.c), on n-D grids in C order.  Neighbours
 * are the direct ones (2 * ndim, offsets of L1 norm 1).  Each validates its arguments (GASP_EINVAL
 * with stats->err_arg / err_index; stats may be NULL), polls *cancel (may be NULL) every few
 * thousand pixels (GASP_EINTERRUPTED), never touches memory outside the prod(shape)-element
 * arrays it is given, and owns no memory after it returns.  All pointers belong to the caller.
 */
/* The largest number of dimensions accepted. */
#define GASP_IMAGE_MAX_NDIM 32

/*
 * gasp_image_components -- connected components of equal non-zero labels.
 *
 * labels  prod(shape) int64; pixels with equal non-zero labels that are direct neighbours are
 *         connected; 0 is background.
 * links   NULL, or ndim * prod(shape) bytes: then neighbours x and x + stride[d] (the next pixel
 *         along axis d) are only connected when links[d * prod(shape) + x] is non-zero.
 * out     output, prod(shape) int64: components 1..k numbered by first occurrence in C order,
 *         0 on background.  stats->n_clusters = k.
 */
int gasp_image_components(int32_t ndim, const int64_t *shape, const int64_t *labels,
                          const uint8_t *links, int64_t *out, const volatile int32_t *cancel,
                          gasp_stats_t *stats);

/*
 * gasp_image_watershed -- seeded watershed by priority flood.
 *
 * height  prod(shape) finite doubles: the relief (low = inside an object, high = boundary).
 * seeds   prod(shape) int64 >= 0: the labels to grow, 0 = unlabelled.
 * mask    NULL (everything) or prod(shape) bytes; pixels with mask 0 are never labelled.
 * out     output, prod(shape) int64: seeds copied, then every unlabelled pixel of the mask that
 *         is connected to a seed through mask pixels gets the label of the seed whose flood
 *         reaches it first.  The flood pops pixels by increasing height, equal heights in the
 *         order they were queued (first in, first out), and a popped pixel gives its label to
 *         its unlabelled neighbours, queued with their own height; neighbours are visited axis
 *         by axis, the lower neighbour first.  Every grown region is connected to its seed.
 *         stats->n_clusters = pixels labelled by the flood.
 */
int gasp_image_watershed(int32_t ndim, const int64_t *shape, const double *height,
                         const int64_t *seeds, const uint8_t *mask, int64_t *out,
                         const volatile int32_t *cancel, gasp_stats_t *stats);

/*
 * gasp_image_distance -- Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, one
 * lower envelope of parabolas per line, axis by axis: exact, O(n) per axis).
 *
 * inside    prod(shape) bytes: non-zero for the pixels whose distance is wanted.
 * sampling  NULL (all 1) or ndim finite values > 0: the pixel spacing along each axis.
 * out       output, prod(shape) doubles: the distance from every pixel to the nearest pixel with
 *           inside == 0 (0 on those), +infinity when there is none.
 */
int gasp_image_distance(int32_t ndim, const int64_t *shape, const uint8_t *inside,
                        const double *sampling, double *out, const volatile int32_t *cancel,
                        gasp_stats_t *stats);

/*
 * gasp_region_pairs -- group edges by the unordered pair of their ends (the region pairs of a
 * region graph), in O(m + n_nodes) by a counting sort on the smaller end.
 *
 * u, v   m int64 node ids in [0, n_nodes), u[e] != v[e].
 * pair   output, m int64: the pair of every edge, 0..P-1 numbered by first occurrence in edge
 *        order.  stats->n_clusters = P.
 */
int gasp_region_pairs(int64_t n_nodes, int64_t m, const int64_t *u, const int64_t *v,
                      int64_t *pair, const volatile int32_t *cancel, gasp_stats_t *stats);

/*
 * gasp_region_stats -- per pair: count, sum, max, min of w, the count and sum over the edges with
 * local[e] != 0, the first eid, and the first eid carrying the max (min).  Edges must come in
 * increasing eid order; pair[e] in [0, n_pairs); w finite.  Outputs: n_pairs entries each.
 */
int gasp_region_stats(int64_t m, int64_t n_pairs, const int64_t *pair, const double *w,
                      const int64_t *eid, const uint8_t *local, int64_t *count, double *sum,
                      double *max, double *min, int64_t *local_count, double *local_sum,
                      int64_t *first, int64_t *argmax, int64_t *argmin,
                      const volatile int32_t *cancel, gasp_stats_t *stats);

/*
 * gasp_refine -- improve a partition by local search (refine.c).
 *
 * Maximises F(P) = sum of s_e w_e over the edges inside clusters - resolution * sum over
 * clusters C of sum_{i < j in C} a_i a_j (a = options->null_weights; NULL: no penalty, and F is
 * the total positive weight minus the correlation-clustering disagreement).
 * options->refine == GASP_REFINE_MOVES: node moves only.  Nodes are visited from a FIFO queue
 * (initially 0..n-1); each moves to the neighbouring cluster, or a new singleton, of largest
 * gain when that gain exceeds a rounding tolerance; the neighbours of a moved node are queued
 * again.  Then clusters that are not connected through edges inside them are split into their
 * components (never lowers F); rounds repeat until one moves and splits nothing, so the result
 * is a local optimum for single-node moves.  O(m) per pass over the nodes.
 * GASP_REFINE_NONE or GASP_REFINE_FULL: first the multilevel search of refine.c (node moves,
 * refinement into well-connected sub-clusters, aggregation, repeated while F rises), then
 * perturbation steps (a fixed share of the clusters dissolved into singletons, drawn from a
 * fixed pseudo-random sequence, so the result is the same on every run; a step's result is
 * kept when F does not drop), then the node-move rounds above.  F never decreases.
 *
 * labels      input and output, n int64: any labels in [0, n) on input; on output numbered
 *             0..k-1 by first occurrence.  Edges as in gasp_run (self-loops are allowed and
 *             ignored); options: cancel, progress (called after every pass over the nodes with
 *             the moves done, the clusters and the gain so far; non-zero stops), null_weights
 *             and resolution are read.  stats: n_moves, refine_gain, n_clusters, err_*.
 */
int gasp_refine(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
                const double *edge_sizes, const gasp_options_t *options, int64_t *labels,
                gasp_stats_t *stats);

/*
 * gasp_grid_run -- GASP on the pixel graph of an n-D grid; the engine enumerates the edges itself.
 *
 * ndim, shape     1 <= ndim <= 32 dimensions of sizes >= 0; pixels are numbered in C order.
 * n_offsets, offsets  n_offsets rows of ndim int64: non-zero, pairwise distinct, no offset the
 *                 opposite of another.
 * affinities      n_offsets * prod(shape) values of value_type, C-contiguous (n_offsets, *shape):
 *                 affinities[k, p] in [0, 1] is the probability that pixels p and p + offsets[k]
 *                 belong together (only the values of existing edges are read).
 * mask            NULL, or prod(shape) bytes 0/1: edges touching a pixel outside are dropped.
 * offset_flags    NULL (all 0), or n_offsets bytes of gasp_offset_flag_t bits.
 * keep_bits, n_keep_bytes  the keep bitstreams of the sampled offsets (see grid.h), or NULL, 0.
 * weight_kind, beta, eps   the probability -> weight mapping (gasp_weight_kind_t).
 * options, labels, merges, heights, stats  as for gasp_run, on the prod(shape) pixels.
 *
 * Edge ids are offset-major, then by source pixel (the order of gasp_graph.GridGraph), so the
 * result equals gasp_run's on that edge list, with those weights and lifted flags, exactly.
 */
int gasp_grid_run(int32_t ndim, const int64_t *shape, int32_t n_offsets, const int64_t *offsets,
                  const void *affinities, int32_t value_type, const uint8_t *mask,
                  const uint8_t *offset_flags, const uint8_t *keep_bits, int64_t n_keep_bytes,
                  int32_t weight_kind, double beta, double eps, const gasp_options_t *options,
                  int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *stats);

/*
 * gasp_signed_weights -- out[i] = the weight of probability p[i] (n values of value_type in
 * [0, 1]) under weight_kind, beta and eps; the mapping gasp_grid_run applies.  Returns GASP_OK or
 * GASP_EINVAL (stats, if not NULL, says which argument and where).
 */
int gasp_signed_weights(const void *p, int32_t value_type, int64_t n, int32_t weight_kind,
                        double beta, double eps, double *out, gasp_stats_t *stats);

/* Width in bits of gasp_idx_t in this build (32 or 64). */
int gasp_index_bits(void);

/* The largest n_nodes and n_edges this build accepts. */
int64_t gasp_max_nodes(void);
int64_t gasp_max_edges(void);

/* Non-zero when invariant checks (*_check()) run after every step (debug builds). */
int gasp_debug_build(void);

/*
 * gasp_selftest -- exercise the engine's data structures (heap, union-find, contraction graph)
 * through their *_check() functions on pseudo-random operation sequences derived from seed.
 * Returns GASP_OK, or GASP_EINTERNAL when an invariant was violated.
 */
int gasp_selftest(uint64_t seed, int64_t n_ops);

#endif /* GASP_H */
