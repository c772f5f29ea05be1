"""Pol.is's subgroups and participant statistics (conversation.clj, repness.clj)."""

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.pipeline import analyze
from kientao.conversations.engine.subgroups import participant_stats, subgroup_labels


def test_participant_stats_by_hand():
    # global centre (0, 1); group 0 centre (-2, 1), group 1 centre (2, 1); one unclustered
    xy = np.array([[-1.0, 1.0], [-3.0, 1.0], [1.0, 1.0], [3.0, 1.0], [0.0, 0.0]])
    stats = participant_stats(xy, np.array([0, 0, 1, 1, -1]))
    np.testing.assert_allclose(stats["centricness"][:4], [0.0, -2.0, 0.0, -2.0])
    np.testing.assert_allclose(stats["coreness"][:4], [0.0, 0.0, 0.0, 0.0])
    # (x − g)·u with u pointing from the centre to the group: outward is positive
    np.testing.assert_allclose(stats["extremeness"][:4], [-1.0, 1.0, -1.0, 1.0])
    assert stats.iloc[4].isna().all()


def test_it_leaves_small_groups_unsplit():
    centres = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0], [5.1, 0.0], [9.0, 9.0], [9.1, 9.0]])
    labels, _ = subgroup_labels(centres, np.ones(6), np.array([0, 0, 0, 0, 1, 1]), 2)
    assert labels[4:].tolist() == [-1, -1]
    assert labels[0] == labels[1] != labels[2] == labels[3]


def _nested_votes(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """400 people in two camps of two factions each: 45 statements split the camps and
    5 split each camp into its two factions (8 % of votes flipped at random)."""
    rng = np.random.default_rng(seed)
    n = 400
    # people arrive in random order (Pol.is seeds base clusters with the first distinct
    # points, so a camp that all arrived first would take nearly all of them)
    camp = rng.permutation(np.repeat([0, 1], n // 2))
    faction = rng.integers(0, 2, n)
    rows = []
    for p in range(n):
        for s in range(50):
            if s < 45:
                v = 1 if (camp[p] == 0) == (s % 2 == 0) else -1
            else:
                v = 1 if (faction[p] == 0) == (s % 2 == 0) else -1
            if rng.random() < 0.08:
                v = -v
            rows.append((p, s, v))
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"]), camp, faction


def test_it_recovers_planted_factions_inside_each_group():
    votes, camp, faction = _nested_votes()
    result, _ = analyze(votes)
    assert result.n_groups == 2
    people = result.participants.set_index("participant").loc[np.arange(400)]
    assert adjusted_rand_score(camp, people["group"]) == 1.0
    for g in range(2):
        mine = people["group"].to_numpy() == g
        assert adjusted_rand_score(faction[mine], people["subgroup"].to_numpy()[mine]) >= 0.9
    # each faction is told apart from the other faction of its camp by statements 45-49,
    # on which the camps agree: subgroup repness compares within the group only
    for g in range(2):
        rep = result.subgroup_repness[result.subgroup_repness["group"] == g]
        assert set(rep["subgroup"]) == {0, 1}
        assert rep["statement"].between(45, 49).all(), rep
    # the group-level repness is made of the camp statements
    assert result.repness["statement"].between(0, 44).all()
    stats = people[["centricness", "coreness", "extremeness"]]
    assert stats.notna().all().all()
    assert (stats["coreness"] > stats["centricness"]).mean() > 0.9  # nearer their group than the middle


def test_the_subgroup_k_is_smoothed_across_updates_per_group():
    from kientao.conversations.engine.clustering import KSmoother
    from kientao.conversations.engine.pipeline import AnalysisState

    rng = np.random.default_rng(1)
    # one group of 12 base clusters in two clear clumps: k = 2 wins, 3 is possible
    centres = np.concatenate([rng.normal(0, 0.1, (6, 2)), rng.normal(5, 0.1, (6, 2))])
    groups = np.zeros(12, dtype=np.int64)
    smoothers = {0: KSmoother(k=3, candidate=3, streak=9)}  # the last updates published 3
    seen = []
    for _ in range(5):
        labels, smoothers = subgroup_labels(centres, np.ones(12), groups, 1, smoothers=smoothers)
        seen.append(len(np.unique(labels)))
    assert seen == [3, 3, 3, 2, 2]  # 2 is taken on its 4th consecutive win (Pol.is's buffer)
    state = AnalysisState(subgroup_smoothers=smoothers)
    assert AnalysisState.from_dict(state.to_dict()).subgroup_smoothers == smoothers
    old = state.to_dict()
    del old["subgroup_smoothers"]  # a state stored before subgroups existed
    assert AnalysisState.from_dict(old).subgroup_smoothers == {}
