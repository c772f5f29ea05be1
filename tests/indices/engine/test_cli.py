"""``kientao indices ...`` on the ASEM tables and on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kientao.cli import main

ASEM_ARGS = ["--impute", "mean-by-group", "--group", "EurAsia_group", "--screen-threshold", "0.9"]


def test_it_builds_scores_equal_to_coinrs_aggregated_set(asem_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rc = main(["indices", "build", str(asem_dir / "input_ASEM_iData.csv"),
               str(asem_dir / "input_ASEM_iMeta.csv"), "--out", str(out), *ASEM_ARGS])
    assert rc == 0
    scores = pd.read_csv(out / "scores.csv").set_index("uCode")
    ref = pd.read_csv(asem_dir / "dset_Aggregated.csv").set_index("uCode")
    assert scores.shape == (51, 60)
    # written with 17 significant digits, so the 1e-9 agreement survives the CSV
    np.testing.assert_allclose(scores.to_numpy(), ref.loc[scores.index, list(scores.columns)].to_numpy(float),
                               rtol=0, atol=1e-9)
    ranks = pd.read_csv(out / "ranks.csv").set_index("uCode")
    assert ranks.loc["CHE", "Index"] == 1
    sheets = load_workbook(out / "audit.xlsx", read_only=True).sheetnames
    assert {"scores", "ranks", "correlations", "cronbach", "pca", "flags", "treatment"} <= set(sheets)


def test_it_writes_uncertainty(asem_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ua"
    rc = main(["indices", "build", str(asem_dir / "input_ASEM_iData.csv"), str(asem_dir / "input_ASEM_iMeta.csv"),
               "--out", str(out), *ASEM_ARGS, "--range", "1", "100", "--uncertainty", "200", "--seed", "3"])
    assert rc == 0
    ua = pd.read_csv(out / "uncertainty.csv")
    assert list(ua.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert ((ua["Q5"] <= ua["Median"]) & (ua["Median"] <= ua["Q95"])).all()


def test_it_validates_tables(asem_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["indices", "validate", str(asem_dir / "input_ASEM_iData.csv"), str(asem_dir / "input_ASEM_iMeta.csv")])
    assert rc == 0
    assert "51 units, 49 indicators, 4 levels, 63 of 2499" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("data_change", "message"),
    [
        (lambda d: d.assign(a=["1", "x", "3", "4"]), "iData.csv, row 3, column 'a': 'x' is not a number"),
        (lambda d: d.assign(uCode=["U1", "U2", "U2", "U4"]), "duplicate unit code 'U2'"),
        (lambda d: d.assign(d=[1.0, 1.0, 1.0, 1.0]), "'d' is constant"),
    ],
)
def test_it_reports_bad_input_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], data_change: object, message: str, small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    small_meta.to_csv(tmp_path / "iMeta.csv", index=False)
    data_change(small_data).to_csv(tmp_path / "iData.csv", index=False)  # type: ignore[operator]
    rc = main(["indices", "build", str(tmp_path / "iData.csv"), str(tmp_path / "iMeta.csv"),
               "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err and "Traceback" not in err


def test_it_refuses_a_geometric_mean_of_zeros(tmp_path: Path, capsys: pytest.CaptureFixture[str], small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    small_meta.to_csv(tmp_path / "iMeta.csv", index=False)
    small_data.to_csv(tmp_path / "iData.csv", index=False)
    rc = main(["indices", "build", str(tmp_path / "iData.csv"), str(tmp_path / "iMeta.csv"),
               "--out", str(tmp_path / "o"), "--aggregate", "gmean"])
    assert rc == 2
    assert "gmean of a zero" in capsys.readouterr().err


def test_it_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["indices", "validate", str(tmp_path / "nope.csv"), str(tmp_path / "iMeta.csv")])
    assert rc == 2
    assert "file not found" in capsys.readouterr().err


def _panel_files(tmp_path: Path) -> tuple[str, str]:
    meta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "Index"], "Parent": ["Index", "Index", None],
                         "Direction": [1, 1, 1], "Weight": [1, 1, 1], "Type": ["Indicator", "Indicator", "Aggregate"]})
    data = pd.DataFrame({"uCode": ["X", "Y"] * 2, "Time": [2021, 2021, 2022, 2022],
                         "a": [0.0, 10.0, 10.0, 20.0], "b": [0.0, 10.0, None, None]})
    meta.to_csv(tmp_path / "iMeta.csv", index=False)
    data.to_csv(tmp_path / "iData.csv", index=False)
    return str(tmp_path / "iData.csv"), str(tmp_path / "iMeta.csv")


def test_it_builds_a_panel_with_panel_imputation_and_global_normalisation(tmp_path: Path) -> None:
    idata, imeta = _panel_files(tmp_path)
    rc = main(["indices", "panel", idata, imeta, "--out", str(tmp_path / "o"), "--treat", "none",
               "--panel-impute", "latest", "--global-normalise"])
    assert rc == 0
    scores = pd.read_csv(tmp_path / "o" / "scores.csv")
    assert list(scores.columns[:2]) == ["uCode", "Time"]
    # a over both years 0..20 -> 0, 50 | 50, 100; b carried from 2021 -> 0, 100 both years
    np.testing.assert_allclose(scores["Index"], [0.0, 75.0, 25.0, 100.0], atol=1e-12)
    ranks = pd.read_csv(tmp_path / "o" / "ranks.csv")
    assert ranks["Index"].tolist() == [2, 1, 2, 1]


def test_it_reports_panel_errors_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idata, imeta = _panel_files(tmp_path)
    rc = main(["indices", "panel", idata, imeta, "--out", str(tmp_path / "o"), "--treat", "none"])
    err = capsys.readouterr().err
    assert rc == 2 and "Time 2022" in err and "'b' has no data" in err
    rc = main(["indices", "panel", idata, imeta, "--out", str(tmp_path / "o"), "--max-time", "1"])
    assert rc == 2 and "--max-time needs" in capsys.readouterr().err


def test_it_builds_with_genmean_and_row_imputation(tmp_path: Path, small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    small_meta.to_csv(tmp_path / "iMeta.csv", index=False)
    small_data.to_csv(tmp_path / "iData.csv", index=False)
    rc = main(["indices", "build", str(tmp_path / "iData.csv"), str(tmp_path / "iMeta.csv"), "--out",
               str(tmp_path / "o"), "--treat", "none", "--impute", "mean", "--impute-by", "row",
               "--group-level", "2", "--aggregate", "genmean", "--p", "2"])
    assert rc == 0
    scores = pd.read_csv(tmp_path / "o" / "scores.csv").set_index("uCode")
    # U4: c imputed from d's scaled value (1) -> 10 -> normalised 100; d -> 100;
    # P2 = sqrt((1 * 100^2 + 3 * 100^2)/4) = 100
    assert scores.loc["U4", "P2"] == pytest.approx(100.0, abs=1e-9)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_it_keeps_na_as_a_unit_code_and_reads_r_missing_markers(tmp_path: Path, suffix: str,
                                                                small_meta: pd.DataFrame) -> None:
    """Nghệ An's code is "NA"; R's "NA" in a value cell is a missing value."""
    data = pd.DataFrame({"uCode": ["HN", "NA", "HCM", "DN"], "uName": ["Hà Nội", "NA", "TP HCM", "Đà Nẵng"],
                         "a": ["1", "2", "NA", "4"], "b": [10.0, 20.0, 30.0, 40.0],
                         "c": ["0", "#N/A", "10", "7"], "d": [2.0, 2.0, 4.0, 6.0]})
    if suffix == "csv":
        data.to_csv(tmp_path / "iData.csv", index=False)
        small_meta.to_csv(tmp_path / "iMeta.csv", index=False)
    else:
        with pd.ExcelWriter(tmp_path / "iData.xlsx") as writer:
            data.to_excel(writer, sheet_name="iData", index=False)
        with pd.ExcelWriter(tmp_path / "iMeta.xlsx") as writer:
            small_meta.to_excel(writer, sheet_name="iMeta", index=False)
    rc = main(["indices", "build", str(tmp_path / f"iData.{suffix}"), str(tmp_path / f"iMeta.{suffix}"),
               "--out", str(tmp_path / "o"), "--treat", "none", "--impute", "mean"])
    assert rc == 0
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", keep_default_na=False).set_index("uCode")
    assert list(scores.index) == ["HN", "NA", "HCM", "DN"]
    # imputed by column means of the values present: a for HCM = (1 + 2 + 4) / 3 -> min-max (7/3 - 1) / 3
    assert float(scores.loc["HCM", "a"]) == pytest.approx(100 * (7 / 3 - 1) / 3, abs=1e-9)
    assert float(scores.loc["NA", "c"]) == pytest.approx(100 * (17 / 3) / 10, abs=1e-9)
