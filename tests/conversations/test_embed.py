"""The embedded widget votes without any cookie: signed participant token + signed nonce."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from kientao.conversations import views
from kientao.conversations.models import Participant, Vote


@pytest.fixture(autouse=True)
def _fresh_process_counters() -> None:
    from kientao.conversations import actions

    actions.vote_counter.reset()


def _fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(participant|nonce|statement)" value="([^"]*)"', html))


def _cookieless(client: Client) -> Client:
    client.cookies.clear()
    return client


def test_it_votes_through_the_embed_without_any_cookie(conversation: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("conversations:embed", args=[conversation.public_id]))
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "csrfmiddlewaretoken" not in html
    # Its only cookie: the widget's own, partitioned per embedding site, read by the GET alone.
    name = views.embed_cookie_name(conversation)
    assert set(page.cookies) == {name}
    header = page.cookies[name].OutputString()
    for attribute in ("Partitioned", "Secure", "HttpOnly", "SameSite=None", "Path=/conversations/"):
        assert attribute in header, header
    fields = _fields(html)
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    assert "participant" not in url and fields["participant"] not in page.request["PATH_INFO"]
    response = _cookieless(client).post(url, {**fields, "vote": "1"})
    assert response.status_code == 200, response.content
    assert set(response.cookies) == {name}
    assert Vote.objects.get().value == 1
    participant = Participant.objects.get()
    assert participant.user is None
    # The next card carries the same participant: a second vote counts for them.
    second = _fields(response.content.decode())
    assert second["statement"] != fields["statement"]
    assert _cookieless(client).post(url, {**second, "vote": "-1"}).status_code == 200
    assert Participant.objects.count() == 1 and Vote.objects.count() == 2
    # Re-voting through the first (still valid) form replaces that vote.
    assert _cookieless(client).post(url, {**fields, "vote": "0"}).status_code == 200
    assert Vote.objects.count() == 2 and Vote.objects.get(statement_id=fields["statement"]).value == 0


def test_it_swaps_the_card_in_the_embed(conversation: Any) -> None:
    client = Client()
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    response = _cookieless(client).post(reverse("conversations:embed_cast_vote", args=[conversation.public_id]),
                                        {**fields, "vote": "1"}, HTTP_X_KIENTAO_FETCH="card")
    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="card"')


def test_it_never_uses_the_signed_in_account_in_the_embed(as_user: Any, personas: Any, conversation: Any) -> None:
    client = as_user(personas.member)
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    assert client.post(url, {**fields, "vote": "1"}).status_code == 200
    assert Participant.objects.get().user is None


def test_it_refuses_forged_or_expired_nonces(conversation: Any, other_conversation: Any,
                                             monkeypatch: Any) -> None:
    client = Client()
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    other = _fields(client.get(reverse("conversations:embed", args=[other_conversation.public_id])).content.decode())
    token = signing.loads(fields["participant"], salt=views.EMBED_PARTICIPANT_SALT)["t"]
    forged_token = signing.dumps({"c": conversation.public_id, "t": token}, salt="wrong")
    cases = [
        {},
        {"statement": fields["statement"], "vote": "1"},
        {**fields, "nonce": "", "vote": "1"},
        {**fields, "nonce": fields["nonce"] + "x", "vote": "1"},
        {**fields, "nonce": "x" * 600, "vote": "1"},
        {**fields, "participant": forged_token, "vote": "1"},
        {**fields, "participant": other["participant"], "vote": "1"},
        {**fields, "nonce": other["nonce"], "vote": "1"},
        {**fields, "participant": "garbage:::", "vote": "1"},
    ]
    for body in cases:
        assert client.post(url, body).status_code == 403, body
    monkeypatch.setattr(views, "EMBED_NONCE_SECONDS", -1)
    assert client.post(url, {**fields, "vote": "1"}).status_code == 403
    assert Vote.objects.count() == 0 and Participant.objects.count() == 0


def test_it_answers_bad_embed_votes_without_500(conversation: Any) -> None:
    client = Client()
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    for vote in ("2", "", "agree"):
        assert client.post(url, {**fields, "vote": vote}).status_code == 400
    assert client.post(url, {**fields, "statement": "999999", "vote": "1"}).status_code == 400
    assert client.get(url).status_code == 405
    assert client.post(reverse("conversations:embed_cast_vote", args=["nope0000"]), fields).status_code == 404
    conversation.closes_at = conversation.created_at
    conversation.save()
    assert client.post(url, {**fields, "vote": "1"}).status_code == 403
    assert Vote.objects.count() == 0


def test_it_rate_limits_embed_votes(conversation: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE = 2
    client = Client()
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    codes = [client.post(url, {**fields, "vote": "1"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_it_keeps_cookies_and_csrf_on_the_normal_page(conversation: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    html = page.content.decode()
    assert "csrfmiddlewaretoken" in html and 'name="nonce"' not in html
    statement = page.context["statement"].pk
    url = reverse("conversations:cast_vote", args=[conversation.public_id])
    assert client.post(url, {"statement": statement, "vote": "1"}).status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = client.post(url, {"statement": statement, "vote": "1", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert response.cookies[f"kt_conv_{conversation.public_id}"]["samesite"] == "Lax"
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("persona", ["anonymous", "platform_admin", "org_admin", "organiser", "judge", "member",
                                     "applicant", "participant", "outsider"])
def test_it_treats_every_persona_alike_in_the_embed(as_user: Any, personas: Any, conversation: Any,
                                                   persona: str) -> None:
    client = as_user(None if persona == "anonymous" else getattr(personas, persona))
    url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    assert client.post(url, {"vote": "1"}).status_code == 403
    assert client.get(url).status_code == 405
    fields = _fields(client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode())
    assert client.post(url, {**fields, "vote": "1"}).status_code == 200
    assert Participant.objects.get().user is None


def _token(fields: dict[str, str]) -> str:
    return str(signing.loads(fields["participant"], salt=views.EMBED_PARTICIPANT_SALT)["t"])


def _embed_get(client: Client, conversation: Any) -> str:
    return client.get(reverse("conversations:embed", args=[conversation.public_id])).content.decode()


def test_it_resumes_the_participant_the_browser_kept(conversation: Any, other_conversation: Any) -> None:
    """A reload in a third-party frame: the script posts the stored signed token back."""
    client = Client(enforce_csrf_checks=True)
    html = _embed_get(client, conversation)
    assert 'data-fresh="1"' in html and "data-embed-key=" in html
    fields = _fields(html)
    vote_url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    assert _cookieless(client).post(vote_url, {**fields, "vote": "1"}).status_code == 200
    # A reload with the widget's cookie carries on as the same participant (the signed
    # field itself carries a timestamp, so compare the tokens inside) ...
    assert _token(_fields(_embed_get(client, conversation))) == _token(fields)
    # ... one without any cookie gets a fresh token ...
    assert _token(_fields(_embed_get(_cookieless(client), conversation))) != _token(fields)
    # ... and its script resumes with the one kept in local storage: progress, a new nonce.
    resume = reverse("conversations:embed_resume", args=[conversation.public_id])
    response = _cookieless(client).post(resume, {"participant": fields["participant"]}, HTTP_X_KIENTAO_FETCH="card")
    assert response.status_code == 200
    card = response.content.decode()
    assert "1 of 5 statements" in card and 'data-fresh="1"' not in card
    resumed = _fields(card)
    assert _token(resumed) == _token(fields) and resumed["statement"] != fields["statement"]
    assert _cookieless(client).post(vote_url, {**resumed, "vote": "-1"}).status_code == 200
    assert Participant.objects.count() == 1 and Vote.objects.count() == 2
    # Forged, foreign or malformed tokens resume nobody; nothing is written.
    foreign = _fields(_embed_get(client, other_conversation))["participant"]
    for bad in ("", "garbage", fields["participant"] + "x", foreign, "x" * 600):
        refused = _cookieless(client).post(resume, {"participant": bad})
        assert refused.status_code == 403 and "0 of 5 statements" in refused.content.decode()
        # a forged widget cookie is ignored the same way
        client.cookies[views.embed_cookie_name(conversation)] = bad
        assert "0 of 5 statements" in _embed_get(client, conversation)
    assert client.get(resume).status_code == 405
    assert Participant.objects.count() == 1 and Vote.objects.count() == 2


def test_it_asks_the_optional_questions_in_the_embed(conversation: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    fields = _fields(_embed_get(client, conversation))
    vote_url = reverse("conversations:embed_cast_vote", args=[conversation.public_id])
    about_url = reverse("conversations:embed_about_you", args=[conversation.public_id])
    # Before voting there is no participant to describe.
    assert client.post(about_url, {**fields, "q_age_band": "30+", "consent": "on"}).status_code == 400
    for value in ("1", "-1", "0"):
        card = client.post(vote_url, {**fields, "vote": value}).content.decode()
        fields = _fields(card)
    assert about_url in card and "csrfmiddlewaretoken" not in card
    participant = Participant.objects.get()
    assert client.post(about_url, {**fields, "q_age_band": "not a choice", "consent": "on"}).status_code == 400
    assert client.post(about_url, {**fields, "nonce": "forged", "q_age_band": "30+", "consent": "on"}).status_code == 403
    participant.refresh_from_db()
    assert participant.attributes == {} and participant.consent_at is None
    response = client.post(about_url, {**fields, "q_age_band": "30+", "consent": "on"})
    assert response.status_code == 200 and about_url not in response.content.decode()
    participant.refresh_from_db()
    assert participant.attributes == {"age_band": "30+"} and participant.consent_at is not None


def test_it_takes_statements_in_the_embed(conversation: Any, settings: Any) -> None:
    from kientao.conversations.models import Statement

    settings.KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN = 2
    client = Client(enforce_csrf_checks=True)
    fields = _fields(_embed_get(client, conversation))
    url = reverse("conversations:embed_add_statement", args=[conversation.public_id])
    assert client.post(url, {**fields, "nonce": "forged", "text": "Một ý kiến mới."}).status_code == 403
    assert client.post(url, {**fields, "text": ""}).status_code == 400
    repeat = client.post(url, {**fields, "text": conversation.statements.first().text.lower()})
    assert repeat.status_code == 400
    assert "This statement is already part of the conversation." in repeat.content.decode()
    response = client.post(url, {**fields, "text": "Cần thêm thùng rác <b>phân loại</b>."})
    assert response.status_code == 200
    assert "<b>phân loại</b>" not in response.content.decode()
    statement = Statement.objects.get(text__startswith="Cần thêm")
    assert statement.author_participant == Participant.objects.get() and statement.author_user is None
    assert statement.status == Statement.Status.PENDING
    assert client.post(url, {**fields, "text": "Ý kiến thứ hai."}).status_code == 200
    assert client.post(url, {**fields, "text": "Ý kiến thứ ba."}).status_code == 429
    conversation.allow_statements = False
    conversation.save()
    assert client.post(url, {**fields, "text": "Ý kiến thứ tư."}).status_code == 403
    assert Statement.objects.filter(author_participant__isnull=False).count() == 2
