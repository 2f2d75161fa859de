"""The supporting tables: Metadata, Quotations, Unmapped, Empty Codes and Warnings."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .labels import COMPONENTS, text
from .mapping import describe_rules
from .quotations import MAX_TEXT, QUOTATION_COLUMNS, attribute_columns  # noqa: F401  (re-exported)
from .quotations import frame as quotations_frame

__all__ = ["metadata", "quotations", "unmapped", "empty_codes", "warnings", "MAX_TEXT", "attribute_columns"]

MAX_WARNINGS_PER_TYPE = 2_000


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


def quotations(res: Any) -> pd.DataFrame:
    """One row per reference, in component → code tree → source → position order (see
    :mod:`nvivo_bridge.cipp.quotations`)."""
    return quotations_frame(res)


def _code_rows(res: Any, codes: list[str]) -> pd.DataFrame:
    a, c = res.assignment, res.counts
    rows = []
    for g in codes:
        refs, _s, cases, _w = c.stats(c.aggregated.get(g, ()))
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
