"""Weights: equal, PCA-based, and optimised towards target correlations."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.decomposition import PCA

from kientao.indices.engine.aggregate import aggregate
from kientao.indices.engine.errors import MethodError
from kientao.indices.engine.framework import Framework

__all__ = ["equal_weights", "optimise_weights", "pca_weights"]


def equal_weights(framework: Framework) -> dict[str, float]:
    """Weight 1 for every indicator and aggregate."""
    return dict.fromkeys(framework.nodes, 1.0)


def pca_weights(data: pd.DataFrame, framework: Framework, *, level: int = 1) -> dict[str, float]:
    """Weights of the elements of ``level`` from the first principal component of each group.

    Within each parent, the data are standardised and ``w_i = a_i^2`` where ``a`` are the
    PC1 loadings (unit vector), so weights sum to 1 in each group (OECD/JRC 2008
    Handbook, sec. 6.1; COINr ``get_PCA(by_groups = TRUE)``). Units with missing values
    are dropped.

    Raises
    ------
    MethodError
        If a group has fewer complete units than children.
    """
    out = dict(framework.weights)
    for parent in framework.codes_at(level + 1):
        kids = list(framework.children(parent))
        if len(kids) < 2:
            continue
        x = data[kids].dropna()
        if len(x) <= len(kids):
            raise MethodError(f"pca_weights: '{parent}' has {len(x)} complete units for {len(kids)} children")
        sd = x.std(ddof=1)
        if (sd == 0).any():
            raise MethodError(f"pca_weights: constant child in '{parent}'")
        z = ((x - x.mean()) / sd).to_numpy()
        load = PCA(n_components=1).fit(z).components_[0]
        for c, a in zip(kids, load, strict=True):
            out[c] = float(a**2)
    return out


def optimise_weights(
    data: pd.DataFrame,
    framework: Framework,
    *,
    level: int = 1,
    targets: Mapping[str, float] | None = None,
    aggregate_params: Mapping[str, object] | None = None,
) -> dict[str, float]:
    """Weights of ``level`` such that each element's correlation with its parent matches
    a target importance (COINr ``get_opt_weights(optype = "balance")``).

    Minimises ``sum_i (r_i/sum r - t_i/sum t)^2`` over the weights of each group
    (``t`` defaults to equal importance) with Nelder-Mead on log-weights.

    References
    ----------
    1. Becker, Paruolo, Saisana & Saltelli (2017), doi:10.1016/j.ecolind.2017.03.056
    """
    params = dict(aggregate_params or {})
    out = dict(framework.weights)
    for parent in framework.codes_at(level + 1):
        kids = list(framework.children(parent))
        if len(kids) < 2:
            continue
        t = np.array([float((targets or {}).get(c, 1.0)) for c in kids])
        t = t / t.sum()

        def loss(logw: np.ndarray, kids: list[str] = kids, t: np.ndarray = t, parent: str = parent) -> float:
            w = dict(out)
            w.update({c: float(v) for c, v in zip(kids, np.exp(logw), strict=True)})
            y = aggregate(data, framework.with_weights(w), **params)  # type: ignore[arg-type]
            r = np.array([y[[c, parent]].corr().iloc[0, 1] for c in kids])
            if np.isnan(r).any():
                return 1e6
            r = r / r.sum()
            return float(np.sum((r - t) ** 2))

        res = minimize(loss, np.zeros(len(kids)), method="Nelder-Mead", options={"maxiter": 400, "xatol": 1e-4})
        w = np.exp(res.x)
        for c, v in zip(kids, w / w.sum(), strict=True):
            out[c] = float(v)
    return out
