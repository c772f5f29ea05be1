from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The capabilities, in the order of the navigation (explicit, no discovery).
CAPABILITIES = (
    ("challenges", _("Challenges"), _("Innovation challenges, from call to accelerator")),
    ("conversations", _("Conversations"), _("Listen to citizens and map their opinions")),
    ("systemmaps", _("System maps"), _("Causal loops, actors and leverage points")),
    ("indices", _("Indices"), _("Measure innovation with composite indicators")),
)


def _url(name: str) -> str | None:
    try:
        return reverse(f"{name}:index")
    except NoReverseMatch:  # capability without pages yet
        return None


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "capabilities": [
            {"key": key, "name": name, "summary": summary, "url": _url(key)}
            for key, name, summary in CAPABILITIES
        ],
        "current_organisation": getattr(request, "organisation", None),
        "my_organisations": getattr(request, "my_organisations", []),
    }
