"""Pages of the challenges capability: public call, applying, screening, judging, ranking."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kientao.challenges import actions, tasks
from kientao.challenges.forms import (
    ApplicationForm,
    AssignForm,
    ChallengeForm,
    ConflictForm,
    CriterionForm,
    DecisionForm,
    FormFieldForm,
    JudgeForm,
    ScoreForm,
    ScreeningForm,
)
from kientao.challenges.models import (
    Assignment,
    Challenge,
    ConflictOfInterest,
    Criterion,
    Decision,
    FieldKind,
    FormField,
    Judge,
    Panel,
    RankingEntry,
    Score,
    Submission,
    SubmissionFile,
)
from kientao.core.charts import Interval, interval_chart
from kientao.core.exports import table_response
from kientao.core.jobs import start_job
from kientao.core.markup import DOCUMENT_TAGS, render_markdown
from kientao.core.models import Job, User
from kientao.core.permissions import Action, can, organisation_for, organisations_of, require

PAGE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _challenge(slug: str) -> Challenge:
    return get_object_or_404(Challenge.objects.select_related("organisation"), slug=slug)


def _organised(request: HttpRequest, slug: str) -> Challenge:
    challenge = _challenge(slug)
    require(request.user, Action.ORGANISE, challenge.organisation)
    return challenge


def _visible(request: HttpRequest, challenge: Challenge) -> None:
    """Published challenges are public; drafts only for the organisation's members."""
    if not challenge.is_published:
        require(request.user, Action.VIEW, challenge.organisation)


def _job(request: HttpRequest, challenge: Challenge) -> Job | None:
    job_id = request.GET.get("job", "")
    try:
        return Job.objects.filter(pk=job_id, organisation=challenge.organisation).first() if job_id else None
    except (ValueError, Exception):
        return None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    public = Challenge.objects.filter(is_published=True).select_related("organisation")
    mine = organisations_of(request.user)
    organising = [o for o in mine if can(request.user, Action.ORGANISE, o)]
    drafts = Challenge.objects.filter(organisation__in=mine, is_published=False).select_related("organisation")
    judging = Judge.objects.filter(user_id=int(request.user.pk or 0)).select_related("challenge") \
        if request.user.is_authenticated else []
    applications = Submission.objects.filter(applicant_id=int(request.user.pk or 0)).select_related(
        "challenge") if request.user.is_authenticated else []
    from kientao.challenges.accelerator import (
        teams_of,  # the accelerator's pages import this module
    )

    return render(request, "challenges/index.html", {
        "public": public, "drafts": drafts, "organising": organising, "judging": judging,
        "applications": applications, "teams": teams_of(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_for(request.user, org, Action.ORGANISE)
    form = ChallengeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        challenge = form.save(commit=False)
        challenge.organisation = organisation
        actions.save_object(challenge, _user(request), "challenges.create_challenge", ["title", "slug"],
                            organisation, created=True)
        messages.success(request, _("Challenge created. Now build its application form and rubric."))
        return redirect("challenges:manage", challenge.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "challenges/challenge_form.html", {"form": form, "organisation": organisation},
                  status=status)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(slug)
    _visible(request, challenge)
    own = None
    if request.user.is_authenticated:
        own = challenge.submissions.filter(applicant_id=int(request.user.pk or 0)).first()
    return render(request, "challenges/detail.html", {
        "challenge": challenge, "statement": render_markdown(challenge.problem_statement, tags=DOCUMENT_TAGS, tables=True),
        "own": own, "winners": challenge.submissions.filter(status=Submission.Status.WINNER)
        if challenge.phase in ("accelerator", "closed", "final") else [],
        "can_organise": can(request.user, Action.ORGANISE, challenge.organisation),
    })


@login_required
@require_GET
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    counts = dict(challenge.submissions.values_list("status").annotate(n=Count("pk")))
    return render(request, "challenges/manage.html", {
        "challenge": challenge, "counts": counts,
        "statuses": [(label, counts.get(value, 0)) for value, label in Submission.Status.choices],
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = ChallengeForm(request.POST if request.method == "POST" else None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        actions.save_object(form.instance, _user(request), "challenges.edit_challenge",
                            ["title", "slug", "is_published", "closes_at", "system_map"], challenge.organisation,
                            created=False)
        messages.success(request, _("Saved."))
        return redirect("challenges:manage", form.instance.slug)
    return render(request, "challenges/challenge_form.html",
                  {"form": form, "organisation": challenge.organisation, "challenge": challenge},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def form_builder(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = FormFieldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        field = form.save(commit=False)
        field.challenge = challenge
        if challenge.fields.filter(key=field.key).exists():
            form.add_error("key", _("Another field already uses this key."))
        else:
            actions.save_object(field, _user(request), "challenges.add_form_field", ["key", "kind", "label_vi"],
                                challenge.organisation, created=True)
            return redirect("challenges:form_builder", slug)
    return render(request, "challenges/form_builder.html",
                  {"challenge": challenge, "form": form, "fields": challenge.fields.all()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def field_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organised(request, slug)
    field = get_object_or_404(FormField, pk=pk, challenge=challenge)
    actions.delete_object(field, _user(request), "challenges.delete_form_field", challenge.organisation)
    return redirect("challenges:form_builder", slug)


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = CriterionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        criterion = form.save(commit=False)
        criterion.challenge = challenge
        criterion.levels = form.cleaned_data["levels"]
        actions.save_object(criterion, _user(request), "challenges.add_criterion", ["name_vi", "weight"],
                            challenge.organisation, created=True)
        return redirect("challenges:rubric", slug)
    return render(request, "challenges/rubric.html",
                  {"challenge": challenge, "form": form, "criteria": challenge.criteria.all()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def criterion_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organised(request, slug)
    criterion = get_object_or_404(Criterion, pk=pk, challenge=challenge)
    actions.delete_object(criterion, _user(request), "challenges.delete_criterion", challenge.organisation)
    return redirect("challenges:rubric", slug)


def _judge_progress(challenge: Challenge) -> list[Any]:
    """Judges with their assignment, score and conflict counts.

    One grouped query per count instead of one query joining assignments, scores and conflicts:
    that join multiplies rows (assignments × scores × conflicts per judge) and took most of the
    dashboard's time at 10,000 submissions (docs/benchmarks/challenges.md).
    """
    n_criteria = challenge.criteria.count()
    assigned = dict(Assignment.objects.filter(judge__challenge=challenge).order_by()
                    .values_list("judge_id").annotate(n=Count("pk")))
    scored = dict(Score.objects.filter(assignment__judge__challenge=challenge).order_by()
                  .values_list("assignment__judge_id").annotate(n=Count("pk")))
    conflicts = dict(ConflictOfInterest.objects.filter(judge__challenge=challenge).order_by()
                     .values_list("judge_id").annotate(n=Count("pk")))
    judges: list[Any] = list(challenge.judges.select_related("user"))
    for j in judges:
        j.n_assigned = assigned.get(j.pk, 0)
        j.n_scores = scored.get(j.pk, 0)
        j.n_conflicts = conflicts.get(j.pk, 0)
        needed = j.n_assigned * n_criteria
        j.percent = round(100 * j.n_scores / needed) if needed else 0
    return judges


@login_required
@require_http_methods(["GET", "POST"])
def judges(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = JudgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user is None:
            form.add_error("email", _("No account uses this e-mail address; ask the judge to sign up first."))
        else:
            actions.add_judge(challenge, user, form.cleaned_data["keywords"], _user(request),
                              panel=form.cleaned_data["panel"])
            return redirect("challenges:judges", slug)
    assign_form = AssignForm(challenge=challenge, initial={
        "per_submission": challenge.per_submission, "max_load": challenge.max_load, "min_load": 0, "seed": 0})
    return render(request, "challenges/judges.html", {
        "challenge": challenge, "form": form, "assign_form": assign_form,
        "judges": _judge_progress(challenge), "job": _job(request, challenge),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def judge_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organised(request, slug)
    judge = get_object_or_404(Judge, pk=pk, challenge=challenge)
    actions.remove_judge(judge, _user(request))
    return redirect("challenges:judges", slug)


@login_required
@require_POST
def assign(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = AssignForm(request.POST, challenge=challenge)
    if not form.is_valid():
        return render(request, "challenges/judges.html", {
            "challenge": challenge, "form": JudgeForm(), "assign_form": form,
            "judges": _judge_progress(challenge), "job": None}, status=400)
    params = {k: v for k, v in form.cleaned_data.items() if k != "forced_pairs"}
    job = start_job(tasks.assign_judges, kind="challenges.assign", title=_("Assign judges: %(t)s") % {
        "t": challenge.title}, params={"challenge": challenge.pk, **params},
        organisation=challenge.organisation, user=_user(request))
    return redirect(reverse("challenges:judges", args=[slug]) + f"?job={job.pk}")


@login_required
@require_POST
def reminders(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    sent = actions.send_reminders(challenge, _user(request))
    messages.success(request, _("Reminders sent: %(n)d.") % {"n": sent})
    return redirect("challenges:dashboard", slug)


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    if request.method == "POST":
        n = actions.auto_screen(challenge, _user(request))
        messages.success(request, _("Automatic checks applied to %(n)d applications.") % {"n": n})
        return redirect("challenges:screening", slug)
    status = request.GET.get("status", "")
    qs = challenge.submissions.exclude(status=Submission.Status.DRAFT)
    if status in Submission.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.select_related("applicant"), PAGE).get_page(request.GET.get("page"))
    return render(request, "challenges/screening.html", {
        "challenge": challenge, "page": page, "status": status, "statuses": Submission.Status.choices})


def _blind_keys(challenge: Challenge) -> set[str]:
    return set(challenge.fields.filter(identifying=True).values_list("key", flat=True))


def _answer_rows(challenge: Challenge, submission: Submission, *, blind: bool) -> list[dict[str, Any]]:
    files = {f.field_id: f for f in submission.files.all()}
    rows = []
    for f in challenge.fields.all():
        if blind and f.identifying:
            continue
        value = (submission.answers or {}).get(f.key)
        if f.kind == FieldKind.TEAM and isinstance(value, list):
            value = "; ".join(f"{m.get('name', '')} ({m.get('role', '')})" for m in value if isinstance(m, dict))
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"field": f, "value": value, "file": files.get(f.pk)})
    return rows


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("challenge__organisation", "applicant"), pk=pk)
    challenge = submission.challenge
    organiser = can(request.user, Action.ORGANISE, challenge.organisation)
    if submission.applicant_id != request.user.pk and not organiser:
        raise Http404
    return render(request, "challenges/submission.html", {
        "challenge": challenge, "submission": submission, "organiser": organiser,
        "rows": _answer_rows(challenge, submission, blind=False),
        "decisions": submission.decisions.select_related("actor"),
        "screening_form": ScreeningForm(), "decision_form": DecisionForm(),
        "eligibility": actions.eligibility_problems(challenge, submission) if organiser else [],
    })


@login_required
@require_POST
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("challenge__organisation"), pk=pk)
    require(request.user, Action.ORGANISE, submission.challenge.organisation)
    form = ScreeningForm(request.POST)
    if form.is_valid() and submission.status != Submission.Status.DRAFT:
        actions.decide(submission, Decision.Kind.SCREENING, form.cleaned_data["reason"], _user(request),
                       outcome=form.cleaned_data["outcome"])
        messages.success(request, _("Screening decision recorded."))
        return redirect("challenges:submission", pk)
    messages.error(request, _("Choose an outcome and give a reason."))
    return redirect("challenges:submission", pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("challenge__organisation"), pk=pk)
    require(request.user, Action.ORGANISE, submission.challenge.organisation)
    form = DecisionForm(request.POST)
    if form.is_valid() and submission.status in Submission.IN_REVIEW:
        actions.decide(submission, form.cleaned_data["kind"], form.cleaned_data["reason"], _user(request))
        messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose a decision and give a reason (only for eligible submissions)."))
    return redirect("challenges:submission", pk)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(slug)
    _visible(request, challenge)
    submission = challenge.submissions.filter(applicant_id=int(request.user.pk or 0)).first()
    if not challenge.is_open or (submission and not submission.is_editable):
        messages.error(request, _("Applications cannot be changed now."))
        return redirect(reverse("challenges:submission", args=[submission.pk]) if submission
                        else reverse("challenges:detail", args=[slug]))
    form = ApplicationForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None, challenge=challenge, submission=submission)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        submission = actions.save_application(
            challenge, _user(request), submission, title=form.cleaned_data["title"],
            answers=form.answers(), files=form.uploads(), submit=submit)
        messages.success(request, _("Application submitted.") if submit else _("Draft saved."))
        return redirect("challenges:submission", submission.pk)
    return render(request, "challenges/apply.html", {"challenge": challenge, "form": form, "submission": submission},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=pk, applicant_id=int(request.user.pk or 0))
    if submission.status in (Submission.Status.DRAFT, Submission.Status.SUBMITTED):
        actions.withdraw(submission, _user(request))
        messages.success(request, _("Your application was withdrawn."))
    else:
        messages.error(request, _("This application can no longer be withdrawn."))
    return redirect("challenges:submission", pk)


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """Private files: the applicant, organisers, and assigned judges (non-identifying fields, blinded name)."""
    item = get_object_or_404(SubmissionFile.objects.select_related("submission__challenge__organisation", "field"),
                             pk=pk)
    submission = item.submission
    if submission.applicant_id == request.user.pk or can(request.user, Action.ORGANISE,
                                                          submission.challenge.organisation):
        name = PurePosixPath(item.original_name).name
    elif not item.field.identifying and Assignment.objects.filter(
            submission=submission, judge__user_id=int(request.user.pk or 0)).exists():
        name = item.blinded_name()
    else:
        raise Http404
    try:
        handle = item.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def my_assignments(request: HttpRequest) -> HttpResponse:
    assignments = (Assignment.objects.filter(judge__user_id=int(request.user.pk or 0))
                   .select_related("submission", "judge__challenge")
                   .annotate(n_scores=Count("scores")))
    return render(request, "challenges/my_assignments.html", {"assignments": assignments})


def _own_assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("submission__challenge__organisation", "judge"),
                             pk=pk, judge__user_id=int(request.user.pk or 0))


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own_assignment(request, pk)
    challenge = item.submission.challenge
    criteria = list(challenge.criteria.all())
    scores = {s.criterion_id: s for s in item.scores.all()}
    form = ScoreForm(request.POST if request.method == "POST" else None, criteria=criteria, scores=scores)
    if request.method == "POST":
        if not challenge.scoring_open:
            messages.error(request, _("Scoring is closed for this challenge."))
        elif form.is_valid():
            actions.save_scores(item, form.values(), _user(request))
            messages.success(request, _("Scores saved."))
            return redirect("challenges:assignment", pk)
    return render(request, "challenges/assignment.html", {
        "item": item, "challenge": challenge, "submission": item.submission, "form": form,
        "rows": _answer_rows(challenge, item.submission, blind=True), "criteria": criteria,
        "conflict_form": ConflictForm(),
    }, status=400 if request.method == "POST" and form.errors else 200)


@login_required
@require_POST
def conflict(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own_assignment(request, pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the conflict of interest."))
        return redirect("challenges:assignment", pk)
    actions.declare_conflict(item, form.cleaned_data["reason"], _user(request))
    messages.success(request, _("Conflict recorded; the organisers will reassign this submission."))
    return redirect("challenges:my_assignments")


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    counts = challenge.submissions.aggregate(
        total=Count("pk", filter=~Q(status=Submission.Status.DRAFT)),
        in_review=Count("pk", filter=Q(status__in=Submission.IN_REVIEW)),
    )
    judges = _judge_progress(challenge)
    n_assignments = sum(j.n_assigned for j in judges)
    n_scores = sum(j.n_scores for j in judges)
    needed = n_assignments * challenge.criteria.count()
    page = Paginator(judges, PAGE).get_page(request.GET.get("page"))
    return render(request, "challenges/dashboard.html", {
        "challenge": challenge, "counts": counts, "n_assignments": n_assignments, "n_scores": n_scores,
        "percent": round(100 * n_scores / needed) if needed else 0, "page": page,
    })


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    if request.method == "POST":
        rank_by = request.POST.get("rank_by", "additive")
        if rank_by not in ("additive", "raw", "zscore"):
            rank_by = "additive"
        panel = request.POST.get("panel", Panel.SCREENING)
        if panel not in Panel.values:
            panel = Panel.SCREENING
        job = start_job(tasks.calibrate, kind="challenges.calibrate",
                        title=_("Calibrate scores: %(t)s") % {"t": challenge.title},
                        params={"challenge": challenge.pk, "rank_by": rank_by, "panel": panel},
                        organisation=challenge.organisation, user=_user(request))
        return redirect(reverse("challenges:ranking", args=[slug]) + f"?job={job.pk}")
    entries = RankingEntry.objects.filter(challenge=challenge).select_related("submission")
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    top = list(page.object_list)[:30]
    chart = interval_chart(
        [Interval(e.submission.code, e.score_low, e.score, e.score_high, e.raw_mean) for e in top],
        title=_("Calibrated score with its uncertainty band (ring: raw mean)"), axis_label=_("Score"),
    ) if top else None
    return render(request, "challenges/ranking.html", {
        "challenge": challenge, "page": page, "chart": chart, "calibration": challenge.calibration,
        "job": _job(request, challenge), "decision_form": DecisionForm(), "panels": Panel.choices,
    })


EXPORTS = ("submissions", "scores", "decisions")


@login_required
@require_GET
def export(request: HttpRequest, slug: str, what: str, fmt: str) -> HttpResponse:
    challenge = _organised(request, slug)
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"{challenge.slug}-{what}"
    if what == "submissions":
        fields = list(challenge.fields.exclude(kind=FieldKind.FILE))
        headers = ["code", "title", "status", "applicant", "submitted_at", *[f.key for f in fields],
                   "rank", "score", "raw_mean"]
        rows = []
        ranks = dict(RankingEntry.objects.filter(challenge=challenge).values_list("submission_id", "rank"))
        scores = {s: (sc, rm) for s, sc, rm in RankingEntry.objects.filter(challenge=challenge)
                  .values_list("submission_id", "score", "raw_mean")}
        for s in challenge.submissions.exclude(status=Submission.Status.DRAFT).select_related("applicant"):
            answers = s.answers or {}
            rows.append([s.code, s.title, s.status, s.applicant.email,
                         s.submitted_at.isoformat() if s.submitted_at else "",
                         *[_flat(answers.get(f.key)) for f in fields], ranks.get(s.pk, ""),
                         *[round(v, 4) for v in scores.get(s.pk, ())]])
        return table_response(name, headers, rows, fmt)
    if what == "scores":
        rows = [
            [f"S-{num:04d}", email, crit, value, comment, updated.isoformat()]
            for num, email, crit, value, comment, updated in Score.objects.filter(
                assignment__judge__challenge=challenge).order_by("assignment__submission__number").values_list(
                "assignment__submission__number", "assignment__judge__user__email", "criterion__name_vi",
                "value", "comment", "updated_at")
        ]
        return table_response(name, ["submission", "judge", "criterion", "score", "comment", "updated_at"], rows, fmt)
    rows = [
        [f"S-{num:04d}", kind, outcome, reason, actor or "", created.isoformat()]
        for num, kind, outcome, reason, actor, created in Decision.objects.filter(
            submission__challenge=challenge).values_list("submission__number", "kind", "outcome", "reason",
                                                         "actor__email", "created_at")
    ]
    return table_response(name, ["submission", "decision", "status", "reason", "by", "created_at"], rows, fmt)


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(m.get("name", "") if isinstance(m, dict) else str(m) for m in value)
    return "" if value is None else value
