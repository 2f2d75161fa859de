"""Stufflebeam's synthesis per component, the report's quotations, and the metaevaluation tables.

Per component (and per part of Product when the codebook has them): the guiding question, the
evidence (codes, references, informants, key quotations) and the evaluator's columns —
judgement, strengths, weaknesses, recommendations, lessons learned — filled from codes named so
under the component ("Kekuatan" under "Proses"), left empty for the evaluator otherwise.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Optional

import pandas as pd
import yaml

from ..errors import NvivoBridgeError
from .labels import SUBCOMPONENTS, label, text
from .normalize import name_candidates

__all__ = ["ROLES", "rows_of_synthesis", "synthesis", "representative", "coders_table", "ledger_table",
           "agreement_table", "part_codes"]

ROLES = ("judgement", "strengths", "weaknesses", "recommendations", "lessons_learned")
_CELL_QUOTES = 3
_CELL_CHARS = 300


@lru_cache(maxsize=1)
def _role_names() -> dict[str, str]:
    raw = resources.files("nvivo_bridge").joinpath("data/cipp_synonyms.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(raw).get("synthesis") or {}
    out = {}
    for role, words in table.items():
        for w in [role] + list(words):
            out[name_candidates(str(w))[0]] = role
    return out


def _role(name: str) -> Optional[str]:
    names = _role_names()
    return next((names[c] for c in name_candidates(name) if c in names), None)


def rows_of_synthesis(res: Any) -> list[str]:
    """The synthesis rows: the components shown, with Product's parts after it when present."""
    out = []
    for comp in res.rows:
        out.append(comp)
        if comp == "product":
            out.extend(part for part in SUBCOMPONENTS if part_codes(res, part))
    return out


def part_codes(res: Any, key: str) -> list[str]:
    """The codes of a component, or of a part of Product (``impact``…), in tree order."""
    if key in SUBCOMPONENTS:
        sub = res.assignment.subcomponent
        return [g for g in res.comp_codes.get("product", ()) if sub.get(g) == key]
    return list(res.comp_codes.get(key, ()))


def _units(res: Any, codes: list[str]) -> set:
    direct, ref_unit = res.counts.direct, res.counts.ref_unit
    return {ref_unit[r] for g in codes for r in direct.get(g, ())}


def _short(t: Optional[str], n: int = _CELL_CHARS) -> str:
    t = " ".join((t or "").split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "\u2026"


def _no(res: Any, r: int) -> int:
    return res.quote_no[r] if r < len(res.quote_no) else 0


def _quote_id(res: Any, r: int) -> str:
    n = _no(res, r)
    return f"Q{n:0{res.quote_width}d}" if n else ""


def representative(res: Any, key: str, limit: int = 5) -> list[dict]:
    """Quotations that best represent a component (or a part of Product): from its
    most-referenced codes, one per informant and code first, mid-length excerpts (about 25
    words) preferred.  Each is a dict with quote_id, text, case, source, code_path and the
    group-by attribute values.  Built from the counts, not the Quotations table, so a large
    project is not copied into dicts."""
    c, idx = res.counts, res.counts.index
    done = res.cache.get(("representative", key, limit))
    if done is not None:  # the synthesis sheet and both reports ask for the same component
        return done
    scored = []
    for g in part_codes(res, key):
        refs = c.direct.get(g, ())
        for r in refs:
            u = c.ref_unit[r]
            if idx.kind[c.unit_entry[u]] != "text" or not c.unit_words[u]:
                continue
            scored.append((-len(refs), abs(c.unit_words[u] - 25), _no(res, r), r))
    scored.sort()
    chosen: list[int] = []
    seen_cases, seen_codes = set(), set()
    for *_k, r in scored:
        cases, g = c.unit_cases[c.ref_unit[r]], c.ref_code[r]
        if cases in seen_cases or g in seen_codes:
            continue
        chosen.append(r)
        seen_cases.add(cases)
        seen_codes.add(g)
        if len(chosen) == limit:
            break
    for *_k, r in scored:
        if len(chosen) >= limit:
            break
        if r not in chosen:
            chosen.append(r)
    res.cache[("representative", key, limit)] = out = [_quote(res, r) for r in chosen]
    return out


def _quote(res: Any, r: int) -> dict:
    c, idx, p = res.counts, res.counts.index, res.project
    u = c.ref_unit[r]
    e = c.unit_entry[u]
    cases = c.unit_cases[u]
    src = p.sources.get(idx.source_guid[e])
    values = {}
    for attr in res.group_by:
        vals = [res.case_value.get(attr, {}).get(x) for x in cases]
        values[attr] = "; ".join(dict.fromkeys(v for v in vals if v))
    return {"quote_id": _quote_id(res, r), "text": c.excerpt(e) or "",
            "case": "; ".join(p.cases[x].name or x for x in cases if x in p.cases) or text("no_case", res.lang),
            "source": (src.name if src else None) or idx.source_guid[e], "code_path": res.assignment.path[c.ref_code[r]],
            "attributes": values}


def _role_cell(res: Any, g: str) -> str:
    """What a strengths/weaknesses/… code says: its subcodes (with references), else its
    quotations, and its description."""
    a, c, codes = res.assignment, res.counts, res.project.codes
    parts = []
    if codes[g].description:
        parts.append(_short(codes[g].description))
    kids = a.children.get(g, [])
    if kids:
        parts.extend(f"{codes[k].name} ({len(c.aggregated.get(k, ()))})" for k in kids)
    else:
        for r in list(c.direct.get(g, ()))[:_CELL_QUOTES]:
            t = c.excerpt(c.unit_entry[c.ref_unit[r]])
            if t:
                parts.append(f"\u201c{_short(t, 160)}\u201d ({_quote_id(res, r)})")
    return "; ".join(parts) or codes[g].name


def synthesis(res: Any) -> pd.DataFrame:
    """One row per component (and part of Product) with its guiding question, evidence, and the
    evaluator's columns (filled from codes named after them, else empty)."""
    c, names = res.counts, res.project.codes
    rows = []
    for key in rows_of_synthesis(res):
        codes = part_codes(res, key)
        refs, _src, cases, _w = c.stats(_units(res, codes))
        ranked = sorted(codes, key=lambda g: -len(c.direct.get(g, ())))
        evidence = "; ".join(f"{names[g].name} ({len(c.direct[g])})" for g in ranked[:5] if c.direct.get(g))
        quotes = representative(res, key, limit=3)
        row = {"component": key, "label": _row_label(key, res.lang),
               "guiding_question": text(f"question_{key}", res.lang), "codes": len(codes),
               "references": refs, "informants": len(cases), "evidence": evidence or None,
               "top_quotations": "\n".join(f"{q['quote_id']} \u201c{_short(q['text'], 200)}\u201d \u2014 {q['case']}"
                                           for q in quotes) or None}
        filled: dict[str, list[str]] = {role: [] for role in ROLES}
        for g in codes:
            role = _role(names[g].name)
            if role:
                filled[role].append(_role_cell(res, g))
        for role in ROLES:
            row[role] = "\n".join(filled[role]) or None
        rows.append(row)
    cols = ["component", "label", "guiding_question", "codes", "references", "informants", "evidence",
            "top_quotations", *ROLES]
    return pd.DataFrame(rows, columns=cols)


def _row_label(key: str, lang: str) -> str:
    if key in SUBCOMPONENTS:
        return f"{label('product', lang)}: {label(key, lang)}"
    return label(key, lang)


def coders_table(res: Any) -> pd.DataFrame:
    """Per coder: the codings counted (raw) and the references they made."""
    idx, c = res.counts.index, res.counts
    raw: dict[str, int] = {}
    refs: dict[str, int] = {}
    for r in range(len(c.ref_entries)):
        entries = c.entries(r)
        for who in dict.fromkeys(idx.coder[e] or "(unknown)" for e in entries):
            refs[who] = refs.get(who, 0) + 1
        for e in entries:
            who = idx.coder[e] or "(unknown)"
            raw[who] = raw.get(who, 0) + 1
    rows = [{"coder": who, "codings": raw[who], "references": refs.get(who, 0)} for who in sorted(raw)]
    return pd.DataFrame(rows, columns=["coder", "codings", "references"])


def ledger_table(res: Any) -> pd.DataFrame:
    """What was read and what the summary counted or set aside (the data-loss ledger)."""
    p, c, lang = res.project, res.counts, res.lang
    n = p.counts()
    excluded = sum(1 for g in res.assignment.order if res.assignment.components[g] == ("exclude",))
    unmapped = sum(1 for g in res.assignment.order if res.assignment.components[g] == ())
    rows = [("codes", n["codes"], len(res.kept), text("ledger_codes", lang).format(excluded=excluded,
                                                                                  unmapped=unmapped,
                                                                                  policy=res.unmapped)),
            ("cases", n["cases"], n["cases"], ""), ("sources", n["sources"], n["sources"], ""),
            ("codings", n["codings"], c.n_raw, text("ledger_codings", lang).format(
                case=c.dropped_case_codings, dangling=c.index.dangling)),
            ("references", len(c.ref_code), len(c.ref_code), ""),
            ("distinct segments", c.n_segments, c.n_segments, "")]
    warned: dict[str, int] = {}
    for issue in p.issues:
        if issue.level != "info":
            warned[issue.code] = warned.get(issue.code, 0) + 1
    for code, k in sorted(warned.items()):
        rows.append((f"warning: {code}", k, None, text("ledger_warning", lang)))
    return pd.DataFrame(rows, columns=["what", "read", "counted", "note"])


def agreement_groups(project: Any, comp_codes: dict, coder: Optional[str] = None) -> Optional[pd.DataFrame]:
    """Inter-coder agreement per component (``comp_codes``: component → code GUIDs, ``other``
    included) from :func:`nvivo_bridge.agreement.by_group`, or ``None`` when fewer than two
    coders coded (after the ``coder`` filter).  Needs no counts, so :func:`~.summary.build`
    computes it before them; :func:`agreement_table` keeps the rows of the components shown."""
    from ..agreement import by_group
    from ..coding_index import coder_names

    if len({x for x in coder_names(project, coder) if x}) < 2:
        return None
    groups = {k: v for k, v in comp_codes.items() if v}
    if not groups:
        return None
    try:
        return by_group(project, groups)
    except NvivoBridgeError:  # e.g. no codings two coders share: the report says it was not computed
        return None


_COMPUTE: Any = object()


def agreement_table(res: Any, agreement: Any = _COMPUTE) -> Optional[pd.DataFrame]:
    """Inter-coder agreement per component shown (``res.rows``): the rows of ``agreement``
    (:func:`agreement_groups`, computed here when not given; each group's rows are computed on
    their own), or ``None`` when fewer than two coders coded or no component shown has codes."""
    if agreement is _COMPUTE:
        agreement = agreement_groups(res.project, res.comp_codes, res.coder)
    if agreement is None:
        return None
    shown = [k for k in res.rows if part_codes(res, k)]
    if not shown:
        return None
    keep = agreement["group"].isin(shown)
    return agreement if keep.all() else agreement[keep].reset_index(drop=True)
