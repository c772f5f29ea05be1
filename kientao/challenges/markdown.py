"""Problem statements are Markdown written by organisers: rendered, then sanitised."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code",
         "pre", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render_markdown(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=["tables"])
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)
