"""Sparse participant × statement vote matrix.

Convention everywhere in this engine: **agree = +1, disagree = −1, pass = 0**, unseen =
missing (no stored cell). Pol.is exports use the same sign; Pol.is's database and math
worker use the opposite (agree = −1), so :func:`from_polis_internal` flips it at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "VoteDataError",
    "VoteMatrix",
    "build_vote_matrix",
    "from_polis_internal",
]


class VoteDataError(ValueError):
    """Votes or statements that cannot be analysed (names file, row, column when known)."""


@dataclass(frozen=True)
class VoteMatrix:
    """Latest vote of each participant on each statement.

    Attributes
    ----------
    values : scipy.sparse.csr_matrix
        float64, shape (n_participants, n_statements). Every *seen* cell is stored, passes
        included as explicit zeros; unseen cells are not stored. Never call
        ``eliminate_zeros`` on it.
    participants : numpy.ndarray
        Participant identifiers, one per row (sorted ascending).
    statements : numpy.ndarray
        Statement identifiers, one per column (sorted ascending).
    moderated_out : numpy.ndarray
        bool, one per column: True for statements excluded by moderation.
    is_meta : numpy.ndarray
        bool, one per column: True for meta statements (about the conversation itself).
    """

    values: sp.csr_matrix
    participants: np.ndarray
    statements: np.ndarray
    moderated_out: np.ndarray
    is_meta: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(n_participants, n_statements)."""
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    @property
    def excluded(self) -> np.ndarray:
        """bool per column: moderated out or meta (Pol.is ``mod-out``, l.821–859)."""
        return np.asarray(self.moderated_out | self.is_meta, dtype=bool)

    @property
    def n_votes(self) -> int:
        """Number of seen cells (agree, disagree and pass)."""
        return int(self.values.nnz)

    def seen(self) -> sp.csr_matrix:
        """Indicator (1.0) of seen cells, same structure as :attr:`values`."""
        v = self.values
        return sp.csr_matrix(
            (np.ones(v.nnz), v.indices.copy(), v.indptr.copy()), shape=v.shape
        )

    def indicator(self, vote: int) -> sp.csr_matrix:
        """Indicator (1.0) of cells holding ``vote`` (+1, −1 or 0)."""
        v = self.values
        keep = v.data == vote
        rows = np.repeat(np.arange(v.shape[0]), np.diff(v.indptr))[keep]
        return sp.csr_matrix(
            (np.ones(int(keep.sum())), (rows, v.indices[keep])), shape=v.shape
        )

    def votes_per_participant(self) -> np.ndarray:
        """Seen cells per participant (passes count), int64."""
        return np.diff(self.values.indptr).astype(np.int64)

    def to_frame(self) -> pd.DataFrame:
        """Long table with columns ``participant``, ``statement``, ``vote``."""
        coo = self.values.tocoo()
        return pd.DataFrame(
            {
                "participant": self.participants[coo.row],
                "statement": self.statements[coo.col],
                "vote": coo.data.astype(np.int64),
            }
        )


def _py(value: object) -> object:
    """numpy scalar -> Python scalar, for readable error messages."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def from_polis_internal(votes: np.ndarray) -> np.ndarray:
    """Convert Pol.is internal votes (agree = −1) to this engine's sign (agree = +1).

    Parameters
    ----------
    votes : array_like of int
        Votes in {−1, 0, 1} with Pol.is database sign.

    Returns
    -------
    numpy.ndarray
        ``-votes`` as int64.

    Examples
    --------
    >>> from_polis_internal(np.array([-1, 0, 1])).tolist()
    [1, 0, -1]
    """
    return -np.asarray(votes, dtype=np.int64)


def build_vote_matrix(
    participant: Sequence[object] | np.ndarray,
    statement: Sequence[object] | np.ndarray,
    vote: Sequence[float] | np.ndarray,
    *,
    timestamp: Sequence[float] | np.ndarray | None = None,
    statements: Sequence[object] | np.ndarray | None = None,
    moderated_out: Sequence[object] | np.ndarray = (),
    is_meta: Sequence[object] | np.ndarray = (),
    participants: Sequence[object] | np.ndarray | None = None,
    source: str = "votes",
) -> VoteMatrix:
    """Build the sparse vote matrix from a vote log; the latest vote per cell wins.

    For each (participant, statement) pair the vote with the largest ``timestamp`` is kept
    (ties and a missing ``timestamp``: the later row wins), so a re-vote replaces the
    earlier one, as in Pol.is (``conversation.clj`` l.192–196).

    Parameters
    ----------
    participant, statement, vote : array_like
        One entry per vote event. ``vote`` must be −1, 0 or +1 (agree = +1).
    timestamp : array_like, optional
        Event times; when absent, row order is time order.
    statements : array_like, optional
        All statement ids (columns), including statements with no votes yet. Defaults to
        the ids seen in ``statement``. Votes on unknown statements raise.
    moderated_out, is_meta : array_like
        Statement ids excluded by moderation / marked meta.
    participants : array_like, optional
        All participant ids (rows); defaults to those seen in ``participant``.
    source : str
        Name used in error messages (for example a file name).

    Returns
    -------
    VoteMatrix

    Raises
    ------
    VoteDataError
        If lengths differ, a vote is not in {−1, 0, 1}, or a statement is unknown.

    Examples
    --------
    >>> m = build_vote_matrix([1, 1, 2], [10, 10, 11], [1, -1, 0], timestamp=[1, 2, 3])
    >>> m.values.toarray().tolist()
    [[-1.0, 0.0], [0.0, 0.0]]
    >>> m.n_votes
    2
    """
    p = np.asarray(participant)
    s = np.asarray(statement)
    v = np.asarray(vote, dtype=np.float64)
    if not (len(p) == len(s) == len(v)):
        raise VoteDataError(
            f"{source}: participant, statement and vote have different lengths "
            f"({len(p)}, {len(s)}, {len(v)})"
        )
    bad = ~np.isin(v, (-1.0, 0.0, 1.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise VoteDataError(
            f"{source}: row {row + 1}, column 'vote': expected -1, 0 or 1, got {_py(v[row])!r}"
        )
    stmt_ids = np.unique(s) if statements is None else np.unique(np.asarray(statements))
    ptpt_ids = np.unique(p) if participants is None else np.unique(np.asarray(participants))
    cols = np.searchsorted(stmt_ids, s) if len(stmt_ids) else np.zeros(len(s), dtype=np.int64)
    unknown = (cols >= len(stmt_ids)) | (stmt_ids[np.minimum(cols, len(stmt_ids) - 1)] != s)
    if len(s) and unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise VoteDataError(
            f"{source}: row {row + 1}, column 'statement': unknown statement {_py(s[row])!r}"
        )
    rows = np.searchsorted(ptpt_ids, p)
    if len(p):
        missing = (rows >= len(ptpt_ids)) | (ptpt_ids[np.minimum(rows, len(ptpt_ids) - 1)] != p)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise VoteDataError(
                f"{source}: row {row + 1}, column 'participant': unknown participant {_py(p[row])!r}"
            )
    n, m = len(ptpt_ids), len(stmt_ids)
    if len(v):
        order_key = (
            np.arange(len(v))
            if timestamp is None
            else np.lexsort((np.arange(len(v)), np.asarray(timestamp, dtype=np.float64)))
        )
        cell = rows[order_key].astype(np.int64) * max(m, 1) + cols[order_key]
        # keep the last occurrence of every cell in time order
        rev_cell = cell[::-1]
        _, first_in_rev = np.unique(rev_cell, return_index=True)
        keep = order_key[len(cell) - 1 - first_in_rev]
        values = sp.csr_matrix((v[keep], (rows[keep], cols[keep])), shape=(n, m))
        values.sort_indices()
    else:
        values = sp.csr_matrix((n, m), dtype=np.float64)
    return VoteMatrix(
        values=values,
        participants=ptpt_ids,
        statements=stmt_ids,
        moderated_out=np.isin(stmt_ids, np.asarray(list(moderated_out), dtype=stmt_ids.dtype))
        if len(moderated_out)
        else np.zeros(m, dtype=bool),
        is_meta=np.isin(stmt_ids, np.asarray(list(is_meta), dtype=stmt_ids.dtype))
        if len(is_meta)
        else np.zeros(m, dtype=bool),
    )
