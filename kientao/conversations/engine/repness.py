"""Representativeness, consensus, group-informed consensus, divisiveness, routing priority.

All statistics are computed for every (group, statement) at once from sparse products; the
only Python loops run over groups (at most 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kientao.conversations.engine.matrix import VoteMatrix

__all__ = [
    "Z_90",
    "GroupCounts",
    "consensus_statements",
    "count_votes_by_group",
    "divisiveness",
    "group_informed_consensus",
    "one_proportion_z",
    "representative_statements",
    "routing_priority",
    "statement_statistics",
    "two_proportion_z",
]

#: one-sided 90 % critical value used by Pol.is (``stats.clj``)
Z_90 = 1.2816


@dataclass(frozen=True)
class GroupCounts:
    """Vote counts per group and statement, each (n_groups, n_statements) float arrays.

    Attributes
    ----------
    agree, disagree, seen : numpy.ndarray
        ``seen`` counts passes too.
    """

    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray

    @property
    def passed(self) -> np.ndarray:
        """Pass counts."""
        return self.seen - self.agree - self.disagree


def count_votes_by_group(votes: VoteMatrix, labels: np.ndarray, n_groups: int) -> GroupCounts:
    """Agree, disagree and seen counts per group and statement.

    Parameters
    ----------
    votes : VoteMatrix
    labels : numpy.ndarray
        (n_participants,) group in 0..n_groups−1, or −1 for participants in no group.
    n_groups : int

    Returns
    -------
    GroupCounts

    Examples
    --------
    >>> from kientao.conversations.engine.matrix import build_vote_matrix
    >>> m = build_vote_matrix([0, 1, 2], [0, 0, 0], [1, -1, 0])
    >>> count_votes_by_group(m, np.array([0, 0, 1]), 2).seen.tolist()
    [[2.0], [1.0]]
    """
    labels = np.asarray(labels)
    n = votes.shape[0]
    member = labels >= 0
    onehot = np.zeros((n, n_groups), dtype=np.float32)
    onehot[np.flatnonzero(member), labels[member]] = 1.0
    x = votes.values

    def total(data: np.ndarray) -> np.ndarray:
        # same structure as the votes, new data: indices are shared, never copied;
        # Xᵀ·onehot is one pass over the votes (counts stay exact in float32 below 2^24)
        ind = sp.csr_matrix((data, x.indices, x.indptr), shape=x.shape, copy=False)
        return np.asarray(ind.T @ onehot, dtype=np.float64).T

    return GroupCounts(
        agree=total((x.data == 1).astype(np.float32)),
        disagree=total((x.data == -1).astype(np.float32)),
        seen=total(np.ones(x.nnz, dtype=np.float32)),
    )


def one_proportion_z(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pol.is one-proportion test against 1/2: ``2·sqrt(n+1)·((s+1)/(n+1) − 0.5)``.

    Examples
    --------
    >>> float(one_proportion_z(np.array(3.0), np.array(3.0)))
    2.0

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/stats.clj`` l.10–20.
    """
    s = np.asarray(successes, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    return 2.0 * np.sqrt(nn + 1.0) * ((s + 1.0) / (nn + 1.0) - 0.5)


def two_proportion_z(
    s1: np.ndarray, n1: np.ndarray, s2: np.ndarray, n2: np.ndarray
) -> np.ndarray:
    """Pol.is two-proportion test with +1 pseudo-counts.

    ``π1 = (s1+1)/(n1+1)``, ``π2 = (s2+1)/(n2+1)``,
    ``π̂ = (s1+s2+2)/(n1+n2+2)``,
    ``z = (π1 − π2)/sqrt(π̂(1−π̂)(1/(n1+1) + 1/(n2+1)))``; 0 where ``π̂ = 1``.

    Examples
    --------
    >>> round(float(two_proportion_z(np.array(3.0), np.array(3.0), np.array(0.0),
    ...                               np.array(3.0))), 4)
    2.1909

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/stats.clj`` l.22–45.
    """
    s1, n1, s2, n2 = (np.asarray(a, dtype=np.float64) for a in (s1, n1, s2, n2))
    p1 = (s1 + 1.0) / (n1 + 1.0)
    p2 = (s2 + 1.0) / (n2 + 1.0)
    pi = (s1 + s2 + 2.0) / (n1 + n2 + 2.0)
    var = pi * (1.0 - pi) * (1.0 / (n1 + 1.0) + 1.0 / (n2 + 1.0))
    ok = var > 0
    return np.divide(p1 - p2, np.sqrt(np.where(ok, var, 1.0)), out=np.zeros_like(var),
                     where=ok)


def _stats(counts: GroupCounts) -> dict[str, np.ndarray]:
    a, d, s = counts.agree, counts.disagree, counts.seen
    ra_, rd_, rs_ = (x.sum(axis=0, keepdims=True) - x for x in (a, d, s))
    pa = (a + 1.0) / (s + 2.0)
    pd_ = (d + 1.0) / (s + 2.0)
    return {
        "n_agree": a,
        "n_disagree": d,
        "n_seen": s,
        "p_agree": pa,
        "p_disagree": pd_,
        "p_agree_test": one_proportion_z(a, s),
        "p_disagree_test": one_proportion_z(d, s),
        "r_agree": pa / ((1.0 + ra_) / (2.0 + rs_)),
        "r_disagree": pd_ / ((1.0 + rd_) / (2.0 + rs_)),
        "r_agree_test": two_proportion_z(a, s, ra_, rs_),
        "r_disagree_test": two_proportion_z(d, s, rd_, rs_),
    }


def _best_agree(
    st: dict[str, np.ndarray], g: int, voted: np.ndarray, qualifies: np.ndarray
) -> int | None:
    """Pol.is's best-agree scan (``repness.clj`` ``beats-best-agr?``), by jumps.

    Scanning statements in order, the first that qualifies becomes the best; a later
    statement with votes replaces it when it beats it on ``r_a·rat·p_a·pat`` (when the
    current best has ``r_a > 1``) or else on ``p_a·pat``. Each jump is one vectorised
    search, so the cost is O(jumps × statements) instead of a Python loop per statement.
    """
    first = np.flatnonzero(qualifies)
    if len(first) == 0:
        return None
    full = st["r_agree"][g] * st["r_agree_test"][g] * st["p_agree"][g] * st["p_agree_test"][g]
    prob = st["p_agree"][g] * st["p_agree_test"][g]
    b = int(first[0])
    while True:
        metric = full if st["r_agree"][g, b] > 1.0 else prob
        later = np.flatnonzero(voted[b + 1 :] & (metric[b + 1 :] > metric[b]))
        if len(later) == 0:
            return b
        b = b + 1 + int(later[0])


def representative_statements(
    counts: GroupCounts,
    statements: np.ndarray,
    *,
    excluded: np.ndarray | None = None,
    pick_max: int = 5,
    full_ranking: bool = False,
) -> pd.DataFrame:
    """Statements that set each group apart from the others (Pol.is repness).

    For group g and statement c, with counts among g's members (``n_a``, ``n_d``, ``n_s``,
    passes counted in ``n_s``) and among all other groups pooled (``rest``):
    ``p_a = (n_a+1)/(n_s+2)``; ``r_a = p_a / ((1+n_a,rest)/(2+n_s,rest))``;
    ``pat`` = :func:`one_proportion_z`; ``rat`` = :func:`two_proportion_z`; likewise for
    disagree. A statement qualifies when (``rat`` and ``pat``) or (``rdt`` and ``pdt``)
    exceed :data:`Z_90`; its direction is agree when ``rat > rdt``; it is ranked by
    ``r·r_test·p·p_test`` of that direction. The best-agree statement (Pol.is's ordered
    scan: the first statement with ``pat`` significant or ``r_a > 1`` and ``p_a > 0.5``,
    replaced by any later voted statement that beats it on ``r_a·rat·p_a·pat``, or on
    ``p_a·pat`` while the current best has ``r_a ≤ 1``) goes first;
    ``pick_max`` are kept, agrees before disagrees; when nothing qualifies one statement
    is returned anyway (best agree, else the largest ``max(rat, rdt)``).

    Parameters
    ----------
    counts : GroupCounts
    statements : numpy.ndarray
        Statement ids, one per column.
    excluded : numpy.ndarray, optional
        bool per column (moderated out or meta): never selected.
    pick_max : int
        Statements per group (Pol.is 5).
    full_ranking : bool
        Return every (group, statement) row with ``selected`` and ``rank`` (ranking all
        statements by their metric) instead of the selection only.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``statement``, ``direction`` ('agree'/'disagree'), ``n_agree``,
        ``n_disagree``, ``n_seen``, ``p`` (smoothed share in the direction), ``p_test``,
        ``r``, ``r_test``, ``metric``, ``rank`` (1 = most representative), ``selected``.

    Raises
    ------
    ValueError
        If shapes disagree.

    Examples
    --------
    >>> c = GroupCounts(agree=np.array([[9.0, 0.0], [0.0, 0.0]]),
    ...                 disagree=np.array([[0.0, 0.0], [9.0, 0.0]]),
    ...                 seen=np.array([[9.0, 9.0], [9.0, 9.0]]))
    >>> representative_statements(c, np.array([10, 11]))[["group", "statement", "direction"]
    ...     ].values.tolist()
    [[0, 10, 'agree'], [1, 10, 'disagree']]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/repness.clj`` l.64–278,
       https://github.com/compdemocracy/polis
    .. [2] Small et al. (2021), "Polis: Scaling deliberation by mapping high dimensional
       opinion spaces", Recerca 26(2), https://doi.org/10.6035/recerca.5516
    """
    n_groups, m = counts.seen.shape
    if len(statements) != m:
        raise ValueError(f"statements has {len(statements)} ids for {m} columns")
    excl = np.zeros(m, dtype=bool) if excluded is None else np.asarray(excluded, dtype=bool)
    st = _stats(counts)
    agree_dir = st["r_agree_test"] > st["r_disagree_test"]
    pick = {
        key: np.where(agree_dir, st[f"{key}_agree"], st[f"{key}_disagree"])
        for key in ("p", "r")
    }
    p_test = np.where(agree_dir, st["p_agree_test"], st["p_disagree_test"])
    r_test = np.where(agree_dir, st["r_agree_test"], st["r_disagree_test"])
    metric = pick["r"] * r_test * pick["p"] * p_test
    passes = (
        ((st["r_agree_test"] > Z_90) & (st["p_agree_test"] > Z_90))
        | ((st["r_disagree_test"] > Z_90) & (st["p_disagree_test"] > Z_90))
    ) & ~excl[None, :]
    voted = ((st["n_agree"] + st["n_disagree"]) > 0) & ~excl[None, :]
    best_agree_ok = voted & (
        (st["p_agree_test"] > Z_90) | ((st["r_agree"] > 1.0) & (st["p_agree"] > 0.5))
    )
    frames = []
    for g in range(n_groups):
        selected: list[tuple[int, str]] = []
        cand = np.flatnonzero(passes[g])
        cand = cand[np.lexsort((cand, -metric[g, cand]))]
        chosen = [(int(c), "agree" if agree_dir[g, c] else "disagree") for c in cand]
        b = _best_agree(st, g, voted[g], best_agree_ok[g])
        if b is not None:
            chosen = [(b, "agree")] + [x for x in chosen if x[0] != b]
        elif not chosen:
            ok = np.flatnonzero(~excl)
            if len(ok):
                best_z = np.maximum(st["r_agree_test"][g, ok], st["r_disagree_test"][g, ok])
                c0 = int(ok[int(np.argmax(best_z))])
                chosen = [(c0, "agree" if agree_dir[g, c0] else "disagree")]
        selected = chosen[:pick_max]
        selected.sort(key=lambda x: 0 if x[1] == "agree" else 1)
        sel_cols = np.array([c for c, _ in selected], dtype=np.int64)
        sel_dirs = [dname for _, dname in selected]
        if full_ranking:
            ok = np.flatnonzero(~excl)
            order = ok[np.lexsort((ok, -metric[g, ok]))]
            cols = np.concatenate([sel_cols, order[~np.isin(order, sel_cols)]])
            dirs = sel_dirs + [
                "agree" if agree_dir[g, c] else "disagree" for c in cols[len(sel_cols):]
            ]
            is_sel = np.arange(len(cols)) < len(sel_cols)
        else:
            cols, dirs, is_sel = sel_cols, sel_dirs, np.ones(len(sel_cols), dtype=bool)
        is_agree = np.array([x == "agree" for x in dirs], dtype=bool)
        frames.append(
            pd.DataFrame(
                {
                    "group": np.full(len(cols), g, dtype=np.int64),
                    "statement": np.asarray(statements)[cols],
                    "direction": dirs,
                    "n_agree": st["n_agree"][g, cols].astype(np.int64),
                    "n_disagree": st["n_disagree"][g, cols].astype(np.int64),
                    "n_seen": st["n_seen"][g, cols].astype(np.int64),
                    "p": np.where(is_agree, st["p_agree"][g, cols], st["p_disagree"][g, cols]),
                    "p_test": np.where(
                        is_agree, st["p_agree_test"][g, cols], st["p_disagree_test"][g, cols]
                    ),
                    "r": np.where(is_agree, st["r_agree"][g, cols], st["r_disagree"][g, cols]),
                    "r_test": np.where(
                        is_agree, st["r_agree_test"][g, cols], st["r_disagree_test"][g, cols]
                    ),
                    "rank": np.arange(1, len(cols) + 1, dtype=np.int64),
                    "selected": is_sel,
                }
            )
        )
    columns = ["group", "statement", "direction", "n_agree", "n_disagree", "n_seen", "p",
               "p_test", "r", "r_test", "metric", "rank", "selected"]
    if not frames:
        return pd.DataFrame({c: [] for c in columns})
    out = pd.concat(frames, ignore_index=True)
    out["metric"] = out["r"] * out["r_test"] * out["p"] * out["p_test"]
    return out[columns]


def consensus_statements(
    agree: np.ndarray,
    disagree: np.ndarray,
    seen: np.ndarray,
    statements: np.ndarray,
    *,
    excluded: np.ndarray | None = None,
    pick_max: int = 5,
) -> pd.DataFrame:
    """Statements most participants agree (or disagree) with (Pol.is consensus).

    Over all participants: keep ``p_a = (A+1)/(S+2) > 0.5`` and ``pat > 1.2816``, rank by
    ``p_a·pat``, top ``pick_max``; likewise for disagree.

    Parameters
    ----------
    agree, disagree, seen : numpy.ndarray
        (n_statements,) counts over all participants.
    statements : numpy.ndarray
    excluded : numpy.ndarray, optional
    pick_max : int

    Returns
    -------
    pandas.DataFrame
        Columns ``direction``, ``statement``, ``n_agree``, ``n_disagree``, ``n_seen``,
        ``p``, ``p_test``, ``rank``; agree rows first.

    Examples
    --------
    >>> consensus_statements(np.array([9.0, 0.0]), np.array([0.0, 9.0]), np.array([9.0, 9.0]),
    ...                      np.array([1, 2]))[["direction", "statement"]].values.tolist()
    [['agree', 1], ['disagree', 2]]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/repness.clj`` l.281–320.
    """
    a, d, s = (np.asarray(x, dtype=np.float64) for x in (agree, disagree, seen))
    excl = np.zeros(len(s), dtype=bool) if excluded is None else np.asarray(excluded, bool)
    rows = []
    for direction, x in (("agree", a), ("disagree", d)):
        p = (x + 1.0) / (s + 2.0)
        z = one_proportion_z(x, s)
        ok = np.flatnonzero((p > 0.5) & (z > Z_90) & ~excl)
        order = ok[np.lexsort((ok, -(p[ok] * z[ok])))][:pick_max]
        for rank, c in enumerate(order, start=1):
            rows.append((direction, statements[c], int(a[c]), int(d[c]), int(s[c]),
                         float(p[c]), float(z[c]), rank))
    return pd.DataFrame(
        rows,
        columns=["direction", "statement", "n_agree", "n_disagree", "n_seen", "p", "p_test",
                 "rank"],
    )


def group_informed_consensus(counts: GroupCounts) -> np.ndarray:
    """Group-informed consensus ``GAC(c) = Π_g (A_g + 1)/(S_g + 2)``.

    High only when every group agrees.

    Examples
    --------
    >>> c = GroupCounts(agree=np.array([[1.0], [0.0]]), disagree=np.zeros((2, 1)),
    ...                 seen=np.array([[2.0], [2.0]]))
    >>> float(group_informed_consensus(c)[0])
    0.125

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.615–636.
    """
    if counts.seen.shape[0] == 0:
        return np.zeros(counts.seen.shape[1])
    return np.prod((counts.agree + 1.0) / (counts.seen + 2.0), axis=0)


def divisiveness(counts: GroupCounts) -> np.ndarray:
    """How far groups differ on each statement.

    ``div(c) = max_g p_a,g − min_g p_a,g`` with ``p_a,g = (A_g+1)/(S_g+2)``; in [0, 1),
    0 with fewer than two groups.

    Examples
    --------
    >>> c = GroupCounts(agree=np.array([[8.0], [0.0]]), disagree=np.array([[0.0], [8.0]]),
    ...                 seen=np.array([[8.0], [8.0]]))
    >>> float(divisiveness(c)[0])
    0.8
    """
    if counts.seen.shape[0] < 2:
        return np.zeros(counts.seen.shape[1])
    p = (counts.agree + 1.0) / (counts.seen + 2.0)
    return np.asarray(p.max(axis=0) - p.min(axis=0))


def routing_priority(
    counts: GroupCounts, extremity: np.ndarray, *, is_meta: np.ndarray | None = None
) -> np.ndarray:
    """Pol.is statement routing priority (favours new and distinguishing statements).

    With A, S, P summed over groups and E the statement's extremity:
    ``importance = (1 − (P+1)/(S+2))·(E+1)·(A+1)/(S+2)``,
    ``priority = (importance·(1 + 8·2^(−S/5)))²``; meta statements get 49.

    Examples
    --------
    >>> c = GroupCounts(agree=np.zeros((1, 1)), disagree=np.zeros((1, 1)),
    ...                 seen=np.zeros((1, 1)))
    >>> float(routing_priority(c, np.zeros(1))[0])
    5.0625

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.308–327, l.638–666.
    """
    a = counts.agree.sum(axis=0)
    s = counts.seen.sum(axis=0)
    p = counts.passed.sum(axis=0)
    importance = (1.0 - (p + 1.0) / (s + 2.0)) * (np.asarray(extremity) + 1.0) * (
        (a + 1.0) / (s + 2.0)
    )
    pr = (importance * (1.0 + 8.0 * 2.0 ** (-s / 5.0))) ** 2
    if is_meta is not None:
        pr = np.where(np.asarray(is_meta, dtype=bool), 49.0, pr)
    return np.asarray(pr)


def statement_statistics(
    votes: VoteMatrix,
    labels: np.ndarray,
    n_groups: int,
    *,
    extremity: np.ndarray | None = None,
    counts: GroupCounts | None = None,
) -> pd.DataFrame:
    """Per-statement statistics, overall and per group.

    Parameters
    ----------
    votes : VoteMatrix
    labels : numpy.ndarray
        Group per participant (−1 = none).
    n_groups : int
    extremity : numpy.ndarray, optional
        Statement extremity from the PCA (0 when absent).
    counts : GroupCounts, optional
        ``count_votes_by_group(votes, labels, n_groups)`` when already computed.

    Returns
    -------
    pandas.DataFrame
        One row per statement: ``statement``, ``excluded``, ``is_meta``, ``n_agree``,
        ``n_disagree``, ``n_pass``, ``n_seen``, ``agree_share``, ``disagree_share``,
        ``pass_share`` (raw shares of the seen; 0 when unseen), ``extremity``,
        ``group_informed_consensus``, ``divisiveness``, ``priority``, then for each group
        g: ``g{g}_n_agree``, ``g{g}_n_disagree``, ``g{g}_n_seen``, ``g{g}_agree_share``.
    """
    m = votes.shape[1]
    overall = count_votes_by_group(votes, np.zeros(votes.shape[0], dtype=np.int64), 1)
    if counts is None:
        counts = count_votes_by_group(votes, labels, n_groups)
    ext = np.zeros(m) if extremity is None else np.asarray(extremity, dtype=np.float64)
    s = overall.seen[0]

    def share(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        return np.divide(x, n, out=np.zeros_like(x), where=n > 0)

    data: dict[str, np.ndarray] = {
        "statement": votes.statements,
        "excluded": votes.excluded,
        "is_meta": votes.is_meta,
        "n_agree": overall.agree[0].astype(np.int64),
        "n_disagree": overall.disagree[0].astype(np.int64),
        "n_pass": overall.passed[0].astype(np.int64),
        "n_seen": s.astype(np.int64),
        "agree_share": share(overall.agree[0], s),
        "disagree_share": share(overall.disagree[0], s),
        "pass_share": share(overall.passed[0], s),
        "extremity": ext,
        "group_informed_consensus": group_informed_consensus(counts),
        "divisiveness": divisiveness(counts),
        # Pol.is counts the votes of grouped participants; before any group exists (one
        # base cluster: everyone voted alike) everyone's votes count, so that new
        # statements are still favoured rather than every priority being equal
        "priority": routing_priority(counts if n_groups else overall, ext, is_meta=votes.is_meta),
    }
    for g in range(n_groups):
        data[f"g{g}_n_agree"] = counts.agree[g].astype(np.int64)
        data[f"g{g}_n_disagree"] = counts.disagree[g].astype(np.int64)
        data[f"g{g}_n_seen"] = counts.seen[g].astype(np.int64)
        data[f"g{g}_agree_share"] = share(counts.agree[g], counts.seen[g])
    return pd.DataFrame(data)
