"""A small challenge in the personas' organisation, with one application assigned to the judge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest


def set_phase(challenge: Any, phase: str) -> None:
    """Shift the dates so that the challenge is in ``phase`` now."""
    from django.utils import timezone

    order = ["open", "screening", "judging", "final", "accelerator", "closed"]
    now = timezone.now()
    start = now - timedelta(days=10 * (order.index(phase) + 1)) + timedelta(days=5)
    challenge.opens_at = start
    (
        challenge.closes_at,
        challenge.judging_at,
        challenge.final_at,
        challenge.accelerator_at,
        challenge.closed_at,
    ) = [start + timedelta(days=10 * (i + 1)) for i in range(5)]
    challenge.save()


@dataclass
class World:
    challenge: Any
    submission: Any
    assignment: Any
    criteria: list[Any]


@pytest.fixture
def world(personas: Any) -> World:
    from django.utils import timezone

    from kientao.challenges.models import (
        Assignment,
        Challenge,
        Criterion,
        FieldKind,
        FormField,
        Judge,
        Submission,
    )

    now = timezone.now()
    challenge = Challenge.objects.create(
        organisation=personas.org,
        slug="nhua",
        title="Giảm rác nhựa",
        is_published=True,
        problem_statement="**Rác** <script>alert(1)</script>",
        opens_at=now,
        closes_at=now,
        judging_at=now,
        final_at=now,
        accelerator_at=now,
        closed_at=now,
    )
    set_phase(challenge, "open")
    FormField.objects.create(
        challenge=challenge,
        key="team",
        kind=FieldKind.TEAM,
        identifying=True,
        label_vi="Thành viên",
        label_en="Team members",
    )
    FormField.objects.create(
        challenge=challenge,
        key="pitch",
        kind=FieldKind.LONG_TEXT,
        word_limit=20,
        label_vi="Mô tả",
        label_en="Pitch",
        required=True,
    )
    FormField.objects.create(
        challenge=challenge,
        key="local",
        kind=FieldKind.CHOICE,
        choices="Yes\nNo",
        eligibility_answer="Yes",
        label_vi="Ở địa phương?",
        label_en="Local?",
    )
    FormField.objects.create(
        challenge=challenge,
        key="deck",
        kind=FieldKind.FILE,
        allowed_types="pdf",
        max_size_mb=1,
        label_vi="Hồ sơ",
        label_en="Deck",
    )
    criteria = [
        Criterion.objects.create(
            challenge=challenge, name_vi="Tác động", name_en="Impact", weight=2
        ),
        Criterion.objects.create(
            challenge=challenge, name_vi="Khả thi", name_en="Feasibility", weight=1
        ),
    ]
    submission = Submission.objects.create(
        challenge=challenge,
        applicant=personas.applicant,
        number=1,
        title="Túi bã mía",
        status=Submission.Status.ELIGIBLE,
        submitted_at=now,
        answers={
            "team": [{"name": "Secret Teammate", "role": "lead"}],
            "pitch": "Bã mía thay túi nilon",
            "local": "Yes",
        },
    )
    judge = Judge.objects.create(challenge=challenge, user=personas.judge, keywords="vật liệu")
    assignment = Assignment.objects.create(judge=judge, submission=submission, affinity=0.5)
    return World(challenge, submission, assignment, criteria)
