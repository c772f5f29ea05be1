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
    impute_by: str = "column",
    normalise_first: bool | None = None,
    group_level: int | None = None,
    framework: Framework | None = None,
) -> pd.DataFrame:
    """Fill missing indicator values, column by column or row by row (COINr ``Impute``).

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
    impute_by : {"column", "row"}
        ``column`` (default): each indicator from its own observed values.
        ``row``: each unit's missing values from the mean/median of its own observed
        values (``mean``/``median`` only), COINr ``impute_by = "row"``.
    normalise_first : bool, optional
        Row imputation on min-max scaled data: ``z = (d x - min)/(max - min)`` per
        column with ``d`` the Direction, impute the row mean/median of ``z``, then map
        back ``x = d (z (max - min) + min)``. Default True for ``row``, as COINr
        (needs ``framework`` for the directions).
    group_level : int, optional
        Impute within the aggregation groups of this level (2 = pillars ...): each
        row mean (or the EM model) uses only the indicators of the same group. No
        effect on column methods, which treat each indicator alone anyway.
    framework : Framework, optional
        Needed for ``group_level`` and ``normalise_first``.

    Raises
    ------
    IndexDataError
        Unknown method, a by-group method without ``groups``, a by-group or ``em``
        method row-wise, per-indicator overrides row-wise, ``group_level`` out of range
        or without ``framework``.
    MethodError
        ``normalise_first`` with a constant indicator (its range is 0).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, None], "c": [5.0, 6.0]})
    >>> impute(df, impute_by="row", normalise_first=False)["b"].tolist()
    [3.0, 4.0]

    Notes
    -----
    Row imputation without normalisation mixes indicator scales; COINr's docs
    recommend normalising first, which is why it is the default.

    References
    ----------
    1. OECD/JRC (2008), Handbook on Constructing Composite Indicators, sec. 1.3,
       https://doi.org/10.1787/9789264043466-en
    2. Becker, W. et al. (2022), COINr, doi:10.21105/joss.04567 (``Impute.data.frame``).
    """
    del seed
    if impute_by not in ("column", "row"):
        raise IndexDataError(f"impute: impute_by = '{impute_by}'; expected 'column' or 'row'")
    blocks = _column_blocks(data, group_level, framework)
    if impute_by == "row" or (method == "em" and blocks is not None):
        return _impute_blocks(data, method, impute_by, normalise_first, overrides, blocks, framework)
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


def _column_blocks(
    data: pd.DataFrame, group_level: int | None, framework: Framework | None
) -> list[list[int]] | None:
    """Column positions grouped by their ancestor at ``group_level`` (None: no grouping)."""
    if group_level is None:
        return None
    if framework is None:
        raise IndexDataError("impute: group_level needs the framework")
    if not 2 <= int(group_level) <= framework.max_level:
        raise IndexDataError(
            f"impute: group_level = {group_level}; expected a level from 2 to {framework.max_level}"
        )
    groups: dict[str, list[int]] = {}
    for j, code in enumerate(data.columns):
        groups.setdefault(framework.ancestor(str(code), int(group_level)), []).append(j)
    return list(groups.values())


def _impute_blocks(
    data: pd.DataFrame,
    method: str,
    impute_by: str,
    normalise_first: bool | None,
    overrides: Mapping[str, str] | None,
    blocks: list[list[int]] | None,
    framework: Framework | None,
) -> pd.DataFrame:
    """Row-wise imputation, or EM within column groups."""
    if overrides:
        raise IndexDataError("impute: per-indicator overrides apply to column imputation only")
    x = data.to_numpy(dtype=float)
    out = x.copy()
    cols = blocks if blocks is not None else [list(range(x.shape[1]))]
    if impute_by == "column":  # em within groups
        for b in cols:
            out[:, b] = impute_em(data.iloc[:, b]).to_numpy(dtype=float)
        return pd.DataFrame(out, index=data.index, columns=data.columns)
    if method not in ("mean", "median"):
        raise IndexDataError(f"impute: row-wise imputation takes 'mean' or 'median', not '{method}'")
    norm = True if normalise_first is None else bool(normalise_first)
    if norm:
        if framework is None:
            raise IndexDataError("impute: normalise_first needs the framework (for the directions)")
        d = np.array([framework.nodes[str(c)].direction for c in data.columns], dtype=float)
        xd = x * d
        seen = ~np.isnan(xd)
        lo = np.array([xd[seen[:, j], j].min() if seen[:, j].any() else np.nan for j in range(x.shape[1])])
        hi = np.array([xd[seen[:, j], j].max() if seen[:, j].any() else np.nan for j in range(x.shape[1])])
        flat = hi == lo
        if flat.any():
            code = data.columns[int(np.flatnonzero(flat)[0])]
            raise MethodError(
                f"impute: indicator '{code}' is constant; it cannot be min-max scaled before "
                "row-wise imputation (set normalise_first = False or drop it)"
            )
        z = (xd - lo) / (hi - lo)
    else:
        z = x
    filled = z.copy()
    for b in cols:
        filled[:, b] = _fill_rows(z[:, b], method)
    back = (filled * (hi - lo) + lo) * d if norm else filled
    out = np.where(np.isnan(x), back, x)
    return pd.DataFrame(out, index=data.index, columns=data.columns)


def _fill_rows(z: np.ndarray, stat: str) -> np.ndarray:
    """Fill each row's missing cells with that row's observed mean or median."""
    nan = np.isnan(z)
    seen = (~nan).any(axis=1)
    fill = np.full(z.shape[0], np.nan)
    if seen.any():
        fill[seen] = np.nanmean(z[seen], axis=1) if stat == "mean" else np.nanmedian(z[seen], axis=1)
    return np.where(nan, fill[:, None], z)


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
