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


def test_it_edits_the_framework_tree_on_a_phone(page: Any, personas: Any, index: Any) -> None:  # noqa: F811
    """An organiser changes a weight and a direction, adds, renames and deletes an indicator."""
    from kientao.indices.models import Element

    fw = index["fw"]
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + fw.get_absolute_url())

    inst = Element.objects.get(framework=fw, code="Inst")
    days = Element.objects.get(framework=fw, code="admin_days")
    page.locator(f"#el-{inst.pk} > details > summary").click()
    page.locator(f"#w-{inst.pk}").fill("2.5")
    page.locator(f"#el-{inst.pk} > details").get_by_role("button", name="Save").click()
    page.wait_for_url(f"**#el-{inst.pk}")
    inst.refresh_from_db()
    assert inst.weight == 2.5
    assert "2.50" in page.locator(f"#el-{inst.pk}").inner_text()

    page.locator(f"#el-{days.pk} > details > summary").click()
    page.locator(f"#d-{days.pk}").select_option("1")
    page.locator(f"#el-{days.pk} > details").get_by_role("button", name="Save").click()
    page.wait_for_url(f"**#el-{days.pk}")
    days.refresh_from_db()
    assert days.direction == 1

    # A bad weight is refused by the server too (the browser's own check bypassed).
    page.locator(f"#el-{days.pk} > details > summary").click()
    page.locator(f"#w-{days.pk}").evaluate("e => { e.removeAttribute('min'); e.value = '-3'; }")
    page.locator(f"#el-{days.pk} > details").get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").is_visible() or page.locator(".errorlist").first.is_visible()
    days.refresh_from_db()
    assert days.weight == 1.0

    page.goto(page.base_url + fw.get_absolute_url())
    page.locator(f"#el-{inst.pk} > details > summary").click()
    page.get_by_role("link", name="Add an element under Inst").click()
    page.locator("#id_code").fill("egov_index")
    page.locator("#id_name").fill("Chỉ số chính phủ số")
    page.locator("#id_name_en").fill("Digital government index")
    page.get_by_role("button", name="Add").click()
    added = Element.objects.get(framework=fw, code="egov_index")
    assert added.parent_id == inst.pk and added.level == 1
    page.wait_for_url(f"**#el-{added.pk}")
    assert page.locator(f"#el-{added.pk}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "indices-framework-editor-360px.png"), full_page=True)

    page.locator(f"#el-{added.pk} > details > summary").click()
    page.get_by_role("link", name="Rename egov_index").click()
    page.locator("#id_name").fill("Chỉ số chuyển đổi số")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**#el-{added.pk}")
    added.refresh_from_db()
    assert added.name == "Chỉ số chuyển đổi số"

    page.locator(f"#el-{added.pk} > details > summary").click()
    page.get_by_role("button", name="Delete egov_index").click()
    page.wait_for_url("**#tree-h")
    assert not Element.objects.filter(framework=fw, code="egov_index").exists()
