"""Vote shares broken down by opt-in participant attributes, with small-cell suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kientao.conversations.engine.matrix import VoteDataError, VoteMatrix

__all__ = ["disaggregate_votes"]


def disaggregate_votes(
    votes: VoteMatrix,
    attributes: pd.DataFrame,
    *,
    min_cell: int = 10,
) -> pd.DataFrame:
    """Agree / disagree / pass counts and shares per statement and attribute value.

    For each attribute column (for example ``gender``, ``age_band``, ``district``) and
    each of its values, counts among participants with that value who saw the statement.

    **Suppression rule.** A cell (statement, attribute, value) with fewer than
    ``min_cell`` voters is suppressed: its counts and shares are empty and
    ``suppressed`` is True. Because the overall count of a statement is public, a single
    suppressed value of an attribute could be recovered by subtracting the others from
    the total; so whenever exactly one value of an attribute is suppressed for a
    statement, the smallest other value is suppressed too (complementary suppression).
    Participants who did not state the attribute (missing) form no cell and are never
    published, which also protects them.

    Parameters
    ----------
    votes : VoteMatrix
    attributes : pandas.DataFrame
        Column ``participant`` plus one column per attribute; missing values = not
        stated. Participants absent from ``votes`` are ignored.
    min_cell : int
        Smallest number of voters shown (default 10).

    Returns
    -------
    pandas.DataFrame
        Columns ``statement``, ``attribute``, ``value``, ``n_seen``, ``n_agree``,
        ``n_disagree``, ``n_pass`` (nullable Int64, empty when suppressed),
        ``agree_share``, ``disagree_share``, ``pass_share`` (float, NaN only when
        suppressed), ``suppressed`` (bool).

    Raises
    ------
    VoteDataError
        Missing ``participant`` column, duplicate participants or ``min_cell < 1``.

    Examples
    --------
    >>> from kientao.conversations.engine.matrix import build_vote_matrix
    >>> m = build_vote_matrix(list(range(4)), [0] * 4, [1, 1, -1, 0])
    >>> a = pd.DataFrame({"participant": range(4), "gender": ["f", "f", "m", "m"]})
    >>> disaggregate_votes(m, a, min_cell=2)[["value", "n_agree"]].values.tolist()
    [['f', 2], ['m', 0]]

    References
    ----------
    .. [1] Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 5
       (primary and secondary cell suppression), https://doi.org/10.1002/9781118348239
    """
    if "participant" not in attributes.columns:
        raise VoteDataError("attributes: missing column 'participant'")
    if attributes["participant"].duplicated().any():
        i = int(np.flatnonzero(attributes["participant"].duplicated().to_numpy())[0])
        raise VoteDataError(f"attributes: row {i + 1}, column 'participant': duplicate")
    if min_cell < 1:
        raise VoteDataError("min_cell must be at least 1")
    coo = votes.values.tocoo()
    long = pd.DataFrame(
        {"participant": votes.participants[coo.row], "statement": votes.statements[coo.col],
         "vote": coo.data}
    )
    frames = []
    for attr in [c for c in attributes.columns if c != "participant"]:
        lookup = attributes[["participant", attr]].dropna()
        merged = long.merge(lookup, on="participant", how="inner")
        if merged.empty:
            continue
        merged["n_seen"] = 1
        merged["n_agree"] = (merged["vote"] == 1).astype(np.int64)
        merged["n_disagree"] = (merged["vote"] == -1).astype(np.int64)
        table = (
            merged.groupby(["statement", attr], sort=True)[["n_seen", "n_agree", "n_disagree"]]
            .sum()
            .reset_index()
            .rename(columns={attr: "value"})
        )
        table.insert(1, "attribute", attr)
        frames.append(table)
    cols = ["statement", "attribute", "value", "n_seen", "n_agree", "n_disagree", "n_pass",
            "agree_share", "disagree_share", "pass_share", "suppressed"]
    if not frames:
        return pd.DataFrame({c: [] for c in cols})
    out = pd.concat(frames, ignore_index=True)
    out["n_pass"] = out["n_seen"] - out["n_agree"] - out["n_disagree"]
    small = out["n_seen"] < min_cell
    out["suppressed"] = small
    # complementary suppression: one suppressed value per (statement, attribute) is
    # recoverable from the total, so also hide the smallest visible one
    per = out.groupby(["statement", "attribute"])["suppressed"].transform("sum")
    lone = out[(per == 1)]
    visible = lone[~lone["suppressed"]]
    if len(visible):
        idx = visible.groupby(["statement", "attribute"])["n_seen"].idxmin()
        out.loc[idx.to_numpy(), "suppressed"] = True
    for name in ("agree", "disagree", "pass"):
        out[f"{name}_share"] = out[f"n_{name}"] / out["n_seen"]
    for col in ("n_seen", "n_agree", "n_disagree", "n_pass"):
        out[col] = out[col].astype("Int64").mask(out["suppressed"])
    for col in ("agree_share", "disagree_share", "pass_share"):
        out[col] = out[col].mask(out["suppressed"])
    return out[cols]
