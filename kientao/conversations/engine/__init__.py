"""Pure engine of the ``conversations`` capability (Pol.is-grade opinion mapping).

Public API (see ``docs/conversations-engine.md``): :func:`build_vote_matrix`,
:func:`analyze` / :func:`update`, the statistics in :mod:`.repness`,
:func:`disaggregate_votes`, :func:`near_duplicate_statements`, and the export I/O in
:mod:`.formats`. No Django here.
"""

from kientao.conversations.engine.disaggregation import disaggregate_votes
from kientao.conversations.engine.duplicates import near_duplicate_statements
from kientao.conversations.engine.matrix import VoteDataError, VoteMatrix, build_vote_matrix
from kientao.conversations.engine.pipeline import (
    AnalysisResult,
    AnalysisState,
    analyze,
    replay_vote_log,
    update,
)

__all__ = [
    "AnalysisResult",
    "AnalysisState",
    "VoteDataError",
    "VoteMatrix",
    "analyze",
    "build_vote_matrix",
    "disaggregate_votes",
    "near_duplicate_statements",
    "replay_vote_log",
    "update",
]
