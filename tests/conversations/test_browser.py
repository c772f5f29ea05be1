"""In real headless Chromium at 360 px: an anonymous citizen votes, by tap and by keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ARTIFACTS, page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRANSFER = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0);
}"""


def test_it_lets_a_citizen_vote_on_a_phone(page: Any, voted: Any) -> None:  # noqa: F811
    from kientao.conversations.models import Statement, Vote

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    before = Vote.objects.count()
    page.goto(f"{page.base_url}/conversations/{voted.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == voted.topic
    assert page.evaluate(TRANSFER) < 50_000  # the voting page's budget, all files included
    assert page.get_by_text("0 of 5 statements").is_visible()
    # Large touch targets at 360 px: at least 44×44 CSS px (WCAG 2.5.5, Apple HIG)
    for name in ("Agree", "Disagree", "Pass / unsure"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, (name, box)

    page.get_by_role("button", name="Agree", exact=True).click()
    page.get_by_text("1 of 5 statements").wait_for()
    page.get_by_role("button", name="Disagree").click()
    page.get_by_text("2 of 5 statements").wait_for()
    page.keyboard.press("p")  # keyboard shortcut: pass
    page.get_by_text("3 of 5 statements").wait_for()
    assert Vote.objects.count() == before + 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_text("Add your statement").click()
    page.get_by_label("Your statement").fill("Cần thêm cây xanh ở phố đi bộ")
    page.get_by_role("button", name="Send statement").click()
    page.get_by_text("Your statement will appear once a moderator has accepted it").wait_for()
    assert Statement.objects.filter(text="Cần thêm cây xanh ở phố đi bộ", status="pending").exists()
    page.screenshot(path=str(ARTIFACTS / "conversations-vote-en-360px.png"), full_page=True)
    assert errors == []


def test_it_votes_without_javascript(page: Any, conversation: Any) -> None:  # noqa: F811
    from kientao.conversations.models import Vote

    page.context.route("**/vote.js", lambda route: route.abort())
    page.goto(f"{page.base_url}/conversations/{conversation.public_id}/")
    page.get_by_role("button", name="Agree", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("1 of 5 statements").is_visible()
    assert Vote.objects.count() == 1


def test_it_shows_a_published_report_on_a_phone(page: Any, voted: Any) -> None:  # noqa: F811
    voted.report_published = True
    voted.save()
    page.goto(f"{page.base_url}/conversations/{voted.public_id}/report/")
    assert page.get_by_role("heading", name="Opinion map").is_visible()
    assert page.locator("figure.chart svg").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "conversations-report-en-360px.png"), full_page=True)


def test_it_votes_inside_another_sites_iframe(page: Any, conversation: Any) -> None:  # noqa: F811
    """The widget in a third-party frame: no cookie reaches it, the votes still count."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from kientao.conversations.models import Participant, Vote

    embed = f"{page.base_url}/conversations/{conversation.public_id}/embed/"
    body = (f'<!doctype html><html lang="en"><title>Partner</title><h1>Partner site</h1>'
            f'<iframe src="{embed}" width="340" height="560" title="Vote"></iframe></html>').encode()

    class Partner(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    # Another site: 127.0.0.1 is not the same site as the live server's localhost.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        frame = page.frame_locator("iframe")
        frame.get_by_text("0 of 5 statements").wait_for()
        frame.get_by_role("button", name="Agree", exact=True).click()
        frame.get_by_text("1 of 5 statements").wait_for()
        frame.get_by_role("button", name="Disagree").click()
        frame.get_by_text("2 of 5 statements").wait_for()
        assert Vote.objects.count() == 2 and Participant.objects.count() == 1
        # A reload of the partner's page carries on as the same participant (partitioned cookie).
        page.reload()
        frame = page.frame_locator("iframe")
        frame.get_by_text("2 of 5 statements").wait_for()
        frame.get_by_role("button", name="Pass / unsure").click()
        frame.get_by_text("3 of 5 statements").wait_for()
        assert Vote.objects.count() == 3 and Participant.objects.count() == 1
        # The optional questions and "add your statement" work inside the frame too.
        frame.get_by_label("Age band").select_option("30+")
        frame.get_by_label("I agree that my answers").check()
        frame.get_by_role("button", name="Save my answers").click()
        # the card is replaced once the answers are saved (the questions are gone then);
        # "3 of 5" is on the old card too, so waiting for it alone races the new one
        frame.get_by_role("button", name="Save my answers").wait_for(state="detached")
        frame.get_by_text("3 of 5 statements").wait_for()
        frame.get_by_text("Add your statement").click()
        frame.get_by_label("Your statement").fill("Cần thêm thùng rác phân loại ở phố đi bộ.")
        frame.get_by_role("button", name="Send statement").click()
        frame.get_by_text("Thank you.").wait_for()
        participant = Participant.objects.get()
        assert participant.attributes == {"age_band": "30+"} and participant.consent_at is not None
        assert conversation.statements.get(text__startswith="Cần thêm thùng rác").author_participant == participant
        page.screenshot(path=str(ARTIFACTS / "conversations-embed-third-party-360px.png"), full_page=True)
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_resumes_from_local_storage_when_cookies_are_refused(page: Any,  # noqa: F811
                                                                       conversation: Any) -> None:
    from kientao.conversations.models import Participant, Vote

    page.goto(f"{page.base_url}/conversations/{conversation.public_id}/embed/")
    page.get_by_role("button", name="Agree", exact=True).click()
    page.get_by_text("1 of 5 statements").wait_for()
    page.context.clear_cookies()  # a browser that keeps no cookie for the widget
    page.reload()
    page.get_by_text("1 of 5 statements").wait_for()  # the script resumed the stored participant
    page.get_by_role("button", name="Disagree").click()
    page.get_by_text("2 of 5 statements").wait_for()
    assert Participant.objects.count() == 1 and Vote.objects.count() == 2


def test_it_prints_the_whole_report(page: Any, with_subgroups: Any) -> None:  # noqa: F811
    """On paper the folded subgroups are shown and no table scrolls (it would be cut off)."""
    page.goto(f"{page.base_url}/conversations/{with_subgroups.public_id}/report/")
    subgroup_item = page.locator("details.subgroups li").first
    assert page.locator("details.subgroups").count() == 2
    assert not subgroup_item.is_visible()  # on screen the subgroups stay folded
    page.emulate_media(media="print")
    assert subgroup_item.is_visible()
    assert page.locator("details.subgroups h3").first.is_visible()
    overflow = page.eval_on_selector_all(".table-wrap", "els => els.map(e => getComputedStyle(e).overflowX)")
    assert overflow and set(overflow) == {"visible"}
    page.pdf(path=str(ARTIFACTS / "conversations-report-print.pdf"))
    page.emulate_media(media="screen")
    assert not subgroup_item.is_visible()


def test_it_opens_folded_sections_before_printing(page: Any, with_subgroups: Any) -> None:  # noqa: F811
    """For browsers without ::details-content: report.js opens them on beforeprint, closes them after."""
    page.goto(f"{page.base_url}/conversations/{with_subgroups.public_id}/report/")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.eval_on_selector_all("details.subgroups", "els => els.every(e => e.open)")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.eval_on_selector_all("details.subgroups", "els => els.every(e => !e.open)")
