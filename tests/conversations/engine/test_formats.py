from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kientao.conversations.engine.formats import (
    ExportFormatError,
    read_bundle,
    read_polis_export,
    to_vote_matrix,
    write_bundle,
    write_polis_export,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "polis"


def _write(folder: Path, comments: str, votes: str | None = None, pv: str | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comments.csv").write_text(comments, encoding="utf-8")
    if votes is not None:
        (folder / "votes.csv").write_text(votes, encoding="utf-8")
    if pv is not None:
        (folder / "participants-votes.csv").write_text(pv, encoding="utf-8")
    return folder


COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1000,x,0,5,1,0,1,Cấm túi ni lông\n"
    "2000,x,1,6,0,1,-1,Spam\n"
)


def test_it_reads_a_vote_log_keeping_the_latest_vote(tmp_path):
    folder = _write(tmp_path / "c", COMMENTS,
                    votes="timestamp,datetime,comment-id,voter-id,vote\n"
                          "10,x,0,5,1\n30,x,0,5,-1\n20,x,1,6,0\n")
    data = read_polis_export(folder)
    assert data.votes_source == "votes.csv"
    m = to_vote_matrix(data)
    assert m.values.toarray().tolist() == [[-1.0, 0.0], [0.0, 0.0]]
    assert m.moderated_out.tolist() == [False, True]
    assert data.statements["text"].tolist()[0] == "Cấm túi ni lông"


def test_it_falls_back_to_participants_votes_and_ignores_group_id(tmp_path):
    folder = _write(tmp_path / "c", COMMENTS,
                    pv="participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
                       "5,0,1,2,1,0,1,0\n6,1,1,1,0,1,-1,\n")
    data = read_polis_export(folder)
    assert data.votes_source == "participants-votes.csv"
    assert to_vote_matrix(data).values.toarray().tolist() == [[1.0, 0.0], [-1.0, 0.0]]
    assert to_vote_matrix(data).n_votes == 3


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,5,2\n",
         r"votes.csv: row 2, column 'vote': expected -1 or 0 or 1, got '2'"),
        ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,5,1\n1,x,zero,5,1\n",
         r"votes.csv: row 3, column 'comment-id': expected an integer, got 'zero'"),
        ("timestamp,datetime,comment-id,voter-id,vote\n1,x,9,5,1\n",
         r"votes.csv: row 2, column 'comment-id': statement 9 not in comments.csv"),
        ("timestamp,datetime,comment-id,vote\n1,x,0,1\n",
         r"votes.csv: missing column 'voter-id'"),
    ],
)
def test_it_rejects_malformed_vote_files_naming_file_row_and_column(tmp_path, votes, message):
    folder = _write(tmp_path / "c", COMMENTS, votes=votes)
    with pytest.raises(ExportFormatError, match=message):
        read_polis_export(folder)


def test_it_rejects_duplicate_comment_ids(tmp_path):
    folder = _write(tmp_path / "c", COMMENTS + "3000,x,1,7,0,0,0,again\n", votes="vote\n")
    with pytest.raises(ExportFormatError, match=r"comments.csv: row 4, column 'comment-id'"):
        read_polis_export(folder)


def test_it_rejects_a_folder_without_comments(tmp_path):
    (tmp_path / "c").mkdir()
    with pytest.raises(ExportFormatError, match="comments.csv"):
        read_polis_export(tmp_path / "c")


def test_it_round_trips_an_export_folder(tmp_path):
    folder = _write(tmp_path / "c", COMMENTS,
                    votes="timestamp,datetime,comment-id,voter-id,vote\n"
                          "10,x,0,5,1\n30,x,0,5,-1\n20,x,1,6,0\n")
    data = read_polis_export(folder)
    groups = pd.DataFrame({"participant": [5, 6], "group": [1, -1]})
    write_polis_export(tmp_path / "out", data, groups=groups, n_groups=2)
    again = read_polis_export(tmp_path / "out")
    assert to_vote_matrix(again).values.toarray().tolist() == \
        to_vote_matrix(data).values.toarray().tolist()
    comments = pd.read_csv(tmp_path / "out" / "comments.csv")
    assert "is-meta" in comments.columns
    assert comments["agrees"].tolist() == [0, 0] and comments["disagrees"].tolist() == [1, 0]
    pv = pd.read_csv(tmp_path / "out" / "participants-votes.csv")
    assert pv["group-id"].tolist()[0] == 1 and np.isnan(pv["group-id"].tolist()[1])
    assert pv["n-votes"].tolist() == [1, 1]
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")
    assert "groups,2" in summary


@pytest.mark.parametrize("name", ["b.json", "b.json.gz"])
def test_it_round_trips_a_bundle(tmp_path, name):
    folder = _write(tmp_path / "c", COMMENTS,
                    votes="timestamp,datetime,comment-id,voter-id,vote\n10,x,0,5,1\n")
    data = read_polis_export(folder)
    write_bundle(tmp_path / name, data)
    again = read_bundle(tmp_path / name)
    pd.testing.assert_frame_equal(again.votes, data.votes, check_dtype=False)
    assert again.statements["text"].tolist() == data.statements["text"].tolist()


def test_it_rejects_a_foreign_bundle(tmp_path):
    (tmp_path / "x.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ExportFormatError, match="x.json: 'format'"):
        read_bundle(tmp_path / "x.json")


def test_it_matches_the_export_invariants_on_real_data():
    folder = DATA / "vtaiwan.uberx"
    if not folder.is_dir():
        pytest.skip(f"reference data folder {folder} is absent")
    m = to_vote_matrix(read_polis_export(folder))
    pv = pd.read_csv(folder / "participants-votes.csv")
    # notes §4: distinct (participant, comment) pairs = sum of n-votes
    assert m.n_votes == int(pv["n-votes"].sum()) == 49_443


def test_it_rejects_a_bad_cell_in_participants_votes(tmp_path):
    folder = _write(tmp_path / "c", COMMENTS,
                    pv="participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
                       "5,0,1,2,1,0,1,0\n6,1,1,1,0,1,-1,maybe\n")
    with pytest.raises(ExportFormatError,
                       match=r"participants-votes.csv: row 3, column '1': expected -1 or 0 or 1"):
        read_polis_export(folder)
