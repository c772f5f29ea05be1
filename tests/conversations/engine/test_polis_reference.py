"""Agreement with the groups Pol.is itself published (``group-id``) on real conversations.

Data: ``../shared/data/polis`` (CC BY 4.0, The Computational Democracy Project; see its
ATTRIBUTION.md). Reference: red-dwarf 0.4.0's ARI on the same files, as measured in
``shared/notes/conversations.md`` §3 (k by silhouette). Pol.is's groups are
path-dependent and some exports carry known group-id errors (compdemocracy/polis#1930),
so the targets are relative: better than red-dwarf on average, never far below it.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
from kientao.conversations.engine.pipeline import analyze, replay_vote_log

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "polis"

# red-dwarf 0.4.0, ARI vs Pol.is group-id (notes §3, "ARI" column)
RED_DWARF = {
    "canadian-electoral-reform": 1.00,
    "scoop-hivemind.biodiversity": 0.95,
    "brexit-consensus": 0.64,
    "vtaiwan.uberx": 0.83,
    "football-concussions": 0.20,
    "15-per-hour-seattle": 0.46,
    "american-assembly.bowling-green": 0.42,
    "bg2050-volunteers": 0.19,
    "london.youth.policing": 0.12,
    "scoop-hivemind.affordable-housing": 0.12,
}


def polis_agreement(folder: Path, *, replay: bool, seed: int = 0) -> float:
    """ARI between our groups and Pol.is's group-id, on participants both group."""
    data = read_polis_export(folder)
    if replay and data.votes_source == "votes.csv":
        # Pol.is's groups come from warm-started updates: replay the log in 30 updates
        # with Pol.is's own (unweighted) silhouette
        result, _ = replay_vote_log(data.votes, data.statements, n_updates=30,
                                    weighted_silhouette=False, seed=seed)
    else:
        result, _ = analyze(to_vote_matrix(data), seed=seed)
    ours = result.participants.set_index("participant")["group"]
    theirs = pd.read_csv(folder / "participants-votes.csv",
                         usecols=["participant", "group-id"]).dropna()
    theirs = theirs.set_index("participant")["group-id"].astype(int)
    both = theirs.index.intersection(ours[ours >= 0].index)
    return float(adjusted_rand_score(theirs.loc[both], ours.loc[both]))


@pytest.mark.slow
@pytest.mark.parametrize(("replay", "seeds", "floor", "worst_gap"),
                         [(False, (0, 1, 2), 0.51, 0.15), (True, (0, 1), 0.55, 0.10)],
                         ids=["one-shot", "replayed-log"])
def test_it_beats_red_dwarf_on_pol_is_groups(replay, seeds, floor, worst_gap):
    if not DATA.is_dir():
        pytest.skip(f"reference data folder {DATA} is absent")
    means = []
    for seed in seeds:
        ari = {name: polis_agreement(DATA / name, replay=replay, seed=seed)
               for name in RED_DWARF if (DATA / name).is_dir()}
        assert len(ari) == len(RED_DWARF)
        table = f"seed {seed}\n" + "\n".join(f"{n:36s} ours {a:5.2f}  red-dwarf {RED_DWARF[n]:4.2f}"
                                              for n, a in ari.items())
        means.append(float(np.mean(list(ari.values()))))
        # measured (docs/benchmarks/conversations.md): one-shot 0.518-0.524 over seeds
        # 0-4, replayed 0.562 (seeds 0 and 1); red-dwarf 0.49. The floors leave ~0.01
        # for BLAS rounding changing a few k-means assignments.
        # (An earlier 0.56 one-shot figure was seed 0's luck with 8 group restarts:
        # seeds 0-4 then gave 0.48-0.56.)
        assert means[-1] >= floor, table
        assert means[-1] > float(np.mean(list(RED_DWARF.values()))), table
        # below red-dwarf on a conversation by at most: measured worst gaps -0.14
        # (one-shot, vtaiwan.uberx 0.69 vs 0.83) and -0.04 (replayed, canadian-electoral-reform)
        for name, value in ari.items():
            assert value >= RED_DWARF[name] - worst_gap, table
    # the groups do not depend on the seed
    assert max(means) - min(means) <= 0.02, means
