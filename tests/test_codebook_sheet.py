"""Codebook ↔ spreadsheet (nvivo_bridge.codebook.sheet): round trips, edits, errors with row numbers."""
from __future__ import annotations

import csv
import re

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from projects import g, small_project

from nvivo_bridge.codebook import (extract_codebook, is_codebook_sheet, read_codebook_sheet, write_codebook_csv,
                                   write_codebook_xlsx)
from nvivo_bridge.codebook.sheet import parse_codable, parse_color
from nvivo_bridge.errors import Diagnostics, ReadError, UsageError
from nvivo_bridge.model import Code, Project, Set

COLS = ["path", "name", "description", "color", "codable", "guid", "sets"]


def _fields(book):
    return [(c.guid, c.name, c.parent, c.color, c.description, c.is_codable) for c in book.codes.values()]


def _sets(book):
    return [(s.guid, s.name, s.description, s.member_codes) for s in book.sets.values()]


@pytest.fixture
def book():
    return extract_codebook(small_project())


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_unchanged(tmp_path, book, suffix):
    out = tmp_path / ("cb" + suffix)
    (write_codebook_xlsx if suffix == ".xlsx" else write_codebook_csv)(book, out)
    assert is_codebook_sheet(out)
    back = read_codebook_sheet(out, Diagnostics())
    assert _fields(back) == _fields(book)
    assert _sets(back) == _sets(book)
    assert back.kind == "codebook"


def test_xlsx_layout(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Codebook"]
    assert [c.value for c in ws[1]] == COLS
    assert ws.max_row == 1 + len(book.codes)
    assert wb["_original"].sheet_state == "hidden"
    row = {c: v for c, v in zip(COLS, [c.value for c in ws[2]])}
    assert row["path"] == "Konteks (Context)" and row["color"] == "#1F77B4" and row["codable"] is True
    assert ws.cell(2, 4).fill.fgColor.rgb.endswith("1F77B4")
    assert [c.value for c in wb["Sets"][2]] == ["Hambatan", "all obstacles", g("f", 1)]


def _edit(path, edits=(), append=(), delete=()):
    """Apply cell edits {row: {col: value}}, append rows, delete rows (sheet row numbers) to the Codebook sheet."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Codebook"]
    for row, cells in dict(edits).items():
        for col, value in cells.items():
            ws.cell(row, COLS.index(col) + 1, value)
    for values in append:
        ws.append([values.get(c) for c in COLS])
    for row in sorted(delete, reverse=True):
        ws.delete_rows(row)
    wb.save(path)


def _row_of(path, guid):
    ws = openpyxl.load_workbook(path)["Codebook"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, COLS.index("guid") + 1).value == guid:
            return r
    raise AssertionError(guid)


def test_edits_rename_move_add_delete(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    r_needs, r_budget, r_time = (_row_of(out, g("c", n)) for n in (2, 4, 8))
    r_vivo = _row_of(out, g("c", 7))
    _edit(out, edits={
        r_needs: {"name": "Training needs"},                        # rename in the name column
        r_budget: {"path": "Masukan (Input)/Budget"},                # rename in the path column
        r_time: {"path": "Konteks (Context)/Hambatan waktu",         # move
                 "color": "#abc", "codable": "no", "sets": "Hambatan; Baru"},
    }, append=[{"path": "Konteks (Context)/Kebutuhan kompetensi/Pelatihan", "description": "new code"}],
        delete=[r_vivo])
    diag = Diagnostics()
    back = read_codebook_sheet(out, diag)
    paths = back.code_paths()
    assert paths[g("c", 2)] == "Konteks (Context)/Training needs"
    assert paths[g("c", 4)] == "Masukan (Input)/Budget"
    assert paths[g("c", 8)] == "Konteks (Context)/Hambatan waktu"
    assert g("c", 7) not in back.codes
    time = back.codes[g("c", 8)]
    assert (time.color, time.is_codable) == ("#AABBCC", False)
    new = [c for c in back.codes.values() if c.name == "Pelatihan"]
    assert len(new) == 1 and new[0].parent == g("c", 2) and new[0].description == "new code"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", new[0].guid)
    assert len(back.codes) == len(book.codes)  # one deleted, one added
    by_name = {s.name: s for s in back.sets.values()}
    assert by_name["Hambatan"].guid == g("f", 1) and by_name["Hambatan"].member_codes == [g("c", 4), g("c", 8)]
    assert by_name["Baru"].member_codes == [g("c", 8)]


def test_all_errors_reported_at_once_with_row_numbers(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    _edit(out, edits={
        3: {"color": "blue-ish"},
        4: {"codable": "maybe"},
        5: {"guid": book.codes[g("c", 1)].guid},
        6: {"guid": "not-a-guid"},
    }, append=[
        {"path": "Konteks (Context)"},                      # duplicate path: row 10
        {"path": "Nowhere/Child"},                          # missing parent: row 11
        {"path": "A//B"},                                   # empty segment: row 12
        {"path": "Proses (Process)/X", "name": "Y"},        # name ≠ path, new row: row 13
    ])
    with pytest.raises(UsageError) as info:
        read_codebook_sheet(out, Diagnostics())
    text = str(info.value)
    assert "8 problem(s)" in text
    for row, words in [(3, "bad colour"), (4, "bad codable"), (5, "duplicate GUID"), (6, "not a GUID"),
                       (10, "duplicate path"), (11, "parent 'Nowhere' has no row"), (12, "empty name"),
                       (13, "differs from the last part")]:
        assert re.search(rf"sheet Codebook row {row}: [^\n]*{re.escape(words)}", text), (row, text)
    assert info.value.exit_code == 2


def test_name_and_path_both_changed_is_an_error(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    r = _row_of(out, g("c", 4))
    _edit(out, edits={r: {"path": "Masukan (Input)/One", "name": "Two"}})
    with pytest.raises(UsageError, match=rf"row {r}: name 'Two' and the last part"):
        read_codebook_sheet(out, Diagnostics())


def test_renamed_parent_in_path_needs_children_renamed(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    r = _row_of(out, g("c", 3))
    _edit(out, edits={r: {"path": "Input"}})
    with pytest.raises(UsageError, match=r"parent 'Masukan \(Input\)' has no row"):
        read_codebook_sheet(out, Diagnostics())
    # Renaming the parent in the name column alone keeps the children's paths valid.
    _edit(out, edits={r: {"path": "Masukan (Input)", "name": "Input"}})
    back = read_codebook_sheet(out, Diagnostics())
    assert back.code_paths()[g("c", 4)] == "Input/Anggaran"


def test_csv_edits_and_semicolon_delimiter(tmp_path, book):
    out = tmp_path / "cb.csv"
    write_codebook_csv(book, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    rows[2][0] = "Proses (Process)/Kebutuhan kompetensi"   # move row 3
    rows[2][1] = ""
    rows.append(["=SUM(A1)", "", "", "rgb(255, 0, 10)", "0", "", ""])
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    back = read_codebook_sheet(out, Diagnostics())
    assert back.code_paths()[g("c", 2)] == "Proses (Process)/Kebutuhan kompetensi"
    formula = [c for c in back.codes.values() if c.name == "=SUM(A1)"]
    assert formula and formula[0].color == "#FF000A" and formula[0].is_codable is False
    assert back.sets[g("f", 1)].description == "all obstacles"   # from cb.sets.csv


def test_formula_like_names_survive_both_formats(tmp_path):
    codes = [Code(g("c", 0), "=cmd|' /C calc'!A0"), Code(g("c", 1), "+plus", parent=g("c", 0)),
             Code(g("c", 2), "-minus", description="@at")]
    p = Project(codes={c.guid: c for c in codes})
    for suffix, writer in ((".xlsx", write_codebook_xlsx), (".csv", write_codebook_csv)):
        out = tmp_path / ("f" + suffix)
        writer(p, out)
        assert _fields(read_codebook_sheet(out, Diagnostics())) == _fields(p)
    assert "'=cmd" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")


def test_error_value_names_stay_text(tmp_path):
    """Regression: a code named "#N/A" was written as an Excel error value, not as text."""
    codes = [Code(g("c", 0), "#N/A", description="#REF!")]
    p = Project(codes={c.guid: c for c in codes})
    out = tmp_path / "f.xlsx"
    write_codebook_xlsx(p, out)
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2) for c in row
             if c.value in ("#N/A", "#REF!")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    assert _fields(read_codebook_sheet(out, Diagnostics())) == _fields(p)


def test_over_long_description_is_cut_with_a_warning(tmp_path):
    """Regression: openpyxl cut a description longer than an Excel cell silently (by code points,
    so emoji text still overflowed Excel's 32,767 UTF-16 units); the codebook read back from the
    sheet then lost text without a word."""
    codes = [Code(g("c", 0), "Long", description="😀" * 20_000), Code(g("c", 1), "Short", description="ok")]
    p = Project(codes={c.guid: c for c in codes})
    diag = Diagnostics()
    write_codebook_xlsx(p, tmp_path / "f.xlsx", diag)
    assert diag.count("xlsx-cell-cut") == 1
    back = read_codebook_sheet(tmp_path / "f.xlsx", Diagnostics())
    desc = back.codes[g("c", 0)].description
    assert len(desc.encode("utf-16-le")) // 2 <= 32_767 and desc.startswith("😀" * 16_000)
    assert desc.endswith("a CSV codebook keeps them]") and back.codes[g("c", 1)].description == "ok"
    write_codebook_csv(p, tmp_path / "f.csv")
    assert read_codebook_sheet(tmp_path / "f.csv", Diagnostics()).codes[g("c", 0)].description == "😀" * 20_000


def test_nvivo_codebook_csv_is_not_a_codebook_sheet(tmp_path):
    f = tmp_path / "Codebook - p.csv"
    f.write_text("Folder\tName\tDescription\tFiles\tReferences\nNodes\tA\\B\tx\t1\t2\n", encoding="utf-16")
    assert not is_codebook_sheet(f)
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "Files", "References"])
    wb.save(other)
    assert not is_codebook_sheet(other)
    with pytest.raises(ReadError, match="no codebook sheet"):
        read_codebook_sheet(other, Diagnostics())


def test_utf16_tab_csv_is_read(tmp_path):
    f = tmp_path / "cb.tsv"
    f.write_text("Path\tName\tColour\nA\t\t#123456\nA/B\tB\t\n", encoding="utf-16")
    back = read_codebook_sheet(f, Diagnostics())
    assert back.code_paths() == {c.guid: p for c, p in zip(back.codes.values(), ["A", "A/B"])}
    assert list(back.codes.values())[0].color == "#123456"


def test_parse_color_and_codable():
    assert parse_color("#abc") == "#AABBCC"
    assert parse_color("1f77b4") == "#1F77B4"
    assert parse_color("rgba(1, 2, 3, 0.5)") == "#010203"
    assert parse_color("  ") is None
    for bad in ("#12345", "red", "bad", "rgb(300,0,0)", "#GGGGGG"):
        with pytest.raises(ValueError):
            parse_color(bad)
    assert parse_codable(True) is True and parse_codable("") is True and parse_codable("FALSE") is False
    with pytest.raises(ValueError):
        parse_codable("perhaps")


_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip() and " ;" not in s)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_names, st.integers(0, 20), st.booleans(), st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))),
                min_size=1, max_size=12, unique_by=lambda t: t[0].casefold()),
       st.sampled_from([".xlsx", ".csv"]))
def test_round_trip_property(tmp_path_factory, specs, suffix):
    codes = {}
    guids = []
    for i, (name, parent, codable, desc) in enumerate(specs):
        gid = g("c", i)
        par = guids[parent % len(guids)] if guids and parent else None
        codes[gid] = Code(gid, name, codable, "#0A0B0C" if codable else None,
                          desc if desc and desc.strip() else None, par)
        guids.append(gid)
    book = Project(kind="codebook", codes=codes, sets={g("f", 1): Set(g("f", 1), "S", member_codes=guids[:2])})
    out = tmp_path_factory.mktemp("rt") / ("cb" + suffix)
    (write_codebook_xlsx if suffix == ".xlsx" else write_codebook_csv)(book, out)
    back = read_codebook_sheet(out, Diagnostics())
    assert sorted(_fields(back)) == sorted(_fields(book))
    assert _sets(back) == _sets(book)


def test_upper_case_guids_are_kept(tmp_path, book):
    book.guid_case = "upper"
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    assert openpyxl.load_workbook(out)["Codebook"].cell(2, 6).value == g("c", 1).upper()
    _edit(out, append=[{"path": "New"}])
    back = read_codebook_sheet(out, Diagnostics())
    assert back.guid_case == "upper" and list(back.codes)[:8] == list(book.codes)


def test_sets_sheet_errors_are_listed_with_the_codebook_errors(tmp_path, book):
    out = tmp_path / "cb.xlsx"
    write_codebook_xlsx(book, out)
    wb = openpyxl.load_workbook(out)
    wb["Sets"].append(["Hambatan", "again", None])
    wb["Sets"].append([None, "no name", None])
    wb["Sets"].append(["Other", None, "xyz"])
    wb["Codebook"].cell(2, 4, "#12")
    wb.save(out)
    with pytest.raises(UsageError) as info:
        read_codebook_sheet(out, Diagnostics())
    text = str(info.value)
    assert "4 problem(s)" in text and "sheet Codebook row 2: bad colour" in text
    assert "sheet Sets row 3: duplicate set name 'Hambatan'" in text
    assert "sheet Sets row 4: the set has no name" in text and "sheet Sets row 5: 'xyz' is not a GUID" in text


def test_many_errors_are_capped_in_the_message(tmp_path):
    f = tmp_path / "cb.csv"
    f.write_text("path,name,color\n" + "".join(f"A{i},,bad\n" for i in range(150)), encoding="utf-8")
    with pytest.raises(UsageError) as info:
        read_codebook_sheet(f, Diagnostics())
    text = str(info.value)
    assert "150 problem(s)" in text and "row 151: bad colour" not in text and "… and 50 more" in text
    assert "row 2: bad colour 'bad'" in text
