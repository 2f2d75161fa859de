"""The supporting tables: Metadata, Quotations, Unmapped, Empty Codes and Warnings."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ..writers._cells import cut_text
from .labels import COMPONENTS, text
from .mapping import describe_rules

__all__ = ["metadata", "quotations", "unmapped", "empty_codes", "warnings", "MAX_TEXT"]

MAX_TEXT = 32_000  # Excel's cell limit is 32,767 characters
MAX_WARNINGS_PER_TYPE = 2_000


def _ellipsis(removed: int) -> str:
    """The end of a quotation cut to MAX_TEXT (the spec's "…")."""
    return "\u2026"


def metadata(res: Any) -> pd.DataFrame:
    """Key/value rows: what was summarised, how codes were mapped and how things were counted."""
    from .. import __version__

    p, a, c = res.project, res.assignment, res.counts
    rows = [("project", p.name), ("input file", p.source_file or ""),
            ("export date", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("tool version", f"nvivo-bridge {__version__}"), ("mapping file", describe_rules(res.config))]
    for comp in COMPONENTS + ("other",):
        origins = sorted({a.origin[g] for g in res.comp_codes.get(comp, ())})
        rows.append((f"mapping source: {comp}", ", ".join(origins) or "(no codes)"))
    rows += [("unmapped codes", res.unmapped), ("group by", ", ".join(res.group_by) or "(none)"),
             ("language", res.lang),
             ("counting rule: reference", text("rule_reference" if res.coder_dedupe else "rule_reference_off",
                                               res.lang)),
             ("counting rule: aggregated", text("rule_aggregated", res.lang)),
             ("counting rule: sources/cases", text("rule_sources", res.lang)),
             ("counting rule: totals", text("footnote", res.lang)),
             ("counting rule: matrix", text("rule_matrix", res.lang)),
             ("coder filter", res.coder or "(all coders)"), ("coder dedupe", "on" if res.coder_dedupe else "off"),
             ("n_sources", len(p.sources)), ("n_cases", len(p.cases)), ("n_codes", len(a.order)),
             ("code references", len(c.ref_code)), ("distinct segments", c.n_segments),
             ("raw codings", c.n_raw)]
    return pd.DataFrame(rows, columns=["key", "value"]).astype({"value": "object"})


QUOTATION_COLUMNS = ("quote_id", "component", "subcomponent", "code_path", "source", "case", "start", "end",
                     "text", "coders", "other_codes_on_span", "representative", "memo")


def attribute_columns(attributes: list[str], reserved: tuple = QUOTATION_COLUMNS) -> dict[str, str]:
    """The Quotations column of each case attribute: its own name, unless that is one of the
    sheet's fixed columns (an attribute named ``source`` or ``text``) or another attribute's
    column — then ``<name> (attribute)``, numbered if need be.  Two columns under one name
    made the table's columns unequal in length (the command died)."""
    taken = set(reserved)
    out: dict[str, str] = {}
    for name in attributes:
        col = name if name not in taken else f"{name} (attribute)"
        n = 2
        while col in taken:
            col = f"{name} (attribute {n})"
            n += 1
        taken.add(col)
        out[name] = col
    return out


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
    """The excerpt of each entry, cut source by source (entries are numbered in document order):
    in the Quotations' order the model would decode a source's stored text again for almost
    every row.  A segment quoted at several codes shares one string."""
    out: list = [None] * len(entries)
    last_e, last_t = -1, None
    for k in sorted(range(len(entries)), key=entries.__getitem__):
        e = entries[k]
        if e != last_e:
            last_e, last_t = e, c.excerpt(e)
        out[k] = last_t
    return out


def quotations(res: Any) -> pd.DataFrame:
    """One row per reference, in component → code tree → source → position order."""
    from ..sheets._values import typed_column

    p, a, c, idx = res.project, res.assignment, res.counts, res.counts.index
    attrs = list(res.case_value)
    attr_col = attribute_columns(attrs)
    cache: dict = {}
    non_text = text("non_text", res.lang)
    comp_rank = {comp: i for i, comp in enumerate(res.rows)}
    code_rank = {g: i for i, g in enumerate(res.kept)}
    shown = {g for comp in res.rows for g in res.comp_codes[comp]}
    src_rank = {g: i for i, g in enumerate(p.sources)}
    src_name = {g: s.name or g for g, s in p.sources.items()}
    case_name = {g: cs.name or g for g, cs in p.cases.items()}
    paths = a.path
    refs = [r for r, g in enumerate(c.ref_code) if g in shown]
    first = c.unit_entry

    def key(r: int) -> tuple:
        g = c.ref_code[r]
        comps = a.components[g] or ("other",)
        e = first[c.ref_unit[r]]
        start = idx.start[e]
        return (comp_rank.get(comps[0], 99), code_rank[g], src_rank.get(idx.source_guid[e], 0),
                start if start is not None else -1, e)

    refs.sort(key=key)
    # Reference → its quotation number, so the reports cite the Quotations sheet's ids.
    res.quote_no = [0] * len(c.ref_code)  # a list: a dict of 200,000 entries costs ten times more
    for n, r in enumerate(refs, start=1):
        res.quote_no[r] = n
    res.quote_width = max(5, len(str(len(refs))))
    cols: dict[str, list] = {k: [] for k in QUOTATION_COLUMNS}
    attr_vals: list[list] = [[] for _ in attrs]
    width = res.quote_width
    texts = _excerpts(c, [first[c.ref_unit[r]] for r in refs])
    for n, (r, t) in enumerate(zip(refs, texts), start=1):
        g = c.ref_code[r]
        u = c.ref_unit[r]
        e = first[u]
        cases = c.unit_cases[u]
        info = cache.get(cases)
        if info is None:
            info = cache[cases] = _case_info(res, cases, attrs, case_name)
        cols["quote_id"].append(f"Q{n:0{width}d}")
        cols["component"].append("; ".join(a.components[g]) or "other")
        cols["subcomponent"].append(a.subcomponent.get(g))
        cols["code_path"].append(paths[g])
        cols["source"].append(src_name.get(idx.source_guid[e], idx.source_guid[e]))
        cols["case"].append(info[0])
        for store, v in zip(attr_vals, info[1]):
            store.append(v)
        cols["start"].append(idx.start[e])
        cols["end"].append(idx.end[e])
        if idx.kind[e] != "text":
            t = f"{non_text} {t}".strip() if t else non_text
        elif t:
            t = cut_text(t, MAX_TEXT, _ellipsis)
        cols["text"].append(t)
        entries = c.ref_entries[r]
        cols["coders"].append(", ".join(dict.fromkeys(idx.coder[x] or "(unknown)" for x in entries)))
        others = c.seg_codes.get(c.unit_segment[u], ())
        cols["other_codes_on_span"].append("; ".join(paths[o] for o in others if o != g) or None)
        cols["representative"].append(None)
        memos = [idx.memo[x] for x in entries if idx.memo[x]]
        cols["memo"].append("\n\n".join(dict.fromkeys(memos)) or None)
    vtype = {v.name: v.type for v in p.variables.values()}
    order = list(QUOTATION_COLUMNS[:6]) + [attr_col[at] for at in attrs] + list(QUOTATION_COLUMNS[6:])
    data = dict(cols)
    for at, values in zip(attrs, attr_vals):
        data[attr_col[at]] = typed_column(values, vtype.get(at, "Text"))
    df = pd.DataFrame({k: data[k] for k in order})
    df.attrs["attribute_columns"] = attr_col
    return df


def _code_rows(res: Any, codes: list[str]) -> pd.DataFrame:
    a, c = res.assignment, res.counts
    rows = []
    for g in codes:
        refs, _s, cases, _w = c.stats(c.aggregated.get(g, set()))
        rows.append({"component": "; ".join(a.components[g]) or "other", "code_path": a.path[g],
                     "description": res.project.codes[g].description, "refs": refs,
                     "refs_direct": len(c.direct.get(g, ())), "n_cases": len(cases)})
    return pd.DataFrame(rows, columns=["component", "code_path", "description", "refs", "refs_direct", "n_cases"])


def unmapped(res: Any) -> pd.DataFrame:
    """Codes that no rule, set or name put in a component (also under ``--unmapped drop``)."""
    a = res.assignment
    return _code_rows(res, [g for g in a.order if a.components[g] == ()])


def empty_codes(res: Any) -> pd.DataFrame:
    """Kept codes with no reference, subcodes included."""
    c = res.counts
    return _code_rows(res, [g for g in res.kept if not c.aggregated.get(g)])


def warnings(res: Any) -> pd.DataFrame:
    """One row per issue: overlap, multi-coder, no-case, non-text, multi-component, and mapping notes."""
    p, a, c, idx = res.project, res.assignment, res.counts, res.counts.index
    src_name = {g: s.name or g for g, s in p.sources.items()}
    rows: list[tuple] = []
    for g in [x for x in a.order if x in a.multi]:
        rows.append(("multi-component", a.path[g], None,
                     "counted under " + " and ".join(a.components[g]) + "; once in the total"))
    for g in a.case_codes:
        rows.append(("case-as-code", p.codes[g].name, None, "an NVivo case exported as a code: not counted as a code"))
    for rule in a.unused_globs:
        rows.append(("unused-rule", rule.raw, None, f"mapping {rule.where} matches no code"))
    for g, src, s1, e1, s2, e2 in c.overlaps[:MAX_WARNINGS_PER_TYPE]:
        rows.append(("overlap", a.path[g], src_name.get(src, src),
                     f"{s1}\u2013{e1} overlaps {s2}\u2013{e2}: two references"))
    seg_first = {}
    for u, seg in enumerate(c.unit_segment):
        seg_first.setdefault(seg, c.unit_entry[u])
    for g, seg, who in c.multi_coder[:MAX_WARNINGS_PER_TYPE]:
        e = seg_first[seg]
        how = "counted once (coder dedupe on)" if res.coder_dedupe else f"counted {len(who)} times (coder dedupe off)"
        rows.append(("multi-coder", a.path[g], src_name.get(idx.source_guid[e]),
                     f"identical span {idx.start[e]}\u2013{idx.end[e]} coded by {', '.join(who)}: {how}"))
    no_case: dict[str, int] = {}
    non_text: dict[str, int] = {}
    for u, cases in enumerate(c.unit_cases):
        e = c.unit_entry[u]
        if not cases:
            no_case[idx.source_guid[e]] = no_case.get(idx.source_guid[e], 0) + 1
        if idx.kind[e] != "text":
            non_text[idx.source_guid[e]] = non_text.get(idx.source_guid[e], 0) + 1
    for s, n in no_case.items():
        rows.append(("no-case", None, src_name.get(s, s), f"{n} coded segment(s) in a source with no case: "
                     f"case = {text('no_case', res.lang)}"))
    for s, n in non_text.items():
        rows.append(("non-text", None, src_name.get(s, s), f"{n} non-text segment(s) counted (no words)"))
    if c.index.dangling:
        rows.append(("dangling-coding", None, None, f"{c.index.dangling} coding(s) of codes not in the project ignored"))
    return pd.DataFrame(rows, columns=["type", "code_path", "source", "detail"])
