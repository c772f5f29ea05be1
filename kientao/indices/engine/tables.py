"""Reading and writing COINr tables (iData, iMeta) as CSV or XLSX.

This is the only module of the engine that touches files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import IndexDataError

__all__ = ["read_coinr_tables", "read_table", "write_csv", "write_xlsx"]


def read_table(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one table from a ``.csv`` or ``.xlsx`` file.

    Parameters
    ----------
    path : str or Path
    sheet : str, optional
        Sheet name for XLSX files (default: the first sheet).

    Raises
    ------
    IndexDataError
        Missing file, unknown extension, unreadable content or missing sheet.
    """
    p = Path(path)
    if not p.exists():
        raise IndexDataError(f"{p}: file not found")
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            return restore_missing(pd.read_csv(p, keep_default_na=False, na_values=[""]))
        if suffix in (".xlsx", ".xlsm"):
            book = pd.read_excel(p, sheet_name=None, engine="openpyxl", keep_default_na=False, na_values=[""])
            if sheet is None:
                return restore_missing(next(iter(book.values())))
            if sheet not in book:
                raise IndexDataError(f"{p}: no sheet named '{sheet}' (sheets: {list(book)})")
            return restore_missing(book[sheet])
    except IndexDataError:
        raise
    except Exception as exc:  # parser errors of many kinds; report them as bad input
        raise IndexDataError(f"{p}: cannot read table ({exc})") from exc
    raise IndexDataError(f"{p}: unsupported file type '{suffix}'; expected .csv or .xlsx")


MISSING_TEXT = frozenset({"NA", "NaN", "nan", "N/A", "#N/A", ""})


def restore_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Read R's missing-value markers as missing, except in unit codes and names.

    Tables are read with only empty cells as missing, so that the text "NA" survives
    where it is a value: a unit code (Nghệ An province is ``NA``) or a name. In every
    other column the markers R and Excel write for missing values (``NA``, ``NaN``,
    ``N/A``, ``#N/A``) become missing, and a column that is then all numbers becomes
    numeric.
    """
    for col in table.columns:
        if col in ("uCode", "uName") or pd.api.types.is_numeric_dtype(table[col].dtype):
            continue
        column = table[col].map(lambda v: np.nan if isinstance(v, str) and v.strip() in MISSING_TEXT else v)
        try:
            table[col] = pd.to_numeric(column)
        except (TypeError, ValueError):
            table[col] = column
    return table


def read_coinr_tables(
    idata_path: str | Path, imeta_path: str | Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read COINr's iData and iMeta.

    Either two files, or one XLSX with sheets ``iData`` and ``iMeta``
    (``imeta_path`` omitted or the same file).
    """
    p = Path(idata_path)
    if imeta_path is None or Path(imeta_path) == p:
        if p.suffix.lower() not in (".xlsx", ".xlsm"):
            raise IndexDataError(f"{p}: a single file must be an .xlsx with sheets iData and iMeta")
        return read_table(p, sheet="iData"), read_table(p, sheet="iMeta")
    idata = read_table(p, sheet="iData" if p.suffix.lower() == ".xlsx" and _has_sheet(p, "iData") else None)
    q = Path(imeta_path)
    imeta = read_table(q, sheet="iMeta" if q.suffix.lower() == ".xlsx" and _has_sheet(q, "iMeta") else None)
    return idata, imeta


def _has_sheet(path: Path, name: str) -> bool:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # unreadable: let read_table report it
        return False
    try:
        return name in wb.sheetnames
    finally:
        wb.close()


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table as CSV at full float precision (17 significant digits)."""
    table.to_csv(Path(path), index=False, float_format="%.17g")


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> None:
    """Write several tables as sheets of one XLSX workbook (openpyxl)."""
    with pd.ExcelWriter(Path(path), engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
