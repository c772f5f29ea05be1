"""A conversation's languages decide the language of its participant pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("view", ["conversations:vote", "conversations:embed"])
def test_a_vietnamese_only_conversation_speaks_vietnamese_to_an_english_browser(
        client: Any, conversation: Any, view: str) -> None:
    conversation.languages = ["vi"]
    conversation.save()
    html = client.get(reverse(view, args=[conversation.public_id]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi">' in html
    assert "Đồng ý" in html and ">Agree<" not in html
    # one language: nothing to switch to
    assert 'id="lang-switch"' not in html


def test_an_english_only_conversation_speaks_english_to_a_vietnamese_browser(
        client: Any, conversation: Any) -> None:
    conversation.languages = ["en"]
    conversation.save()
    html = client.get(reverse("conversations:vote", args=[conversation.public_id]),
                      HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in html and "Agree" in html and "Đồng ý" not in html


def test_a_bilingual_conversation_follows_the_browser_and_offers_both(
        client: Any, conversation: Any) -> None:
    url = reverse("conversations:vote", args=[conversation.public_id])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in english and '<html lang="vi">' in vietnamese
    assert 'id="lang-switch"' in english
    assert 'value="vi"' in english and 'value="en"' in english


def test_a_conversation_without_languages_offers_every_language(
        client: Any, conversation: Any) -> None:
    conversation.languages = []
    conversation.save()
    html = client.get(reverse("conversations:vote", args=[conversation.public_id]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html and 'id="lang-switch"' in html
