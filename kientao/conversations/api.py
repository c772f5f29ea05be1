"""Conversation endpoints: detail, statements and votes are public (like the voting page);
the analysis follows the report's rule (members, or anyone once published), and only the
conversation's organisers receive statements that participants are not shown."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, HeaderEx, P, Router, Schema
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


class ErrorOut(Schema):
    detail: str = Field(description="Why the request was refused.")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] = Field(description="One entry per malformed field of the request.")


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
    participant_token: str | None = Field(
        None, description=f"A new participant's token, to send back as {TOKEN_HEADER} with the next votes "
                          "(null when the caller was already known).")


class RepresentativeOut(Schema):
    statement: int
    direction: str = Field(description="How the group leans on the statement: agree or disagree.")
    p: float | None = Field(description="Estimated probability of that vote in the group.")
    n_agree: int
    n_disagree: int
    n_seen: int


class SubgroupOut(Schema):
    id: int
    size: int
    repness: list[RepresentativeOut]


class GroupOut(Schema):
    id: int
    size: int
    repness: list[RepresentativeOut] = Field(description="What sets the group apart, most telling first.")
    subgroups: list[SubgroupOut] = []


class ConsensusOut(Schema):
    statement: int
    direction: str
    p: float | None
    n_seen: int


class StatementStatsOut(Schema):
    statement: int
    excluded: bool = Field(description="Left out of the analysis (moderated out, or a meta statement).")
    n_agree: int
    n_disagree: int
    n_pass: int
    n_seen: int
    agree_share: float | None
    disagree_share: float | None
    pass_share: float | None
    gic: float | None = Field(description="Group-informed consensus.")
    divisiveness: float | None
    priority: float | None
    groups: list[float | None] = Field(description="Agree share in each group, in group order.")


class DisaggregationOut(Schema):
    statement: int
    attribute: str
    value: str
    n_seen: int | None
    agree_share: float | None
    disagree_share: float | None
    suppressed: bool = Field(description="Hidden: fewer than min_cell voters, or needed to hide another cell.")


class AnalysisOut(Schema):
    """The latest analysis. Keys an older analysis lacks stay absent (``exclude_unset``); a key
    added to the stored results must be declared here to reach callers (a test compares)."""

    computed_at: str
    n_votes: int
    n_participants: int
    statement_texts: dict[str, str] = Field(description="Text of each statement the caller may read, by id.")
    min_cell: int = Field(description="Fewest voters a figure by participant attribute describes.")
    n_groups: int = 0
    groups: list[GroupOut] = []
    participants: list[tuple[int, int, float | None, float | None]] = Field(
        [], description="Opinion map points: [participant, group (-1 none), x, y]; at most a sample.")
    participants_sampled: bool = False
    n_in_conv: int = 0
    consensus: list[ConsensusOut] = []
    statements: list[StatementStatsOut] = []
    disaggregation: list[DisaggregationOut] = []


NOT_FOUND = {404: ErrorOut}


@router.get("/{public_id}", response={200: ConversationOut, **NOT_FOUND}, auth=None,
            summary="A conversation",
            description="Topic, languages, moderation and whether it is open for votes. Public.")
def conversation_detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    c = _conversation(public_id)
    return {"public_id": c.public_id, "topic": c.topic, "description": c.description,
            "languages": list(c.languages or []), "allow_statements": c.allow_statements,
            "moderation": c.moderation, "is_open": c.is_open(), "opens_at": c.opens_at,
            "closes_at": c.closes_at, "report_published": c.report_published}


@router.get("/{public_id}/statements", response={200: list[StatementOut], **NOT_FOUND}, auth=None,
            summary="Statements to vote on",
            description="The statements shown to participants (accepted, or not yet moderated under "
                        "post-moderation). Public.")
def statement_list(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    c = _conversation(public_id)
    return [{"id": s.pk, "text": s.text, "language": s.language, "is_meta": s.is_meta}
            for s in c.visible_statements()]


@router.post("/{public_id}/votes", auth=None,
             response={200: VoteOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut,
                       429: ErrorOut},
             summary="Vote on a statement",
             description="Agree (1), disagree (-1) or pass (0); a second vote on the same statement "
                         f"replaces the first. Anonymous callers send {TOKEN_HEADER} to vote again as the "
                         "same participant. 400: the statement is not votable; 404: no such "
                         "conversation; 409: the conversation is closed; 422: malformed body; 429: "
                         "too many votes in a short time.")
def vote_create(request: HttpRequest, public_id: str, payload: VoteIn,
                participant_token: HeaderEx[str | None, P(
                    alias=TOKEN_HEADER,
                    description="The participant token returned by an earlier vote (optional).")] = None,
                ) -> dict[str, Any]:
    if not _PUBLIC_ID.fullmatch(public_id):
        raise Http404
    token, _fresh = actions.participant_token(participant_token or request.COOKIES.get(f"kt_conv_{public_id}"))
    try:
        new = actions.record_vote(public_id, payload.statement, payload.vote, token, _user(request),
                                  actions.address_key(request))
    except actions.VoteRefused as exc:
        raise HttpError(exc.status, str(exc)) from None
    except actions.RateLimitError:
        raise HttpError(429, "Too many votes in a short time.") from None
    return {"statement": payload.statement, "vote": payload.vote, "participant_token": new}


@router.get("/{public_id}/analysis", response={200: AnalysisOut, **NOT_FOUND}, auth=None,
            exclude_unset=True, summary="The latest analysis",
            description="Opinion groups, representative statements, consensus, statistics per statement "
                        "and by participant attribute (small cells suppressed). For members of the "
                        "organisation, or anyone once the report is published; only the organisers "
                        "receive statements that participants are not shown (rejected, or awaiting "
                        "approval). 404: no such conversation, not visible to the caller, or no "
                        "analysis yet.")
def analysis_latest(request: HttpRequest, public_id: str) -> dict[str, Any]:
    c = _conversation(public_id)
    user = _user(request)
    if not c.report_published and not can(user, Action.VIEW, c.organisation):
        raise Http404
    run = c.analyses.first()
    if run is None:
        raise HttpError(404, "No analysis yet.")
    results = run.results
    statements = c.statements.all()
    if not can(user, Action.ORGANISE, c.organisation):
        public = analysis.public_statement_ids(c)
        results = analysis.public_results(results, public)
        statements = statements.filter(pk__in=public)
    texts = dict(statements.values_list("pk", "text"))
    return {"computed_at": run.computed_at.isoformat(), "n_votes": run.n_votes,
            "n_participants": run.n_participants, "statement_texts": {str(k): v for k, v in texts.items()},
            "min_cell": analysis.min_cell(), **results}
