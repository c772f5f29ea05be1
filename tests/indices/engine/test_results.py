"""Results: strengths and weaknesses, group summaries and panels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kientao.indices.engine import (
    IndexBuild,
    build_panel,
    group_summary,
    rank_changes,
    strengths_weaknesses,
)


def test_it_finds_strengths_and_weaknesses(asem_build: IndexBuild) -> None:
    scores = asem_build.datasets["Aggregated"]
    table = strengths_weaknesses(scores, "CHE", codes=list(asem_build.framework.indicators), n_top=5)
    strong = table[table["Class"] == "strength"]
    assert (strong["Rank"] <= 3).any() or len(strong) >= 5
    assert (table.loc[table["Rank"] <= 3, "Class"] == "strength").all()
    weak = table[table["Class"] == "weakness"]
    assert weak["PercentileRank"].max() <= table["PercentileRank"].min() + 1 or weak.empty


def test_it_summarises_groups(asem_build: IndexBuild) -> None:
    g = group_summary(asem_build.datasets["Aggregated"][["Index"]], asem_build.units["EurAsia_group"])
    assert set(g.index) == {"Asia", "Europe"}
    assert g["Index_count"].sum() == 51


def test_it_tracks_rank_changes_over_a_panel(asem_dir: Path, asem_build: IndexBuild) -> None:
    idata = pd.read_csv(asem_dir / "input_ASEM_iData_p.csv")
    imeta = pd.read_csv(asem_dir / "input_ASEM_iMeta.csv")
    panel = build_panel(idata, imeta, asem_build.steps)
    assert sorted(panel) == [2018, 2019, 2020, 2021, 2022]
    table = pd.concat([b.datasets["Aggregated"].assign(Time=t).reset_index() for t, b in panel.items()])
    ch = rank_changes(table, code="Index")
    first = ch[ch["Time"] == 2018]
    assert first["RankChange"].isna().all()
    later = ch[ch["Time"] > 2018]
    prev = ch.set_index(["uCode", "Time"])["Rank"]
    row = later.iloc[0]
    assert row["RankChange"] == prev[(row["uCode"], row["Time"] - 1)] - row["Rank"]
