"""Issue 16: a workbook a researcher can read without widening a column — rows as tall as their
wrapped text, one font family, top-aligned cells, the excerpt near the left of Codings."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

import nvivo_bridge
from nvivo_bridge.writers.xlsx import FONT, WRAPPED, _line_counts

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("look") / "s.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), out)
    return out


def test_line_counts_follow_length_and_line_breaks():
    assert _line_counts([None, 5, "", "x" * 77, "x" * 78], 70) == [1, 1, 1, 1, 2]
    assert _line_counts(["a\nb\r\nc", "x" * 100 + "\n" + "y"], 70) == [3, 3]


def test_wrapped_rows_are_as_tall_as_their_text(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Codings"]
    head = [c.value for c in ws[1]]
    col = head.index("text") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
    assert width == WRAPPED["Codings", "text"]
    checked = 0
    for r in range(2, ws.max_row + 1):
        text = ws.cell(r, col).value or ""
        memo = ws.cell(r, head.index("memo") + 1).value
        lines = max(_line_counts([text], width)[0], _line_counts([memo], WRAPPED["Codings", "memo"])[0])
        height = ws.row_dimensions[r].height
        if lines > 1:
            assert height == 15 * lines, r
            checked += 1
        else:
            assert height is None, r  # the default height
    assert checked >= 5
    # the Warnings messages wrap too, and a Source Texts row is never taller than Excel allows
    assert wb["Warnings"].column_dimensions["C"].width == WRAPPED["Warnings", "message"]
    assert all((d.height or 0) <= 409 for d in wb["Source Texts"].row_dimensions.values())


def test_one_font_family_and_top_alignment(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Codings"]
    assert {c.font.name for c in ws[1]} == {FONT} and all(c.font.bold for c in ws[1])
    body = [c for row in ws.iter_rows(min_row=2, max_row=6) for c in row if c.value is not None]
    assert {c.font.name for c in body} == {FONT}
    assert {c.alignment.vertical for c in body} == {"top"}
    styles = zipfile.ZipFile(workbook).read("xl/styles.xml").decode()
    assert styles.count("<name val=") == styles.count(f'<name val="{FONT}"/>')


def test_codings_reads_left_to_right(workbook):
    ws = openpyxl.load_workbook(workbook, read_only=True)["Codings"]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert head[:6] == ["source", "code_path", "text", "start", "end", "coverage_pct"]
    assert head[-4:] == ["coding_guid", "selection_guid", "source_guid", "code_guid"]


def test_narrow_columns_leave_room_for_the_filter_button(workbook):
    ws = openpyxl.load_workbook(workbook)["Codings"]
    head = [c.value for c in ws[1]]
    for name in ("start", "end", "coder", "case"):
        letter = openpyxl.utils.get_column_letter(head.index(name) + 1)
        assert ws.column_dimensions[letter].width >= len(name) + 5
