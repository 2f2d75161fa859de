"""Issue 16 (cipp memory): the workbook alone loads no drawing or Word library, the agreement is
computed before the counts with the same rows, and the matrix counts per distinct case list."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nvivo_bridge.analysis.matrices import counts_by_value, counts_for_collections
from nvivo_bridge.cipp import build
from nvivo_bridge.cipp.synthesis import agreement_groups, agreement_table, part_codes
from nvivo_bridge.coding_index import build_index, coder_names
from samples.kp_widyaiswara import build_project


def test_the_workbook_alone_imports_neither_matplotlib_nor_python_docx(tmp_path):
    """matplotlib and python-docx were imported for every workbook (about 34 MB of the peak)."""
    out = tmp_path / "c.xlsx"
    code = ("import sys\nfrom samples.kp_widyaiswara import build_project\nfrom nvivo_bridge.api import write\n"
            f"write(build_project(), {str(out)!r}, 'cipp', force=True)\n"
            "print(sorted(m for m in ('matplotlib', 'docx') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]"
    assert out.stat().st_size > 0


def test_coder_names_are_those_of_the_index():
    p = build_project()
    for who in (None, "R1", "R2", "nobody"):
        assert coder_names(p, who) == set(build_index(p, who, excerpts=False).coder)


def test_agreement_table_keeps_the_rows_of_the_components_shown():
    """The agreement is computed over every component with codes, ``other`` included, before the
    counts; the sheet keeps the rows of the components shown, as by_group over those alone."""
    from nvivo_bridge.agreement import by_group

    p = build_project()
    res = build(p, unmapped="drop")
    shown = {k: part_codes(res, k) for k in res.rows}
    shown = {k: v for k, v in shown.items() if v}
    expected = by_group(p, shown)
    assert res.frame("agreement").equals(expected)
    assert agreement_table(res).equals(expected)
    # a component with codes that is not shown (no references): its rows are dropped
    extra = dict(res.comp_codes, other=list(res.comp_codes["context"]))
    full = agreement_groups(p, extra)
    assert "other" in set(full["group"]) and "other" not in res.rows
    table = agreement_table(res, full)
    assert table.equals(expected) and isinstance(table.index, pd.RangeIndex)
    assert agreement_table(res, None) is None


def test_agreement_needs_two_coders_after_the_coder_filter():
    p = build_project()
    res = build(p, coder="R1")
    assert "agreement" not in res.sheet_keys
    assert agreement_groups(p, res.comp_codes, "R1") is None


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_counts_for_collections_equal_the_counts_per_unit(data):
    """Units sharing a case list are counted as one group: the same references and cases as with
    one group per unit."""
    cases = ["c1", "c2", "c3", "c4"]
    lists = data.draw(st.lists(st.lists(st.sampled_from(cases), max_size=3, unique=True).map(tuple),
                               min_size=1, max_size=4))
    n_units = data.draw(st.integers(1, 25))
    unit_cases = [lists[data.draw(st.integers(0, len(lists) - 1))] for _ in range(n_units)]
    rows = data.draw(st.lists(st.sets(st.integers(0, n_units - 1)), min_size=1, max_size=5))
    case_value = {c: data.draw(st.sampled_from(["a", "b", "(no case)"])) for c in cases[:3]}
    values = ["a", "b", "(no case)"]
    refs, got_cases = counts_for_collections(rows, unit_cases, case_value, values, no_case="(no case)")
    item_row = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    item_unit = np.array([u for r in rows for u in r], dtype=np.int64)
    want_refs, want_cases = counts_by_value(item_row, item_unit, unit_cases, case_value, values, len(rows),
                                            "(no case)")
    assert np.array_equal(refs, want_refs) and np.array_equal(got_cases, want_cases)


def _quotation_order_by_key(res):
    """The sheet's order the plain way: a key tuple per reference (the former code)."""
    p, a, c, idx = res.project, res.assignment, res.counts, res.counts.index
    comp_rank = {comp: i for i, comp in enumerate(res.rows)}
    code_rank = {g: i for i, g in enumerate(res.kept)}
    shown = {g for comp in res.rows for g in res.comp_codes[comp]}
    src_rank = {g: i for i, g in enumerate(p.sources)}

    def key(r):
        g = c.ref_code[r]
        e = c.unit_entry[c.ref_unit[r]]
        start = idx.start[e]
        return (comp_rank.get((a.components[g] or ("other",))[0], 99), code_rank[g],
                src_rank.get(idx.source_guid[e], 0), start if start is not None else -1, e)

    return sorted((r for r, g in enumerate(c.ref_code) if g in shown), key=key)


def test_quotations_are_numbered_in_the_order_of_the_plain_key_sort():
    """order() sorts integer columns with one lexsort (a key tuple per reference cost 25 MB at
    200,000 codings); the order and the numbers are those of the key sort."""
    from nvivo_bridge.cipp import quotations

    for dedupe in (True, False):
        res = build(build_project(), coder_dedupe=dedupe, unmapped="other")
        want = _quotation_order_by_key(res)
        got = quotations.order(res)
        assert list(got) == want and len(want) > 20
        assert [res.quote_no[r] for r in want] == list(range(1, len(want) + 1))
        assert sum(1 for x in res.quote_no if x) == len(want)


def test_counts_keep_integer_columns_as_arrays():
    """Units, references and a code's units are 8-byte arrays, not lists or sets of ints."""
    from array import array

    res = build(build_project())
    c = res.counts
    for col in (c.unit_entry, c.unit_segment, c.unit_words, c.ref_unit, res.total_units,
                *c.direct.values(), *c.aggregated.values(), *res.comp_units.values()):
        assert isinstance(col, array) and col.typecode == "q"
    for units in (*c.aggregated.values(), res.total_units):
        assert list(units) == sorted(set(units))
    assert len(res.total_units) == len(set().union(*map(set, res.comp_units.values())))
