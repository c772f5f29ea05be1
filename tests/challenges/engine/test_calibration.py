"""Calibration: hand cases, planted biases, naive least squares, invariants, flags, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.challenges.engine import ScoreDataError, calibrate_scores, fit_additive_bias


def frame(rows):
    return pd.DataFrame(rows, columns=["submission", "judge", "criterion", "score"])


def random_design(n_sub=60, n_judge=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    sub, judge = [], []
    for s in range(n_sub):
        for j in rng.choice(n_judge, k, replace=False):
            sub.append(s)
            judge.append(int(j))
    return np.array(sub), np.array(judge), rng


def test_it_fits_a_hand_computed_additive_model():
    # Judge x is 2 points harsher than y on both submissions: b = (+1, -1) around 0.
    model = fit_additive_bias(
        np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([6.0, 4.0, 8.0, 6.0]), ridge=0.0
    )
    np.testing.assert_allclose(model.quality, [5.0, 7.0], atol=1e-12)  # exact arithmetic
    np.testing.assert_allclose(model.bias, [1.0, -1.0], atol=1e-12)


def test_it_matches_naive_constrained_least_squares():
    sub, judge, rng = random_design()
    y = rng.normal(5, 2, sub.size)
    model = fit_additive_bias(sub, judge, y, ridge=0.0)
    # Naive: dense design [one-hot sub | one-hot judge] plus the row sum(b) = 0.
    x = np.zeros((sub.size + 1, 60 + 8))
    x[np.arange(sub.size), sub] = 1
    x[np.arange(sub.size), 60 + judge] = 1
    x[-1, 60:] = 1
    theta = np.linalg.lstsq(x, np.append(y, 0.0), rcond=None)[0]
    # Both solve the same full-rank problem: agree to solver precision.
    np.testing.assert_allclose(model.quality, theta[:60], atol=1e-8)
    np.testing.assert_allclose(model.bias, theta[60:], atol=1e-8)
    # Standard errors: sigma^2 (X'X)^-1 on the constrained design (via a null-space basis).
    resid = y - theta[sub] - theta[60 + judge]
    sigma2 = (resid**2).sum() / (sub.size - 60 - 8 + 1)
    basis = np.eye(68)[:, :67].copy()
    basis[60:, 60:] -= 1 / 8  # columns spanning {sum b = 0}
    basis = np.linalg.qr(basis[:, :67])[0]
    xd = x[:-1] @ basis
    cov = sigma2 * basis @ np.linalg.inv(xd.T @ xd) @ basis.T
    np.testing.assert_allclose(model.quality_se, np.sqrt(np.diag(cov)[:60]), rtol=1e-6)
    np.testing.assert_allclose(model.bias_se, np.sqrt(np.diag(cov)[60:]), rtol=1e-6)


def test_it_recovers_planted_judge_biases():
    sub, judge, rng = random_design(n_sub=300, n_judge=10, k=3, seed=1)
    quality = rng.normal(6, 1.5, 300)
    bias = np.linspace(-2, 2, 10)
    y = quality[sub] + bias[judge] + rng.normal(0, 0.3, sub.size)
    model = fit_additive_bias(sub, judge, y, ridge=0.0)
    # 90 reviews per judge, noise 0.3: bias error ~0.3/sqrt(90)*few; 0.15 is > 4 SE.
    np.testing.assert_allclose(model.bias, bias - bias.mean(), atol=0.15)
    # Calibrated scores beat raw means at recovering quality.
    raw = np.bincount(sub, weights=y) / np.bincount(sub)
    err_raw = np.abs(raw - quality).mean()
    err_cal = np.abs(model.quality - quality).mean()
    assert err_cal < 0.5 * err_raw


def test_it_centres_biases_per_component_and_reports_components():
    sub = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    judge = np.array([0, 1, 0, 1, 2, 3, 2, 3])
    y = np.array([5.0, 7.0, 6.0, 8.0, 2.0, 3.0, 4.0, 5.0])
    model = fit_additive_bias(sub, judge, y, ridge=0.5)
    assert model.n_components == 2
    assert model.submission_component[0] != model.submission_component[2]
    # Sum of biases is exactly zero within each component (up to rounding).
    assert model.bias[:2].sum() == pytest.approx(0.0, abs=1e-12)
    assert model.bias[2:].sum() == pytest.approx(0.0, abs=1e-12)


def test_it_ranks_raw_and_calibrated_side_by_side():
    rows = []
    for s, scores in {"a": (6, 4), "b": (8, 6)}.items():
        for j, v in zip(("x", "y"), scores, strict=True):
            rows.append((s, j, "impact", v))
    cal = calibrate_scores(frame(rows), ridge=0.0)
    sub = cal.submissions.set_index("submission")
    assert sub.loc["b", "rank"] == 1 and sub.loc["a", "rank"] == 2
    assert sub.loc["b", "raw_mean"] == pytest.approx(7.0, abs=1e-12)
    assert sub.loc["b", "additive"] == pytest.approx(7.0, abs=1e-12)
    # Evalato rescale maps the z-score means onto the raw-mean range [5, 7].
    assert sub["zscore_rescaled"].min() == pytest.approx(5.0, abs=1e-12)
    assert sub["zscore_rescaled"].max() == pytest.approx(7.0, abs=1e-12)


def test_it_applies_rubric_weights():
    rows = [
        ("a", "x", "impact", 10),
        ("a", "x", "cost", 0),
        ("b", "x", "impact", 0),
        ("b", "x", "cost", 10),
    ]
    cal = calibrate_scores(frame(rows), {"impact": 3, "cost": 1}, rank_by="raw")
    sub = cal.submissions.set_index("submission")
    # (3*10 + 1*0)/4 = 7.5 and (0 + 10)/4 = 2.5, exact in binary.
    assert sub.loc["a", "raw_mean"] == 7.5 and sub.loc["b", "raw_mean"] == 2.5


def test_it_gives_ties_the_same_rank():
    rows = [(s, j, "c", v) for s, v in (("a", 5), ("b", 5), ("c", 3)) for j in ("x", "y")]
    cal = calibrate_scores(frame(rows), rank_by="raw")
    ranks = cal.submissions.set_index("submission")["rank"]
    assert ranks["a"] == ranks["b"] == 1 and ranks["c"] == 3


def test_it_is_invariant_to_row_order_and_a_shift_of_all_scores():
    sub, judge, rng = random_design(seed=3)
    df = frame(
        [
            (f"s{s}", f"j{j}", "c", float(rng.integers(1, 11)))
            for s, j in zip(sub, judge, strict=True)
        ]
    )
    base = calibrate_scores(df).submissions.set_index("submission")
    shuffled = calibrate_scores(df.sample(frac=1, random_state=1)).submissions.set_index(
        "submission"
    )
    pd.testing.assert_frame_equal(base, shuffled.loc[base.index], atol=1e-9)
    shifted = calibrate_scores(df.assign(score=df["score"] + 10)).submissions.set_index(
        "submission"
    )
    # Adding 10 to every score shifts calibrated scores by 10 and keeps ranks.
    np.testing.assert_allclose(shifted["additive"], base["additive"] + 10, atol=1e-9)
    np.testing.assert_array_equal(shifted["rank"], base["rank"])


def test_it_flags_disagreement_and_the_shortlist_line():
    rows = [
        ("a", "x", "c", 9),
        ("a", "y", "c", 9),
        ("b", "x", "c", 8),
        ("b", "y", "c", 2),
        ("c", "x", "c", 5),
        ("c", "y", "c", 5),
        ("d", "x", "c", 2),
        ("d", "y", "c", 3),
    ]
    cal = calibrate_scores(frame(rows), spread_threshold=3, shortlist=1, rank_by="raw")
    spread = cal.flags[cal.flags["flag"] == "spread"]
    assert spread["submission"].tolist() == ["b"]
    line = set(cal.flags.loc[cal.flags["flag"] == "shortlist_line", "submission"])
    # b's band is wide (SD 4.2 over 2 judges) and reaches rank 1.
    assert "b" in line
    assert "d" not in line


def test_it_reports_reliability_per_criterion():
    sub, judge, rng = random_design(n_sub=40, n_judge=6, seed=4)
    quality = rng.normal(0, 2, 40)
    rows = []
    for s, j in zip(sub, judge, strict=True):
        rows.append((s, j, "signal", quality[s] + rng.normal(0, 0.5)))
        rows.append((s, j, "noise", rng.normal(0, 2)))
    rel = calibrate_scores(frame(rows)).reliability.set_index(["criterion", "statistic"])
    # Signal-to-noise 16:1 gives ICC(1,1) ~ 0.94; noise gives ~0. Margins are wide.
    assert rel.loc[("signal", "ICC(1,1)"), "value"] > 0.8
    assert rel.loc[("noise", "ICC(1,1)"), "value"] < 0.4
    assert rel.loc[("signal", "alpha_interval"), "value"] > 0.8
    assert {"ICC(2,1)", "ICC(3,k)"}.isdisjoint(rel.index.get_level_values("statistic"))


def test_it_adds_two_way_iccs_for_complete_designs():
    rng = np.random.default_rng(5)
    rows = [(s, j, "c", float(rng.integers(1, 10))) for s in range(8) for j in range(3)]
    stats = set(calibrate_scores(frame(rows)).reliability["statistic"])
    assert {"ICC(1,1)", "ICC(2,1)", "ICC(2,k)", "ICC(3,1)", "ICC(3,k)", "alpha_ordinal"} <= stats


@pytest.mark.parametrize(
    ("rows", "weights", "message"),
    [
        ([("a", "x", "c", "bad")], None, "row 1, column score: expected a number"),
        ([("a", "x", "c", 1), ("a", "x", "c", 2)], None, "row 2: judge 'x' already scored"),
        ([("a", "x", "c", 1)], {"other": 1}, "no weight for criterion 'c'"),
        ([("a", None, "c", 1)], None, "row 1, column judge: empty value"),
    ],
)
def test_it_rejects_bad_scores_with_row_and_column(rows, weights, message):
    with pytest.raises(ScoreDataError, match=message):
        calibrate_scores(frame(rows), weights)


def test_it_rejects_a_frame_without_the_columns():
    with pytest.raises(ScoreDataError, match="missing column"):
        calibrate_scores(pd.DataFrame({"submission": ["a"]}))
