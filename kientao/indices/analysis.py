"""Glue between the web layer and the engine: uploads to COINr tables, results to plain data.

No ORM writes here (those are in ``actions.py``); only pandas and the engine.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kientao.indices.engine import IndexBuild, IndexDataError, Step, rank_scores
from kientao.indices.engine.framework import framework_from_imeta, split_idata
from kientao.indices.engine.tables import restore_missing

MAX_UPLOAD = 5 * 1024 * 1024
FRIENDLY_FRAMEWORK = ("code", "name", "parent", "weight", "direction", "unit", "name_en")
FRIENDLY_DATA = ("unit code", "unit name", "group", "year")


def _xlsx_sheets(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # any unreadable workbook is bad input
        raise IndexDataError(f"{path.name}: cannot read the workbook ({type(exc).__name__})") from None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def friendly_to_coinr(framework: pd.DataFrame, data: pd.DataFrame, *, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert the two-sheet template (Framework, Data) to COINr's iData and iMeta.

    Levels come from the tree: elements nobody names as parent are indicators
    (level 1); an aggregate is one level above its children.
    """
    fcols = {str(c).strip().lower(): c for c in framework.columns}
    for col in ("code", "parent", "weight"):
        if col not in fcols:
            raise IndexDataError(f"{source} / Framework: missing column '{col}'")
    rows = framework.rename(columns={v: k for k, v in fcols.items()})
    codes = [str(c).strip() if _clean(c) is not None else "" for c in rows["code"]]
    parents = [str(p).strip() if _clean(p) is not None else None for p in rows["parent"]]
    for pos, code in enumerate(codes):
        if not code:
            raise IndexDataError(f"{source} / Framework, row {pos + 2}, column 'code': empty; expected a code")
    is_parent = {p for p in parents if p}
    parent_of = dict(zip(codes, parents, strict=True))
    level: dict[str, int] = {}

    def depth_below(code: str, seen: tuple[str, ...] = ()) -> int:
        if code in seen:
            raise IndexDataError(f"{source} / Framework, column 'parent': a cycle through '{code}'")
        if code in level:
            return level[code]
        kids = [c for c, p in parent_of.items() if p == code]
        lv = 1 if not kids else 1 + max(depth_below(k, (*seen, code)) for k in kids)
        level[code] = lv
        return lv

    for code in codes:
        depth_below(code)
    imeta = pd.DataFrame({
        "Level": [level[c] for c in codes],
        "iCode": codes,
        "iName": rows.get("name", codes),
        "Parent": parents,
        "Direction": rows.get("direction", 1),
        "Weight": rows["weight"],
        "Type": ["Aggregate" if c in is_parent else "Indicator" for c in codes],
        "Unit": rows.get("unit", ""),
        "iName_en": rows.get("name_en", ""),
    })
    dcols = {str(c).strip().lower(): c for c in data.columns}
    if "unit code" not in dcols:
        raise IndexDataError(f"{source} / Data: missing column 'unit code'")
    rename = {dcols["unit code"]: "uCode"}
    if "unit name" in dcols:
        rename[dcols["unit name"]] = "uName"
    if "year" in dcols:
        rename[dcols["year"]] = "Time"
    if "group" in dcols:
        rename[dcols["group"]] = "Group"
        imeta = pd.concat([imeta, pd.DataFrame([{"iCode": "Group", "Type": "Group"}])], ignore_index=True)
    idata = data.rename(columns=rename)
    return idata, imeta


def _save_upload(upload: Any, folder: Path, index: int) -> Path:
    """Write an uploaded CSV or XLSX to ``folder/upload<index>.<suffix>`` after checking size and type."""
    if upload.size > MAX_UPLOAD:
        raise IndexDataError(f"{upload.name}: the file is larger than 5 MB")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise IndexDataError(f"{upload.name}: unsupported file type; expected .csv or .xlsx")
    path = folder / f"upload{index}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def read_upload(first: Any, second: Any | None) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """Read uploaded files; errors name the files as the user called them."""
    names = [f.name for f in (first, second) if f is not None]
    try:
        return _read_upload(first, second)
    except IndexDataError as exc:
        message = str(exc)
        for k, name in enumerate(names):
            message = re.sub(r"\S*upload" + str(k) + r"\.(csv|xlsx)", name, message)
        raise IndexDataError(message) from None


def _read_upload(first: Any, second: Any | None) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """Read uploaded files into (iData, iMeta, iData source, iMeta source).

    Accepts one XLSX with sheets iData and iMeta (COINr), one XLSX with sheets
    Framework and Data (our template), or two CSV/XLSX files: iData then iMeta.
    """
    with tempfile.TemporaryDirectory() as tmp:
        paths: list[tuple[Path, str]] = []
        for f in (first, second):
            if f is None:
                continue
            paths.append((_save_upload(f, Path(tmp), len(paths)), f.name))
        p1, n1 = paths[0]
        if len(paths) == 1:
            if p1.suffix != ".xlsx":
                raise IndexDataError(
                    f"{n1}: a single file must be an .xlsx with sheets iData and iMeta, or Framework and Data"
                )
            sheets = _xlsx_sheets(p1)
            if "iData" in sheets and "iMeta" in sheets:
                return (_read(p1, n1, "iData"), _read(p1, n1, "iMeta"), f"{n1} / iData", f"{n1} / iMeta")
            if "Framework" in sheets and "Data" in sheets:
                idata, imeta = friendly_to_coinr(_read(p1, n1, "Framework"), _read(p1, n1, "Data"), source=n1)
                return idata, imeta, f"{n1} / Data", f"{n1} / Framework"
            raise IndexDataError(
                f"{n1}: expected sheets iData and iMeta, or Framework and Data (found {sheets})"
            )
        p2, n2 = paths[1]
        return _read(p1, n1, "iData"), _read(p2, n2, "iMeta"), n1, n2


def _read(path: Path, name: str, sheet: str) -> pd.DataFrame:
    """Read one table; the text "NA" stays text (it is Nghệ An's code), empty cells are missing."""
    try:
        if path.suffix == ".xlsx":
            sheets = _xlsx_sheets(path)
            table = pd.read_excel(path, sheet_name=sheet if sheet in sheets else 0, engine="openpyxl",
                                  keep_default_na=False, na_values=[""])
        else:
            table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except IndexDataError:
        raise
    except Exception as exc:  # parser errors of many kinds are bad input
        raise IndexDataError(f"{name}: cannot read the table ({type(exc).__name__}: {exc})") from None
    return restore_missing(table)


def read_data_upload(upload: Any) -> tuple[pd.DataFrame, str]:
    """One iData table (COINr columns, or the template's Data sheet columns)."""
    name = upload.name
    try:
        with tempfile.TemporaryDirectory() as tmp:
            p = _save_upload(upload, Path(tmp), 0)
            suffix = p.suffix
            sheet = "iData"
            if suffix == ".xlsx" and "iData" not in _xlsx_sheets(p) and "Data" in _xlsx_sheets(p):
                sheet = "Data"
            table = _read(p, name, sheet)
    except IndexDataError as exc:
        raise IndexDataError(re.sub(r"\S*upload0\.(csv|xlsx)", name, str(exc))) from None
    cols = {str(c).strip().lower(): c for c in table.columns}
    rename = {cols[k]: v for k, v in (("unit code", "uCode"), ("unit name", "uName"), ("year", "Time"),
                                      ("group", "Group")) if k in cols}
    return table.rename(columns=rename), name


def validate_tables(idata: pd.DataFrame, imeta: pd.DataFrame, *, idata_source: str, imeta_source: str,
                    year: int) -> dict[int, pd.DataFrame]:
    """Check the tables with the engine; return iData split by year (``Time`` or ``year``)."""
    fw = framework_from_imeta(imeta, source=imeta_source)
    if "Time" in idata.columns:
        out: dict[int, pd.DataFrame] = {}
        for pos, t in enumerate(idata["Time"].tolist()):
            try:
                float(t)
            except (TypeError, ValueError):
                raise IndexDataError(f"{idata_source}, row {pos + 2}, column 'Time': '{t}' is not a year") from None
            if isinstance(t, float) and math.isnan(t):
                raise IndexDataError(f"{idata_source}, row {pos + 2}, column 'Time': empty; expected a year")
        for t in sorted(pd.unique(idata["Time"])):
            mask = idata["Time"] == t
            original_rows = [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]
            sub = idata[mask].drop(columns=["Time"]).reset_index(drop=True)
            source = f"{idata_source} (Time {int(t)})"
            try:
                split_idata(sub, fw, source=source)
            except IndexDataError as exc:
                # the engine counts rows within the year; report the row of the whole file
                raise IndexDataError(_file_rows(str(exc), original_rows)) from None
            out[int(t)] = sub
        return out
    split_idata(idata, fw, source=idata_source)
    return {year: idata}


def _file_rows(message: str, original_rows: list[int]) -> str:
    def swap(m: re.Match[str]) -> str:
        k = int(m.group(1)) - 2
        return f"row {original_rows[k]}" if 0 <= k < len(original_rows) else m.group(0)

    return re.sub(r"row (\d+)", swap, message)


def table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-safe records (NaN becomes None)."""
    return [{str(k): _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def scores_json(result: IndexBuild) -> dict[str, Any]:
    agg = result.datasets["Aggregated"]
    values = [[_clean(v) for v in row] for row in agg.to_numpy(dtype=float).tolist()]
    return {"units": [str(u) for u in agg.index], "columns": [str(c) for c in agg.columns], "values": values}


def audit_json(report: Any) -> dict[str, Any]:
    return {
        "correlations": table_rows(report.correlations),
        "cronbach": table_rows(report.cronbach),
        "pca": table_rows(report.pca),
        "flags": table_rows(report.flags),
        "removal": table_rows(report.removal),
        "stats": table_rows(report.stats),
    }


def ranks_of(scores: pd.DataFrame) -> pd.DataFrame:
    return rank_scores(scores) if not scores.empty else scores


def steps_from_choices(c: dict[str, Any]) -> list[Step]:
    """The engine recipe from the build form's cleaned data."""
    steps = []
    if c.get("denominate"):
        steps.append(Step("denominate"))
    if c.get("impute") and c["impute"] != "none":
        params: dict[str, Any] = {"method": c["impute"]}
        if c["impute"].endswith("-by-group") and c.get("impute_group"):
            params["group"] = c["impute_group"]
        steps.append(Step("impute", params))
    if c.get("screen_threshold"):
        steps.append(Step("screen", {"unit_screen": "byNA", "dat_thresh": float(c["screen_threshold"])}))
    if c.get("treat") and c["treat"] != "none":
        steps.append(Step("treat", {"winmax": int(c["winmax"]), "skew_thresh": float(c["skew_thresh"]),
                                    "kurt_thresh": float(c["kurt_thresh"]), "f2": c["f2"]}))
    norm = c.get("normalise", "minmax")
    nparams: dict[str, Any] = {"method": norm}
    if norm == "minmax":
        nparams["l_u"] = [0.0, 100.0]
    elif norm == "zscore":
        nparams["m_sd"] = [10.0, 2.0]
    steps.append(Step("normalise", nparams))
    aparams: dict[str, Any] = {"method": c.get("aggregate", "amean")}
    weighting = c.get("weighting") or "framework"
    if weighting == "equal":
        aparams["weights"] = "equal"
    elif weighting in DATA_WEIGHTS:
        aparams["weights"] = weighting  # resolved to a dict by resolve_weights when the build runs
    steps.append(Step("aggregate", aparams))
    return steps


DATA_WEIGHTS = ("pca", "optimise")


def weighting_method(steps: list[dict[str, Any]], resolved: str | None = None) -> str:
    """framework, equal, pca or optimise: how the aggregate step of stored ``steps`` weights."""
    for s in steps:
        if s.get("name") == "aggregate":
            w = (s.get("params") or {}).get("weights")
            if w is None:
                return "framework"
            if isinstance(w, str):
                return w
            return resolved or "custom"
    return "framework"


def resolve_weights(steps: list[Step], idata: pd.DataFrame, imeta: pd.DataFrame) -> tuple[list[Step], str | None]:
    """Replace a ``pca``/``optimise`` marker in the aggregate step by the weights computed
    from the data just before aggregation (indicators within their parents).

    Returns the steps (replayable: the weights are an explicit dict) and the method used.
    """
    from kientao.indices.engine import optimise_weights, pca_weights
    from kientao.indices.engine.pipeline import build_framework, run_steps

    agg = next((k for k, s in enumerate(steps) if s.name == "aggregate"), None)
    if agg is None:
        return steps, None
    params = dict(steps[agg].params)
    method = params.get("weights")
    if method not in DATA_WEIGHTS:
        return steps, None
    fw, units, data = build_framework(idata, imeta, idata_source="data", imeta_source="framework")
    before = run_steps(fw, units, data, steps, stop_before="aggregate")
    current = list(before.datasets.values())[-1]
    try:
        if method == "pca":
            weights = pca_weights(current, fw, level=1)
        else:
            others = {k: v for k, v in params.items() if k not in ("weights",)}
            weights = optimise_weights(current, fw, level=1, aggregate_params=others)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise IndexDataError(f"weights ({method}): {exc}") from None
    params["weights"] = {k: round(float(v), 6) for k, v in weights.items()}
    out = list(steps)
    out[agg] = Step("aggregate", params)
    return out, str(method)


def effective_weights(elements: list[Any], steps: list[dict[str, Any]]) -> dict[str, float]:
    """The weight each indicator/aggregate had in a build: the framework's, or the step's override."""
    weights = {e.code: float(e.weight) for e in elements if e.type in ("Indicator", "Aggregate")}
    for s in steps:
        if s.get("name") != "aggregate":
            continue
        w = (s.get("params") or {}).get("weights")
        if w == "equal":
            weights = dict.fromkeys(weights, 1.0)
        elif isinstance(w, dict):
            weights.update({k: float(v) for k, v in w.items() if k in weights})
    return weights


def group_means(scores: pd.DataFrame, groups: dict[str, Any], columns: list[str]) -> list[dict[str, Any]]:
    """Mean of ``columns`` and the number of units, per group value (``groups``: uCode -> value)."""
    from kientao.indices.engine import group_summary

    series = pd.Series({code: str(v) for code, v in groups.items() if v is not None and str(v) != ""},
                       dtype=object)
    if series.empty or not columns:
        return []
    table = group_summary(scores[columns], series)
    out = []
    for label, row in table.iterrows():
        out.append({"group": str(label), "count": int(row[f"{columns[0]}_count"]),
                    "means": [_clean(float(row[f"{c}_mean"])) for c in columns]})
    return out


def template_workbook() -> bytes:
    """The friendly two-sheet template with a small worked example."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Framework"
    ws.append(list(FRIENDLY_FRAMEWORK))
    rows: list[tuple[Any, ...]] = [
        ("Index", "Chỉ số đổi mới sáng tạo", None, 1, 1, "", "Innovation index"),
        ("Inst", "Thể chế", "Index", 1, 1, "", "Institutions"),
        ("Hum", "Nguồn nhân lực", "Index", 1, 1, "", "Human capital"),
        ("gov_online", "Dịch vụ công trực tuyến", "Inst", 1, 1, "%", "Online public services"),
        ("red_tape", "Thời gian thủ tục", "Inst", 1, -1, "ngày", "Time for procedures"),
        ("students", "Sinh viên trên 10.000 dân", "Hum", 1, 1, "người", "Students per 10,000 people"),
        ("rd_staff", "Nhân lực R&D", "Hum", 1, 1, "người", "R&D staff"),
    ]
    for row in rows:
        ws.append(list(row))
    data = wb.create_sheet("Data")
    data.append([*FRIENDLY_DATA, "gov_online", "red_tape", "students", "rd_staff"])
    for row in [
        ("HN", "Hà Nội", "North", 2025, 82, 12, 540, 9.1),
        ("HP", "Hải Phòng", "North", 2025, 70, 15, 210, 3.2),
        ("DN", "Đà Nẵng", "Centre", 2025, 88, 9, 320, 4.4),
        ("HCM", "TP. Hồ Chí Minh", "South", 2025, 85, 11, 480, 8.7),
    ]:
        data.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check_framework(rows: list[dict[str, Any]]) -> None:
    """Validate a changed tree (iMeta records) with the engine; raises FrameworkError."""
    framework_from_imeta(pd.DataFrame(rows), source="framework")
