"""The index framework: index -> sub-indices -> pillars -> indicators.

Built from a COINr ``iMeta`` table and checked against an ``iData`` table.

iMeta columns (COINr 1.1.14): ``Level`` (1 = indicator, 2 = first aggregate, ...;
empty for non-index rows), ``iCode``, ``Parent`` (iCode one level up, empty at the
top), ``Direction`` (1 or -1), ``Weight`` (relative within its parent),
``Type`` in {Indicator, Aggregate, Group, Denominator, Other}; optional
``iName``, ``Unit``, ``Target``, ``Denominator`` and normalisation parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from kientao.indices.engine.errors import FrameworkError, IndexDataError, locate

__all__ = ["Framework", "Node", "framework_from_imeta", "split_idata"]

NODE_TYPES = ("Indicator", "Aggregate")
OTHER_TYPES = ("Group", "Denominator", "Other")
REQUIRED_IMETA = ("Level", "iCode", "Parent", "Direction", "Weight", "Type")
_CODE_RE = re.compile(r"^[^0-9\s][^\s]*$")


@dataclass(frozen=True)
class Node:
    """One indicator or aggregate of the framework."""

    code: str
    level: int
    parent: str | None
    weight: float
    direction: int
    type: str
    name: str = ""
    unit: str = ""
    target: float = math.nan
    denominator: str | None = None
    row: int = 0  # 1-based spreadsheet row in iMeta (header = row 1)


@dataclass(frozen=True)
class Framework:
    """A validated hierarchy of indicators and aggregates.

    Attributes
    ----------
    nodes : dict
        iCode -> :class:`Node`, in iMeta order.
    others : dict
        iCode -> Type for Group, Denominator and Other rows.
    imeta : pandas.DataFrame
        The iMeta table as read (for per-indicator parameters such as goalposts).
    """

    nodes: Mapping[str, Node]
    others: Mapping[str, str] = field(default_factory=dict)
    imeta: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes.values())

    @cached_property
    def indicators(self) -> tuple[str, ...]:
        return tuple(c for c, n in self.nodes.items() if n.level == 1)

    def codes_at(self, level: int) -> tuple[str, ...]:
        """Codes at ``level`` in iMeta order."""
        return tuple(c for c, n in self.nodes.items() if n.level == level)

    def children(self, code: str) -> tuple[str, ...]:
        return tuple(c for c, n in self.nodes.items() if n.parent == code)

    @property
    def weights(self) -> dict[str, float]:
        return {c: n.weight for c, n in self.nodes.items()}

    @property
    def directions(self) -> dict[str, int]:
        return {c: n.direction for c in self.indicators for n in [self.nodes[c]]}

    @property
    def top(self) -> str:
        return self.codes_at(self.max_level)[0]

    def descendants(self, code: str, level: int = 1) -> tuple[str, ...]:
        """Codes at ``level`` below ``code`` (``code`` itself if it is at that level)."""
        if self.nodes[code].level == level:
            return (code,)
        out: list[str] = []
        for child in self.children(code):
            out.extend(self.descendants(child, level))
        return tuple(out)

    def ancestor(self, code: str, level: int) -> str:
        node = self.nodes[code]
        while node.level < level and node.parent is not None:
            node = self.nodes[node.parent]
        return node.code

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """A copy with some weights replaced (codes not in ``weights`` keep theirs)."""
        unknown = set(weights) - set(self.nodes)
        if unknown:
            raise FrameworkError(f"weights: unknown iCode(s) {sorted(unknown)}")
        nodes = {}
        for c, n in self.nodes.items():
            w = float(weights.get(c, n.weight))
            if not math.isfinite(w) or w < 0:
                raise FrameworkError(f"weights: weight of '{c}' is {w}; expected a number >= 0")
            nodes[c] = Node(**{**n.__dict__, "weight": w})
        return Framework(nodes=nodes, others=self.others, imeta=self.imeta)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    return s or None


def _number(value: Any, source: str, row: int, column: str, *, required: bool) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or _text(value) is None:
        if required:
            raise FrameworkError(f"{locate(source, row, column)}: empty; expected a number")
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FrameworkError(
            f"{locate(source, row, column)}: '{value}' is not a number"
        ) from None


def framework_from_imeta(imeta: pd.DataFrame, *, source: str = "iMeta") -> Framework:
    """Build and validate a :class:`Framework` from a COINr iMeta table.

    Parameters
    ----------
    imeta : pandas.DataFrame
        One row per column of iData and per aggregate (COINr format).
    source : str
        File name used in error messages.

    Returns
    -------
    Framework

    Raises
    ------
    FrameworkError
        Missing columns, unknown Type, duplicate codes, codes starting with a
        digit, non-numeric or negative weights, Direction not +-1, unknown
        parents, parents not one level up, cycles, aggregates without children,
        more than one top node.

    Examples
    --------
    >>> meta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "I"],
    ...     "Parent": ["I", "I", None], "Direction": [1, -1, 1], "Weight": [1, 1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> framework_from_imeta(meta).children("I")
    ('a', 'b')
    """
    missing = [c for c in REQUIRED_IMETA if c not in imeta.columns]
    if missing:
        raise FrameworkError(f"{source}: missing required column(s) {missing}")
    nodes: dict[str, Node] = {}
    others: dict[str, str] = {}
    seen: dict[str, int] = {}
    for pos, rec in enumerate(imeta.to_dict("records")):
        row = pos + 2
        code = _text(rec.get("iCode"))
        if code is None:
            raise FrameworkError(f"{locate(source, row, 'iCode')}: empty; expected a code")
        if not _CODE_RE.match(code):
            raise FrameworkError(
                f"{locate(source, row, 'iCode')}: '{code}' must not start with a digit or contain spaces"
            )
        if code in seen:
            raise FrameworkError(
                f"{locate(source, row, 'iCode')}: duplicate code '{code}' (first at row {seen[code]})"
            )
        seen[code] = row
        typ = _text(rec.get("Type"))
        if typ in OTHER_TYPES:
            others[code] = typ
            continue
        if typ not in NODE_TYPES:
            raise FrameworkError(
                f"{locate(source, row, 'Type')}: '{typ}'; expected one of "
                f"{list(NODE_TYPES + OTHER_TYPES)}"
            )
        level_f = _number(rec.get("Level"), source, row, "Level", required=True)
        if level_f != int(level_f) or level_f < 1:
            raise FrameworkError(f"{locate(source, row, 'Level')}: {level_f}; expected 1, 2, 3 ...")
        level = int(level_f)
        if (typ == "Indicator") != (level == 1):
            raise FrameworkError(
                f"{locate(source, row, 'Type')}: '{typ}' at Level {level}; indicators are "
                "Level 1 and aggregates Level 2 or more"
            )
        weight = _number(rec.get("Weight"), source, row, "Weight", required=True)
        if not math.isfinite(weight) or weight < 0:
            raise FrameworkError(f"{locate(source, row, 'Weight')}: {weight}; expected a number >= 0")
        direction_f = _number(rec.get("Direction"), source, row, "Direction", required=typ == "Indicator")
        if math.isnan(direction_f):
            direction_f = 1.0
        if direction_f not in (1.0, -1.0):
            raise FrameworkError(f"{locate(source, row, 'Direction')}: {direction_f}; expected 1 or -1")
        target = _number(rec.get("Target"), source, row, "Target", required=False) if "Target" in rec else math.nan
        nodes[code] = Node(
            code=code,
            level=level,
            parent=_text(rec.get("Parent")),
            weight=weight,
            direction=int(direction_f),
            type=typ,
            name=_text(rec.get("iName")) or code,
            unit=_text(rec.get("Unit")) or "",
            target=target,
            denominator=_text(rec.get("Denominator")),
            row=row,
        )
    if not nodes:
        raise FrameworkError(f"{source}: no rows of Type Indicator or Aggregate")
    max_level = max(n.level for n in nodes.values())
    for n in nodes.values():
        if n.parent is None:
            if n.level != max_level:
                raise FrameworkError(
                    f"{locate(source, n.row, 'Parent')}: '{n.code}' (Level {n.level}) has no "
                    f"parent; only the top level ({max_level}) may be without one (orphan)"
                )
            continue
        if n.parent not in nodes:
            hint = " (it is not an Aggregate row)" if n.parent in others else ""
            raise FrameworkError(
                f"{locate(source, n.row, 'Parent')}: unknown parent '{n.parent}' of '{n.code}'{hint}"
            )
        if n.parent == n.code:
            raise FrameworkError(f"{locate(source, n.row, 'Parent')}: '{n.code}' is its own parent (cycle)")
        if nodes[n.parent].level != n.level + 1:
            raise FrameworkError(
                f"{locate(source, n.row, 'Parent')}: parent '{n.parent}' of '{n.code}' is at Level "
                f"{nodes[n.parent].level}; expected Level {n.level + 1} (or a cycle)"
            )
        if n.denominator is not None and n.denominator not in others:
            raise FrameworkError(
                f"{locate(source, n.row, 'Denominator')}: '{n.denominator}' is not a Denominator row"
            )
    tops = [c for c, n in nodes.items() if n.level == max_level]
    if len(tops) != 1:
        raise FrameworkError(f"{source}: {len(tops)} codes at the top level {max_level} {tops}; expected one")
    has_child = {n.parent for n in nodes.values()}
    for n in nodes.values():
        if n.level > 1 and n.code not in has_child:
            raise FrameworkError(f"{locate(source, n.row, 'iCode')}: aggregate '{n.code}' has no children")
    for level in range(2, max_level + 1):
        for code in (c for c, n in nodes.items() if n.level == level):
            kids = [nodes[k].weight for k, m in nodes.items() if m.parent == code]
            if sum(kids) <= 0:
                raise FrameworkError(
                    f"{locate(source, nodes[code].row, 'Weight')}: the weights of the children of "
                    f"'{code}' are all zero"
                )
    return Framework(nodes=nodes, others=others, imeta=imeta.reset_index(drop=True))


def split_idata(
    idata: pd.DataFrame, framework: Framework, *, source: str = "iData"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split iData into unit attributes and the indicator matrix, checking it.

    Parameters
    ----------
    idata : pandas.DataFrame
        COINr iData: ``uCode`` (required), optional ``uName`` and ``Time``, and one
        column per Indicator/Group/Denominator/Other row of iMeta.
    framework : Framework
    source : str
        File name used in error messages.

    Returns
    -------
    units : pandas.DataFrame
        Index ``uCode``; the non-indicator columns (names, groups, Time, denominators).
    data : pandas.DataFrame
        Index ``uCode``; one float column per indicator, in iMeta order.

    Raises
    ------
    IndexDataError
        Missing ``uCode``, empty or duplicate unit codes (per Time), columns without
        an iMeta row, aggregate codes in iData, indicators missing or without any
        data, non-numeric cells (row and column named).
    """
    if "uCode" not in idata.columns:
        raise IndexDataError(f"{source}: missing required column 'uCode'")
    known = set(framework.nodes) | set(framework.others) | {"uCode", "uName", "Time"}
    for col in idata.columns:
        if col not in known:
            raise IndexDataError(f"{locate(source, 1, str(col))}: column has no row in iMeta")
        if col in framework.nodes and framework.nodes[col].level > 1:
            raise IndexDataError(
                f"{locate(source, 1, str(col))}: '{col}' is an aggregate; aggregates are computed, "
                "not given in iData"
            )
    codes = [_text(v) for v in idata["uCode"].tolist()]
    times = idata["Time"].tolist() if "Time" in idata.columns else [None] * len(codes)
    seen: set[tuple[str, object]] = set()
    for pos, (code, time) in enumerate(zip(codes, times, strict=True)):
        if code is None:
            raise IndexDataError(f"{locate(source, pos + 2, 'uCode')}: empty unit code")
        if code[0].isdigit():
            raise IndexDataError(f"{locate(source, pos + 2, 'uCode')}: '{code}' must not start with a digit")
        if (code, time) in seen:
            raise IndexDataError(f"{locate(source, pos + 2, 'uCode')}: duplicate unit code '{code}'")
        seen.add((code, time))
    for ind in framework.indicators:
        if ind not in idata.columns:
            raise IndexDataError(
                f"{source}: indicator '{ind}' (iMeta row {framework.nodes[ind].row}) has no column"
            )
    block = idata[list(framework.indicators)]
    if all(pd.api.types.is_float_dtype(t) or pd.api.types.is_integer_dtype(t) for t in block.dtypes):
        matrix = block.to_numpy(dtype=float, na_value=np.nan)
    else:
        matrix = np.column_stack([_numeric_column(idata[ind], source, ind) for ind in framework.indicators])
    empty = np.isnan(matrix).all(axis=0)
    if empty.any():
        ind = framework.indicators[int(np.flatnonzero(empty)[0])]
        raise IndexDataError(f"{locate(source, None, ind)}: indicator '{ind}' has no data")
    for code, typ in framework.others.items():
        if typ == "Denominator" and code in idata.columns:
            _numeric_column(idata[code], source, code)
    index = pd.Index(codes, dtype=object, name="uCode")
    data = pd.DataFrame(matrix, index=index, columns=list(framework.indicators))
    unit_cols = [c for c in idata.columns if c not in framework.indicators and c != "uCode"]
    units = idata[unit_cols].copy()
    units.index = index
    return units, data


def _numeric_column(col: pd.Series, source: str, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    out = np.empty(len(col))
    for pos, value in enumerate(col.tolist()):
        text = _text(value)
        if text is None or text.upper() in ("NA", "NAN"):
            out[pos] = np.nan
            continue
        try:
            out[pos] = float(text)
        except ValueError:
            raise IndexDataError(
                f"{locate(source, pos + 2, name)}: '{value}' is not a number"
            ) from None
    return out
