"""Reviewer assignment: hand cases, brute force, dense-LP cross-checks, invariants, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sps
from scipy.optimize import linprog

from kientao.challenges.engine import (
    AssignmentInputError,
    InfeasibleAssignmentError,
    assign_reviewers,
)

# Affinities are O(1); HiGHS solves to ~1e-9 relative, so optima agree to 1e-6.
OPT_TOL = 1e-6


def dense_lp_optimum(w, conflicts, k, lo, hi):
    """Plain LP over every eligible pair (the naive reference)."""
    n_sub, n_judge = w.shape
    rows, cols = np.nonzero(~conflicts)
    m = rows.size
    a_eq = sps.csr_matrix((np.ones(m), (rows, np.arange(m))), shape=(n_sub, m))
    a_hi = sps.csr_matrix((np.ones(m), (cols, np.arange(m))), shape=(n_judge, m))
    a_ub = sps.vstack([a_hi, -a_hi])
    b_ub = np.concatenate([np.full(n_judge, hi), -np.full(n_judge, lo)]).astype(float)
    res = linprog(
        -w[rows, cols],
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.full(n_sub, float(k)),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0
    return -res.fun


def check_constraints(result, w, conflicts, k, lo, hi, forced=None):
    pairs = result.pairs
    assert not pairs.duplicated(["submission", "judge"]).any()
    assert (pairs.groupby("submission").size() == k).all()
    assert pairs["submission"].nunique() == w.shape[0]
    loads = np.bincount(pairs["judge"].to_numpy(), minlength=w.shape[1])
    assert (loads >= lo).all() and (loads <= hi).all()
    assert not conflicts[pairs["submission"], pairs["judge"]].any()
    np.testing.assert_allclose(pairs["affinity"], w[pairs["submission"], pairs["judge"]])
    if forced is not None:
        chosen = np.zeros_like(forced)
        chosen[pairs["submission"], pairs["judge"]] = True
        assert chosen[forced].all()


def test_it_solves_a_hand_computed_instance():
    # Greedy takes s0 -> judge 0 (3.0), leaving s1 -> judge 1 (0.0): total 3.0.
    w = np.array([[3.0, 2.5], [2.0, 0.0]])
    result = assign_reviewers(w, per_submission=1, max_load=1)
    # Options: (0,0)+(1,1) = 3.0 ; (0,1)+(1,0) = 4.5 -> optimum 4.5.
    assert result.pairs[["submission", "judge"]].values.tolist() == [[0, 1], [1, 0]]
    assert result.total_affinity == pytest.approx(4.5, abs=1e-12)  # exact sums of binary floats


def test_it_matches_brute_force_on_small_instances():
    rng = np.random.default_rng(7)
    for trial in range(5):
        n_sub, n_judge, k, hi = 4, 4, 2, 2
        w = rng.random((n_sub, n_judge)).round(3)
        conflicts = np.zeros((n_sub, n_judge), dtype=bool)
        conflicts[trial % n_sub, trial % n_judge] = True
        best = -np.inf
        options = list(itertools.combinations(range(n_judge), k))
        for choice in itertools.product(options, repeat=n_sub):
            loads = np.zeros(n_judge, dtype=int)
            ok = True
            total = 0.0
            for s, judges in enumerate(choice):
                for j in judges:
                    if conflicts[s, j]:
                        ok = False
                    loads[j] += 1
                    total += w[s, j]
            if ok and loads.max() <= hi:
                best = max(best, total)
        result = assign_reviewers(w, per_submission=k, max_load=hi, conflicts=conflicts)
        check_constraints(result, w, conflicts, k, 0, hi)
        assert result.total_affinity == pytest.approx(best, abs=OPT_TOL)


@pytest.mark.parametrize("candidate_top", [1, 3, None])
def test_it_matches_the_dense_lp_whatever_the_candidate_set(candidate_top):
    rng = np.random.default_rng(3)
    n_sub, n_judge, k = 120, 15, 3
    w = rng.random((n_sub, n_judge))
    conflicts = rng.random((n_sub, n_judge)) < 0.05
    hi = int(np.ceil(1.2 * k * n_sub / n_judge))
    result = assign_reviewers(
        w, per_submission=k, max_load=hi, conflicts=conflicts, candidate_top=candidate_top
    )
    check_constraints(result, w, conflicts, k, 0, hi)
    assert result.total_affinity == pytest.approx(
        dense_lp_optimum(w, conflicts, k, 0, hi), abs=OPT_TOL
    )


def test_it_stays_optimal_with_popular_judges_and_min_loads():
    # Correlated affinities: every submission prefers the same judges, so the
    # first candidate set is far from the optimum and column generation must work.
    rng = np.random.default_rng(11)
    n_sub, n_judge, k = 200, 20, 3
    w = 0.3 * rng.random((n_sub, n_judge)) + rng.random(n_judge)[None, :]
    conflicts = rng.random((n_sub, n_judge)) < 0.02
    lo, hi = 20, 36
    result = assign_reviewers(
        w, per_submission=k, min_load=lo, max_load=hi, conflicts=conflicts, candidate_top=3
    )
    check_constraints(result, w, conflicts, k, lo, hi)
    assert result.total_affinity == pytest.approx(
        dense_lp_optimum(w, conflicts, k, lo, hi), abs=OPT_TOL
    )


def test_it_keeps_forced_pairs_even_when_they_are_bad():
    rng = np.random.default_rng(5)
    w = rng.random((30, 6))
    forced = np.zeros_like(w, dtype=bool)
    forced[0, np.argmin(w[0])] = True
    forced[1, np.argmin(w[1])] = True
    conflicts = np.zeros_like(forced)
    result = assign_reviewers(w, per_submission=2, max_load=12, forced=forced)
    check_constraints(result, w, conflicts, 2, 0, 12, forced=forced)


def test_it_accepts_labelled_frames_and_label_pairs():
    w = pd.DataFrame(
        [[0.9, 0.1, 0.5], [0.2, 0.8, 0.4]], index=["s-a", "s-b"], columns=["an", "bình", "chi"]
    )
    result = assign_reviewers(
        w, per_submission=2, max_load=2, conflicts=[("s-a", "an")], forced=[("s-b", "chi")]
    )
    got = set(map(tuple, result.pairs[["submission", "judge"]].values.tolist()))
    assert ("s-a", "an") not in got
    assert ("s-b", "chi") in got
    assert got == {("s-a", "bình"), ("s-a", "chi"), ("s-b", "bình"), ("s-b", "chi")}
    assert list(result.loads.index) == ["an", "bình", "chi"]


def test_it_is_invariant_to_permuting_submissions_and_judges():
    rng = np.random.default_rng(21)
    w = rng.random((50, 8))
    conflicts = rng.random(w.shape) < 0.05
    base = assign_reviewers(w, per_submission=3, max_load=25, conflicts=conflicts)
    ps, pj = rng.permutation(50), rng.permutation(8)
    perm = assign_reviewers(
        w[ps][:, pj], per_submission=3, max_load=25, conflicts=conflicts[ps][:, pj]
    )
    assert perm.total_affinity == pytest.approx(base.total_affinity, abs=OPT_TOL)


def test_it_honours_per_judge_loads_and_per_submission_counts():
    rng = np.random.default_rng(8)
    w = rng.random((20, 5))
    k = np.array([1, 2] * 10)
    hi = np.array([2, 4, 6, 8, 10])
    lo = np.array([2, 2, 2, 2, 2])
    result = assign_reviewers(w, per_submission=k, min_load=lo, max_load=hi)
    counts = result.pairs.groupby("submission").size().reindex(range(20)).to_numpy()
    np.testing.assert_array_equal(counts, k)
    loads = result.loads.to_numpy()
    assert (loads >= lo).all() and (loads <= hi).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_submission": 3, "max_load": 1}, "max load too small: capacity 4 < demand 6"),
        (
            {"per_submission": 1, "max_load": 2, "min_load": 1},
            "total minimum load 4 exceeds total demand 2",
        ),
        (
            {"per_submission": 1, "max_load": 1, "min_load": 2},
            "minimum load 2 exceeds maximum load 1",
        ),
    ],
)
def test_it_says_which_global_constraint_fails(kwargs, message):
    with pytest.raises(InfeasibleAssignmentError, match=message):
        assign_reviewers(np.ones((2, 4)), **kwargs)


def test_it_names_the_submission_with_too_few_eligible_judges():
    conflicts = np.zeros((3, 4), dtype=bool)
    conflicts[1, :2] = True
    with pytest.raises(InfeasibleAssignmentError, match="submission 1 has only 2 eligible judge"):
        assign_reviewers(np.ones((3, 4)), per_submission=3, max_load=3, conflicts=conflicts)


def test_it_detects_infeasibility_that_no_simple_count_reveals():
    # Submissions 0-2 may only go to judges 0 and 1 (one each); judges 2 and 3
    # may only take submission 3. Counts balance (capacity 4 = demand 4), but
    # Hall's condition fails for submissions 0-2.
    conflicts = np.zeros((4, 4), dtype=bool)
    conflicts[:3, 2:] = True
    with pytest.raises(InfeasibleAssignmentError, match="1 submission.s. short"):
        assign_reviewers(np.ones((4, 4)), per_submission=1, max_load=1, conflicts=conflicts)


def test_it_rejects_forced_and_conflicted_pairs_and_bad_shapes():
    mask = np.zeros((2, 2), dtype=bool)
    mask[0, 0] = True
    with pytest.raises(InfeasibleAssignmentError, match="both forced and conflicted"):
        assign_reviewers(np.ones((2, 2)), per_submission=1, conflicts=mask, forced=mask)
    with pytest.raises(AssignmentInputError, match="2-D"):
        assign_reviewers(np.ones(3), per_submission=1)
    with pytest.raises(AssignmentInputError, match="not a finite number"):
        assign_reviewers(np.array([[1.0, np.nan]]), per_submission=1)
    with pytest.raises(AssignmentInputError, match="unknown judge 'zz'"):
        assign_reviewers(
            pd.DataFrame([[1.0]], index=["s"], columns=["j"]),
            per_submission=1,
            conflicts=[("s", "zz")],
        )


def test_it_breaks_ties_with_an_integral_optimal_assignment():
    # All affinities equal: many optimal vertices and a non-vertex optimal face.
    w = np.ones((12, 6))
    result = assign_reviewers(w, per_submission=2, max_load=4, seed=1)
    check_constraints(result, w, np.zeros_like(w, dtype=bool), 2, 0, 4)
    assert result.total_affinity == pytest.approx(24.0, abs=1e-9)
