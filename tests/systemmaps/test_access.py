"""Every system-map page and endpoint, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kientao.systemmaps import actions
from kientao.systemmaps.engine.formats import read_link_text

ANON = "anonymous"
PERSONAS = (ANON, "platform_admin", "org_admin", "organiser", "judge", "member", "applicant",
            "participant", "outsider")
MEMBERS = {"org_admin", "organiser", "judge", "member"}
VIEWERS = MEMBERS | {"platform_admin"}
EDITORS = {"platform_admin", "org_admin", "organiser"}


def expected(allowed: set[str], persona: str, ok: int = 200, anon: int = 302) -> int:
    if persona in allowed:
        return ok
    if persona == ANON:
        return anon
    return 403 if persona in MEMBERS else 404


@pytest.fixture
def demo_map(personas: Any) -> Any:
    em = read_link_text("Du lịch -> + Tiêu dùng đồ nhựa\nTiêu dùng đồ nhựa -> + Rác thải\n"
                        "Rác thải -> - Du lịch\n")
    return actions.create_map(personas.organiser, personas.org, title="Rác thải", content=em)


def user_of(personas: Any, persona: str) -> Any:
    return None if persona == ANON else getattr(personas, persona)


GET_PAGES = [
    ("systemmaps:map_list", "org", VIEWERS),
    ("systemmaps:map_create", "org", EDITORS),
    ("systemmaps:map_import", "org", EDITORS),
    ("systemmaps:map_detail", "map", VIEWERS),
    ("systemmaps:map_edit", "map", EDITORS),
    ("systemmaps:map_text", "map", VIEWERS),
    ("systemmaps:map_canvas", "map", VIEWERS),
    ("systemmaps:map_analysis", "map", VIEWERS),
    ("systemmaps:map_history", "map", VIEWERS),
]


@pytest.mark.parametrize(("name", "scope", "allowed"), GET_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_every_page(personas: Any, as_user: Any, demo_map: Any, name: str, scope: str,
                              allowed: set[str], persona: str) -> None:
    args = [personas.org.slug] if scope == "org" else [personas.org.slug, demo_map.pk]
    response = as_user(user_of(personas, persona)).get(reverse(name, args=args))
    assert response.status_code == expected(allowed, persona), (name, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_exports_and_writes(personas: Any, as_user: Any, demo_map: Any, persona: str) -> None:
    client = as_user(user_of(personas, persona))
    args = [personas.org.slug, demo_map.pk]
    r = client.get(reverse("systemmaps:map_export", args=[*args, "json"]))
    assert r.status_code == expected(VIEWERS, persona)
    r = client.get(reverse("systemmaps:map_table", args=[*args, "loops", "csv"]))
    assert r.status_code == expected(VIEWERS, persona)
    r = client.post(reverse("systemmaps:map_text", args=args), {"text": "A -> + B"})
    assert r.status_code == expected(EDITORS, persona, ok=302)
    r = client.post(reverse("systemmaps:map_save", args=args), data='{"factors": [], "links": []}',
                    content_type="application/json")
    assert r.status_code == expected(EDITORS, persona)
    r = client.post(reverse("systemmaps:comment_add", args=args), {"subject": "map", "text": "Hay"})
    assert r.status_code == expected(VIEWERS, persona, ok=302)
    r = client.post(reverse("systemmaps:version_restore", args=[*args, 1]))
    assert r.status_code == expected(EDITORS, persona, ok=302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_api(personas: Any, as_user: Any, demo_map: Any, persona: str) -> None:
    client = as_user(user_of(personas, persona))
    base = f"/api/maps/{personas.org.slug}"
    for url in (base, f"{base}/{demo_map.pk}/kumu", f"{base}/{demo_map.pk}/loops",
                f"{base}/{demo_map.pk}/factors"):
        assert client.get(url).status_code == expected(VIEWERS, persona, anon=401), (url, persona)
    body = '{"elements": [{"label": "A"}, {"label": "B"}], "connections": [{"from": "A", "to": "B", "type": "+"}]}'
    r = client.put(f"{base}/{demo_map.pk}/kumu", data=body, content_type="application/json")
    assert r.status_code == expected(EDITORS, persona, anon=401), persona


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_factor_profiles(personas: Any, as_user: Any, demo_map: Any, persona: str) -> None:
    client = as_user(user_of(personas, persona))
    factor = demo_map.factors.first()
    target = reverse("systemmaps:factor_detail", args=[personas.org.slug, demo_map.pk, factor.pk])
    assert client.get(target).status_code == expected(VIEWERS, persona)
    r = client.post(target, {"description": "x", "type": "", "tags_text": ""})
    assert r.status_code == expected(EDITORS, persona, ok=302)


def test_it_hides_maps_of_other_organisations(personas: Any, as_user: Any, demo_map: Any) -> None:
    client = as_user(personas.organiser)
    r = client.get(reverse("systemmaps:map_detail", args=[personas.other_org.slug, demo_map.pk]))
    assert r.status_code == 404


def test_it_serves_shared_drawings_publicly_and_nothing_else(personas: Any, as_user: Any, demo_map: Any) -> None:
    client = as_user(None)
    url = reverse("systemmaps:map_embed", args=[demo_map.pk])
    assert client.get(url).status_code == 404
    demo_map.shared = True
    demo_map.save()
    r = client.get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    assert "Du lịch" in r.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_the_landing_page_to_everyone(personas: Any, as_user: Any, persona: str) -> None:
    assert as_user(user_of(personas, persona)).get(reverse("systemmaps:index")).status_code == 200
