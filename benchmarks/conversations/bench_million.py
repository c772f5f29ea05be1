"""1,000,000 participants × 5,000 statements (~50 M votes, planted groups): our analysis.

Run: ``.venv/bin/python benchmarks/conversations/bench_million.py [--participants N]
[--statements M] [--votes-per-participant V]``. Prints generation time (not counted), the
time of each analysis step, total analysis time, peak RSS (resource.getrusage) and the
agreement (ARI) with the planted groups. No peer runs at this size (red-dwarf needs a
dense matrix of 40 GB here).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.pipeline import analyze
from kientao.conversations.engine.simulation import simulate_conversation


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--votes-per-participant", type=int, default=50)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    sim = simulate_conversation(
        args.participants, args.statements, n_groups=args.groups,
        votes_per_participant=args.votes_per_participant, seed=args.seed,
    )
    gen = time.perf_counter() - t0
    print(f"generated {args.participants:,} × {args.statements:,}, {sim.votes.n_votes:,} votes "
          f"in {gen:.1f} s (not counted); peak RSS so far {peak_rss_gb():.2f} GB")
    steps: list[tuple[float, str]] = []
    start = time.perf_counter()

    def progress(percent: int, message: str) -> None:
        steps.append((time.perf_counter() - start, message))

    result, _ = analyze(sim.votes, seed=args.seed, progress=progress)
    total = time.perf_counter() - start
    previous = 0.0
    names = [m for _, m in steps]
    for (t, _), name in zip(steps[1:], names[:-1], strict=True):
        print(f"  {name:22s} {t - previous:6.2f} s")
        previous = t
    labels = result.participants["group"].to_numpy()
    clustered = labels >= 0
    ari = adjusted_rand_score(sim.groups[clustered], labels[clustered])
    print(f"analysis total {total:.2f} s; peak RSS {peak_rss_gb():.2f} GB; "
          f"groups {result.n_groups} (planted {args.groups}); ARI vs planted {ari:.4f}; "
          f"clustered {int(clustered.sum()):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
