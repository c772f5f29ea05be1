"""Text view, canvas saves, versions and restore, comments: atomic, versioned, audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from kientao.core.models import AuditEntry
from kientao.systemmaps import actions
from kientao.systemmaps.models import Comment, Factor, Link, MapVersion, SystemMap


@pytest.fixture
def smap(personas: Any) -> SystemMap:
    return actions.create_map(personas.organiser, personas.org, title="Nhựa")


def urls(personas: Any, smap: SystemMap, name: str, *extra: Any) -> str:
    return reverse(f"systemmaps:{name}", args=[personas.org.slug, smap.pk, *extra])


def test_it_creates_a_map_from_the_form(personas: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    r = client.post(reverse("systemmaps:map_create", args=[personas.org.slug]),
                    {"title": "Bản đồ mới", "description": "", "kind": "causal_loop"})
    assert r.status_code == 302
    assert SystemMap.objects.filter(title="Bản đồ mới", organisation=personas.org).exists()
    assert AuditEntry.objects.filter(action="systemmaps.create_map").exists()
    r = client.post(reverse("systemmaps:map_create", args=[personas.org.slug]), {"title": "", "kind": "x"})
    assert r.status_code == 400


def test_it_saves_the_text_view_as_a_version_and_keeps_positions(personas: Any, as_user: Any,
                                                                  smap: SystemMap) -> None:
    client = as_user(personas.organiser)
    text = "Du lịch -> + Tiêu dùng đồ nhựa\nTiêu dùng đồ nhựa -//> - Du lịch\nCô lập\n"
    assert client.post(urls(personas, smap, "map_text"), {"text": text}).status_code == 302
    assert smap.factors.count() == 3 and smap.links.count() == 2
    assert smap.links.get(sign=-1).delay is True
    Factor.objects.filter(map=smap, label="Du lịch").update(x=10.0, y=20.0, description="giữ lại")
    r = client.post(urls(personas, smap, "map_text"), {"text": "Du lịch -> + Rác\n"})
    assert r.status_code == 302
    kept = Factor.objects.get(map=smap, label="Du lịch")
    assert (kept.x, kept.y, kept.description) == (10.0, 20.0, "giữ lại")
    assert sorted(smap.factors.values_list("label", flat=True)) == ["Du lịch", "Rác"]
    assert list(smap.versions.values_list("number", flat=True)) == [2, 1]
    assert AuditEntry.objects.filter(action="systemmaps.save_map").count() == 2
    page = client.get(urls(personas, smap, "map_text")).content.decode()
    assert "Du lịch -&gt; + Rác" in page


@pytest.mark.parametrize("text", ["A -> + B\nA -> x B\n", "A -> + \n" * 1 + "B -> * C", "-> + B"])
def test_it_refuses_bad_text_naming_the_line_and_saves_nothing(personas: Any, as_user: Any,
                                                               smap: SystemMap, text: str) -> None:
    client = as_user(personas.organiser)
    r = client.post(urls(personas, smap, "map_text"), {"text": text})
    assert r.status_code == 400
    assert "line" in r.content.decode()
    assert smap.factors.count() == 0 and smap.versions.count() == 0


def test_it_saves_the_canvas_through_the_engine(personas: Any, as_user: Any, smap: SystemMap) -> None:
    client = as_user(personas.organiser)
    body = {"factors": [{"id": "n1", "label": "A", "x": 5, "y": 6}, {"id": "n2", "label": "B", "x": 50, "y": 60}],
            "links": [{"id": "e1", "source": "n1", "target": "n2", "sign": -1, "delay": True}]}
    r = client.post(urls(personas, smap, "map_save"), json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 1
    a = smap.factors.get(label="A")
    assert (a.x, a.y) == (5.0, 6.0)
    assert smap.links.get().sign == -1


@pytest.mark.parametrize("body", [
    "not json",
    "[]",
    json.dumps({"factors": [{"id": "a", "label": "A"}], "links": [{"id": "l", "source": "a", "target": "zz"}]}),
    json.dumps({"factors": [{"id": "a", "label": "A"}, {"id": "b", "label": "A"}], "links": []}),
    json.dumps({"factors": [{"id": "a"}], "links": []}),
    json.dumps({"factors": [{"id": "a", "label": "A"}], "links": [{"id": "l", "source": "a", "target": "a",
                                                                    "sign": 7}]}),
])
def test_it_refuses_bad_canvas_saves_without_a_500(personas: Any, as_user: Any, smap: SystemMap, body: str) -> None:
    r = as_user(personas.organiser).post(urls(personas, smap, "map_save"), body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["error"]
    assert smap.factors.count() == 0 and MapVersion.objects.filter(map=smap).count() == 0


def test_it_restores_a_version_and_logs_it(personas: Any, as_user: Any, smap: SystemMap) -> None:
    client = as_user(personas.organiser)
    client.post(urls(personas, smap, "map_text"), {"text": "A -> + B\n"})
    client.post(urls(personas, smap, "map_text"), {"text": "C -> - D\n"})
    r = client.post(urls(personas, smap, "version_restore", 1))
    assert r.status_code == 302
    assert sorted(smap.factors.values_list("label", flat=True)) == ["A", "B"]
    assert smap.versions.count() == 3
    assert AuditEntry.objects.filter(action="systemmaps.restore_version").exists()
    page = client.get(urls(personas, smap, "map_history")).content.decode()
    assert "restore v1" in page
    assert client.post(urls(personas, smap, "version_restore", 99)).status_code == 404


def test_it_adds_comments_on_factors_and_links(personas: Any, as_user: Any, smap: SystemMap) -> None:
    as_user(personas.organiser).post(urls(personas, smap, "map_text"), {"text": "A -> + B\n"})
    client = as_user(personas.member)
    factor = Factor.objects.get(map=smap, label="A")
    link = Link.objects.get(map=smap)
    assert client.post(urls(personas, smap, "comment_add"), {"subject": f"f:{factor.pk}", "text": "Vì sao?"}).status_code == 302
    assert client.post(urls(personas, smap, "comment_add"), {"subject": f"l:{link.pk}", "text": "Chắc chắn"}).status_code == 302
    assert Comment.objects.filter(factor=factor).count() == 1 and Comment.objects.filter(link=link).count() == 1
    assert AuditEntry.objects.filter(action="systemmaps.add_comment").count() == 2
    assert client.post(urls(personas, smap, "comment_add"), {"subject": "f:999999", "text": "x"}).status_code == 400
    assert client.post(urls(personas, smap, "comment_add"), {"subject": "map", "text": ""}).status_code == 400
    page = client.get(urls(personas, smap, "map_detail")).content.decode()
    assert "Vì sao?" in page


def test_it_updates_and_deletes_a_map(personas: Any, as_user: Any, smap: SystemMap) -> None:
    client = as_user(personas.org_admin)
    r = client.post(urls(personas, smap, "map_edit"), {"title": "Mới", "description": "", "kind": "actor_map",
                                                       "shared": "on"})
    assert r.status_code == 302
    smap.refresh_from_db()
    assert smap.title == "Mới" and smap.shared
    assert client.post(urls(personas, smap, "map_edit"), {"delete": "1"}).status_code == 302
    assert not SystemMap.objects.filter(pk=smap.pk).exists()
    assert AuditEntry.objects.filter(action="systemmaps.delete_map").exists()


def test_it_keeps_a_renamed_factor_and_its_comments_on_the_canvas(personas: Any, as_user: Any,
                                                                  smap: SystemMap) -> None:
    client = as_user(personas.organiser)
    client.post(urls(personas, smap, "map_text"), {"text": "A -> + B\n"})
    a = Factor.objects.get(map=smap, label="A")
    actions.add_comment(personas.member, smap, "Rõ chưa?", factor=a)
    b = Factor.objects.get(map=smap, label="B")
    body = {"factors": [{"id": a.key, "label": "A mới", "x": 1, "y": 2}, {"id": b.key, "label": "B", "x": 3, "y": 4}],
            "links": [{"id": "x", "source": a.key, "target": b.key, "sign": 0, "delay": False}]}
    r = client.post(urls(personas, smap, "map_save"), json.dumps(body), content_type="application/json")
    assert r.status_code == 200
    renamed = Factor.objects.get(pk=a.pk)
    assert renamed.label == "A mới" and renamed.comments.count() == 1
    assert smap.links.get().sign == 0


def test_it_edits_a_factor_profile_with_safe_markdown(personas: Any, as_user: Any, smap: SystemMap) -> None:
    client = as_user(personas.organiser)
    client.post(urls(personas, smap, "map_text"), {"text": "A -> + B\n"})
    a = Factor.objects.get(map=smap, label="A")
    target = urls(personas, smap, "factor_detail", a.pk)
    r = client.post(target, {"description": "**Quan trọng** <script>alert(1)</script>", "type": "chính sách",
                             "tags_text": "ven biển | nhựa"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.tags == ["ven biển", "nhựa"] and a.type == "chính sách"
    page = client.get(target).content.decode()
    assert "<strong>Quan trọng</strong>" in page and "<script>alert" not in page
    assert smap.versions.count() == 2
    assert AuditEntry.objects.filter(action="systemmaps.update_factor").exists()
    assert client.post(target, {"description": "x" * 10, "type": "t" * 500}).status_code == 400
    other = urls(personas, smap, "factor_detail", 999999)
    assert client.get(other).status_code == 404


def test_it_replaces_a_map_from_a_file_or_changes_nothing(personas: Any, as_user: Any, smap: SystemMap) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(personas.organiser)
    target = urls(personas, smap, "map_replace")
    r = client.post(target, {"file": SimpleUploadedFile("m.txt", b"X -> - Y\nY -> + Z\n")})
    assert r.status_code == 302 and smap.factors.count() == 3
    r = client.post(target, {"file": SimpleUploadedFile("m.txt", b"X -> oops Y\n")})
    assert r.status_code == 400 and "line 1" in r.content.decode()
    r = client.post(target, {"file": SimpleUploadedFile("m.txt", b"\xff\xfe bad")})
    assert r.status_code == 400
    assert smap.factors.count() == 3 and smap.versions.count() == 1
    assert as_user(personas.member).post(target, {}).status_code == 403
