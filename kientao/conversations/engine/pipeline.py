"""The whole Pol.is analysis, one-shot or incremental (``analyze`` / ``update``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kientao.conversations.engine.clustering import (
    GroupClustering,
    KSmoother,
    cluster_base,
    cluster_groups,
    smooth_k,
)
from kientao.conversations.engine.matrix import VoteDataError, VoteMatrix, build_vote_matrix
from kientao.conversations.engine.pca import Projection, project_participants
from kientao.conversations.engine.repness import (
    GroupCounts,
    consensus_statements,
    count_votes_by_group,
    representative_statements,
    statement_statistics,
)
from kientao.conversations.engine.subgroups import participant_stats, subgroup_labels

__all__ = [
    "AnalysisResult",
    "AnalysisState",
    "analyze",
    "participants_in_conversation",
    "replay_vote_log",
    "update",
]

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class AnalysisState:
    """What one update hands to the next (Pol.is's warm start and smoothing).

    Attributes
    ----------
    in_conv : numpy.ndarray
        Participant ids clustered so far (sticky: once in, always in).
    base_centres : numpy.ndarray
        (n_base, 2) base-cluster centres of the last update.
    group_centres : dict of int to numpy.ndarray
        Group centres of the last update, by k.
    smoother : KSmoother
        k-smoothing state.
    subgroup_smoothers : dict of int to KSmoother
        Each group's subgroup k-smoothing state.
    n_updates : int
    """

    in_conv: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    base_centres: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    group_centres: dict[int, np.ndarray] = field(default_factory=dict)
    smoother: KSmoother = field(default_factory=KSmoother)
    n_updates: int = 0
    subgroup_smoothers: dict[int, KSmoother] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form (lists and numbers), for storing between updates.

        Examples
        --------
        >>> AnalysisState.from_dict(AnalysisState().to_dict()).n_updates
        0
        """
        return {
            "format": "kientao-analysis-state/1",
            "in_conv": self.in_conv.tolist(),
            "base_centres": self.base_centres.tolist(),
            "group_centres": {str(k): v.tolist() for k, v in self.group_centres.items()},
            "smoother": [self.smoother.k, self.smoother.candidate, self.smoother.streak],
            "subgroup_smoothers": {str(g): [sm.k, sm.candidate, sm.streak]
                                   for g, sm in self.subgroup_smoothers.items()},
            "n_updates": self.n_updates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> AnalysisState:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        VoteDataError
            If ``data`` is not a stored analysis state.
        """
        if data.get("format") != "kientao-analysis-state/1":
            raise VoteDataError("analysis state: 'format' must be 'kientao-analysis-state/1'")
        try:
            groups = data["group_centres"]
            smoother = data["smoother"]
            assert isinstance(groups, dict) and isinstance(smoother, list)
            return cls(
                in_conv=np.asarray(data["in_conv"]),
                base_centres=np.asarray(data["base_centres"], dtype=np.float64).reshape(-1, 2),
                group_centres={int(k): np.asarray(v, dtype=np.float64).reshape(-1, 2)
                               for k, v in groups.items()},
                smoother=KSmoother(*(int(x) for x in smoother)),
                n_updates=int(data["n_updates"]),  # type: ignore[call-overload]
                # absent in states stored before subgroups existed
                subgroup_smoothers={int(g): KSmoother(*(int(x) for x in v))
                                    for g, v in dict(data.get("subgroup_smoothers") or {}).items()},  # type: ignore[call-overload]
            )
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            raise VoteDataError(f"analysis state: malformed ({exc})") from exc


@dataclass(frozen=True)
class AnalysisResult:
    """Output of :func:`analyze`.

    Attributes
    ----------
    participants : pandas.DataFrame
        One row per participant: ``participant``, ``n_votes`` (seen cells, passes
        included), ``in_conv`` (bool), ``base_cluster`` (−1 when not clustered),
        ``group`` (−1 when not clustered), ``subgroup`` (within the group; −1 when not
        clustered or the group is not split), ``x``, ``y``, and Pol.is's participant
        statistics ``centricness``, ``coreness``, ``extremeness`` (NaN when not
        clustered; :func:`~kientao.conversations.engine.subgroups.participant_stats`).
    statements : pandas.DataFrame
        :func:`~kientao.conversations.engine.repness.statement_statistics`.
    repness : pandas.DataFrame
        :func:`~kientao.conversations.engine.repness.representative_statements`.
    subgroup_repness : pandas.DataFrame
        The same for subgroups, each against the rest of its group: columns of
        ``repness`` with ``subgroup`` (within the group) and ``group``.
    consensus : pandas.DataFrame
        :func:`~kientao.conversations.engine.repness.consensus_statements`.
    n_groups : int
        Published k (0 when fewer than two base clusters).
    best_k : int
        Best k by silhouette in this update (before smoothing; 0 when none).
    silhouettes : dict of int to float
        Silhouette over base clusters for each k tried.
    projection : Projection
    """

    participants: pd.DataFrame
    statements: pd.DataFrame
    repness: pd.DataFrame
    subgroup_repness: pd.DataFrame
    consensus: pd.DataFrame
    n_groups: int
    best_k: int
    silhouettes: dict[int, float]
    projection: Projection


def participants_in_conversation(
    vote_counts: np.ndarray,
    n_statements: int,
    *,
    previous: np.ndarray | None = None,
    min_votes: int = 7,
    top_up: int = 15,
) -> np.ndarray:
    """Which participants are clustered (Pol.is ``in-conv``).

    In when ``votes ≥ min(min_votes, n_statements)``, or already in (``previous``); when
    fewer than ``top_up`` are in, the most active others (with at least one vote) are
    added until ``top_up``, ties broken by row order.

    Parameters
    ----------
    vote_counts : numpy.ndarray
        Seen cells per participant (passes count).
    n_statements : int
    previous : numpy.ndarray, optional
        bool mask of participants already in.
    min_votes : int
    top_up : int

    Returns
    -------
    numpy.ndarray
        bool mask.

    Examples
    --------
    >>> participants_in_conversation(np.array([7, 6, 0]), 10, top_up=2).tolist()
    [True, True, False]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.217–266.
    """
    counts = np.asarray(vote_counts)
    mask = counts >= min(min_votes, n_statements)
    if previous is not None:
        mask |= np.asarray(previous, dtype=bool)
    if mask.sum() < top_up:
        others = np.flatnonzero(~mask & (counts > 0))
        order = others[np.lexsort((others, -counts[others]))]
        mask[order[: top_up - int(mask.sum())]] = True
    return mask


def _as_matrix(votes: VoteMatrix | pd.DataFrame, statements: pd.DataFrame | None) -> VoteMatrix:
    if isinstance(votes, VoteMatrix):
        return votes
    for col in ("participant", "statement", "vote"):
        if col not in votes.columns:
            raise VoteDataError(f"votes: missing column {col!r}")
    ids = None
    mod_out: np.ndarray = np.zeros(0)
    meta: np.ndarray = np.zeros(0)
    if statements is not None:
        if "statement" not in statements.columns:
            raise VoteDataError("statements: missing column 'statement'")
        ids = statements["statement"].to_numpy()
        if "moderated" in statements.columns:
            mod_out = ids[statements["moderated"].to_numpy() < 0]
        if "is_meta" in statements.columns:
            meta = ids[statements["is_meta"].to_numpy().astype(bool)]
    return build_vote_matrix(
        votes["participant"].to_numpy(),
        votes["statement"].to_numpy(),
        votes["vote"].to_numpy(),
        timestamp=votes["timestamp"].to_numpy() if "timestamp" in votes.columns else None,
        statements=ids,
        moderated_out=mod_out,
        is_meta=meta,
    )


def analyze(
    votes: VoteMatrix | pd.DataFrame,
    statements: pd.DataFrame | None = None,
    *,
    state: AnalysisState | None = None,
    seed: int = 0,
    min_votes: int = 7,
    base_k: int = 100,
    max_k: int = 5,
    k_buffer: int = 4,
    pick_max: int = 5,
    full_ranking: bool = False,
    weighted_silhouette: bool = True,
    group_restarts: int = 32,
    progress: Progress | None = None,
) -> tuple[AnalysisResult, AnalysisState]:
    """Run Pol.is's analysis: PCA, in-conv, base clusters, groups, repness, consensus.

    Parameters
    ----------
    votes : VoteMatrix or pandas.DataFrame
        A :class:`VoteMatrix`, or a vote log with columns ``participant``, ``statement``,
        ``vote`` (agree = +1) and optionally ``timestamp`` (the latest vote per cell wins).
    statements : pandas.DataFrame, optional
        Columns ``statement`` and optionally ``moderated`` (−1 = moderated out) and
        ``is_meta``; used when ``votes`` is a DataFrame.
    state : AnalysisState, optional
        State returned by the previous update: sticky in-conv, warm-started base and group
        centres, k smoothing. ``None`` starts afresh.
    seed : int
        Seed of the randomized PCA and mini-batch k-means (large inputs only); the
        result is deterministic given ``seed``.
    min_votes : int
        Participation threshold (Pol.is 7).
    base_k, max_k, k_buffer, pick_max : int
        Pol.is defaults 100, 5, 4, 5.
    full_ranking : bool
        Rank every statement for every group in ``repness``.
    weighted_silhouette : bool
        Weight the silhouette that chooses k by base-cluster members (default), which
        approximates the silhouette over participants; Pol.is counts each base cluster
        once (``False``). On the ten Pol.is conversations in the reference data the
        weighted score matches Pol.is's published groups better in a one-shot analysis
        (mean ARI 0.52 vs 0.48; docs/benchmarks/conversations.md).
    group_restarts : int
        Extra seeded k-means++ starts for the groups (0 = Pol.is's single start); 32
        makes the groups independent of ``seed`` in practice (see
        :func:`~kientao.conversations.engine.clustering.cluster_groups`).
    progress : callable, optional
        ``progress(percent, message)``, called between steps.

    Returns
    -------
    (AnalysisResult, AnalysisState)

    Raises
    ------
    VoteDataError
        If ``votes`` is malformed.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> side = np.repeat([1, -1], 20)
    >>> log = pd.DataFrame([(p, s, int(side[p] * (1 if s < 5 else -1)))
    ...                     for p in range(40) for s in range(10)],
    ...                    columns=["participant", "statement", "vote"])
    >>> result, state = analyze(log)
    >>> result.n_groups
    2

    References
    ----------
    .. [1] Small et al. (2021), https://doi.org/10.6035/recerca.5516
    .. [2] Pol.is math worker, ``math/src/polismath/math/conversation.clj``,
       https://github.com/compdemocracy/polis
    """

    def tick(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    st = AnalysisState() if state is None else state
    matrix = _as_matrix(votes, statements)
    n, m = matrix.shape
    tick(5, "PCA")
    proj = project_participants(matrix, seed=seed)
    tick(40, "participation")
    counts = matrix.votes_per_participant()
    prev_mask = np.isin(matrix.participants, st.in_conv) if len(st.in_conv) else None
    in_conv = participants_in_conversation(counts, m, previous=prev_mask, min_votes=min_votes)
    tick(50, "base clusters")
    idx = np.flatnonzero(in_conv)
    pts = proj.xy[idx]
    base_centres, base_labels = cluster_base(
        pts, k=base_k, previous=st.base_centres if st.n_updates else None, seed=seed
    )
    weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
    tick(65, "groups")
    options = cluster_groups(
        base_centres, weights, max_k=max_k, previous=st.group_centres or None,
        weighted_silhouette=weighted_silhouette, n_restarts=group_restarts, seed=seed,
    )
    silhouettes = {k: g.silhouette for k, g in options.items()}
    best_k = max(options, key=lambda k: (silhouettes[k], -k)) if options else 0
    smoother = smooth_k(st.smoother, best_k, buffer=k_buffer) if best_k else st.smoother
    k = smoother.k if smoother.k in options else best_k
    chosen: GroupClustering | None = options.get(k)
    labels = np.full(n, -1, dtype=np.int64)
    base_of = np.full(n, -1, dtype=np.int64)
    base_of[idx] = base_labels
    n_groups = 0
    if chosen is not None:
        labels[idx] = chosen.base_labels[base_labels]
        n_groups = int(chosen.k)
    tick(70, "subgroups")
    sub_of = np.full(n, -1, dtype=np.int64)
    sub_smoothers: dict[int, KSmoother] = {}
    if chosen is not None:
        base_sub, sub_smoothers = subgroup_labels(
            base_centres, weights, chosen.base_labels, n_groups, max_k=max_k,
            weighted_silhouette=weighted_silhouette, n_restarts=group_restarts, seed=seed,
            smoothers=st.subgroup_smoothers, k_buffer=k_buffer,
        )
        sub_of[idx] = base_sub[base_labels]
    tick(75, "representativeness")
    counts_g = count_votes_by_group(matrix, labels, n_groups)
    repness = representative_statements(
        counts_g, matrix.statements, excluded=matrix.excluded, pick_max=pick_max,
        full_ranking=full_ranking,
    )
    subgroup_tables = []
    if (sub_of >= 0).any():
        # every subgroup of every group counted in one pass: row g * max_k + subgroup
        sub_counts = count_votes_by_group(
            matrix, np.where(sub_of >= 0, labels * max_k + sub_of, -1), n_groups * max_k)
        for g in range(n_groups):
            k_sub = int(sub_of[labels == g].max(initial=-1)) + 1
            if k_sub < 2:
                continue
            rows = slice(g * max_k, g * max_k + k_sub)
            # each subgroup against the rest of its own group (Pol.is subgroup-repness)
            table = representative_statements(
                GroupCounts(sub_counts.agree[rows], sub_counts.disagree[rows], sub_counts.seen[rows]),
                matrix.statements, excluded=matrix.excluded, pick_max=pick_max, full_ranking=full_ranking,
            )
            subgroup_tables.append(table.rename(columns={"group": "subgroup"}).assign(group=g))
    subgroup_repness = (
        pd.concat(subgroup_tables, ignore_index=True)
        if subgroup_tables else repness.iloc[:0].rename(columns={"group": "subgroup"}).assign(group=0)
    )
    stats = statement_statistics(
        matrix, labels, n_groups, extremity=proj.extremity, counts=counts_g
    )
    consensus = consensus_statements(
        stats["n_agree"].to_numpy(), stats["n_disagree"].to_numpy(),
        stats["n_seen"].to_numpy(), matrix.statements, excluded=matrix.excluded,
        pick_max=pick_max,
    )
    participants = pd.DataFrame(
        {
            "participant": matrix.participants,
            "n_votes": counts,
            "in_conv": in_conv,
            "base_cluster": base_of,
            "group": labels,
            "subgroup": sub_of,
            "x": proj.xy[:, 0],
            "y": proj.xy[:, 1],
        }
    )
    participants = pd.concat([participants, participant_stats(proj.xy, labels)], axis=1)
    new_state = AnalysisState(
        in_conv=matrix.participants[in_conv],
        base_centres=base_centres,
        group_centres={kk: g.centres for kk, g in options.items()},
        smoother=smoother,
        subgroup_smoothers=sub_smoothers,
        n_updates=st.n_updates + 1,
    )
    tick(100, "done")
    result = AnalysisResult(
        participants=participants,
        statements=stats,
        repness=repness,
        subgroup_repness=subgroup_repness,
        consensus=consensus,
        n_groups=n_groups,
        best_k=best_k,
        silhouettes=silhouettes,
        projection=proj,
    )
    return result, new_state


def update(
    state: AnalysisState | None,
    votes: VoteMatrix | pd.DataFrame,
    statements: pd.DataFrame | None = None,
    **options: object,
) -> tuple[AnalysisResult, AnalysisState]:
    """Recompute after new votes, carrying ``state`` forward (see :func:`analyze`).

    ``votes`` holds **all** votes so far (the latest per cell wins), not only new ones;
    throttling how often to call this is the caller's job.
    """
    return analyze(votes, statements, state=state, **options)  # type: ignore[arg-type]


def replay_vote_log(
    votes: pd.DataFrame,
    statements: pd.DataFrame | None = None,
    *,
    n_updates: int = 30,
    **options: object,
) -> tuple[AnalysisResult, AnalysisState]:
    """Rebuild the analysis as Pol.is would have, by replaying a timed vote log.

    Pol.is's groups are path-dependent (warm-started base clusters, sticky in-conv, k
    smoothing), so replaying the log in ``n_updates`` equal slices of votes, each update
    seeing every vote up to its cut, reproduces its published groups better than a
    one-shot analysis. Statements join when their first vote arrives.

    Parameters
    ----------
    votes : pandas.DataFrame
        Columns ``participant``, ``statement``, ``vote``, ``timestamp``.
    statements : pandas.DataFrame, optional
        As in :func:`analyze` (``moderated`` is applied at every update).
    n_updates : int
        Number of updates (≥ 1).
    **options
        Passed to :func:`analyze`.

    Returns
    -------
    (AnalysisResult, AnalysisState)
        Those of the last update (all votes).

    Raises
    ------
    VoteDataError
        If ``timestamp`` is missing or ``n_updates < 1``.
    """
    if "timestamp" not in votes.columns:
        raise VoteDataError("votes: missing column 'timestamp' (needed to replay the log)")
    if n_updates < 1:
        raise VoteDataError(f"n_updates must be at least 1, got {n_updates}")
    log = votes.sort_values("timestamp", kind="stable").reset_index(drop=True)
    mod_out: np.ndarray = np.zeros(0, dtype=np.int64)
    meta: np.ndarray = np.zeros(0, dtype=np.int64)
    if statements is not None:
        ids = statements["statement"].to_numpy()
        if "moderated" in statements.columns:
            mod_out = ids[statements["moderated"].to_numpy() < 0]
        if "is_meta" in statements.columns:
            meta = ids[statements["is_meta"].to_numpy().astype(bool)]
    cuts = np.unique(np.linspace(0, len(log), n_updates + 1).astype(np.int64))[1:]
    if len(cuts) == 0:
        cuts = np.array([0], dtype=np.int64)
    state: AnalysisState | None = None
    result: AnalysisResult | None = None
    for cut in cuts:
        part = log.iloc[: int(cut)]
        seen = part["statement"].unique()
        matrix = build_vote_matrix(
            part["participant"].to_numpy(),
            part["statement"].to_numpy(),
            part["vote"].to_numpy(),
            timestamp=part["timestamp"].to_numpy(),
            moderated_out=mod_out[np.isin(mod_out, seen)],
            is_meta=meta[np.isin(meta, seen)],
        )
        result, state = analyze(matrix, state=state, **options)  # type: ignore[arg-type]
    assert result is not None and state is not None
    return result, state
