"""Pictures and diagram text of a map: DOT, Mermaid, SVG and PNG.

Layouts are deterministic: a stored layout when the map has one, else a
spring layout with a fixed ``seed``.
"""

from __future__ import annotations

import io
import math
from html import escape

import networkx as nx

from kientao.systemmaps.engine.model import SystemMap, to_digraph

_COLOURS = {1: "#1a7f37", -1: "#cf222e", 0: "#6e7781"}


def _quote_dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(m: SystemMap) -> str:
    """Graphviz DOT of a map: factors labelled, links labelled ``+``/``-``/``?``,
    negative links dashed, delayed links marked ``||``.

    Examples
    --------
    >>> from kientao.systemmaps.engine.model import build_map
    >>> print(to_dot(build_map(["A", "B"], [("A", "B", -1)])).splitlines()[4])
      "f1" -> "f2" [label="-", color="#cf222e", style=dashed];
    """
    lines = ["digraph map {", "  node [shape=box, style=rounded];"]
    for f in m.factors:
        lines.append(f"  {_quote_dot(f.id)} [label={_quote_dot(f.label)}];")
    for lk in m.links:
        label = lk.symbol + (" ||" if lk.delay else "")
        style = ", style=dashed" if lk.sign < 0 else ""
        lines.append(
            f"  {_quote_dot(lk.source)} -> {_quote_dot(lk.target)} "
            f'[label="{label}", color="{_COLOURS[lk.sign]}"{style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return escape(text, quote=True).replace("|", "&#124;")


def to_mermaid(m: SystemMap) -> str:
    """Mermaid flowchart of a map (``A -->|+| B``); Mermaid has no causal-loop type.

    Labels are HTML-escaped inside quotes, so any Unicode text is safe.
    """
    index = {f.id: f"n{i}" for i, f in enumerate(m.factors)}
    lines = ["flowchart LR"]
    for f in m.factors:
        lines.append(f'  {index[f.id]}["{_mermaid_label(f.label)}"]')
    for lk in m.links:
        label = lk.symbol + (" ||" if lk.delay else "")
        arrow = "-.->" if lk.sign < 0 else "-->"
        lines.append(f"  {index[lk.source]} {arrow}|{label}| {index[lk.target]}")
    return "\n".join(lines) + "\n"


def layout_positions(m: SystemMap, *, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]^2 for every factor: the map's first layout if complete, else a
    spring layout (``networkx.spring_layout``, ``seed``)."""
    ids = [f.id for f in m.factors]
    for pos in m.layouts.values():
        if set(pos) >= set(ids) and ids:
            raw = {k: (float(pos[k][0]), float(pos[k][1])) for k in ids}
            break
    else:
        g = to_digraph(m).to_undirected()
        if not ids:
            return {}
        sp = nx.spring_layout(g, seed=seed)
        raw = {k: (float(sp[k][0]), float(sp[k][1])) for k in ids}
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    w = (max(xs) - min(xs)) or 1.0
    h = (max(ys) - min(ys)) or 1.0
    return {k: ((x - min(xs)) / w, (y - min(ys)) / h) for k, (x, y) in raw.items()}


def to_svg(m: SystemMap, *, seed: int = 0, width: int = 960, height: int = 720) -> str:
    """A standalone SVG drawing of the map (labels XML-escaped; deterministic for a seed).

    Links are green (+), red dashed (-) or grey (?), with the sign at the
    middle; delayed links carry ``||``.
    """
    pos = layout_positions(m, seed=seed)
    margin = 90

    def xy(fid: str) -> tuple[float, float]:
        x, y = pos[fid]
        return margin + x * (width - 2 * margin), margin + y * (height - 2 * margin)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<defs>",
    ]
    for sign, colour in _COLOURS.items():
        out.append(
            f'<marker id="arrow{sign + 1}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    if m.name:
        out.append(f'<text x="10" y="20" font-size="16">{escape(m.name)}</text>')
    for lk in m.links:
        (x1, y1), (x2, y2) = xy(lk.source), xy(lk.target)
        colour = _COLOURS[lk.sign]
        dash = ' stroke-dasharray="6 4"' if lk.sign < 0 else ""
        if lk.source == lk.target:
            out.append(
                f'<circle cx="{x1:.1f}" cy="{y1 - 24:.1f}" r="14" fill="none" '
                f'stroke="{colour}"{dash}/>'
            )
            mx, my = x1, y1 - 42
        else:
            dx, dy = x2 - x1, y2 - y1
            dist = math.hypot(dx, dy) or 1.0
            # Stop short of the target's label; bend slightly so A->B and B->A differ.
            ex, ey = x2 - dx / dist * 22, y2 - dy / dist * 14
            cx, cy = (x1 + x2) / 2 - dy * 0.12, (y1 + y2) / 2 + dx * 0.12
            out.append(
                f'<path d="M {x1:.1f} {y1:.1f} Q {cx:.1f} {cy:.1f} {ex:.1f} {ey:.1f}" '
                f'fill="none" stroke="{colour}" stroke-width="1.5"{dash} '
                f'marker-end="url(#arrow{lk.sign + 1})"/>'
            )
            mx, my = (x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4
        mark = lk.symbol + (" ||" if lk.delay else "")
        out.append(
            f'<text x="{mx:.1f}" y="{my:.1f}" fill="{colour}" font-weight="bold" '
            f'text-anchor="middle">{escape(mark)}</text>'
        )
    for f in m.factors:
        x, y = xy(f.id)
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
            f'stroke="white" stroke-width="4" paint-order="stroke">{escape(f.label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(m: SystemMap, *, seed: int = 0, dpi: int = 100) -> bytes:
    """A PNG drawing of the map (matplotlib, Agg backend, imported lazily).

    Raises
    ------
    RuntimeError
        If matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # matplotlib comes with SALib; say so if it is missing
        raise RuntimeError("PNG export needs matplotlib (pip install matplotlib)") from exc
    pos = layout_positions(m, seed=seed)
    fig, ax = plt.subplots(figsize=(9.6, 7.2), dpi=dpi)
    try:
        ax.set_axis_off()
        for lk in m.links:
            (x1, y1), (x2, y2) = pos[lk.source], pos[lk.target]
            ax.annotate(
                "",
                xy=(x2, 1 - y2),
                xytext=(x1, 1 - y1),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": _COLOURS[lk.sign],
                    "linestyle": "--" if lk.sign < 0 else "-",
                    "connectionstyle": "arc3,rad=0.12",
                    "shrinkA": 12,
                    "shrinkB": 12,
                },
            )
            ax.text((x1 + x2) / 2, 1 - (y1 + y2) / 2, lk.symbol, color=_COLOURS[lk.sign])
        for f in m.factors:
            x, y = pos[f.id]
            ax.text(x, 1 - y, f.label, ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "round", "fc": "white", "ec": "#888"})  # fmt: skip
        ax.set_xlim(-0.1, 1.1)
        ax.set_ylim(-0.1, 1.1)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)
