"""Who may see and do what: the object-level checks every view and endpoint uses.

Rules, from least to most trusted:

* an anonymous visitor sees public pages only;
* a signed-in *outsider* (no membership) sees nothing private of an organisation:
  organisation-scoped pages answer 404, so private organisations are not revealed;
* a *member* sees the organisation's internal pages;
* a *judge* also judges what is assigned to them (the capability checks the assignment);
* an *organiser* runs the organisation's challenges, conversations, maps and indices;
* an *organisation admin* also manages members and reads the audit log;
* a *platform admin* (superuser) may do everything everywhere.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from kientao.core.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kientao.core.models import User


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


class Action(StrEnum):
    VIEW = "view"  # internal pages of the organisation
    JUDGE = "judge"  # score what is assigned
    ORGANISE = "organise"  # create and run capabilities
    MANAGE = "manage"  # members, settings
    AUDIT = "audit"  # read and export the audit log


ALLOWED_ROLES: dict[Action, set[str]] = {
    Action.VIEW: {Role.ADMIN, Role.ORGANISER, Role.JUDGE, Role.MEMBER},
    Action.JUDGE: {Role.ADMIN, Role.ORGANISER, Role.JUDGE},
    Action.ORGANISE: {Role.ADMIN, Role.ORGANISER},
    Action.MANAGE: {Role.ADMIN},
    Action.AUDIT: {Role.ADMIN},
}


def role_in(user: User | AnonymousUser | Any, organisation: Organisation) -> str | None:
    """The user's role in the organisation, or None. Cached per request user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_kientao_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(user_id=int(user.pk or 0), organisation=organisation)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organisation.pk]


def can(user: User | AnonymousUser | Any, action: Action | str, organisation: Organisation) -> bool:
    """Whether the user may perform ``action`` in ``organisation``."""
    action = Action(action)
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return True
    role = role_in(user, organisation)
    return role is not None and role in ALLOWED_ROLES[action]


def require(user: User | AnonymousUser | Any, action: Action | str, organisation: Organisation) -> None:
    """Raise unless allowed: 404 for a non-member (hide the organisation), 403 otherwise."""
    if can(user, action, organisation):
        return
    is_admin = getattr(user, "is_superuser", False)
    if role_in(user, organisation) is None and not is_admin:
        raise Http404("No such organisation")
    raise PermissionDenied("Your role in this organisation does not allow this")


def organisation_for(user: User | AnonymousUser | Any, slug: str, action: Action | str) -> Organisation:
    """Look up an organisation by slug and check the action, for views and endpoints."""
    if not _SLUG.fullmatch(slug):
        raise Http404("No such organisation")
    organisation = get_object_or_404(Organisation, slug=slug)
    require(user, action, organisation)
    return organisation


def organisations_of(user: User | AnonymousUser | Any) -> list[Organisation]:
    """Organisations the user belongs to (all of them for a platform admin)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(Organisation.objects.all())
    return list(Organisation.objects.filter(memberships__user_id=int(user.pk or 0)).distinct())


def can_see_job(user: User | AnonymousUser | Any, job: Any) -> bool:
    """A job is visible to its creator, to members of its organisation, and to platform admins."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or (job.created_by_id is not None and job.created_by_id == user.pk):
        return True
    return job.organisation is not None and can(user, Action.VIEW, job.organisation)
