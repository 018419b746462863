"""The image pipeline: segment on superpixels, pre-merge, watershed clean-up, boundary maps and
boundary affinities."""
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
import region_reference as rr

from gasp_graph import GaspTypeError, GaspValueError, _core, agglomerate
from gasp_graph.affinities import (
    boundary_affinities,
    boundary_map,
    grid_graph,
    pre_merge,
    segment,
)
from gasp_graph.metrics import adapted_rand_error

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from images import noisy_affinities, planted_segmentation  # noqa: E402

OFFSETS_2D = [[0, 1], [1, 0], [0, 3], [-2, 1], [3, 3]]
BENCH_2D = [[-1, 0], [0, -1], [-3, 0], [0, -3], [-3, -3], [3, -3], [-9, 0], [0, -9]]
LINKAGES = ["sum", "average", "max", "min", "abs_max"]


def connected_pieces(labels):
    """Number of direct-neighbour connected components of every label > 0."""
    comps, _ = _core.image_components(labels)
    pairs = np.unique(np.stack([labels.ravel(), comps.ravel()]), axis=1)
    pairs = pairs[:, pairs[0] > 0]
    return np.bincount(pairs[0])[1:]


# ------------------------------------------------------------------------------------------
# segment(superpixels=...)
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("cannot_link", [False, True])
@pytest.mark.parametrize("local_merge", [False, True])
def test_identity_superpixels_give_the_pixel_result(linkage, cannot_link, local_merge):
    rng = np.random.default_rng(LINKAGES.index(linkage))
    shape = (11, 12)
    affs = rng.random((len(OFFSETS_2D),) + shape)
    mask = rng.random(shape) > 0.1
    identity = np.arange(1, affs[0].size + 1).reshape(shape)
    for kw in [dict(), dict(mask=mask, long_range_fraction=0.5, seed=2),
               dict(beta=0.4, kind="logit", size_regularizer=0.5),
               dict(min_size=4), dict(min_size=4, cleanup="watershed", mask=mask),
               dict(n_clusters=7)]:
        opts = dict(linkage=linkage, cannot_link=cannot_link, local_merge=local_merge, **kw)
        pixel = segment(affs, OFFSETS_2D, **opts)
        region = segment(affs, OFFSETS_2D, superpixels=identity, **opts)
        assert np.array_equal(pixel, region), kw


@pytest.mark.parametrize("linkage", LINKAGES)
def test_segment_on_a_prefix_equals_the_pixel_result(linkage):
    rng = np.random.default_rng(3)
    shape = (12, 10)
    affs = rng.random((len(OFFSETS_2D),) + shape)
    if linkage != "average":
        affs = np.round(affs * 16) / 16  # exact sums, ties
    g = grid_graph(shape, OFFSETS_2D)
    tree = agglomerate(g.edges, g.gather(affs) - 0.5, lifted=g.lifted, linkage=linkage,
                       run_to_completion=False)
    sp = tree.labels_at(len(tree) // 2).reshape(shape) + 1
    assert np.array_equal(segment(affs, OFFSETS_2D, linkage=linkage, superpixels=sp),
                          segment(affs, OFFSETS_2D, linkage=linkage))


def test_segment_superpixels_ignore_label_zero_and_mask():
    affs = np.full((2, 4, 4), 0.9)
    sp = np.array([[1, 1, 2, 2]] * 4)
    sp[0, 0] = 0
    mask = np.ones((4, 4), bool)
    mask[3, 3] = False
    out = segment(affs, [[0, 1], [1, 0]], superpixels=sp, mask=mask)
    assert out[0, 0] == 0 and out[3, 3] == 0
    assert set(np.unique(out[(sp > 0) & mask])) == {1}


def test_segment_region_path_rejects_bad_input():
    affs = np.full((2, 4, 4), 0.9)
    offs = [[0, 1], [1, 0]]
    sp = np.ones((4, 4), int)
    with pytest.raises(GaspValueError, match="not both"):
        segment(affs, offs, superpixels=sp, pre_merge=True)
    with pytest.raises(GaspValueError, match="no exact region-graph form"):
        segment(affs, offs, superpixels=sp, linkage="smooth_max")
    with pytest.raises(GaspValueError, match="cleanup must be"):
        segment(affs, offs, cleanup="grow")
    with pytest.raises(GaspValueError, match="superpixels must have"):
        segment(affs, offs, superpixels=np.ones((4, 5), int))
    with pytest.raises(GaspTypeError, match="pre_merge"):
        segment(affs, offs, pre_merge="yes")
    with pytest.raises(GaspValueError, match="beta='auto' is not available"):
        segment(affs, offs, superpixels=sp, beta="auto")


# ------------------------------------------------------------------------------------------
# pre_merge
# ------------------------------------------------------------------------------------------

def impure(superpixels, gt):
    """Superpixels that contain pixels of more than one ground-truth object."""
    pairs = np.unique(np.stack([superpixels.ravel(), gt.ravel()]), axis=1)
    return int((np.bincount(pairs[0]) > 1).sum())


@pytest.mark.parametrize("seed", range(3))
def test_pre_merge_never_joins_two_objects_with_clear_boundaries(seed):
    rng = np.random.default_rng(seed)
    gt = planted_segmentation((96, 96), 14, rng)
    affs = noisy_affinities(gt, BENCH_2D, 0.0, "merge", rng)  # clear boundaries, jitter only
    for threshold in (0.2, 0.4, 0.6):
        sp = pre_merge(affs, BENCH_2D, threshold=threshold)
        assert impure(sp, gt) == 0
        assert (connected_pieces(sp) == 1).all()
    assert gt.size / sp.max() > 4  # and it does merge
    # pre-merge then GASP: the same segmentation as GASP on pixels here
    assert adapted_rand_error(segment(affs, BENCH_2D, pre_merge=True), gt) < 1e-3


def test_pre_merge_cuts_a_leak_between_two_objects():
    """Two squares whose boundary has a gap of two pixels where the affinities say "same
    object": the safe components leak through the gap, the watershed cuts them there (where
    exactly inside the gap, the affinities cannot tell: at most the gap's two pixels go to the
    other side)."""
    shape = (30, 61)
    gt = np.ones(shape, np.int64)
    gt[:, 31:] = 2
    offsets = [[0, 1], [1, 0], [0, 4], [4, 0]]
    affs = np.empty((4,) + shape)
    for k, o in enumerate(offsets):
        partner = np.roll(gt, [-x for x in o], axis=(0, 1))
        affs[k] = np.where(gt == partner, 1.0, 0.0)
    gap = slice(14, 16)
    affs[:, gap, 26:31] = 1.0  # the edges leaving the gap rows towards the right object
    safe_sp = pre_merge(affs, offsets, threshold=0.2)
    # without the watershed, the components of safe pixels do join both objects
    from gasp_graph.images.boundary import _boundary_map
    from gasp_graph.images.premerge import _direct_links
    from gasp_graph.images.grid import _as_offsets

    offs = _as_offsets(offsets, 2)
    safe = _boundary_map(affs, offs, None) < 0.2
    comps, _ = _core.image_components(safe.astype(np.int64), _direct_links(affs, offs, safe, 0.2))
    assert len(np.unique(gt[comps == comps[0, 0]])) == 2  # one component spans both objects
    minority = [min((gt[safe_sp == v] == 1).sum(), (gt[safe_sp == v] == 2).sum())
                for v in np.unique(safe_sp)]
    assert max(minority) <= 2
    assert safe_sp.max() < gt.size / 10  # and the interiors are merged


def test_pre_merge_mask_determinism_and_errors():
    rng = np.random.default_rng(4)
    gt = planted_segmentation((40, 50), 6, rng)
    affs = noisy_affinities(gt, BENCH_2D, 1.0, "merge", rng)
    mask = np.ones(gt.shape, bool)
    mask[10:20, 10:30] = False
    sp = pre_merge(affs, BENCH_2D, mask=mask)
    assert (sp[~mask] == 0).all() and (sp[mask] > 0).all()
    assert np.array_equal(sp, pre_merge(affs, BENCH_2D, mask=mask))
    labels = sp[sp > 0]
    _, first = np.unique(labels, return_index=True)
    assert (np.diff(labels[np.sort(first)]) == 1).all()  # 1..k by first occurrence
    with pytest.raises(GaspValueError, match="threshold"):
        pre_merge(affs, BENCH_2D, threshold=0.0)
    with pytest.raises(GaspValueError, match="sigma"):
        pre_merge(affs, BENCH_2D, sigma=-1)


def test_pre_merge_everything_safe_gives_components():
    affs = np.ones((2, 5, 6))
    sp = pre_merge(affs, [[0, 1], [1, 0]])
    assert (sp == 1).all()


# ------------------------------------------------------------------------------------------
# cleanup="watershed"
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("local_merge", [True, False])
@pytest.mark.parametrize("min_size", [5, 40])
def test_watershed_clean_up_min_size_connectivity_determinism(local_merge, min_size):
    rng = np.random.default_rng(min_size)
    affs = rng.random((len(BENCH_2D), 60, 64))  # noise: segments of every size
    mask = np.ones((60, 64), bool)
    mask[:, 30:32] = False  # two pieces of mask
    mask[0:3, 0:3] = False
    kw = dict(local_merge=local_merge, mask=mask, min_size=min_size, cleanup="watershed")
    raw = segment(affs, BENCH_2D, local_merge=local_merge, mask=mask)
    out = segment(affs, BENCH_2D, **kw)
    assert np.bincount(raw.ravel())[1:].min() < min_size  # there was something to clean
    assert (out[~mask] == 0).all() and (out[mask] > 0).all()
    assert np.bincount(out.ravel())[1:].min() >= min_size
    assert (connected_pieces(out) == 1).all()
    assert np.array_equal(out, segment(affs, BENCH_2D, **kw))
    # the same result on the region path (identity superpixels)
    identity = np.arange(1, mask.size + 1).reshape(mask.shape)
    assert np.array_equal(out, segment(affs, BENCH_2D, superpixels=identity, **kw))


def test_watershed_clean_up_keeps_the_largest_segment_of_a_small_mask_piece():
    affs = np.full((2, 5, 9), 0.9)
    affs[1, :, 2] = 0.0  # (0, 1) edges from column 2 to column 3
    mask = np.ones((5, 9), bool)
    mask[:, 4] = False  # pieces: columns 0-3 (20 pixels) and 5-8 (20 pixels)
    out = segment(affs, [[1, 0], [0, 1]], mask=mask, min_size=100, cleanup="watershed")
    assert set(np.unique(out[:, :4])) == {1} and set(np.unique(out[:, 5:])) == {2}


def test_watershed_clean_up_grows_along_the_boundary_map():
    """A one-pixel segment on the boundary between two large ones joins the side whose
    boundary map is lower next to it."""
    from gasp_graph.images.cleanup import watershed_small_segments

    labels = np.array([[1, 1, 3, 2, 2]] * 3)
    labels[0, 2], labels[2, 2] = 1, 2
    height = np.array([[0.0, 0.1, 0.9, 0.2, 0.0]] * 3)
    out = watershed_small_segments(labels, height, 2, np.ones(labels.shape, bool))
    assert out[1].tolist() == [1, 1, 1, 2, 2]  # the pixel at height 0.9 is reached from 0.1


# ------------------------------------------------------------------------------------------
# boundary_map and boundary_affinities
# ------------------------------------------------------------------------------------------

def test_boundary_map_equals_mean_over_incident_edges():
    rng = np.random.default_rng(0)
    shape = (6, 7)
    affs = rng.random((len(OFFSETS_2D),) + shape)
    mask = rng.random(shape) > 0.2
    edges, oidx, _ = rr.pixel_graph(shape, OFFSETS_2D, mask)
    vals = 1 - affs.reshape(len(OFFSETS_2D), -1)[oidx, edges[:, 0]]
    total = np.zeros(affs[0].size)
    count = np.zeros(affs[0].size)
    np.add.at(total, edges.ravel(), np.repeat(vals, 2))
    np.add.at(count, edges.ravel(), 1)
    expect = np.where(count > 0, total / np.maximum(count, 1), 1.0).reshape(shape)
    np.testing.assert_allclose(boundary_map(affs, OFFSETS_2D, mask=mask), expect)


def step_image():
    image = np.zeros((16, 16))
    image[:, 8:] = 1.0  # the step lies between columns 7 and 8
    return image


def test_boundary_affinities_shape_range_and_step_edge():
    offsets = [[0, 1], [1, 0], [0, -3], [2, 2]]
    affs = boundary_affinities(step_image(), offsets, sigma=1.0)
    assert affs.shape == (4, 16, 16) and affs.dtype == np.float64
    assert affs.min() >= 0 and affs.max() <= 1
    # across the step: only the (0, 1) edges from column 7 to 8 are cut (one per crossing)
    assert affs[0, :, 7].max() < 0.05
    assert affs[0][:, np.r_[0:7, 8:16]].min() > 0.95
    # along the step: (1, 0) edges down columns 7 and 8 stay high
    assert affs[1, :15, 7].min() > 0.95 and affs[1, :15, 8].min() > 0.95
    # offsets convention: affs[k, p] links p and p + o; (0, -3) from columns 8..10 crosses
    assert affs[2, 8, 8:11].max() < 0.05
    assert affs[2, 8, 11] > 0.95 and affs[2, 8, 7] > 0.95
    # a long diagonal offset crossing the step is cut as well
    assert affs[3, 4, 6:8].max() < 0.05 and affs[3, 4, 5] > 0.95 and affs[3, 4, 8] > 0.95


def test_boundary_affinities_segment_a_plain_image():
    rng = np.random.default_rng(1)
    gt = planted_segmentation((64, 64), 6, rng)
    image = rng.permutation(6)[gt - 1] * 1.0 + 0.1 * rng.standard_normal(gt.shape)
    offsets = [[-1, 0], [0, -1], [-4, 0], [0, -4]]
    seg = segment(boundary_affinities(image, offsets, sigma=1.0), offsets)
    assert adapted_rand_error(seg, gt) < 0.03


def test_boundary_affinities_channels_and_errors():
    rgb = np.stack([step_image(), np.zeros((16, 16)), step_image()], axis=-1)
    gray = boundary_affinities(step_image() * np.sqrt(2), [[0, 1]], scale=1.0)
    col = boundary_affinities(rgb, [[0, 1]], channel_axis=-1, scale=1.0)
    np.testing.assert_allclose(col, gray)
    with pytest.raises(GaspValueError, match="offsets"):
        boundary_affinities(step_image(), [[0, 1, 0]])
    with pytest.raises(GaspValueError, match="sigma"):
        boundary_affinities(step_image(), [[0, 1]], sigma=-1)
    with pytest.raises(GaspValueError, match="scale"):
        boundary_affinities(step_image(), [[0, 1]], scale=0)
    with pytest.raises(GaspValueError, match="finite"):
        boundary_affinities(np.full((3, 3), np.nan), [[0, 1]])
    with pytest.raises(GaspTypeError, match="real numbers"):
        boundary_affinities(np.array([["a"]]), [[0, 1]])
    with pytest.raises(GaspValueError, match="channel_axis"):
        boundary_affinities(rgb, [[0, 1]], channel_axis=5)
    # a colour image without channel_axis: the message says how to pass one
    with pytest.raises(GaspValueError, match="channel_axis=-1"):
        boundary_affinities(rgb, [[0, 1]])
    assert boundary_affinities(rgb, [[0, 1, 0]]).shape == (1, 16, 16, 3)  # a 3-D volume is fine


def test_gaussian_filter_matches_scipy():
    from scipy import ndimage

    from gasp_graph.images.boundary import gaussian_filter

    rng = np.random.default_rng(2)
    for shape, sigma in itertools.product([(5,), (9, 3), (4, 6, 5)], [0.5, 1.0, 2.5]):
        img = rng.random(shape)
        np.testing.assert_allclose(gaussian_filter(img, sigma),
                                   ndimage.gaussian_filter(img, sigma, mode="reflect",
                                                           truncate=4.0), atol=1e-12)


# ------------------------------------------------------------------------------------------
# The gallery example and the noise benchmark's bookkeeping
# ------------------------------------------------------------------------------------------

@pytest.mark.gallery
def test_gallery_example_runs(tmp_path):
    pytest.importorskip("skimage")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import runpy

    path = Path(__file__).resolve().parent.parent / "examples" / "plot_image_pipeline.py"
    module = runpy.run_path(str(path), run_name="example")
    fig = module["main"](tmp_path / "pipeline.png")
    assert (tmp_path / "pipeline.png").stat().st_size > 10_000
    assert len(fig.axes) == 5


def test_noise_experiment_rows_and_summary():
    import images

    rows = images.run_noise(shape=(4, 16, 16), n_cells=4, ks=(0.0, 2.0), n_samples=3, mws=False)
    methods = [name for name, _ in images.noise_methods(mws=False)]
    assert len(rows) == 2 * 2 * 3 * len(methods)
    summary = images.noise_summary(rows)
    for (form, k, m), stats in summary.items():
        vals = [r[4] for r in rows if r[:2] == (form, k) and r[3] == m]
        assert stats["arand"][0] == pytest.approx(np.median(vals))
        assert stats["arand"][1] <= stats["arand"][0] <= stats["arand"][2]
    # no noise: every GASP variant finds the planted cells (the affinities only carry jitter)
    assert all(summary[(f, 0.0, m)]["arand"][2] < 0.05 for f in ("merge", "split") for m in methods)
