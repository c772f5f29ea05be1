"""Factor measures, sub-maps and leverage candidates.

Centralities treat every factor pair with at least one link as one hop
(parallel links collapse); weighted degrees sum link strengths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from kientao.systemmaps.engine.loops import LoopSearch, loop_counts
from kientao.systemmaps.engine.model import MapDataError, SystemMap, to_digraph

MICMAC_QUADRANTS = ("influential", "relay", "dependent", "autonomous")


def _adjacency(m: SystemMap, weighted: bool = False) -> sp.csr_matrix:
    pos = {f.id: i for i, f in enumerate(m.factors)}
    n = len(pos)
    rows = [pos[lk.source] for lk in m.links]
    cols = [pos[lk.target] for lk in m.links]
    vals = [lk.strength if weighted else 1.0 for lk in m.links]
    a = sp.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=float)
    if not weighted:
        a.data[:] = 1.0  # duplicates were summed
    return a


def betweenness(m: SystemMap) -> np.ndarray:
    """Normalised betweenness of every factor (map order), hop distances.

    ``b(v) = sum_{s != v != t} sigma_st(v) / sigma_st / ((n-1)(n-2))`` where
    ``sigma_st`` counts shortest paths from s to t and ``sigma_st(v)`` those
    through v.

    Parameters
    ----------
    m : SystemMap

    Returns
    -------
    numpy.ndarray
        One value per factor, in [0, 1].

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> betweenness(build_map(["A", "B", "C"], [("A", "B", 1), ("B", "C", 1)])).tolist()
    [0.0, 0.5, 0.0]

    Notes
    -----
    Brandes' accumulation done for all sources at once with sparse matrix
    products, level by level of the breadth-first distance matrix; equals
    ``networkx.betweenness_centrality`` (a test checks) at a fraction of the
    time. Memory is O(n^2): above 3,000 factors networkx with ``k = 500``
    sampled sources (seed 0) is used instead.

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality.
       J. Math. Sociol. 25(2):163-177. doi:10.1080/0022250X.2001.9990249
    """
    n = len(m.factors)
    if n < 3:
        return np.zeros(n)
    if n > 3000:
        g = to_digraph(m)
        vals = nx.betweenness_centrality(g, k=500, seed=0)
        return np.array([vals[f.id] for f in m.factors])
    a = _adjacency(m)
    a.setdiag(0)
    a.eliminate_zeros()
    d = csgraph.shortest_path(a, unweighted=True)
    finite = np.isfinite(d)
    diam = int(d[finite].max()) if finite.any() else 0
    # Work on transposed matrices (row = target, column = source) so that every
    # product is sparse @ dense on C-ordered arrays.
    dt = np.ascontiguousarray(d.T)
    levels = [dt == k for k in range(diam + 1)]
    at = a.T.tocsr()
    sigma = np.eye(n)
    for k in range(1, diam + 1):
        # sigma[t, s] for d(s, t) = k: sum of sigma[p, s] over predecessors p of t at k-1.
        step = at @ (sigma * levels[k - 1])
        step *= levels[k]
        sigma += step
    inv = np.divide(1.0, sigma, out=np.zeros_like(sigma), where=sigma > 0)
    delta = np.zeros((n, n))
    for k in range(diam, 0, -1):
        coeff = delta + 1.0
        coeff *= inv
        coeff *= levels[k]
        step = a @ coeff
        step *= sigma
        step *= levels[k - 1]
        delta += step
    np.fill_diagonal(delta, 0.0)
    return delta.sum(axis=1) / ((n - 1) * (n - 2))


def closeness(m: SystemMap) -> np.ndarray:
    """Out-closeness of every factor: how near it is to the factors it reaches.

    ``c(v) = (r / (n-1)) * (r / sum_{t reachable} d(v, t))`` with ``r`` the
    number of factors v reaches (Wasserman-Faust scaling for disconnected maps).
    Equals ``networkx.closeness_centrality(G.reverse())``.

    Parameters
    ----------
    m : SystemMap

    Returns
    -------
    numpy.ndarray
        One value per factor, 0 for a factor that reaches nothing.

    References
    ----------
    .. [1] Wasserman, S., Faust, K. (1994). *Social Network Analysis*, p. 201.
    """
    n = len(m.factors)
    if n < 2:
        return np.zeros(n)
    d = csgraph.shortest_path(_adjacency(m), unweighted=True)
    np.fill_diagonal(d, np.inf)
    reach = np.isfinite(d)
    r = reach.sum(axis=1)
    total = np.where(reach, d, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(total > 0, (r / (n - 1)) * (r / total), 0.0)
    return c


def katz(m: SystemMap, *, alpha: float | None = None) -> np.ndarray:
    """Katz centrality (influence received through walks of every length).

    ``x = beta 1 + alpha A^T x`` solved exactly, ``beta = 1``, normalised to
    unit Euclidean length. Default ``alpha = 0.9 / rho(A)`` (``0.1`` when the
    map has no loop, ``rho = 0``), so the series converges.

    Parameters
    ----------
    m : SystemMap
    alpha : float, optional
        Attenuation; must be below ``1 / rho(A)``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    MapDataError
        If ``alpha`` is not below ``1 / rho(A)``.

    References
    ----------
    .. [1] Katz, L. (1953). A new status index derived from sociometric
       analysis. Psychometrika 18(1):39-43. doi:10.1007/BF02289026
    """
    n = len(m.factors)
    if n == 0:
        return np.zeros(0)
    a = _adjacency(m)
    rho = float(np.max(np.abs(np.linalg.eigvals(a.toarray())))) if n <= 400 else _rho(a)
    if alpha is None:
        alpha = 0.9 / rho if rho > 1e-9 else 0.1
    elif rho > 1e-9 and alpha >= 1.0 / rho:
        raise MapDataError(f"katz alpha {alpha} must be below 1/rho(A) = {1.0 / rho:.4g}")
    x = sp.linalg.spsolve((sp.identity(n, format="csc") - alpha * a.T).tocsc(), np.ones(n))
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return x / np.linalg.norm(x)


def _rho(a: sp.csr_matrix) -> float:
    try:
        vals = sp.linalg.eigs(a, k=1, which="LM", return_eigenvectors=False, maxiter=5000)
        return float(np.abs(vals[0]))
    except (sp.linalg.ArpackNoConvergence, ValueError):
        return float(np.max(np.abs(np.linalg.eigvals(a.toarray()))))


def micmac(m: SystemMap, *, power: int = 3) -> pd.DataFrame:
    """MICMAC influence and dependence of every factor.

    With ``M`` the matrix of link strengths, influence = row sums of ``M^k``
    and dependence = column sums, each divided by its mean so that 1 is
    average. Quadrants: influential (influence >= 1 > dependence), relay
    (both >= 1), dependent (dependence >= 1 > influence), autonomous (both < 1).

    Parameters
    ----------
    m : SystemMap
    power : int, default 3
        ``k``: counts indirect influence along walks of k links.

    Returns
    -------
    pandas.DataFrame
        Index factor id; columns ``influence``, ``dependence``, ``quadrant``.

    Raises
    ------
    MapDataError
        If ``power`` < 1.

    References
    ----------
    .. [1] Godet, M. (1986). Introduction to la prospective. Futures
       18(2):134-157. doi:10.1016/0016-3287(86)90094-7
    """
    if power < 1:
        raise MapDataError(f"micmac power must be >= 1, got {power}")
    a = _adjacency(m, weighted=True)
    n = len(m.factors)
    out = np.ones(n)
    inn = np.ones(n)
    for _ in range(power):
        out = np.asarray(a @ out).ravel()
        inn = np.asarray(a.T @ inn).ravel()
    influence = out / out.mean() if n and out.mean() > 0 else np.zeros(n)
    dependence = inn / inn.mean() if n and inn.mean() > 0 else np.zeros(n)
    quadrant = [
        ("relay" if dep >= 1 else "influential")
        if inf >= 1
        else ("dependent" if dep >= 1 else "autonomous")
        for inf, dep in zip(influence, dependence, strict=True)
    ]
    return pd.DataFrame(
        {"influence": influence, "dependence": dependence, "quadrant": quadrant},
        index=pd.Index([f.id for f in m.factors], name="factor"),
    )


def reach_counts(m: SystemMap) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of factors upstream (ancestors) and downstream (descendants) of each factor.

    Computed once for all factors on the condensation DAG with bit sets.

    Returns
    -------
    (upstream, downstream) : tuple of numpy.ndarray
    """
    g = to_digraph(m)
    cond = nx.condensation(g)
    members = cond.graph["mapping"]
    order = list(nx.topological_sort(cond))
    size = {c: len(cond.nodes[c]["members"]) for c in cond}
    down: dict[int, set[int]] = {}
    for c in reversed(order):
        acc: set[int] = set()
        for s in cond.successors(c):
            acc |= down[s]
            acc.add(s)
        down[c] = acc
    up: dict[int, set[int]] = {}
    for c in order:
        acc = set()
        for p in cond.predecessors(c):
            acc |= up[p]
            acc.add(p)
        up[c] = acc

    def count(c: int, table: dict[int, set[int]]) -> int:
        own = size[c] - 1 if size[c] > 1 else 0
        return own + sum(size[x] for x in table[c])

    ups = np.array([count(members[f.id], up) for f in m.factors])
    downs = np.array([count(members[f.id], down) for f in m.factors])
    return ups, downs


def factor_measures(m: SystemMap, loops: LoopSearch | None = None) -> pd.DataFrame:
    """All factor measures in one table.

    Parameters
    ----------
    m : SystemMap
    loops : LoopSearch, optional
        A loop search of this map; gives the ``loops`` column (loops through
        each factor, over that bounded set). Omitted: the column is 0.

    Returns
    -------
    pandas.DataFrame
        Index ``factor`` (id), in map order; columns ``label``, ``in_degree``,
        ``out_degree``, ``in_strength``, ``out_strength`` (sums of link
        strengths), ``betweenness``, ``closeness`` (out-closeness),
        ``pagerank``, ``katz``, ``loops``, ``upstream``, ``downstream`` (counts
        of factors), ``role`` (``driver`` = only outgoing links, ``outcome`` =
        only incoming, ``intermediate``, ``isolated``), ``micmac_influence``,
        ``micmac_dependence``, ``micmac_quadrant``.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> t = factor_measures(build_map(["A", "B"], [("A", "B", 1)]))
    >>> t["role"].tolist()
    ['driver', 'outcome']

    References
    ----------
    .. [1] Page, L., Brin, S., Motwani, R., Winograd, T. (1999). The PageRank
       citation ranking. Stanford InfoLab 1999-66.
    .. [2] Ozesmi, U., Ozesmi, S. L. (2004). Ecological models based on
       people's knowledge: a multi-step fuzzy cognitive mapping approach.
       Ecol. Model. 176:43-64. doi:10.1016/j.ecolmodel.2003.10.027
    """
    ids = [f.id for f in m.factors]
    a = _adjacency(m)
    w = _adjacency(m, weighted=True)
    in_deg = np.asarray(a.sum(axis=0)).ravel().astype(int)
    out_deg = np.asarray(a.sum(axis=1)).ravel().astype(int)
    g = to_digraph(m)
    pr = nx.pagerank(g, weight=None) if len(ids) else {}
    counts = loop_counts(loops) if loops is not None else {}
    up, down = reach_counts(m) if ids else (np.zeros(0), np.zeros(0))
    mm = micmac(m)
    role = [
        "isolated"
        if i == 0 and o == 0
        else "driver"
        if i == 0
        else "outcome"
        if o == 0
        else "intermediate"
        for i, o in zip(in_deg, out_deg, strict=True)
    ]
    table = pd.DataFrame(
        {
            "label": [f.label for f in m.factors],
            "in_degree": in_deg,
            "out_degree": out_deg,
            "in_strength": np.asarray(w.sum(axis=0)).ravel(),
            "out_strength": np.asarray(w.sum(axis=1)).ravel(),
            "betweenness": betweenness(m),
            "closeness": closeness(m),
            "pagerank": [pr.get(i, 0.0) for i in ids],
            "katz": katz(m),
            "loops": [counts.get(i, 0) for i in ids],
            "upstream": up.astype(int),
            "downstream": down.astype(int),
            "role": role,
            "micmac_influence": mm["influence"].to_numpy(),
            "micmac_dependence": mm["dependence"].to_numpy(),
            "micmac_quadrant": mm["quadrant"].to_numpy(),
        },
        index=pd.Index(ids, name="factor"),
    )
    return table


#: English wording of each leverage reason; pages translate by code (``reason_codes``).
REASON_TEXT = {
    "downstream": "influences {n} of {others} other factors downstream",
    "loops": "on {n} feedback loops",
    "most_loops": "on more loops than any other factor",
    "bridge": "bridges parts of the map (betweenness {betweenness:.2f})",
    "micmac": "MICMAC {quadrant} (influence {influence:.1f}x average, dependence {dependence:.1f}x)",
    "driver": "a driver: nothing in the map influences it",
}


def leverage_candidates(measures: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """Rank factors as leverage candidates, with the reasons in words.

    ``score`` = mean of the percentile ranks of ``downstream``, ``loops``,
    ``betweenness`` and ``micmac_influence`` (ties share the average rank):
    a factor scores high when it reaches much of the map, sits on many loops,
    bridges parts of the map and has strong indirect influence. Outcomes
    (no outgoing links) are excluded: acting on them changes nothing else.

    Parameters
    ----------
    measures : pandas.DataFrame
        The output of :func:`factor_measures`.
    top : int, default 10
        How many candidates to return.

    Returns
    -------
    pandas.DataFrame
        Columns ``factor``, ``label``, ``score`` (0-1), ``reasons`` (one string,
        reasons joined by ``"; "``) and ``reason_codes`` (the same reasons as
        ``(code, parameters)`` pairs, keys of :data:`REASON_TEXT`, for translation),
        best first.

    Notes
    -----
    A structural heuristic to start a discussion (after PRSM's and Kumu's
    MICMAC-based advice), not a finding: leverage also depends on what can be
    changed, by whom, and on link strengths and delays.

    References
    ----------
    .. [1] Meadows, D. (1999). Leverage points: places to intervene in a
       system. The Sustainability Institute.
    .. [2] Barbrook-Johnson, P., Penn, A. S. (2022). *Systems Mapping*.
       Palgrave Macmillan. doi:10.1007/978-3-031-01919-7
    """
    t = measures[measures["out_degree"] > 0]
    n = len(measures)
    if t.empty:
        return pd.DataFrame(columns=["factor", "label", "score", "reasons", "reason_codes"])
    cols = ["downstream", "loops", "betweenness", "micmac_influence"]
    score = t[cols].rank(pct=True).mean(axis=1)
    total_loops = int(measures["loops"].max()) if len(measures) else 0
    rows = []
    for fid in score.sort_values(ascending=False, kind="stable").index[:top]:
        r = t.loc[fid]
        codes: list[tuple[str, dict[str, Any]]] = [
            ("downstream", {"n": int(r["downstream"]), "others": n - 1})
        ]
        if r["loops"] > 0:
            codes.append(("loops", {"n": int(r["loops"])}))
        if total_loops and r["loops"] == total_loops:
            codes.append(("most_loops", {}))
        if r["betweenness"] >= t["betweenness"].quantile(0.9) and r["betweenness"] > 0:
            codes.append(("bridge", {"betweenness": round(float(r["betweenness"]), 2)}))
        if r["micmac_quadrant"] in ("influential", "relay"):
            codes.append(
                (
                    "micmac",
                    {
                        "quadrant": str(r["micmac_quadrant"]),
                        "influence": round(float(r["micmac_influence"]), 1),
                        "dependence": round(float(r["micmac_dependence"]), 1),
                    },
                )
            )
        if r["role"] == "driver":
            codes.append(("driver", {}))
        rows.append(
            {
                "factor": fid,
                "label": r["label"],
                "score": float(score[fid]),
                "reasons": "; ".join(REASON_TEXT[code].format(**params) for code, params in codes),
                "reason_codes": codes,
            }
        )
    return pd.DataFrame(rows)


def upstream(m: SystemMap, factor: str) -> frozenset[str]:
    """Ids of the factors from which ``factor`` (id or label) can be reached."""
    return frozenset(nx.ancestors(to_digraph(m), m.factor(factor).id))


def downstream(m: SystemMap, factor: str) -> frozenset[str]:
    """Ids of the factors that ``factor`` (id or label) can reach."""
    return frozenset(nx.descendants(to_digraph(m), m.factor(factor).id))


def submap(m: SystemMap, factor_ids: set[str] | frozenset[str]) -> SystemMap:
    """The map restricted to some factors and the links among them (named loops kept
    when all their links are)."""
    keep = [f for f in m.factors if f.id in factor_ids]
    links = tuple(lk for lk in m.links if lk.source in factor_ids and lk.target in factor_ids)
    kept_links = {lk.id for lk in links}
    loops = tuple(lp for lp in m.loops if kept_links.issuperset(lp.link_ids))
    layouts = {
        name: {k: v for k, v in pos.items() if k in factor_ids} for name, pos in m.layouts.items()
    }
    return SystemMap(tuple(keep), links, loops, layouts, m.name, m.description)


def ego_submap(m: SystemMap, factor: str, *, radius: int = 1, direction: str = "both") -> SystemMap:
    """The neighbourhood of a factor: factors within ``radius`` links.

    Parameters
    ----------
    m : SystemMap
    factor : str
        Id or label.
    radius : int, default 1
    direction : {"both", "out", "in"}
        Follow links in either direction, downstream only or upstream only.

    Returns
    -------
    SystemMap

    Raises
    ------
    MapDataError
        If the factor is unknown, ``radius`` < 0 or ``direction`` is invalid.
    """
    if radius < 0:
        raise MapDataError(f"radius must be >= 0, got {radius}")
    if direction not in ("both", "out", "in"):
        raise MapDataError(f"direction must be 'both', 'out' or 'in', got {direction!r}")
    g = to_digraph(m)
    if direction == "in":
        g = g.reverse(copy=False)
    fid = m.factor(factor).id
    nodes = set(nx.ego_graph(g, fid, radius=radius, undirected=direction == "both"))
    return submap(m, nodes)


def paths_between(
    m: SystemMap, source: str, target: str, *, cutoff: int = 6, max_paths: int = 1000
) -> tuple[tuple[str, ...], ...]:
    """Simple paths (factor ids) from one factor to another, shortest first.

    Parameters
    ----------
    m : SystemMap
    source, target : str
        Ids or labels.
    cutoff : int, default 6
        Longest path in links.
    max_paths : int, default 1000
        At most this many paths (the shortest ones found).

    Returns
    -------
    tuple of tuple of str

    Raises
    ------
    MapDataError
        If a factor is unknown or the limits are not positive.
    """
    if cutoff < 1 or max_paths < 1:
        raise MapDataError("cutoff and max_paths must be >= 1")
    g = to_digraph(m)
    s, t = m.factor(source).id, m.factor(target).id
    if s == t:
        return ()
    gen: Iterator[list[str]] = nx.shortest_simple_paths(g, s, t)
    out: list[tuple[str, ...]] = []
    try:
        for p in gen:
            if len(p) - 1 > cutoff or len(out) >= max_paths:
                break
            out.append(tuple(p))
    except nx.NetworkXNoPath:
        return ()
    return tuple(out)
