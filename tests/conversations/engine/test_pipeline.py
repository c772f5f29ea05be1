import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.matrix import VoteDataError
from kientao.conversations.engine.pipeline import (
    AnalysisState,
    analyze,
    participants_in_conversation,
    replay_vote_log,
    update,
)
from kientao.conversations.engine.simulation import simulate_conversation


def _ari(sim, result):
    labels = result.participants["group"].to_numpy()
    clustered = labels >= 0
    return adjusted_rand_score(sim.groups[clustered], labels[clustered])


@pytest.mark.parametrize(
    ("n", "m", "per", "groups"),
    [(300, 40, 20, 2), (600, 80, 25, 3), (3000, 300, 30, 3)],
)
def test_it_recovers_planted_groups(n, m, per, groups):
    sim = simulate_conversation(n, m, n_groups=groups, votes_per_participant=per, seed=11)
    result, _ = analyze(sim.votes)
    assert result.n_groups == groups
    assert _ari(sim, result) >= 0.95


def test_it_recovers_planted_groups_through_the_randomized_path():
    sim = simulate_conversation(3000, 300, n_groups=3, votes_per_participant=30, seed=12)
    from kientao.conversations.engine import pca

    exact, _ = analyze(sim.votes)
    original = pca.EXACT_PCA_MAX_CELLS
    try:
        pca.EXACT_PCA_MAX_CELLS = 0  # force the randomized PCA
        approx, _ = analyze(sim.votes)
    finally:
        pca.EXACT_PCA_MAX_CELLS = original
    assert _ari(sim, approx) >= 0.95
    assert adjusted_rand_score(exact.participants["group"], approx.participants["group"]) > 0.95


def test_it_is_deterministic_given_seed():
    sim = simulate_conversation(800, 60, n_groups=3, votes_per_participant=20, seed=13)
    a, _ = analyze(sim.votes, seed=5)
    b, _ = analyze(sim.votes, seed=5)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    pd.testing.assert_frame_equal(a.repness, b.repness)


def test_it_applies_the_participation_rule():
    counts = np.array([7, 6, 3, 0, 10])
    assert participants_in_conversation(counts, 100, top_up=0).tolist() == [
        True, False, False, False, True]
    # fewer statements than 7: min(7, n_statements)
    assert participants_in_conversation(counts, 3, top_up=0).tolist() == [
        True, True, True, False, True]
    # topped up to 15 with the most active voters (never those without votes)
    assert participants_in_conversation(counts, 100, top_up=4).tolist() == [
        True, True, True, False, True]
    # sticky
    prev = np.array([False, False, True, False, False])
    assert participants_in_conversation(counts, 100, previous=prev, top_up=0)[2]


def test_it_tops_up_to_fifteen_participants_by_default():
    # 3 reach 7 votes; 17 others have 1..6 votes (i % 6 + 1), 2 have none. Pol.is tops the
    # 3 up to 15 with the 12 most active others (ties by row order), never the silent ones.
    counts = np.array([7, 9, 12] + [i % 6 + 1 for i in range(17)] + [0, 0])
    mask = participants_in_conversation(counts, 40)
    assert mask.sum() == 15
    assert mask[:3].all() and not mask[-2:].any()
    # the 12 added ones are the most active: every one left out has at most their votes
    added, left = counts[3:20][mask[3:20]], counts[3:20][~mask[3:20]]
    assert len(added) == 12 and left.max() <= added.min()
    # with fewer than 15 voters, every voter is in
    assert participants_in_conversation(np.array([1, 2, 0, 3]), 40).tolist() == [
        True, True, False, True]


def test_analyze_tops_up_a_small_conversation_to_fifteen():
    # 20 participants, 10 statements: participants 0-3 vote on all 10 (in by the 7-vote
    # rule), 4-19 on 1..6 each (below it). The default top-up brings 11 of them in: 15.
    rows = [(p, s, 1 if (p + s) % 3 else -1)
            for p in range(20) for s in range(10 if p < 4 else p % 6 + 1)]
    result, state = analyze(pd.DataFrame(rows, columns=["participant", "statement", "vote"]))
    in_conv = result.participants.set_index("participant")["in_conv"]
    assert in_conv.sum() == 15 and len(state.in_conv) == 15
    assert in_conv.loc[[0, 1, 2, 3]].all()


def test_it_keeps_participants_in_conversation_across_updates():
    sim = simulate_conversation(200, 30, n_groups=2, votes_per_participant=10, seed=14)
    frame = sim.votes.to_frame()
    _, state = analyze(frame)
    assert 0 in state.in_conv
    # participant 0 now has only 2 votes, but stays in
    thinned = frame[(frame["participant"] != 0) | (frame["statement"] < 3)]
    result, _ = update(state, thinned)
    row = result.participants.set_index("participant").loc[0]
    assert row["n_votes"] < 7 and bool(row["in_conv"])


def test_it_smooths_k_across_updates():
    two = simulate_conversation(600, 60, n_groups=2, votes_per_participant=30, seed=15)
    three = simulate_conversation(600, 60, n_groups=3, votes_per_participant=30, seed=15)
    result, state = analyze(two.votes)
    assert result.n_groups == 2
    published = []
    for _ in range(4):
        result, state = analyze(three.votes, state=state)
        published.append((result.best_k, result.n_groups))
    # k = 3 wins at once but is published only at its 4th consecutive win
    assert published == [(3, 2), (3, 2), (3, 2), (3, 3)]


def test_it_reports_progress():
    sim = simulate_conversation(100, 20, n_groups=2, votes_per_participant=10, seed=16)
    seen = []
    analyze(sim.votes, progress=lambda pct, msg: seen.append(pct))
    assert seen[0] < seen[-1] == 100 and seen == sorted(seen)


def test_it_accepts_a_vote_log_with_moderation():
    log = pd.DataFrame({"participant": [1, 1, 2, 2, 3], "statement": [1, 2, 1, 2, 2],
                        "vote": [1, -1, 1, 1, 0]})
    statements = pd.DataFrame({"statement": [1, 2, 3], "moderated": [0, -1, 1]})
    result, _ = analyze(log, statements)
    assert result.statements["excluded"].tolist() == [False, True, False]
    assert 2 not in result.repness["statement"].tolist()
    assert 2 not in result.consensus["statement"].tolist()


def test_it_rejects_a_vote_log_without_votes_column():
    with pytest.raises(VoteDataError, match="missing column 'vote'"):
        analyze(pd.DataFrame({"participant": [1], "statement": [1]}))


def test_it_handles_tiny_conversations_without_groups():
    log = pd.DataFrame({"participant": [1], "statement": [1], "vote": [1]})
    result, state = analyze(log)
    assert result.n_groups == 0
    assert result.participants["group"].tolist() == [-1]
    assert isinstance(state, AnalysisState)


def test_it_replays_a_vote_log_in_updates():
    sim = simulate_conversation(300, 30, n_groups=2, votes_per_participant=15, seed=17)
    frame = sim.votes.to_frame()
    frame["timestamp"] = np.random.default_rng(0).permutation(len(frame))
    result, state = replay_vote_log(frame, n_updates=5)
    assert state.n_updates == 5
    assert _ari(sim, result) >= 0.95
    with pytest.raises(VoteDataError, match="timestamp"):
        replay_vote_log(frame.drop(columns="timestamp"))


@pytest.mark.parametrize("vote", [1, 0])
def test_it_handles_a_conversation_without_any_disagreement(vote):
    log = pd.DataFrame([(p, s, vote) for p in range(300) for s in range(100)],
                       columns=["participant", "statement", "vote"])
    result, _ = analyze(log)
    assert result.n_groups == 0
    assert np.isfinite(result.participants[["x", "y"]].to_numpy()).all()
    assert (result.participants[["x", "y"]].to_numpy() == 0).all()


def test_it_round_trips_the_state_through_json():
    import json

    sim = simulate_conversation(400, 40, n_groups=3, votes_per_participant=20, seed=18)
    first, state = analyze(sim.votes)
    stored = AnalysisState.from_dict(json.loads(json.dumps(state.to_dict())))
    a, _ = analyze(sim.votes, state=state)
    b, _ = analyze(sim.votes, state=stored)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    with pytest.raises(VoteDataError, match="format"):
        AnalysisState.from_dict({"format": "nope"})
