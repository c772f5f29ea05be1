"""Kumu-style spreadsheets: XLSX workbooks, CSV files and CSV edge lists."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from kientao.systemmaps.engine.model import UNKNOWN, MapDataError, SystemMap
from kientao.systemmaps.engine.parsing import (
    MapBuilder,
    parse_flag,
    parse_sign,
    parse_strength,
    parse_tags,
)

_ELEMENT_COLUMNS = {"label", "id", "type", "description", "tags"}
_CONNECTION_COLUMNS = {"from", "to", "type", "sign", "strength", "delay", "delayed",
                       "description", "id", "direction"}  # fmt: skip


def _rows_to_map(
    elements: list[tuple[int, dict[str, str]]] | None,
    connections: list[tuple[int, dict[str, str]]],
    where_el: str,
    where_cn: str,
) -> SystemMap:
    b = MapBuilder()
    for row, rec in elements or []:
        where = f"{where_el} row {row}"
        b.add_factor(
            where,
            rec.get("label") or (rec.get("id") if "label" not in rec else None),
            rec.get("id") or None,
            description=rec.get("description", ""),
            type=rec.get("type", ""),
            tags=parse_tags(rec.get("tags")),
            fields={k: v for k, v in rec.items() if k not in _ELEMENT_COLUMNS and v != ""},
        )
    create = elements is None or not elements
    for row, rec in connections:
        where = f"{where_cn} row {row}"
        src = b.ref(where, "From", rec.get("from"), create=create)
        targets = [t.strip() for t in (rec.get("to") or "").split("|")]
        if not any(targets):
            raise MapDataError(f"{where}: missing 'To'")
        sign_text = rec.get("sign") if rec.get("sign") else rec.get("type", "")
        sign = parse_sign(sign_text)
        fields = {k: v for k, v in rec.items() if k not in _CONNECTION_COLUMNS and v != ""}
        if sign is None:
            if rec.get("sign"):
                raise MapDataError(
                    f"{where}, column 'Sign': expected +, - or ?, got {rec.get('sign')!r}"
                )
            fields["type"] = sign_text or ""
            sign = UNKNOWN
        for t in targets:
            if not t:
                continue
            dst = b.ref(where, "To", t, create=create)
            b.add_link(
                where, src, dst, rec.get("id") if len(targets) == 1 else None,
                sign=sign, strength=parse_strength(rec.get("strength"), f"{where}, column 'Strength'"),
                delay=parse_flag(rec.get("delay") or rec.get("delayed") or ""),
                description=rec.get("description", ""), fields=fields,
            )  # fmt: skip
            if (rec.get("direction") or "").lower() in ("undirected", "mutual") and src != dst:
                b.add_link(where, dst, src, sign=sign, fields=fields)
    return b.build()


def _records(
    header: Sequence[object], rows: Iterable[Sequence[object]], where: str, first_row: int
) -> list[tuple[int, dict[str, str]]]:
    names = ["" if h is None else str(h).strip().lower() for h in header]
    out = []
    for r, values in enumerate(rows, start=first_row):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        rec = {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names) if n}
        out.append((r, rec))
    return out


def read_kumu_xlsx(data: bytes) -> SystemMap:
    """Read a Kumu-style workbook: an ``Elements`` sheet and a ``Connections`` sheet.

    Elements: ``Label`` (or ``ID`` then ``Label``), optional ``Type``,
    ``Description``, ``Tags`` (``|``-separated) and any custom column.
    Connections: ``From``, ``To`` (``A|B`` makes one link per target),
    optional ``Type`` (the sign convention of :func:`read_kumu_json`) or
    ``Sign``, ``Strength``, ``Delay``, ``Description``, custom columns. Sheets
    whose name ends in ``(ignore)`` are skipped. Without an Elements sheet,
    elements are created from the connections.

    Raises
    ------
    MapDataError
        If the workbook cannot be read, lacks a Connections sheet or a
        ``From``/``To`` column, or a row is malformed (message names sheet and row).

    References
    ----------
    .. [1] Kumu documentation, "Importing from Excel",
       https://docs.kumu.io/guides/import/excel-csv
    """
    import openpyxl  # lazily: the CLI should start fast

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise MapDataError(f"not a readable .xlsx workbook: {exc}") from None
    sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    sheets = {k: v for k, v in sheets.items() if not k.endswith("(ignore)")}
    if "connections" not in sheets:
        raise MapDataError(f"workbook: no 'Connections' sheet (sheets: {', '.join(sheets)})")

    def read(name: str) -> list[tuple[int, dict[str, str]]]:
        rows = list(sheets[name].iter_rows(values_only=True))
        if not rows:
            return []
        return _records(rows[0], rows[1:], name, 2)

    conns = read("connections")
    header = list(next(iter(sheets["connections"].iter_rows(values_only=True)), ()))
    cols = {str(h).strip().lower() for h in header if h is not None}
    if not {"from", "to"} <= cols:
        raise MapDataError("sheet 'Connections', row 1: expected columns 'From' and 'To'")
    elements = read("elements") if "elements" in sheets else None
    return _rows_to_map(elements, conns, "sheet 'Elements',", "sheet 'Connections',")


def write_kumu_xlsx(m: SystemMap) -> bytes:
    """Write a map as a Kumu-style workbook (Elements and Connections sheets).

    Columns: Elements ``ID, Label, Type, Description, Tags`` and custom
    fields; Connections ``ID, From, To, Type, Strength, Delay, Description``
    and custom fields, ``From``/``To`` as labels, ``Type`` ``+``/``-``/``?``.
    """
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Elements"
    e_head, e_rows = _element_table(m)
    ws.append(e_head)
    for row in e_rows:
        ws.append(row)
    wc = wb.create_sheet("Connections")
    c_head, c_rows = _connection_table(m)
    wc.append(c_head)
    for row in c_rows:
        wc.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _element_table(m: SystemMap) -> tuple[list[str], list[list[str]]]:
    extra = sorted({k for f in m.factors for k in f.fields} - _ELEMENT_COLUMNS)
    head = ["ID", "Label", "Type", "Description", "Tags", *extra]
    rows = [
        [f.id, f.label, f.type, f.description, "|".join(f.tags), *(f.fields.get(k, "") for k in extra)]
        for f in m.factors
    ]
    return head, rows


def _connection_table(m: SystemMap) -> tuple[list[str], list[list[str]]]:
    labels = m.labels()
    extra = sorted({k for lk in m.links for k in lk.fields} - _CONNECTION_COLUMNS)
    head = ["ID", "From", "To", "Type", "Strength", "Delay", "Description", *extra]
    rows = [
        [lk.id, labels[lk.source], labels[lk.target], lk.symbol, f"{lk.strength:g}",
         "yes" if lk.delay else "", lk.description, *(lk.fields.get(k, "") for k in extra)]
        for lk in m.links
    ]  # fmt: skip
    return head, rows


def _csv_rows(text: str | bytes, what: str) -> tuple[list[str], list[list[str]]]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MapDataError(f"{what}: not UTF-8 text ({exc})") from None
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise MapDataError(f"{what}: empty file")
    return rows[0], rows[1:]


def read_kumu_csv(connections: str | bytes, elements: str | bytes | None = None) -> SystemMap:
    """Read Kumu-style CSV: a connections file (``From, To, Type, ...``), optionally elements.

    The same columns as :func:`read_kumu_xlsx`; this also reads a plain CSV
    edge list ``From,To,Sign``.

    Raises
    ------
    MapDataError
        If a file lacks ``From``/``To`` (or ``Label``) columns or a row is
        malformed (message names the file and row).
    """
    head, rows = _csv_rows(connections, "connections CSV")
    if not {"from", "to"} <= {h.strip().lower() for h in head}:
        raise MapDataError("connections CSV, row 1: expected columns 'From' and 'To'")
    conns = _records(head, rows, "connections", 2)
    els = None
    if elements is not None:
        e_head, e_rows = _csv_rows(elements, "elements CSV")
        if not {"label", "id"} & {h.strip().lower() for h in e_head}:
            raise MapDataError("elements CSV, row 1: expected a 'Label' column")
        els = _records(e_head, e_rows, "elements", 2)
    return _rows_to_map(els, conns, "elements CSV", "connections CSV")


def _to_csv(head: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows(rows)
    return buf.getvalue()


def write_kumu_csv(m: SystemMap) -> tuple[str, str]:
    """Write ``(elements_csv, connections_csv)`` with the columns of :func:`write_kumu_xlsx`."""
    return _to_csv(*_element_table(m)), _to_csv(*_connection_table(m))


def write_edge_list_csv(m: SystemMap) -> str:
    """Write a CSV edge list ``From,To,Sign,Strength,Delay`` with labels (readable by
    :func:`read_kumu_csv`)."""
    labels = m.labels()
    rows = [
        [labels[lk.source], labels[lk.target], lk.symbol, f"{lk.strength:g}",
         "yes" if lk.delay else ""]
        for lk in m.links
    ]  # fmt: skip
    # Isolated factors would be lost in an edge list; they are listed as self-less rows.
    return _to_csv(["From", "To", "Sign", "Strength", "Delay"], rows)
