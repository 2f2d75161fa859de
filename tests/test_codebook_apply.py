"""Applying an edited codebook to a project (nvivo_bridge.codebook.apply)."""
from __future__ import annotations

import copy

import pytest

from projects import g, rich_project, small_project

from nvivo_bridge.codebook import apply_codebook, extract_codebook
from nvivo_bridge.codebook.apply import coding_lists
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Code, Set


def _codings(project):
    return sorted((c.guid, c.code) for lst in coding_lists(project) for c in lst)


def test_unchanged_codebook_changes_nothing():
    p = rich_project()
    before = copy.deepcopy(p)
    report = apply_codebook(p, extract_codebook(rich_project()))
    assert report.summary() == {}
    assert p.codes == before.codes and p.sets == before.sets and _codings(p) == _codings(before)


def test_renames_moves_updates_and_additions_keep_codings():
    p = small_project()
    before = _codings(p)
    book = extract_codebook(small_project())
    book.codes[g("c", 2)].name = "Training needs"                       # rename
    book.codes[g("c", 8)].parent = g("c", 3)                            # move
    book.codes[g("c", 4)].description, book.codes[g("c", 4)].color = "money", "#00FF00"
    book.codes[g("c", 99)] = Code(g("c", 99), "Outcome")                # new
    report = apply_codebook(p, book)
    paths = p.code_paths()
    assert paths[g("c", 2)] == "Konteks (Context)/Training needs"
    assert paths[g("c", 8)] == "Masukan (Input)/Hambatan waktu"
    assert (p.codes[g("c", 4)].description, p.codes[g("c", 4)].color) == ("money", "#00FF00")
    assert paths[g("c", 99)] == "Outcome"
    assert _codings(p) == before
    assert report.summary() == {"added": 1, "moved": 1, "renamed": 1, "updated": 1}
    frame = report.frame()
    moved = frame[frame["guid"] == g("c", 8)].iloc[0]
    assert moved["old_path"] == "Proses (Process)/Partisipasi\\/keterlibatan/Hambatan waktu"
    assert moved["path"] == "Masukan (Input)/Hambatan waktu"


def test_codebook_from_another_tool_matches_by_path_and_keeps_project_guids():
    p = small_project()
    book = extract_codebook(small_project())
    book.codes = {"x" + g2[1:]: Code("x" + g2[1:], c.name.upper(), description="from ATLAS.ti",
                                     parent=("x" + c.parent[1:]) if c.parent else None)
                  for g2, c in book.codes.items()}
    book.sets = {}
    report = apply_codebook(p, book)
    assert set(p.codes) == set(small_project().codes)
    assert p.codes[g("c", 2)].name == "KEBUTUHAN KOMPETENSI"
    assert all(c.description == "from ATLAS.ti" for c in p.codes.values())
    assert "added" not in report.summary()


def _without(book, *guids):
    for gid in guids:
        del book.codes[gid]
    return book


def test_missing_codes_are_kept_and_used_ones_reported():
    p = small_project()
    book = _without(extract_codebook(small_project()), g("c", 8), g("c", 5), g("c", 6), g("c", 7))
    book.codes[g("c", 50)] = Code(g("c", 50), "Unused new")
    diag = Diagnostics()
    report = apply_codebook(p, book, diag)
    assert {g("c", 5), g("c", 6), g("c", 7), g("c", 8)} <= set(p.codes)
    assert p.code_paths()[g("c", 8)] == "Proses (Process)/Partisipasi\\/keterlibatan/Hambatan waktu"
    warning = next(i for i in diag.issues if i.code == "codebook-missing-used")
    assert "Hambatan waktu (2 coding(s))" in warning.message and "belajar bareng (1 coding(s))" in warning.message
    assert report.summary()["kept-missing"] == 4
    assert list(p.codes)[-4:] == [g("c", 5), g("c", 6), g("c", 7), g("c", 8)]   # after the codebook's codes


def test_prune_removes_only_unused_missing_codes():
    p = small_project()
    p.codes[g("c", 60)] = Code(g("c", 60), "Empty", parent=g("c", 5))
    p.codes[g("c", 61)] = Code(g("c", 61), "Empty child", parent=g("c", 60))
    book = _without(extract_codebook(small_project()), g("c", 5), g("c", 6), g("c", 7), g("c", 8))
    before = _codings(p)
    report = apply_codebook(p, book, prune=True)
    assert g("c", 60) not in p.codes and g("c", 61) not in p.codes
    assert {g("c", 5), g("c", 6), g("c", 7), g("c", 8)} <= set(p.codes)   # used (or above used codes)
    assert _codings(p) == before
    assert report.summary()["pruned"] == 2


def test_drop_unused_removes_codes_with_their_codings_and_references():
    p = rich_project()
    book = _without(extract_codebook(rich_project()), g("c", 8))
    diag = Diagnostics()
    report = apply_codebook(p, book, diag, drop_unused=True)
    assert g("c", 8) not in p.codes
    assert all(c.code != g("c", 8) for lst in coding_lists(p) for c in lst)
    assert report.codings_removed == 4   # two text selections, one audio, one transcript
    assert g("c", 8) not in p.sets[g("f", 1)].member_codes
    assert g("b", 2) not in p.links                       # link to the dropped code
    assert diag.count("codebook-codings-dropped") == 1


def test_sets_follow_the_codebook():
    p = small_project()
    p.sets[g("f", 3)] = Set(g("f", 3), "Codes only", member_codes=[g("c", 1)])
    p.sets[g("f", 4)] = Set(g("f", 4), "Docs", member_sources=[g("50", 1)])
    book = extract_codebook(small_project())
    book.sets[g("f", 1)].member_codes = [g("c", 2)]
    book.sets[g("f", 1)].name = "Obstacles"
    book.sets[g("f", 2)] = Set(g("f", 2), "New", member_codes=[g("c", 1)])
    report = apply_codebook(p, book)
    assert p.sets[g("f", 1)].name == "Obstacles" and p.sets[g("f", 1)].member_codes == [g("c", 2)]
    assert p.sets[g("f", 1)].member_sources == [g("50", 1)]
    assert g("f", 3) not in p.sets and g("f", 4) in p.sets and g("f", 2) in p.sets
    summary = report.summary()
    assert summary["set-added"] == 1 and summary["set-removed"] == 1 and summary["set-updated"] == 1


@pytest.mark.parametrize("n", [20_000])
def test_large_project_is_fast(n):
    import time

    from nvivo_bridge.model import Coding, Selection

    p = small_project()
    src = next(iter(p.sources.values()))
    codes = list(p.codes)
    src.selections = [Selection(f"s{i}", start=0, end=1, codings=[Coding(f"k{i}", codes[i % len(codes)])])
                      for i in range(n)]
    book = _without(extract_codebook(p), codes[-1])
    t = time.perf_counter()
    apply_codebook(p, book, drop_unused=True)
    assert time.perf_counter() - t < 2.0


from hypothesis import given, settings, strategies as st  # noqa: E402

_edits = st.lists(st.tuples(st.sampled_from(["rename", "move", "delete", "add", "recolour"]),
                            st.integers(0, 50), st.integers(0, 50)), max_size=10)


@settings(max_examples=40, deadline=None)
@given(_edits, st.sampled_from(["keep", "prune", "drop"]))
def test_apply_property_codings_are_never_lost_silently(edits, mode):
    p = rich_project()
    before = _codings(p)
    book = extract_codebook(rich_project())
    for n, (op, i, j) in enumerate(edits):
        guids = list(book.codes)
        if not guids:
            break
        target = guids[i % len(guids)]
        if op == "rename":
            book.codes[target].name += f" {n}"
        elif op == "move":
            new_parent = guids[j % len(guids)]
            if new_parent != target and target not in {a.guid for a in book.ancestors(new_parent)}:
                book.codes[target].parent = new_parent
        elif op == "delete":
            for child in book.descendants(target):
                del book.codes[child.guid]
            del book.codes[target]
        elif op == "add":
            book.codes[g("c", 100 + n)] = Code(g("c", 100 + n), f"new {n}", parent=target)
        else:
            book.codes[target].color = "#ABCDEF"
    report = apply_codebook(p, book, prune=mode == "prune", drop_unused=mode == "drop")
    after = _codings(p)
    assert all(code in p.codes for _, code in after)
    assert set(book.codes) <= set(p.codes)
    assert {gid: path for gid, path in p.code_paths().items() if gid in book.codes} == book.code_paths()
    if mode == "drop":
        assert len(before) - len(after) == report.codings_removed
        assert set(p.codes) == set(book.codes)
    else:
        assert after == before
