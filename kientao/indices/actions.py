"""Writes that span several models, each in one transaction and audit-logged."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from kientao.core import audit
from kientao.core.models import Organisation, User
from kientao.indices import analysis
from kientao.indices.analysis import table_rows
from kientao.indices.engine import Step, steps_to_json
from kientao.indices.models import (
    Build,
    Dataset,
    Element,
    Framework,
    Status,
    Survey,
    SurveyAnswer,
    SurveyInvite,
    SurveyItem,
    SurveyRound,
    Unit,
)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any, default: float | None) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(f) else f


@transaction.atomic
def import_framework(
    organisation: Organisation, user: User | Any, *, name: str, description: str,
    imeta: pd.DataFrame, data_by_year: dict[int, pd.DataFrame],
) -> Framework:
    """Create a framework with its elements, units and yearly data (already validated)."""
    fw = Framework.objects.create(organisation=organisation, name=name, description=description,
                                  created_by=user if getattr(user, "is_authenticated", False) else None)
    by_code: dict[str, Element] = {}
    parents: dict[str, str] = {}
    for pos, rec in enumerate(imeta.to_dict("records")):
        code = _text(rec.get("iCode"))
        typ = _text(rec.get("Type")) or "Indicator"
        level = _number(rec.get("Level"), None)
        by_code[code] = Element.objects.create(
            framework=fw, code=code, name=_text(rec.get("iName")) or code,
            name_en=_text(rec.get("iName_en")), level=int(level) if level is not None else None,
            weight=_number(rec.get("Weight"), 1.0) or 0.0, direction=int(_number(rec.get("Direction"), 1) or 1),
            unit=_text(rec.get("Unit")), denominator=_text(rec.get("Denominator")),
            target=_number(rec.get("Target"), None), type=typ, position=pos,
        )
        if _text(rec.get("Parent")):
            parents[code] = _text(rec.get("Parent"))
    for code, parent in parents.items():
        Element.objects.filter(pk=by_code[code].pk).update(parent=by_code[parent])
    group_cols = [c for c, e in by_code.items() if e.type == Element.Type.GROUP]
    for year, frame in data_by_year.items():
        rows: list[dict[str, Any]] = table_rows(frame)
        Dataset.objects.create(framework=fw, year=year, rows=rows)
        for urow in rows:
            Unit.objects.update_or_create(
                framework=fw, code=str(urow["uCode"]).strip(),
                defaults={"name": _text(urow.get("uName")) or str(urow["uCode"]),
                          "groups": {g: urow.get(g) for g in group_cols if urow.get(g) is not None}},
            )
    audit.record(user, "indices.import_framework", organisation=organisation, obj=fw,
                 after={"name": name, "elements": len(by_code), "years": sorted(data_by_year)})
    return fw


@transaction.atomic
def replace_data(user: User | Any, framework: Framework, data_by_year: dict[int, pd.DataFrame]) -> None:
    """Store (or replace) the data of some years; new units are added."""
    group_cols = list(framework.elements.filter(type=Element.Type.GROUP).values_list("code", flat=True))
    for year, frame in data_by_year.items():
        rows: list[dict[str, Any]] = table_rows(frame)
        Dataset.objects.update_or_create(framework=framework, year=year, defaults={"rows": rows})
        for urow in rows:
            Unit.objects.update_or_create(
                framework=framework, code=str(urow["uCode"]).strip(),
                defaults={"name": _text(urow.get("uName")) or str(urow["uCode"]),
                          "groups": {g: urow.get(g) for g in group_cols if urow.get(g) is not None}},
            )
    audit.record(user, "indices.replace_data", organisation=framework.organisation, obj=framework,
                 after={"years": sorted(data_by_year), "units": {y: len(f) for y, f in data_by_year.items()}})


@transaction.atomic
def update_element(user: User | Any, element: Element, *, weight: float, direction: int) -> Element:
    fields = ["weight", "direction"]
    before = audit.snapshot(element, fields)
    element.weight, element.direction = weight, direction
    element.save(update_fields=fields)
    audit.record(user, "indices.edit_element", organisation=element.framework.organisation, obj=element,
                 before=before, after=audit.snapshot(element, fields))
    return element


ELEMENT_FIELDS = ["code", "name", "name_en", "level", "weight", "direction", "type"]


def _imeta_rows(framework: Framework) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in framework.imeta_table().to_dict("records")]


def _row(element: Element) -> dict[str, Any]:
    return {"Level": element.level, "iCode": element.code, "iName": element.name,
            "Parent": element.parent.code if element.parent else None, "Direction": element.direction,
            "Weight": element.weight, "Type": element.type, "Unit": element.unit, "Target": math.nan,
            "Denominator": None}


@transaction.atomic
def add_element(user: User | Any, framework: Framework, *, parent: Element, type: str, code: str, name: str,
                name_en: str, weight: float, direction: int, child_code: str = "", child_name: str = "",
                ) -> Element:
    """Add an indicator, or an aggregate with its first indicator, under ``parent``.

    The new tree is checked with the engine first (raises FrameworkError; nothing is saved).
    """
    level = (parent.level or 2) - 1
    position = (framework.elements.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    new = Element(framework=framework, parent=parent, type=type, code=code, name=name, name_en=name_en,
                  weight=weight, direction=direction, level=level, position=position)
    rows = [*_imeta_rows(framework), _row(new)]
    child = None
    if type == Element.Type.AGGREGATE:
        child = Element(framework=framework, type=Element.Type.INDICATOR, code=child_code,
                        name=child_name or child_code, level=level - 1, position=position + 1)
        rows.append({**_row(child), "Parent": code})
    analysis.check_framework(rows)
    new.save()
    if child is not None:
        child.parent = new
        child.save()
    audit.record(user, "indices.add_element", organisation=framework.organisation, obj=new,
                 after={**audit.snapshot(new, ELEMENT_FIELDS), "parent": parent.code,
                        "child": child.code if child else None})
    return new


@transaction.atomic
def rename_element(user: User | Any, element: Element, *, name: str, name_en: str) -> Element:
    fields = ["name", "name_en"]
    before = audit.snapshot(element, fields)
    element.name, element.name_en = name, name_en
    element.save(update_fields=fields)
    audit.record(user, "indices.rename_element", organisation=element.framework.organisation, obj=element,
                 before=before, after=audit.snapshot(element, fields))
    return element


@transaction.atomic
def delete_element(user: User | Any, element: Element) -> None:
    """Delete a leaf; its data column leaves every year's data. Checked with the engine first."""
    fw = element.framework
    rows = [r for r in _imeta_rows(fw) if r["iCode"] != element.code]
    analysis.check_framework(rows)
    before = {**audit.snapshot(element, ELEMENT_FIELDS), "parent": element.parent.code if element.parent else None}
    for dataset in fw.datasets.select_for_update():
        if any(element.code in r for r in dataset.rows):
            dataset.rows = [{k: v for k, v in r.items() if k != element.code} for r in dataset.rows]
            dataset.save(update_fields=["rows", "updated_at"])
    element.delete()
    audit.record(user, "indices.delete_element", organisation=fw.organisation, obj=fw, before=before)


@transaction.atomic
def set_published(user: User | Any, framework: Framework, published: bool) -> Framework:
    before = audit.snapshot(framework, ["published"])
    framework.published = published
    framework.save(update_fields=["published"])
    audit.record(user, "indices.publish_framework" if published else "indices.unpublish_framework",
                 organisation=framework.organisation, obj=framework, before=before,
                 after=audit.snapshot(framework, ["published"]))
    return framework


def create_build(user: User | Any, framework: Framework, year: int, steps: list[Step]) -> Build:
    import json

    b = Build.objects.create(framework=framework, year=year, steps=json.loads(steps_to_json(steps)),
                             created_by=user if getattr(user, "is_authenticated", False) else None)
    audit.record(user, "indices.start_build", organisation=framework.organisation, obj=b,
                 after={"year": year, "steps": b.steps})
    return b


@transaction.atomic
def create_survey(user: User | Any, framework: Framework, title: str) -> Survey:
    survey = Survey.objects.create(framework=framework, title=title)
    audit.record(user, "indices.create_survey", organisation=framework.organisation, obj=survey,
                 after={"title": title})
    return survey


@transaction.atomic
def add_item(user: User | Any, survey: Survey, *, indicator: Element, text: str, kind: str) -> SurveyItem:
    item = SurveyItem.objects.create(survey=survey, indicator=indicator, text=text, kind=kind,
                                     position=survey.items.count())
    audit.record(user, "indices.add_survey_item", organisation=survey.framework.organisation, obj=item,
                 after={"indicator": indicator.code, "text": text, "kind": kind})
    return item


@transaction.atomic
def open_round(user: User | Any, survey: Survey, year: int) -> SurveyRound:
    """A round for ``year`` with one invitation link per unit of the framework."""
    rnd, _ = SurveyRound.objects.get_or_create(survey=survey, year=year)
    for unit in survey.framework.units.all():
        SurveyInvite.objects.get_or_create(round=rnd, unit=unit)
    audit.record(user, "indices.open_round", organisation=survey.framework.organisation, obj=rnd,
                 after={"year": year, "invites": rnd.invites.count()})
    return rnd


@transaction.atomic
def close_round(user: User | Any, rnd: SurveyRound) -> SurveyRound:
    before = audit.snapshot(rnd, ["is_open"])
    rnd.is_open = False
    rnd.save(update_fields=["is_open"])
    audit.record(user, "indices.close_round", organisation=rnd.survey.framework.organisation, obj=rnd,
                 before=before, after=audit.snapshot(rnd, ["is_open"]))
    return rnd


@transaction.atomic
def submit_answers(invite: SurveyInvite, values: dict[int, float | None]) -> SurveyInvite:
    """Save an agency's answers and copy them into the framework's data for that year."""
    rnd = invite.round
    fw = rnd.survey.framework
    for item in rnd.survey.items.select_related("indicator"):
        SurveyAnswer.objects.update_or_create(invite=invite, item=item, defaults={"value": values.get(item.pk)})
    invite.submitted_at = timezone.now()
    invite.save(update_fields=["submitted_at"])
    dataset, _ = Dataset.objects.select_for_update().get_or_create(framework=fw, year=rnd.year)
    rows = list(dataset.rows)
    unit = invite.unit
    row = next((r for r in rows if str(r.get("uCode")) == unit.code), None)
    if row is None:
        row = {"uCode": unit.code, "uName": unit.name, **unit.groups}
        rows.append(row)
    for item in rnd.survey.items.select_related("indicator"):
        row[item.indicator.code] = values.get(item.pk)
    dataset.rows = rows
    dataset.save(update_fields=["rows", "updated_at"])
    audit.record(None, "indices.submit_survey", organisation=fw.organisation, obj=invite,
                 after={"unit": unit.code, "year": rnd.year, "answers": len(values)})
    return invite


def finish_build(b: Build, *, status: str, error: str = "", **results: Any) -> None:
    b.status, b.error, b.finished_at = status, error[:4000], timezone.now()
    for k, v in results.items():
        setattr(b, k, v)
    b.save()


__all__ = ["Status"]
