"""The JSON API: detail, statements, votes with a participant token, latest analysis."""

from __future__ import annotations

from typing import Any

import pytest

from kientao.conversations.models import Participant, Statement, Vote


@pytest.fixture(autouse=True)
def _fresh_process_counters() -> None:
    from kientao.conversations import actions

    actions.vote_counter.reset()


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


def _analysis_as_before(run: Any, texts: dict[int, str]) -> dict[str, Any]:
    """The analysis JSON as the endpoint built it before it had a schema."""
    import json

    return json.loads(json.dumps({"computed_at": run.computed_at.isoformat(), "n_votes": run.n_votes,
                                  "n_participants": run.n_participants,
                                  "statement_texts": {str(k): v for k, v in texts.items()},
                                  "min_cell": 10, **run.results}))


def test_it_keeps_the_analysis_json_unchanged(client: Any, as_user: Any, personas: Any, voted: Any,
                                              conversation: Any) -> None:
    texts = dict(voted.statements.values_list("pk", "text"))
    expected = _analysis_as_before(voted.analyses.first(), texts)
    assert "subgroups" in expected["groups"][0] and expected["disaggregation"]
    assert as_user(personas.organiser).get(f"/api/conversations/{voted.public_id}/analysis").json() == expected
    voted.report_published = True
    voted.save()
    assert as_user(None).get(f"/api/conversations/{voted.public_id}/analysis").json() == expected


def test_it_passes_on_older_analyses_as_stored(as_user: Any, personas: Any, voted: Any) -> None:
    """Keys an older run lacks stay absent (no nulls added), and no 500."""
    run = voted.analyses.first()
    for key in ("n_in_conv", "participants_sampled", "min_cell", "disaggregation"):
        run.results.pop(key, None)
    for group in run.results["groups"]:
        group.pop("subgroups", None)
    run.save()
    response = as_user(personas.organiser).get(f"/api/conversations/{voted.public_id}/analysis")
    assert response.status_code == 200
    assert response.json() == _analysis_as_before(run, dict(voted.statements.values_list("pk", "text")))


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return _resolve(spec, schema["items"])
    return schema


def test_it_documents_every_conversation_endpoint(client: Any, db: Any) -> None:
    from kientao.conversations.api import TOKEN_HEADER, router

    spec = client.get("/api/openapi.json").json()
    declared = {f"/api/conversations{path}" for path in router.path_operations}
    assert len(declared) == 6 and declared <= set(spec["paths"])
    for path in declared:
        for method, op in spec["paths"][path].items():
            assert op.get("summary") and op.get("description"), (path, method)
            success = next(code for code in ("200", "201") if code in op["responses"])
            ok = _resolve(spec, op["responses"][success]["content"]["application/json"]["schema"])
            assert ok.get("properties"), (path, method)  # not the empty schema {}
            assert "404" in op["responses"], (path, method)
            assert _resolve(spec, op["responses"]["404"]["content"]["application/json"]["schema"])["properties"]
    votes = spec["paths"]["/api/conversations/{public_id}/votes"]["post"]
    assert {"400", "404", "409", "422", "429"} <= set(votes["responses"])
    headers = [p for p in votes["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in headers] == [TOKEN_HEADER] and headers[0]["description"]
    assert not headers[0].get("required")
    analysis = _resolve(spec, spec["paths"]["/api/conversations/{public_id}/analysis"]["get"]["responses"]["200"]
                        ["content"]["application/json"]["schema"])
    assert {"statement_texts", "groups", "statements", "consensus", "disaggregation", "min_cell",
            "participants"} <= set(analysis["properties"])
    group = _resolve(spec, analysis["properties"]["groups"])
    assert {"repness", "subgroups"} <= set(group["properties"])


def test_it_reads_the_participant_token_header(client: Any, conversation: Any) -> None:
    """The documented header is the one the endpoint reads (any letter case, as HTTP allows)."""
    base = f"/api/conversations/{conversation.public_id}/votes"
    sid = conversation.statements.first().pk
    token = client.post(base, {"statement": sid, "vote": 1}, content_type="application/json").json()
    client.cookies.clear()
    again = client.post(base, {"statement": sid, "vote": 0}, content_type="application/json",
                        headers={"x-participant-token": token["participant_token"]})
    assert again.status_code == 200 and again.json()["participant_token"] is None
    assert Participant.objects.count() == 1 and Vote.objects.get().value == 0


# --- a whole conversation through the API: next statement, statements, "about you" ----------


def _api(conversation: Any, tail: str) -> str:
    return f"/api/conversations{'/' + conversation.public_id if conversation else ''}/{tail}"


def _next(client: Any, conversation: Any, token: str | None = None, **extra: Any) -> Any:
    headers = {"HTTP_X_PARTICIPANT_TOKEN": token} if token else {}
    return client.get(_api(conversation, "next-statement"), **headers, **extra)


def _post(client: Any, conversation: Any, tail: str, body: Any, token: str | None = None, **extra: Any) -> Any:
    headers = {"HTTP_X_PARTICIPANT_TOKEN": token} if token else {}
    return client.post(_api(conversation, tail), body, content_type="application/json", **headers, **extra)


def _participant_with_votes(client: Any, conversation: Any, n: int = 1) -> str:
    """A new participant's token, after n votes through the API."""
    token = _next(client, conversation).json()["participant_token"]
    for s in list(conversation.visible_statements())[:n]:
        assert _post(client, conversation, "votes", {"statement": s.pk, "vote": 1}, token).status_code == 200
    return token


def test_it_routes_a_participant_through_every_statement_once(client: Any, conversation: Any) -> None:
    first = _next(client, conversation)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    data = first.json()
    token = data["participant_token"]
    assert token and (data["voted"], data["total"], data["is_open"]) == (0, 5, True)
    assert Participant.objects.count() == 0  # reading makes no participant; the first vote does
    seen: list[int] = []
    while data["statement"] is not None:
        sid = data["statement"]["id"]
        assert sid not in seen
        assert data["statement"]["text"] == Statement.objects.get(pk=sid).text
        seen.append(sid)
        assert _post(client, conversation, "votes", {"statement": sid, "vote": 0}, token).status_code == 200
        data = _next(client, conversation, token).json()
        assert data["participant_token"] is None and data["voted"] == len(seen)
    assert sorted(seen) == sorted(conversation.statements.values_list("pk", flat=True))
    assert (data["voted"], data["total"]) == (5, 5)
    assert Participant.objects.count() == 1


def test_it_never_routes_a_statement_already_voted(client: Any, conversation: Any) -> None:
    token = _participant_with_votes(client, conversation, 4)
    left = list(conversation.statements.order_by("pk"))[4]
    for _ in range(10):  # routing is random: ask several times
        data = _next(client, conversation, token).json()
        assert data["statement"]["id"] == left.pk and (data["voted"], data["total"]) == (4, 5)
    _post(client, conversation, "votes", {"statement": left.pk, "vote": -1}, token)
    done = _next(client, conversation, token).json()
    assert done["statement"] is None and (done["voted"], done["total"]) == (5, 5)


def test_it_routes_only_statements_shown_to_participants(client: Any, conversation: Any) -> None:
    pending = Statement.objects.create(conversation=conversation, text="Chờ người điều phối duyệt")
    rejected = Statement.objects.create(conversation=conversation, text="Ý kiến bị từ chối",
                                        status=Statement.Status.REJECTED)
    token = _participant_with_votes(client, conversation, 3)
    routed = {_next(client, conversation, token).json()["statement"]["id"] for _ in range(20)}
    assert routed <= set(conversation.statements.filter(status="accepted").values_list("pk", flat=True))
    assert _next(client, conversation, token).json()["total"] == 5
    conversation.moderation = "post"  # now the pending one is shown, the rejected one still not
    conversation.save()
    data = _next(client, conversation, token).json()
    assert data["total"] == 6
    assert rejected.pk not in {_next(client, conversation, token).json()["statement"]["id"] for _ in range(20)}
    assert pending.pk in {_next(client, conversation, token).json()["statement"]["id"] for _ in range(40)}


def test_it_routes_nothing_while_closed(client: Any, conversation: Any) -> None:
    conversation.closes_at = conversation.created_at
    conversation.save()
    data = _next(client, conversation).json()
    assert data["statement"] is None and data["is_open"] is False and data["total"] == 5
    assert client.get("/api/conversations/Unknown1234/next-statement").status_code == 404


def test_it_keeps_participants_of_other_conversations_apart(client: Any, conversation: Any,
                                                            other_conversation: Any) -> None:
    """A token of another conversation is not reused here (one token hash, one participant)."""
    token = _participant_with_votes(client, conversation, 2)
    data = _next(client, other_conversation, token).json()
    fresh = data["participant_token"]
    assert fresh and fresh != token and (data["voted"], data["total"]) == (0, 1)
    created = _post(client, other_conversation, "statements", {"text": "Ý kiến mới ở đây"}, token)
    assert created.status_code == 201 and created.json()["participant_token"] not in (None, token)
    assert Participant.objects.filter(conversation=other_conversation).count() == 1


def test_a_vote_with_another_conversations_token_gets_a_participant_of_its_own(
        client: Any, conversation: Any, other_conversation: Any) -> None:
    """Token hashes are unique platform-wide: reusing one elsewhere must not fail (was a 500)."""
    from kientao.conversations.models import Vote

    token = _participant_with_votes(client, conversation, 2)
    statement = other_conversation.statements.get()
    answer = _post(client, other_conversation, "votes", {"statement": statement.pk, "vote": -1}, token)
    assert answer.status_code == 200
    fresh = answer.json()["participant_token"]
    assert fresh and fresh != token
    mine = Participant.objects.get(conversation=other_conversation)
    assert list(Vote.objects.filter(participant=mine).values_list("value", flat=True)) == [-1]
    # the first conversation's participant keeps its two votes, and nothing else
    assert Vote.objects.filter(participant__conversation=conversation).count() == 2
    # the fresh token carries on in the other conversation
    again = _post(client, other_conversation, "votes", {"statement": statement.pk, "vote": 1}, fresh)
    assert again.status_code == 200 and Participant.objects.filter(conversation=other_conversation).count() == 1


def test_a_signed_in_vote_with_another_conversations_token_gets_its_own(
        as_user: Any, personas: Any, conversation: Any, other_conversation: Any) -> None:
    client = as_user(personas.participant)
    token = _participant_with_votes(client, conversation, 1)
    statement = other_conversation.statements.get()
    answer = _post(client, other_conversation, "votes", {"statement": statement.pk, "vote": 1}, token)
    assert answer.status_code == 200
    assert Participant.objects.filter(conversation=other_conversation).count() == 1


def test_it_routes_the_signed_in_participant(as_user: Any, personas: Any, conversation: Any) -> None:
    client = as_user(personas.participant)
    for s in conversation.statements.all()[:2]:
        client.post(_api(conversation, "votes"), {"statement": s.pk, "vote": 1}, content_type="application/json")
    data = _next(client, conversation).json()
    assert data["voted"] == 2 and data["participant_token"] is None


def test_it_adds_a_statement_awaiting_a_moderator(client: Any, conversation: Any) -> None:
    """Pre-moderation: stored as pending, not shown, never routed to anyone."""
    response = _post(client, conversation, "statements", {"text": "  Cần thêm   thùng rác\tphân loại  "})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["visible"] is False and body["participant_token"]
    statement = Statement.objects.get(pk=body["id"])
    assert statement.text == "Cần thêm thùng rác phân loại"  # cleaned as the web form does
    from kientao.conversations.actions import hash_token

    # only the hash of the token handed back is kept
    assert statement.author_participant.token_hash == hash_token(body["participant_token"])
    assert not Participant.objects.filter(token_hash=body["participant_token"]).exists()
    from kientao.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="conversations.add_statement", object_id=str(statement.pk)).exists()
    other = _participant_with_votes(client, conversation, 1)
    routed = {(_next(client, conversation, other).json()["statement"] or {}).get("id") for _ in range(20)}
    assert statement.pk not in routed
    assert statement.pk not in [s["id"] for s in client.get(_api(conversation, "statements")).json()]
    author = _next(client, conversation, body["participant_token"]).json()
    assert author["total"] == 5 and author["participant_token"] is None


def test_it_shows_a_statement_at_once_under_post_moderation(client: Any, conversation: Any) -> None:
    conversation.moderation = "post"
    conversation.save()
    token = _participant_with_votes(client, conversation, 5)
    response = _post(client, conversation, "statements", {"text": "Cần thêm thùng rác phân loại"}, token)
    assert response.status_code == 201
    body = response.json()
    assert body["visible"] is True and body["participant_token"] is None  # the voter who wrote it
    assert Statement.objects.get(pk=body["id"]).author_participant == Participant.objects.get()
    other = _participant_with_votes(client, conversation, 5)
    assert _next(client, conversation, other).json()["statement"]["id"] == body["id"]


def test_it_refuses_statements_the_web_form_refuses(client: Any, conversation: Any) -> None:
    token = _participant_with_votes(client, conversation, 1)
    mine = _post(client, conversation, "statements", {"text": "Ý kiến riêng đang chờ duyệt"}, token)
    assert mine.status_code == 201
    seed = conversation.statements.filter(is_seed=True).first().text
    cases = {
        "": "at least 5", "   \t ": "at least 5", "abc": "at least 5",
        "x" * 281: "at most 280", "x" * 600: "at most 280",
        "  " + seed.upper().replace(" ", "   ") + " ": "already part",  # a shown statement, other case and spaces
        "Ý KIẾN RIÊNG đang chờ duyệt": "already part",  # the caller's own, still pending
    }
    for text, message in cases.items():
        response = _post(client, conversation, "statements", {"text": text}, token)
        assert response.status_code == 400, text
        assert response.json()["field"] == "text" and message in response.json()["detail"], text
    assert Statement.objects.count() == 6
    for body in ({}, {"text": 5}):
        assert _post(client, conversation, "statements", body, token).status_code == 422
    assert _post(client, conversation, "statements", "not json", token).status_code == 400
    # Another participant's pending statement is not compared: refusing would reveal it.
    assert _post(client, conversation, "statements", {"text": "Ý kiến riêng đang chờ duyệt"}).status_code == 201
    assert _post(client, None, "Unknown1234/statements", {"text": "Một ý kiến"}).status_code == 404


def test_it_refuses_statements_when_closed_or_not_allowed(client: Any, conversation: Any) -> None:
    conversation.allow_statements = False
    conversation.save()
    refused = _post(client, conversation, "statements", {"text": "Một ý kiến mới"})
    assert refused.status_code == 403 and refused.json()["detail"] == "New statements are not accepted here."
    conversation.allow_statements = True
    conversation.closes_at = conversation.created_at
    conversation.save()
    assert _post(client, conversation, "statements", {"text": "Một ý kiến mới"}).status_code == 403
    vi = _post(client, conversation, "statements", {"text": "Một ý kiến mới"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert vi.json()["detail"] == "Cuộc thảo luận này không nhận ý kiến mới."
    assert Statement.objects.filter(is_seed=False).count() == 0 and Participant.objects.count() == 0


def test_it_rate_limits_statements_per_participant(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN = 2
    token = "a-client-chosen-token-0002"
    codes = [_post(client, conversation, "statements", {"text": f"Ý kiến thứ {i}"}, token).status_code
             for i in range(3)]
    assert codes == [201, 201, 429]
    assert Statement.objects.filter(is_seed=False).count() == 2
    assert _post(client, conversation, "statements", {"text": "Ý kiến của người khác"},
                 "another-client-token-0003").status_code == 201


def test_it_rate_limits_statements_per_address(client: Any, conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_ADDRESS_STATEMENTS_PER_10_MIN = 2
    codes = [_post(client, conversation, "statements", {"text": f"Ý kiến thứ {i}"},
                   REMOTE_ADDR="198.51.100.9").status_code for i in range(3)]  # a new participant each time
    assert codes == [201, 201, 429]
    limited = _post(client, conversation, "statements", {"text": "Ý kiến thứ 9"}, REMOTE_ADDR="198.51.100.9")
    assert "Please wait a few minutes" in limited.json()["detail"]
    assert Participant.objects.count() == 2  # refused before a participant was made
    assert _post(client, conversation, "statements", {"text": "Ý kiến thứ 3"},
                 REMOTE_ADDR="198.51.100.10").status_code == 201


def test_it_lists_the_attribute_questions(client: Any, conversation: Any) -> None:
    data = client.get(_api(conversation, "attributes")).json()
    assert data == {"questions": [{"key": "age_band", "label_vi": "Nhóm tuổi", "label_en": "Age band",
                                   "choices": ["18–29", "30+"]}],
                    "consent_text": "Chỉ dùng để thống kê."}
    assert client.get("/api/conversations/Unknown1234/attributes").status_code == 404


def test_it_saves_attributes_with_consent(client: Any, conversation: Any) -> None:
    token = _participant_with_votes(client, conversation, 3)
    response = _post(client, conversation, "attributes", {"answers": {"age_band": "18–29"}, "consent": True}, token)
    assert response.status_code == 200
    assert response.json() == {"answers": {"age_band": "18–29"}, "consented": True}
    participant = Participant.objects.get()
    assert participant.attributes == {"age_band": "18–29"} and participant.consent_at is not None
    again = _post(client, conversation, "attributes", {"answers": {"age_band": None}, "consent": True}, token)
    assert again.json() == {"answers": {}, "consented": False}  # "prefer not to say" replaces the answer
    participant.refresh_from_db()
    assert participant.attributes == {} and participant.consent_at is None


def test_it_refuses_attributes_the_web_form_refuses(client: Any, conversation: Any) -> None:
    token = _participant_with_votes(client, conversation, 3)
    cases = [
        ({"answers": {"income": "high"}, "consent": True}, "answers.income"),
        ({"answers": {"age_band": "18–29", "income": "high"}, "consent": True}, "answers.income"),
        ({"answers": {"age_band": "99+"}, "consent": True}, "answers.age_band"),
        ({"answers": {"age_band": "18–29"}, "consent": False}, "consent"),
        ({"answers": {"age_band": "18–29"}}, "consent"),
    ]
    for body, field in cases:
        response = _post(client, conversation, "attributes", body, token)
        assert response.status_code == 400 and response.json()["field"] == field, body
        assert response.json()["detail"], body
    stranger = _post(client, conversation, "attributes", {"answers": {"age_band": "30+"}, "consent": True})
    assert stranger.status_code == 400 and "Vote on a few statements first" in stranger.json()["detail"]
    assert _post(client, conversation, "attributes", {"answers": ["30+"], "consent": True}, token).status_code == 422
    conversation.closes_at = conversation.created_at
    conversation.save()
    closed = _post(client, conversation, "attributes", {"answers": {"age_band": "30+"}, "consent": True}, token)
    assert closed.status_code == 403
    assert Participant.objects.get().attributes == {} and Participant.objects.get().consent_at is None


def test_it_stores_no_raw_address_through_the_api(client: Any, conversation: Any, settings: Any) -> None:
    from tests.conversations.test_voting import _dump_every_table

    address = "203.0.113.78"
    settings.KIENTAO_CONVERSATIONS_RATE_SYNC_MS = 0
    token = _next(client, conversation, REMOTE_ADDR=address).json()["participant_token"]
    sid = conversation.statements.first().pk
    assert _post(client, conversation, "votes", {"statement": sid, "vote": 1}, token,
                 REMOTE_ADDR=address).status_code == 200
    assert _post(client, conversation, "statements", {"text": "Cần thêm thùng rác phân loại"}, token,
                 REMOTE_ADDR=address).status_code == 201
    assert _post(client, conversation, "attributes", {"answers": {"age_band": "30+"}, "consent": True}, token,
                 REMOTE_ADDR=address).status_code == 200
    dump = _dump_every_table()
    assert all(key in dump for key in ("s:a:", "conversations.add_statement", "age_band"))
    assert address not in dump and token not in dump


def test_it_documents_the_participant_endpoints(client: Any, db: Any) -> None:
    from kientao.conversations.api import TOKEN_HEADER

    spec = client.get("/api/openapi.json").json()
    base = "/api/conversations/{public_id}"
    expected = {
        ("get", "/next-statement"): ({"200", "404"}, True),
        ("post", "/statements"): ({"201", "400", "403", "404", "422", "429"}, True),
        ("get", "/attributes"): ({"200", "404"}, False),
        ("post", "/attributes"): ({"200", "400", "403", "404", "422"}, True),
    }
    for (method, tail), (codes, token_header) in expected.items():
        op = spec["paths"][base + tail][method]
        assert op["summary"] and op["description"], tail
        assert set(op["responses"]) == codes, tail
        for code in codes:
            schema = _resolve(spec, op["responses"][code]["content"]["application/json"]["schema"])
            assert schema.get("properties"), (tail, code)
        headers = [p for p in op.get("parameters", []) if p["in"] == "header"]
        if token_header:
            assert [p["name"] for p in headers] == [TOKEN_HEADER] and headers[0]["description"], tail
            assert not headers[0].get("required")
        else:
            assert headers == []
    props = lambda method, tail, code: set(_resolve(spec, spec["paths"][base + tail][method]["responses"][code]  # noqa: E731
                                                    ["content"]["application/json"]["schema"])["properties"])
    assert props("get", "/next-statement", "200") == {"statement", "voted", "total", "is_open", "participant_token"}
    assert props("post", "/statements", "201") == {"id", "status", "visible", "participant_token"}
    assert props("post", "/statements", "400") == {"detail", "field"}
    assert props("get", "/attributes", "200") == {"questions", "consent_text"}
    assert props("post", "/attributes", "200") == {"answers", "consented"}
    body = spec["paths"][base + "/statements"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert _resolve(spec, body)["required"] == ["text"]


def test_it_refuses_text_that_is_not_valid_unicode(client: Any, conversation: Any) -> None:
    """A lone surrogate (JSON "\\ud800") cannot be stored: 400, not a 500."""
    answer = client.post(f"/api/conversations/{conversation.public_id}/statements",
                         '{"text": "Một ý kiến \\ud800 mới"}', content_type="application/json")
    assert answer.status_code == 400 and answer.json()["field"] == "text"
    assert not Statement.objects.filter(is_seed=False).exists()


def test_it_counts_repeats_in_any_unicode_form(client: Any, conversation: Any) -> None:
    import unicodedata

    seed = conversation.statements.first().text
    decomposed = unicodedata.normalize("NFD", seed)  # as typed with combining marks
    assert decomposed != seed
    answer = _post(client, conversation, "statements", {"text": decomposed})
    assert answer.status_code == 400
    # and a new statement typed that way is stored composed
    created = _post(client, conversation, "statements", {"text": unicodedata.normalize("NFD", "Trồng cây ở chợ")})
    assert created.status_code == 201
    assert Statement.objects.get(pk=created.json()["id"]).text == "Trồng cây ở chợ"


def test_a_signed_in_caller_without_a_token_is_still_limited(as_user: Any, personas: Any, conversation: Any,
                                                            settings: Any) -> None:
    """The per-participant limit follows the participant, not a token it does not send."""
    settings.KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN = 2
    client = as_user(personas.participant)
    codes = [_post(client, conversation, "statements", {"text": f"Ý kiến riêng số {i}"}).status_code
             for i in range(4)]
    assert codes == [201, 201, 429, 429]
    assert Statement.objects.filter(is_seed=False).count() == 2


def test_writes_ignore_the_session_without_a_csrf_token(personas: Any, conversation: Any) -> None:
    """Another site cannot post in a signed-in visitor's name: without a CSRF token a write
    is anonymous (a new participant), with one it is the visitor's."""
    from django.test import Client

    from kientao.conversations.actions import hash_token

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.participant)
    statement = conversation.statements.first()
    client.cookies[f"kt_conv_{conversation.public_id}"] = "a-page-cookie-token-000001"
    forged = _post(client, conversation, "statements", {"text": "Một ý kiến từ nơi khác"})
    assert forged.status_code == 201
    made = Statement.objects.get(pk=forged.json()["id"])
    assert made.author_user is None
    assert made.author_participant.user is None
    assert made.author_participant.token_hash != hash_token("a-page-cookie-token-000001")
    vote = _post(client, conversation, "votes", {"statement": statement.pk, "vote": 1})
    assert vote.status_code == 200
    assert not Participant.objects.filter(user=personas.participant).exists()
    # with the CSRF token, the session speaks for the caller
    client.get(f"/conversations/{conversation.public_id}/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    mine = _post(client, conversation, "votes", {"statement": statement.pk, "vote": -1}, HTTP_X_CSRFTOKEN=csrf)
    assert mine.status_code == 200
    assert Participant.objects.get(user=personas.participant).votes.get().value == -1


def test_two_first_writes_with_one_new_token_make_one_participant(conversation: Any, monkeypatch: Any) -> None:
    """The second request's insert collides with the first's: it takes that participant (was a 500)."""
    from kientao.conversations import actions

    token = "a-brand-new-client-token-01"
    Participant.objects.create(conversation=conversation, token_hash=actions.hash_token(token))
    real = actions.find_participant
    calls: list[int] = []

    def not_yet(*args: Any, **kwargs: Any) -> Any:  # the lookup ran before the other insert
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(actions, "find_participant", not_yet)
    participant, new = actions.get_or_create_participant(conversation, token, None)
    assert new is None and participant.token_hash == actions.hash_token(token)
    assert Participant.objects.filter(conversation=conversation).count() == 1
