"""Every page of the challenges app, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access import ANON, MEMBERS, PERSONAS, expected

ORGANISERS = {"platform_admin", "org_admin", "organiser"}


ORGANISER_PAGES = [
    "manage",
    "edit",
    "form_builder",
    "rubric",
    "judges",
    "screening",
    "dashboard",
    "ranking",
]


@pytest.mark.parametrize("name", ORGANISER_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_organiser_pages(
    world: Any, personas: Any, as_user: Any, name: str, persona: str
) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse(f"challenges:{name}", args=[world.challenge.slug]))
    assert response.status_code == expected(ORGANISERS)[persona], (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_exports(world: Any, personas: Any, as_user: Any, persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(
        reverse("challenges:export", args=[world.challenge.slug, "scores", "csv"])
    )
    assert response.status_code == expected(ORGANISERS)[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_create_page(world: Any, personas: Any, as_user: Any, persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse("challenges:create", args=[personas.org.slug]))
    assert response.status_code == expected(ORGANISERS)[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_public_pages_to_everyone(
    world: Any, personas: Any, as_user: Any, persona: str
) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    assert client.get(reverse("challenges:index")).status_code == 200
    assert client.get(reverse("challenges:detail", args=["nhua"])).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_hides_draft_challenges_from_outsiders(
    world: Any, personas: Any, as_user: Any, persona: str
) -> None:
    world.challenge.is_published = False
    world.challenge.save()
    response = as_user(None if persona == ANON else getattr(personas, persona)).get(
        reverse("challenges:detail", args=["nhua"])
    )
    want = 200 if persona in MEMBERS | {"platform_admin"} else 404
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_submission_only_to_its_applicant_and_organisers(
    world: Any, personas: Any, as_user: Any, persona: str
) -> None:
    response = as_user(None if persona == ANON else getattr(personas, persona)).get(
        reverse("challenges:submission", args=[world.submission.pk])
    )
    want = {ANON: 302, "applicant": 200, **dict.fromkeys(ORGANISERS, 200)}.get(persona, 404)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_an_assignment_only_to_its_judge(
    world: Any, personas: Any, as_user: Any, persona: str
) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    response = client.get(reverse("challenges:assignment", args=[world.assignment.pk]))
    assert response.status_code == {ANON: 302, "judge": 200}.get(persona, 404)
    listing = client.get(reverse("challenges:my_assignments"))
    assert listing.status_code == (302 if persona == ANON else 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_apply_page(world: Any, personas: Any, as_user: Any, persona: str) -> None:
    response = as_user(None if persona == ANON else getattr(personas, persona)).get(
        reverse("challenges:apply", args=["nhua"])
    )
    # the applicant already submitted (eligible): redirected to the status page
    assert response.status_code == {ANON: 302, "applicant": 302}.get(persona, 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_api(world: Any, personas: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    assert client.get("/api/challenges/").status_code == 200
    assert client.get("/api/challenges/nhua").status_code == 200
    mine = client.get("/api/challenges/mine/submissions")
    assert mine.status_code == (401 if persona == ANON else 200)
    if persona == "applicant":
        assert [s["code"] for s in mine.json()] == ["S-0001"]
    elif persona != ANON:
        assert mine.json() == []
    ranking = client.get("/api/challenges/nhua/ranking")
    want = {ANON: 401, **dict.fromkeys(ORGANISERS, 200), **dict.fromkeys(MEMBERS - ORGANISERS, 403)}
    assert ranking.status_code == want.get(persona, 404)
