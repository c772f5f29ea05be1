from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from kientao.cli import main
from kientao.systemmaps.demo_data import plastic_waste_map
from kientao.systemmaps.engine.formats import read_kumu_xlsx, write_kumu_json

DATA = Path(__file__).resolve().parent / "data"


def test_it_analyzes_a_kumu_blueprint(tmp_path: Path) -> None:
    src = tmp_path / "bản đồ.json"
    shutil.copy(DATA / "plastic_small.json", src)
    out = tmp_path / "out"
    assert main(["systemmaps", "analyze", str(src), "--out", str(out)]) == 0
    with (out / "loops.csv").open(encoding="utf-8") as fh:
        loops = list(csv.DictReader(fh))
    assert [(r["loop"], r["length"], r["polarity"]) for r in loops] == [
        ("B1", "4", "B"), ("B2", "5", "B"), ("?3", "6", "?")]
    assert loops[0]["factors"] == "Tiêu dùng đồ nhựa -> Rác thải nhựa -> Rác ra biển -> Ý thức cộng đồng"
    with (out / "factors.csv").open(encoding="utf-8") as fh:
        factors = list(csv.DictReader(fh))
    assert len(factors) == 8 and factors[0]["label"] == "Du lịch"
    assert {"betweenness", "pagerank", "katz", "loops", "micmac_quadrant"} <= set(factors[0])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is True and summary["loops"] == 3 and summary["balancing"] == 2
    assert (out / "leverage.csv").exists()


def test_it_reports_a_cut_off_search_in_the_summary(tmp_path: Path) -> None:
    src = tmp_path / "demo.json"
    src.write_text(write_kumu_json(plastic_waste_map()), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["systemmaps", "analyze", str(src), "--out", str(out), "--max-loops", "5",
                 "--max-loop-length", "6"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False and summary["stop_reason"] == "max_loops"
    assert summary["loops"] == 5 and summary["independent_loops"] > 0


def test_it_fails_cleanly_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "B"}]}')
    assert main(["systemmaps", "analyze", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.json: connections[0]: 'to' names unknown element 'B'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()  # nothing half-written
    assert main(["systemmaps", "analyze", str(tmp_path / "missing.json"), "--out", "x"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["systemmaps", "convert", str(bad), str(tmp_path / "x.docx")]) == 2


def test_it_converts_between_formats(tmp_path: Path) -> None:
    src = tmp_path / "map.json"
    shutil.copy(DATA / "plastic_small.json", src)
    xlsx = tmp_path / "map.xlsx"
    assert main(["systemmaps", "convert", str(src), str(xlsx)]) == 0
    assert read_kumu_xlsx(xlsx.read_bytes()).factors[0].label == "Du lịch"
    for ext in ("graphml", "txt", "dot", "mmd", "svg", "csv"):
        assert main(["systemmaps", "convert", str(xlsx), str(tmp_path / f"map.{ext}")]) == 0
    assert "Du lịch -> + Tiêu dùng đồ nhựa" in (tmp_path / "map.txt").read_text(encoding="utf-8")
