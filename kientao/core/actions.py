"""Write actions of the platform: each one a transaction that also writes the audit log."""

from __future__ import annotations

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kientao.core import audit, signals
from kientao.core.models import Membership, Organisation, Role, User

CONFIRM_SALT = "kientao.confirm-email"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7


@transaction.atomic
def create_organisation(actor: User, *, name: str, slug: str, kind: str, description: str = "",
                        website: str = "") -> Organisation:
    org = Organisation.objects.create(
        name=name, slug=slug, kind=kind, description=description, website=website
    )
    Membership.objects.create(user=actor, organisation=org, role=Role.ADMIN)
    audit.record(actor, "core.create_organisation", organisation=org, obj=org,
                 after=audit.snapshot(org, ["name", "slug", "kind"]))
    return org


@transaction.atomic
def add_member(actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record(actor, "core.add_member", organisation=organisation, obj=membership,
                 after={"user": user.email, "role": role})
    signals.membership_changed.send(sender=Membership, membership=membership, actor=actor)
    return membership


class LastAdminError(ValueError):
    pass


def _admins_left(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def change_role(actor: User, membership: Membership, role: str) -> Membership:
    before = membership.role
    if before == Role.ADMIN and role != Role.ADMIN and _admins_left(membership) == 0:
        raise LastAdminError(_("An organisation needs at least one admin."))
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(actor, "core.change_role", organisation=membership.organisation, obj=membership,
                 before={"user": membership.user.email, "role": before},
                 after={"user": membership.user.email, "role": role})
    signals.membership_changed.send(sender=Membership, membership=membership, actor=actor)
    return membership


@transaction.atomic
def remove_member(actor: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN and _admins_left(membership) == 0:
        raise LastAdminError(_("An organisation needs at least one admin."))
    audit.record(actor, "core.remove_member", organisation=membership.organisation, obj=membership,
                 before={"user": membership.user.email, "role": membership.role})
    membership.delete()


@transaction.atomic
def update_profile(user: User, *, full_name: str, preferred_language: str) -> User:
    before = audit.snapshot(user, ["full_name", "preferred_language"])
    user.full_name, user.preferred_language = full_name, preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    audit.record(user, "core.update_profile", obj=user, before=before,
                 after=audit.snapshot(user, ["full_name", "preferred_language"]))
    return user


def confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)


def send_confirmation(user: User, site_url: str) -> None:
    link = site_url + reverse("core:confirm_email", args=[confirmation_token(user)])
    with translation.override(user.preferred_language):
        subject = _("Confirm your e-mail address for Kiến Tạo")
        body = render_to_string("core/email/confirm.txt", {"user": user, "link": link})
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def confirm_email(token: str) -> User | None:
    """The user whose address the token confirms, or None if the token is bad or expired."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = User.objects.filter(pk=int(data.get("u") or 0), email=str(data.get("e"))).first()
    if user is None:
        return None
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
        audit.record(user, "core.confirm_email", obj=user)
    return user
