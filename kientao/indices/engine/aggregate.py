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
    One data set ``x`` (U, C) with many weight vectors ``w`` (Q, C) (a Monte Carlo
    batch at a level whose inputs do not vary) is computed as per-parent matrix
    products ``w @ g(x).T``, without forming (Q, U, C) arrays.

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
    w = np.asarray(w, dtype=float)
    xw = np.where(present, x, 0.0)
    den = _weighted_sums(present.astype(float), w, m)
    if method == "amean":
        num = _weighted_sums(xw, w, m)
    elif method in ("gmean", "hmean"):
        bad = present & (xw <= 0) if method == "gmean" else present & (xw == 0)
        if bad.any() and errors == "raise":
            what = "zero or negative" if method == "gmean" else "zero"
            raise MethodError(
                f"aggregate: {method} of a {what} value; normalise to a positive range "
                "(e.g. min-max 1-100) or use amean"
            )
        safe = np.where(bad | ~present, 1.0, xw)
        terms = np.log(safe) * present if method == "gmean" else present / safe
        num = _weighted_sums(terms, w, m)
    elif method == "genmean":
        if p is None or float(p) == 0.0 or not np.isfinite(float(p)):
            raise IndexDataError("aggregate: genmean needs a finite, non-zero exponent p (p = 0 is gmean)")
        pw = float(p)
        bad = present & ((xw < 0) | ((xw == 0) & (pw < 0)))
        if bad.any() and errors == "raise":
            what = "negative" if (present & (xw < 0)).any() else "zero (with p < 0)"
            raise MethodError(f"aggregate: genmean of a {what} value; normalise to a positive range")
        safe = np.where(bad | ~present, 1.0, xw)
        num = _weighted_sums((safe**pw) * present, w, m)
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


def _weighted_sums(g: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``sum_c w_c g_uc m_cp`` for ``g`` (..., U, C) and ``w`` (..., C): shape (..., U, P).

    When one data set ``g`` (U, C) meets many weight vectors ``w`` (Q, C) (a Monte
    Carlo batch whose data do not vary), the sums are ``w[:, kids] @ g[:, kids].T``
    per parent: O(Q U C) instead of forming the (Q, U, C) product.
    """
    if g.ndim == 2 and w.ndim == 2:
        out = np.empty((w.shape[0], g.shape[0], m.shape[1]))
        for j in range(m.shape[1]):
            kids = np.flatnonzero(m[:, j])
            out[:, :, j] = (w[:, kids] * m[kids, j]) @ g[:, kids].T
        return out
    return np.asarray((g * w[..., None, :]) @ m)


_TIE = 1e-12  # o_ij within this of 0.5 is a tie: sums of weights in another order differ by ~1e-16


def _sign_half(o: np.ndarray) -> np.ndarray:
    """+1 / -1 / 0 for o above / below / equal to 0.5, float noise counted as equal."""
    d = o - 0.5
    return np.where(np.abs(d) <= _TIE, 0.0, np.sign(d))


_CHUNK = 1 << 22  # elements of one (draws, U, U) work array: 32 MB of float64
_MAX_CODED = 6  # children coded as 3^K patterns: 729 at most, a table far smaller than the U x U pairs


def copeland_level(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Copeland scores of every parent for arrays ``x`` (..., U, C), ``w`` (..., C) or (C,).

    The batched form of :func:`copeland` (one outranking matrix per draw and parent):
    ``o_ij = sum_k w_k [x_ik > x_jk] + 0.5 sum_k w_k [x_ik = x_jk]`` over the parent's
    children, weights normalised within the parent; score ``sum_j sign(o_ij - 1/2)``.

    Returns
    -------
    ndarray, shape (..., U, P)

    Notes
    -----
    With ``t_ijk = [x_ik > x_jk] + [x_ik >= x_jk]`` (0, 1 or 2; 0 when either value
    is missing, so such a pair is a loss both ways, as in :func:`copeland`) and
    ``W = sum_k w_k``, ``d_ij = 2 o_ij - W = sum_k w_k t_ijk - W``; ``d_ij`` within
    ``2e-12 W`` of 0 is a tie. A pair's outcome depends only on its *pattern*
    ``(t_ij1, ..., t_ijK)``, so ``d`` is computed once per distinct pattern and draw,
    not once per pair and draw:

    - one data set, many weight vectors (a Monte Carlo batch at the levels where the
      data do not vary): the patterns of all pairs are found once; the signs of
      ``w @ patterns`` for every draw are then counted per unit with a matrix
      product (or a gather when there are many patterns);
    - data that vary by draw, K small: each pair's pattern is coded as the integer
      ``sum_k 3^k t_ijk`` in one integer pass per child, and looked up in a table of
      the ``3^K`` signs of each draw;
    - otherwise ``d`` is accumulated child by child in a (draws, U, U) buffer.

    Memory is O(draws U^2) (in chunks of about 4 million elements), never O(draws U^2 K).

    References
    ----------
    1. Munda & Nardo (2009), doi:10.1080/00036840601019357
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    lead = np.broadcast_shapes(x.shape[:-2], w.shape[:-1])
    nu, nc = x.shape[-2], x.shape[-1]
    w2 = np.broadcast_to(w, (*lead, nc)).reshape(-1, nc)
    if x.ndim == 2:
        out = _copeland_shared(x, w2, m)
    else:
        xb = np.broadcast_to(x, (*lead, nu, nc)).reshape(-1, nu, nc)
        out = np.empty((w2.shape[0], nu, m.shape[1]))
        step = max(1, _CHUNK // (nu * nu))
        for a in range(0, xb.shape[0], step):
            out[a : a + step] = _copeland_draws(xb[a : a + step], w2[a : a + step], m)
    return out.reshape(*lead, nu, m.shape[1])


def _dense_ranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order codes of ``x`` (..., U) along the last axis: equal values share a code.

    Returns (row, col) integer arrays with ``[row_i > col_j] = [x_i > x_j]`` and
    ``[row_i >= col_j] = [x_i >= x_j]``, both False when either value is missing
    (a missing value is coded very low as a row and very high as a column).
    """
    nu = x.shape[-1]
    dtype = np.int16 if nu < 2**14 else np.int64
    big = 2**14 if dtype == np.int16 else 2**40
    order = np.argsort(x, axis=-1, kind="stable")
    s = np.take_along_axis(x, order, axis=-1)
    new = np.ones(s.shape, dtype=dtype)
    new[..., 0] = 0
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    rank = np.empty(s.shape, dtype=dtype)
    np.put_along_axis(rank, order, np.cumsum(new, axis=-1, dtype=dtype), axis=-1)
    miss = np.isnan(x)
    return np.where(miss, -big, rank).astype(dtype), np.where(miss, big, rank).astype(dtype)


def _pair_signs(row: np.ndarray, col: np.ndarray) -> np.ndarray:
    """``sign(row_i - col_j)`` for codes (..., U): (..., U, U); ``t_ij`` of the Notes is this + 1."""
    return np.sign(np.subtract(row[..., :, None], col[..., None, :]))


def _tie_signs(d: np.ndarray, total: np.ndarray) -> np.ndarray:
    """+1 / -1 / 0 for ``d`` above / below / within ``2e-12 total`` of 0; ``total`` per row of ``d``."""
    tol = 2 * _TIE * total[..., None]
    return (d > tol).astype(np.int8) - (d < -tol).astype(np.int8)


def _patterns(k: int) -> np.ndarray:
    """All 3^k sign patterns (3^k, k) in {-1, 0, 1}; pattern ``sum_c 3^c (s_c + 1)`` is row number."""
    return np.asarray((np.arange(3**k)[:, None] // 3 ** np.arange(k)) % 3 - 1)


def _pattern_codes(row: np.ndarray, col: np.ndarray, kids: np.ndarray) -> np.ndarray:
    """Pattern numbers ``sum_c 3^c (s_c + 1)`` of every pair, (..., U, U) int16 (K <= 9 children)."""
    shape = (*row.shape[1:], row.shape[-1])
    code = np.full(shape, (3**kids.size - 1) // 2, dtype=np.int16)
    tmp = np.empty(shape, dtype=np.int16)
    for c, k in enumerate(kids):
        np.subtract(row[k][..., :, None], col[k][..., None, :], out=tmp, dtype=np.int16)
        np.sign(tmp, out=tmp)
        np.multiply(tmp, np.int16(3**c), out=tmp)
        code += tmp
    return code


def _copeland_shared(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Copeland scores (Q, U, P) for one data set ``x`` (U, C) and weight vectors ``w`` (Q, C)."""
    nu = x.shape[0]
    row, col = _dense_ranks(x.T)
    out = np.empty((w.shape[0], nu, m.shape[1]))
    units = np.arange(nu)
    for j in range(m.shape[1]):
        kids = np.flatnonzero(m[:, j] > 0)
        wj = w[:, kids]
        total = wj.sum(axis=1)
        if kids.size <= _MAX_CODED and row.dtype == np.int16:
            patterns = _patterns(kids.size)
            which = _pattern_codes(row, col, kids)  # (U, U)
            sign = _tie_signs(wj @ (patterns.T + 1.0) - total[:, None], total)  # (Q, patterns)
            n_pat = len(patterns)
            # score_i = sum over patterns of sign x number of j != i whose pair with i has it
            count = np.bincount((units[:, None] * n_pat + which).reshape(-1), minlength=nu * n_pat)
            count = count.reshape(nu, n_pat)
            count[units, which[units, units]] -= 1
            # an integer product: exact, and too small to be worth BLAS threads
            out[:, :, j] = sign.astype(np.int64) @ count.T
            continue
        off = ~np.eye(nu, dtype=bool)
        s = np.stack([_pair_signs(row[k], col[k])[off] for k in kids], axis=-1)  # (pairs, K)
        patterns, which = np.unique(s, axis=0, return_inverse=True)
        sign = _tie_signs(wj @ (patterns.T + 1.0) - total[:, None], total)
        step = max(1, _CHUNK // (nu * nu))
        for a in range(0, w.shape[0], step):
            got = sign[a : a + step][:, which.reshape(-1)].reshape(-1, nu, nu - 1)
            out[a : a + step, :, j] = got.sum(axis=-1, dtype=np.int64)
    return out


def _copeland_draws(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Copeland scores (Q, U, P) for per-draw data ``x`` (Q, U, C) and weights ``w`` (Q, C)."""
    q, nu, _ = x.shape
    row, col = _dense_ranks(np.moveaxis(x, -1, 0))  # (C, Q, U)
    out = np.empty((q, nu, m.shape[1]))
    diag = (slice(None), slice(None, None, nu + 1))
    for j in range(m.shape[1]):
        kids = np.flatnonzero(m[:, j] > 0)
        wj = w[:, kids]
        total = wj.sum(axis=1)
        if kids.size <= _MAX_CODED and row.dtype == np.int16:
            n_pat = 3**kids.size
            table = _tie_signs(wj @ (_patterns(kids.size).T + 1.0) - total[:, None], total)  # (Q, patterns)
            # each pair's pattern number, offset by its draw's row of the flattened table
            offset = np.arange(q, dtype=np.int32) * n_pat
            code = _pattern_codes(row, col, kids) + offset[:, None, None]
            s = np.take(table.reshape(-1), code).reshape(q, -1)
            s[diag] = 0  # a unit does not outrank itself
            out[:, :, j] = s.reshape(q, nu, nu).sum(axis=-1, dtype=np.int64)
        else:
            d = np.zeros((q, nu, nu))
            for c, k in enumerate(kids):
                d += (_pair_signs(row[k], col[k]) + 1.0) * wj[:, c, None, None]
            s = _tie_signs(d.reshape(q, -1) - total[:, None], total)
            s[diag] = 0
            out[:, :, j] = s.reshape(q, nu, nu).sum(axis=-1, dtype=np.int64)
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
