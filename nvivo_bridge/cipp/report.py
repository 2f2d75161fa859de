"""The CIPP report: one self-contained HTML file (figures inline as base64 PNG, no network).

Sections: overview table and F1; one section per component with its codes, counts and most
representative quotations; the matrix of the first group-by attribute with F3; F4; empty codes.
Print CSS gives A4 pages with each component on its own page.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from .figures import png_bytes, render
from .labels import label, text

__all__ = ["write_report", "representative"]

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1,h2,h3{font-family:'Helvetica Neue',Arial,sans-serif}
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}
th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:left;padding:.25rem .5rem}
td{padding:.2rem .5rem;vertical-align:top}
tr.total td{border-top:1px solid #000;border-bottom:2px solid #000;font-weight:bold}
tr.subtotal td{font-weight:bold;background:#f2f2f2}
td.num,th.num{text-align:right}
blockquote{margin:.6rem 0 .6rem 1.5rem;padding-left:.8rem;border-left:3px solid #999}
blockquote footer{font-size:.8rem;color:#555}
figure{margin:1rem 0}figure img{max-width:100%}
.note{font-size:.8rem;color:#444}
@page{size:A4;margin:18mm}
@media print{body{max-width:none;margin:0}section.component{page-break-before:always}
figure,table,blockquote{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _img(fig: Any, alt: str) -> str:
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    plt.close(fig)
    return f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def _table(df: Any, cols: list[str], numeric: set, row_class: Any = None) -> str:
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{escape(str(c))}</th>' for c in cols)
    body = []
    for _, row in df.iterrows():
        cls = row_class(row) if row_class else ""
        cells = []
        for c in cols:
            v = row[c]
            v = "" if v is None or (isinstance(v, float) and v != v) else v
            cells.append(f'<td class="{"num" if c in numeric else ""}">{escape(str(v))}</td>')
        body.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def representative(res: Any, comp: str, limit: int = 5) -> list[dict]:
    """Quotations that best represent a component: from its most-referenced codes, one per
    informant first, preferring mid-length excerpts (about 25 words); rows marked
    ``representative`` by the user come first."""
    q = res.frame("quotations")
    rows = q[q["component"].str.split("; ").map(lambda cs: comp in cs)]
    if rows.empty:
        return []
    refs = {res.assignment.path[g]: len(res.counts.direct.get(g, ())) for g in res.comp_codes[comp]}
    scored = []
    for rec in rows.to_dict("records"):
        words = len(str(rec["text"] or "").split())
        marked = 0 if rec.get("representative") not in (None, "") else 1
        scored.append((marked, -refs.get(rec["code_path"], 0), abs(words - 25), rec["quote_id"], rec))
    scored.sort(key=lambda t: t[:4])
    chosen, seen_cases, seen_codes = [], set(), set()
    for *_k, rec in scored:
        if rec["case"] in seen_cases or rec["code_path"] in seen_codes:
            continue
        chosen.append(rec)
        seen_cases.add(rec["case"])
        seen_codes.add(rec["code_path"])
        if len(chosen) == limit:
            return chosen
    for *_k, rec in scored:
        if len(chosen) == limit:
            break
        if rec not in chosen:
            chosen.append(rec)
    return chosen


def _component_section(res: Any, comp: str) -> str:
    detail = res.frame("detail")
    rows = detail[detail["component"].str.split("; ").map(lambda cs: comp in cs)].copy()
    ov = res.frame("overview").set_index("component").loc[comp]
    rows["code"] = ["\u2003" * (lvl - 1) + name for lvl, name in zip(rows["level"], rows["code_name"])]
    num = {"refs_direct", "refs_aggregated", "n_sources", "n_cases"}
    out = [f'<section class="component"><h2>{escape(label(comp, res.lang))}</h2>',
           f'<p>{int(ov["references"])} {escape(text("references", res.lang).lower())}, '
           f'{int(ov["cases"])} {escape(text("informants", res.lang))}, {int(ov["sources"])} {escape(text("sources", res.lang))}.</p>',
           f'<h3>{escape(text("codes", res.lang))}</h3>',
           _table(rows, ["code", "subcomponent", "refs_direct", "refs_aggregated", "n_sources", "n_cases"], num)]
    quotes = representative(res, comp)
    if quotes:
        out.append(f'<h3>{escape(text("quotations", res.lang))}</h3>')
        for rec in quotes:
            attrs = ", ".join(str(rec[a]) for a in res.group_by if rec.get(a))
            who = f"{rec['case']}" + (f" ({attrs})" if attrs else "")
            out.append(f"<blockquote><p>\u201c{escape(str(rec['text']))}\u201d</p><footer>\u2014 {escape(who)}, "
                       f"{escape(str(rec['source']))} \u00b7 {escape(str(rec['code_path']))} "
                       f"\u00b7 {escape(str(rec['quote_id']))}</footer></blockquote>")
    out.append("</section>")
    return "\n".join(out)


def write_report(res: Any, path: Path) -> None:
    """Write the HTML report for ``res`` to ``path`` (the caller makes it atomic)."""
    figs = render(res)
    lang = res.lang
    ov = res.frame("overview")
    num = {c for c in ov.columns if c not in ("component", "label", "top_codes")}
    ov_cols = [c for c in ov.columns if c != "component"]
    title = f"{text('report_title', lang)}: {res.project.name or ''}".strip(": ")
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
             f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             f'<p class="note">{escape(text("generated", lang))} \u00b7 '
             f'{escape(str(res.frame("metadata").set_index("key").loc["export date", "value"]))}</p>',
             f'<h2>{escape(text("overview", lang))}</h2>',
             _table(ov, ov_cols, num, lambda r: "total" if r["component"] == "total" else ""),
             f'<p class="note">{escape(text("footnote", lang))}</p>']
    if "F1" in figs:
        parts.append(_img(figs.pop("F1"), "F1"))
    if "F2" in figs:
        parts.append(_img(figs.pop("F2"), "F2"))
    for comp in res.rows:
        parts.append(_component_section(res, comp))
    if res.group_by:
        m = res.frame(f"matrix:{res.group_by[0]}")
        cols = ["code_name"] + [c for c in m.columns if c.startswith("references: ") or
                                (c.startswith("cases: "))]
        parts.append(f'<section class="component"><h2>{escape(text("matrix", lang))}: '
                     f"{escape(res.group_by[0])}</h2>")
        parts.append(_table(m, cols, set(cols) - {"code_name"}, lambda r: r["row_type"]))
        if "F3" in figs:
            parts.append(_img(figs.pop("F3"), "F3"))
        parts.append("</section>")
    if "F4" in figs:
        parts.append(_img(figs.pop("F4"), "F4"))
    empty = res.frame("empty")
    if len(empty):
        parts.append(f'<h2>{escape(text("empty_note", lang))}</h2><ul>'
                     + "".join(f"<li>{escape(p)}</li>" for p in empty["code_path"]) + "</ul>")
    for fig in figs.values():
        plt.close(fig)
    parts.append("</body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")
