"""Synthetic COINr-format tables for the benchmarks (seeded, no files)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_tables(
    n_units: int, n_indicators: int, *, per_pillar: int = 10, pillars_per_sub: int = 4,
    years: int = 1, missing: float = 0.05, seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """iData/iMeta with indicators -> pillars -> sub-indices -> index.

    Values are a common latent factor plus noise, a quarter of the indicators are
    log-normal (skewed, so treatment has work to do), a fifth are "bads".
    """
    rng = np.random.default_rng(seed)
    n_pillars = int(np.ceil(n_indicators / per_pillar))
    n_subs = int(np.ceil(n_pillars / pillars_per_sub))
    ind = [f"i{k:03d}" for k in range(n_indicators)]
    pil = [f"P{k:02d}" for k in range(n_pillars)]
    sub = [f"S{k}" for k in range(n_subs)]
    meta = pd.DataFrame(
        {
            "Level": [1] * n_indicators + [2] * n_pillars + [3] * n_subs + [4],
            "iCode": ind + pil + sub + ["Index"],
            "Parent": [pil[k // per_pillar] for k in range(n_indicators)]
            + [sub[k // pillars_per_sub] for k in range(n_pillars)] + ["Index"] * n_subs + [None],
            "Direction": [(-1 if k % 5 == 4 else 1) for k in range(n_indicators)] + [1] * (n_pillars + n_subs + 1),
            "Weight": list(rng.choice([0.5, 1.0], size=n_indicators)) + [1.0] * (n_pillars + n_subs + 1),
            "Type": ["Indicator"] * n_indicators + ["Aggregate"] * (n_pillars + n_subs + 1),
        }
    )
    frames = []
    latent = rng.normal(size=n_units)
    for year in range(years):
        x = latent[:, None] * 0.6 + rng.normal(size=(n_units, n_indicators)) + 0.05 * year
        skewed = np.arange(n_indicators) % 4 == 0
        x[:, skewed] = np.exp(1.5 * x[:, skewed])
        x[rng.random(x.shape) < missing] = np.nan
        df = pd.DataFrame(x, columns=ind)
        df.insert(0, "uCode", [f"U{k:04d}" for k in range(n_units)])
        df.insert(1, "Time", 2015 + year)
        frames.append(df)
    return pd.concat(frames, ignore_index=True), meta
