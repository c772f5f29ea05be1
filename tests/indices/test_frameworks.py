"""The framework tree: edit weights and directions, publish the results."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_it_shows_the_tree_with_weights_and_directions(personas: Any, index: Any, as_user: Any) -> None:
    page = as_user(personas.member).get(index["fw"].get_absolute_url()).content.decode()
    assert "admin_days" in page and "lower is better" in page
    assert "Edit admin_days" not in page  # members cannot edit
    page = as_user(personas.organiser).get(index["fw"].get_absolute_url()).content.decode()
    assert "Edit admin_days" in page


def test_it_edits_an_element_and_records_it(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry

    fw = index["fw"]
    element = fw.elements.get(code="pci")
    url = reverse("indices:edit_element", args=[personas.org.slug, fw.pk, element.pk])
    response = as_user(personas.organiser).post(url, {"weight": "2.5", "direction": "-1"})
    assert response.status_code == 302
    element.refresh_from_db()
    assert (element.weight, element.direction) == (2.5, -1)
    entry = AuditEntry.objects.get(action="indices.edit_element")
    assert entry.before == {"weight": 1.0, "direction": 1} and entry.after == {"weight": 2.5, "direction": -1}


def test_it_rejects_bad_weights(personas: Any, index: Any, as_user: Any) -> None:
    fw = index["fw"]
    element = fw.elements.get(code="pci")
    client = as_user(personas.organiser)
    url = reverse("indices:edit_element", args=[personas.org.slug, fw.pk, element.pk])
    for bad in ({"weight": "-1", "direction": "1"}, {"weight": "abc", "direction": "1"},
                {"weight": "1", "direction": "2"}, {"weight": "nan", "direction": "1"}, {}):
        assert client.post(url, bad).status_code == 400, bad
    element.refresh_from_db()
    assert element.weight == 1.0
    other = reverse("indices:edit_element", args=[personas.org.slug, fw.pk, 999999])
    assert client.post(other, {"weight": "1", "direction": "1"}).status_code == 404


def test_it_publishes_and_unpublishes(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry

    fw = index["fw"]
    client = as_user(personas.organiser)
    url = reverse("indices:publish", args=[personas.org.slug, fw.pk])
    client.post(url, {"published": "1"})
    fw.refresh_from_db()
    assert fw.published
    public = as_user(None).get(reverse("indices:public_results", args=[fw.public_slug]))
    assert public.status_code == 200
    text = public.content.decode()
    assert "Hà Nội" in text and "units/" not in text  # no links into internal pages
    client = as_user(personas.organiser)
    client.post(url, {"published": "0"})
    assert as_user(None).get(reverse("indices:public_results", args=[fw.public_slug])).status_code == 404
    assert AuditEntry.objects.filter(action__in=["indices.publish_framework",
                                                 "indices.unpublish_framework"]).count() == 2


def test_it_shows_the_pages_in_vietnamese(personas: Any, index: Any, as_user: Any) -> None:
    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    client = as_user(personas.organiser)
    page = client.get(index["fw"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Trọng số" in page or "trọng số" in page
    page = client.get(reverse("indices:build_detail", args=[personas.org.slug, index["build"].pk]),
                      HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Kiểm định thống kê" in page
    index["fw"].published = True
    index["fw"].save()
    public = as_user(None).get(reverse("indices:public_results", args=[index["fw"].public_slug]),
                               HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "So sánh các trụ cột" in public
