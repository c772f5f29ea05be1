"""Analysis panel, sub-maps, scenarios, exports in every format, imports, API, demo."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kientao.core.demo import DemoContext
from kientao.systemmaps import actions, demo
from kientao.systemmaps.demo_data import plastic_waste_map
from kientao.systemmaps.engine.formats import write_kumu_json
from kientao.systemmaps.engine.sheets import write_kumu_xlsx
from kientao.systemmaps.models import SystemMap


@pytest.fixture
def plastic(personas: Any) -> SystemMap:
    return actions.create_map(personas.organiser, personas.org, title="Nhựa", content=plastic_waste_map())


def url(personas: Any, smap: SystemMap, name: str, *extra: Any) -> str:
    return reverse(f"systemmaps:{name}", args=[personas.org.slug, smap.pk, *extra])


def test_it_lists_loops_measures_and_leverage(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    r = as_user(personas.member).get(url(personas, plastic, "map_analysis"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "All " in page and "feedback loops" in page
    assert ">R<" in page and ">B<" in page
    assert "Leverage candidates" in page and "Du lịch" in page


def test_it_shows_sub_maps_and_paths(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    client = as_user(personas.judge)
    keys = list(plastic.factors.values_list("key", flat=True))
    r = client.get(url(personas, plastic, "map_analysis"), {"factor": keys[0], "radius": 2})
    assert r.status_code == 200 and "<svg" in r.content.decode()
    r = client.get(url(personas, plastic, "map_analysis"), {"source": keys[0], "target": keys[5]})
    assert r.status_code == 200 and "Paths from" in r.content.decode()
    for bad in ({"factor": "nope"}, {"radius": "9", "factor": keys[0]}, {"source": keys[0], "target": "x"}):
        assert client.get(url(personas, plastic, "map_analysis"), bad).status_code == 400


def test_it_runs_a_scenario_with_a_chart(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    client = as_user(personas.member)
    key = plastic.factors.first().key  # type: ignore[union-attr]
    r = client.get(url(personas, plastic, "map_analysis"), {"scenario": "1", "factor": key, "value": "0"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "scenario − baseline" in page and 'class="chart"' in page
    for bad in ({"scenario": "1", "factor": key, "value": "abc"}, {"scenario": "1", "factor": "zz", "value": "1"},
                {"scenario": "1", "factor": key, "value": "5"}):
        assert client.get(url(personas, plastic, "map_analysis"), bad).status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xlsx", "graphml", "dot", "mmd", "csv", "txt", "svg", "png"])
def test_it_exports_every_format(personas: Any, as_user: Any, plastic: SystemMap, fmt: str) -> None:
    r = as_user(personas.member).get(url(personas, plastic, "map_export", fmt))
    if fmt == "png" and r.status_code == 400:
        pytest.skip("matplotlib is not installed")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    assert len(r.content) > 100


def test_it_refuses_unknown_export_formats(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    client = as_user(personas.member)
    assert client.get(url(personas, plastic, "map_export", "exe")).status_code == 404
    assert client.get(url(personas, plastic, "map_table", "loops", "pdf")).status_code == 404


@pytest.mark.parametrize(("table", "fmt"), [("loops", "csv"), ("loops", "xlsx"), ("factors", "csv"),
                                            ("factors", "xlsx")])
def test_it_exports_loops_and_factors(personas: Any, as_user: Any, plastic: SystemMap, table: str, fmt: str) -> None:
    r = as_user(personas.member).get(url(personas, plastic, "map_table", table, fmt))
    assert r.status_code == 200
    if fmt == "csv":
        text = r.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("loop" if table == "loops" else "factor")
        assert "Du lịch" in text
    else:
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(r.content)).active.max_row > 5


@pytest.mark.parametrize(("name", "content"), [
    ("map.json", write_kumu_json(plastic_waste_map()).encode()),
    ("map.xlsx", write_kumu_xlsx(plastic_waste_map())),
    ("map.txt", "Du lịch -> + Rác\n".encode()),
])
def test_it_imports_maps(personas: Any, as_user: Any, name: str, content: bytes) -> None:
    r = as_user(personas.organiser).post(reverse("systemmaps:map_import", args=[personas.org.slug]),
                                         {"title": "", "kind": "causal_loop",
                                          "file": SimpleUploadedFile(name, content)})
    assert r.status_code == 302
    smap = SystemMap.objects.get(organisation=personas.org)
    assert smap.factors.count() >= 2 and smap.versions.count() == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("map.json", b'{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "Z"}]}', "Z"),
    ("map.json", b'{"elements": [{"label": "A"}, {"label": "A"}]}', "duplicate"),
    ("map.json", b"{not json", "map.json"),
    ("map.xlsx", b"PK not really", "map.xlsx"),
    ("map.graphml", b"<graphml><oops", "map.graphml"),
    ("map.exe", b"MZ", "Choose"),
])
def test_it_refuses_bad_imports_and_saves_nothing(personas: Any, as_user: Any, name: str, content: bytes,
                                                 message: str) -> None:
    r = as_user(personas.organiser).post(reverse("systemmaps:map_import", args=[personas.org.slug]),
                                         {"kind": "causal_loop", "file": SimpleUploadedFile(name, content)})
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not SystemMap.objects.exists()


def test_it_refuses_maps_too_large_for_the_page(personas: Any, as_user: Any) -> None:
    text = "\n".join(f"F{i} -> + F{i + 1}" for i in range(2001)).encode()
    r = as_user(personas.organiser).post(reverse("systemmaps:map_import", args=[personas.org.slug]),
                                         {"kind": "causal_loop", "file": SimpleUploadedFile("big.txt", text)})
    assert r.status_code == 400
    assert "at most 2000" in r.content.decode()
    assert not SystemMap.objects.exists()


def test_it_serves_and_replaces_maps_through_the_api(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    client = as_user(personas.organiser)
    base = f"/api/maps/{personas.org.slug}/{plastic.pk}"
    assert client.get(f"/api/maps/{personas.org.slug}").json()[0]["factors"] == 28
    assert len(client.get(f"{base}/kumu").json()["elements"]) == 28
    loops = client.get(f"{base}/loops").json()
    assert loops["complete"] and {lp["polarity"] for lp in loops["loops"]} >= {"R", "B"}
    assert len(client.get(f"{base}/factors").json()) == 28
    assert client.get(f"{base}/loops?max_length=99").status_code == 422
    body = {"elements": [{"label": "A"}, {"label": "B"}], "connections": [{"from": "A", "to": "B", "type": "-"}]}
    r = client.put(f"{base}/kumu", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json() == {"version": 2, "factors": 2, "links": 1}
    r = client.put(f"{base}/kumu", data='{"connections": [{"from": "A", "to": "Q"}]}', content_type="application/json")
    assert r.status_code == 400
    assert plastic.factors.count() == 2


def test_it_loads_the_demo_idempotently(personas: Any) -> None:
    context = DemoContext(city_lab=personas.org, science_department=personas.other_org,
                          users={"organiser": personas.organiser})
    demo.load(context)
    demo.load(context)
    maps = SystemMap.objects.filter(organisation=personas.org)
    assert maps.count() == 2
    assert {m.kind for m in maps} == {"causal_loop", "actor_map"}
    assert maps.get(kind="causal_loop").factors.count() == 28
    assert maps.get(kind="causal_loop").named_loops


def test_it_shows_pages_in_vietnamese(personas: Any, as_user: Any, plastic: SystemMap) -> None:
    personas.member.preferred_language = "vi"
    personas.member.save()
    client = as_user(personas.member)
    r = client.get(url(personas, plastic, "map_analysis"), HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Vòng phản hồi" in html
    # the leverage reasons come from the engine as codes and are shown in Vietnamese
    assert "yếu tố khác ở phía sau" in html
    assert "other factors downstream" not in html


def test_it_shows_a_problem_tree_and_says_when_it_is_not_a_tree(personas: Any, as_user: Any,
                                                                 plastic: SystemMap) -> None:
    client = as_user(personas.member)
    key = plastic.factors.get(label="Du lịch").key
    r = client.get(url(personas, plastic, "map_analysis"), {"problem": key})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Root causes:" in page and "Not a tree" in page
    assert client.get(url(personas, plastic, "map_analysis"), {"problem": "nope"}).status_code == 400


def test_it_shows_the_power_interest_grid_of_actor_maps(personas: Any, as_user: Any) -> None:
    context = DemoContext(city_lab=personas.org, science_department=personas.other_org,
                          users={"organiser": personas.organiser})
    demo.load(context)
    actors = SystemMap.objects.get(organisation=personas.org, kind="actor_map")
    r = as_user(personas.judge).get(url(personas, actors, "map_analysis"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "Power and interest of the actors" in page and "manage closely" in page
    assert "Người nhặt ve chai" in page
