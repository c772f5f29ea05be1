import pandas as pd
import pytest

from kientao.conversations.engine.disaggregation import disaggregate_votes
from kientao.conversations.engine.matrix import VoteDataError, build_vote_matrix


def _votes(n):
    return build_vote_matrix(list(range(n)), [0] * n, [1 if i % 3 else -1 for i in range(n)])


def test_it_counts_by_attribute_value():
    m = _votes(30)
    attrs = pd.DataFrame({"participant": range(30), "gender": ["f"] * 15 + ["m"] * 15})
    out = disaggregate_votes(m, attrs, min_cell=10)
    f = out[out["value"] == "f"].iloc[0]
    # participants 0..14: i % 3 == 0 disagree (0, 3, 6, 9, 12) -> 10 agree, 5 disagree
    assert (f["n_seen"], f["n_agree"], f["n_disagree"]) == (15, 10, 5)
    assert f["agree_share"] == pytest.approx(10 / 15, abs=1e-15)


def test_it_suppresses_small_cells_and_their_complement():
    m = _votes(40)
    attrs = pd.DataFrame({"participant": range(40),
                          "district": ["a"] * 5 + ["b"] * 12 + ["c"] * 23})
    out = disaggregate_votes(m, attrs, min_cell=10).set_index("value")
    assert bool(out.loc["a", "suppressed"])  # 5 < 10
    # b is large enough, but a = total - b - c would reveal a: b (smallest) is hidden too
    assert bool(out.loc["b", "suppressed"])
    assert pd.isna(out.loc["b", "n_agree"]) and pd.isna(out.loc["a", "agree_share"])
    assert not bool(out.loc["c", "suppressed"]) and out.loc["c", "n_seen"] == 23


def test_it_ignores_participants_who_did_not_state_an_attribute():
    m = _votes(25)
    attrs = pd.DataFrame({"participant": range(25), "age": ["18-29"] * 12 + [None] * 13})
    out = disaggregate_votes(m, attrs, min_cell=10)
    assert out["value"].tolist() == ["18-29"] and out["n_seen"].tolist() == [12]


def test_it_rejects_duplicate_participants():
    attrs = pd.DataFrame({"participant": [1, 1], "gender": ["f", "m"]})
    with pytest.raises(VoteDataError, match="row 2, column 'participant'"):
        disaggregate_votes(_votes(3), attrs)
