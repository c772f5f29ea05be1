"""The fast paths of the uncertainty analysis agree with the straightforward computation.

Cross-checks of three shortcuts on random cases with ties and missing values:
Copeland scores by pair patterns (one data set with many weight vectors, and data
that vary by draw), weighted means of one data set under many weight vectors as
matrix products, and the per-level de-duplication of draws in the uncertainty
analysis.
"""

from __future__ import annotations

import numpy as np
import pytest

from kientao.indices.engine.aggregate import _MAX_CODED, aggregate_level, copeland, copeland_level
from kientao.indices.engine.uncertainty import Level, _aggregate_draws

# Means: the same sums in another order, on values up to ~100: 1e-9 absolute is
# ~1e5 times the rounding error. Copeland scores are integers: exact.
SUMS = 1e-9


def _membership(sizes: list[int]) -> np.ndarray:
    """0/1 matrix (children x parents) for consecutive groups of the given sizes."""
    m = np.zeros((sum(sizes), len(sizes)))
    m[np.arange(sum(sizes)), np.repeat(np.arange(len(sizes)), sizes)] = 1.0
    return m


def _tied_data(rng: np.random.Generator, shape: tuple[int, ...], *, missing: float = 0.1) -> np.ndarray:
    """Few distinct values (many ties), some missing, one unit missing everywhere."""
    x = rng.integers(0, 4, size=shape).astype(float)
    x[rng.random(shape) < missing] = np.nan
    x[..., 1, :] = np.nan
    return x


def _naive_copeland(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """One :func:`copeland` per parent: (U, P)."""
    return np.column_stack([copeland(x[:, m[:, j] > 0], w[m[:, j] > 0]) for j in range(m.shape[1])])


# group sizes: every parent coded (<= _MAX_CODED children), none coded, and a mix
SIZES = [[1, 3, 2], [_MAX_CODED + 1, _MAX_CODED + 4], [2, _MAX_CODED, _MAX_CODED + 2]]


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_scores_copeland_on_one_data_set_like_naive_builds(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = _membership(sizes)
    x = _tied_data(rng, (11, m.shape[0]))
    w = rng.uniform(0.2, 1.5, size=(6, m.shape[0]))
    w[0] = 1.0  # equal weights: exact 0.5 ties
    got = copeland_level(x, w, m)
    for q in range(w.shape[0]):
        np.testing.assert_array_equal(got[q], _naive_copeland(x, w[q], m))
    np.testing.assert_array_equal(copeland_level(x, w[2], m), _naive_copeland(x, w[2], m))


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("seed", [3, 4])
def test_it_scores_copeland_on_per_draw_data_like_naive_builds(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = _membership(sizes)
    x = _tied_data(rng, (5, 10, m.shape[0]))
    w = rng.uniform(0.2, 1.5, size=(5, m.shape[0]))
    w[1] = 2.0
    got = copeland_level(x, w, m)
    for q in range(5):
        np.testing.assert_array_equal(got[q], _naive_copeland(x[q], w[q], m))
    # one weight vector for every draw
    got1 = copeland_level(x, w[3], m)
    for q in range(5):
        np.testing.assert_array_equal(got1[q], _naive_copeland(x[q], w[3], m))


def test_it_treats_float_noise_at_one_half_as_a_tie_in_every_path() -> None:
    # i beats j on the children weighted 0.1 and 0.2 and loses on the one weighted 0.3:
    # o_ij = 0.5 exactly, but 0.1 + 0.2 != 0.3 in floating point
    x = np.array([[2.0, 2.0, 1.0], [1.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    w = np.array([0.1, 0.2, 0.3])
    m = np.ones((3, 1))
    want = np.array([1.0, 1.0, -2.0])  # 0 vs 1 tie; both beat 2
    np.testing.assert_array_equal(copeland(x, w), want)
    np.testing.assert_array_equal(copeland_level(x, w[None], m)[0, :, 0], want)
    np.testing.assert_array_equal(copeland_level(x[None], w[None], m)[0, :, 0], want)
    # the uncoded paths: pad with zero-weight children beyond _MAX_CODED
    pad = _MAX_CODED + 1
    xp = np.column_stack([x, np.zeros((3, pad))])
    wp = np.concatenate([w, np.zeros(pad)])
    mp = np.ones((3 + pad, 1))
    np.testing.assert_array_equal(copeland_level(xp, wp[None], mp)[0, :, 0], want)
    np.testing.assert_array_equal(copeland_level(xp[None], wp[None], mp)[0, :, 0], want)


@pytest.mark.parametrize(
    ("method", "p"), [("amean", None), ("gmean", None), ("hmean", None), ("genmean", 2.0), ("genmean", -1.5)]
)
@pytest.mark.parametrize("dat_thresh", [None, 0.6])
def test_it_averages_one_data_set_under_many_weights_like_one_at_a_time(
    method: str, p: float | None, dat_thresh: float | None
) -> None:
    rng = np.random.default_rng(5)
    m = _membership([3, 1, 4])
    x = rng.uniform(1, 100, size=(12, 8))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[3] = np.nan
    w = rng.uniform(0.2, 1.5, size=(7, 8))
    got = aggregate_level(x, w, m, method=method, p=p, dat_thresh=dat_thresh)
    assert got.shape == (7, 12, 3)
    for q in range(7):
        want = aggregate_level(x, w[q], m, method=method, p=p, dat_thresh=dat_thresh)
        np.testing.assert_allclose(got[q], want, rtol=0, atol=SUMS)


def test_it_fails_every_weight_vector_on_a_zero_under_gmean() -> None:
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    got = aggregate_level(x, np.ones((3, 2)), np.ones((2, 1)), method="gmean", errors="nan")
    assert got.shape == (3, 2, 1) and np.isnan(got).all()


def _naive_draws(
    x1: np.ndarray,
    indicators: list[str],
    level_weights: list[np.ndarray],
    w_idx: np.ndarray,
    levels: list[Level],
    code: str,
    methods: list[str],
    exps: list[float | None],
) -> np.ndarray:
    """Every draw on its own, level by level, with the plain single-draw functions."""
    out = np.empty((w_idx.size, x1.shape[0]))
    for k, s in enumerate(w_idx):
        cols = {c: x1[:, j] for j, c in enumerate(indicators)}
        for (children, parents, m), w_all, meth, ex in zip(levels, level_weights, methods, exps, strict=True):
            x = np.column_stack([cols[c] for c in children])
            w = w_all[s if w_all.shape[0] > 1 else 0]
            if meth == "copeland":
                y = _naive_copeland(x, w, m)
            else:
                y = aggregate_level(x, w, m, method=meth, errors="nan", p=ex)
            cols.update({c: y[:, j] for j, c in enumerate(parents)})
        out[k] = cols[code]
    return out


@pytest.mark.parametrize(
    "methods",
    [["amean", "amean", "amean"], ["copeland", "copeland", "copeland"], ["gmean", "copeland", "genmean"],
     ["copeland", "amean", "copeland"]],
)
@pytest.mark.parametrize("noisy", [(False, True, True), (True, True, False), (False, False, False)])
def test_it_shares_work_between_draws_without_changing_them(methods: list[str], noisy: tuple[bool, ...]) -> None:
    rng = np.random.default_rng(7)
    indicators = [f"i{k}" for k in range(12)]
    pillars = ["P1", "P2", "P3", "P4"]
    subs = ["S1", "S2"]
    levels: list[Level] = [
        (tuple(indicators), tuple(pillars), _membership([2, 3, 4, 3])),
        (tuple(pillars), tuple(subs), _membership([3, 1])),
        (tuple(subs), ("Index",), _membership([2])),
    ]
    x1 = rng.uniform(1, 100, size=(9, 12)).round(0)  # rounded: ties
    x1[rng.random(x1.shape) < 0.1] = np.nan
    n_sets = 6
    level_weights = [
        rng.uniform(0.5, 1.5, size=(n_sets if noise else 1, len(children)))
        for (children, _, _), noise in zip(levels, noisy, strict=True)
    ]
    w_idx = rng.integers(0, n_sets, size=40)
    exps: list[float | None] = [2.0 if meth == "genmean" else None for meth in methods]
    for code in ("Index", "S2", "P3", "i4"):
        got = _aggregate_draws(
            x1, indicators, level_weights, w_idx, levels, code,
            methods=methods, threshes=[None] * 3, exps=exps,
        )
        want = _naive_draws(x1, indicators, level_weights, w_idx, levels, code, methods, exps)
        np.testing.assert_allclose(got, want, rtol=0, atol=SUMS)
