"""Citizen conversations: statements, anonymous participants, their votes, analyses."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kientao.core.models import Job, Organisation, User

STATEMENT_MIN_LENGTH = 5
STATEMENT_MAX_LENGTH = 280
#: What the column holds: statements imported from Pol.is may be longer than the
#: STATEMENT_MAX_LENGTH asked of statements written here (Pol.is exports hold up to 500).
STORED_STATEMENT_MAX_LENGTH = 1000


def new_public_id() -> str:
    """Short, unguessable id used in public links (no enumeration of conversations)."""
    return secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Conversation(models.Model):
    class Moderation(models.TextChoices):
        PRE = "pre", _("Pre-moderation: new statements wait for approval")
        POST = "post", _("Post-moderation: new statements appear at once")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="conversations",
        verbose_name=_("organisation"),
    )
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id, editable=False)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    allow_statements = models.BooleanField(_("participants may add statements"), default=True)
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.PRE
    )
    attribute_questions = models.JSONField(_("attribute questions"), default=list, blank=True)
    consent_text = models.TextField(_("consent text"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    report_published = models.BooleanField(_("report published"), default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("conversations:vote", args=[self.public_id])

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def state_label(self) -> str:
        now = timezone.now()
        if self.opens_at and now < self.opens_at:
            return str(_("Not open yet"))
        if self.closes_at and now >= self.closes_at:
            return str(_("Closed"))
        return str(_("Open"))

    def visible_statements(self) -> models.QuerySet[Statement]:
        """Statements shown to participants: accepted, or not yet rejected under post-moderation."""
        qs = self.statements.exclude(status=Statement.Status.REJECTED)
        if self.moderation == self.Moderation.PRE:
            qs = qs.filter(status=Statement.Status.ACCEPTED)
        return qs

    def questions(self) -> list[dict[str, Any]]:
        return [q for q in self.attribute_questions if isinstance(q, dict) and q.get("key")]


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    # The raw token lives only in the participant's cookie; we keep its SHA-256.
    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attributes = models.JSONField(default=dict, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], condition=models.Q(user__isnull=False),
                name="conversations_one_participant_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"participant {self.pk}"


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=STORED_STATEMENT_MAX_LENGTH)
    language = models.CharField(_("language"), max_length=8, default="vi")
    author_participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )
    author_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_seed = models.BooleanField(default=False)
    is_meta = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def moderated(self) -> int:
        """Pol.is export coding: −1 rejected, 0 unmoderated, 1 accepted."""
        if self.status == self.Status.REJECTED:
            return -1
        return 1 if self.status == self.Status.ACCEPTED else 0


class Vote(models.Model):
    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        PASS = 0, _("Pass / unsure")
        DISAGREE = -1, _("Disagree")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="conversations_one_vote"),
            models.CheckConstraint(
                condition=models.Q(value__gte=-1, value__lte=1), name="conversations_vote_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.statement_id}={self.value}"


class AnalysisRun(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="analyses")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    results = models.JSONField(default=dict, blank=True)
    state = models.JSONField(default=dict, blank=True)
    # The full opinion map (participant ids, groups, x, y) as npz; results keep a sample.
    participant_data = models.BinaryField(default=b"", blank=True)
    n_votes = models.PositiveIntegerField(default=0)
    n_participants = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"analysis {self.pk} of {self.conversation_id}"


class RateCounter(models.Model):
    """Hits per key (salted hash of a participant token or address) and time window.

    One ``INSERT … ON CONFLICT … RETURNING`` per request counts every key at once, shared
    by all web processes, on SQLite and PostgreSQL alike; old windows are purged.
    """

    key = models.CharField(max_length=80)
    bucket = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="conversations_rate_bucket")]

    def __str__(self) -> str:
        return f"{self.key}@{self.bucket}={self.count}"
