"""Judges see only their assignments, blinded, in HTML, API, files; organisers see everything."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kientao.challenges.models import FormField, SubmissionFile

SECRETS = ("Secret Teammate", "applicant@example.org", "Applicant")


def test_it_hides_identifying_fields_from_judges(world: Any, personas: Any, as_user: Any) -> None:
    deck = SubmissionFile.objects.create(
        submission=world.submission,
        field=FormField.objects.get(key="deck"),
        file=SimpleUploadedFile("Applicant-Company.pdf", b"%PDF"),
        original_name="Applicant-Company.pdf",
    )
    client = as_user(personas.judge)
    html = client.get(reverse("challenges:assignment", args=[world.assignment.pk])).content.decode()
    assert "Bã mía thay túi nilon" in html and "S-0001" in html
    for secret in SECRETS:
        assert secret not in html
    api = client.get("/api/challenges/mine/assignments").content.decode()
    assert "S-0001" in api
    for secret in SECRETS:
        assert secret not in api
    listing = client.get(reverse("challenges:my_assignments")).content.decode()
    assert "applicant@example.org" not in listing and "Secret" not in listing
    download = client.get(reverse("challenges:file", args=[deck.pk]))
    assert download.status_code == 200
    assert "S-0001-deck.pdf" in download["Content-Disposition"]
    assert "Applicant" not in download["Content-Disposition"]
    organiser_html = (
        as_user(personas.organiser)
        .get(reverse("challenges:submission", args=[world.submission.pk]))
        .content.decode()
    )
    assert "Secret Teammate" in organiser_html


def test_it_hides_other_submissions_and_files_from_judges(
    world: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges.models import Submission

    other = Submission.objects.create(
        challenge=world.challenge,
        applicant=personas.participant,
        number=2,
        title="Other",
        status="eligible",
    )
    item = SubmissionFile.objects.create(
        submission=other,
        field=FormField.objects.get(key="deck"),
        file=SimpleUploadedFile("x.pdf", b"%PDF"),
        original_name="x.pdf",
    )
    client = as_user(personas.judge)
    assert client.get(reverse("challenges:submission", args=[other.pk])).status_code == 404
    assert client.get(reverse("challenges:file", args=[item.pk])).status_code == 404
    assert (
        as_user(personas.applicant).get(reverse("challenges:file", args=[item.pk])).status_code
        == 404
    )
    assert (
        as_user(personas.applicant)
        .get(reverse("challenges:submission", args=[other.pk]))
        .status_code
        == 404
    )
