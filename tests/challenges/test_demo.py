from __future__ import annotations

import time
from typing import Any

from kientao.challenges.models import Challenge, Score, Submission
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
    counts = (Submission.objects.count(), Score.objects.count())
    demo.load()
    assert (Submission.objects.count(), Score.objects.count()) == counts
