"""The analysis tables (nvivo_bridge.analysis), hand-checked on tests/analysis_projects.py."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nvivo_bridge
from analysis_projects import EXPECTED_PAIRS, EXPECTED_SEGMENTS, analysis_project
from nvivo_bridge.analysis import EXTRA_TABLES, wanted_extra
from nvivo_bridge.analysis.cooccurrence import overlap_pairs
from nvivo_bridge.analysis.matrices import NO_VALUE, counts_by_value
from nvivo_bridge.errors import UsageError


@pytest.fixture(scope="module")
def frames():
    return nvivo_bridge.tables(analysis_project(), extra="matrices")


def test_extra_tables_come_after_the_workbook_tables_in_order(frames):
    names = list(frames)
    at = names.index("Segments")
    assert names[at:] == ["Segments", "Code x Case presence", "Code x Source", "Code x Group",
                          "Co-occurrence", "Co-occurrence long", "Warnings"]
    assert names.index("Code x Case") < at
    assert "Segments" not in nvivo_bridge.tables(analysis_project())


def test_cooccurrence_long_hand_checked(frames):
    long = frames["Co-occurrence long"]
    assert list(long.columns) == ["code_a", "code_b", "count", "jaccard", "sources", "cases"]
    got = [tuple(r) for r in long.itertuples(index=False)]
    assert [g[:3] + g[4:] for g in got] == [e[:3] + e[4:] for e in EXPECTED_PAIRS]
    assert [g[3] for g in got] == pytest.approx([e[3] for e in EXPECTED_PAIRS], abs=1e-6)


def test_cooccurrence_matrix_symmetric_with_segments_on_the_diagonal(frames):
    m = frames["Co-occurrence"].set_index("code_path")
    assert list(m.columns) == list(m.index) == ["P", "P/C1", "X", "Y"]
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert {c: int(m.loc[c, c]) for c in m.index} == EXPECTED_SEGMENTS
    for a, b, count, *_ in EXPECTED_PAIRS:
        assert m.loc[a, b] == count
    assert m.loc["X", "Y"] == 2 and m.loc["P/C1", "X"] == 1   # touching [15,20) does not count


def test_code_x_case_presence_and_code_x_source(frames):
    pres = frames["Code x Case presence"].set_index("code_path")
    assert pres.to_dict("list") == {"K1": [1, 1, 1, 1], "K2": [0, 0, 1, 1], "K3": [0, 0, 0, 0]}
    counts = frames["Code x Case"].set_index("code_path")
    assert counts["K1"].tolist() == [1, 1, 3, 1]   # raw codings, as the Code x Case sheet counts them
    src = frames["Code x Source"].set_index("code_path")
    assert src.to_dict("list") == {"A": [1, 1, 3, 1], "B": [0, 0, 1, 1]}


def test_code_x_attribute_references_and_cases(frames):
    grp = frames["Code x Group"].set_index("code_path")
    assert list(grp.columns) == ["references: g1", "references: g2", f"references: {NO_VALUE}",
                                 "cases: g1", "cases: g2", f"cases: {NO_VALUE}"]
    assert grp.loc["X"].tolist() == [3, 1, 0, 1, 1, 0]
    assert grp.loc["Y"].tolist() == [1, 1, 0, 1, 1, 0]
    assert grp.loc["P"].tolist() == [1, 0, 0, 1, 0, 0]
    assert "Code x Size" not in frames   # Size is a source attribute: it is in Segments instead


def test_segments_is_codings_plus_source_variables(frames):
    seg, cod = frames["Segments"], frames["Codings"]
    assert list(seg.columns) == list(cod.columns) + ["Size"]
    assert seg[list(cod.columns)].equals(cod)


def test_segments_source_variable_values_per_row(frames):
    seg = frames["Segments"]
    assert seg.loc[seg["source"] == "A", "Size"].tolist() == [3] * 6
    assert seg.loc[seg["source"] == "B", "Size"].isna().all()


def test_wanted_extra_names_and_errors():
    assert wanted_extra("matrices") == EXTRA_TABLES
    assert wanted_extra(True) == EXTRA_TABLES
    assert wanted_extra(["co-occurrence long", "Segments"]) == ("Segments", "Co-occurrence long")
    assert wanted_extra(None) == ()
    with pytest.raises(UsageError, match="unknown extra table 'Nope'"):
        wanted_extra(["Nope"])
    only = nvivo_bridge.tables(analysis_project(), extra=["Co-occurrence long"])
    assert "Co-occurrence long" in only and "Co-occurrence" not in only and "Segments" not in only


def test_counts_by_value_no_case_bucket_and_several_values():
    # items: rows 0,0,1; groups 0 (cases a,b with values v1,v2), 1 (no case)
    refs, cases = counts_by_value(np.array([0, 0, 1]), np.array([0, 1, 0]), [("a", "b"), ()],
                                  {"a": "v1", "b": "v2"}, ["v1", "v2", "none"], 2, no_case="none")
    assert refs.tolist() == [[1, 1, 1], [1, 1, 0]]   # an item in a group of two values counts for both
    assert cases.tolist() == [[1, 1, 0], [1, 1, 0]]


def test_empty_project_has_empty_matrices():
    frames = nvivo_bridge.tables(nvivo_bridge.Project(name="empty"), extra="matrices")
    assert frames["Co-occurrence long"].empty and list(frames["Co-occurrence long"].columns)[:2] == ["code_a", "code_b"]
    assert frames["Segments"].empty


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40), st.integers(0, 12)), max_size=40))
def test_sweep_finds_exactly_the_overlapping_pairs(items):
    group = np.array([g for g, _, _ in items], dtype=np.int64)
    start = np.array([s for _, s, _ in items], dtype=np.int64)
    end = np.array([s + n for _, s, n in items], dtype=np.int64)
    i, j = overlap_pairs(group, start, end)
    got = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist())}
    assert len(got) == len(i)   # every pair once

    def overlap(a, b):
        ea, eb = max(end[a], start[a] + 1), max(end[b], start[b] + 1)   # an empty span holds its position
        return group[a] == group[b] and start[a] < eb and start[b] < ea
    want = {(a, b) for a in range(len(items)) for b in range(a + 1, len(items)) if overlap(a, b)}
    assert got == want


def test_sample_project_cooccurrence_is_symmetric_and_matches_long_form():
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
    frames = nvivo_bridge.tables(nvivo_bridge.read(sample), extra="matrices")
    m = frames["Co-occurrence"].set_index("code_path")
    for row in frames["Co-occurrence long"].itertuples(index=False):
        assert m.loc[row.code_a, row.code_b] == m.loc[row.code_b, row.code_a] == row.count
        assert 0 < row.jaccard <= 1 and row.sources >= 1 and row.count >= 1
    off = m.to_numpy().copy()
    np.fill_diagonal(off, 0)
    assert off.sum() == 2 * frames["Co-occurrence long"]["count"].sum()


@pytest.mark.parametrize("batch", [None, 1, 7])
@pytest.mark.parametrize("attr", ["Peran", "Jenjang"])
def test_counts_for_collections_reproduces_the_cipp_matrix(attr, batch, monkeypatch):
    """Over the CIPP matrix's rows (component subtotals, codes with their subtree, the total),
    counts_by_value gives what a plain loop over the units gives, and the CIPP matrix (which
    now takes it) shows exactly that — also when the rows are counted in small batches."""
    from pathlib import Path

    from nvivo_bridge.analysis import matrices

    if batch is not None:
        monkeypatch.setattr(matrices, "_BATCH_ITEMS", batch)

    from nvivo_bridge.analysis.matrices import counts_for_collections
    from nvivo_bridge.cipp.labels import text
    from nvivo_bridge.cipp.sheets import _values_with_no_case, unit_values
    from nvivo_bridge.cipp.summary import build

    sample = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
    res = build(nvivo_bridge.read(sample), group_by=[attr])
    c = res.counts
    collections = []
    for comp in res.rows:
        collections.append(res.comp_units[comp])
        collections += [c.aggregated.get(g, ()) for g in res.comp_codes[comp]]
    collections.append(res.total_units)
    values = _values_with_no_case(res, attr, unit_values(res, attr))
    per_case = res.case_value.get(attr, {})
    refs, cases = counts_for_collections(collections, c.unit_cases, per_case, values,
                                         no_case=text("no_case", res.lang))
    # the reference: a plain loop over every unit of every row (the CIPP matrix's former code)
    uvals = unit_values(res, attr)
    for k, units in enumerate(collections):
        want_refs = dict.fromkeys(values, 0)
        want_cases: dict = {v: set() for v in values}
        for u in units:
            for v in uvals[u]:
                want_refs[v] += 1
            for case in c.unit_cases[u]:
                if per_case.get(case) in want_cases:
                    want_cases[per_case[case]].add(case)
        assert refs[k].tolist() == [want_refs[v] for v in values]
        assert cases[k].tolist() == [len(want_cases[v]) for v in values]
    m = res.frame(f"matrix:{attr}")
    assert len(m) == len(collections)
    for k, v in enumerate(values):
        assert m[f"references: {v}"].tolist() == refs[:, k].tolist()
        assert [int(x.split("/")[0]) for x in m[f"cases: {v}"]] == cases[:, k].tolist()
    assert [int(x.split("/")[0]) for x in m["cases: Total"]] == cases.sum(axis=1).tolist()
