"""Hand-computed cases for every method, plus invariants and cross-checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from kientao.indices.engine import (
    MethodError,
    aggregate,
    aggregate_level,
    build,
    copeland,
    framework_from_imeta,
    impute,
    impute_em,
    normalise,
    normalise_column,
    screen_units,
    split_idata,
    treat,
    winsorise,
)
from kientao.indices.engine.moments import kurtosis, skewness
from kientao.indices.engine.treat import log_ct, log_gii
from kientao.indices.engine.weights import optimise_weights, pca_weights

EXACT = 1e-12  # hand-computed values with a handful of float operations


def test_it_matches_scipys_bias_corrected_moments() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=40)
    # COINr's G1/G2 are the bias-corrected sample skewness and excess kurtosis
    assert skewness(x) == pytest.approx(sps.skew(x, bias=False), rel=1e-12)
    assert kurtosis(x) == pytest.approx(sps.kurtosis(x, bias=False), rel=1e-12)
    assert np.isnan(skewness(np.array([1.0, 2.0])))
    assert np.isnan(kurtosis(np.array([1.0, 2.0, 3.0])))


def test_it_winsorises_like_coinrs_own_test() -> None:
    # COINr tests/testthat/test-treat.R: c(1:10, 100) -> the 100 becomes 10
    y, nwin, flags = winsorise(np.array([*range(1, 11), 100.0]))
    assert nwin == 1
    assert y.tolist() == [*range(1, 11), 10.0]
    assert flags[-1] == "winhi"


def test_it_counts_tied_winsorised_points_and_stops_at_winmax() -> None:
    x = np.array([*range(1, 21), 500.0, 1000.0, 2000.0])
    y, nwin, _ = winsorise(x, winmax=2)
    assert nwin == 2  # 2000 -> 1000, then both -> 500
    assert y[-2:].tolist() == [500.0, 500.0]


def test_it_winsorises_low_outliers_when_skew_is_negative() -> None:
    y, nwin, flags = winsorise(-np.array([*range(1, 11), 100.0]))
    assert y[-1] == -10.0 and nwin == 1 and flags[-1] == "winlo"


def test_it_logs_after_winmax_and_reports_it() -> None:
    x = pd.DataFrame({"x": np.r_[np.ones(30), np.geomspace(10, 1e6, 10)]})
    out, det, flags = treat(x, winmax=1)
    expected = log_ct(x["x"].to_numpy())
    np.testing.assert_allclose(out["x"], expected, rtol=EXACT)
    assert det.loc[0, "winsorise.nwin"] == 1
    assert "check_SkewKurt2.Pass" in det.columns
    assert flags["x"].iloc[-1] == "winhi+log_CT"


def test_it_skips_treatment_per_indicator() -> None:
    x = pd.DataFrame({"x": [*range(1, 11), 100.0], "y": [*range(1, 11), 100.0]})
    out, det, _ = treat(x, overrides={"y": "none"})
    assert out["x"].max() == 10 and out["y"].max() == 100
    assert list(det["iCode"]) == ["x"]


def test_it_computes_the_gii_log_that_coinr_forgets_to_return() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    # ln((max-1)(x-min)/(max-min) + 1): by hand for x = 2 -> ln(99/99 + 1) = ln 2
    y = log_gii(x)
    assert y[1] == pytest.approx(np.log(2.0), abs=EXACT)
    assert y[0] == 0.0 and y[-1] == pytest.approx(np.log(100.0), abs=EXACT)


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("minmax", {}, [0.0, 100 / 3, 200 / 3, 100.0]),
        ("minmax", {"l_u": (1, 10)}, [1.0, 4.0, 7.0, 10.0]),
        ("zscore", {"m_sd": (10, 2)}, [10 + 2 * v / np.std([1, 2, 3, 4], ddof=1) for v in (-1.5, -0.5, 0.5, 1.5)]),
        ("scaled", {"npara": (0, 8), "scale_factor": 10}, [1.25, 2.5, 3.75, 5.0]),
        ("dist2max", {}, [0.0, 1 / 3, 2 / 3, 1.0]),
        ("fracmax", {}, [0.25, 0.5, 0.75, 1.0]),
        ("dist2targ", {"targ": 3.0, "cap_max": True}, [0.0, 0.5, 1.0, 1.0]),
        ("dist2ref", {"iref": 2}, [0.0, 0.5, 1.0, 1.5]),
        ("goalposts", {"gposts": (2, 3, 100)}, [0.0, 0.0, 100.0, 100.0]),
    ],
)
def test_it_normalises_by_hand(method: str, params: dict[str, Any], expected: list[float]) -> None:
    got = normalise_column(np.array([1.0, 2.0, 3.0, 4.0]), method, **params)
    np.testing.assert_allclose(got, expected, rtol=0, atol=EXACT)


def test_it_ranks_with_min_ties_and_keeps_missing() -> None:
    x = np.array([3.0, np.nan, 3.0, 1.0, 5.0])
    np.testing.assert_array_equal(normalise_column(x, "rank"), [2, np.nan, 2, 1, 4])
    np.testing.assert_array_equal(normalise_column(x, "borda"), [1, np.nan, 1, 0, 3])
    np.testing.assert_allclose(normalise_column(x, "prank"), [1 / 3, np.nan, 1 / 3, 0, 1])


def test_it_applies_direction_before_normalising(small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    fw = framework_from_imeta(small_meta)
    _, data = split_idata(small_data, fw)
    out = normalise(data, fw)
    # Direction -1: high b is bad
    np.testing.assert_allclose(out["b"], [100.0, 200 / 3, 100 / 3, 0.0], rtol=0, atol=EXACT)


def test_it_refuses_to_minmax_a_constant_indicator() -> None:
    with pytest.raises(MethodError, match="'k' is constant"):
        normalise_column(np.array([2.0, 2.0, 2.0]), "minmax", code="k")


def test_it_aggregates_with_renormalised_weights_when_children_are_missing() -> None:
    x = np.array([[10.0, 20.0, np.nan], [np.nan, np.nan, np.nan]])
    m = np.ones((3, 1))
    w = np.array([1.0, 3.0, 4.0])
    y = aggregate_level(x, w, m)
    assert y[0, 0] == pytest.approx((10 + 60) / 4, abs=EXACT)
    assert np.isnan(y[1, 0])
    g = aggregate_level(x, w, m, method="gmean")
    assert g[0, 0] == pytest.approx(np.exp((np.log(10) + 3 * np.log(20)) / 4), rel=EXACT)
    h = aggregate_level(x, w, m, method="hmean")
    assert h[0, 0] == pytest.approx(4 / (1 / 10 + 3 / 20), rel=EXACT)
    assert np.isnan(aggregate_level(x, w, m, dat_thresh=0.7)[0, 0])  # 2 of 3 children < 0.7


def test_it_refuses_a_geometric_mean_of_zero() -> None:
    with pytest.raises(MethodError, match="gmean of a zero"):
        aggregate_level(np.array([[0.0, 1.0]]), np.ones(2), np.ones((2, 1)), method="gmean")


def test_it_orders_means_am_ge_gm_ge_hm() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 100, size=(50, 6))
    w = rng.uniform(0.1, 1, size=6)
    m = np.ones((6, 1))
    a, g, h = (aggregate_level(x, w, m, method=k) for k in ("amean", "gmean", "hmean"))
    assert (a >= g - 1e-9).all() and (g >= h - 1e-9).all()


def test_it_scores_copeland_by_hand() -> None:
    x = np.array([[3.0, 3.0], [2.0, 4.0], [1.0, 1.0]])
    # unit 0 vs 1: one win one loss -> 0.5 -> 0; both beat unit 2
    np.testing.assert_array_equal(copeland(x, np.ones(2)), [1.0, 1.0, -2.0])


def test_it_batches_draws_like_single_builds() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(1, 10, size=(7, 4))
    x[0, 1] = np.nan
    w = rng.uniform(0.5, 1.5, size=(5, 4))
    m = np.array([[1.0, 0], [1, 0], [0, 1], [0, 1]])
    batch = aggregate_level(x, w, m)
    for k in range(5):
        np.testing.assert_allclose(batch[k], aggregate_level(x, w[k], m), rtol=1e-14)


def test_it_imputes_by_group_mean_and_median() -> None:
    data = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0, np.nan, 30.0, 50.0]}, index=list("abcdefg"))
    groups = pd.Series(["A", "A", "A", "B", "B", "B", None], index=data.index)
    out = impute(data, method="mean-by-group", groups=groups)
    assert out["x"].tolist() == [1.0, 2.0, 3.0, 10.0, 20.0, 30.0, 50.0]
    assert impute(data, method="median")["x"]["b"] == 10.0
    assert impute(data, method="mean", overrides={"x": "none"})["x"].isna().sum() == 2


def test_it_recovers_a_linear_relation_with_em() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=200)
    data = pd.DataFrame({"a": a, "b": 2 * a + 1 + rng.normal(scale=0.01, size=200)})
    data.loc[:9, "b"] = np.nan
    out = impute_em(data)
    # the conditional mean of b given a is 2a + 1; noise sd 0.01 -> within 0.05
    np.testing.assert_allclose(out.loc[:9, "b"], 2 * a[:10] + 1, atol=0.05)


def test_it_screens_units_by_availability_and_zeros() -> None:
    data = pd.DataFrame({"x": [1.0, np.nan, 0.0], "y": [1.0, np.nan, 0.0], "z": [1.0, 2.0, 0.0]}, index=["A", "B", "C"])
    kept, summary = screen_units(data, dat_thresh=0.5)
    assert list(kept.index) == ["A", "C"]
    kept, _ = screen_units(data, unit_screen="byNAandzeros", dat_thresh=0.5, force={"B": True})
    assert list(kept.index) == ["A", "B"]
    assert summary["Dat_Avail"].tolist() == pytest.approx([1.0, 1 / 3, 1.0])


def test_it_builds_the_small_framework_by_hand(small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    result = build(small_data, small_meta)
    s = result.datasets["Aggregated"]
    # U1: a=0, b=100 -> P1 = 50; c=0, d=0 -> P2 = 0; Index = 25
    assert s.loc["U1", "P1"] == pytest.approx(50.0, abs=EXACT)
    assert s.loc["U1", "Index"] == pytest.approx(25.0, abs=EXACT)
    # U4: c missing -> P2 = d = 100 (weights renormalised)
    assert s.loc["U4", "P2"] == pytest.approx(100.0, abs=EXACT)


def test_it_is_invariant_to_unit_order(small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    data = small_data
    a = build(data, small_meta).datasets["Aggregated"]
    b = build(data.iloc[::-1], small_meta).datasets["Aggregated"]
    pd.testing.assert_frame_equal(a, b.loc[a.index], rtol=1e-14)


def test_it_derives_pca_and_optimised_weights(asem_build) -> None:  # type: ignore[no-untyped-def]
    fw = asem_build.framework
    norm = asem_build.datasets["Normalised"]
    w = pca_weights(norm, fw, level=1)
    kids = fw.children("Physical")
    assert sum(w[c] for c in kids) == pytest.approx(1.0, abs=1e-12)  # squared unit loadings
    opt = optimise_weights(asem_build.datasets["Aggregated"], fw, level=2)
    assert sum(opt[c] for c in fw.children("Sust")) == pytest.approx(1.0, abs=1e-12)
    y = aggregate(norm, fw.with_weights(opt))
    r = np.array([y[c].corr(y["Sust"]) for c in fw.children("Sust")])
    agg = asem_build.datasets["Aggregated"]
    r0 = np.array([agg[c].corr(agg["Sust"]) for c in fw.children("Sust")])
    assert np.ptp(r / r.sum()) <= np.ptp(r0 / r0.sum()) + 1e-9  # more balanced


def test_it_computes_the_other_log_transforms_by_hand() -> None:
    from kientao.indices.engine.treat import log_ct_orig, log_ct_plus

    x = np.array([1.0, 2.0, 11.0])
    np.testing.assert_allclose(log_ct_orig(x), np.log([1.0, 2.0, 11.0]), rtol=0, atol=EXACT)
    # positive skew: log_CT = ln(x - 1 + 0.1)
    np.testing.assert_allclose(log_ct_plus(x), np.log([0.1, 1.1, 10.1]), rtol=0, atol=EXACT)
    # negative skew: -ln(max + 0.1 - x)
    np.testing.assert_allclose(log_ct_plus(-x), -np.log([0.1, 1.1, 10.1]), rtol=0, atol=EXACT)


def test_it_replays_a_build_from_its_serialised_steps(asem_tables, asem_build) -> None:  # type: ignore[no-untyped-def]
    from kientao.indices.engine import steps_from_json, steps_to_json, vary_steps

    idata, imeta = asem_tables
    steps = steps_from_json(steps_to_json(asem_build.steps))
    again = build(idata, imeta, steps)
    pd.testing.assert_frame_equal(again.datasets["Aggregated"], asem_build.datasets["Aggregated"])
    positive = vary_steps(steps, "normalise", l_u=[1.0, 100.0])  # gmean needs x > 0
    varied = build(idata, imeta, vary_steps(positive, "aggregate", method="gmean"))
    assert varied.steps[-1].params["method"] == "gmean"
    assert not np.allclose(varied.datasets["Aggregated"]["Index"], asem_build.datasets["Aggregated"]["Index"])
