"""Benchmark (d): panel imputation vs COINr's impute_panel, and a panel build with it.

Run: .venv/bin/python benchmarks/indices/bench_panel.py [--units 150 --indicators 20 --years 8]

Part 1 runs ours and COINr's ``impute_panel`` side by side on the same synthetic panel
(15 % of values missing) for imp_type latest (max_time 2), constant and
linear-constant, and compares the imputed tables. COINr is the peer: R from Debian's
``r-base-core`` and COINr installed by hand in /work/peers/R-lib (``COINR_LIB`` to change);
when ``Rscript`` or COINr is missing the peer is skipped with a message.
Part 2 (ours only) builds 1,000 units x 300 indicators x 10 years with panel
imputation and global normalisation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import synthetic_tables

from kientao.indices.engine import Step, build_panel, impute_panel

COINR_LIB = os.environ.get("COINR_LIB", "/work/peers/R-lib")
TYPES = (("latest", 2), ("constant", None), ("linear-constant", None))

R_SCRIPT = """
suppressMessages(library(COINr, lib.loc = "{lib}"))
df <- read.csv("{inp}", stringsAsFactors = FALSE)
for (spec in list(c("latest", "2"), c("constant", ""), c("linear-constant", ""))) {{
  mt <- if (spec[2] == "") NULL else as.numeric(spec[2])
  t0 <- proc.time()
  res <- suppressMessages(impute_panel(df, imp_type = spec[1], max_time = mt))
  cat(spec[1], as.numeric((proc.time() - t0)[3]), "\\n")
  write.csv(res$iData_imp, file.path("{out}", paste0(spec[1], ".csv")), row.names = FALSE)
}}
"""


def panel_table(units: int, indicators: int, years: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(f"U{u:04d}", 2010 + t) for u in range(units) for t in range(years)]
    df = pd.DataFrame(rows, columns=["uCode", "Time"])
    x = rng.normal(size=(len(df), indicators))
    x[rng.random(x.shape) < 0.15] = np.nan
    for j in range(indicators):
        df[f"i{j:02d}"] = x[:, j]
    return df


def run_coinr(df: pd.DataFrame) -> tuple[dict[str, float], Path] | None:
    if shutil.which("Rscript") is None:
        print("peer COINr skipped: Rscript not found (apt-get install r-base-core)")
        return None
    if not (Path(COINR_LIB) / "COINr").is_dir():
        print(f"peer COINr skipped: COINr not installed in {COINR_LIB}")
        return None
    out = Path(tempfile.mkdtemp(prefix="coinr-panel-"))
    df.to_csv(out / "in.csv", index=False, float_format="%.17g")
    proc = subprocess.run(["Rscript", "-e", R_SCRIPT.format(lib=COINR_LIB, inp=out / "in.csv", out=out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"peer COINr failed: {proc.stderr.strip()[-500:]}")
        return None
    times = {line.split()[0]: float(line.split()[1]) for line in proc.stdout.strip().splitlines()}
    return times, out


def part1(args: argparse.Namespace) -> None:
    df = panel_table(args.units, args.indicators, args.years, seed=3)
    cols = [c for c in df.columns if c not in ("uCode", "Time")]
    print(f"panel: {args.units} units x {args.indicators} indicators x {args.years} years, "
          f"{int(df[cols].isna().sum().sum())} missing values")
    ours: dict[str, tuple[float, pd.DataFrame]] = {}
    for kind, mt in TYPES:
        t0 = time.perf_counter()
        res = impute_panel(df, imp_type=kind, max_time=mt)
        ours[kind] = (time.perf_counter() - t0, res.data)
    peer = run_coinr(df)
    for kind, _ in TYPES:
        t, data = ours[kind]
        line = f"{kind:16s} ours {t * 1e3:8.1f} ms"
        if peer is not None:
            times, out = peer
            ref = pd.read_csv(out / f"{kind}.csv")
            key = ["uCode", "Time"]
            a = data.sort_values(key).reset_index(drop=True)[cols].to_numpy(float)
            b = ref.sort_values(key).reset_index(drop=True)[cols].to_numpy(float)
            same_nan = bool((np.isnan(a) == np.isnan(b)).all())
            diff = float(np.nanmax(np.abs(a - b)))
            line += (f" | COINr {times[kind] * 1e3:9.1f} ms | ratio {times[kind] / t:7.0f}x"
                     f" | same missing cells {same_nan}, max |diff| {diff:.1e}")
        print(line)


def part2() -> None:
    idata, imeta = synthetic_tables(1000, 300, years=10, missing=0.05, seed=0)
    steps = [
        Step("impute", {"method": "mean"}),
        Step("treat", {"winmax": 5}),
        Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}),
        Step("aggregate", {"method": "amean"}),
    ]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        panel = build_panel(idata, imeta, steps, panel_impute={"imp_type": "latest"}, normalise_global=True)
        times.append(time.perf_counter() - t0)
    print(f"panel build 1000 x 300 x {len(panel)} years, panel imputation (latest) + global "
          f"normalisation: {', '.join(f'{t:.2f}' for t in times)} s; best {min(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    part1(args)
    if not args.skip_large:
        part2()


if __name__ == "__main__":
    main()
