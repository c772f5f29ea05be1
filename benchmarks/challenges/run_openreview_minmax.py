"""Run openreview-matcher's MinMaxSolver (OR-Tools min-cost flow) on a saved instance.

Runs inside the peer's own environment (not ours), called by bench_assignment.py:
    /work/peers/openreview-venv/bin/python run_openreview_minmax.py DIR K MAX_LOAD
DIR holds w.npy (affinities, submissions x judges) and c.npy (conflict mask).
Prints "objective seconds". The matcher's solver files are expected under
/work/peers/openreview-matcher/matcher/solvers (from openreview/openreview-matcher,
MIT licence); OPENREVIEW_MATCHER_PATH overrides that folder.

Costs: the matcher's encoder scales scores by -100 and truncates to integers; we
pass -round(1e6 * affinity) instead so the optimum is comparable to a float LP.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("OPENREVIEW_MATCHER_PATH", "/work/peers/openreview-matcher"))

from matcher.solvers.minmax_solver import MinMaxSolver


class Encoded:
    def __init__(self, cost: np.ndarray, constraint: np.ndarray) -> None:
        self.cost_matrix = cost
        self.constraint_matrix = constraint


def main() -> int:
    folder, k, max_load = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    w = np.load(folder / "w.npy")
    conflicts = np.load(folder / "c.npy")
    n_sub, n_judge = w.shape
    start = time.perf_counter()
    cost = -np.round(w * 1e6)
    constraint = np.where(conflicts, -1, 0)
    solver = MinMaxSolver(
        [0] * n_judge,
        [max_load] * n_judge,
        [k] * n_sub,
        Encoded(cost, constraint),
        allow_zero_score_assignments=True,
    )
    flow = solver.solve()
    seconds = time.perf_counter() - start
    if not solver.solved:
        print("openreview-matcher: not solved", file=sys.stderr)
        return 1
    print(f"{float((flow * w).sum())} {seconds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
