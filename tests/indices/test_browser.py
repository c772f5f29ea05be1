"""In real headless Chromium at 360 px: an organiser builds the index and reads the results."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_builds_an_index_and_shows_the_ranking(page: Any, personas: Any, index: Any) -> None:  # noqa: F811
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")

    page.goto(page.base_url + index["fw"].get_absolute_url())
    page.get_by_role("link", name="New build").click()
    assert page.get_by_label("Normalisation").input_value() == "minmax"
    page.get_by_label("Aggregation").select_option("amean")
    page.get_by_role("button", name="Start the build").click()
    page.wait_for_url("**/b/*/")
    page.reload()
    assert page.get_by_role("heading", name="Ranking").is_visible()
    assert page.get_by_role("link", name="Hà Nội").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "indices-ranking-360px.png"), full_page=True)

    page.get_by_role("link", name="Hà Nội").click()
    assert page.get_by_role("heading", name="Strengths").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "indices-unit-profile-360px.png"), full_page=True)

    for name, shot in (("Statistical audit", "indices-audit-360px.png"), ("Year-on-year", "indices-trends-360px.png")):
        page.go_back()
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    page.goto(page.base_url + index["fw"].get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "indices-framework-360px.png"), full_page=True)


def test_it_lets_an_agency_answer_through_its_link(page: Any, personas: Any, index: Any) -> None:  # noqa: F811
    from django.urls import reverse

    invite = index["invite"]
    page.goto(page.base_url + reverse("indices:survey_answer", args=[invite.token]))
    page.get_by_role("radio", name="4").check()
    page.get_by_label("PCI").fill("63.5")
    page.get_by_role("button", name="Save the answers").click()
    assert page.get_by_role("status").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "indices-survey-answer-360px.png"), full_page=True)
    invite.refresh_from_db()
    assert invite.submitted_at is not None
