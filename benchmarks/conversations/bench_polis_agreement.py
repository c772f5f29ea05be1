"""ARI between Pol.is's published group-id and ours (one-shot and replayed) and red-dwarf's.

Run: ``.venv/bin/python benchmarks/conversations/bench_polis_agreement.py [--seeds K]``. For every
conversation in ../shared/data/polis (CC BY 4.0, The Computational Democracy Project):
our one-shot analysis of the final votes (default options), our replay of votes.csv in 30
updates with Pol.is's unweighted silhouette (where votes.csv exists), and red-dwarf 0.4.0
(its own venv; skipped with a message when absent). ARI on participants both sides group.
With ``--seeds K`` it then repeats, for seeds 1..K-1, our one-shot and replayed analyses
and red-dwarf (``random_state`` = seed) and prints the mean ARI per seed, to show that
neither side's groups depend on the seed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reddwarf import DATA, ari_on_common, run_peer

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
from kientao.conversations.engine.pipeline import analyze, replay_vote_log


def seed_means(seeds: range) -> None:
    """Mean ARI over the conversations for each seed: one-shot, replayed and red-dwarf's."""
    folders = sorted(p for p in DATA.iterdir() if p.is_dir())
    for seed in seeds:
        one_shot, replayed, peer_aris = [], [], []
        for folder in folders:
            data = read_polis_export(folder)
            truth = pd.read_csv(folder / "participants-votes.csv",
                                usecols=["participant", "group-id"]).dropna()
            truth = truth.set_index("participant")["group-id"].astype(int)
            m = to_vote_matrix(data)
            one, _ = analyze(m, seed=seed)
            peer = run_peer(m, 1, seed)  # red-dwarf's random_state = seed
            if peer is not None:
                peer_aris.append(ari_on_common(peer[1], truth))
            one_ari = ari_on_common(one.participants.set_index("participant")["group"], truth)
            one_shot.append(one_ari)
            if data.votes_source == "votes.csv":
                rep, _ = replay_vote_log(data.votes, data.statements, n_updates=30,
                                         weighted_silhouette=False, seed=seed)
                replayed.append(ari_on_common(rep.participants.set_index("participant")["group"], truth))
            else:
                replayed.append(one_ari)
        rd = f", red-dwarf {np.mean(peer_aris):.3f}" if peer_aris else ""
        print(f"seed {seed}: mean ARI one-shot {np.mean(one_shot):.3f}, replayed {np.mean(replayed):.3f}{rd}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        data = read_polis_export(folder)
        m = to_vote_matrix(data)
        truth = pd.read_csv(folder / "participants-votes.csv",
                            usecols=["participant", "group-id"]).dropna()
        truth = truth.set_index("participant")["group-id"].astype(int)
        t = time.perf_counter()
        one, _ = analyze(m)
        one_s = time.perf_counter() - t
        one_ari = ari_on_common(one.participants.set_index("participant")["group"], truth)
        rep_ari = float("nan")
        if data.votes_source == "votes.csv":
            rep, _ = replay_vote_log(data.votes, data.statements, n_updates=30,
                                     weighted_silhouette=False)
            rep_ari = ari_on_common(rep.participants.set_index("participant")["group"], truth)
        peer = run_peer(m)
        rd_ari, rd_s = float("nan"), float("nan")
        if peer is not None:
            rd_ari = ari_on_common(peer[1], truth)
            rd_s = peer[0]["seconds"]
        rows.append((folder.name, f"{m.shape[0]:,} × {m.shape[1]:,}", truth.nunique(),
                     one.n_groups, one_ari, rep_ari, rd_ari, one_s, rd_s))
    print("| conversation | ptpts × stmts | k Pol.is | k ours | ARI ours one-shot | "
          "ARI ours replayed | ARI red-dwarf | ours s | red-dwarf s |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} | "
              f"{r[7]:.2f} | {r[8]:.2f} |")
    arr = np.array([[r[4], r[5] if not np.isnan(r[5]) else r[4], r[6]] for r in rows])
    print(f"| **mean** | | | | **{arr[:, 0].mean():.3f}** | **{arr[:, 1].mean():.3f}** "
          f"(one-shot where no votes.csv) | **{np.nanmean(arr[:, 2]):.3f}** | | |")
    if args.seeds > 1:
        seed_means(range(1, args.seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
