"""``kientao challenges ...``: reviewer assignment and score calibration on CSV files.

No Django: reads files, calls the pure engine, writes files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kientao.challenges.engine.assignment import assign_reviewers
from kientao.challenges.engine.calibration import calibrate_scores
from kientao.challenges.engine.errors import (
    AssignmentInputError,
    InfeasibleAssignmentError,
    ScoreDataError,
)

EXIT_BAD_INPUT = 2


class CsvInputError(ValueError):
    """A CSV file is missing, unreadable or has the wrong columns or values."""


def _read_csv(path: str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise CsvInputError(f"{path}: {what} file not found")
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CsvInputError(f"{path}: cannot read {what} CSV ({exc})") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CsvInputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"
        )
    df = df[list(columns)].copy()
    for col in columns:
        df[col] = df[col].str.strip()
        empty = df[col] == ""
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 2  # header is line 1
            raise CsvInputError(f"{path}: line {row}, column {col}: empty value")
    return df


def _numeric(df: pd.DataFrame, column: str, path: str) -> pd.Series:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CsvInputError(
            f"{path}: line {i + 2}, column {column}: expected a number, got {df[column].iloc[i]!r}"
        )
    return values.astype(float)


def _cmd_assign(args: argparse.Namespace) -> int:
    try:
        aff = _read_csv(args.affinity, ("submission", "judge", "affinity"), "affinity")
        aff["affinity"] = _numeric(aff, "affinity", args.affinity)
        dup = aff.duplicated(["submission", "judge"])
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise CsvInputError(
                f"{args.affinity}: line {i + 2}: pair ({aff['submission'].iloc[i]}, "
                f"{aff['judge'].iloc[i]}) listed twice"
            )
        matrix = aff.pivot(index="submission", columns="judge", values="affinity").fillna(0.0)
        conflicts = None
        if args.conflicts:
            conf = _read_csv(args.conflicts, ("submission", "judge"), "conflicts")
            known_s, known_j = set(matrix.index), set(matrix.columns)
            for i, (s, j) in enumerate(zip(conf["submission"], conf["judge"], strict=True)):
                if s not in known_s or j not in known_j:
                    which = f"submission {s!r}" if s not in known_s else f"judge {j!r}"
                    raise CsvInputError(
                        f"{args.conflicts}: line {i + 2}: {which} does not appear in {args.affinity}"
                    )
            conflicts = conf
        result = assign_reviewers(
            matrix,
            per_submission=args.per_submission,
            min_load=args.min_load,
            max_load=args.max_load,
            conflicts=conflicts,
            seed=args.seed,
            probability_cap=args.probability_cap,
        )
    except (CsvInputError, AssignmentInputError, InfeasibleAssignmentError) as exc:
        print(f"kientao challenges assign: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.pairs.to_csv(out, index=False)
    print(
        f"assigned {len(result.pairs):,} pairs to {result.pairs['submission'].nunique():,} "
        f"submissions; total affinity {result.total_affinity:.6g}; wrote {out}"
    )
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    try:
        scores = _read_csv(args.scores, ("submission", "judge", "criterion", "score"), "scores")
        scores["score"] = _numeric(scores, "score", args.scores)
        weights: dict[str, float] | None = None
        if args.weights:
            wdf = _read_csv(args.weights, ("criterion", "weight"), "weights")
            wdf["weight"] = _numeric(wdf, "weight", args.weights)
            weights = dict(zip(wdf["criterion"], wdf["weight"], strict=True))
        result = calibrate_scores(
            scores,
            weights,
            rank_by=args.rank_by,
            ridge=args.ridge,
            shortlist=args.shortlist,
            spread_threshold=args.spread_threshold,
        )
    except (CsvInputError, ScoreDataError) as exc:
        print(f"kientao challenges calibrate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result.submissions.to_csv(out / "calibrated.csv", index=False)
    result.judges.to_csv(out / "judges.csv", index=False)
    result.reliability.to_csv(out / "reliability.csv", index=False)
    result.flags.to_csv(out / "flags.csv", index=False)
    summary: dict[str, Any] = dict(result.summary)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    print(
        f"calibrated {summary['n_submissions']:,} submissions from {summary['n_reviews']:,} "
        f"reviews; {summary['n_flags']} flag(s); wrote {out}"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add the ``challenges`` command group to the ``kientao`` parser."""
    parser = subparsers.add_parser(
        "challenges", help="reviewer assignment and score calibration (CSV in, CSV out)"
    )
    sub = parser.add_subparsers(dest="challenges_command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("assign", help="optimal judge-submission assignment")
    p.add_argument("--affinity", required=True, help="CSV: submission,judge,affinity")
    p.add_argument("--conflicts", help="CSV: submission,judge (pairs never assigned)")
    p.add_argument("--per-submission", type=int, required=True, help="judges per submission")
    p.add_argument("--max-load", type=int, required=True, help="most submissions per judge")
    p.add_argument("--min-load", type=int, default=0, help="fewest submissions per judge")
    p.add_argument("--seed", type=int, default=None, help="seed of the randomised assignment")
    p.add_argument(
        "--probability-cap",
        type=float,
        default=None,
        help="randomise: no pair is chosen with probability above this (0-1]",
    )
    p.add_argument("--out", required=True, help="output CSV: submission,judge,affinity")
    p.set_defaults(func=_cmd_assign)

    p = sub.add_parser("calibrate", help="calibrated scores, reliability and flags")
    p.add_argument("scores", help="CSV: submission,judge,criterion,score")
    p.add_argument("--weights", help="CSV: criterion,weight")
    p.add_argument("--rank-by", choices=["additive", "raw", "zscore"], default="additive")
    p.add_argument("--ridge", type=float, default=1.0, help="ridge of the judge-bias model")
    p.add_argument("--shortlist", type=int, default=None, help="shortlist size (for flags)")
    p.add_argument("--spread-threshold", type=float, default=None)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=_cmd_calibrate)
