"""Feedback loops: bounded enumeration, polarity, focus queries, independent loop sets.

Every search here honours three limits — a length bound, a count cap and a
wall-clock budget — and says in its result whether the list is complete and,
if not, why it was cut off. Searches never hang: the clock is read after every
cycle the enumerator yields and every 256 search steps.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from kientao.systemmaps.engine.model import MapDataError, SystemMap, to_digraph

STOP_COMPLETE = "complete"
STOP_MAX_LOOPS = "max_loops"
STOP_TIME_LIMIT = "time_limit"


@dataclass(frozen=True, slots=True)
class FeedbackLoop:
    """One feedback loop (an elementary circuit of the map).

    ``factors[i] -> factors[i+1]`` is link ``links[i]`` (indices mod length);
    the loop is rotated to start at the factor that comes first in the map.
    ``polarity`` is ``"R"`` (even number of negative links), ``"B"`` (odd) or
    ``"?"`` (some link's sign is unknown). ``gain`` is the product of signed
    strengths; ``delays`` the number of delayed links.
    """

    factors: tuple[str, ...]
    links: tuple[str, ...]
    polarity: str
    gain: float
    delays: int

    @property
    def length(self) -> int:
        """Number of links."""
        return len(self.links)


@dataclass(frozen=True)
class LoopSearch:
    """The outcome of a loop search.

    Attributes
    ----------
    loops : tuple of FeedbackLoop
        Shortest first, then in map order.
    complete : bool
        True when every loop within ``max_length`` is listed.
    stop_reason : str
        ``"complete"``, ``"max_loops"`` or ``"time_limit"``.
    max_length : int or None
        The length bound used (None = unbounded).
    complete_up_to : int
        Every loop of at most this many links is listed (0 if not even that is known).
    longer_loops_possible : bool
        True when a strongly connected component has more factors than
        ``max_length``, so loops longer than the bound may exist.
    elapsed : float
        Seconds spent.
    components : tuple of tuple of str
        The strongly connected components that contain loops (factor ids).
    """

    loops: tuple[FeedbackLoop, ...]
    complete: bool
    stop_reason: str
    max_length: int | None
    complete_up_to: int
    longer_loops_possible: bool
    elapsed: float
    components: tuple[tuple[str, ...], ...]

    @property
    def message(self) -> str:
        """A one-line, human-readable summary."""
        n = len(self.loops)
        bound = f" of length <= {self.max_length}" if self.max_length else ""
        if self.complete:
            text = f"all {n} loops{bound}"
            if self.longer_loops_possible:
                text += "; longer loops may exist"
            return text
        why = (
            "the count cap was reached"
            if self.stop_reason == STOP_MAX_LOOPS
            else "the time limit was reached"
        )
        return (
            f"{n} loops{bound} (cut off: {why}; complete up to length {self.complete_up_to})"
        )


class _Clock:
    def __init__(self, time_limit: float | None) -> None:
        if time_limit is not None and not time_limit > 0:
            raise MapDataError(f"time_limit must be > 0 seconds, got {time_limit!r}")
        self.start = time.perf_counter()
        self.deadline = None if time_limit is None else self.start + time_limit

    def expired(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def loop_polarity(signs: Sequence[int]) -> str:
    """Polarity of a loop from the signs of its links.

    R when the number of negative links is even, B when odd, ``?`` when any
    sign is unknown (0): an unknown sign is never guessed.

    Parameters
    ----------
    signs : sequence of int
        +1, -1 or 0 for each link.

    Returns
    -------
    str
        ``"R"``, ``"B"`` or ``"?"``.

    Examples
    --------
    >>> loop_polarity([1, -1, -1]), loop_polarity([1, -1]), loop_polarity([1, 0])
    ('R', 'B', '?')

    References
    ----------
    .. [1] Sterman, J. D. (2000). *Business Dynamics*, ch. 5. McGraw-Hill.
    """
    if any(s == 0 for s in signs):
        return "?"
    return "R" if sum(1 for s in signs if s < 0) % 2 == 0 else "B"


class _Index:
    """Lookup tables shared by the searches."""

    def __init__(self, m: SystemMap) -> None:
        self.map = m
        self.order = {f.id: i for i, f in enumerate(m.factors)}
        self.links = {lk.id: lk for lk in m.links}
        self.graph = to_digraph(m)
        # One representative link per distinct sign of each factor pair: loops that
        # differ only by parallel links of the same sign are the same loop.
        self.variants: dict[tuple[str, str], list[str]] = {}
        for lk in m.links:
            reps = self.variants.setdefault((lk.source, lk.target), [])
            if all(self.links[r].sign != lk.sign for r in reps):
                reps.append(lk.id)
        self.components = tuple(
            tuple(sorted(c, key=self.order.__getitem__))
            for c in nx.strongly_connected_components(self.graph)
            if len(c) > 1 or self.graph.has_edge(next(iter(c)), next(iter(c)))
        )
        self.components = tuple(sorted(self.components, key=lambda c: self.order[c[0]]))

    def rotate(self, cycle: Sequence[str]) -> list[str]:
        idx = [self.order[c] for c in cycle]
        k = idx.index(min(idx))
        return list(cycle[k:]) + list(cycle[:k])

    def expand(
        self, cycle: Sequence[str], fixed: tuple[str, str, str] | None = None
    ) -> Iterator[FeedbackLoop]:
        nodes = self.rotate(cycle)
        pairs = list(zip(nodes, nodes[1:] + nodes[:1], strict=True))
        choices = [self.variants[pair] for pair in pairs]
        if fixed is not None:
            choices = [[fixed[2]] if p == fixed[:2] else c for p, c in zip(pairs, choices, strict=True)]
        factors = tuple(nodes)
        links = self.links
        for combo in itertools.product(*choices):
            gain = 1.0
            negatives = delays = 0
            unknown = False
            for i in combo:
                lk = links[i]
                gain *= lk.sign * lk.strength
                negatives += lk.sign < 0
                unknown = unknown or lk.sign == 0
                delays += lk.delay
            polarity = "?" if unknown else ("B" if negatives % 2 else "R")
            yield FeedbackLoop(factors, combo, polarity, gain, delays)

    def sort_key(self, loop: FeedbackLoop) -> tuple[int, list[int], tuple[str, ...]]:
        return (loop.length, [self.order[f] for f in loop.factors], loop.links)


def _check_limits(max_length: int | None, max_loops: int) -> None:
    if max_length is not None and max_length < 1:
        raise MapDataError(f"max_length must be >= 1, got {max_length}")
    if max_loops < 1:
        raise MapDataError(f"max_loops must be >= 1, got {max_loops}")


def _finish(
    ix: _Index,
    found: list[FeedbackLoop],
    reason: str,
    max_length: int | None,
    complete_up_to: int,
    clock: _Clock,
    components: tuple[tuple[str, ...], ...],
    presorted: bool = False,
) -> LoopSearch:
    if not presorted:
        found.sort(key=ix.sort_key)
    biggest = max((len(c) for c in components), default=0)
    return LoopSearch(
        loops=tuple(found),
        complete=reason == STOP_COMPLETE,
        stop_reason=reason,
        max_length=max_length,
        complete_up_to=complete_up_to,
        longer_loops_possible=max_length is not None and biggest > max_length,
        elapsed=clock.elapsed(),
        components=components,
    )


def feedback_loops(
    m: SystemMap,
    *,
    max_length: int | None = 8,
    max_loops: int = 5000,
    time_limit: float | None = 10.0,
) -> LoopSearch:
    """List the feedback loops of a map, shortest first, within limits.

    A loop is an elementary circuit ``f1 -> f2 -> ... -> fk -> f1``; its
    polarity is R when it has an even number of negative links, B when odd,
    ``?`` when any sign is unknown.

    The map is split into strongly connected components (factors outside them
    lie on no loop). Loops are then enumerated with iterative deepening — all
    loops of length 1, then 2, ... up to ``max_length`` — so when a cap cuts
    the search off the loops kept are the shortest ones. Each round finds, for
    every factor ``v``, the loops whose first factor (in map order) is ``v`` by
    a depth-first search over later factors, pruned by the breadth-first
    distance back to ``v`` (the pruning idea of bounded-length cycle search,
    Gupta & Suzumura 2021); the result equals networkx's
    ``simple_cycles(length_bound=...)``, which a test and the benchmark check. Parallel links of different signs
    give separate loops (one per combination); parallel links of the same sign
    count once.

    Parameters
    ----------
    m : SystemMap
    max_length : int or None, default 8
        Longest loop to list (number of links). None lists loops of any
        length with one unbounded pass of Johnson's algorithm (no
        shortest-first guarantee when cut off).
    max_loops : int, default 5000
        Stop when more loops than this exist.
    time_limit : float or None, default 10.0
        Wall-clock budget in seconds; None for no budget (not advised).

    Returns
    -------
    LoopSearch
        Loops, whether the list is complete and why not.

    Raises
    ------
    MapDataError
        If a limit is not positive.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> m = build_map(["A", "B", "C"], [("A", "B", 1), ("B", "A", -1), ("B", "C", 1),
    ...                                 ("C", "B", 1)])
    >>> r = feedback_loops(m)
    >>> [(lp.factors, lp.polarity) for lp in r.loops], r.complete
    ([(('f1', 'f2'), 'B'), (('f2', 'f3'), 'R')], True)

    Notes
    -----
    The number of loops explodes with density: a random map with 100 factors
    and 300 links has on the order of 10^18 loops, so the bound and caps are
    not optional. When listing is hopeless use :func:`independent_loops`.
    The clock is read every 256 search steps, so the time limit is honoured
    closely even on dense maps. With ``max_length=None`` networkx's Johnson
    enumerator is used and the clock is read after every cycle it yields.

    References
    ----------
    .. [1] Johnson, D. B. (1975). Finding all the elementary circuits of a
       directed graph. SIAM J. Comput. 4(1):77-84. doi:10.1137/0204007
    .. [2] Gupta, A., Suzumura, T. (2021). Finding all bounded-length simple
       cycles in a directed graph. arXiv:2105.10094
    """
    _check_limits(max_length, max_loops)
    clock = _Clock(time_limit)
    ix = _Index(m)
    found: list[FeedbackLoop] = []
    if max_length is None:
        return _johnson_unbounded(ix, max_loops, clock)
    comps = [_Component(ix, c, max_length) for c in ix.components]
    biggest = max((len(c) for c in ix.components), default=0)
    done_up_to = 0
    try:
        for bound in range(1, min(max_length, biggest) + 1):
            for comp in comps:
                if len(comp.nodes) < bound:
                    continue
                for v in range(len(comp.nodes)):
                    for cycle in _cycles_from(comp.adj, v, bound, comp.dist_to(v, clock), clock):
                        for loop in ix.expand([comp.nodes[i] for i in cycle]):
                            if len(found) >= max_loops:
                                return _finish(
                                    ix, found, STOP_MAX_LOOPS, max_length, done_up_to, clock,
                                    ix.components, presorted=True,
                                )
                            found.append(loop)
            done_up_to = bound
    except _TimeUpError:
        return _finish(
            ix, found, STOP_TIME_LIMIT, max_length, done_up_to, clock, ix.components, True
        )
    # Rounds run by length, components and first factors in map order, and the
    # search follows links in map order: the list is already in canonical order.
    return _finish(ix, found, STOP_COMPLETE, max_length, max_length, clock, ix.components, True)


class _Component:
    """A strongly connected component as integer adjacency lists in map order."""

    def __init__(self, ix: _Index, nodes: tuple[str, ...], max_length: int) -> None:
        self.nodes = nodes
        pos = {f: i for i, f in enumerate(nodes)}
        self.adj: list[list[int]] = [[] for _ in nodes]
        rows, cols = [], []
        for u, v in ix.graph.subgraph(nodes).edges():
            self.adj[pos[u]].append(pos[v])
            rows.append(pos[v])  # reversed: BFS from v gives distances *to* v
            cols.append(pos[u])
        for a in self.adj:
            a.sort()
        self.reverse = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes))
        )
        self.cap = max_length + 1
        dtype = np.int8 if self.cap < 127 else np.int32
        self._dist = np.zeros((len(nodes), len(nodes)), dtype=dtype)
        self._done = 0  # rows of _dist computed so far

    def dist_to(self, v: int, clock: _Clock) -> list[int]:
        """Distances x -> v for every x (capped at max_length + 1).

        Computed once, in blocks of 64 targets, by breadth-first search in C
        limited to ``max_length`` links; the clock is read before each block.
        """
        while v >= self._done:
            if clock.expired():
                raise _TimeUpError
            block = np.arange(self._done, min(self._done + 64, len(self.nodes)))
            d = csgraph.dijkstra(
                self.reverse, unweighted=True, indices=block, limit=self.cap - 0.5
            )
            self._dist[block] = np.minimum(np.nan_to_num(d, posinf=self.cap), self.cap)
            self._done = int(block[-1]) + 1
        return self._dist[v].tolist()


def _cycles_from(
    adj: list[list[int]], v: int, length: int, dist: list[int], clock: _Clock
) -> Iterator[list[int]]:
    """Cycles of exactly ``length`` links whose smallest node is ``v``, starting at ``v``.

    Depth-first search over nodes greater than ``v``, pruned by the distance
    back to ``v``; the clock is read every 256 steps.
    """
    path = [v]
    on_path = bytearray(len(adj))
    on_path[v] = 1
    stack = [iter(adj[v])]
    steps = 0
    while stack:
        steps += 1
        if steps & 255 == 0 and clock.expired():
            raise _TimeUpError
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            on_path[path.pop()] = 0
            continue
        depth = len(path)
        if nxt == v:
            if depth == length:
                yield [*path]
            continue
        if nxt < v or on_path[nxt] or depth + dist[nxt] > length:
            continue
        path.append(nxt)
        on_path[nxt] = 1
        stack.append(iter(adj[nxt]))


def _johnson_unbounded(ix: _Index, max_loops: int, clock: _Clock) -> LoopSearch:
    found: list[FeedbackLoop] = []
    for comp in ix.components:
        sub = nx.DiGraph(ix.graph.subgraph(comp).edges())
        for cycle in nx.simple_cycles(sub):
            if clock.expired():
                return _finish(ix, found, STOP_TIME_LIMIT, None, 0, clock, ix.components)
            for loop in ix.expand(cycle):
                if len(found) >= max_loops:
                    return _finish(ix, found, STOP_MAX_LOOPS, None, 0, clock, ix.components)
                found.append(loop)
    biggest = max((len(c) for c in ix.components), default=0)
    return _finish(ix, found, STOP_COMPLETE, None, biggest, clock, ix.components)


def _distances_to(graph: nx.DiGraph, target: str, within: set[str]) -> dict[str, int]:
    dist = {target: 0}
    queue = deque([target])
    while queue:
        x = queue.popleft()
        for p in graph.predecessors(x):
            if p in within and p not in dist:
                dist[p] = dist[x] + 1
                queue.append(p)
    return dist


class _TimeUpError(Exception):
    pass


def _paths_of_length(
    graph: nx.DiGraph,
    start: str,
    target: str,
    length: int,
    dist: dict[str, int],
    clock: _Clock,
) -> Iterator[list[str]]:
    """Simple paths start -> target of exactly ``length`` links (start may equal target)."""
    path = [start]
    on_path = {start}
    stack = [iter(graph.successors(start))]
    steps = 0
    while stack:
        steps += 1
        if steps & 255 == 0 and clock.expired():
            raise _TimeUpError
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        depth = len(path)  # links used once nxt is appended
        if nxt == target:
            if depth == length:
                yield [*path]
            continue
        if nxt in on_path or nxt not in dist or depth + dist[nxt] > length:
            continue
        path.append(nxt)
        on_path.add(nxt)
        stack.append(iter(graph.successors(nxt)))


def loops_through(
    m: SystemMap,
    *,
    factor: str | None = None,
    link: str | None = None,
    max_length: int = 8,
    max_loops: int = 5000,
    time_limit: float | None = 10.0,
) -> LoopSearch:
    """List the loops through one factor or one link, shortest first, within limits.

    Parameters
    ----------
    m : SystemMap
    factor : str, optional
        Factor id or label. Give exactly one of ``factor`` and ``link``.
    link : str, optional
        Link id.
    max_length, max_loops, time_limit
        As in :func:`feedback_loops`.

    Returns
    -------
    LoopSearch
        ``components`` holds the one component searched (empty if none).

    Raises
    ------
    MapDataError
        If neither or both of ``factor`` and ``link`` are given, they name
        nothing in the map, or a limit is not positive.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> m = build_map(["A", "B", "C"], [("A", "B", 1), ("B", "A", -1), ("B", "C", 1),
    ...                                 ("C", "B", 1)])
    >>> [lp.factors for lp in loops_through(m, factor="C").loops]
    [('f2', 'f3')]

    Notes
    -----
    A depth-first search of paths back to the chosen factor, pruned by the
    breadth-first distance to it, deepened one length at a time; it visits
    only the component of the chosen factor.
    """
    _check_limits(max_length, max_loops)
    if (factor is None) == (link is None):
        raise MapDataError("give exactly one of factor and link")
    clock = _Clock(time_limit)
    ix = _Index(m)
    if factor is not None:
        fid = m.factor(factor).id
        start, target, fixed, extra = fid, fid, None, 0
    else:
        assert link is not None
        lk = m.link(link)
        start, target, fixed, extra = lk.target, lk.source, (lk.source, lk.target, lk.id), 1
    comp = next((c for c in ix.components if target in c), None)
    if comp is None or (fixed is not None and start not in comp):
        return _finish(ix, [], STOP_COMPLETE, max_length, max_length, clock, ())
    within = set(comp)
    dist = _distances_to(ix.graph, target, within)
    found: list[FeedbackLoop] = []
    done_up_to = 0
    for total in range(1, min(max_length, len(comp)) + 1):
        try:
            if fixed is not None and start == target:  # a self-loop link
                paths: Iterator[list[str]] = iter([[start]] if total == 1 else [])
            elif total - extra >= 1:
                paths = _paths_of_length(ix.graph, start, target, total - extra, dist, clock)
            else:
                paths = iter([])
            for p in paths:
                # p runs start ... (last factor before target); for a link u -> v it
                # starts at v and the loop is u -> v -> ... -> u.
                cycle = [target, *p] if fixed is not None and start != target else p
                for loop in ix.expand(cycle, fixed):
                    if len(found) >= max_loops:
                        return _finish(
                            ix, found, STOP_MAX_LOOPS, max_length, done_up_to, clock, (comp,)
                        )
                    found.append(loop)
        except _TimeUpError:
            return _finish(ix, found, STOP_TIME_LIMIT, max_length, done_up_to, clock, (comp,))
        done_up_to = total
    return _finish(ix, found, STOP_COMPLETE, max_length, max_length, clock, (comp,))


def independent_loops(m: SystemMap, *, time_limit: float | None = 10.0) -> LoopSearch:
    """One short loop through every link that lies on a loop (an independent loop set).

    For each link ``u -> v`` inside a strongly connected component, the loop
    made of the link and a shortest path ``v ~> u``; candidates are sorted by
    length and a candidate is kept when it covers a link not yet covered. The
    result covers every link that lies on any loop, with far fewer loops than
    the cycle-space dimension ``m - n + c``.

    Parameters
    ----------
    m : SystemMap
    time_limit : float or None, default 10.0
        Wall-clock budget in seconds.

    Returns
    -------
    LoopSearch
        ``complete`` is True when every link on a loop is covered;
        ``max_length`` is None.

    Raises
    ------
    MapDataError
        If ``time_limit`` is not positive.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> m = build_map(["A", "B", "C"], [("A", "B", 1), ("B", "C", 1), ("C", "A", -1),
    ...                                 ("B", "A", 1)])
    >>> [lp.links for lp in independent_loops(m).loops]
    [('l1', 'l4'), ('l1', 'l2', 'l3')]

    Notes
    -----
    Shortest paths come from ``scipy.sparse.csgraph.shortest_path`` (BFS in C)
    per component. This is the default answer when listing every loop is
    hopeless (notes §7.4).

    References
    ----------
    .. [1] Oliva, R. (2004). Model structure analysis through graph theory:
       partition heuristics and feedback structure decomposition. System
       Dynamics Review 20(4):313-336. doi:10.1002/sdr.298
    .. [2] Kampmann, C. E. (2012). Feedback loop gains and system behaviour.
       System Dynamics Review 28(4):370-395. doi:10.1002/sdr.1483
    """
    clock = _Clock(time_limit)
    ix = _Index(m)
    candidates: list[FeedbackLoop] = []
    for comp in ix.components:
        if clock.expired():
            return _finish(ix, [], STOP_TIME_LIMIT, None, 0, clock, ix.components)
        pos = {f: i for i, f in enumerate(comp)}
        rows, cols = [], []
        for u, v in ix.graph.subgraph(comp).edges():
            rows.append(pos[u])
            cols.append(pos[v])
        adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(comp), len(comp)))
        _, pred = csgraph.shortest_path(
            adj, method="D", unweighted=True, return_predecessors=True
        )
        comp_set = set(comp)
        for lk in m.links:
            if lk.source not in comp_set or lk.target not in comp_set:
                continue
            if lk.source == lk.target:
                cycle = [lk.source]
            else:
                s, t = pos[lk.target], pos[lk.source]
                back = [t]
                while back[-1] != s:
                    back.append(int(pred[s, back[-1]]))
                # back runs u <- ... <- v; the loop is u -> v -> ... -> u.
                cycle = [lk.source, lk.target, *[comp[i] for i in reversed(back[1:-1])]]
            candidates.append(next(ix.expand(cycle, (lk.source, lk.target, lk.id))))
    if clock.expired():
        return _finish(ix, [], STOP_TIME_LIMIT, None, 0, clock, ix.components)
    candidates.sort(key=ix.sort_key)
    covered: set[str] = set()
    kept: list[FeedbackLoop] = []
    for loop in candidates:
        if not covered.issuperset(loop.links):
            kept.append(loop)
            covered.update(loop.links)
    return _finish(ix, kept, STOP_COMPLETE, None, 0, clock, ix.components)


def loop_counts(search: LoopSearch) -> Counter[str]:
    """How many of the listed loops pass through each factor.

    Parameters
    ----------
    search : LoopSearch

    Returns
    -------
    collections.Counter
        ``{factor id: number of loops}`` (factors on no listed loop are absent).

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> m = build_map(["A", "B"], [("A", "B", 1), ("B", "A", 1), ("A", "A", -1)])
    >>> dict(loop_counts(feedback_loops(m)))
    {'f1': 2, 'f2': 1}
    """
    counts: Counter[str] = Counter()
    for loop in search.loops:
        counts.update(set(loop.factors))
    return counts
