"""Reviewer assignment: ours vs a plain dense LP (SciPy HiGHS) vs openreview-matcher.

Run:  .venv/bin/python benchmarks/challenges/bench_assignment.py [--sizes 300x30,1000x100]
      [--dense-time-limit 900] [--seed 0] [--solvers ours,dense,openreview]

Instances: uniform random affinities in [0, 1), 2 % random conflicts, k = 3 judges
per submission, max load ceil(1.2 * 3 P / R) (40 for 10,000 x 1,000, as the issue
asks). Each solver gets the same instance; we print times, the ratio to ours and
the objective values (they must agree: the problem is an LP with an integral
optimum). openreview-matcher's MinMax solver (OR-Tools min-cost flow) runs when
importable, e.g. from /work/peers/openreview-venv; otherwise it is skipped with a
message.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sps
from scipy.optimize import linprog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kientao.challenges.engine import assign_reviewers

PEER_PYTHON = Path("/work/peers/openreview-venv/bin/python")
PEER_RUNNER = Path(__file__).with_name("run_openreview_minmax.py")


def instance(n_sub: int, n_judge: int, seed: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    rng = np.random.default_rng(seed)
    w = rng.random((n_sub, n_judge))
    conflicts = rng.random((n_sub, n_judge)) < 0.02
    k = 3
    max_load = 40 if (n_sub, n_judge) == (10_000, 1_000) else math.ceil(1.2 * k * n_sub / n_judge)
    return w, conflicts, k, max_load


def dense_lp(w: np.ndarray, conflicts: np.ndarray, k: int, max_load: int, time_limit: float):
    """The plain LP: every eligible pair a variable, one HiGHS call."""
    n_sub, n_judge = w.shape
    rows, cols = np.nonzero(~conflicts)
    m = rows.size
    a_eq = sps.csr_matrix((np.ones(m), (rows, np.arange(m))), shape=(n_sub, m))
    a_ub = sps.csr_matrix((np.ones(m), (cols, np.arange(m))), shape=(n_judge, m))
    res = linprog(
        -w[rows, cols],
        A_ub=a_ub,
        b_ub=np.full(n_judge, float(max_load)),
        A_eq=a_eq,
        b_eq=np.full(n_sub, float(k)),
        bounds=(0, 1),
        method="highs",
        options={"time_limit": time_limit},
    )
    if res.status != 0:
        return None, res.message
    integral = bool(np.all((res.x < 1e-7) | (res.x > 1 - 1e-7)))
    return -res.fun, f"integral={integral}"


def openreview(w: np.ndarray, conflicts: np.ndarray, k: int, max_load: int, tmp: Path):
    if not PEER_PYTHON.exists():
        return None, f"skipped: openreview-matcher not installed ({PEER_PYTHON} missing)"
    np.save(tmp / "w.npy", w)
    np.save(tmp / "c.npy", conflicts)
    out = subprocess.run(
        [str(PEER_PYTHON), str(PEER_RUNNER), str(tmp), str(k), str(max_load)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return None, "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1]
    objective, seconds = (float(v) for v in out.stdout.split())
    return (objective, seconds), "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300x30,1000x100,2000x200,10000x1000")
    parser.add_argument("--dense-time-limit", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solvers", default="ours,dense,openreview", help="which peers to run")
    args = parser.parse_args()
    solvers = set(args.solvers.split(","))
    tmp = Path("/tmp/kientao-bench-challenges")
    tmp.mkdir(parents=True, exist_ok=True)
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, cores {len(__import__('os').sched_getaffinity(0))}"
    )
    header = f"{'size':>12} {'pairs':>10} {'ours s':>8} {'dense s':>9} {'ratio':>7} {'openrev s':>10} {'ratio':>7}  objectives (ours / dense / openreview)"
    print(header)
    for spec in args.sizes.split(","):
        n_sub, n_judge = (int(v) for v in spec.lower().split("x"))
        w, conflicts, k, max_load = instance(n_sub, n_judge, args.seed)
        t0 = time.perf_counter()
        ours = assign_reviewers(w, per_submission=k, max_load=max_load, conflicts=conflicts)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        if "dense" in solvers:
            dense_obj, dense_note = dense_lp(w, conflicts, k, max_load, args.dense_time_limit)
        else:
            dense_obj, dense_note = None, "not run"
        t_dense = time.perf_counter() - t0
        if "openreview" in solvers:
            peer, peer_note = openreview(w, conflicts, k, max_load, tmp)
        else:
            peer, peer_note = None, "not run"
        if dense_obj is not None:
            dense_txt = f"{t_dense:9.2f} {t_dense / t_ours:7.1f}"
        elif dense_note == "not run":
            dense_txt = f"{'-':>9} {'-':>7}"
        else:
            dense_txt = f">{args.dense_time_limit:8.0f} {'-':>7}"
        peer_txt = f"{peer[1]:10.2f} {peer[1] / t_ours:7.1f}" if peer else f"{'-':>10} {'-':>7}"
        objs = (
            f"{ours.total_affinity:.6f} / "
            + (f"{dense_obj:.6f}" if dense_obj is not None else f"({dense_note})")
            + " / "
            + (f"{peer[0]:.6f}" if peer else peer_note)
        )
        print(
            f"{spec:>12} {int((~conflicts).sum()):>10,} {t_ours:8.2f} {dense_txt} "
            f"{peer_txt}  {objs}  "
            f"[candidates {ours.candidate_pairs:,}, rounds {ours.rounds}, dense {dense_note}]",
            flush=True,
        )
        if dense_obj is not None:
            gap = abs(dense_obj - ours.total_affinity) / max(1.0, abs(dense_obj))
            print(f"{'':>12} relative objective gap ours vs dense LP: {gap:.2e}")
        if peer:
            gap = abs(peer[0] - ours.total_affinity) / max(1.0, abs(peer[0]))
            print(f"{'':>12} relative objective gap ours vs openreview-matcher: {gap:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
