"""The map model: factors, signed links, named loops and layouts.

A system map is a directed multigraph. Every :class:`SystemMap` that exists is
structurally valid (its constructor refuses links to unknown factors, duplicate
ids, duplicate labels and bad signs); softer findings (self-loops, parallel
links) are reported by :func:`map_warnings`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

POSITIVE = 1
NEGATIVE = -1
UNKNOWN = 0
SIGN_SYMBOLS = {POSITIVE: "+", NEGATIVE: "-", UNKNOWN: "?"}


class MapDataError(ValueError):
    """A map, or a file describing one, is malformed; the message names the element or row."""


@dataclass(frozen=True)
class Factor:
    """A variable of the system (something that can go up or down).

    ``fields`` holds any custom fields (Kumu columns) as strings.
    """

    id: str
    label: str
    description: str = ""
    type: str = ""
    tags: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Link:
    """A causal link ``source -> target``.

    ``sign`` is +1 (same direction), -1 (opposite direction) or 0 (unknown or
    ambiguous); ``strength`` is a non-negative magnitude (FCM weight = sign x
    strength); ``delay`` marks a significant delay.
    """

    id: str
    source: str
    target: str
    sign: int = POSITIVE
    strength: float = 1.0
    delay: bool = False
    description: str = ""
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def symbol(self) -> str:
        """The sign as ``+``, ``-`` or ``?``."""
        return SIGN_SYMBOLS[self.sign]


@dataclass(frozen=True)
class NamedLoop:
    """A loop named by the map's authors (as Kumu saves them): a list of link ids."""

    id: str
    label: str
    link_ids: tuple[str, ...]
    loop_type: str = ""
    description: str = ""


@dataclass(frozen=True)
class SystemMap:
    """A causal map: factors, links, named loops and named layouts.

    ``layouts`` maps a layout name to ``{factor id: (x, y)}``.

    Raises
    ------
    MapDataError
        If an id is empty or repeated, two factors share a label, a link names
        an unknown factor, a sign is not -1/0/+1, a strength is negative or not
        finite, or a named loop names an unknown link.
    """

    factors: tuple[Factor, ...]
    links: tuple[Link, ...] = ()
    loops: tuple[NamedLoop, ...] = ()
    layouts: Mapping[str, Mapping[str, tuple[float, float]]] = field(
        default_factory=dict, hash=False
    )
    name: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", tuple(self.factors))
        object.__setattr__(self, "links", tuple(self.links))
        object.__setattr__(self, "loops", tuple(self.loops))
        _check_structure(self)

    @property
    def factor_ids(self) -> tuple[str, ...]:
        """Factor ids in map order."""
        return tuple(f.id for f in self.factors)

    def factor(self, key: str) -> Factor:
        """The factor with this id, or else with this label.

        Raises
        ------
        MapDataError
            If no factor has this id or label.
        """
        by_id = {f.id: f for f in self.factors}
        if key in by_id:
            return by_id[key]
        for f in self.factors:
            if f.label == key:
                return f
        raise MapDataError(f"factor {key!r}: no factor has this id or label")

    def link(self, link_id: str) -> Link:
        """The link with this id.

        Raises
        ------
        MapDataError
            If no link has this id.
        """
        for lk in self.links:
            if lk.id == link_id:
                return lk
        raise MapDataError(f"link {link_id!r}: no link has this id")

    def labels(self) -> dict[str, str]:
        """``{factor id: label}``."""
        return {f.id: f.label for f in self.factors}


def _check_structure(m: SystemMap) -> None:
    ids: set[str] = set()
    labels: dict[str, str] = {}
    for i, f in enumerate(m.factors, start=1):
        if not isinstance(f, Factor):
            raise MapDataError(f"factor #{i}: expected a Factor, got {type(f).__name__}")
        if not f.id:
            raise MapDataError(f"factor #{i} ({f.label!r}): empty id")
        if not f.label.strip():
            raise MapDataError(f"factor {f.id!r}: empty label")
        if f.id in ids:
            raise MapDataError(f"factor {f.id!r}: duplicate id")
        if f.label in labels:
            raise MapDataError(
                f"factor {f.id!r}: duplicate label {f.label!r} (also factor {labels[f.label]!r})"
            )
        ids.add(f.id)
        labels[f.label] = f.id
    link_ids: set[str] = set()
    for i, lk in enumerate(m.links, start=1):
        if not isinstance(lk, Link):
            raise MapDataError(f"link #{i}: expected a Link, got {type(lk).__name__}")
        name = f"link {lk.id!r}" if lk.id else f"link #{i}"
        if not lk.id:
            raise MapDataError(f"{name}: empty id")
        if lk.id in link_ids:
            raise MapDataError(f"{name}: duplicate id")
        link_ids.add(lk.id)
        for end, ref in (("from", lk.source), ("to", lk.target)):
            if ref not in ids:
                raise MapDataError(f"{name}: '{end}' names unknown factor {ref!r}")
        if lk.sign not in SIGN_SYMBOLS:
            raise MapDataError(f"{name}: sign must be +1, -1 or 0, got {lk.sign!r}")
        if not math.isfinite(lk.strength) or lk.strength < 0:
            raise MapDataError(
                f"{name}: strength must be a finite number >= 0, got {lk.strength!r}"
            )
    loop_ids: set[str] = set()
    for i, lp in enumerate(m.loops, start=1):
        name = f"loop {lp.id!r}" if lp.id else f"loop #{i}"
        if not lp.id or lp.id in loop_ids:
            raise MapDataError(f"{name}: empty or duplicate id")
        loop_ids.add(lp.id)
        for ref in lp.link_ids:
            if ref not in link_ids:
                raise MapDataError(f"{name} ({lp.label!r}): names unknown link {ref!r}")
    for layout, positions in m.layouts.items():
        for ref, xy in positions.items():
            if ref not in ids:
                raise MapDataError(f"layout {layout!r}: position for unknown factor {ref!r}")
            if len(xy) != 2 or not all(math.isfinite(float(c)) for c in xy):
                raise MapDataError(f"layout {layout!r}: factor {ref!r}: position must be (x, y)")


@dataclass(frozen=True)
class MapWarning:
    """A finding that does not make a map invalid.

    ``kind`` is ``"self-loop"``, ``"parallel-links"`` or ``"isolated-factor"``;
    ``elements`` are the ids concerned.
    """

    kind: str
    elements: tuple[str, ...]
    message: str


def map_warnings(m: SystemMap) -> tuple[MapWarning, ...]:
    """List self-loops, parallel links and isolated factors of a map.

    Self-loops are legitimate (a factor reinforcing or damping itself is a loop
    of length one) but often a drawing slip, so they are reported.

    Parameters
    ----------
    m : SystemMap

    Returns
    -------
    tuple of MapWarning
        In map order.

    Examples
    --------
    >>> m = SystemMap((Factor("a", "A"),), (Link("l1", "a", "a"),))
    >>> [w.kind for w in map_warnings(m)]
    ['self-loop']
    """
    labels = m.labels()
    out: list[MapWarning] = []
    by_pair: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for lk in m.links:
        by_pair[(lk.source, lk.target)].append(lk)
        if lk.source == lk.target:
            out.append(
                MapWarning(
                    "self-loop",
                    (lk.id,),
                    f"link {lk.id!r}: {labels[lk.source]!r} influences itself (a loop of length 1)",
                )
            )
    for (u, v), group in by_pair.items():
        if len(group) > 1:
            signs = "".join(sorted({g.symbol for g in group}))
            out.append(
                MapWarning(
                    "parallel-links",
                    tuple(g.id for g in group),
                    f"links {', '.join(repr(g.id) for g in group)}: {len(group)} links "
                    f"{labels[u]!r} -> {labels[v]!r} (signs {signs})",
                )
            )
    degree: Counter[str] = Counter()
    for lk in m.links:
        degree[lk.source] += 1
        degree[lk.target] += 1
    for f in m.factors:
        if degree[f.id] == 0:
            out.append(MapWarning("isolated-factor", (f.id,), f"factor {f.label!r}: no links"))
    return tuple(out)


def to_multidigraph(m: SystemMap) -> nx.MultiDiGraph:
    """The map as a networkx ``MultiDiGraph`` keyed by link id.

    Node attributes: ``label``; edge attributes: ``sign``, ``strength``, ``delay``.
    """
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for f in m.factors:
        g.add_node(f.id, label=f.label)
    for lk in m.links:
        g.add_edge(
            lk.source, lk.target, key=lk.id, sign=lk.sign, strength=lk.strength, delay=lk.delay
        )
    return g


def to_digraph(m: SystemMap) -> nx.DiGraph:
    """The map as a simple ``DiGraph`` (parallel links collapsed).

    Edge attribute ``links`` lists the link ids of each pair; ``strength`` is the
    sum of their strengths; ``sign`` is their common sign, or 0 when they differ.
    """
    g: nx.DiGraph = nx.DiGraph()
    for f in m.factors:
        g.add_node(f.id, label=f.label)
    for lk in m.links:
        if g.has_edge(lk.source, lk.target):
            data = g.edges[lk.source, lk.target]
            data["links"].append(lk.id)
            data["strength"] += lk.strength
            if data["sign"] != lk.sign:
                data["sign"] = UNKNOWN
        else:
            g.add_edge(lk.source, lk.target, links=[lk.id], strength=lk.strength, sign=lk.sign)
    return g


def build_map(
    factors: Iterable[str | Factor],
    links: Iterable[tuple[str, str, int] | tuple[str, str, int, float] | Link],
    **kwargs: object,
) -> SystemMap:
    """Build a map from labels and ``(from label, to label, sign[, strength])`` triples.

    A convenience for tests, demos and notebooks: factor ids are ``f1, f2, ...``
    and link ids ``l1, l2, ...`` in order; ends may be labels or ids.

    Parameters
    ----------
    factors : iterable of str or Factor
    links : iterable of tuple or Link
    **kwargs
        Passed to :class:`SystemMap` (``loops``, ``layouts``, ``name``, ...).

    Returns
    -------
    SystemMap

    Raises
    ------
    MapDataError
        If a link names an unknown factor (or any check of :class:`SystemMap` fails).

    Examples
    --------
    >>> m = build_map(["A", "B"], [("A", "B", 1), ("B", "A", -1)])
    >>> [(lk.source, lk.target, lk.symbol) for lk in m.links]
    [('f1', 'f2', '+'), ('f2', 'f1', '-')]
    """
    fs: list[Factor] = []
    for i, f in enumerate(factors, start=1):
        fs.append(f if isinstance(f, Factor) else Factor(f"f{i}", f))
    key = {f.label: f.id for f in fs} | {f.id: f.id for f in fs}
    ls: list[Link] = []
    for i, spec in enumerate(links, start=1):
        if isinstance(spec, Link):
            ls.append(spec)
            continue
        src, dst, sign = spec[0], spec[1], spec[2]
        strength = float(spec[3]) if len(spec) > 3 else 1.0
        for end, ref in (("from", src), ("to", dst)):
            if ref not in key:
                raise MapDataError(f"link #{i}: '{end}' names unknown factor {ref!r}")
        ls.append(Link(f"l{i}", key[src], key[dst], int(sign), strength))
    return SystemMap(tuple(fs), tuple(ls), **kwargs)  # type: ignore[arg-type]
