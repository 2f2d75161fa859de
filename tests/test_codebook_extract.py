"""Extracting a codebook from a project (nvivo_bridge.codebook.extract)."""
from __future__ import annotations

import copy

from projects import g, rich_project, small_project

from nvivo_bridge.codebook import extract_codebook, norm_path, tree_order
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Code, Project, Set


def test_extract_keeps_codes_tree_and_attributes():
    p = small_project()
    book = extract_codebook(p)
    assert book.kind == "codebook"
    assert list(book.codes) == tree_order(p)
    assert book.code_paths() == p.code_paths()
    for guid, code in book.codes.items():
        src = p.codes[guid]
        assert (code.name, code.color, code.description, code.is_codable, code.parent) == \
               (src.name, src.color, src.description, src.is_codable, src.parent)
    assert not book.sources and not book.cases and not book.notes


def test_extract_keeps_only_code_members_of_sets_and_does_not_touch_input():
    p = rich_project()
    p.codes[g("c", 2)].note_refs.append(g("e", 1))
    p.sets[g("f", 2)] = Set(g("f", 2), "Documents", member_sources=[g("50", 1)])
    before = copy.deepcopy(p)
    diag = Diagnostics()
    book = extract_codebook(p, diag)
    assert p == before
    assert list(book.sets) == [g("f", 1)]
    s = book.sets[g("f", 1)]
    assert s.member_codes == [g("c", 4), g("c", 8)] and not s.member_sources
    assert all(not c.note_refs for c in book.codes.values())
    codes = {i.code for i in diag.issues}
    assert {"codebook-set-not-codes", "codebook-code-notes-dropped"} <= codes


def test_tree_order_puts_parents_first_even_when_listed_after_children():
    p = Project(codes={"b": Code("b", "child", parent="a"), "a": Code("a", "root"), "c": Code("c", "other")})
    assert tree_order(p) == ["a", "b", "c"]


def test_tree_order_never_loses_codes_in_a_cycle():
    p = Project(codes={"a": Code("a", "A", parent="b"), "b": Code("b", "B", parent="a"), "c": Code("c", "C")})
    assert sorted(tree_order(p)) == ["a", "b", "c"]


def test_norm_path_ignores_case_and_whitespace_but_not_separators():
    assert norm_path("Process /  Budget  Cuts") == norm_path("process/budget cuts")
    assert norm_path("a\\/b") != norm_path("a/b")
