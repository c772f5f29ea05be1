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
from kientao.indices.engine.panel import impute_panel
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
        ``treat`` (COINr treat_details), ``treat_flags``, ``screen`` (availability summary),
        ``panel_source_time`` (panel builds with ``latest`` imputation).
    input_name : str
        The data set the steps start from: ``Raw``, or ``PanelImputed`` in a panel
        build with panel imputation (what a replay starts from).
    raw_units : DataFrame or None
        Unit attributes of every input unit, before screening (for replays).
    replayable : bool
        False when the build cannot be regenerated on its own, i.e. a panel year
        normalised together with the other years (COINr ``can_regen = FALSE``).
    """

    framework: Framework
    units: pd.DataFrame
    datasets: Mapping[str, pd.DataFrame]
    steps: tuple[Step, ...]
    details: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    input_name: str = "Raw"
    raw_units: pd.DataFrame | None = None
    replayable: bool = True

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
    raw_units = raw_units_of(units, data)
    kept = _run(framework, units, data, steps, datasets, details, progress, stop_before)
    return IndexBuild(framework, kept, datasets, tuple(steps), details, raw_units=raw_units)


def raw_units_of(units: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """The unit table aligned with ``data`` (before any screening)."""
    return units.reindex(data.index) if not units.index.equals(data.index) else units


def _run(
    framework: Framework,
    units: pd.DataFrame,
    current: pd.DataFrame,
    steps: Sequence[Step],
    datasets: dict[str, pd.DataFrame],
    details: dict[str, pd.DataFrame],
    progress: Progress | None = None,
    stop_before: str | None = None,
) -> pd.DataFrame:
    """Apply ``steps`` to ``current``, writing each data set into ``datasets``; returns the units."""
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
    return units


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
        return impute(data, groups=groups, framework=fw, **p), units
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
    panel_impute: Mapping[str, Any] | None = None,
    normalise_global: bool = False,
) -> dict[Any, IndexBuild]:
    """Build one index per value of ``time_col`` (COINr's purse); returns time -> build.

    By default each year is built on its own (COINr's ``global = FALSE``). Combine the
    ``Aggregated`` tables with :func:`kientao.indices.engine.results.rank_changes` for
    year-on-year changes.

    Parameters
    ----------
    idata, imeta : DataFrame
        COINr tables; iData has one row per unit and time.
    steps : sequence of Step, optional
        Steps run for every year (default :func:`default_steps`).
    time_col : str
    progress : callable(percent, message), optional
    panel_impute : mapping, optional
        ``{"imp_type": ..., "max_time": ...}``: first fill each unit's gaps from its
        other years with :func:`kientao.indices.engine.panel.impute_panel` (COINr
        ``Impute(purse, f_i = "impute_panel")``); the steps then start from the data
        set ``PanelImputed``. An indicator may be entirely missing in one year if
        another year supplies it.
    normalise_global : bool
        Normalise all years together (COINr ``Normalise(purse, global = TRUE)``): the
        steps before ``normalise`` run per year, the ``normalise`` step runs once on
        the stacked years, the remaining steps per year again.

    Returns
    -------
    dict
        time -> :class:`IndexBuild`, in increasing time order.

    Raises
    ------
    IndexDataError
        No time column, invalid tables, or a step error (with the year named).

    Notes
    -----
    Consequences of ``normalise_global`` (documented in docs/indices-engine.md):
    scores of different years are on one scale, so a unit's score moves only when
    its data move relative to the whole panel; a single year's scores no longer span
    the full target range (e.g. 0-100); adding a year changes every earlier year's
    scores; and a year cannot be regenerated on its own, so its build has
    ``replayable = False`` and :func:`~kientao.indices.engine.uncertainty.uncertainty`
    refuses it.

    References
    ----------
    1. Becker, W. et al. (2022), doi:10.21105/joss.04567 (COINr purses).
    2. OECD/JRC (2008), Handbook on Constructing Composite Indicators, sec. 1.5
       (normalisation over time), https://doi.org/10.1787/9789264043466-en
    """
    if time_col not in idata.columns:
        raise IndexDataError(f"iData: no '{time_col}' column for a panel")
    steps = default_steps() if steps is None else list(steps)
    fw = framework_from_imeta(imeta)
    times = sorted(pd.unique(idata[time_col].dropna()))
    if panel_impute is not None:
        units_all, data_all = _panel_imputed(idata, fw, time_col, panel_impute)
    out: dict[Any, IndexBuild] = {}
    datasets: dict[Any, dict[str, pd.DataFrame]] = {}
    details: dict[Any, dict[str, pd.DataFrame]] = {}
    units_t: dict[Any, pd.DataFrame] = {}
    raw_units: dict[Any, pd.DataFrame] = {}
    stop = "normalise" if normalise_global else None
    names = [s.name for s in steps]
    if normalise_global and "normalise" not in names:
        raise IndexDataError("build_panel: normalise_global needs a 'normalise' step")
    for k, t in enumerate(times):
        if progress is not None:
            progress(int(90 * k / len(times)), f"{time_col} {t}")
        where = f"iData ({time_col} {t})"
        if panel_impute is None:
            sub = idata[idata[time_col] == t].reset_index(drop=True)
            units, data = split_idata(sub, fw, source=where)
            datasets[t] = {"Raw": data}
        else:
            rows = (units_all[time_col] == t).to_numpy()
            units = units_all.loc[rows]
            data = data_all["imputed"].loc[rows]
            datasets[t] = {"Raw": data_all["raw"].loc[rows], "PanelImputed": data}
            if "source_time" in data_all:
                details.setdefault(t, {})["panel_source_time"] = data_all["source_time"].loc[rows]
        raw_units[t] = units
        details.setdefault(t, {})
        try:
            units_t[t] = _run(fw, units, data, steps, datasets[t], details[t], None, stop)
        except IndexDataError as exc:
            raise IndexDataError(f"{where}: {exc}") from None
    if normalise_global:
        at = names.index("normalise")
        last = {t: list(datasets[t].values())[-1] for t in times}
        stacked = pd.concat([last[t] for t in times], keys=list(range(len(times))))
        normed = _apply("normalise", dict(steps[at].params), stacked, stacked, fw, {})[0]
        for j, t in enumerate(times):
            part = pd.DataFrame(normed.xs(j, level=0))
            datasets[t]["Normalised"] = part
            try:
                units_t[t] = _run(fw, units_t[t], part, steps[at + 1 :], datasets[t], details[t])
            except IndexDataError as exc:
                raise IndexDataError(f"iData ({time_col} {t}): {exc}") from None
    for t in times:
        out[t] = IndexBuild(
            fw,
            units_t[t],
            datasets[t],
            tuple(steps),
            details[t],
            input_name="PanelImputed" if panel_impute is not None else "Raw",
            raw_units=raw_units[t],
            replayable=not normalise_global,
        )
    if progress is not None:
        progress(100, "done")
    return out


def _panel_imputed(
    idata: pd.DataFrame, fw: Framework, time_col: str, spec: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Validate the whole panel and impute it with :func:`impute_panel`."""
    if set(spec) - {"imp_type", "max_time"}:
        raise IndexDataError(f"build_panel: panel_impute takes imp_type and max_time, got {sorted(spec)}")
    units, data = split_idata(idata, fw, source="iData")
    if time_col != "Time" or "Time" not in units.columns:
        units = units.assign(**{time_col: idata[time_col].to_numpy()})
    long = data.reset_index().assign(_t=units[time_col].to_numpy())
    res = impute_panel(
        long,
        imp_type=str(spec.get("imp_type", "latest")),
        max_time=spec.get("max_time"),
        time_col="_t",
        unit_col="uCode",
        cols=list(data.columns),
    )
    imputed = res.data.set_index("uCode")[list(data.columns)]
    out = {"raw": data, "imputed": imputed}
    if res.source_time is not None:
        out["source_time"] = res.source_time.set_axis(data.index)
    return units, out
