"""Background jobs: index builds and uncertainty analyses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django_tasks import task

from kientao.core.jobs import JobError, running_job
from kientao.indices.actions import finish_build
from kientao.indices.analysis import audit_json, resolve_weights, scores_json, table_rows
from kientao.indices.engine import (
    IndexBuild,
    IndexDataError,
    UncertainInput,
    WeightNoise,
    audit,
    build,
    steps_from_json,
    steps_to_json,
    uncertainty,
)
from kientao.indices.engine.uncertainty import coinr_vignette_inputs
from kientao.indices.models import Build, Status, UncertaintyRun

Progress = Callable[[int, str], None] | None


def nominal_build(b: Build, progress: Progress = None) -> IndexBuild:
    import json

    fw = b.framework
    return build(fw.idata_table(b.year), fw.imeta_table(), steps_from_json(json.dumps(b.steps)),
                 progress=progress, idata_source=f"data {b.year}", imeta_source="framework")


def run_build(b: Build, progress: Progress = None) -> None:
    """Build, audit and store the results (raises IndexDataError on bad data)."""
    def scaled(lo: int, hi: int) -> Progress:
        if progress is None:
            return None
        return lambda p, m: progress(lo + (hi - lo) * p // 100, m)

    import json

    steps, method = resolve_weights(steps_from_json(json.dumps(b.steps)), b.framework.idata_table(b.year),
                                    b.framework.imeta_table())
    if method is not None:
        b.steps = json.loads(steps_to_json(steps))
        b.save(update_fields=["steps"])
    result = nominal_build(b, scaled(0, 60))
    report = audit(result, progress=scaled(60, 95))
    treat = result.details.get("treat")
    audit_data = audit_json(report)
    if method is not None:
        audit_data["weighting"] = method
    finish_build(b, status=Status.SUCCEEDED, scores=scores_json(result), audit=audit_data,
                 treatment=table_rows(treat) if treat is not None else [])


@task()
def build_index(job_id: str) -> None:
    with running_job(job_id) as job:
        b = Build.objects.select_related("framework").get(pk=job.params["build"])
        Build.objects.filter(pk=b.pk).update(status=Status.RUNNING)
        try:
            run_build(b, job.report)
        except (IndexDataError, KeyError) as exc:
            finish_build(b, status=Status.FAILED, error=str(exc))
            raise JobError(str(exc)) from None
        except Exception:
            finish_build(b, status=Status.FAILED, error="Unexpected error")
            raise
        job.succeed({"build": b.pk})


def uncertain_inputs(keys: list[str]) -> list[UncertainInput | WeightNoise]:
    """The inputs a user picked (``weights``, ``normalisation``, ``aggregation``, ``winmax``):
    those of COINr's sensitivity vignette, by lower-case name."""
    by_key = {i.name.lower(): i for i in coinr_vignette_inputs()}
    return [by_key[k] for k in keys]


@task()
def run_uncertainty(job_id: str) -> None:
    with running_job(job_id) as job:
        run = UncertaintyRun.objects.select_related("build__framework").get(pk=job.params["run"])
        UncertaintyRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)
        try:
            job.report(5, "nominal build")
            nominal = nominal_build(run.build)
            inputs = uncertain_inputs(run.inputs)
            kind = "SA" if len(inputs) >= 2 and job.params.get("kind") == "SA" else "UA"
            out = uncertainty(nominal, inputs, run.n, kind=kind, seed=run.seed,
                              progress=lambda p, m: job.report(10 + int(p * 0.9), m))
        except IndexDataError as exc:
            UncertaintyRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error=str(exc)[:4000])
            raise JobError(str(exc)) from None
        except Exception:
            UncertaintyRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error="Unexpected error")
            raise
        run.rank_stats = table_rows(out.rank_stats)
        run.sensitivity = table_rows(out.sensitivity) if out.sensitivity is not None else []
        run.runs = int(out.ranks.shape[0])
        run.failed_runs = int(np.isnan(out.ranks).all(axis=1).sum())
        run.status = Status.SUCCEEDED
        run.save(update_fields=["rank_stats", "sensitivity", "status", "runs", "failed_runs"])
        job.succeed({"run": run.pk})
