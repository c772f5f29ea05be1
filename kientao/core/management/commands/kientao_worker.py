"""Run a background-job worker for the configured queue (database or RQ).

Besides running tasks, every worker watches for jobs whose worker died
(no heartbeat) and retries or fails them: see ``kientao.core.jobs``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from kientao.core.jobs import reap_stale_jobs

logger = logging.getLogger(__name__)


def _reaper(stop: threading.Event, interval: float) -> None:
    while True:
        try:
            for job in reap_stale_jobs():
                logger.warning("job %s had lost its worker: now %s", job.pk, job.kind)
        except Exception:
            logger.exception("reaping stale jobs failed")
        finally:
            connection.close()
        if stop.wait(interval):
            return


class Command(BaseCommand):
    help = "Run a background-job worker (database queue, or RQ when REDIS_URL is set)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run queued jobs, then exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        stop = threading.Event()
        interval = max(1.0, settings.KIENTAO_JOB_STALE_SECONDS / 3)
        reaper = threading.Thread(target=_reaper, args=(stop, interval), daemon=True)
        reaper.start()
        backend = settings.TASKS["default"]["BACKEND"]
        try:
            if "django_tasks_rq" in backend:
                call_command(
                    "rqworker", "default", burst=once, verbosity=options["verbosity"],
                    job_class="django_tasks_rq.backend.Job",
                )
            else:
                call_command(
                    "db_worker",
                    queue_name="default",
                    interval=0.5,
                    batch=once,
                    reload=False,
                    startup_delay=False,
                    verbosity=options["verbosity"],
                )
        finally:
            stop.set()
