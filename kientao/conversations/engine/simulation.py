"""Synthetic conversations with planted opinion groups (tests, benchmarks, demos)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from kientao.conversations.engine.matrix import VoteMatrix

__all__ = ["SimulatedConversation", "simulate_conversation"]


@dataclass(frozen=True)
class SimulatedConversation:
    """A simulated conversation.

    Attributes
    ----------
    votes : VoteMatrix
    groups : numpy.ndarray
        (n_participants,) planted group of each participant.
    stance : numpy.ndarray
        (n_groups, n_statements) each group's leaning: +1 agree, −1 disagree.
    """

    votes: VoteMatrix
    groups: np.ndarray
    stance: np.ndarray


def simulate_conversation(
    n_participants: int,
    n_statements: int,
    *,
    n_groups: int = 3,
    votes_per_participant: int = 50,
    consistency: float = 0.8,
    pass_rate: float = 0.1,
    consensus_share: float = 0.1,
    seed: int = 0,
    chunk: int = 200_000,
) -> SimulatedConversation:
    """Planted-group votes, generated directly as a sparse matrix.

    Each group leans agree or disagree on each statement (a share ``consensus_share`` of
    statements gets the same leaning in every group). A participant sees
    ``votes_per_participant`` distinct statements at random (all when fewer) and votes
    with the group's leaning with probability ``consistency``, passes with
    ``pass_rate``, and votes against it otherwise.

    Parameters
    ----------
    n_participants, n_statements : int
    n_groups : int
    votes_per_participant : int
    consistency, pass_rate, consensus_share : float
    seed : int
    chunk : int
        Participants generated per block (bounds memory).

    Returns
    -------
    SimulatedConversation

    Raises
    ------
    ValueError
        On non-positive sizes or probabilities that do not fit in [0, 1].

    Examples
    --------
    >>> sim = simulate_conversation(30, 10, n_groups=2, votes_per_participant=10, seed=1)
    >>> sim.votes.shape, sim.votes.n_votes
    ((30, 10), 300)
    """
    if n_participants < 1 or n_statements < 1 or n_groups < 1:
        raise ValueError("n_participants, n_statements and n_groups must be positive")
    if not (consistency >= 0 and pass_rate >= 0 and consistency + pass_rate <= 1):
        raise ValueError("consistency and pass_rate must be in [0, 1] and sum to at most 1")
    rng = np.random.default_rng(seed)
    stance = rng.choice(np.array([-1.0, 1.0]), size=(n_groups, n_statements))
    shared = rng.random(n_statements) < consensus_share
    stance[:, shared] = 1.0
    groups = rng.integers(0, n_groups, size=n_participants)
    per = min(votes_per_participant, n_statements)
    idx_type = np.int32 if n_participants * per < 2**31 else np.int64
    indptr = np.arange(n_participants + 1, dtype=idx_type) * per
    indices = np.empty(n_participants * per, dtype=idx_type)
    data = np.empty(n_participants * per, dtype=np.float64)
    for start in range(0, n_participants, chunk):
        stop = min(n_participants, start + chunk)
        rows = stop - start
        if per == n_statements:
            cols = np.tile(np.arange(n_statements, dtype=np.int32), (rows, 1))
        else:
            # distinct columns per row: oversample, then keep the first `per` distinct
            draw = rng.random((rows, n_statements), dtype=np.float32) if n_statements <= 64 \
                else None
            if draw is not None:
                cols = np.sort(np.argpartition(draw, per - 1, axis=1)[:, :per], axis=1)
            else:
                cols = np.sort(
                    rng.choice(n_statements, size=(rows, per), replace=True).astype(np.int32),
                    axis=1,
                )
                # replace duplicates within a row by shifting them to free slots
                for _ in range(20):
                    dup = np.zeros_like(cols, dtype=bool)
                    dup[:, 1:] = cols[:, 1:] == cols[:, :-1]
                    if not dup.any():
                        break
                    cols[dup] = rng.integers(0, n_statements, size=int(dup.sum()))
                    cols.sort(axis=1)
                dup = np.zeros_like(cols, dtype=bool)
                dup[:, 1:] = cols[:, 1:] == cols[:, :-1]
                if dup.any():
                    for r in np.flatnonzero(dup.any(axis=1)):
                        free = np.setdiff1d(np.arange(n_statements), cols[r])
                        cols[r] = np.sort(np.concatenate([np.unique(cols[r]),
                                                          rng.choice(free, per - len(
                                                              np.unique(cols[r])),
                                                              replace=False)]))
        lean = stance[groups[start:stop][:, None], cols]
        u = rng.random(cols.shape)
        vote = np.where(u < consistency, lean, np.where(u < consistency + pass_rate, 0.0, -lean))
        indices[start * per : stop * per] = cols.ravel()
        data[start * per : stop * per] = vote.ravel()
    parts: tuple[Any, Any, Any] = (data, indices, indptr)
    values = sp.csr_matrix(parts, shape=(n_participants, n_statements))
    return SimulatedConversation(
        votes=VoteMatrix(
            values=values,
            participants=np.arange(n_participants, dtype=np.int64),
            statements=np.arange(n_statements, dtype=np.int64),
            moderated_out=np.zeros(n_statements, dtype=bool),
            is_meta=np.zeros(n_statements, dtype=bool),
        ),
        groups=groups,
        stance=stance,
    )
