"""Charts drawn on the server as small, accessible SVG: no JavaScript, light on slow networks.

Each function takes plain data and returns SVG markup (``SafeString``) with a
``<title>``/``<desc>`` for screen readers and a ``<title>`` tooltip per mark. Text
is escaped. Pages should also offer the numbers as a table (the charts say what
they show; the table is the accessible equivalent).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0b5e55", "#b54708", "#1d4ed8", "#7e22ce", "#be123c", "#4d7c0f", "#0e7490", "#a16207")
INK, MUTED, GRID = "#16202a", "#4a5866", "#d5dce3"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _fmt(value: float) -> str:
    if value == 0 or (abs(value) >= 0.01 and abs(value) < 1e6):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="t d" font-family="system-ui, sans-serif" '
        f'font-size="12"><title id="t">{_e(title)}</title><desc id="d">{_e(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  (every text part escaped)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low]
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    start = math.ceil(low / step) * step
    return [start + i * step for i in range(int((high - start) / step + 1e-9) + 1)]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    bar_height: int = 22,
    colour: str = PALETTE[0],
) -> SafeString:
    """Horizontal bars, one per label (values may be negative)."""
    n = len(values)
    label_w, pad = 200, 8
    height = max(1, n) * (bar_height + 6) + 30
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    low, high = min(0.0, *finite), max(0.0, *finite)
    span = (high - low) or 1.0
    plot_w = width - label_w - 60

    def x(v: float) -> float:
        return label_w + (v - low) / span * plot_w

    body = [f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height - 24}" stroke="{GRID}"/>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * (bar_height + 6) + pad
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" fill="{INK}">'
            f"{_e(short)}</text>"
        )
        if math.isfinite(value):
            x0, x1 = sorted((x(0), x(value)))
            body.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_height}" '
                f'fill="{colour}"><title>{_e(label)}: {_e(_fmt(value))}{_e(unit)}</title></rect>'
                f'<text x="{x1 + 4:.1f}" y="{y + bar_height * 0.7:.1f}" fill="{MUTED}">'
                f"{_e(_fmt(value))}</text>"
            )
    desc = "; ".join(f"{lab}: {_fmt(v)}{unit}" for lab, v in zip(labels, values, strict=True))
    return _svg(width, height, title, desc[:2000], body)


@dataclass(frozen=True)
class Interval:
    label: str
    low: float
    mid: float
    high: float
    marker: float | None = None  # e.g. the nominal rank


def interval_chart(
    rows: Sequence[Interval], *, title: str, axis_label: str = "", reverse: bool = False,
    width: int = 640, row_height: int = 18,
) -> SafeString:
    """One line per row from ``low`` to ``high`` with a dot at ``mid`` (and a ring at ``marker``).

    For uncertainty analyses: median rank with its 5–95 % interval beside the nominal rank.
    With ``reverse`` the axis runs from high to low (for ranks: rank 1 on the right).
    """
    label_w = 150
    height = max(1, len(rows)) * row_height + 40
    values = [v for r in rows for v in (r.low, r.high, r.marker) if v is not None and math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        high = low + 1
    plot_w = width - label_w - 20

    def x(v: float) -> float:
        frac = (v - low) / (high - low)
        return label_w + (1 - frac if reverse else frac) * plot_w

    body: list[str] = []
    for tick in _ticks(low, high):
        body.append(
            f'<line x1="{x(tick):.1f}" y1="0" x2="{x(tick):.1f}" y2="{height - 28}" stroke="{GRID}"/>'
            f'<text x="{x(tick):.1f}" y="{height - 14}" text-anchor="middle" fill="{MUTED}">'
            f"{_e(_fmt(tick))}</text>"
        )
    for i, r in enumerate(rows):
        y = i * row_height + row_height / 2 + 4
        tip = f"{r.label}: {_fmt(r.mid)} [{_fmt(r.low)}–{_fmt(r.high)}]"
        if r.marker is not None:
            tip += f"; {_fmt(r.marker)}"
        body.append(
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{_e(r.label[:22])}</text>'
            f'<g><title>{_e(tip)}</title>'
            f'<line x1="{x(r.low):.1f}" y1="{y:.1f}" x2="{x(r.high):.1f}" y2="{y:.1f}" '
            f'stroke="{PALETTE[0]}" stroke-width="3"/>'
            f'<circle cx="{x(r.mid):.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[0]}"/>'
        )
        if r.marker is not None and math.isfinite(r.marker):
            body.append(
                f'<circle cx="{x(r.marker):.1f}" cy="{y:.1f}" r="5" fill="none" '
                f'stroke="{PALETTE[1]}" stroke-width="2"/>'
            )
        body.append("</g>")
    if axis_label:
        body.append(
            f'<text x="{label_w + plot_w / 2:.1f}" y="{height - 1}" text-anchor="middle" '
            f'fill="{MUTED}">{_e(axis_label)}</text>'
        )
    return _svg(width, height, title, f"{len(rows)} rows; {axis_label}", body)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    group: int = 0
    label: str = ""


def scatter_chart(
    points: Sequence[Point], *, title: str, group_names: Sequence[str] = (), width: int = 480,
    height: int = 360, radius: float = 3.0,
) -> SafeString:
    """Points coloured by group (e.g. participants on the opinion map), with a legend."""
    pad = 16
    xs = [p.x for p in points if math.isfinite(p.x)] or [0.0, 1.0]
    ys = [p.y for p in points if math.isfinite(p.y)] or [0.0, 1.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    legend_h = 20 if group_names else 0

    def px(v: float) -> float:
        return pad + (v - x0) / (x1 - x0) * (width - 2 * pad)

    def py(v: float) -> float:
        return height - legend_h - pad - (v - y0) / (y1 - y0) * (height - legend_h - 2 * pad)

    body = [f'<rect x="0" y="0" width="{width}" height="{height - legend_h}" fill="#fbfcfd" stroke="{GRID}"/>']
    for p in points:
        if not (math.isfinite(p.x) and math.isfinite(p.y)):
            continue
        colour = PALETTE[p.group % len(PALETTE)] if p.group >= 0 else "#9aa5b1"
        tip = f"<title>{_e(p.label)}</title>" if p.label else ""
        body.append(
            f'<circle cx="{px(p.x):.1f}" cy="{py(p.y):.1f}" r="{radius}" fill="{colour}" '
            f'fill-opacity="0.75">{tip}</circle>'
        )
    for i, name in enumerate(group_names):
        lx = 8 + i * 110
        body.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{height - 5}" fill="{INK}">{_e(name[:14])}</text>'
        )
    return _svg(width, height, title, f"{len(points)} points in {len(group_names)} groups", body)


def heatmap(
    row_labels: Sequence[str], col_labels: Sequence[str], values: Sequence[Sequence[float]], *,
    title: str, low: float = -1.0, high: float = 1.0, cell: int = 28,
) -> SafeString:
    """A matrix of coloured cells (e.g. a correlation matrix), diverging around the midpoint."""
    label_w, label_h = 120, 90
    width = label_w + cell * len(col_labels) + 4
    height = label_h + cell * len(row_labels) + 4
    mid = (low + high) / 2

    def colour(v: float) -> str:
        if not math.isfinite(v):
            return "#eeeeee"
        t = max(-1.0, min(1.0, (v - mid) / ((high - low) / 2 or 1)))
        base = (11, 94, 85) if t >= 0 else (181, 71, 8)
        a = abs(t)
        r, g, b = (round(255 - (255 - c) * a) for c in base)
        return f"rgb({r},{g},{b})"

    body: list[str] = []
    for j, name in enumerate(col_labels):
        cx = label_w + j * cell + cell / 2
        body.append(
            f'<text transform="translate({cx:.1f},{label_h - 4}) rotate(-60)" fill="{INK}">'
            f"{_e(name[:16])}</text>"
        )
    for i, name in enumerate(row_labels):
        y = label_h + i * cell
        body.append(
            f'<text x="{label_w - 4}" y="{y + cell * 0.65:.1f}" text-anchor="end" fill="{INK}">{_e(name[:18])}</text>'
        )
        for j, v in enumerate(values[i]):
            text = _fmt(v) if math.isfinite(v) else "–"
            body.append(
                f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{colour(v)}"><title>{_e(name)} × {_e(col_labels[j])}: {_e(text)}</title></rect>'
            )
    return _svg(width, height, title, f"{len(row_labels)} × {len(col_labels)} matrix", body)


def line_chart(
    x_labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
    width: int = 640, height: int = 260, reverse: bool = False,
) -> SafeString:
    """One line per series over shared x labels (e.g. ranks over years; ``reverse`` for ranks)."""
    pad_l, pad_r, pad_t, pad_b = 40, 110, 10, 30
    values = [v for s in series.values() for v in s if math.isfinite(v)] or [0.0, 1.0]
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    n = max(1, len(x_labels) - 1)

    def px(i: int) -> float:
        return pad_l + i / n * (width - pad_l - pad_r)

    def py(v: float) -> float:
        frac = (v - low) / (high - low)
        return pad_t + (frac if reverse else 1 - frac) * (height - pad_t - pad_b)

    body: list[str] = []
    for tick in _ticks(low, high, 4):
        body.append(
            f'<line x1="{pad_l}" y1="{py(tick):.1f}" x2="{width - pad_r}" y2="{py(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{pad_l - 4}" y="{py(tick) + 4:.1f}" text-anchor="end" fill="{MUTED}">{_e(_fmt(tick))}</text>'
        )
    for i, label in enumerate(x_labels):
        body.append(f'<text x="{px(i):.1f}" y="{height - 10}" text-anchor="middle" fill="{MUTED}">{_e(label)}</text>')
    for k, (name, ys) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        pts = [(px(i), py(v)) for i, v in enumerate(ys) if math.isfinite(v)]
        if not pts:
            continue
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"><title>{_e(name)}</title></polyline>')
        for a, b in pts:
            body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>')
        body.append(f'<text x="{pts[-1][0] + 6:.1f}" y="{pts[-1][1] + 4:.1f}" fill="{colour}">{_e(name[:16])}</text>')
    return _svg(width, height, title, f"{len(series)} series over {len(x_labels)} points", body)
