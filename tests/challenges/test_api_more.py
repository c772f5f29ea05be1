"""The JSON API of people's choice votes and accelerator teams, for every persona with token auth."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kientao.core.models import ApiToken, AuditEntry, User
from tests.challenges.test_accelerator import cohort  # noqa: F401  (fixture)
from tests.challenges.test_access import ANON, ORGANISERS, PERSONAS
from tests.challenges.test_peoples_choice import voting  # noqa: F401  (fixture)

TEAM = ORGANISERS | {"applicant", "member"}  # the member persona mentors the team in the cohort fixture


class Api:
    """A test client that authenticates every request with a personal token (or none)."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, key = ApiToken.issue(user, "t")
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    def get(self, path: str) -> Any:
        return self.client.get(path, **self.headers)

    def post(self, path: str, data: Any, **extra: Any) -> Any:
        body = data if isinstance(data, str) else json.dumps(data)
        return self.client.post(path, body, content_type="application/json", **self.headers, **extra)


def _api(personas: Any, persona: str) -> Api:
    return Api(None if persona == ANON else getattr(personas, persona))


# People's choice ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_every_verified_account_vote_once_through_the_api(
    voting: Any, personas: Any, persona: str  # noqa: F811
) -> None:
    from kientao.challenges.models import PublicVote

    api = _api(personas, persona)
    response = api.post("/api/challenges/nhua/votes", {"submission": voting.submission.pk})
    if persona == ANON:
        assert response.status_code == 401 and not PublicVote.objects.exists()
        return
    assert response.status_code == 201, response.content
    assert response.json()["submission"] == "S-0001"
    assert PublicVote.objects.get().user == getattr(personas, persona)
    entry = AuditEntry.objects.get(action="challenges.cast_public_vote")
    assert entry.organisation == personas.org
    again = api.post("/api/challenges/nhua/votes", {"submission": voting.submission.pk})
    assert again.status_code == 409 and PublicVote.objects.count() == 1


def test_it_refuses_votes_that_the_page_refuses(voting: Any, personas: Any) -> None:  # noqa: F811
    from kientao.challenges.models import PublicVote, Submission

    unverified = User.objects.create_user(email="new@example.net", password="x", email_confirmed=False)
    assert Api(unverified).post("/api/challenges/nhua/votes",
                                {"submission": voting.submission.pk}).status_code == 403
    api = Api(personas.outsider)
    draft = Submission.objects.create(challenge=voting.challenge, applicant=personas.participant, number=7,
                                      title="Draft", status="draft")
    assert api.post("/api/challenges/nhua/votes", {"submission": draft.pk}).status_code == 404
    assert api.post("/api/challenges/nhua/votes", {"submission": 999999}).status_code == 404
    assert api.post("/api/challenges/nope/votes", {"submission": voting.submission.pk}).status_code == 404
    for bad in ({"submission": "abc"}, {}, "not json", [1, 2], {"submission": None}):
        assert api.post("/api/challenges/nhua/votes", bad).status_code in (400, 422), bad
    voting.challenge.voting_closes_at = timezone.now() - timedelta(minutes=1)
    voting.challenge.save()
    assert api.post("/api/challenges/nhua/votes", {"submission": voting.submission.pk}).status_code == 400
    voting.challenge.peoples_choice = False
    voting.challenge.save()
    assert api.post("/api/challenges/nhua/votes", {"submission": voting.submission.pk}).status_code == 404
    assert not PublicVote.objects.exists()


def test_it_rate_limits_votes_through_the_api_with_the_page_s_counters(
    voting: Any, personas: Any  # noqa: F811
) -> None:
    from kientao.challenges import peoples_choice

    api = Api(personas.outsider)
    codes = [api.post("/api/challenges/nhua/votes", {"submission": 999999}).status_code
             for _ in range(peoples_choice.ACCOUNT_LIMIT[0] + 1)]
    assert codes[:-1] == [404] * peoples_choice.ACCOUNT_LIMIT[0] and codes[-1] == 429


# Accelerator teams -------------------------------------------------------------------------------

def _team_url(cohort: Any, world: Any) -> str:  # noqa: F811
    return f"/api/challenges/cohorts/{cohort.pk}/teams/{world.submission.pk}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_team_to_its_applicant_mentors_and_organisers(
    cohort: Any, world: Any, personas: Any, persona: str  # noqa: F811
) -> None:
    response = _api(personas, persona).get(_team_url(cohort, world))
    assert response.status_code == {ANON: 401}.get(persona, 200 if persona in TEAM else 404)
    if response.status_code == 200:
        team = response.json()
        assert team["code"] == "S-0001" and team["title"] == "Túi bã mía"
        assert [m["status"] for m in team["milestones"]] == ["late", "not_started"]
        assert [k["name"] for k in team["kpis"]] == ["Rác thu gom"]
        assert team["mentors"] == [{"name": personas.member.display_name}]
        assert "@" not in json.dumps(team["mentors"])
        assert team["role"] == {"applicant": "applicant", "member": "mentor"}.get(persona, "organiser")


def test_it_answers_404_for_a_team_outside_the_cohort(cohort: Any, world: Any, personas: Any) -> None:  # noqa: F811
    api = Api(personas.organiser)
    assert api.get(f"/api/challenges/cohorts/{cohort.pk}/teams/999999").status_code == 404
    assert api.get(f"/api/challenges/cohorts/999999/teams/{world.submission.pk}").status_code == 404
    assert api.get("/api/challenges/cohorts/abc/teams/1").status_code in (404, 422)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_applicant_send_a_progress_report(
    cohort: Any, world: Any, personas: Any, persona: str  # noqa: F811
) -> None:
    from kientao.challenges.models import ProgressReport

    kpi = cohort.kpis.get()
    response = _api(personas, persona).post(_team_url(cohort, world) + "/reports",
                                            {"text": "Đã thu gom 50 kg", "values": [{"kpi": kpi.pk, "value": 50}]})
    want = {ANON: 401, "applicant": 201}.get(persona, 403 if persona in TEAM else 404)
    assert response.status_code == want, response.content
    if want == 201:
        assert response.json()["values"] == [{"kpi": kpi.pk, "name": "Rác thu gom", "unit": "kg", "value": 50.0}]
        report = ProgressReport.objects.get()
        assert report.author == personas.applicant and report.values.get().value == 50
        assert AuditEntry.objects.filter(action="challenges.save_progress_report",
                                         organisation=personas.org).count() == 1
        team = Api(personas.organiser).get(_team_url(cohort, world)).json()
        assert team["reports"][0]["text"] == "Đã thu gom 50 kg"
    else:
        assert not ProgressReport.objects.exists()


def test_it_rejects_bad_progress_reports_without_writing(cohort: Any, world: Any, personas: Any) -> None:  # noqa: F811
    from kientao.challenges.models import ProgressReport

    kpi = cohort.kpis.get()
    api = Api(personas.applicant)
    url = _team_url(cohort, world) + "/reports"
    for bad in (
        {"text": "x", "values": [{"kpi": 999999, "value": 1}]},
        {"text": "x", "values": [{"kpi": kpi.pk, "value": "lots"}]},
        {"text": "x", "values": [{"kpi": kpi.pk, "value": None}]},
        {"text": "x", "values": [{"kpi": kpi.pk, "value": 1}, {"kpi": kpi.pk, "value": 2}]},
        {"text": "", "values": []},
        {"text": "x" * 10001},
        {"values": []},
        {"text": "x", "values": "nope"},
        '{"text": "x", "values": [{"kpi": ' + str(kpi.pk) + ', "value": NaN}]}',
        '{"text": "x", "values": [{"kpi": ' + str(kpi.pk) + ', "value": Infinity}]}',
        "not json",
        [],
    ):
        response = api.post(url, bad)
        assert response.status_code in (400, 422), (bad, response.status_code)
    assert not ProgressReport.objects.exists()
    assert not AuditEntry.objects.filter(action="challenges.save_progress_report").exists()
    assert api.post(url, {"text": "Chỉ có chữ"}).status_code == 201


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_the_team_set_a_milestone_status(
    cohort: Any, world: Any, personas: Any, persona: str  # noqa: F811
) -> None:
    from kientao.challenges.models import MilestoneStatus

    late = cohort.milestones.get(title="Kế hoạch")
    response = _api(personas, persona).post(f"/api/challenges/cohorts/{cohort.pk}/milestones/{late.pk}/status",
                                            {"team": world.submission.pk, "state": "done"})
    want = {ANON: 401}.get(persona, 200 if persona in TEAM else 404)
    assert response.status_code == want, response.content
    status = MilestoneStatus.objects.get(milestone=late, submission=world.submission)
    if want == 200:
        assert response.json()["state"] == "done" and response.json()["status"] == "done"
        assert status.state == "done"
        entry = AuditEntry.objects.get(action="challenges.set_milestone_state")
        assert entry.actor == getattr(personas, persona) and entry.after["state"] == "done"
    else:
        assert status.state == "not_started"
        assert not AuditEntry.objects.filter(action="challenges.set_milestone_state").exists()


def test_it_rejects_bad_milestone_updates(cohort: Any, world: Any, personas: Any) -> None:  # noqa: F811
    from kientao.challenges.models import Cohort, Milestone

    late = cohort.milestones.get(title="Kế hoạch")
    other = Cohort.objects.create(challenge=world.challenge, name="Khóa 2", starts_on=cohort.starts_on,
                                  ends_on=cohort.ends_on)
    foreign = Milestone.objects.create(cohort=other, title="Khác", due_on=cohort.ends_on)
    api = Api(personas.organiser)
    url = f"/api/challenges/cohorts/{cohort.pk}/milestones/{late.pk}/status"
    for bad in ({"team": world.submission.pk, "state": "finished"}, {"team": "abc", "state": "done"},
                {"state": "done"}, {"team": world.submission.pk}, "not json"):
        assert api.post(url, bad).status_code in (400, 422), bad
    assert api.post(url, {"team": 999999, "state": "done"}).status_code == 404
    assert api.post(f"/api/challenges/cohorts/{cohort.pk}/milestones/{foreign.pk}/status",
                    {"team": world.submission.pk, "state": "done"}).status_code == 404
    assert not AuditEntry.objects.filter(action="challenges.set_milestone_state").exists()


def test_it_documents_the_new_endpoints_in_openapi(db: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/challenges/{slug}/votes", "post"),
        ("/api/challenges/cohorts/{pk}/teams/{submission_pk}", "get"),
        ("/api/challenges/cohorts/{pk}/teams/{submission_pk}/reports", "post"),
        ("/api/challenges/cohorts/{pk}/milestones/{milestone_pk}/status", "post"),
    ):
        assert paths[path][method]["summary"], path
