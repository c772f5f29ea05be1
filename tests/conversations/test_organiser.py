"""Organiser pages: create and edit, share, moderate, analyse, publish."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kientao.conversations.models import AnalysisRun, Conversation, Statement
from kientao.core.models import AuditEntry

FORM = {
    "topic": "Chợ đêm và rác thải",
    "description": "Ý kiến của bạn",
    "languages": ["vi", "en"],
    "allow_statements": "on",
    "moderation": "pre",
    "consent_text": "Dùng để thống kê",
    "opens_at": "",
    "closes_at": "",
    "seeds": "Cấm túi ni lông ở chợ đêm\nThêm thùng rác phân loại\n\nCấm túi ni lông ở chợ đêm",
    "questions": "age_band | Nhóm tuổi | Age band | 18–29, 30–44, 45+",
}


def test_it_creates_a_conversation_with_seed_statements(as_user: Any, personas: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("conversations:create_conversation", args=[personas.org.slug]), FORM)
    assert response.status_code == 302
    conv = Conversation.objects.get()
    assert conv.organisation == personas.org and conv.created_by == personas.organiser
    assert list(conv.statements.values_list("text", flat=True)) == [
        "Cấm túi ni lông ở chợ đêm", "Thêm thùng rác phân loại"]
    assert conv.statements.filter(status=Statement.Status.ACCEPTED, is_seed=True).count() == 2
    assert conv.attribute_questions[0]["choices"] == ["18–29", "30–44", "45+"]
    assert AuditEntry.objects.filter(action="conversations.create_conversation").count() == 1
    assert response["Location"] == reverse("conversations:manage", args=[conv.public_id])


def test_it_edits_a_conversation_and_audits_it(as_user: Any, personas: Any, conversation: Any) -> None:
    client = as_user(personas.org_admin)
    url = reverse("conversations:edit_conversation", args=[conversation.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, FORM | {"topic": "Đổi tên", "seeds": "Một ý kiến mới hoàn toàn"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.topic == "Đổi tên"
    assert conversation.statements.count() == 6
    entry = AuditEntry.objects.get(action="conversations.edit_conversation")
    assert entry.before["topic"] == "Rác thải nhựa ban đêm" and entry.after["topic"] == "Đổi tên"


@pytest.mark.parametrize(
    "change",
    [{"topic": ""}, {"seeds": "abc"}, {"seeds": "x" * 300}, {"questions": "only | two"},
     {"questions": "Bad Key | a | b | c, d"}, {"questions": "k | a | b | one"},
     {"opens_at": "2026-05-02T10:00", "closes_at": "2026-05-01T10:00"}, {"opens_at": "not a date"},
     {"languages": ["xx"]}, {"moderation": "sometimes"}, {"consent_text": ""}],
)
def test_it_refuses_bad_conversation_forms(as_user: Any, personas: Any, change: dict[str, Any]) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("conversations:create_conversation", args=[personas.org.slug]),
                           FORM | change)
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_it_shows_the_link_qr_code_and_embed_code(as_user: Any, personas: Any, conversation: Any) -> None:
    html = as_user(personas.member).get(
        reverse("conversations:manage", args=[conversation.public_id])).content.decode()
    assert f"/conversations/{conversation.public_id}/" in html
    assert "<svg" in html and "&lt;iframe" in html
    assert "Analyse now" not in html  # members view, organisers act


def test_it_lets_the_embed_page_be_framed(client: Any, conversation: Any) -> None:
    embed = client.get(reverse("conversations:embed", args=[conversation.public_id]))
    assert "X-Frame-Options" not in embed
    page = client.get(reverse("conversations:vote", args=[conversation.public_id]))
    assert page["X-Frame-Options"] == "DENY"


def test_it_moderates_with_duplicate_hints(as_user: Any, personas: Any, conversation: Any) -> None:
    pending = Statement.objects.create(conversation=conversation,
                                       text="Thành phố nên cấm túi ni lông dùng 1 lần!")
    client = as_user(personas.organiser)
    url = reverse("conversations:moderate", args=[conversation.public_id])
    page = client.get(url)
    rows = page.context["rows"]
    assert rows[0][0] == pending and rows[0][1][0].text == "Thành phố nên cấm túi ni lông dùng một lần."
    assert client.post(url, {"statement": pending.pk, "decision": "reject"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Statement.Status.REJECTED
    assert AuditEntry.objects.filter(action="conversations.moderate_statement").exists()
    assert client.post(url, {"statement": pending.pk, "decision": "meta"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Statement.Status.ACCEPTED and pending.is_meta


@pytest.mark.parametrize("data", [{}, {"statement": "x", "decision": "accept"},
                                  {"statement": "1", "decision": "delete"}])
def test_it_refuses_bad_moderation(as_user: Any, personas: Any, conversation: Any, data: dict[str, str]) -> None:
    url = reverse("conversations:moderate", args=[conversation.public_id])
    assert as_user(personas.organiser).post(url, data).status_code == 400


def test_it_refuses_to_moderate_another_conversations_statement(as_user: Any, personas: Any,
                                                                 conversation: Any) -> None:
    other = Conversation.objects.create(organisation=personas.other_org, topic="Other")
    foreign = Statement.objects.create(conversation=other, text="Not yours to moderate")
    url = reverse("conversations:moderate", args=[conversation.public_id])
    response = as_user(personas.organiser).post(url, {"statement": foreign.pk, "decision": "accept"})
    assert response.status_code == 404


def test_it_runs_an_analysis_job_and_publishes(as_user: Any, personas: Any, voted: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(personas.organiser)
    before = AnalysisRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:start_analysis", args=[voted.public_id]))
    assert response.status_code == 302
    assert AnalysisRun.objects.count() == before + 1
    run = AnalysisRun.objects.first()
    assert run is not None and run.job is not None and run.job.status == "succeeded"
    assert AuditEntry.objects.filter(action="conversations.start_analysis").exists()
    client.post(reverse("conversations:publish_report", args=[voted.public_id]), {"published": "1"})
    voted.refresh_from_db()
    assert voted.report_published
    assert AuditEntry.objects.filter(action="conversations.publish_report").exists()


def _vote_on_three(client: Any, conversation: Any) -> None:
    for statement in list(conversation.statements.order_by("pk"))[:3]:
        response = client.post(reverse("conversations:cast_vote", args=[conversation.public_id]),
                               {"statement": statement.pk, "vote": 1})
        assert response.status_code == 302


def test_it_refuses_about_you_answers_once_closed(client: Any, conversation: Any) -> None:
    """Like the embedded widget's form: same message, same status, nothing saved."""
    from datetime import timedelta

    from django.utils import timezone

    from kientao.conversations.models import Participant

    _vote_on_three(client, conversation)
    url = reverse("conversations:about_you", args=[conversation.public_id])
    conversation.closes_at = timezone.now() - timedelta(minutes=1)
    conversation.save()
    response = client.post(url, {"q_age_band": "18–29", "consent": "on"})
    assert response.status_code == 403
    assert "This conversation is not open for votes." in response.content.decode()
    participant = Participant.objects.get(conversation=conversation)
    assert participant.attributes == {} and participant.consent_at is None
    conversation.closes_at = None
    conversation.opens_at = timezone.now() + timedelta(days=1)  # not open yet: refused too
    conversation.save()
    assert client.post(url, {"q_age_band": "18–29", "consent": "on"}).status_code == 403
    conversation.opens_at = None  # open again: the same answers are saved
    conversation.save()
    assert client.post(url, {"q_age_band": "18–29", "consent": "on"}).status_code == 302
    participant.refresh_from_db()
    assert participant.attributes == {"age_band": "18–29"}


def test_it_refuses_new_statements_once_closed(client: Any, conversation: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("conversations:add_statement", args=[conversation.public_id])
    before = conversation.statements.count()
    conversation.closes_at = timezone.now() - timedelta(minutes=1)
    conversation.save()
    response = client.post(url, {"text": "Một ý kiến mới sau khi đóng"})
    assert response.status_code == 403
    assert "New statements are not accepted here." in response.content.decode()
    assert conversation.statements.count() == before
    conversation.closes_at = None
    conversation.save()
    assert client.post(url, {"text": "Một ý kiến mới khi đang mở"}).status_code == 302
    assert conversation.statements.count() == before + 1


def _running_analysis(conversation: Any, message: str) -> Any:
    from kientao.core.models import Job

    return Job.objects.create(kind="conversations.analyse", params={"conversation": conversation.pk},
                              organisation=conversation.organisation, status=Job.Status.RUNNING,
                              progress=50, message=message)


def test_it_shows_the_engines_progress_in_vietnamese(as_user: Any, personas: Any, conversation: Any) -> None:

    client = as_user(personas.organiser)  # preferred language "en"; the language cookie wins
    client.cookies["kientao_language"] = "vi"
    url = reverse("conversations:manage", args=[conversation.public_id])
    job = _running_analysis(conversation, "done")
    html = client.get(url).content.decode()
    assert "Hoàn tất" in html and "— done" not in html
    job.delete()
    _running_analysis(conversation, "representativeness")
    html = client.get(url).content.decode()
    assert "Đang tìm điều làm mỗi nhóm khác biệt" in html and "representativeness" not in html


def test_it_shows_unknown_progress_messages_as_written(as_user: Any, personas: Any, conversation: Any) -> None:
    _running_analysis(conversation, "Đang đọc phiếu bước 7")
    html = as_user(personas.organiser).get(reverse("conversations:manage", args=[conversation.public_id]))
    assert "Đang đọc phiếu bước 7" in html.content.decode()


def test_it_reports_progress_in_the_language_of_whoever_started_it(personas: Any, voted: Any) -> None:
    """A worker has no request (default language); the job's author reads Vietnamese."""
    from django.utils import translation

    from kientao.conversations.analysis import PROGRESS_MESSAGES, run_analysis
    from kientao.core.models import Job

    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    job = Job.objects.create(kind="conversations.analyse", params={"conversation": voted.pk},
                             created_by=personas.organiser)
    seen: list[str] = []
    with translation.override("en"):
        run_analysis(voted, job=job, progress=lambda p, m: seen.append(m))
    assert seen and seen[-1] == "Hoàn tất"
    assert "Đang đặt người tham gia lên bản đồ ý kiến" in seen  # the engine's "PCA"
    with translation.override("vi"):
        readable = {str(v) for v in PROGRESS_MESSAGES.values()}
    assert set(seen) <= readable and not set(seen) & set(PROGRESS_MESSAGES)
    seen.clear()
    with translation.override("vi"):  # no job: the active language
        run_analysis(voted, progress=lambda p, m: seen.append(m))
    assert seen[-1] == "Hoàn tất"
