"""Score calibration: raw means, per-judge z-scores, the additive judge-bias model.

Also inter-rater reliability per criterion, disagreement flags and the final
ranking with ties and an uncertainty band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sps
from scipy import stats
from scipy.sparse.csgraph import connected_components

from kientao.challenges.engine.errors import ScoreDataError
from kientao.challenges.engine.reliability import (
    Metric,
    intraclass_correlations,
    krippendorff_alpha,
    one_way_icc,
)

REQUIRED_COLUMNS = ("submission", "judge", "criterion", "score")


@dataclass(frozen=True)
class BiasModel:
    """Fit of :math:`y_{ij} = f_i + b_j + \\varepsilon_{ij}` (see :func:`fit_additive_bias`).

    Attributes
    ----------
    quality, quality_se : ndarray, shape (n_submissions,)
        :math:`\\hat f_i` and its standard error.
    bias, bias_se : ndarray, shape (n_judges,)
        :math:`\\hat b_j` (summing to zero within each component) and SE.
    submission_component, judge_component : ndarray of int
        Connected component of each submission and judge in the review graph.
    n_components : int
        Number of connected components.
    sigma : float
        Residual standard deviation.
    """

    quality: np.ndarray
    quality_se: np.ndarray
    bias: np.ndarray
    bias_se: np.ndarray
    submission_component: np.ndarray
    judge_component: np.ndarray
    n_components: int
    sigma: float


def fit_additive_bias(
    submission: np.ndarray,
    judge: np.ndarray,
    score: np.ndarray,
    *,
    n_submissions: int | None = None,
    n_judges: int | None = None,
    ridge: float = 1.0,
) -> BiasModel:
    """Least-squares fit of the additive judge-bias model over the review graph.

    .. math::

        \\min_{f, b} \\sum_{(i,j)} (y_{ij} - f_i - b_j)^2 + \\lambda \\sum_j b_j^2

    Eliminating :math:`f_i = \\bar y_i - \\frac{1}{n_i}\\sum_{j \\in N(i)} b_j`
    leaves the judges' system
    :math:`(D_m + \\lambda I - B^\\top D_n^{-1} B)\\, b = B^\\top (y - \\bar y)`,
    a graph Laplacian plus ridge, solved densely (judges are few).

    Parameters
    ----------
    submission, judge : ndarray of int, shape (N,)
        Indices of each review (one review per pair).
    score : ndarray of float, shape (N,)
        The review's score :math:`y_{ij}`.
    n_submissions, n_judges : int, optional
        Totals (default: largest index + 1).
    ridge : float
        :math:`\\lambda \\ge 0`, shrinkage of the biases toward 0 in units of
        one review (``0``: plain least squares with :math:`\\sum b_j = 0` per
        component).

    Returns
    -------
    BiasModel

    Raises
    ------
    ScoreDataError
        On negative ridge, mismatched arrays or a repeated pair.

    Examples
    --------
    >>> s = np.array([0, 0, 1, 1]); j = np.array([0, 1, 0, 1])
    >>> m = fit_additive_bias(s, j, np.array([6.0, 4.0, 8.0, 6.0]), ridge=0.0)
    >>> m.quality.round(6).tolist(), m.bias.round(6).tolist()
    ([5.0, 7.0], [1.0, -1.0])

    Notes
    -----
    Shifting all biases of a component by :math:`c` and its qualities by
    :math:`-c` leaves the fit unchanged, so the ridge optimum has
    :math:`\\sum b_j = 0` in every component exactly; with ``ridge=0`` the
    same centring is imposed by adding the projector onto each component's
    constant vector. Qualities of different components are not comparable
    (each is centred on its own judges). Standard errors assume independent
    errors of equal variance, :math:`\\hat\\sigma^2 = RSS/(N - P - R + C)`;
    when that is not positive (every submission reviewed once) the SD of all
    scores is used, a conservative fallback.

    References
    ----------
    .. [1] Lawrence, "Reviewer calibration for NIPS" (2014).
       https://inverseprobability.com/2014/08/02/reviewer-calibration-for-nips
    .. [2] MacKay, Kenna, Low & Parker, "Calibration with confidence: a
       principled method for panel assessment", R. Soc. Open Sci. 4:160760
       (2017). https://doi.org/10.1098/rsos.160760
    """
    s = np.asarray(submission, dtype=np.int64)
    j = np.asarray(judge, dtype=np.int64)
    y = np.asarray(score, dtype=float)
    if not (s.shape == j.shape == y.shape) or y.ndim != 1 or y.size == 0:
        raise ScoreDataError(
            "submission, judge and score must be non-empty 1-D arrays of one length"
        )
    if ridge < 0:
        raise ScoreDataError(f"ridge must be non-negative, got {ridge}")
    p = int(s.max()) + 1 if n_submissions is None else n_submissions
    r = int(j.max()) + 1 if n_judges is None else n_judges
    b_mat = sps.csr_matrix((np.ones(y.size), (s, j)), shape=(p, r))
    if b_mat.max() > 1:
        raise ScoreDataError("each (submission, judge) pair may have only one score")
    n_i = np.asarray(b_mat.sum(axis=1)).ravel()
    m_j = np.asarray(b_mat.sum(axis=0)).ravel()
    graph = sps.csr_matrix((np.ones(y.size), (s, p + j)), shape=(p + r, p + r))
    n_comp, labels = connected_components(graph, directed=False)
    sub_comp, judge_comp = labels[:p], labels[p:]

    safe_n = np.where(n_i > 0, n_i, 1.0)
    ybar = np.bincount(s, weights=y, minlength=p) / safe_n
    dinv_b = sps.diags(1.0 / safe_n) @ b_mat
    laplacian = np.diag(m_j) - (b_mat.T @ dinv_b).toarray()
    rhs = np.bincount(j, weights=y - ybar[s], minlength=r)
    projector = np.zeros((r, r))
    for c in np.unique(judge_comp):
        members = np.flatnonzero(judge_comp == c)
        projector[np.ix_(members, members)] = 1.0 / members.size
    system = laplacian + ridge * np.eye(r) + projector
    system_inv = np.linalg.inv(system)
    bias = system_inv @ rhs
    quality = ybar - dinv_b @ bias

    resid = y - quality[s] - bias[j]
    dof = y.size - p - r + n_comp
    sigma = float(np.sqrt((resid**2).sum() / dof)) if dof > 0 else float(np.std(y))
    var_b = sigma**2 * (system_inv @ laplacian @ system_inv)
    # a_i' Var(b) a_i with a_i the sparse row of D_n^-1 B (each submission has few judges).
    spread_b = np.asarray(dinv_b @ var_b, dtype=float)
    quad = np.asarray(dinv_b.multiply(spread_b).sum(axis=1), dtype=float).ravel()
    var_f = sigma**2 / safe_n + quad
    return BiasModel(
        quality=quality,
        quality_se=np.sqrt(np.maximum(var_f, 0.0)),
        bias=bias,
        bias_se=np.sqrt(np.maximum(np.diag(var_b), 0.0)),
        submission_component=sub_comp,
        judge_component=judge_comp,
        n_components=int(np.unique(labels[np.concatenate([n_i > 0, m_j > 0])]).size),
        sigma=sigma,
    )


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate_scores`.

    Attributes
    ----------
    submissions : DataFrame
        One row per submission, best first: ``submission``, ``n_judges``,
        ``raw_mean``, ``raw_sd`` (0 with one judge), ``raw_min``, ``raw_max``,
        ``zscore_mean`` (mean of per-judge z-scores), ``zscore_rescaled``
        (linearly mapped onto the range of ``raw_mean``, as Evalato does),
        ``additive`` (:math:`\\hat f_i`), ``additive_se``, ``component``,
        ``score`` (the ranking score), ``score_low``, ``score_high`` (its
        confidence band), ``rank`` (1 best, ties share the smallest rank),
        ``rank_best``, ``rank_worst`` (rank interval implied by the bands).
    judges : DataFrame
        ``judge``, ``n_scores``, ``mean``, ``sd``, ``bias``, ``bias_se``, ``component``.
    reviews : DataFrame
        ``submission``, ``judge``, ``total`` (weighted rubric score), ``zscore``.
    reliability : DataFrame
        Long format: ``criterion`` (a criterion or ``"(total)"``),
        ``statistic`` (``ICC(1,1)``, ``ICC(1,k)``, ``ICC(2,1)`` ... when the
        design is complete, ``alpha_interval``, ``alpha_ordinal``), ``value``,
        ``ci_low``, ``ci_high`` (Krippendorff's alpha rows carry the point
        estimate as both bounds: no interval is computed), ``n_items``,
        ``n_raters``.
    flags : DataFrame
        ``submission``, ``flag`` (``"spread"`` or ``"shortlist_line"``), ``detail``.
    summary : dict
        Counts, method, parameters, components, residual SD and notes.
    """

    submissions: pd.DataFrame
    judges: pd.DataFrame
    reviews: pd.DataFrame
    reliability: pd.DataFrame
    flags: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def _validate(
    scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series | None
) -> tuple[pd.DataFrame, pd.Series]:
    if not isinstance(scores, pd.DataFrame):
        raise ScoreDataError(
            "scores must be a DataFrame with columns " + ", ".join(REQUIRED_COLUMNS)
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in scores.columns]
    if missing:
        raise ScoreDataError(
            f"scores: missing column(s) {missing}; expected {list(REQUIRED_COLUMNS)}"
        )
    if scores.empty:
        raise ScoreDataError("scores: no rows")
    df = scores[list(REQUIRED_COLUMNS)].copy().reset_index(drop=True)
    for col in ("submission", "judge", "criterion"):
        bad = df[col].isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ScoreDataError(f"scores: row {row + 1}, column {col}: empty value")
    numeric = pd.to_numeric(df["score"], errors="coerce")
    bad = numeric.isna() | ~np.isfinite(numeric.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScoreDataError(
            f"scores: row {row + 1}, column score: expected a number, got {df['score'].iloc[row]!r}"
        )
    df["score"] = numeric.astype(float)
    df["criterion"] = df["criterion"].astype(str)
    dup = df.duplicated(["submission", "judge", "criterion"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise ScoreDataError(
            f"scores: row {row + 1}: judge {df['judge'].iloc[row]!r} already scored criterion "
            f"{df['criterion'].iloc[row]!r} of submission {df['submission'].iloc[row]!r}"
        )
    criteria = sorted(df["criterion"].unique())
    if weights is None:
        w = pd.Series(1.0, index=criteria)
    else:
        w = pd.Series(dict(weights), dtype=float)
        w.index = w.index.astype(str)
        absent = [c for c in criteria if c not in w.index]
        if absent:
            raise ScoreDataError(f"weights: no weight for criterion {absent[0]!r}")
        w = w.loc[criteria]
        if (~np.isfinite(w.to_numpy())).any() or (w < 0).any() or w.sum() <= 0:
            raise ScoreDataError("weights: each weight must be a finite number >= 0, not all 0")
    return df, w


def _rank_band(
    score: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Ties: scores equal up to rounding noise share the smallest rank.
    scale = max(1.0, float(np.abs(score).max()))
    rounded = np.round(score / scale, 9)
    rank = pd.Series(-rounded).rank(method="min").to_numpy(dtype=np.int64)
    lows = np.sort(low)
    highs = np.sort(high)
    # rank_best: 1 + number of others certainly better (their low > my high).
    better = low.size - np.searchsorted(lows, high, side="right")
    # rank_worst: number (self included) not certainly worse (their high >= my low).
    not_worse = high.size - np.searchsorted(highs, low, side="left")
    return rank, 1 + better, np.maximum(not_worse, 1)


def calibrate_scores(
    scores: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    rank_by: Literal["additive", "raw", "zscore"] = "additive",
    ridge: float = 1.0,
    confidence: float = 0.95,
    spread_threshold: float | None = None,
    shortlist: int | None = None,
) -> Calibration:
    """Calibrate judges' rubric scores, measure agreement, flag and rank.

    Each review's total is the weighted rubric mean
    :math:`t_{ij} = \\sum_c w_c y_{ijc} / \\sum_{c \\text{ scored}} w_c`.
    Side by side: the raw mean :math:`\\bar t_i`; the per-judge z-score mean
    :math:`\\bar z_i`, :math:`z_{ij} = (t_{ij} - \\mu_j)/\\sigma_j`, and its
    rescaling to the raw range; the additive model
    :math:`t_{ij} = f_i + b_j + \\varepsilon_{ij}` (:func:`fit_additive_bias`).

    Parameters
    ----------
    scores : DataFrame
        Columns ``submission``, ``judge``, ``criterion``, ``score``; one row
        per judge, submission and criterion.
    weights : mapping or Series criterion -> weight, optional
        Rubric weights (default: equal).
    rank_by : {"additive", "raw", "zscore"}
        Score used for the ranking. Bands: ``additive`` ± z·SE of the model;
        ``raw`` ± z·SD/√n (pooled SD for single reviews); ``zscore`` ± z·SD
        of the z-scores /√n.
    ridge : float
        Ridge of the additive model (see :func:`fit_additive_bias`).
    confidence : float
        Level of confidence bands and ICC intervals.
    spread_threshold : float, optional
        Flag a submission when max − min of its review totals exceeds this
        (default: 30 % of the range of all review totals).
    shortlist : int, optional
        Size of the shortlist; flags submissions whose rank interval
        straddles the line (``rank_best <= shortlist < rank_worst``).

    Returns
    -------
    Calibration

    Raises
    ------
    ScoreDataError
        Missing columns, empty cells, non-numeric scores, duplicated
        (submission, judge, criterion), a criterion without weight, or bad options.

    Examples
    --------
    >>> df = pd.DataFrame({"submission": ["a", "a", "b", "b"],
    ...                    "judge": ["x", "y", "x", "y"],
    ...                    "criterion": "impact", "score": [6.0, 4.0, 8.0, 6.0]})
    >>> cal = calibrate_scores(df, ridge=0.0)
    >>> cal.submissions[["submission", "raw_mean", "additive", "rank"]].values.tolist()
    [['b', 7.0, 7.0, 1], ['a', 5.0, 5.0, 2]]

    Notes
    -----
    Raw and calibrated scores are reported together (NIPS practice): z-scores
    assume each judge saw a comparable random sample; the additive model needs
    overlap (a connected review graph) and calibrates each connected component
    separately — ``summary["components"]`` > 1 means scores of different
    components are not comparable. A judge with a single review or constant
    scores gets z = 0 (no information on their scale). Reliability per
    criterion: ICC(1,1)/(1,k) always (one-way, unequal panels), ICC(2,·) and
    ICC(3,·) only when every judge scored every submission, and
    Krippendorff's alpha (interval, ordinal), which allows missing data.

    References
    ----------
    .. [1] Lawrence (2014), "Reviewer calibration for NIPS".
       https://inverseprobability.com/2014/08/02/reviewer-calibration-for-nips
    .. [2] Shrout & Fleiss (1979). https://doi.org/10.1037/0033-2909.86.2.420
    .. [3] Hayes & Krippendorff (2007). https://doi.org/10.1080/19312450709336664
    .. [4] Heyard, Ott, Salanti & Egger, "Rethinking the funding line at the
       Swiss National Science Foundation", Stat. Public Policy 9(1):110–121
       (2022). https://doi.org/10.1080/2330443X.2022.2086190
    """
    if rank_by not in ("additive", "raw", "zscore"):
        raise ScoreDataError(f"rank_by must be 'additive', 'raw' or 'zscore', got {rank_by!r}")
    if not 0 < confidence < 1:
        raise ScoreDataError(f"confidence must lie in (0, 1), got {confidence}")
    if shortlist is not None and shortlist < 1:
        raise ScoreDataError(f"shortlist must be at least 1, got {shortlist}")
    df, w = _validate(scores, weights)
    df["weight"] = df["criterion"].map(w).astype(float)
    df["weighted"] = df["weight"] * df["score"]
    reviews = df.groupby(["submission", "judge"], sort=True).agg(
        weighted=("weighted", "sum"), weight=("weight", "sum")
    )
    if (reviews["weight"] <= 0).any():
        s, j = reviews.index[np.flatnonzero((reviews["weight"] <= 0).to_numpy())[0]]
        raise ScoreDataError(
            f"scores: judge {j!r} scored submission {s!r} only on zero-weight criteria"
        )
    reviews = reviews.reset_index()
    reviews["total"] = reviews["weighted"] / reviews["weight"]
    reviews = reviews[["submission", "judge", "total"]]

    sub_codes, sub_labels = pd.factorize(reviews["submission"], sort=True)
    judge_codes, judge_labels = pd.factorize(reviews["judge"], sort=True)
    t = reviews["total"].to_numpy(dtype=float)
    n_sub, n_judge = sub_labels.size, judge_labels.size

    # Per-judge z-scores.
    jstats = reviews.groupby(judge_codes)["total"].agg(["count", "mean", "std"])
    mu = jstats["mean"].to_numpy()[judge_codes]
    sd = jstats["std"].fillna(0.0).to_numpy()[judge_codes]
    z = np.where(sd > 0, (t - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    reviews = reviews.assign(zscore=z)

    n_i = np.bincount(sub_codes, minlength=n_sub)
    raw_mean = np.bincount(sub_codes, weights=t, minlength=n_sub) / n_i
    raw_sq = np.bincount(sub_codes, weights=(t - raw_mean[sub_codes]) ** 2, minlength=n_sub)
    raw_sd = np.sqrt(np.where(n_i > 1, raw_sq / np.maximum(n_i - 1, 1), 0.0))
    raw_min = pd.Series(t).groupby(sub_codes).min().to_numpy()
    raw_max = pd.Series(t).groupby(sub_codes).max().to_numpy()
    z_mean = np.bincount(sub_codes, weights=z, minlength=n_sub) / n_i
    z_sq = np.bincount(sub_codes, weights=(z - z_mean[sub_codes]) ** 2, minlength=n_sub)
    if z_mean.max() > z_mean.min():
        z_rescaled = raw_mean.min() + (z_mean - z_mean.min()) * (
            (raw_mean.max() - raw_mean.min()) / (z_mean.max() - z_mean.min())
        )
    else:
        z_rescaled = np.full(n_sub, raw_mean.mean())

    model = fit_additive_bias(
        sub_codes, judge_codes, t, n_submissions=n_sub, n_judges=n_judge, ridge=ridge
    )
    crit = float(stats.norm.ppf(0.5 + confidence / 2))
    if rank_by == "additive":
        score, se = model.quality, model.quality_se
    elif rank_by == "raw":
        multi = n_i > 1
        pooled = float(np.sqrt(raw_sq.sum() / max(int((n_i[multi] - 1).sum()), 1)))
        score, se = raw_mean, np.where(multi, raw_sd, pooled) / np.sqrt(n_i)
    else:
        multi = n_i > 1
        z_sd = np.sqrt(np.where(multi, z_sq / np.maximum(n_i - 1, 1), 0.0))
        pooled = float(np.sqrt(z_sq.sum() / max(int((n_i[multi] - 1).sum()), 1)))
        score, se = z_mean, np.where(multi, z_sd, pooled) / np.sqrt(n_i)
    low, high = score - crit * se, score + crit * se
    rank, rank_best, rank_worst = _rank_band(score, low, high)

    submissions = pd.DataFrame(
        {
            "submission": sub_labels,
            "n_judges": n_i,
            "raw_mean": raw_mean,
            "raw_sd": raw_sd,
            "raw_min": raw_min,
            "raw_max": raw_max,
            "zscore_mean": z_mean,
            "zscore_rescaled": z_rescaled,
            "additive": model.quality,
            "additive_se": model.quality_se,
            "component": model.submission_component,
            "score": score,
            "score_low": low,
            "score_high": high,
            "rank": rank,
            "rank_best": rank_best,
            "rank_worst": rank_worst,
        }
    )
    submissions = submissions.sort_values(["rank", "submission"], kind="stable").reset_index(
        drop=True
    )

    judges = pd.DataFrame(
        {
            "judge": judge_labels,
            "n_scores": jstats["count"].to_numpy(),
            "mean": jstats["mean"].to_numpy(),
            "sd": jstats["std"].fillna(0.0).to_numpy(),
            "bias": model.bias,
            "bias_se": model.bias_se,
            "component": model.judge_component,
        }
    )

    # Flags.
    t_range = float(t.max() - t.min())
    threshold = 0.3 * t_range if spread_threshold is None else float(spread_threshold)
    flag_rows: list[dict[str, Any]] = []
    f_sub = submissions["submission"].tolist()
    f_n = submissions["n_judges"].to_numpy()
    f_min = submissions["raw_min"].to_numpy(dtype=float)
    f_max = submissions["raw_max"].to_numpy(dtype=float)
    f_best = submissions["rank_best"].to_numpy()
    f_worst = submissions["rank_worst"].to_numpy()
    for i, label in enumerate(f_sub):
        spread = float(f_max[i] - f_min[i])
        if f_n[i] > 1 and spread > threshold:
            flag_rows.append(
                {
                    "submission": label,
                    "flag": "spread",
                    "detail": f"judges' totals range {f_min[i]:.3g}-{f_max[i]:.3g} "
                    f"(spread {spread:.3g} > {threshold:.3g})",
                }
            )
        if shortlist is not None and f_best[i] <= shortlist < f_worst[i]:
            flag_rows.append(
                {
                    "submission": label,
                    "flag": "shortlist_line",
                    "detail": f"rank interval {f_best[i]}-{f_worst[i]} crosses "
                    f"the shortlist line at {shortlist}",
                }
            )
    flags = pd.DataFrame(flag_rows, columns=["submission", "flag", "detail"])

    reliability, notes = _reliability_table(df, reviews, confidence)
    if model.n_components > 1:
        notes.append(
            f"the judge-submission graph has {model.n_components} connected components; "
            "additive scores are calibrated per component and are not comparable across them"
        )
    low_alpha = reliability[
        (reliability["statistic"] == "alpha_interval") & (reliability["value"] < 0.667)
    ]
    for crit_name, value in zip(low_alpha["criterion"], low_alpha["value"], strict=True):
        notes.append(f"criterion {crit_name}: Krippendorff's alpha {float(value):.3f} < 0.667")
    summary: dict[str, Any] = {
        "n_submissions": int(n_sub),
        "n_judges": int(n_judge),
        "n_reviews": int(t.size),
        "criteria": {str(c): float(v) for c, v in w.items()},
        "rank_by": rank_by,
        "ridge": float(ridge),
        "confidence": float(confidence),
        "spread_threshold": threshold,
        "shortlist": shortlist,
        "components": int(model.n_components),
        "residual_sd": model.sigma,
        "n_flags": len(flags),
        "notes": notes,
    }
    return Calibration(
        submissions=submissions,
        judges=judges,
        reviews=reviews,
        reliability=reliability,
        flags=flags,
        summary=summary,
    )


def _reliability_table(
    df: pd.DataFrame, reviews: pd.DataFrame, confidence: float
) -> tuple[pd.DataFrame, list[str]]:
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    tables = [(str(c), g[["submission", "judge", "score"]]) for c, g in df.groupby("criterion")]
    tables.append(
        ("(total)", reviews.rename(columns={"total": "score"})[["submission", "judge", "score"]])
    )
    for name, g in tables:
        wide = g.pivot(index="submission", columns="judge", values="score")
        try:
            if wide.shape[0] >= 2 and wide.shape[1] >= 2 and not wide.isna().any().any():
                iccs = intraclass_correlations(wide.to_numpy(), confidence=confidence)
            else:
                iccs = list(
                    one_way_icc(
                        g["submission"].to_numpy(), g["score"].to_numpy(), confidence=confidence
                    )
                )
            rows += [
                {
                    "criterion": name,
                    "statistic": c.model,
                    "value": c.value,
                    "ci_low": c.ci_low,
                    "ci_high": c.ci_high,
                    "n_items": c.n_items,
                    "n_raters": c.n_raters,
                }
                for c in iccs
            ]
        except ScoreDataError as exc:
            notes.append(f"criterion {name}: ICC not computed ({exc})")
        metrics: tuple[Metric, ...] = ("interval", "ordinal")
        for metric in metrics:
            try:
                alpha = krippendorff_alpha(wide.to_numpy(dtype=float).T, metric=metric)
            except ScoreDataError as exc:
                notes.append(f"criterion {name}: alpha ({metric}) not computed ({exc})")
                continue
            rows.append(
                {
                    "criterion": name,
                    "statistic": f"alpha_{metric}",
                    "value": alpha,
                    "ci_low": alpha,
                    "ci_high": alpha,
                    "n_items": int((wide.notna().sum(axis=1) >= 2).sum()),
                    "n_raters": int(wide.shape[1]),
                }
            )
    columns = ["criterion", "statistic", "value", "ci_low", "ci_high", "n_items", "n_raters"]
    return pd.DataFrame(rows, columns=columns), notes
