"""A shared system map explains a challenge's problem: only same-site shared drawings are embedded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kientao.challenges.forms import DATE_FIELDS, ChallengeForm
from kientao.challenges.models import Challenge, validate_shared_map
from kientao.core.models import AuditEntry


def _edit_data(challenge: Challenge, **changes: Any) -> dict[str, Any]:
    form = ChallengeForm(instance=challenge)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name in DATE_FIELDS or name in ("voting_opens_at", "voting_closes_at"):
            value = value.strftime("%Y-%m-%dT%H:%M") if value else ""
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(changes)
    return data


@pytest.mark.parametrize("good", ["/maps/shared/12.svg", "/maps/shared/1.svg"])
def test_it_accepts_shared_map_paths(good: str) -> None:
    validate_shared_map(good)


@pytest.mark.parametrize("bad", [
    "https://evil.example/maps/shared/1.svg", "//evil.example/maps/shared/1.svg", "/maps/shared/1.svg\n",
    "/maps/shared/0.svg", "/maps/shared/x.svg", "/maps/lab/1/", "javascript:alert(1)",
    "/maps/shared/1.svg?x=1", "/maps/shared/1.svg/../../admin", "/static/evil.svg",
])
def test_it_refuses_other_addresses(bad: str) -> None:
    with pytest.raises(ValidationError):
        validate_shared_map(bad)


def test_it_embeds_the_map_on_the_public_page(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("challenges:edit", args=["nhua"]),
                           _edit_data(world.challenge, system_map="/maps/shared/7.svg"))
    assert response.status_code == 302
    world.challenge.refresh_from_db()
    assert world.challenge.system_map == "/maps/shared/7.svg"
    entry = AuditEntry.objects.filter(action="challenges.edit_challenge").latest("pk")
    assert entry.after is not None and entry.after["system_map"] == "/maps/shared/7.svg"
    page = as_user(None).get(reverse("challenges:detail", args=["nhua"])).content.decode()
    assert '<img src="/maps/shared/7.svg"' in page
    assert 'href="/maps/shared/7.svg"' in page


def test_it_refuses_an_external_map_beside_the_field(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    for bad in ("https://evil.example/x.svg", '/maps/shared/1.svg"><script>', "x" * 500):
        response = client.post(reverse("challenges:edit", args=["nhua"]), _edit_data(world.challenge, system_map=bad))
        assert response.status_code == 400
        assert "/maps/shared/12.svg" in response.content.decode()
    world.challenge.refresh_from_db()
    assert world.challenge.system_map == ""
    page = as_user(None).get(reverse("challenges:detail", args=["nhua"])).content.decode()
    assert "<figure" not in page


def test_it_shows_no_map_by_default(world: Any, as_user: Any) -> None:
    page = as_user(None).get(reverse("challenges:detail", args=["nhua"])).content.decode()
    assert "/maps/shared/" not in page
