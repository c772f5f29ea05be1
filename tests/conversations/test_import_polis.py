"""The organiser's Pol.is import page: round trip with our export, a real export, refusals."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.urls import reverse

from kientao.conversations.models import Conversation, Participant, Statement, Vote
from kientao.core.models import AuditEntry

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "polis"

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1500000000000,x,0,0,0,0,1,Cấm túi ni lông ở chợ đêm\n"
    "1500000001000,x,1,1,0,0,-1,Quảng cáo rác\n"
    "1500000002000,x,2,1,0,0,0,Thêm thùng rác phân loại\n"
)
VOTES = ("timestamp,datetime,comment-id,voter-id,vote\n"
         "1500000003000,x,0,0,1\n1500000004000,x,0,1,-1\n1500000005000,x,2,1,0\n")


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _upload(client: Any, org: Any, content: bytes, name: str = "export.zip", **fields: str) -> Any:
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("conversations:import_conversation", args=[org.slug]),
                       {"export": upload, "topic": "", "language": "vi", **fields})


def _nothing_saved() -> None:
    assert not Conversation.objects.exists()
    assert not (Statement.objects.exists() or Participant.objects.exists() or Vote.objects.exists())
    assert not AuditEntry.objects.filter(action="conversations.import_conversation").exists()


def test_it_round_trips_a_conversation_through_our_polis_zip(as_user: Any, personas: Any, voted: Any) -> None:
    statements = list(voted.statements.order_by("pk"))
    statements[1].status = Statement.Status.REJECTED
    statements[2].status = Statement.Status.PENDING
    statements[3].is_meta = True
    Statement.objects.bulk_update(statements, ["status", "is_meta"])
    exported = as_user(personas.organiser).get(reverse("conversations:export_polis", args=[voted.public_id]))
    assert exported.status_code == 200

    admin = as_user(personas.org_admin)
    response = _upload(admin, personas.org, exported.content, "polis.zip")
    new = Conversation.objects.exclude(pk=voted.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:manage", args=[new.public_id])
    assert new.topic == voted.topic and new.description == voted.description
    assert new.organisation == personas.org and new.created_by == personas.org_admin

    def described(conv: Conversation) -> list[tuple[str, str, bool]]:
        return list(conv.statements.order_by("pk").values_list("text", "status", "is_meta"))

    assert described(new) == described(voted)
    old_people = list(voted.participants.order_by("pk"))
    new_people = list(new.participants.order_by("pk"))
    assert len(new_people) == len(old_people) == 40

    def votes_of(person: Participant) -> set[tuple[str, int, int]]:
        return {(v.statement.text, v.value, int(v.updated_at.timestamp() * 1000))
                for v in person.votes.select_related("statement")}

    for old, fresh in zip(old_people, new_people, strict=True):
        assert votes_of(fresh) == votes_of(old)
    assert Vote.objects.filter(statement__conversation=new).count() == 200
    # participants of an import are anonymous, unknown tokens, no account
    assert not new.participants.filter(user__isnull=False).exists()
    assert not set(new.participants.values_list("token_hash", flat=True)) & set(
        voted.participants.values_list("token_hash", flat=True))
    entry = AuditEntry.objects.get(action="conversations.import_conversation")
    assert entry.after == {"source": "polis.zip", "statements": 5, "participants": 40, "votes": 200}
    manage = admin.get(response["Location"])
    assert "Imported: 5 statements, 40 participants, 200 votes." in manage.content.decode()


def test_it_imports_a_real_polis_export(as_user: Any, personas: Any, settings: Any) -> None:
    folder = DATA / "brexit-consensus"
    if not folder.is_dir():
        pytest.skip(f"reference data folder {folder} is absent")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the upload goes to a temporary file, as big ones do
    files = {f"brexit-consensus/{p.name}": p.read_bytes() for p in folder.iterdir() if p.suffix == ".csv"}
    response = _upload(as_user(personas.organiser), personas.org, _zip(files), "brexit.zip")
    assert response.status_code == 302
    conv = Conversation.objects.get()
    comments = pd.read_csv(folder / "comments.csv")
    votes = pd.read_csv(folder / "votes.csv")
    assert conv.topic == "Can there be consensus on Brexit?"
    assert conv.description.startswith("An experimental Pol.Is question.")
    assert conv.statements.count() == len(comments) == 50
    assert conv.statements.filter(status=Statement.Status.ACCEPTED).count() == int((comments["moderated"] == 1).sum())
    texts = set(conv.statements.values_list("text", flat=True))
    assert texts == set(comments["comment-body"])
    people = set(votes["voter-id"]) | set(comments["author-id"])
    assert conv.participants.count() == len(people)
    latest = votes.sort_values("timestamp", kind="stable").drop_duplicates(["voter-id", "comment-id"], keep="last")
    stored = Vote.objects.filter(statement__conversation=conv)
    assert stored.count() == len(latest)
    assert sorted(stored.values_list("value", flat=True)) == sorted(latest["vote"].tolist())


def test_it_imports_final_votes_from_participants_votes(as_user: Any, personas: Any) -> None:
    pv = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n0,,1,1,1,0,1,,\n1,,2,2,0,1,-1,,0\n"
    files = {"comments.csv": COMMENTS, "participants-votes.csv": pv, "summary.csv": "topic,Chợ đêm\n"}
    response = _upload(as_user(personas.organiser), personas.org, _zip(files), topic="  Tên   riêng ")
    assert response.status_code == 302
    conv = Conversation.objects.get()
    assert conv.topic == "Tên riêng"
    assert list(conv.statements.values_list("status", flat=True)) == ["accepted", "rejected", "pending"]
    assert sorted(Vote.objects.filter(statement__conversation=conv).values_list("value", flat=True)) == [-1, 0, 1]


BAD_ZIPS = [
    ({"comments.csv": COMMENTS, "votes.csv": VOTES + "1500000006000,x,2,2,yes\n"},
     "votes.csv: row 5, column &#x27;vote&#x27;: expected -1 or 0 or 1, got &#x27;yes&#x27;"),
    ({"comments.csv": COMMENTS.replace(",0,Thêm", ",7,Thêm"), "votes.csv": VOTES},
     "comments.csv: row 4, column &#x27;moderated&#x27;: expected -1 or 0 or 1, got &#x27;7&#x27;"),
    ({"comments.csv": COMMENTS + f"1500000009000,x,3,0,0,0,1,{'x' * 1001}\n", "votes.csv": VOTES},
     "comments.csv: row 5, column &#x27;comment-body&#x27;: 1001 characters, at most 1000"),
    ({"votes.csv": VOTES}, "comments.csv: file not found"),
    ({"../comments.csv": COMMENTS, "votes.csv": VOTES}, "&#x27;../comments.csv&#x27;: unsafe file name"),
    ({"comments.csv": COMMENTS, "votes.csv": VOTES, "<script>x</script>.csv": "a"},
     "&#x27;&lt;script&gt;x&lt;/script&gt;.csv&#x27;: unexpected file"),
]


@pytest.mark.parametrize(("files", "message"), BAD_ZIPS)
def test_it_refuses_a_malformed_zip_and_saves_nothing(as_user: Any, personas: Any, files: dict[str, str],
                                                      message: str) -> None:
    response = _upload(as_user(personas.organiser), personas.org, _zip(files))
    assert response.status_code == 400  # the app answers a refused form with 400, never a 500
    html = response.content.decode()
    assert "This export cannot be imported: export.zip: " in html and message in html
    assert "<script>x" not in html
    _nothing_saved()


def test_it_refuses_what_is_not_a_zip(as_user: Any, personas: Any) -> None:
    response = _upload(as_user(personas.organiser), personas.org, b"timestamp,comment-id\n", "comments.csv")
    assert response.status_code == 400
    assert "comments.csv: not a readable ZIP file" in response.content.decode()
    _nothing_saved()


def test_it_refuses_a_zip_larger_than_allowed(as_user: Any, personas: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_IMPORT_MAX_BYTES = 300
    content = _zip({"comments.csv": COMMENTS, "votes.csv": VOTES + "".join(
        f"15000000{i:05d},x,0,{i},1\n" for i in range(50))})
    assert len(content) > 300
    response = _upload(as_user(personas.organiser), personas.org, content)
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    _nothing_saved()


def test_it_refuses_a_zip_bomb(as_user: Any, personas: Any, settings: Any) -> None:
    settings.KIENTAO_CONVERSATIONS_IMPORT_MAX_UNZIPPED_BYTES = 1_000_000
    content = _zip({"comments.csv": COMMENTS, "votes.csv": VOTES + " " * 3_000_000})
    assert len(content) < 20_000
    response = _upload(as_user(personas.organiser), personas.org, content)
    assert response.status_code == 400
    assert "export.zip: more than 1000000 bytes of CSV once uncompressed" in response.content.decode()
    _nothing_saved()


def test_it_saves_nothing_when_the_import_fails_midway(personas: Any, monkeypatch: Any) -> None:
    from kientao.conversations import polis_import

    data = polis_import.read_export(io.BytesIO(_zip({"comments.csv": COMMENTS, "votes.csv": VOTES})),
                                    name="e.zip")
    insert_votes = polis_import._insert_votes

    def fail_after_inserting(rows: Any) -> None:
        insert_votes(rows)
        assert Vote.objects.count() == 3
        raise RuntimeError("disk full")

    monkeypatch.setattr(polis_import, "_insert_votes", fail_after_inserting)
    with pytest.raises(RuntimeError):
        polis_import.import_conversation(data, personas.org, personas.organiser)
    _nothing_saved()


@pytest.mark.slow
def test_it_imports_fifty_thousand_votes_in_seconds(as_user: Any, personas: Any) -> None:
    n_people, n_statements = 1000, 50
    comments = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n" + "".join(
        f"{1500000000000 + s},x,{s},{s},0,0,1,Ý kiến số {s}\n" for s in range(n_statements))
    votes = "timestamp,datetime,comment-id,voter-id,vote\n" + "".join(
        f"{1500000000000 + p * 100 + s},x,{s},{p},{(p * 7 + s) % 3 - 1}\n"
        for p in range(n_people) for s in range(n_statements))
    content = _zip({"comments.csv": comments, "votes.csv": votes})
    client = as_user(personas.organiser)
    start = time.perf_counter()
    response = _upload(client, personas.org, content)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302
    assert Vote.objects.count() == 50_000 and Participant.objects.count() == n_people
    # Takes about 2 s on a laptop; the bound leaves room for a busy CI machine.
    assert elapsed < 20, f"{elapsed:.1f} s"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("platform_admin", 200), ("org_admin", 200), ("organiser", 200), ("judge", 403), ("member", 403),
     ("applicant", 404), ("outsider", 404), (None, 302)],
)
def test_it_lets_only_organisers_import(as_user: Any, personas: Any, who: str | None, status: int,
                                        method: str) -> None:
    client = as_user(getattr(personas, who) if who else None)
    url = reverse("conversations:import_conversation", args=[personas.org.slug])
    if method == "get":
        response = client.get(url)
    else:
        response = _upload(client, personas.org, _zip({"comments.csv": COMMENTS, "votes.csv": VOTES}))
        status = 302 if status == 200 else status  # an organiser's upload redirects to the new conversation
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("core:login"))
    if status in (403, 404) or who is None:
        _nothing_saved()


def test_it_shows_the_import_form(as_user: Any, personas: Any) -> None:
    html = as_user(personas.organiser).get(
        reverse("conversations:import_conversation", args=[personas.org.slug])).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="export"' in html and personas.org.name in html


def test_it_reads_times_in_seconds_as_pol_is_exports_them_today(as_user: Any, personas: Any) -> None:
    # Pol.is's current export writes seconds (Math.floor(created / 1000)); the open data, ms
    comments = COMMENTS.replace("1500000000000", "1500000000").replace("1500000001000", "1500000001")
    votes = "timestamp,datetime,comment-id,voter-id,vote\n1500000003,x,0,0,1\n1500000004,x,0,1,-1\n"
    assert _upload(as_user(personas.organiser), personas.org,
                   _zip({"comments.csv": comments, "votes.csv": votes})).status_code == 302
    first = Statement.objects.get(text="Cấm túi ni lông ở chợ đêm")
    assert first.created_at.year == 2017  # 1500000000 s = 2017-07-14, not 1970
    assert sorted(v.created_at.timestamp() for v in Vote.objects.all()) == [1500000003, 1500000004]


def test_it_counts_a_log_without_times_as_unknown_times(as_user: Any, personas: Any) -> None:
    from django.utils import timezone

    votes = "comment-id,voter-id,vote\n0,0,1\n0,1,-1\n0,1,1\n"  # no timestamp: row order
    before = timezone.now()
    assert _upload(as_user(personas.organiser), personas.org,
                   _zip({"comments.csv": COMMENTS, "votes.csv": votes})).status_code == 302
    # participant 1's later row (+1) replaces the earlier (-1): row order stands for time
    assert sorted(Vote.objects.values_list("value", flat=True)) == [1, 1]
    assert all(v.created_at >= before for v in Vote.objects.all())  # not 1970


def test_it_keeps_control_characters_out_of_the_topic_and_description(as_user: Any, personas: Any) -> None:
    summary = "topic,Chợ\x00 đêm\x07\nconversation-description,Mô\x00 tả\n"
    assert _upload(as_user(personas.organiser), personas.org,
                   _zip({"comments.csv": COMMENTS, "votes.csv": VOTES, "summary.csv": summary})).status_code == 302
    conv = Conversation.objects.get()
    assert (conv.topic, conv.description) == ("Chợ đêm", "Mô tả")


@pytest.mark.parametrize("ids", [("inf", "2"), ("1e19", "2e19"), ("9007199254740993", "2")])
def test_it_refuses_ids_that_are_not_exact_integers(as_user: Any, personas: Any, ids: tuple[str, str]) -> None:
    # 1e19 and 2e19 would both become the same int64; 2**53 + 1 is not exact in float64
    comments = COMMENTS.replace(",0,0,0,0,1,", f",{ids[0]},0,0,0,1,").replace(",2,1,0,0,0,", f",{ids[1]},1,0,0,0,")
    response = _upload(as_user(personas.organiser), personas.org, _zip({"comments.csv": comments, "votes.csv": VOTES}))
    assert response.status_code == 400
    assert f"column &#x27;comment-id&#x27;: expected an integer, got &#x27;{ids[0]}&#x27;" in response.content.decode()
    _nothing_saved()


def test_it_refuses_a_damaged_bzip2_entry(as_user: Any, personas: Any) -> None:
    from tests.conversations.test_messages import _damaged_bzip2

    response = _upload(as_user(personas.organiser), personas.org, _damaged_bzip2().getvalue())
    assert response.status_code == 400
    assert "cannot decompress the ZIP" in response.content.decode()
    _nothing_saved()


def test_it_starts_the_analysis_of_the_imported_conversation(as_user: Any, personas: Any) -> None:
    from kientao.core.models import Job

    client = as_user(personas.organiser)
    response = _upload(client, personas.org, _zip({"comments.csv": COMMENTS, "votes.csv": VOTES}))
    assert response.status_code == 302
    conv = Conversation.objects.get()
    job = Job.objects.get(kind="conversations.analyse")  # queued once the request's transaction commits
    assert job.params == {"conversation": conv.pk} and job.status == Job.Status.QUEUED
    assert job.organisation == personas.org and job.created_by == personas.organiser
    # the organiser lands on the manage page with the job under way
    manage = client.get(response["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in manage and reverse("core:job_detail", args=[job.pk]) in manage


def test_it_analyses_the_imported_conversation_once_committed(as_user: Any, personas: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    from kientao.conversations.models import AnalysisRun
    from kientao.core.models import Job

    with django_capture_on_commit_callbacks(execute=True):  # the in-process backend runs the job
        response = _upload(as_user(personas.organiser), personas.org,
                           _zip({"comments.csv": COMMENTS, "votes.csv": VOTES}))
    assert response.status_code == 302
    conv = Conversation.objects.get()
    job = Job.objects.get(kind="conversations.analyse", params__conversation=conv.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = AnalysisRun.objects.get(conversation=conv)
    assert run.job == job and run.n_votes == 3


def test_it_starts_no_analysis_when_the_import_is_refused(as_user: Any, personas: Any) -> None:
    from kientao.core.models import Job

    response = _upload(as_user(personas.organiser), personas.org, _zip({"votes.csv": VOTES}))
    assert response.status_code == 400
    assert not Job.objects.exists()
    _nothing_saved()
