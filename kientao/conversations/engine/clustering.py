"""Pol.is clustering: 100 base clusters, then opinion groups over their centres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

__all__ = [
    "GroupClustering",
    "KSmoother",
    "base_silhouette",
    "cluster_base",
    "cluster_groups",
    "first_distinct_points",
    "kmeans",
    "max_group_count",
    "smooth_k",
]

#: in-conv participants above which base clusters use mini-batch k-means
MINIBATCH_ABOVE = 50_000
_CHUNK = 65_536


def first_distinct_points(points: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` distinct rows of ``points``, in order (Pol.is's k-means init).

    Parameters
    ----------
    points : numpy.ndarray
        (n, d) array.
    k : int

    Returns
    -------
    numpy.ndarray
        (min(k, n_distinct), d) array.

    Examples
    --------
    >>> first_distinct_points(np.array([[0.0], [0.0], [1.0], [2.0]]), 2).ravel().tolist()
    [0.0, 1.0]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/clusters.clj`` l.55–65.
    """
    if len(points) == 0:
        return points[:0].copy()
    # fast path: scan a prefix, growing it until enough distinct rows are found
    size = min(len(points), max(4 * k, 64))
    while True:
        _, idx = np.unique(points[:size], axis=0, return_index=True)
        if len(idx) >= k or size == len(points):
            return points[np.sort(idx)[:k]].copy()
        size = min(len(points), size * 4)


def _assign(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of every point and the squared distance to it."""
    if points.shape[1] <= 3 and len(points) > 4 * len(centres) and len(points) * len(centres) > 1 << 14:
        # a k-d tree over the centres is several times faster than the dense
        # distance matrix for 2-D projections (below ~16k pairs building it costs more)
        dist, labels = cKDTree(centres).query(points)
        return np.asarray(labels, dtype=np.int64), np.asarray(dist) ** 2
    if len(points) * len(centres) <= 1 << 16:
        # small: one broadcast, no chunking overhead
        d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        lab = d.argmin(axis=1)
        return lab, d.min(axis=1)
    labels = np.empty(len(points), dtype=np.int64)
    dist2 = np.empty(len(points))
    c2 = (centres**2).sum(axis=1)
    for start in range(0, len(points), _CHUNK):
        chunk = points[start : start + _CHUNK]
        d = (chunk**2).sum(axis=1)[:, None] - 2.0 * chunk @ centres.T + c2[None, :]
        lab = np.argmin(d, axis=1)
        labels[start : start + _CHUNK] = lab
        dist2[start : start + _CHUNK] = np.maximum(d[np.arange(len(chunk)), lab], 0.0)
    return labels, dist2


def kmeans(
    points: np.ndarray,
    init: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd k-means from given centres; empty clusters are dropped.

    Minimises ``Σ_i w_i ‖x_i − c_{l(i)}‖²``; stops when every centre moves less than
    ``tol`` or after ``max_iter`` rounds (Pol.is: 100 rounds, 0.01).

    Parameters
    ----------
    points : numpy.ndarray
        (n, d).
    init : numpy.ndarray
        (k, d) starting centres.
    weights : numpy.ndarray, optional
        (n,) non-negative weights; default 1.
    max_iter : int
    tol : float

    Returns
    -------
    (centres, labels)
        ``centres`` (k', d) with k' ≤ k (empty clusters dropped), ``labels`` (n,) in
        0..k'−1.

    Examples
    --------
    >>> c, lab = kmeans(np.array([[0.0], [0.1], [5.0]]), np.array([[0.0], [5.0]]))
    >>> lab.tolist()
    [0, 0, 1]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/clusters.clj`` l.68–76, l.301–312.
    """
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    centres = np.array(init, dtype=np.float64, copy=True)
    labels = np.zeros(len(points), dtype=np.int64)
    if len(points) == 0 or len(centres) == 0:
        return centres[:0], labels
    d = points.shape[1]
    previous_labels: np.ndarray | None = None
    settled = False
    for _ in range(max_iter):
        labels, _ = _assign(points, centres)
        if previous_labels is not None and np.array_equal(labels, previous_labels):
            settled = True  # same memberships: the centres are already their means
            break
        k = len(centres)
        wsum = np.bincount(labels, weights=w, minlength=k)
        new = np.empty_like(centres)
        for j in range(d):
            new[:, j] = np.bincount(labels, weights=w * points[:, j], minlength=k)
        alive = wsum > 0
        new = new[alive] / wsum[alive, None]
        if not alive.all():
            centres = new
            previous_labels = None
            continue
        moved = np.sqrt(((new - centres) ** 2).sum(axis=1)).max()
        centres = new
        previous_labels = labels
        if moved < tol:
            break
    if not settled:
        labels, _ = _assign(points, centres)
    used = np.unique(labels)
    remap = np.full(len(centres), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return centres[used], remap[labels]


def _warm_start(points: np.ndarray, previous: np.ndarray, k: int) -> np.ndarray:
    """Previous centres, empty ones dropped, topped up with the most distant points."""
    centres = previous
    if len(centres):
        # drop duplicate and empty centres, keeping the previous order (cluster identity)
        _, first = np.unique(centres, axis=0, return_index=True)
        centres = centres[np.sort(first)]
        labels, _ = _assign(points, centres)
        centres = centres[np.unique(labels)]
    if len(centres) >= k:
        return centres[:k]
    n_distinct = len(np.unique(points, axis=0)) if len(points) < 200_000 else len(points)
    target = min(k, n_distinct)
    if len(centres) == 0:
        return first_distinct_points(points, target)
    extra: list[np.ndarray] = []
    _, dist2 = _assign(points, centres)
    order = np.argsort(-dist2, kind="stable")
    taken = {tuple(c) for c in centres}
    for i in order:
        if len(centres) + len(extra) >= target:
            break
        key = tuple(points[i])
        if key in taken or dist2[i] <= 0:
            continue
        taken.add(key)
        extra.append(points[i])
    return np.vstack([centres, *extra]) if extra else centres


def cluster_base(
    points: np.ndarray,
    *,
    k: int = 100,
    previous: np.ndarray | None = None,
    seed: int = 0,
    minibatch_above: int = MINIBATCH_ABOVE,
) -> tuple[np.ndarray, np.ndarray]:
    """Base clusters: Pol.is k-means with k = 100 (fewer when fewer distinct points).

    Parameters
    ----------
    points : numpy.ndarray
        (n, 2) projections of in-conv participants, in participant order.
    k : int
    previous : numpy.ndarray, optional
        Centres of the previous update (warm start, as Pol.is ``clean-start-clusters``).
    seed : int
        Seed of the mini-batch path.
    minibatch_above : int
        Above this many points, Lloyd runs on a seeded sample of this size (a single
        large mini-batch, in the spirit of [2]_), then two Lloyd rounds on all points.

    Returns
    -------
    (centres, labels)
        ``centres`` (k', 2), ``labels`` (n,) in 0..k'−1.

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [0.0, 0.1], [5.0, 5.0]])
    >>> centres, labels = cluster_base(pts, k=2)
    >>> labels.tolist()
    [0, 0, 1]

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/clusters.clj`` l.55–76, l.230–312.
    .. [2] Sculley (2010), "Web-scale k-means clustering", WWW '10,
       https://doi.org/10.1145/1772690.1772862
    """
    if len(points) == 0:
        return np.zeros((0, points.shape[1] if points.ndim == 2 else 2)), np.zeros(
            0, dtype=np.int64
        )
    init = (
        _warm_start(points, previous, k)
        if previous is not None and len(previous)
        else first_distinct_points(points, k)
    )
    if len(points) > minibatch_above and len(init) > 1:
        # mini-batch: Lloyd on a seeded sample, then two full Lloyd rounds on everyone
        rng = np.random.default_rng(seed)
        sample = points[np.sort(rng.choice(len(points), size=minibatch_above, replace=False))]
        centres, _ = kmeans(sample, init)
        return kmeans(points, centres, max_iter=2)
    return kmeans(points, init)


def max_group_count(n_base: int, *, limit: int = 5) -> int:
    """Largest k tried for groups: ``min(limit, 2 + floor(n_base / 12))``.

    Examples
    --------
    >>> max_group_count(100), max_group_count(23), max_group_count(11)
    (5, 3, 2)
    """
    return min(limit, 2 + n_base // 12)


def base_silhouette(
    centres: np.ndarray, weights: np.ndarray, labels: np.ndarray
) -> float:
    """Silhouette of a grouping of base clusters, weighted by members.

    For base cluster ``i`` in group ``g``: ``a_i`` = member-weighted mean distance to the
    other base centres of ``g``, ``b_i`` = smallest member-weighted mean distance to the
    base centres of another group, ``s_i = (b_i − a_i)/max(a_i, b_i)``; ``s_i = 0`` when
    ``i`` is alone in its group. Score = ``Σ w_i s_i / Σ w_i``.

    Parameters
    ----------
    centres : numpy.ndarray
        (n_base, d).
    weights : numpy.ndarray
        (n_base,) members per base cluster.
    labels : numpy.ndarray
        (n_base,) group of each base cluster.

    Returns
    -------
    float
        In [−1, 1]; 0 for fewer than 2 groups.

    Examples
    --------
    >>> c = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> round(base_silhouette(c, np.ones(4), np.array([0, 0, 1, 1])), 3)
    0.98

    References
    ----------
    .. [1] Rousseeuw (1987), https://doi.org/10.1016/0377-0427(87)90125-7
    .. [2] Pol.is ``math/src/polismath/math/clusters.clj`` l.339–375.
    """
    groups = np.unique(labels)
    if len(groups) < 2:
        return 0.0
    w = np.asarray(weights, dtype=np.float64)
    dist = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    onehot = (labels[:, None] == groups[None, :]).astype(np.float64)  # (n, G)
    wsum_g = (onehot * w[:, None]).sum(axis=0)  # (G,)
    dsum = dist @ (onehot * w[:, None])  # (n, G): Σ_j in g w_j d_ij (d_ii = 0)
    own = np.searchsorted(groups, labels)
    own_w = wsum_g[own] - w
    a = np.divide(dsum[np.arange(len(labels)), own], own_w, out=np.zeros(len(w)),
                  where=own_w > 0)
    mean_other = dsum / np.where(wsum_g > 0, wsum_g, 1.0)[None, :]
    mean_other[np.arange(len(labels)), own] = np.inf
    b = mean_other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(len(w)), where=denom > 0)
    s = np.where(own_w > 0, s, 0.0)
    return float((w * s).sum() / w.sum()) if w.sum() > 0 else 0.0


def _inertia(points: np.ndarray, weights: np.ndarray, centres: np.ndarray,
             labels: np.ndarray) -> float:
    return float((weights * ((points - centres[labels]) ** 2).sum(axis=1)).sum())


def _kmeans_pp(points: np.ndarray, weights: np.ndarray, k: int,
               rng: np.random.Generator) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    first = int(rng.choice(len(points), p=w / w.sum()))
    chosen = [first]
    d2 = ((points - points[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        p = w * d2
        if p.sum() <= 0:
            break
        nxt = int(rng.choice(len(points), p=p / p.sum()))
        chosen.append(nxt)
        d2 = np.minimum(d2, ((points - points[nxt]) ** 2).sum(axis=1))
    return points[chosen].copy()


def _kmeans_pp_batch(points: np.ndarray, weights: np.ndarray, k: int, restarts: int,
                     rng: np.random.Generator) -> np.ndarray:
    """``restarts`` k-means++ seedings at once: (restarts, k, d) starting centres.

    Each next centre is drawn with probability ∝ weight × squared distance to the
    nearest centre chosen so far [2]_ (inverse-CDF draws, one uniform per restart).
    A seeding that runs out of distinct points repeats its last centre; the Lloyd
    run then empties a cluster and that restart is discarded.
    """
    n = len(points)
    w = np.asarray(weights, dtype=np.float64)
    rows = np.arange(restarts)

    def draw(p: np.ndarray) -> np.ndarray:
        cum = np.cumsum(p, axis=1)
        u = rng.random(restarts) * cum[:, -1]
        return np.minimum((cum < u[:, None]).sum(axis=1), n - 1)

    chosen = np.empty((restarts, k), dtype=np.int64)
    chosen[:, 0] = draw(np.broadcast_to(w, (restarts, n)))
    d2 = ((points[None, :, :] - points[chosen[:, 0]][:, None, :]) ** 2).sum(axis=2)
    for j in range(1, k):
        p = w[None, :] * d2
        dead = p.sum(axis=1) <= 0
        p[dead] = w  # no distinct point left: any draw; the restart is discarded later
        chosen[:, j] = np.where(dead, chosen[:, j - 1], draw(p))
        d2 = np.minimum(d2, ((points[None, :, :] - points[chosen[rows, j]][:, None, :]) ** 2).sum(axis=2))
    return points[chosen]


def _kmeans_batch(points: np.ndarray, weights: np.ndarray, init: np.ndarray, *, max_iter: int = 100,
                  tol: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted Lloyd k-means from many starts at once (small inputs: ≤ a few hundred points).

    The same iteration as :func:`kmeans` for each start, run side by side on
    (starts, points, k) distance arrays. A start whose cluster empties is marked
    invalid (``kmeans`` would drop the cluster and return fewer than k centres).

    Returns
    -------
    (centres, labels, valid)
        (starts, k, d), (starts, n) and (starts,) bool.
    """
    centres = np.array(init, dtype=np.float64, copy=True)
    r, k, _d = centres.shape
    w = np.asarray(weights, dtype=np.float64)
    valid = np.ones(r, dtype=bool)
    active = np.ones(r, dtype=bool)
    previous = np.full((r, len(points)), -1, dtype=np.int64)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        c = centres[idx]
        # ‖x‖² − 2x·c + ‖c‖² (‖x‖² is the same for every centre: left out of the argmin)
        labels = ((c**2).sum(axis=2)[:, :, None] - 2.0 * (c @ points.T)).argmin(axis=1)
        same = (labels == previous[idx]).all(axis=1)
        # weighted sums per (start, cluster): one bincount over start-offset labels
        flat = (labels + k * np.arange(len(idx))[:, None]).ravel()
        wsum = np.bincount(flat, weights=np.tile(w, len(idx)), minlength=len(idx) * k).reshape(-1, k)
        sums = np.stack([np.bincount(flat, weights=np.tile(w * points[:, j], len(idx)),
                                     minlength=len(idx) * k).reshape(-1, k) for j in range(_d)], axis=2)
        empty = (wsum <= 0).any(axis=1)
        new = sums / np.where(wsum > 0, wsum, 1.0)[:, :, None]
        moved = np.sqrt(((new - c) ** 2).sum(axis=2)).max(axis=1)
        update = ~same & ~empty
        centres[idx[update]] = new[update]
        previous[idx] = labels
        valid[idx[empty]] = False
        active[idx[same | empty | (moved < tol)]] = False
    dist = ((points[None, :, None, :] - centres[:, None, :, :]) ** 2).sum(axis=3)
    return centres, dist.argmin(axis=2), valid


@dataclass(frozen=True)
class GroupClustering:
    """Groups over base clusters for one k.

    Attributes
    ----------
    k : int
        Number of groups (after empty ones are dropped).
    centres : numpy.ndarray
        (k, 2) group centres.
    base_labels : numpy.ndarray
        (n_base,) group of each base cluster.
    silhouette : float
        :func:`base_silhouette` of this grouping.
    """

    k: int
    centres: np.ndarray
    base_labels: np.ndarray
    silhouette: float


def cluster_groups(
    base_centres: np.ndarray,
    base_weights: np.ndarray,
    *,
    max_k: int = 5,
    previous: dict[int, np.ndarray] | None = None,
    weighted_silhouette: bool = False,
    n_restarts: int = 32,
    seed: int = 0,
) -> dict[int, GroupClustering]:
    """Weighted k-means of base-cluster centres for every k in 2..max_group_count.

    Parameters
    ----------
    base_centres : numpy.ndarray
        (n_base, 2).
    base_weights : numpy.ndarray
        (n_base,) members per base cluster.
    max_k : int
        Upper limit (Pol.is 5); the range is ``2..min(max_k, 2 + n_base // 12)``.
    previous : dict, optional
        Group centres of the previous update by k (warm start).
    weighted_silhouette : bool
        Weight the silhouette by base-cluster members; Pol.is does not (each base
        cluster counts once, ``clusters.clj`` ``silhouette``).
    n_restarts : int
        Extra k-means++ starts [2]_ tried besides Pol.is's start (warm, else first k
        distinct centres); the run with the smallest weighted inertia wins. Pol.is's
        single start often lands in a poor local optimum (for example, splitting one
        group and merging two); 0 reproduces Pol.is. With 8 restarts the groups of some
        real conversations still changed with the seed (mean ARI against Pol.is 0.48-0.56
        over seeds 0-4); with 32 they do not (0.518-0.524). The points are at most 100
        base-cluster centres, so restarts cost microseconds.
    seed : int
        Seed of the restarts.

    Returns
    -------
    dict of int to GroupClustering
        Keyed by the k asked for; empty when fewer than 2 base clusters.

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.271–276, l.420–470.
    .. [2] Arthur, Vassilvitskii (2007), "k-means++: the advantages of careful seeding",
       SODA '07, https://dl.acm.org/doi/10.5555/1283383.1283494
    """
    out: dict[int, GroupClustering] = {}
    rng = np.random.default_rng(seed)
    n_base = len(base_centres)
    if n_base < 2:
        return out
    top = min(max_group_count(n_base, limit=max_k), n_base)
    for k in range(2, top + 1):
        prev = None if previous is None else previous.get(k)
        init = (
            prev
            if prev is not None and len(prev) == k
            else first_distinct_points(base_centres, k)
        )
        centres, labels = kmeans(base_centres, init, weights=base_weights)
        best = _inertia(base_centres, base_weights, centres, labels)
        if n_restarts > 0 and n_base > k:
            starts = _kmeans_pp_batch(base_centres, base_weights, k, n_restarts, rng)
            c_all, l_all, valid = _kmeans_batch(base_centres, base_weights, starts)
            for c2, l2, ok in zip(c_all, l_all, valid, strict=True):
                if not ok or len(np.unique(l2)) < k:
                    continue
                score = _inertia(base_centres, base_weights, c2, l2)
                if score < best - 1e-9 * max(best, 1.0):
                    centres, labels, best = c2, l2, score
        if prev is not None and len(prev) == len(centres):
            # keep group identities across updates: match new centres to previous ones
            rows, cols = linear_sum_assignment(
                ((prev[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            )
            order = cols[np.argsort(rows)]
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            centres, labels = centres[order], inverse[labels]
        out[k] = GroupClustering(
            k=len(centres),
            centres=centres,
            base_labels=labels,
            silhouette=base_silhouette(
                base_centres,
                base_weights if weighted_silhouette else np.ones(n_base),
                labels,
            ),
        )
    return out


@dataclass(frozen=True)
class KSmoother:
    """State of Pol.is's k smoother.

    Attributes
    ----------
    k : int
        Published number of groups (0 before the first update).
    candidate : int
        Challenger k.
    streak : int
        Consecutive updates the challenger has won.
    """

    k: int = 0
    candidate: int = 0
    streak: int = 0


def smooth_k(state: KSmoother, best_k: int, *, buffer: int = 4) -> KSmoother:
    """Publish a new k only after it wins ``buffer`` consecutive updates.

    Parameters
    ----------
    state : KSmoother
    best_k : int
        Argmax of the silhouette in this update.
    buffer : int
        Pol.is ``group-k-buffer`` = 4.

    Returns
    -------
    KSmoother

    Examples
    --------
    >>> s = smooth_k(KSmoother(), 3)
    >>> s = smooth_k(smooth_k(smooth_k(s, 2), 2), 2)
    >>> s.k
    3
    >>> smooth_k(s, 2).k
    2

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.451–468.
    """
    if state.k == 0:
        return KSmoother(k=best_k, candidate=best_k, streak=0)
    if best_k == state.k:
        return KSmoother(k=state.k, candidate=best_k, streak=0)
    streak = state.streak + 1 if best_k == state.candidate else 1
    if streak >= buffer:
        return KSmoother(k=best_k, candidate=best_k, streak=0)
    return KSmoother(k=state.k, candidate=best_k, streak=streak)
