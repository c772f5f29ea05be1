from __future__ import annotations

import time
from typing import Any

import pytest

from kientao.challenges.models import (
    Challenge,
    Cohort,
    MilestoneStatus,
    ProgressReport,
    Score,
    Submission,
)
from kientao.core import demo


def test_it_loads_the_demo_idempotently(db: Any) -> None:
    start = time.monotonic()
    demo.load()
    assert time.monotonic() - start < 20
    challenge = Challenge.objects.get(slug="giam-rac-thai-nhua-ven-bien")
    assert challenge.submissions.count() == 60
    assert challenge.judges.count() == 8
    assert challenge.ranking.count() > 50
    assert challenge.submissions.filter(status=Submission.Status.WINNER).count() == 3
    cohort = challenge.cohorts.get()
    assert cohort.teams.count() == 3 and cohort.milestones.count() == 3 and cohort.mentors.count() == 1
    assert cohort.reports.count() == 2
    counts = (Submission.objects.count(), Score.objects.count(), Cohort.objects.count(),
              ProgressReport.objects.count(), MilestoneStatus.objects.count())
    demo.load()
    assert (Submission.objects.count(), Score.objects.count(), Cohort.objects.count(),
            ProgressReport.objects.count(), MilestoneStatus.objects.count()) == counts


def test_it_seeds_peoples_choice_votes_with_an_anomaly(db: Any) -> None:
    from kientao.challenges import analysis
    from kientao.challenges.models import PublicVote

    demo.load()
    challenge = Challenge.objects.get(slug="giam-rac-thai-nhua-ven-bien")
    assert challenge.peoples_choice and challenge.voting_open
    n_votes = PublicVote.objects.filter(challenge=challenge).count()
    assert 24 <= n_votes <= 60
    report = analysis.vote_anomalies(challenge)
    assert report["n_votes"] == n_votes
    assert any(h["spike"] for h in report["hours"])
    assert report["addresses"] and 0 < report["new_share"] < 0.5
    demo.load()
    assert PublicVote.objects.filter(challenge=challenge).count() == n_votes


@pytest.mark.parametrize("clock", ["2026-11-29 16:38:00", "2026-11-29 16:00:30", "2026-11-29 16:59:59"])
def test_the_demo_spike_falls_in_one_hour_whatever_the_time(db: Any, clock: str) -> None:
    """The burst was split across two hours (no spike) when the demo loaded late in an hour."""
    from freezegun import freeze_time

    from kientao.challenges import analysis

    with freeze_time(clock):
        demo.load()
        challenge = Challenge.objects.get(slug="giam-rac-thai-nhua-ven-bien")
        assert any(h["spike"] for h in analysis.vote_anomalies(challenge)["hours"])
