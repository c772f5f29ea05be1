"""Uncertainty and sensitivity analysis, vectorised over Monte Carlo draws.

COINr regenerates the whole coin for every draw (about half a second each). Here
the draws are split into what happens *before* aggregation and what happens *in*
it: every distinct combination of discrete pre-aggregation choices (imputation,
winsorisation limit, normalisation ...) is built once, and aggregation (method and
weights) is done for a whole batch of draws at once on 3-D arrays
(draws x units x children). Within a batch, a level is computed once per distinct
(input, weight vector) pair rather than once per draw (see ``_aggregate_draws``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kientao.indices.engine.aggregate import aggregate_level, membership
from kientao.indices.engine.errors import IndexDataError
from kientao.indices.engine.pipeline import STEP_NAMES, IndexBuild, Step, run_steps, vary_steps
from kientao.indices.engine.results import ranks_descending

__all__ = [
    "UncertainInput",
    "UncertaintyResult",
    "WeightNoise",
    "saltelli_design",
    "sobol_indices",
    "uncertainty",
    "with_step",
]


def with_step(steps: Sequence[Step], name: str) -> list[Step]:
    """``steps`` with an empty step ``name`` inserted at its place in COINr's order, if absent.

    The order is denominate, impute, screen, treat, normalise, aggregate. This is how
    an uncertain input can vary a step the nominal build skipped, e.g. imputation
    alternatives for a build without imputation (COINr skips such an input
    silently, its issue #60).
    """
    names = [s.name for s in steps]
    if name in names:
        return list(steps)
    order = list(STEP_NAMES)
    at = next((k for k, s in enumerate(steps) if order.index(s.name) > order.index(name)), len(steps))
    return [*steps[:at], Step(name), *steps[at:]]


@dataclass(frozen=True)
class UncertainInput:
    """A discrete uncertain assumption: one of ``alternatives`` for the parameters of ``step``.

    Example: ``UncertainInput("Normalisation", "normalise", ({"method": "minmax", "l_u": [1, 100]},
    {"method": "zscore", "m_sd": [10, 2]}))``. A uniform draw u in [0, 1) picks
    alternative ``floor(u K)`` (COINr's equal-width bins).
    """

    name: str
    step: str
    alternatives: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class WeightNoise:
    """Multiplicative weight noise ``w' = w + (2U - 1) f w`` per level (COINr ``get_noisy_weights``).

    ``n_sets`` noisy weight sets are drawn once (with the analysis seed); a uniform
    draw picks one set, as in COINr's vignette (Nrep = 100).
    """

    noise: Mapping[int, float]
    name: str = "Weights"
    n_sets: int = 100


Input = UncertainInput | WeightNoise


@dataclass(frozen=True)
class UncertaintyResult:
    """Outputs of :func:`uncertainty`.

    Attributes
    ----------
    rank_stats : DataFrame
        uCode, Nominal, Mean, Median, Q5, Q95 (ranks; for SA over the A and B runs).
    ranks : ndarray, shape (runs, units)
        Rank of every unit in every run (NaN for a failed run).
    scores : ndarray, shape (runs, units)
    samples : DataFrame
        The uniform draws (one column per input).
    sensitivity : DataFrame or None
        Variable, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95 (SA only).
    """

    rank_stats: pd.DataFrame
    ranks: np.ndarray
    scores: np.ndarray
    samples: pd.DataFrame
    sensitivity: pd.DataFrame | None = field(default=None)


def saltelli_design(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """COINr's ``SA_sample``: rows A (n), B (n), then A_B^(i) for i = 1..d (A with column i from B)."""
    base = rng.random((n, 2 * d))
    a, b = base[:, :d], base[:, d:]
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def sobol_indices(
    y: np.ndarray, n: int, d: int, *, n_boot: int = 0, rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """First-order and total Sobol indices from a Saltelli design (COINr ``SA_estimate``).

    ``S_i = mean(y_B (y_ABi - y_A)) / V``, ``ST_i = sum((y_A - y_ABi)^2) / (2 n V)`` (Jansen),
    ``V = var(y_A, y_B)``. Bootstrap percentiles 5-95 % when ``n_boot`` > 0 (COINr
    ``Nboot``): the N rows of the design are resampled with replacement ``n_boot``
    times, V held fixed, and the 5 % and 95 % quantiles of the resampled indices
    reported (``Si_q5``, ``Si_q95``, ``STi_q5``, ``STi_q95``).

    Parameters
    ----------
    y : ndarray, shape (n (d + 2),)
        Outputs in the order of :func:`saltelli_design`.
    n, d : int
        Base sample size and number of inputs.
    n_boot : int
        Bootstrap replicates (0 = none).
    rng : numpy Generator, optional
        For the bootstrap (default seed 0).

    Returns
    -------
    DataFrame
        Si, STi, N (rows used), and the four quantile columns when ``n_boot`` > 0.

    Raises
    ------
    IndexDataError
        Wrong length; fewer than two complete rows; an output that does not vary.

    Notes
    -----
    A failed run (NaN) removes its whole row of the design (the A, B and every
    A_B^(i) run of that row), so each index is estimated from complete rows only;
    COINr would return NA for every index instead.

    References
    ----------
    1. Saltelli et al. (2010), doi:10.1016/j.cpc.2009.09.018
    2. Jansen (1999), doi:10.1016/S0010-4655(98)00154-4
    """
    if y.size != n * (d + 2):
        raise IndexDataError(f"sobol_indices: expected {n * (d + 2)} outputs, got {y.size}")
    ya, yb = y[:n], y[n : 2 * n]
    yab = y[2 * n :].reshape(d, n)
    ok = np.isfinite(ya) & np.isfinite(yb) & np.isfinite(yab).all(axis=0)
    if ok.sum() < 2:
        raise IndexDataError("sobol_indices: fewer than two complete rows of the design (failed runs)")
    ya, yb, yab, n = ya[ok], yb[ok], yab[:, ok], int(ok.sum())
    var = float(np.var(np.concatenate([ya, yb]), ddof=1))
    if not var > 0:
        raise IndexDataError("sobol_indices: the output does not vary; sensitivity indices are undefined")
    si_terms = yb[None, :] * (yab - ya[None, :])
    st_terms = (ya[None, :] - yab) ** 2
    out = pd.DataFrame({"Si": si_terms.mean(axis=1) / var, "STi": st_terms.sum(axis=1) / (2 * n * var)})
    out["N"] = n
    if n_boot > 0:
        rng = rng or np.random.default_rng(0)
        idx = rng.integers(0, n, size=(n_boot, n))
        si_b = si_terms[:, idx].mean(axis=2) / var
        st_b = st_terms[:, idx].sum(axis=2) / (2 * n * var)
        out["Si_q5"], out["Si_q95"] = np.quantile(si_b, 0.05, axis=1), np.quantile(si_b, 0.95, axis=1)
        out["STi_q5"], out["STi_q95"] = np.quantile(st_b, 0.05, axis=1), np.quantile(st_b, 0.95, axis=1)
    return out


def _weight_table(build_result: IndexBuild) -> dict[str, float]:
    agg = [s for s in build_result.steps if s.name == "aggregate"]
    w = dict(build_result.framework.weights)
    given = agg[0].params.get("weights") if agg else None
    if isinstance(given, Mapping):
        w.update({k: float(v) for k, v in given.items()})
    elif given == "equal":
        w = dict.fromkeys(w, 1.0)
    return w


Level = tuple[tuple[str, ...], tuple[str, ...], np.ndarray]


def _aggregate_draws(
    x1: np.ndarray,
    indicators: Sequence[str],
    level_weights: Sequence[np.ndarray],
    w_idx: np.ndarray,
    levels: Sequence[Level],
    code: str,
    *,
    methods: Sequence[str],
    threshes: Sequence[float | None],
    exps: Sequence[float | None],
) -> np.ndarray:
    """Scores of ``code`` for a batch of draws sharing one normalised data set: (draws, units).

    ``x1`` is units x ``indicators``; ``levels`` are :func:`membership` tables from
    level 2 up; ``level_weights[l]`` holds the weights of the children of ``levels[l]``
    for every weight set (sets x children), draw k using set ``w_idx[k]``; it is one
    row (1 x children) when those weights are the same in every set.

    Draws that reach a level with the same inputs and the same weights for its
    children get the same result there, so each level is computed once per distinct
    (input, weight vector) pair, not once per draw. At level 2 every draw has the same
    input, and without noise on the indicator weights a single computation serves
    the whole batch; the next level then sees one data set and many weight vectors,
    which :func:`aggregate_level` handles as matrix products. Only from the level
    after the first noisy weights do the inputs differ between draws.
    """
    draws = w_idx.size
    col = {c: k for k, c in enumerate(indicators)}
    if code in col:
        return np.broadcast_to(x1[:, col[code]], (draws, x1.shape[0])).copy()
    values = x1[None]  # (states, units, children): the distinct inputs of the current level
    state = np.zeros(draws, dtype=np.intp)  # draw -> its row of ``values``
    for (children, parents, m), w_all, meth, th, ex in zip(
        levels, level_weights, methods, threshes, exps, strict=True
    ):
        x = values[:, :, [col[c] for c in children]]
        if w_all.shape[0] == 1:  # weights not varied: one vector for every draw
            wu, wid = w_all, np.zeros(draws, dtype=np.intp)
        else:
            sets, wid = np.unique(w_idx, return_inverse=True)
            wu = w_all[sets]
        pairs, inv = np.unique(state * len(wu) + wid.reshape(-1), return_inverse=True)
        from_state, from_w = np.divmod(pairs, len(wu))
        xin = x[0] if x.shape[0] == 1 else x[from_state]
        values = aggregate_level(xin, wu[from_w], m, method=meth, dat_thresh=th, errors="nan", p=ex)
        state = inv.reshape(-1)
        col = {c: k for k, c in enumerate(parents)}
        if code in col:
            return np.asarray(values[state, :, col[code]])
    raise IndexDataError(f"uncertainty: '{code}' is not an indicator or aggregate of the framework")


def uncertainty(
    build_result: IndexBuild,
    inputs: Sequence[Input],
    n: int,
    *,
    kind: str = "UA",
    code: str | None = None,
    seed: int = 0,
    n_boot: int = 0,
    batch: int = 1000,
    progress: Callable[[int, str], None] | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty (``kind="UA"``) or Sobol sensitivity (``kind="SA"``) analysis.

    Parameters
    ----------
    build_result : IndexBuild
        The nominal build (must end with an ``aggregate`` step).
    inputs : sequence of UncertainInput / WeightNoise
    n : int
        Draws (UA) or base sample size N of the Saltelli design (SA: N (d + 2) runs).
    kind : {"UA", "SA"}
    code : str, optional
        Output whose ranks are analysed (default: the index).
    seed : int
    n_boot : int
        Bootstrap replicates for the Sobol confidence intervals (SA).
    batch : int
        Draws aggregated at once (memory ~ batch x units x children x 8 bytes x 3 at
        the widest level whose inputs vary by draw; Copeland works in chunks of about
        4 million unit pairs).
    progress : callable(percent, message), optional

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    Each run's output is the rank of every unit on ``code`` (1 = best, ties min).
    A run whose aggregation is impossible (e.g. a geometric mean of a zero) is NaN,
    as COINr does; the statistics ignore it. SA target: the mean over units of
    ``|rank - nominal rank|``.
    """
    if kind not in ("UA", "SA"):
        raise IndexDataError("uncertainty: kind must be 'UA' or 'SA'")
    if n < 2:
        raise IndexDataError("uncertainty: n must be at least 2")
    fw = build_result.framework
    code = code or fw.top
    if code not in fw.nodes:
        raise IndexDataError(f"uncertainty: unknown code '{code}'")
    steps = list(build_result.steps)
    if not steps or steps[-1].name != "aggregate":
        raise IndexDataError("uncertainty: the build must end with an 'aggregate' step")
    if not build_result.replayable:
        raise IndexDataError(
            "uncertainty: this build cannot be regenerated on its own (a panel year normalised "
            "with all years together); analyse a build with per-year normalisation"
        )
    for inp in inputs:
        if isinstance(inp, UncertainInput):
            if inp.step not in STEP_NAMES:
                raise IndexDataError(
                    f"uncertainty: input '{inp.name}' varies step '{inp.step}', which the build does not have "
                    f"(steps are {list(STEP_NAMES)})"
                )
            if not inp.alternatives:
                raise IndexDataError(f"uncertainty: input '{inp.name}' has no alternatives")
            steps = with_step(steps, inp.step)
    rng = np.random.default_rng(seed)
    d = len(inputs)
    if kind == "SA":
        if d < 2:
            raise IndexDataError("uncertainty: SA needs at least two inputs")
        u = saltelli_design(n, d, rng)
    else:
        u = rng.random((n, d))
    runs = u.shape[0]
    base_w = _weight_table(build_result)
    codes = list(fw.nodes)
    w_nominal = np.array([base_w[c] for c in codes])
    # per-run weight vector index (0 = nominal) and weight sets
    weight_sets = [w_nominal]
    choice = np.zeros((runs, d), dtype=int)
    for j, inp in enumerate(inputs):
        if isinstance(inp, WeightNoise):
            sets = np.repeat(w_nominal[None, :], inp.n_sets, axis=0)
            for level, f in sorted(inp.noise.items()):
                at = [k for k, c in enumerate(codes) if fw.nodes[c].level == level]
                noise = (rng.random((inp.n_sets, len(at))) * 2 - 1) * f
                sets[:, at] = sets[:, at] + noise * sets[:, at]
            choice[:, j] = len(weight_sets) + np.minimum((u[:, j] * inp.n_sets).astype(int), inp.n_sets - 1)
            weight_sets.extend(sets)
        else:
            k = len(inp.alternatives)
            choice[:, j] = np.minimum((u[:, j] * k).astype(int), k - 1)
    weights = np.vstack(weight_sets)
    w_col = [j for j, inp in enumerate(inputs) if isinstance(inp, WeightNoise)]
    w_idx = choice[:, w_col[0]] if w_col else np.zeros(runs, dtype=int)
    pre = [j for j, inp in enumerate(inputs) if isinstance(inp, UncertainInput) and inp.step != "aggregate"]
    agg = [j for j, inp in enumerate(inputs) if isinstance(inp, UncertainInput) and inp.step == "aggregate"]
    units = build_result.datasets["Aggregated"].index
    scores = np.full((runs, len(units)), np.nan)
    keys = np.column_stack([choice[:, pre], choice[:, agg]]) if (pre or agg) else np.zeros((runs, 1), int)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    normalised_cache: dict[tuple[int, ...], pd.DataFrame] = {}
    start_data = build_result.datasets[build_result.input_name]
    raw_units = build_result.units if build_result.raw_units is None else build_result.raw_units
    levels = [membership(fw, lv) for lv in range(2, fw.max_level + 1)]
    pos = {c: k for k, c in enumerate(codes)}
    level_weights = []
    for children, _, _ in levels:
        w_all = weights[:, [pos[c] for c in children]]
        level_weights.append(w_all if (w_all != w_all[0]).any() else w_all[:1])
    done = 0
    for g, key in enumerate(uniq):
        rows = np.flatnonzero(inverse == g)
        pre_key = tuple(int(v) for v in key[: len(pre)])
        if pre_key not in normalised_cache:
            varied = steps
            for j, alt in zip(pre, pre_key, strict=True):
                inp = inputs[j]
                assert isinstance(inp, UncertainInput)
                varied = vary_steps(varied, inp.step, **dict(inp.alternatives[alt]))
            try:
                b = run_steps(fw, raw_units, start_data, varied, stop_before="aggregate")
                normalised_cache[pre_key] = b.scores.reindex(units)
            except IndexDataError:
                normalised_cache[pre_key] = pd.DataFrame()  # a failed run: NaN, as COINr
        x0 = normalised_cache[pre_key]
        agg_params: dict[str, Any] = {k: v for k, v in steps[-1].params.items() if k != "weights"}
        for j, alt in zip(agg, key[len(pre) : len(pre) + len(agg)], strict=True):
            inp = inputs[j]
            assert isinstance(inp, UncertainInput)
            agg_params.update(inp.alternatives[int(alt)])
        if x0.empty:
            continue
        method = agg_params.get("method", "amean")
        thresh = agg_params.get("dat_thresh")
        expo = agg_params.get("p")
        nlev = len(levels)
        methods = [method] * nlev if isinstance(method, str) else list(method)
        threshes = list(thresh) if isinstance(thresh, list | tuple) else [thresh] * nlev
        exps = list(expo) if isinstance(expo, list | tuple) else [expo] * nlev
        x1 = x0.to_numpy(float)
        indicators = list(x0.columns)
        for start in range(0, rows.size, batch):
            r = rows[start : start + batch]
            scores[r] = _aggregate_draws(
                x1, indicators, level_weights, w_idx[r], levels, code,
                methods=methods, threshes=threshes, exps=exps,
            )
            done += r.size
            if progress is not None:
                progress(int(95 * done / runs), f"{done} of {runs} runs")
    ranks = ranks_descending(scores, axis=1)
    ranks[np.isnan(scores).all(axis=1)] = np.nan
    nominal = ranks_descending(build_result.datasets["Aggregated"][code].to_numpy(float))
    use = ranks[: 2 * n] if kind == "SA" else ranks
    stats = pd.DataFrame(
        {
            "uCode": units,
            "Nominal": nominal,
            "Mean": np.nanmean(use, axis=0),
            "Median": np.nanmedian(use, axis=0),
            "Q5": np.nanquantile(use, 0.05, axis=0),
            "Q95": np.nanquantile(use, 0.95, axis=0),
        }
    )
    sens = None
    if kind == "SA":
        dev = np.abs(ranks - nominal[None, :])
        y = np.full(runs, np.nan)
        okr = ~np.isnan(dev).all(axis=1)
        y[okr] = np.nanmean(dev[okr], axis=1)
        sens = sobol_indices(y, n, d, n_boot=n_boot, rng=rng)
        sens.insert(0, "Variable", [inp.name for inp in inputs])
    if progress is not None:
        progress(100, "done")
    return UncertaintyResult(
        rank_stats=stats,
        ranks=ranks,
        scores=scores,
        samples=pd.DataFrame(u, columns=[inp.name for inp in inputs]),
        sensitivity=sens,
    )


def coinr_vignette_inputs() -> list[Input]:
    """The four inputs of COINr's sensitivity vignette (used for the ASEM reference files)."""
    return [
        UncertainInput("Winmax", "treat", tuple({"winmax": k} for k in range(1, 6))),
        UncertainInput(
            "Normalisation",
            "normalise",
            ({"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}),
        ),
        WeightNoise({2: 0.25, 3: 0.25}, name="Weights", n_sets=100),
        UncertainInput("Aggregation", "aggregate", ({"method": "amean"}, {"method": "gmean"})),
    ]

