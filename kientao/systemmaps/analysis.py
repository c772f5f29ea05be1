"""Glue between the stored map (models) and the engine's map model, plus the page limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kientao.systemmaps.engine.actors import Actor, ActorMap, Relation
from kientao.systemmaps.engine.model import Factor as EFactor
from kientao.systemmaps.engine.model import Link as ELink
from kientao.systemmaps.engine.model import MapDataError, NamedLoop
from kientao.systemmaps.engine.model import SystemMap as EMap
from kientao.systemmaps.models import SystemMap

# Maps larger than this are refused by the editor pages (the engine copes; a page does not).
MAX_FACTORS = 2000
MAX_LINKS = 10000
SAVED_LAYOUT = "saved"


def check_size(em: EMap) -> None:
    """Raise ``MapDataError`` when a map is too large for the web pages."""
    if len(em.factors) > MAX_FACTORS:
        raise MapDataError(
            _("The map has %(n)s factors; a map in the browser may have at most %(max)s.")
            % {"n": len(em.factors), "max": MAX_FACTORS}
        )
    if len(em.links) > MAX_LINKS:
        raise MapDataError(
            _("The map has %(n)s links; a map in the browser may have at most %(max)s.")
            % {"n": len(em.links), "max": MAX_LINKS}
        )


def snapshot_of(smap: SystemMap) -> dict[str, Any]:
    """A plain JSON copy of the map's content (factors, links, named loops, positions)."""
    factors = list(smap.factors.all())
    keys = {f.pk: f.key for f in factors}
    return {
        "factors": [
            {"id": f.key, "label": f.label, "description": f.description, "type": f.type,
             "tags": list(f.tags), "fields": dict(f.fields), "x": f.x, "y": f.y}
            for f in factors
        ],
        "links": [
            {"id": lk.key, "source": keys[lk.source_id], "target": keys[lk.target_id], "sign": lk.sign,
             "strength": lk.strength, "delay": lk.delay, "description": lk.description,
             "fields": dict(lk.fields)}
            for lk in smap.links.all()
        ],
        "loops": list(smap.named_loops),
    }


def engine_map_from_snapshot(snap: Mapping[str, Any], *, name: str = "", description: str = "") -> EMap:
    """The engine's map of a snapshot (``MapDataError`` names the element when invalid)."""
    try:
        factors = tuple(
            EFactor(str(f["id"]), str(f["label"]).strip(), str(f.get("description") or ""),
                    str(f.get("type") or ""), tuple(str(t) for t in f.get("tags") or ()),
                    {str(k): str(v) for k, v in dict(f.get("fields") or {}).items()})
            for f in snap.get("factors", [])
        )
        links = tuple(
            ELink(str(lk["id"]), str(lk["source"]), str(lk["target"]), int(lk.get("sign", 1)),
                  float(lk.get("strength", 1.0)), bool(lk.get("delay", False)),
                  str(lk.get("description") or ""),
                  {str(k): str(v) for k, v in dict(lk.get("fields") or {}).items()})
            for lk in snap.get("links", [])
        )
        link_ids = {lk.id for lk in links}
        loops = tuple(
            NamedLoop(str(lp["id"]), str(lp["label"]), tuple(str(i) for i in lp["link_ids"]),
                      str(lp.get("loop_type") or ""), str(lp.get("description") or ""))
            for lp in snap.get("loops", [])
            if all(str(i) in link_ids for i in lp.get("link_ids", []))
        )
        positions = {
            str(f["id"]): (float(f["x"]), float(f["y"]))
            for f in snap.get("factors", [])
            if f.get("x") is not None and f.get("y") is not None
        }
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, MapDataError):
            raise
        raise MapDataError(_("The map data is malformed (%(error)s).") % {"error": exc}) from None
    layouts = {SAVED_LAYOUT: positions} if positions else {}
    return EMap(factors, links, loops, layouts, name=name, description=description)


def engine_map(smap: SystemMap) -> EMap:
    """The engine's map of a stored map."""
    return engine_map_from_snapshot(snapshot_of(smap), name=smap.title, description=smap.description)


def positions_of(em: EMap) -> dict[str, tuple[float, float]]:
    """Positions by factor id from the map's first layout (may be partial)."""
    for layout in em.layouts.values():
        return {k: (float(v[0]), float(v[1])) for k, v in layout.items()}
    return {}


def cytoscape_elements(em: EMap, positions: Mapping[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """Elements for Cytoscape.js (positions in pixels)."""
    out: list[dict[str, Any]] = []
    for f in em.factors:
        item: dict[str, Any] = {"group": "nodes", "data": {"id": f.id, "label": f.label}}
        if f.id in positions:
            x, y = positions[f.id]
            item["position"] = {"x": x, "y": y}
        out.append(item)
    for lk in em.links:
        out.append({"group": "edges", "data": {
            "id": lk.id, "source": lk.source, "target": lk.target, "sign": lk.sign,
            "delay": lk.delay, "strength": lk.strength,
            "mark": lk.symbol + (" ||" if lk.delay else ""),
        }})
    return out


def actor_map_of(em: EMap) -> ActorMap | None:
    """The actor map of a map whose factors all carry ``power`` and ``interest`` (0-10)
    in their custom fields (as Kumu stakeholder maps do); None otherwise."""
    if not em.factors:
        return None
    actors = []
    try:
        for f in em.factors:
            power, interest = float(f.fields["power"]), float(f.fields["interest"])
            actors.append(Actor(f.id, f.label, f.type, power, interest, f.description))
        relations = tuple(Relation(lk.source, lk.target, lk.description, abs(lk.strength))
                          for lk in em.links)
        return ActorMap(tuple(actors), relations)
    except (KeyError, ValueError):
        return None
