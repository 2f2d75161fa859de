"""The CIPP report as a list of blocks, shared by the HTML and the Word writer.

Both reports show the same content in the same order: overview (table, F1, F2), one section
per component (guiding question, evidence, codes, quotations, synthesis), the matrix with F3,
F4, the synthesis table, empty codes and the metaevaluation (ledger, coders, agreement).
Tables and figures are numbered thesis-style ("Table 4.1", "Tabel 4.1", "Figure 4.1").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .headers import header
from .labels import SUBCOMPONENTS, label, text
from .synthesis import ROLES, representative

__all__ = ["Heading", "Para", "Table", "Figure", "Quote", "Items", "PageBreak", "blocks"]


@dataclass
class Heading:
    """A heading: level 1 is the title, 2 a section, 3 a subsection."""
    text: str
    level: int


@dataclass
class Para:
    """A paragraph; ``style`` is ``""``, ``note``, ``question`` or ``label`` (bold lead-in)."""
    text: str
    style: str = ""
    lead: str = ""


@dataclass
class Table:
    """A numbered table: caption above, header row, rows; ``numeric`` column indexes align right;
    ``kinds`` per row: ``""``, ``total``, ``subtotal`` or ``part``."""
    caption: str
    header: list
    rows: list
    numeric: set = field(default_factory=set)
    kinds: list = field(default_factory=list)


@dataclass
class Figure:
    """A numbered figure (caption below) by its id (``F1``…)."""
    key: str
    caption: str


@dataclass
class Quote:
    """A quotation and who said it (informant, attributes, source, code, quotation id)."""
    text: str
    attribution: str


@dataclass
class Items:
    """A bulleted list."""
    items: list


@dataclass
class PageBreak:
    """A new page in print (each component starts on one)."""


class _Numbers:
    def __init__(self, lang: str, chapter: Optional[int]):
        self.lang, self.chapter, self.tables, self.figures = lang, chapter, 0, 0

    def _n(self, n: int) -> str:
        return f"{self.chapter}.{n}" if self.chapter else str(n)

    def table(self, caption: str) -> str:
        self.tables += 1
        return f"{text('table', self.lang)} {self._n(self.tables)} {caption}"

    def figure(self, caption: str) -> str:
        self.figures += 1
        return f"{text('figure', self.lang)} {self._n(self.figures)} {caption}"


def _cell(v: Any, decimals: int = 1) -> Any:
    if v is None:
        return ""
    try:
        if v != v:  # NaN, NA
            return ""
    except (TypeError, ValueError):
        return ""
    if isinstance(v, float):
        return f"{v:.{decimals}f}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return v


_DECIMALS = {"alpha": 3, "kappa_weighted": 3}
_EMPTY_MAX = 40  # empty codes listed in a report (the workbook's Empty Codes sheet has them all)
_MATRIX_MAX = 60  # code rows of the matrix in a report (the workbook has them all)


def _frame_table(df: Any, cols: list[str], caption: str, lang: str, kinds: Optional[list] = None,
                 names: Optional[dict] = None) -> Table:
    numeric = {i for i, c in enumerate(cols) if str(df[c].dtype) not in ("object", "str", "string")
               and not str(df[c].dtype).startswith("str")}
    head = [(names or {}).get(c) or header(c, lang) for c in cols]
    dec = [_DECIMALS.get(c, 1) for c in cols]
    rows = [[_cell(v, d) for v, d in zip(values, dec)] for values in zip(*(df[c].tolist() for c in cols))]
    return Table(caption, head, rows, numeric, kinds or [""] * len(rows))


def _what(key: str, lang: str) -> str:
    """A ledger row's element in the reader's language (the frame keeps the identifier)."""
    if key.startswith("warning: "):
        return f"{text('what_warning', lang)}: {key[len('warning: '):]}"
    return text(f"what_{key}", lang)


def _who(res: Any, q: dict) -> str:
    attrs = ", ".join(v for v in q["attributes"].values() if v)
    who = q["case"] + (f" ({attrs})" if attrs else "")
    return f"\u2014 {who}, {q['source']} \u00b7 {q['code_path']} \u00b7 {q['quote_id']}"


def _component(res: Any, comp: str, num: _Numbers, synth: dict) -> list:
    lang, c = res.lang, res.counts
    out: list = [PageBreak(), Heading(label(comp, lang), 2)]
    row = synth[comp]
    out.append(Para(row["guiding_question"], "question"))
    out.append(Para(f"{row['references']} {text('references', lang).lower()}, {row['informants']} "
                    f"{text('informants', lang)}, {row['codes']} {text('codes', lang).lower()}."))
    detail = res.frame("detail")
    keep = set(res.comp_codes[comp])
    sel = detail.iloc[[i for i, g in enumerate(res.kept) if g in keep]]  # Code Detail rows follow res.kept
    if len(sel):
        show = sel.assign(code=["\u2003" * (lvl - 1) + n for lvl, n in zip(sel["level"], sel["code_name"])])
        cols = ["code"] + (["subcomponent"] if comp == "product" else []) + \
               ["refs_direct", "refs_aggregated", "n_sources", "n_cases"]
        if comp == "product":
            show = show.assign(subcomponent=[label(s, lang) if isinstance(s, str) else "" for s in show["subcomponent"]])
        out.append(_frame_table(show, cols, num.table(text("tab_codes", lang).format(component=label(comp, lang))),
                                lang))
    else:
        out.append(Para(text("no_codings", lang), "note"))
    quotes = representative(res, comp)
    if quotes:
        out.append(Heading(text("quotations", lang), 3))
        out.extend(Quote(q["text"], _who(res, q)) for q in quotes)
    if comp == "product":
        for part in SUBCOMPONENTS:
            if part not in synth:
                continue
            prow = synth[part]
            out.append(Heading(label(part, lang), 3))
            out.append(Para(prow["guiding_question"], "question"))
            out.append(Para(f"{prow['references']} {text('references', lang).lower()}, {prow['informants']} "
                            f"{text('informants', lang)}" + (f": {prow['evidence']}." if prow["evidence"] else ".")))
            out.extend(Quote(q["text"], _who(res, q)) for q in representative(res, part, limit=2))
    out.append(Heading(text("synthesis", lang), 3))
    for role in ROLES:
        out.append(Para(row[role] or text("for_evaluator", lang), "", lead=header(role, lang)))
    return out


def blocks(res: Any, chapter: Optional[int] = 4) -> list:
    """The report's blocks for ``res`` (see the module docstring); ``chapter`` numbers tables and
    figures "4.1, 4.2…" (``None``: "1, 2…")."""
    lang = res.lang
    num = _Numbers(lang, chapter)
    title = f"{text('report_title', lang)}: {res.project.name or ''}".strip(": ")
    export = res.frame("metadata").set_index("key").loc["export date", "value"]
    out: list = [Heading(title, 1), Para(f"{text('generated', lang)} \u00b7 {export}", "note"),
                 Heading(text("overview", lang), 2)]
    ov = res.frame("overview")
    kinds = ["total" if k == "total" else "part" if k in SUBCOMPONENTS else "" for k in ov["component"]]
    # A thesis table fits the page: the workbook's overview has every column.
    cols = ["label", "codes", "references", "references_pct", "sources", "cases", "cases_pct", "words_coded"]
    out.append(_frame_table(ov, cols, num.table(text("tab_overview", lang)), lang, kinds))
    out.append(Para(text("footnote", lang), "note"))
    out.append(Figure("F1", num.figure(text("fig_f1", lang))))
    out.append(Figure("F2", num.figure(text("fig_f2", lang))))
    synth_df = res.frame("synthesis")
    synth = {r["component"]: r for r in synth_df.to_dict("records")}
    for comp in res.rows:
        out.extend(_component(res, comp, num, synth))
    if res.group_by:
        attr = res.group_by[0]
        m = res.frame(f"matrix:{attr}")
        codes = m[m["row_type"] == "code"]
        note = []
        if len(codes) > _MATRIX_MAX:
            keep = set(codes["references: Total"].nlargest(_MATRIX_MAX, keep="first").index)
            m = m[(m["row_type"] != "code") | m.index.isin(keep)]
            note = [Para(text("matrix_top", lang).format(n=_MATRIX_MAX, of=len(codes)), "note")]
        mcols = ["code_name"] + [c for c in m.columns if c.startswith("references: ") or c.startswith("cases: ")]
        out += [PageBreak(), Heading(f"{text('matrix', lang)}: {attr}", 2),
                _frame_table(m, mcols, num.table(text("tab_matrix", lang).format(attribute=attr)), lang,
                             [k if k in ("total", "subtotal") else "" for k in m["row_type"]]),
                *note, Figure("F3", num.figure(f"{text('fig_f3', lang)} ({attr})"))]
    out.append(Figure("F4", num.figure(text("fig_f4", lang))))
    out += [PageBreak(), Heading(text("synthesis", lang), 2),
            _frame_table(synth_df, ["label", "guiding_question", "references", "informants", "evidence", "judgement"],
                         num.table(text("tab_synthesis", lang)), lang,
                         ["part" if k in SUBCOMPONENTS else "" for k in synth_df["component"]])]
    empty = res.frame("empty")
    if len(empty):
        paths = empty["code_path"].tolist()
        items = paths[:_EMPTY_MAX] + ([text("empty_more", lang).format(n=len(paths) - _EMPTY_MAX)]
                                      if len(paths) > _EMPTY_MAX else [])
        out += [Heading(text("empty_note", lang), 3), Items(items)]
    ledger = res.frame("ledger")
    ledger = ledger.assign(what=[_what(w, lang) for w in ledger["what"]])
    out += [Heading(text("metaevaluation", lang), 2),
            _frame_table(ledger, ["what", "read", "counted", "note"], num.table(text("tab_ledger", lang)), lang),
            _frame_table(res.frame("coders"), ["coder", "codings", "references"], num.table(text("tab_coders", lang)),
                         lang)]
    if "agreement" in res.sheet_keys:
        ag = res.frame("agreement")
        ag = ag.assign(group=[label(g, lang) for g in ag["group"]])
        out.append(_frame_table(ag, [c for c in ag.columns], num.table(text("tab_agreement", lang)), lang))
    else:
        out.append(Para(text("no_agreement", lang), "note"))
    out.append(Para(text("more_quotes", lang), "note"))
    return out

