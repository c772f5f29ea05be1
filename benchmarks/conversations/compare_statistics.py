"""Representativeness, consensus and GAC: ours vs red-dwarf 0.4.0 given the same groups.

Run: ``.venv/bin/python benchmarks/conversations/compare_statistics.py [NAME ...]``.
For each real conversation we compute our groups, then ask red-dwarf (its own venv, via
reddwarf_statistics_runner.py) for its statistics with exactly those groups, and print
how many selected statements (group, statement, direction) agree, the largest difference
in p, p-test, r, r-test on the common selections, and the largest GAC difference.
Skips the peer with a message when its venv is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
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


def main(names: list[str]) -> int:
    if not PEER.exists():
        print(f"red-dwarf: skipped (no peer venv at {PEER})")
        return 0
    for name in names or DEFAULT:
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
