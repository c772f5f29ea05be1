"""ICC and Krippendorff's alpha against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from kientao.challenges.engine import (
    ScoreDataError,
    intraclass_correlations,
    krippendorff_alpha,
    one_way_icc,
)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers x 12 units with missing values.
KRIPPENDORFF = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)


def test_it_reproduces_shrout_fleiss_estimates():
    # Shrout & Fleiss (1979), estimates for the Table 2 data, printed to 2 decimals (tolerance 0.005).
    published = {
        "ICC(1,1)": 0.17,
        "ICC(2,1)": 0.29,
        "ICC(3,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(2,k)": 0.62,
        "ICC(3,k)": 0.91,
    }
    got = {c.model: c.value for c in intraclass_correlations(SHROUT_FLEISS)}
    for model, value in published.items():
        assert got[model] == pytest.approx(value, abs=0.005)


def test_it_reproduces_the_confidence_intervals_of_r_psych():
    # R psych::ICC(sf) documentation example on the same data: bounds printed to
    # 2-3 decimals (tolerance half a unit of the last printed digit, 0.005).
    published = {
        "ICC(1,1)": (-0.133, 0.72),
        "ICC(2,1)": (0.019, 0.76),
        "ICC(3,1)": (0.342, 0.95),
        "ICC(1,k)": (-0.884, 0.91),
        "ICC(2,k)": (0.071, 0.93),
        "ICC(3,k)": (0.676, 0.99),
    }
    for c in intraclass_correlations(SHROUT_FLEISS):
        lo, hi = published[c.model]
        assert c.ci_low == pytest.approx(lo, abs=0.005)
        assert c.ci_high == pytest.approx(hi, abs=0.005)


def test_it_gives_the_balanced_one_way_icc_for_long_data():
    items = np.repeat(np.arange(6), 4)
    fast = one_way_icc(items, SHROUT_FLEISS.ravel())
    full = {c.model: c for c in intraclass_correlations(SHROUT_FLEISS)}
    for c in fast:
        # Same formulas on a balanced design: equal to rounding error.
        assert c.value == pytest.approx(full[c.model].value, abs=1e-12)
        assert c.ci_low == pytest.approx(full[c.model].ci_low, abs=1e-12)


@pytest.mark.parametrize(
    ("metric", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_it_reproduces_krippendorffs_canonical_example(metric, published):
    # Krippendorff (2011) prints alpha to 3 decimals: tolerance 0.0005.
    assert krippendorff_alpha(KRIPPENDORFF, metric=metric) == pytest.approx(published, abs=0.0005)


def test_it_gives_alpha_one_for_perfect_agreement_and_ignores_rater_order():
    data = np.array([[1.0, 2.0, 3.0, nan], [1.0, 2.0, 3.0, 4.0]])
    assert krippendorff_alpha(data) == pytest.approx(1.0, abs=1e-12)
    perm = KRIPPENDORFF[[2, 0, 3, 1]][:, np.random.default_rng(0).permutation(12)]
    assert krippendorff_alpha(perm) == pytest.approx(krippendorff_alpha(KRIPPENDORFF), abs=1e-12)


def test_it_matches_a_naive_pairwise_alpha():
    # Interval alpha as 1 - D_o/D_e with explicit pair loops (Krippendorff 2011, eq. for
    # pairable values), on random sparse data; floating sums agree to 1e-10.
    rng = np.random.default_rng(1)
    data = rng.integers(1, 6, size=(5, 30)).astype(float)
    data[rng.random(data.shape) < 0.3] = nan
    units = [col[~np.isnan(col)] for col in data.T]
    units = [u for u in units if u.size >= 2]
    values = np.concatenate(units)
    n = values.size
    d_o = (
        sum(
            sum((a - b) ** 2 for i, a in enumerate(u) for j, b in enumerate(u) if i != j)
            / (u.size - 1)
            for u in units
        )
        / n
    )
    d_e = sum((a - b) ** 2 for a in values for b in values) / (n * (n - 1))
    assert krippendorff_alpha(data) == pytest.approx(1 - d_o / d_e, abs=1e-10)


def test_it_refuses_undefined_statistics():
    with pytest.raises(ScoreDataError, match="same"):
        krippendorff_alpha(np.ones((2, 3)))
    with pytest.raises(ScoreDataError, match="complete"):
        intraclass_correlations(np.array([[1.0, nan], [2.0, 3.0]]))
