"""Opening and closing times: every date the form accepts is saved or refused, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kientao.conversations.models import Conversation
from tests.conversations.test_organiser import FORM

# 0001-01-01 00:00 in Asia/Ho_Chi_Minh (local mean time then, UTC+7:06:40) is before the
# first instant a datetime can hold in UTC; 0001-01-02 and 9999-12-31 23:59 are not.
UNREPRESENTABLE = ["0001-01-01T00:00", "0001-01-01T06:59", "0001-01-01"]


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
@pytest.mark.parametrize("value", UNREPRESENTABLE)
def test_it_refuses_a_time_out_of_range_when_creating(as_user: Any, personas: Any, field: str,
                                                      value: str) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("conversations:create_conversation", args=[personas.org.slug]),
                           FORM | {field: value})
    assert response.status_code == 400  # the app's answer to a refused form (not a 500)
    assert field in response.context["form"].errors
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_it_refuses_a_time_out_of_range_when_editing(as_user: Any, personas: Any, conversation: Any,
                                                     field: str) -> None:
    client = as_user(personas.organiser)
    url = reverse("conversations:edit_conversation", args=[conversation.public_id])
    response = client.post(url, FORM | {"topic": "Đổi tên", field: "0001-01-01T00:00"})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    conversation.refresh_from_db()
    assert conversation.topic == "Rác thải nhựa ban đêm" and conversation.opens_at is None
    assert conversation.closes_at is None


def test_it_accepts_the_extreme_times_it_can_store(as_user: Any, personas: Any) -> None:
    client = as_user(personas.organiser)
    response = client.post(reverse("conversations:create_conversation", args=[personas.org.slug]),
                           FORM | {"opens_at": "0001-01-02T00:00", "closes_at": "9999-12-31T23:59"})
    assert response.status_code == 302
    conv = Conversation.objects.get()
    assert conv.opens_at is not None and conv.opens_at.year == 1
    assert conv.closes_at is not None and conv.closes_at.year == 9999
    assert conv.is_open()
    manage = client.get(reverse("conversations:manage", args=[conv.public_id]))
    assert manage.status_code == 200
    assert client.get(reverse("conversations:edit_conversation", args=[conv.public_id])).status_code == 200
