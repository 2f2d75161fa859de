"""Merging codebooks (nvivo_bridge.codebook.merge): GUID then path matching, conflicts, nothing dropped."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings, strategies as st

from projects import g, small_project

from nvivo_bridge.codebook import CONFLICT_COLUMNS, extract_codebook, merge_codebooks, write_conflicts
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Code, Project, Set


def _book(*codes, sets=(), name="b"):
    return Project(name=name, kind="codebook", codes={c.guid: c for c in codes}, sets={s.guid: s for s in sets})


def test_same_codebook_twice_is_unchanged_and_conflict_free():
    a = extract_codebook(small_project())
    merged, conflicts = merge_codebooks([a, extract_codebook(small_project())])
    assert merged.code_paths() == a.code_paths()
    assert list(merged.codes) == list(a.codes)
    assert conflicts.empty and list(conflicts.columns) == list(CONFLICT_COLUMNS)
    assert merged.sets[g("f", 1)].member_codes == a.sets[g("f", 1)].member_codes


def test_match_by_guid_then_by_normalised_path_with_conflicts():
    a = _book(Code("a1", "Process", color="#111111", description="how it ran"),
              Code("a2", "Budget", parent="a1"), name="A")
    b = _book(Code("b1", "  process ", color="#222222", description="how it ran "),   # path match, colour conflict
              Code("b2", "budget  cuts", parent="b1"),                               # new under Process
              Code("a2", "Money", description="funds"),                             # GUID match, moved + renamed
              name="B")
    diag = Diagnostics()
    merged, conflicts = merge_codebooks([a, b], diag)
    paths = merged.code_paths()
    assert paths == {"a1": "Process", "a2": "Process/Budget", "b2": "Process/budget  cuts"}
    assert merged.codes["a1"].color == "#111111"          # first value kept
    assert merged.codes["a2"].description == "funds"       # empty filled, not a conflict
    got = {(r.path, r.field, r.kept, r.other) for r in conflicts.itertuples()}
    assert got == {("Process", "color", "#111111", "#222222"), ("Process", "guid", "a1", "b1"),
                   ("Process/Budget", "path", "Process/Budget", "Money")}
    assert set(conflicts["kept_from"]) == {"A"} and set(conflicts["other_from"]) == {"B"}
    assert any(i.code == "merge-conflicts" for i in diag.issues)


def test_children_of_a_path_match_follow_it_and_sets_unite():
    a = _book(Code("a1", "Context"), Code("a2", "Needs", parent="a1"),
              sets=[Set("s1", "Obstacles", "x", member_codes=["a2"])], name="A")
    b = _book(Code("b1", "CONTEXT"), Code("b2", "needs", parent="b1"), Code("b3", "Actors", parent="b1"),
              sets=[Set("s9", "obstacles", "y", member_codes=["b2", "b3"]), Set("s2", "New", member_codes=["b3"])],
              name="B")
    merged, conflicts = merge_codebooks([a, b])
    assert list(merged.codes) == ["a1", "a2", "b3"] and merged.codes["b3"].parent == "a1"
    assert list(merged.sets) == ["s1", "s2"]
    assert merged.sets["s1"].member_codes == ["a2", "b3"]
    assert ("set: Obstacles", "set description") in {(r.path, r.field) for r in conflicts.itertuples()}


def test_duplicate_paths_inside_one_codebook_are_both_kept():
    a = _book(Code("a1", "X"), name="A")
    b = _book(Code("b1", "x"), Code("b2", "X "), name="B")
    merged, _ = merge_codebooks([a, b])
    assert len(merged.codes) == 2 and "a1" in merged.codes and "b2" in merged.codes


def test_guid_reused_for_another_code_gets_a_new_guid():
    a = _book(Code("a1", "X"), name="A")
    b = _book(Code("b1", "x"), Code("a1", "Other"), name="B")   # b1 claims a1 by path first
    diag = Diagnostics()
    merged, _ = merge_codebooks([a, b], diag)
    assert len(merged.codes) == 2 and {c.name for c in merged.codes.values()} == {"X", "Other"}
    assert diag.count("merge-guid-reused") == 1


def test_write_conflicts_xlsx_and_csv(tmp_path):
    frame = pd.DataFrame([{"path": "=A", "field": "color", "kept": "#111111", "kept_from": "a.qdc",
                           "other": "#222222", "other_from": "b.qdc", "guid": "x"}], columns=list(CONFLICT_COLUMNS))
    write_conflicts(frame, tmp_path / "c.xlsx")
    write_conflicts(frame, tmp_path / "c.csv")
    assert pd.read_excel(tmp_path / "c.xlsx").iloc[0]["path"] == "=A"
    assert pd.read_csv(tmp_path / "c.csv", encoding="utf-8-sig").iloc[0]["path"] == "'=A"


_tree = st.lists(st.tuples(st.sampled_from(["A", "a", "B", " b", "C", "Dd"]), st.integers(0, 5),
                           st.sampled_from([None, "#111111", "#222222"])), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(_tree, min_size=1, max_size=4), st.randoms())
def test_merge_never_drops_a_code(trees, rnd):
    books = []
    pool = [g("c", i) for i in range(6)]
    for n, spec in enumerate(trees):
        codes = {}
        for i, (name, parent, color) in enumerate(spec):
            guid = rnd.choice(pool) if rnd.random() < 0.4 else g(f"b{n}", i)
            if guid in codes:
                continue
            par = list(codes)[parent % len(codes)] if codes and parent else None
            codes[guid] = Code(guid, name, color=color, parent=par)
        books.append(_book(*codes.values(), name=f"B{n}"))
    diag = Diagnostics()
    merged, conflicts = merge_codebooks(books, diag)
    assert len(merged.codes) >= max(len(b.codes) for b in books)
    assert len(merged.codes) <= sum(len(b.codes) for b in books)
    assert len(set(merged.codes)) == len(merged.codes)
    assert all(c.parent is None or c.parent in merged.codes for c in merged.codes.values())
    # Every input code is in the result under its GUID, or was matched by path to another GUID
    # (a "guid" conflict row), or had its reused GUID replaced (a warning).
    by_path = set(conflicts.loc[conflicts["field"] == "guid", "other"])
    unaccounted = {c.guid for b in books for c in b.codes.values()} - set(merged.codes) - by_path
    assert len(unaccounted) <= diag.count("merge-guid-reused")
    again, _ = merge_codebooks(books)
    # Deterministic order (only a replaced, reused GUID is random).
    assert list(again.code_paths().values()) == list(merged.code_paths().values())
