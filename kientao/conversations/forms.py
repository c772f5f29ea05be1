from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kientao.conversations.models import STATEMENT_MAX_LENGTH, STATEMENT_MIN_LENGTH, Conversation

LANGUAGE_CHOICES = [("vi", _("Vietnamese")), ("en", _("English"))]
_KEY = re.compile(r"[a-z][a-z0-9_]{0,30}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_SEEDS = 300


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_statement_text(text: str) -> str:
    """A statement as stored: control characters out, spaces folded, Unicode NFC (Vietnamese
    typed with combining marks and precomposed reads the same), length checked."""
    if _SURROGATE.search(text or ""):  # a lone surrogate (JSON "\ud800") cannot be stored
        raise forms.ValidationError(_("This text holds characters that are not valid Unicode."))
    text = unicodedata.normalize("NFC", " ".join(_CONTROL.sub("", text or "").split()))
    if len(text) < STATEMENT_MIN_LENGTH:
        raise forms.ValidationError(
            _("A statement needs at least %(n)d characters.") % {"n": STATEMENT_MIN_LENGTH})
    if len(text) > STATEMENT_MAX_LENGTH:
        raise forms.ValidationError(
            _("A statement may have at most %(n)d characters.") % {"n": STATEMENT_MAX_LENGTH})
    return text


def storable_time(value: datetime | None) -> datetime | None:
    """The time when the database can store it, else a field error.

    Times are stored in UTC: near year 1 or 9999 the local time entered can fall outside
    what a ``datetime`` holds once converted (0001-01-01 00:00 at UTC+7), and saving
    would crash.
    """
    if value is None:
        return None
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise forms.ValidationError(_("This date is too far in the past or the future."),
                                    code="out_of_range") from exc
    return value


def parse_questions(text: str) -> list[dict[str, Any]]:
    """One question per line: ``key | Vietnamese label | English label | choice, choice``."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            raise forms.ValidationError(
                _("Line %(n)d: write key | Vietnamese label | English label | choices.") % {"n": number})
        key, label_vi, label_en, choices = parts
        choice_list = [c.strip() for c in choices.split(",") if c.strip()]
        if not _KEY.fullmatch(key) or key in seen:
            raise forms.ValidationError(
                _("Line %(n)d: the key must be a new short lower-case word (a-z, 0-9, _).") % {"n": number})
        if not label_vi or not label_en or not 2 <= len(choice_list) <= 20:
            raise forms.ValidationError(
                _("Line %(n)d: give both labels and between 2 and 20 choices.") % {"n": number})
        seen.add(key)
        out.append({"key": key, "label_vi": label_vi[:200], "label_en": label_en[:200],
                    "choices": [c[:60] for c in choice_list]})
    if len(out) > 10:
        raise forms.ValidationError(_("Ask at most 10 questions."))
    return out


def questions_text(questions: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{q['key']} | {q.get('label_vi', '')} | {q.get('label_en', '')} | {', '.join(q.get('choices', []))}"
        for q in questions
    )


class ConversationForm(forms.ModelForm[Conversation]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple,
        initial=["vi", "en"],
    )
    seeds = forms.CharField(
        label=_("Seed statements"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One statement per line. Existing statements are kept."),
    )
    questions = forms.CharField(
        label=_("Attribute questions (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: key | Vietnamese label | English label | choice, choice, …"),
    )

    class Meta:
        model = Conversation
        fields = ["topic", "description", "languages", "allow_statements", "moderation",
                  "consent_text", "opens_at", "closes_at"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["questions"] = questions_text(self.instance.attribute_questions)
        for name in ("opens_at", "closes_at"):
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

    def clean_opens_at(self) -> datetime | None:
        return storable_time(self.cleaned_data.get("opens_at"))

    def clean_closes_at(self) -> datetime | None:
        return storable_time(self.cleaned_data.get("closes_at"))

    def clean_seeds(self) -> list[str]:
        lines = [ln for ln in (self.cleaned_data.get("seeds") or "").splitlines() if ln.strip()]
        if len(lines) > MAX_SEEDS:
            raise forms.ValidationError(_("At most %(n)d seed statements at a time.") % {"n": MAX_SEEDS})
        out: list[str] = []
        for number, line in enumerate(lines, start=1):
            try:
                out.append(clean_statement_text(line))
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("Line %(n)d: %(error)s") % {"n": number, "error": " ".join(exc.messages)}) from exc
        return out

    def clean_questions(self) -> list[dict[str, Any]]:
        return parse_questions(self.cleaned_data.get("questions") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        if data.get("questions") and not (data.get("consent_text") or "").strip():
            self.add_error("consent_text", _("Explain why you ask and how answers are used."))
        return data

    def save(self, commit: bool = True) -> Conversation:
        self.instance.attribute_questions = self.cleaned_data.get("questions") or []
        return super().save(commit=commit)


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"), max_length=STATEMENT_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
        help_text=_("Short and about one idea. Other participants will vote on it."),
    )

    def clean_text(self) -> str:
        return clean_statement_text(self.cleaned_data["text"])


class VoteForm(forms.Form):
    statement = forms.IntegerField(min_value=1, max_value=2**62)
    vote = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0"), ("-1", "-1")], coerce=int)


class AttributesForm(forms.Form):
    consent = forms.BooleanField(label=_("I agree that my answers are used as described above."),
                                 required=True)

    def __init__(self, questions: list[dict[str, Any]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vi = (get_language() or "en").startswith("vi")
        self.keys = []
        for q in questions:
            label = q.get("label_vi") if vi else q.get("label_en")
            choices = [("", _("Prefer not to say"))] + [(c, c) for c in q.get("choices", [])]
            self.fields[f"q_{q['key']}"] = forms.ChoiceField(label=label or q["key"], choices=choices,
                                                             required=False)
            self.keys.append(q["key"])
        self.order_fields([f"q_{k}" for k in self.keys] + ["consent"])

    def answers(self) -> dict[str, str]:
        return {k: self.cleaned_data[f"q_{k}"] for k in self.keys if self.cleaned_data.get(f"q_{k}")}


class PolisImportForm(forms.Form):
    """Upload of a Pol.is export ZIP; the file itself is read by ``polis_import.read_export``."""

    export = forms.FileField(
        label=_("Pol.is export (.zip)"),
        help_text=_("The ZIP of comments.csv, votes.csv or participants-votes.csv and summary.csv, "
                    "as Pol.is or the report page of this platform exports it."),
    )
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200,
                            help_text=_("Leave empty to keep the topic of the export."))
    language = forms.ChoiceField(label=_("Language of the statements"), choices=LANGUAGE_CHOICES,
                                 initial="vi")

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["export"].widget.attrs["accept"] = ".zip,application/zip"

    def clean_export(self) -> Any:
        upload = self.cleaned_data["export"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": f"{self.max_bytes / 2**20:g}"})
        return upload
