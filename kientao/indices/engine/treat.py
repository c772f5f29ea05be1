"""Outlier treatment: COINr's default (winsorise, then log) and the GII's rule."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import IndexDataError, MethodError
from kientao.indices.engine.moments import skew_kurt, skew_kurt_columns, skewness

__all__ = [
    "TRANSFORMS",
    "TreatSpec",
    "check_skew_kurt",
    "log_ct",
    "log_gii",
    "treat",
    "treat_indicator",
    "winsorise",
]


@dataclass(frozen=True)
class TreatSpec:
    """Treatment settings for one indicator (COINr ``global_specs``/``indiv_specs``).

    ``method`` is ``"default"`` (test, winsorise, then ``f2`` if still failing),
    ``"none"``, or ``"log"`` (apply ``f2`` directly when the test fails).
    """

    method: str = "default"
    winmax: int | None = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    f2: str | None = "log_CT"
    combine_treat: bool = False
    force_win: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TreatSpec:
        unknown = set(params) - set(cls.__dataclass_fields__)
        if unknown:
            raise IndexDataError(f"treat: unknown parameter(s) {sorted(unknown)}")
        spec = cls(**params)
        if spec.method not in ("default", "none", "log"):
            raise IndexDataError(f"treat: unknown method '{spec.method}'")
        if spec.f2 is not None and spec.f2 not in TRANSFORMS:
            raise IndexDataError(f"treat: unknown f2 '{spec.f2}'; expected one of {list(TRANSFORMS)}")
        if spec.winmax is not None and spec.winmax < 0:
            raise IndexDataError("treat: winmax must be >= 0")
        return spec


def check_skew_kurt(x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5) -> tuple[bool | None, float, float]:
    """Pass when ``|skew| < skew_thresh`` **or** ``kurt < kurt_thresh`` (COINr ``check_SkewKurt``).

    Returns (pass, skew, kurt); pass is None when either statistic is undefined.
    """
    sk, kt = skew_kurt(x)
    if math.isnan(sk) or math.isnan(kt):
        return None, sk, kt
    return bool(abs(sk) < skew_thresh or kt < kurt_thresh), sk, kt


def winsorise(
    x: np.ndarray,
    *,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force_win: bool = False,
) -> tuple[np.ndarray, int, np.ndarray]:
    """Winsorise one point (or tied group) at a time until the skew/kurtosis test passes.

    While failing and fewer than ``winmax`` points treated: if skew >= 0, every
    maximum is set to the largest remaining value, else every minimum to the smallest
    remaining value. As in COINr, the count is the size of the last high group plus
    the last low group (tied points grow the group as treatment proceeds).

    Returns
    -------
    x : ndarray
        Treated copy.
    nwin : int
        Number of points winsorised.
    flags : ndarray of str
        ``"winhi"``/``"winlo"``/``""`` per point.

    Examples
    --------
    >>> y, n, _ = winsorise(np.array([*range(1, 11), 100.0]))
    >>> float(y.max()), n
    (10.0, 1)
    """
    x = np.array(x, dtype=float)
    passing, sk, _ = check_skew_kurt(x, skew_thresh, kurt_thresh)
    imax = np.zeros(0, dtype=int)
    imin = np.zeros(0, dtype=int)
    nwin = 0
    below = winmax is None or nwin < winmax
    while (not passing or force_win) and below:
        ok = ~np.isnan(x)
        if sk >= 0:
            imax = np.flatnonzero(ok & (x == np.nanmax(x)))
            rest = ok.copy()
            rest[imax] = False
            if not rest.any():
                break
            x[imax] = np.max(x[rest])
        else:
            imin = np.flatnonzero(ok & (x == np.nanmin(x)))
            rest = ok.copy()
            rest[imin] = False
            if not rest.any():
                break
            x[imin] = np.min(x[rest])
        nwin = imax.size + imin.size
        below = winmax is None or nwin < winmax
        passing, sk, _ = check_skew_kurt(x, skew_thresh, kurt_thresh)
        if passing is None:
            break
    flags = np.full(x.size, "", dtype=object)
    flags[imax] = "winhi"
    flags[imin] = "winlo"
    return x, nwin, flags


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT``: ``ln(x - min + 0.01 (max - min))``."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.asarray(np.log(x - lo + 0.01 * (hi - lo)), dtype=float)


def log_ct_plus(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT_plus``: ``log_CT`` if skew > 0, else ``-ln(max + a - x)``, a = 0.01 range."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    if skewness(x) > 0:
        return log_ct(x)
    return np.asarray(-np.log(hi + 0.01 * (hi - lo) - x), dtype=float)


def log_ct_orig(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT_orig``: ``ln(x - min + 1)``."""
    return np.asarray(np.log(x - np.nanmin(x) + 1), dtype=float)


def log_gii(x: np.ndarray) -> np.ndarray:
    """The GII's scaled log: ``ln((max - 1)(x - min)/(max - min) + 1)``.

    COINr's ``log_GII`` computes this and returns its input unchanged (a bug);
    this one returns the transform. Treatment comes before Direction is applied,
    so this is the "goods" form; the GII's form for "bads" uses ``(max - x)``.
    When ``max <= 1`` the factor ``max - 1`` is replaced by 1 so the log stays defined.

    Raises
    ------
    MethodError
        If ``max <= 1`` (the log's argument scale would be non-positive) or the range is 0.

    References
    ----------
    1. Dutta, Lanvin & Wunsch-Vincent (eds.), Global Innovation Index 2020, Annex III
       (GII2020 spreadsheet); ISI 2019 STS2320.
    """
    lo, hi = np.nanmin(x), np.nanmax(x)
    if hi <= lo:
        raise MethodError("log_GII: the indicator is constant")
    scale = hi - 1 if hi > 1 else 1.0
    return np.asarray(np.log(scale * (x - lo) / (hi - lo) + 1), dtype=float)


TRANSFORMS = {
    "log_CT": log_ct,
    "log_CT_plus": log_ct_plus,
    "log_CT_orig": log_ct_orig,
    "log_GII": log_gii,
}


def treat_indicator(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Treat one indicator as COINr ``Treat.numeric`` does.

    1. Test (:func:`check_skew_kurt`); if it passes, stop.
    2. Winsorise (``method="default"``); re-test.
    3. If still failing and ``f2`` is set, transform the original (or, with
       ``combine_treat``, the winsorised) values with ``f2``; re-test.

    Returns
    -------
    x : ndarray
    details : dict
        Keys as COINr's ``treat_details`` columns: ``check_SkewKurt0.Pass``,
        ``...0.Skew``, ``...0.Kurt``, ``winsorise.nwin``, ``check_SkewKurt1.*``,
        ``check_SkewKurt2.*`` (present only for stages reached).
    flags : ndarray of str
        Per point: ``winhi``, ``winlo``, the f2 name, joined by ``+``.
    """
    x = np.asarray(x, dtype=float)
    flags = np.full(x.size, "", dtype=object)
    det: dict[str, Any] = {}
    if spec.method == "none":
        return x.copy(), det, flags
    p0, s0, k0 = check_skew_kurt(x, spec.skew_thresh, spec.kurt_thresh)
    det.update({"check_SkewKurt0.Pass": p0, "check_SkewKurt0.Skew": s0, "check_SkewKurt0.Kurt": k0})
    if p0 is None or (p0 and not spec.force_win):
        return x.copy(), det, flags
    passing: bool | None = p0
    x1 = x.copy()
    if spec.method == "default":
        x1, nwin, wflags = winsorise(
            x, winmax=spec.winmax, skew_thresh=spec.skew_thresh,
            kurt_thresh=spec.kurt_thresh, force_win=spec.force_win,
        )
        flags = wflags
        passing, s1, k1 = check_skew_kurt(x1, spec.skew_thresh, spec.kurt_thresh)
        det.update({"winsorise.nwin": nwin, "check_SkewKurt1.Pass": passing,
                    "check_SkewKurt1.Skew": s1, "check_SkewKurt1.Kurt": k1})
        if passing is None:
            return x.copy(), det, np.full(x.size, "", dtype=object)
    if not passing and spec.f2 is not None:
        base = x1 if (spec.combine_treat and spec.method == "default") else x
        x2 = TRANSFORMS[spec.f2](base)
        if np.isnan(x2[~np.isnan(x)]).any() or np.isinf(x2).any():
            raise MethodError(f"treat: {spec.f2} produced invalid values (zeros or negatives under a log)")
        p2, s2, k2 = check_skew_kurt(x2, spec.skew_thresh, spec.kurt_thresh)
        det.update({"check_SkewKurt2.Pass": p2, "check_SkewKurt2.Skew": s2, "check_SkewKurt2.Kurt": k2})
        flags = np.array([f"{f}+{spec.f2}" if f else spec.f2 for f in flags], dtype=object)
        return x2, det, flags
    return x1, det, flags


def treat(
    data: pd.DataFrame,
    *,
    overrides: Mapping[str, Mapping[str, Any] | str] | None = None,
    **global_params: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Treat outliers in every indicator (COINr ``Treat``).

    Parameters
    ----------
    data : DataFrame
        Units x indicators.
    overrides : mapping, optional
        Per indicator: ``"none"`` or a dict of :class:`TreatSpec` fields replacing the global ones.
    **global_params
        :class:`TreatSpec` fields, e.g. ``winmax=5, skew_thresh=2, kurt_thresh=3.5, f2="log_CT"``.

    Returns
    -------
    treated : DataFrame
    details : DataFrame
        One row per indicator tested; columns as COINr's ``Dets_Table``.
    flags : DataFrame
        Units x indicators, treatment flags.
    """
    spec = TreatSpec.from_params(global_params)
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(data.columns)
    if unknown:
        raise IndexDataError(f"treat: overrides for unknown indicator(s) {sorted(unknown)}")
    x = data.to_numpy(dtype=float)
    out = x.copy()
    # one vectorised test of every column first: most indicators pass and need nothing more
    sk, kt = skew_kurt_columns(x)
    rows = []
    flag_cols: dict[str, np.ndarray] = {}
    for j, code in enumerate(data.columns):
        o = overrides.get(code)
        if o == "none":
            continue
        s = spec if o is None else TreatSpec.from_params({**spec.__dict__, **dict(o)})  # type: ignore[arg-type]
        if s.method == "none":
            continue
        if not s.force_win and not np.isnan(sk[j]) and not np.isnan(kt[j]) and (
            abs(sk[j]) < s.skew_thresh or kt[j] < s.kurt_thresh
        ):
            rows.append({"iCode": code, "check_SkewKurt0.Pass": True,
                         "check_SkewKurt0.Skew": float(sk[j]), "check_SkewKurt0.Kurt": float(kt[j])})
            continue
        y, det, fl = treat_indicator(x[:, j], s)
        out[:, j] = y
        flag_cols[code] = fl
        if det:
            rows.append({"iCode": code, **det})
    flag_matrix = np.full(x.shape, "", dtype=object)
    for code, fl in flag_cols.items():
        flag_matrix[:, data.columns.get_loc(code)] = fl
    flags = pd.DataFrame(flag_matrix, index=data.index, columns=data.columns, dtype=object)
    treated = pd.DataFrame(out, index=data.index, columns=data.columns)
    return treated, pd.DataFrame(rows), flags
