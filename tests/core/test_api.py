"""The JSON API: OpenAPI, token and session authentication, the same permission rules."""

from __future__ import annotations

from typing import Any

import pytest

from kientao.core.models import ApiToken

ANON = "anonymous"
PERSONAS = (ANON, "platform_admin", "org_admin", "organiser", "judge", "member", "applicant",
            "participant", "outsider")
MEMBERS = {"org_admin", "organiser", "judge", "member"}


def call(client: Any, personas: Any, persona: str, path: str) -> Any:
    if persona == ANON:
        return client.get(path)
    _, key = ApiToken.issue(getattr(personas, persona), "test")
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_it_publishes_openapi_and_docs(client: Any, db: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Kiến Tạo API"
    assert "/api/organisations/{slug}/audit" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_applies_the_same_rules_as_the_pages(client: Any, personas: Any, persona: str) -> None:
    slug = personas.org.slug
    detail = call(client, personas, persona, f"/api/organisations/{slug}").status_code
    members = call(client, personas, persona, f"/api/organisations/{slug}/members").status_code
    audit = call(client, personas, persona, f"/api/organisations/{slug}/audit").status_code
    if persona == ANON:
        assert (detail, members, audit) == (401, 401, 401)
    elif persona in ("platform_admin", "org_admin"):
        assert (detail, members, audit) == (200, 200, 200)
    elif persona in MEMBERS:
        assert (detail, members, audit) == (200, 403, 403)
    else:
        assert (detail, members, audit) == (404, 404, 404)


def test_it_lists_only_my_organisations(client: Any, personas: Any) -> None:
    slugs = [o["slug"] for o in call(client, personas, "judge", "/api/organisations").json()]
    assert slugs == [personas.org.slug]
    assert call(client, personas, "outsider", "/api/organisations").json() == []


def test_it_uses_the_session_for_pages_calls(client: Any, personas: Any) -> None:
    client.force_login(personas.member)
    assert client.get("/api/me").json()["email"] == "member@example.org"


@pytest.mark.parametrize(
    "path",
    [
        "/api/jobs/not-a-uuid",
        "/api/jobs/00000000-0000-0000-0000-000000000000",
        "/api/organisations/no-such-org",
        "/api/organisations/lab-hoi-an/audit?limit=-5",
        "/api/organisations/lab-hoi-an/audit?limit=abc",
        "/api/organisations/%00%ff",
    ],
)
def test_it_answers_malformed_requests_without_500(client: Any, personas: Any, path: str) -> None:
    status = call(client, personas, "org_admin", path).status_code
    assert 400 <= status < 500


def test_it_rejects_bad_tokens(client: Any, db: Any) -> None:
    for header in ("Bearer nope", "Bearer " + "x" * 5000, "Basic abc", "Bearer"):
        assert client.get("/api/me", HTTP_AUTHORIZATION=header).status_code == 401
