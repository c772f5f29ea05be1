"""``kientao indices ...``: build, audit and test composite indices from COINr tables.

No Django here: the commands read files, call the pure engine and write files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kientao.indices.engine import (
    IndexDataError,
    Step,
    UncertainInput,
    WeightNoise,
    audit,
    build,
    build_panel,
    rank_scores,
    read_coinr_tables,
    steps_to_json,
    uncertainty,
    write_csv,
    write_xlsx,
)
from kientao.indices.engine.aggregate import AGGREGATORS
from kientao.indices.engine.normalise import NORMALISERS
from kientao.indices.engine.panel import PANEL_IMPUTE_TYPES

IMPUTE_CHOICES = ("none", "mean", "median", "mean-by-group", "median-by-group", "em")


def register(subparsers: Any) -> None:
    """Add the ``indices`` command group to the ``kientao`` parser."""
    parser = subparsers.add_parser("indices", help="composite indices (COINr tables)")
    sub = parser.add_subparsers(dest="indices_command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help="check iData and iMeta tables")
    p.add_argument("idata", help="iData .csv/.xlsx (or one .xlsx with sheets iData and iMeta)")
    p.add_argument("imeta", nargs="?", help="iMeta .csv/.xlsx")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build", help="build an index; write scores, ranks and an audit")
    _add_step_options(p)
    p.add_argument("--uncertainty", type=int, default=0, metavar="N", help="Monte Carlo draws")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("panel", help="build every year of a panel (iData with a Time column)")
    _add_step_options(p)
    p.add_argument("--panel-impute", choices=PANEL_IMPUTE_TYPES, default=None,
                   help="fill each unit's gaps from its other years first (COINr impute_panel)")
    p.add_argument("--max-time", type=int, default=None,
                   help="with --panel-impute latest: look back at most this many time points")
    p.add_argument("--global-normalise", action="store_true",
                   help="normalise all years together (scores comparable across years)")
    p.set_defaults(func=_cmd_panel)


def _add_step_options(p: argparse.ArgumentParser) -> None:
    """Input files, output folder and the method of every build step."""
    p.add_argument("idata")
    p.add_argument("imeta", nargs="?")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--no-denominate", action="store_true", help="ignore iMeta denominators")
    p.add_argument("--impute", choices=IMPUTE_CHOICES, default="none")
    p.add_argument("--group", help="iData group column for the by-group imputations")
    p.add_argument("--screen", choices=("none", "byNA", "byzeros", "byNAandzeros"), default=None,
                   help="unit screening rule (default byNA when --screen-threshold is given)")
    p.add_argument("--screen-threshold", type=float, default=None,
                   help="minimum share of available data per unit (COINr dat_thresh, default 2/3)")
    p.add_argument("--nonzero-threshold", type=float, default=0.05)
    p.add_argument("--treat", choices=("none", "winsorise"), default="winsorise")
    p.add_argument("--winmax", type=int, default=5)
    p.add_argument("--skew", type=float, default=2.0, help="skewness threshold (GII: 2.25)")
    p.add_argument("--kurt", type=float, default=3.5, help="kurtosis threshold")
    p.add_argument("--normalise", choices=[n for n in NORMALISERS if n != "none"], default="minmax")
    p.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"), default=(0.0, 100.0))
    p.add_argument("--mean-sd", nargs=2, type=float, metavar=("MEAN", "SD"), default=(0.0, 1.0))
    p.add_argument("--aggregate", choices=AGGREGATORS, default="amean")
    p.add_argument("--p", type=float, default=None, dest="genmean_p",
                   help="exponent of --aggregate genmean (non-zero)")
    p.add_argument("--dat-thresh", type=float, default=None,
                   help="minimum share of non-missing children for an aggregate")
    p.add_argument("--impute-by", choices=("column", "row"), default="column",
                   help="row: a unit's gaps from its own mean/median (min-max scaled first)")
    p.add_argument("--group-level", type=int, default=None,
                   help="impute within the aggregation groups of this level (2 = pillars)")


def _read(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    idata, imeta = read_coinr_tables(args.idata, args.imeta)
    return idata, imeta, Path(args.idata).name, Path(args.imeta or args.idata).name


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        idata, imeta, s1, s2 = _read(args)
        from kientao.indices.engine.pipeline import build_framework

        fw, units, data = build_framework(idata, imeta, idata_source=s1, imeta_source=s2)
    except IndexDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = int(data.isna().sum().sum())
    print(
        f"ok: {len(units)} units, {len(fw.indicators)} indicators, {fw.max_level} levels, "
        f"{missing} of {data.size} indicator values missing"
    )
    return 0


def steps_from_args(args: argparse.Namespace) -> list[Step]:
    """The build steps chosen on the command line."""
    steps: list[Step] = []
    if not args.no_denominate:
        steps.append(Step("denominate"))
    if args.impute != "none":
        params: dict[str, Any] = {"method": args.impute}
        if args.group:
            params["group"] = args.group
        if args.impute_by != "column":
            params["impute_by"] = args.impute_by
        if args.group_level is not None:
            params["group_level"] = args.group_level
        steps.append(Step("impute", params))
    screen = args.screen or ("byNA" if args.screen_threshold is not None else "none")
    if screen != "none":
        steps.append(Step("screen", {
            "unit_screen": screen,
            "dat_thresh": 2 / 3 if args.screen_threshold is None else args.screen_threshold,
            "nonzero_thresh": args.nonzero_threshold,
        }))
    if args.treat == "winsorise":
        steps.append(Step("treat", {"winmax": args.winmax, "skew_thresh": args.skew, "kurt_thresh": args.kurt}))
    norm: dict[str, Any] = {"method": args.normalise}
    if args.normalise == "minmax":
        norm["l_u"] = list(args.range)
    elif args.normalise == "zscore":
        norm["m_sd"] = list(args.mean_sd)
    elif args.normalise == "scaled":
        norm["npara"] = list(args.range)
    steps.append(Step("normalise", norm))
    agg: dict[str, Any] = {"method": args.aggregate}
    if args.genmean_p is not None:
        agg["p"] = args.genmean_p
    if args.dat_thresh is not None:
        agg["dat_thresh"] = args.dat_thresh
    steps.append(Step("aggregate", agg))
    return steps


def _cmd_build(args: argparse.Namespace) -> int:
    try:
        idata, imeta, s1, s2 = _read(args)
        steps = steps_from_args(args)
        result = build(idata, imeta, steps, idata_source=s1, imeta_source=s2)
        scores = result.datasets["Aggregated"]
        empty = [c for c in scores.columns if scores[c].isna().all()]
        if empty:
            raise IndexDataError(f"build: no unit has a score for {empty}")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        table = scores.reset_index()
        ranks = rank_scores(scores).reset_index()
        write_csv(table, out / "scores.csv")
        write_csv(ranks, out / "ranks.csv")
        report = audit(result)
        sheets = {
            "scores": table,
            "ranks": ranks,
            "steps": pd.DataFrame({"steps": [steps_to_json(steps)]}),
            "treatment": result.details.get("treat", pd.DataFrame()),
            "correlations": report.correlations,
            "flags": report.flags,
            "cronbach": report.cronbach,
            "pca": report.pca,
            "remove_pillar": report.removal,
            "indicator_stats": report.stats,
        }
        if args.uncertainty:
            ua = uncertainty(result, _cli_inputs(result, args), args.uncertainty, seed=args.seed)
            write_csv(ua.rank_stats, out / "uncertainty.csv")
            sheets["uncertainty"] = ua.rank_stats
        write_xlsx(sheets, out / "audit.xlsx")
    except IndexDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    nan_units = scores.index[scores[result.framework.top].isna()].tolist()
    if nan_units:
        print(f"warning: no index score for {nan_units} (too little data)", file=sys.stderr)
    print(f"wrote {out}/scores.csv, ranks.csv, audit.xlsx" + (", uncertainty.csv" if args.uncertainty else ""))
    return 0


def _cmd_panel(args: argparse.Namespace) -> int:
    try:
        idata, imeta, _s1, _s2 = _read(args)
        if args.max_time is not None and args.panel_impute is None:
            raise IndexDataError("--max-time needs --panel-impute latest")
        spec = None
        if args.panel_impute is not None:
            spec = {"imp_type": args.panel_impute}
            if args.max_time is not None:
                spec["max_time"] = args.max_time
        builds = build_panel(idata, imeta, steps_from_args(args), panel_impute=spec,
                             normalise_global=args.global_normalise)
        scores = pd.concat(
            [b.datasets["Aggregated"].reset_index().assign(Time=t) for t, b in builds.items()],
            ignore_index=True,
        )
        ranks = pd.concat(
            [rank_scores(b.datasets["Aggregated"]).reset_index().assign(Time=t) for t, b in builds.items()],
            ignore_index=True,
        )
        front = ["uCode", "Time"]
        scores = scores[front + [c for c in scores.columns if c not in front]]
        ranks = ranks[front + [c for c in ranks.columns if c not in front]]
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(scores, out / "scores.csv")
        write_csv(ranks, out / "ranks.csv")
    except IndexDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}/scores.csv, ranks.csv ({len(builds)} time points)")
    return 0


def _cli_inputs(result: Any, args: argparse.Namespace) -> list[UncertainInput | WeightNoise]:
    """Default uncertain assumptions: 25 % weight noise below the top, the winsorisation
    limit 1-5 (when treating), and the geometric mean as an alternative aggregation when
    the normalised range is strictly positive."""
    fw = result.framework
    levels = dict.fromkeys(range(2, fw.max_level), 0.25) or {1: 0.25}
    inputs: list[UncertainInput | WeightNoise] = [WeightNoise(levels, n_sets=max(100, args.uncertainty))]
    if args.treat == "winsorise":
        inputs.append(UncertainInput("Winmax", "treat", tuple({"winmax": k} for k in range(1, 6))))
    norm = result.datasets["Normalised"].to_numpy(float)
    if args.aggregate == "amean" and np.nanmin(norm) > 0:
        inputs.append(UncertainInput("Aggregation", "aggregate", ({"method": "amean"}, {"method": "gmean"})))
    return inputs
