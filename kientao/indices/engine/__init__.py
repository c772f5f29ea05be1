"""Pure engine of the ``indices`` capability: composite indices to COINr's standard.

Public API (see docs/indices-engine.md):

- :func:`read_coinr_tables`, :func:`framework_from_imeta`, :class:`Framework` - input and validation;
- :class:`Step`, :func:`build`, :func:`default_steps`, :func:`vary_steps` - a replayable build;
- :func:`build_panel`, :func:`impute_panel` - multi-year builds, panel imputation, global normalisation;
- :func:`rank_scores`, :func:`strengths_weaknesses`, :func:`group_summary`, :func:`rank_changes` - results;
- :func:`audit` - correlations, Cronbach's alpha, PCA, flags, leave-one-out;
- :func:`uncertainty` with :class:`UncertainInput` / :class:`WeightNoise` - Monte Carlo and Sobol;
- :func:`pca_weights`, :func:`optimise_weights` - data-driven weights.

No Django, no I/O outside :mod:`.tables`.
"""

from kientao.indices.engine.aggregate import aggregate, aggregate_level, copeland, copeland_level
from kientao.indices.engine.audit import (
    AuditReport,
    audit,
    correlations,
    cronbach_alpha,
    remove_elements,
)
from kientao.indices.engine.errors import FrameworkError, IndexDataError, MethodError
from kientao.indices.engine.framework import Framework, Node, framework_from_imeta, split_idata
from kientao.indices.engine.impute import denominate, impute, impute_em, screen_units
from kientao.indices.engine.normalise import normalise, normalise_column
from kientao.indices.engine.panel import PanelImputation, impute_panel
from kientao.indices.engine.pipeline import (
    IndexBuild,
    Step,
    build,
    build_panel,
    default_steps,
    steps_from_json,
    steps_to_json,
    vary_steps,
)
from kientao.indices.engine.results import (
    group_summary,
    rank_changes,
    rank_scores,
    ranks_descending,
    strengths_weaknesses,
)
from kientao.indices.engine.tables import read_coinr_tables, read_table, write_csv, write_xlsx
from kientao.indices.engine.treat import treat, winsorise
from kientao.indices.engine.uncertainty import (
    UncertainInput,
    UncertaintyResult,
    WeightNoise,
    uncertainty,
    with_step,
)
from kientao.indices.engine.weights import optimise_weights, pca_weights

__all__ = [
    "AuditReport",
    "Framework",
    "FrameworkError",
    "IndexBuild",
    "IndexDataError",
    "MethodError",
    "Node",
    "PanelImputation",
    "Step",
    "UncertainInput",
    "UncertaintyResult",
    "WeightNoise",
    "aggregate",
    "aggregate_level",
    "audit",
    "build",
    "build_panel",
    "copeland",
    "copeland_level",
    "correlations",
    "cronbach_alpha",
    "default_steps",
    "denominate",
    "framework_from_imeta",
    "group_summary",
    "impute",
    "impute_em",
    "impute_panel",
    "normalise",
    "normalise_column",
    "optimise_weights",
    "pca_weights",
    "rank_changes",
    "rank_scores",
    "ranks_descending",
    "read_coinr_tables",
    "read_table",
    "remove_elements",
    "screen_units",
    "split_idata",
    "steps_from_json",
    "steps_to_json",
    "strengths_weaknesses",
    "treat",
    "uncertainty",
    "vary_steps",
    "winsorise",
    "with_step",
    "write_csv",
    "write_xlsx",
]
