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
    assert len(declared) == 4 and declared <= set(spec["paths"])
    for path in declared:
        for method, op in spec["paths"][path].items():
            assert op.get("summary") and op.get("description"), (path, method)
            ok = _resolve(spec, op["responses"]["200"]["content"]["application/json"]["schema"])
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
