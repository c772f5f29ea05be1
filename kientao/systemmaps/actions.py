"""Writes that span several models: saving a map's content, restoring versions, comments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from kientao.core import audit
from kientao.core.models import Organisation, User
from kientao.systemmaps.analysis import (
    check_size,
    engine_map_from_snapshot,
    positions_of,
    snapshot_of,
)
from kientao.systemmaps.engine.model import SystemMap as EMap
from kientao.systemmaps.models import Comment, Factor, Link, MapVersion, SystemMap

MAP_FIELDS = ["title", "description", "kind", "shared"]


def _fresh(prefix: str, used: set[str]) -> str:
    n = len(used) + 1
    while f"{prefix}{n}" in used:
        n += 1
    key = f"{prefix}{n}"
    used.add(key)
    return key


@transaction.atomic
def create_map(user: User, organisation: Organisation, *, title: str, description: str = "",
               kind: str = SystemMap.Kind.CAUSAL_LOOP, shared: bool = False,
               content: EMap | None = None) -> SystemMap:
    """A new map, optionally with content (then version 1 holds it)."""
    smap = SystemMap.objects.create(organisation=organisation, title=title, description=description,
                                    kind=kind, shared=shared, created_by=user)
    audit.record(user, "systemmaps.create_map", organisation=organisation, obj=smap,
                 after=audit.snapshot(smap, MAP_FIELDS))
    if content is not None:
        save_content(user, smap, content, note="import")
    return smap


@transaction.atomic
def update_map(user: User, smap: SystemMap, **values: Any) -> SystemMap:
    before = audit.snapshot(smap, MAP_FIELDS)
    for name, value in values.items():
        setattr(smap, name, value)
    smap.save()
    audit.record(user, "systemmaps.update_map", organisation=smap.organisation, obj=smap,
                 before=before, after=audit.snapshot(smap, MAP_FIELDS))
    return smap


@transaction.atomic
def delete_map(user: User, smap: SystemMap) -> None:
    audit.record(user, "systemmaps.delete_map", organisation=smap.organisation, obj=smap,
                 before=audit.snapshot(smap, MAP_FIELDS))
    smap.delete()


@transaction.atomic
def save_content(user: User, smap: SystemMap, em: EMap, *, note: str = "",
                 positions: Mapping[str, tuple[float, float]] | None = None,
                 keep_details: bool = False, match_keys: bool = False) -> MapVersion:
    """Replace the map's factors and links with ``em`` and record a new version.

    Factors are matched by label (and first by key when ``match_keys``: the
    canvas sends keys, so a renamed factor stays the same factor), so comments
    and positions of factors that still exist are kept; ``positions`` (by
    engine factor id) or the map's own layout override the kept positions. ``keep_details`` (for the text view and the
    canvas, which do not carry them) keeps the descriptions, types, tags, custom
    fields and strengths of matched factors and links. Raises ``MapDataError`` when
    too large.
    """
    check_size(em)
    smap = SystemMap.objects.select_for_update().get(pk=smap.pk)
    given = dict(positions) if positions is not None else positions_of(em)
    rows = list(smap.factors.all())
    by_label = {f.label: f for f in rows}
    by_key = {f.key: f for f in rows} if match_keys else {}
    matched: dict[str, Factor] = {}
    taken: set[int] = set()
    for ef in em.factors:
        for candidate in (by_key.get(ef.id), by_label.get(ef.label)):
            if candidate is not None and candidate.pk not in taken:
                matched[ef.id] = candidate
                taken.add(candidate.pk)
                break
    smap.factors.exclude(pk__in=taken).delete()
    used = {row.key for row in matched.values()}
    by_engine_id: dict[str, Factor] = {}
    for i, ef in enumerate(em.factors):
        row = matched.get(ef.id) or Factor(map=smap, key=_fresh("f", used))
        row.position = i
        if not (keep_details and row.pk):
            row.description, row.type = ef.description, ef.type
            row.tags, row.fields = list(ef.tags), dict(ef.fields)
        row.label = ef.label
        if ef.id in given:
            row.x, row.y = given[ef.id]
        row.save()
        by_engine_id[ef.id] = row
    old_links: dict[tuple[int, int], list[Link]] = defaultdict(list)
    for lk in smap.links.all():
        old_links[(lk.source_id, lk.target_id)].append(lk)
    keep: list[tuple[Any, Link]] = []
    for el in em.links:
        pair = (by_engine_id[el.source].pk, by_engine_id[el.target].pk)
        keep.append((el, old_links[pair].pop(0) if old_links[pair] else Link(map=smap)))
    smap.links.exclude(pk__in=[row.pk for _, row in keep if row.pk]).delete()
    used = {row.key for _, row in keep if row.pk}
    link_keys: dict[str, str] = {}
    for i, (el, link) in enumerate(keep):
        if not link.pk:
            link.key = _fresh("l", used)
        link.source, link.target = by_engine_id[el.source], by_engine_id[el.target]
        link.sign, link.delay, link.position = el.sign, el.delay, i
        if not (keep_details and link.pk):
            link.strength, link.description, link.fields = el.strength, el.description, dict(el.fields)
        link.save()
        link_keys[el.id] = link.key
    kept_loops = [lp for lp in smap.named_loops if set(lp.get("link_ids", [])) <= set(link_keys.values())]
    smap.named_loops = kept_loops if keep_details and not em.loops else [
        {"id": lp.id, "label": lp.label, "link_ids": [link_keys[i] for i in lp.link_ids],
         "loop_type": lp.loop_type, "description": lp.description}
        for lp in em.loops
    ]
    smap.save()
    number = (smap.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = MapVersion.objects.create(map=smap, number=number, author=user, note=note[:200],
                                        snapshot=snapshot_of(smap))
    audit.record(user, "systemmaps.save_map", organisation=smap.organisation, obj=smap,
                 after={"version": number, "factors": len(em.factors), "links": len(em.links),
                        "note": note[:200]})
    return version


@transaction.atomic
def save_positions(user: User, smap: SystemMap, positions: Mapping[str, tuple[float, float]]) -> int:
    """Store factor positions (by factor key) without a new version; returns how many."""
    count = 0
    for f in smap.factors.filter(key__in=list(positions)):
        f.x, f.y = positions[f.key]
        f.save(update_fields=["x", "y"])
        count += 1
    audit.record(user, "systemmaps.move_factors", organisation=smap.organisation, obj=smap,
                 after={"moved": count})
    return count


@transaction.atomic
def restore_version(user: User, smap: SystemMap, version: MapVersion) -> MapVersion:
    """Make an earlier version the current content (as a new version)."""
    em = engine_map_from_snapshot(version.snapshot)
    new = save_content(user, smap, em, note=f"restore v{version.number}")
    audit.record(user, "systemmaps.restore_version", organisation=smap.organisation, obj=smap,
                 after={"restored": version.number, "version": new.number})
    return new


@transaction.atomic
def add_comment(user: User, smap: SystemMap, text: str, *, factor: Factor | None = None,
                link: Link | None = None) -> Comment:
    subject = str(factor) if factor is not None else str(link) if link is not None else smap.title
    comment = Comment.objects.create(map=smap, factor=factor, link=link, subject=subject[:300],
                                     author=user, text=text)
    audit.record(user, "systemmaps.add_comment", organisation=smap.organisation, obj=comment,
                 after={"subject": comment.subject, "text": text[:200]})
    return comment


@transaction.atomic
def update_factor(user: User, factor: Factor, *, description: str, type: str, tags: list[str]) -> MapVersion:
    """Edit a factor's profile; the map gets a new version."""
    fields = ["label", "description", "type", "tags"]
    before = audit.snapshot(factor, fields)
    factor.description, factor.type, factor.tags = description, type, tags
    factor.save(update_fields=["description", "type", "tags"])
    smap = factor.map
    number = (smap.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = MapVersion.objects.create(map=smap, number=number, author=user,
                                        note=f"factor {factor.label}"[:200], snapshot=snapshot_of(smap))
    smap.save(update_fields=["updated_at"])
    audit.record(user, "systemmaps.update_factor", organisation=smap.organisation, obj=factor,
                 before=before, after=audit.snapshot(factor, fields))
    return version
