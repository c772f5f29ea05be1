"""The API vote is the hot path of a consultation: a bounded number of short queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kientao.conversations import actions
from kientao.conversations.models import Statement, Vote


@pytest.fixture(autouse=True)
def _fresh_process_counters(settings: Any) -> None:
    actions.vote_counter.reset()
    # The rate counters are shared once per sync period (one query); keep it out of these counts.
    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 600_000


def _vote(client: Any, conversation: Any, sid: int, value: int, token: str) -> Any:
    return client.post(f"/api/conversations/{conversation.public_id}/votes", {"statement": sid, "vote": value},
                       content_type="application/json", HTTP_X_PARTICIPANT_TOKEN=token)


def test_it_votes_through_the_api_in_few_queries(client: Any, conversation: Any) -> None:
    sids = list(conversation.statements.order_by("pk").values_list("pk", flat=True))
    token = "a-client-chosen-token-cost-01"
    with CaptureQueriesContext(connection) as first:
        assert _vote(client, conversation, sids[0], 1, token).status_code == 200  # creates the participant
    # + 3 on PostgreSQL: a process's first vote also shares the rate counters (savepoint, upsert, release).
    assert len(first) <= 12 + 3, [q["sql"] for q in first.captured_queries]
    for sid, value in ((sids[1], -1), (sids[1], 1), (sids[2], 0)):
        with CaptureQueriesContext(connection) as queries:
            assert _vote(client, conversation, sid, value, token).status_code == 200
        # One upsert; the recompute throttle may add one look per period and process.
        assert len(queries) <= 2, [q["sql"] for q in queries.captured_queries]
    assert dict(Vote.objects.values_list("statement_id", "value")) == {sids[0]: 1, sids[1]: 1, sids[2]: 0}


def test_it_checks_the_recompute_throttle_at_most_once_per_period(client: Any, conversation: Any) -> None:
    sids = list(conversation.statements.order_by("pk").values_list("pk", flat=True))
    token = "a-client-chosen-token-cost-02"
    _vote(client, conversation, sids[0], 1, token)
    counts = []
    for sid in sids[1:4]:
        with CaptureQueriesContext(connection) as queries:
            assert _vote(client, conversation, sid, 0, token).status_code == 200
        counts.append(len(queries))
    assert counts == [1, 1, 1]


def test_it_still_explains_refusals_to_a_known_participant(client: Any, conversation: Any,
                                                           other_conversation: Any) -> None:
    sids = list(conversation.statements.order_by("pk").values_list("pk", flat=True))
    token = "a-client-chosen-token-cost-03"
    assert _vote(client, conversation, sids[0], 1, token).status_code == 200
    Statement.objects.filter(pk=sids[1]).update(status=Statement.Status.REJECTED)
    assert _vote(client, conversation, sids[1], 1, token).status_code == 400
    foreign = other_conversation.statements.first().pk
    assert _vote(client, conversation, foreign, 1, token).status_code == 400
    conversation.closes_at = conversation.created_at
    conversation.save()
    assert _vote(client, conversation, sids[2], 1, token).status_code == 409
    assert Vote.objects.count() == 1
