"""Published outputs never carry a statement that participants are not shown.

Anyone who does not organise the conversation (anonymous visitors of a published report,
members, API callers) gets no text of, and no row about, a rejected statement or one still
awaiting approval under pre-moderation; the organisers' exports keep every statement with
Pol.is's ``moderated`` column (1 accepted, 0 pending, -1 rejected).
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

REJECTED = "Câu bị từ chối: không được công bố."
PENDING = "Câu đang chờ duyệt: chưa được công bố."


@pytest.fixture
def moderated(voted: Any) -> Any:
    """``voted`` plus a rejected statement everyone voted on and a pending one, re-analysed, published."""
    from kientao.conversations.analysis import run_analysis
    from kientao.conversations.models import Statement, Vote

    rejected = Statement.objects.create(conversation=voted, text=REJECTED, status=Statement.Status.ACCEPTED)
    Vote.objects.bulk_create([Vote(participant=p, statement=rejected, value=1 if i % 3 else -1)
                              for i, p in enumerate(voted.participants.order_by("pk"))])
    rejected.status = Statement.Status.REJECTED  # rejected after people voted on it
    rejected.save()
    pending = Statement.objects.create(conversation=voted, text=PENDING, status=Statement.Status.PENDING)
    run_analysis(voted)
    voted.report_published = True
    voted.save()
    voted.rejected, voted.pending = rejected, pending
    return voted


def _public_clients(as_user: Any, personas: Any) -> list[Any]:
    return [as_user(None), as_user(personas.member)]


def test_it_drops_moderated_out_statements_from_the_stored_disaggregation(moderated: Any) -> None:
    """The stored statistics still list both (organisers see them), the disaggregation not the rejected one."""
    res = moderated.analyses.first().results
    ids = {s["statement"] for s in res["statements"]}
    assert {moderated.rejected.pk, moderated.pending.pk} <= ids
    assert moderated.rejected.pk not in {d["statement"] for d in res["disaggregation"]}  # left out at source


def test_it_keeps_them_out_of_the_published_report(as_user: Any, personas: Any, moderated: Any) -> None:
    hidden = {moderated.rejected.pk, moderated.pending.pk}
    for client in [*_public_clients(as_user, personas), as_user(personas.organiser)]:
        page = client.get(reverse("conversations:report", args=[moderated.public_id]))
        assert page.status_code == 200
        html = page.content.decode()
        assert REJECTED not in html and PENDING not in html
        rows = page.context["disaggregation"]
        assert rows and not hidden & {d["statement"] for d in rows}
        assert not hidden & {s["statement"] for s in page.context["statements"]}
        assert "Cần có xe buýt hoạt động đến nửa đêm." in html  # accepted ones still there


def test_it_keeps_old_stored_rows_out_of_the_disaggregation_table(as_user: Any, personas: Any,
                                                                   moderated: Any) -> None:
    """An analysis stored before moderated-out rows were dropped at source still hides them."""
    run = moderated.analyses.first()
    extra = [dict(d, statement=moderated.rejected.pk) for d in run.results["disaggregation"][:2]]
    run.results["disaggregation"] += extra
    run.save()
    page = as_user(personas.organiser).get(reverse("conversations:report", args=[moderated.public_id]))
    assert moderated.rejected.pk not in {d["statement"] for d in page.context["disaggregation"]}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_exports_only_shown_statements_to_the_public(as_user: Any, personas: Any, moderated: Any) -> None:
    hidden = {str(moderated.rejected.pk), str(moderated.pending.pk)}
    for client in _public_clients(as_user, personas):
        url = reverse("conversations:export_table", args=[moderated.public_id, "statements", "csv"])
        response = client.get(url)
        rows = _csv(response)
        assert len(rows) == 5 and not hidden & {r["statement"] for r in rows}
        assert {r["moderated"] for r in rows} == {"1"}
        assert REJECTED not in response.content.decode("utf-8-sig")
        url = reverse("conversations:export_table", args=[moderated.public_id, "statements", "xlsx"])
        sheet = load_workbook(io.BytesIO(client.get(url).content)).active
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row}
        assert sheet.max_row == 6 and REJECTED not in cells and PENDING not in cells
        for table in ("groups", "participants"):
            body = client.get(reverse("conversations:export_table", args=[moderated.public_id, table, "csv"]))
            assert REJECTED not in body.content.decode("utf-8-sig")


def test_it_exports_every_statement_to_the_organisers(as_user: Any, personas: Any, moderated: Any) -> None:
    url = reverse("conversations:export_table", args=[moderated.public_id, "statements", "csv"])
    rows = {r["statement"]: r for r in _csv(as_user(personas.organiser).get(url))}
    assert len(rows) == 7
    assert rows[str(moderated.rejected.pk)]["text"] == REJECTED
    assert rows[str(moderated.rejected.pk)]["moderated"] == "-1"
    assert rows[str(moderated.pending.pk)]["text"] == PENDING
    assert rows[str(moderated.pending.pk)]["moderated"] == "0"


def _polis_comments(client: Any, conversation: Any) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    response = client.get(reverse("conversations:export_polis", args=[conversation.public_id]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        comments = list(csv.DictReader(io.StringIO(zf.read("comments.csv").decode("utf-8"))))
        votes = list(csv.DictReader(io.StringIO(zf.read("votes.csv").decode("utf-8"))))
    return comments, votes


def test_it_leaves_them_out_of_the_public_polis_export(as_user: Any, personas: Any, moderated: Any) -> None:
    hidden = {str(moderated.rejected.pk), str(moderated.pending.pk)}
    for client in _public_clients(as_user, personas):
        comments, votes = _polis_comments(client, moderated)
        assert len(comments) == 5 and not hidden & {c["comment-id"] for c in comments}
        assert {c["comment-body"] for c in comments}.isdisjoint({REJECTED, PENDING})
        assert len(votes) == 200 and not hidden & {v["comment-id"] for v in votes}


def test_it_keeps_them_in_the_organisers_polis_export(as_user: Any, personas: Any, moderated: Any) -> None:
    comments, votes = _polis_comments(as_user(personas.organiser), moderated)
    by_id = {c["comment-id"]: c for c in comments}
    assert len(by_id) == 7
    assert by_id[str(moderated.rejected.pk)]["comment-body"] == REJECTED
    assert by_id[str(moderated.rejected.pk)]["moderated"] == "-1"
    assert by_id[str(moderated.pending.pk)]["moderated"] == "0"
    assert len(votes) == 240


def test_it_gives_api_callers_only_shown_statements(client: Any, as_user: Any, personas: Any,
                                                    moderated: Any) -> None:
    hidden = {moderated.rejected.pk, moderated.pending.pk}
    url = f"/api/conversations/{moderated.public_id}/analysis"
    for caller in _public_clients(as_user, personas):
        data = caller.get(url).json()
        assert not {str(pk) for pk in hidden} & set(data["statement_texts"])
        assert len(data["statement_texts"]) == 5
        assert not hidden & {s["statement"] for s in data["statements"]}
        assert data["disaggregation"] and not hidden & {d["statement"] for d in data["disaggregation"]}
    data = as_user(personas.organiser).get(url).json()
    assert data["statement_texts"][str(moderated.rejected.pk)] == REJECTED
    assert data["statement_texts"][str(moderated.pending.pk)] == PENDING
    assert hidden <= {s["statement"] for s in data["statements"]}


def test_it_never_gives_unapproved_texts_under_pre_moderation(client: Any, personas: Any, voted: Any) -> None:
    """A statement waiting for approval is invisible to voters, so to the published API too."""
    from kientao.conversations.models import Statement

    voted.report_published = True
    voted.save()
    pending = Statement.objects.create(conversation=voted, text=PENDING)  # default: pending
    texts = client.get(f"/api/conversations/{voted.public_id}/analysis").json()["statement_texts"]
    assert str(pending.pk) not in texts and len(texts) == 5
    voted.moderation = voted.Moderation.POST  # now it is shown to voters: public like the others
    voted.save()
    texts = client.get(f"/api/conversations/{voted.public_id}/analysis").json()["statement_texts"]
    assert texts[str(pending.pk)] == PENDING
