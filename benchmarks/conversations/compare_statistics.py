"""Representativeness, consensus and GAC: ours vs red-dwarf 0.4.0 given the same groups.

Run: ``.venv/bin/python benchmarks/conversations/compare_statistics.py [NAME ...]``.
For each real conversation we compute our groups, then ask red-dwarf (its own venv, via
reddwarf_statistics_runner.py) for its statistics with exactly those groups, and print
how many selected statements (group, statement, direction) agree, the largest difference
in p, p-test, r, r-test on the common selections, and the largest GAC difference.
Skips the peer with a message when its venv is absent.

``--write-fixture DIR`` also writes, per conversation, ``NAME.npz`` (the final votes,
statement ids, moderation, and the groups used) and ``NAME.json`` (red-dwarf's selections
and statistics), plus ``ATTRIBUTION.md``: the reference data of
tests/conversations/engine/test_reddwarf_reference.py. For that fixture:
``.venv/bin/python benchmarks/conversations/compare_statistics.py --write-fixture
tests/conversations/engine/data/reddwarf brexit-consensus canadian-electoral-reform``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
from kientao.conversations.engine.matrix import VoteMatrix
from kientao.conversations.engine.pipeline import analyze

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / ".." / "shared" / "data" / "polis"
PEER = Path("/work/peers/reddwarf-venv/bin/python")
DEFAULT = ["vtaiwan.uberx", "american-assembly.bowling-green", "brexit-consensus",
           "scoop-hivemind.biodiversity", "canadian-electoral-reform"]


def dense(values, rows) -> np.ndarray:  # type: ignore[no-untyped-def]
    sub = values[rows]
    out = np.full(sub.shape, np.nan)
    coo = sub.tocoo()
    out[coo.row, coo.col] = coo.data
    return out


ATTRIBUTION = """# Reference data: red-dwarf's representativeness and consensus

For each conversation, `NAME.npz` holds its final votes (`participant`, `statement`, `vote`:
agree = 1, disagree = -1, pass = 0), `statements`, `moderated_out`, `is_meta`, and the groups
used (`clustered`: participant ids, `labels`: their group, from our analysis); `NAME.json`
holds what red-dwarf 0.4.0 (https://github.com/polis-community/red-dwarf) computes with those
groups: representative statements per group (`repness`), consensus statements
(`consensus`) and group-aware consensus (`gac`), with their statistics.

Produced by red-dwarf 0.4.0 (run in its own virtual environment, /work/peers/reddwarf-venv,
through benchmarks/conversations/reddwarf_statistics_runner.py) with

    .venv/bin/python benchmarks/conversations/compare_statistics.py --write-fixture \\
        tests/conversations/engine/data/reddwarf {names}

Conversations: {names}.

## Data source and licence

The votes are derived from the Polis open data, repository `compdemocracy/openData`
(https://github.com/compdemocracy/openData), licensed under Creative Commons Attribution 4.0
International (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). Changes: only the
latest vote per participant and statement is kept, stored as arrays; the groups and
red-dwarf's statistics were added.

> Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed
> under CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more
> information about how the data was collected can be found at the following link(s):
> https://compdemocracy.org/case-studies/
"""


def write_fixture(folder: Path, name: str, m: VoteMatrix, labels: np.ndarray,
                  peer: dict[str, Any]) -> None:
    """Write NAME.npz (votes and groups, compact) and NAME.json (red-dwarf's output)."""
    folder.mkdir(parents=True, exist_ok=True)
    coo = m.values.tocoo()
    clustered = np.flatnonzero(labels >= 0)
    np.savez_compressed(
        folder / f"{name}.npz",
        participant=m.participants[coo.row].astype(np.int32),
        statement=m.statements[coo.col].astype(np.int32),
        vote=coo.data.astype(np.int8),
        statements=m.statements.astype(np.int32),
        moderated_out=m.statements[m.moderated_out].astype(np.int32),
        is_meta=m.statements[m.is_meta].astype(np.int32),
        clustered=m.participants[clustered].astype(np.int32),
        labels=labels[clustered].astype(np.int8),
    )
    (folder / f"{name}.json").write_text(json.dumps(peer, indent=1, sort_keys=True) + "\n",
                                         encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"conversations in {DATA} (default: {DEFAULT})")
    parser.add_argument("--write-fixture", type=Path, metavar="DIR",
                        help="also write red-dwarf's selections and statistics there")
    args = parser.parse_args(argv)
    names = args.names or DEFAULT
    if not PEER.exists():
        print(f"red-dwarf: skipped (no peer venv at {PEER})")
        return 1 if args.write_fixture else 0
    for name in names:
        m = to_vote_matrix(read_polis_export(DATA / name))
        result, _ = analyze(m)
        labels = result.participants["group"].to_numpy()
        clustered = np.flatnonzero(labels >= 0)
        with tempfile.TemporaryDirectory() as tmp:
            src, out = Path(tmp) / "in.npz", Path(tmp) / "out.json"
            np.savez(src, clustered=dense(m.values, clustered), labels=labels[clustered],
                     everyone=dense(m.values, np.arange(m.shape[0])),
                     statements=m.statements, mod_out=m.statements[m.moderated_out])
            subprocess.run([str(PEER), str(HERE / "reddwarf_statistics_runner.py"), str(src),
                            str(out)], check=True, env={"OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore",
                                                        "PATH": "/usr/bin:/bin"})
            peer = json.loads(out.read_text(encoding="utf-8"))
        if args.write_fixture:
            write_fixture(args.write_fixture, name, m, labels, peer)
        ours = {(int(r.group), int(r.statement), r.direction): r
                for r in result.repness.itertuples()}
        theirs = {(int(g), s["tid"], s["repful_for"]): s
                  for g, lst in peer["repness"].items() for s in lst}
        common = set(ours) & set(theirs)
        diff = max((max(abs(ours[c].p - theirs[c]["p"]), abs(ours[c].p_test - theirs[c]["p_test"]),
                        abs(ours[c].r - theirs[c]["r"]), abs(ours[c].r_test - theirs[c]["r_test"]))
                    for c in common), default=0.0)
        cons_ours = {(r.direction, int(r.statement)) for r in result.consensus.itertuples()}
        cons_theirs = {(d, s["tid"]) for d in ("agree", "disagree") for s in peer["consensus"][d]}
        gac = result.statements.set_index("statement")["group_informed_consensus"]
        gac_diff = max(abs(gac.loc[int(k)] - v) for k, v in peer["gac"].items())
        for c in sorted(set(ours) ^ set(theirs)):
            print(f"  only {'ours' if c in ours else 'red-dwarf'}: group {c[0]} statement "
                  f"{c[1]} {c[2]}")
        print(f"{name}: groups {result.n_groups}; repness selections ours {len(ours)}, "
              f"red-dwarf {len(theirs)}, identical {len(common)}; max |Δ| on common "
              f"{diff:.2e}; consensus identical {len(cons_ours & cons_theirs)}/"
              f"{len(cons_ours | cons_theirs)}; GAC max |Δ| {gac_diff:.2e}")
    if args.write_fixture:
        (args.write_fixture / "ATTRIBUTION.md").write_text(
            ATTRIBUTION.format(names=" ".join(names)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
