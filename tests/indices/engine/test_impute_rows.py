"""Row-wise imputation (COINr ``impute_by = "row"``) and imputation within aggregation groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.indices.engine import (
    IndexDataError,
    MethodError,
    Step,
    build,
    framework_from_imeta,
    impute,
    impute_em,
    split_idata,
)

EXACT = 1e-12  # a handful of float operations on numbers of order 1-40


@pytest.fixture
def small(small_meta: pd.DataFrame, small_data: pd.DataFrame):  # type: ignore[no-untyped-def]
    fw = framework_from_imeta(small_meta)
    _, data = split_idata(small_data, fw)
    return fw, data


def test_it_imputes_row_means_of_raw_values_by_hand() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan], "c": [5.0, 7.0]})
    assert impute(df, impute_by="row", normalise_first=False)["b"].tolist() == [3.0, 4.5]
    med = pd.DataFrame({"a": [1.0], "b": [np.nan], "c": [2.0], "d": [9.0]})
    assert impute(med, method="median", impute_by="row", normalise_first=False)["b"].tolist() == [2.0]


def test_it_normalises_first_with_directions_by_hand(small) -> None:  # type: ignore[no-untyped-def]
    fw, data = small
    # U4 lacks c. Scaled values of U4: a (4-1)/3 = 1; b (Direction -1, the worst) 0;
    # d (6-2)/4 = 1. Row mean 2/3, mapped back on c's range 0..10: 20/3.
    out = impute(data, impute_by="row", framework=fw)
    assert out.loc["U4", "c"] == pytest.approx(20 / 3, abs=EXACT)
    # within pillars (level 2): c shares P2 with d only, so c takes d's scaled 1 -> 10
    grp = impute(data, impute_by="row", framework=fw, group_level=2)
    assert grp.loc["U4", "c"] == pytest.approx(10.0, abs=EXACT)
    observed = data.notna().to_numpy()
    np.testing.assert_array_equal(out.to_numpy()[observed], data.to_numpy()[observed])


def test_it_maps_a_negative_direction_back(small) -> None:  # type: ignore[no-untyped-def]
    fw, data = small
    data = data.copy()
    data.loc["U1", "b"] = np.nan
    # U1 is worst on a, c, d (scaled 0), so b is imputed as the worst observed b: 40
    out = impute(data, impute_by="row", framework=fw)
    assert out.loc["U1", "b"] == pytest.approx(40.0, abs=EXACT)


def test_it_rejects_row_imputation_it_cannot_do(small) -> None:  # type: ignore[no-untyped-def]
    fw, data = small
    with pytest.raises(IndexDataError, match="needs the framework"):
        impute(data, impute_by="row")
    with pytest.raises(IndexDataError, match="'mean' or 'median'"):
        impute(data, method="mean-by-group", impute_by="row", framework=fw)
    with pytest.raises(IndexDataError, match="overrides"):
        impute(data, impute_by="row", framework=fw, overrides={"a": "median"})
    with pytest.raises(IndexDataError, match="group_level = 5"):
        impute(data, impute_by="row", framework=fw, group_level=5)
    flat = data.assign(a=1.0)
    with pytest.raises(MethodError, match="'a' is constant"):
        impute(flat, impute_by="row", framework=fw)


def test_it_runs_em_within_groups(small) -> None:  # type: ignore[no-untyped-def]
    fw, data = small
    rng = np.random.default_rng(2)
    big = pd.DataFrame(rng.normal(size=(30, 4)), columns=data.columns)
    big.iloc[[1, 5], 2] = np.nan
    out = impute(big, method="em", framework=fw, group_level=2)
    # c and d form pillar P2: EM on that block alone
    np.testing.assert_allclose(out[["c", "d"]], impute_em(big[["c", "d"]]), rtol=0, atol=EXACT)
    pd.testing.assert_frame_equal(out[["a", "b"]], big[["a", "b"]])


def test_it_imputes_rows_in_a_build(small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    steps = [Step("impute", {"method": "mean", "impute_by": "row", "group_level": 2}), Step("normalise"), Step("aggregate")]
    b = build(small_data, small_meta, steps)
    assert b.datasets["Imputed"].loc["U4", "c"] == pytest.approx(10.0, abs=EXACT)
    assert not b.scores.isna().any().any()
