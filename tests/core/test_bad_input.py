"""Malformed input never answers 500 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kientao.core.models import AuditEntry, Membership


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/jobs/not-a-uuid/", None),
        ("get", "/o/lab-hoi-an/audit.pdf", None),
        ("get", "/o/lab-hoi-an/audit/?since=yesterday&page=zz", None),
        ("get", "/o/%ZZ/", None),
        ("post", "/o/lab-hoi-an/members/", {"email": "", "role": "emperor"}),
        ("post", "/o/lab-hoi-an/members/999999/role/", {"role": "judge"}),
        ("post", "/o/lab-hoi-an/members/1/role/", {"role": "emperor"}),
        ("post", "/language/", {"language": "xx", "next": "https://evil.example/"}),
        ("post", "/organisations/switch/", {"organisation": "nope", "next": "//evil.example"}),
        ("post", "/accounts/tokens/", {"name": "x" * 500}),
        ("get", "/accounts/confirm/%00/", None),
    ],
)
def test_it_never_answers_500(as_user: Any, personas: Any, method: str, path: str, data: Any) -> None:
    client = as_user(personas.org_admin)
    client.raise_request_exception = False
    before = (Membership.objects.count(), AuditEntry.objects.count())
    response = getattr(client, method)(path, data or {})
    assert response.status_code < 500, (path, response.status_code)
    assert (Membership.objects.count(), AuditEntry.objects.count()) == before
    if response.status_code in (301, 302):
        assert "evil.example" not in response["Location"]


def test_it_explains_an_unknown_member_address(as_user: Any, personas: Any) -> None:
    response = as_user(personas.org_admin).post(
        reverse("core:members", args=[personas.org.slug]),
        {"email": "nobody@example.org", "role": "judge"}, HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "No account uses this e-mail address" in response.content.decode()


def test_it_hashes_the_client_address_behind_a_trusted_proxy(rf: Any, settings: Any) -> None:
    from kientao.core.addresses import address_hash, client_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.KIENTAO_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"
    settings.KIENTAO_TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.7"  # the spoofable left entry is ignored
    digest = address_hash(request)
    assert len(digest) == 64 and "203.0.113.7" not in digest
