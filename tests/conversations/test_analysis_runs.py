"""Old analyses are pruned: only the newest few are kept per conversation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_keeps_only_the_newest_analyses(voted: Any, other_conversation: Any) -> None:
    from kientao.conversations.analysis import run_analysis

    other = run_analysis(other_conversation)
    with override_settings(KIENTAO_CONVERSATIONS_KEEP_ANALYSES=3):
        runs = [run_analysis(voted) for _ in range(4)]
    kept = list(voted.analyses.values_list("pk", flat=True))
    # the fixture's run and the first of these four are gone; the newest three stay
    assert kept == [r.pk for r in reversed(runs[1:])]
    # another conversation's analysis is not touched
    assert list(other_conversation.analyses.values_list("pk", flat=True)) == [other.pk]


def test_the_default_keeps_five(voted: Any) -> None:
    from kientao.conversations.analysis import run_analysis

    for _ in range(6):
        run_analysis(voted)
    assert voted.analyses.count() == 5
    # the newest is the one the report reads, and it still warm-starts the next update
    newest = voted.analyses.first()
    assert newest.state and newest.results["n_groups"] >= 2
