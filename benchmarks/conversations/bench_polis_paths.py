"""How much Pol.is's groups depend on the update path: ours under several schedules.

Run: ``.venv/bin/python benchmarks/conversations/bench_polis_paths.py [--updates 10 30 100 300]``.

Pol.is publishes the groups of its last incremental update; each update starts from the
previous one (sticky participation, warm-started clusters, k smoothing), so the result
depends on when the updates ran, which the exports do not record. For every conversation
of ../shared/data/polis (CC BY 4.0, The Computational Democracy Project) with a vote log,
this script computes our groups one-shot and by replaying ``votes.csv`` in N equal slices
for each N given (Pol.is's unweighted silhouette, as ``bench_polis_agreement.py``), and
prints for each conversation:

- the ARI of each schedule against Pol.is's ``group-id``;
- the mean and the smallest ARI between our own schedules (every pair): how far equally
  valid update paths of the same pipeline disagree with each other;
- red-dwarf 0.4.0's ARI against Pol.is (its own venv; skipped with a message when absent).

ARI on participants both sides group.
"""

from __future__ import annotations

import argparse
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reddwarf import DATA, ari_on_common, run_peer

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
from kientao.conversations.engine.pipeline import analyze, replay_vote_log


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, nargs="+", default=[10, 30, 100, 300])
    args = parser.parse_args()
    schedules = ["one-shot", *(f"{n} updates" for n in args.updates)]
    rows = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        data = read_polis_export(folder)
        if data.votes_source != "votes.csv":
            print(f"{folder.name}: no votes.csv, skipped")
            continue
        truth = pd.read_csv(folder / "participants-votes.csv",
                            usecols=["participant", "group-id"]).dropna()
        truth = truth.set_index("participant")["group-id"].astype(int)
        m = to_vote_matrix(data)
        one, _ = analyze(m)
        labels = [one.participants.set_index("participant")["group"]]
        for n in args.updates:
            rep, _ = replay_vote_log(data.votes, data.statements, n_updates=n,
                                     weighted_silhouette=False)
            labels.append(rep.participants.set_index("participant")["group"])
        vs_polis = [ari_on_common(lab, truth) for lab in labels]
        between = [ari_on_common(a, b) for a, b in combinations(labels, 2)]
        peer = run_peer(m)
        rd = ari_on_common(peer[1], truth) if peer is not None else float("nan")
        rows.append((folder.name, vs_polis, float(np.mean(between)), float(np.min(between)), rd))
        print(f"{folder.name}: done", flush=True)

    head = " | ".join(schedules)
    print(f"\n| conversation | {head} | ours vs ours, mean | ours vs ours, min | red-dwarf |")
    print("|---|" + "--:|" * (len(schedules) + 3))
    for name, vs, mean_b, min_b, rd in rows:
        cells = " | ".join(f"{v:.2f}" for v in vs)
        print(f"| {name} | {cells} | {mean_b:.2f} | {min_b:.2f} | {rd:.2f} |")
    means = np.mean([r[1] for r in rows], axis=0)
    cells = " | ".join(f"**{v:.3f}**" for v in means)
    print(f"| **mean** | {cells} | **{np.mean([r[2] for r in rows]):.2f}** | "
          f"| **{np.nanmean([r[4] for r in rows]):.3f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
