"""Innovation challenges: the call, its application form, submissions, judging and decisions."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kientao.core.models import Organisation


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    SCREENING = "screening", _("Screening")
    JUDGING = "judging", _("Judging")
    FINAL = "final", _("Final decisions")
    ACCELERATOR = "accelerator", _("Accelerator")
    CLOSED = "closed", _("Closed")


# Only the drawing of a map shared by link on this site (the systemmaps app serves it at
# /maps/shared/<pk>.svg): a challenge page never embeds content from elsewhere.
SHARED_MAP_PATH = r"^/maps/shared/[1-9][0-9]{0,9}\.svg\Z"
validate_shared_map = RegexValidator(
    SHARED_MAP_PATH,
    _("Give the address of a system map shared by link on this site, e.g. /maps/shared/12.svg."),
)


class Challenge(models.Model):
    """A published problem with a call for proposals, judged on a rubric.

    The phase is derived from the dates, so it advances on its own without a scheduler.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="challenges")
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    problem_statement = models.TextField(_("problem statement (Markdown)"), blank=True)
    sdg_tags = models.CharField(
        _("Sustainable Development Goals"), max_length=200, blank=True,
        help_text=_("Numbers separated by commas, e.g. 11, 12, 14."),
    )
    affected_groups = models.TextField(_("affected groups"), blank=True)
    prizes = models.TextField(_("prizes and support"), blank=True)
    eligibility = models.TextField(_("eligibility criteria"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    opens_at = models.DateTimeField(_("applications open"), default=timezone.now)
    closes_at = models.DateTimeField(_("application deadline"))
    judging_at = models.DateTimeField(_("judging starts"))
    final_at = models.DateTimeField(_("final decisions start"))
    accelerator_at = models.DateTimeField(_("accelerator starts"))
    closed_at = models.DateTimeField(_("challenge closes"))
    per_submission = models.PositiveSmallIntegerField(_("judges per submission"), default=3)
    max_load = models.PositiveSmallIntegerField(_("maximum submissions per judge"), default=20)
    shortlist_size = models.PositiveSmallIntegerField(_("shortlist size"), default=10)
    peoples_choice = models.BooleanField(
        _("people's choice vote"), default=False,
        help_text=_("Verified accounts may vote once for their favourite eligible submission."),
    )
    voting_opens_at = models.DateTimeField(_("people's choice voting opens"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("people's choice voting closes"), null=True, blank=True)
    system_map = models.CharField(
        _("system map of the problem"), max_length=200, blank=True, validators=[validate_shared_map],
        help_text=_("Optional: the address of a system map shared by link, e.g. /maps/shared/12.svg "
                    "(in the map's settings, tick “shared by link”)."),
    )
    calibration = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", args=[self.slug])

    @property
    def phase(self) -> str:
        now = timezone.now()
        if not self.is_published or now < self.opens_at:
            return Phase.DRAFT
        for phase, end in (
            (Phase.OPEN, self.closes_at),
            (Phase.SCREENING, self.judging_at),
            (Phase.JUDGING, self.final_at),
            (Phase.FINAL, self.accelerator_at),
            (Phase.ACCELERATOR, self.closed_at),
        ):
            if now < end:
                return phase
        return Phase.CLOSED

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def is_open(self) -> bool:
        return self.phase == Phase.OPEN

    @property
    def scoring_open(self) -> bool:
        return self.phase in (Phase.SCREENING, Phase.JUDGING)

    @property
    def voting_open(self) -> bool:
        if not (self.is_published and self.peoples_choice and self.voting_opens_at and self.voting_closes_at):
            return False
        return self.voting_opens_at <= timezone.now() < self.voting_closes_at

    @property
    def sdg_list(self) -> list[str]:
        return [t.strip() for t in self.sdg_tags.split(",") if t.strip()]

    def timeline(self) -> list[tuple[str, Any]]:
        return [
            (str(Phase.OPEN.label), self.opens_at),
            (str(Phase.SCREENING.label), self.closes_at),
            (str(Phase.JUDGING.label), self.judging_at),
            (str(Phase.FINAL.label), self.final_at),
            (str(Phase.ACCELERATOR.label), self.accelerator_at),
            (str(Phase.CLOSED.label), self.closed_at),
        ]


class FieldKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    DATE = "date", _("Date")
    URL = "url", _("Web address")
    FILE = "file", _("File upload")
    TEAM = "team", _("Team members")


class FormField(models.Model):
    """One question of a challenge's application form."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=FieldKind.choices, default=FieldKind.SHORT_TEXT)
    label_vi = models.CharField(_("label (Vietnamese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    word_limit = models.PositiveIntegerField(_("word limit"), null=True, blank=True)
    choices = models.TextField(_("choices (one per line)"), blank=True)
    allowed_types = models.CharField(
        _("allowed file types"), max_length=100, blank=True, default="pdf,png,jpg",
        help_text=_("Extensions separated by commas."),
    )
    max_size_mb = models.PositiveSmallIntegerField(_("maximum file size (MB)"), default=5)
    identifying = models.BooleanField(
        _("identifying"), default=False, help_text=_("Hidden from judges (blind review)."),
    )
    eligibility_answer = models.CharField(
        _("required answer for eligibility"), max_length=200, blank=True,
        help_text=_("If set, an application is eligible only with this answer."),
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "key"], name="unique_field_key")]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "vi").startswith("en") and self.label_en:
            return self.label_en
        return self.label_vi

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]

    @property
    def extensions(self) -> list[str]:
        return [e.strip().lower().lstrip(".") for e in self.allowed_types.split(",") if e.strip()]

    def passes_eligibility(self, answer: Any) -> bool:
        if not self.eligibility_answer:
            return True
        wanted = self.eligibility_answer.strip().casefold()
        if isinstance(answer, list):
            return wanted in [str(a).strip().casefold() for a in answer]
        return str(answer or "").strip().casefold() == wanted


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        WINNER = "winner", _("Winner")
        NOT_SELECTED = "not_selected", _("Not selected")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_submissions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title of the proposal"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    screening_reason = models.TextField(_("screening reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    IN_REVIEW = (Status.ELIGIBLE, Status.SHORTLISTED, Status.WINNER, Status.NOT_SELECTED)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="unique_submission_number"),
        ]
        indexes = [models.Index(fields=["challenge", "status"])]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def code(self) -> str:
        """The blinded label judges see."""
        return f"S-{self.number:04d}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED) and self.challenge.is_open


def _upload_to(instance: SubmissionFile, filename: str) -> str:
    # A random name: the applicant's file name never reaches the file system.
    ext = PurePosixPath(filename).suffix.lower()[:10]
    return f"private/challenges/{instance.submission.challenge_id}/{uuid.uuid4().hex}{ext}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    field = models.ForeignKey(FormField, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "field"], name="one_file_per_field")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePosixPath(self.file.name).suffix.lower()

    def blinded_name(self) -> str:
        return f"{self.submission.code}-{self.field.key}{self.extension}"


class Criterion(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    levels = models.JSONField(_("level descriptors"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class Panel(models.TextChoices):
    """Judging rounds: the screening panel reviews every eligible submission, the final one the shortlist."""

    SCREENING = "screening", _("Screening panel")
    FINAL = "final", _("Final panel")


class Judge(models.Model):
    """A person on one of a challenge's panels (a member with the judge role or any account)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judging")
    panel = models.CharField(_("panel"), max_length=20, choices=Panel.choices, default=Panel.SCREENING)
    keywords = models.TextField(_("expertise keywords"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "user", "panel"],
                                               name="one_judge_per_panel")]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")

    def __str__(self) -> str:
        return str(self.user)


class ConflictOfInterest(models.Model):
    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the judge")
        SAME_ORGANISATION = "same_organisation", _("Same organisation")

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="conflicts")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["judge", "submission"], name="one_conflict_per_pair")]

    def __str__(self) -> str:
        return f"{self.judge} × {self.submission.code}"


class Assignment(models.Model):
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    affinity = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission__number"]
        constraints = [models.UniqueConstraint(fields=["judge", "submission"], name="one_assignment_per_pair")]

    def __str__(self) -> str:
        return f"{self.submission.code} → {self.judge}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.SmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class Decision(models.Model):
    class Kind(models.TextChoices):
        SCREENING = "screening", _("Screening")
        SHORTLIST = "shortlist", _("Shortlist")
        WINNER = "winner", _("Winner")
        NOT_SELECTED = "not_selected", _("Not selected")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(_("resulting status"), max_length=20, choices=Submission.Status.choices)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.outcome}"


class RankingEntry(models.Model):
    """One submission's calibrated result, stored by the calibration job for fast pages."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="ranking")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="ranking")
    n_judges = models.PositiveSmallIntegerField(default=0)
    raw_mean = models.FloatField()
    raw_sd = models.FloatField(default=0.0)
    zscore = models.FloatField(default=0.0)
    additive = models.FloatField(default=0.0)
    score = models.FloatField()
    score_low = models.FloatField()
    score_high = models.FloatField()
    rank = models.PositiveIntegerField()
    rank_best = models.PositiveIntegerField()
    rank_worst = models.PositiveIntegerField()
    flags = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["rank", "submission__number"]
        indexes = [models.Index(fields=["challenge", "rank"])]

    def __str__(self) -> str:
        return f"{self.rank}: {self.submission_id}"


class PublicVote(models.Model):
    """One verified account's people's-choice vote; the address is kept only as a salted hash."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="public_votes")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="public_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="one_public_vote_per_account")]
        indexes = [models.Index(fields=["challenge", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.submission_id}"


class Cohort(models.Model):
    """Selected teams (submissions) supported together through the accelerator."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    teams = models.ManyToManyField(Submission, related_name="cohorts", verbose_name=_("teams"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A step every team of the cohort must reach by its due date."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class MilestoneStatus(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="statuses")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="milestone_statuses")
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.NOT_STARTED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["milestone", "submission"], name="one_status_per_team")]

    def __str__(self) -> str:
        return f"{self.milestone_id}/{self.submission_id}: {self.state}"


def milestone_state(state: str, due_on: Any, today: Any = None) -> str:
    """The displayed state: "late" when the due date has passed and the milestone is not done."""
    today = today or timezone.localdate()
    if state != MilestoneStatus.State.DONE and due_on < today:
        return "late"
    return state


class Mentor(models.Model):
    """A mentor of one team in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="mentors")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="mentors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "submission", "user"], name="one_mentor_per_team")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.submission_id}"


class Kpi(models.Model):
    """A key performance indicator every team of the cohort reports on."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.FloatField(_("target"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ProgressReport(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="reports")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("progress since the last report"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.created_at:%Y-%m-%d}"


class KpiValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="one_value_per_kpi")]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.value}"
