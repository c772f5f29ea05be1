"""Krippendorff's alpha and calibration at challenge scale: ours vs the `krippendorff` package.

Run:  .venv/bin/python benchmarks/challenges/bench_reliability.py [--sizes 60x8,1000x100,10000x1000]

Data: P submissions, R judges, 3 judges per submission, integer scores 1-10 from
quality + judge bias + noise (seeded). Prints the time of our alpha (interval and
ordinal), of the peer (`krippendorff` 0.9.0 from PyPI, run in its own
environment /work/peers/krippendorff-venv; skipped with a message when absent),
the ratio and the absolute difference of the alphas, and the time of the whole
`calibrate_scores` (two criteria: ICCs, alphas, additive model, flags, ranking).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kientao.challenges.engine import calibrate_scores, krippendorff_alpha

PEER_PYTHON = Path("/work/peers/krippendorff-venv/bin/python")
PEER_CODE = """
import sys, time, numpy as np, krippendorff
data = np.load(sys.argv[1])
out = []
for metric in ("interval", "ordinal"):
    t0 = time.perf_counter()
    a = krippendorff.alpha(reliability_data=data, level_of_measurement=metric)
    out.append(f"{a} {time.perf_counter() - t0}")
print(" ".join(out))
"""


def scores(n_sub: int, n_judge: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sub = np.repeat(np.arange(n_sub), 3)
    judge = np.concatenate([rng.choice(n_judge, 3, replace=False) for _ in range(n_sub)])
    quality = rng.normal(6, 1.5, n_sub)
    bias = rng.normal(0, 1, n_judge)
    frames = [
        pd.DataFrame(
            {
                "submission": sub,
                "judge": judge,
                "criterion": criterion,
                "score": np.clip(
                    np.round(quality[sub] + bias[judge] + rng.normal(0, 1, sub.size)), 1, 10
                ),
            }
        )
        for criterion in ("impact", "feasibility")
    ]
    return pd.concat(frames, ignore_index=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="60x8,1000x100,10000x1000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tmp = Path("/tmp/kientao-bench-challenges")
    tmp.mkdir(parents=True, exist_ok=True)
    if not PEER_PYTHON.exists():
        print(f"peer skipped: krippendorff package not installed ({PEER_PYTHON} missing)")
    for spec in args.sizes.split(","):
        n_sub, n_judge = (int(v) for v in spec.lower().split("x"))
        df = scores(n_sub, n_judge, args.seed)
        impact = df[df["criterion"] == "impact"]
        data = impact.pivot(index="judge", columns="submission", values="score").to_numpy(
            dtype=float
        )
        ours = {}
        for metric in ("interval", "ordinal"):
            t0 = time.perf_counter()
            ours[metric] = (krippendorff_alpha(data, metric=metric), time.perf_counter() - t0)
        t0 = time.perf_counter()
        cal = calibrate_scores(df, shortlist=max(1, n_sub // 10))
        t_cal = time.perf_counter() - t0
        line = f"{spec:>11} scores {len(df):>6,}  calibrate_scores {t_cal:6.2f} s  components {cal.summary['components']}"
        print(line)
        peer = None
        if PEER_PYTHON.exists():
            np.save(tmp / "alpha.npy", data)
            out = subprocess.run(
                [str(PEER_PYTHON), "-c", PEER_CODE, str(tmp / "alpha.npy")],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode == 0:
                v = [float(x) for x in out.stdout.split()]
                peer = {"interval": (v[0], v[1]), "ordinal": (v[2], v[3])}
            else:
                print("  peer failed: " + out.stderr.strip().splitlines()[-1])
        for metric, (alpha, secs) in ours.items():
            if peer:
                p_alpha, p_secs = peer[metric]
                print(
                    f"  alpha {metric:<8} ours {alpha:.6f} in {secs:7.3f} s | krippendorff {p_alpha:.6f} "
                    f"in {p_secs:7.3f} s | ratio {p_secs / secs:6.1f} | |diff| {abs(alpha - p_alpha):.1e}"
                )
            else:
                print(f"  alpha {metric:<8} ours {alpha:.6f} in {secs:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
