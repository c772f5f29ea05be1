"""Bundles checked value by value, Pol.is's summary keys, and Pol.is ZIPs read safely."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kientao.conversations.engine.formats import (
    BUNDLE_FORMAT,
    ExportFormatError,
    read_bundle,
    read_polis_export,
    read_polis_zip,
    write_bundle,
    write_polis_export,
)

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1000,x,0,5,1,0,1,Cấm túi ni lông\n"
    "2000,x,1,6,0,1,-1,Spam\n"
)
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n10,x,0,5,1\n30,x,0,5,-1\n20,x,1,6,0\n"


def _doc() -> dict:
    return {
        "format": BUNDLE_FORMAT,
        "summary": {"topic": "T"},
        "statements": {"statement": [0, 1], "author": [5, -1], "moderated": [1, 0],
                       "is_meta": [False, True], "timestamp": [1000.0, None],
                       "text": ["một", "hai"]},
        "votes": {"participant": [5, 6, 6], "statement": [0, 0, 1], "vote": [1, -1, 0],
                  "timestamp": [10.0, 20.0, 30.0]},
    }


def _bundle(tmp_path: Path, doc: dict, name: str = "b.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_it_reads_a_well_formed_bundle(tmp_path):
    data = read_bundle(_bundle(tmp_path, _doc()))
    assert data.votes["participant"].dtype == np.int64 and data.votes["vote"].tolist() == [1, -1, 0]
    assert data.statements["is_meta"].tolist() == [False, True]
    assert np.isnan(data.statements["timestamp"].iloc[1])


# (array, index, bad value, words the message must hold)
MALFORMED = [
    ("votes", "participant", 1, "x", "votes.participant[1]: expected an integer, got 'x'"),
    ("votes", "participant", 1, None, "votes.participant[1]: expected an integer, got None"),
    ("votes", "participant", 0, 1.5, "votes.participant[0]: expected an integer, got 1.5"),
    ("votes", "participant", 0, True, "votes.participant[0]: expected an integer, got True"),
    ("votes", "participant", 0, 2**70, "votes.participant[0]: expected an integer"),
    ("votes", "statement", 2, "1", "votes.statement[2]: expected an integer, got '1'"),
    ("votes", "vote", 2, 2, "votes.vote[2]: expected -1, 0 or 1, got 2"),
    ("votes", "vote", 0, None, "votes.vote[0]: expected -1, 0 or 1, got None"),
    ("votes", "vote", 0, 1.0, "votes.vote[0]: expected -1, 0 or 1, got 1.0"),
    ("votes", "timestamp", 1, "soon", "votes.timestamp[1]: expected a number (ms) or null, got 'soon'"),
    ("statements", "statement", 1, None, "statements.statement[1]: expected an integer, got None"),
    ("statements", "author", 0, "me", "statements.author[0]: expected an integer, got 'me'"),
    ("statements", "moderated", 1, 5, "statements.moderated[1]: expected -1, 0 or 1, got 5"),
    ("statements", "is_meta", 0, "no", "statements.is_meta[0]: expected true or false, got 'no'"),
    ("statements", "text", 1, None, "statements.text[1]: expected a string, got None"),
    ("statements", "text", 0, 7, "statements.text[0]: expected a string, got 7"),
]


@pytest.mark.parametrize(("key", "col", "index", "value", "message"), MALFORMED)
def test_it_names_file_array_and_index_of_a_bad_value(tmp_path, key, col, index, value, message):
    doc = _doc()
    doc[key][col][index] = value
    with pytest.raises(ExportFormatError) as info:
        read_bundle(_bundle(tmp_path, doc))
    assert str(info.value).startswith("b.json: ") and message in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["votes"]["vote"].pop(), "b.json: votes.vote: 2 values, but votes.participant has 3"),
        (lambda d: d["statements"]["text"].append("ba"),
         "b.json: statements.text: 3 values, but statements.statement has 2"),
        (lambda d: d["votes"].pop("timestamp"), "b.json: votes: missing array 'timestamp'"),
        (lambda d: d["votes"].__setitem__("vote", {"0": 1}), "b.json: votes.vote: expected an array, got dict"),
        (lambda d: d.__setitem__("votes", [1, 2]), "b.json: votes: expected an object of arrays"),
        (lambda d: d.pop("statements"), "b.json: statements: expected an object of arrays"),
        (lambda d: d["statements"]["statement"].__setitem__(1, 0),
         "b.json: statements.statement[1]: duplicate id 0"),
        (lambda d: d["votes"]["statement"].__setitem__(1, 9),
         "b.json: votes.statement[1]: statement 9 not in statements.statement"),
        (lambda d: d.__setitem__("summary", {"topic": {"nested": 1}}),
         "b.json: summary: expected an object of plain values"),
    ],
)
def test_it_refuses_malformed_arrays(tmp_path, change, message):
    doc = _doc()
    change(doc)
    with pytest.raises(ExportFormatError, match="^" + message.replace("[", r"\[").replace("]", r"\]")):
        read_bundle(_bundle(tmp_path, doc))


@pytest.mark.parametrize("content", [b"\x1f\x8b\x08\x00trunc", b"not gzip at all"])
def test_it_refuses_a_broken_gzip_bundle(tmp_path, content):
    (tmp_path / "b.json.gz").write_bytes(content)
    with pytest.raises(ExportFormatError, match="b.json.gz: not a readable JSON bundle"):
        read_bundle(tmp_path / "b.json.gz")


def test_it_refuses_a_deeply_nested_bundle(tmp_path):
    (tmp_path / "b.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ExportFormatError, match="b.json: "):
        read_bundle(tmp_path / "b.json")


def _folder(tmp_path: Path, summary: str | None = None) -> Path:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    (folder / "votes.csv").write_text(VOTES, encoding="utf-8")
    if summary is not None:
        (folder / "summary.csv").write_text(summary, encoding="utf-8")
    return folder


def test_it_writes_the_description_under_polis_key(tmp_path):
    data = read_polis_export(_folder(tmp_path))
    data.summary.update({"topic": "Chợ đêm", "description": "Ý kiến, của bạn"})
    write_polis_export(tmp_path / "out", data)
    rows = dict(line.split(",", 1) for line in
                (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").splitlines())
    assert rows["conversation-description"] == '"Ý kiến, của bạn"' and "description" not in rows
    assert read_polis_export(tmp_path / "out").summary["description"] == "Ý kiến, của bạn"


@pytest.mark.parametrize("key", ["conversation-description", "description"])
def test_it_reads_either_description_key(tmp_path, key):
    data = read_polis_export(_folder(tmp_path, summary=f"topic,Chợ đêm\n{key},Mô tả\n"))
    assert data.summary["description"] == "Mô tả" and data.summary["topic"] == "Chợ đêm"
    write_bundle(tmp_path / "b.json", data)
    assert read_bundle(tmp_path / "b.json").summary["description"] == "Mô tả"


def test_it_reads_polis_description_from_an_older_bundle(tmp_path):
    doc = _doc()
    doc["summary"] = {"topic": "T", "conversation-description": "Mô tả"}
    assert read_bundle(_bundle(tmp_path, doc)).summary == {"topic": "T", "description": "Mô tả"}


def test_it_exports_votes_of_unknown_time(tmp_path):
    folder = _folder(tmp_path)
    (folder / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n,x,0,5,1\n",
                                      encoding="utf-8")
    data = read_polis_export(folder)
    write_polis_export(tmp_path / "out", data)
    again = pd.read_csv(tmp_path / "out" / "votes.csv", keep_default_na=False, dtype=str)
    assert again[["timestamp", "datetime", "vote"]].values.tolist() == [["", "", "1"]]


# --- ZIPs ------------------------------------------------------------------------------------


def _zip(files: dict[str, bytes | str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("prefix", ["", "polis-export-7wmvbjcjhp/"])
def test_it_reads_a_zip_at_its_top_or_in_one_folder(prefix):
    files = {f"{prefix}comments.csv": COMMENTS, f"{prefix}votes.csv": VOTES,
             f"{prefix}summary.csv": "topic,T\n", f"{prefix}stats-history.csv": "n-votes\n1\n",
             "__MACOSX/._comments.csv": b"\x00\x05"}
    data = read_polis_zip(_zip(files), name="e.zip")
    assert data.votes_source == "votes.csv" and len(data.votes) == 3 and data.summary["topic"] == "T"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../comments.csv": COMMENTS, "votes.csv": VOTES}, "e.zip: '../comments.csv': unsafe file name"),
        ({"/etc/comments.csv": COMMENTS}, "e.zip: '/etc/comments.csv': unsafe file name"),
        ({"a\\..\\comments.csv": COMMENTS}, "unsafe file name"),
        ({"C:comments.csv": COMMENTS}, "unsafe file name"),
        ({"a/b/comments.csv": COMMENTS}, "must be at the top of the ZIP or in one folder"),
        ({"a/comments.csv": COMMENTS, "b/votes.csv": VOTES}, "e.zip: CSV files in more than one folder"),
        ({"comments.csv": COMMENTS, "votes.csv": VOTES, "run.sh": "rm -rf /"},
         "e.zip: 'run.sh': unexpected file"),
        ({"votes.csv": VOTES}, "e.zip: comments.csv: file not found"),
        ({"comments.csv": COMMENTS}, "e.zip: neither votes.csv nor participants-votes.csv"),
        ({"comments.csv": COMMENTS, "votes.csv": VOTES + "40,x,1,7,yes\n"},
         "e.zip: votes.csv: row 5, column 'vote': expected -1 or 0 or 1, got 'yes'"),
        ({"comments.csv": COMMENTS, "votes.csv": VOTES + "40,x,3,7,1\n"},
         "e.zip: votes.csv: row 5, column 'comment-id': statement 3 not in comments.csv"),
    ],
)
def test_it_refuses_unsafe_or_malformed_zips(files, message):
    with pytest.raises(ExportFormatError) as info:
        read_polis_zip(_zip(files), name="e.zip")
    assert message in str(info.value)


def test_it_refuses_what_is_not_a_zip():
    with pytest.raises(ExportFormatError, match="e.zip: not a readable ZIP file"):
        read_polis_zip(io.BytesIO(b"PK\x03\x04 but not really"), name="e.zip")


def test_it_stops_a_zip_bomb_by_its_declared_size():
    bomb = _zip({"comments.csv": COMMENTS, "votes.csv": VOTES + "0" * 5_000_000})
    assert len(bomb.getvalue()) < 20_000
    with pytest.raises(ExportFormatError, match="e.zip: more than 1000000 bytes of CSV"):
        read_polis_zip(bomb, name="e.zip", max_bytes=1_000_000)


def test_it_refuses_a_zip_whose_header_understates_the_size():
    raw = bytearray(_zip({"comments.csv": COMMENTS, "votes.csv": VOTES + "0" * 5_000_000}).getvalue())
    # Declare votes.csv 10 bytes long, in its local header and in the central directory
    # (uncompressed size at byte 22 / 24, file name at byte 30 / 46).
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = raw.find(signature)
        while i >= 0:
            if raw[i + name_at:i + name_at + 9] == b"votes.csv":
                raw[i + size_at:i + size_at + 4] = (10).to_bytes(4, "little")
            i = raw.find(signature, i + 4)
    with pytest.raises(ExportFormatError) as info:
        read_polis_zip(io.BytesIO(bytes(raw)), name="e.zip", max_bytes=1_000_000)
    # zipfile reads no more than the declared 10 bytes, and their CRC does not match: the
    # byte budget counted while decompressing is a second guard that this never reaches
    assert str(info.value).startswith("e.zip: cannot decompress the ZIP")


def test_it_refuses_a_statement_too_long_for_the_store(tmp_path):
    folder = _folder(tmp_path)
    (folder / "comments.csv").write_text(COMMENTS + f"3000,x,2,5,0,0,0,{'x' * 281}\n", encoding="utf-8")
    with pytest.raises(ExportFormatError,
                       match="comments.csv: row 4, column 'comment-body': 281 characters, at most 280"):
        read_polis_export(folder, max_text_length=280)
    assert len(read_polis_export(folder).statements) == 3  # no limit unless asked


def test_it_refuses_a_bundle_statement_too_long_for_the_store(tmp_path):
    doc = _doc()
    doc["statements"]["text"][1] = "x" * 281
    path = _bundle(tmp_path, doc)
    with pytest.raises(ExportFormatError, match=r"^b\.json: statements\.text\[1\]: 281 characters, at most 280 allowed$"):
        read_bundle(path, max_text_length=280)
    assert len(read_bundle(path).statements) == 2  # no limit unless asked
