"""Problem trees: root causes -> problem -> effects, built from a map."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx

from kientao.systemmaps.engine.model import MapDataError, SystemMap, to_digraph


@dataclass(frozen=True)
class ProblemTree:
    """Causes and effects of a focal problem, in layers by distance.

    Attributes
    ----------
    problem : str
        Factor id of the focal problem.
    causes : tuple of tuple of str
        ``causes[0]`` = direct causes, ``causes[1]`` = their causes, ...
    effects : tuple of tuple of str
        ``effects[0]`` = direct effects, ...
    root_causes : tuple of str
        Causes with no cause of their own in the map.
    feedback : tuple of str
        Factors both upstream and downstream of the problem: the tree hides a
        feedback loop through them (consider a causal loop diagram).
    """

    problem: str
    causes: tuple[tuple[str, ...], ...]
    effects: tuple[tuple[str, ...], ...]
    root_causes: tuple[str, ...]
    feedback: tuple[str, ...]

    @property
    def is_tree(self) -> bool:
        """True when no feedback runs through the problem."""
        return not self.feedback


def _layers(g: nx.DiGraph, start: str, order: dict[str, int], depth: int | None) -> list[list[str]]:
    dist = {start: 0}
    queue = deque([start])
    while queue:
        x = queue.popleft()
        if depth is not None and dist[x] >= depth:
            continue
        for y in g.successors(x):
            if y not in dist:
                dist[y] = dist[x] + 1
                queue.append(y)
    layers: list[list[str]] = [[] for _ in range(max(dist.values()))]
    for node, d in dist.items():
        if d:
            layers[d - 1].append(node)
    return [sorted(layer, key=order.__getitem__) for layer in layers]


def problem_tree(m: SystemMap, problem: str, *, max_depth: int | None = None) -> ProblemTree:
    """Build the problem tree of a focal factor from a map.

    Causes are the factors upstream of the problem, layered by the length of
    their shortest path to it; effects are the factors downstream, layered
    likewise. Root causes are causes without causes.

    Parameters
    ----------
    m : SystemMap
    problem : str
        Id or label of the focal problem factor.
    max_depth : int, optional
        Keep at most this many layers each side.

    Returns
    -------
    ProblemTree

    Raises
    ------
    MapDataError
        If the factor is unknown or ``max_depth`` < 1.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> m = build_map(["Poverty", "Waste", "Leakage"], [("Poverty", "Waste", 1),
    ...                                                 ("Waste", "Leakage", 1)])
    >>> t = problem_tree(m, "Waste")
    >>> t.causes, t.effects, t.root_causes
    ((('f1',),), (('f3',),), ('f1',))

    References
    ----------
    .. [1] Overseas Development Institute (2009). Planning tools: problem tree
       analysis. https://odi.org/en/publications/planning-tools-problem-tree-analysis/
    """
    if max_depth is not None and max_depth < 1:
        raise MapDataError(f"max_depth must be >= 1, got {max_depth}")
    fid = m.factor(problem).id
    g = to_digraph(m)
    order = {f.id: i for i, f in enumerate(m.factors)}
    effects = _layers(g, fid, order, max_depth)
    causes = _layers(g.reverse(copy=False), fid, order, max_depth)
    up = {x for layer in causes for x in layer}
    down = {x for layer in effects for x in layer}
    roots = tuple(
        sorted((x for x in up if not any(p != x for p in g.predecessors(x))), key=order.__getitem__)
    )
    feedback = tuple(sorted(up & down, key=order.__getitem__))
    return ProblemTree(
        fid,
        tuple(tuple(layer) for layer in causes),
        tuple(tuple(layer) for layer in effects),
        roots,
        feedback,
    )


def check_tree(m: SystemMap) -> None:
    """Check that a map drawn as a problem tree has no cycle.

    Raises
    ------
    MapDataError
        Naming the factors of one cycle, e.g. ``"not a tree: cycle A -> B -> A"``.
    """
    g = to_digraph(m)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    labels = m.labels()
    path = [labels[u] for u, _ in cycle] + [labels[cycle[0][0]]]
    raise MapDataError(
        "not a tree: cycle " + " -> ".join(path) + " (a hidden feedback loop; draw a causal loop"
        " diagram instead)"
    )
