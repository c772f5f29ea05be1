"""Sign-up with e-mail confirmation, e-mail login, password reset, profile language."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.urls import reverse

from kientao.core.models import AuditEntry, User


def test_it_signs_up_and_confirms_the_address(client: Any, db: Any) -> None:
    response = client.post(reverse("core:signup"), {
        "email": "Mai.Nguyen@Example.org", "full_name": "Nguyễn Mai", "preferred_language": "vi",
        "password1": "sóng-biển-2026", "password2": "sóng-biển-2026",
    })
    assert response.status_code == 302
    user = User.objects.get(email="mai.nguyen@example.org")
    assert not user.email_confirmed
    assert len(mail.outbox) == 1
    # the message goes out in the person's own language
    assert "Xác nhận" in mail.outbox[0].subject or "xác nhận" in mail.outbox[0].body
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", mail.outbox[0].body)
    assert link is not None
    client.get(link.group(0).split("testserver", 1)[1])
    user.refresh_from_db()
    assert user.email_confirmed
    assert AuditEntry.objects.filter(action="core.confirm_email", actor=user).exists()


def test_it_rejects_a_tampered_confirmation_link(client: Any, db: Any) -> None:
    response = client.get(reverse("core:confirm_email", args=["not-a-token"]))
    assert response.status_code == 400


def test_it_shows_errors_beside_the_fields_in_english(client: Any, db: Any) -> None:
    response = client.post(reverse("core:signup"), {"email": "not-an-address", "password1": "a",
                                                    "password2": "b"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "Enter a valid email address." in html
    assert "The two passwords differ." in html


def test_it_shows_errors_beside_the_fields_in_vietnamese(client: Any, db: Any) -> None:
    response = client.post(reverse("core:signup"), {"email": "not-an-address", "password1": "a",
                                                    "password2": "b"}, HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "Hai mật khẩu khác nhau." in html
    assert 'aria-invalid="true"' in html


def test_it_refuses_a_second_account_for_the_same_address(client: Any, personas: Any) -> None:
    response = client.post(reverse("core:signup"), {
        "email": "JUDGE@example.org", "full_name": "X", "preferred_language": "en",
        "password1": "sóng-biển-2026", "password2": "sóng-biển-2026",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "exists already" in response.content.decode()


def test_it_signs_in_with_the_email_address(client: Any, personas: Any) -> None:
    from tests.conftest import PASSWORD

    response = client.post(reverse("core:login"), {"username": "Judge@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_it_resets_a_password_by_email(client: Any, personas: Any) -> None:
    client.post(reverse("core:password_reset"), {"email": "member@example.org"})
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "mật-khẩu-mới-2026", "new_password2": "mật-khẩu-mới-2026"})
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.check_password("mật-khẩu-mới-2026")


def test_it_keeps_the_preferred_language(as_user: Any, personas: Any) -> None:
    client = as_user(personas.member)
    client.post(reverse("core:profile"), {"full_name": "Thu Hà", "preferred_language": "vi"})
    personas.member.refresh_from_db()
    assert personas.member.preferred_language == "vi"
    client.cookies.clear()
    client.force_login(personas.member)
    html = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tổ chức của tôi" in html  # the profile wins over the browser


def test_it_switches_language_and_remembers_it(as_user: Any, personas: Any) -> None:
    client = as_user(personas.judge)
    client.post(reverse("core:set_language"), {"language": "vi", "next": "/dashboard/"})
    personas.judge.refresh_from_db()
    assert personas.judge.preferred_language == "vi"
    assert "Tổ chức của tôi" in client.get(reverse("core:dashboard")).content.decode()


def test_it_issues_and_revokes_api_tokens(as_user: Any, personas: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("core:create_token"), {"name": "notebook"})
    key = re.search(r"kt_[A-Za-z0-9_-]+", response.content.decode()).group(0)
    api = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.json()["email"] == "organiser@example.org"
    token = personas.organiser.api_tokens.get()
    client.post(reverse("core:revoke_token", args=[token.pk]))
    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
