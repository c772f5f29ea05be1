"""Writes of the challenges capability: each one audited, multi-model ones atomic."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kientao.challenges.models import (
    Assignment,
    Challenge,
    Cohort,
    ConflictOfInterest,
    Decision,
    FieldKind,
    Judge,
    Kpi,
    KpiValue,
    Mentor,
    Milestone,
    MilestoneStatus,
    Panel,
    ProgressReport,
    PublicVote,
    Score,
    Submission,
    SubmissionFile,
)
from kientao.core import audit
from kientao.core.models import User

SUB_FIELDS = ["status", "title", "screening_reason"]


def _mail(user: Any, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)


@transaction.atomic
def save_application(
    challenge: Challenge, applicant: User, submission: Submission | None, *, title: str,
    answers: dict[str, Any], files: dict[str, UploadedFile], submit: bool,
) -> Submission:
    before = audit.snapshot(submission, SUB_FIELDS) if submission else None
    was_draft = submission is None or submission.status == Submission.Status.DRAFT
    if submission is None:
        number = (challenge.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
        submission = Submission(challenge=challenge, applicant=applicant, number=number)
    submission.title = title
    submission.answers = answers
    if submit and submission.status == Submission.Status.DRAFT:
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = timezone.now()
    submission.save()
    fields = {f.key: f for f in challenge.fields.filter(kind=FieldKind.FILE)}
    for key, upload in files.items():
        SubmissionFile.objects.filter(submission=submission, field=fields[key]).delete()
        SubmissionFile.objects.create(submission=submission, field=fields[key], file=upload,
                                      original_name=(upload.name or "file")[:200], size=upload.size or 0)
    audit.record(applicant, "challenges.save_submission", organisation=challenge.organisation,
                 obj=submission, before=before, after=audit.snapshot(submission, SUB_FIELDS))
    if submit and was_draft:
        _mail(applicant, _("Your application was received"),
              _("We received your application “%(title)s” to “%(challenge)s” (%(code)s). "
                "You can edit it until the deadline.")
              % {"title": submission.title, "challenge": challenge.title, "code": submission.code})
    return submission


@transaction.atomic
def withdraw(submission: Submission, actor: User) -> None:
    before = audit.snapshot(submission, SUB_FIELDS)
    submission.status = Submission.Status.WITHDRAWN
    submission.save(update_fields=["status", "updated_at"])
    audit.record(actor, "challenges.withdraw_submission", organisation=submission.challenge.organisation,
                 obj=submission, before=before, after=audit.snapshot(submission, SUB_FIELDS))


DECISION_STATUS = {
    Decision.Kind.SHORTLIST: Submission.Status.SHORTLISTED,
    Decision.Kind.WINNER: Submission.Status.WINNER,
    Decision.Kind.NOT_SELECTED: Submission.Status.NOT_SELECTED,
}


@transaction.atomic
def decide(submission: Submission, kind: str, reason: str, actor: User | None,
           outcome: str | None = None, notify: bool = True) -> Decision:
    """Screening (outcome eligible/ineligible), shortlist, winner or not selected, with a reason."""
    before = audit.snapshot(submission, SUB_FIELDS)
    status = outcome or DECISION_STATUS[Decision.Kind(kind)]
    submission.status = status
    if kind == Decision.Kind.SCREENING:
        submission.screening_reason = reason
    submission.save(update_fields=["status", "screening_reason", "updated_at"])
    decision = Decision.objects.create(submission=submission, kind=kind, outcome=status,
                                       reason=reason, actor=actor)
    audit.record(actor, f"challenges.decide_{kind}", organisation=submission.challenge.organisation,
                 obj=submission, before=before, after={**audit.snapshot(submission, SUB_FIELDS), "reason": reason})
    if notify:
        _mail(submission.applicant, _("News about your application"),
              _("Your application “%(title)s” is now: %(status)s.\nReason: %(reason)s")
              % {"title": submission.title, "status": submission.get_status_display(), "reason": reason})
    return decision


def eligibility_problems(challenge: Challenge, submission: Submission) -> list[str]:
    return [
        f.label for f in challenge.fields.all()
        if f.eligibility_answer and not f.passes_eligibility((submission.answers or {}).get(f.key))
    ]


@transaction.atomic
def auto_screen(challenge: Challenge, actor: User) -> int:
    """Screen every submitted application by the form's eligibility answers."""
    count = 0
    fields = list(challenge.fields.exclude(eligibility_answer=""))
    for sub in challenge.submissions.filter(status=Submission.Status.SUBMITTED).select_related("applicant"):
        failed = [f.label for f in fields if not f.passes_eligibility((sub.answers or {}).get(f.key))]
        if failed:
            decide(sub, Decision.Kind.SCREENING,
                   _("Automatic check failed: %(fields)s") % {"fields": ", ".join(failed)},
                   actor, outcome=Submission.Status.INELIGIBLE)
        else:
            decide(sub, Decision.Kind.SCREENING, _("Automatic checks passed."), actor,
                   outcome=Submission.Status.ELIGIBLE)
        count += 1
    return count


@transaction.atomic
def save_scores(assignment: Assignment, values: dict[int, tuple[int, str]], actor: User) -> None:
    challenge = assignment.submission.challenge
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    for criterion_id, (value, comment) in values.items():
        score = existing.get(criterion_id)
        before = audit.snapshot(score, ["value", "comment"]) if score else None
        if score is None:
            score = Score(assignment=assignment, criterion_id=criterion_id)
        elif score.value == value and score.comment == comment:
            continue
        score.value, score.comment = value, comment
        score.save()
        audit.record(actor, "challenges.save_score", organisation=challenge.organisation, obj=score,
                     before=before, after={**audit.snapshot(score, ["value", "comment"]),
                                           "submission": assignment.submission.code,
                                           "criterion": criterion_id})


@transaction.atomic
def declare_conflict(assignment: Assignment, reason: str, actor: User) -> ConflictOfInterest:
    coi, _created = ConflictOfInterest.objects.get_or_create(
        judge=assignment.judge, submission=assignment.submission,
        defaults={"source": ConflictOfInterest.Source.DECLARED, "reason": reason[:300]},
    )
    audit.record(actor, "challenges.declare_conflict", organisation=assignment.submission.challenge.organisation,
                 obj=coi, after={"submission": assignment.submission.code, "reason": reason})
    assignment.scores.all().delete()
    assignment.delete()
    return coi


@transaction.atomic
def add_judge(challenge: Challenge, user: User, keywords: str, actor: User,
              panel: str = Panel.SCREENING) -> Judge:
    judge, created = Judge.objects.get_or_create(challenge=challenge, user=user, panel=panel,
                                                 defaults={"keywords": keywords})
    if not created:
        judge.keywords = keywords
        judge.save(update_fields=["keywords"])
    audit.record(actor, "challenges.add_judge", organisation=challenge.organisation, obj=judge,
                 after={"user": user.email, "keywords": keywords, "panel": panel})
    return judge


@transaction.atomic
def remove_judge(judge: Judge, actor: User) -> None:
    audit.record(actor, "challenges.remove_judge", organisation=judge.challenge.organisation,
                 obj=judge, before={"user": judge.user.email})
    judge.delete()


def send_reminders(challenge: Challenge, actor: User) -> int:
    """E-mail every judge with unfinished assignments."""
    n_criteria = challenge.criteria.count()
    sent = 0
    for judge in challenge.judges.select_related("user"):
        assignments = judge.assignments.count()
        scores = Score.objects.filter(assignment__judge=judge).count()
        if assignments and scores < assignments * n_criteria:
            _mail(judge.user, _("Reminder: assignments to score"),
                  _("You have reviews to finish for “%(challenge)s”.") % {"challenge": challenge.title})
            sent += 1
    audit.record(actor, "challenges.send_reminders", organisation=challenge.organisation, obj=challenge,
                 after={"sent": sent})
    return sent


@transaction.atomic
def save_object(obj: Any, actor: User, action: str, fields: list[str], organisation: Any,
                created: bool) -> None:
    """Save a form-edited object with an audit entry."""
    before = None
    if not created:
        old = type(obj).objects.get(pk=obj.pk)
        before = audit.snapshot(old, fields)
    obj.save()
    audit.record(actor, action, organisation=organisation, obj=obj, before=before,
                 after=audit.snapshot(obj, fields))


@transaction.atomic
def delete_object(obj: Any, actor: User, action: str, organisation: Any) -> None:
    audit.record(actor, action, organisation=organisation, obj=obj, before={"repr": str(obj)})
    obj.delete()


# Accelerator ---------------------------------------------------------------------------------

@transaction.atomic
def create_cohort(challenge: Challenge, name: str, starts_on: Any, ends_on: Any,
                  teams: list[Submission], actor: User) -> Cohort:
    cohort = Cohort.objects.create(challenge=challenge, name=name, starts_on=starts_on, ends_on=ends_on)
    cohort.teams.set(teams)
    audit.record(actor, "challenges.create_cohort", organisation=challenge.organisation, obj=cohort,
                 after={"name": name, "starts_on": str(starts_on), "ends_on": str(ends_on),
                        "teams": [t.code for t in teams]})
    return cohort


@transaction.atomic
def add_milestone(cohort: Cohort, title: str, due_on: Any, actor: User) -> Milestone:
    milestone = Milestone.objects.create(cohort=cohort, title=title, due_on=due_on)
    MilestoneStatus.objects.bulk_create([MilestoneStatus(milestone=milestone, submission=team)
                                         for team in cohort.teams.all()])
    audit.record(actor, "challenges.add_milestone", organisation=cohort.challenge.organisation, obj=milestone,
                 after={"title": title, "due_on": str(due_on)})
    return milestone


@transaction.atomic
def add_kpi(cohort: Cohort, name: str, unit: str, target: float, actor: User) -> Kpi:
    kpi = Kpi.objects.create(cohort=cohort, name=name, unit=unit, target=target)
    audit.record(actor, "challenges.add_kpi", organisation=cohort.challenge.organisation, obj=kpi,
                 after={"name": name, "unit": unit, "target": target})
    return kpi


@transaction.atomic
def add_mentor(cohort: Cohort, team: Submission, user: User, actor: User) -> Mentor:
    mentor, _created = Mentor.objects.get_or_create(cohort=cohort, submission=team, user=user)
    audit.record(actor, "challenges.add_mentor", organisation=cohort.challenge.organisation, obj=mentor,
                 after={"team": team.code, "mentor": user.email})
    return mentor


@transaction.atomic
def set_milestone_state(milestone: Milestone, team: Submission, state: str, actor: User) -> MilestoneStatus:
    status, _created = MilestoneStatus.objects.get_or_create(milestone=milestone, submission=team)
    before = audit.snapshot(status, ["state"])
    status.state = state
    status.save(update_fields=["state", "updated_at"])
    audit.record(actor, "challenges.set_milestone_state", organisation=milestone.cohort.challenge.organisation,
                 obj=status, before=before, after={"state": state, "team": team.code, "milestone": milestone.title})
    return status


@transaction.atomic
def save_progress_report(cohort: Cohort, team: Submission, text: str, values: dict[int, float],
                         actor: User) -> ProgressReport:
    report = ProgressReport.objects.create(cohort=cohort, submission=team, author=actor, text=text)
    KpiValue.objects.bulk_create([KpiValue(report=report, kpi_id=k, value=v) for k, v in values.items()])
    audit.record(actor, "challenges.save_progress_report", organisation=cohort.challenge.organisation,
                 obj=report, after={"team": team.code, "kpis": {str(k): v for k, v in values.items()}})
    return report


# People's choice -------------------------------------------------------------------------------

@transaction.atomic
def cast_public_vote(challenge: Challenge, submission: Submission, user: User, address_hash: str) -> PublicVote:
    """Record the account's single vote; raises IntegrityError when it has already voted."""
    vote = PublicVote.objects.create(challenge=challenge, submission=submission, user=user,
                                     address_hash=address_hash)
    audit.record(user, "challenges.cast_public_vote", organisation=challenge.organisation, obj=vote,
                 after={"submission": submission.code})
    return vote
