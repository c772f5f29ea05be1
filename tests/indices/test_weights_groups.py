"""Weighting methods in the build form, effective weights, and the comparison by group."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from tests.indices.test_builds import BUILD_FORM


@pytest.mark.parametrize("weighting", ["equal", "pca", "optimise"])
def test_it_builds_with_a_weighting_method_and_stores_the_weights(
        personas: Any, index: Any, as_user: Any, django_capture_on_commit_callbacks: Any, weighting: str) -> None:
    from kientao.indices.models import Build

    client = as_user(personas.organiser)
    fw = index["fw"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:build_new", args=[personas.org.slug, fw.pk]),
                               {**BUILD_FORM, "weighting": weighting})
    assert response.status_code == 302
    b = Build.objects.latest("pk")
    assert b.status == "succeeded", b.error
    weights = b.steps[-1]["params"]["weights"]
    if weighting == "equal":
        assert weights == "equal"
    else:
        assert isinstance(weights, dict) and weights["gov_online"] > 0
        pillar = fw.elements.get(code="gov_online").parent
        siblings = [e.code for e in pillar.children.all()]
        assert sum(weights[c] for c in siblings) == pytest.approx(1.0, abs=1e-4)
        assert b.audit["weighting"] == weighting
    page = client.get(reverse("indices:build_audit", args=[personas.org.slug, b.pk])).content.decode()
    assert "Weights used" in page and "gov_online" in page


def test_it_replays_a_build_with_data_driven_weights(personas: Any, index: Any) -> None:
    import json

    from kientao.indices import actions
    from kientao.indices.analysis import steps_from_choices
    from kientao.indices.engine import steps_from_json
    from kientao.indices.tasks import nominal_build, run_build

    fw = index["fw"]
    steps = steps_from_choices({**BUILD_FORM, "denominate": True, "weighting": "pca", "winmax": 5,
                                "skew_thresh": 2.25, "kurt_thresh": 3.5})
    b = actions.create_build(personas.organiser, fw, 2025, steps)
    run_build(b)
    b.refresh_from_db()
    assert b.status == "succeeded"
    replay = nominal_build(b).datasets["Aggregated"]
    assert replay.shape[0] == len(b.scores["units"])
    assert isinstance(steps_from_json(json.dumps(b.steps))[-1].params["weights"], dict)


def test_it_rejects_an_unknown_weighting_with_400(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("indices:build_new", args=[personas.org.slug, index["fw"].pk]),
                           {**BUILD_FORM, "weighting": "magic"})
    assert response.status_code == 400


def test_it_shows_the_effective_framework_weights(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.member)
    b = index["build"]
    page = client.get(reverse("indices:build_audit", args=[personas.org.slug, b.pk])).content.decode()
    assert "Weights given in the framework" in page
    csv = client.get(reverse("indices:build_export", args=[personas.org.slug, b.pk, "weights", "csv"]))
    assert csv.status_code == 200 and b"effective" in csv.content


def test_it_compares_groups_with_a_chart_and_a_table(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.member)
    b = index["build"]
    fw = index["fw"]
    key = sorted({k for u in fw.units.all() for k in u.groups})[0]
    url = reverse("indices:build_detail", args=[personas.org.slug, b.pk])
    page = client.get(url, {"by": key}).content.decode()
    assert "Comparison by group" in page and page.count("<svg") >= 2
    values = {str(u.groups[key]) for u in fw.units.all() if key in u.groups}
    assert all(v in page for v in values)
    assert client.get(url, {"by": "<nope>"}).status_code == 200


def test_it_exports_the_group_comparison(personas: Any, index: Any, as_user: Any) -> None:
    from openpyxl import load_workbook

    client = as_user(personas.judge)
    b = index["build"]
    key = sorted({k for u in index["fw"].units.all() for k in u.groups})[0]
    csv = client.get(reverse("indices:build_export", args=[personas.org.slug, b.pk, "groups", "csv"]), {"by": key})
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("group,count")
    total = sum(int(line.split(",")[1]) for line in lines[1:])
    assert total == len(b.scores["units"])
    xlsx = client.get(reverse("indices:build_export", args=[personas.org.slug, b.pk, "groups", "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None and ws.cell(1, 1).value == "group"
    assert as_user(personas.outsider).get(
        reverse("indices:build_export", args=[personas.org.slug, b.pk, "groups", "csv"])).status_code == 404
