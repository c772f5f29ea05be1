"""Background jobs: progress, results, and what happens when a worker dies.

The ``real_queue`` tests start real ``kientao worker`` processes on the configured
queue: the database queue on SQLite/PostgreSQL, RQ on Redis when REDIS_URL is set.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from kientao.core.jobs import start_job
from kientao.core.models import Job
from kientao.core.tasks import count_up

ROOT = Path(__file__).resolve().parents[2]
LOG_PATH = ROOT / "var" / "test-worker.log"
LOG_PATH.parent.mkdir(exist_ok=True)
LOG = LOG_PATH.open("ab")  # the workers' output, kept for when a test fails


def test_it_runs_a_job_and_records_progress_and_result(personas: Any,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(count_up, kind="core.count_up", params={"steps": 4, "delay": 0},
                        organisation=personas.org, user=personas.organiser)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress, job.result, job.attempts) == (100, {"counted": 4}, 1)


def test_it_shows_a_live_progress_bar(as_user: Any, personas: Any) -> None:
    job = Job.objects.create(kind="core.count_up", task_path="kientao.core.tasks.count_up",
                             organisation=personas.org, created_by=personas.organiser,
                             status=Job.Status.RUNNING, progress=42, message="Đang tính")
    client = as_user(personas.organiser)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert '<progress class="progress" max="100" value="42"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page refreshes itself
    fragment = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<div class=\"job-status\"")
    assert "Đang tính" in fragment


# --- real workers -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _one_real_queue_test_at_a_time(request: Any) -> Any:
    """RQ's queue is shared by every test process: a worker started by one process would
    take another process's job (and not find it in its own test database). A lock file
    makes the real-queue tests of all processes run one after another."""
    if request.node.get_closest_marker("real_queue") is None:
        yield
        return
    import fcntl

    with (ROOT / "var" / "real-queue-tests.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(*extra: str, stale: int = 8) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIENTAO_")}
    env.update({"DATABASE_URL": _database_url(), "KIENTAO_JOB_STALE_SECONDS": str(stale),
                "KIENTAO_VAR_DIR": str(settings.VAR_DIR), "PYTHONUNBUFFERED": "1"})
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "kientao.cli", "worker", *extra], cwd=ROOT, env=env,
                            start_new_session=True, stdout=LOG, stderr=subprocess.STDOUT)


def _wait_for(job: Job, condition: Any, timeout: float) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stuck: {job.status} {job.progress}% {job.message} {job.error}")


def _descendants(pid: int) -> list[int]:
    """Child processes, however deep (RQ forks each job into its own session)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        if sig == signal.SIGKILL:
            for pid in _descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.real_queue
@pytest.mark.slow
def test_it_round_trips_a_job_through_a_real_worker(transactional_db: Any) -> None:
    job = start_job(count_up, kind="core.count_up", params={"steps": 3, "delay": 0.05})
    worker = _worker()
    try:
        job = _wait_for(job, lambda j: j.is_finished, timeout=180)
    finally:
        _stop(worker)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"counted": 3}
    assert job.worker_pid not in (None, os.getpid())


@pytest.mark.real_queue
@pytest.mark.slow
def test_it_retries_a_job_whose_worker_was_killed(transactional_db: Any) -> None:
    job = start_job(count_up, kind="core.count_up", params={"steps": 30, "delay": 0.2})
    first = _worker()
    try:
        job = _wait_for(job, lambda j: j.status == Job.Status.RUNNING and j.progress >= 10, timeout=180)
    finally:
        _stop(first, signal.SIGKILL)  # the whole worker dies mid-job, with no chance to clean up
    assert job.status == Job.Status.RUNNING  # nothing marked it: it is orphaned
    second = _worker()
    try:
        job = _wait_for(job, lambda j: j.is_finished, timeout=240)
    finally:
        _stop(second)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    assert job.result == {"counted": 30}


@pytest.mark.real_queue
@pytest.mark.slow
def test_it_fails_with_the_reason_when_no_attempt_is_left(transactional_db: Any) -> None:
    job = start_job(count_up, kind="core.count_up", params={"steps": 30, "delay": 0.2})
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    first = _worker()
    try:
        job = _wait_for(job, lambda j: j.status == Job.Status.RUNNING and j.progress >= 10, timeout=180)
    finally:
        _stop(first, signal.SIGKILL)
    second = _worker()
    try:
        job = _wait_for(job, lambda j: j.is_finished, timeout=180)
    finally:
        _stop(second)
    assert job.status == Job.Status.FAILED
    assert "worker" in job.error and "stopped" in job.error
    assert job.attempts == 1
