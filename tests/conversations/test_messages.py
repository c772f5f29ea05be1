"""The Pol.is reader's validation messages, shown in Vietnamese on the import page."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kientao.conversations import polis_import
from kientao.conversations.engine.formats import (
    read_bundle,
    read_polis_export,
    read_polis_zip,
    write_bundle,
)
from kientao.conversations.engine.matrix import VoteDataError, build_vote_matrix
from kientao.conversations.messages import PROBLEMS, localise, problem

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1500000000000,x,0,0,0,0,1,Cấm túi ni lông ở chợ đêm\n"
    "1500000001000,x,1,1,0,0,-1,Quảng cáo rác\n"
)
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n1500000003000,x,0,0,1\n1500000004000,x,1,1,-1\n"
PV = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n0,,1,1,1,0,1,\n"


def _zip(files: dict[str, str | bytes], *, encrypted: str = "") -> io.BytesIO:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted in one case
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in files.items():
                zf.writestr(name.split("#")[0], content)  # "name#2": the same name again
    data = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot encrypt: set the flag in the central directory's entry
        entry = data.index(b"PK\x01\x02")
        while data[entry + 46:entry + 46 + len(encrypted)] != encrypted.encode():
            entry = data.index(b"PK\x01\x02", entry + 4)
        data[entry + 8] |= 0x1
    return io.BytesIO(bytes(data))


def _read_zip(files: dict[str, str | bytes], *, encrypted: str = "", **options: Any) -> object:
    return read_polis_zip(_zip(files, encrypted=encrypted), name="polis.zip", max_text_length=1000, **options)


def _folder(tmp: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        (tmp / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return tmp


def _damaged_bzip2() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("comments.csv", COMMENTS * 50)
        zf.writestr("votes.csv", VOTES)
    data = bytearray(buffer.getvalue())
    start = data.index(b"BZh") + 40  # inside the first entry's compressed stream
    data[start:start + 20] = b"\x00" * 20
    return io.BytesIO(bytes(data))


def _bundle(tmp: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """A valid bundle written by the engine, changed by ``change``, for read_bundle."""
    path = tmp / "b.json"
    write_bundle(path, read_polis_zip(_zip({"comments.csv": COMMENTS, "votes.csv": VOTES})))
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _set(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _del(key: str, col: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc[key].pop(col)


# Each case makes a reader raise one of its messages (ExportFormatError, VoteDataError).
CASES: dict[str, Callable[[Path], object]] = {
    # CSV files, as the import page reads them (in a ZIP)
    "unparsable CSV": lambda t: _read_zip({"comments.csv": b"\xff\xfe\x00x\n", "votes.csv": VOTES}),
    "missing column": lambda t: _read_zip({"comments.csv": "moderated\n1\n", "votes.csv": VOTES}),
    "not an integer": lambda t: _read_zip({"comments.csv": COMMENTS.replace(",1,1,0", ",one,1,0"),
                                           "votes.csv": VOTES}),
    "not a vote": lambda t: _read_zip({"comments.csv": COMMENTS, "votes.csv": VOTES + "1,x,0,2,yes\n"}),
    "too long": lambda t: _read_zip({"comments.csv": COMMENTS + "1,x,2,0,0,0,1," + "x" * 1001 + "\n",
                                     "votes.csv": VOTES}),
    "duplicate id": lambda t: _read_zip({"comments.csv": COMMENTS + "1,x,1,0,0,0,1,Lại\n", "votes.csv": VOTES}),
    "unknown column statement": lambda t: _read_zip({"comments.csv": COMMENTS,
                                                     "participants-votes.csv": PV.replace(",0,1\n", ",0,9\n", 1)}),
    "unknown voted statement": lambda t: _read_zip({"comments.csv": COMMENTS, "votes.csv": VOTES + "1,x,9,2,1\n"}),
    "no comments in a ZIP": lambda t: _read_zip({"votes.csv": VOTES}),
    "no votes in a ZIP": lambda t: _read_zip({"comments.csv": COMMENTS}),
    # the ZIP itself
    "unsafe name": lambda t: _read_zip({"../comments.csv": COMMENTS, "votes.csv": VOTES}),
    "too deep": lambda t: _read_zip({"a/b/comments.csv": COMMENTS, "votes.csv": VOTES}),
    "unexpected file": lambda t: _read_zip({"comments.csv": COMMENTS, "votes.csv": VOTES, "notes.txt": "x"}),
    "encrypted": lambda t: _read_zip({"comments.csv": COMMENTS, "votes.csv": VOTES}, encrypted="votes.csv"),
    "not a ZIP": lambda t: read_polis_zip(io.BytesIO(b"comment-id\n1\n"), name="comments.csv"),
    "too many entries": lambda t: _read_zip({f"stats-history.csv#{i}": "" for i in range(51)}),
    "several folders": lambda t: _read_zip({"a/comments.csv": COMMENTS, "b/votes.csv": VOTES}),
    "twice": lambda t: _read_zip({"comments.csv": COMMENTS, "comments.csv#2": COMMENTS, "votes.csv": VOTES}),
    "too big": lambda t: _read_zip({"comments.csv": COMMENTS, "votes.csv": VOTES}, max_bytes=100),
    "damaged": lambda t: read_polis_zip(_damaged_bzip2(), name="polis.zip"),
    # export folders (the command line)
    "no comments in a folder": lambda t: read_polis_export(_folder(t, {"votes.csv": VOTES})),
    "no votes in a folder": lambda t: read_polis_export(_folder(t, {"comments.csv": COMMENTS})),
    "not a folder": lambda t: read_polis_export(t / "missing"),
    "no such export": lambda t: polis_import.read_export(t / "missing.zip"),
    # bundles (the command line)
    "unreadable bundle": lambda t: read_bundle(_folder(t, {"b.json": "{"}) / "b.json"),
    "bundle format": lambda t: read_bundle(_bundle(t, _set("format", value="other/2"))),
    "bundle table": lambda t: read_bundle(_bundle(t, _set("statements", value=[]))),
    "bundle missing array": lambda t: read_bundle(_bundle(t, _del("statements", "text"))),
    "bundle not an array": lambda t: read_bundle(_bundle(t, _set("statements", "text", value="x"))),
    "bundle id": lambda t: read_bundle(_bundle(t, _set("statements", "statement", value=["a", 1]))),
    "bundle vote": lambda t: read_bundle(_bundle(t, _set("votes", "vote", value=[2, 1]))),
    "bundle bool": lambda t: read_bundle(_bundle(t, _set("statements", "is_meta", value=[1, 0]))),
    "bundle time": lambda t: read_bundle(_bundle(t, _set("votes", "timestamp", value=["x", 1]))),
    "bundle text": lambda t: read_bundle(_bundle(t, _set("statements", "text", value=[1, "a"]))),
    "bundle lengths": lambda t: read_bundle(_bundle(t, _set("votes", "vote", value=[1]))),
    "bundle duplicate": lambda t: read_bundle(_bundle(t, _set("statements", "statement", value=[0, 0]))),
    "bundle unknown statement": lambda t: read_bundle(_bundle(t, _set("votes", "statement", value=[0, 7]))),
    "bundle summary": lambda t: read_bundle(_bundle(t, _set("summary", value={"topic": [1]}))),
    "bundle too long": lambda t: polis_import.read_export(_bundle(t, _set("statements", "text", value=["a", "x" * 1001]))),
    # the vote matrix (formats.to_vote_matrix)
    "matrix lengths": lambda t: build_vote_matrix([1], [1, 2], [1]),
    "matrix vote": lambda t: build_vote_matrix([1], [1], [2]),
    "matrix statement": lambda t: build_vote_matrix([1], [2], [1], statements=[1]),
    "matrix participant": lambda t: build_vote_matrix([2], [1], [1], participants=[1]),
}


def _raised(case: str, tmp_path: Path) -> str:
    with pytest.raises(VoteDataError) as raised:
        CASES[case](tmp_path)
    return str(raised.value)


def _problems(message: str) -> set[str]:
    """Patterns of the templates matching the message's problem part (after any ``": "``)."""
    tails = [message] + [message[k + 2:] for k in range(len(message)) if message.startswith(": ", k)]
    return {pattern.pattern for pattern, _template in PROBLEMS if any(pattern.match(tail) for tail in tails)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_translates_each_reader_message(case: str, tmp_path: Path) -> None:
    message = _raised(case, tmp_path)
    assert _problems(message), f"no translation template for: {message}"
    with translation.override("vi"):
        shown = localise(message)
    # a message matching no template would be shown as written
    assert shown != message, f"no translation template for: {message}"
    with translation.override("en"):
        assert localise(message) == message  # English stays as the reader wrote it


def test_every_template_has_a_case(tmp_path: Path) -> None:
    used: set[str] = set()
    for i, case in enumerate(CASES):
        folder = tmp_path / str(i)
        folder.mkdir()
        used |= _problems(_raised(case, folder))
    assert {pattern.pattern for pattern, _template in PROBLEMS} - used == set()


def test_it_translates_the_location() -> None:
    message = "polis.zip: comments.csv: row 5, column 'comment-body': 1001 characters, at most 1000 allowed"
    with translation.override("vi"):
        assert localise(message) == "polis.zip: comments.csv, dòng 5, cột 'comment-body': 1001 ký tự, tối đa 1000 ký tự"
        assert localise("votes.csv: column '9': statement not in comments.csv") == (
            "votes.csv, cột '9': ý kiến không có trong comments.csv")
        # a bundle's field and index, a ZIP entry's name: kept as written
        assert localise("b.json: votes.vote[3]: expected -1, 0 or 1, got 2") == (
            "b.json: votes.vote[3]: cần -1, 0 hoặc 1, nhận được 2")
        # a detail from the CSV parser may hold ": " itself
        assert localise("p.zip: comments.csv: cannot parse CSV (Error tokenizing data. C error: x)") == (
            "p.zip: comments.csv: không đọc được tệp CSV (Error tokenizing data. C error: x)")


def test_it_keeps_unknown_messages_as_they_are() -> None:
    with translation.override("vi"):
        for message in ("polis.zip: comments.csv: row 2, column 'x': something new happened",
                        "no location at all", "polis.zip: row 2: "):
            assert localise(message) == message
    assert problem("something new happened") is None


def test_every_template_is_translated() -> None:
    for _pattern, template in PROBLEMS:
        with translation.override("en"):
            english = str(template)
        with translation.override("vi"):
            assert str(template) != english, english


def test_the_import_page_reports_problems_in_vietnamese(personas: Any, as_user: Any) -> None:
    from django.urls import reverse

    from kientao.conversations.models import Conversation, Participant, Statement, Vote
    from kientao.core.models import AuditEntry, Job

    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    upload = _zip({"comments.csv": COMMENTS + "1,x,2,0,0,0,1," + "x" * 1001 + "\n", "votes.csv": VOTES})
    upload.name = "polis.zip"
    response = as_user(personas.organiser).post(
        reverse("conversations:import_conversation", args=[personas.org.slug]),
        {"export": upload, "topic": "", "language": "vi"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    html = response.content.decode()
    assert ("Không thể nhập tệp xuất này: polis.zip: comments.csv, dòng 4, cột &#x27;comment-body&#x27;: "
            "1001 ký tự, tối đa 1000 ký tự") in html, html
    assert not (Conversation.objects.exists() or Statement.objects.exists() or Participant.objects.exists()
                or Vote.objects.exists() or Job.objects.exists())
    assert not AuditEntry.objects.filter(action__startswith="conversations.").exists()
