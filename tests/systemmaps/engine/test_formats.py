from __future__ import annotations

import io
import json

import openpyxl
import pytest

from kientao.systemmaps.demo_data import plastic_waste_map
from kientao.systemmaps.engine.formats import (
    read_graphml,
    read_kumu_csv,
    read_kumu_json,
    read_kumu_xlsx,
    read_link_text,
    read_map,
    write_edge_list_csv,
    write_graphml,
    write_kumu_csv,
    write_kumu_json,
    write_kumu_xlsx,
    write_link_text,
    write_map,
)
from kientao.systemmaps.engine.model import MapDataError, SystemMap


def _shape(m: SystemMap) -> tuple[list[str], list[tuple[str, str, int, bool]]]:
    """Labels and (from label, to label, sign, delay): what every format must keep."""
    lab = m.labels()
    return [f.label for f in m.factors], [
        (lab[lk.source], lab[lk.target], lk.sign, lk.delay) for lk in m.links
    ]


def test_it_reads_a_kumu_blueprint_with_vietnamese_labels(small_map: SystemMap) -> None:
    labels, links = _shape(small_map)
    assert labels[0] == "Du lịch" and labels[5] == "Ý thức cộng đồng"
    assert links[4] == ("Chất lượng bãi biển", "Du lịch", 1, True)
    assert links[7][2] == 0  # type "?"
    assert small_map.factors[0].tags == ("biển", "kinh tế")
    assert small_map.factors[5].fields == {"Owner": "Hội Phụ nữ"}


@pytest.mark.parametrize("full", [False, True])
def test_it_round_trips_kumu_json(full: bool) -> None:
    m = plastic_waste_map()
    back = read_kumu_json(write_kumu_json(m, full=full))
    assert _shape(back) == _shape(m)
    assert [lp.link_ids for lp in back.loops] == [lp.link_ids for lp in m.loops]
    assert back.factors[0].fields["label_en"] == "Tourism"


def test_it_reads_a_kumu_full_export_with_positions_and_loops() -> None:
    doc = {
        "name": "Bản đồ",
        "elements": [{"_id": "elem-1", "attributes": {"label": "A", "element type": "Yếu tố"}},
                     {"_id": "elem-2", "attributes": {"label": "B"}}],
        "connections": [
            {"_id": "conn-1", "from": "elem-1", "to": "elem-2", "direction": "directed",
             "delayed": True, "attributes": {"connection type": "++"}},
            {"_id": "conn-2", "from": "elem-2", "to": "elem-1", "direction": "directed",
             "attributes": {"connection type": "+-"}},
        ],
        "loops": [{"_id": "loop-1", "attributes": {"label": "B1"}, "connections": ["conn-1", "conn-2"]}],
        "maps": [{"name": "Main", "elements": [{"element": "elem-1", "position": {"x": 1, "y": 2}}]}],
    }  # fmt: skip
    m = read_kumu_json(json.dumps(doc))
    assert [(lk.id, lk.sign, lk.delay) for lk in m.links] == [("conn-1", 1, True), ("conn-2", -1, False)]
    assert m.factors[0].type == "Yếu tố"
    assert m.loops[0].label == "B1" and m.loops[0].link_ids == ("conn-1", "conn-2")
    assert m.layouts == {"Main": {"elem-1": (1.0, 2.0)}}
    assert m.name == "Bản đồ"


def test_it_expands_mutual_connections_into_two_links() -> None:
    doc = {"elements": [{"label": "A"}, {"label": "B"}],
           "connections": [{"from": "A", "to": "B", "type": "-", "direction": "mutual"}]}
    m = read_kumu_json(json.dumps(doc))
    assert [(lk.source, lk.target, lk.sign) for lk in m.links] == [("f1", "f2", -1), ("f2", "f1", -1)]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"elements": [{"label": "A"}, {"label": "A"}]}', r"elements\[1\] \('A'\): duplicate label"),
        ('{"elements": [{"type": "x"}]}', r"elements\[0\]: missing label"),
        ('{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "Zê"}]}',
         r"connections\[0\]: 'to' names unknown element 'Zê'"),
        ('{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "A", "strength": "x"}]}',
         r"connections\[0\]: strength must be a number"),
        ('{"elements": [{"label": "A"}], "loops": 3}', "'loops' must be a list"),
        ('{"elements": [{"label": "A"}], "maps": [{"elements": 1}]}', r"maps\[0\]: expected"),
    ],
)
def test_it_names_the_element_or_connection_of_a_malformed_blueprint(doc: str, message: str) -> None:
    with pytest.raises(MapDataError, match=message):
        read_kumu_json(doc)


def _workbook(elements: list[list[object]], connections: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Elements"
    for row in elements:
        ws.append(row)
    wc = wb.create_sheet("Connections")
    for row in connections:
        wc.append(row)
    wb.create_sheet("Notes (ignore)").append(["anything"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_reads_a_kumu_workbook_with_multi_value_targets() -> None:
    data = _workbook(
        [["Label", "Type", "Tags"], ["Du lịch", "kinh tế", "biển|dịch vụ"], ["Rác", "", ""],
         ["Ý thức", "", ""]],
        [["From", "To", "Type", "Delay"], ["Du lịch", "Rác|Ý thức", "+", "yes"],
         ["Ý thức", "Rác", "-", ""]],
    )  # fmt: skip
    m = read_kumu_xlsx(data)
    assert _shape(m) == (["Du lịch", "Rác", "Ý thức"], [
        ("Du lịch", "Rác", 1, True), ("Du lịch", "Ý thức", 1, True), ("Ý thức", "Rác", -1, False)])
    assert m.factors[0].tags == ("biển", "dịch vụ")


def test_it_names_sheet_and_row_of_a_bad_workbook_row() -> None:
    data = _workbook([["Label"], ["A"], ["B"]], [["From", "To"], ["A", "B"], ["A", "Không có"]])
    with pytest.raises(MapDataError, match=r"sheet 'Connections', row 3: 'To' names unknown element"):
        read_kumu_xlsx(data)
    with pytest.raises(MapDataError, match="no 'Connections' sheet"):
        read_kumu_xlsx(_workbook_without_connections())
    with pytest.raises(MapDataError, match="not a readable .xlsx"):
        read_kumu_xlsx(b"PK not really")


def _workbook_without_connections() -> bytes:
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_round_trips_xlsx_csv_graphml_and_text() -> None:
    m = plastic_waste_map()
    assert _shape(read_kumu_xlsx(write_kumu_xlsx(m))) == _shape(m)
    elements, connections = write_kumu_csv(m)
    assert _shape(read_kumu_csv(connections, elements)) == _shape(m)
    # An edge list creates factors in order of first mention: same links, other factor order.
    edges = read_kumu_csv(write_edge_list_csv(m))
    assert sorted(_shape(edges)[0]) == sorted(_shape(m)[0])
    assert _shape(edges)[1] == _shape(m)[1]
    assert _shape(read_graphml(write_graphml(m))) == _shape(m)
    # Text creates factors in order of first mention; links, and the text itself, round-trip.
    text = write_link_text(m)
    assert _shape(read_link_text(text))[1] == _shape(m)[1]
    assert write_link_text(read_link_text(text)) == text


def test_it_reads_and_writes_the_link_text_format() -> None:
    text = "Du lịch -> + Tiêu dùng đồ nhựa\n# chú thích\nTiêu dùng đồ nhựa -//> - Du lịch\nA -> ? B\nĐơn lẻ\n"
    m = read_link_text(text)
    assert _shape(m) == (["Du lịch", "Tiêu dùng đồ nhựa", "A", "B", "Đơn lẻ"], [
        ("Du lịch", "Tiêu dùng đồ nhựa", 1, False), ("Tiêu dùng đồ nhựa", "Du lịch", -1, True),
        ("A", "B", 0, False)])  # fmt: skip
    assert write_link_text(m) == (
        "Du lịch -> + Tiêu dùng đồ nhựa\nTiêu dùng đồ nhựa -//> - Du lịch\nA -> ? B\nĐơn lẻ\n"
    )
    with pytest.raises(MapDataError, match="line 2: expected 'A -> \\+ B'"):
        read_link_text("A -> + B\nA -> B")


def test_it_names_the_row_of_a_bad_csv() -> None:
    with pytest.raises(MapDataError, match="connections CSV row 3, column 'Sign'"):
        read_kumu_csv("From,To,Sign\nA,B,+\nB,A,maybe\n")
    with pytest.raises(MapDataError, match="expected columns 'From' and 'To'"):
        read_kumu_csv("Source,Target\nA,B\n")


def test_it_rejects_graphml_that_is_not_graphml() -> None:
    with pytest.raises(MapDataError, match="not valid GraphML"):
        read_graphml("<html></html>")
    bomb = '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]><graphml>&a;</graphml>'
    with pytest.raises(MapDataError, match="not allowed"):
        read_graphml(bomb)


def test_it_dispatches_by_extension_and_prefixes_the_file_name() -> None:
    m = plastic_waste_map()
    for ext in (".json", ".xlsx", ".graphml", ".csv", ".txt"):
        assert _shape(read_map(write_map(m, "map" + ext), "map" + ext))[1] == _shape(m)[1]
    with pytest.raises(MapDataError, match=r"^x\.doc: unknown map format"):
        read_map(b"", "x.doc")
    with pytest.raises(MapDataError, match=r"^bad\.json: not valid JSON"):
        read_map(b"{", "bad.json")
