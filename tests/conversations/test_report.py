"""The report: opinion map, groups, consensus, tables, disaggregation, exports."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook


def test_it_shows_groups_map_and_tables(as_user: Any, personas: Any, voted: Any) -> None:
    page = as_user(personas.member).get(reverse("conversations:report", args=[voted.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Opinion map" in html
    assert len(page.context["groups"]) == 2
    assert sorted(g["size"] for g in page.context["groups"]) == [20, 20]
    assert page.context["groups"][0]["repness"]
    assert any(c["text"] == "Cần có xe buýt hoạt động đến nửa đêm." for c in page.context["consensus"])
    assert page.context["divisive"]
    assert "All statements" in html


def test_it_suppresses_small_cells(as_user: Any, personas: Any, voted: Any) -> None:
    page = as_user(personas.member).get(reverse("conversations:report", args=[voted.public_id]))
    rows = page.context["disaggregation"]
    assert rows and all(not r["suppressed"] for r in rows)  # 20 per value ≥ 10
    from kientao.conversations.analysis import run_analysis
    from kientao.conversations.models import Participant

    first = Participant.objects.filter(conversation=voted).order_by("pk")[:35]
    Participant.objects.filter(pk__in=[p.pk for p in first]).update(attributes={"age_band": "30+"})
    run_analysis(voted)
    page = as_user(personas.member).get(reverse("conversations:report", args=[voted.public_id]))
    rows = page.context["disaggregation"]
    assert all(r["suppressed"] for r in rows)  # 5 people in one value: it and its complement hidden
    assert "–" in page.content.decode()


def test_it_exports_csv_and_xlsx(as_user: Any, personas: Any, voted: Any) -> None:
    client = as_user(personas.member)
    response = client.get(reverse("conversations:export_table", args=[voted.public_id, "statements", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["statement", "text", "n_seen"] and len(rows) == 6
    response = client.get(reverse("conversations:export_table", args=[voted.public_id, "participants", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 41
    response = client.get(reverse("conversations:export_table", args=[voted.public_id, "groups", "csv"]))
    assert response.status_code == 200
    for bad in (("votes", "csv"), ("statements", "pdf")):
        assert client.get(reverse("conversations:export_table", args=[voted.public_id, *bad])).status_code == 404


def test_it_exports_the_polis_format(as_user: Any, personas: Any, voted: Any, tmp_path: Any) -> None:
    response = as_user(personas.member).get(reverse("conversations:export_polis", args=[voted.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = set(zf.namelist())
        assert {"comments.csv", "votes.csv", "participants-votes.csv"} <= names
        zf.extractall(tmp_path)
    from kientao.conversations.engine.formats import read_polis_export

    data = read_polis_export(tmp_path)
    assert len(data.votes) == 200 and len(data.statements) == 5


def test_it_shows_an_empty_report_before_any_analysis(as_user: Any, personas: Any, conversation: Any) -> None:
    page = as_user(personas.member).get(reverse("conversations:report", args=[conversation.public_id]))
    assert page.status_code == 200 and "No analysis yet" in page.content.decode()
    url = reverse("conversations:export_table", args=[conversation.public_id, "statements", "csv"])
    assert as_user(personas.member).get(url).status_code == 200
    url = reverse("conversations:export_polis", args=[conversation.public_id])
    assert as_user(personas.member).get(url).status_code == 200


def test_it_analyses_a_conversation_without_votes(conversation: Any) -> None:
    from kientao.conversations.analysis import run_analysis

    run = run_analysis(conversation)
    assert run.n_votes == 0 and run.results["groups"] == []


def test_it_speaks_vietnamese_in_the_report(as_user: Any, personas: Any, voted: Any) -> None:
    client = as_user(personas.member)  # preferred language "en"; the language cookie wins
    client.cookies["kientao_language"] = "vi"
    page = client.get(reverse("conversations:report", args=[voted.public_id]), HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert "Bản đồ ý kiến" in html and "Nhóm A" in html


def test_it_shows_subgroups_within_each_group(as_user: Any, personas: Any, with_subgroups: Any) -> None:
    """Two camps of two factions (tests/conversations/engine/test_subgroups.py's design)."""
    conv = with_subgroups
    page = as_user(personas.member).get(reverse("conversations:report", args=[conv.public_id]))
    assert page.status_code == 200
    groups = page.context["groups"]
    assert len(groups) == 2
    for g in groups:
        assert [s["name"] for s in g["subgroups"]] == [g["name"] + "1", g["name"] + "2"]
        assert sum(s["size"] for s in g["subgroups"]) == g["size"]
        # told apart by the faction statements (45-49), on which the camps agree
        texts = {r["text"] for s in g["subgroups"] for r in s["repness"]}
        assert texts and texts <= {f"Ý kiến {s}" for s in range(45, 50)}
    html = page.content.decode()
    assert "Subgroups within this group" in html and "Group A1" in html


def test_it_names_attributes_by_their_label_in_each_language(as_user: Any, personas: Any, voted: Any) -> None:
    client = as_user(personas.member)
    url = reverse("conversations:report", args=[voted.public_id])
    for language, label in (("en", "Age band"), ("vi", "Nhóm tuổi")):
        client.cookies["kientao_language"] = language
        page = client.get(url)
        html = page.content.decode()
        assert {d["attribute_label"] for d in page.context["disaggregation"]} == {label}
        assert f"<td>{label}</td>" in html and "<td>age_band</td>" not in html


def test_it_falls_back_to_the_other_label_then_the_key(as_user: Any, personas: Any, voted: Any) -> None:
    client = as_user(personas.member)
    url = reverse("conversations:report", args=[voted.public_id])
    voted.attribute_questions = [{"key": "age_band", "label_vi": "Nhóm tuổi", "label_en": "",
                                  "choices": ["18–29", "30+"]}]
    voted.save()
    client.cookies["kientao_language"] = "en"
    assert "<td>Nhóm tuổi</td>" in client.get(url).content.decode()
    voted.attribute_questions = []  # the question was removed after people answered it
    voted.save()
    assert "<td>age_band</td>" in client.get(url).content.decode()
