"""Panels per round (screening vs final) and the assignment options: required pairs, probability cap."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kientao.core.models import AuditEntry, Job, User


def _setup(world: Any, personas: Any) -> tuple[list[Any], list[Any]]:
    from kientao.challenges.models import Judge, Submission

    subs = [world.submission] + [
        Submission.objects.create(challenge=world.challenge, applicant=personas.participant, number=i,
                                  title=f"Ý tưởng {i}", status="shortlisted" if i <= 3 else "eligible")
        for i in range(2, 7)
    ]
    finals = [Judge.objects.create(challenge=world.challenge, panel="final",
                                   user=User.objects.create_user(email=f"f{i}@uni{i}.edu.vn", password="x"))
              for i in range(3)]
    return subs, finals


def test_it_assigns_the_final_panel_among_shortlisted_submissions_only(
    world: Any, personas: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from kientao.challenges.models import Assignment

    subs, finals = _setup(world, personas)
    client = as_user(personas.organiser)
    added = client.post(reverse("challenges:judges", args=["nhua"]),
                        {"email": personas.outsider.email, "panel": "final", "keywords": ""})
    assert added.status_code == 302
    entry = AuditEntry.objects.filter(action="challenges.add_judge").latest("pk")
    assert "final" in str(entry.after)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("challenges:assign", args=["nhua"]), {
            "panel": "final", "per_submission": 2, "min_load": 0, "max_load": 10, "seed": 0,
            "forced_pairs": f"S-0002, {finals[0].user.email}\ns-0003,{finals[0].user.email}"})
    assert response.status_code == 302
    job = Job.objects.get(kind="challenges.assign")
    assert job.status == "succeeded", job.error
    final = Assignment.objects.filter(judge__panel="final")
    assert {a.submission.number for a in final} == {2, 3}
    assert final.count() == 4
    assert final.filter(judge=finals[0], submission__number__in=[2, 3]).count() == 2
    # the screening panel's assignment is untouched
    assert Assignment.objects.filter(judge__panel="screening").get() == world.assignment


def test_it_runs_a_randomised_assignment_with_a_probability_cap(
    world: Any, personas: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from kientao.challenges.models import Assignment

    _setup(world, personas)
    client = as_user(personas.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("challenges:assign", args=["nhua"]), {
            "panel": "final", "per_submission": 1, "min_load": 0, "max_load": 10, "seed": 3,
            "probability_cap": "0.5"})
    job = Job.objects.get(kind="challenges.assign")
    assert job.status == "succeeded", job.error
    assert Assignment.objects.filter(judge__panel="final").count() == 2


def test_it_shows_assignment_option_errors_beside_the_fields(
    world: Any, personas: Any, as_user: Any
) -> None:
    subs, finals = _setup(world, personas)
    client = as_user(personas.organiser)
    url = reverse("challenges:assign", args=["nhua"])
    base = {"per_submission": 1, "min_load": 0, "max_load": 10, "seed": 0}
    for extra, message in (
        ({"probability_cap": "1.5"}, "The probability cap must be above 0 and at most 1."),
        ({"probability_cap": "0"}, "The probability cap must be above 0 and at most 1."),
        ({"probability_cap": "abc"}, "Enter a number."),
        ({"forced_pairs": "S-9999, f0@uni0.edu.vn"}, "write a submission code of this challenge"),
        ({"forced_pairs": "garbage"}, "write a submission code of this challenge"),
        # a final-panel judge cannot be forced into the screening round
        ({"panel": "screening", "forced_pairs": f"S-0001, {finals[0].user.email}"}, "judge on the chosen panel"),
        ({"panel": "nonsense"}, "Select a valid choice"),
    ):
        response = client.post(url, {**base, **extra})
        assert response.status_code == 400, extra
        assert message in response.content.decode(), extra
    assert not Job.objects.exists()


def test_it_calibrates_one_panel_s_scores(world: Any, personas: Any, as_user: Any,
                                          django_capture_on_commit_callbacks: Any) -> None:
    from kientao.challenges.models import Assignment, RankingEntry, Score

    subs, finals = _setup(world, personas)
    for judge in finals:
        for sub in subs[1:3]:
            a = Assignment.objects.create(judge=judge, submission=sub)
            for c in world.criteria:
                Score.objects.create(assignment=a, criterion=c, value=3 + (sub.number + judge.pk) % 3)
    client = as_user(personas.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("challenges:ranking", args=["nhua"]), {"rank_by": "raw", "panel": "final"})
    job = Job.objects.get(kind="challenges.calibrate")
    assert job.status == "succeeded", job.error
    assert set(RankingEntry.objects.values_list("submission__number", flat=True)) == {2, 3}
    world.challenge.refresh_from_db()
    assert world.challenge.calibration["panel"] == "final"
