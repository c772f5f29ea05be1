"""People's choice: one vote per verified account per challenge, rate-limited, with an anomaly report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kientao.challenges import actions, analysis
from kientao.challenges.forms import PublicVoteForm
from kientao.challenges.models import Challenge, PublicVote, Submission
from kientao.challenges.views import _challenge, _organised, _user
from kientao.core import addresses
from kientao.core.charts import bar_chart

# Attempts allowed per window: an account retrying, and one network address shared by many accounts.
ACCOUNT_LIMIT = (10, 600)
ADDRESS_LIMIT = (30, 3600)


def address_hash(request: HttpRequest) -> str:
    """A salted hash of the client's address: raw addresses are never stored."""
    return addresses.address_hash(request)


def _over_limit(key: str, limit: tuple[int, int]) -> bool:
    allowed, seconds = limit
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > allowed


def candidates(challenge: Challenge) -> QuerySet[Submission]:
    return challenge.submissions.filter(status__in=Submission.IN_REVIEW).order_by("number")


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(slug)
    if not (challenge.is_published and challenge.peoples_choice):
        raise Http404
    subs = candidates(challenge)
    own = None
    if request.user.is_authenticated:
        own = PublicVote.objects.filter(challenge=challenge, user_id=int(request.user.pk or 0)).first()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = _cast(request, challenge, subs, own)
        if status == 302:
            return redirect("challenges:vote", slug)
    return render(request, "challenges/vote.html", {
        "challenge": challenge, "submissions": subs, "own": own,
    }, status=status)


def _cast(request: HttpRequest, challenge: Challenge, subs: QuerySet[Submission], own: PublicVote | None) -> int:
    user = _user(request)
    if not challenge.voting_open:
        messages.error(request, _("Voting is not open."))
        return 400
    if not user.email_confirmed:
        messages.error(request, _("Only accounts with a confirmed e-mail address can vote."))
        return 403
    hashed = address_hash(request)
    if _over_limit(f"challenges:vote:account:{user.pk}", ACCOUNT_LIMIT) or (
            hashed and _over_limit(f"challenges:vote:address:{hashed}", ADDRESS_LIMIT)):
        messages.error(request, _("Too many attempts; try again later."))
        return 429
    if own is not None:
        messages.error(request, _("You have already voted in this challenge."))
        return 409
    form = PublicVoteForm(request.POST)
    submission = subs.filter(pk=form.cleaned_data["submission"]).first() \
        if form.is_valid() else None
    if submission is None:
        messages.error(request, _("Choose one of the listed submissions."))
        return 400
    try:
        actions.cast_public_vote(challenge, submission, user, hashed)
    except IntegrityError:
        messages.error(request, _("You have already voted in this challenge."))
        return 409
    messages.success(request, _("Thank you: your vote was recorded."))
    return 302


@login_required
@require_GET
def vote_report(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    report = analysis.vote_anomalies(challenge)
    tally = list(candidates(challenge).annotate(n_votes=Count("public_votes")).order_by("-n_votes", "number"))
    counted = [s for s in tally if getattr(s, "n_votes", 0)]
    chart = bar_chart([s.code for s in counted[:30]], [float(getattr(s, "n_votes", 0)) for s in counted[:30]],
                      title=_("People's choice votes per submission")) if counted else None
    return render(request, "challenges/vote_report.html", {
        "challenge": challenge, "report": report, "tally": tally, "chart": chart,
        "spikes": [h for h in report["hours"] if h["spike"]],
    })
