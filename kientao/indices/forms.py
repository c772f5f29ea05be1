from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kientao.indices.models import Element, SurveyItem


class ImportForm(forms.Form):
    name = forms.CharField(label=_("Name of the index"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    year = forms.IntegerField(label=_("Year of the data"), min_value=1900, max_value=2200, initial=2025,
                              help_text=_("Used when the data has no Time or year column."))
    first = forms.FileField(
        label=_("File"),
        help_text=_("One .xlsx with sheets iData and iMeta (COINr) or Framework and Data (our template), "
                    "or the iData table as .csv or .xlsx."),
    )
    second = forms.FileField(label=_("iMeta file (when the first file is iData only)"), required=False)


class DataForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the data"), min_value=1900, max_value=2200, initial=2026,
                              help_text=_("Used when the data has no Time or year column."))
    file = forms.FileField(
        label=_("Data file"),
        help_text=_("The iData table (.csv or .xlsx, sheet iData or Data), with the framework's indicator "
                    "codes as columns. It replaces the data of the same year."))


class ElementForm(forms.Form):
    weight = forms.FloatField(label=_("Weight"), min_value=0, max_value=1e6)
    direction = forms.TypedChoiceField(label=_("Direction"), coerce=int,
                                       choices=[(1, _("higher is better")), (-1, _("lower is better"))])


CODE_HELP = _("Letters, digits, _ and -; it must not start with a digit and must be new in the framework.")


class AddElementForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("Under"), queryset=Element.objects.none())
    type = forms.ChoiceField(label=_("Kind"), choices=[("Indicator", _("Indicator")),
                                                       ("Aggregate", _("Aggregate (pillar, sub-pillar)"))])
    code = forms.RegexField(label=_("Code"), max_length=60, regex=r"^[A-Za-z_][A-Za-z0-9_.-]*$", help_text=CODE_HELP)
    name = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    weight = forms.FloatField(label=_("Weight"), min_value=0, max_value=1e6, initial=1.0)
    direction = forms.TypedChoiceField(label=_("Direction"), coerce=int, initial=1,
                                       choices=[(1, _("higher is better")), (-1, _("lower is better"))])
    child_code = forms.RegexField(label=_("Code of its first indicator"), max_length=60, required=False,
                                  regex=r"^[A-Za-z_][A-Za-z0-9_.-]*$",
                                  help_text=_("An aggregate needs at least one indicator under it."))
    child_name = forms.CharField(label=_("Name of its first indicator"), max_length=200, required=False)

    def __init__(self, *args: Any, framework: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["parent"].queryset = framework.elements.filter(  # type: ignore[attr-defined]
            type=Element.Type.AGGREGATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = set(self.framework.elements.values_list("code", flat=True))
        if data.get("code") in codes:
            self.add_error("code", _("This code is already used in the framework."))
        if data.get("type") == "Aggregate":
            if not data.get("child_code"):
                self.add_error("child_code", _("An aggregate needs at least one indicator under it."))
            elif data["child_code"] in codes or data["child_code"] == data.get("code"):
                self.add_error("child_code", _("This code is already used in the framework."))
        return data


class RenameElementForm(forms.Form):
    name = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)


IMPUTE = [("none", _("No imputation (GII: re-normalised weights)")), ("mean", _("Mean")),
          ("median", _("Median")), ("mean-by-group", _("Mean within group")),
          ("median-by-group", _("Median within group")), ("em", _("Expectation–maximisation"))]
TREAT = [("default", _("Winsorise, then log if needed (COINr/GII)")), ("none", _("No treatment"))]
F2 = [("log_CT", _("log_CT (COINr)")), ("log_GII", _("log_GII (GII)")), ("log_CT_plus", "log_CT_plus")]
NORMALISE = [("minmax", _("Min–max 0–100")), ("zscore", _("z-score (mean 10, sd 2)")),
             ("rank", _("Rank")), ("prank", _("Percentile rank")), ("dist2max", _("Distance to maximum")),
             ("fracmax", _("Fraction of maximum"))]
AGGREGATE = [("amean", _("Arithmetic mean")), ("gmean", _("Geometric mean")), ("hmean", _("Harmonic mean")),
             ("copeland", _("Copeland (outranking)"))]
WEIGHTING = [("framework", _("Weights given in the framework")), ("equal", _("Equal weights")),
             ("pca", _("From principal components (PCA) of each pillar's indicators")),
             ("optimise", _("Optimised so that each indicator contributes equally (target correlations)"))]


class BuildForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    denominate = forms.BooleanField(label=_("Divide by denominators named in the framework"),
                                    required=False, initial=True)
    impute = forms.ChoiceField(label=_("Imputation"), choices=IMPUTE, initial="none")
    impute_group = forms.ChoiceField(label=_("Group column for imputation by group"), required=False)
    screen_threshold = forms.FloatField(
        label=_("Screening: minimum share of available data per unit"), min_value=0, max_value=1,
        required=False, initial=None, help_text=_("Empty: keep every unit. COINr's default is 0.66."))
    treat = forms.ChoiceField(label=_("Outlier treatment"), choices=TREAT, initial="default")
    winmax = forms.IntegerField(label=_("Maximum points to winsorise"), min_value=0, max_value=50, initial=5)
    skew_thresh = forms.FloatField(label=_("Skewness threshold"), min_value=0, max_value=100, initial=2.0,
                                   help_text=_("COINr 2, GII 2.25"))
    kurt_thresh = forms.FloatField(label=_("Kurtosis threshold"), min_value=0, max_value=100, initial=3.5)
    f2 = forms.ChoiceField(label=_("Second treatment"), choices=F2, initial="log_CT")
    normalise = forms.ChoiceField(label=_("Normalisation"), choices=NORMALISE, initial="minmax")
    aggregate = forms.ChoiceField(label=_("Aggregation"), choices=AGGREGATE, initial="amean")
    weighting = forms.ChoiceField(
        label=_("Weights"), choices=WEIGHTING, initial="framework", required=False,
        help_text=_("PCA and optimised weights are computed from the normalised data of the indicators and "
                    "stored with the build, so it can be replayed."))

    def __init__(self, *args: Any, years: list[int], groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in reversed(years)]  # type: ignore[attr-defined]
        self.fields["impute_group"].choices = [("", "—")] + [(g, g) for g in groups]  # type: ignore[attr-defined]


class UncertaintyForm(forms.Form):
    n = forms.IntegerField(label=_("Number of draws"), min_value=10, max_value=5000, initial=500)
    seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=2**31 - 1, initial=1)
    kind = forms.ChoiceField(label=_("Analysis"), initial="UA", choices=[
        ("UA", _("Uncertainty: distribution of ranks")),
        ("SA", _("Sensitivity: Sobol indices (needs two or more inputs; N × (inputs + 2) runs)"))])
    inputs = forms.MultipleChoiceField(
        label=_("What varies"), widget=forms.CheckboxSelectMultiple, initial=["weights", "aggregation"],
        choices=[("weights", _("Weights (±25 %)")), ("normalisation", _("Normalisation (min–max or z-score)")),
                 ("aggregation", _("Aggregation (arithmetic or geometric mean; the geometric mean needs "
                                   "scores above zero)")),
                 ("winmax", _("Winsorisation limit (1–5 points)"))])


    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "SA" and len(data.get("inputs") or []) < 2:
            self.add_error("inputs", _("A sensitivity analysis needs at least two inputs."))
        return data


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class SurveyItemForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Element.objects.none())
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=SurveyItem.Kind.choices)

    def __init__(self, *args: Any, framework: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = framework.elements.filter(  # type: ignore[attr-defined]
            type=Element.Type.INDICATOR)


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200, initial=2025)


class AnswerForm(forms.Form):
    """One field per survey item, built from the items."""

    def __init__(self, *args: Any, items: list[SurveyItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = f"item_{item.pk}"
            field: forms.Field
            if item.kind == SurveyItem.Kind.LIKERT:
                field = forms.TypedChoiceField(label=item.text, coerce=float, widget=forms.RadioSelect,
                                               choices=[(str(k), str(k)) for k in range(1, 6)],
                                               help_text=_("1 = not at all, 5 = fully"))
            elif item.kind == SurveyItem.Kind.YESNO:
                field = forms.TypedChoiceField(label=item.text, coerce=float, widget=forms.RadioSelect,
                                               choices=[("1", _("Yes")), ("0", _("No"))])
            else:
                field = forms.FloatField(label=item.text, min_value=-1e12, max_value=1e12)
            self.fields[name] = field

    def values(self) -> dict[int, float | None]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") for item in self.items}
