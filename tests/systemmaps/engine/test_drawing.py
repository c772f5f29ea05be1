from __future__ import annotations

import xml.etree.ElementTree as ET

from kientao.systemmaps.demo_data import plastic_waste_map
from kientao.systemmaps.engine.drawing import to_dot, to_mermaid, to_png, to_svg
from kientao.systemmaps.engine.model import build_map


def test_it_writes_dot_and_mermaid_with_escaped_labels() -> None:
    m = build_map(['Rác "nhựa"', "A|B <x>"], [('Rác "nhựa"', "A|B <x>", -1)])
    dot = to_dot(m)
    assert '"f1" [label="Rác \\"nhựa\\""];' in dot
    assert '"f1" -> "f2" [label="-"' in dot
    mermaid = to_mermaid(m)
    assert 'n1["A&#124;B &lt;x&gt;"]' in mermaid
    assert "n0 -.->|-| n1" in mermaid


def test_it_draws_a_deterministic_well_formed_svg() -> None:
    m = plastic_waste_map()
    svg = to_svg(m, seed=3)
    assert svg == to_svg(m, seed=3)
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Rác nhựa rò rỉ ra biển" in texts
    assert to_svg(build_map(["<&>"], []))  # escaping, not crashing


def test_it_draws_a_png() -> None:
    png = to_png(build_map(["Du lịch", "Rác"], [("Du lịch", "Rác", 1)]))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
