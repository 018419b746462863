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
    GASP_ARG_LABELS = 32
} gasp_arg_t;

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
int gasp_collapse(int64_t n_nodes, int64_t n_edges, const int64_t *edges, const double *values,
                  const int64_t *labels, int64_t n_clusters, int64_t *out_edges,
                  double *out_values, int64_t *out_m);
int gasp_index_bits(void);
int64_t gasp_max_nodes(void);
int64_t gasp_max_edges(void);
int gasp_debug_build(void);
int gasp_selftest(uint64_t seed, int64_t n_ops);

/* Progress callbacks into Python (cffi "extern Python"): ctx is a cffi handle. */
extern "Python" int32_t gasp_py_progress(void *ctx, int64_t n_merges, int64_t n_clusters, double value);
