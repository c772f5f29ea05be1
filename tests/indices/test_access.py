"""Every page and endpoint of the indices capability, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access import ANON, MEMBERS, PERSONAS, expected

VIEWERS = MEMBERS | {"platform_admin"}
ORGANISERS = {"platform_admin", "org_admin", "organiser"}


def pages(index: Any, slug: str) -> list[tuple[str, dict[str, int]]]:
    fw, b, survey = index["fw"], index["build"], index["survey"]
    unit = b.scores["units"][0]
    return [
        (reverse("indices:org_index", args=[slug]), expected(VIEWERS)),
        (reverse("indices:import_framework", args=[slug]), expected(ORGANISERS)),
        (reverse("indices:framework_detail", args=[slug, fw.pk]), expected(VIEWERS)),
        (reverse("indices:build_new", args=[slug, fw.pk]), expected(ORGANISERS)),
        (reverse("indices:upload_data", args=[slug, fw.pk]), expected(ORGANISERS)),
        (reverse("indices:trends", args=[slug, fw.pk]), expected(VIEWERS)),
        (reverse("indices:build_detail", args=[slug, b.pk]), expected(VIEWERS)),
        (reverse("indices:unit_profile", args=[slug, b.pk, unit]), expected(VIEWERS)),
        (reverse("indices:build_audit", args=[slug, b.pk]), expected(VIEWERS)),
        (reverse("indices:build_uncertainty", args=[slug, b.pk]), expected(VIEWERS)),
        (reverse("indices:build_export", args=[slug, b.pk, "scores", "csv"]), expected(VIEWERS)),
        (reverse("indices:survey_detail", args=[slug, survey.pk]), expected(VIEWERS)),
        (reverse("indices:build_export", args=[slug, b.pk, "groups", "xlsx"]), expected(VIEWERS)),
        (reverse("indices:build_export", args=[slug, b.pk, "weights", "csv"]), expected(VIEWERS)),
        (reverse("indices:add_element", args=[slug, fw.pk]), expected(ORGANISERS)),
        (reverse("indices:rename_element", args=[slug, fw.pk, fw.elements.get(code="pci").pk]),
         expected(ORGANISERS)),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_every_page(personas: Any, index: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    for url, codes in pages(index, personas.org.slug):
        assert client.get(url).status_code == codes[persona], (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_writes(personas: Any, index: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    slug, fw, b = personas.org.slug, index["fw"], index["build"]
    element = fw.elements.get(code="pci")
    want = expected(ORGANISERS)[persona]
    want_post = 302 if want == 200 else want
    posts = [
        (reverse("indices:edit_element", args=[slug, fw.pk, element.pk]), {"weight": "2", "direction": "1"}),
        (reverse("indices:publish", args=[slug, fw.pk]), {"published": "0"}),
        (reverse("indices:survey_new", args=[slug, fw.pk]), {"title": "New"}),
        (reverse("indices:build_uncertainty", args=[slug, b.pk]), {"n": "20", "seed": "1", "kind": "UA", "inputs": ["weights"]}),
        (reverse("indices:rename_element", args=[slug, fw.pk, element.pk]), {"name": "PCI", "name_en": "PCI"}),
        (reverse("indices:add_element", args=[slug, fw.pk]),
         {"parent": element.parent_id, "type": "Indicator", "code": f"new_{persona}", "name": "Mới", "weight": "1",
          "direction": "1"}),
        (reverse("indices:delete_element", args=[slug, fw.pk, fw.elements.get(code="admin_days").pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == want_post, (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_public_pages_to_everyone(personas: Any, index: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    fw = index["fw"]
    public = reverse("indices:public_results", args=[fw.public_slug])
    assert client.get(public).status_code == 404  # not published yet
    assert client.get(reverse("indices:index")).status_code == 200
    assert client.get(reverse("indices:download_template")).status_code == 200
    assert client.get(reverse("indices:survey_answer", args=[index["invite"].token])).status_code == 200
    fw.published = True
    fw.save()
    response = client.get(public)
    assert response.status_code == 200
    assert "Hà Nội" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_api(personas: Any, index: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    slug, fw, b = personas.org.slug, index["fw"], index["build"]
    api_codes = {p: (200 if p in VIEWERS else 401 if p == ANON else 404) for p in PERSONAS}
    for url in (f"/api/indices/{slug}/frameworks", f"/api/indices/{slug}/frameworks/{fw.pk}/tree",
                f"/api/indices/{slug}/frameworks/{fw.pk}/builds", f"/api/indices/{slug}/builds/{b.pk}"):
        assert client.get(url).status_code == api_codes[persona], (persona, url)
    post_codes = {p: (202 if p in ORGANISERS else 403 if p in MEMBERS else 401 if p == ANON else 404)
                  for p in PERSONAS}
    response = client.post(f"/api/indices/{slug}/frameworks/{fw.pk}/builds", {"year": 2025},
                           content_type="application/json")
    assert response.status_code == post_codes[persona], (persona, response.content)


def test_it_hides_other_organisations_objects(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    other = personas.other_org.slug
    assert client.get(reverse("indices:framework_detail", args=[other, index["fw"].pk])).status_code == 404
    client = as_user(personas.platform_admin)
    assert client.get(reverse("indices:framework_detail", args=[other, index["fw"].pk])).status_code == 404
    assert client.get(reverse("indices:build_detail", args=[other, index["build"].pk])).status_code == 404
