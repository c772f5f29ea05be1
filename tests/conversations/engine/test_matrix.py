import numpy as np
import pytest

from kientao.conversations.engine.matrix import (
    VoteDataError,
    build_vote_matrix,
    from_polis_internal,
)


def test_it_keeps_the_latest_vote_per_cell():
    m = build_vote_matrix(
        [1, 1, 1, 2], [10, 10, 11, 10], [1, -1, 0, 1], timestamp=[5, 9, 1, 3]
    )
    # participant 1 changed agree (t=5) -> disagree (t=9)
    assert m.values.toarray().tolist() == [[-1.0, 0.0], [1.0, 0.0]]
    assert m.n_votes == 3  # the pass is a seen cell


def test_it_uses_row_order_when_there_is_no_timestamp():
    m = build_vote_matrix([1, 1], [10, 10], [1, -1])
    assert m.values.toarray().tolist() == [[-1.0]]


def test_it_honours_timestamp_over_row_order():
    m = build_vote_matrix([1, 1], [10, 10], [1, -1], timestamp=[9, 2])
    assert m.values.toarray().tolist() == [[1.0]]


def test_it_stores_passes_as_seen_cells():
    m = build_vote_matrix([0, 0, 1], [0, 1, 0], [0, 1, 0])
    assert m.votes_per_participant().tolist() == [2, 1]
    assert m.indicator(0).toarray().tolist() == [[1.0, 0.0], [1.0, 0.0]]
    assert m.seen().sum() == 3


def test_it_rejects_a_bad_vote_naming_row_and_column():
    with pytest.raises(VoteDataError, match=r"votes.csv: row 2, column 'vote'"):
        build_vote_matrix([1, 2], [1, 1], [1, 2], source="votes.csv")


def test_it_rejects_a_vote_on_an_unknown_statement():
    with pytest.raises(VoteDataError, match="unknown statement 7"):
        build_vote_matrix([1], [7], [1], statements=[1, 2])


def test_it_keeps_statements_without_votes_and_flags_moderation():
    m = build_vote_matrix([1], [2], [1], statements=[1, 2, 3], moderated_out=[3],
                          is_meta=[1])
    assert m.shape == (1, 3)
    assert m.moderated_out.tolist() == [False, False, True]
    assert m.excluded.tolist() == [True, False, True]


def test_it_converts_polis_internal_sign():
    assert from_polis_internal(np.array([-1, 0, 1])).tolist() == [1, 0, -1]


def test_it_round_trips_to_a_long_frame():
    m = build_vote_matrix([3, 1, 3], [5, 5, 6], [1, 0, -1])
    frame = m.to_frame().sort_values(["participant", "statement"])
    assert frame.values.tolist() == [[1, 5, 0], [3, 5, 1], [3, 6, -1]]
