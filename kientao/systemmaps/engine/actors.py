"""Actor maps: actors with power and interest, relationships, communities."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from kientao.systemmaps.engine.model import MapDataError

QUADRANTS = ("manage closely", "keep satisfied", "keep informed", "monitor")


@dataclass(frozen=True)
class Actor:
    """A stakeholder: ``power`` and ``interest`` on the map's scale (default 0-10)."""

    id: str
    label: str
    type: str = ""
    power: float = 0.0
    interest: float = 0.0
    description: str = ""
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Relation:
    """A relationship between actors (``kind`` e.g. "funds", "regulates"; ``strength`` >= 0)."""

    source: str
    target: str
    kind: str = ""
    strength: float = 1.0
    directed: bool = True


@dataclass(frozen=True)
class ActorMap:
    """Actors and their relationships on a power/interest scale ``scale = (low, high)``.

    Raises
    ------
    MapDataError
        On a duplicate id or label, a power/interest outside the scale, or a
        relation naming an unknown actor (the message names the actor or relation).
    """

    actors: tuple[Actor, ...]
    relations: tuple[Relation, ...] = ()
    scale: tuple[float, float] = (0.0, 10.0)

    def __post_init__(self) -> None:
        lo, hi = self.scale
        if not lo < hi:
            raise MapDataError(f"actor map: scale must be (low, high) with low < high, got {self.scale}")
        ids: set[str] = set()
        labels: set[str] = set()
        for a in self.actors:
            if not a.id or a.id in ids:
                raise MapDataError(f"actor {a.id!r}: empty or duplicate id")
            if a.label in labels:
                raise MapDataError(f"actor {a.id!r}: duplicate label {a.label!r}")
            ids.add(a.id)
            labels.add(a.label)
            for name in ("power", "interest"):
                v = getattr(a, name)
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise MapDataError(
                        f"actor {a.label!r}: {name} must be between {lo:g} and {hi:g}, got {v!r}"
                    )
        for i, r in enumerate(self.relations, start=1):
            for end, ref in (("from", r.source), ("to", r.target)):
                if ref not in ids:
                    raise MapDataError(f"relation #{i}: '{end}' names unknown actor {ref!r}")
            if not (math.isfinite(r.strength) and r.strength >= 0):
                raise MapDataError(f"relation #{i}: strength must be >= 0, got {r.strength!r}")


def power_interest_grid(
    actor_map: ActorMap, *, power_threshold: float | None = None,
    interest_threshold: float | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Place every actor in a quadrant of the power/interest grid.

    High power and high interest: *manage closely*; high power, low interest:
    *keep satisfied*; low power, high interest: *keep informed*; both low:
    *monitor*. "High" means at or above the threshold (default: the middle of
    the scale).

    Parameters
    ----------
    actor_map : ActorMap
    power_threshold, interest_threshold : float, optional

    Returns
    -------
    pandas.DataFrame
        Index actor id; columns ``label``, ``type``, ``power``, ``interest``,
        ``quadrant``.

    Examples
    --------
    >>> am = ActorMap((Actor("a", "City", power=9, interest=8), Actor("b", "NGO", power=2,
    ...                interest=9)))
    >>> power_interest_grid(am)["quadrant"].tolist()
    ['manage closely', 'keep informed']

    References
    ----------
    .. [1] Eden, C., Ackermann, F. (1998). *Making Strategy: The Journey of
       Strategic Management*. Sage. (power-interest grid)
    """
    lo, hi = actor_map.scale
    pt = (lo + hi) / 2 if power_threshold is None else power_threshold
    it = (lo + hi) / 2 if interest_threshold is None else interest_threshold
    rows = []
    for a in actor_map.actors:
        hp, hi_ = a.power >= pt, a.interest >= it
        quadrant = QUADRANTS[0 if hp and hi_ else 1 if hp else 2 if hi_ else 3]
        rows.append((a.id, a.label, a.type, a.power, a.interest, quadrant))
    return pd.DataFrame(
        rows, columns=["actor", "label", "type", "power", "interest", "quadrant"]
    ).set_index("actor")


def actor_communities(
    actor_map: ActorMap, *, seed: int = 0, resolution: float = 1.0
) -> tuple[frozenset[str], ...]:
    """Groups of closely related actors (Louvain modularity, relations as undirected,
    weighted by strength).

    Parameters
    ----------
    actor_map : ActorMap
    seed : int, default 0
    resolution : float, default 1.0
        Above 1 gives smaller groups.

    Returns
    -------
    tuple of frozenset of str
        Actor ids; largest group first, then by first actor in map order.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., Lefebvre, E.
       (2008). Fast unfolding of communities in large networks. J. Stat. Mech.
       P10008. doi:10.1088/1742-5468/2008/10/P10008
    """
    g = nx.Graph()
    order = {a.id: i for i, a in enumerate(actor_map.actors)}
    g.add_nodes_from(order)
    for r in actor_map.relations:
        if r.source == r.target:
            continue
        w = g.edges[r.source, r.target]["weight"] if g.has_edge(r.source, r.target) else 0.0
        g.add_edge(r.source, r.target, weight=w + r.strength)
    groups = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    return tuple(
        sorted(
            (frozenset(c) for c in groups),
            key=lambda c: (-len(c), min(order[x] for x in c)),
        )
    )
