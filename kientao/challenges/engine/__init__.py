"""Pure engine of the challenges capability: reviewer assignment and score calibration.

No Django here: plain data in, frozen dataclasses and DataFrames out.
"""

from kientao.challenges.engine.affinity import combine_affinities, text_affinity
from kientao.challenges.engine.assignment import Assignment, assign_reviewers
from kientao.challenges.engine.calibration import (
    BiasModel,
    Calibration,
    calibrate_scores,
    fit_additive_bias,
)
from kientao.challenges.engine.errors import (
    AssignmentInputError,
    InfeasibleAssignmentError,
    ScoreDataError,
)
from kientao.challenges.engine.reliability import (
    ICC,
    intraclass_correlations,
    krippendorff_alpha,
    one_way_icc,
)
from kientao.challenges.engine.rounding import round_dependently

__all__ = [
    "ICC",
    "Assignment",
    "AssignmentInputError",
    "BiasModel",
    "Calibration",
    "InfeasibleAssignmentError",
    "ScoreDataError",
    "assign_reviewers",
    "calibrate_scores",
    "combine_affinities",
    "fit_additive_bias",
    "intraclass_correlations",
    "krippendorff_alpha",
    "one_way_icc",
    "round_dependently",
    "text_affinity",
]
