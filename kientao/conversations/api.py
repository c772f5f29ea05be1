"""Conversation endpoints: detail, statements and votes are public (like the voting page);
the analysis follows the report's rule (members, or anyone once published), and only the
conversation's organisers receive statements that participants are not shown.

A participant client (a phone app, another front end) runs a whole conversation with
``next-statement``, ``votes``, ``statements`` and ``attributes``, identified by the
``X-Participant-Token`` that the first of these calls hands out; the rules are the voting
page's (views ``cast``, ``add_statement``, ``about_you``) through the same forms and actions.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, HeaderEx, P, Router, Schema, Status
from ninja.errors import HttpError
from ninja.utils import check_csrf

from kientao.conversations import actions, analysis
from kientao.conversations.forms import AttributesForm, clean_statement_text
from kientao.conversations.models import Conversation, Participant, hash_token
from kientao.core.models import ApiToken
from kientao.core.permissions import Action, can

router = Router(tags=["conversations"])
_PUBLIC_ID = re.compile(r"[A-Za-z0-9]{4,20}")
TOKEN_HEADER = "X-Participant-Token"  # noqa: S105  (a header name)


def _conversation(public_id: str) -> Conversation:
    if not _PUBLIC_ID.fullmatch(public_id):
        raise Http404
    return get_object_or_404(Conversation.objects.select_related("organisation"), public_id=public_id)


def _ambient_allowed(request: HttpRequest) -> bool:
    """Whether the browser's own credentials (session, the voting page's cookie) may speak
    for the caller: always on reads; on writes only with a valid CSRF token.

    These endpoints are open to anonymous callers (``auth=None``), so ninja checks no CSRF
    token; without this another site could post, in a signed-in visitor's name, whatever
    the SameSite cookie policy lets through. API clients send a bearer token or
    ``X-Participant-Token`` instead, which no other site holds.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    return check_csrf(request) is None


def _user(request: HttpRequest) -> Any:
    """The owner of a bearer token, else the session user when allowed (see
    :func:`_ambient_allowed`), else anonymous (these endpoints also serve anonymous callers)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = ApiToken.authenticate(header[7:].strip())
        if user is not None:
            return user
    return request.user if _ambient_allowed(request) else AnonymousUser()


def _page_cookie(request: HttpRequest, public_id: str) -> str | None:
    """The voting page's participant cookie, when allowed (see :func:`_ambient_allowed`)."""
    return request.COOKIES.get(f"kt_conv_{public_id}") if _ambient_allowed(request) else None


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


class NextStatementOut(Schema):
    statement: StatementOut | None = Field(
        description="The statement to vote on next; null when the participant has voted on every "
                    "statement shown, or when the conversation is not open (see is_open).")
    voted: int = Field(description="Statements shown to participants that the caller has voted on.")
    total: int = Field(description="Statements shown to participants.")
    is_open: bool = Field(description="Whether the conversation takes votes and statements now.")
    participant_token: str | None = Field(
        None, description=f"A new participant token, to send as {TOKEN_HEADER} with the votes and "
                          "statements that follow (null when the caller was already known).")


class StatementIn(Schema):
    text: str = Field(description="One idea, in the caller's words (5 to 280 characters once spaces "
                                  "are tidied).")


class StatementCreatedOut(Schema):
    id: int
    status: str = Field(description="pending (awaiting a moderator) or accepted.")
    visible: bool = Field(description="Whether participants are shown it now: under pre-moderation "
                                      "only once a moderator accepts it.")
    participant_token: str | None = Field(
        None, description=f"A new participant's token, to send back as {TOKEN_HEADER} "
                          "(null when the caller was already known).")


class FieldErrorOut(Schema):
    detail: str = Field(description="Why the request was refused.")
    field: str | None = Field(None, description="The refused field: text, consent, or answers.<question "
                                                "key> (absent when the body is not JSON at all).")


class QuestionOut(Schema):
    key: str
    label_vi: str
    label_en: str
    choices: list[str] = Field(description="The answers offered; leaving a question out means "
                                           "\"prefer not to say\".")


class AttributeQuestionsOut(Schema):
    questions: list[QuestionOut]
    consent_text: str = Field(description="Why the organisers ask and how the answers are used; show it "
                                          "before asking for consent.")


class AttributesIn(Schema):
    answers: dict[str, str | None] = Field(
        {}, description="Choice per question key; leave a key out (or send null or \"\") for \"prefer "
                        "not to say\".")
    consent: bool = Field(False, description="The participant agrees that the answers are used as the "
                                             "consent text says; required.")


class AttributesOut(Schema):
    answers: dict[str, str] = Field(description="The caller's answers as stored.")
    consented: bool = Field(description="Whether a consent is on record (false when every answer was "
                                        "\"prefer not to say\").")


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
ParticipantToken = HeaderEx[str | None, P(
    alias=TOKEN_HEADER,
    description="The participant token returned by an earlier call (optional: without it the "
                "caller is a new participant).")]


def _participant(request: HttpRequest, conversation: Conversation,
                 header: str | None) -> tuple[Participant | None, str, bool]:
    """The calling participant (None before their first vote or statement), their token, and
    whether that token is new (to hand back). The token comes from the header, else from the
    voting page's cookie, as for votes."""
    token, fresh = actions.participant_token(header or _page_cookie(request, conversation.public_id))
    participant = actions.find_participant(conversation, None if fresh else token, _user(request))
    if participant is None and not fresh and Participant.objects.filter(token_hash=hash_token(token)).exists():
        # Another conversation's token: a token hash names one participant, so start afresh.
        token, fresh = actions.participant_token(None)
    return participant, token, fresh


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
    token, _fresh = actions.participant_token(participant_token or _page_cookie(request, public_id))
    try:
        new = actions.record_vote(public_id, payload.statement, payload.vote, token, _user(request),
                                  actions.address_key(request))
    except actions.VoteRefused as exc:
        raise HttpError(exc.status, str(exc)) from None
    except actions.RateLimitError:
        raise HttpError(429, "Too many votes in a short time.") from None
    return {"statement": payload.statement, "vote": payload.vote, "participant_token": new}


@router.get("/{public_id}/next-statement", response={200: NextStatementOut, **NOT_FOUND}, auth=None,
            summary="The next statement to vote on",
            description="Picks the caller's next statement as the voting page does (Pol.is routing: "
                        "weighted by the analysis's priorities, never one the caller voted on, only "
                        "statements shown to participants), with the caller's progress. Without "
                        f"{TOKEN_HEADER}, the answer carries a new participant token to send with "
                        "the votes. statement is null once every statement is voted on, and while "
                        "the conversation is not open. 404: no such conversation.")
def statement_next(request: HttpRequest, response: HttpResponse, public_id: str,
                   participant_token: ParticipantToken = None) -> dict[str, Any]:
    c = _conversation(public_id)
    participant, token, fresh = _participant(request, c, participant_token)
    statement, voted, total = analysis.next_statement(c, participant)
    is_open = c.is_open()
    add_never_cache_headers(response)  # it is the caller's own
    return {"statement": statement if is_open else None, "voted": voted, "total": total,
            "is_open": is_open, "participant_token": token if fresh and participant is None else None}


@router.post("/{public_id}/statements", auth=None,
             response={201: StatementCreatedOut, 400: FieldErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut, 429: ErrorOut},
             summary="Add a statement",
             description="Adds the caller's statement for the others to vote on, with the voting "
                         "page's rules: spaces tidied, 5 to 280 characters, not a repeat of a "
                         "statement shown or of the caller's own. Under pre-moderation it waits for a "
                         "moderator before anyone is shown it; under post-moderation it is shown at "
                         f"once. Anonymous callers send {TOKEN_HEADER} to write as the participant "
                         "who votes. 400: the text is refused (field says which), or the body is "
                         "not JSON; 403: the conversation is not open, or takes no statements from "
                         "participants; 404: no such conversation; 422: malformed body; 429: too many "
                         "statements in ten minutes from this participant or this network address.")
def statement_create(request: HttpRequest, public_id: str, payload: StatementIn,
                     participant_token: ParticipantToken = None) -> Status[dict[str, Any]]:
    c = _conversation(public_id)
    if not c.is_open() or not c.allow_statements:
        raise HttpError(403, _("New statements are not accepted here."))
    try:
        text = clean_statement_text(payload.text)
    except forms.ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages), "field": "text"})
    participant, token, _fresh = _participant(request, c, participant_token)
    try:
        actions.check_rate("statement", actions.statement_rate_key(token, _user(request)),
                           actions.address_key(request))
    except actions.RateLimitError:
        raise HttpError(429, _("You have added several statements already. Please wait a few minutes.")) from None
    if actions.repeats_statement(c, participant, text):
        return Status(400, {"detail": _("This statement is already part of the conversation."),
                            "field": "text"})
    user = _user(request)
    participant, new = actions.get_or_create_participant(c, token, user)
    statement = actions.add_statement(c, text, participant=participant, user=user,
                                      language=getattr(request, "LANGUAGE_CODE", "vi") or "vi")
    return Status(201, {"id": statement.pk, "status": statement.status, "participant_token": new,
                        "visible": c.visible_statements().filter(pk=statement.pk).exists()})


@router.get("/{public_id}/attributes", response={200: AttributeQuestionsOut, **NOT_FOUND}, auth=None,
            summary="The \"about you\" questions",
            description="The optional questions about the participant (labels in Vietnamese and "
                        "English, the choices) and the consent text to show with them. Public. 404: "
                        "no such conversation.")
def attribute_questions(request: HttpRequest, public_id: str) -> dict[str, Any]:
    c = _conversation(public_id)
    return {"questions": [{"key": str(q["key"]), "label_vi": str(q.get("label_vi") or ""),
                           "label_en": str(q.get("label_en") or ""),
                           "choices": [str(choice) for choice in q.get("choices", [])]}
                          for q in c.questions()],
            "consent_text": c.consent_text}


@router.post("/{public_id}/attributes", auth=None,
             response={200: AttributesOut, 400: FieldErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut},
             summary="Answer the \"about you\" questions",
             description="Stores the caller's answers, with their consent, as the voting page's form "
                         "does; a second call replaces them. Only for a participant who has voted or "
                         f"written (send {TOKEN_HEADER}). 400: an unknown question or choice, no "
                         "consent (field says which), an unknown participant, a conversation "
                         "without questions, or a body that is not JSON; 403: the conversation is "
                         "not open; 404: no such conversation; 422: malformed body.")
def attributes_save(request: HttpRequest, public_id: str, payload: AttributesIn,
                    participant_token: ParticipantToken = None) -> Status[dict[str, Any]] | dict[str, Any]:
    c = _conversation(public_id)
    if not c.is_open():
        raise HttpError(403, _("This conversation is not open."))
    questions = c.questions()
    known = {str(q["key"]) for q in questions}
    for key in payload.answers:
        if key not in known:
            return Status(400, {"detail": _("This conversation has no question %(key)s.") % {"key": key[:40]},
                                "field": f"answers.{key[:40]}"})
    if not questions:
        raise HttpError(400, _("This conversation asks no questions about its participants."))
    participant, _token, _fresh = _participant(request, c, participant_token)
    if participant is None:
        raise HttpError(400, _("Vote on a few statements first."))
    data = {f"q_{key}": value or "" for key, value in payload.answers.items()}
    if payload.consent:
        data["consent"] = "on"
    form = AttributesForm(questions, data)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        return Status(400, {"detail": " ".join(str(e) for e in errors),
                            "field": "consent" if name == "consent" else f"answers.{name[2:]}"})
    actions.save_attributes(participant, form.answers())
    return {"answers": participant.attributes, "consented": participant.consent_at is not None}


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
