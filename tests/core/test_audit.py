"""The audit log: written by every write, readable and exportable by admins, append-only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse

from kientao.core.models import AuditEntry, Membership


def test_it_records_member_changes_with_before_and_after(as_user: Any, personas: Any) -> None:
    client = as_user(personas.org_admin)
    client.post(reverse("core:members", args=[personas.org.slug]),
                {"email": "outsider@example.org", "role": "judge"})
    membership = Membership.objects.get(user=personas.outsider)
    client.post(reverse("core:member_role", args=[personas.org.slug, membership.pk]), {"role": "organiser"})
    client.post(reverse("core:member_remove", args=[personas.org.slug, membership.pk]))
    actions = list(AuditEntry.objects.filter(organisation=personas.org).order_by("id")
                   .values_list("action", "before", "after"))
    assert actions == [
        ("core.add_member", None, {"user": "outsider@example.org", "role": "judge"}),
        ("core.change_role", {"user": "outsider@example.org", "role": "judge"},
         {"user": "outsider@example.org", "role": "organiser"}),
        ("core.remove_member", {"user": "outsider@example.org", "role": "organiser"}, None),
    ]
    assert set(AuditEntry.objects.values_list("actor_email", flat=True)) == {"org_admin@example.org"}


def test_it_keeps_the_last_admin(as_user: Any, personas: Any) -> None:
    client = as_user(personas.org_admin)
    membership = Membership.objects.get(user=personas.org_admin)
    client.post(reverse("core:member_remove", args=[personas.org.slug, membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.filter(action="core.remove_member").exists()


def test_it_never_changes_or_deletes_an_entry(personas: Any) -> None:
    from kientao.core import audit

    entry = audit.record(personas.org_admin, "core.test", organisation=personas.org)
    entry.action = "core.tampered"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test"


def test_it_refuses_raw_updates_on_postgresql(personas: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    from kientao.core import audit

    entry = audit.record(personas.org_admin, "core.test", organisation=personas.org)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])


def test_it_exports_the_log_as_csv_and_xlsx(as_user: Any, personas: Any) -> None:
    from openpyxl import load_workbook

    from kientao.core import audit

    audit.record(personas.organiser, "challenges.publish", organisation=personas.org,
                 after={"title": "=HYPERLINK(\"evil\")"})
    audit.record(personas.organiser, "other.thing", organisation=personas.other_org)
    client = as_user(personas.org_admin)
    csv_text = client.get(reverse("core:audit_export", args=[personas.org.slug, "csv"])).content.decode("utf-8-sig")
    assert "challenges.publish" in csv_text and "other.thing" not in csv_text
    response = client.get(reverse("core:audit_export", args=[personas.org.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("when", "who", "action")
    assert rows[1][2] == "challenges.publish"
    assert not str(rows[1][7]).startswith("=")  # no formula injection


def test_it_filters_the_log(as_user: Any, personas: Any) -> None:
    from kientao.core import audit

    audit.record(personas.organiser, "challenges.publish", organisation=personas.org)
    audit.record(personas.judge, "challenges.score", organisation=personas.org)
    html = as_user(personas.org_admin).get(
        reverse("core:audit_log", args=[personas.org.slug]), {"action": "score"}
    ).content.decode()
    assert "challenges.score" in html and "challenges.publish" not in html
