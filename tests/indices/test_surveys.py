"""Self-assessment surveys: agencies answer through their own link; answers become data."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_it_creates_a_survey_with_items_and_rounds(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry
    from kientao.indices.models import Survey

    client = as_user(personas.organiser)
    fw = index["fw"]
    response = client.post(reverse("indices:survey_new", args=[personas.org.slug, fw.pk]), {"title": "Round up"})
    assert response.status_code == 302
    survey = Survey.objects.get(title="Round up")
    url = reverse("indices:survey_detail", args=[personas.org.slug, survey.pk])
    indicator = fw.elements.get(code="broadband")
    assert client.post(url, {"what": "item", "indicator": indicator.pk, "text": "Broadband?",
                             "kind": "yesno"}).status_code == 302
    assert client.post(url, {"what": "item", "indicator": indicator.pk, "text": "Again",
                             "kind": "yesno"}).status_code == 400
    assert client.post(url, {"what": "item", "indicator": fw.elements.get(code="Inst").pk, "text": "x",
                             "kind": "yesno"}).status_code == 400  # aggregates are not answerable
    assert client.post(url, {"what": "round", "year": "2026"}).status_code == 302
    assert client.post(url, {"what": "round", "year": "year"}).status_code == 400
    assert client.post(url, {"what": "nonsense"}).status_code == 400
    assert survey.rounds.get(year=2026).invites.count() == 20
    assert AuditEntry.objects.filter(action="indices.open_round").count() == 2


def test_it_turns_answers_into_indicator_data(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.indices.models import Dataset

    invite = index["invite"]
    items = {i.indicator.code: i for i in index["survey"].items.select_related("indicator")}
    client = as_user(None)
    url = reverse("indices:survey_answer", args=[invite.token])
    page = client.get(url).content.decode()
    assert invite.unit.name in page
    response = client.post(url, {f"item_{items['gov_online'].pk}": "4", f"item_{items['pci'].pk}": "61.5"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    row = next(r for r in Dataset.objects.get(framework=index["fw"], year=2025).rows
               if r["uCode"] == invite.unit.code)
    assert row["gov_online"] == 4.0 and row["pci"] == 61.5
    # editable until the round closes
    client.post(url, {f"item_{items['gov_online'].pk}": "5", f"item_{items['pci'].pk}": "60"})
    row = next(r for r in Dataset.objects.get(framework=index["fw"], year=2025).rows
               if r["uCode"] == invite.unit.code)
    assert row["gov_online"] == 5.0
    results = as_user(personas.member).get(
        reverse("indices:survey_detail", args=[personas.org.slug, index["survey"].pk])).content.decode()
    assert invite.unit.name in results and "32.50" in results


def test_it_rejects_bad_answers_and_closed_rounds(personas: Any, index: Any, as_user: Any) -> None:
    invite = index["invite"]
    items = {i.indicator.code: i for i in index["survey"].items.select_related("indicator")}
    client = as_user(None)
    url = reverse("indices:survey_answer", args=[invite.token])
    for bad in ({f"item_{items['gov_online'].pk}": "9", f"item_{items['pci'].pk}": "1"},
                {f"item_{items['gov_online'].pk}": "3", f"item_{items['pci'].pk}": "lots"}, {}):
        assert client.post(url, bad).status_code == 400
    assert client.get(reverse("indices:survey_answer", args=["not-a-token"])).status_code == 404
    organiser = as_user(personas.organiser)
    organiser.post(reverse("indices:survey_detail", args=[personas.org.slug, index["survey"].pk]),
                   {"what": "close", "round": index["round"].pk})
    client = as_user(None)
    response = client.post(url, {f"item_{items['gov_online'].pk}": "3", f"item_{items['pci'].pk}": "1"})
    assert response.status_code == 403
    invite.refresh_from_db()
    assert invite.submitted_at is None
