"""Generalised mean aggregation (COINr ``a_genmean``) and the batched Copeland score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.indices.engine import (
    IndexDataError,
    MethodError,
    aggregate,
    aggregate_level,
    copeland,
    framework_from_imeta,
)
from kientao.indices.engine.aggregate import copeland_level

EXACT = 1e-12  # a few float operations on numbers of order 1-100
ONE = np.ones((2, 1))


def test_it_computes_the_generalised_mean_by_hand() -> None:
    x = np.array([[1.0, 4.0]])
    # p = 2, equal weights: sqrt((1 + 16)/2)
    assert aggregate_level(x, np.array([1.0, 1.0]), ONE, method="genmean", p=2)[0, 0] == pytest.approx(
        np.sqrt(8.5), abs=EXACT
    )
    # weights 3:1, p = 3: ((3 + 64)/4)^(1/3)
    got = aggregate_level(x, np.array([3.0, 1.0]), ONE, method="genmean", p=3)[0, 0]
    assert got == pytest.approx((67 / 4) ** (1 / 3), abs=EXACT)


def test_it_reduces_to_the_other_means() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 100, size=(20, 5))
    w = rng.uniform(0.5, 2, size=5)
    m = np.ones((5, 1))
    am, hm, gm = (aggregate_level(x, w, m, method=k) for k in ("amean", "hmean", "gmean"))
    # p = 1 and p = -1 are the same sums in another order: 1e-12 relative
    np.testing.assert_allclose(aggregate_level(x, w, m, method="genmean", p=1), am, rtol=1e-12)
    np.testing.assert_allclose(aggregate_level(x, w, m, method="genmean", p=-1), hm, rtol=1e-12)
    # p -> 0 tends to the geometric mean; at p = 1e-6 the gap is O(p var(ln x)) < 1e-5
    np.testing.assert_allclose(aggregate_level(x, w, m, method="genmean", p=1e-6), gm, rtol=1e-5)
    # power-mean inequality: increasing in p
    p2 = aggregate_level(x, w, m, method="genmean", p=2)
    assert (p2 >= am - 1e-9).all()


def test_it_drops_missing_children_unlike_coinr_unless_asked() -> None:
    x = np.array([[2.0, np.nan, 4.0]])
    w = np.array([1.0, 1.0, 1.0])
    m = np.ones((3, 1))
    # ours: renormalised over a and c: sqrt((4 + 16)/2)
    assert aggregate_level(x, w, m, method="genmean", p=2)[0, 0] == pytest.approx(np.sqrt(10), abs=EXACT)
    # COINr's a_genmean gives NA for any missing child: dat_thresh = 1 reproduces it
    assert np.isnan(aggregate_level(x, w, m, method="genmean", p=2, dat_thresh=1.0)[0, 0])


def test_it_refuses_undefined_generalised_means() -> None:
    w = np.ones(2)
    with pytest.raises(IndexDataError, match="non-zero exponent"):
        aggregate_level(np.array([[1.0, 2.0]]), w, ONE, method="genmean")
    with pytest.raises(IndexDataError, match="non-zero exponent"):
        aggregate_level(np.array([[1.0, 2.0]]), w, ONE, method="genmean", p=0)
    with pytest.raises(MethodError, match="negative"):
        aggregate_level(np.array([[-1.0, 2.0]]), w, ONE, method="genmean", p=2)
    with pytest.raises(MethodError, match="zero"):
        aggregate_level(np.array([[0.0, 2.0]]), w, ONE, method="genmean", p=-2)
    # p > 0 with a zero is fine: sqrt((0 + 4)/2)
    assert aggregate_level(np.array([[0.0, 2.0]]), w, ONE, method="genmean", p=2)[0, 0] == pytest.approx(np.sqrt(2))
    # Monte Carlo mode: the whole draw becomes NaN
    assert np.isnan(aggregate_level(np.array([[-1.0, 2.0]]), w, ONE, method="genmean", p=2, errors="nan")).all()


def test_it_aggregates_a_framework_with_genmean_per_level(small_meta: pd.DataFrame) -> None:
    fw = framework_from_imeta(small_meta)
    data = pd.DataFrame({"a": [1.0], "b": [4.0], "c": [2.0], "d": [2.0]}, index=["U"])
    out = aggregate(data, fw, method=["genmean", "amean"], p=[2, None])
    # P1 = sqrt((1 + 16)/2); P2 = 2 (weights 1 and 3 on equal values); Index = mean
    assert out.loc["U", "P1"] == pytest.approx(np.sqrt(8.5), abs=EXACT)
    assert out.loc["U", "Index"] == pytest.approx((np.sqrt(8.5) + 2) / 2, abs=EXACT)


def test_it_batches_copeland_like_the_single_version() -> None:
    rng = np.random.default_rng(8)
    x = rng.integers(0, 4, size=(9, 6)).astype(float)  # many ties
    x[2, 1] = np.nan
    m = np.zeros((6, 2))
    m[:4, 0] = 1
    m[4:, 1] = 1
    ws = rng.uniform(0.2, 1, size=(7, 6))
    got = copeland_level(x, ws, m)
    assert got.shape == (7, 9, 2)
    for r in range(7):
        for j in range(2):
            kids = m[:, j] > 0
            np.testing.assert_array_equal(got[r, :, j], copeland(x[:, kids], ws[r, kids]))
    # per-draw data as well as per-draw weights
    xs = rng.normal(size=(3, 9, 6))
    got3 = copeland_level(xs, ws[:3], m)
    np.testing.assert_array_equal(got3[1, :, 0], copeland(xs[1][:, :4], ws[1, :4]))
    np.testing.assert_array_equal(aggregate_level(xs, ws[:3], m, method="copeland"), got3)
