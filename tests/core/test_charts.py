"""Server-side SVG charts: valid XML, escaped text, a title for screen readers."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from kientao.core import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_it_draws_one_bar_per_value_with_escaped_labels() -> None:
    svg = charts.bar_chart(["Đà Nẵng", "<script>", "Huế"], [3.0, -1.0, math.nan], title="Điểm")
    root = parse(svg)
    assert root.find(f"{NS}title").text == "Điểm"
    assert len(root.findall(f"{NS}rect")) == 2  # the missing value draws no bar
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_it_draws_intervals_with_markers() -> None:
    rows = [charts.Interval("CHE", 1, 1, 2, marker=1), charts.Interval("NLD", 2, 3, 6, marker=2)]
    root = parse(charts.interval_chart(rows, title="Ranks", reverse=True))
    assert len(root.findall(f".//{NS}line")) >= 2
    assert len(root.findall(f".//{NS}circle")) == 4


def test_it_draws_points_heatmaps_and_lines() -> None:
    pts = [charts.Point(0, 0, 0, "a"), charts.Point(1, 2, 1, "b"), charts.Point(math.inf, 0, 0)]
    assert len(parse(charts.scatter_chart(pts, title="Map", group_names=["A", "B"])).findall(f"{NS}circle")) == 2
    heat = parse(charts.heatmap(["x", "y"], ["x", "y"], [[1, 0.2], [0.2, math.nan]], title="r"))
    assert len(heat.findall(f"{NS}rect")) == 4
    line = parse(charts.line_chart(["2024", "2025"], {"Huế": [3, 1]}, title="Rank", reverse=True))
    assert line.find(f"{NS}polyline") is not None
