"""JSON endpoints: public challenges, my submissions, my (blinded) assignments and scores, ranking, cohorts."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from kientao.challenges import actions, analysis
from kientao.challenges.models import Assignment, Challenge, Cohort, RankingEntry, Submission
from kientao.core.permissions import Action, require

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
