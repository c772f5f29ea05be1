"""Routing: the next card favours new statements and statements that divide groups (Pol.is priority).

Each test draws the next statement 400 times for a participant who has not voted yet, with a
seeded ``random.Random`` (``next_statement``'s ``rng``), and asserts a share far above the
uniform one. Under a uniform choice among k statements the count of one statement is
Binomial(400, 1/k); the Chernoff bound P(X ≥ 400·q) ≤ exp(−400·KL(q ‖ 1/k)), with
KL(q ‖ p) = q·ln(q/p) + (1−q)·ln((1−q)/(1−p)), says how surely uniform routing fails.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from typing import Any

import pytest

from kientao.conversations.models import AnalysisRun, Participant, Statement, Vote

DRAWS = 400
#: vote of each camp on each seed statement: statement 0 divides the camps, 1-4 everyone agreed
DIVIDED = [[1, -1], [1, 1], [1, 1], [1, 1], [1, 1]]


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _participant(conversation: Any, name: str) -> Any:
    return Participant.objects.create(conversation=conversation, token_hash=_hash(name))


def _draws(conversation: Any, seed: int) -> Counter[int]:
    from kientao.conversations.analysis import next_statement

    rng = random.Random(seed)
    fresh = _participant(conversation, "fresh")  # no votes: every statement is open to them
    picks: Counter[int] = Counter()
    for _ in range(DRAWS):
        statement, done, total = next_statement(conversation, fresh, rng=rng)
        assert statement is not None and done == 0
        picks[statement.pk] += 1
    return picks


def _conversation_with_votes(conversation: Any, votes: list[list[int]]) -> dict[int, Any]:
    """40 participants in two camps of 20, ``votes[j][camp]`` on statement j; then one
    analysis, whose priorities routing reads."""
    from kientao.conversations.analysis import run_analysis

    statements = list(conversation.statements.order_by("pk"))
    for i in range(40):
        p = _participant(conversation, f"camp-{i}")
        camp = 0 if i < 20 else 1
        Vote.objects.bulk_create([Vote(participant=p, statement=statements[j], value=row[camp])
                                  for j, row in enumerate(votes)])
    run_analysis(conversation)
    return dict(enumerate(statements[: len(votes)]))


@pytest.mark.django_db
def test_it_routes_a_new_statement_more_often(conversation: Any) -> None:
    # Old statements, analysed: 0 divides the camps, 1-4 everyone agreed. Then statement X
    # is accepted after the analysis and gets its first 2 votes (agree).
    by_index = _conversation_with_votes(conversation, DIVIDED)
    x = Statement.objects.create(conversation=conversation, text="Một ý kiến mới toanh.",
                                 status=Statement.Status.ACCEPTED)
    for voter in Participant.objects.filter(token_hash__in=[_hash("camp-0"), _hash("camp-25")]):
        Vote.objects.create(participant=voter, statement=x, value=1)
    prio = {s["statement"]: s["priority"] for s in AnalysisRun.objects.get().results["statements"]}
    assert x.pk not in prio  # newer than the analysis: its priority comes from its live counts
    assert max(prio[s.pk] for s in by_index.values()) < 3
    picks = _draws(conversation, seed=2026)
    # X (S = 2, A = 2, P = 0, E = 0): ((1 − 1/4)·(3/4)·(1 + 8·2^(−2/5)))² ≈ 15.8, against
    # ≈ 2.66 + 4·0.97 for the old ones: share ≈ 0.71; uniform over 6 gives 1/6 (≈ 67).
    # Asked: ≥ 0.45 (180). Uniform: KL(0.45 ‖ 1/6) = 0.45·ln 2.7 + 0.55·ln 0.66 ≈ 0.219,
    # P ≤ exp(−400·0.219) ≈ 1e-38.
    assert picks[x.pk] >= 0.45 * DRAWS


@pytest.mark.django_db
def test_it_routes_a_statement_that_divides_groups_more_often(conversation: Any) -> None:
    by_index = _conversation_with_votes(conversation, DIVIDED)
    results = AnalysisRun.objects.get().results
    assert results["n_groups"] == 2
    prio = {s["statement"]: s["priority"] for s in results["statements"]}
    divisive, consensus = by_index[0], [by_index[j] for j in range(1, 5)]
    # Same S = 40; the divisive one has half the agrees but extremity E = sqrt(5) (the
    # consensus ones 0): ((1 − 1/42)·(1 + √5)·(21/42)·(1 + 8·2^−8))² ≈ 2.66 vs ≈ 0.97
    assert prio[divisive.pk] > 2 * max(prio[s.pk] for s in consensus)
    picks = _draws(conversation, seed=7)
    # 5 statements: uniform gives 1/5 (80 of 400); priority ≈ 2.66/(2.66 + 4·0.97) ≈ 0.41.
    # Asked: ≥ 0.32 (128). Uniform: KL(0.32 ‖ 0.2) = 0.32·ln 1.6 + 0.68·ln 0.85 ≈ 0.0399,
    # P ≤ exp(−400·0.0399) ≈ 1e-7; and it beats every consensus statement.
    assert picks[divisive.pk] >= 0.32 * DRAWS
    assert picks[divisive.pk] > max(picks[s.pk] for s in consensus)
