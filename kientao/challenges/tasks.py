"""Background jobs: optimal reviewer assignment and score calibration."""

from __future__ import annotations

from django_tasks import task

from kientao.challenges import analysis
from kientao.challenges.models import Challenge
from kientao.core import audit
from kientao.core.jobs import JobError, running_job


@task()
def assign_judges(job_id: str) -> None:
    with running_job(job_id) as job:
        params = job.params
        challenge = Challenge.objects.get(pk=params["challenge"])
        job.report(10, "Building affinities and conflicts")
        try:
            result = analysis.assign(challenge, per_submission=int(params["per_submission"]),
                                     min_load=int(params["min_load"]), max_load=int(params["max_load"]),
                                     seed=int(params.get("seed", 0)),
                                     panel=str(params.get("panel", "screening")),
                                     forced=[(int(s), int(j)) for s, j in params.get("forced", [])],
                                     probability_cap=params.get("probability_cap"))
        except ValueError as exc:
            raise JobError(str(exc)) from exc
        audit.record(job.job.created_by, "challenges.assign_judges", organisation=challenge.organisation,
                     obj=challenge, after={**params, **result})
        job.succeed(result)


@task()
def calibrate(job_id: str) -> None:
    with running_job(job_id) as job:
        params = job.params
        challenge = Challenge.objects.get(pk=params["challenge"])
        job.report(10, "Calibrating scores")
        try:
            result = analysis.calibrate(challenge, rank_by=str(params.get("rank_by", "additive")),
                                        panel=str(params.get("panel", "screening")))
        except ValueError as exc:
            raise JobError(str(exc)) from exc
        audit.record(job.job.created_by, "challenges.calibrate", organisation=challenge.organisation,
                     obj=challenge, after={**params, **result})
        job.succeed(result)
