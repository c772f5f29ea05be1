"""Monte Carlo uncertainty and Sobol sensitivity against COINr's ASEM vignette (N = 100)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kientao.indices.engine import (
    IndexBuild,
    Step,
    UncertainInput,
    WeightNoise,
    build,
    uncertainty,
    vary_steps,
)
from kientao.indices.engine.pipeline import run_steps
from kientao.indices.engine.results import ranks_descending
from kientao.indices.engine.uncertainty import (
    coinr_vignette_inputs,
    saltelli_design,
    sobol_indices,
    with_step,
)


@pytest.fixture(scope="module")
def ua(asem_build: IndexBuild):  # type: ignore[no-untyped-def]
    return uncertainty(asem_build, coinr_vignette_inputs(), 2000, seed=11)


def test_it_matches_coinrs_uncertainty_rank_statistics(ua, asem_build: IndexBuild, asem_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ref = pd.read_csv(asem_dir / "ua_rankstats_N100.csv").set_index("uCode")
    ours = ua.rank_stats.set_index("uCode").loc[ref.index]
    assert (ours["Nominal"] == ref["Nominal"]).all()
    # COINr's means come from 100 draws: standard error sd/sqrt(100) with sd the rank
    # spread per unit (estimated from our 2,000 draws, whose own error is ~4.5x smaller).
    # 4 standard errors (+0.1 for rank discreteness) bounds all 51 units with
    # family-wise probability > 0.99 under normality.
    sd = pd.Series(np.nanstd(ua.ranks, axis=0, ddof=1), index=ua.rank_stats["uCode"]).loc[ref.index]
    se = np.sqrt(sd**2 / 100 + sd**2 / 2000)
    assert (np.abs(ours["Mean"] - ref["Mean"]) <= 4 * se + 0.1).all()
    # medians and 5/95 % quantiles of integer ranks: within 2 positions
    for col in ("Median", "Q5", "Q95"):
        assert (np.abs(ours[col] - ref[col]) <= 2.0).all(), col
    # COINr: CHE mean rank 1.01 (first in 99 of 100 runs). The share depends on which
    # 100 noisy weight sets were drawn (98.5 % with this seed), so we ask for >= 95 %.
    assert (ua.ranks[:, list(ua.rank_stats["uCode"]).index("CHE")] == 1).mean() >= 0.95


def test_it_agrees_with_naive_per_draw_builds(asem_build: IndexBuild) -> None:
    inputs = [
        UncertainInput("Winmax", "treat", tuple({"winmax": k} for k in range(1, 6))),
        UncertainInput("Aggregation", "aggregate", ({"method": "amean"}, {"method": "gmean"})),
        UncertainInput("Normalisation", "normalise", ({"method": "minmax", "l_u": [1, 100]},)),
    ]
    res = uncertainty(asem_build, inputs, 12, seed=5)
    steps = list(asem_build.steps)
    for k in range(12):
        u = res.samples.iloc[k]
        s = vary_steps(steps, "treat", winmax=int(u["Winmax"] * 5) + 1)
        s = vary_steps(s, "aggregate", method=["amean", "gmean"][int(u["Aggregation"] * 2)])
        s = vary_steps(s, "normalise", method="minmax", l_u=[1, 100])
        b = run_steps(asem_build.framework, asem_build.units, asem_build.datasets["Raw"], s)
        # same arithmetic in a different order (batched matmul): 1e-9 on 0-100 scores
        np.testing.assert_allclose(res.scores[k], b.datasets["Aggregated"]["Index"], rtol=0, atol=1e-9)


def test_it_fails_gmean_runs_on_zeros_as_coinr(asem_build: IndexBuild) -> None:
    inputs = [UncertainInput("Aggregation", "aggregate", ({"method": "amean"}, {"method": "gmean"}))]
    res = uncertainty(asem_build, inputs, 50, seed=1)
    gm = res.samples["Aggregation"] >= 0.5
    assert np.isnan(res.scores[gm.to_numpy()]).all()  # min-max 0-100 has zeros
    assert not np.isnan(res.scores[~gm.to_numpy()]).any()


def test_it_refuses_inputs_for_missing_steps(asem_build: IndexBuild) -> None:
    bad: list[UncertainInput | WeightNoise] = [UncertainInput("Imp", "imputex", ({"method": "mean"},)), WeightNoise({2: 0.1})]
    with pytest.raises(ValueError, match="does not have"):
        uncertainty(asem_build, bad, 10)


def test_it_builds_the_saltelli_design_as_coinr() -> None:
    x = saltelli_design(4, 3, np.random.default_rng(0))
    a, b = x[:4], x[4:8]
    assert x.shape == (20, 3)
    blk = x[8 + 4 : 8 + 8]  # A_B^(2)
    np.testing.assert_array_equal(blk[:, [0, 2]], a[:, [0, 2]])
    np.testing.assert_array_equal(blk[:, 1], b[:, 1])


def test_it_estimates_sobol_indices_of_a_linear_model() -> None:
    # y = x1 + 2 x2 with x ~ U(0,1): V = 1/12 + 4/12, S1 = ST1 = 0.2, S2 = ST2 = 0.8
    n = 20000
    x = saltelli_design(n, 2, np.random.default_rng(9))
    y = x[:, 0] + 2 * x[:, 1]
    s = sobol_indices(y, n, 2)
    # Monte Carlo error at N = 20,000 is about 0.01
    np.testing.assert_allclose(s["Si"], [0.2, 0.8], atol=0.03)
    np.testing.assert_allclose(s["STi"], [0.2, 0.8], atol=0.03)


@pytest.mark.slow
def test_it_ranks_coinrs_sensitivity_drivers(asem_build: IndexBuild, asem_dir: Path) -> None:
    res = uncertainty(asem_build, coinr_vignette_inputs(), 1000, kind="SA", seed=3, n_boot=100)
    assert res.sensitivity is not None
    sti = res.sensitivity.set_index("Variable")["STi"]
    ref = pd.read_csv(asem_dir / "sa_sobol_indices_N100.csv").set_index("Variable")["STi"]
    # COINr (N = 100): Aggregation 0.48 > Normalisation 0.40 > Weights 0.20 > Winmax 0.05.
    # At N = 1,000 we find the same two leaders and the same two minor inputs, with
    # Winmax the least important; see docs/indices-engine.md for the size of the gap.
    assert set(sti.nlargest(2).index) == set(ref.nlargest(2).index)
    assert sti.idxmin() == ref.idxmin() == "Winmax"
    assert ((sti > 0) & (sti < 1)).all()
    ranks = res.ranks[: 2 * 1000]
    assert ranks.shape[1] == 51


@pytest.mark.slow
def test_its_sobol_estimates_spread_like_coinrs_at_n_100(asem_build: IndexBuild, asem_dir: Path) -> None:
    """COINr's file is one N = 100 estimate; ours at N = 100 over 40 seeds gives its sampling spread.

    The file's total indices lie within 3 standard deviations of that spread (z: Weights
    0.0, Winmax -0.5, Normalisation +1.9, Aggregation -2.1). Its first-order indices for
    Normalisation (0.94) and Weights (0.61) are an unusual draw: COINr itself at other
    seeds gives values like ours, and rebuilt run by run our engine equals COINr's
    (benchmarks/indices/check_sa_runs_vs_coinr.py; docs/indices-engine.md).
    """
    ref = pd.read_csv(asem_dir / "sa_sobol_indices_N100.csv").set_index("Variable")
    runs = []
    for seed in range(40):
        res = uncertainty(asem_build, coinr_vignette_inputs(), 100, kind="SA", seed=seed)
        assert res.sensitivity is not None
        runs.append(res.sensitivity.set_index("Variable")["STi"])
    sti = pd.DataFrame(runs)
    z = (ref["STi"] - sti.mean()) / sti.std()
    assert (z[["Weights", "Winmax"]].abs() < 3).all(), z
    assert (z.abs() < 3).all(), z  # the total indices of all four inputs within 3 standard deviations


def test_it_reports_progress(asem_build: IndexBuild) -> None:
    seen: list[int] = []
    uncertainty(asem_build, [WeightNoise({2: 0.2})], 30, batch=10, progress=lambda p, _m: seen.append(p))
    assert seen == sorted(seen) and seen[-1] == 100


def test_it_ranks_draws_like_r() -> None:
    x = np.array([[1.0, 3.0, 3.0, np.nan], [2.0, 1.0, 0.0, 5.0]])
    np.testing.assert_array_equal(ranks_descending(x, axis=1), [[3, 1, 1, np.nan], [2, 3, 4, 1]])


def test_it_varies_imputation_even_when_the_build_has_none(small_meta: pd.DataFrame) -> None:
    # COINr issue #60: imputation alternatives on a coin without Impute are skipped silently
    data = pd.DataFrame(
        {"uCode": ["U1", "U2", "U3", "U4"], "a": [1.0, 2, 3, 4], "b": [10.0, 20, 30, 40],
         "c": [0.0, 1.0, 10.0, None], "d": [2.0, 2, 4, 6]}
    )
    steps = [Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}), Step("aggregate")]
    nominal = build(data, small_meta, steps)
    alts = ({"method": "none"}, {"method": "mean"}, {"method": "median"})
    inputs: list[UncertainInput | WeightNoise] = [UncertainInput("Imputation", "impute", alts)]
    res = uncertainty(nominal, inputs, 30, seed=2)
    assert [s.name for s in with_step(nominal.steps, "impute")] == ["impute", "normalise", "aggregate"]
    picks = np.minimum((res.samples["Imputation"] * 3).astype(int), 2).to_numpy()
    assert set(picks) == {0, 1, 2}
    for k in range(30):
        s = vary_steps(with_step(nominal.steps, "impute"), "impute", **alts[picks[k]])
        b = run_steps(nominal.framework, nominal.units, nominal.datasets["Raw"], s)
        # same arithmetic, batched: 1e-9 on 0-100 scores
        np.testing.assert_allclose(res.scores[k], b.scores["Index"], rtol=0, atol=1e-9)
    # U4's c: mean 11/3 vs median 1 on the 0-10 range -> different index scores
    u4 = res.scores[:, 3]
    assert len({round(float(v), 9) for v in u4}) == 3


def test_it_inserts_missing_steps_in_coinrs_order() -> None:
    steps = [Step("denominate"), Step("treat"), Step("normalise"), Step("aggregate")]
    assert [s.name for s in with_step(steps, "screen")][:3] == ["denominate", "screen", "treat"]
    assert [s.name for s in with_step(steps, "impute")][:3] == ["denominate", "impute", "treat"]
    assert with_step(steps, "treat") == steps


@pytest.mark.parametrize("alt", [{"method": "copeland"}, {"method": "genmean", "p": 2}])
def test_it_varies_copeland_and_genmean_like_naive_builds(asem_build: IndexBuild, alt: dict) -> None:  # type: ignore[type-arg]
    inputs: list[UncertainInput | WeightNoise] = [
        UncertainInput("Aggregation", "aggregate", ({"method": "amean"}, alt)),
        UncertainInput("Normalisation", "normalise", ({"method": "minmax", "l_u": [1, 100]}, {"method": "rank"})),
    ]
    res = uncertainty(asem_build, inputs, 8, seed=6)
    for k in range(8):
        u = res.samples.iloc[k]
        s = vary_steps(list(asem_build.steps), "aggregate", **[{"method": "amean"}, alt][int(u["Aggregation"] * 2)])
        s = vary_steps(s, "normalise", **inputs[1].alternatives[int(u["Normalisation"] * 2)])  # type: ignore[union-attr]
        b = run_steps(asem_build.framework, asem_build.units, asem_build.datasets["Raw"], s)
        # batched matmul vs per-parent sums: 1e-9 on scores up to ~100 (Copeland: integers)
        np.testing.assert_allclose(res.scores[k], b.scores["Index"], rtol=0, atol=1e-9)


def test_it_drops_failed_rows_from_the_sobol_design() -> None:
    n, d = 200, 2
    x = saltelli_design(n, d, np.random.default_rng(1))
    y = x[:, 0] + 2 * x[:, 1]
    y_bad = y.copy()
    y_bad[2 * n + n + 7] = np.nan  # run 7 of A_B^(2)
    keep = np.ones(n, dtype=bool)
    keep[7] = False
    blocks = [y[i * n : (i + 1) * n][keep] for i in range(d + 2)]
    want = sobol_indices(np.concatenate(blocks), n - 1, d)
    got = sobol_indices(y_bad, n, d)
    # identical arithmetic on the same 199 rows
    np.testing.assert_allclose(got[["Si", "STi"]], want[["Si", "STi"]], rtol=1e-12)
    assert got["N"].tolist() == [n - 1] * d


def test_it_bootstraps_sobol_intervals_as_wide_as_their_sampling_spread() -> None:
    # y = x1 + 2 x2 + x1 x2. Over 40 independent designs (N = 400) the spread of STi
    # is its sampling error; the bootstrap 5-95 % interval should be about 2 x 1.645
    # of it. Tolerance: a factor 0.6-1.6 covers the error of a 40-sample sd (~11 %).
    n, d = 400, 2
    est, width = [], []
    for rep in range(40):
        rng = np.random.default_rng(100 + rep)
        x = saltelli_design(n, d, rng)
        y = x[:, 0] + 2 * x[:, 1] + x[:, 0] * x[:, 1]
        s = sobol_indices(y, n, d, n_boot=300, rng=rng)
        assert (s["STi_q5"] <= s["STi"]).all() and (s["STi"] <= s["STi_q95"]).all()
        est.append(s["STi"].to_numpy())
        width.append((s["STi_q95"] - s["STi_q5"]).to_numpy())
    spread = np.std(est, axis=0, ddof=1)
    implied = np.mean(width, axis=0) / (2 * 1.645)
    ratio = implied / spread
    assert ((ratio > 0.6) & (ratio < 1.6)).all(), ratio
