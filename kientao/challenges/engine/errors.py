"""Exceptions raised by the challenges engine."""

from __future__ import annotations


class AssignmentInputError(ValueError):
    """The affinity, conflict, forced-pair or load input is malformed."""


class InfeasibleAssignmentError(ValueError):
    """No assignment satisfies the constraints; the message says which one fails."""


class ScoreDataError(ValueError):
    """The score table is malformed (missing column, non-numeric score, bad weight)."""
