"""Vote ingestion over HTTP on 127.0.0.1 with PostgreSQL, next to a bare one-insert view.

Run: ``.venv/bin/python benchmarks/conversations/bench_ingest.py [--clients 50]
[--seconds 10] [--workers 4] [--threads 8]`` with PostgreSQL reachable at ``--admin-url``
(default ``postgres://postgres@127.0.0.1:5432/postgres``).

What it does: creates a throwaway database, migrates it, creates one open conversation
with enough statements that no client ever votes twice on one, starts gunicorn (gthread)
on a random port, and runs two phases with ``--clients`` threads (one keep-alive
``http.client`` connection each, bounded by time and by the number of statements):

1. **app**: ``POST /api/conversations/<id>/votes`` with a participant token header: the
   real endpoint (validation, rate limits counted in memory and shared across processes
   once a second, then for a
   known participant one ``INSERT … SELECT … ON CONFLICT`` that checks the statement,
   the conversation and the participant's token hash, and the per-process recompute
   throttle);
2. **bare**: a view that only does the same single ``INSERT … ON CONFLICT``
   (``ingest_app.py``; not part of the application).

Printed: the load average before and after, sustained votes/s, p50/p99 latency, acknowledged votes vs rows in the database
(must be equal: nothing lost, nothing duplicated), and the ratio app / bare. The
database is dropped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"

SETUP = r"""
import json, os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
django.setup()
from kientao.core.models import Organisation
from kientao.conversations.models import Conversation, Participant, Statement, hash_token
n_statements, n_clients = int(sys.argv[1]), int(sys.argv[2])
org = Organisation.objects.create(name="Bench", slug="bench")
conv = Conversation.objects.create(organisation=org, topic="Bench", moderation="post")
Statement.objects.bulk_create([Statement(conversation=conv, text=f"Statement {i}", status="accepted")
                               for i in range(n_statements)])
bare = Participant.objects.bulk_create([Participant(conversation=conv, token_hash=hash_token(f"bare-{i}"))
                                        for i in range(n_clients)])
print(json.dumps({"public_id": conv.public_id,
                  "statements": list(conv.statements.order_by("pk").values_list("pk", flat=True)),
                  "bare": [p.pk for p in Participant.objects.filter(conversation=conv).order_by("pk")]}))
"""

COUNT = r"""
import json, os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
django.setup()
from kientao.conversations.models import Vote, hash_token
tokens = json.loads(sys.argv[1]); bare = json.loads(sys.argv[2])
app = Vote.objects.filter(participant__token_hash__in=[hash_token(t) for t in tokens]).count()
print(json.dumps({"app": app, "bare": Vote.objects.filter(participant_id__in=bare).count()}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def run_phase(port: int, clients: int, seconds: float, statements: list[int],
              make_request: object) -> dict[str, object]:
    latencies: list[float] = []
    acked = 0
    failures = 0
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        nonlocal acked, failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        ok = bad = 0
        start_line.wait()
        for j, sid in enumerate(statements):
            if time.perf_counter() >= stop_at[0]:
                break
            path, body, headers = make_request(i, sid, (i + j) % 3 - 1)  # type: ignore[operator]
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append(time.perf_counter() - t0)
            if status == 200:
                ok += 1
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            acked += ok
            failures += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start_line.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()

    def q(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {"acked": acked, "failed": failures, "seconds": elapsed, "rate": acked / elapsed,
            "p50_ms": q(0.50), "p99_ms": q(0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    name = f"kientao_bench_ingest_{os.getpid()}"
    base = urlparse(args.admin_url)
    db_url = base._replace(path=f"/{name}").geturl()
    env = dict(os.environ, DATABASE_URL=db_url, KIENTAO_DEBUG="true", PYTHONPATH=str(ROOT),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", KIENTAO_LOG_LEVEL="WARNING")
    admin(args.admin_url, f'CREATE DATABASE "{name}"')
    server = None
    try:
        subprocess.run([str(VENV / "kientao"), "manage", "migrate", "--verbosity", "0"], env=env,
                       check=True, cwd=ROOT)
        subprocess.run([str(VENV / "kientao"), "manage", "createcachetable"], env=env, check=True, cwd=ROOT)
        setup = json.loads(subprocess.run(
            [str(VENV / "python"), "-c", SETUP, str(args.statements), str(args.clients)], env=env,
            check=True, cwd=ROOT, capture_output=True, text=True).stdout)
        port = free_port()
        server = subprocess.Popen(
            [str(VENV / "gunicorn"), "--chdir", str(ROOT), "--pythonpath", str(ROOT / "benchmarks/conversations"),
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "gthread",
             "--threads", str(args.threads), "--log-level", "warning", "ingest_app:application"],
            env=env, cwd=ROOT, start_new_session=True)
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        load_before = os.getloadavg()
        public_id = setup["public_id"]
        statements = setup["statements"]
        tokens = [f"bench-client-{i:04d}-{public_id}" for i in range(args.clients)]

        def app_request(i: int, sid: int, value: int) -> tuple[str, str, dict[str, str]]:
            return (f"/api/conversations/{public_id}/votes", json.dumps({"statement": sid, "vote": value}),
                    {"Content-Type": "application/json", "X-Participant-Token": tokens[i]})

        def bare_request(i: int, sid: int, value: int) -> tuple[str, str, dict[str, str]]:
            return ("/bare-vote/", json.dumps({"participant": setup["bare"][i], "statement": sid,
                                               "vote": value}), {"Content-Type": "application/json"})

        # Warm up every worker's imports and connections (votes on the last statement only).
        warm_app = run_phase(port, args.clients, 5.0, statements[-1:], app_request)
        warm_bare = run_phase(port, args.clients, 5.0, statements[-1:], bare_request)
        warm = {"app": int(warm_app["acked"]), "bare": int(warm_bare["acked"])}  # type: ignore[call-overload]
        body = statements[:-1]
        app = run_phase(port, args.clients, args.seconds, body, app_request)
        bare = run_phase(port, args.clients, args.seconds, body, bare_request)
        counts = json.loads(subprocess.run(
            [str(VENV / "python"), "-c", COUNT, json.dumps(tokens), json.dumps(setup["bare"])], env=env,
            check=True, cwd=ROOT, capture_output=True, text=True).stdout)
        print(f"clients {args.clients}, gunicorn {args.workers} workers × {args.threads} threads, "
              f"{os.cpu_count()} CPUs")
        load_after = os.getloadavg()
        print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after))
        print("| endpoint | votes/s | p50 ms | p99 ms | acknowledged | in database | failed |")
        print("|---|--:|--:|--:|--:|--:|--:|")
        for label, res, key in (("app `/api/conversations/…/votes`", app, "app"),
                                ("bare one-insert view", bare, "bare")):
            print(f"| {label} | {res['rate']:.0f} | {res['p50_ms']:.1f} | {res['p99_ms']:.1f} | "
                  f"{res['acked']} | {counts[key] - warm[key]} | {res['failed']} |")
        ratio = float(app["rate"]) / float(bare["rate"]) if bare["rate"] else 0.0  # type: ignore[arg-type]
        print(f"ratio app / bare: {ratio:.2f}")
        lost = (counts["app"] - warm["app"] != app["acked"]) or (counts["bare"] - warm["bare"] != bare["acked"])
        print("votes in database = votes acknowledged:", "NO" if lost else "yes")
        return 1 if lost else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
