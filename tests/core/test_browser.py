"""In real headless Chromium: sign in, switch to Vietnamese, see Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_signs_in_and_switches_to_vietnamese(page: Any, personas: Any) -> None:  # noqa: F811
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="My organisations").is_visible()

    page.get_by_label("Language").select_option("vi")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Tổ chức của tôi").is_visible()
    assert page.get_by_text("Đăng xuất").is_visible()
    # nothing overflows a 360 px phone screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "core-dashboard-vi-360px.png"), full_page=True)


def test_it_works_without_javascript_errors_on_the_home_page(page: Any, personas: Any) -> None:  # noqa: F811
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page.base_url + "/")
    assert page.get_by_role("heading", level=1).is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to content" in focused
    page.screenshot(path=str(ARTIFACTS / "core-home-en-360px.png"), full_page=True)
    assert errors == []
