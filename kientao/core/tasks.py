"""Tasks of the platform itself: a diagnostic job that IT staff run to check the workers."""

from __future__ import annotations

import time

from django_tasks import task

from kientao.core.jobs import running_job


@task()
def count_up(job_id: str) -> None:
    """Count to ``steps`` with ``delay`` seconds per step, reporting progress."""
    with running_job(job_id) as job:
        steps = max(1, min(int(job.params.get("steps", 10)), 1000))
        delay = max(0.0, min(float(job.params.get("delay", 0.2)), 5.0))
        for i in range(steps):
            time.sleep(delay)
            job.report(100 * (i + 1) // steps, f"{i + 1}/{steps}")
        job.succeed({"counted": steps})
