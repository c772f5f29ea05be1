"""In real Chromium at 360 px: a judge signs in and scores a blinded submission."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)
from tests.challenges.conftest import set_phase
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_lets_a_judge_score_a_blinded_submission(page: Any, world: Any) -> None:  # noqa: F811
    from kientao.challenges.models import Score

    set_phase(world.challenge, "judging")
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("judge@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + "/challenges/judging/")
    page.get_by_role("link", name="S-0001 Túi bã mía").click()
    assert "Secret Teammate" not in page.content()
    page.get_by_label("Impact", exact=True).select_option("4")
    page.get_by_label("Feasibility", exact=True).select_option("3")
    page.get_by_role("button", name="Save scores").click()
    page.wait_for_load_state()
    assert page.get_by_text("Scores saved.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "challenges-judge-scoring-360px.png"), full_page=True)
    assert sorted(Score.objects.values_list("value", flat=True)) == [3, 4]
