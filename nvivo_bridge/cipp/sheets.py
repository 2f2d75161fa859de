"""The main tables: CIPP Overview, Code Detail and one Matrix per group-by attribute."""
from __future__ import annotations

from typing import Any, Optional

import pandas as pd

from ..analysis.matrices import counts_for_collections
from .labels import SUBCOMPONENTS, label, text

__all__ = ["attribute_values", "overview", "code_detail", "matrix", "unit_values", "pct"]


def pct(part: float, whole: float) -> Optional[float]:
    """A percentage rounded to one decimal (``None`` when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else None


def attribute_values(res: Any) -> None:
    """Fill ``res.case_value`` and ordered ``res.attr_values`` for every case attribute.

    Numeric attributes sort by value, text attributes by first appearance in case order; a case
    without a value gets the "missing" label."""
    from ..sheets._values import typed_value

    p = res.project
    missing = text("missing", res.lang)
    for var in p.variables.values():
        per_case: dict[str, str] = {}
        typed: dict[str, Any] = {}
        for case in p.cases.values():
            val = next((vv.value for vv in case.variable_values if vv.variable == var.guid), None)
            if val is not None and str(val).strip() != "":
                per_case[case.guid] = str(val)
                typed[case.guid] = typed_value(str(val), var.type)[0]
        if not per_case:
            continue
        # The Quotations sheet shows the value by its type (a number stays a number); a case
        # without one gets the "missing" label when the attribute is text, an empty cell otherwise.
        if var.type in ("Text", None, ""):
            typed.update((c, missing) for c in p.cases if c not in typed)
        res.case_typed[var.name] = typed
        vals = list(dict.fromkeys(per_case[c] for c in p.cases if c in per_case))
        if var.type in ("Integer", "Float"):
            def num(v: str) -> tuple:
                try:
                    return (0, float(v), v)
                except ValueError:
                    return (1, 0.0, v)
            vals.sort(key=num)
        if len(per_case) < len(p.cases):
            vals.append(missing)
            for c in p.cases:
                per_case.setdefault(c, missing)
        res.case_value[var.name] = per_case
        res.attr_values[var.name] = vals


def unit_values(res: Any, attr: str) -> list[tuple]:
    """Per unit: the tuple of ``attr`` values of its cases (the "no case" label when it has none)."""
    per_case = res.case_value.get(attr, {})
    no_case = (text("no_case", res.lang),)
    missing = text("missing", res.lang)
    cache: dict[tuple, tuple] = {}
    out = []
    for cases in res.counts.unit_cases:
        v = cache.get(cases)
        if v is None:
            v = cache[cases] = (tuple(dict.fromkeys(per_case.get(c, missing) for c in cases))
                                if cases else no_case)
        out.append(v)
    return out


def _values_with_no_case(res: Any, attr: str, uvals: list[tuple]) -> list[str]:
    vals = list(res.attr_values.get(attr, []))
    no_case = text("no_case", res.lang)
    if any(v == (no_case,) for v in uvals):
        vals.append(no_case)
    return vals


def _top(res: Any, codes: list[str], n: int = 3) -> str:
    direct = res.counts.direct
    ranked = sorted(((len(direct.get(g, ())), i, g) for i, g in enumerate(codes)), key=lambda t: (-t[0], t[1]))
    names = res.project.codes
    return "; ".join(f"{names[g].name} ({k})" for k, _i, g in ranked[:n] if k > 0)


def overview(res: Any) -> pd.DataFrame:
    """One row per component (context, input, process, product, [other], total)."""
    c = res.counts
    n_cases = len(res.project.cases)
    attr = res.group_by[0] if res.group_by else None
    uvals = unit_values(res, attr) if attr else []
    values = _values_with_no_case(res, attr, uvals) if attr else []
    total_refs = len(res.total_units)
    from .synthesis import part_codes, rows_of_synthesis

    rows = []
    # Product's parts (Impact, Effectiveness…) follow the Total row when the codebook has them:
    # the Total stays the sum of the rows above it, and the chart's rows stay one block.
    parts = [k for k in rows_of_synthesis(res) if k in SUBCOMPONENTS]
    for comp in res.rows + ["total"] + parts:
        if comp in SUBCOMPONENTS:
            codes = part_codes(res, comp)
            units = {c.ref_unit[r] for g in codes for r in c.direct.get(g, ())}
        else:
            codes = res.kept if comp == "total" else res.comp_codes[comp]
            units = res.total_units if comp == "total" else res.comp_units[comp]
        refs, sources, cases, words = c.stats(units)
        name = f"{label('product', res.lang)}: {label(comp, res.lang)}" if comp in SUBCOMPONENTS \
            else label(comp, res.lang)
        row = {"component": comp, "label": name, "codes": len(codes),
               "codes_with_references": sum(1 for g in codes if c.direct.get(g)),
               "references": refs, "references_pct": pct(refs, total_refs), "sources": len(sources),
               "cases": len(cases), "cases_pct": pct(len(cases), n_cases), "words_coded": words,
               "top_codes": _top(res, codes)}
        per_value = dict.fromkeys(values, 0)
        if attr:
            for u in units:
                for v in uvals[u]:
                    per_value[v] += 1
        for v in values:
            row[f"references: {v}"] = per_value[v]
        rows.append(row)
    return pd.DataFrame(rows)


def _component_cell(res: Any, g: str) -> str:
    comps = res.assignment.components[g]
    return "; ".join(comps) if comps else "other"


def code_detail(res: Any) -> pd.DataFrame:
    """One row per kept code, in tree order, with direct and aggregated counts."""
    a, c, codes = res.assignment, res.counts, res.project.codes
    comp_refs = {comp: len(units) for comp, units in res.comp_units.items()}
    rows = []
    for g in res.kept:
        code = codes[g]
        agg = c.aggregated.get(g, ())
        refs, sources, cases, _w = c.stats(agg)
        comps = a.components[g] or ("other",)
        par = a.parent[g]
        rows.append({
            "component": _component_cell(res, g), "subcomponent": a.subcomponent.get(g),
            "code_path": a.path[g], "level": a.level[g], "code_name": code.name,
            "parent_name": codes[par].name if par else None, "description": code.description,
            "is_leaf": not a.children.get(g), "refs_direct": len(c.direct.get(g, ())),
            "refs_aggregated": refs, "n_sources": len(sources), "n_cases": len(cases),
            "pct_of_component": pct(refs, comp_refs.get(comps[0], 0)),
            "coders": ", ".join(c.coders(g)), "multi_component": g in a.multi,
            "mapping_origin": a.origin[g],
        })
    cols = ["component", "subcomponent", "code_path", "level", "code_name", "parent_name", "description",
            "is_leaf", "refs_direct", "refs_aggregated", "n_sources", "n_cases", "pct_of_component", "coders",
            "multi_component", "mapping_origin"]
    return pd.DataFrame(rows, columns=cols)


def matrix(res: Any, attr: str) -> pd.DataFrame:
    """Codes × values of ``attr``: references, and cases coded / cases in the group ("k/n" and %).

    ``DataFrame.attrs["n_cases"]`` holds the number of cases per value (the header row)."""
    c = res.counts
    uvals = unit_values(res, attr)
    values = _values_with_no_case(res, attr, uvals)
    per_case = res.case_value.get(attr, {})
    group_n = dict.fromkeys(values, 0)
    for case_g in res.project.cases:
        v = per_case.get(case_g)
        if v in group_n:
            group_n[v] += 1
    n_all = len(res.project.cases)

    specs: list = []
    for comp in res.rows:
        specs.append(("subtotal", comp, None, res.comp_units[comp]))
        specs += [("code", comp, g, c.aggregated.get(g, ())) for g in res.comp_codes[comp]]
    specs.append(("total", "total", None, res.total_units))
    # the one implementation of references and cases per attribute value (nvivo_bridge.analysis)
    refs, cases = counts_for_collections([s[3] for s in specs], c.unit_cases, per_case, values,
                                         no_case=text("no_case", res.lang))

    def row(k: int, kind: str, comp: str, g: Optional[str], units: set) -> dict:
        out = {"row_type": kind, "component": comp, "label": label(comp, res.lang),
               "code_path": res.assignment.path[g] if g else None,
               "code_name": res.project.codes[g].name if g else label(comp, res.lang),
               "level": res.assignment.level[g] if g else 0}
        for j, v in enumerate(values):
            out[f"references: {v}"] = int(refs[k, j])
        out["references: Total"] = len(units)
        for j, v in enumerate(values):
            out[f"cases: {v}"] = f"{cases[k, j]}/{group_n[v]}"
            out[f"cases %: {v}"] = pct(int(cases[k, j]), group_n[v])
        total = int(cases[k].sum())   # each case has one value, so the values' cases add up
        out["cases: Total"] = f"{total}/{n_all}"
        out["cases %: Total"] = pct(total, n_all)
        return out

    rows = [row(k, *spec) for k, spec in enumerate(specs)]
    df = pd.DataFrame(rows)
    df.attrs["n_cases"] = dict(group_n, Total=n_all)
    df.attrs["attribute"] = attr
    return df
