"""Framework validation and COINr table reading (hand-made bad inputs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kientao.indices.engine import (
    FrameworkError,
    IndexDataError,
    framework_from_imeta,
    read_coinr_tables,
    split_idata,
)


def test_it_builds_the_hierarchy(small_meta: pd.DataFrame) -> None:
    fw = framework_from_imeta(small_meta)
    assert fw.max_level == 3
    assert fw.top == "Index"
    assert fw.children("P1") == ("a", "b")
    assert fw.descendants("Index") == ("a", "b", "c", "d")
    assert fw.nodes["b"].direction == -1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.assign(iCode=["a", "a", "c", "d", "P1", "P2", "Index"]), "row 3, column 'iCode': duplicate code 'a'"),
        (lambda m: m.assign(Weight=[1, -1, 1, 1, 1, 1, 1]), "row 3, column 'Weight'"),
        (lambda m: m.assign(Parent=["P1", "PX", "P2", "P2", "Index", "Index", None]), "unknown parent 'PX'"),
        (lambda m: m.assign(Parent=["P1", "P1", "P2", "P2", "Index", None, None]), "orphan"),
        (lambda m: m.assign(Parent=["Index", "P1", "P2", "P2", "Index", "Index", None]), "expected Level 2"),
        (lambda m: m.assign(Type=["Indicator"] * 4 + ["Aggregate", "Pillar", "Aggregate"]), "row 7, column 'Type'"),
        (lambda m: m.assign(Direction=[1, 2, 1, 1, 1, 1, 1]), "column 'Direction'"),
        (lambda m: m.assign(iCode=["1a", "b", "c", "d", "P1", "P2", "Index"]), "must not start with a digit"),
        (lambda m: m.assign(Weight=[1, 1, "x", 1, 1, 1, 1]), "row 4, column 'Weight': 'x' is not a number"),
        (lambda m: m.drop(columns=["Type"]), "missing required column"),
        (lambda m: m.assign(Parent=["P1", "P1", "P1", "P1", "Index", "Index", None]), "'P2' has no children"),
        (lambda m: m.assign(Parent=["P1", "P1", "P2", "P2", "P1", "P2", None]), "own parent"),
    ],
)
def test_it_rejects_bad_imeta(change: object, message: str, small_meta: pd.DataFrame) -> None:
    with pytest.raises(FrameworkError, match=message.replace("(", r"\(").replace(")", r"\)")):
        framework_from_imeta(change(small_meta), source="iMeta.csv")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(uCode=["U1", "U1", "U3", "U4"]), "row 3, column 'uCode': duplicate unit code 'U1'"),
        (lambda d: d.assign(a=["1", "2", "three", "4"]), "row 4, column 'a': 'three' is not a number"),
        (lambda d: d.assign(c=[None] * 4), "indicator 'c' has no data"),
        (lambda d: d.drop(columns=["d"]), "indicator 'd'"),
        (lambda d: d.assign(zzz=1), "column 'zzz': column has no row in iMeta"),
        (lambda d: d.assign(P1=1), "is an aggregate"),
        (lambda d: d.drop(columns=["uCode"]), "missing required column 'uCode'"),
    ],
)
def test_it_rejects_bad_idata(change: object, message: str, small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    fw = framework_from_imeta(small_meta)
    with pytest.raises(IndexDataError, match=message):
        split_idata(change(small_data), fw, source="iData.csv")  # type: ignore[operator]


def test_it_reads_one_xlsx_with_two_sheets(tmp_path: Path, small_meta: pd.DataFrame, small_data: pd.DataFrame) -> None:
    path = tmp_path / "index.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        small_data.to_excel(w, sheet_name="iData", index=False)
        small_meta.to_excel(w, sheet_name="iMeta", index=False)
    idata, imeta = read_coinr_tables(path)
    units, data = split_idata(idata, framework_from_imeta(imeta))
    assert list(data.index) == ["U1", "U2", "U3", "U4"]
    assert data.loc["U3", "c"] == 10.0


def test_it_names_the_missing_sheet(tmp_path: Path, small_data: pd.DataFrame) -> None:
    path = tmp_path / "index.xlsx"
    small_data.to_excel(path, sheet_name="Data", index=False)
    with pytest.raises(IndexDataError, match="no sheet named 'iData'"):
        read_coinr_tables(path)


def test_it_reads_the_asem_tables(asem_tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    idata, imeta = asem_tables
    fw = framework_from_imeta(imeta)
    units, data = split_idata(idata, fw)
    # notes sec. 2: 49 indicators, 14 negative, 17 denominated; 63 of 2,499 cells missing
    assert len(fw.indicators) == 49
    assert sum(fw.nodes[c].direction == -1 for c in fw.indicators) == 14
    assert sum(fw.nodes[c].denominator is not None for c in fw.indicators) == 17
    assert int(data.isna().sum().sum()) == 63
