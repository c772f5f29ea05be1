import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples

from kientao.conversations.engine.clustering import (
    KSmoother,
    base_silhouette,
    cluster_base,
    cluster_groups,
    first_distinct_points,
    kmeans,
    max_group_count,
    smooth_k,
)


def test_it_initialises_with_the_first_distinct_points():
    pts = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 0.0], [1.0, 1.0], [3.0, 3.0], [4.0, 4.0]])
    assert first_distinct_points(pts, 3).tolist() == [[1.0, 1.0], [2.0, 0.0], [3.0, 3.0]]
    assert len(first_distinct_points(pts, 10)) == 4  # only 4 distinct points exist


def test_it_matches_sklearn_lloyd_from_the_same_start():
    rng = np.random.default_rng(0)
    pts = np.vstack([rng.normal(c, 0.5, size=(100, 2)) for c in (0.0, 4.0, 8.0)])
    init = pts[[0, 150, 250]]
    centres, labels = kmeans(pts, init, tol=1e-10, max_iter=300)
    ref = KMeans(n_clusters=3, init=init, n_init=1, tol=0, max_iter=300).fit(pts)
    # both converge to the same fixed point; 1e-8 covers summation order
    np.testing.assert_allclose(centres, ref.cluster_centers_, atol=1e-8)
    assert np.array_equal(labels, ref.labels_)


def test_it_weights_points_in_kmeans():
    pts = np.array([[0.0], [1.0], [10.0]])
    centres, _ = kmeans(pts, np.array([[0.0], [10.0]]), weights=np.array([3.0, 1.0, 1.0]))
    # hand-computed weighted mean of 0 (w=3) and 1 (w=1): 0.25, exact in binary
    assert centres.ravel().tolist() == [0.25, 10.0]


def test_it_drops_empty_clusters():
    pts = np.array([[0.0], [0.1]])
    centres, labels = kmeans(pts, np.array([[0.0], [100.0]]))
    assert len(centres) == 1 and labels.tolist() == [0, 0]


def test_it_makes_at_most_100_base_clusters():
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(1000, 2))
    centres, labels = cluster_base(pts)
    assert len(centres) == 100
    assert labels.min() == 0 and labels.max() == 99
    few = cluster_base(pts[:30])[0]
    assert len(few) == 30


def test_it_warm_starts_base_clusters_from_previous_centres():
    rng = np.random.default_rng(2)
    pts = rng.normal(size=(500, 2))
    first, first_labels = cluster_base(pts, k=10)
    again, labels = cluster_base(pts, k=10, previous=first)
    # Lloyd stopped when centres moved < 0.01, so restarting from them moves them only a
    # little and keeps (almost) every membership, in the same cluster order
    assert np.abs(again - first).max() < 0.1
    assert (labels == first_labels).mean() > 0.95


def test_it_uses_minibatch_kmeans_for_large_inputs():
    rng = np.random.default_rng(3)
    pts = np.vstack([rng.normal(c, 0.3, size=(3000, 2)) for c in (-3.0, 3.0)])
    centres, labels = cluster_base(pts, k=20, minibatch_above=1000, seed=0)
    assert 1 < len(centres) <= 20
    # base clusters never straddle two well-separated blobs
    blob = (pts[:, 0] > 0).astype(int)
    for j in range(len(centres)):
        assert len(np.unique(blob[labels == j])) == 1


def test_it_bounds_the_number_of_groups_like_polis():
    assert [max_group_count(n) for n in (2, 11, 12, 23, 24, 36, 100)] == [2, 2, 3, 3, 4, 5, 5]


def test_it_matches_sklearn_silhouette_when_weights_are_equal():
    rng = np.random.default_rng(4)
    pts = rng.normal(size=(30, 2))
    labels = (pts[:, 0] > 0).astype(int) + (pts[:, 1] > 1).astype(int)
    ref = silhouette_samples(pts, labels).mean()
    # same formula, vectorised differently: 1e-12
    assert base_silhouette(pts, np.ones(30), labels) == pytest.approx(ref, abs=1e-12)


def test_it_scores_singleton_groups_zero():
    c = np.array([[0.0], [0.1], [10.0]])
    # base 2 is alone in its group: s = 0; base 0: a = 0.1, b = 10; base 1: a = 0.1, b = 9.9
    expected = ((10 - 0.1) / 10 + (9.9 - 0.1) / 9.9 + 0.0) / 3
    assert base_silhouette(c, np.ones(3), np.array([0, 0, 1])) == pytest.approx(
        expected, abs=1e-12
    )


def test_it_finds_planted_groups_over_base_centres():
    rng = np.random.default_rng(5)
    centres = np.vstack([rng.normal(c, 0.2, size=(20, 2)) for c in ((0, 0), (5, 0), (0, 5))])
    options = cluster_groups(centres, np.ones(60), seed=0)
    assert sorted(options) == [2, 3, 4, 5]
    best = max(options, key=lambda k: options[k].silhouette)
    assert best == 3
    assert len(np.unique(options[3].base_labels[:20])) == 1


def test_it_smooths_k_over_four_consecutive_updates():
    s = smooth_k(KSmoother(), 2)
    assert s.k == 2
    for expected in (2, 2, 2, 3):
        s = smooth_k(s, 3)
        assert s.k == expected
    # an interruption resets the streak
    s = smooth_k(smooth_k(smooth_k(s, 4), 4), 2)
    s = smooth_k(s, 4)
    assert s.k == 3 and s.streak == 1


def test_it_keeps_group_identities_across_updates():
    rng = np.random.default_rng(6)
    centres = np.vstack([rng.normal(c, 0.2, size=(20, 2)) for c in ((0, 0), (5, 0), (0, 5))])
    first = cluster_groups(centres, np.ones(60), seed=0)[3]
    # previous centres given in a different order: labels follow the previous order
    previous = first.centres[[2, 0, 1]]
    again = cluster_groups(centres, np.ones(60), previous={3: previous}, seed=1)[3]
    np.testing.assert_allclose(again.centres, previous, atol=1e-9)  # fixed point
    assert np.array_equal(again.base_labels, np.array([1, 2, 0])[first.base_labels])


def test_batched_restarts_run_the_same_lloyd_iterations_as_kmeans():
    from kientao.conversations.engine.clustering import _kmeans_batch, _kmeans_pp_batch, kmeans

    rng = np.random.default_rng(4)
    points = np.concatenate([rng.normal(0, 1, (40, 2)), rng.normal(5, 1, (40, 2)), rng.normal((0, 6), 1, (20, 2))])
    weights = rng.integers(1, 40, len(points)).astype(float)
    for k in (2, 3, 5):
        starts = _kmeans_pp_batch(points, weights, k, 16, rng)
        assert starts.shape == (16, k, 2)
        centres, labels, valid = _kmeans_batch(points, weights, starts)
        assert valid.any()
        for start, c, lab, ok in zip(starts, centres, labels, valid, strict=True):
            one_c, one_lab = kmeans(points, start, weights=weights)
            if not ok:
                assert len(one_c) < k  # kmeans dropped an empty cluster
                continue
            np.testing.assert_allclose(c, one_c, atol=1e-9)
            np.testing.assert_array_equal(lab, one_lab)


def test_kmeans_pp_batch_draws_distinct_weighted_seeds():
    from kientao.conversations.engine.clustering import _kmeans_pp_batch

    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [9.0, 9.0]])
    weights = np.array([1.0, 1.0, 0.0, 1.0])  # the zero-weight point is never a seed
    starts = _kmeans_pp_batch(points, weights, 2, 200, np.random.default_rng(0))
    chosen = {tuple(map(tuple, s)) for s in starts}
    assert all((1.0, 0.0) not in s for s in chosen)
    # a point at the first seed's location (squared distance 0) is never the second seed
    assert all(s[0] != s[1] for s in chosen)
