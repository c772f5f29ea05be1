"""Reading and writing maps: Kumu JSON, GraphML, link text, and dispatch by file name.

Every reader takes ``str`` or ``bytes`` and returns a :class:`SystemMap`; every
writer returns ``str`` or ``bytes``. No file system access: callers read and
write files. Malformed input raises :class:`MapDataError` naming the element,
row or column. Labels (Vietnamese included) are kept exactly. Kumu
spreadsheets live in :mod:`sheets` and are re-exported here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import networkx as nx

from kientao.systemmaps.engine.model import (
    UNKNOWN,
    Factor,
    Link,
    MapDataError,
    NamedLoop,
    SystemMap,
)
from kientao.systemmaps.engine.parsing import (
    MapBuilder,
    parse_flag,
    parse_sign,
    parse_strength,
    parse_tags,
)
from kientao.systemmaps.engine.sheets import (
    read_kumu_csv,
    read_kumu_xlsx,
    write_edge_list_csv,
    write_kumu_csv,
    write_kumu_xlsx,
)

__all__ = [
    "parse_sign", "read_graphml", "read_kumu_csv", "read_kumu_json", "read_kumu_xlsx",
    "read_link_text", "read_map", "write_edge_list_csv", "write_graphml", "write_kumu_csv",
    "write_kumu_json", "write_kumu_xlsx", "write_link_text", "write_map",
]  # fmt: skip

# --- Kumu JSON --------------------------------------------------------------------------


def read_kumu_json(data: str | bytes) -> SystemMap:
    """Read a Kumu JSON blueprint or a Kumu full export (backup).

    Blueprint: ``{"elements": [{"label", "id"?, "type", "description",
    "tags", <custom>...}], "connections": [{"from", "to", "type",
    "direction", "delayed"?, "strength"?}], "loops"?: [...]}``; connections
    name elements by ``id`` when ids are given, else by label. Full export:
    items carry ``_id`` and an ``attributes`` object; positions come from
    ``maps[].elements[].position``. The connection type gives the sign
    (``+``, ``++``, ``--``, ``same`` -> +; ``-``, ``+-``, ``-+``, ``opposite``
    -> -; anything else -> unknown, kept in the ``type`` field). ``undirected``
    and ``mutual`` connections become two links.

    Parameters
    ----------
    data : str or bytes
        The JSON text (UTF-8).

    Returns
    -------
    SystemMap

    Raises
    ------
    MapDataError
        On invalid JSON or a malformed element, connection or loop (named by
        its position, e.g. ``connections[3]``).

    References
    ----------
    .. [1] Kumu documentation, "Blueprints" and "Export",
       https://docs.kumu.io/guides/import/blueprints
    """
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MapDataError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise MapDataError("Kumu JSON: expected an object with 'elements' and 'connections'")
    try:
        return _kumu_doc(doc)
    except (TypeError, AttributeError, KeyError) as exc:
        # Shapes no check above anticipated (e.g. a number where a list belongs).
        raise MapDataError(f"Kumu JSON: unexpected structure ({exc})") from None


def _kumu_doc(doc: dict[str, Any]) -> SystemMap:
    for key in ("elements", "connections", "loops", "maps"):
        if doc.get(key) is not None and not isinstance(doc[key], list):
            raise MapDataError(f"Kumu JSON: '{key}' must be a list")
    elements = doc.get("elements") or []
    connections = doc.get("connections") or []
    b = MapBuilder()
    for i, el in enumerate(elements):
        where = f"elements[{i}]"
        if not isinstance(el, dict):
            raise MapDataError(f"{where}: expected an object")
        attrs: dict[str, Any] = el["attributes"] if isinstance(el.get("attributes"), dict) else el
        label = attrs.get("label", el.get("label"))
        fid = el.get("_id", el.get("id"))
        skip = {"label", "id", "_id", "type", "element type", "description", "tags", "attributes"}
        b.add_factor(
            where if label is None else f"{where} ({label!r})",
            label,
            fid,
            description=str(attrs.get("description") or ""),
            type=str(attrs.get("element type", attrs.get("type")) or ""),
            tags=parse_tags(attrs.get("tags")),
            fields={k: _field_text(v) for k, v in attrs.items() if k not in skip},
        )
    for i, cn in enumerate(connections):
        where = f"connections[{i}]"
        if not isinstance(cn, dict):
            raise MapDataError(f"{where}: expected an object")
        attrs = cn["attributes"] if isinstance(cn.get("attributes"), dict) else cn
        src = b.ref(where, "from", cn.get("from"))
        dst = b.ref(where, "to", cn.get("to"))
        ctype = attrs.get("connection type", attrs.get("type", cn.get("type")))
        sign_field = attrs.get("sign", attrs.get("polarity"))
        sign = parse_sign(sign_field) if sign_field is not None else None
        if sign is None:
            sign = parse_sign(ctype if ctype is not None else "?")
        fields = {
            k: _field_text(v)
            for k, v in attrs.items()
            if k not in {"from", "to", "type", "connection type", "direction", "delayed",
                         "strength", "description", "id", "_id", "attributes", "sign",
                         "polarity", "label"}
        }  # fmt: skip
        if sign is None:
            fields["type"] = str(ctype)
            sign = UNKNOWN
        kw = {
            "sign": sign,
            "strength": parse_strength(attrs.get("strength", cn.get("strength")), where),
            "delay": parse_flag(cn.get("delayed", attrs.get("delayed", False))),
            "description": str(attrs.get("description") or ""),
            "fields": fields,
        }
        direction = str(cn.get("direction", "directed")).lower()
        lid = cn.get("_id", cn.get("id"))
        b.add_link(where, src, dst, lid, **kw)
        if direction in ("undirected", "mutual") and src != dst:
            b.add_link(where, dst, src, None if lid is None else f"{lid}-back", **kw)
    loops = []
    link_ids = {lk.id for lk in b.links}
    for i, lp in enumerate(doc.get("loops", []) or []):
        where = f"loops[{i}]"
        if not isinstance(lp, dict):
            raise MapDataError(f"{where}: expected an object")
        attrs = lp["attributes"] if isinstance(lp.get("attributes"), dict) else lp
        conns = lp.get("connections", [])
        if not isinstance(conns, list) or not all(str(c) in link_ids for c in conns):
            raise MapDataError(f"{where}: 'connections' must list known connection ids")
        loops.append(
            NamedLoop(
                str(lp.get("_id", lp.get("id", f"loop{i + 1}"))),
                str(attrs.get("label", "")),
                tuple(str(c) for c in conns),
                str(attrs.get("loop type", attrs.get("type", "")) or ""),
                str(attrs.get("description", "") or ""),
            )
        )
    layouts: dict[str, dict[str, tuple[float, float]]] = {}
    for j, mp in enumerate(doc.get("maps", []) or []):
        if not isinstance(mp, dict) or not isinstance(mp.get("elements") or [], list):
            raise MapDataError(f"maps[{j}]: expected an object with a list of 'elements'")
        pos: dict[str, tuple[float, float]] = {}
        for k, el in enumerate(mp.get("elements") or []):
            try:
                ref = b.ref(f"maps[{j}]", "element", el["element"])
                pos[ref] = (float(el["position"]["x"]), float(el["position"]["y"]))
            except (KeyError, TypeError, ValueError):
                raise MapDataError(
                    f"maps[{j}].elements[{k}]: expected 'element' and 'position' {{x, y}}"
                ) from None
        layouts[str(mp.get("name", f"map {j + 1}"))] = pos
    name = doc.get("name", "")
    return b.build(
        loops=tuple(loops),
        layouts=layouts,
        name=str(name or ""),
        description=str(doc.get("description", "") or ""),
    )


def _field_text(v: object) -> str:
    if isinstance(v, list):
        return "|".join(str(x) for x in v)
    return "" if v is None else str(v)


def write_kumu_json(m: SystemMap, *, full: bool = False) -> str:
    """Write a map as a Kumu JSON blueprint (or, with ``full=True``, a full export).

    The blueprint uses ids, connection ``type`` ``+``/``-``/``?``, ``delayed``
    and ``strength``, and keeps named loops; the full export also writes
    ``_id``/``attributes`` items and the layouts as ``maps``.

    Returns
    -------
    str
        UTF-8 JSON (non-ASCII kept as is), readable by :func:`read_kumu_json`.
    """
    def element(f: Factor) -> dict[str, Any]:
        d: dict[str, Any] = {"label": f.label}
        if f.type:
            d["type"] = f.type
        if f.description:
            d["description"] = f.description
        if f.tags:
            d["tags"] = list(f.tags)
        d.update(f.fields)
        return d

    def connection(lk: Link) -> dict[str, Any]:
        d: dict[str, Any] = {"from": lk.source, "to": lk.target, "type": lk.symbol}
        if lk.delay:
            d["delayed"] = True
        if lk.strength != 1.0:
            d["strength"] = lk.strength
        if lk.description:
            d["description"] = lk.description
        d.update(lk.fields)
        return d

    if not full:
        doc: dict[str, Any] = {
            "elements": [{"id": f.id, **element(f)} for f in m.factors],
            "connections": [{"id": lk.id, **connection(lk)} for lk in m.links],
        }
        if m.loops:
            doc["loops"] = [_loop_json(lp) for lp in m.loops]
        return json.dumps(doc, ensure_ascii=False, indent=2)
    elements = []
    for f in m.factors:
        attrs = element(f)
        if "type" in attrs:
            attrs["element type"] = attrs.pop("type")
        elements.append({"_id": f.id, "attributes": attrs})
    connections = []
    for lk in m.links:
        attrs = connection(lk)
        for k in ("from", "to", "delayed"):
            attrs.pop(k, None)
        attrs["connection type"] = attrs.pop("type")
        connections.append(
            {"_id": lk.id, "direction": "directed", "delayed": lk.delay, "from": lk.source,
             "to": lk.target, "attributes": attrs}
        )  # fmt: skip
    maps = [
        {"name": name, "elements": [
            {"element": fid, "position": {"x": x, "y": y}} for fid, (x, y) in pos.items()]}
        for name, pos in m.layouts.items()
    ]  # fmt: skip
    doc = {
        "name": m.name,
        "description": m.description,
        "elements": elements,
        "connections": connections,
        "loops": [
            {"_id": lp.id, "attributes": {"label": lp.label, "loop type": lp.loop_type,
                                          "description": lp.description},
             "connections": list(lp.link_ids)}
            for lp in m.loops
        ],  # fmt: skip
        "maps": maps,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _loop_json(lp: NamedLoop) -> dict[str, Any]:
    d: dict[str, Any] = {"id": lp.id, "label": lp.label, "connections": list(lp.link_ids)}
    if lp.loop_type:
        d["loop type"] = lp.loop_type
    if lp.description:
        d["description"] = lp.description
    return d


# --- GraphML ----------------------------------------------------------------------------


def write_graphml(m: SystemMap) -> str:
    """Write GraphML: node data ``label``, ``type``, ``description``, ``tags``;
    edge data ``id``, ``order`` (position in the map), ``sign`` (+1/-1/0),
    ``strength``, ``delay``."""
    g = nx.MultiDiGraph()
    for f in m.factors:
        g.add_node(f.id, label=f.label, type=f.type, description=f.description,
                   tags="|".join(f.tags), **dict(f.fields))  # fmt: skip
    for i, lk in enumerate(m.links):
        g.add_edge(lk.source, lk.target, key=lk.id, id=lk.id, order=i, sign=lk.sign,
                   strength=lk.strength, delay=lk.delay, description=lk.description)  # fmt: skip
    return "\n".join(nx.generate_graphml(g, encoding="utf-8"))


def read_graphml(data: str | bytes) -> SystemMap:
    """Read GraphML (from this module, PRSM, Gephi or yEd).

    Node label from data ``label`` (else the node id); edge sign from data
    ``sign`` (number or ``+``/``-``), else ``type``/``polarity``/``weight``
    sign, else unknown.

    Raises
    ------
    MapDataError
        On XML that is not GraphML, a DTD/entity declaration (refused for
        safety) or an edge with an unreadable sign/strength.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        # GraphML needs no DTD; refusing one rules out entity-expansion attacks on uploads.
        raise MapDataError("GraphML: document type declarations (<!DOCTYPE/<!ENTITY) are not allowed")
    try:
        g = nx.parse_graphml(text, force_multigraph=True)
    except Exception as exc:  # ElementTree and networkx raise various types
        raise MapDataError(f"not valid GraphML: {exc}") from None
    b = MapBuilder()
    for node, attrs in g.nodes(data=True):
        b.add_factor(
            f"node {node!r}",
            attrs.get("label", node),
            node,
            type=str(attrs.get("type", "")),
            description=str(attrs.get("description", "")),
            tags=parse_tags(attrs.get("tags")),
            fields={
                k: str(v) for k, v in attrs.items()
                if k not in {"label", "type", "description", "tags", "order"}
            },
        )  # fmt: skip
    edges = list(g.edges(keys=True, data=True))
    if all("order" in e[3] for e in edges):  # written by write_graphml: keep link order
        edges.sort(key=lambda e: int(e[3]["order"]))
    for u, v, key, attrs in edges:
        where = f"edge {attrs.get('id', key)!r} ({u} -> {v})"
        raw = next(
            (attrs[k] for k in ("sign", "polarity", "type", "weight") if k in attrs), None
        )
        sign = UNKNOWN if raw is None else parse_sign(raw)
        if sign is None:
            raise MapDataError(f"{where}: unreadable sign {raw!r}")
        b.add_link(
            where, b.ref(where, "from", u), b.ref(where, "to", v), attrs.get("id", key),
            sign=sign, strength=parse_strength(attrs.get("strength"), where),
            delay=parse_flag(attrs.get("delay", False)),
            description=str(attrs.get("description", "")),
        )  # fmt: skip
    return b.build()


# --- one link per line ------------------------------------------------------------------

_LINE = re.compile(r"^(?P<src>.+?)\s*-(?P<delay>/?/?)>\s*(?P<sign>\+\+|--|\+|-|\u2212|\?)\s+(?P<dst>.+?)$")


def read_link_text(text: str) -> SystemMap:
    """Read the text format: one link per line, ``A -> + B``, ``A -> - B``, ``A -> ? B``.

    ``A -//> + B`` marks a delayed link; a line holding only a label declares
    an isolated factor; blank lines and lines starting with ``#`` are ignored.
    Factors are created in order of first mention.

    Raises
    ------
    MapDataError
        On a line that is not a link (message gives the line number).

    Examples
    --------
    >>> m = read_link_text("Du lịch -> + Tiêu dùng đồ nhựa")
    >>> [f.label for f in m.factors], m.links[0].symbol
    (['Du lịch', 'Tiêu dùng đồ nhựa'], '+')
    """
    b = MapBuilder()
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {n}"
        match = _LINE.match(line)
        if match is None:
            if "->" in line:
                raise MapDataError(
                    f"{where}: expected 'A -> + B', 'A -> - B' or 'A -> ? B', got {line!r}"
                )
            b.ref(where, "factor", line, create=True)
            continue
        src = b.ref(where, "from", match["src"], create=True)
        dst = b.ref(where, "to", match["dst"], create=True)
        sign = parse_sign(match["sign"])
        assert sign is not None
        b.add_link(where, src, dst, sign=sign, delay=bool(match["delay"]))
    return b.build()


def write_link_text(m: SystemMap) -> str:
    """Write the text format of :func:`read_link_text` (round-trips labels, signs, delays)."""
    labels = m.labels()
    lines = []
    linked: set[str] = set()
    for lk in m.links:
        arrow = "-//>" if lk.delay else "->"
        lines.append(f"{labels[lk.source]} {arrow} {lk.symbol} {labels[lk.target]}")
        linked.update((lk.source, lk.target))
    lines.extend(f.label for f in m.factors if f.id not in linked)
    return "\n".join(lines) + "\n"


# --- by file name -----------------------------------------------------------------------

READERS: dict[str, Callable[[bytes], SystemMap]] = {
    ".json": read_kumu_json,
    ".xlsx": read_kumu_xlsx,
    ".graphml": read_graphml,
    ".csv": lambda data: read_kumu_csv(data),
    ".txt": lambda data: read_link_text(data.decode("utf-8")),
}


def read_map(data: bytes, filename: str) -> SystemMap:
    """Read a map choosing the reader by file extension (.json, .xlsx, .graphml, .csv, .txt).

    Raises
    ------
    MapDataError
        On an unknown extension or malformed content (the message is prefixed
        with the file name).
    """
    ext = _extension(filename)
    if ext not in READERS:
        raise MapDataError(
            f"{filename}: unknown map format {ext!r} (expected {', '.join(READERS)})"
        )
    try:
        return READERS[ext](data)
    except UnicodeDecodeError as exc:
        raise MapDataError(f"{filename}: not UTF-8 text ({exc})") from None
    except MapDataError as exc:
        raise MapDataError(f"{filename}: {exc}") from None
    except (TypeError, AttributeError, KeyError) as exc:  # a shape no reader check foresaw
        raise MapDataError(f"{filename}: unexpected structure ({exc})") from None


def write_map(m: SystemMap, filename: str, *, seed: int = 0) -> bytes:
    """Write a map choosing the format by extension: .json, .xlsx, .graphml, .csv (edge
    list), .txt (link text), .dot, .mmd (Mermaid), .svg, .png.

    Raises
    ------
    MapDataError
        On an unknown extension.
    """
    from kientao.systemmaps.engine import drawing

    ext = _extension(filename)
    writers: dict[str, Callable[[], str | bytes]] = {
        ".json": lambda: write_kumu_json(m),
        ".xlsx": lambda: write_kumu_xlsx(m),
        ".graphml": lambda: write_graphml(m),
        ".csv": lambda: write_edge_list_csv(m),
        ".txt": lambda: write_link_text(m),
        ".dot": lambda: drawing.to_dot(m),
        ".mmd": lambda: drawing.to_mermaid(m),
        ".svg": lambda: drawing.to_svg(m, seed=seed),
        ".png": lambda: drawing.to_png(m, seed=seed),
    }
    if ext not in writers:
        raise MapDataError(
            f"{filename}: unknown output format {ext!r} (expected {', '.join(writers)})"
        )
    out = writers[ext]()
    return out.encode("utf-8") if isinstance(out, str) else out


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""
