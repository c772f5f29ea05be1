"""Composite indices: frameworks (the tree of indicators), their data, builds and surveys.

The engine (``kientao.indices.engine``) works on COINr's two tables, iMeta and iData;
``Framework.imeta_table`` and ``Framework.idata_table`` rebuild them from these rows.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

import pandas as pd
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kientao.core.models import Job, Organisation, User


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Framework(models.Model):
    """One composite index: its tree of elements, its units and its data by year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    public_slug = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("framework")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indices:framework_detail", args=[self.organisation.slug, self.pk])

    def years(self) -> list[int]:
        return list(self.datasets.order_by("year").values_list("year", flat=True))

    def imeta_table(self) -> pd.DataFrame:
        """COINr iMeta: one row per element, plus Group and Denominator rows."""
        rows: list[dict[str, Any]] = []
        for e in self.elements.select_related("parent").order_by("position", "pk"):
            rows.append({
                "Level": e.level if e.type in (Element.Type.INDICATOR, Element.Type.AGGREGATE) else None,
                "iCode": e.code, "iName": e.name,
                "Parent": e.parent.code if e.parent else None,
                "Direction": e.direction, "Weight": e.weight if e.type in ("Indicator", "Aggregate") else None,
                "Type": e.type, "Unit": e.unit,
                "Target": e.target if e.target is not None else math.nan,
                "Denominator": e.denominator or None,
            })
        return pd.DataFrame(rows)

    def idata_table(self, year: int) -> pd.DataFrame:
        dataset = self.datasets.get(year=year)
        return pd.DataFrame(dataset.rows)


class Element(models.Model):
    """A node of the framework: an indicator, an aggregate (pillar, sub-index, index),
    or a Group/Denominator column of the data."""

    class Type(models.TextChoices):
        INDICATOR = "Indicator", _("Indicator")
        AGGREGATE = "Aggregate", _("Aggregate")
        GROUP = "Group", _("Group")
        DENOMINATOR = "Denominator", _("Denominator")
        OTHER = "Other", _("Other")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name (Vietnamese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    weight = models.FloatField(_("weight"), default=1.0)
    direction = models.SmallIntegerField(_("direction"), default=1, choices=[(1, _("higher is better")),
                                                                             (-1, _("lower is better"))])
    unit = models.CharField(_("unit of measure"), max_length=60, blank=True)
    denominator = models.CharField(_("denominator"), max_length=60, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices, default=Type.INDICATOR)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indices_element_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def label(self, language: str = "vi") -> str:
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name or self.code


class Unit(models.Model):
    """A unit that the index ranks (a province, an agency)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200, blank=True)
    groups = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indices_unit_code")]

    def __str__(self) -> str:
        return self.name or self.code


class Dataset(models.Model):
    """The iData table of one year, stored as its rows (uCode, uName, groups, indicators)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="datasets")
    year = models.IntegerField(_("year"))
    rows = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["framework", "year"], name="indices_dataset_year")]

    def __str__(self) -> str:
        return f"{self.framework} {self.year}"


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class Build(models.Model):
    """One run of the pipeline on one year's data, with its results.

    ``steps`` is the engine's recipe (``steps_to_json``); ``scores`` holds every data
    column of the Aggregated set: ``{"units": [...], "columns": [...], "values": [[...]]}``.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="builds")
    year = models.IntegerField(_("year"))
    steps = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(blank=True)
    scores = models.JSONField(default=dict, blank=True)
    audit = models.JSONField(default=dict, blank=True)
    treatment = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.framework} {self.year} #{self.pk}"

    def scores_frame(self) -> pd.DataFrame:
        s = self.scores or {}
        if not s.get("units"):
            return pd.DataFrame()
        frame = pd.DataFrame(s["values"], index=pd.Index(s["units"], name="uCode"), columns=s["columns"])
        return frame.astype(float)


class UncertaintyRun(models.Model):
    """A Monte Carlo uncertainty analysis of a build (COINr ``get_sensitivity``)."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="uncertainty_runs")
    n = models.PositiveIntegerField(_("number of draws"), default=500)
    seed = models.IntegerField(_("random seed"), default=1)
    inputs = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(blank=True)
    rank_stats = models.JSONField(default=list, blank=True)
    sensitivity = models.JSONField(default=list, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failed_runs = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"UA {self.build} n={self.n}"


class Survey(models.Model):
    """A self-assessment questionnaire whose answers become indicator data of a framework."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class SurveyItem(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Likert scale 1–5")
        YESNO = "yesno", _("Yes / no")
        NUMBER = "number", _("Number")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="survey_items")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=8, choices=Kind.choices, default=Kind.LIKERT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "indicator"], name="indices_item_indicator")]

    def __str__(self) -> str:
        return self.text


class SurveyRound(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    year = models.IntegerField(_("year"))
    is_open = models.BooleanField(_("open for answers"), default=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["survey", "year"], name="indices_round_year")]

    def __str__(self) -> str:
        return f"{self.survey} {self.year}"


class SurveyInvite(models.Model):
    """One agency's unguessable link to answer one round."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invites")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="indices_invite_unit")]

    def __str__(self) -> str:
        return f"{self.round} {self.unit}"


class SurveyAnswer(models.Model):
    invite = models.ForeignKey(SurveyInvite, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.CASCADE, related_name="answers")
    value = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invite", "item"], name="indices_answer_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"
