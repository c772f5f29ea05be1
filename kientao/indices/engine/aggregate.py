"""Aggregation: each parent from its children, level by level (COINr ``Aggregate``).

The core works on arrays with any number of leading "draw" dimensions, so the
same code builds one index and 10,000 Monte Carlo variants at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import IndexDataError, MethodError
from kientao.indices.engine.framework import Framework

__all__ = [
    "AGGREGATORS",
    "aggregate",
    "aggregate_level",
    "copeland",
    "copeland_level",
    "membership",
]

AGGREGATORS = ("amean", "gmean", "hmean", "genmean", "copeland")


def membership(framework: Framework, level: int) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Children codes (level - 1), parent codes (level, alphabetical as COINr) and the 0/1 matrix."""
    parents = tuple(sorted(framework.codes_at(level)))
    children = tuple(c for c in framework.codes_at(level - 1))
    m = np.zeros((len(children), len(parents)))
    pos = {p: j for j, p in enumerate(parents)}
    for i, c in enumerate(children):
        m[i, pos[str(framework.nodes[c].parent)]] = 1.0
    return children, parents, m


def aggregate_level(
    x: np.ndarray,
    w: np.ndarray,
    m: np.ndarray,
    *,
    method: str = "amean",
    dat_thresh: float | None = None,
    errors: str = "raise",
    p: float | None = None,
) -> np.ndarray:
    """Aggregate children into parents for arrays of shape ``(..., units, children)``.

    ``amean``: ``sum w x / sum w``; ``gmean``: ``exp(sum w ln x / sum w)``;
    ``hmean``: ``sum w / sum (w/x)``; ``genmean``: ``(sum w x^p / sum w)^(1/p)``;
    sums over the children that are not missing, with their weights re-normalised
    (COINr ``a_amean``/``a_gmean``/``a_hmean``/``a_genmean``). ``copeland``: see
    :func:`copeland_level`.
    A parent is missing when all its children are, or when the share of
    non-missing children is below ``dat_thresh``.

    Parameters
    ----------
    x : ndarray, shape (..., U, C)
    w : ndarray, shape (..., C) or (C,)
        Weights (>= 0).
    m : ndarray, shape (C, P)
        Membership: ``m[c, p] = 1`` if child c belongs to parent p.
    method : {"amean", "gmean", "hmean", "genmean", "copeland"}
    dat_thresh : float, optional
    errors : {"raise", "nan"}
        What to do with zeros/negatives under ``gmean``/``hmean``/``genmean``: raise
        :class:`MethodError`, or return NaN for the whole draw (Monte Carlo runs).
    p : float, optional
        Exponent of ``genmean`` (required there, non-zero): p = 1 is ``amean``,
        p = -1 is ``hmean``, p -> 0 tends to ``gmean``.

    Returns
    -------
    ndarray, shape (..., U, P)

    Raises
    ------
    MethodError
        ``gmean`` of a value <= 0, ``hmean`` of a 0, ``genmean`` of a negative value
        or (p < 0) of a zero, when ``errors="raise"``.
    IndexDataError
        Unknown method; ``genmean`` without a non-zero ``p``.

    Notes
    -----
    Missing children under ``genmean``: COINr's ``a_genmean`` does not drop them
    (``sum(w * x^p)`` is NA), so any missing child makes the parent NA. We drop them
    and re-normalise the weights like every other mean; ``dat_thresh = 1`` gives
    COINr's behaviour. COINr leaves negative x with p > 0 to R (NaN for a
    fractional p); we raise instead.

    References
    ----------
    1. Bullen, P. S. (2003), Handbook of Means and Their Inequalities, ch. III,
       doi:10.1007/978-94-017-0399-4
    2. Becker, W. et al. (2022), COINr, doi:10.21105/joss.04567 (``Aggregate``).
    """
    if method == "copeland":
        return copeland_level(x, w, m)
    present = ~np.isnan(x)
    wb = np.asarray(w, dtype=float)[..., None, :]
    xw = np.where(present, x, 0.0)
    den = (present * wb) @ m
    if method == "amean":
        num = (xw * wb) @ m
    elif method in ("gmean", "hmean"):
        bad = present & (xw <= 0) if method == "gmean" else present & (xw == 0)
        if bad.any() and errors == "raise":
            what = "zero or negative" if method == "gmean" else "zero"
            raise MethodError(
                f"aggregate: {method} of a {what} value; normalise to a positive range "
                "(e.g. min-max 1-100) or use amean"
            )
        safe = np.where(bad | ~present, 1.0, xw)
        terms = np.log(safe) * present * wb if method == "gmean" else (present * wb) / safe
        num = terms @ m
    elif method == "genmean":
        if p is None or float(p) == 0.0 or not np.isfinite(float(p)):
            raise IndexDataError("aggregate: genmean needs a finite, non-zero exponent p (p = 0 is gmean)")
        pw = float(p)
        bad = present & ((xw < 0) | ((xw == 0) & (pw < 0)))
        if bad.any() and errors == "raise":
            what = "negative" if (present & (xw < 0)).any() else "zero (with p < 0)"
            raise MethodError(f"aggregate: genmean of a {what} value; normalise to a positive range")
        safe = np.where(bad | ~present, 1.0, xw)
        num = ((safe**pw) * present * wb) @ m
    else:
        raise IndexDataError(f"aggregate: unknown method '{method}'; expected one of {list(AGGREGATORS)}")
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "amean":
            y = num / den
        elif method == "gmean":
            y = np.exp(num / den)
        elif method == "genmean":
            y = (num / den) ** (1.0 / float(p))  # type: ignore[arg-type]
        else:
            y = den / num
    y = np.where(den > 0, y, np.nan)
    if dat_thresh is not None:
        share = present.astype(float) @ m / m.sum(axis=0)
        y = np.where(share < dat_thresh, np.nan, y)
    if method != "amean":
        bad_draw = bad.reshape(*bad.shape[:-2], -1).any(axis=-1)
        y = np.where(bad_draw[..., None, None], np.nan, y)
    return np.asarray(y)


_TIE = 1e-12  # o_ij within this of 0.5 is a tie: sums of weights in another order differ by ~1e-16


def _sign_half(o: np.ndarray) -> np.ndarray:
    """+1 / -1 / 0 for o above / below / equal to 0.5, float noise counted as equal."""
    d = o - 0.5
    return np.where(np.abs(d) <= _TIE, 0.0, np.sign(d))


def copeland_level(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Copeland scores of every parent for arrays ``x`` (..., U, C), ``w`` (..., C) or (C,).

    The batched form of :func:`copeland` (one outranking matrix per draw and parent):
    ``o_ij = sum_k w_k [x_ik > x_jk] + 0.5 sum_k w_k [x_ik = x_jk]`` over the parent's
    children, weights normalised within the parent; score ``sum_j sign(o_ij - 0.5)``.

    Returns
    -------
    ndarray, shape (..., U, P)

    References
    ----------
    1. Munda & Nardo (2009), doi:10.1080/00036840601019357
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    lead = np.broadcast_shapes(x.shape[:-2], w.shape[:-1])
    wb = np.broadcast_to(w, (*lead, x.shape[-1]))
    nu = x.shape[-2]
    out = np.empty((*lead, nu, m.shape[1]))
    for j in range(m.shape[1]):
        kids = np.flatnonzero(m[:, j] > 0)
        total = wb[..., kids].sum(axis=-1)[..., None, None]
        o = np.zeros((*lead, nu, nu))
        for k in kids:  # one child at a time: memory (..., U, U), not (..., U, U, C)
            xk = x[..., :, k]
            a, b = xk[..., :, None], xk[..., None, :]
            o += wb[..., k][..., None, None] * ((a > b) + 0.5 * (a == b))
        # sign(o/total - 1/2) with ties within _TIE, without forming o/total
        above = o > (0.5 + _TIE) * total
        below = o < (0.5 - _TIE) * total
        score_j = above.sum(axis=-1, dtype=np.int64) - below.sum(axis=-1, dtype=np.int64)
        diag = np.einsum("...ii->...i", above).astype(np.int64) - np.einsum("...ii->...i", below)
        out[..., j] = score_j - diag
    return out


def copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland score from a weighted outranking matrix (COINr ``a_copeland``).

    ``o_ij = sum_k w_k [x_ik > x_jk] + 0.5 sum_k w_k [x_ik = x_jk]`` with weights
    summing to 1; ``o_ij`` > 0.5 counts +1, < 0.5 counts -1; the score is the row sum.
    Missing values never outrank. ``o_ij`` within 1e-12 of 0.5 counts as a tie (0),
    so that summation order cannot flip a tie.

    References
    ----------
    1. Munda & Nardo (2009), doi:10.1080/00036840601019357
    """
    wn = np.asarray(w, dtype=float) / np.sum(w)
    a = x[:, None, :]
    b = x[None, :, :]
    o = ((a > b) * wn).sum(axis=2) + 0.5 * ((a == b) * wn).sum(axis=2)
    s = _sign_half(o)
    np.fill_diagonal(s, 0.0)
    return np.asarray(s.sum(axis=1), dtype=float)


def aggregate(
    data: pd.DataFrame,
    framework: Framework,
    *,
    method: str | Sequence[str] = "amean",
    weights: Mapping[str, float] | None = None,
    dat_thresh: float | Sequence[float | None] | None = None,
    p: float | Sequence[float | None] | None = None,
) -> pd.DataFrame:
    """Aggregate normalised indicators up to the index.

    Parameters
    ----------
    data : DataFrame
        Units x indicators (normalised).
    framework : Framework
    method : str or sequence of str
        One method for all levels, or one per level from 2 up (see :data:`AGGREGATORS`).
    p : float or sequence, optional
        Exponent of ``genmean`` (one, or one per level).
    weights : mapping, optional
        iCode -> weight, replacing the iMeta weights for those codes.
    dat_thresh : float or sequence, optional
        Minimum share of non-missing children per aggregate (one or per level).

    Returns
    -------
    DataFrame
        The indicators followed by every aggregate, level by level (COINr's "Aggregated").
    """
    fw = framework if not weights else framework.with_weights(weights)
    nlev = fw.max_level - 1
    methods = [method] * nlev if isinstance(method, str) else list(method)
    threshes = list(dat_thresh) if isinstance(dat_thresh, Sequence) else [dat_thresh] * nlev
    exps = list(p) if isinstance(p, Sequence) else [p] * nlev
    if len(methods) != nlev or len(threshes) != nlev or len(exps) != nlev:
        raise IndexDataError(f"aggregate: give one method/dat_thresh or one per level ({nlev} levels)")
    values = data.to_numpy(dtype=float)
    cols = {c: values[:, j] for j, c in enumerate(data.columns)}
    for level in range(2, fw.max_level + 1):
        children, parents, m = membership(fw, level)
        x = np.column_stack([cols[c] for c in children])
        w = np.array([fw.nodes[c].weight for c in children])
        meth = methods[level - 2]
        if meth == "copeland":
            y = np.column_stack([copeland(x[:, m[:, j] > 0], w[m[:, j] > 0]) for j in range(len(parents))])
        else:
            y = aggregate_level(x, w, m, method=meth, dat_thresh=threshes[level - 2], p=exps[level - 2])
        for j, parent in enumerate(parents):
            cols[parent] = y[:, j]
    return pd.DataFrame(cols, index=data.index)
