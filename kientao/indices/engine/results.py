"""Results: ranks at every level, unit profiles (strengths/weaknesses), groups, panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from kientao.indices.engine.errors import IndexDataError
from kientao.indices.engine.framework import Framework

__all__ = [
    "group_summary",
    "rank_changes",
    "rank_scores",
    "ranks_descending",
    "strengths_weaknesses",
]


def ranks_descending(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Rank so that the highest value is 1; ties share the lowest rank; NaN stays NaN.

    Same as R ``rank(-x, ties.method = "min", na.last = "keep")`` (COINr ``rank_df``).
    Works along ``axis`` of an array of any shape (e.g. draws x units).
    """
    r = rankdata(-np.asarray(x, dtype=float), method="min", axis=axis, nan_policy="omit")
    return np.asarray(r, dtype=float)


def rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Ranks of every column of a scores table (index uCode), 1 = best, ties min."""
    return pd.DataFrame(
        ranks_descending(scores.to_numpy(dtype=float), axis=0), index=scores.index, columns=scores.columns
    )


def strengths_weaknesses(
    scores: pd.DataFrame, unit: str, *, codes: list[str] | None = None, n_top: int = 10
) -> pd.DataFrame:
    """A unit's strengths and weaknesses by the GII's method.

    Percentile rank of the unit on each code ``p = (rank_asc - 1)/(n - 1)``; strengths
    are the codes whose percentile rank is at or above the unit's ``n_top``-th highest
    one, and every code where the unit ranks 1-3; weaknesses mirror at the bottom.

    Returns
    -------
    DataFrame
        Columns iCode, Score, Rank, PercentileRank, Class ("strength", "weakness" or "").

    References
    ----------
    1. WIPO (2023), Global Innovation Index 2023, Appendix I, p. 218.
    """
    if unit not in scores.index:
        raise IndexDataError(f"strengths_weaknesses: unknown unit '{unit}'")
    cols = list(scores.columns) if codes is None else codes
    x = scores[cols]
    ranks = rank_scores(x).loc[unit]
    n = x.notna().sum(axis=0)
    prank = (n - ranks) / (n - 1)
    top = np.sort(prank.dropna().to_numpy())[::-1]
    hi = top[min(n_top, top.size) - 1] if top.size else np.nan
    lo = top[::-1][min(n_top, top.size) - 1] if top.size else np.nan
    cls = np.where((prank >= hi) | (ranks <= 3), "strength", np.where(prank <= lo, "weakness", ""))
    return pd.DataFrame(
        {"iCode": cols, "Score": x.loc[unit].to_numpy(), "Rank": ranks.to_numpy(),
         "PercentileRank": prank.to_numpy(), "Class": cls}
    )


def group_summary(scores: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Mean, median, min, max and count of every column by group (index: group label)."""
    g = groups.reindex(scores.index)
    table = scores.groupby(g).agg(["mean", "median", "min", "max", "count"])
    table.columns = [f"{col[0]}_{col[1]}" for col in table.columns]
    return table


def rank_changes(panel: pd.DataFrame, *, code: str, time_col: str = "Time") -> pd.DataFrame:
    """Score and rank of ``code`` per unit and time, with the change since the previous time.

    Parameters
    ----------
    panel : DataFrame
        Columns uCode, ``time_col`` and ``code`` (e.g. the concatenated scores of a build per year).

    Returns
    -------
    DataFrame
        Columns uCode, Time, Score, Rank, RankChange (previous rank - rank: positive = improved).
    """
    for c in ("uCode", time_col, code):
        if c not in panel.columns:
            raise IndexDataError(f"rank_changes: missing column '{c}'")
    p = panel[["uCode", time_col, code]].rename(columns={code: "Score", time_col: "Time"}).copy()
    p["Rank"] = p.groupby("Time")["Score"].rank(ascending=False, method="min")
    p = p.sort_values(["uCode", "Time"])
    p["RankChange"] = p.groupby("uCode")["Rank"].shift(1) - p["Rank"]
    return p.reset_index(drop=True)


def framework_table(framework: Framework) -> pd.DataFrame:
    """The framework as a table: iCode, iName, Level, Parent, Weight, Direction."""
    return pd.DataFrame(
        [
            {"iCode": n.code, "iName": n.name, "Level": n.level, "Parent": n.parent,
             "Weight": n.weight, "Direction": n.direction}
            for n in framework.nodes.values()
        ]
    )
