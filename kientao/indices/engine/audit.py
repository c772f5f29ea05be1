"""Statistical audit of a built index (JRC/COINr coherence checks).

Unlike COINr's ``get_corr``, non-significant correlations are reported with their
p-value instead of being turned into NA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps
from sklearn.decomposition import PCA

from kientao.indices.engine.aggregate import aggregate
from kientao.indices.engine.errors import IndexDataError
from kientao.indices.engine.framework import Framework
from kientao.indices.engine.pipeline import IndexBuild
from kientao.indices.engine.results import ranks_descending

__all__ = [
    "AuditReport",
    "audit",
    "correlations",
    "cronbach_alpha",
    "pca_by_aggregate",
    "remove_elements",
]


@dataclass(frozen=True)
class AuditReport:
    """Tables of an audit (all DataFrames, documented in :func:`audit`)."""

    correlations: pd.DataFrame
    cronbach: pd.DataFrame
    pca: pd.DataFrame
    flags: pd.DataFrame
    removal: pd.DataFrame
    stats: pd.DataFrame


def correlations(x: pd.DataFrame, y: pd.DataFrame | None = None, *, method: str = "pearson") -> pd.DataFrame:
    """All pairwise correlations with p-values (pairwise complete observations).

    Returns
    -------
    DataFrame
        Columns Var1, Var2, Correlation, PValue, N. Pairs with fewer than 3
        observations or a constant variable have NaN correlation.
    """
    if method not in ("pearson", "spearman"):
        raise IndexDataError(f"correlations: unknown method '{method}'")
    y = x if y is None else y
    rows = []
    fn: Any = sps.pearsonr if method == "pearson" else sps.spearmanr
    for a in y.columns:
        for b in x.columns:
            if y is x and a == b:
                continue
            va, vb = y[a].to_numpy(float), x[b].to_numpy(float)
            ok = ~np.isnan(va) & ~np.isnan(vb)
            r = p = np.nan
            if ok.sum() >= 3 and np.ptp(va[ok]) > 0 and np.ptp(vb[ok]) > 0:
                res = fn(va[ok], vb[ok])
                r, p = float(res[0]), float(res[1])
            rows.append({"Var1": a, "Var2": b, "Correlation": r, "PValue": p, "N": int(ok.sum())})
    return pd.DataFrame(rows)


def cronbach_alpha(x: pd.DataFrame) -> float:
    """Cronbach's alpha ``k^2 mean(off-diag cov) / sum(cov)`` (pairwise covariances, as COINr).

    References
    ----------
    1. Cronbach (1951), doi:10.1007/BF02310555
    """
    k = x.shape[1]
    if k < 2:
        return float("nan")
    cov = x.cov().to_numpy()
    total = np.nansum(cov)
    off = (total - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k**2 * off / total)


def pca_by_aggregate(data: pd.DataFrame, framework: Framework, level: int) -> pd.DataFrame:
    """PCA of the children of every aggregate at ``level`` (units with missing values dropped).

    Returns
    -------
    DataFrame
        Columns iCode, NChildren, NUnits, VarExplainedPC1, VarExplainedPC2, NComponentsEig1
        (components with eigenvalue > 1 of the correlation matrix), Loadings (PC1, "code:value;...").
    """
    rows = []
    for code in framework.codes_at(level):
        kids = list(framework.children(code))
        x = data[kids].dropna()
        if len(kids) < 2 or len(x) <= len(kids):
            rows.append({"iCode": code, "NChildren": len(kids), "NUnits": len(x)})
            continue
        z = (x - x.mean()) / x.std(ddof=1).replace(0, np.nan)
        z = z.dropna(axis=1)
        pca = PCA().fit(z.to_numpy())
        ev = pca.explained_variance_ratio_
        load = pca.components_[0] * np.sign(pca.components_[0].sum() or 1.0)
        rows.append(
            {
                "iCode": code, "NChildren": len(kids), "NUnits": len(x),
                "VarExplainedPC1": float(ev[0]),
                "VarExplainedPC2": float(ev[1]) if ev.size > 1 else np.nan,
                "NComponentsEig1": int((pca.explained_variance_ > 1).sum()),
                "Loadings": ";".join(f"{c}:{v:.4f}" for c, v in zip(z.columns, load, strict=True)),
            }
        )
    return pd.DataFrame(rows)


def remove_elements(
    build_result: IndexBuild,
    level: int,
    *,
    code: str | None = None,
    method: str = "amean",
) -> pd.DataFrame:
    """Mean absolute rank change of ``code`` (default the index) when each element of
    ``level`` is removed (its weight set to 0) and the index re-aggregated (COINr ``remove_elements``).

    Returns
    -------
    DataFrame
        Columns Removed ("Nominal" first), MeanAbsRankDiff.
    """
    fw = build_result.framework
    code = code or fw.top
    norm = build_result.datasets["Normalised"]
    agg_step = [s for s in build_result.steps if s.name == "aggregate"]
    params = dict(agg_step[0].params) if agg_step else {"method": method}
    params.pop("weights", None)
    nominal = build_result.datasets["Aggregated"][code].to_numpy(float)
    r0 = ranks_descending(nominal)
    rows = [{"Removed": "Nominal", "MeanAbsRankDiff": 0.0}]
    for elem in fw.codes_at(level):
        y = aggregate(norm, fw, weights={elem: 0.0}, **params)[code].to_numpy(float)
        r = ranks_descending(y)
        rows.append({"Removed": elem, "MeanAbsRankDiff": float(np.nanmean(np.abs(r0 - r)))})
    return pd.DataFrame(rows)


def indicator_stats(data: pd.DataFrame, *, t_avail: float = 0.65, t_zero: float = 0.5,
                    t_unq: float = 0.5, t_skew: float = 2.0, t_kurt: float = 3.5) -> pd.DataFrame:
    """Per-indicator statistics and flags (COINr ``get_stats``)."""
    from kientao.indices.engine.moments import kurtosis, skewness

    rows = []
    n = len(data)
    for c in data.columns:
        x = data[c].to_numpy(float)
        v = x[~np.isnan(x)]
        sk, kt = skewness(x), kurtosis(x)
        rows.append({
            "iCode": c, "Min": v.min(), "Max": v.max(), "Mean": v.mean(), "Median": np.median(v),
            "Std": v.std(ddof=1) if v.size > 1 else np.nan, "Skew": sk, "Kurt": kt,
            "N.Avail": v.size, "N.NonZero": int((v != 0).sum()), "N.Unique": np.unique(v).size,
            "Frc.Avail": v.size / n, "Frc.NonZero": (v != 0).sum() / n, "Frc.Unique": np.unique(v).size / n,
            "Flag.Avail": "LOW" if v.size / n < t_avail else "ok",
            "Flag.NonZero": "LOW" if (v != 0).sum() / n < t_zero else "ok",
            "Flag.Unique": "LOW" if np.unique(v).size / n < t_unq else "ok",
            "Flag.SkewKurt": "OUT" if abs(sk) > t_skew and kt > t_kurt else "ok",
        })
    return pd.DataFrame(rows)


def audit(
    build_result: IndexBuild,
    *,
    method: str = "pearson",
    collinear: float = 0.9,
    progress: Callable[[int, str], None] | None = None,
) -> AuditReport:
    """Coherence audit of a build.

    Returns
    -------
    AuditReport
        ``correlations``: Var1 (aggregate), Var2, Level1, Level2, Correlation, PValue, N
        for (a) every element with its parent and every ancestor, (b) every pair of
        siblings; ``cronbach``: iCode, Level, Alpha (children of each aggregate, normalised data);
        ``pca``: see :func:`pca_by_aggregate`; ``flags``: Var1, Var2, Correlation,
        Flag ("collinear" when r > ``collinear`` between siblings, "negative" when r < 0);
        ``removal``: leave-one-out of each level-2 element (:func:`remove_elements`);
        ``stats``: per-indicator statistics of the raw data.
    """
    fw = build_result.framework
    scores = build_result.datasets["Aggregated"]
    tables = []
    levels = range(1, fw.max_level + 1)
    for k, level in enumerate(levels):
        if progress is not None:
            progress(int(80 * k / len(levels)), f"correlations level {level}")
        codes = list(fw.codes_at(level))
        for up in range(level + 1, fw.max_level + 1):
            for anc in fw.codes_at(up):
                kids = [c for c in codes if fw.ancestor(c, up) == anc]
                t = correlations(scores[kids], scores[[anc]], method=method)
                t["Level1"], t["Level2"] = up, level
                tables.append(t)
        if level < fw.max_level:
            for parent in fw.codes_at(level + 1):
                kids = list(fw.children(parent))
                if len(kids) > 1:
                    t = correlations(scores[kids], method=method)
                    t = t[t["Var1"] < t["Var2"]]
                    t["Level1"], t["Level2"] = level, level
                    t["Parent"] = parent
                    tables.append(t)
    corr = pd.concat(tables, ignore_index=True)
    sib = corr[corr["Level1"] == corr["Level2"]]
    flags = pd.concat(
        [
            sib[sib["Correlation"] > collinear].assign(Flag="collinear"),
            corr[corr["Correlation"] < 0].assign(Flag="negative"),
        ],
        ignore_index=True,
    )[["Var1", "Var2", "Correlation", "PValue", "Flag"]]
    norm = build_result.datasets.get("Normalised", scores)
    cron = [
        {
            "iCode": p,
            "Level": fw.nodes[p].level,
            "Alpha": cronbach_alpha(scores[list(fw.children(p))]),
            "AlphaIndicators": cronbach_alpha(norm[list(fw.descendants(p))]),
        }
        for level in range(2, fw.max_level + 1) for p in fw.codes_at(level)
    ]
    pca = pd.concat([pca_by_aggregate(scores, fw, lv) for lv in range(2, fw.max_level + 1)], ignore_index=True)
    removal = remove_elements(build_result, 2) if fw.max_level > 2 else pd.DataFrame()
    if progress is not None:
        progress(100, "done")
    return AuditReport(
        correlations=corr,
        cronbach=pd.DataFrame(cron),
        pca=pca,
        flags=flags,
        removal=removal,
        stats=indicator_stats(build_result.datasets["Raw"]),
    )
