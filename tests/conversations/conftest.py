"""Fixtures of the conversations web tests (engine tests do not use them)."""

from __future__ import annotations

from typing import Any

import pytest

SEEDS = [
    "Thành phố nên cấm túi ni lông dùng một lần.",
    "Quán ăn đêm nên mở cửa đến 2 giờ sáng.",
    "Phố đi bộ ban đêm mang lại thu nhập cho người dân.",
    "Tiếng ồn từ quán bar ảnh hưởng giấc ngủ của cư dân.",
    "Cần có xe buýt hoạt động đến nửa đêm.",
]


@pytest.fixture
def conversation(personas: Any) -> Any:
    from kientao.conversations.models import Conversation, Statement

    conv = Conversation.objects.create(
        organisation=personas.org, topic="Rác thải nhựa ban đêm", description="Mô tả",
        languages=["vi", "en"], created_by=personas.organiser,
        attribute_questions=[{"key": "age_band", "label_vi": "Nhóm tuổi", "label_en": "Age band",
                              "choices": ["18–29", "30+"]}],
        consent_text="Chỉ dùng để thống kê.",
    )
    for text in SEEDS:
        Statement.objects.create(conversation=conv, text=text, is_seed=True,
                                 status=Statement.Status.ACCEPTED)
    return conv


@pytest.fixture
def voted(conversation: Any) -> Any:
    """The conversation with 40 simulated participants in two camps, analysed once."""
    import hashlib

    from kientao.conversations.analysis import run_analysis
    from kientao.conversations.models import Participant, Vote

    statements = list(conversation.statements.order_by("pk"))
    for i in range(40):
        p = Participant.objects.create(
            conversation=conversation, token_hash=hashlib.sha256(f"t{i}".encode()).hexdigest(),
            attributes={"age_band": "18–29" if i % 2 else "30+"}, consent_at=conversation.created_at)
        side = 1 if i < 20 else -1
        Vote.objects.bulk_create([
            Vote(participant=p, statement=s, value=side * (1 if j % 2 else -1) if j < 4 else 1)
            for j, s in enumerate(statements)
        ])
    run_analysis(conversation)
    return conversation


@pytest.fixture
def other_conversation(personas: Any) -> Any:
    from kientao.conversations.models import Conversation, Statement

    conv = Conversation.objects.create(organisation=personas.org, topic="Another topic",
                                       created_by=personas.organiser)
    Statement.objects.create(conversation=conv, text="Một ý kiến khác.", status=Statement.Status.ACCEPTED)
    return conv


@pytest.fixture
def with_subgroups(personas: Any) -> Any:
    """A published report of two camps of two factions, analysed once
    (tests/conversations/engine/test_subgroups.py's design): 400 participants, 50
    statements "Ý kiến 0" … "Ý kiến 49"; the factions differ on 45–49."""
    import hashlib

    from kientao.conversations.analysis import run_analysis
    from kientao.conversations.models import Conversation, Participant, Statement, Vote
    from tests.conversations.engine.test_subgroups import _nested_votes

    conv = Conversation.objects.create(organisation=personas.org, topic="Hai phe", description="",
                                       languages=["vi"], created_by=personas.organiser,
                                       report_published=True)
    statements = Statement.objects.bulk_create([
        Statement(conversation=conv, text=f"Ý kiến {s}", status=Statement.Status.ACCEPTED) for s in range(50)])
    people = Participant.objects.bulk_create([
        Participant(conversation=conv, token_hash=hashlib.sha256(f"n{p}".encode()).hexdigest()) for p in range(400)])
    votes, _camp, _faction = _nested_votes()
    Vote.objects.bulk_create([Vote(participant=people[p], statement=statements[s], value=v)
                              for p, s, v in votes.itertuples(index=False)])
    run_analysis(conv)
    return conv
