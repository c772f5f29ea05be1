from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_it_speaks_vietnamese_to_a_browser_that_asks(world: Any, as_user: Any) -> None:
    html = (
        as_user(None)
        .get(reverse("challenges:detail", args=["nhua"]), HTTP_ACCEPT_LANGUAGE="vi")
        .content.decode()
    )
    assert "Lịch trình" in html and "Đang nhận hồ sơ" in html and "Timeline" not in html


def test_it_speaks_the_organisers_preferred_language(
    world: Any, personas: Any, as_user: Any
) -> None:
    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    client = as_user(personas.organiser)
    html = client.get(
        reverse("challenges:judges", args=["nhua"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Phân công tối ưu" in html and "Optimal assignment" not in html
