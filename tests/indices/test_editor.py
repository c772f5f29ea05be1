"""The framework editor: add, rename and delete elements, checked by the engine's validator."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def _add(personas: Any, fw: Any) -> str:
    return reverse("indices:add_element", args=[personas.org.slug, fw.pk])


def test_it_adds_an_indicator_under_a_pillar_and_records_it(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry

    fw = index["fw"]
    pillar = fw.elements.get(code="pci").parent
    client = as_user(personas.organiser)
    form = client.get(_add(personas, fw), {"parent": pillar.pk})
    assert form.status_code == 200 and f'value="{pillar.pk}" selected' in form.content.decode()
    response = client.post(_add(personas, fw), {"parent": pillar.pk, "type": "Indicator", "code": "fibre_net",
                                               "name": "Băng thông rộng", "name_en": "Broadband",
                                               "weight": "0.5", "direction": "1"})
    assert response.status_code == 302
    new = fw.elements.get(code="fibre_net")
    assert (new.parent_id, new.level, new.weight, new.name_en) == (pillar.pk, 1, 0.5, "Broadband")
    entry = AuditEntry.objects.get(action="indices.add_element")
    assert entry.after["code"] == "fibre_net" and entry.after["parent"] == pillar.code
    assert "fibre_net" in client.get(fw.get_absolute_url()).content.decode()


def test_it_adds_an_aggregate_with_its_first_indicator(personas: Any, index: Any, as_user: Any) -> None:
    fw = index["fw"]
    top = max(fw.elements.filter(type="Aggregate"), key=lambda e: e.level or 0)
    response = as_user(personas.organiser).post(_add(personas, fw), {
        "parent": top.pk, "type": "Aggregate", "code": "Digital", "name": "Chuyển đổi số", "weight": "1",
        "direction": "1", "child_code": "e_gov", "child_name": "Chính phủ điện tử"})
    assert response.status_code == 302, response.content.decode()[:2000]
    child = fw.elements.get(code="e_gov")
    assert child.parent is not None and child.parent.code == "Digital" and child.type == "Indicator"


def test_it_rejects_bad_elements_beside_the_field(personas: Any, index: Any, as_user: Any) -> None:
    fw = index["fw"]
    pillar = fw.elements.get(code="pci").parent
    top = max(fw.elements.filter(type="Aggregate"), key=lambda e: e.level or 0)
    client = as_user(personas.organiser)
    base = {"parent": pillar.pk, "type": "Indicator", "code": "x1", "name": "X", "weight": "1", "direction": "1"}
    n = fw.elements.count()
    for bad in ({**base, "code": "pci"}, {**base, "weight": "-1"}, {**base, "code": "1abc"},
                {**base, "code": "a b"}, {**base, "parent": "999999"}, {**base, "direction": "5"},
                {**base, "type": "Aggregate"}, {**base, "type": "Aggregate", "child_code": "x1"},
                {**base, "parent": top.pk}, {}):
        response = client.post(_add(personas, fw), bad)
        assert response.status_code == 400, bad
        assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in response.content.decode(), bad
    assert fw.elements.count() == n
    # an indicator directly under the index is refused by the engine's validator (wrong level)
    page = client.post(_add(personas, fw), {**base, "parent": top.pk}).content.decode()
    assert "framework" in page and "errorlist" in page


def test_it_renames_an_element_in_both_languages(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry

    fw = index["fw"]
    element = fw.elements.get(code="pci")
    url = reverse("indices:rename_element", args=[personas.org.slug, fw.pk, element.pk])
    client = as_user(personas.organiser)
    assert client.post(url, {"name": "Chỉ số PCI", "name_en": "PCI score"}).status_code == 302
    element.refresh_from_db()
    assert (element.name, element.name_en) == ("Chỉ số PCI", "PCI score")
    assert AuditEntry.objects.get(action="indices.rename_element").after == {"name": "Chỉ số PCI",
                                                                             "name_en": "PCI score"}
    assert client.post(url, {"name": "", "name_en": "x"}).status_code == 400
    assert client.post(url, {"name": "x" * 300}).status_code == 400


def test_it_deletes_a_leaf_and_the_next_build_uses_the_new_tree(
        personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry
    from kientao.indices import actions
    from kientao.indices.engine import default_steps
    from kientao.indices.tasks import run_build

    fw = index["fw"]
    element = fw.elements.get(code="admin_days")
    client = as_user(personas.organiser)
    url = reverse("indices:delete_element", args=[personas.org.slug, fw.pk, element.pk])
    assert client.post(url).status_code == 302
    assert not fw.elements.filter(code="admin_days").exists()
    assert AuditEntry.objects.get(action="indices.delete_element").before["code"] == "admin_days"
    assert all("admin_days" not in row for d in fw.datasets.all() for row in d.rows)
    b = actions.create_build(personas.organiser, fw, 2025, default_steps())
    run_build(b)
    b.refresh_from_db()
    assert b.status == "succeeded" and "admin_days" not in b.scores["columns"]


def test_it_refuses_to_delete_aggregates_and_surveyed_indicators(personas: Any, index: Any, as_user: Any) -> None:
    fw = index["fw"]
    client = as_user(personas.organiser)
    pillar = fw.elements.get(code="pci").parent
    for element in (pillar, fw.elements.get(code="gov_online")):
        url = reverse("indices:delete_element", args=[personas.org.slug, fw.pk, element.pk])
        assert client.post(url).status_code == 400
        assert fw.elements.filter(pk=element.pk).exists()
    assert client.post(reverse("indices:delete_element", args=[personas.org.slug, fw.pk, 999999])).status_code == 404
    assert client.get(reverse("indices:delete_element", args=[personas.org.slug, fw.pk, pillar.pk])).status_code == 405


def test_it_shows_the_editor_and_group_comparison_in_vietnamese(personas: Any, index: Any, as_user: Any) -> None:
    personas.organiser.preferred_language = "vi"  # the user's preference wins over the browser's
    personas.organiser.save()
    client = as_user(personas.organiser)
    fw = index["fw"]
    page = client.get(_add(personas, fw), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Thêm thành phần" in page and "Mã" in page
    build = client.get(reverse("indices:build_detail", args=[personas.org.slug, index["build"].pk]),
                       HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "So sánh theo nhóm" in build
    audit = client.get(reverse("indices:build_audit", args=[personas.org.slug, index["build"].pk]),
                       HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Trọng số đã dùng" in audit
