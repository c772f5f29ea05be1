"""JSON endpoints: public challenges, my submissions, my (blinded) assignments and scores, ranking,
people's choice votes, and accelerator cohorts and teams (milestones, progress reports)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, cast

from django.db import IntegrityError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kientao.challenges import actions, analysis
from kientao.challenges.forms import ProgressReportForm
from kientao.challenges.models import (
    Assignment,
    Challenge,
    Cohort,
    Mentor,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    PublicVote,
    RankingEntry,
    Submission,
    milestone_state,
)
from kientao.core.models import User
from kientao.core.permissions import Action, can, require

router = Router(tags=["challenges"])


class ChallengeOut(Schema):
    slug: str
    title: str
    summary: str
    organisation: str
    phase: str
    closes_at: Any


class SubmissionOut(Schema):
    id: int
    code: str
    challenge: str
    title: str
    status: str
    screening_reason: str


class AssignmentOut(Schema):
    id: int
    submission: str
    title: str
    challenge: str
    answers: dict[str, Any]
    scores: dict[str, int]


class ScoreIn(Schema):
    criterion: int
    value: int
    comment: str = ""


class RankOut(Schema):
    code: str
    title: str
    rank: int
    rank_best: int
    rank_worst: int
    raw_mean: float
    score: float
    score_low: float
    score_high: float
    flags: str


def _challenge_out(c: Challenge) -> dict[str, Any]:
    return {"slug": c.slug, "title": c.title, "summary": c.summary, "organisation": c.organisation.name,
            "phase": c.phase, "closes_at": c.closes_at}


@router.get("/", response=list[ChallengeOut], auth=None, summary="Published challenges")
def challenge_list(request: HttpRequest) -> Any:
    return [_challenge_out(c) for c in Challenge.objects.filter(is_published=True).select_related("organisation")]


@router.get("/mine/submissions", response=list[SubmissionOut], summary="My applications")
def my_submissions(request: HttpRequest) -> Any:
    return [
        {"id": s.pk, "code": s.code, "challenge": s.challenge.slug, "title": s.title, "status": s.status,
         "screening_reason": s.screening_reason}
        for s in Submission.objects.filter(applicant_id=int(request.user.pk or 0)).select_related("challenge")
    ]


def _blinded(a: Assignment) -> dict[str, Any]:
    blind = {f.key for f in a.submission.challenge.fields.all() if f.identifying}
    answers = {k: v for k, v in (a.submission.answers or {}).items() if k not in blind}
    return {"id": a.pk, "submission": a.submission.code, "title": a.submission.title,
            "challenge": a.submission.challenge.slug, "answers": answers,
            "scores": {str(s.criterion_id): s.value for s in a.scores.all()}}


@router.get("/mine/assignments", response=list[AssignmentOut], summary="My assignments as a judge (blinded)")
def my_assignments(request: HttpRequest) -> Any:
    qs = (Assignment.objects.filter(judge__user_id=int(request.user.pk or 0))
          .select_related("submission__challenge").prefetch_related("scores", "submission__challenge__fields"))
    return [_blinded(a) for a in qs]


@router.put("/assignments/{assignment_id}/scores", response=AssignmentOut, summary="Score my assignment")
def put_scores(request: HttpRequest, assignment_id: int, scores: list[ScoreIn]) -> Any:
    item = get_object_or_404(Assignment.objects.select_related("submission__challenge"), pk=assignment_id,
                             judge__user_id=int(request.user.pk or 0))
    challenge = item.submission.challenge
    if not challenge.scoring_open:
        raise HttpError(409, "Scoring is closed for this challenge")
    criteria = {c.pk: c for c in challenge.criteria.all()}
    values: dict[int, tuple[int, str]] = {}
    for s in scores:
        c = criteria.get(s.criterion)
        if c is None:
            raise HttpError(422, f"unknown criterion {s.criterion}")
        if not c.scale_min <= s.value <= c.scale_max:
            raise HttpError(422, f"criterion {s.criterion}: score must be {c.scale_min}–{c.scale_max}")
        values[c.pk] = (s.value, s.comment[:5000])
    actions.save_scores(item, values, request.user)  # type: ignore[arg-type]
    return _blinded(item)


@router.get("/{slug}", response=ChallengeOut, auth=None, summary="One published challenge")
def challenge_detail(request: HttpRequest, slug: str) -> Any:
    challenge = get_object_or_404(Challenge.objects.select_related("organisation"), slug=slug)
    if not challenge.is_published:
        raise Http404
    return _challenge_out(challenge)


@router.get("/{slug}/ranking", response=list[RankOut], summary="Calibrated ranking (organisers)")
def ranking(request: HttpRequest, slug: str, limit: int = 100, offset: int = 0) -> Any:
    if not (1 <= limit <= 1000) or offset < 0:
        raise HttpError(422, "limit must be 1–1000 and offset at least 0")
    challenge = get_object_or_404(Challenge.objects.select_related("organisation"), slug=slug)
    require(request.user, Action.ORGANISE, challenge.organisation)
    entries = RankingEntry.objects.filter(challenge=challenge).select_related("submission")[offset:offset + limit]
    return [{"code": e.submission.code, "title": e.submission.title, "rank": e.rank, "rank_best": e.rank_best,
             "rank_worst": e.rank_worst, "raw_mean": e.raw_mean, "score": e.score, "score_low": e.score_low,
             "score_high": e.score_high, "flags": e.flags} for e in entries]


class TeamProgressOut(Schema):
    code: str
    title: str
    milestones: int
    done: int
    late: int
    last_report: Any
    kpis: list[dict[str, Any]]


@router.get("/cohorts/{pk}/progress", response=list[TeamProgressOut],
            summary="Accelerator cohort progress per team (organisers)")
def cohort_progress(request: HttpRequest, pk: int) -> Any:
    cohort = get_object_or_404(Cohort.objects.select_related("challenge__organisation"), pk=pk)
    require(request.user, Action.ORGANISE, cohort.challenge.organisation)
    return [{"code": r["team"].code, "title": r["team"].title, "milestones": r["n_milestones"], "done": r["done"],
             "late": r["late"], "last_report": r["last_report"].created_at if r["last_report"] else None,
             "kpis": [{"name": k["kpi"].name, "unit": k["kpi"].unit, "target": k["kpi"].target,
                       "value": k["value"], "percent": k["percent"]} for k in r["kpis"]]}
            for r in analysis.cohort_progress(cohort)]


# People's choice ---------------------------------------------------------------------------------

class VoteIn(Schema):
    submission: int


class VoteOut(Schema):
    challenge: str
    submission: str
    title: str
    created_at: datetime


@router.post("/{slug}/votes", response={201: VoteOut}, summary="Cast my people's choice vote",
             description="One vote per account with a confirmed e-mail address, while voting is open, for one of "
                         "the eligible submissions listed on the public voting page. 400: voting not open; "
                         "403: e-mail not confirmed; 404: unknown challenge or submission; 409: already voted; "
                         "429: too many attempts.")
def cast_vote(request: HttpRequest, slug: str, data: VoteIn) -> Any:
    from kientao.challenges import peoples_choice

    challenge = get_object_or_404(Challenge.objects.select_related("organisation"), slug=slug)
    if not (challenge.is_published and challenge.peoples_choice):
        raise Http404
    user = cast(User, request.user)
    if not challenge.voting_open:
        raise HttpError(400, str(_("Voting is not open.")))
    if not user.email_confirmed:
        raise HttpError(403, str(_("Only accounts with a confirmed e-mail address can vote.")))
    hashed = peoples_choice.address_hash(request)
    if peoples_choice._over_limit(f"challenges:vote:account:{user.pk}", peoples_choice.ACCOUNT_LIMIT) or (
            hashed and peoples_choice._over_limit(f"challenges:vote:address:{hashed}", peoples_choice.ADDRESS_LIMIT)):
        raise HttpError(429, str(_("Too many attempts; try again later.")))
    if PublicVote.objects.filter(challenge=challenge, user_id=int(user.pk or 0)).exists():
        raise HttpError(409, str(_("You have already voted in this challenge.")))
    submission = peoples_choice.candidates(challenge).filter(pk=data.submission).first()
    if submission is None:
        raise HttpError(404, str(_("Choose one of the listed submissions.")))
    try:
        vote = actions.cast_public_vote(challenge, submission, user, hashed)
    except IntegrityError:
        raise HttpError(409, str(_("You have already voted in this challenge."))) from None
    return Status(201, {"challenge": challenge.slug, "submission": submission.code, "title": submission.title,
                 "created_at": vote.created_at})


# Accelerator teams -------------------------------------------------------------------------------

class TeamMilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    state: str
    status: str


class TeamKpiOut(Schema):
    id: int
    name: str
    unit: str
    target: float


class KpiValueOut(Schema):
    kpi: int
    name: str
    unit: str
    value: float


class ReportOut(Schema):
    id: int
    created_at: datetime
    author: str
    text: str
    values: list[KpiValueOut]


class MentorOut(Schema):
    name: str


class TeamOut(Schema):
    cohort: int
    cohort_name: str
    challenge: str
    submission: int
    code: str
    title: str
    role: str
    milestones: list[TeamMilestoneOut]
    kpis: list[TeamKpiOut]
    mentors: list[MentorOut]
    reports: list[ReportOut]


class ReportKpiIn(Schema):
    kpi: int
    value: float


class ReportIn(Schema):
    text: str
    values: list[ReportKpiIn] = []


class MilestoneStateIn(Schema):
    team: int
    state: Literal["not_started", "in_progress", "done"]


class MilestoneStateOut(Schema):
    milestone: int
    team: int
    code: str
    title: str
    due_on: date
    state: str
    status: str


def _team(request: HttpRequest, pk: int, submission_pk: int) -> tuple[Cohort, Submission, str]:
    """The cohort, the team and the caller's role on it (applicant, mentor, organiser); 404 for anyone else."""
    cohort = get_object_or_404(Cohort.objects.select_related("challenge__organisation"), pk=pk)
    submission = get_object_or_404(cohort.teams.all(), pk=submission_pk)
    user_id = int(request.user.pk or 0)
    if submission.applicant_id == user_id:
        return cohort, submission, "applicant"
    if Mentor.objects.filter(cohort=cohort, submission=submission, user_id=user_id).exists():
        return cohort, submission, "mentor"
    if can(request.user, Action.ORGANISE, cohort.challenge.organisation):
        return cohort, submission, "organiser"
    raise Http404


def _report_out(report: ProgressReport) -> dict[str, Any]:
    return {"id": report.pk, "created_at": report.created_at,
            "author": report.author.display_name if report.author else "", "text": report.text,
            "values": [{"kpi": v.kpi_id, "name": v.kpi.name, "unit": v.kpi.unit, "value": v.value}
                       for v in report.values.all()]}


@router.get("/cohorts/{pk}/teams/{submission_pk}", response=TeamOut,
            summary="An accelerator team: milestones, indicators, mentors and reports",
            description="For the team's applicant, its mentors and the organisers; 404 for anyone else. "
                        "`status` of a milestone is its state, or `late` when the due date has passed "
                        "and it is not done.")
def team_detail(request: HttpRequest, pk: int, submission_pk: int) -> Any:
    cohort, submission, role = _team(request, pk, submission_pk)
    states = dict(MilestoneStatus.objects.filter(milestone__cohort=cohort, submission=submission)
                  .values_list("milestone_id", "state"))
    milestones = []
    for m in cohort.milestones.all():
        state = states.get(m.pk, MilestoneStatus.State.NOT_STARTED)
        milestones.append({"id": m.pk, "title": m.title, "due_on": m.due_on, "state": state,
                           "status": milestone_state(state, m.due_on)})
    reports = (submission.progress_reports.filter(cohort=cohort).select_related("author")
               .prefetch_related("values__kpi"))
    return {
        "cohort": cohort.pk, "cohort_name": cohort.name, "challenge": cohort.challenge.slug,
        "submission": submission.pk, "code": submission.code, "title": submission.title, "role": role,
        "milestones": milestones,
        "kpis": [{"id": k.pk, "name": k.name, "unit": k.unit, "target": k.target} for k in cohort.kpis.all()],
        "mentors": [{"name": m.user.display_name}
                    for m in Mentor.objects.filter(cohort=cohort, submission=submission).select_related("user")],
        "reports": [_report_out(r) for r in reports],
    }


@router.post("/cohorts/{pk}/teams/{submission_pk}/reports", response={201: ReportOut},
             summary="Send my team's progress report with indicator values",
             description="Only the team's applicant (403 for its mentors and the organisers, 404 for anyone "
                         "else). `values` lists `{kpi, value}` pairs for the cohort's indicators; an unknown "
                         "indicator or a value that is not a finite number answers 422.")
def send_report(request: HttpRequest, pk: int, submission_pk: int, data: ReportIn) -> Any:
    cohort, submission, role = _team(request, pk, submission_pk)
    if role != "applicant":
        raise HttpError(403, "Only the team's applicant sends progress reports")
    kpis = list(cohort.kpis.all())
    known = {k.pk for k in kpis}
    posted: dict[str, Any] = {"text": data.text}
    for item in data.values:
        if item.kpi not in known:
            raise HttpError(422, f"unknown indicator {item.kpi}")
        if f"kpi_{item.kpi}" in posted:
            raise HttpError(422, f"indicator {item.kpi} given twice")
        posted[f"kpi_{item.kpi}"] = item.value
    form = ProgressReportForm(posted, kpis=kpis)
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{field}: {' '.join(str(e) for e in errors)}"
                                       for field, errors in form.errors.items()))
    user = cast(User, request.user)
    report = actions.save_progress_report(cohort, submission, form.cleaned_data["text"], form.values(), user)
    report = ProgressReport.objects.select_related("author").prefetch_related("values__kpi").get(pk=report.pk)
    return Status(201, _report_out(report))


@router.post("/cohorts/{pk}/milestones/{milestone_pk}/status", response=MilestoneStateOut,
             summary="Set a team's status on a milestone",
             description="For the team's applicant, its mentors and the organisers; 404 for anyone else or a "
                         "team outside the cohort. `state` is not_started, in_progress or done.")
def set_milestone_status(request: HttpRequest, pk: int, milestone_pk: int, data: MilestoneStateIn) -> Any:
    cohort, submission, _role = _team(request, pk, data.team)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, cohort=cohort)
    user = cast(User, request.user)
    status = actions.set_milestone_state(milestone, submission, data.state, user)
    return {"milestone": milestone.pk, "team": submission.pk, "code": submission.code, "title": milestone.title,
            "due_on": milestone.due_on, "state": status.state, "status": milestone_state(status.state, milestone.due_on)}
