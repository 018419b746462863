/*
 * linkage.h -- the fold rules: how two parallel cluster-pair edges become one.
 *
 * An edge carries a value W and a size s.  When a contraction makes edges x and y parallel they
 * fold into one edge; x is the one with the lower id and keeps living.  Every rule is symmetric,
 * so the order only matters for the surviving id (the tie-breaking rule) and for smooth_max,
 * whose pairwise update depends on the merge history by design (it follows nifty).
 *
 *   sum               W = Wx + Wy              (edge values start as s * w)
 *   average           W = (Wx sx + Wy sy) / (sx + sy)
 *   max, min          W = max / min of Wx, Wy  (sizes ignored)
 *   abs_max           W = the value of larger magnitude; |Wx| == |Wy| with opposite signs keeps
 *                     the negative one (a repulsion that may already have installed a constraint
 *                     is never overruled by an equal attraction)
 *   generalized_mean  f(W) = (f(Wx) sx + f(Wy) sy) / (sx + sy), f(w) = sign(w) |w|^p, p > 0: the
 *                     odd extension of nifty's (sum s w^p / sum s)^(1/p), equal to it for w >= 0
 *   smooth_max        W = (Wx ex + Wy ey) / (ex + ey), e = s exp(p W), computed in the overflow-free
 *                     form W = Wy + (Wx - Wy) / (1 + exp(p (Wy - Wx) + log(sy / sx)))
 * Sizes add up in every rule.
 *
 * Which edge id survives a fold (it decides ties in the priority queue): for the selection
 * linkages (max, min, abs_max) the edge that carries the folded value, the lower id when both
 * do; for the others the lower id.  So a cluster pair is represented by its lowest-index edge,
 * or, for max / min / abs_max, by its lowest-index edge among those whose weight is the pair's
 * linkage value.  This makes the mutex-watershed shortcut exact even when weights tie.
 */
#ifndef GASP_LINKAGE_H
#define GASP_LINKAGE_H

#include <math.h>

#include "gasp.h"

/* Value an input edge starts with. */
static inline double gasp_linkage_init(int linkage, double w, double s)
{
    return linkage == GASP_LINKAGE_SUM ? w * s : w;
}

/* Does this linkage read edge sizes?  (Sizes still add up for the others, but nobody looks.) */
static inline int gasp_linkage_uses_sizes(int linkage)
{
    return linkage == GASP_LINKAGE_AVERAGE || linkage == GASP_LINKAGE_GENERALIZED_MEAN ||
           linkage == GASP_LINKAGE_SMOOTH_MAX;
}

static inline double gasp_signed_pow(double x, double p)
{
    return x < 0 ? -pow(-x, p) : pow(x, p);
}

/*
 * Given edges x (lower id) and y with values wx, wy about to fold: non-zero when y's id must
 * survive (see the file comment).
 */
static inline int gasp_linkage_second_survives(int linkage, double wx, double wy)
{
    switch (linkage) {
    case GASP_LINKAGE_MAX:
        return wy > wx;
    case GASP_LINKAGE_MIN:
        return wy < wx;
    case GASP_LINKAGE_ABS_MAX: {
        double ax = fabs(wx), ay = fabs(wy);
        return ay > ax || (ay == ax && wy < wx);
    }
    default:
        return 0;
    }
}

/* Fold value (wy, sy) into (wx, sx); returns the new value.  The caller adds the sizes. */
static inline double gasp_linkage_fold(int linkage, double p, double wx, double sx, double wy,
                                       double sy)
{
    switch (linkage) {
    case GASP_LINKAGE_SUM:
        return wx + wy;
    case GASP_LINKAGE_AVERAGE:
        return (wx * sx + wy * sy) / (sx + sy);
    case GASP_LINKAGE_MAX:
        return wx > wy ? wx : wy;
    case GASP_LINKAGE_MIN:
        return wx < wy ? wx : wy;
    case GASP_LINKAGE_ABS_MAX: {
        double ax = fabs(wx), ay = fabs(wy);
        if (ax == ay && wx != wy)
            return -ax;
        return ax > ay ? wx : wy;
    }
    case GASP_LINKAGE_GENERALIZED_MEAN: {
        double z = (gasp_signed_pow(wx, p) * sx + gasp_signed_pow(wy, p) * sy) / (sx + sy);
        return gasp_signed_pow(z, 1.0 / p);
    }
    case GASP_LINKAGE_SMOOTH_MAX: {
        if (p == 0.0)
            return (wx * sx + wy * sy) / (sx + sy);
        if (wx == wy)
            return wx;
        if (wx > wy) {
            /* one operand order for both fold orders: the formula is symmetric only on paper,
             * and an exact tie must stay exact (as in the reference formula) */
            double t = wx;
            wx = wy;
            wy = t;
            t = sx;
            sx = sy;
            sy = t;
        }
        double d = p * (wy - wx) + log(sy / sx);
        return wy + (wx - wy) / (1.0 + exp(d));
    }
    default:
        return NAN;
    }
}

#endif /* GASP_LINKAGE_H */
