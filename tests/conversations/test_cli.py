"""``kientao conversations ...`` on malformed bundles, and ``load`` into the database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kientao.cli import main

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "polis"

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    + "".join(f"{1500000000000 + i},x,{i},{i % 3},0,0,{[1, 1, 0, -1][i % 4]},statement number {i}\n"
              for i in range(10))
)


def _export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    t = 1500000000000
    for p in range(12):
        for s in range(10):
            t += 1000
            rows.append(f"{t},x,{s},{p},{1 if (p + s) % 3 else -1}")
    rows.append(f"{t + 1000},x,0,0,0")  # a re-vote: the later one counts
    (folder / "votes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "summary.csv").write_text("topic,Chợ đêm\nconversation-description,Mô tả\n",
                                        encoding="utf-8")
    return folder


def _bundle_doc() -> dict[str, Any]:
    return {
        "format": "kientao-conversation/1",
        "summary": {"topic": "T"},
        "statements": {"statement": [0, 1], "author": [0, -1], "moderated": [1, 1],
                       "is_meta": [False, False], "timestamp": [None, None],
                       "text": ["statement a", "statement b"]},
        "votes": {"participant": [1, 2], "statement": [0, 1], "vote": [1, -1],
                  "timestamp": [1.0, 2.0]},
    }


MALFORMED = [
    (("votes", "participant", 1, "x"), "b.json: votes.participant[1]: expected an integer, got 'x'"),
    (("votes", "participant", 1, None), "b.json: votes.participant[1]: expected an integer, got None"),
    (("votes", "vote", 0, 3), "b.json: votes.vote[0]: expected -1, 0 or 1, got 3"),
    (("votes", "vote", 1, None), "b.json: votes.vote[1]: expected -1, 0 or 1, got None"),
    (("votes", "statement", 0, 7), "b.json: votes.statement[0]: statement 7 not in statements"),
    (("statements", "moderated", 0, "1"), "b.json: statements.moderated[0]: expected -1, 0 or 1"),
    (("statements", "is_meta", 1, None), "b.json: statements.is_meta[1]: expected true or false"),
    (("statements", "text", 1, None), "b.json: statements.text[1]: expected a string, got None"),
    (("statements", "timestamp", 0, "x"), "b.json: statements.timestamp[0]: expected a number (ms)"),
]


def _one_line_error(capsys: Any) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("command", ["export", "analyze"])
@pytest.mark.parametrize(("change", "message"), MALFORMED)
def test_it_refuses_a_malformed_bundle_in_one_line(tmp_path: Path, capsys: Any, command: str,
                                                    change: tuple[str, str, int, Any], message: str) -> None:
    doc = _bundle_doc()
    key, col, index, value = change
    doc[key][col][index] = value
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    args = [str(bundle), str(out)] if command == "export" else [str(bundle), "--out", str(out)]
    assert main(["conversations", command, *args]) == 2
    assert message in _one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["votes"]["vote"].pop(), "b.json: votes.vote: 1 values, but votes.participant has 2"),
        (lambda d: d["statements"].pop("text"), "b.json: statements: missing array 'text'"),
        (lambda d: d.__setitem__("votes", None), "b.json: votes: expected an object of arrays"),
    ],
)
def test_it_refuses_a_bundle_with_missing_or_uneven_arrays(tmp_path: Path, capsys: Any, change: Any,
                                                           message: str) -> None:
    doc = _bundle_doc()
    change(doc)
    (tmp_path / "b.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["conversations", "export", str(tmp_path / "b.json"), str(tmp_path / "out")]) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_it_refuses_a_truncated_gzip_bundle(tmp_path: Path, capsys: Any) -> None:
    src = _export(tmp_path / "in")
    bundle = tmp_path / "b.json.gz"
    assert main(["conversations", "import", str(src), str(bundle)]) == 0
    bundle.write_bytes(bundle.read_bytes()[:40])
    capsys.readouterr()
    assert main(["conversations", "export", str(bundle), str(tmp_path / "out")]) == 2
    assert "b.json.gz: not a readable JSON bundle" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_it_exports_summary_with_polis_description_key(tmp_path: Path) -> None:
    src = _export(tmp_path / "in")
    bundle = tmp_path / "b.json"
    assert main(["conversations", "import", str(src), str(bundle)]) == 0
    assert json.loads(bundle.read_text(encoding="utf-8"))["summary"]["description"] == "Mô tả"
    assert main(["conversations", "export", str(bundle), str(tmp_path / "out"), "--no-groups"]) == 0
    lines = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert "conversation-description,Mô tả" in lines
    assert not any(line.startswith("description,") for line in lines)


# --- load: into the database ---------------------------------------------------------------


def test_it_loads_an_export_folder_into_the_database(tmp_path: Path, personas: Any, capsys: Any) -> None:
    from kientao.conversations.models import Conversation, Statement, Vote
    from kientao.core.models import AuditEntry

    src = _export(tmp_path / "in")
    assert main(["conversations", "load", str(src), "--owner", personas.organiser.email]) == 0
    conv = Conversation.objects.get()
    assert conv.organisation == personas.org and conv.created_by == personas.organiser
    assert conv.topic == "Chợ đêm" and conv.description == "Mô tả"
    assert conv.statements.count() == 10 and conv.participants.count() == 12
    assert list(conv.statements.values_list("status", flat=True)) == [
        {1: Statement.Status.ACCEPTED, 0: Statement.Status.PENDING, -1: Statement.Status.REJECTED}[
            [1, 1, 0, -1][i % 4]] for i in range(10)]
    votes = Vote.objects.filter(statement__conversation=conv)
    assert votes.count() == 120
    first = votes.get(statement__text="statement number 0", participant=conv.participants.order_by("pk")[0])
    assert first.value == 0 and first.updated_at > first.created_at  # the re-vote, with its times
    out = capsys.readouterr().out
    assert f"conversation {conv.public_id}" in out
    assert out.startswith("10 statements, 12 participants, 120 votes -> ")
    assert AuditEntry.objects.filter(action="conversations.import_conversation").count() == 1


def test_it_loads_a_zip_into_a_named_organisation(tmp_path: Path, personas: Any) -> None:
    from kientao.conversations.models import Conversation

    src = _export(tmp_path / "in")
    archive = tmp_path / "e.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in src.iterdir():
            zf.write(path, arcname=path.name)
    code = main(["conversations", "load", str(archive), "--owner", personas.platform_admin.email,
                 "--organisation", personas.other_org.slug, "--topic", "Tên khác", "--language", "en"])
    assert code == 0
    conv = Conversation.objects.get()
    assert conv.organisation == personas.other_org and conv.topic == "Tên khác"
    assert conv.languages == ["en"] and set(conv.statements.values_list("language", flat=True)) == {"en"}


@pytest.mark.parametrize(
    ("who", "extra", "message"),
    [
        ("nobody@example.org", [], "--owner: no active account"),
        ("member", [], "--organisation SLUG is needed (member@example.org organises in: none)"),
        ("organiser", ["--organisation", "other-lab"], "may not create conversations in 'other-lab'"),
        ("organiser", ["--organisation", "nope"], "--organisation: no organisation 'nope'"),
        ("platform_admin", [], "--organisation SLUG is needed"),
    ],
)
def test_it_refuses_to_load_for_who_may_not_organise(tmp_path: Path, personas: Any, capsys: Any,
                                                     who: str, extra: list[str], message: str) -> None:
    from kientao.conversations.models import Conversation

    src = _export(tmp_path / "in")
    email = getattr(personas, who).email if hasattr(personas, who) else who
    assert main(["conversations", "load", str(src), "--owner", email, *extra]) == 2
    assert message in _one_line_error(capsys)
    assert not Conversation.objects.exists()


def test_it_loads_nothing_from_a_malformed_export(tmp_path: Path, personas: Any, capsys: Any) -> None:
    from kientao.conversations.models import Conversation, Participant, Statement, Vote

    src = _export(tmp_path / "in")
    with open(src / "votes.csv", "a", encoding="utf-8") as fh:
        fh.write("1600000000000,x,3,4,2\n")
    assert main(["conversations", "load", str(src), "--owner", personas.organiser.email]) == 2
    assert "votes.csv: row 123, column 'vote': expected -1 or 0 or 1, got '2'" in _one_line_error(capsys)
    assert not (Conversation.objects.exists() or Statement.objects.exists() or Participant.objects.exists()
                or Vote.objects.exists())


# 15-per-hour-seattle has statements of up to 311 characters (longer than we ask of new ones)
@pytest.mark.parametrize("name", ["london.youth.policing", "15-per-hour-seattle"])
def test_it_loads_a_real_polis_export(personas: Any, name: str) -> None:
    import pandas as pd

    from kientao.conversations.models import Conversation, Vote

    folder = DATA / name
    if not folder.is_dir():
        pytest.skip(f"reference data folder {folder} is absent")
    assert main(["conversations", "load", str(folder), "--owner", personas.organiser.email]) == 0
    conv = Conversation.objects.get()
    comments = pd.read_csv(folder / "comments.csv")
    votes = pd.read_csv(folder / "votes.csv")
    assert conv.statements.count() == len(comments)
    assert sorted(conv.statements.values_list("text", flat=True)) == sorted(comments["comment-body"])
    voters = set(votes["voter-id"]) | set(comments["author-id"])
    assert conv.participants.count() == len(voters)
    assert Vote.objects.filter(statement__conversation=conv).count() == len(
        votes.drop_duplicates(["voter-id", "comment-id"]))


def test_it_says_when_the_database_is_not_set_up(personas: Any, capsys: Any, monkeypatch: Any) -> None:
    """A new machine whose database has no tables: one line saying what to run, no traceback."""
    from django.db import OperationalError

    from kientao.conversations import polis_import

    def no_tables(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: core_user")

    monkeypatch.setattr(polis_import, "read_export", no_tables)
    code = main(["conversations", "load", "anything.zip", "--owner", personas.organiser.email])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip() == ("error: the database is not ready (no such table: core_user); set it up with "
                           "'kientao manage migrate' (or start 'kientao serve' once)")
