"""Codebook, classification sheet, list view, matrix, framework matrix and group query exports."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from nvivo_bridge.errors import Diagnostics, ReadError, UsageError
from nvivo_bridge.options import ReadOptions
from nvivo_bridge.readers.nvivo import read

DATA = Path(__file__).parent / "data" / "nvivo"


def _read(path: Path, **extra):
    diag = Diagnostics()
    return read(path, diag, ReadOptions(extra=extra)), diag


def _xlsx(path: Path, rows: list[list], title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _values(project, case) -> dict:
    return {project.variables[v.variable].name: v.value for v in case.variable_values}


def test_codebook_mac_csv_utf16_multiline_records():
    project, diag = _read(DATA / "Codebook - Youth.csv")
    assert list(project.code_paths().values()) == ["Context", "Context/Community needs", "Input",
                                                   "Input/Timing", "Process"]
    by = {c.name: c for c in project.codes.values()}
    assert by["Input"].description == "Resources\n and plans"
    assert (by["Community needs"].extras["nvivo:files"], by["Community needs"].extras["nvivo:references"]) == (2, 4)
    assert by["Process"].description is None
    assert not diag.warnings


def test_codebook_short_record_then_new_record_warns(tmp_path):
    f = tmp_path / "cb.txt"
    f.write_text("Folder\tName\tDescription\tFiles\tReferences\nNodes\tA\tcut here\n"
                 "Nodes\tB\t\t1\t2\n", encoding="utf-8")
    project, diag = _read(f)
    assert [c.name for c in project.codes.values()] == ["A", "B"]
    assert [i.code for i in diag.warnings] == ["short-record"]


def test_codebook_xlsx_and_docx(tmp_path):
    rows = [["Name", "Description", "Files", "References"], ["Codes\\\\Context", "Why", 0, 0],
            ["Codes\\\\Context\\\\Needs", "Voiced needs", 3, 7]]
    project, _ = _read(_xlsx(tmp_path / "Codebook.xlsx", rows))
    assert list(project.code_paths().values()) == ["Context", "Context/Needs"]
    needs = project.code_by_path("Context/Needs")
    assert needs.extras["nvivo:references"] == 7 and needs.extras["nvivo:folder"] == "Codes"
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("Codebook of Youth")
    table = doc.add_table(rows=0, cols=4)
    for row in [["Name", "Description", "Files", "References"], ["Input", "", "0", "0"],
                ["  Budget", "Money", "2", "5"]]:
        cells = table.add_row().cells
        for c, v in zip(cells, row):
            c.text = v
    buf = io.BytesIO()
    doc.save(buf)
    f = tmp_path / "Codebook.docx"
    f.write_bytes(buf.getvalue())
    project, _ = _read(f)
    assert list(project.code_paths().values()) == ["Input", "Input/Budget"]
    assert project.code_by_path("Input/Budget").description == "Money"


def test_classification_txt_special_values_and_hierarchical_names():
    project, diag = _read(DATA / "Person.txt")
    cases = {c.name: c for c in project.cases.values()}
    assert set(cases) == {"Interview 1", "INTERVIEW 3", "P03"}
    assert _values(project, cases["INTERVIEW 3"])["Years in programme"] == "Unassigned"
    assert _values(project, cases["P03"]) == {"Role": "Parent", "Years in programme": "Not Applicable"}
    assert cases["INTERVIEW 3"].extras["nvivo:path"] == "Cases\\\\Youth\\\\INTERVIEW 3"
    types = {v.name: v.type for v in project.variables.values()}
    assert types == {"Role": "Text", "Site": "Text", "Years in programme": "Integer"}
    assert all(c.extras["nvivo:classification"] == "Person" for c in cases.values())
    assert not diag.warnings  # no sources at all: nothing to match, nothing to warn about


def test_classification_xlsx_with_file_classification(tmp_path):
    rows = [["Interview", "Date", "Score"], ["Files\\\\Interviews\\\\Int 1", "2024-03-01", "2,5"],
            ["Files\\\\Interviews\\\\Int 2", None, "Unassigned"]]
    project, diag = _read(_xlsx(tmp_path / "Files.xlsx", rows))
    assert not project.cases
    srcs = {s.name: s for s in project.sources.values()}
    assert _values(project, srcs["Int 1"]) == {"Date": "2024-03-01", "Score": "2.5"}
    assert _values(project, srcs["Int 2"]) == {"Score": "Unassigned"}
    assert {v.name: v.type for v in project.variables.values()}["Score"] == "Float"


def test_listview_indentation_text_and_paths_xlsx(tmp_path):
    f = tmp_path / "Nodes.txt"
    f.write_bytes(("Name\tMemo Link\tFiles\tReferences\tCreated On\tCreated By\r\n"
                   "Context\t\t0\t0\tMar 1, 2024, 9:00:00 AM\tJS\r\n"
                   "  Community needs\t\t7\t19\tMar 1, 2024, 9:01:10 AM\tJS\r\n"
                   "    Housing\t\t1\t1\tMar 1, 2024, 9:01:10 AM\tJS\r\n"
                   "  Safety\t\t2\t3\tMar 1, 2024, 9:01:10 AM\tJS\r\nProcess\t\t0\t0\t\t\r\n").encode())
    project, _ = _read(f)
    assert list(project.code_paths().values()) == ["Context", "Context/Community needs",
                                                   "Context/Community needs/Housing", "Context/Safety", "Process"]
    needs = project.code_by_path("Context/Community needs")
    assert needs.extras["nvivo:references"] == 19 and needs.extras["nvivo:Created By"] == "JS"
    rows = [["Name", "Files", "References"], ["Nodes\\\\A", 1, 2], ["Nodes\\\\A\\\\B", 1, 1]]
    project, _ = _read(_xlsx(tmp_path / "List.xlsx", rows))
    assert list(project.code_paths().values()) == ["A", "A/B"]


def test_listview_of_cases_gives_cases(tmp_path):
    f = tmp_path / "Cases.txt"
    f.write_text("Name\tClassification\tFiles\tReferences\nAnna\tPerson\t1\t3\n", encoding="utf-8")
    project, _ = _read(f)
    assert [c.name for c in project.cases.values()] == ["Anna"]


def test_matrix_with_prefixes_and_framework_matrix(tmp_path):
    project, _ = _read(DATA / "Matrix.txt")
    table = project.tables["Matrix"]
    assert (table.kind, table.columns, table.rows) == ("matrix", ["", "Context", "Input"],
                                                       [["Teacher", 12, 4], ["Student", 7, 2]])
    rows = [[None, "Context", "Process"], ["P01", "Describes lack of youth space.\nAlso transport.", None],
            ["P02", None, "Praised mentors; wants more of them in the evenings."]]
    project, _ = _read(_xlsx(tmp_path / "Framework.xlsx", rows))
    table = project.tables["Framework"]
    assert table.kind == "framework-matrix"
    assert table.rows[0] == ["P01", "Describes lack of youth space.\nAlso transport.", None]
    rows = [[None, "A : Context", "B : Input"], ["1 : Male", 3, 0], ["2 : Female", 5, 1]]
    project, _ = _read(_xlsx(tmp_path / "Gender.xlsx", rows))
    assert project.tables["Gender"].rows == [["Male", 3, 0], ["Female", 5, 1]]


def test_group_query_flattened(tmp_path):
    rows = [["", "Scope Item", "In Folder", "Finds", "Created on"], [None, "P1", "Cases\\\\P1", 2, None],
            [None, "", "Range Item", "In Folder", "Created on"], [None, None, "Budget", "Codes", None],
            [None, None, "Timing", "Codes\\\\Input", None]]
    project, _ = _read(_xlsx(tmp_path / "Group.xlsx", rows))
    table = project.tables["Group"]
    assert [r[:5] for r in table.rows] == [["P1", "Cases\\\\P1", 2, "Budget", "Codes"],
                                           ["P1", "Cases\\\\P1", 2, "Timing", "Codes\\\\Input"]]


def test_forced_kind_and_bad_forced_kind(tmp_path):
    rows = [[None, "Age", "Children"], ["Anna", 31, 2], ["Ben", 40, 0]]
    f = _xlsx(tmp_path / "Ages.xlsx", rows)
    project, _ = _read(f)
    assert project.tables["Ages"].kind == "matrix"  # ambiguous: numbers only, empty A1
    project, _ = _read(f, nvivo_kind="classification")
    assert {c.name for c in project.cases.values()} == {"Anna", "Ben"}
    with pytest.raises(UsageError):
        _read(f, nvivo_kind="spreadsheet")


def test_unrecognised_workbook_and_empty_file(tmp_path):
    with pytest.raises(ReadError, match="supported NVivo exports"):
        _read(_xlsx(tmp_path / "one.xlsx", [["just one column"], ["x"]]))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(ReadError, match="empty"):
        _read(empty)
