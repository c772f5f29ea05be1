"""Shared parsing of map files: sign words, flags, strengths, tags and a map builder.

Used by ``formats`` and ``sheets``; every error is a :class:`MapDataError`
naming where it happened.
"""

from __future__ import annotations

import math
from typing import Any

from kientao.systemmaps.engine.model import (
    NEGATIVE,
    POSITIVE,
    UNKNOWN,
    Factor,
    Link,
    MapDataError,
    SystemMap,
)

# Kumu has no polarity field; these are its conventions (developer notes §2).
_SIGN_WORDS = {
    "+": POSITIVE, "++": POSITIVE, "--": POSITIVE, "same": POSITIVE, "s": POSITIVE,
    "positive": POSITIVE, "reinforcing": POSITIVE,
    "-": NEGATIVE, "+-": NEGATIVE, "-+": NEGATIVE, "opposite": NEGATIVE, "o": NEGATIVE,
    "negative": NEGATIVE, "\u2212": NEGATIVE,
    "?": UNKNOWN, "": UNKNOWN, "unknown": UNKNOWN,
}  # fmt: skip
_TRUE = {"true", "yes", "1", "y", "x", "có", "delayed"}


def parse_sign(text: object) -> int | None:
    """Sign from a Kumu connection type or a sign column: +1, -1, 0, or None if not a sign."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return POSITIVE if text > 0 else NEGATIVE if text < 0 else UNKNOWN
    key = str(text).strip().lower()
    return _SIGN_WORDS.get(key)


def parse_flag(value: object) -> bool:
    """A yes/no cell: ``true``, ``yes``, ``1``, ``y``, ``x``, ``có``, ``delayed`` are true."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def parse_strength(value: object, where: str) -> float:
    """A link strength: empty -> 1.0, else |number| (raises naming ``where`` if not finite)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    try:
        x = abs(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise MapDataError(f"{where}: strength must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise MapDataError(f"{where}: strength must be finite, got {value!r}")
    return x


def parse_tags(value: object) -> tuple[str, ...]:
    """Tags from a list or a ``|``-separated string (Kumu multi-values)."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(t.strip() for t in str(value).split("|") if t.strip())


class MapBuilder:
    """Collects factors and links by label or id, naming the source of each error."""

    def __init__(self) -> None:
        self.factors: list[Factor] = []
        self.by_id: dict[str, str] = {}
        self.by_label: dict[str, str] = {}
        self.links: list[Link] = []
        self.link_ids: set[str] = set()

    def add_factor(self, where: str, label: object, fid: object = None, **kw: Any) -> Factor:
        text = "" if label is None else str(label).strip()
        if not text:
            raise MapDataError(f"{where}: missing label")
        ident = str(fid).strip() if fid not in (None, "") else f"f{len(self.factors) + 1}"
        while fid in (None, "") and ident in self.by_id:
            ident += "'"
        if text in self.by_label:
            raise MapDataError(f"{where}: duplicate label {text!r}")
        if ident in self.by_id:
            raise MapDataError(f"{where}: duplicate id {ident!r}")
        f = Factor(ident, text, **kw)
        self.factors.append(f)
        self.by_label[text] = ident
        self.by_id[ident] = ident
        return f

    def ref(self, where: str, end: str, value: object, create: bool = False) -> str:
        text = "" if value is None else str(value).strip()
        if not text:
            raise MapDataError(f"{where}: missing '{end}'")
        if text in self.by_id:
            return text
        if text not in self.by_label:
            if not create:
                raise MapDataError(f"{where}: '{end}' names unknown element {text!r}")
            self.add_factor(where, text)
        return self.by_label[text]

    def add_link(self, where: str, src: str, dst: str, lid: object = None, **kw: Any) -> Link:
        ident = str(lid).strip() if lid not in (None, "") else f"l{len(self.links) + 1}"
        while ident in self.link_ids:
            ident += "'"
        lk = Link(ident, src, dst, **kw)
        self.links.append(lk)
        self.link_ids.add(ident)
        return lk

    def build(self, **kw: Any) -> SystemMap:
        return SystemMap(tuple(self.factors), tuple(self.links), **kw)
