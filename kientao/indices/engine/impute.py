"""Denomination, imputation and unit screening (the steps before treatment)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import IndexDataError, MethodError
from kientao.indices.engine.framework import Framework

__all__ = [
    "IMPUTE_METHODS",
    "denominate",
    "impute",
    "impute_em",
    "screen_units",
]

IMPUTE_METHODS = ("none", "mean", "median", "mean-by-group", "median-by-group", "em")


def denominate(data: pd.DataFrame, units: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Divide each indicator by the denominator column named in iMeta ``Denominator``.

    ``x'_ui = x_ui / d_u``. Indicators without a denominator are unchanged.

    Raises
    ------
    IndexDataError
        The denominator column is missing from iData, or is zero where the
        indicator has a value (division by zero).
    """
    x = data.to_numpy(dtype=float)
    out = x.copy()
    columns: dict[str, np.ndarray] = {}
    for j, code in enumerate(data.columns):
        denom = framework.nodes[code].denominator
        if denom is None:
            continue
        if denom not in units.columns:
            raise IndexDataError(f"iData: denominator column '{denom}' (for '{code}') is missing")
        if denom not in columns:
            columns[denom] = pd.to_numeric(units[denom], errors="coerce").to_numpy(dtype=float)
        d = columns[denom]
        bad = (d == 0) & ~np.isnan(x[:, j])
        if bad.any():
            unit = data.index[int(np.flatnonzero(bad)[0])]
            raise IndexDataError(f"iData, unit '{unit}', column '{denom}': zero denominator for '{code}'")
        out[:, j] = x[:, j] / d
    return pd.DataFrame(out, index=data.index, columns=data.columns)


def impute(
    data: pd.DataFrame,
    *,
    method: str = "mean",
    groups: pd.Series | None = None,
    overrides: Mapping[str, str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Fill missing indicator values, column by column (COINr ``Impute``).

    ``mean``/``median``: the column mean/median of the observed values (COINr
    ``i_mean``/``i_median``). ``mean-by-group``/``median-by-group``: the same within
    each group of ``groups`` (COINr ``i_mean_grp``; units with no group are left
    as they are; a group with no observed value stays missing). ``em``: the
    expectation-maximisation estimate under a multivariate normal model
    (:func:`impute_em`). ``none`` leaves the data unchanged.

    Parameters
    ----------
    data : DataFrame
        Units x indicators.
    method : str
        One of :data:`IMPUTE_METHODS`.
    groups : Series, optional
        Group label per unit (aligned with ``data.index``); needed for the by-group methods.
    overrides : mapping, optional
        Per-indicator method, e.g. ``{"Gas": "median", "Pat": "none"}`` (``em`` is not
        allowed per indicator).
    seed : int
        Unused by the deterministic methods; kept for a uniform signature.

    Raises
    ------
    IndexDataError
        Unknown method, or a by-group method without ``groups``.
    """
    del seed
    overrides = dict(overrides or {})
    for m in [method, *overrides.values()]:
        if m not in IMPUTE_METHODS:
            raise IndexDataError(f"impute: unknown method '{m}'; expected one of {list(IMPUTE_METHODS)}")
    if "em" in overrides.values():
        raise IndexDataError("impute: 'em' imputes all indicators jointly; it cannot be an override")
    x = data.to_numpy(dtype=float)
    out = impute_em(data).to_numpy(dtype=float) if method == "em" else x.copy()
    base = "none" if method == "em" else method
    hows = [overrides.get(code, base) for code in data.columns]
    codes: np.ndarray | None = None
    if any(h.endswith("-by-group") for h in hows):
        if groups is None:
            raise IndexDataError(f"impute: method '{method}' needs a group column")
        codes = pd.factorize(groups.reindex(data.index))[0]
    for how in set(hows) - {"none"}:
        cols = [j for j, h in enumerate(hows) if h == how]
        stat = how.split("-")[0]
        if codes is None or not how.endswith("-by-group"):
            out[:, cols] = _fill_block(x[:, cols], stat)
            continue
        for k in range(int(codes.max()) + 1):
            rows = codes == k
            out[np.ix_(rows, cols)] = _fill_block(x[np.ix_(rows, cols)], stat)
    return pd.DataFrame(out, index=data.index, columns=data.columns)


def _fill_block(x: np.ndarray, stat: str) -> np.ndarray:
    """Fill the missing cells of each column with that column's observed mean or median."""
    nan = np.isnan(x)
    if not nan.any():
        return x
    seen = (~nan).any(axis=0)
    fill = np.full(x.shape[1], np.nan)
    fill[seen] = np.nanmean(x[:, seen], axis=0) if stat == "mean" else np.nanmedian(x[:, seen], axis=0)
    return np.where(nan, fill[None, :], x)


def impute_em(data: pd.DataFrame, *, max_iter: int = 200, tol: float = 1e-8) -> pd.DataFrame:
    """Impute by expectation-maximisation under a multivariate normal model.

    Iterates: E-step fills each unit's missing values with their conditional
    expectation ``mu_m + S_mo S_oo^-1 (x_o - mu_o)``, M-step re-estimates the mean and
    covariance (with the conditional covariance of the missing block added).

    References
    ----------
    1. Dempster, Laird & Rubin (1977), doi:10.1111/j.2517-6161.1977.tb01600.x
    2. OECD/JRC (2008), Handbook on Constructing Composite Indicators, sec. 1.3.
    """
    x = data.to_numpy(dtype=float)
    nan = np.isnan(x)
    if not nan.any():
        return data.copy()
    if nan.all(axis=0).any():
        raise MethodError("impute em: an indicator has no observed value")
    n, p = x.shape
    y = np.where(nan, np.nanmean(x, axis=0), x)
    for _ in range(max_iter):
        mu = y.mean(axis=0)
        extra = np.zeros((p, p))
        d = y - mu
        sigma = d.T @ d / n
        sigma += np.eye(p) * 1e-9 * max(float(np.trace(sigma)) / p, 1.0)
        y_new = y.copy()
        for i in np.flatnonzero(nan.any(axis=1)):
            m = nan[i]
            o = ~m
            if not o.any():
                y_new[i, m] = mu[m]
                extra[np.ix_(m, m)] += sigma[np.ix_(m, m)]
                continue
            s_oo = sigma[np.ix_(o, o)]
            s_mo = sigma[np.ix_(m, o)]
            coef = np.linalg.solve(s_oo, s_mo.T).T
            y_new[i, m] = mu[m] + coef @ (y[i, o] - mu[o])
            extra[np.ix_(m, m)] += sigma[np.ix_(m, m)] - coef @ s_mo.T
        change = float(np.max(np.abs(y_new - y)))
        y = y_new
        if change < tol * max(1.0, float(np.max(np.abs(y)))):
            break
    return pd.DataFrame(y, index=data.index, columns=data.columns)


def screen_units(
    data: pd.DataFrame,
    *,
    unit_screen: str = "byNA",
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    force: Mapping[str, bool] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop units with too little data or too many zeros (COINr ``Screen``).

    Availability ``a_u = 1 - n_missing/n_indicators``; non-zero share
    ``z_u = 1 - n_zero/(n_indicators - n_missing)``. ``byNA`` drops units with
    ``a_u < dat_thresh``, ``byzeros`` those with ``z_u < nonzero_thresh``,
    ``byNAandzeros`` either. ``force`` maps unit codes to True (keep) / False (drop).

    Returns
    -------
    data : DataFrame
        The kept units.
    summary : DataFrame
        Columns uCode, N_missing, N_zero, Dat_Avail, Non_Zero, Included.
    """
    if unit_screen not in ("byNA", "byzeros", "byNAandzeros"):
        raise IndexDataError(f"screen: unknown unit_screen '{unit_screen}'")
    for name, t in (("dat_thresh", dat_thresh), ("nonzero_thresh", nonzero_thresh)):
        if not 0 <= t <= 1:
            raise IndexDataError(f"screen: {name} = {t}; expected a number in [0, 1]")
    x = data.to_numpy(dtype=float)
    nmiss = np.isnan(x).sum(axis=1)
    nzero = (x == 0).sum(axis=1)
    avail = 1 - nmiss / x.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        nonzero = 1 - nzero / (x.shape[1] - nmiss)
    low_data = avail < dat_thresh
    low_nz = nonzero < nonzero_thresh
    keep = ~{"byNA": low_data, "byzeros": low_nz, "byNAandzeros": low_data | low_nz}[unit_screen]
    for code, include in (force or {}).items():
        if code not in data.index:
            raise IndexDataError(f"screen: forced unit '{code}' is not in the data")
        keep[data.index.get_loc(code)] = bool(include)
    summary = pd.DataFrame(
        {
            "uCode": data.index,
            "N_missing": nmiss,
            "N_zero": nzero,
            "Dat_Avail": avail,
            "Non_Zero": nonzero,
            "Included": keep,
        }
    )
    if not keep.any():
        raise IndexDataError("screen: every unit was screened out; lower dat_thresh")
    return data.loc[keep], summary
