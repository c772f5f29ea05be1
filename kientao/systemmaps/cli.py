"""``kientao systemmaps ...``: analyse and convert system maps on files (no Django)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kientao.systemmaps.engine.formats import read_map, write_map
from kientao.systemmaps.engine.loops import feedback_loops, independent_loops
from kientao.systemmaps.engine.measures import factor_measures, leverage_candidates
from kientao.systemmaps.engine.model import MapDataError, map_warnings


def register(subparsers: Any) -> None:
    """Add the ``systemmaps`` command group to the ``kientao`` parser."""
    p = subparsers.add_parser("systemmaps", help="analyse and convert causal maps")
    sub = p.add_subparsers(dest="systemmaps_command", metavar="SUBCOMMAND")
    sub.required = True

    a = sub.add_parser(
        "analyze",
        help="feedback loops and factor measures of a map",
        description="Write DIR/loops.csv, DIR/factors.csv, DIR/leverage.csv and DIR/summary.json.",
    )
    a.add_argument("map", metavar="MAP", help="Kumu JSON (.json), GraphML (.graphml), "
                   "Kumu workbook (.xlsx), CSV edge list (.csv) or link text (.txt)")  # fmt: skip
    a.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    a.add_argument("--max-loop-length", type=int, default=8, metavar="L")
    a.add_argument("--max-loops", type=int, default=5000, metavar="N")
    a.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                   help="seconds for the loop search")  # fmt: skip
    a.set_defaults(func=_cmd_analyze)

    c = sub.add_parser(
        "convert",
        help="convert a map between formats (by file extension)",
        description="IN: .json .xlsx .graphml .csv .txt; "
        "OUT: .json .xlsx .graphml .csv .txt .dot .mmd .svg .png",
    )
    c.add_argument("input", metavar="IN")
    c.add_argument("output", metavar="OUT")
    c.add_argument("--seed", type=int, default=0, help="layout seed for .svg/.png")
    c.set_defaults(func=_cmd_convert)


def _fail(message: str) -> int:
    print(f"kientao systemmaps: error: {message}", file=sys.stderr)
    return 2


def _load(path: str) -> Any:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MapDataError(f"{path}: cannot read ({exc.strerror})") from None
    return read_map(data, path)


def _cmd_analyze(args: argparse.Namespace) -> int:
    try:
        if args.max_loop_length < 1 or args.max_loops < 1 or not args.time_limit > 0:
            return _fail("--max-loop-length, --max-loops and --time-limit must be positive")
        m = _load(args.map)
        search = feedback_loops(
            m,
            max_length=args.max_loop_length,
            max_loops=args.max_loops,
            time_limit=args.time_limit,
        )
        measures = factor_measures(m, search)
        leverage = leverage_candidates(measures)
        independent = None if search.complete else independent_loops(m, time_limit=args.time_limit)
    except MapDataError as exc:
        return _fail(str(exc))
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"{out}: cannot create folder ({exc.strerror})")
    labels = m.labels()
    with (out / "loops.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["loop", "length", "polarity", "factors", "delays", "links"])
        for i, lp in enumerate(search.loops, start=1):
            w.writerow([
                f"{lp.polarity}{i}", lp.length, lp.polarity,
                " -> ".join(labels[f] for f in lp.factors), lp.delays, " ".join(lp.links),
            ])  # fmt: skip
    measures.to_csv(out / "factors.csv", encoding="utf-8", float_format="%.6g")
    leverage.to_csv(out / "leverage.csv", index=False, encoding="utf-8", float_format="%.4f")
    polarity = {p: sum(1 for lp in search.loops if lp.polarity == p) for p in ("R", "B", "?")}
    summary = {
        "map": args.map,
        "factors": len(m.factors),
        "links": len(m.links),
        "loops": len(search.loops),
        "reinforcing": polarity["R"],
        "balancing": polarity["B"],
        "unknown_polarity": polarity["?"],
        "complete": search.complete,
        "stop_reason": search.stop_reason,
        "max_loop_length": search.max_length,
        "complete_up_to_length": search.complete_up_to,
        "longer_loops_possible": search.longer_loops_possible,
        "message": search.message,
        "seconds": round(search.elapsed, 3),
        "components_with_loops": len(search.components),
        "largest_component": max((len(c) for c in search.components), default=0),
        "independent_loops": None if independent is None else len(independent.loops),
        "warnings": [w.message for w in map_warnings(m)],
    }
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"{len(m.factors)} factors, {len(m.links)} links: {search.message}; wrote {out}")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    try:
        m = _load(args.input)
        data = write_map(m, args.output, seed=args.seed)
    except (MapDataError, RuntimeError) as exc:
        return _fail(str(exc))
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        return _fail(f"{args.output}: cannot write ({exc.strerror})")
    return 0
