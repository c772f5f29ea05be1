"""In real headless Chromium at 360 px: an organiser edits a map on the canvas and saves it."""

from __future__ import annotations

from typing import Any

import pytest

from kientao.systemmaps import actions
from kientao.systemmaps.engine.formats import read_link_text
from kientao.systemmaps.models import SystemMap
from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_edits_a_map_on_the_canvas(page: Any, personas: Any) -> None:  # noqa: F811
    smap = actions.create_map(personas.organiser, personas.org, title="Nhựa ven biển",
                              content=read_link_text("Du lịch -> + Rác nhựa\nRác nhựa -> - Du lịch\n"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + f"/maps/{personas.org.slug}/{smap.pk}/canvas/?loop=1")
    page.wait_for_selector("#factor-list li")
    page.get_by_label("Label", exact=True).fill("Người nhặt ve chai")
    page.get_by_role("button", name="Add factor").click()
    page.get_by_label("From", exact=True).select_option(label="Người nhặt ve chai")
    page.get_by_label("To", exact=True).select_option(label="Rác nhựa")
    page.get_by_label("Sign", exact=True).select_option("-1")
    page.get_by_role("button", name="Connect").click()
    assert page.locator("#link-list li").count() == 3
    page.get_by_role("button", name="Undo").click()
    assert page.locator("#link-list li").count() == 2
    page.get_by_role("button", name="Connect").click()
    page.screenshot(path=str(ARTIFACTS / "systemmaps-canvas-360px.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the map").click()
    page.wait_for_selector("#factor-list li")
    smap = SystemMap.objects.get(pk=smap.pk)
    assert smap.factors.count() == 3 and smap.links.filter(sign=-1).count() == 2
    assert smap.versions.count() == 2
    assert errors == []


def test_it_shows_the_analysis_panel_on_a_phone(page: Any, personas: Any) -> None:  # noqa: F811
    from kientao.systemmaps.demo_data import plastic_waste_map

    smap = actions.create_map(personas.organiser, personas.org, title="Nhựa", content=plastic_waste_map())
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("member@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + f"/maps/{personas.org.slug}/{smap.pk}/analysis/")
    assert page.get_by_role("heading", name="Feedback loops").is_visible()
    page.locator("#scen_factor").select_option(label="Du lịch")
    page.get_by_role("button", name="Run the scenario").click()
    page.wait_for_selector("svg.chart")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "systemmaps-analysis-360px.png"), full_page=False)
