"""System maps of an organisation: factors, signed links, versions and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kientao.core.models import Organisation


class SystemMap(models.Model):
    class Kind(models.TextChoices):
        CAUSAL_LOOP = "causal_loop", _("Causal loop diagram")
        ACTOR_MAP = "actor_map", _("Actor map")
        PROBLEM_TREE = "problem_tree", _("Problem tree")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="system_maps")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CAUSAL_LOOP)
    shared = models.BooleanField(
        _("shared by link"), default=False,
        help_text=_("Anyone with the link may see the drawing (for example from a challenge)."),
    )
    # Loops named by the authors (Kumu keeps them): [{id, label, link_ids, loop_type, description}].
    named_loops = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("system map")
        verbose_name_plural = _("system maps")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("systemmaps:map_detail", args=[self.organisation.slug, self.pk])


class Factor(models.Model):
    map = models.ForeignKey(SystemMap, on_delete=models.CASCADE, related_name="factors")
    key = models.CharField(max_length=100)  # the engine's factor id, stable across saves
    label = models.CharField(_("label"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="systemmaps_factor_key")]

    def __str__(self) -> str:
        return self.label


class Link(models.Model):
    class Sign(models.IntegerChoices):
        POSITIVE = 1, "+"
        NEGATIVE = -1, "−"
        UNKNOWN = 0, "?"

    map = models.ForeignKey(SystemMap, on_delete=models.CASCADE, related_name="links")
    key = models.CharField(max_length=100)
    source = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="links_in")
    sign = models.SmallIntegerField(_("sign"), choices=Sign.choices, default=Sign.POSITIVE)
    strength = models.FloatField(_("strength"), default=1.0)
    delay = models.BooleanField(_("delayed"), default=False)
    description = models.TextField(_("description"), blank=True)
    fields = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="systemmaps_link_key")]

    def __str__(self) -> str:
        return f"{self.source.label} → {self.get_sign_display()} {self.target.label}"

    @property
    def symbol(self) -> str:
        return {1: "+", -1: "−", 0: "?"}.get(self.sign, "?")


class MapVersion(models.Model):
    map = models.ForeignKey(SystemMap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["map", "number"], name="systemmaps_version_number")]

    def __str__(self) -> str:
        return f"{self.map} v{self.number}"

    @property
    def factor_count(self) -> int:
        return len(self.snapshot.get("factors", []))

    @property
    def link_count(self) -> int:
        return len(self.snapshot.get("links", []))


class Comment(models.Model):
    map = models.ForeignKey(SystemMap, on_delete=models.CASCADE, related_name="comments")
    factor = models.ForeignKey(Factor, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    link = models.ForeignKey(Link, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    # What the comment was about, kept when the factor or link is later removed.
    subject = models.CharField(max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.text[:40]}"
