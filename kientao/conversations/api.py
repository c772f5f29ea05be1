"""Conversation endpoints: detail, statements and votes are public (like the voting page);
the analysis follows the report's rule (members, or anyone once published)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from kientao.conversations import actions, analysis
from kientao.conversations.models import Conversation
from kientao.core.models import ApiToken
from kientao.core.permissions import Action, can

router = Router(tags=["conversations"])
_PUBLIC_ID = re.compile(r"[A-Za-z0-9]{4,20}")
TOKEN_HEADER = "X-Participant-Token"  # noqa: S105  (a header name)


def _conversation(public_id: str) -> Conversation:
    if not _PUBLIC_ID.fullmatch(public_id):
        raise Http404
    return get_object_or_404(Conversation.objects.select_related("organisation"), public_id=public_id)


def _user(request: HttpRequest) -> Any:
    """The session user, or the owner of a bearer token (these endpoints also serve anonymous callers)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = ApiToken.authenticate(header[7:].strip())
        if user is not None:
            return user
    return request.user


class ConversationOut(Schema):
    public_id: str
    topic: str
    description: str
    languages: list[str]
    allow_statements: bool
    moderation: str
    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    report_published: bool


class StatementOut(Schema):
    id: int
    text: str
    language: str
    is_meta: bool


class VoteIn(Schema):
    statement: int
    vote: int


class VoteOut(Schema):
    statement: int
    vote: int
    participant_token: str | None = None


@router.get("/{public_id}", response=ConversationOut, auth=None)
def conversation_detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    c = _conversation(public_id)
    return {"public_id": c.public_id, "topic": c.topic, "description": c.description,
            "languages": list(c.languages or []), "allow_statements": c.allow_statements,
            "moderation": c.moderation, "is_open": c.is_open(), "opens_at": c.opens_at,
            "closes_at": c.closes_at, "report_published": c.report_published}


@router.get("/{public_id}/statements", response=list[StatementOut], auth=None)
def statement_list(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    c = _conversation(public_id)
    return [{"id": s.pk, "text": s.text, "language": s.language, "is_meta": s.is_meta}
            for s in c.visible_statements()]


@router.post("/{public_id}/votes", response=VoteOut, auth=None)
def vote_create(request: HttpRequest, public_id: str, payload: VoteIn) -> dict[str, Any]:
    if not _PUBLIC_ID.fullmatch(public_id):
        raise Http404
    token, _fresh = actions.participant_token(
        request.headers.get(TOKEN_HEADER) or request.COOKIES.get(f"kt_conv_{public_id}"))
    try:
        new = actions.record_vote(public_id, payload.statement, payload.vote, token, _user(request),
                                  actions.address_key(request))
    except actions.VoteRefused as exc:
        raise HttpError(exc.status, str(exc)) from None
    except actions.RateLimitError:
        raise HttpError(429, "Too many votes in a short time.") from None
    return {"statement": payload.statement, "vote": payload.vote, "participant_token": new}


@router.get("/{public_id}/analysis", auth=None)
def analysis_latest(request: HttpRequest, public_id: str) -> dict[str, Any]:
    c = _conversation(public_id)
    if not c.report_published and not can(_user(request), Action.VIEW, c.organisation):
        raise Http404
    run = c.analyses.first()
    if run is None:
        raise HttpError(404, "No analysis yet.")
    texts = dict(c.statements.values_list("pk", "text"))
    return {"computed_at": run.computed_at.isoformat(), "n_votes": run.n_votes,
            "n_participants": run.n_participants, "statement_texts": {str(k): v for k, v in texts.items()},
            "min_cell": analysis.MIN_CELL, **run.results}
