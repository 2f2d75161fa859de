"""The Quotations table: one row per reference, in component → code tree → source → position order.

At 200,000 codings a Quotations DataFrame held every excerpt a second time beside the project's
texts (about 180 MB).  So :func:`order` numbers the quotations when the summary is built, the
frame is made only when someone asks for it (:func:`frame`), and the workbook writes the sheet
from :func:`rows`, one row at a time, cutting the excerpts a chunk of rows at a time.
"""
from __future__ import annotations

from array import array
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ..sheets._values import extra_column_names
from ..writers._cells import cut_text
from .labels import text

__all__ = ["QUOTATION_COLUMNS", "MAX_TEXT", "attribute_columns", "order", "columns", "rows", "frame"]

MAX_TEXT = 32_000  # Excel's cell limit is 32,767 characters
QUOTATION_COLUMNS = ("quote_id", "component", "subcomponent", "code_path", "source", "case", "start", "end",
                     "text", "coders", "other_codes_on_span", "representative", "memo")


def _ellipsis(removed: int) -> str:
    """The end of a quotation cut to MAX_TEXT (the spec's "…")."""
    return "\u2026"


def attribute_columns(attributes: list[str], reserved: tuple = QUOTATION_COLUMNS) -> dict[str, str]:
    """The Quotations column of each case attribute, by the one column-naming rule of every table
    writer (:func:`nvivo_bridge.sheets.extra_column_names`): its own name, unless that is one of the
    sheet's fixed columns (an attribute named ``source`` or ``text``) or another attribute's column
    — then ``<name> (attribute)``, numbered if need be.  Two columns under one name made the
    table's columns unequal in length (the command died)."""
    return dict(zip(attributes, extra_column_names(reserved, attributes, "attribute")))


def order(res: Any) -> array:
    """Sort the shown references into the sheet's order, number them (``res.quote_no``: reference
    → quotation number, 0 = not shown) and return them.

    The order (component, code in tree order, source, start, entry) is one ``lexsort`` over
    integer columns: a Python key tuple per reference cost about 25 MB at 200,000 codings."""
    p, a, c, idx = res.project, res.assignment, res.counts, res.counts.index
    comp_rank = {comp: i for i, comp in enumerate(res.rows)}
    code_rank = {g: i for i, g in enumerate(res.kept)}
    shown = {g for comp in res.rows for g in res.comp_codes[comp]}
    src_rank = {g: i for i, g in enumerate(p.sources)}
    n_refs = len(c.ref_code)
    codes: dict = {}
    code_id = np.fromiter((codes.setdefault(g, len(codes)) for g in c.ref_code), dtype=np.int64, count=n_refs)
    is_shown = np.asarray([g in shown for g in codes], dtype=bool)
    by_comp = np.asarray([comp_rank.get((a.components[g] or ("other",))[0], 99) for g in codes], dtype=np.int64)
    by_code = np.asarray([code_rank.get(g, -1) for g in codes], dtype=np.int64)
    refs = np.flatnonzero(is_shown[code_id]) if len(codes) else np.zeros(0, dtype=np.int64)
    entry = np.frombuffer(c.unit_entry, dtype=np.int64)[np.frombuffer(c.ref_unit, dtype=np.int64)[refs]]
    n = len(idx)
    by_source = np.fromiter((src_rank.get(g, 0) for g in idx.source_guid), dtype=np.int64, count=n)[entry]
    by_start = np.fromiter((-1 if x is None else x for x in idx.start), dtype=np.int64, count=n)[entry]
    gid = code_id[refs]
    del code_id
    refs = refs[np.lexsort((entry, by_start, by_source, by_code[gid], by_comp[gid]))]
    numbers = np.zeros(n_refs, dtype=np.int64)
    numbers[refs] = np.arange(1, len(refs) + 1)
    res.quote_no = array("q", numbers.tobytes())  # 8 bytes a reference: a dict cost ten times more
    out = array("q", refs.astype(np.int64).tobytes())
    res.quote_width = max(5, len(str(len(out))))
    res.cache["quotation_refs"] = out
    return out


def columns(res: Any) -> list[str]:
    """The sheet's columns: the fixed ones with one per case attribute after ``case``."""
    attr_col = attribute_columns(list(res.case_value))
    return list(QUOTATION_COLUMNS[:6]) + list(attr_col.values()) + list(QUOTATION_COLUMNS[6:])


def _case_info(res: Any, cases: tuple, attrs: list[str], case_name: dict) -> tuple[str, list]:
    """The informant names of a reference and, per attribute, its value: typed (an Integer stays a
    number) when there is one informant or all agree, else the distinct values as text."""
    if not cases:
        return text("no_case", res.lang), [None] * len(attrs)
    names = "; ".join(case_name.get(x, x) for x in cases)
    vals = []
    for at in attrs:
        typed = res.case_typed.get(at, {})
        distinct = list(dict.fromkeys(typed.get(x) for x in cases))
        if len(distinct) == 1:
            vals.append(distinct[0])
        else:
            vals.append("; ".join(dict.fromkeys(res.case_value[at].get(x, text("missing", res.lang))
                                                for x in cases)))
    return names, vals


def _excerpts(c: Any, entries: list[int]) -> list:
    """The excerpt of each entry as UTF-8 bytes (a third or less of a str holding an emoji),
    cut source by source: in the sheet's order the model would decode a source's stored text
    again for almost every row.  A segment quoted at several codes shares one."""
    out: list = [None] * len(entries)
    last_e, last_t = -1, None
    for k in sorted(range(len(entries)), key=entries.__getitem__):
        e = entries[k]
        if e != last_e:
            t = c.excerpt(e)
            last_e, last_t = e, (t.encode("utf-8", "surrogatepass") if t is not None else None)
        out[k] = last_t
    return out


_CHUNK = 10_000  # rows whose excerpts are cut together (each source's text decoded once per chunk)


def _with_excerpts(c: Any, refs: list[int]) -> Iterator[tuple[int, Any]]:
    """``(reference, excerpt)`` in ``refs`` order, the excerpts cut a chunk of rows at a time:
    all at once they were a second copy of the texts (60 MB at 200,000 codings), one at a time
    a decode of a source's stored text per row."""
    first, unit = c.unit_entry, c.ref_unit
    for k in range(0, len(refs), _CHUNK):
        part = refs[k:k + _CHUNK]
        yield from zip(part, _excerpts(c, [first[unit[r]] for r in part]))


def rows(res: Any) -> Iterator[list]:
    """The sheet's rows, made one at a time, in :func:`columns` order."""
    p, a, c, idx = res.project, res.assignment, res.counts, res.counts.index
    refs = res.cache.get("quotation_refs") or order(res)
    attrs = list(res.case_value)
    cache: dict = {}
    non_text = text("non_text", res.lang)
    src_name = {g: s.name or g for g, s in p.sources.items()}
    case_name = {g: cs.name or g for g, cs in p.cases.items()}
    comp_cell = {g: "; ".join(a.components[g]) or "other" for g in res.kept}
    paths, first, width = a.path, c.unit_entry, res.quote_width
    for n, (r, raw) in enumerate(_with_excerpts(c, refs), start=1):
        g = c.ref_code[r]
        u = c.ref_unit[r]
        e = first[u]
        cases = c.unit_cases[u]
        info = cache.get(cases)
        if info is None:
            info = cache[cases] = _case_info(res, cases, attrs, case_name)
        t = raw.decode("utf-8", "surrogatepass") if raw is not None else None
        if idx.kind[e] != "text":
            t = f"{non_text} {t}".strip() if t else non_text
        elif t:
            t = cut_text(t, MAX_TEXT, _ellipsis)
        entries = c.entries(r)
        others = c.codes_on(c.unit_segment[u])
        memos = [idx.memo[x] for x in entries if idx.memo[x]]
        yield [f"Q{n:0{width}d}", comp_cell[g], a.subcomponent.get(g), paths[g],
               src_name.get(idx.source_guid[e], idx.source_guid[e]), info[0], *info[1],
               idx.start[e], idx.end[e], t,
               ", ".join(dict.fromkeys(idx.coder[x] or "(unknown)" for x in entries)),
               "; ".join(paths[o] for o in others if o != g) or None, None,
               "\n\n".join(dict.fromkeys(memos)) or None]


def frame(res: Any) -> pd.DataFrame:
    """The Quotations table as a DataFrame (attribute columns typed by their variable's type)."""
    from ..sheets._values import typed_column

    cols = columns(res)
    data: list[list] = [[] for _ in cols]
    for row in rows(res):
        for store, v in zip(data, row):
            store.append(v)
    attrs = list(res.case_value)
    attr_col = attribute_columns(attrs)
    vtype = {v.name: v.type for v in res.project.variables.values()}
    out = dict(zip(cols, data))
    for at in attrs:
        out[attr_col[at]] = typed_column(out[attr_col[at]], vtype.get(at, "Text"))
    df = pd.DataFrame(out)
    df.attrs["attribute_columns"] = attr_col
    return df
