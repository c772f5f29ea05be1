"""Every conversations page and endpoint, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.core.test_access import PERSONAS, SIGNED_IN, expected

ANON = "anonymous"
MEMBERS = {"org_admin", "organiser", "judge", "member", "platform_admin"}
ORGANISERS = {"org_admin", "organiser", "platform_admin"}
EVERYONE = set(PERSONAS)


def _user(personas: Any, persona: str) -> Any:
    return None if persona == ANON else getattr(personas, persona)


PAGES = [
    ("conversations:manage", (), expected(MEMBERS)),
    ("conversations:edit_conversation", (), expected(ORGANISERS)),
    ("conversations:moderate", (), expected(ORGANISERS)),
    ("conversations:report", (), expected(MEMBERS)),
    ("conversations:export_table", ("statements", "csv"), expected(MEMBERS)),
    ("conversations:export_polis", (), expected(MEMBERS)),
    ("conversations:vote", (), dict.fromkeys(PERSONAS, 200)),
    ("conversations:embed", (), dict.fromkeys(PERSONAS, 200)),
]


@pytest.mark.parametrize(("name", "extra", "codes"), PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_conversation_pages(personas: Any, as_user: Any, voted: Any, name: str,
                                      extra: tuple[str, ...], codes: dict[str, int], persona: str) -> None:
    response = as_user(_user(personas, persona)).get(reverse(name, args=[voted.public_id, *extra]))
    assert response.status_code == codes[persona], (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_index_and_the_create_page(personas: Any, as_user: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    assert client.get(reverse("conversations:index")).status_code == 200
    response = client.get(reverse("conversations:create_conversation", args=[personas.org.slug]))
    assert response.status_code == expected(ORGANISERS)[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_published_report_to_everyone(personas: Any, as_user: Any, voted: Any,
                                                 persona: str) -> None:
    voted.report_published = True
    voted.save()
    client = as_user(_user(personas, persona))
    assert client.get(reverse("conversations:report", args=[voted.public_id])).status_code == 200
    url = reverse("conversations:export_table", args=[voted.public_id, "groups", "xlsx"])
    assert client.get(url).status_code == 200
    assert client.get(f"/api/conversations/{voted.public_id}/analysis").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_organiser_actions(personas: Any, as_user: Any, voted: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    for name in ("conversations:start_analysis", "conversations:publish_report"):
        response = client.post(reverse(name, args=[voted.public_id]), {"published": "1"})
        want = expected(ORGANISERS)[persona]
        assert response.status_code == (302 if want == 200 else want), (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_api(personas: Any, as_user: Any, voted: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    base = f"/api/conversations/{voted.public_id}"
    assert client.get(base).status_code == 200
    assert client.get(base + "/statements").status_code == 200
    analysis = client.get(base + "/analysis").status_code
    assert analysis == (200 if persona in MEMBERS else 404), persona


def test_it_answers_404_for_unknown_or_malformed_ids(as_user: Any, personas: Any) -> None:
    client = as_user(personas.organiser)
    for public_id in ("nope1234", "bad-id!", "x" * 30):
        assert client.get(f"/conversations/{public_id}/").status_code == 404
        assert client.get(f"/api/conversations/{public_id}").status_code == 404
    assert SIGNED_IN
