"""The C label-image operations (components, seeded watershed, distance transform) against slow
pure-Python versions and scipy."""
import heapq
import itertools

import numpy as np
import pytest

from gasp_graph import GaspValueError, _core


def neighbours(p, shape):
    for d in range(len(shape)):
        for step in (-1, 1):
            q = list(p)
            q[d] += step
            if 0 <= q[d] < shape[d]:
                yield tuple(q)


def slow_components(labels):
    out = np.zeros(labels.shape, np.int64)
    k = 0
    for p in itertools.product(*(range(s) for s in labels.shape)):
        if labels[p] == 0 or out[p]:
            continue
        k += 1
        out[p] = k
        stack = [p]
        while stack:
            q = stack.pop()
            for r in neighbours(q, labels.shape):
                if not out[r] and labels[r] == labels[p]:
                    out[r] = k
                    stack.append(r)
    return out, k


def slow_watershed(height, seeds, mask=None):
    """The documented flood: pop by (height, queue order); a popped pixel labels its unlabelled
    neighbours (axis by axis, lower neighbour first) and queues them with their own height."""
    shape = height.shape
    out = seeds.copy()
    done = (seeds != 0) if mask is None else (seeds != 0) | ~mask
    heap, order = [], 0
    for p in itertools.product(*(range(s) for s in shape)):
        if seeds[p] and any(not done[r] for r in neighbours(p, shape)):
            heap.append((height[p], order, p))
            order += 1
    heapq.heapify(heap)
    while heap:
        _, _, p = heapq.heappop(heap)
        for r in neighbours(p, shape):
            if not done[r]:
                done[r] = True
                out[r] = out[p]
                heapq.heappush(heap, (height[r], order, r))
                order += 1
    return out


def slow_distance(inside, sampling):
    zeros = np.argwhere(~inside)
    out = np.zeros(inside.shape)
    for p in np.argwhere(inside):
        if zeros.size == 0:
            out[tuple(p)] = np.inf
        else:
            out[tuple(p)] = np.sqrt((((zeros - p) * sampling) ** 2).sum(axis=1)).min()
    return out


@pytest.mark.parametrize("shape", [(1,), (7,), (6, 9), (3, 5, 4), (2, 3, 2, 3)])
@pytest.mark.parametrize("seed", range(3))
def test_components_equal_slow_version(shape, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=shape)
    out, k = _core.image_components(labels)
    expect, k_expect = slow_components(labels)
    assert k == k_expect and np.array_equal(out, expect)


@pytest.mark.parametrize("shape", [(9,), (7, 8), (4, 5, 6)])
@pytest.mark.parametrize("seed", range(4))
def test_watershed_equals_slow_version(shape, seed):
    rng = np.random.default_rng(seed)
    # quantised heights: ties, which the queue order must break like the slow version
    height = rng.integers(0, 4, size=shape).astype(float) if seed % 2 else rng.random(shape)
    seeds = np.where(rng.random(shape) < 0.08, rng.integers(1, 4, size=shape), 0)
    seeds.ravel()[0] = 1
    mask = rng.random(shape) > 0.2 if seed >= 2 else None
    out = _core.image_watershed(height, seeds, mask)
    assert np.array_equal(out, slow_watershed(height, seeds, mask))
    # every pixel connected to a seed through the mask is labelled; seeds are kept
    assert np.array_equal(out[seeds != 0], seeds[seeds != 0])
    reach, _ = slow_components((np.ones(shape, int) if mask is None else mask.astype(int)))
    seeded = np.unique(reach[seeds != 0])
    free = np.isin(reach, seeded) & (seeds == 0)
    if mask is not None:
        free &= mask
    assert (out[free] > 0).all()
    if mask is not None:
        assert (out[~mask & (seeds == 0)] == 0).all()


def test_watershed_grows_connected_regions():
    rng = np.random.default_rng(3)
    height = rng.random((20, 20))
    seeds = np.zeros((20, 20), np.int64)
    seeds[2, 3], seeds[15, 4], seeds[10, 17] = 1, 2, 3
    out = _core.image_watershed(height, seeds)
    assert (out > 0).all()
    for lab in (1, 2, 3):
        _, k = slow_components((out == lab).astype(int))
        assert k == 1


@pytest.mark.parametrize("shape,sampling", [((7,), None), ((6, 9), None), ((6, 9), (2.0, 0.5)),
                                            ((4, 5, 6), (3.0, 1.0, 1.0))])
@pytest.mark.parametrize("seed", range(3))
def test_distance_equals_slow_version_and_scipy(shape, sampling, seed):
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    inside = rng.random(shape) > 0.15
    out = _core.image_distance(inside, sampling)
    smp = np.ones(len(shape)) if sampling is None else np.array(sampling)
    np.testing.assert_allclose(out, slow_distance(inside, smp), rtol=1e-12)
    if (~inside).any():
        np.testing.assert_allclose(out, ndimage.distance_transform_edt(inside, sampling=sampling),
                                   rtol=1e-12)


def test_distance_without_background_is_infinite():
    assert np.isinf(_core.image_distance(np.ones((3, 4), bool))).all()
    assert _core.image_distance(np.zeros((0, 4), bool)).shape == (0, 4)


def test_image_operations_reject_bad_input():
    with pytest.raises(GaspValueError, match="height.*element 1"):
        _core.image_watershed(np.array([0.0, np.nan]), np.array([1, 0]))
    with pytest.raises(GaspValueError, match="seeds.*element 0"):
        _core.image_watershed(np.zeros(2), np.array([-1, 0]))
    with pytest.raises(GaspValueError, match="sampling.*element 1"):
        _core.image_distance(np.ones((2, 2), bool), [1.0, 0.0])
    with pytest.raises(GaspValueError, match="shape"):
        _core.image_components(np.ones((1,) * 40, np.int64))


def test_region_reduce_equals_a_dictionary_and_rejects_bad_edges():
    rng = np.random.default_rng(5)
    n, m = 12, 400
    u = rng.integers(0, n, m)
    v = (u + rng.integers(1, n, m)) % n
    w = rng.integers(-2, 3, m) / 2.0
    eid = np.cumsum(rng.integers(1, 4, m))
    local = rng.random(m) < 0.5
    r = _core.region_reduce(n, u, v, w, eid, local)
    groups = {}
    for a, b, x, i, loc in zip(u.tolist(), v.tolist(), w.tolist(), eid.tolist(), local.tolist()):
        groups.setdefault((min(a, b), max(a, b)), []).append((i, x, loc))
    assert [tuple(e) for e in r["edges"].tolist()] == list(groups)  # first-occurrence order
    for p, items in enumerate(groups.values()):
        xs = [x for _, x, _ in items]
        assert r["count"][p] == len(items) and r["sum"][p] == sum(xs)
        assert (r["max"][p], r["min"][p]) == (max(xs), min(xs))
        assert r["first"][p] == items[0][0]
        assert r["argmax"][p] == min(i for i, x, _ in items if x == max(xs))
        assert r["argmin"][p] == min(i for i, x, _ in items if x == min(xs))
        assert r["local_count"][p] == sum(loc for _, _, loc in items)
    with pytest.raises(GaspValueError, match="edges.*element 1"):
        _core.region_reduce(3, [0, 1], [1, 1], [0.0, 0.0], [0, 1], [1, 1])
    with pytest.raises(GaspValueError, match="edges.*element 0"):
        _core.region_reduce(3, [0], [3], [0.0], [0], [1])
    with pytest.raises(GaspValueError, match="weights.*element 0"):
        _core.region_reduce(3, [0], [1], [np.nan], [0], [1])
