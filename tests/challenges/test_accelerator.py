"""Accelerator: cohorts of winners, milestones (late ones), mentors, KPIs, progress reports, exports."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kientao.core.models import AuditEntry
from tests.challenges.test_access import ANON, ORGANISERS, PERSONAS, expected


@pytest.fixture
def cohort(world: Any, personas: Any) -> Any:
    from kientao.challenges.models import Cohort, Kpi, Mentor, Milestone, MilestoneStatus

    world.submission.status = "winner"
    world.submission.save()
    today = timezone.localdate()
    item = Cohort.objects.create(challenge=world.challenge, name="Khóa 1", starts_on=today,
                                 ends_on=today + timedelta(days=90))
    item.teams.set([world.submission])
    late = Milestone.objects.create(cohort=item, title="Kế hoạch", due_on=today - timedelta(days=1))
    MilestoneStatus.objects.create(milestone=late, submission=world.submission)
    Milestone.objects.create(cohort=item, title="Thử nghiệm", due_on=today + timedelta(days=30))
    Kpi.objects.create(cohort=item, name="Rác thu gom", unit="kg", target=200)
    Mentor.objects.create(cohort=item, submission=world.submission, user=personas.member)
    return item


def _client(personas: Any, as_user: Any, persona: str) -> Any:
    return as_user(None if persona == ANON else getattr(personas, persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_organiser_pages_of_the_accelerator(
    cohort: Any, personas: Any, as_user: Any, persona: str
) -> None:
    client = _client(personas, as_user, persona)
    want = expected(ORGANISERS)[persona]
    for url in (
        reverse("challenges:cohorts", args=["nhua"]),
        reverse("challenges:cohort", args=[cohort.pk]),
        reverse("challenges:cohort_export", args=[cohort.pk, "csv"]),
    ):
        assert client.get(url).status_code == want, (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_cohort_progress_api(cohort: Any, personas: Any, as_user: Any, persona: str) -> None:
    response = _client(personas, as_user, persona).get(f"/api/challenges/cohorts/{cohort.pk}/progress")
    want = {ANON: 401, **dict.fromkeys(ORGANISERS, 200), "judge": 403, "member": 403}.get(persona, 404)
    assert response.status_code == want
    if want == 200:
        [team] = response.json()
        assert team["code"] == "S-0001" and team["late"] == 1 and team["kpis"][0]["target"] == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_team_page_to_its_applicant_mentor_and_organisers(
    cohort: Any, world: Any, personas: Any, as_user: Any, persona: str
) -> None:
    response = _client(personas, as_user, persona).get(
        reverse("challenges:team", args=[cohort.pk, world.submission.pk]))
    allowed = ORGANISERS | {"applicant", "member"}
    assert response.status_code == {ANON: 302}.get(persona, 200 if persona in allowed else 404)


def test_it_forms_a_cohort_and_adds_milestones_kpis_and_mentors_with_audit(
    world: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges.models import Cohort, MilestoneStatus

    world.submission.status = "winner"
    world.submission.save()
    client = as_user(personas.organiser)
    url = reverse("challenges:cohorts", args=["nhua"])
    assert client.post(url, {"name": "K", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
                             "teams": [world.submission.pk]}).status_code == 400
    assert client.post(url, {"name": "K", "starts_on": "2026-05-01", "ends_on": "2026-09-01",
                             "teams": [999999]}).status_code == 400
    response = client.post(url, {"name": "K", "starts_on": "2026-05-01", "ends_on": "2026-09-01",
                                 "teams": [world.submission.pk]})
    assert response.status_code == 302
    cohort = Cohort.objects.get()
    page = reverse("challenges:cohort", args=[cohort.pk])
    assert client.post(page, {"form": "milestone", "milestone-title": "Pilot",
                              "milestone-due_on": "2026-06-01"}).status_code == 302
    assert MilestoneStatus.objects.filter(submission=world.submission).count() == 1
    assert client.post(page, {"form": "kpi", "kpi-name": "Users", "kpi-unit": "",
                              "kpi-target": "0"}).status_code == 400
    assert client.post(page, {"form": "kpi", "kpi-name": "Users", "kpi-unit": "",
                              "kpi-target": "nan"}).status_code == 400
    assert client.post(page, {"form": "kpi", "kpi-name": "Users", "kpi-unit": "",
                              "kpi-target": "50"}).status_code == 302
    bad_mentor = client.post(page, {"form": "mentor", "mentor-email": "nobody@example.org",
                                    "mentor-team": world.submission.pk})
    assert bad_mentor.status_code == 400 and "No account uses" in bad_mentor.content.decode()
    assert client.post(page, {"form": "mentor", "mentor-email": personas.member.email,
                              "mentor-team": world.submission.pk}).status_code == 302
    assert client.post(page, {"form": "other"}).status_code == 400
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"challenges.create_cohort", "challenges.add_milestone", "challenges.add_kpi",
            "challenges.add_mentor"} <= actions


def test_it_takes_progress_reports_and_shows_late_milestones_and_kpi_progress(
    cohort: Any, world: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges.models import KpiValue, MilestoneStatus

    kpi = cohort.kpis.get()
    team_url = reverse("challenges:team", args=[cohort.pk, world.submission.pk])
    applicant = as_user(personas.applicant)
    assert applicant.post(team_url, {"form": "report", "report-text": ""}).status_code == 400
    assert applicant.post(team_url, {"form": "report", "report-text": "ok",
                                     f"report-kpi_{kpi.pk}": "abc"}).status_code == 400
    assert applicant.post(team_url, {"form": "report", "report-text": "Tuần đầu",
                                     f"report-kpi_{kpi.pk}": "50"}).status_code == 302
    assert KpiValue.objects.get().value == 50
    mentor = as_user(personas.member)
    assert mentor.post(team_url, {"form": "report", "report-text": "x"}).status_code == 403
    late = cohort.milestones.order_by("due_on").first()
    assert mentor.post(team_url, {"form": "milestone", "milestone": late.pk,
                                  "state": "bogus"}).status_code == 400
    assert mentor.post(team_url, {"form": "milestone", "milestone": 999999,
                                  "state": "done"}).status_code == 400
    dashboard = as_user(personas.organiser).get(reverse("challenges:cohort", args=[cohort.pk]))
    html = dashboard.content.decode()
    assert "25 %" in html and "<svg" in html and 'badge bad">1<' in html
    assert mentor.post(team_url, {"form": "milestone", "milestone": late.pk,
                                  "state": "done"}).status_code == 302
    assert MilestoneStatus.objects.get(milestone=late).state == "done"
    assert AuditEntry.objects.filter(action="challenges.set_milestone_state").exists()
    assert AuditEntry.objects.filter(action="challenges.save_progress_report").exists()
    assert "Tuần đầu" in applicant.get(team_url).content.decode()


def test_it_exports_cohort_progress_as_csv_and_xlsx(cohort: Any, personas: Any, as_user: Any) -> None:
    import openpyxl

    client = as_user(personas.organiser)
    csv = client.get(reverse("challenges:cohort_export", args=[cohort.pk, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert "team,title,milestones,done,late" in text and "S-0001" in text
    xlsx = client.get(reverse("challenges:cohort_export", args=[cohort.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == "S-0001" and sheet.cell(2, 5).value == 1
    assert client.get(reverse("challenges:cohort_export", args=[cohort.pk, "pdf"])).status_code == 404


def test_it_shows_the_cohort_dashboard_in_vietnamese(cohort: Any, personas: Any, as_user: Any) -> None:
    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    html = as_user(personas.organiser).get(reverse("challenges:cohort", args=[cohort.pk])).content.decode()
    assert "Tiến độ của các nhóm" in html and "Progress of the teams" not in html
    public = as_user(None).get(reverse("challenges:detail", args=["nhua"]), HTTP_ACCEPT_LANGUAGE="vi")
    assert "Lịch trình" in public.content.decode()
