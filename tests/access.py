"""The persona matrix shared by the access tests of every app."""

from __future__ import annotations

ANON = "anonymous"
PERSONAS = (ANON, "platform_admin", "org_admin", "organiser", "judge", "member", "applicant",
            "participant", "outsider")
MEMBERS = {"org_admin", "organiser", "judge", "member"}
SIGNED_IN = set(PERSONAS) - {ANON}


def expected(allowed: set[str], *, refused: int = 404) -> dict[str, int]:
    """200 for allowed personas; the login redirect for anonymous; 403 for members without
    the role; ``refused`` (404 by default: private organisations stay hidden) for the rest."""
    out = {}
    for p in PERSONAS:
        if p in allowed:
            out[p] = 200
        elif p == ANON:
            out[p] = 302
        elif p in MEMBERS:
            out[p] = 403
        else:
            out[p] = refused
    return out
