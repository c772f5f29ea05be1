"""A build as a replayable list of serialisable steps (COINr's Log/Regen idea).

A :class:`Step` is a name and a dict of plain parameters (JSON-serialisable).
:func:`build` runs the steps in order and keeps every intermediate data set, so
a build can be stored as its steps and regenerated, or varied with
:func:`vary_steps` (what the uncertainty analysis does).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kientao.indices.engine.aggregate import aggregate
from kientao.indices.engine.errors import IndexDataError
from kientao.indices.engine.framework import Framework, framework_from_imeta, split_idata
from kientao.indices.engine.impute import denominate, impute, screen_units
from kientao.indices.engine.normalise import normalise
from kientao.indices.engine.treat import treat

__all__ = [
    "STEP_NAMES",
    "IndexBuild",
    "Progress",
    "Step",
    "build",
    "build_framework",
    "build_panel",
    "default_steps",
    "steps_from_json",
    "steps_to_json",
    "vary_steps",
]

Progress = Callable[[int, str], None]

# step name -> name of the data set it writes (COINr's dset names)
STEP_NAMES = {
    "denominate": "Denominated",
    "impute": "Imputed",
    "screen": "Screened",
    "treat": "Treated",
    "normalise": "Normalised",
    "aggregate": "Aggregated",
}


@dataclass(frozen=True)
class Step:
    """One build step: ``name`` in :data:`STEP_NAMES` and its keyword parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}


def default_steps() -> list[Step]:
    """COINr's and the GII's defaults: denominate, treat, min-max 0-100, arithmetic mean."""
    return [
        Step("denominate"),
        Step("treat", {"winmax": 5, "skew_thresh": 2.0, "kurt_thresh": 3.5, "f2": "log_CT"}),
        Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}),
        Step("aggregate", {"method": "amean"}),
    ]


def steps_to_json(steps: Sequence[Step]) -> str:
    return json.dumps([s.to_dict() for s in steps])


def steps_from_json(text: str) -> list[Step]:
    return [Step(d["name"], d.get("params", {})) for d in json.loads(text)]


def vary_steps(steps: Sequence[Step], name: str, **params: Any) -> list[Step]:
    """Copy of ``steps`` with the parameters of step ``name`` updated (added if absent)."""
    out = []
    found = False
    for s in steps:
        if s.name == name:
            out.append(Step(name, {**dict(s.params), **params}))
            found = True
        else:
            out.append(s)
    if not found:
        raise IndexDataError(f"vary_steps: no step named '{name}'")
    return out


@dataclass(frozen=True)
class IndexBuild:
    """Everything a build produced.

    Attributes
    ----------
    framework : Framework
    units : DataFrame
        Index uCode; unit attributes (names, groups, Time, denominators) of the kept units.
    datasets : dict
        ``Raw``, then one per step (``Denominated`` ... ``Aggregated``); each has index
        uCode and one float column per indicator (``Aggregated`` adds every aggregate).
    steps : tuple of Step
    details : dict
        ``treat`` (COINr treat_details), ``treat_flags``, ``screen`` (availability summary).
    """

    framework: Framework
    units: pd.DataFrame
    datasets: Mapping[str, pd.DataFrame]
    steps: tuple[Step, ...]
    details: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def scores(self) -> pd.DataFrame:
        """The last data set (``Aggregated`` for a full build)."""
        return list(self.datasets.values())[-1]


def build_framework(
    idata: pd.DataFrame, imeta: pd.DataFrame, *, idata_source: str = "iData", imeta_source: str = "iMeta"
) -> tuple[Framework, pd.DataFrame, pd.DataFrame]:
    """Validate COINr tables: returns (framework, units, indicator data)."""
    fw = framework_from_imeta(imeta, source=imeta_source)
    units, data = split_idata(idata, fw, source=idata_source)
    return fw, units, data


def build(
    idata: pd.DataFrame,
    imeta: pd.DataFrame,
    steps: Sequence[Step] | None = None,
    *,
    progress: Progress | None = None,
    idata_source: str = "iData",
    imeta_source: str = "iMeta",
) -> IndexBuild:
    """Validate COINr tables and run a build.

    Parameters
    ----------
    idata, imeta : DataFrame
        COINr tables (see :mod:`kientao.indices.engine.framework`).
    steps : sequence of Step, optional
        Default :func:`default_steps`.
    progress : callable(percent, message), optional

    Returns
    -------
    IndexBuild

    Raises
    ------
    IndexDataError
        Any validation or method error, with file/row/column where known.

    Examples
    --------
    >>> meta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "I"],
    ...     "Parent": ["I", "I", None], "Direction": [1, 1, 1], "Weight": [1, 1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> data = pd.DataFrame({"uCode": ["X", "Y", "Z"], "a": [1, 2, 3], "b": [3, 1, 2]})
    >>> build(data, meta).scores["I"].round(1).tolist()
    [50.0, 25.0, 75.0]
    """
    fw, units, data = build_framework(idata, imeta, idata_source=idata_source, imeta_source=imeta_source)
    return run_steps(fw, units, data, default_steps() if steps is None else steps, progress=progress)


def run_steps(
    framework: Framework,
    units: pd.DataFrame,
    data: pd.DataFrame,
    steps: Sequence[Step],
    *,
    progress: Progress | None = None,
    stop_before: str | None = None,
) -> IndexBuild:
    """Run ``steps`` on already validated data (used for replays)."""
    datasets: dict[str, pd.DataFrame] = {"Raw": data}
    details: dict[str, pd.DataFrame] = {}
    current = data
    for k, step in enumerate(steps):
        if step.name == stop_before:
            break
        if step.name not in STEP_NAMES:
            raise IndexDataError(f"build: unknown step '{step.name}'; expected one of {list(STEP_NAMES)}")
        if progress is not None:
            progress(int(100 * k / len(steps)), f"{step.name}")
        p = dict(step.params)
        try:
            current, units = _apply(step.name, p, current, units, framework, details)
        except TypeError as exc:
            raise IndexDataError(f"build: bad parameters for step '{step.name}': {exc}") from None
        datasets[STEP_NAMES[step.name]] = current
    if progress is not None:
        progress(100, "done")
    return IndexBuild(framework, units, datasets, tuple(steps), details)


def _apply(
    name: str,
    p: dict[str, Any],
    data: pd.DataFrame,
    units: pd.DataFrame,
    fw: Framework,
    details: dict[str, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if name == "denominate":
        return denominate(data, units, fw), units
    if name == "impute":
        group = p.pop("group", None)
        groups = None
        if group is not None:
            if group not in units.columns:
                raise IndexDataError(f"impute: group column '{group}' is not in iData")
            groups = units[group]
        return impute(data, groups=groups, **p), units
    if name == "screen":
        kept, summary = screen_units(data, **p)
        details["screen"] = summary
        return kept, units.loc[kept.index]
    if name == "treat":
        treated, table, flags = treat(data, **p)
        details["treat"] = table
        details["treat_flags"] = flags
        return treated, units
    if name == "normalise":
        return normalise(data, fw, **p), units
    if name == "aggregate":
        w = p.pop("weights", None)
        if w == "equal":
            w = dict.fromkeys(fw.nodes, 1.0)
        return aggregate(data, fw, weights=w, **p), units
    raise IndexDataError(f"build: unknown step '{name}'")


def build_panel(
    idata: pd.DataFrame,
    imeta: pd.DataFrame,
    steps: Sequence[Step] | None = None,
    *,
    time_col: str = "Time",
    progress: Progress | None = None,
) -> dict[Any, IndexBuild]:
    """Build one index per value of ``time_col`` (COINr's purse); returns time -> build.

    Each year is built on its own (normalisation within the year, as COINr's
    default ``global = FALSE``). Combine the ``Aggregated`` tables with
    :func:`kientao.indices.engine.results.rank_changes` for year-on-year changes.
    """
    if time_col not in idata.columns:
        raise IndexDataError(f"iData: no '{time_col}' column for a panel")
    times = sorted(pd.unique(idata[time_col].dropna()))
    out: dict[Any, IndexBuild] = {}
    fw = framework_from_imeta(imeta)
    for k, t in enumerate(times):
        if progress is not None:
            progress(int(100 * k / len(times)), f"{time_col} {t}")
        sub = idata[idata[time_col] == t].reset_index(drop=True)
        units, data = split_idata(sub, fw, source=f"iData ({time_col} {t})")
        out[t] = run_steps(fw, units, data, default_steps() if steps is None else steps)
    if progress is not None:
        progress(100, "done")
    return out
