"""Panel imputation (COINr ``impute_panel``) and multi-year builds, by hand and against naive loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.indices.engine import IndexDataError, MethodError, Step, build_panel, uncertainty
from kientao.indices.engine.panel import impute_panel
from kientao.indices.engine.uncertainty import UncertainInput

EXACT = 1e-12  # a handful of float operations on small numbers


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["A"] * 4 + ["B"] * 3,
            "Time": [2019, 2020, 2021, 2022, 2020, 2021, 2022],
            "x": [np.nan, 2.0, np.nan, 8.0, np.nan, 4.0, np.nan],
            "y": [1.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        }
    )


def test_it_carries_the_latest_value_forward_by_hand(panel: pd.DataFrame) -> None:
    res = impute_panel(panel)
    # A's 2019 x has no earlier value: values are never carried backwards
    assert res.data["x"].tolist()[:4] == pytest.approx([np.nan, 2.0, 2.0, 8.0], nan_ok=True)
    assert res.data["x"].tolist()[4:] == pytest.approx([np.nan, 4.0, 4.0], nan_ok=True)
    assert res.data["y"].tolist()[:4] == [1.0, 1.0, 1.0, 1.0]
    assert res.data["y"].iloc[4:].isna().all()  # B never observed y
    assert res.source_time is not None
    assert res.source_time["y"].tolist()[:4] == [2019.0] * 4
    assert res.imputed["x"].tolist() == [False, False, True, False, False, False, True]


def test_it_looks_back_at_most_max_time_points(panel: pd.DataFrame) -> None:
    res = impute_panel(panel, max_time=1)
    assert res.data["y"].tolist()[:4] == pytest.approx([1.0, 1.0, np.nan, np.nan], nan_ok=True)
    # max_time counts time points of the panel, not of the unit: B has no 2019 row
    two = impute_panel(panel, max_time=2)
    assert two.data["y"].tolist()[:4] == pytest.approx([1.0, 1.0, 1.0, np.nan], nan_ok=True)


def test_it_interpolates_like_r_approx_with_rule_2(panel: pd.DataFrame) -> None:
    lin = impute_panel(panel, imp_type="linear-constant")
    # A: 2019 takes the first observation (rule 2), 2021 halfway between 2 and 8
    assert lin.data["x"].tolist()[:4] == [2.0, 2.0, 5.0, 8.0]
    assert lin.data["x"].tolist()[4:] == [4.0, 4.0, 4.0]
    assert lin.data["y"].tolist()[:4] == [1.0, 1.0, 1.0, 1.0]  # one observation: constant
    const = impute_panel(panel, imp_type="constant")
    assert const.data["x"].tolist()[:4] == [2.0, 2.0, 2.0, 8.0]
    assert const.source_time is None


def test_it_interpolates_over_uneven_time_gaps() -> None:
    df = pd.DataFrame({"uCode": ["A"] * 3, "Time": [2010, 2012, 2013], "x": [0.0, np.nan, 9.0]})
    # 0 + (9 - 0)(2012 - 2010)/(2013 - 2010) = 6
    assert impute_panel(df, imp_type="linear").data["x"].iloc[1] == pytest.approx(6.0, abs=EXACT)


def test_it_refuses_linear_on_a_single_observation(panel: pd.DataFrame) -> None:
    with pytest.raises(MethodError, match="unit 'A', column 'y'.*linear-constant"):
        impute_panel(panel, imp_type="linear")


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        ({}, {"imp_type": "nearest"}, "unknown imp_type"),
        ({}, {"imp_type": "linear", "max_time": 2}, "max_time applies"),
        ({}, {"max_time": 0}, "max_time = 0"),
        ({"x": [np.nan, "n/a", np.nan, 8.0, np.nan, 4.0, np.nan]}, {}, "row 3, column 'x'"),
        ({"Time": [2019, 2019, 2021, 2022, 2020, 2021, 2022]}, {}, "row 3: unit 'A' appears twice"),
        ({"Time": [2020] * 7, "uCode": list("ABCDEFG")}, {}, "two time points"),
    ],
)
def test_it_rejects_bad_panels(panel: pd.DataFrame, change: dict, kwargs: dict, match: str) -> None:  # type: ignore[type-arg]
    df = panel.astype({"x": object}) if "x" in change else panel.copy()
    for k, v in change.items():
        df[k] = v
    with pytest.raises(IndexDataError, match=match):
        impute_panel(df, **kwargs)


def _naive_latest(df: pd.DataFrame, col: str, max_time: int | None) -> list[float]:
    """COINr's impute_year loop, unit by unit and year by year."""
    years = sorted(df["Time"].unique(), reverse=True)
    out = []
    for _, row in df.iterrows():
        v = row[col]
        if np.isnan(v):
            older = [y for y in years if y < row["Time"]]
            older = older if max_time is None else older[:max_time]
            for y in older:
                old = df[(df["Time"] == y) & (df["uCode"] == row["uCode"])][col]
                if len(old) and not np.isnan(old.iloc[0]):
                    v = float(old.iloc[0])
                    break
        out.append(v)
    return out


def test_it_agrees_with_naive_loops_on_a_random_panel() -> None:
    rng = np.random.default_rng(4)
    rows = [(f"U{u}", t) for u in range(12) for t in range(2000, 2010) if rng.random() > 0.15]
    df = pd.DataFrame(rows, columns=["uCode", "Time"])
    df["x"] = np.where(rng.random(len(df)) < 0.4, np.nan, rng.normal(size=len(df)))
    for mt in (None, 2):
        got = impute_panel(df, max_time=mt).data["x"].to_numpy()
        np.testing.assert_array_equal(got, _naive_latest(df, "x", mt))
    got = impute_panel(df, imp_type="linear-constant").data["x"].to_numpy()
    for _u, g in df.groupby("uCode"):
        obs = g["x"].notna().to_numpy()
        if not obs.any():
            assert np.isnan(got[g.index]).all()
            continue
        # np.interp holds the end values outside the observed span, as rule = 2
        want = np.interp(g["Time"], g["Time"][obs], g["x"][obs])
        np.testing.assert_allclose(got[g.index], want, rtol=0, atol=EXACT)


@pytest.fixture
def meta2() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Level": [1, 1, 2],
            "iCode": ["a", "b", "Index"],
            "Parent": ["Index", "Index", None],
            "Direction": [1, 1, 1],
            "Weight": [1, 1, 1],
            "Type": ["Indicator", "Indicator", "Aggregate"],
        }
    )


STEPS = [Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}), Step("aggregate", {"method": "amean"})]


def test_it_builds_a_panel_after_panel_imputation(meta2: pd.DataFrame) -> None:
    idata = pd.DataFrame(
        {
            "uCode": ["X", "Y", "Z"] * 2,
            "Time": [2021] * 3 + [2022] * 3,
            "a": [0.0, 5.0, 10.0, 1.0, 2.0, 3.0],
            "b": [4.0, 2.0, 0.0, np.nan, np.nan, np.nan],  # b not collected in 2022
        }
    )
    with pytest.raises(IndexDataError, match="2022.*'b' has no data"):
        build_panel(idata, meta2, STEPS)
    out = build_panel(idata, meta2, STEPS, panel_impute={"imp_type": "latest"})
    b22 = out[2022]
    assert b22.input_name == "PanelImputed"
    assert b22.datasets["Raw"]["b"].isna().all()
    assert b22.datasets["PanelImputed"]["b"].tolist() == [4.0, 2.0, 0.0]
    assert b22.details["panel_source_time"]["b"].tolist() == [2021.0] * 3
    # 2022: a -> 0, 50, 100; b (2021 values) -> 100, 50, 0; Index = mean
    assert b22.scores["Index"].tolist() == pytest.approx([50.0, 50.0, 50.0], abs=EXACT)


def test_it_normalises_all_years_together(meta2: pd.DataFrame) -> None:
    idata = pd.DataFrame(
        {
            "uCode": ["X", "Y"] * 2,
            "Time": [2021, 2021, 2022, 2022],
            "a": [0.0, 10.0, 10.0, 20.0],
            "b": [0.0, 10.0, 10.0, 20.0],
        }
    )
    per_year = build_panel(idata, meta2, STEPS)
    glob = build_panel(idata, meta2, STEPS, normalise_global=True)
    assert per_year[2022].scores["Index"].tolist() == [0.0, 100.0]
    # min-max over all four values 0..20: 2021 -> 0, 50; 2022 -> 50, 100
    assert glob[2021].scores["Index"].tolist() == pytest.approx([0.0, 50.0], abs=EXACT)
    assert glob[2022].scores["Index"].tolist() == pytest.approx([50.0, 100.0], abs=EXACT)
    assert not glob[2022].replayable and per_year[2022].replayable
    inp = [UncertainInput("N", "normalise", ({"method": "minmax"},)), UncertainInput("A", "aggregate", ({},))]
    with pytest.raises(IndexDataError, match="cannot be regenerated"):
        uncertainty(glob[2022], inp, 10)


def test_it_needs_a_normalise_step_for_global_normalisation(meta2: pd.DataFrame) -> None:
    idata = pd.DataFrame({"uCode": ["X", "Y"] * 2, "Time": [1, 1, 2, 2], "a": [1.0, 2, 3, 4], "b": [1.0, 2, 3, 5]})
    with pytest.raises(IndexDataError, match="normalise_global needs"):
        build_panel(idata, meta2, [Step("aggregate")], normalise_global=True)
