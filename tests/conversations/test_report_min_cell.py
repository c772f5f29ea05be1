"""Small-cell suppression: figures by participant attribute for fewer than N voters are hidden.

N is ``KIENTAO_CONVERSATIONS_MIN_CELL`` (default 10). Four answer groups of 9, 9, 10 and
11 participants, each voting on every statement, so a cell's voters are the group's size:
with N = 10 the two groups of 9 are hidden (two hidden values need no complementary
suppression) and 10 and 11 are shown; any other N changes which are hidden.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

SIZES = {"a": 9, "b": 9, "c": 10, "d": 11}


@pytest.fixture
def cells(personas: Any) -> Any:
    from kientao.conversations.models import Conversation, Participant, Statement, Vote

    conv = Conversation.objects.create(
        organisation=personas.org, topic="Ô nhỏ", languages=["vi", "en"], created_by=personas.organiser,
        attribute_questions=[{"key": "band", "label_vi": "Nhóm", "label_en": "Band", "choices": list(SIZES)}],
        report_published=True)
    statements = Statement.objects.bulk_create([
        Statement(conversation=conv, text=f"Ý kiến số {i}", status=Statement.Status.ACCEPTED) for i in range(4)])
    n = 0
    for value, size in SIZES.items():
        for _ in range(size):
            p = Participant.objects.create(conversation=conv, token_hash=hashlib.sha256(f"c{n}".encode()).hexdigest(),
                                           attributes={"band": value}, consent_at=conv.created_at)
            Vote.objects.bulk_create([Vote(participant=p, statement=s, value=1 if (n + j) % 3 else -1)
                                      for j, s in enumerate(statements)])
            n += 1
    return conv


def _hidden(conversation: Any) -> dict[str, bool]:
    """Whether each answer is suppressed (the same for every statement here)."""
    from kientao.conversations.analysis import run_analysis

    rows = run_analysis(conversation).results["disaggregation"]
    assert len(rows) == 4 * len(SIZES)
    out: dict[str, set[bool]] = {}
    for r in rows:
        out.setdefault(r["value"], set()).add(r["suppressed"])
        if not r["suppressed"]:
            assert r["n_seen"] == SIZES[r["value"]]
    assert all(len(v) == 1 for v in out.values())
    return {k: v.pop() for k, v in out.items()}


def test_it_hides_cells_under_ten_people_by_default(cells: Any) -> None:
    assert _hidden(cells) == {"a": True, "b": True, "c": False, "d": False}


@pytest.mark.parametrize(("n", "hidden"), [(9, set()), (11, {"a", "b", "c"}), (12, {"a", "b", "c", "d"})])
def test_it_takes_the_smallest_cell_from_the_settings(cells: Any, n: int, hidden: set[str]) -> None:
    with override_settings(KIENTAO_CONVERSATIONS_MIN_CELL=n):
        result = _hidden(cells)
    assert {k for k, v in result.items() if v} == hidden


def test_it_tells_readers_the_smallest_cell_used(client: Any, cells: Any) -> None:
    from kientao.conversations.analysis import run_analysis

    with override_settings(KIENTAO_CONVERSATIONS_MIN_CELL=11):
        run_analysis(cells)
    client.cookies["kientao_language"] = "en"
    page = client.get(reverse("conversations:report", args=[cells.public_id]))
    assert page.context["min_cell"] == 11 and "fewer than 11 people" in page.content.decode()
    assert client.get(f"/api/conversations/{cells.public_id}/analysis").json()["min_cell"] == 11
