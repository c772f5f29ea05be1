"""Platform endpoints: the current user, organisations, members, audit log, jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from kientao.core.models import ApiToken, AuditEntry, Job, Membership
from kientao.core.permissions import (
    Action,
    can_see_job,
    organisation_for,
    organisations_of,
    role_in,
)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session (with CSRF protection on writes)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and request.user.is_active:
            return request.user
        return None


router = Router(tags=["platform"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    preferred_language: str
    email_confirmed: bool
    is_platform_admin: bool


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    role: str | None


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    role: str


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_email: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None


class JobOut(Schema):
    id: UUID
    kind: str
    title: str
    status: str
    progress: int
    message: str
    result: Any = None
    error: str
    attempts: int
    created_at: datetime
    finished_at: datetime | None


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    user: Any = request.user
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "email_confirmed": user.email_confirmed,
        "is_platform_admin": user.is_superuser,
    }


def _org_out(request: HttpRequest, org: Any) -> dict[str, Any]:
    return {
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "description": org.description,
        "role": role_in(request.user, org),
    }


@router.get("/organisations", response=list[OrganisationOut], summary="My organisations")
def organisation_list(request: HttpRequest) -> Any:
    return [_org_out(request, org) for org in organisations_of(request.user)]


@router.get("/organisations/{slug}", response=OrganisationOut, summary="One organisation")
def organisation_detail(request: HttpRequest, slug: str) -> Any:
    return _org_out(request, organisation_for(request.user, slug, Action.VIEW))


@router.get(
    "/organisations/{slug}/members", response=list[MemberOut], summary="Members (admins only)"
)
def member_list(request: HttpRequest, slug: str) -> Any:
    org = organisation_for(request.user, slug, Action.MANAGE)
    return [
        {"id": m.pk, "email": m.user.email, "full_name": m.user.full_name, "role": m.role}
        for m in Membership.objects.filter(organisation=org).select_related("user")
    ]


@router.get(
    "/organisations/{slug}/audit", response=list[AuditOut], summary="Audit log (admins only)"
)
def audit_list(request: HttpRequest, slug: str, limit: int = 100, offset: int = 0) -> Any:
    if not (1 <= limit <= 1000) or offset < 0:
        raise HttpError(422, "limit must be 1–1000 and offset at least 0")
    org = organisation_for(request.user, slug, Action.AUDIT)
    return list(AuditEntry.objects.filter(organisation=org)[offset : offset + limit])


@router.get("/jobs/{job_id}", response=JobOut, summary="A background job's progress and result")
def job_detail(request: HttpRequest, job_id: UUID) -> Any:
    job = get_object_or_404(Job, pk=job_id)
    if not can_see_job(request.user, job):
        raise Http404("No such job")
    return job
