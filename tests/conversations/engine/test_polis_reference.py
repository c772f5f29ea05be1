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


def polis_agreement(folder: Path, *, replay: bool) -> float:
    """ARI between our groups and Pol.is's group-id, on participants both group."""
    data = read_polis_export(folder)
    if replay and data.votes_source == "votes.csv":
        # Pol.is's groups come from warm-started updates: replay the log in 30 updates
        # with Pol.is's own (unweighted) silhouette
        result, _ = replay_vote_log(data.votes, data.statements, n_updates=30,
                                    weighted_silhouette=False)
    else:
        result, _ = analyze(to_vote_matrix(data))
    ours = result.participants.set_index("participant")["group"]
    theirs = pd.read_csv(folder / "participants-votes.csv",
                         usecols=["participant", "group-id"]).dropna()
    theirs = theirs.set_index("participant")["group-id"].astype(int)
    both = theirs.index.intersection(ours[ours >= 0].index)
    return float(adjusted_rand_score(theirs.loc[both], ours.loc[both]))


@pytest.mark.slow
@pytest.mark.parametrize("replay", [False, True], ids=["one-shot", "replayed-log"])
def test_it_beats_red_dwarf_on_pol_is_groups(replay):
    if not DATA.is_dir():
        pytest.skip(f"reference data folder {DATA} is absent")
    ari = {name: polis_agreement(DATA / name, replay=replay)
           for name in RED_DWARF if (DATA / name).is_dir()}
    assert len(ari) == len(RED_DWARF)
    table = "\n".join(f"{n:36s} ours {a:5.2f}  red-dwarf {RED_DWARF[n]:4.2f}"
                      for n, a in ari.items())
    mean = float(np.mean(list(ari.values())))
    # measured mean 0.56 both ways (docs/benchmarks/conversations.md) vs red-dwarf 0.49;
    # 0.53 leaves room for BLAS rounding changing a few k-means assignments
    assert mean >= 0.53, table
    # never far below red-dwarf: measured worst gaps -0.07 (one-shot, canadian-electoral-
    # reform) and -0.05 (replayed, football-concussions)
    for name, value in ari.items():
        assert value >= RED_DWARF[name] - 0.10, table
