"""``kientao serve``: migrate, load the demo the first time, then serve with a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def serve(*, host: str, port: int, with_worker: bool = True) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--noinput", "--verbosity", "0")
    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        _manage("createcachetable", "--verbosity", "0")

    from kientao.core import demo
    from kientao.core.models import User

    first_time = not User.objects.exists()
    if first_time:
        print("Loading the demo data (first start)…", flush=True)
        demo.load()
    url = f"http://{host}:{port}/"
    print("\n  Kiến Tạo is running at " + url, flush=True)
    if User.objects.filter(email__endswith="@" + demo.DEMO_DOMAIN).exists():
        print(f"  Demo logins (password: {demo.DEMO_PASSWORD}):", flush=True)
        for persona, email in demo.logins():
            print(f"    {persona:<15} {email}", flush=True)
    print("  Press Ctrl-C to stop the server and the worker.\n", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the server and the worker like Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "kientao.cli", "worker"], start_new_session=True)
    try:
        _manage("runserver", f"{host}:{port}", "--noreload", "--skip-checks")
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    return 0
