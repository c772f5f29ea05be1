"""Dependent rounding of a fractional bipartite assignment.

Turns a fractional judge–submission assignment into an integral one whose
marginals equal the fractional values, keeping every submission's (integral)
number of judges and every judge's load within the floor and ceiling of its
fractional load.
"""

from __future__ import annotations

import numpy as np

# Values this close to 0 or 1 count as integral (LP solutions carry ~1e-9 noise).
_EPS = 1e-9


def round_dependently(
    submission: np.ndarray,
    judge: np.ndarray,
    value: np.ndarray,
    *,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Round a fractional bipartite assignment, preserving marginals and degrees.

    Repeatedly picks a cycle, or a maximal path, of fractional edges, splits it
    into alternate edges ``M1`` and ``M2`` and moves it by ``+a`` on ``M1`` /
    ``-a`` on ``M2`` with probability ``b / (a + b)``, else by ``-b`` / ``+b``,
    where ``a`` and ``b`` are the largest steps that keep every edge in [0, 1].
    Each step makes at least one edge integral and keeps
    ``E[x_e]`` unchanged, so ``P(edge e chosen) = value[e]``.

    Parameters
    ----------
    submission, judge : ndarray of int, shape (m,)
        End points of each edge (submission index, judge index).
    value : ndarray of float, shape (m,)
        Fractional value of each edge, in [0, 1].
    seed : int, Generator or None
        Seed of the random choices; the same seed gives the same rounding.

    Returns
    -------
    ndarray of bool, shape (m,)
        Which edges are chosen.

    Raises
    ------
    ValueError
        If the arrays differ in length or a value lies outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([0, 0, 1, 1]); j = np.array([0, 1, 0, 1])
    >>> chosen = round_dependently(s, j, np.full(4, 0.5), seed=1)
    >>> int(chosen.sum())
    2

    Notes
    -----
    A node whose fractional degree is an integer never ends a maximal path of
    fractional edges, so submissions keep exactly their integral number of
    judges; judge loads end at the floor or ceiling of their fractional load.
    When ``value`` is an optimal LP solution whose constraints have integral
    bounds, both directions of each step are feasible, so the objective is
    unchanged: the result is an optimal integral solution.

    References
    ----------
    .. [1] Gandhi, Khuller, Parthasarathy & Srinivasan, "Dependent rounding and
       its applications to approximation algorithms", J. ACM 53(3):324–360
       (2006). https://doi.org/10.1145/1147954.1147956
    .. [2] Jecmen, Zhang, Liu, Shah, Conitzer & Fang, "Mitigating manipulation
       in peer review via randomized reviewer assignments", NeurIPS 2020.
       https://arxiv.org/abs/2006.16437
    """
    submission = np.asarray(submission, dtype=np.int64)
    judge = np.asarray(judge, dtype=np.int64)
    x = np.asarray(value, dtype=float).copy()
    if not (submission.shape == judge.shape == x.shape) or x.ndim != 1:
        raise ValueError("submission, judge and value must be 1-D arrays of the same length")
    if x.size and (x.min() < -_EPS or x.max() > 1 + _EPS):
        raise ValueError("every value must lie in [0, 1]")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x[x < _EPS] = 0.0
    x[x > 1 - _EPS] = 1.0

    # Nodes: submissions 0..P-1, judges P..P+R-1.
    n_sub = int(submission.max()) + 1 if submission.size else 0
    node_a = submission
    node_b = judge + n_sub
    adjacency: dict[int, dict[int, int]] = {}
    for e in np.flatnonzero((x > 0) & (x < 1)).tolist():
        a, b = int(node_a[e]), int(node_b[e])
        adjacency.setdefault(a, {})[b] = e
        adjacency.setdefault(b, {})[a] = e

    # Nodes with exactly one fractional edge: maximal paths start there.
    leaves = {u for u, nbrs in adjacency.items() if len(nbrs) == 1}

    def drop(e: int) -> None:
        a, b = int(node_a[e]), int(node_b[e])
        for u, v in ((a, b), (b, a)):
            nbrs = adjacency[u]
            del nbrs[v]
            if len(nbrs) == 1:
                leaves.add(u)
            else:
                leaves.discard(u)
                if not nbrs:
                    del adjacency[u]

    while adjacency:
        # Integer-keyed dicts and sets iterate in a reproducible order, so the
        # rounding depends on the seed only.
        start = next(iter(leaves)) if leaves else next(iter(adjacency))
        path_nodes = [start]
        position = {start: 0}
        edges: list[int] = []
        while True:
            u = path_nodes[-1]
            previous_edge = edges[-1] if edges else -1
            step = next(((v, e) for v, e in adjacency[u].items() if e != previous_edge), None)
            if step is None:
                break  # maximal path
            v, e = step
            edges.append(e)
            if v in position:
                edges = edges[position[v] :]  # the cycle closing at v
                break
            position[v] = len(path_nodes)
            path_nodes.append(v)
        m1 = np.array(edges[0::2], dtype=np.int64)
        m2 = np.array(edges[1::2], dtype=np.int64)
        up = min(float((1 - x[m1]).min(initial=1.0)), float(x[m2].min(initial=1.0)))
        down = min(float(x[m1].min(initial=1.0)), float((1 - x[m2]).min(initial=1.0)))
        if rng.random() < down / (up + down):
            x[m1] += up
            x[m2] -= up
        else:
            x[m1] -= down
            x[m2] += down
        for e in edges:
            if x[e] < _EPS or x[e] > 1 - _EPS:
                x[e] = 0.0 if x[e] < 0.5 else 1.0
                drop(e)
    return x > 0.5
