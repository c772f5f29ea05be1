"""The whole analysis job from votes in PostgreSQL: 1,000,000 participants × 5,000 statements.

Run: ``.venv/bin/python benchmarks/conversations/bench_pg_job.py [--participants N]
[--statements M] [--votes-per-participant V] [--server postgres://postgres@127.0.0.1:5432/]``.

Creates a throwaway database ``kientao_bench_<pid>``, migrates it, loads planted-group
votes (``simulate_conversation``) with ``COPY … FROM STDIN (FORMAT binary)`` (load time
reported separately: index builds and foreign-key checks are deferred to after the load,
as one would for a bulk import), then runs the real job function
``kientao.conversations.tasks.analyse_conversation`` end to end (read → analyse → store)
and prints the time of each phase, the peak RSS of this process and the job total.
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in Unix microseconds


def peak_rss_gb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited over exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--votes-per-participant", type=int, default=50)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--run-job", nargs=3, metavar=("URL", "ORG", "CONVERSATION"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_job:
        return run_job(args.run_job[0], int(args.run_job[1]), int(args.run_job[2]))

    import psycopg

    name = f"kientao_bench_{os.getpid()}"
    admin_url = args.server.rstrip("/") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(args, args.server.rstrip("/") + "/" + name)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace, url: str) -> int:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kientao.conversations.engine.simulation import simulate_conversation
    from kientao.conversations.models import Conversation, Participant, Statement, Vote
    from kientao.core.models import Organisation

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    sim = simulate_conversation(args.participants, args.statements, n_groups=args.groups,
                                votes_per_participant=args.votes_per_participant, seed=0)
    coo = sim.votes.values.tocoo()
    order = np.lexsort((coo.col, coo.row))
    rows, cols, vals = coo.row[order], coo.col[order], coo.data[order].astype(np.int16)
    del coo, order
    print(f"simulated {len(vals):,} votes in {time.perf_counter() - t0:.1f} s (not counted)")

    t0 = time.perf_counter()
    org = Organisation.objects.create(name="Bench", slug="bench")
    conversation = Conversation.objects.create(organisation=org, topic="National consultation",
                                               moderation=Conversation.Moderation.POST)
    Statement.objects.bulk_create(
        [Statement(conversation=conversation, text=f"Statement {i}", status=Statement.Status.ACCEPTED)
         for i in range(args.statements)], batch_size=5000)
    st_ids = np.array(sorted(conversation.statements.values_list("pk", flat=True)), dtype=np.int64)
    ptable, vtable = Participant._meta.db_table, Vote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ptable} (conversation_id, token_hash, attributes, created_at) "  # noqa: S608
            "SELECT %s, md5(g::text) || md5((-g)::text), '{}'::jsonb, now() FROM generate_series(1, %s) g",
            [conversation.pk, args.participants])
    p_ids = np.array(sorted(conversation.participants.values_list("pk", flat=True)), dtype=np.int64)
    print(f"created {len(st_ids):,} statements and {len(p_ids):,} participants "
          f"in {time.perf_counter() - t0:.1f} s")

    # Votes: drop the secondary indexes and skip FK triggers while loading, then rebuild.
    t0 = time.perf_counter()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')", [vtable])
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                       "AND indexname NOT LIKE '%%pkey'", [vtable])
        indexes = [(i, d) for i, d in cursor.fetchall() if i not in {c for c, _ in constraints}]
        for conname, _ in constraints:
            cursor.execute(f'ALTER TABLE {vtable} DROP CONSTRAINT "{conname}"')
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [vtable])
        remaining = {r[0] for r in cursor.fetchall()}
        for index, _ in indexes:
            if index in remaining:
                cursor.execute(f'DROP INDEX "{index}"')
    ts = (int(time.time() * 1_000_000) - PG_EPOCH_US)
    row = np.dtype([("n", ">i2"), ("l1", ">i4"), ("p", ">i8"), ("l2", ">i4"), ("s", ">i8"),
                    ("l3", ">i4"), ("v", ">i2"), ("l4", ">i4"), ("c", ">i8"), ("l5", ">i4"), ("u", ">i8")])
    chunk = 1_000_000
    with raw.cursor() as cur, cur.copy(
            f"COPY {vtable} (participant_id, statement_id, value, created_at, updated_at) "
            "FROM STDIN (FORMAT binary)") as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00")
        for start in range(0, len(vals), chunk):
            stop = min(start + chunk, len(vals))
            block = np.empty(stop - start, dtype=row)
            block["n"], block["l1"], block["l2"], block["l3"] = 5, 8, 8, 2
            block["l4"], block["l5"], block["c"], block["u"] = 8, 8, ts, ts
            block["p"] = p_ids[rows[start:stop]]
            block["s"] = st_ids[cols[start:stop]]
            block["v"] = vals[start:stop]
            copy.write(block.tobytes())
        copy.write(b"\xff\xff")
    copied = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for conname, definition in constraints:
            cursor.execute(f'ALTER TABLE {vtable} ADD CONSTRAINT "{conname}" {definition}')
        cursor.execute(f"ANALYZE {vtable}")
    n_votes = Vote.objects.count()
    print(f"loaded {n_votes:,} votes: COPY {copied:.1f} s, indexes + constraints "
          f"{time.perf_counter() - t1:.1f} s (not counted)")
    del rows, cols, vals, sim

    # The real job, end to end, in a fresh process (so that its peak RSS is its own).
    connection.close()
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--run-job", url, str(org.pk), str(conversation.pk)],
                          check=False)
    return done.returncode


def run_job(url: str, org_pk: int, conversation_pk: int) -> int:
    """Child process: start the real job and run its task function (read → analyse → store)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from kientao.conversations import analysis
    from kientao.conversations.tasks import analyse_conversation
    from kientao.core.jobs import start_job
    from kientao.core.models import Job, Organisation

    timings: dict[str, float] = {}
    original = analysis.run_analysis

    def timed(*a: object, **k: object) -> object:
        return original(*a, timings=timings, **k)  # type: ignore[arg-type]

    analysis.run_analysis = timed  # type: ignore[assignment]
    rss_start = peak_rss_gb()
    started = time.perf_counter()
    job = start_job(analyse_conversation, kind="conversations.analyse", title="bench",
                    params={"conversation": conversation_pk},
                    organisation=Organisation.objects.get(pk=org_pk), user=None)
    job.refresh_from_db()
    if job.status != Job.Status.SUCCEEDED:  # queued for a worker: run the task function here
        analyse_conversation.func(str(job.pk))
    total = time.perf_counter() - started
    job.refresh_from_db()
    print(f"job {job.status}: {job.result}")
    for phase in ("read", "analyse", "store"):
        print(f"  {phase:8s} {timings.get(phase, float('nan')):6.2f} s")
    print(f"job total {total:.2f} s; peak RSS of the job process {peak_rss_gb():.2f} GB "
          f"(after Django start-up {rss_start:.2f} GB); target < 120 s: "
          f"{'met' if total < 120 else 'NOT met'}")
    return 0 if job.status == Job.Status.SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
