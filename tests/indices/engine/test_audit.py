"""Audit statistics against COINr's ASEM outputs (cronbach, leave-one-out, correlations)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kientao.indices.engine import IndexBuild, audit, correlations, cronbach_alpha, remove_elements


def test_it_reproduces_coinrs_cronbach_alpha(asem_build: IndexBuild, asem_dir: Path) -> None:
    ref = pd.read_csv(asem_dir / "cronbach_Conn_normalised.csv")["alpha"].iloc[0]
    x = asem_build.datasets["Normalised"][list(asem_build.framework.descendants("Conn"))]
    assert cronbach_alpha(x) == pytest.approx(ref, abs=1e-9)  # same covariance formula


def test_it_reproduces_the_leave_one_pillar_out_rank_shift(asem_build: IndexBuild, asem_dir: Path) -> None:
    ref = pd.read_csv(asem_dir / "remove_pillar_mean_abs_rank_diff.csv")
    ours = remove_elements(asem_build, 2)
    m = ref.merge(ours, on="Removed", suffixes=("_ref", "_ours"))
    assert len(m) == 9
    # means of integer rank differences over 51 units: exact up to float rounding
    np.testing.assert_allclose(m["MeanAbsRankDiff_ours"], m["MeanAbsRankDiff_ref"], rtol=0, atol=1e-12)


def test_it_reports_the_correlations_coinr_hides(asem_build: IndexBuild, asem_dir: Path) -> None:
    ref = pd.read_csv(asem_dir / "corr_pillars_vs_index.csv")
    s = asem_build.datasets["Aggregated"]
    ours = correlations(s[list(ref["Var2"])], s[["Index"]]).set_index("Var2")
    for _, row in ref.iterrows():
        got = ours.loc[row["Var2"]]
        if pd.isna(row["Correlation"]):
            # COINr turns p > 0.05 into NA; we report the value and its p-value
            assert np.isfinite(got["Correlation"]) and got["PValue"] > 0.05
        else:
            assert got["Correlation"] == pytest.approx(row["Correlation"], abs=1e-9)
            assert got["PValue"] <= 0.05


def test_it_audits_a_whole_build(asem_build: IndexBuild) -> None:
    seen: list[int] = []
    report = audit(asem_build, progress=lambda p, _m: seen.append(p))
    assert seen[-1] == 100
    assert not report.correlations["Correlation"].isna().any()
    assert set(report.flags["Flag"]) <= {"collinear", "negative"}
    assert (report.flags.loc[report.flags.Flag == "negative", "Correlation"] < 0).all()
    assert report.cronbach["iCode"].tolist()[-1] == "Index"
    conn = report.cronbach.set_index("iCode").loc["Conn", "AlphaIndicators"]
    assert conn == pytest.approx(0.8805543455951, abs=1e-9)  # cronbach_Conn_normalised.csv
    pc1 = report.pca["VarExplainedPC1"].dropna()
    assert ((pc1 > 0) & (pc1 <= 1)).all()
    assert len(report.removal) == 9
