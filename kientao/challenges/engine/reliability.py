"""Inter-rater reliability: intraclass correlations and Krippendorff's alpha."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from kientao.challenges.engine.errors import ScoreDataError


@dataclass(frozen=True)
class ICC:
    """One intraclass correlation with its confidence interval.

    Attributes
    ----------
    model : str
        ``"ICC(1,1)"``, ``"ICC(1,k)"``, ``"ICC(2,1)"``, ``"ICC(2,k)"``,
        ``"ICC(3,1)"`` or ``"ICC(3,k)"`` (Shrout & Fleiss notation).
    value, ci_low, ci_high : float
        Estimate and bounds of the confidence interval.
    n_items, n_raters : int
        Items (targets) and raters per item used.
    """

    model: str
    value: float
    ci_low: float
    ci_high: float
    n_items: int
    n_raters: int

    def __post_init__(self) -> None:
        for name in ("value", "ci_low", "ci_high"):
            object.__setattr__(self, name, float(getattr(self, name)))


def intraclass_correlations(ratings: np.ndarray, *, confidence: float = 0.95) -> list[ICC]:
    """Shrout–Fleiss intraclass correlations of a complete items × raters table.

    With mean squares between items (BMS), within items (WMS), between raters
    (JMS) and residual (EMS), for n items and k raters:

    .. math::

        ICC(1,1) = \\frac{BMS - WMS}{BMS + (k-1) WMS}, \\quad
        ICC(1,k) = \\frac{BMS - WMS}{BMS}

        ICC(2,1) = \\frac{BMS - EMS}{BMS + (k-1) EMS + k (JMS - EMS)/n}, \\quad
        ICC(2,k) = \\frac{BMS - EMS}{BMS + (JMS - EMS)/n}

        ICC(3,1) = \\frac{BMS - EMS}{BMS + (k-1) EMS}, \\quad
        ICC(3,k) = \\frac{BMS - EMS}{BMS}

    Parameters
    ----------
    ratings : ndarray, shape (n_items, n_raters)
        Complete table (no NaN): every rater rates every item.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    list of ICC
        The six coefficients, in the order above.

    Raises
    ------
    ScoreDataError
        If the table has NaN, fewer than 2 items or raters, or no variance.

    Examples
    --------
    >>> r = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...               [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
    >>> [round(c.value, 2) for c in intraclass_correlations(r)]
    [0.17, 0.44, 0.29, 0.62, 0.71, 0.91]

    Notes
    -----
    Confidence intervals: F-based for ICC(1,·) and ICC(3,·); for ICC(2,1)
    Satterthwaite's approximation (Shrout & Fleiss eq. 8–9; McGraw & Wong
    1996 Table 7), and ICC(2,k) bounds by the Spearman–Brown step-up of the
    ICC(2,1) bounds, as R ``psych::ICC`` does.

    References
    ----------
    .. [1] Shrout & Fleiss, "Intraclass correlations: uses in assessing rater
       reliability", Psychol. Bull. 86(2):420–428 (1979).
       https://doi.org/10.1037/0033-2909.86.2.420
    .. [2] McGraw & Wong, "Forming inferences about some intraclass correlation
       coefficients", Psychol. Methods 1(1):30–46 (1996).
       https://doi.org/10.1037/1082-989X.1.1.30
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise ScoreDataError("ICC needs a table of at least 2 items x 2 raters")
    if np.isnan(x).any():
        raise ScoreDataError("ICC(2,.) and ICC(3,.) need a complete table (no missing rating)")
    n, k = x.shape
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_items = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((x.mean(axis=0) - grand) ** 2).sum()
    bms = ss_items / (n - 1)
    wms = (ss_total - ss_items) / (n * (k - 1))
    jms = ss_raters / (k - 1)
    ems = (ss_total - ss_items - ss_raters) / ((n - 1) * (k - 1))
    if bms <= 0 or wms <= 0 or ems <= 0:
        raise ScoreDataError(
            "ICC is undefined: the ratings have no between- or within-item variance"
        )
    a = 1 - confidence
    out = list(_one_way(bms, wms, n, k, confidence))

    icc21 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    icc2k = (bms - ems) / (bms + (jms - ems) / n)
    fj = jms / ems
    v_num = (k - 1) * (n - 1) * (k * icc21 * fj + n * (1 + (k - 1) * icc21) - k * icc21) ** 2
    v_den = (n - 1) * k**2 * icc21**2 * fj**2 + (n * (1 + (k - 1) * icc21) - k * icc21) ** 2
    v = v_num / v_den
    f_star = stats.f.ppf(1 - a / 2, n - 1, v)
    f_2star = stats.f.ppf(1 - a / 2, v, n - 1)
    lo21 = n * (bms - f_star * ems) / (f_star * (k * jms + (k * n - k - n) * ems) + n * bms)
    hi21 = n * (f_2star * bms - ems) / (k * jms + (k * n - k - n) * ems + n * f_2star * bms)
    out.append(ICC("ICC(2,1)", icc21, lo21, hi21, n, k))
    out.append(
        ICC(
            "ICC(2,k)",
            icc2k,
            k * lo21 / (1 + (k - 1) * lo21),
            k * hi21 / (1 + (k - 1) * hi21),
            n,
            k,
        )
    )

    f0 = bms / ems
    df1, df2 = n - 1, (n - 1) * (k - 1)
    fl = f0 / stats.f.ppf(1 - a / 2, df1, df2)
    fu = f0 * stats.f.ppf(1 - a / 2, df2, df1)
    out.append(
        ICC(
            "ICC(3,1)",
            (bms - ems) / (bms + (k - 1) * ems),
            (fl - 1) / (fl + k - 1),
            (fu - 1) / (fu + k - 1),
            n,
            k,
        )
    )
    out.append(ICC("ICC(3,k)", (bms - ems) / bms, 1 - 1 / fl, 1 - 1 / fu, n, k))
    return out


def _one_way(bms: float, wms: float, n: int, k: float, confidence: float) -> tuple[ICC, ICC]:
    a = 1 - confidence
    df1, df2 = n - 1, n * (k - 1)
    f0 = bms / wms
    fl = f0 / stats.f.ppf(1 - a / 2, df1, df2)
    fu = f0 * stats.f.ppf(1 - a / 2, df2, df1)
    k_int = round(k)
    return (
        ICC(
            "ICC(1,1)",
            (bms - wms) / (bms + (k - 1) * wms),
            (fl - 1) / (fl + k - 1),
            (fu - 1) / (fu + k - 1),
            n,
            k_int,
        ),
        ICC("ICC(1,k)", (bms - wms) / bms, 1 - 1 / fl, 1 - 1 / fu, n, k_int),
    )


def one_way_icc(
    items: np.ndarray, values: np.ndarray, *, confidence: float = 0.95
) -> tuple[ICC, ICC]:
    """ICC(1,1) and ICC(1,k) for items rated by different, varying sets of raters.

    One-way random-effects ANOVA on groups of unequal size :math:`n_i`, with
    the effective group size
    :math:`k_0 = (N - \\sum_i n_i^2 / N) / (n - 1)`:

    .. math::

        ICC(1,1) = \\frac{BMS - WMS}{BMS + (k_0 - 1) WMS}, \\quad
        ICC(1,k_0) = \\frac{BMS - WMS}{BMS}

    Parameters
    ----------
    items : ndarray, shape (N,)
        Item label of each rating.
    values : ndarray of float, shape (N,)
        The ratings.
    confidence : float
        Level of the F-based confidence intervals.

    Returns
    -------
    (ICC, ICC)
        ICC(1,1) and ICC(1,k); ``n_raters`` is :math:`k_0` rounded.

    Raises
    ------
    ScoreDataError
        If fewer than 2 items have 2 or more ratings, or there is no variance.

    Examples
    --------
    >>> items = np.repeat(np.arange(6), 4)
    >>> r = np.array([9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8,
    ...               7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7], float)
    >>> round(one_way_icc(items, r)[0].value, 2)
    0.17

    Notes
    -----
    This is the usual challenge design (each submission judged by a different
    panel), so only the one-way model applies. Items with a single rating are
    dropped. With equal group sizes it equals Shrout & Fleiss's ICC(1,·); with
    unequal sizes the intervals are approximate.

    References
    ----------
    .. [1] Shrout & Fleiss (1979), https://doi.org/10.1037/0033-2909.86.2.420
    .. [2] Donner, "The use of correlation and regression in the analysis of
       family resemblance", Am. J. Epidemiol. 110(3):335–342 (1979).
       https://doi.org/10.1093/oxfordjournals.aje.a112818
    """
    items = np.asarray(items)
    y = np.asarray(values, dtype=float)
    _, inverse, counts = np.unique(items, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    _, inverse, counts = np.unique(items[keep], return_inverse=True, return_counts=True)
    y = y[keep]
    n = counts.size
    if n < 2:
        raise ScoreDataError("ICC(1,.) needs at least 2 items with 2 or more ratings each")
    total = y.size
    means = np.bincount(inverse, weights=y) / counts
    grand = y.mean()
    ss_between = float((counts * (means - grand) ** 2).sum())
    ss_within = float(((y - means[inverse]) ** 2).sum())
    bms = ss_between / (n - 1)
    wms = ss_within / (total - n)
    if bms <= 0 or wms <= 0:
        raise ScoreDataError(
            "ICC is undefined: the ratings have no between- or within-item variance"
        )
    k0 = (total - float((counts**2).sum()) / total) / (n - 1)
    # F-test degrees of freedom of the unbalanced design: n - 1 and N - n.
    a = 1 - confidence
    f0 = bms / wms
    fl = f0 / stats.f.ppf(1 - a / 2, n - 1, total - n)
    fu = f0 * stats.f.ppf(1 - a / 2, total - n, n - 1)
    k_int = round(k0)
    return (
        ICC(
            "ICC(1,1)",
            (bms - wms) / (bms + (k0 - 1) * wms),
            (fl - 1) / (fl + k0 - 1),
            (fu - 1) / (fu + k0 - 1),
            n,
            k_int,
        ),
        ICC("ICC(1,k)", (bms - wms) / bms, 1 - 1 / fl, 1 - 1 / fu, n, k_int),
    )


Metric = Literal["nominal", "ordinal", "interval", "ratio"]


def krippendorff_alpha(reliability_data: np.ndarray, *, metric: Metric = "interval") -> float:
    """Krippendorff's alpha for any number of raters, with missing data.

    .. math::

        \\alpha = 1 - (n - 1) \\frac{\\sum_{c,k} o_{ck} \\delta^2_{ck}}
                               {\\sum_{c,k} n_c n_k \\delta^2_{ck}}

    where :math:`o_{ck}` is the coincidence matrix of values within units
    (each unit with :math:`m_u \\ge 2` values contributes
    :math:`1/(m_u - 1)` per ordered pair), :math:`n_c` its margins and
    :math:`n` the number of pairable values.

    Parameters
    ----------
    reliability_data : ndarray, shape (n_raters, n_units)
        Values, ``NaN`` where a rater did not rate a unit.
    metric : {"nominal", "ordinal", "interval", "ratio"}
        Difference function :math:`\\delta^2`: nominal ``c != k``; ordinal
        :math:`(\\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval
        :math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2`.

    Returns
    -------
    float
        Alpha (1 perfect agreement, 0 chance, negative systematic disagreement).

    Raises
    ------
    ScoreDataError
        If fewer than 2 pairable values exist, all values are equal, or the
        metric is unknown.

    Examples
    --------
    >>> nan = np.nan
    >>> data = np.array([
    ...     [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    >>> round(krippendorff_alpha(data, metric="nominal"), 3)
    0.743

    Notes
    -----
    Units with fewer than two values are not pairable and are dropped.
    Thresholds often quoted: α ≥ 0.800 reliable, ≥ 0.667 tentative.

    References
    ----------
    .. [1] Krippendorff, "Computing Krippendorff's alpha-reliability" (2011).
       https://repository.upenn.edu/asc_papers/43
    .. [2] Hayes & Krippendorff, "Answering the call for a standard reliability
       measure for coding data", Commun. Methods Meas. 1(1):77–89 (2007).
       https://doi.org/10.1080/19312450709336664
    """
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise ScoreDataError("reliability data must be 2-D (raters x units)")
    if metric not in ("nominal", "ordinal", "interval", "ratio"):
        raise ScoreDataError(f"unknown metric {metric!r}")
    present = ~np.isnan(data)
    m_u = present.sum(axis=0)
    data = data[:, m_u >= 2]
    present = present[:, m_u >= 2]
    m_u = m_u[m_u >= 2]
    if m_u.size == 0:
        raise ScoreDataError("Krippendorff's alpha needs at least one unit rated twice")
    values = np.unique(data[present])
    if values.size < 2:
        raise ScoreDataError("Krippendorff's alpha is undefined when every value is the same")
    v = values.size
    # counts[u, c]: how many raters gave value c to unit u.
    rater, unit = np.nonzero(present)
    idx = np.searchsorted(values, data[rater, unit])
    n_units = data.shape[1]
    counts = np.bincount(unit * v + idx, minlength=n_units * v).reshape(n_units, v).astype(float)
    weight = 1.0 / (m_u - 1)
    coincidence = (counts * weight[:, None]).T @ counts
    coincidence -= np.diag((counts * weight[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    c, k = np.meshgrid(values, values, indexing="ij")
    if metric == "nominal":
        delta = (c != k).astype(float)
    elif metric == "interval":
        delta = (c - k) ** 2
    elif metric == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = np.where(c + k == 0, 0.0, ((c - k) / (c + k)) ** 2)
    else:
        cum = np.cumsum(n_c)
        ci, ki = np.meshgrid(np.arange(v), np.arange(v), indexing="ij")
        lo, hi = np.minimum(ci, ki), np.maximum(ci, ki)
        between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0.0)
        delta = (between - (n_c[ci] + n_c[ki]) / 2) ** 2
    observed = float((coincidence * delta).sum())
    expected = float((np.outer(n_c, n_c) * delta).sum())
    if expected == 0:
        raise ScoreDataError("Krippendorff's alpha is undefined: no expected disagreement")
    return float(1.0 - (n - 1) * observed / expected)
