"""Demo maps for the city lab: the plastic-waste causal loop diagram and the waste-sector
actor map (from ``demo_data``). Idempotent: a map with the same title is left alone."""

from __future__ import annotations

from typing import Any

from kientao.systemmaps import actions
from kientao.systemmaps.demo_data import plastic_waste_map, waste_actor_map
from kientao.systemmaps.engine import drawing
from kientao.systemmaps.engine.model import Factor, Link
from kientao.systemmaps.engine.model import SystemMap as EMap
from kientao.systemmaps.models import SystemMap

ACTOR_TITLE = "Các bên liên quan trong ngành rác thải / Actors of the waste sector"


def _actor_engine_map() -> EMap:
    am = waste_actor_map()
    factors = tuple(
        Factor(a.id, a.label, a.description, a.type,
               fields={**dict(a.fields), "power": f"{a.power:g}", "interest": f"{a.interest:g}"})
        for a in am.actors
    )
    links = tuple(
        Link(f"r{i}", r.source, r.target, 1, float(r.strength), description=r.kind)
        for i, r in enumerate(am.relations, start=1)
    )
    # Laid out as a power–interest grid: power to the right, interest upwards.
    layout = {a.id: (80.0 + 70.0 * a.power, 60.0 + 50.0 * (10 - a.interest)) for a in am.actors}
    return EMap(factors, links, layouts={"grid": layout}, name=ACTOR_TITLE,
                description="Power (left to right) and interest (bottom to top) of the actors.")


def load(context: Any) -> None:
    org = context.city_lab
    user = context.users["organiser"]
    created = 0
    plastic = plastic_waste_map()
    pos = drawing.layout_positions(plastic, seed=0)
    plastic = EMap(plastic.factors, plastic.links, plastic.loops,
                   {"spring": {k: (60 + 900 * x, 40 + 640 * y) for k, (x, y) in pos.items()}},
                   name=plastic.name, description=plastic.description)
    for em, kind in ((plastic, SystemMap.Kind.CAUSAL_LOOP), (_actor_engine_map(), SystemMap.Kind.ACTOR_MAP)):
        if SystemMap.objects.filter(organisation=org, title=em.name).exists():
            continue
        actions.create_map(user, org, title=em.name, description=em.description, kind=kind,
                           shared=kind == SystemMap.Kind.CAUSAL_LOOP, content=em)
        created += 1
    context.log.append(f"systemmaps: {created} demo maps created (plastic waste, waste-sector actors)")
