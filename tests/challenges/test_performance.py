"""The organiser's dashboard and ranking pages run a bounded number of queries at any size."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kientao.challenges.models import Assignment, Judge, RankingEntry, Score, Submission
from kientao.core.models import User


def _grow(world: Any, personas: Any, n: int) -> None:
    start = Submission.objects.count() + 1
    subs = Submission.objects.bulk_create(
        [
            Submission(
                challenge=world.challenge,
                applicant=personas.participant,
                number=start + i,
                title=f"T{i}",
                status="eligible",
            )
            for i in range(n)
        ]
    )
    judges = [
        Judge.objects.create(
            challenge=world.challenge,
            user=User.objects.create_user(email=f"p{start}-{j}@x.vn", password="x"),
        )
        for j in range(5)
    ]
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(judge=judges[(i + k) % 5], submission=s)
            for i, s in enumerate(subs)
            for k in range(3)
        ]
    )
    Score.objects.bulk_create(
        [Score(assignment=a, criterion=c, value=3) for a in assignments for c in world.criteria]
    )
    RankingEntry.objects.bulk_create(
        [
            RankingEntry(
                challenge=world.challenge,
                submission=s,
                raw_mean=3,
                score=3,
                score_low=2,
                score_high=4,
                rank=i + start,
                rank_best=1,
                rank_worst=i + start,
            )
            for i, s in enumerate(subs)
        ]
    )


@pytest.mark.parametrize("name", ["dashboard", "ranking", "screening"])
def test_it_keeps_organiser_pages_to_a_constant_number_of_queries(
    world: Any, personas: Any, as_user: Any, django_assert_max_num_queries: Any, name: str
) -> None:
    client = as_user(personas.organiser)
    url = reverse(f"challenges:{name}", args=["nhua"])
    _grow(world, personas, 20)
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    _grow(world, personas, 200)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
