"""Panel (multi-year) imputation: fill a unit's gaps from its other years (COINr ``impute_panel``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import IndexDataError, MethodError

__all__ = ["PANEL_IMPUTE_TYPES", "PanelImputation", "impute_panel"]

PANEL_IMPUTE_TYPES = ("latest", "constant", "linear", "linear-constant")


@dataclass(frozen=True)
class PanelImputation:
    """Result of :func:`impute_panel`.

    Attributes
    ----------
    data : DataFrame
        The input table with the missing cells of ``cols`` filled where possible
        (same rows, same order, same columns).
    imputed : DataFrame
        Boolean, same shape as ``data[cols]``: True where a value was filled in.
    source_time : DataFrame or None
        For ``latest``: the time each value of ``cols`` comes from (its own time when
        observed, an earlier time when carried forward, NaN when still missing),
        COINr's ``DataT``. None for the interpolating types.
    """

    data: pd.DataFrame
    imputed: pd.DataFrame
    source_time: pd.DataFrame | None


def impute_panel(
    data: pd.DataFrame,
    *,
    imp_type: str = "latest",
    max_time: int | None = None,
    time_col: str = "Time",
    unit_col: str = "uCode",
    cols: Sequence[str] | None = None,
) -> PanelImputation:
    """Fill each unit's missing values from the same unit's other time points.

    ``latest`` (last observation carried forward): a missing ``x[u, t]`` takes
    ``x[u, t']`` for the most recent earlier time ``t' < t`` of the panel at which it is
    observed, looking back at most ``max_time`` time points of the panel (all when None).
    Values are never carried backwards in time.

    ``constant`` / ``linear``: R's ``stats::approx(t, x, xout = t, rule = 2, method)``
    over the unit's own time points: inside the observed span a step function
    (``x(t) = x(t_prev)``) or the straight line
    ``x(t) = x_p + (x_n - x_p)(t - t_p)/(t_n - t_p)`` between the neighbouring
    observations; outside it, the nearest observation (so values *are* carried
    backwards before the first observation). ``linear-constant`` is ``linear``, or
    ``constant`` for a series with a single observation.

    Parameters
    ----------
    data : DataFrame
        Long panel: one row per unit and time, columns ``unit_col``, ``time_col`` and
        the indicators.
    imp_type : {"latest", "constant", "linear", "linear-constant"}
    max_time : int, optional
        ``latest`` only: how many earlier time points to look back.
    time_col, unit_col : str
    cols : sequence of str, optional
        Columns to impute (default: every column except ``time_col`` and ``unit_col``).

    Returns
    -------
    PanelImputation

    Raises
    ------
    IndexDataError
        Missing or non-numeric time column, a single time point, duplicate
        (unit, time) rows, unknown columns or imputation type, ``max_time`` with an
        interpolating type (COINr ignores it there; we refuse rather than ignore).
    MethodError
        ``linear`` on a series with exactly one observation (``stats::approx`` needs
        two points; use ``linear-constant``).

    Examples
    --------
    >>> df = pd.DataFrame({"uCode": ["A"] * 3, "Time": [2020, 2021, 2022],
    ...                    "x": [1.0, None, 5.0]})
    >>> impute_panel(df, imp_type="linear").data["x"].tolist()
    [1.0, 3.0, 5.0]
    >>> impute_panel(df).data["x"].tolist()
    [1.0, 1.0, 5.0]

    Notes
    -----
    A series with no observation at all is left missing (COINr prints a note). Rows
    for a unit may be absent in some years; they are neither needed nor created.
    Non-numeric cells in ``cols`` are an error, not a silent NaN.

    References
    ----------
    1. Becker, W. et al. (2022), COINr: an R package for developing composite
       indicators, JOSS 7(78), 4567, doi:10.21105/joss.04567 (``impute_panel``).
    2. R Core Team, ``stats::approx`` documentation,
       https://stat.ethz.ch/R-manual/R-devel/library/stats/html/approxfun.html
    """
    if imp_type not in PANEL_IMPUTE_TYPES:
        raise IndexDataError(
            f"impute_panel: unknown imp_type '{imp_type}'; expected one of {list(PANEL_IMPUTE_TYPES)}"
        )
    for col in (time_col, unit_col):
        if col not in data.columns:
            raise IndexDataError(f"impute_panel: no '{col}' column in the panel")
    if not pd.api.types.is_numeric_dtype(data[time_col]) or data[time_col].isna().any():
        raise IndexDataError(f"impute_panel: column '{time_col}' must hold a number on every row")
    if max_time is not None:
        if imp_type != "latest":
            raise IndexDataError(
                f"impute_panel: max_time applies to imp_type 'latest' only, not '{imp_type}'"
            )
        if int(max_time) < 1:
            raise IndexDataError(f"impute_panel: max_time = {max_time}; expected an integer >= 1")
    cols = [c for c in data.columns if c not in (time_col, unit_col)] if cols is None else list(cols)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise IndexDataError(f"impute_panel: columns {missing} are not in the panel")
    dup = data.duplicated([unit_col, time_col])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise IndexDataError(
            f"impute_panel: row {row + 2}: unit '{data[unit_col].iloc[row]}' appears twice "
            f"at {time_col} {data[time_col].iloc[row]}"
        )
    values = np.empty((len(data), len(cols)))
    for j, c in enumerate(cols):
        num = pd.to_numeric(data[c], errors="coerce")
        bad = num.isna() & data[c].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise IndexDataError(
                f"impute_panel: row {row + 2}, column '{c}': '{data[c].iloc[row]}' is not a number"
            )
        values[:, j] = num.to_numpy(dtype=float)
    times = np.sort(pd.unique(data[time_col].to_numpy(dtype=float)))
    if times.size < 2:
        raise IndexDataError("impute_panel: a panel needs at least two time points")
    ucodes, upos = np.unique(data[unit_col].astype(str).to_numpy(), return_inverse=True)
    tpos = np.searchsorted(times, data[time_col].to_numpy(dtype=float))
    # cube: time x unit x column, NaN where absent
    cube = np.full((times.size, ucodes.size, len(cols)), np.nan)
    cube[tpos, upos] = values
    present = np.zeros((times.size, ucodes.size), dtype=bool)
    present[tpos, upos] = True
    source: np.ndarray | None = None
    if imp_type == "latest":
        filled, src = _latest(cube, times, max_time)
        source = src[tpos, upos]
    else:
        filled = _interpolate(cube, times, present, imp_type, ucodes, cols)
    out_values = filled[tpos, upos]
    out = data.copy()
    for j, c in enumerate(cols):
        out[c] = out_values[:, j]
    imputed = pd.DataFrame(np.isnan(values) & ~np.isnan(out_values), index=data.index, columns=cols)
    src_df = None if source is None else pd.DataFrame(source, index=data.index, columns=cols)
    return PanelImputation(out, imputed, src_df)


def _latest(cube: np.ndarray, times: np.ndarray, max_time: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Carry the last observation forward along axis 0, at most ``max_time`` steps back."""
    nt = cube.shape[0]
    obs = ~np.isnan(cube)
    src = np.where(obs, times[:, None, None], np.nan)
    out = cube.copy()
    lags = nt - 1 if max_time is None else min(int(max_time), nt - 1)
    for lag in range(1, lags + 1):
        gap = np.isnan(out[lag:]) & obs[:-lag]
        out[lag:] = np.where(gap, cube[:-lag], out[lag:])
        src[lag:] = np.where(gap, src[:-lag], src[lag:])
    return out, src


def _interpolate(
    cube: np.ndarray,
    times: np.ndarray,
    present: np.ndarray,
    imp_type: str,
    ucodes: np.ndarray,
    cols: Sequence[str],
) -> np.ndarray:
    """``stats::approx(rule = 2)`` along axis 0 for every (unit, column) series at once."""
    nt = cube.shape[0]
    obs = ~np.isnan(cube)
    idx = np.arange(nt)[:, None, None]
    prev = np.maximum.accumulate(np.where(obs, idx, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(obs, idx, nt)[::-1], axis=0)[::-1]
    n_obs = obs.sum(axis=0)
    if imp_type == "linear":
        one = (n_obs == 1) & (present[:, :, None] & ~obs).any(axis=0)
        if one.any():
            u, c = (int(v[0]) for v in np.nonzero(one))
            raise MethodError(
                f"impute_panel: unit '{ucodes[u]}', column '{cols[c]}' has one observation; "
                "linear interpolation needs two (use imp_type 'linear-constant')"
            )
    has_prev = prev >= 0
    has_next = nxt < nt
    pv = np.take_along_axis(cube, np.clip(prev, 0, nt - 1), axis=0)
    nv = np.take_along_axis(cube, np.clip(nxt, 0, nt - 1), axis=0)
    tp = times[np.clip(prev, 0, nt - 1)]
    tn = times[np.clip(nxt, 0, nt - 1)]
    t = times[:, None, None]
    if imp_type == "constant":
        inside = pv
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(tn > tp, (t - tp) / np.where(tn > tp, tn - tp, 1.0), 0.0)
        inside = pv + (nv - pv) * frac
    fill = np.where(has_prev & has_next, inside, np.where(has_prev, pv, np.where(has_next, nv, np.nan)))
    return np.where(obs, cube, fill)
