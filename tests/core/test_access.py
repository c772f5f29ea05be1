"""Every page of the platform, for every persona: who gets in, who is refused, and how."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access import ANON, MEMBERS, PERSONAS, SIGNED_IN, expected


def org_pages() -> list[tuple[str, dict[str, int]]]:
    admins = {"platform_admin", "org_admin"}
    return [
        ("core:organisation_detail", expected(MEMBERS | {"platform_admin"})),
        ("core:members", expected(admins)),
        ("core:audit_log", expected(admins)),
    ]


@pytest.mark.parametrize(("name", "codes"), org_pages())
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_organisation_pages(personas: Any, as_user: Any, name: str,
                                      codes: dict[str, int], persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse(name, args=[personas.org.slug]))
    assert response.status_code == codes[persona], (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_audit_export(personas: Any, as_user: Any, persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse("core:audit_export", args=[personas.org.slug, "csv"]))
    want = expected({"platform_admin", "org_admin"})[persona]
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_hides_other_organisations_from_members(personas: Any, as_user: Any, persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse("core:organisation_detail", args=[personas.other_org.slug]))
    if persona == ANON:
        assert response.status_code == 302
    elif persona == "platform_admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("core:home", set(PERSONAS)),
        ("core:login", set(PERSONAS)),
        ("core:signup", set(PERSONAS)),
        ("core:password_reset", set(PERSONAS)),
        ("core:dashboard", SIGNED_IN),
        ("core:profile", SIGNED_IN),
        ("core:organisation_list", SIGNED_IN),
        ("core:password_change", SIGNED_IN),
        ("core:organisation_create", {"platform_admin"}),
        ("core:system_status", {"platform_admin"}),
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_personal_and_platform_pages(personas: Any, as_user: Any, name: str,
                                               allowed: set[str], persona: str) -> None:
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse(name))
    if persona in allowed:
        # signed-in users are sent on from the login and sign-up pages
        assert response.status_code in ((200, 302) if name in ("core:login", "core:signup") else (200,))
    elif persona == ANON:
        assert response.status_code == 302
        assert reverse("core:login") in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_member_writes(personas: Any, as_user: Any, persona: str) -> None:
    from kientao.core.models import Membership

    user = None if persona == ANON else getattr(personas, persona)
    target = Membership.objects.get(user=personas.member, organisation=personas.org)
    client = as_user(user)
    url = reverse("core:member_role", args=[personas.org.slug, target.pk])
    response = client.post(url, {"role": "judge"})
    target.refresh_from_db()
    if persona in ("platform_admin", "org_admin"):
        assert response.status_code == 302 and target.role == "judge"
    else:
        assert target.role == "member"
        assert response.status_code == expected(set())[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_jobs_only_to_those_allowed(personas: Any, as_user: Any, persona: str) -> None:
    from kientao.core.models import Job

    job = Job.objects.create(kind="core.count_up", task_path="kientao.core.tasks.count_up",
                             organisation=personas.org, created_by=personas.organiser)
    user = None if persona == ANON else getattr(personas, persona)
    response = as_user(user).get(reverse("core:job_detail", args=[job.pk]))
    if persona == ANON:
        assert response.status_code == 302
    elif persona in MEMBERS | {"platform_admin"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
