"""Applicants: drafts, submission with a confirmation e-mail, editing, withdrawing, bad input."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kientao.challenges.models import Submission
from kientao.core.models import AuditEntry


def test_it_saves_a_draft_then_submits_and_mails(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.participant)
    url = reverse("challenges:apply", args=["nhua"])
    response = client.post(url, {"title": "Lưới chắn rác", "save": "1"})
    draft = Submission.objects.get(applicant=personas.participant)
    assert response.status_code == 302 and draft.status == Submission.Status.DRAFT
    assert mail.outbox == []
    deck = SimpleUploadedFile("my team deck.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        url,
        {
            "title": "Lưới chắn rác",
            "f_pitch": "Lưới ở cửa sông",
            "f_local": "Yes",
            "f_deck": deck,
            "submit": "1",
        },
    )
    draft.refresh_from_db()
    assert (
        draft.status == Submission.Status.SUBMITTED and draft.answers["pitch"] == "Lưới ở cửa sông"
    )
    assert len(mail.outbox) == 1 and "S-0002" in mail.outbox[0].body
    stored = draft.files.get()
    assert "my team deck" not in stored.file.name
    assert (
        AuditEntry.objects.filter(
            action="challenges.save_submission", object_id=str(draft.pk)
        ).count()
        == 2
    )
    download = client.get(reverse("challenges:file", args=[stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/octet-stream"
    status = client.get(reverse("challenges:submission", args=[draft.pk]))
    assert "Lưới ở cửa sông" in status.content.decode()
    response = client.post(reverse("challenges:withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Submission.Status.WITHDRAWN


def test_it_rejects_bad_input_without_500(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.participant)
    url = reverse("challenges:apply", args=["nhua"])
    cases: list[dict[str, Any]] = [
        {"title": "", "submit": "1"},
        {"title": "x", "f_pitch": "", "submit": "1"},
        {"title": "x", "f_pitch": "word " * 30, "save": "1"},
        {
            "title": "x",
            "f_deck": SimpleUploadedFile("evil.html", b"<script>", content_type="text/html"),
            "save": "1",
        },
        {
            "title": "x",
            "f_deck": SimpleUploadedFile("big.pdf", b"0" * (1024 * 1024 + 1)),
            "save": "1",
        },
        {"title": "x", "f_local": "Maybe", "save": "1"},
        {"title": "x" * 300, "save": "1"},
    ]
    for data in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert not Submission.objects.filter(applicant=personas.participant).exists()


def test_it_refuses_applications_after_the_deadline(
    world: Any, personas: Any, as_user: Any
) -> None:
    from tests.challenges.conftest import set_phase

    set_phase(world.challenge, "judging")
    client = as_user(personas.participant)
    response = client.post(
        reverse("challenges:apply", args=["nhua"]), {"title": "Late", "submit": "1"}
    )
    assert response.status_code == 302
    assert not Submission.objects.filter(applicant=personas.participant).exists()


def test_it_renders_the_problem_statement_sanitised(world: Any, as_user: Any) -> None:
    html = as_user(None).get(reverse("challenges:detail", args=["nhua"])).content.decode()
    assert "<strong>Rác</strong>" in html and "<script>alert" not in html


def test_it_screens_automatically_and_by_staff_with_reasons(
    world: Any, personas: Any, as_user: Any
) -> None:
    late = Submission.objects.create(
        challenge=world.challenge,
        applicant=personas.participant,
        number=2,
        title="B",
        status=Submission.Status.SUBMITTED,
        answers={"local": "No"},
    )
    client = as_user(personas.organiser)
    client.post(reverse("challenges:screening", args=["nhua"]))
    late.refresh_from_db()
    assert late.status == Submission.Status.INELIGIBLE and "Local?" in late.screening_reason
    response = client.post(
        reverse("challenges:screen", args=[late.pk]),
        {"outcome": "eligible", "reason": "Checked by phone: lives locally."},
    )
    late.refresh_from_db()
    assert response.status_code == 302 and late.status == Submission.Status.ELIGIBLE
    assert AuditEntry.objects.filter(action="challenges.decide_screening").count() == 2
    page = as_user(personas.participant).get(reverse("challenges:submission", args=[late.pk]))
    assert "Checked by phone" in page.content.decode()
    client = as_user(personas.organiser)
    assert (
        client.post(reverse("challenges:screen", args=[late.pk]), {"outcome": "bogus"}).status_code
        == 302
    )
    late.refresh_from_db()
    assert late.status == Submission.Status.ELIGIBLE
