"""Pol.is's second level: subgroups inside each opinion group, and participant statistics.

Subgroups repeat the group step inside each group: weighted k-means over the base
clusters that belong to the group, for k = 2 … min(max_k, 2 + n / 12) with n the
group's base clusters, k chosen by silhouette over those base clusters [1]_. Their
representativeness compares each subgroup with the rest of its group (Pol.is computes
``conv-repness`` over the subgroup clustering of one group, so "the others" are the
group's other subgroups) [1]_.

Participant statistics [2]_ place each clustered participant relative to the centre
of everyone clustered (c), their group's centre (g) and the direction from c to g,
``u = (g − c)/‖g − c‖``:

* centricness ``1 − ‖x − c‖``: near the middle of the whole conversation;
* coreness ``1 − ‖x − g‖``: near the middle of their own group;
* extremeness ``(x − g)·u``: further out than their group's centre, away from the rest.

As in Pol.is, the subgroup k of each group is smoothed across updates (a new k only
after it has won 4 updates in a row). Differences: subgroup clustering uses the same
restarts as the group step and is not warm-started from the previous update's
subgroup centres.

References
----------
.. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.477–570 (subgroup
   clusterings, silhouettes, k smoother) and l.674–680 (``subgroup-repness``).
.. [2] Pol.is ``math/src/polismath/math/repness.clj`` l.362–410
   (``closeness``, ``extremeness``, ``participant-stats``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kientao.conversations.engine.clustering import KSmoother, cluster_groups, smooth_k


def subgroup_labels(
    base_centres: np.ndarray,
    base_weights: np.ndarray,
    base_groups: np.ndarray,
    n_groups: int,
    *,
    max_k: int = 5,
    weighted_silhouette: bool = True,
    n_restarts: int = 32,
    seed: int = 0,
    smoothers: dict[int, KSmoother] | None = None,
    k_buffer: int = 4,
) -> tuple[np.ndarray, dict[int, KSmoother]]:
    """Subgroup of every base cluster within its group (−1 where a group has too few).

    Parameters
    ----------
    base_centres : numpy.ndarray
        (n_base, 2) base-cluster centres.
    base_weights : numpy.ndarray
        (n_base,) members per base cluster.
    base_groups : numpy.ndarray
        (n_base,) group of each base cluster (0 … n_groups − 1).
    n_groups : int
    max_k, weighted_silhouette, n_restarts, seed
        As for :func:`~kientao.conversations.engine.clustering.cluster_groups`.
    smoothers : dict of int to KSmoother, optional
        Each group's subgroup k-smoothing state from the previous update (Pol.is's
        ``subgroup-k-smoother``): a new subgroup k is used only after it has won
        ``k_buffer`` updates in a row.
    k_buffer : int

    Returns
    -------
    (numpy.ndarray, dict of int to KSmoother)
        (n_base,) subgroup index within the base cluster's group, −1 for the base
        clusters of a group with fewer than three base clusters (nothing to split);
        and the smoothing state to hand to the next update.

    Examples
    --------
    >>> centres = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0], [5.1, 0.0], [9.0, 9.0], [9.1, 9.0]])
    >>> labels, _ = subgroup_labels(centres, np.ones(6), np.array([0, 0, 0, 0, 1, 1]), 2)
    >>> labels.tolist()
    [0, 0, 1, 1, -1, -1]
    """
    out = np.full(len(base_centres), -1, dtype=np.int64)
    previous = smoothers or {}
    state: dict[int, KSmoother] = {}
    for g in range(n_groups):
        members = np.flatnonzero(base_groups == g)
        if len(members) < 3:
            continue
        options = cluster_groups(
            base_centres[members], base_weights[members], max_k=max_k,
            weighted_silhouette=weighted_silhouette, n_restarts=n_restarts, seed=seed + 1 + g,
        )
        if not options:
            continue
        best = max(options, key=lambda k: (options[k].silhouette, -k))
        state[g] = smooth_k(previous.get(g, KSmoother()), best, buffer=k_buffer)
        k = state[g].k if state[g].k in options else best
        out[members] = options[k].base_labels
    return out, state


def participant_stats(xy: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Centricness, coreness and extremeness of every participant (NaN when not clustered).

    Parameters
    ----------
    xy : numpy.ndarray
        (n, 2) projections.
    groups : numpy.ndarray
        (n,) group, −1 when not clustered.

    Returns
    -------
    pandas.DataFrame
        Columns ``centricness``, ``coreness``, ``extremeness`` (n rows).

    Examples
    --------
    >>> xy = np.array([[-1.0, 0.0], [-3.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    >>> participant_stats(xy, np.array([0, 0, 1, 1])).round(2).values.tolist()
    [[0.0, 0.0, -1.0], [-2.0, 0.0, 1.0], [0.0, 0.0, -1.0], [-2.0, 0.0, 1.0]]
    """
    n = len(xy)
    groups = np.asarray(groups)
    out = np.full((n, 3), np.nan)
    clustered = groups >= 0
    if clustered.any():
        centre = xy[clustered].mean(axis=0)
        for g in np.unique(groups[clustered]):
            rows = np.flatnonzero(groups == g)
            g_centre = xy[rows].mean(axis=0)
            direction = g_centre - centre
            length = float(np.linalg.norm(direction))
            unit = direction / length if length > 0 else np.zeros_like(direction)
            out[rows, 0] = 1.0 - np.linalg.norm(xy[rows] - centre, axis=1)
            out[rows, 1] = 1.0 - np.linalg.norm(xy[rows] - g_centre, axis=1)
            out[rows, 2] = (xy[rows] - g_centre) @ unit
    return pd.DataFrame(out, columns=["centricness", "coreness", "extremeness"])
