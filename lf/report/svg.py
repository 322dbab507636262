"""Inline SVG charts for the HTML report, as strings (pure functions, no plotting library).

Every piece of text that comes from data (LF names, label names) is escaped here, bidi
controls made visible (:mod:`lf.display`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from lf.display import visible

__all__ = ["bar_chart", "grouped_bars", "heatmap", "reliability", "scatter"]

_FONT = 'font-family="system-ui,sans-serif" font-size="11"'
_PALETTE = ("#3b6fb6", "#d9822b", "#3f9b59", "#a04aa6", "#c23b3b", "#6b6b6b")


def _e(text: object) -> str:
    return escape(visible(text), quote=True)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _num(v: float, fmt: str) -> str:
    return "-" if math.isnan(v) else format(v, fmt)


def _open(width: int, height: int, label: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'aria-label="{_e(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {_FONT}>'
    )


def bar_chart(names: Sequence[str], values: Sequence[float], *, label: str, fmt: str = ".3f", css: str = "") -> str:
    """Horizontal bars, one per name, scaled to the largest value (at least 1e-9)."""
    row, left, bar_w, right = 16, 190, 320, 60
    height = row * len(names) + 24
    top = max([v for v in values if not math.isnan(v)] + [1e-9])
    parts = [_open(left + bar_w + right, height, label, css)]
    parts.append(f'<text x="0" y="12" font-weight="bold">{_e(label)}</text>')
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        y = 20 + i * row
        w = 0.0 if math.isnan(v) else bar_w * v / top
        parts.append(
            f'<g><title>{_e(name)}: {_num(v, fmt)}</title>'
            f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{_e(_short(name))}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 4}" fill="{_PALETTE[0]}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 11}">{_num(v, fmt)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(categories: Sequence[str], series: Mapping[str, Sequence[float]], *, label: str) -> str:
    """Vertical bars: for each category, one bar per series (values are fractions in [0, 1])."""
    group_w = max(24 * len(series) + 16, 60)
    chart_h, top_pad, bottom = 160, 36, 34
    width = max(60 + group_w * len(categories), 130 * len(series) + 20)
    height = top_pad + chart_h + bottom
    parts = [_open(width, height, label, "distribution")]
    parts.append(f'<text x="0" y="12" font-weight="bold">{_e(label)}</text>')
    for s, name in enumerate(series):
        parts.append(
            f'<rect x="{s * 130}" y="18" width="10" height="10" fill="{_PALETTE[s % len(_PALETTE)]}"/>'
            f'<text x="{s * 130 + 14}" y="27">{_e(_short(name, 18))}</text>'
        )
    base = top_pad + chart_h
    parts.append(f'<line x1="40" y1="{base}" x2="{width}" y2="{base}" stroke="#999"/>')
    for c, cat in enumerate(categories):
        x0 = 48 + c * group_w
        for s, (name, values) in enumerate(series.items()):
            v = float(values[c])
            h = 0.0 if math.isnan(v) else chart_h * max(0.0, min(1.0, v))
            parts.append(
                f'<rect x="{x0 + s * 24}" y="{base - h:.1f}" width="20" height="{h:.1f}" '
                f'fill="{_PALETTE[s % len(_PALETTE)]}"><title>{_e(name)}, {_e(cat)}: {_num(v, ".3f")}</title></rect>'
            )
        parts.append(f'<text x="{x0}" y="{base + 16}">{_e(_short(cat, 14))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heat(v: float, top: float) -> str:
    t = 0.0 if math.isnan(v) or top <= 0 else min(1.0, v / top)
    r, g, b = (int(255 - t * (255 - c)) for c in (178, 34, 34))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(names: Sequence[str], matrix: Sequence[Sequence[float]], *, label: str) -> str:
    """An m x m grid: cell (i, j) coloured by ``matrix[i][j]`` relative to the largest cell."""
    m = len(names)
    cell = max(8, min(24, 640 // max(m, 1)))
    left, top_pad = 190, 150
    size = cell * m
    top = max([float(v) for row in matrix for v in row] + [0.0])
    parts = [_open(left + size + 130, top_pad + size + 10, label, "heatmap")]
    parts.append(f'<text x="0" y="12" font-weight="bold">{_e(label)}</text>')
    for i, name in enumerate(names):
        y = top_pad + i * cell
        x = left + i * cell + cell / 2
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{_e(_short(name))}</text>')
        parts.append(
            f'<text transform="translate({x + 4:.1f},{top_pad - 6}) rotate(-60)">{_e(_short(name))}</text>'
        )
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            v = float(matrix[i][j])
            parts.append(
                f'<rect x="{left + j * cell}" y="{top_pad + i * cell}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{_heat(v, top)}"><title>{_e(a)} \u00d7 {_e(b)}: {v:.4f}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def scatter(names: Sequence[str], x: Sequence[float], y: Sequence[float], *, label: str, x_label: str, y_label: str) -> str:
    """Points in the unit square with the diagonal ``y = x``; NaN points are left out."""
    size, pad = 300, 44
    parts = [_open(size + pad + 20, size + pad + 30, label, "scatter")]
    parts.append(f'<text x="0" y="12" font-weight="bold">{_e(label)}</text>')
    x0, y0 = pad, 20 + size
    parts.append(f'<rect x="{x0}" y="20" width="{size}" height="{size}" fill="none" stroke="#999"/>')
    parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + size}" y2="20" stroke="#bbb" stroke-dasharray="4 3"/>')
    for t in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{x0 + t * size - 8:.1f}" y="{y0 + 14}">{t:g}</text>')
        parts.append(f'<text x="{x0 - 22}" y="{y0 - t * size + 4:.1f}">{t:g}</text>')
    parts.append(f'<text x="{x0 + size / 2 - 40:.0f}" y="{y0 + 28}">{_e(x_label)}</text>')
    parts.append(f'<text transform="translate(12,{y0 - size / 2 + 40:.0f}) rotate(-90)">{_e(y_label)}</text>')
    for name, a, b in zip(names, x, y, strict=True):
        if math.isnan(a) or math.isnan(b):
            continue
        cx, cy = x0 + size * min(max(a, 0.0), 1.0), y0 - size * min(max(b, 0.0), 1.0)
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{_PALETTE[1]}" fill-opacity="0.8">'
            f"<title>{_e(name)}: empirical {a:.3f}, learned {b:.3f}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def reliability(counts: Sequence[int], accuracy: Sequence[float | None], confidence: Sequence[float | None], *, label: str) -> str:
    """A reliability diagram: per equal-width confidence bin of [0, 1], a bar as high as
    the accuracy of its rows, with the diagonal a calibrated model follows; empty bins have
    no bar. The tooltips give each bin's rows and mean confidence."""
    size, pad = 300, 44
    bins = len(counts)
    parts = [_open(size + pad + 20, size + pad + 30, label, "reliability")]
    parts.append(f'<text x="0" y="12" font-weight="bold">{_e(label)}</text>')
    x0, y0 = pad, 20 + size
    parts.append(f'<rect x="{x0}" y="20" width="{size}" height="{size}" fill="none" stroke="#999"/>')
    width = size / max(bins, 1)
    for b in range(bins):
        acc, conf = accuracy[b], confidence[b]
        if not counts[b] or acc is None or conf is None:
            continue
        h = size * min(max(acc, 0.0), 1.0)
        lo, hi = b / bins, (b + 1) / bins
        parts.append(
            f'<rect x="{x0 + b * width + 1:.1f}" y="{y0 - h:.1f}" width="{width - 2:.1f}" height="{h:.1f}" '
            f'fill="{_PALETTE[0]}" fill-opacity="0.75"><title>confidence {lo:.1f}–{hi:.1f}: '
            f"{counts[b]:,} rows, mean confidence {conf:.3f}, accuracy {acc:.3f}</title></rect>"
        )
    parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + size}" y2="20" stroke="#c23b3b" stroke-dasharray="4 3"/>')
    for t in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{x0 + t * size - 8:.1f}" y="{y0 + 14}">{t:g}</text>')
        parts.append(f'<text x="{x0 - 22}" y="{y0 - t * size + 4:.1f}">{t:g}</text>')
    parts.append(f'<text x="{x0 + size / 2 - 50:.0f}" y="{y0 + 28}">confidence (probability of the label)</text>')
    parts.append(f'<text transform="translate(12,{y0 - size / 2 + 30:.0f}) rotate(-90)">accuracy</text>')
    parts.append("</svg>")
    return "".join(parts)
