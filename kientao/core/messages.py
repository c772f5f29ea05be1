"""Engine messages in the reader's language: the matching the apps' message tables share.

Each pure engine words its errors in English from a fixed set of templates; an app lists
them as (pattern, gettext template) pairs (``kientao/indices/messages.py``,
``kientao/conversations/messages.py``) and renders the part it recognises here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django_stubs_ext import StrPromise

Problems = Sequence[tuple[re.Pattern[str], StrPromise]]


def translate_problem(problems: Problems, text: str) -> str | None:
    """``text`` rendered through the first template whose pattern matches it, in the active
    language (the pattern's named groups fill the template); None when none matches."""
    for pattern, template in problems:
        match = pattern.match(text)
        if match:
            return str(template) % match.groupdict() if match.groupdict() else str(template)
    return None
