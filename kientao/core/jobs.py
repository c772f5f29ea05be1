"""Background jobs with progress, on django-tasks (database queue or RQ).

A capability defines a task whose only argument is the job id and runs its work
inside ``running_job``::

    @task()
    def build_index(job_id: str) -> None:
        with running_job(job_id) as job:
            job.report(10, "Normalising")
            ...
            job.succeed({"scores": 51})

and starts it with ``start_job(build_index, kind="indices.build", ...)``. The
page shows ``Job.progress`` and ``Job.message`` with a live progress bar.

While the work runs, a heartbeat thread stamps ``Job.heartbeat_at``. A worker
that is killed stops the heartbeat; ``reap_stale_jobs`` (run by every worker
every few seconds, and whenever a job page is polled) then re-queues the job if
it has attempts left, or marks it failed with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import traceback
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kientao.core.models import Job, Organisation, User

logger = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    """Beat four times within the stale limit, so one slow beat never looks like a death."""
    return max(0.5, min(10.0, settings.KIENTAO_JOB_STALE_SECONDS / 4))


class JobError(Exception):
    """Raise inside a job for an expected failure; its message is shown to the user."""


class JobHandle:
    """What a running job's code uses to report progress and its result."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._result: Any = None
        self._done = False

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def report(self, progress: int | float, message: str = "") -> None:
        progress = max(0, min(100, int(progress)))
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            progress=progress, message=message[:300], heartbeat_at=now
        )
        self.job.progress, self.job.message = progress, message[:300]

    def succeed(self, result: Any = None) -> None:
        self._result, self._done = result, True


def _task_for(path: str) -> Any:
    from django_tasks.base import Task

    task = import_string(path)
    if not isinstance(task, Task):
        raise ValueError(f"{path} is not a task")
    return task


def _enqueue(job: Job) -> None:
    task = _task_for(job.task_path)
    result = task.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def start_job(
    task: Any,
    *,
    kind: str,
    title: str = "",
    params: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
    user: User | None = None,
) -> Job:
    """Create the job record and queue its task once the current transaction commits."""
    job = Job.objects.create(
        kind=kind,
        title=title[:200],
        task_path=f"{task.func.__module__}.{task.func.__name__}",
        params=params or {},
        organisation=organisation,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        max_attempts=settings.KIENTAO_JOB_MAX_ATTEMPTS,
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


class _Heartbeat(threading.Thread):
    def __init__(self, job_id: Any) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a heartbeat must never break the job
            logger.exception("heartbeat for job %s failed", self.job_id)
        finally:
            connection.close()


@contextlib.contextmanager
def running_job(job_id: str) -> Iterator[JobHandle]:
    """Mark the job running, keep its heartbeat, and record its outcome."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            raise JobError(f"job {job_id} already finished")
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.worker_pid = os.getpid()
        job.error = ""
        job.save(
            update_fields=["status", "attempts", "started_at", "heartbeat_at", "worker_pid", "error"]
        )
    handle = JobHandle(job)
    beat = _Heartbeat(job.pk)
    beat.start()
    try:
        yield handle
    except JobError as exc:
        _finish(job, Job.Status.FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        _finish(job, Job.Status.FAILED, error=_("Unexpected error: %(detail)s") % {"detail": detail})
    else:
        _finish(job, Job.Status.SUCCEEDED, result=handle._result)
    finally:
        beat.stopped.set()


def _finish(job: Job, status: str, *, result: Any = None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status,
        progress=100 if status == Job.Status.SUCCEEDED else job.progress,
        result=result,
        error=error[:4000],
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        message=_("Done") if status == Job.Status.SUCCEEDED else job.message,
    )


def reap_stale_jobs(stale_after: timedelta | None = None) -> list[Job]:
    """Retry or fail running jobs whose worker stopped sending heartbeats.

    Returns the jobs it changed. Safe to call from several processes at once:
    each job is claimed with a conditional update.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.KIENTAO_JOB_STALE_SECONDS)
    cutoff = timezone.now() - stale_after
    changed: list[Job] = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff):
        if job.attempts < job.max_attempts:
            message = _("The worker stopped during attempt %(n)d; retrying.") % {"n": job.attempts}
            claimed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, message=message, heartbeat_at=timezone.now()
            )
            if claimed:
                _mark_task_lost(job)
                _enqueue(job)
                changed.append(job)
        else:
            reason = _(
                "The worker running this job stopped (attempt %(n)d of %(m)d); "
                "the job was not completed."
            ) % {"n": job.attempts, "m": job.max_attempts}
            claimed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, error=reason, finished_at=timezone.now()
            )
            if claimed:
                _mark_task_lost(job)
                changed.append(job)
    return changed


def _mark_task_lost(job: Job) -> None:
    """Close the database queue's own record of a task whose worker died."""
    if not job.task_id or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now()
    )
