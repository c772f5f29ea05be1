"""Pages of the conversations app: the participant's card, the organiser's pages, the report."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from http.cookies import Morsel
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kientao.conversations import actions, analysis
from kientao.conversations.forms import AttributesForm, ConversationForm, StatementForm, VoteForm
from kientao.conversations.models import (
    AnalysisRun,
    Conversation,
    Participant,
    Statement,
    Vote,
    hash_token,
)
from kientao.core import audit
from kientao.core.charts import Point, scatter_chart
from kientao.core.exports import table_response
from kientao.core.permissions import Action, can, organisation_for, organisations_of, require

_PUBLIC_ID = re.compile(r"[A-Za-z0-9]{4,20}")
COOKIE_PREFIX = "kt_conv_"
COOKIE_AGE = 365 * 24 * 3600


def _conversation(public_id: str) -> Conversation:
    if not _PUBLIC_ID.fullmatch(public_id):
        raise Http404
    return get_object_or_404(Conversation.objects.select_related("organisation"), public_id=public_id)


def _cookie_name(conversation: Conversation) -> str:
    return COOKIE_PREFIX + conversation.public_id


def _set_token(response: HttpResponse, conversation: Conversation, token: str | None) -> HttpResponse:
    if token:
        response.set_cookie(_cookie_name(conversation), token, max_age=COOKIE_AGE, httponly=True,
                            samesite="Lax", path="/", secure=False)
    return response


# --- index and organiser pages -------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    mine = organisations_of(request.user)
    conversations = (
        Conversation.objects.filter(organisation__in=mine).select_related("organisation")
        if mine else Conversation.objects.none()
    )
    published = Conversation.objects.filter(report_published=True).select_related("organisation")[:20]
    organise = [org for org in mine if can(request.user, Action.ORGANISE, org)]
    return render(request, "conversations/index.html",
                  {"conversations": conversations, "published": published, "organise": organise})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = organisation_for(request.user, org_slug, Action.ORGANISE)
    form = ConversationForm(request.POST if request.method == "POST" else None, instance=Conversation(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        conversation = form.save(commit=False)
        actions.save_conversation(conversation, request.user, form.cleaned_data["seeds"], None)  # type: ignore[arg-type]
        return redirect("conversations:manage", conversation.public_id)
    status = 400 if form.is_bound else 200
    return render(request, "conversations/form.html", {"form": form, "organisation": organisation},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    require(request.user, Action.ORGANISE, conversation.organisation)
    before = audit.snapshot(conversation, actions.CONVERSATION_FIELDS)
    form = ConversationForm(request.POST if request.method == "POST" else None, instance=conversation)
    if request.method == "POST" and form.is_valid():
        conversation = form.save(commit=False)
        actions.save_conversation(conversation, request.user, form.cleaned_data["seeds"], before)  # type: ignore[arg-type]
        return redirect("conversations:manage", conversation.public_id)
    status = 400 if form.is_bound else 200
    return render(request, "conversations/form.html",
                  {"form": form, "organisation": conversation.organisation, "conversation": conversation},
                  status=status)


def _qr_svg(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=4, title=url))


@login_required
@require_GET
def manage(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    require(request.user, Action.VIEW, conversation.organisation)
    url = request.build_absolute_uri(conversation.get_absolute_url())
    embed_url = request.build_absolute_uri(reverse("conversations:embed", args=[public_id]))
    counts = conversation.statements.aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(status=Statement.Status.PENDING)))
    context = {
        "conversation": conversation,
        "can_organise": can(request.user, Action.ORGANISE, conversation.organisation),
        "public_url": url,
        "embed_url": embed_url,
        "qr": _qr_svg(url),
        "counts": counts,
        "n_participants": conversation.participants.count(),
        "n_votes": Vote.objects.filter(statement__conversation=conversation).count(),
        "latest": conversation.analyses.first(),
        "job": _readable_job(actions.analysis_in_progress(conversation)),
    }
    return render(request, "conversations/manage.html", context)


def _readable_job(job: Any) -> Any:
    """The analysis job with the engine's progress message in the reader's language (not saved)."""
    if job is not None and job.message:
        job.message = analysis.progress_message(job.message)
    return job


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    require(request.user, Action.ORGANISE, conversation.organisation)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        raw_id = request.POST.get("statement", "")
        statuses = {"accept": Statement.Status.ACCEPTED, "reject": Statement.Status.REJECTED,
                    "meta": Statement.Status.ACCEPTED}
        if decision not in statuses or not raw_id.isdigit():
            return HttpResponse(_("Choose a statement and a decision."), status=400)
        statement = get_object_or_404(Statement, pk=int(raw_id), conversation=conversation)
        actions.moderate(statement, statuses[decision], request.user,  # type: ignore[arg-type]
                         is_meta=True if decision == "meta" else None)
        return redirect("conversations:moderate", public_id)
    pending = list(conversation.statements.filter(status=Statement.Status.PENDING))
    hints = analysis.duplicate_hints(conversation, pending)
    rows = [(s, hints.get(s.pk, [])) for s in pending]
    recent = conversation.statements.exclude(status=Statement.Status.PENDING).order_by("-pk")[:50]
    return render(request, "conversations/moderate.html",
                  {"conversation": conversation, "rows": rows, "recent": recent})


@login_required
@require_POST
def analyse(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    require(request.user, Action.ORGANISE, conversation.organisation)
    actions.start_analysis(conversation, request.user)
    return redirect("conversations:manage", public_id)


@login_required
@require_POST
def publish(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    require(request.user, Action.ORGANISE, conversation.organisation)
    actions.set_published(conversation, request.POST.get("published") == "1", request.user)  # type: ignore[arg-type]
    return redirect("conversations:manage", public_id)


# --- report ---------------------------------------------------------------------------------


def _report_access(request: HttpRequest, conversation: Conversation) -> HttpResponse | None:
    """None when the report may be shown; a login redirect for anonymous visitors; else raise."""
    if conversation.report_published:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require(request.user, Action.VIEW, conversation.organisation)
    return None


def is_manager(user: Any, conversation: Conversation) -> bool:
    """Whether the user runs the conversation (moderates it), and so may read every statement."""
    return can(user, Action.ORGANISE, conversation.organisation)


def _attribute_labels(conversation: Conversation) -> dict[str, str]:
    """Each attribute question's label in the active language (the other language, else the key)."""
    first, second = ("label_vi", "label_en") if (get_language() or "en").startswith("vi") else ("label_en", "label_vi")
    return {str(q["key"]): str(q.get(first) or q.get(second) or q["key"]) for q in conversation.questions()}


def _group_name(g: int) -> str:
    return _("Group %(letter)s") % {"letter": chr(ord("A") + g)}


def _with_texts(rows: list[dict[str, Any]], texts: dict[int, str]) -> list[dict[str, Any]]:
    """Representative statements with their text and the agree share among those who voted."""
    return [dict(r, text=texts.get(r["statement"], ""),
                 agree_share=(r["n_agree"] / r["n_seen"]) if r["n_seen"] else None) for r in rows]


def report_context(conversation: Conversation, run: AnalysisRun | None) -> dict[str, Any]:
    """What the report shows: the same for everyone, so only statements anyone may read."""
    public = analysis.public_statement_ids(conversation)
    texts = dict(conversation.statements.filter(pk__in=public).values_list("pk", "text"))
    context: dict[str, Any] = {"conversation": conversation, "run": run}
    if run is None:
        return context
    res = analysis.public_results(run.results, public)
    excluded = {s["statement"] for s in res.get("statements", []) if s.get("excluded")}
    labels = _attribute_labels(conversation)
    n_groups = int(res.get("n_groups", 0))
    names = [_group_name(g) for g in range(n_groups)]
    points = [Point(x=p[2] if p[2] is not None else float("nan"), y=p[3] if p[3] is not None else float("nan"),
                    group=p[1]) for p in res.get("participants", []) if p[1] >= 0]
    context["chart"] = scatter_chart(points, title=_("Opinion map"), group_names=names) if points else None
    groups = []
    for g in res.get("groups", []):
        groups.append({
            "name": names[g["id"]], "size": g["size"],
            "repness": _with_texts(g["repness"], texts),
            "subgroups": [{"name": f"{names[g['id']]}{sg['id'] + 1}", "size": sg["size"],
                           "repness": _with_texts(sg["repness"], texts)} for sg in g.get("subgroups", [])],
        })
    stats = [dict(s, text=texts.get(s["statement"], "")) for s in res.get("statements", [])
             if not s.get("excluded")]
    context.update({
        "group_names": names,
        "groups": groups,
        "consensus": [dict(c, text=texts.get(c["statement"], "")) for c in res.get("consensus", [])],
        "divisive": sorted([s for s in stats if s.get("divisiveness")],
                           key=lambda s: -(s["divisiveness"] or 0))[:5] if n_groups > 1 else [],
        "statements": stats,
        "disaggregation": [dict(d, text=texts.get(d["statement"], ""),
                                attribute_label=labels.get(d["attribute"], d["attribute"]))
                           for d in res.get("disaggregation", []) if d["statement"] not in excluded],
        "min_cell": res.get("min_cell", analysis.min_cell()),
    })
    return context


@require_GET
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if (refused := _report_access(request, conversation)) is not None:
        return refused
    run = conversation.analyses.first()
    context = report_context(conversation, run)
    context["is_member"] = can(request.user, Action.VIEW, conversation.organisation)
    return render(request, "conversations/report.html", context)


EXPORT_TABLES = ("statements", "participants", "groups")


@require_GET
def export(request: HttpRequest, public_id: str, table: str, fmt: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if (refused := _report_access(request, conversation)) is not None:
        return refused
    if table not in EXPORT_TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    run = conversation.analyses.first()
    res = run.results if run else {}
    statements = conversation.statements.only("pk", "status", "text")
    if not is_manager(request.user, conversation):
        # Everyone else gets only statements shown to participants (see public_results).
        public = analysis.public_statement_ids(conversation)
        res = analysis.public_results(res, public)
        statements = statements.filter(pk__in=public)
    texts = {s.pk: s.text for s in statements}
    moderated = {s.pk: s.moderated for s in statements}
    name = f"conversation-{conversation.public_id}-{table}"
    n_groups = int(res.get("n_groups", 0))
    if table == "statements":
        # ``moderated`` as in Pol.is's comments.csv: 1 accepted, 0 pending, -1 rejected.
        headers = ["statement", "text", "n_seen", "n_agree", "n_disagree", "n_pass", "agree_share",
                   "group_informed_consensus", "divisiveness", "moderated"] + [
                       f"group_{chr(65 + g)}_agree_share" for g in range(n_groups)]
        rows: list[list[Any]] = [
            [s["statement"], texts.get(s["statement"], ""), s["n_seen"], s["n_agree"], s["n_disagree"],
             s["n_pass"], s["agree_share"], s["gic"], s["divisiveness"], moderated.get(s["statement"], ""),
             *s.get("groups", [])]
            for s in res.get("statements", [])
        ]
    elif table == "participants":
        headers = ["participant", "group", "x", "y"]
        rows = [[p[0], chr(65 + p[1]) if p[1] >= 0 else "", p[2], p[3]] for p in analysis.participant_rows(run)]
    else:
        headers = ["group", "size", "rank", "statement", "text", "direction", "n_agree", "n_disagree",
                   "n_seen", "p"]
        rows = [
            [chr(65 + g["id"]), g["size"], i + 1, r["statement"], texts.get(r["statement"], ""),
             r["direction"], r["n_agree"], r["n_disagree"], r["n_seen"], r["p"]]
            for g in res.get("groups", []) for i, r in enumerate(g["repness"])
        ]
    return table_response(name, headers, rows, fmt)


@require_GET
def export_polis(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if (refused := _report_access(request, conversation)) is not None:
        return refused
    data = analysis.polis_export_zip(conversation, public_only=not is_manager(request.user, conversation))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.public_id}-polis.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- participants ---------------------------------------------------------------------------


def _participant(request: HttpRequest, conversation: Conversation) -> Participant | None:
    return actions.find_participant(conversation, request.COOKIES.get(_cookie_name(conversation)),
                                    request.user)


def conversation_languages(request: HttpRequest, conversation: Conversation) -> list[str]:
    """The languages a participant page offers: the conversation's own.

    When the visitor's language (browser, cookie) is not one the conversation is held in,
    the page switches to the conversation's first language, so a Vietnamese-only
    conversation never shows its voting card in English.
    """
    known = [code for code, _name in settings.LANGUAGES]
    offered = [code for code in (conversation.languages or []) if code in known] or known
    current = (get_language() or "").split("-")[0]
    if current not in offered:
        translation.activate(offered[0])
        request.LANGUAGE_CODE = offered[0]
    return offered


def _card_context(request: HttpRequest, conversation: Conversation, *, embed: bool = False,
                  participant: Participant | None = None, **extra: Any) -> dict[str, Any]:
    languages = conversation_languages(request, conversation)
    if participant is None:
        participant = _participant(request, conversation)
    statement, done, total = analysis.next_statement(conversation, participant)
    questions = conversation.questions()
    show_about = (bool(questions) and participant is not None and participant.consent_at is None
                  and done >= 3)
    return {
        "conversation": conversation,
        "statement": statement,
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "is_open": conversation.is_open(),
        "embed": embed,
        "conversation_languages": languages,
        "statement_form": extra.pop("statement_form", None) or StatementForm(),
        "about_form": extra.pop("about_form", None) or (AttributesForm(questions) if show_about else None),
        **extra,
    }


@require_GET
def vote(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    return render(request, "conversations/vote.html", _card_context(request, conversation))


# --- embedded widget (cookie-free) ----------------------------------------------------------
#
# In another site's iframe the browser does not send our SameSite=Lax cookies (session,
# CSRF, participant token), so the widget carries its own state in hidden form fields:
#
# * ``participant``: the participant's random token, signed (salt below) and bound to the
#   conversation, so only tokens this server issued for this conversation are accepted;
# * ``nonce``: a signed, time-limited value bound to the conversation and to that token.
#
# The POST endpoint is csrf_exempt. This is safe because it carries no ambient authority:
# it ignores every cookie and the signed-in account, so a forged cross-site request can
# only cast a vote for the anonymous participant whose signed token it already holds —
# which only that participant's own page has (the token never appears in a URL, the page
# is not cached, and other origins cannot read the iframe). Rate limits still apply.

EMBED_PARTICIPANT_SALT = "kientao.conversations.embed.participant"
EMBED_NONCE_SALT = "kientao.conversations.embed.nonce"
EMBED_NONCE_SECONDS = 6 * 3600


class EmbedRefused(Exception):  # noqa: N818  (a refusal, not a failure)
    """The embed form's signed fields are missing, forged or expired."""


def embed_fields(conversation: Conversation, token: str) -> dict[str, str]:
    """The hidden fields of the embed forms: signed participant token and a fresh nonce."""
    from django.core import signing

    participant = signing.dumps({"c": conversation.public_id, "t": token}, salt=EMBED_PARTICIPANT_SALT,
                                compress=True)
    nonce = signing.TimestampSigner(salt=EMBED_NONCE_SALT).sign_object(
        {"c": conversation.public_id, "p": hash_token(token)[:16], "n": actions.new_token()[:12]})
    return {"participant": participant, "nonce": nonce}


def embed_token(conversation: Conversation, data: Any) -> str:
    """The participant token of a valid embed POST (signed token + fresh nonce); raise EmbedRefused otherwise."""
    from django.core import signing

    token = embed_participant_token(conversation, data.get("participant"))
    raw_nonce = str(data.get("nonce", ""))
    if not raw_nonce or len(raw_nonce) > 500:
        raise EmbedRefused
    try:
        nonce = signing.TimestampSigner(salt=EMBED_NONCE_SALT).unsign_object(raw_nonce, max_age=EMBED_NONCE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        raise EmbedRefused from None
    if (not isinstance(nonce, dict) or nonce.get("c") != conversation.public_id
            or nonce.get("p") != hash_token(token)[:16]):
        raise EmbedRefused
    return token


def embed_participant_token(conversation: Conversation, raw: Any) -> str:
    """The participant token inside a signed ``participant`` field; raise EmbedRefused otherwise."""
    from django.core import signing

    raw = str(raw or "")
    if not raw or len(raw) > 500:
        raise EmbedRefused
    try:
        payload = signing.loads(raw, salt=EMBED_PARTICIPANT_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise EmbedRefused from None
    if not isinstance(payload, dict):
        raise EmbedRefused
    token = payload.get("t")
    if payload.get("c") != conversation.public_id or not isinstance(token, str) or not 16 <= len(token) <= 200:
        raise EmbedRefused
    return token


class _PartitionedMorsel(Morsel):  # type: ignore[type-arg]
    """A cookie with the ``Partitioned`` attribute (CHIPS), which http.cookies lacks before 3.14."""

    def OutputString(self, attrs: Any = None) -> str:  # noqa: N802  (Morsel's name)
        return super().OutputString(attrs) + "; Partitioned"


def embed_cookie_name(conversation: Conversation) -> str:
    return f"kt_embed_{conversation.public_id}"


def _keep_embed_participant(response: HttpResponse, conversation: Conversation, signed: str) -> None:
    """Keep the signed participant in a partitioned cookie, for the next load of the widget.

    Browsers that block third-party cookies still keep a ``Partitioned`` one (CHIPS) per
    embedding site, so a reload on the partner's page finds the same participant. The
    cookie is read only by the widget's GET (see ``embed``): every write still needs the
    page's signed fields and nonce, so it lends no authority to a forged request.
    """
    morsel = _PartitionedMorsel()
    morsel.set(embed_cookie_name(conversation), signed, signed)
    morsel.update({"path": reverse("conversations:embed", args=[conversation.public_id]),
                   "max-age": str(365 * 24 * 3600), "secure": "1", "httponly": "1", "samesite": "None"})
    response.cookies[embed_cookie_name(conversation)] = morsel


def _embed_page(request: HttpRequest, conversation: Conversation, token: str, *, status: int = 200,
                participant: Participant | None = None, fresh: bool = False, **extra: Any) -> HttpResponse:
    if participant is None:
        participant = actions.find_participant(conversation, token, None)
    context = _card_context(request, conversation, embed=True, participant=participant,
                            embed_fields=embed_fields(conversation, token), embed_fresh=fresh, **extra)
    template = "conversations/card.html" if request.headers.get("X-Kientao-Fetch") else "conversations/vote.html"
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    _keep_embed_participant(response, conversation, context["embed_fields"]["participant"])
    return response


@require_GET
@xframe_options_exempt
def embed(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    # A first-party embed may still have the cookie; in a third-party frame it is absent.
    token, fresh = actions.participant_token(request.COOKIES.get(_cookie_name(conversation)))
    if fresh:  # no first-party cookie (a third-party frame): the widget's partitioned one?
        with contextlib.suppress(EmbedRefused):
            token = embed_participant_token(conversation, request.COOKIES.get(embed_cookie_name(conversation)))
            fresh = False
    # Still ``fresh``: the page's script asks to resume the participant it kept in local
    # storage, if any (see embed_resume), for browsers that refuse even that cookie.
    return _embed_page(request, conversation, token, fresh=fresh)


@csrf_exempt
@require_POST
@xframe_options_exempt
def embed_resume(request: HttpRequest, public_id: str) -> HttpResponse:
    """The widget's card for the participant whose signed token the browser kept.

    Third-party frames get no cookies, but their script may keep the signed participant
    field in the frame's (partitioned) local storage; a reload then posts it here to carry
    on as the same participant. It reads only: no vote, no write, so no nonce is needed.
    """
    conversation = _conversation(public_id)
    try:
        token = embed_participant_token(conversation, request.POST.get("participant"))
    except EmbedRefused:
        fresh, _new = actions.participant_token(None)
        return _embed_page(request, conversation, fresh, status=403, fresh=True)
    return _embed_page(request, conversation, token)


EmbedWriteView = Callable[[HttpRequest, Conversation, str], HttpResponse]


def embed_write(view: EmbedWriteView) -> Callable[[HttpRequest, str], HttpResponse]:
    """A cookie-free POST of the embedded widget (vote, statement, "about you").

    Checks the signed participant field and nonce and that the conversation is open,
    answering the refusal page otherwise, then calls ``view(request, conversation,
    token)``. No CSRF token, no cookie, no account: see the comment above.
    """

    @csrf_exempt
    @require_POST
    @xframe_options_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, public_id: str) -> HttpResponse:
        conversation = _conversation(public_id)
        try:
            token = embed_token(conversation, request.POST)
        except EmbedRefused:
            fresh, _new = actions.participant_token(None)
            return _embed_page(request, conversation, fresh, status=403, fresh=True,
                               error=_("This voting form has expired. Please vote again."))
        if not conversation.is_open():
            return _embed_page(request, conversation, token, status=403,
                               error=_("This conversation is not open for votes."))
        return view(request, conversation, token)

    return wrapper


def _statement_notice(conversation: Conversation) -> str:
    """What a participant is told after adding a statement."""
    if conversation.moderation == Conversation.Moderation.PRE:
        return _("Thank you. Your statement will appear once a moderator has accepted it.")
    return _("Thank you. Your statement has been added.")


@embed_write
def embed_add_statement(request: HttpRequest, conversation: Conversation, token: str) -> HttpResponse:
    """A statement from the embedded widget (cookie-free, like embed_cast)."""
    if not conversation.allow_statements:
        return _embed_page(request, conversation, token, status=403,
                           error=_("New statements are not accepted here."))
    form = StatementForm(request.POST)
    if form.is_valid() and actions.repeats_statement(
            conversation, actions.find_participant(conversation, token, None), form.cleaned_data["text"]):
        form.add_error("text", _("This statement is already part of the conversation."))
    if not form.is_valid():
        return _embed_page(request, conversation, token, status=400, statement_form=form)
    try:
        actions.check_rate("statement", hash_token(token)[:32], actions.address_key(request))
    except actions.RateLimitError:
        return _embed_page(request, conversation, token, status=429,
                           error=_("You have added several statements already. Please wait a few minutes."))
    participant, _created = actions.get_or_create_participant(conversation, token, None)
    language = getattr(request, "LANGUAGE_CODE", "vi") or "vi"
    actions.add_statement(conversation, form.cleaned_data["text"], participant=participant,
                          user=None, language=language)
    return _embed_page(request, conversation, token, participant=participant, notice=_statement_notice(conversation))


@embed_write
def embed_about_you(request: HttpRequest, conversation: Conversation, token: str) -> HttpResponse:
    """The optional "about you" answers from the embedded widget (cookie-free)."""
    participant = actions.find_participant(conversation, token, None)
    if participant is None or not conversation.questions():
        return _embed_page(request, conversation, token, status=400, error=_("Vote on a few statements first."))
    form = AttributesForm(conversation.questions(), request.POST)
    if not form.is_valid():
        return _embed_page(request, conversation, token, status=400, participant=participant, about_form=form)
    actions.save_attributes(participant, form.answers())
    return _embed_page(request, conversation, token, participant=participant)


@embed_write
def embed_cast(request: HttpRequest, conversation: Conversation, token: str) -> HttpResponse:
    """A vote from the embedded widget: no cookie, no session, no CSRF token (see above)."""
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _embed_page(request, conversation, token, status=400, error=_("Choose Agree, Disagree or Pass."))
    statement = conversation.visible_statements().filter(pk=form.cleaned_data["statement"]).first()
    if statement is None:
        return _embed_page(request, conversation, token, status=400,
                           error=_("This statement is not part of the conversation."))
    try:
        actions.check_rate("vote", hash_token(token)[:32], actions.address_key(request))
    except actions.RateLimitError:
        return _embed_page(request, conversation, token, status=429,
                           error=_("Too many votes in a short time. Please wait a minute."))
    # Never the signed-in account: the request carries no ambient authority.
    participant, _created = actions.get_or_create_participant(conversation, token, None)
    actions.cast_vote(participant, statement, form.cleaned_data["vote"])
    actions.maybe_recompute(conversation)
    return _embed_page(request, conversation, token, participant=participant)


def _after_write(request: HttpRequest, conversation: Conversation, token: str | None,
                 participant: Participant, **extra: Any) -> HttpResponse:
    embed = request.POST.get("embed") == "1"
    if request.headers.get("X-Kientao-Fetch") == "card":
        context = _card_context(request, conversation, embed=embed, participant=participant, **extra)
        response = render(request, "conversations/card.html", context)
    else:
        target = "conversations:embed" if embed else "conversations:vote"
        response = redirect(target, conversation.public_id)
    return _set_token(response, conversation, token)


def _refusal(request: HttpRequest, conversation: Conversation, message: str, status: int) -> HttpResponse:
    context = _card_context(request, conversation, embed=request.POST.get("embed") == "1", error=message)
    template = "conversations/card.html" if request.headers.get("X-Kientao-Fetch") else "conversations/vote.html"
    return render(request, template, context, status=status)


@require_POST
def cast(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if not conversation.is_open():
        return _refusal(request, conversation, _("This conversation is not open for votes."), 403)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _refusal(request, conversation, _("Choose Agree, Disagree or Pass."), 400)
    statement = conversation.visible_statements().filter(pk=form.cleaned_data["statement"]).first()
    if statement is None:
        return _refusal(request, conversation, _("This statement is not part of the conversation."), 400)
    token, _fresh = actions.participant_token(request.COOKIES.get(_cookie_name(conversation)))
    participant_key = hash_token(token)[:32]
    try:
        actions.check_rate("vote", participant_key, actions.address_key(request))
    except actions.RateLimitError:
        return _refusal(request, conversation, _("Too many votes in a short time. Please wait a minute."), 429)
    participant, new = actions.get_or_create_participant(conversation, token, request.user)
    actions.cast_vote(participant, statement, form.cleaned_data["vote"])
    actions.maybe_recompute(conversation)
    return _after_write(request, conversation, new, participant)


@require_POST
def add_statement(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if not conversation.is_open() or not conversation.allow_statements:
        return _refusal(request, conversation, _("New statements are not accepted here."), 403)
    form = StatementForm(request.POST)
    if form.is_valid() and actions.repeats_statement(conversation, _participant(request, conversation),
                                                     form.cleaned_data["text"]):
        form.add_error("text", _("This statement is already part of the conversation."))
    if not form.is_valid():
        context = _card_context(request, conversation, statement_form=form)
        return render(request, "conversations/vote.html", context, status=400)
    token, _fresh = actions.participant_token(request.COOKIES.get(_cookie_name(conversation)))
    participant_key = actions.statement_rate_key(token, request.user)
    try:
        actions.check_rate("statement", participant_key, actions.address_key(request))
    except actions.RateLimitError:
        return _refusal(request, conversation,
                        _("You have added several statements already. Please wait a few minutes."), 429)
    participant, new = actions.get_or_create_participant(conversation, token, request.user)
    language = (request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "vi") or "vi"
    actions.add_statement(conversation, form.cleaned_data["text"], participant=participant,
                          user=request.user, language=language)
    notice = _statement_notice(conversation)
    if request.headers.get("X-Kientao-Fetch") != "card":
        from django.contrib import messages

        messages.success(request, notice)
    return _after_write(request, conversation, new, participant, notice=notice)


@require_POST
def about_you(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    if not conversation.is_open():
        return _refusal(request, conversation, _("This conversation is not open for votes."), 403)
    participant = _participant(request, conversation)
    if participant is None or not conversation.questions():
        return _refusal(request, conversation, _("Vote on a few statements first."), 400)
    form = AttributesForm(conversation.questions(), request.POST)
    if not form.is_valid():
        context = _card_context(request, conversation, participant=participant, about_form=form)
        return render(request, "conversations/vote.html", context, status=400)
    actions.save_attributes(participant, form.answers())
    return _after_write(request, conversation, None, participant)
