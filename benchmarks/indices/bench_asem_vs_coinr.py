"""Benchmark (a): the ASEM build and a 1,000-draw uncertainty analysis, ours vs COINr.

Run: .venv/bin/python benchmarks/indices/bench_asem_vs_coinr.py [--draws 1000] [--coinr-draws 1000]

COINr is the peer: R (Debian ``r-base-core``) with COINr 1.1.14 installed from its
public source into ``/work/peers/R-lib`` (override with ``COINR_LIB``). When
``Rscript`` or COINr is missing, the peer is skipped with a message.
Uncertain inputs are those of COINr's sensitivity vignette (winmax 1-5, min-max
1-100 vs z-score 10/2, 100 noisy weight sets at 25 %, amean vs gmean).
Targets: >= 10x faster build, >= 100x faster uncertainty analysis.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kientao.indices.engine import Step, build, uncertainty
from kientao.indices.engine.uncertainty import coinr_vignette_inputs

ASEM = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "coinr-asem"
COINR_LIB = os.environ.get("COINR_LIB", "/work/peers/R-lib")
STEPS = [
    Step("denominate"),
    Step("impute", {"method": "mean-by-group", "group": "EurAsia_group"}),
    Step("screen", {"unit_screen": "byNA", "dat_thresh": 0.9}),
    Step("treat", {"winmax": 5}),
    Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}),
    Step("aggregate", {"method": "amean"}),
]

R_SPECS = r"""
noisy <- get_noisy_weights(w = coin$Meta$Weights$Original,
  noise_specs = data.frame(Level = c(2, 3), NoiseFactor = c(0.25, 0.25)), Nrep = 100)
specs <- list(
  Winmax = list(Address = "$Log$Treat$global_specs$f1_para$winmax", Distribution = 1:5, Type = "discrete"),
  Normalisation = list(Address = "$Log$Normalise$global_specs", Distribution = list(
    list(f_n = "n_minmax", f_n_para = list(c(1, 100))),
    list(f_n = "n_zscore", f_n_para = list(c(10, 2)))), Type = "discrete"),
  Weights = list(Address = "$Log$Aggregate$w", Distribution = noisy, Type = "discrete"),
  Aggregation = list(Address = "$Log$Aggregate$f_ag", Distribution = c("a_amean", "a_gmean"), Type = "discrete"))
"""  # COINr's sensitivity vignette: noisy weight sets and the four uncertain inputs

R_SCRIPT = r"""
.libPaths(c("{lib}", .libPaths()))
suppressPackageStartupMessages(library(COINr))
reps <- {reps}
t0 <- proc.time()
for (i in 1:reps) coin <- suppressMessages(build_example_coin(quietly = TRUE))
tb <- as.numeric((proc.time() - t0)[3]) / reps
""" + R_SPECS + r"""set.seed(42)
tu <- NA
if ({draws} > 0) {{
  t0 <- proc.time()
  ua <- suppressMessages(get_sensitivity(coin, SA_specs = specs, N = {draws}, SA_type = "UA",
    dset = "Aggregated", iCode = "Index", quietly = TRUE))
  tu <- as.numeric((proc.time() - t0)[3])
  write.csv(ua$RankStats, "{out}/ua.csv", row.names = FALSE)
}}
write.csv(get_dset(coin, "Aggregated"), "{out}/agg.csv", row.names = FALSE)
cat(tb, tu, "\n")
"""


def run_coinr(draws: int, reps: int) -> tuple[float, float, Path] | None:
    if shutil.which("Rscript") is None:
        print("peer COINr skipped: Rscript not found (apt-get install r-base-core)")
        return None
    if not (Path(COINR_LIB) / "COINr").is_dir():
        print(f"peer COINr skipped: COINr not installed in {COINR_LIB} (R CMD INSTALL --library=...)")
        return None
    out = Path(tempfile.mkdtemp(prefix="coinr-bench-"))
    script = R_SCRIPT.format(lib=COINR_LIB, reps=reps, draws=draws, out=out)
    proc = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"peer COINr failed: {proc.stderr.strip()[-500:]}")
        return None
    tb, tu = proc.stdout.split()[-2:]
    return float(tb), float(tu) if tu != "NA" else float("nan"), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--coinr-draws", type=int, default=1000, help="0 to time only COINr's build")
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    if not ASEM.is_dir():
        print(f"ASEM data not found at {ASEM}")
        return
    idata = pd.read_csv(ASEM / "input_ASEM_iData.csv")
    imeta = pd.read_csv(ASEM / "input_ASEM_iMeta.csv")
    build(idata, imeta, STEPS)  # warm-up (imports, caches)
    times = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        ours = build(idata, imeta, STEPS)
        times.append(time.perf_counter() - t0)
    t_build = float(np.median(times))
    t0 = time.perf_counter()
    ua = uncertainty(ours, coinr_vignette_inputs(), args.draws, seed=42)
    t_ua = time.perf_counter() - t0
    print("ASEM: 51 units x 49 indicators, 4 levels")
    print(f"ours : build {t_build * 1e3:.1f} ms (median of {args.reps}); "
          f"UA {args.draws} draws {t_ua:.2f} s ({t_ua / args.draws * 1e3:.2f} ms/draw)")
    peer = run_coinr(args.coinr_draws, reps=10)
    if peer is None:
        return
    cb, cu, out = peer
    agg = pd.read_csv(out / "agg.csv").set_index("uCode")
    diff = np.nanmax(np.abs(agg.loc[ours.scores.index, list(ours.scores.columns)].to_numpy(float)
                            - ours.scores.to_numpy(float)))
    print(f"COINr: build {cb * 1e3:.1f} ms; ratio {cb / t_build:.1f}x (target >= 10x); "
          f"max |score difference| {diff:.2e}")
    if args.coinr_draws > 0:
        per_ours, per_coinr = t_ua / args.draws, cu / args.coinr_draws
        ref = pd.read_csv(out / "ua.csv").set_index("uCode")
        mine = ua.rank_stats.set_index("uCode").loc[ref.index]
        print(f"COINr: UA {args.coinr_draws} draws {cu:.1f} s ({per_coinr * 1e3:.0f} ms/draw); "
              f"per-draw ratio {per_coinr / per_ours:.0f}x (target >= 100x)")
        print(f"agreement: nominal ranks equal {bool((mine['Nominal'] == ref['Nominal']).all())}; "
              f"max |mean rank difference| {np.abs(mine['Mean'] - ref['Mean']).max():.2f}; "
              f"max |median difference| {np.abs(mine['Median'] - ref['Median']).max():.1f}")


if __name__ == "__main__":
    main()
