"""Write audit entries. Every write action of every capability calls ``record``."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from kientao.core.models import AuditEntry, Organisation, User


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates, decimals, UUIDs become strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The listed fields of a model instance, for a before/after summary."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        out[name] = value
    return dict(_plain(out))


def record(
    actor: User | Any,
    action: str,
    *,
    organisation: Organisation | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. ``action`` is ``app.verb_noun`` (e.g. ``core.add_member``)."""
    is_user = getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if is_user else None,
        actor_email=getattr(actor, "email", "") if is_user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_plain(before),
        after=_plain(after),
    )
