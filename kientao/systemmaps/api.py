"""System-map endpoints: list maps, a map as Kumu JSON, its loops and factor measures,
and replacing a map from Kumu JSON (organisers)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from kientao.core.models import User
from kientao.core.permissions import Action, organisation_for
from kientao.systemmaps import actions
from kientao.systemmaps.analysis import check_size, engine_map
from kientao.systemmaps.engine.formats import read_kumu_json, write_kumu_json
from kientao.systemmaps.engine.loops import feedback_loops
from kientao.systemmaps.engine.measures import factor_measures
from kientao.systemmaps.engine.model import MapDataError
from kientao.systemmaps.models import SystemMap

router = Router(tags=["systemmaps"])


class MapOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    shared: bool
    factors: int
    links: int
    updated_at: datetime


class LoopOut(Schema):
    loop: int
    length: int
    polarity: str
    factors: list[str]
    links: list[str]
    delays: int


class LoopsOut(Schema):
    complete: bool
    stop_reason: str
    complete_up_to: int
    loops: list[LoopOut]


class SavedOut(Schema):
    version: int
    factors: int
    links: int


def _get(request: HttpRequest, slug: str, pk: int, action: Action) -> SystemMap:
    org = organisation_for(request.user, slug, action)
    return get_object_or_404(SystemMap, pk=pk, organisation=org)


@router.get("/{slug}", response=list[MapOut], summary="The maps of an organisation")
def map_list(request: HttpRequest, slug: str) -> Any:
    org = organisation_for(request.user, slug, Action.VIEW)
    return [
        {"id": m.pk, "title": m.title, "description": m.description, "kind": m.kind, "shared": m.shared,
         "factors": m.factors.count(), "links": m.links.count(), "updated_at": m.updated_at}
        for m in SystemMap.objects.filter(organisation=org)
    ]


@router.get("/{slug}/{pk}/kumu", summary="A map as a Kumu JSON blueprint")
def map_kumu(request: HttpRequest, slug: str, pk: int) -> Any:
    return json.loads(write_kumu_json(engine_map(_get(request, slug, pk, Action.VIEW))))


@router.get("/{slug}/{pk}/loops", response=LoopsOut, summary="A map's feedback loops (bounded)")
def map_loops(request: HttpRequest, slug: str, pk: int, max_length: int = 8, max_loops: int = 1000) -> Any:
    if not 1 <= max_length <= 12 or not 1 <= max_loops <= 5000:
        raise HttpError(422, "max_length must be 1–12 and max_loops 1–5000")
    em = engine_map(_get(request, slug, pk, Action.VIEW))
    search = feedback_loops(em, max_length=max_length, max_loops=max_loops, time_limit=5.0)
    labels = em.labels()
    return {
        "complete": search.complete, "stop_reason": search.stop_reason,
        "complete_up_to": search.complete_up_to,
        "loops": [{"loop": i, "length": lp.length, "polarity": lp.polarity,
                   "factors": [labels[f] for f in lp.factors], "links": list(lp.links), "delays": lp.delays}
                  for i, lp in enumerate(search.loops, start=1)],
    }


@router.get("/{slug}/{pk}/factors", summary="A map's factor measures")
def map_factors(request: HttpRequest, slug: str, pk: int) -> Any:
    em = engine_map(_get(request, slug, pk, Action.VIEW))
    search = feedback_loops(em, max_length=8, max_loops=1000, time_limit=5.0)
    table = factor_measures(em, search).reset_index()
    return json.loads(table.to_json(orient="records", force_ascii=False))


@router.put("/{slug}/{pk}/kumu", response=SavedOut, summary="Replace a map from a Kumu JSON blueprint")
def map_replace(request: HttpRequest, slug: str, pk: int) -> Any:
    smap = _get(request, slug, pk, Action.ORGANISE)
    try:
        em = read_kumu_json(request.body)
        check_size(em)
    except MapDataError as exc:
        raise HttpError(400, str(exc)) from None
    user = request.user
    assert isinstance(user, User)
    version = actions.save_content(user, smap, em, note="api")
    return {"version": version.number, "factors": len(em.factors), "links": len(em.links)}
