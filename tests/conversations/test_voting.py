"""The participant's card: anonymous votes, re-votes, routing, statements, limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kientao.conversations.models import AnalysisRun, Participant, Statement, Vote


@pytest.fixture(autouse=True)
def _fresh_process_counters() -> None:
    from kientao.conversations import actions

    actions.vote_counter.reset()


def _vote(client: Any, conv: Any, statement: Any, value: Any, **headers: Any) -> Any:
    return client.post(reverse("conversations:cast_vote", args=[conv.public_id]),
                       {"statement": getattr(statement, "pk", statement), "vote": value}, **headers)


def test_it_lets_an_anonymous_visitor_vote_with_a_cookie_token(client: Any, conversation: Any) -> None:
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page.status_code == 200
    assert "0 of 5 statements" in page.content.decode()
    statement = page.context["statement"]
    response = _vote(client, conversation, statement, 1)
    assert response.status_code == 302
    cookie = response.cookies[f"kt_conv_{conversation.public_id}"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    participant = Participant.objects.get()
    assert participant.token_hash != cookie.value and len(participant.token_hash) == 64
    assert participant.user is None
    assert Vote.objects.get().value == 1
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert "1 of 5 statements" in page.content.decode()
    assert page.context["statement"].pk != statement.pk


def test_it_replaces_a_vote_instead_of_adding_one(client: Any, conversation: Any) -> None:
    statement = conversation.statements.first()
    _vote(client, conversation, statement, 1)
    _vote(client, conversation, statement, -1)
    _vote(client, conversation, statement, 0)
    assert Vote.objects.count() == 1
    assert Vote.objects.get().value == 0
    assert Participant.objects.count() == 1


def test_it_enforces_one_vote_per_statement_in_the_database(conversation: Any) -> None:
    from django.db import IntegrityError, transaction

    p = Participant.objects.create(conversation=conversation, token_hash="a" * 64)
    s = conversation.statements.first()
    Vote.objects.create(participant=p, statement=s, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(participant=p, statement=s, value=-1)


def test_it_never_routes_a_statement_already_voted(client: Any, conversation: Any) -> None:
    seen = set()
    for _ in range(5):
        page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
        statement = page.context["statement"]
        assert statement.pk not in seen
        seen.add(statement.pk)
        _vote(client, conversation, statement, 0)
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page.context["statement"] is None
    assert "You have voted on every statement" in page.content.decode()


def test_it_swaps_only_the_card_for_script_requests(client: Any, conversation: Any) -> None:
    statement = conversation.statements.first()
    response = _vote(client, conversation, statement, 1, HTTP_X_KIENTAO_FETCH="card")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="card"') and "<html" not in html
    assert f"kt_conv_{conversation.public_id}" in response.cookies


@pytest.mark.parametrize(
    "data",
    [{}, {"statement": "abc", "vote": "1"}, {"statement": "1", "vote": "5"},
     {"statement": "99999999", "vote": "1"}, {"statement": "-3", "vote": "1"},
     {"statement": "1" * 40, "vote": "1"}, {"vote": "1"}],
)
def test_it_refuses_bad_votes_without_error(client: Any, conversation: Any, data: dict[str, str]) -> None:
    response = client.post(reverse("conversations:cast_vote", args=[conversation.public_id]), data)
    assert response.status_code == 400
    assert Vote.objects.count() == 0


def test_it_refuses_a_statement_of_another_conversation(client: Any, conversation: Any, personas: Any) -> None:
    from kientao.conversations.models import Conversation

    other = Conversation.objects.create(organisation=personas.other_org, topic="Other")
    foreign = Statement.objects.create(conversation=other, text="Something else here",
                                       status=Statement.Status.ACCEPTED)
    assert _vote(client, conversation, foreign, 1).status_code == 400
    pending = Statement.objects.create(conversation=conversation, text="Not yet accepted")
    assert _vote(client, conversation, pending, 1).status_code == 400
    assert Vote.objects.count() == 0


def test_it_refuses_votes_when_closed(client: Any, conversation: Any) -> None:
    conversation.closes_at = timezone.now() - timedelta(hours=1)
    conversation.save()
    response = _vote(client, conversation, conversation.statements.first(), 1)
    assert response.status_code == 403
    assert "not open for votes" in response.content.decode()
    conversation.closes_at = None
    conversation.opens_at = timezone.now() + timedelta(days=1)
    conversation.save()
    assert _vote(client, conversation, conversation.statements.first(), 1).status_code == 403
    assert Vote.objects.count() == 0


def test_it_rate_limits_votes_per_participant(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE = 3
    statement = conversation.statements.first()
    codes = [_vote(client, conversation, statement, v).status_code for v in (1, -1, 0, 1)]
    assert codes == [302, 302, 302, 429]


def test_vote_counts_are_shared_by_web_processes(db: Any, settings: Any) -> None:
    """Two counters stand for two web processes: each sees the other's hits after a sync."""
    from freezegun import freeze_time

    from kientao.conversations.actions import SharedCounter

    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 0  # share on every hit
    first, second = SharedCounter(), SharedCounter()
    with freeze_time("2026-11-29 10:00:05"):
        assert [first.hit("v:a:school", 60) for _ in range(4)] == [1, 2, 3, 4]
        assert second.hit("v:a:school", 60) == 5
        assert first.hit("v:a:school", 60) == 6
        assert second.hit("v:a:other", 60) == 1
    with freeze_time("2026-11-29 10:01:05"):  # a new window
        assert first.hit("v:a:school", 60) == 1


def test_vote_counts_lag_by_at_most_one_sync_period(db: Any, settings: Any) -> None:
    from freezegun import freeze_time

    from kientao.conversations.actions import SharedCounter

    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 600_000
    first, second = SharedCounter(), SharedCounter()
    with freeze_time("2026-11-29 10:00:05"):
        # Each process shares on its first hit, then counts in memory until the period ends.
        assert [first.hit("v:p:x", 60) for _ in range(3)] == [1, 2, 3]
        assert second.hit("v:p:x", 60) == 2  # the first's last two hits are not shared yet
        first.sync()
        assert second.hit("v:p:x", 60) == 3  # its own view until its period ends
        second.sync()  # the period's end: shares its hits and learns the total
        assert second.hit("v:p:x", 60) == 6  # every hit of both processes: 3 + 3


def test_a_busy_address_is_refused_across_processes(client: Any, conversation: Any, settings: Any) -> None:
    """Hits another process shared count against this one's limit (was per process)."""
    from kientao.conversations import actions
    from kientao.core import addresses

    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 0
    settings.KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE = 3
    from freezegun import freeze_time

    other_process = actions.SharedCounter()
    with freeze_time("2026-11-29 10:00:05"):  # one rate window throughout
        request = client.get(reverse("conversations:vote", args=[conversation.public_id])).wsgi_request
        address = addresses.address_hash(request)[:32]
        for _ in range(3):
            other_process.hit(f"v:a:{address}", 60)
        statement = conversation.statements.first()
        assert _vote(client, conversation, statement, 1).status_code == 429
    assert Vote.objects.count() == 0


def test_it_rate_limits_votes_per_address(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE = 2
    statement = conversation.statements.first()
    codes = []
    for _ in range(3):
        client.cookies.clear()  # a new anonymous participant each time, same address
        codes.append(_vote(client, conversation, statement, 1).status_code)
    assert codes == [302, 302, 429]


def _dump_every_table() -> str:
    """Every row of every table in the database, sessions decoded: what a leak would be in."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    parts = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.append(f"{table}: {cursor.fetchall()!r}")
    parts += [repr(s.get_decoded()) for s in Session.objects.all()]
    return "\n".join(parts)


def test_it_stores_no_raw_address(client: Any, conversation: Any, settings: Any, caplog: Any,
                                  django_capture_on_commit_callbacks: Any) -> None:
    """Votes, a statement, the about-you form and a recompute: the address is in no table, no log."""
    from kientao.conversations import actions

    address = "203.0.113.77"
    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 0  # every vote's counters reach their table
    actions._next_check.clear()
    statements = list(conversation.statements.all())
    with django_capture_on_commit_callbacks(execute=True):  # the recompute job runs (and writes)
        for statement in statements[:3]:
            assert _vote(client, conversation, statement, 1, REMOTE_ADDR=address).status_code == 302
        assert client.post(reverse("conversations:add_statement", args=[conversation.public_id]),
                           {"text": "Cần thêm thùng rác phân loại"}, REMOTE_ADDR=address).status_code == 302
        assert client.post(reverse("conversations:about_you", args=[conversation.public_id]),
                           {"q_age_band": "18–29", "consent": "on"}, REMOTE_ADDR=address).status_code == 302
    dump = _dump_every_table()
    # what was written is in the dump: per-address counters, the audit log, the analysis
    assert all(key in dump for key in ("v:a:", "s:a:", "conversations.add_statement", "age_band"))
    assert AnalysisRun.objects.filter(conversation=conversation).exists()
    assert address not in dump
    assert address not in caplog.text


def test_it_limits_statements_per_address_across_participants(client: Any, conversation: Any,
                                                              settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_ADDRESS_STATEMENTS_PER_10_MIN = 3
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    codes = []
    for i in range(4):
        client.cookies.clear()  # a new anonymous participant each time, same address
        response = client.post(url, {"text": f"Ý kiến số {i} từ một địa chỉ"}, REMOTE_ADDR="198.51.100.7")
        codes.append(response.status_code)
    assert codes == [302, 302, 302, 429]
    assert "You have added several statements already" in response.content.decode()
    assert sorted(Statement.objects.filter(is_seed=False).values_list("text", flat=True)) == [
        f"Ý kiến số {i} từ một địa chỉ" for i in range(3)]
    assert Participant.objects.count() == 3  # refused before a participant was made
    client.cookies.clear()  # another address is not affected
    assert client.post(url, {"text": "Ý kiến từ địa chỉ khác"}, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_default_address_statement_limit_holds(client: Any, conversation: Any) -> None:
    """The configured limit itself: above one participant's, low enough to stop a flood."""
    from kientao.conversations import actions

    limit, per_participant = actions.address_statements_per_window(), actions.statements_per_window()
    assert per_participant < limit <= 100
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    codes = []
    for i in range(limit + 1):
        if i % per_participant == 0:
            client.cookies.clear()  # the next participant, same address
        codes.append(client.post(url, {"text": f"Ý kiến số {i} của cả lớp"}).status_code)
    assert codes == [302] * limit + [429]
    assert Statement.objects.filter(is_seed=False).count() == limit


def test_it_sends_participant_statements_to_moderation(client: Any, conversation: Any) -> None:
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    response = client.post(url, {"text": "  <script>alert(1)</script> thêm   cây xanh  "})
    assert response.status_code == 302
    statement = Statement.objects.get(is_seed=False)
    assert statement.status == Statement.Status.PENDING
    assert statement.text == "<script>alert(1)</script> thêm cây xanh"
    assert statement.author_participant is not None
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page.context["total"] == 5  # pending statements are not shown under pre-moderation
    from kientao.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="conversations.add_statement").exists()


def test_it_shows_statements_at_once_under_post_moderation(client: Any, conversation: Any) -> None:
    conversation.moderation = "post"
    conversation.save()
    client.post(reverse("conversations:add_statement", args=[conversation.public_id]),
                {"text": "Thêm cây xanh ở phố đi bộ"})
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page.context["total"] == 6


def test_it_escapes_statement_text_on_the_card(client: Any, conversation: Any) -> None:
    Statement.objects.all().delete()
    Statement.objects.create(conversation=conversation, text="<b>bold</b> & <script>x()</script>",
                             status=Statement.Status.ACCEPTED)
    html = client.get(reverse("conversations:vote", args=[conversation.public_id])).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html


@pytest.mark.parametrize("text", ["", "abc", "x" * 281, "\x00\x01\x02"])
def test_it_refuses_bad_statements(client: Any, conversation: Any, text: str) -> None:
    response = client.post(reverse("conversations:add_statement", args=[conversation.public_id]),
                           {"text": text})
    assert response.status_code == 400
    assert not Statement.objects.filter(is_seed=False).exists()


def test_it_rate_limits_statements(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN = 2
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    codes = [client.post(url, {"text": f"Ý kiến số {i} của tôi"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


def test_it_refuses_statements_when_not_allowed(client: Any, conversation: Any) -> None:
    conversation.allow_statements = False
    conversation.save()
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    assert client.post(url, {"text": "Một ý kiến mới"}).status_code == 403


def test_it_asks_attributes_with_consent(client: Any, conversation: Any) -> None:
    for statement in list(conversation.statements.all())[:3]:
        _vote(client, conversation, statement, 1)
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page.context["about_form"] is not None
    url = reverse("conversations:about_you", args=[conversation.public_id])
    assert client.post(url, {"q_age_band": "18–29"}).status_code == 400  # no consent
    assert client.post(url, {"q_age_band": "nonsense", "consent": "on"}).status_code == 400
    assert client.post(url, {"q_age_band": "18–29", "consent": "on"}).status_code == 302
    participant = Participant.objects.get()
    assert participant.attributes == {"age_band": "18–29"} and participant.consent_at is not None


def test_it_refuses_attributes_before_voting(client: Any, conversation: Any) -> None:
    url = reverse("conversations:about_you", args=[conversation.public_id])
    assert client.post(url, {"q_age_band": "18–29", "consent": "on"}).status_code == 400


def test_it_links_a_signed_in_voter_to_one_participant(as_user: Any, personas: Any, conversation: Any) -> None:
    client = as_user(personas.participant)
    statements = list(conversation.statements.all())
    _vote(client, conversation, statements[0], 1)
    del client.cookies[f"kt_conv_{conversation.public_id}"]  # another device, same account
    _vote(client, conversation, statements[1], 1)
    participant = Participant.objects.get()
    assert participant.user == personas.participant
    assert participant.votes.count() == 2


def test_it_recomputes_after_votes_but_throttled(client: Any, conversation: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    from kientao.conversations import actions

    actions._next_check.clear()  # the per-process throttle memo may hold a reused id
    statements = list(conversation.statements.all())
    with django_capture_on_commit_callbacks(execute=True):
        _vote(client, conversation, statements[0], 1)
    assert AnalysisRun.objects.filter(conversation=conversation).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _vote(client, conversation, statements[1], 1)
    assert AnalysisRun.objects.filter(conversation=conversation).count() == 1
    assert AnalysisRun.objects.get().job is not None


def test_it_speaks_vietnamese(client: Any, conversation: Any) -> None:
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]), HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert 'lang="vi"' in html
    assert "Đồng ý" in html and "Không đồng ý" in html


def test_it_refuses_a_statement_already_in_the_conversation(client: Any, conversation: Any) -> None:
    """As Pol.is does: a repeat of a shown statement or of one's own (case and spacing aside)."""
    url = reverse("conversations:add_statement", args=[conversation.public_id])
    seed = conversation.statements.first().text
    response = client.post(url, {"text": "  " + seed.upper().replace(" ", "   ") + " "})
    assert response.status_code == 400
    assert "This statement is already part of the conversation." in response.content.decode()
    assert not Statement.objects.filter(is_seed=False).exists()
    assert client.post(url, {"text": "Thêm cây xanh trên phố"}).status_code == 302
    # one's own statement, pending (not shown to others under pre-moderation), is a repeat too
    assert client.post(url, {"text": "thêm cây xanh trên phố"}).status_code == 400
    assert Statement.objects.filter(is_seed=False).count() == 1
    # another participant may write what a pending statement says: refusing would reveal it
    other = Client()
    assert other.post(url, {"text": "Thêm cây xanh trên phố"}).status_code == 302
    assert Statement.objects.filter(is_seed=False).count() == 2
