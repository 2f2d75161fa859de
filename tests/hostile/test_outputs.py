"""Outputs: Excel's limits, forbidden characters, formula-like values, unwritable folders, output
equal to an input, existing outputs (refused unless --force), and nothing partial left behind."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pytest

from nvivo_bridge import api
from projects import small_project

from ._kit import assert_same_tree, cli, expect_error, expect_ok, snapshot

FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\",\"click\")", "=cmd|' /C calc'!A0"]


@pytest.fixture
def proj(work) -> Path:
    """The small project as a canonical JSON dump, with formula-like names and values."""
    p = small_project()
    for code, f in zip(p.codes.values(), FORMULAS):
        code.name = f
    case = next(iter(p.cases.values()))
    case.variable_values[0].value = "=2*3"
    api.write(p, work / "p.json")
    return work / "p.json"


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


def test_formula_like_values_stay_text_in_workbooks(work, proj):
    expect_ok(cli("convert", proj, "-o", work / "o.xlsx"))
    expect_ok(cli("cipp", proj, "-o", work / "c.xlsx"))
    expect_ok(cli("codebook", proj, "-o", work / "cb.xlsx"))
    for book in ("o.xlsx", "c.xlsx", "cb.xlsx"):
        seen = set()
        for title, c in _cells(work / book):
            assert c.data_type != "f", (book, title, c.coordinate, c.value)
            if isinstance(c.value, str) and c.value in FORMULAS:
                seen.add(c.value)
        assert seen, book


def test_formula_like_values_are_escaped_in_csv(work, proj):
    expect_ok(cli("convert", proj, "-o", work / "out"))
    found = 0
    for f in (work / "out").glob("*.csv"):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for v in row:
                    assert not v.startswith(("=", "+", "@")) and not (v.startswith("-") and not v[1:2].isdigit()), (f, v)
                    found += v.startswith("'=")
    assert found
    expect_ok(cli("convert", proj, "-o", work / "raw", "--raw-csv"))
    assert any("=1+1" in f.read_text(encoding="utf-8-sig") for f in (work / "raw").glob("*.csv"))
    expect_ok(cli("codebook", proj, "-o", work / "cb.csv"))
    assert "'=1+1" in (work / "cb.csv").read_text(encoding="utf-8-sig")


def test_excel_cell_limit(work):
    p = small_project()
    src = next(iter(p.sources.values()))
    src.text = "long " * 20_000
    sel = src.selections[0]
    sel.start, sel.end, sel.text = 0, 90_000, None
    api.write(p, work / "p.json")
    err = expect_ok(cli("convert", work / "p.json", "-o", work / "o.xlsx"))
    assert "cut" in err
    for _, c in _cells(work / "o.xlsx"):
        if isinstance(c.value, str):
            assert len(c.value) <= 32_767
    expect_ok(cli("convert", work / "p.json", "-o", work / "csvout"))
    assert "long " * 18_000 in (work / "csvout" / "Codings.csv").read_text(encoding="utf-8-sig")


def test_excel_row_limit_splits_sheets(work):
    p = small_project()
    api.write(p, work / "rows.xlsx", max_rows=3)
    wb = openpyxl.load_workbook(work / "rows.xlsx")
    coding_sheets = [ws for ws in wb.worksheets if ws.title.startswith("Codings")]
    assert len(coding_sheets) >= 2
    assert sum(ws.max_row - 1 for ws in coding_sheets) == 6


def test_forbidden_sheet_name_characters(work):
    p = small_project()
    for case in p.cases.values():
        case.variable_values[0].value = "Guru/Kepala:*?[x]\\ and a very long role name over thirty-one"
    api.write(p, work / "p.json")
    expect_ok(cli("cipp", work / "p.json", "-o", work / "c.xlsx", "--group-by", "Peran"))
    openpyxl.load_workbook(work / "c.xlsx")


def test_output_folder_not_writable(work, proj):
    (work / "afile").write_text("x")
    before = snapshot(work)
    expect_error(cli("convert", proj, "-o", work / "afile" / "o.xlsx"), 1, "afile")
    expect_error(cli("convert", proj, "-o", work / "missing" / "o.xlsx"), 1, "missing")
    expect_error(cli("convert", proj, "-o", work / "afile" / "csvdir"), 1, "afile")
    if Path("/proc").is_dir():
        expect_error(cli("convert", proj, "-o", "/proc/nvivo-bridge-test.xlsx"), 1, "/proc")
    if os.geteuid() != 0:
        ro = work / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            expect_error(cli("convert", proj, "-o", ro / "o.xlsx"), 1, "ro")
        finally:
            ro.chmod(0o700)
        before = snapshot(work)
    assert_same_tree(before, work)


def test_output_is_an_existing_folder(work, proj):
    (work / "o.xlsx").mkdir()
    (work / "o.xlsx" / "keep.txt").write_text("keep")
    expect_error(cli("convert", proj, "-o", work / "o.xlsx"), 1, "o.xlsx")
    expect_error(cli("convert", proj, "-o", work / "o.xlsx", "--force"), 1, "o.xlsx")
    assert (work / "o.xlsx" / "keep.txt").read_text() == "keep"


def _commands(work, proj):
    """Every command that writes, as (args without -o, output path)."""
    cb = work / "cb.qdc"
    expect_ok(cli("codebook", proj, "-o", cb))
    return [
        (["convert", proj], work / "a.xlsx"),
        (["convert", proj], work / "adir"),
        (["cipp", proj], work / "b.xlsx"),
        (["codebook", proj], work / "c.xlsx"),
        (["merge-codebooks", cb, proj], work / "d.qdc"),
        (["apply-codebook", proj, cb], work / "e.json"),
    ]


def test_existing_output_is_refused_unless_force(work, proj):
    for args, out in _commands(work, proj):
        if out.suffix:
            out.write_text("precious")
        else:
            out.mkdir()
            (out / "precious.txt").write_text("precious")
        before = snapshot(work)
        expect_error(cli(*args, "-o", out), 1, out.name)
        assert_same_tree(before, work)
        expect_ok(cli(*args, "-o", out, "--force"))
        if out.suffix:
            assert out.read_bytes() != b"precious", args
        else:
            assert not (out / "precious.txt").exists()


def test_output_equal_to_an_input_is_refused(work, proj):
    cb = work / "cb.qdc"
    expect_ok(cli("codebook", proj, "-o", cb))
    before = snapshot(work)
    same = work / "sub" / ".." / "p.json"
    (work / "sub").mkdir()
    before = snapshot(work)
    cases = [
        ["convert", proj, "-o", same, "--force"],
        ["convert", proj, "-o", proj, "--force"],
        ["cipp", proj, "-o", proj, "--force"],
        ["cipp", proj, "-o", work / "x.xlsx", "--report", proj, "--force"],
        ["codebook", cb, "-o", cb, "--force"],
        ["merge-codebooks", cb, proj, "-o", cb, "--force"],
        ["apply-codebook", proj, cb, "-o", proj, "--force"],
        ["apply-codebook", proj, cb, "-o", work / "y.json", "--report", cb, "--force"],
    ]
    for args in cases:
        expect_error(cli(*args), 1, "input")
        assert_same_tree(before, work)
    os.link(proj, work / "hard.json")
    before = snapshot(work)
    expect_error(cli("convert", proj, "-o", work / "hard.json", "--force"), 1, "input")
    assert_same_tree(before, work)


def test_batch_refuses_existing_outputs_and_inputs(work, proj):
    (work / "in").mkdir()
    api.write(small_project(), work / "in" / "p.qdpx")
    out = work / "out"
    expect_ok(cli("batch", work / "in", "-o", out, "--to", "xlsx", "-q"))
    first = (out / "p.xlsx").read_bytes()
    result = cli("batch", work / "in", "-o", out, "--to", "xlsx", "-q")
    assert result.exit_code == 1 and "exists" in (out / "batch-report.csv").read_text()
    assert (out / "p.xlsx").read_bytes() == first
    expect_ok(cli("batch", work / "in", "-o", out, "--to", "xlsx", "-q", "--force"))
    # Converting a folder into itself, to the format it holds: the input is never overwritten.
    before = snapshot(work / "in")
    result = cli("batch", work / "in", "-o", work / "in", "--to", "qdpx", "-q", "--force")
    assert result.exit_code in (0, 1)
    assert_same_tree(before, work / "in", new={"batch-report.csv", "p.qdpx.qdpx"})


def test_strict_leaves_no_output_and_keeps_the_old_one(work):
    p = small_project()
    next(iter(p.sources.values())).selections[0].text = "x" * 40_000  # cut in the workbook: a write warning
    next(iter(p.sources.values())).selections[0].start = None
    next(iter(p.sources.values())).selections[0].end = None
    api.write(p, work / "p.json")
    before = snapshot(work)
    expect_error(cli("convert", work / "p.json", "-o", work / "o.xlsx", "--strict"), 3, "o.xlsx")
    assert_same_tree(before, work)
    (work / "o.xlsx").write_text("old")
    expect_error(cli("convert", work / "p.json", "-o", work / "o.xlsx", "--strict", "--force"), 3, "o.xlsx")
    assert (work / "o.xlsx").read_text() == "old"


def test_failing_writer_leaves_nothing(work, proj, monkeypatch):
    import nvivo_bridge.writers.xlsx as wx

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(wx, "_write_tables", boom)
    before = snapshot(work)
    result = cli("convert", proj, "-o", work / "o.xlsx")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert_same_tree(before, work)


def test_cipp_figures_folder_existing(work, proj):
    (work / "figs").mkdir()
    (work / "figs" / "mine.png").write_text("mine")
    before = snapshot(work)
    expect_error(cli("cipp", proj, "-o", work / "c.xlsx", "--figures", work / "figs"), 1, "figs")
    assert_same_tree(before, work)  # the workbook was not written either
