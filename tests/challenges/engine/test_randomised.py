"""Randomised assignment with a probability cap (Jecmen et al. 2020) and dependent rounding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.challenges.engine import (
    InfeasibleAssignmentError,
    assign_reviewers,
    round_dependently,
)

N_SAMPLES = 1500


@pytest.mark.slow
def test_it_samples_with_marginals_equal_to_the_capped_lp():
    rng = np.random.default_rng(4)
    n_sub, n_judge, k, q = 10, 6, 2, 0.5
    w = rng.random((n_sub, n_judge))
    first = assign_reviewers(w, per_submission=k, max_load=5, probability_cap=q, seed=0)
    probs = first.probabilities
    assert probs is not None
    p = np.zeros((n_sub, n_judge))
    p[probs["submission"], probs["judge"]] = probs["probability"]
    # The fractional solution respects the cap and the per-submission count.
    assert p.max() <= q + 1e-9  # LP solver tolerance
    np.testing.assert_allclose(p.sum(axis=1), k, atol=1e-7)
    counts = np.zeros((n_sub, n_judge))
    for seed in range(N_SAMPLES):
        a = assign_reviewers(w, per_submission=k, max_load=5, probability_cap=q, seed=seed)
        assert (a.pairs.groupby("submission").size() == k).all()
        assert a.loads.max() <= 5
        counts[a.pairs["submission"], a.pairs["judge"]] += 1
    freq = counts / N_SAMPLES
    # Binomial: 4.5 standard errors per cell keeps the family-wise false-alarm
    # rate over 60 cells below 1e-3 (normal approximation).
    tol = 4.5 * np.sqrt(np.maximum(p * (1 - p), 1e-12) / N_SAMPLES) + 1e-9
    assert (np.abs(freq - p) <= tol).all()
    assert (freq <= q + 4.5 * np.sqrt(q * (1 - q) / N_SAMPLES)).all()
    # The expected affinity of the sample is the LP optimum (same tolerance idea,
    # summed over cells: generous 2 % relative).
    mean_total = (freq * w).sum()
    assert mean_total == pytest.approx(first.optimum, rel=0.02)


def test_it_is_deterministic_given_the_seed():
    w = np.random.default_rng(2).random((15, 5))
    a = assign_reviewers(w, per_submission=2, max_load=8, probability_cap=0.4, seed=42)
    b = assign_reviewers(w, per_submission=2, max_load=8, probability_cap=0.4, seed=42)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


def test_it_costs_affinity_to_cap_probabilities():
    w = np.random.default_rng(9).random((20, 8))
    exact = assign_reviewers(w, per_submission=2, max_load=6)
    capped = assign_reviewers(w, per_submission=2, max_load=6, probability_cap=0.5, seed=1)
    assert capped.optimum <= exact.optimum + 1e-9
    assert capped.total_affinity <= exact.total_affinity + 1e-9  # exact is optimal


def test_it_rounds_dependently_keeping_integral_degrees():
    sub = np.repeat(np.arange(4), 3)
    judge = np.tile(np.arange(3), 4)
    value = np.full(12, 2 / 3)  # each submission needs 2 of 3 judges
    for seed in range(50):
        chosen = round_dependently(sub, judge, value, seed=seed)
        np.testing.assert_array_equal(np.bincount(sub[chosen], minlength=4), [2, 2, 2, 2])
        loads = np.bincount(judge[chosen], minlength=3)
        # Fractional load 8/3: the rounded load is 2 or 3.
        assert set(loads.tolist()) <= {2, 3}


def test_it_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        round_dependently(np.array([0]), np.array([0]), np.array([1.5]))


def test_it_says_when_the_probability_cap_is_too_low():
    # 10 judges x cap 0.3 = 3 expected judges at most, but 4 are needed.
    with pytest.raises(InfeasibleAssignmentError, match="probability cap 0.3 but needs 4"):
        assign_reviewers(np.ones((5, 10)), per_submission=4, probability_cap=0.3)


def test_it_respects_min_loads_and_forced_pairs_when_randomised():
    w = np.random.default_rng(0).random((30, 10))
    forced = np.zeros_like(w, dtype=bool)
    forced[0, 0] = True
    for seed in range(20):
        a = assign_reviewers(
            w,
            per_submission=2,
            min_load=4,
            max_load=8,
            forced=forced,
            probability_cap=0.3,
            seed=seed,
        )
        assert a.loads.between(4, 8).all()
        assert (a.pairs.groupby("submission").size() == 2).all()
        assert ((a.pairs["submission"] == 0) & (a.pairs["judge"] == 0)).any()
