"""COINr's sensitivity analysis run by run: every regenerated index and the Sobol estimates.

Run: ``.venv/bin/python benchmarks/indices/check_sa_runs_vs_coinr.py [--n 20] [--seed 7]
[--spread-seeds 0]``

COINr (the peer, installed as for ``bench_asem_vs_coinr.py``; skipped with a message when
absent) runs ``get_sensitivity(SA_type = "SA")`` on its ASEM example with the four inputs
of its vignette, N base rows (N x 6 runs). The R side also writes the design it drew
(``SA_sample`` under the same seed) and the alternative each run used (COINr's
``cut(x, n, 1:n)``), and its 100 noisy weight sets. We then rebuild every run with our
engine from the same choices and weights and compare:

1. the Index score of every unit in every run (max |difference|);
2. the mean absolute rank change y of every run, and the Sobol estimates from COINr's y
   through our ``sobol_indices`` against COINr's ``SA_estimate``.

With ``--spread-seeds K`` it also runs COINr's N = 100 analysis under seeds 11 .. 10 + K
(600 runs each, about 2.5 minutes per seed here) and prints COINr's own spread of Si
and STi next to ours (40 seeds), to place the reference file
``sa_sobol_indices_N100.csv`` within it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_asem_vs_coinr import ASEM, COINR_LIB, R_SPECS, STEPS

from kientao.indices.engine import build, uncertainty, vary_steps
from kientao.indices.engine.pipeline import run_steps
from kientao.indices.engine.results import ranks_descending
from kientao.indices.engine.uncertainty import coinr_vignette_inputs, sobol_indices

R_HEAD = r"""
.libPaths(c("{lib}", .libPaths()))
suppressPackageStartupMessages(library(COINr))
coin <- suppressMessages(build_example_coin(quietly = TRUE))
set.seed({seed})
""" + R_SPECS

R_RUNS = R_HEAD + r"""
W <- do.call(rbind, lapply(seq_along(noisy), function(i) cbind(rep = i, noisy[[i]][c("iCode", "Weight")])))
write.csv(W, "{out}/weights.csv", row.names = FALSE)
set.seed({seed}); XX <- SA_sample({n}, 4)
idx <- sapply(1:4, function(j) as.integer(cut(XX[, j], length(specs[[j]]$Distribution),
                                              1:length(specs[[j]]$Distribution))))
write.csv(data.frame(idx = idx), "{out}/design.csv", row.names = FALSE)
set.seed({seed})
SA <- suppressMessages(get_sensitivity(coin, SA_specs = specs, N = {n}, SA_type = "SA", dset = "Aggregated",
                                       iCode = "Index", quietly = TRUE))
write.csv(SA$Scores, "{out}/scores.csv", row.names = FALSE)
write.csv(SA$Ranks, "{out}/ranks.csv", row.names = FALSE)
write.csv(SA$Sensitivity, "{out}/sens.csv", row.names = FALSE)
"""

R_SPREAD = R_HEAD + r"""
SA <- suppressMessages(get_sensitivity(coin, SA_specs = specs, N = 100, SA_type = "SA", dset = "Aggregated",
                                       iCode = "Index", quietly = TRUE))
write.csv(SA$Sensitivity, "{out}/spread_{seed}.csv", row.names = FALSE)
"""

NORMALISATIONS = [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}]
AGGREGATIONS = ["amean", "gmean"]


def rscript(code: str) -> bool:
    proc = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"peer COINr failed: {proc.stderr.strip()[-800:]}")
    return proc.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20, help="base rows of the design (N x 6 runs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spread-seeds", type=int, default=0, help="extra COINr N = 100 runs")
    args = parser.parse_args()
    if shutil.which("Rscript") is None or not (Path(COINR_LIB) / "COINr").is_dir():
        print(f"peer COINr skipped: Rscript or COINr (in {COINR_LIB}) not installed; see bench_asem_vs_coinr.py")
        return 0
    out = Path(tempfile.mkdtemp(prefix="coinr-sa-"))
    if not rscript(R_RUNS.format(lib=COINR_LIB, seed=args.seed, n=args.n, out=out)):
        return 1
    nominal = build(pd.read_csv(ASEM / "input_ASEM_iData.csv"), pd.read_csv(ASEM / "input_ASEM_iMeta.csv"), STEPS)
    design = pd.read_csv(out / "design.csv")
    weights = pd.read_csv(out / "weights.csv")
    theirs = pd.read_csv(out / "scores.csv").set_index("uCode")
    ours = pd.DataFrame(index=theirs.index)
    for r, row in enumerate(design.itertuples(index=False)):
        winmax, norm, wset, agg = (int(v) for v in row)
        w = weights[weights["rep"] == wset].set_index("iCode")["Weight"]
        framework = nominal.framework.with_weights({c: float(v) for c, v in w.items() if c in nominal.framework.nodes})
        steps = vary_steps(list(nominal.steps), "treat", winmax=winmax)
        steps = vary_steps(steps, "normalise", **NORMALISATIONS[norm - 1])
        steps = vary_steps(steps, "aggregate", method=AGGREGATIONS[agg - 1])
        try:
            run = run_steps(framework, nominal.units, nominal.datasets["Raw"], steps)
            ours[f"r_{r + 1}"] = run.datasets["Aggregated"]["Index"].reindex(theirs.index)
        except ValueError:
            ours[f"r_{r + 1}"] = np.nan  # COINr writes NA for a failed regeneration too
    runs = [c for c in theirs.columns if c.startswith("r_")]
    diff = np.nanmax(np.abs(ours[runs].to_numpy() - theirs[runs].to_numpy()))
    same_nan = bool((np.isnan(ours[runs].to_numpy()) == np.isnan(theirs[runs].to_numpy())).all())
    print(f"COINr 1.1.14 get_sensitivity, ASEM, N = {args.n} ({len(runs)} runs), seed {args.seed}")
    print(f"1. Index scores, every unit and run: max |ours - COINr| = {diff:.2e}; failed runs identical: {same_nan}")
    nominal_rank = ranks_descending(theirs["Nominal"].to_numpy()[None, :], axis=1)[0]
    ranks = ranks_descending(theirs[runs].to_numpy().T, axis=1)
    y = np.nanmean(np.abs(ranks - nominal_rank), axis=1)
    est = sobol_indices(y, args.n, 4)
    ref = pd.read_csv(out / "sens.csv")
    print(f"2. Sobol estimates from COINr's runs: max |ours - COINr| Si {np.max(np.abs(est['Si'] - ref['Si'])):.2e}, "
          f"STi {np.max(np.abs(est['STi'] - ref['STi'])):.2e}")
    if args.spread_seeds:
        coinr = []
        for s in range(args.spread_seeds):
            if rscript(R_SPREAD.format(lib=COINR_LIB, seed=11 + s, out=out)):
                coinr.append(pd.read_csv(out / f"spread_{11 + s}.csv").set_index("Variable")[["Si", "STi"]])
        mine = [uncertainty(nominal, coinr_vignette_inputs(), 100, kind="SA", seed=s).sensitivity
                for s in range(40)]
        mine_df = pd.concat([m.set_index("Variable")[["Si", "STi"]] for m in mine if m is not None])
        file = pd.read_csv(ASEM / "sa_sobol_indices_N100.csv").set_index("Variable")[["Si", "STi"]]
        print(f"3. N = 100 spread: COINr over {len(coinr)} seeds vs ours over 40 seeds (mean ± sd); reference file")
        coinr_df = pd.concat(coinr)
        for var in file.index:
            c, m = coinr_df.loc[var], mine_df.loc[var]
            print(f"   {var:14s} Si COINr {c['Si'].mean():6.3f} ± {c['Si'].std():.3f}  ours {m['Si'].mean():6.3f} ± "
                  f"{m['Si'].std():.3f}  file {file.at[var, 'Si']:6.3f} | STi COINr {c['STi'].mean():6.3f} ± "
                  f"{c['STi'].std():.3f}  ours {m['STi'].mean():6.3f} ± {m['STi'].std():.3f}  file "
                  f"{file.at[var, 'STi']:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
