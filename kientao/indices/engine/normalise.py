"""Normalisation: bring indicators to a common scale, direction applied first (COINr ``Normalise``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from kientao.indices.engine.errors import IndexDataError, MethodError
from kientao.indices.engine.framework import Framework

__all__ = ["NORMALISERS", "normalise", "normalise_column"]

NORMALISERS = (
    "minmax", "zscore", "scaled", "rank", "prank", "borda", "dist2max", "dist2targ",
    "dist2ref", "fracmax", "goalposts", "none",
)


def _rank_min(x: np.ndarray) -> np.ndarray:
    """Ascending ranks, ties get the lowest rank, NaN kept (R ``rank(ties="min", na.last="keep")``)."""
    r = rankdata(x, method="min", nan_policy="omit")
    return np.asarray(r, dtype=float)


def _range(x: np.ndarray, code: str) -> tuple[float, float]:
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    if lo == hi:
        raise MethodError(
            f"normalise: indicator '{code}' is constant ({lo}); its range is 0 so it cannot be "
            "min-max scaled; drop it or choose another method"
        )
    return lo, hi


def normalise_column(x: np.ndarray, method: str = "minmax", *, code: str = "x", **p: Any) -> np.ndarray:
    """Normalise one (already direction-adjusted) indicator.

    ========== =====================================================
    minmax     ``(x - min)/(max - min) (u - l) + l``, ``l_u=(0, 100)``
    zscore     ``(x - mean)/sd * sd0 + m0``, ``m_sd=(0, 1)``, sd with n - 1
    scaled     ``(x - l)/(u - l) * scale_factor``, ``npara=(l, u)``
    rank       rank, ties get the minimum, missing kept
    prank      ``(rank - 1)/(n_obs - 1)``
    borda      ``rank - 1``
    dist2max   ``1 - (max - x)/(max - min)``
    dist2targ  ``(x - min)/(targ - min)``, optional ``cap_max``
    dist2ref   ``1 - (x_ref - x)/(x_ref - min)``, ``iref`` = unit position
    fracmax    ``x / max``
    goalposts  ``(x - lo)/(hi - lo)`` clipped to [0, 1] if ``trunc2posts``, times ``scale``
    ========== =====================================================

    Raises
    ------
    MethodError
        Range 0 for the range-based methods; missing target or goalposts.
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).all():
        raise MethodError(f"normalise: indicator '{code}' has no data")
    if method == "none":
        return x.copy()
    if method in ("minmax", "dist2max"):
        lo, hi = _range(x, code)
        if method == "dist2max":
            return 1 - (hi - x) / (hi - lo)
        low, up = p.get("l_u", (0.0, 100.0))
        return (x - lo) / (hi - lo) * (up - low) + low
    if method == "zscore":
        m0, s0 = p.get("m_sd", (0.0, 1.0))
        sd = float(np.nanstd(x, ddof=1))
        if not sd > 0:
            raise MethodError(f"normalise: indicator '{code}' has zero standard deviation")
        return (x - np.nanmean(x)) / sd * s0 + m0
    if method == "scaled":
        low, up = p.get("npara", (0.0, 100.0))
        return (x - low) / (up - low) * float(p.get("scale_factor", 100.0))
    if method in ("rank", "borda", "prank"):
        r = _rank_min(x)
        if method == "rank":
            return r
        if method == "borda":
            return r - 1
        n = int(np.sum(~np.isnan(x)))
        if n < 2:
            raise MethodError(f"normalise: indicator '{code}' needs two values for a percentile rank")
        return (r - 1) / (n - 1)
    if method == "fracmax":
        return x / np.nanmax(x)
    if method == "dist2targ":
        targ = float(p.get("targ", math.nan))
        if math.isnan(targ):
            raise MethodError(f"normalise: indicator '{code}' has no Target for dist2targ")
        lo = float(np.nanmin(x))
        if targ == lo:
            raise MethodError(f"normalise: indicator '{code}': target equals the minimum")
        y = (x - lo) / (targ - lo)
        return np.minimum(y, 1.0) if p.get("cap_max", False) else y
    if method == "dist2ref":
        iref = int(p.get("iref", 0))
        lo = float(np.nanmin(x))
        ref = x[iref]
        return 1 - (ref - x) / (ref - lo)
    if method == "goalposts":
        gp = p.get("gposts")
        if gp is None or len(gp) != 3:
            raise MethodError(f"normalise: indicator '{code}' needs goalposts (lo, hi, scale)")
        lo, hi, scale = (float(v) for v in gp)
        y = (x - lo) / (hi - lo)
        if p.get("trunc2posts", True):
            y = np.clip(y, 0.0, 1.0)
        return y * scale
    raise IndexDataError(f"normalise: unknown method '{method}'; expected one of {list(NORMALISERS)}")


def normalise(
    data: pd.DataFrame,
    framework: Framework,
    *,
    method: str = "minmax",
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    use_direction: bool = True,
    **params: Any,
) -> pd.DataFrame:
    """Normalise every indicator: multiply by its Direction, then apply ``method``.

    Targets (``dist2targ``) and goalposts come from iMeta (``Target``,
    ``goalpost_lower/upper/scale``) unless given in ``params``/``overrides``; as in
    COINr they are multiplied by Direction because the data were flipped.

    Parameters
    ----------
    data : DataFrame
    framework : Framework
    method : str
        One of :data:`NORMALISERS`.
    overrides : mapping, optional
        Per indicator ``{"method": ..., **params}``.
    use_direction : bool
        Apply the iMeta Direction (default True).
    **params
        Parameters of the method (``l_u``, ``m_sd``, ``npara``, ``scale_factor``, ``cap_max`` ...).
    """
    overrides = dict(overrides or {})
    values = data.to_numpy(dtype=float)
    out = {}
    for j, code in enumerate(data.columns):
        spec = {"method": method, **params, **dict(overrides.get(code, {}))}
        m = str(spec.pop("method"))
        d = framework.nodes[code].direction if use_direction else 1
        x = values[:, j] * d
        if m == "dist2targ" and "targ" not in spec:
            spec["targ"] = framework.nodes[code].target * d
        if m == "goalposts" and "gposts" not in spec:
            meta = framework.imeta.set_index("iCode") if "iCode" in framework.imeta.columns else pd.DataFrame()
            try:
                row = meta.loc[code].to_dict()
                gp = [float(row["goalpost_lower"]) * d, float(row["goalpost_upper"]) * d,
                      float(row.get("goalpost_scale", 1.0))]
            except KeyError:
                raise MethodError(f"normalise: no goalposts for '{code}' in iMeta") from None
            if d == -1:
                gp[0], gp[1] = gp[1], gp[0]
            spec["gposts"] = gp
        out[code] = normalise_column(x, m, code=code, **spec)
    return pd.DataFrame(out, index=data.index, columns=data.columns)
