"""Every conversations page and endpoint, for every persona."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from kientao.conversations.views import EXPORT_TABLES
from tests.access import PERSONAS, SIGNED_IN, expected
from tests.conftest import PASSWORD
from tests.conversations.test_import_polis import COMMENTS, VOTES, _zip
from tests.conversations.test_organiser import FORM

ANON = "anonymous"
MEMBERS = {"org_admin", "organiser", "judge", "member", "platform_admin"}
ORGANISERS = {"org_admin", "organiser", "platform_admin"}
EVERYONE = set(PERSONAS)


def _user(personas: Any, persona: str) -> Any:
    return None if persona == ANON else getattr(personas, persona)


PAGES = [
    ("conversations:manage", (), expected(MEMBERS)),
    ("conversations:edit_conversation", (), expected(ORGANISERS)),
    ("conversations:moderate", (), expected(ORGANISERS)),
    ("conversations:report", (), expected(MEMBERS)),
    ("conversations:export_table", ("statements", "csv"), expected(MEMBERS)),
    ("conversations:export_polis", (), expected(MEMBERS)),
    ("conversations:vote", (), dict.fromkeys(PERSONAS, 200)),
    ("conversations:embed", (), dict.fromkeys(PERSONAS, 200)),
]


@pytest.mark.parametrize(("name", "extra", "codes"), PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_conversation_pages(personas: Any, as_user: Any, voted: Any, name: str,
                                      extra: tuple[str, ...], codes: dict[str, int], persona: str) -> None:
    response = as_user(_user(personas, persona)).get(reverse(name, args=[voted.public_id, *extra]))
    assert response.status_code == codes[persona], (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_index_and_the_create_page(personas: Any, as_user: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    assert client.get(reverse("conversations:index")).status_code == 200
    response = client.get(reverse("conversations:create_conversation", args=[personas.org.slug]))
    assert response.status_code == expected(ORGANISERS)[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_published_report_to_everyone(personas: Any, as_user: Any, voted: Any,
                                                 persona: str) -> None:
    voted.report_published = True
    voted.save()
    client = as_user(_user(personas, persona))
    assert client.get(reverse("conversations:report", args=[voted.public_id])).status_code == 200
    url = reverse("conversations:export_table", args=[voted.public_id, "groups", "xlsx"])
    assert client.get(url).status_code == 200
    assert client.get(f"/api/conversations/{voted.public_id}/analysis").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_organiser_actions(personas: Any, as_user: Any, voted: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    for name in ("conversations:start_analysis", "conversations:publish_report"):
        response = client.post(reverse(name, args=[voted.public_id]), {"published": "1"})
        want = expected(ORGANISERS)[persona]
        assert response.status_code == (302 if want == 200 else want), (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_api(personas: Any, as_user: Any, voted: Any, persona: str) -> None:
    client = as_user(_user(personas, persona))
    base = f"/api/conversations/{voted.public_id}"
    assert client.get(base).status_code == 200
    assert client.get(base + "/statements").status_code == 200
    analysis = client.get(base + "/analysis").status_code
    assert analysis == (200 if persona in MEMBERS else 404), persona


def test_it_answers_404_for_unknown_or_malformed_ids(as_user: Any, personas: Any) -> None:
    client = as_user(personas.organiser)
    for public_id in ("nope1234", "bad-id!", "x" * 30):
        assert client.get(f"/conversations/{public_id}/").status_code == 404
        assert client.get(f"/api/conversations/{public_id}").status_code == 404
    assert SIGNED_IN


# --- every state-changing request, for every persona ------------------------------------------
#
# Expected answers follow kientao/core/permissions.py and each view's check: writes of the
# organiser's pages ``require(ORGANISE)`` (organiser, organisation admin, platform admin);
# members without that role get 403, non-members 404 (the organisation stays hidden) and
# anonymous visitors the login page. An organiser of another organisation is a non-member
# here. A refused request must leave the database exactly as it was.

OTHER = "other_organiser"
ALL = (*PERSONAS, OTHER)


def _codes(allowed: set[str]) -> dict[str, int]:
    """``expected`` for the personas, and 404 for the other organisation's organiser."""
    return expected(allowed) | {OTHER: 404}


@pytest.fixture
def persona_user(personas: Any) -> Callable[[str], Any]:
    """``persona_user(name)``: the account of a persona (None: anonymous), the other
    organisation's organiser included (created when first asked for)."""
    from kientao.core.models import Membership, Role, User

    def find(persona: str) -> Any:
        if persona != OTHER:
            return _user(personas, persona)
        user, created = User.objects.get_or_create(
            email="other_organiser@example.org",
            defaults={"full_name": "Other Organiser", "email_confirmed": True, "preferred_language": "en"})
        if created:
            user.set_password(PASSWORD)
            user.save()
            Membership.objects.create(user=user, organisation=personas.other_org, role=Role.ORGANISER)
        return user

    return find


@pytest.fixture
def sign_in(as_user: Any, persona_user: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda persona: as_user(persona_user(persona))


def _database() -> dict[str, Any]:
    """Every row a conversations write may touch, to compare before and after a refusal."""
    from kientao.conversations.models import AnalysisRun, Conversation, Participant, Statement, Vote
    from kientao.core.models import AuditEntry, Job

    return {
        "conversations": list(Conversation.objects.order_by("pk").values()),
        "statements": list(Statement.objects.order_by("pk").values()),
        "participants": list(Participant.objects.order_by("pk").values_list("pk", "attributes")),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "value")),
        "analyses": list(AnalysisRun.objects.order_by("pk").values_list("pk", flat=True)),
        "jobs": list(Job.objects.order_by("pk").values_list("pk", "status")),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
    }


def _assert_answer(response: Any, want: int, done: str, persona: str) -> None:
    """An allowed write redirects to ``done``; anonymous visitors go to the login page."""
    if want == 200:
        assert response.status_code == 302 and response["Location"] == done, persona
    elif want == 302:
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login")), persona
    else:
        assert response.status_code == want, persona


@pytest.mark.parametrize("persona", ALL)
def test_it_guards_editing_a_conversation(sign_in: Any, conversation: Any, persona: str) -> None:
    client = sign_in(persona)
    before = _database()
    url = reverse("conversations:edit_conversation", args=[conversation.public_id])
    response = client.post(url, FORM | {"topic": "Đổi tên", "seeds": "Một ý kiến mới hoàn toàn"})
    want = _codes(ORGANISERS)[persona]
    _assert_answer(response, want, reverse("conversations:manage", args=[conversation.public_id]), persona)
    conversation.refresh_from_db()
    if want == 200:
        assert conversation.topic == "Đổi tên" and conversation.statements.count() == 6
    else:
        assert conversation.topic == "Rác thải nhựa ban đêm"
        assert _database() == before


@pytest.mark.parametrize("decision", ["accept", "reject", "meta"])
@pytest.mark.parametrize("persona", ALL)
def test_it_guards_moderation_decisions(sign_in: Any, conversation: Any, persona: str, decision: str) -> None:
    from kientao.conversations.models import Statement

    pending = Statement.objects.create(conversation=conversation, text="Một ý kiến chờ duyệt",
                                       status=Statement.Status.PENDING)
    client = sign_in(persona)
    before = _database()
    url = reverse("conversations:moderate", args=[conversation.public_id])
    response = client.post(url, {"statement": pending.pk, "decision": decision})
    want = _codes(ORGANISERS)[persona]
    _assert_answer(response, want, url, persona)
    pending.refresh_from_db()
    if want == 200:
        assert (pending.status, pending.is_meta) == {
            "accept": ("accepted", False), "reject": ("rejected", False), "meta": ("accepted", True)}[decision]
    else:
        assert (pending.status, pending.is_meta) == ("pending", False)
        assert _database() == before


@pytest.mark.parametrize("persona", ALL)
def test_it_guards_creating_a_conversation(sign_in: Any, persona_user: Any, personas: Any,
                                           persona: str) -> None:
    from kientao.conversations.models import Conversation

    client = sign_in(persona)
    before = _database()
    response = client.post(reverse("conversations:create_conversation", args=[personas.org.slug]), FORM)
    want = _codes(ORGANISERS)[persona]
    if want == 200:
        conversation = Conversation.objects.get()
        _assert_answer(response, want, reverse("conversations:manage", args=[conversation.public_id]), persona)
        assert conversation.organisation == personas.org and conversation.created_by == persona_user(persona)
    else:
        _assert_answer(response, want, "", persona)
        assert not Conversation.objects.exists()
        assert _database() == before


def test_the_other_organiser_organises_their_own_organisation(sign_in: Any, personas: Any) -> None:
    """The other organisation's organiser is refused above for being a stranger, not for lack of rights."""
    response = sign_in(OTHER).post(
        reverse("conversations:create_conversation", args=[personas.other_org.slug]), FORM)
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ALL)
def test_it_guards_analyse_now(sign_in: Any, voted: Any, persona: str) -> None:
    from kientao.core.models import Job

    client = sign_in(persona)
    before = _database()
    response = client.post(reverse("conversations:start_analysis", args=[voted.public_id]))
    want = _codes(ORGANISERS)[persona]
    _assert_answer(response, want, reverse("conversations:manage", args=[voted.public_id]), persona)
    jobs = Job.objects.filter(kind="conversations.analyse", params__conversation=voted.pk)
    if want == 200:
        assert jobs.count() == 1
    else:
        assert not jobs.exists()
        assert _database() == before


@pytest.mark.parametrize("publish", [True, False], ids=["publish", "unpublish"])
@pytest.mark.parametrize("persona", ALL)
def test_it_guards_publishing_the_report(sign_in: Any, voted: Any, persona: str, publish: bool) -> None:
    voted.report_published = not publish
    voted.save()
    client = sign_in(persona)
    before = _database()
    response = client.post(reverse("conversations:publish_report", args=[voted.public_id]),
                           {"published": "1" if publish else "0"})
    want = _codes(ORGANISERS)[persona]
    _assert_answer(response, want, reverse("conversations:manage", args=[voted.public_id]), persona)
    voted.refresh_from_db()
    if want == 200:
        assert voted.report_published is publish
    else:
        assert voted.report_published is not publish
        assert _database() == before


@pytest.mark.parametrize("persona", ALL)
def test_it_guards_the_polis_import(sign_in: Any, personas: Any, persona: str) -> None:
    from kientao.conversations.models import Conversation

    client = sign_in(persona)
    before = _database()
    upload = io.BytesIO(_zip({"comments.csv": COMMENTS, "votes.csv": VOTES}))
    upload.name = "export.zip"
    response = client.post(reverse("conversations:import_conversation", args=[personas.org.slug]),
                           {"export": upload, "topic": "", "language": "vi"})
    want = _codes(ORGANISERS)[persona]
    if want == 200:
        conversation = Conversation.objects.get()
        _assert_answer(response, want, reverse("conversations:manage", args=[conversation.public_id]), persona)
        assert conversation.organisation == personas.org and conversation.statements.count() == 3
    else:
        _assert_answer(response, want, "", persona)
        assert not Conversation.objects.exists()
        assert _database() == before


EXPORTS: list[tuple[str, tuple[str, ...]]] = [
    *[("conversations:export_table", (table, fmt)) for table in EXPORT_TABLES for fmt in ("csv", "xlsx")],
    ("conversations:export_polis", ()),
]


@pytest.mark.parametrize("published", [False, True], ids=["private", "published"])
@pytest.mark.parametrize("persona", ALL)
def test_it_guards_every_export(sign_in: Any, voted: Any, persona: str, published: bool) -> None:
    """Each table (statements, the opinion map's participants, groups) in CSV and Excel, and
    the Pol.is ZIP: members only while the report is private, everyone once published."""
    voted.report_published = published
    voted.save()
    client = sign_in(persona)
    before = _database()
    want = 200 if published else _codes(MEMBERS)[persona]
    for name, extra in EXPORTS:
        response = client.get(reverse(name, args=[voted.public_id, *extra]))
        assert response.status_code == want, (persona, name, extra)
        if want == 200:
            assert response["Content-Disposition"].startswith("attachment;"), (persona, name, extra)
            assert len(response.content) > 0
        elif want == 302:
            assert response["Location"].startswith(reverse("core:login"))
    assert _database() == before
