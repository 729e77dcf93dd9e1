"""Small, dependency-free HTML building blocks for self-contained report pages (no external CSS or JS)."""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;max-width:1100px;
margin:0 auto;padding:24px;line-height:1.45}
h1{font-size:28px;margin:0 0 4px 0}h2{font-size:21px;margin:32px 0 8px 0;border-bottom:2px solid #e3e3e3;
padding-bottom:4px}h3{font-size:17px;margin:20px 0 6px 0}
.meta{color:#555;margin:0 0 16px 0}
.summary{background:#f3f6fb;border-left:6px solid #1d70b8;padding:12px 18px;margin:16px 0}
.status-ok{border-left-color:#00703c}.status-warn{border-left-color:#f47738}.status-bad{border-left-color:#d4351c}
table{border-collapse:collapse;margin:8px 0 16px 0;font-size:14px}
th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.flag td{background:#fde8e5}
.tag{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600}
.tag-bad{background:#d4351c;color:#fff}.tag-ok{background:#00703c;color:#fff}.tag-warn{background:#f47738;color:#fff}
figure{margin:12px 0 20px 0}figure img{max-width:100%;height:auto;border:1px solid #e3e3e3}
figcaption{font-size:13px;color:#444}
.note{font-size:13px;color:#444}
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def points(value: float | None, digits: int = 1) -> str:
    """A difference of two shares in percentage points, signed."""
    return "n/a" if value is None else f"{100 * value:+.{digits}f} pts"


def size(value: float | None, digits: int = 1) -> str:
    """A magnitude in percentage points, unsigned (for limits and bands)."""
    return "n/a" if value is None else f"{100 * abs(value):.{digits}f} pts"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    flagged: Iterable[bool] | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table; cells are escaped; ``numeric`` column indexes are right-aligned; flagged rows tinted."""
    numeric = set(numeric)
    flags = list(flagged) if flagged is not None else None
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{esc(c)}</td>' if j in numeric else f"<td>{esc(c)}</td>" for j, c in enumerate(row)
        )
        css = ' class="flag"' if flags is not None and flags[i] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}">None.</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def bullets(items: Iterable[str]) -> str:
    """A list of items that are already HTML (escape them before)."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def figure(png_base64: str, *, alt: str, caption: str) -> str:
    """An inline PNG with a text alternative that states the figures."""
    return (
        f'<figure><img src="data:image/png;base64,{png_base64}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def write_text_atomically(out: str | Path, text: str) -> Path:
    """Write ``text`` to ``out``: staged beside it, then renamed, so no half-written file is ever left."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        staging.write_text(text, encoding="utf-8")
        staging.replace(out)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return out
