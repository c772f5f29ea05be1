"""Forms: challenge settings, form builder, rubric, judges, the dynamic application and score forms."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from kientao.challenges.models import (
    Challenge,
    Criterion,
    FieldKind,
    FormField,
    Kpi,
    MilestoneStatus,
    Panel,
    Submission,
)

DATE_FIELDS = ["opens_at", "closes_at", "judging_at", "final_at", "accelerator_at", "closed_at"]
VOTING_FIELDS = ["voting_opens_at", "voting_closes_at"]


class ChallengeForm(forms.ModelForm[Challenge]):
    class Meta:
        model = Challenge
        fields = ["title", "slug", "summary", "problem_statement", "sdg_tags", "affected_groups",
                  "prizes", "eligibility", "system_map", "is_published", *DATE_FIELDS, "per_submission",
                  "max_load", "shortlist_size", "peoples_choice", *VOTING_FIELDS]
        widgets = {name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
                   for name in DATE_FIELDS + VOTING_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dates = [data.get(n) for n in DATE_FIELDS]
        if all(dates) and any(a >= b for a, b in zip(dates, dates[1:], strict=False)):  # type: ignore[operator]
            raise ValidationError(_("The phase dates must follow each other in order."))
        if data.get("per_submission") == 0:
            self.add_error("per_submission", _("At least one judge per submission."))
        if data.get("peoples_choice"):
            start, end = data.get("voting_opens_at"), data.get("voting_closes_at")
            if not start:
                self.add_error("voting_opens_at", _("Give the start of the people's choice vote."))
            if not end:
                self.add_error("voting_closes_at", _("Give the end of the people's choice vote."))
            if start and end and start >= end:
                self.add_error("voting_closes_at", _("The vote must close after it opens."))
        return data


class FormFieldForm(forms.ModelForm[FormField]):
    class Meta:
        model = FormField
        fields = ["key", "position", "kind", "label_vi", "label_en", "help_text", "required",
                  "word_limit", "choices", "allowed_types", "max_size_mb", "identifying",
                  "eligibility_answer"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in (FieldKind.CHOICE, FieldKind.MULTIPLE) and not (data.get("choices") or "").strip():
            self.add_error("choices", _("List the choices, one per line."))
        if data.get("kind") == FieldKind.FILE and not (data.get("allowed_types") or "").strip():
            self.add_error("allowed_types", _("List the allowed file types."))
        return data


class CriterionForm(forms.ModelForm[Criterion]):
    levels_text = forms.CharField(
        label=_("Level descriptors"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. “1: no evidence”."),
    )

    class Meta:
        model = Criterion
        fields = ["position", "name_vi", "name_en", "description", "weight", "scale_min", "scale_max"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and low >= high:
            self.add_error("scale_max", _("The highest score must be above the lowest."))
        if (data.get("weight") or 0) <= 0:
            self.add_error("weight", _("The weight must be positive."))
        levels: dict[str, str] = {}
        for line in (data.get("levels_text") or "").splitlines():
            if not line.strip():
                continue
            key, sep, text = line.partition(":")
            if not sep or not key.strip().lstrip("-").isdigit():
                self.add_error("levels_text", _("Write each level as “score: description”."))
                break
            levels[key.strip()] = text.strip()
        data["levels"] = levels
        return data


class JudgeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the judge's account"))
    panel = forms.ChoiceField(label=_("Panel"), choices=Panel.choices, initial=Panel.SCREENING, required=False)

    def clean_panel(self) -> str:
        return self.cleaned_data.get("panel") or Panel.SCREENING
    keywords = forms.CharField(label=_("Expertise keywords"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    panel = forms.ChoiceField(label=_("Panel"), choices=Panel.choices, initial=Panel.SCREENING, required=False,
                              help_text=_("The final panel is assigned among shortlisted submissions only."))
    per_submission = forms.IntegerField(label=_("Judges per submission"), min_value=1, max_value=20)
    min_load = forms.IntegerField(label=_("Minimum load per judge"), min_value=0, max_value=10000, initial=0)
    max_load = forms.IntegerField(label=_("Maximum load per judge"), min_value=1, max_value=10000)
    seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=2**31, initial=0)
    probability_cap = forms.FloatField(
        label=_("Probability cap (randomised assignment)"), required=False,
        help_text=_("Between 0 and 1, e.g. 0.5: no judge gets any submission with a higher probability, "
                    "which limits manipulation. Leave empty for the single best assignment."))
    forced_pairs = forms.CharField(
        label=_("Required pairs"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: submission code, judge's e-mail address (e.g. “S-0001, judge@example.org”)."))

    def clean_panel(self) -> str:
        return self.cleaned_data.get("panel") or Panel.SCREENING

    def __init__(self, *args: Any, challenge: Challenge | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge = challenge

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("min_load") or 0) > (data.get("max_load") or 0) and data.get("max_load"):
            self.add_error("min_load", _("The minimum load cannot exceed the maximum."))
        cap = data.get("probability_cap")
        if cap is not None and not (0 < cap <= 1):
            self.add_error("probability_cap", _("The probability cap must be above 0 and at most 1."))
        data["forced"] = self._forced(data.get("forced_pairs") or "", data.get("panel") or Panel.SCREENING)
        return data

    def _forced(self, text: str, panel: str) -> list[list[int]]:
        from kientao.challenges.models import Judge

        pairs: list[list[int]] = []
        if self.challenge is None:
            return pairs
        for line in text.splitlines():
            if not line.strip():
                continue
            code, sep, email = line.partition(",")
            code, email = code.strip().upper(), email.strip()
            number = code[2:] if code.startswith("S-") else ""
            submission = self.challenge.submissions.filter(number=int(number)).first() \
                if sep and number.isdigit() else None
            judge = Judge.objects.filter(challenge=self.challenge, panel=panel, user__email__iexact=email).first() \
                if sep and email else None
            if submission is None or judge is None:
                self.add_error("forced_pairs", _("“%(line)s”: write a submission code of this challenge and the "
                                                 "e-mail address of a judge on the chosen panel.")
                               % {"line": line.strip()[:80]})
                return []
            pairs.append([submission.pk, judge.pk])
        return pairs


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[
        (Submission.Status.ELIGIBLE, _("Eligible")), (Submission.Status.INELIGIBLE, _("Not eligible"))])
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=[
        ("shortlist", _("Shortlist")), ("winner", _("Winner")), ("not_selected", _("Not selected"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("Why you have a conflict of interest"), max_length=300)


class ApplicationForm(forms.Form):
    """Built from the challenge's form fields; ``answers()`` gives the JSON to store."""

    title = forms.CharField(label=_("Title of the proposal"), max_length=200)

    def __init__(self, *args: Any, challenge: Challenge, submission: Submission | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        self.form_fields = list(challenge.fields.all())
        self.has_file = {f.key for f in self.form_fields if f.kind == FieldKind.FILE and submission
                         and submission.files.filter(field=f).exists()}
        answers = submission.answers if submission else {}
        if submission:
            self.initial["title"] = submission.title
        for f in self.form_fields:
            self.fields[f"f_{f.key}"] = self._field(f)
            value = answers.get(f.key)
            if f.kind == FieldKind.TEAM and isinstance(value, list):
                value = "\n".join(f"{m.get('name', '')}, {m.get('role', '')}".strip(", ") for m in value
                                  if isinstance(m, dict))
            if value is not None:
                self.initial[f"f_{f.key}"] = value

    def _field(self, f: FormField) -> forms.Field:
        common: dict[str, Any] = {"label": f.label, "help_text": f.help_text, "required": False}
        if f.kind == FieldKind.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, **common)
        if f.kind == FieldKind.NUMBER:
            return forms.DecimalField(max_digits=14, decimal_places=2, **common)
        if f.kind == FieldKind.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in f.choice_list]], **common)
        if f.kind == FieldKind.MULTIPLE:
            return forms.MultipleChoiceField(choices=[(c, c) for c in f.choice_list],
                                             widget=forms.CheckboxSelectMultiple, **common)
        if f.kind == FieldKind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if f.kind == FieldKind.URL:
            return forms.URLField(max_length=500, **common)
        if f.kind == FieldKind.FILE:
            types = ", ".join(f.extensions)
            common["help_text"] = " ".join(filter(None, [f.help_text, str(_("Allowed: %(types)s; at most %(mb)s MB.")
                                                                              % {"types": types, "mb": f.max_size_mb})]))
            return forms.FileField(**common)
        if f.kind == FieldKind.TEAM:
            common["help_text"] = f.help_text or _("One member per line: name, role.")
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)
        return forms.CharField(max_length=500, **common)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        final = "submit" in self.data
        for f in self.form_fields:
            name = f"f_{f.key}"
            value = data.get(name)
            if f.kind == FieldKind.FILE and value:
                ext = (value.name or "").rsplit(".", 1)[-1].lower() if "." in (value.name or "") else ""
                if ext not in f.extensions:
                    self.add_error(name, _("This file type is not allowed."))
                elif value.size > f.max_size_mb * 1024 * 1024:
                    self.add_error(name, _("The file is too large."))
            if f.kind == FieldKind.LONG_TEXT and f.word_limit and value and len(str(value).split()) > f.word_limit:
                self.add_error(name, _("At most %(n)d words.") % {"n": f.word_limit})
            empty = value in (None, "", []) and not (f.kind == FieldKind.FILE and f.key in self.has_file)
            if final and f.required and empty:
                self.add_error(name, _("This field is required to submit."))
        return data

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.form_fields:
            value = self.cleaned_data.get(f"f_{f.key}")
            if f.kind == FieldKind.FILE:
                continue
            if value in (None, "", []):
                continue
            if f.kind == FieldKind.NUMBER:
                value = float(value)
            elif f.kind == FieldKind.DATE and isinstance(value, dt.date):
                value = value.isoformat()
            elif f.kind == FieldKind.TEAM:
                members = []
                for line in str(value).splitlines():
                    name, _sep, role = line.partition(",")
                    if name.strip():
                        members.append({"name": name.strip(), "role": role.strip()})
                value = members
            elif f.kind == FieldKind.URL:
                URLValidator()(value)
            out[f.key] = value
        return out

    def uploads(self) -> dict[str, Any]:
        return {f.key: self.cleaned_data[f"f_{f.key}"] for f in self.form_fields
                if f.kind == FieldKind.FILE and self.cleaned_data.get(f"f_{f.key}")}


class ScoreForm(forms.Form):
    def __init__(self, *args: Any, criteria: list[Criterion], scores: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            choices = [("", "—")] + [(str(v), str(v)) for v in range(c.scale_min, c.scale_max + 1)]
            self.fields[f"value_{c.pk}"] = forms.TypedChoiceField(
                label=c.name, choices=choices, coerce=int, required=False,
                help_text=_("Weight %(w)s") % {"w": f"{c.weight:g}"})
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": c.name}, required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}))
            if c.pk in scores:
                self.initial[f"value_{c.pk}"] = scores[c.pk].value
                self.initial[f"comment_{c.pk}"] = scores[c.pk].comment

    def values(self) -> dict[int, tuple[int, str]]:
        out = {}
        for c in self.criteria:
            value = self.cleaned_data.get(f"value_{c.pk}")
            if value not in (None, ""):
                out[c.pk] = (int(value), self.cleaned_data.get(f"comment_{c.pk}") or "")
        return out


# Accelerator ---------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("End"), widget=DATE_INPUT)
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Submission.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, challenge: Challenge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        selected = challenge.submissions.filter(status__in=[Submission.Status.WINNER, Submission.Status.SHORTLISTED])
        field: Any = self.fields["teams"]
        field.queryset = selected.order_by("number")
        field.help_text = _("Winners and shortlisted submissions.")
        self.initial.setdefault("teams", list(selected.filter(status=Submission.Status.WINNER)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] >= data["ends_on"]:
            self.add_error("ends_on", _("The end must come after the start."))
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due date"), widget=DATE_INPUT)


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    target = forms.FloatField(label=_("Target"))

    def clean_target(self) -> float:
        target = self.cleaned_data["target"]
        if not math.isfinite(target) or target == 0:
            raise ValidationError(_("The target must be a non-zero number."))
        return float(target)


class MentorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the mentor's account"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Submission.objects.none())

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["team"]
        field.queryset = teams


class MilestoneStateForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.State.choices)


class ProgressReportForm(forms.Form):
    text = forms.CharField(label=_("Progress since the last report"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, kpis: list[Kpi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for k in kpis:
            label = f"{k.name} ({k.unit})" if k.unit else k.name
            self.fields[f"kpi_{k.pk}"] = forms.FloatField(
                label=label, required=False, help_text=_("Target: %(t)s") % {"t": f"{k.target:g}"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for k in self.kpis:
            value = data.get(f"kpi_{k.pk}")
            if value is not None and not math.isfinite(value):
                self.add_error(f"kpi_{k.pk}", _("Enter a number."))
        return data

    def values(self) -> dict[int, float]:
        return {k.pk: float(self.cleaned_data[f"kpi_{k.pk}"]) for k in self.kpis
                if self.cleaned_data.get(f"kpi_{k.pk}") is not None}


class PublicVoteForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
