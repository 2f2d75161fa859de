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
