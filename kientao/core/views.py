"""Pages of the platform: home, accounts, organisations, members, audit log, jobs."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from kientao.core import actions, audit
from kientao.core.exports import table_response
from kientao.core.forms import (
    AddMemberForm,
    ApiTokenForm,
    AuditFilterForm,
    OrganisationForm,
    ProfileForm,
    RoleForm,
    SignupForm,
)
from kientao.core.jobs import reap_stale_jobs, start_job
from kientao.core.middleware import SESSION_ORG_KEY
from kientao.core.models import ApiToken, AuditEntry, Job, Membership, Organisation, User
from kientao.core.permissions import (
    Action,
    can,
    can_see_job,
    organisation_for,
    organisations_of,
    role_in,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = Membership.objects.filter(user_id=int(user.pk or 0)).select_related("organisation")
    jobs = Job.objects.filter(created_by_id=int(user.pk or 0))[:10]
    return render(request, "core/dashboard.html", {"memberships": memberships, "jobs": jobs})


# --- accounts -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.KIENTAO_SIGNUP_OPEN:
        raise Http404("Sign-up is closed")
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None, initial={"preferred_language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        user = form.save()
        actions.send_confirmation(user, request.build_absolute_uri("/").rstrip("/"))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome! We sent a link to %(email)s: open it to confirm your address.")
            % {"email": user.email},
        )
        return redirect("core:dashboard")
    return render(request, "core/signup.html", {"form": form})


@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    user = actions.confirm_email(token)
    if user is None:
        return render(request, "core/confirm_failed.html", status=400)
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    return redirect("core:dashboard" if request.user.is_authenticated else "core:login")


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.email_confirmed:
        actions.send_confirmation(user, request.build_absolute_uri("/").rstrip("/"))
        messages.info(request, _("We sent a new confirmation link to %(email)s.") % {"email": user.email})
    return redirect("core:profile")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        actions.update_profile(
            user,
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        messages.success(request, _("Your profile is saved."))
        response = redirect("core:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False), max_age=365 * 24 * 3600,
        )
        return response
    tokens = ApiToken.objects.filter(user=user)
    return render(
        request, "core/profile.html", {"form": form, "tokens": tokens, "token_form": ApiTokenForm()}
    )


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        tokens = ApiToken.objects.filter(user=user)
        return render(
            request,
            "core/profile.html",
            {"form": ProfileForm(instance=user), "tokens": tokens, "token_form": form},
            status=400,
        )
    token, key = ApiToken.issue(user, form.cleaned_data["name"])
    audit.record(user, "core.create_token", obj=token)
    return render(request, "core/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    audit.record(request.user, "core.revoke_token", obj=token)
    token.delete()
    messages.success(request, _("The token is revoked."))
    return redirect("core:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice in the profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=user.pk).update(preferred_language=language)
    return response


# --- organisations ------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"organisation": org, "role": role_in(request.user, org)}
        for org in organisations_of(request.user)
    ]
    return render(request, "core/organisation_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only platform admins create organisations."))
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        org = actions.create_organisation(user, **form.cleaned_data)
        messages.success(request, _("The organisation is created."))
        return redirect("core:organisation_detail", slug=org.slug)
    return render(request, "core/organisation_form.html", {"form": form})


@login_required
@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.VIEW)
    members = Membership.objects.filter(organisation=org).select_related("user")
    context = {
        "organisation": org,
        "role": role_in(request.user, org),
        "members": members,
        "can_manage": can(request.user, Action.MANAGE, org),
        "can_audit": can(request.user, Action.AUDIT, org),
    }
    return render(request, "core/organisation_detail.html", context)


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("organisation", "")
    if any(org.slug == slug for org in organisations_of(request.user)):
        request.session[SESSION_ORG_KEY] = slug
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("core:dashboard")
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.MANAGE)
    actor = request.user
    assert isinstance(actor, User)
    form = AddMemberForm(request.POST if request.method == "POST" else None, organisation=org)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.add_member(actor, org, form.cleaned_data["email"], form.cleaned_data["role"])
            except IntegrityError:  # a concurrent request added the same person
                form.add_error("email", _("This person is a member already."))
                status = 400
            else:
                messages.success(request, _("The member is added."))
                return redirect("core:members", slug=org.slug)
        else:
            status = 400
    memberships = Membership.objects.filter(organisation=org).select_related("user")
    return render(
        request,
        "core/members.html",
        {"organisation": org, "memberships": memberships, "form": form, "role_form": RoleForm()},
        status=status,
    )


def _membership(request: HttpRequest, slug: str, pk: int) -> tuple[Organisation, Membership, User]:
    org = organisation_for(request.user, slug, Action.MANAGE)
    membership = get_object_or_404(Membership, pk=pk, organisation=org)
    actor = request.user
    assert isinstance(actor, User)
    return org, membership, actor


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, membership, actor = _membership(request, slug, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("core:members", slug=org.slug)
    try:
        actions.change_role(actor, membership, form.cleaned_data["role"])
    except actions.LastAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The role is changed."))
    return redirect("core:members", slug=org.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, membership, actor = _membership(request, slug, pk)
    try:
        actions.remove_member(actor, membership)
    except actions.LastAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The member is removed."))
    return redirect("core:members", slug=org.slug)


# --- audit log ----------------------------------------------------------------------------


def _audit_entries(org: Organisation, form: AuditFilterForm) -> Any:
    entries = AuditEntry.objects.filter(organisation=org)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["actor"]:
            entries = entries.filter(actor_email__icontains=data["actor"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(created_at__gte=datetime.combine(data["since"], time.min, tz))
        if data["until"]:
            entries = entries.filter(created_at__lte=datetime.combine(data["until"], time.max, tz))
    return entries


@login_required
@require_GET
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.AUDIT)
    form = AuditFilterForm(request.GET or None)
    entries = _audit_entries(org, form)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"organisation": org, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def audit_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format")
    org = organisation_for(request.user, slug, Action.AUDIT)
    entries = _audit_entries(org, AuditFilterForm(request.GET or None))
    rows = (
        (e.created_at.isoformat(), e.actor_email, e.action, e.object_type, e.object_id,
         e.object_repr, json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
         json.dumps(e.after, ensure_ascii=False) if e.after is not None else "")
        for e in entries.iterator()
    )
    headers = ["when", "who", "action", "object_type", "object_id", "object", "before", "after"]
    return table_response(f"audit-{org.slug}", headers, rows, fmt)


# --- jobs ---------------------------------------------------------------------------------


def _job_for(request: HttpRequest, pk: str) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if not can_see_job(request.user, job):
        raise Http404("No such job")
    return job


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job_for(request, pk)
    if job.status == Job.Status.RUNNING:
        reap_stale_jobs()
        job.refresh_from_db()
    template = "core/job_status.html" if request.htmx else "core/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def system_status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only platform admins see the system status."))
    if request.method == "POST":
        from kientao.core.tasks import count_up

        user = request.user
        assert isinstance(user, User)
        job = start_job(
            count_up, kind="core.count_up", title=_("Test job: count to 20"),
            params={"steps": 20, "delay": 0.25}, user=user,
        )
        return redirect("core:job_detail", pk=job.pk)
    context = {
        "backend": settings.TASKS["default"]["BACKEND"],
        "database": settings.DATABASES["default"]["ENGINE"],
        "queued": Job.objects.filter(status=Job.Status.QUEUED).count(),
        "running": Job.objects.filter(status=Job.Status.RUNNING).count(),
        "failed": Job.objects.filter(status=Job.Status.FAILED).count(),
        "recent": Job.objects.all()[:20],
    }
    return render(request, "core/system_status.html", context)


# --- errors -------------------------------------------------------------------------------


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"code": 400, "title": _("Bad request")}, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"code": 403, "title": _("Not allowed"),
                  "detail": str(exception) if exception else ""}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"code": 404, "title": _("Not found")}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"code": 500, "title": _("Something went wrong")}, status=500)
