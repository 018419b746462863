/* gasp_cdef.h -- the only C declarations Python sees (cffi cdef).  Mirrors gasp.h. */
typedef enum {
    GASP_OK = 0,
    GASP_ENOMEM = 1,
    GASP_EINVAL = 2,
    GASP_EINTERRUPTED = 3,
    GASP_ENUMERIC = 4,
    GASP_EINTERNAL = 5,
    GASP_ETOOBIG = 6
} gasp_error_t;

typedef enum {
    GASP_LINKAGE_SUM = 0,
    GASP_LINKAGE_AVERAGE = 1,
    GASP_LINKAGE_MAX = 2,
    GASP_LINKAGE_MIN = 3,
    GASP_LINKAGE_ABS_MAX = 4,
    GASP_LINKAGE_GENERALIZED_MEAN = 5,
    GASP_LINKAGE_SMOOTH_MAX = 6,
    ...
} gasp_linkage_t;

typedef enum {
    GASP_REFINE_NONE = 0,
    GASP_REFINE_FULL = 1,
    GASP_REFINE_MOVES = 2
} gasp_refine_t;

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
    GASP_ARG_IMAGE_SHAPE = 20,
    GASP_ARG_IMAGE_LABELS = 21,
    GASP_ARG_HEIGHT = 22,
    GASP_ARG_SEEDS = 23,
    GASP_ARG_SAMPLING = 24,
    GASP_ARG_NODE_WEIGHTS = 30,
    GASP_ARG_RESOLUTION = 31,
    GASP_ARG_LABELS = 32,
    GASP_ARG_SHAPE = 40,
    GASP_ARG_OFFSETS = 41,
    GASP_ARG_AFFINITIES = 42,
    GASP_ARG_VALUE_TYPE = 43,
    GASP_ARG_MASK = 44,
    GASP_ARG_OFFSET_FLAGS = 45,
    GASP_ARG_KEEP_BITS = 46,
    GASP_ARG_WEIGHT_KIND = 47,
    GASP_ARG_BETA = 48,
    GASP_ARG_EPS = 49
} gasp_arg_t;

typedef enum {
    GASP_VALUES_FLOAT64 = 0,
    GASP_VALUES_FLOAT32 = 1
} gasp_value_type_t;

typedef enum {
    GASP_WEIGHTS_LINEAR = 0,
    GASP_WEIGHTS_LOGIT = 1
} gasp_weight_kind_t;

typedef enum {
    GASP_OFFSET_LIFTED = 1,
    GASP_OFFSET_SAMPLED = 2
} gasp_offset_flag_t;

typedef enum {
    GASP_PHASE_VALIDATE = 1,
    GASP_PHASE_SORT = 2,
    GASP_PHASE_SHORTCUT = 3,
    GASP_PHASE_BUILD = 4,
    GASP_PHASE_HEAP = 5,
    GASP_PHASE_MERGE = 6,
    GASP_PHASE_LABELS = 7,
    GASP_PHASE_DONE = 8,
    GASP_PHASE_REFINE = 9
} gasp_phase_t;

typedef struct {
    int32_t linkage;
    double linkage_param;
    int32_t cannot_link;
    int32_t merge_constrained_at_end;
    double size_regularizer;
    int64_t n_clusters;
    int64_t min_clusters;
    int32_t run_to_completion;
    int32_t no_fast_path;
    const volatile int32_t *cancel;
    int32_t (*progress)(void *ctx, int64_t n_merges, int64_t n_clusters, double value);
    void *progress_ctx;
    int64_t progress_every;
    const double *null_weights;
    double resolution;
    int32_t refine;
} gasp_options_t;

typedef struct {
    int64_t n_merges;
    int64_t n_clusters;
    int64_t n_pops;
    int64_t n_moved;
    int64_t n_folds;
    int32_t stopped;
    int64_t n_merges_gasp;
    int32_t err_arg;
    int64_t err_index;
    int64_t n_moves;
    double refine_gain;
    int64_t n_rekeys;
    int32_t phase;
} gasp_stats_t;

int gasp_run(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
             const double *edge_sizes, const uint8_t *is_lifted, const double *node_sizes,
             const gasp_options_t *options, int64_t *labels, int64_t *merges, double *heights,
             gasp_stats_t *stats);
int gasp_image_components(int32_t ndim, const int64_t *shape, const int64_t *labels,
                          const uint8_t *links, int64_t *out, const volatile int32_t *cancel,
                          gasp_stats_t *stats);
int gasp_image_watershed(int32_t ndim, const int64_t *shape, const double *height,
                         const int64_t *seeds, const uint8_t *mask, int64_t *out,
                         const volatile int32_t *cancel, gasp_stats_t *stats);
int gasp_image_distance(int32_t ndim, const int64_t *shape, const uint8_t *inside,
                        const double *sampling, double *out, const volatile int32_t *cancel,
                        gasp_stats_t *stats);
int gasp_region_pairs(int64_t n_nodes, int64_t m, const int64_t *u, const int64_t *v,
                      int64_t *pair, const volatile int32_t *cancel, gasp_stats_t *stats);
int gasp_region_stats(int64_t m, int64_t n_pairs, const int64_t *pair, const double *w,
                      const int64_t *eid, const uint8_t *local, int64_t *count, double *sum,
                      double *max, double *min, int64_t *local_count, double *local_sum,
                      int64_t *first, int64_t *argmax, int64_t *argmin,
                      const volatile int32_t *cancel, gasp_stats_t *stats);
int gasp_refine(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *weights,
                const double *edge_sizes, const gasp_options_t *options, int64_t *labels,
                gasp_stats_t *stats);
int gasp_grid_run(int32_t ndim, const int64_t *shape, int32_t n_offsets, const int64_t *offsets,
                  const void *affinities, int32_t value_type, const uint8_t *mask,
                  const uint8_t *offset_flags, const uint8_t *keep_bits, int64_t n_keep_bytes,
                  int32_t weight_kind, double beta, double eps, const gasp_options_t *options,
                  int64_t *labels, int64_t *merges, double *heights, gasp_stats_t *stats);
int gasp_signed_weights(const void *p, int32_t value_type, int64_t n, int32_t weight_kind,
                        double beta, double eps, double *out, gasp_stats_t *stats);
int gasp_index_bits(void);
int64_t gasp_max_nodes(void);
int64_t gasp_max_edges(void);
int gasp_debug_build(void);
int gasp_selftest(uint64_t seed, int64_t n_ops);

/* Progress callbacks into Python (cffi "extern Python"): ctx is a cffi handle. */
extern "Python" int32_t gasp_py_progress(void *ctx, int64_t n_merges, int64_t n_clusters, double value);
