"""Pages of the accelerator: cohorts of selected teams, milestones, mentors, KPIs and progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kientao.challenges import actions, analysis
from kientao.challenges.forms import (
    CohortForm,
    KpiForm,
    MentorForm,
    MilestoneForm,
    MilestoneStateForm,
    ProgressReportForm,
)
from kientao.challenges.models import Cohort, Mentor, MilestoneStatus, Submission, milestone_state
from kientao.challenges.views import _organised, _user
from kientao.core.charts import bar_chart
from kientao.core.exports import table_response
from kientao.core.models import User
from kientao.core.permissions import Action, can, require


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("challenge__organisation"), pk=pk)
    require(request.user, Action.ORGANISE, cohort.challenge.organisation)
    return cohort


@login_required
@require_http_methods(["GET", "POST"])
def cohorts(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organised(request, slug)
    form = CohortForm(request.POST if request.method == "POST" else None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cohort = actions.create_cohort(challenge, data["name"], data["starts_on"], data["ends_on"],
                                       list(data["teams"]), _user(request))
        messages.success(request, _("Cohort created. Add milestones, indicators and mentors."))
        return redirect("challenges:cohort", cohort.pk)
    return render(request, "challenges/cohorts.html", {
        "challenge": challenge, "form": form, "cohorts": challenge.cohorts.all(),
    }, status=400 if request.method == "POST" else 200)


def _dashboard_context(cohort: Cohort) -> dict[str, Any]:
    rows = analysis.cohort_progress(cohort)
    charts = []
    for i, kpi in enumerate(cohort.kpis.all()):
        labels = [r["team"].code for r in rows]
        values = [float(r["kpis"][i]["percent"] or 0) for r in rows]
        if labels:
            charts.append(bar_chart(labels, values, unit="%",
                                    title=_("%(kpi)s: latest value as a share of the target (%(target)s %(unit)s)")
                                    % {"kpi": kpi.name, "target": f"{kpi.target:g}", "unit": kpi.unit}))
    return {"rows": rows, "charts": charts, "kpis": list(cohort.kpis.all()),
            "milestones": list(cohort.milestones.all()),
            "mentors": Mentor.objects.filter(cohort=cohort).select_related("user", "submission")}


FORMS = ("milestone", "kpi", "mentor")


@login_required
@require_http_methods(["GET", "POST"])
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort dashboard, with the forms that add milestones, indicators and mentors."""
    item = _cohort(request, pk)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {
        "milestone": MilestoneForm(request.POST if posted == "milestone" else None, prefix="milestone"),
        "kpi": KpiForm(request.POST if posted == "kpi" else None, prefix="kpi"),
        "mentor": MentorForm(request.POST if posted == "mentor" else None, prefix="mentor",
                             teams=item.teams.order_by("number")),
    }
    if request.method == "POST":
        form = forms.get(posted)
        if form is not None and form.is_valid():
            data, actor = form.cleaned_data, _user(request)
            if posted == "milestone":
                actions.add_milestone(item, data["title"], data["due_on"], actor)
                messages.success(request, _("Milestone added for every team."))
                return redirect("challenges:cohort", pk)
            if posted == "kpi":
                actions.add_kpi(item, data["name"], data["unit"], data["target"], actor)
                messages.success(request, _("Indicator added."))
                return redirect("challenges:cohort", pk)
            user = User.objects.filter(email__iexact=data["email"]).first()
            if user is None:
                form.add_error("email", _("No account uses this e-mail address; ask the mentor to sign up first."))
            else:
                actions.add_mentor(item, data["team"], user, actor)
                messages.success(request, _("Mentor assigned."))
                return redirect("challenges:cohort", pk)
        elif form is None:
            messages.error(request, _("Unknown form."))
    return render(request, "challenges/cohort.html", {
        "challenge": item.challenge, "cohort": item, "forms": forms, **_dashboard_context(item),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def cohort_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    item = _cohort(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = analysis.cohort_progress(item)
    kpis = list(item.kpis.all())
    headers = ["team", "title", "milestones", "done", "late", "last_report",
               *[f"{k.name} ({k.unit})" if k.unit else k.name for k in kpis],
               *[f"{k.name} % target" for k in kpis]]
    table = [
        [r["team"].code, r["team"].title, r["n_milestones"], r["done"], r["late"],
         r["last_report"].created_at.date().isoformat() if r["last_report"] else "",
         *["" if k["value"] is None else k["value"] for k in r["kpis"]],
         *["" if k["percent"] is None else k["percent"] for k in r["kpis"]]]
        for r in rows
    ]
    return table_response(f"{item.challenge.slug}-cohort-{item.pk}", headers, table, fmt)


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: int, sub: int) -> HttpResponse:
    """A team's page: for its applicant, its mentors and the organisers."""
    item = get_object_or_404(Cohort.objects.select_related("challenge__organisation"), pk=pk)
    submission = get_object_or_404(item.teams.all(), pk=sub)
    user_id = int(request.user.pk or 0)
    is_applicant = submission.applicant_id == user_id
    is_mentor = Mentor.objects.filter(cohort=item, submission=submission, user_id=user_id).exists()
    organiser = can(request.user, Action.ORGANISE, item.challenge.organisation)
    if not (is_applicant or is_mentor or organiser):
        raise Http404
    kpis = list(item.kpis.all())
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    report_form = ProgressReportForm(request.POST if posted == "report" else None, kpis=kpis, prefix="report")
    state_form = MilestoneStateForm(request.POST if posted == "milestone" else None)
    if request.method == "POST":
        if posted == "report":
            if not is_applicant:
                raise PermissionDenied
            if report_form.is_valid():
                actions.save_progress_report(item, submission, report_form.cleaned_data["text"],
                                             report_form.values(), _user(request))
                messages.success(request, _("Progress report saved."))
                return redirect("challenges:team", pk, sub)
        elif posted == "milestone" and state_form.is_valid():
            milestone = item.milestones.filter(pk=state_form.cleaned_data["milestone"]).first()
            if milestone is not None:
                actions.set_milestone_state(milestone, submission, state_form.cleaned_data["state"], _user(request))
                messages.success(request, _("Milestone status saved."))
                return redirect("challenges:team", pk, sub)
            messages.error(request, _("Unknown milestone."))
        else:
            messages.error(request, _("Check the form."))
    states = dict(MilestoneStatus.objects.filter(milestone__cohort=item, submission=submission)
                  .values_list("milestone_id", "state"))
    milestones = [
        {"milestone": m, "state": states.get(m.pk, MilestoneStatus.State.NOT_STARTED),
         "shown": milestone_state(states.get(m.pk, MilestoneStatus.State.NOT_STARTED), m.due_on)}
        for m in item.milestones.all()
    ]
    row = next((r for r in analysis.cohort_progress(item) if r["team"].pk == submission.pk), None)
    return render(request, "challenges/team.html", {
        "challenge": item.challenge, "cohort": item, "submission": submission, "milestones": milestones,
        "reports": submission.progress_reports.filter(cohort=item).prefetch_related("values__kpi"),
        "report_form": report_form, "is_applicant": is_applicant, "organiser": organiser, "row": row,
        "mentors": Mentor.objects.filter(cohort=item, submission=submission).select_related("user"),
        "states": MilestoneStatus.State.choices,
    }, status=400 if request.method == "POST" else 200)


def teams_of(user: Any) -> list[tuple[Cohort, Submission]]:
    """The cohorts and teams a user belongs to as applicant or mentor (for the landing page)."""
    if not user.is_authenticated:
        return []
    out: list[tuple[Cohort, Submission]] = []
    for c in Cohort.objects.filter(teams__applicant_id=user.pk).distinct():
        out.extend((c, s) for s in c.teams.filter(applicant_id=user.pk))
    for m in Mentor.objects.filter(user_id=user.pk).select_related("cohort", "submission"):
        out.append((m.cohort, m.submission))
    return out
