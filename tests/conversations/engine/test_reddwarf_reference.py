"""Representativeness, consensus and group-aware consensus against red-dwarf 0.4.0.

Reference software: red-dwarf 0.4.0 (https://github.com/polis-community/red-dwarf), a
Python reimplementation of Pol.is's math. Given the same votes and the same groups, its
selections and statistics are stored in ``data/reddwarf/`` (votes from the Polis open data,
CC BY 4.0; see ``data/reddwarf/ATTRIBUTION.md``, which names the command that wrote them:
``benchmarks/conversations/compare_statistics.py --write-fixture``).

Tolerance 1e-12: the same closed-form formulas on the same integer counts, so only the
order of floating-point operations may differ.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from kientao.conversations.engine.matrix import build_vote_matrix
from kientao.conversations.engine.repness import (
    consensus_statements,
    count_votes_by_group,
    group_informed_consensus,
    representative_statements,
)

DATA = Path(__file__).resolve().parent / "data" / "reddwarf"
NAMES = ["brexit-consensus", "canadian-electoral-reform"]
TOL = 1e-12


def _ours(name: str) -> tuple:  # type: ignore[type-arg]
    a = np.load(DATA / f"{name}.npz")
    m = build_vote_matrix(a["participant"], a["statement"], a["vote"], statements=a["statements"],
                          moderated_out=a["moderated_out"], is_meta=a["is_meta"])
    labels = np.full(m.shape[0], -1, dtype=np.int64)
    labels[np.searchsorted(m.participants, a["clustered"])] = a["labels"]
    assert np.array_equal(m.participants[labels >= 0], a["clustered"])
    n_groups = int(a["labels"].max()) + 1
    counts = count_votes_by_group(m, labels, n_groups)
    overall = count_votes_by_group(m, np.zeros(m.shape[0], dtype=np.int64), 1)
    rep = representative_statements(counts, m.statements, excluded=m.excluded)
    con = consensus_statements(overall.agree[0], overall.disagree[0], overall.seen[0],
                               m.statements, excluded=m.excluded)
    gac = dict(zip(m.statements.tolist(), group_informed_consensus(counts).tolist(), strict=True))
    return n_groups, rep, con, gac


@pytest.mark.parametrize("name", NAMES)
def test_it_selects_the_representative_statements_red_dwarf_selects(name):
    peer = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    n_groups, rep, _, _ = _ours(name)
    assert sorted(peer["repness"]) == [str(g) for g in range(n_groups)]
    for g in range(n_groups):
        ours = rep[rep["group"] == g].sort_values("rank")
        theirs = peer["repness"][str(g)]
        # the same statements, directions and order (agrees first, then by the metric)
        assert [(int(r.statement), r.direction) for r in ours.itertuples()] == [
            (s["tid"], s["repful_for"]) for s in theirs]
        for r, s in zip(ours.itertuples(), theirs, strict=True):
            assert (r.p, r.p_test, r.r, r.r_test) == pytest.approx(
                (s["p"], s["p_test"], s["r"], s["r_test"]), abs=TOL, rel=0)


@pytest.mark.parametrize("name", NAMES)
def test_it_selects_the_consensus_statements_red_dwarf_selects(name):
    peer = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    _, _, con, _ = _ours(name)
    for direction in ("agree", "disagree"):
        ours = con[con["direction"] == direction].sort_values("rank")
        theirs = peer["consensus"][direction]
        assert ours["statement"].tolist() == [s["tid"] for s in theirs]
        np.testing.assert_allclose(ours[["p", "p_test"]].to_numpy(dtype=float).reshape(-1, 2),
                                   [[s["p"], s["p_test"]] for s in theirs], rtol=0, atol=TOL)


@pytest.mark.parametrize("name", NAMES)
def test_it_computes_red_dwarfs_group_aware_consensus(name):
    peer = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    _, _, _, gac = _ours(name)
    assert sorted(int(k) for k in peer["gac"]) == sorted(gac)
    for k, v in peer["gac"].items():
        assert gac[int(k)] == pytest.approx(v, abs=TOL, rel=0)


def test_the_reference_data_stays_small_and_attributed():
    files = sorted(DATA.iterdir())
    assert sum(f.stat().st_size for f in files) < 200_000
    text = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "red-dwarf 0.4.0" in text and "--write-fixture" in text
