import math

import numpy as np
import pytest

from kientao.conversations.engine.matrix import build_vote_matrix
from kientao.conversations.engine.repness import (
    Z_90,
    GroupCounts,
    consensus_statements,
    count_votes_by_group,
    divisiveness,
    group_informed_consensus,
    one_proportion_z,
    representative_statements,
    routing_priority,
    statement_statistics,
    two_proportion_z,
)
from kientao.conversations.engine.simulation import simulate_conversation


def test_it_computes_the_one_proportion_test_by_hand():
    # 8 agrees of 10: 2*sqrt(11)*(9/11 - 0.5) = 7*sqrt(11)/11
    assert float(one_proportion_z(np.array(8.0), np.array(10.0))) == pytest.approx(
        7 * math.sqrt(11) / 11, abs=1e-12
    )


def test_it_computes_the_two_proportion_test_by_hand():
    # 8/10 vs 2/10: pi1 = 9/11, pi2 = 3/11, pooled = 12/22
    z = float(two_proportion_z(np.array(8.0), np.array(10.0), np.array(2.0), np.array(10.0)))
    pooled = 12 / 22
    expected = (9 / 11 - 3 / 11) / math.sqrt(pooled * (1 - pooled) * (2 / 11))
    assert z == pytest.approx(expected, abs=1e-12)


def test_it_returns_zero_when_the_pooled_proportion_is_one():
    # s = n everywhere with +1 pseudo-counts -> pi_hat = 1: Pol.is returns 0
    assert float(two_proportion_z(np.array(3.0), np.array(3.0), np.array(5.0),
                                  np.array(5.0))) == 0.0


def _hand_counts():
    # group 0: 10 members all saw s0 (9 agree, 1 disagree), s1 (2 agree, 8 disagree)
    # group 1: 10 members, s0 (1 agree, 9 disagree), s1 (5 agree, 5 disagree)
    return GroupCounts(
        agree=np.array([[9.0, 2.0], [1.0, 5.0]]),
        disagree=np.array([[1.0, 8.0], [9.0, 5.0]]),
        seen=np.array([[10.0, 10.0], [10.0, 10.0]]),
    )


def test_it_selects_representative_statements_by_hand():
    rep = representative_statements(_hand_counts(), np.array([100, 101]))
    g0 = rep[rep["group"] == 0]
    # group 0: s0 agree (p_a = 10/12, rest 2/12 -> r = 5), s1 disagree also significant
    assert g0[["statement", "direction"]].values.tolist() == [[100, "agree"],
                                                               [101, "disagree"]]
    row = g0.iloc[0]
    assert row["p"] == pytest.approx(10 / 12, abs=1e-12)
    assert row["r"] == pytest.approx((10 / 12) / (2 / 12), abs=1e-12)
    assert row["p_test"] == pytest.approx(2 * math.sqrt(11) * (10 / 11 - 0.5), abs=1e-12)
    g1 = rep[rep["group"] == 1]
    # group 1 disagrees with s0; s1 (5/5) is not significant and not best-agree
    assert g1[["statement", "direction"]].values.tolist() == [[100, "disagree"]]


def test_it_never_selects_moderated_out_statements():
    rep = representative_statements(_hand_counts(), np.array([100, 101]),
                                    excluded=np.array([True, False]))
    assert 100 not in rep["statement"].tolist()


def test_it_ranks_every_statement_on_request():
    rep = representative_statements(_hand_counts(), np.array([100, 101]), full_ranking=True)
    assert len(rep) == 4
    assert rep.groupby("group")["rank"].apply(list).tolist() == [[1, 2], [1, 2]]
    assert rep["selected"].tolist() == [True, True, True, False]


def _naive_repness_stats(agree, disagree, seen):
    """Loop-by-loop Pol.is formulas (repness.clj l.64-127) for the cross-check."""
    out = {}
    for g in range(agree.shape[0]):
        for c in range(agree.shape[1]):
            na, nd, ns = agree[g, c], disagree[g, c], seen[g, c]
            ra = agree[:, c].sum() - na
            rs = seen[:, c].sum() - ns
            pa = (na + 1) / (ns + 2)
            pat = 2 * math.sqrt(ns + 1) * ((na + 1) / (ns + 1) - 0.5)
            p1, p2 = (na + 1) / (ns + 1), (ra + 1) / (rs + 1)
            pi = (na + ra + 2) / (ns + rs + 2)
            var = pi * (1 - pi) * (1 / (ns + 1) + 1 / (rs + 1))
            rat = 0.0 if var == 0 else (p1 - p2) / math.sqrt(var)
            out[(g, c)] = (pa, pat, pa / ((1 + ra) / (2 + rs)), rat)
            del nd
    return out


def test_it_agrees_with_a_naive_loop_on_random_counts():
    sim = simulate_conversation(400, 30, n_groups=3, votes_per_participant=12, seed=8)
    counts = count_votes_by_group(sim.votes, sim.groups, 3)
    rep = representative_statements(counts, sim.votes.statements, full_ranking=True)
    naive = _naive_repness_stats(counts.agree, counts.disagree, counts.seen)
    agree_rows = rep[rep["direction"] == "agree"]
    assert len(agree_rows) > 10
    for row in agree_rows.itertuples():
        pa, pat, ra, rat = naive[(row.group, row.statement)]
        # same formulas, vectorised: 1e-12
        assert (row.p, row.p_test, row.r, row.r_test) == pytest.approx(
            (pa, pat, ra, rat), abs=1e-12
        )


def test_it_counts_votes_per_group_like_a_loop():
    sim = simulate_conversation(200, 20, n_groups=2, votes_per_participant=8, seed=9)
    labels = sim.groups.copy()
    labels[:10] = -1  # not clustered
    counts = count_votes_by_group(sim.votes, labels, 2)
    dense = sim.votes.values.toarray()
    seen = np.zeros((200, 20), dtype=bool)
    coo = sim.votes.values.tocoo()
    seen[coo.row, coo.col] = True
    for g in range(2):
        rows = labels == g
        assert counts.agree[g].tolist() == ((dense[rows] == 1) & seen[rows]).sum(0).tolist()
        assert counts.disagree[g].tolist() == (dense[rows] == -1).sum(0).tolist()
        assert counts.seen[g].tolist() == seen[rows].sum(0).tolist()


def test_it_finds_consensus_by_hand():
    # s0: 18/20 agree -> p = 19/22, z = 2*sqrt(21)*(19/21 - 0.5); s1: 10/20; s2: 2/20
    con = consensus_statements(np.array([18.0, 10.0, 2.0]), np.array([2.0, 10.0, 17.0]),
                               np.array([20.0, 20.0, 20.0]), np.array([0, 1, 2]))
    assert con[["direction", "statement"]].values.tolist() == [["agree", 0], ["disagree", 2]]
    assert con.iloc[0]["p"] == pytest.approx(19 / 22, abs=1e-12)
    assert con.iloc[0]["p_test"] > Z_90


def test_it_computes_group_informed_consensus_by_hand():
    counts = GroupCounts(agree=np.array([[3.0, 0.0], [1.0, 4.0]]), disagree=np.zeros((2, 2)),
                         seen=np.array([[4.0, 4.0], [2.0, 4.0]]))
    # s0: (4/6)*(2/4) = 1/3 ; s1: (1/6)*(5/6) = 5/36
    assert group_informed_consensus(counts).tolist() == pytest.approx([1 / 3, 5 / 36],
                                                                      abs=1e-15)


def test_it_computes_divisiveness_and_priority_by_hand():
    counts = GroupCounts(agree=np.array([[4.0], [0.0]]), disagree=np.array([[0.0], [4.0]]),
                         seen=np.array([[4.0], [5.0]]))
    # p_a: 5/6 and 1/7
    assert divisiveness(counts)[0] == pytest.approx(5 / 6 - 1 / 7, abs=1e-15)
    # A=4, S=9, P=1, E=0.5: importance = (1-2/11)*1.5*(5/11); priority formula of Pol.is
    imp = (1 - 2 / 11) * 1.5 * (5 / 11)
    expected = (imp * (1 + 8 * 2 ** (-9 / 5))) ** 2
    assert routing_priority(counts, np.array([0.5]))[0] == pytest.approx(expected, abs=1e-12)
    assert routing_priority(counts, np.array([0.5]), is_meta=np.array([True]))[0] == 49.0


def test_it_reports_statement_statistics_overall_and_per_group():
    m = build_vote_matrix([0, 1, 2, 3], [5, 5, 5, 5], [1, 1, -1, 0])
    stats = statement_statistics(m, np.array([0, 0, 1, -1]), 2)
    row = stats.iloc[0]
    assert (row["n_agree"], row["n_disagree"], row["n_pass"], row["n_seen"]) == (2, 1, 1, 4)
    assert row["agree_share"] == 0.5
    assert (row["g0_n_agree"], row["g1_n_disagree"], row["g1_n_seen"]) == (2, 1, 1)


def test_it_still_favours_new_statements_before_any_group_exists():
    # 10 participants agree with statement 1; statement 2 is new (1 agree). No groups:
    # everyone's votes count. S=10, A=10: imp = (1-1/12)*(11/12); S=1, A=1: (1-1/3)*(2/3)
    m = build_vote_matrix(list(range(10)) + [0], [1] * 10 + [2], [1] * 11)
    prio = statement_statistics(m, np.full(10, -1), 0)["priority"].to_numpy()
    old = ((1 - 1 / 12) * (11 / 12) * (1 + 8 * 2 ** (-10 / 5))) ** 2
    new = ((1 - 1 / 3) * (2 / 3) * (1 + 8 * 2 ** (-1 / 5))) ** 2
    assert prio.tolist() == pytest.approx([old, new], abs=1e-12)
    assert prio[1] > 1.9 * prio[0]


def test_it_scans_for_the_best_agree_statement_like_polis():
    # group 0 vs group 1, 3 statements seen by 10 in each group
    # s0 qualifies first (9/10 agree: pat = 2.71) with r_a = 10/11 <= 1, so later
    # statements compete on p_a*pat: s1 (10/10: 3.04 > 2.26) replaces it; s2 only ties
    # s1 (strictly greater is needed), so the scan ends on s1.
    counts = GroupCounts(
        agree=np.array([[9.0, 10.0, 10.0], [10.0, 10.0, 10.0]]),
        disagree=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        seen=np.full((2, 3), 10.0),
    )
    rep = representative_statements(counts, np.array([0, 1, 2]))
    g0 = rep[rep["group"] == 0]
    assert g0.iloc[0]["statement"] == 1 and g0.iloc[0]["direction"] == "agree"


def test_it_keeps_five_representative_statements_per_group_by_default():
    # 8 statements: group 0 agrees 10/10 with every one, group 1 disagrees 10/10; all 8
    # qualify for both groups, and Pol.is keeps 5 per group.
    counts = GroupCounts(agree=np.vstack([np.full(8, 10.0), np.zeros(8)]),
                         disagree=np.vstack([np.zeros(8), np.full(8, 10.0)]),
                         seen=np.full((2, 8), 10.0))
    statements = np.arange(100, 108)
    assert representative_statements(counts, statements).groupby("group").size().tolist() == [5, 5]
    everything = representative_statements(counts, statements, pick_max=50)
    assert everything.groupby("group").size().tolist() == [8, 8]


def test_it_keeps_five_consensus_statements_per_direction_by_default():
    # 8 statements everyone (20 of 20) agrees with, 8 everyone disagrees with
    agree = np.r_[np.full(8, 20.0), np.zeros(8)]
    con = consensus_statements(agree, 20.0 - agree, np.full(16, 20.0), np.arange(16))
    assert con.groupby("direction").size().to_dict() == {"agree": 5, "disagree": 5}
    everything = consensus_statements(agree, 20.0 - agree, np.full(16, 20.0), np.arange(16),
                                      pick_max=50)
    assert everything.groupby("direction").size().to_dict() == {"agree": 8, "disagree": 8}


def test_consensus_needs_a_one_proportion_z_above_1_2816():
    # z = 2·sqrt(n+1)·((x+1)/(n+1) − 1/2), p = (x+1)/(n+2); both statements have p > 1/2.
    # s0: 6 agrees of 9 seen: z = 2·sqrt(10)·(7/10 − 1/2) = 0.4·sqrt(10) = 1.2649 < 1.2816
    # s1: 9 agrees of 14 seen: z = 2·sqrt(15)·(10/15 − 1/2) = sqrt(15)/3 = 1.2910 > 1.2816
    agree, seen = np.array([6.0, 9.0]), np.array([9.0, 14.0])
    z = one_proportion_z(agree, seen)
    assert z.tolist() == pytest.approx([0.4 * math.sqrt(10), math.sqrt(15) / 3], abs=1e-12)
    assert z[0] < 1.2816 < z[1]  # the literal: the selection below must use Z_90
    con = consensus_statements(agree, seen - agree, seen, np.array([0, 1]))
    assert con[["direction", "statement"]].values.tolist() == [["agree", 1]]


def test_representativeness_needs_a_two_proportion_z_above_1_2816():
    # Group 0 against group 1 (the rest). Columns: s0 and s1 are disagreed with by both
    # groups, group 0 a little more; s2 is group 0's clear agree statement.
    #   s0: g0 disagrees 18/20, g1 15/20: π1 = 19/21, π2 = 16/21, π̂ = 35/42 = 5/6,
    #       rdt = (3/21)/sqrt(5/6·1/6·2/21) = sqrt(54/35) = 1.2421 < 1.2816
    #   s1: g0 disagrees 12/14, g1 9/14: π1 = 13/15, π2 = 10/15, π̂ = 23/30,
    #       rdt = (3/15)/sqrt(23/30·7/30·2/15) = sqrt(270/161) = 1.2950 > 1.2816
    # pdt (one-proportion, g0 disagrees) is 3.71 and 2.84: well above for both, so the
    # two-proportion test alone decides; rat < 0 on both, so the direction is disagree.
    disagree = np.array([[18.0, 12.0, 0.0], [15.0, 9.0, 20.0]])
    seen = np.array([[20.0, 14.0, 20.0], [20.0, 14.0, 20.0]])
    counts = GroupCounts(agree=seen - disagree, disagree=disagree, seen=seen)
    rdt = two_proportion_z(disagree[0], seen[0], disagree[1], seen[1])
    assert rdt[:2].tolist() == pytest.approx([math.sqrt(54 / 35), math.sqrt(270 / 161)],
                                             abs=1e-12)
    assert rdt[0] < 1.2816 < rdt[1]
    assert one_proportion_z(disagree[0, :2], seen[0, :2]).min() > 2.8
    rep = representative_statements(counts, np.array([10, 11, 12]))
    g0 = rep[rep["group"] == 0]
    assert g0[["statement", "direction"]].values.tolist() == [[12, "agree"], [11, "disagree"]]
