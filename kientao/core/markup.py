"""Markdown written by users (problem statements, factor profiles): rendered, then sanitised."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

#: Tags for short texts such as a factor's profile.
TEXT_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre", "hr"}
)
#: Tags for whole documents such as a challenge's problem statement: headings and tables too.
DOCUMENT_TAGS = TEXT_TAGS | {"h2", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str, *, tags: frozenset[str] = TEXT_TAGS, tables: bool = False) -> SafeString:
    """HTML of ``text`` keeping only ``tags``; links get ``rel="noopener noreferrer nofollow"``."""
    html = md.markdown(text or "", extensions=["tables"] if tables else [])
    clean = nh3.clean(html, tags=set(tags), attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)
