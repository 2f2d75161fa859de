"""The CIPP report: one self-contained HTML file (figures inline as base64 PNG, no network).

The content comes from :mod:`nvivo_bridge.cipp.content` (the Word report shows the same).  Print
CSS gives A4 pages with each component on its own page; long words and paths wrap inside their
cells, so no text runs out of its box.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any, Optional

from .content import Figure, Heading, Items, PageBreak, Para, Quote, Table, blocks

__all__ = ["write_report", "html"]

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1,h2,h3{font-family:'Helvetica Neue',Arial,sans-serif}
table{border-collapse:collapse;margin:.4rem 0 1.2rem;font-size:.85rem;max-width:100%}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.3rem 0;font-size:.9rem}
th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:left;padding:.25rem .5rem;vertical-align:bottom}
td{padding:.2rem .5rem;vertical-align:top}
td{overflow-wrap:anywhere}th{overflow-wrap:break-word;hyphens:auto}
@media (max-width:50rem){th{overflow-wrap:anywhere}}
tr.total td{border-top:1px solid #000;border-bottom:2px solid #000;font-weight:bold}
tr.subtotal td{font-weight:bold;background:#f2f2f2}
tr.part td{font-style:italic;color:#333}
tbody tr:last-child td{border-bottom:2px solid #000}
td.num,th.num{text-align:right}td.num{white-space:nowrap}
blockquote{margin:.6rem 0 .6rem 1.5rem;padding-left:.8rem;border-left:3px solid #999;overflow-wrap:anywhere}
blockquote footer{font-size:.8rem;color:#555}
p.question{font-style:italic}
p,li{overflow-wrap:anywhere}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{font-weight:bold;font-size:.9rem}
.note{font-size:.8rem;color:#444}
@page{size:A4;margin:18mm}
@media print{body{max-width:none;margin:0}.page{page-break-before:always}
figure,table,blockquote{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _table(t: Table) -> str:
    cls = ['class="num"' if i in t.numeric else "" for i in range(len(t.header))]
    head = "".join(f"<th {c}>{escape(str(h))}</th>" for c, h in zip(cls, t.header))
    body = []
    for kind, row in zip(t.kinds, t.rows):
        cells = "".join(f"<td {c}>{escape(str(v))}</td>" for c, v in zip(cls, row))
        body.append(f'<tr class="{kind}">{cells}</tr>' if kind else f"<tr>{cells}</tr>")
    return (f"<table><caption>{escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def html(res: Any, images: Optional[dict] = None, chapter: Optional[int] = 4) -> str:
    """The report as one HTML string; ``images`` is :func:`nvivo_bridge.cipp.figures.images`
    output (drawn here when not given)."""
    if images is None:
        from .figures import images as draw
        images = draw(res)
    parts = [f'<!DOCTYPE html><html lang="{res.lang}"><head><meta charset="utf-8">']
    open_page = False
    for b in blocks(res, chapter):
        if isinstance(b, Heading):
            if b.level == 1:
                parts.append(f"<title>{escape(b.text)}</title><style>{_CSS}</style></head><body>")
            parts.append(f"<h{b.level}>{escape(b.text)}</h{b.level}>")
        elif isinstance(b, PageBreak):
            if open_page:
                parts.append("</section>")
            parts.append('<section class="page">')
            open_page = True
        elif isinstance(b, Para):
            lead = f"<strong>{escape(b.lead)}:</strong> " if b.lead else ""
            body = escape(b.text).replace("\n", "<br>")
            parts.append(f'<p class="{b.style}">{lead}{body}</p>' if b.style else f"<p>{lead}{body}</p>")
        elif isinstance(b, Table):
            parts.append(_table(b))
        elif isinstance(b, Figure):
            data = images.get(b.key, {}).get("png")
            if data:
                src = base64.b64encode(data).decode("ascii")
                parts.append(f'<figure><img alt="{escape(b.caption)}" src="data:image/png;base64,{src}">'
                             f"<figcaption>{escape(b.caption)}</figcaption></figure>")
        elif isinstance(b, Quote):
            parts.append(f"<blockquote><p>\u201c{escape(b.text)}\u201d</p><footer>{escape(b.attribution)}"
                         "</footer></blockquote>")
        elif isinstance(b, Items):
            parts.append("<ul>" + "".join(f"<li>{escape(str(i))}</li>" for i in b.items) + "</ul>")
    if open_page:
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(res: Any, path: Path, images: Optional[dict] = None, chapter: Optional[int] = 4) -> None:
    """Write the HTML report for ``res`` to ``path`` (the caller makes it atomic)."""
    Path(path).write_text(html(res, images, chapter), encoding="utf-8")
