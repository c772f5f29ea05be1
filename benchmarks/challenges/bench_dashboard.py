"""The organiser's judging dashboard and ranking page at 10,000 submissions and 30,000 scores.

Run: ``.venv/bin/python benchmarks/challenges/bench_dashboard.py [--postgres]
[--submissions 10000] [--judges 100] [--repeat 10]``.

What it does, once per database (a throwaway SQLite file always; PostgreSQL too with
``--postgres``, in a database ``kientao_bench_<pid>`` created and dropped on
``--admin-url``, default ``postgres://postgres@127.0.0.1:5432/postgres``):

1. migrates an empty database and bulk-creates one challenge in its judging phase with
   ``--submissions`` eligible submissions (one applicant account each), three criteria,
   ``--judges`` judges, three assignments per submission (30,000), scores for every criterion
   of the first third of the assignments (30,000 scores, so progress is partial), a few hundred
   declared conflicts, and a stored calibration (one ranking entry per submission plus the
   reliability and judge-bias tables);
2. requests the dashboard and the ranking page through the Django test client as the
   organiser: one warm-up request, then ``--repeat`` timed requests; prints the median and
   the maximum, and the number of SQL queries of one request.

Each database runs in its own subprocess, because settings read ``DATABASE_URL`` once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def build(n_subs: int, n_judges: int) -> str:
    """Bulk-create the challenge; return its slug."""
    from datetime import timedelta

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX as NO_PASSWORD
    from django.utils import timezone

    from kientao.challenges.models import (
        Assignment,
        Challenge,
        ConflictOfInterest,
        Criterion,
        Judge,
        RankingEntry,
        Score,
        Submission,
    )
    from kientao.core.models import Membership, Organisation, Role, User

    now = timezone.now()
    org = Organisation.objects.create(name="Bench lab", slug="bench-lab")
    organiser = User.objects.create_user(email="organiser@bench.invalid", password=None)
    Membership.objects.create(user=organiser, organisation=org, role=Role.ORGANISER)
    challenge = Challenge.objects.create(
        organisation=org, slug="bench", title="Bench", is_published=True,
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=20),
        judging_at=now - timedelta(days=10), final_at=now + timedelta(days=10),
        accelerator_at=now + timedelta(days=20), closed_at=now + timedelta(days=30),
    )
    criteria = [Criterion.objects.create(challenge=challenge, name_vi=f"Tiêu chí {i}", position=i)
                for i in range(3)]
    applicants = User.objects.bulk_create(
        [User(email=f"a{i}@bench.invalid", password=NO_PASSWORD) for i in range(n_subs)], batch_size=2000)
    judge_users = User.objects.bulk_create(
        [User(email=f"j{i}@bench.invalid", password=NO_PASSWORD, full_name=f"Judge {i}") for i in range(n_judges)])
    subs = Submission.objects.bulk_create(
        [Submission(challenge=challenge, applicant=a, number=i + 1, title=f"Proposal {i + 1}",
                    status=Submission.Status.ELIGIBLE, submitted_at=now) for i, a in enumerate(applicants)],
        batch_size=2000)
    judges = Judge.objects.bulk_create([Judge(challenge=challenge, user=u) for u in judge_users])
    assignments = Assignment.objects.bulk_create(
        [Assignment(judge=judges[(i + k * 7) % n_judges], submission=s, affinity=0.5)
         for i, s in enumerate(subs) for k in range(3)], batch_size=5000)
    scored = assignments[: len(assignments) // 3]
    Score.objects.bulk_create(
        [Score(assignment=a, criterion=c, value=1 + (a.pk + c.pk) % 5) for a in scored for c in criteria],
        batch_size=5000)
    ConflictOfInterest.objects.bulk_create(
        [ConflictOfInterest(judge=judges[i % n_judges], submission=subs[(i * 37) % n_subs],
                            source=ConflictOfInterest.Source.DECLARED, reason="bench")
         for i in range(300)], ignore_conflicts=True)
    RankingEntry.objects.bulk_create(
        [RankingEntry(challenge=challenge, submission=s, n_judges=3, raw_mean=3.0, raw_sd=0.5, zscore=50.0,
                      additive=3.0, score=5 - i / n_subs, score_low=4.5 - i / n_subs, score_high=5.5 - i / n_subs,
                      rank=i + 1, rank_best=max(1, i - 5), rank_worst=i + 6) for i, s in enumerate(subs)],
        batch_size=5000)
    challenge.calibration = {
        "rank_by": "additive", "panel": "screening", "notes": [], "n_scores": 3 * len(scored),
        "reliability": [{"criterion": c.name_vi, "statistic": "ICC(1,k)", "value": 0.6, "ci_low": 0.5,
                         "ci_high": 0.7, "n_items": n_subs, "n_raters": 3} for c in criteria],
        "judges": [{"judge": u.email, "n_scores": 300, "mean": 3.0, "bias": 0.1} for u in judge_users],
    }
    challenge.save(update_fields=["calibration"])
    return challenge.slug


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kientao.core.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    slug = build(args.submissions, args.judges)
    setup_s = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(email="organiser@bench.invalid"))
    result: dict[str, object] = {"vendor": connection.vendor, "setup_s": round(setup_s, 1)}
    for name in ("dashboard", "ranking"):
        url = reverse(f"challenges:{name}", args=[slug])
        response = client.get(url)  # warm-up: templates, caches
        assert response.status_code == 200, (name, response.status_code)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[name] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                        "queries": len(queries), "bytes": len(response.content),
                        "slowest": sorted(([float(q["time"]) * 1000, q["sql"][:300]] for q in queries.captured_queries),
                                          reverse=True)[:3]}
    print("RESULT " + json.dumps(result))


def run(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "KIENTAO_DEBUG": "1"}
    cmd = [sys.executable, __file__, "--child", "--submissions", str(args.submissions),
           "--judges", str(args.judges), "--repeat", str(args.repeat)]
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line.removeprefix("RESULT ")))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--judges", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--slowest", action="store_true", help="print the three slowest queries of each page")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(f"sqlite:///{tmp}/bench.sqlite3", args))
    if args.postgres:
        name = f"kientao_bench_{os.getpid()}"
        admin(args.admin_url, f'CREATE DATABASE "{name}"')
        try:
            results.append(run(urlunparse(urlparse(args.admin_url)._replace(path=f"/{name}")), args))
        finally:
            admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{args.submissions} submissions, {args.judges} judges, median of {args.repeat} requests")
    print(f"{'database':<12}{'page':<11}{'median ms':>10}{'max ms':>9}{'queries':>9}{'setup s':>9}")
    for r in results:
        for page in ("dashboard", "ranking"):
            p = r[page]
            assert isinstance(p, dict)
            print(f"{r['vendor']!s:<12}{page:<11}{p['median_ms']:>10}{p['max_ms']:>9}{p['queries']:>9}"
                  f"{r['setup_s']!s:>9}")
            for ms, sql in p["slowest"] if args.slowest else []:
                print(f"    {ms:8.1f} ms  {sql}")


if __name__ == "__main__":
    main()
