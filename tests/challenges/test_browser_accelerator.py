"""In real Chromium at 360 px: a team sends a progress report from its accelerator page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_lets_a_team_send_a_progress_report(page: Any, world: Any) -> None:  # noqa: F811
    from django.utils import timezone

    from kientao.challenges.models import Cohort, Kpi, KpiValue, Milestone

    world.submission.status = "winner"
    world.submission.save()
    today = timezone.localdate()
    cohort = Cohort.objects.create(challenge=world.challenge, name="Khóa 1", starts_on=today,
                                   ends_on=today + timedelta(days=90))
    cohort.teams.set([world.submission])
    Milestone.objects.create(cohort=cohort, title="Kế hoạch thử nghiệm", due_on=today + timedelta(days=7))
    Kpi.objects.create(cohort=cohort, name="Plastic collected", unit="kg", target=200)
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("applicant@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + "/challenges/")
    page.get_by_role("link", name="S-0001 Túi bã mía").click()
    page.get_by_label("Progress since the last report").fill("First week of collection.")
    page.get_by_label("Plastic collected (kg)").fill("80")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert page.get_by_text("Progress report saved.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "challenges-team-report-360px.png"), full_page=True)
    assert KpiValue.objects.get().value == 80
