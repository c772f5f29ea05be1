"""The JSON API: detail, statements, votes with a participant token, latest analysis."""

from __future__ import annotations

from typing import Any

from kientao.conversations.models import Participant, Vote


def test_it_votes_through_the_api_with_a_token(client: Any, conversation: Any) -> None:
    base = f"/api/conversations/{conversation.public_id}"
    statements = client.get(base + "/statements").json()
    assert len(statements) == 5
    first = client.post(base + "/votes", {"statement": statements[0]["id"], "vote": 1},
                        content_type="application/json")
    assert first.status_code == 200
    token = first.json()["participant_token"]
    assert token
    again = client.post(base + "/votes", {"statement": statements[0]["id"], "vote": -1},
                        content_type="application/json", HTTP_X_PARTICIPANT_TOKEN=token)
    assert again.status_code == 200 and again.json()["participant_token"] is None
    assert Participant.objects.count() == 1
    assert Vote.objects.get().value == -1


def test_it_refuses_bad_api_votes(client: Any, conversation: Any) -> None:
    base = f"/api/conversations/{conversation.public_id}/votes"
    sid = conversation.statements.first().pk
    cases = [{"statement": sid, "vote": 3}, {"statement": 10**9, "vote": 1}, {"statement": "x", "vote": 1}, {}]
    for body in cases:
        response = client.post(base, body, content_type="application/json")
        assert 400 <= response.status_code < 500, body
    assert client.post(base, "not json", content_type="application/json").status_code < 500
    conversation.closes_at = conversation.created_at
    conversation.save()
    assert client.post(base, {"statement": sid, "vote": 1}, content_type="application/json").status_code == 409
    assert Vote.objects.count() == 0


def test_it_returns_the_latest_analysis(as_user: Any, personas: Any, voted: Any) -> None:
    data = as_user(personas.judge).get(f"/api/conversations/{voted.public_id}/analysis").json()
    assert data["n_groups"] == 2 and data["n_votes"] == 200
    assert len(data["participants"]) == 40


def test_it_answers_404_when_no_analysis(as_user: Any, personas: Any, conversation: Any) -> None:
    assert as_user(personas.member).get(f"/api/conversations/{conversation.public_id}/analysis").status_code == 404


def test_it_rate_limits_api_votes(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE = 2
    base = f"/api/conversations/{conversation.public_id}/votes"
    sid = conversation.statements.first().pk
    token = "a-client-chosen-token-0001"
    codes = [client.post(base, {"statement": sid, "vote": 1}, content_type="application/json",
                         HTTP_X_PARTICIPANT_TOKEN=token).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_it_refuses_pending_statements_under_pre_moderation(client: Any, conversation: Any) -> None:
    from kientao.conversations.models import Statement

    pending = Statement.objects.create(conversation=conversation, text="Waiting for a moderator")
    base = f"/api/conversations/{conversation.public_id}/votes"
    assert client.post(base, {"statement": pending.pk, "vote": 1},
                       content_type="application/json").status_code == 400
    conversation.moderation = "post"
    conversation.save()
    assert client.post(base, {"statement": pending.pk, "vote": 1},
                       content_type="application/json").status_code == 200
    assert client.post("/api/conversations/Unknown1234/votes", {"statement": pending.pk, "vote": 1},
                       content_type="application/json").status_code == 404


def test_it_votes_through_the_api_as_a_signed_in_user(as_user: Any, personas: Any, conversation: Any) -> None:
    client = as_user(personas.participant)
    base = f"/api/conversations/{conversation.public_id}/votes"
    for s in conversation.statements.all()[:2]:
        assert client.post(base, {"statement": s.pk, "vote": 0}, content_type="application/json").status_code == 200
    assert Participant.objects.get().user == personas.participant
