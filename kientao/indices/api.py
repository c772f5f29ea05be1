"""JSON endpoints of the indices capability (same permission rules as the pages)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kientao.core.jobs import start_job
from kientao.core.permissions import Action, organisation_for
from kientao.indices import actions, analysis, tasks
from kientao.indices.models import Build, Framework

router = Router(tags=["indices"])


class FrameworkOut(Schema):
    id: int
    name: str
    description: str
    published: bool
    years: list[int]


class ElementOut(Schema):
    code: str
    name: str
    name_en: str
    type: str
    level: int | None
    parent: str | None
    weight: float
    direction: int
    unit: str


class BuildOut(Schema):
    id: int
    year: int
    status: str
    error: str
    steps: list[dict[str, Any]]
    created_at: datetime
    job: UUID | None


class UnitResult(Schema):
    code: str
    scores: dict[str, float | None]
    ranks: dict[str, float | None]


class BuildResults(Schema):
    build: BuildOut
    units: list[UnitResult]


class BuildIn(Schema):
    year: int
    impute: str = "none"
    screen_threshold: float | None = None
    treat: str = "default"
    winmax: int = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    f2: str = "log_CT"
    normalise: str = "minmax"
    aggregate: str = "amean"
    denominate: bool = True


def _build_out(b: Build) -> dict[str, Any]:
    return {"id": b.pk, "year": b.year, "status": b.status, "error": b.error, "steps": b.steps,
            "created_at": b.created_at, "job": b.job_id}


def _framework(request: HttpRequest, slug: str, pk: int, action: Action) -> Framework:
    org = organisation_for(request.user, slug, action)
    return get_object_or_404(Framework, pk=pk, organisation=org)


@router.get("/{slug}/frameworks", response=list[FrameworkOut], summary="Index frameworks of an organisation")
def framework_list(request: HttpRequest, slug: str) -> Any:
    org = organisation_for(request.user, slug, Action.VIEW)
    return [{"id": f.pk, "name": f.name, "description": f.description, "published": f.published,
             "years": f.years()} for f in Framework.objects.filter(organisation=org)]


@router.get("/{slug}/frameworks/{pk}/tree", response=list[ElementOut], summary="A framework's elements")
def framework_tree(request: HttpRequest, slug: str, pk: int) -> Any:
    fw = _framework(request, slug, pk, Action.VIEW)
    return [{"code": e.code, "name": e.name, "name_en": e.name_en, "type": e.type, "level": e.level,
             "parent": e.parent.code if e.parent else None, "weight": e.weight, "direction": e.direction,
             "unit": e.unit} for e in fw.elements.select_related("parent")]


@router.get("/{slug}/frameworks/{pk}/builds", response=list[BuildOut], summary="Builds of a framework")
def build_list(request: HttpRequest, slug: str, pk: int) -> Any:
    fw = _framework(request, slug, pk, Action.VIEW)
    return [_build_out(b) for b in fw.builds.all()]


@router.post("/{slug}/frameworks/{pk}/builds", response={202: BuildOut},
             summary="Start a build (organisers); poll the job under /api/jobs/{id}")
def build_start(request: HttpRequest, slug: str, pk: int, payload: BuildIn) -> Any:
    fw = _framework(request, slug, pk, Action.ORGANISE)
    data = payload.dict()
    if data["year"] not in fw.years():
        raise HttpError(422, f"no data for year {data['year']}; years: {fw.years()}")
    from kientao.indices.forms import AGGREGATE, F2, IMPUTE, NORMALISE, TREAT

    for key, choices in (("impute", IMPUTE), ("treat", TREAT), ("f2", F2), ("normalise", NORMALISE),
                         ("aggregate", AGGREGATE)):
        if data[key] not in {c for c, _label in choices}:
            raise HttpError(422, f"{key}: unknown method '{data[key]}'")
    if data["screen_threshold"] is not None and not 0 <= data["screen_threshold"] <= 1:
        raise HttpError(422, "screen_threshold must be between 0 and 1")
    b = actions.create_build(request.user, fw, data["year"], analysis.steps_from_choices(data))
    b.job = start_job(tasks.build_index, kind="indices.build", title=f"Build {fw.name} {b.year}",
                      params={"build": b.pk}, organisation=fw.organisation, user=request.user)  # type: ignore[arg-type]
    b.save(update_fields=["job"])
    return Status(202, _build_out(b))


def _plain(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


@router.get("/{slug}/builds/{pk}", response=BuildResults, summary="A build with scores and ranks at every level")
def build_results(request: HttpRequest, slug: str, pk: int) -> Any:
    org = organisation_for(request.user, slug, Action.VIEW)
    b = get_object_or_404(Build, pk=pk, framework__organisation=org)
    scores = b.scores_frame()
    ranks = analysis.ranks_of(scores)
    units = [{"code": code,
              "scores": {c: _plain(float(v)) for c, v in zip(scores.columns, row, strict=True)},
              "ranks": {c: _plain(float(v)) for c, v in zip(ranks.columns, rrow, strict=True)}}
             for code, row, rrow in zip(scores.index, scores.to_numpy().tolist(), ranks.to_numpy().tolist(),
                                        strict=True)] if not scores.empty else []
    return {"build": _build_out(b), "units": units}
