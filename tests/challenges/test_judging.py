"""Scoring, conflicts, optimal assignment and calibration jobs, decisions, exports, audit."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse

from kientao.challenges.models import (
    Assignment,
    ConflictOfInterest,
    RankingEntry,
    Score,
    Submission,
)
from kientao.core.models import ApiToken, AuditEntry, Job, User
from tests.challenges.conftest import set_phase


def _field_data(world: Any, values: list[int]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for c, v in zip(world.criteria, values, strict=True):
        data[f"value_{c.pk}"] = str(v)
        data[f"comment_{c.pk}"] = "ok"
    return data


def test_it_saves_scores_with_audit_and_rejects_bad_ones(
    world: Any, personas: Any, as_user: Any
) -> None:
    set_phase(world.challenge, "judging")
    client = as_user(personas.judge)
    url = reverse("challenges:assignment", args=[world.assignment.pk])
    assert client.post(url, _field_data(world, [4, 5])).status_code == 302
    assert sorted(Score.objects.values_list("value", flat=True)) == [4, 5]
    assert AuditEntry.objects.filter(action="challenges.save_score").count() == 2
    for bad in ([9, 1], [-1, 2]):
        assert client.post(url, _field_data(world, bad)).status_code == 400
    assert client.post(url, {f"value_{world.criteria[0].pk}": "abc"}).status_code == 400
    assert sorted(Score.objects.values_list("value", flat=True)) == [4, 5]


def test_it_scores_through_the_api_with_a_token(world: Any, personas: Any, client: Any) -> None:
    set_phase(world.challenge, "judging")
    _token, key = ApiToken.issue(personas.judge, "script")
    url = f"/api/challenges/assignments/{world.assignment.pk}/scores"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = [{"criterion": world.criteria[0].pk, "value": 3, "comment": "fine"}]
    response = client.put(url, body, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["scores"] == {
        str(world.criteria[0].pk): 3
    }
    bad = [{"criterion": world.criteria[0].pk, "value": 99}]
    assert client.put(url, bad, content_type="application/json", **auth).status_code == 422
    _t, other = ApiToken.issue(personas.organiser, "script")
    response = client.put(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert response.status_code == 404


def test_it_records_a_declared_conflict(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.judge)
    assert (
        client.post(
            reverse("challenges:conflict", args=[world.assignment.pk]), {"reason": ""}
        ).status_code
        == 302
    )
    assert Assignment.objects.exists()
    client.post(reverse("challenges:conflict", args=[world.assignment.pk]), {"reason": "My cousin"})
    assert not Assignment.objects.exists()
    assert ConflictOfInterest.objects.get().source == "declared"
    assert AuditEntry.objects.filter(action="challenges.declare_conflict").exists()


def _many(world: Any, personas: Any, n: int, judges: int) -> None:
    from kientao.challenges.models import Judge

    Submission.objects.bulk_create(
        [
            Submission(
                challenge=world.challenge,
                applicant=personas.participant,
                number=i + 2,
                title=f"Ý tưởng {i}",
                status="eligible",
                answers={"pitch": ["tái chế nhựa", "robot vớt rác", "giáo dục"][i % 3]},
            )
            for i in range(n)
        ]
    )
    for j in range(judges):
        user = User.objects.create_user(email=f"j{j}@uni{j}.edu.vn", password="x")
        Judge.objects.create(
            challenge=world.challenge, user=user, keywords=["nhựa", "robot", "giáo dục"][j % 3]
        )


def test_it_assigns_judges_optimally_in_a_job_and_respects_conflicts(
    world: Any, personas: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _many(world, personas, 11, 3)
    same = User.objects.create_user(email="boss@greentech.vn", password="x")
    conflicted = Submission.objects.create(
        challenge=world.challenge,
        applicant=User.objects.create_user(email="team@greentech.vn", password="x"),
        number=99,
        title="Conflicted",
        status="eligible",
    )
    from kientao.challenges.models import Judge

    Judge.objects.create(challenge=world.challenge, user=same)
    client = as_user(personas.organiser)
    url = reverse("challenges:assign", args=["nhua"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"per_submission": 2, "min_load": 0, "max_load": 10, "seed": 0})
    assert response.status_code == 302
    job = Job.objects.get(kind="challenges.assign")
    assert job.status == "succeeded", job.error
    assert Assignment.objects.filter(judge__challenge=world.challenge).count() == 13 * 2
    assert not Assignment.objects.filter(judge__user=same, submission=conflicted).exists()
    assert ConflictOfInterest.objects.filter(
        source="same_organisation", submission=conflicted
    ).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "job-" in page.content.decode()
    # infeasible: a clear message in the job, nothing changed
    before = Assignment.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"per_submission": 5, "min_load": 0, "max_load": 1, "seed": 0})
    failed = Job.objects.filter(kind="challenges.assign").latest("created_at")
    assert failed.status == "failed" and failed.error
    assert Assignment.objects.count() == before
    assert client.post(url, {"per_submission": 0, "max_load": "x"}).status_code == 400


def test_it_calibrates_ranks_decides_and_exports(
    world: Any, personas: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _many(world, personas, 8, 3)
    client = as_user(personas.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("challenges:assign", args=["nhua"]),
            {"per_submission": 2, "min_load": 0, "max_load": 10, "seed": 0},
        )
    for i, a in enumerate(Assignment.objects.all()):
        for c in world.criteria:
            Score.objects.create(assignment=a, criterion=c, value=1 + (i * 7 + c.pk) % 5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("challenges:ranking", args=["nhua"]), {"rank_by": "additive"}
        )
    assert Job.objects.get(kind="challenges.calibrate").status == "succeeded"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "ICC" in html
    # these scores are pseudo-random, so judges disagree: the page says so per criterion, by name
    notes = world.challenge.__class__.objects.get(pk=world.challenge.pk).calibration["notes"]
    low = [n for n in notes if n["code"] == "low_alpha"]
    assert low and {n["criterion"] for n in low} <= {c.name_vi for c in world.criteria} | {"(total)"}
    assert "Judges agree poorly on" in html
    client.cookies["kientao_language"] = "vi"
    vi = client.get(response["Location"]).content.decode()
    client.cookies.pop("kientao_language")
    assert "chấm không thống nhất" in vi and "Judges agree poorly" not in vi
    assert RankingEntry.objects.count() == Submission.objects.count()
    top = RankingEntry.objects.first()
    assert top is not None
    response = client.post(
        reverse("challenges:decide", args=[top.submission_id]),
        {"kind": "winner", "reason": "Best calibrated score"},
    )
    assert Submission.objects.get(pk=top.submission_id).status == "winner"
    assert AuditEntry.objects.filter(action="challenges.decide_winner").exists()
    client.post(
        reverse("challenges:decide", args=[top.submission_id]), {"kind": "nonsense", "reason": ""}
    )
    assert Submission.objects.get(pk=top.submission_id).status == "winner"
    for what in ("submissions", "scores", "decisions"):
        csv = client.get(reverse("challenges:export", args=["nhua", what, "csv"]))
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
        xlsx = client.get(reverse("challenges:export", args=["nhua", what, "xlsx"]))
        assert xlsx.status_code == 200
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(xlsx.content)).active.max_row > 1
    subs = client.get(
        reverse("challenges:export", args=["nhua", "submissions", "csv"])
    ).content.decode()
    assert "applicant@example.org" in subs
    assert (
        client.get(reverse("challenges:export", args=["nhua", "other", "csv"])).status_code == 404
    )
    assert client.get("/api/challenges/nhua/ranking?limit=0").status_code == 422
    assert len(client.get("/api/challenges/nhua/ranking").json()) == RankingEntry.objects.count()


def test_it_sends_reminders_to_judges(world: Any, personas: Any, as_user: Any) -> None:
    from django.core import mail

    as_user(personas.organiser).post(reverse("challenges:reminders", args=["nhua"]))
    assert [m.to for m in mail.outbox] == [[personas.judge.email]]
    assert AuditEntry.objects.filter(action="challenges.send_reminders").exists()


def test_it_builds_the_form_and_rubric_with_audit(world: Any, personas: Any, as_user: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(
        reverse("challenges:form_builder", args=["nhua"]),
        {
            "key": "budget",
            "position": 5,
            "kind": "number",
            "label_vi": "Ngân sách",
            "max_size_mb": 5,
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            reverse("challenges:form_builder", args=["nhua"]),
            {
                "key": "budget",
                "position": 5,
                "kind": "number",
                "label_vi": "Again",
                "max_size_mb": 5,
            },
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("challenges:form_builder", args=["nhua"]),
            {"key": "c", "position": 1, "kind": "choice", "label_vi": "C", "max_size_mb": 5},
        ).status_code
        == 400
    )
    response = client.post(
        reverse("challenges:rubric", args=["nhua"]),
        {
            "position": 3,
            "name_vi": "Bền vững",
            "weight": 1,
            "scale_min": 1,
            "scale_max": 5,
            "levels_text": "1: kém\n5: tốt",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            reverse("challenges:rubric", args=["nhua"]),
            {"position": 3, "name_vi": "X", "weight": -1, "scale_min": 5, "scale_max": 1},
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("challenges:rubric", args=["nhua"]),
            {
                "position": 3,
                "name_vi": "X",
                "weight": 1,
                "scale_min": 1,
                "scale_max": 5,
                "levels_text": "garbage",
            },
        ).status_code
        == 400
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"challenges.add_form_field", "challenges.add_criterion"} <= actions
    response = client.post(reverse("challenges:edit", args=["nhua"]), {"title": "", "slug": "nhua"})
    assert response.status_code == 400
