"""Forms of the system-map pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kientao.systemmaps.models import Factor, SystemMap

MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_TYPES = (".json", ".xlsx", ".graphml", ".txt")


class MapForm(forms.ModelForm[SystemMap]):
    class Meta:
        model = SystemMap
        fields = ["title", "description", "kind", "shared"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class LinkTextForm(forms.Form):
    text = forms.CharField(
        label=_("Links, one a line"), required=False, max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "mono"}),
        help_text=_("For example “Du lịch -> + Tiêu dùng đồ nhựa”. Use + (same direction), "
                    "- (opposite direction) or ? (unknown); -//> marks a delay; a line with "
                    "only a label adds a factor; lines starting with # are ignored."),
    )


class ReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("Map file"),
        help_text=_("Kumu JSON (.json), Kumu Excel (.xlsx), GraphML (.graphml) or link text (.txt), "
                    "at most 5 MB."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(UPLOAD_TYPES):
            raise forms.ValidationError(_("Choose a .json, .xlsx, .graphml or .txt file."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportForm(ReplaceForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty to use the name in the file."))
    kind = forms.ChoiceField(label=_("Kind"), choices=SystemMap.Kind.choices,
                             initial=SystemMap.Kind.CAUSAL_LOOP)
    field_order = ["title", "kind", "file"]


class CommentForm(forms.Form):
    subject = forms.CharField(label=_("About"), max_length=120)
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, choices: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["subject"] = forms.ChoiceField(label=_("About"), choices=choices or [])


class SubmapForm(forms.Form):
    factor = forms.ChoiceField(label=_("Factor"), required=False)
    radius = forms.IntegerField(label=_("Steps"), min_value=1, max_value=3, initial=1, required=False)
    source = forms.ChoiceField(label=_("From"), required=False)
    target = forms.ChoiceField(label=_("To"), required=False)

    def __init__(self, *args: object, choices: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        options = [("", "—"), *(choices or [])]
        for name in ("factor", "source", "target"):
            self.fields[name].choices = options  # type: ignore[attr-defined]


class ScenarioForm(forms.Form):
    factor = forms.ChoiceField(label=_("Factor to hold"))
    value = forms.FloatField(label=_("Held at (0 to 1)"), min_value=-1, max_value=1, initial=1)
    factor2 = forms.ChoiceField(label=_("Second factor to hold (optional)"), required=False)
    value2 = forms.FloatField(label=_("Held at"), min_value=-1, max_value=1, required=False)

    def __init__(self, *args: object, choices: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["factor"].choices = choices or []  # type: ignore[attr-defined]
        self.fields["factor2"].choices = [("", "—"), *(choices or [])]  # type: ignore[attr-defined]


class ProblemForm(forms.Form):
    problem = forms.ChoiceField(label=_("Focal problem"))

    def __init__(self, *args: object, choices: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["problem"].choices = choices or []  # type: ignore[attr-defined]


class FactorForm(forms.ModelForm[Factor]):
    tags_text = forms.CharField(label=_("Tags"), required=False, max_length=500,
                                help_text=_("Separate tags with |, as in Kumu."))

    class Meta:
        model = Factor
        fields = ["description", "type"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"description": _("Markdown: **bold**, *italic*, lists and links.")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["tags_text"].initial = " | ".join(self.instance.tags or [])

    def clean_tags_text(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags_text"].split("|") if t.strip()][:30]
