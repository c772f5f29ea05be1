"""Reading votes for the analysis: COPY (PostgreSQL) and ORM paths agree; compact results."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection

from kientao.conversations import analysis
from kientao.conversations.engine import build_vote_matrix


def _matrix(p: np.ndarray, s: np.ndarray, v: np.ndarray, statements: list[int]) -> Any:
    return build_vote_matrix(p, s, v, statements=statements)


def test_it_reads_the_same_matrix_through_copy_and_the_orm(voted: Any, monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path needs PostgreSQL")
    statements = sorted(voted.statements.values_list("pk", flat=True))
    monkeypatch.setattr(analysis, "COPY_BLOCK_PARTICIPANTS", 7)  # several blocks
    copied = analysis._vote_arrays_copy(voted, statements)
    orm = analysis._vote_arrays_orm(voted, chunk=13)
    assert len(copied[0]) == len(orm[0]) == 200
    a, b = _matrix(*copied, statements), _matrix(*orm, statements)
    assert np.array_equal(a.participants, b.participants)
    assert (a.values != b.values).nnz == 0
    assert np.array_equal(a.values.toarray(), b.values.toarray())


def test_it_reads_votes_as_arrays_on_any_database(voted: Any) -> None:
    p, s, v = analysis.vote_arrays(voted)
    assert p.dtype == np.int64 and s.dtype == np.int64 and v.dtype == np.int8
    assert len(p) == 200 and set(np.unique(v)) <= {-1, 0, 1}
    frame = analysis.votes_frame(voted)
    assert list(frame.columns) == ["participant", "statement", "vote"] and len(frame) == 200


def test_it_reads_nothing_from_an_empty_conversation(conversation: Any) -> None:
    p, s, v = analysis.vote_arrays(conversation)
    assert len(p) == len(s) == len(v) == 0
    run = analysis.run_analysis(conversation)
    assert run.n_votes == 0 and run.results["participants"] == []


def test_it_stores_the_full_map_compactly_and_a_sample_in_the_results(voted: Any) -> None:
    run = voted.analyses.first()
    arrays = analysis.unpack_participants(run)
    assert arrays is not None and len(arrays["participant"]) == 40 == run.n_participants
    assert len(run.results["participants"]) == 40 and not run.results["participants_sampled"]
    rows = analysis.participant_rows(run)
    assert sorted(r[0] for r in rows) == sorted(int(p) for p in arrays["participant"])


def test_it_samples_the_opinion_map_by_group() -> None:
    ids = np.arange(100_000)
    groups = np.repeat([0, 1, 2, -1], [70_000, 20_000, 9_000, 1_000])
    keep = analysis.sample_map(ids, groups, limit=5000)
    assert len(keep) <= 5000 and len(np.unique(keep)) == len(keep)
    counts = np.bincount(groups[keep] + 1)
    assert abs(counts[1] - 3500) <= 2 and abs(counts[2] - 1000) <= 2 and counts[0] >= 1
    assert np.array_equal(analysis.sample_map(ids[:10], groups[:10]), np.arange(10))


def test_it_builds_the_same_matrix_as_the_engine_from_stored_votes(voted: Any) -> None:
    p, s, v = analysis.vote_arrays(voted)
    statements = np.array(sorted(voted.statements.values_list("pk", flat=True)))
    order = np.lexsort((s, p))
    fast = analysis.stored_vote_matrix(p[order], s[order], v[order], statements=statements,
                                       moderated_out=statements[:1], is_meta=statements[1:2])
    slow = build_vote_matrix(p, s, v, statements=statements, moderated_out=statements[:1],
                             is_meta=statements[1:2])
    assert np.array_equal(fast.participants, slow.participants)
    assert np.array_equal(fast.statements, slow.statements)
    assert np.array_equal(fast.values.toarray(), slow.values.toarray())
    assert fast.moderated_out.tolist() == slow.moderated_out.tolist()
    assert fast.is_meta.tolist() == slow.is_meta.tolist()
    # Unsorted or repeated input falls back to the engine (latest vote wins).
    again = analysis.stored_vote_matrix(np.r_[p[order], p[order][:1]], np.r_[s[order], s[order][:1]],
                                        np.r_[v[order], v[order][:1]], statements=statements,
                                        moderated_out=statements[:0], is_meta=statements[:0])
    assert again.n_votes == slow.n_votes
