"""The researcher's workbook: contents equal the tables, typed cells, formatting, every limit,
the CLI, the sample and the corpus."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvivo_bridge
from nvivo_bridge.cli import main
from nvivo_bridge.errors import Diagnostics, WriteError
from nvivo_bridge.model import Code, Coding, Project, Selection, Source
from nvivo_bridge.sheets import TABLE_ORDER
from nvivo_bridge.writers._cells import EXCEL_MAX_CHARS, ILLEGAL_CHARS

from conftest import ROOT, corpus_files, needs_corpus
from projects import g

SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"


def _write(project, path, **extra) -> Diagnostics:
    diag = Diagnostics()
    nvivo_bridge.write(project, path, diag=diag, **extra)
    return diag


def _sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object) if rows else pd.DataFrame()


def _plain(value):
    """A DataFrame value as the workbook gives it back (missing → None, Timestamp → datetime)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def test_sheets_equal_the_dataframes(rich_project, tmp_path):
    out = tmp_path / "p.xlsx"
    _write(rich_project, out)
    frames = nvivo_bridge.tables(rich_project)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == TABLE_ORDER
    for name, df in frames.items():
        sheet = _sheet_frame(wb[name])
        assert list(sheet.columns) == list(df.columns), name
        for col in df.columns:
            got = sheet[col].tolist()
            want = [_plain(v) for v in df[col].tolist()]
            if name == "Project" and col == "value":  # converted_at differs between the two builds
                got, want = got[:-1], want[:-1]
            assert got == want, (name, col)


def test_typed_cells(rich_project, tmp_path):
    out = tmp_path / "p.xlsx"
    _write(rich_project, out)
    wb = openpyxl.load_workbook(out)
    codings = wb["Codings"]
    head = [c.value for c in codings[1]]
    row = codings[2]
    assert row[head.index("start")].data_type == "n" and isinstance(row[head.index("start")].value, int)
    assert isinstance(row[head.index("coded_at")].value, dt.datetime)
    assert row[head.index("coded_at")].is_date
    assert isinstance(row[head.index("Skor")].value, float)
    codes = wb["Codes"]
    assert codes.cell(2, 8).value is True and codes.cell(2, 8).data_type == "b"
    sources = wb["Sources"]
    s_head = [c.value for c in sources[1]]
    tanggal = sources.cell(4, s_head.index("Tanggal") + 1)
    assert tanggal.is_date and tanggal.number_format == "yyyy-mm-dd"


def test_formatting(rich_project, tmp_path):
    out = tmp_path / "p.xlsx"
    _write(rich_project, out)
    wb = openpyxl.load_workbook(out)
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert all(c.font.b for c in ws[1])
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    codings = wb["Codings"]
    head = [c.value for c in codings[1]]
    text_col = openpyxl.utils.get_column_letter(head.index("text") + 1)
    assert codings[f"{text_col}2"].alignment.wrap_text
    assert codings.column_dimensions[text_col].width >= 50
    assert not codings["A2"].alignment.wrap_text and not codings["A2"].font.b
    assert 8 <= codings.column_dimensions["A"].width <= 60
    codes = wb["Codes"]
    colour = codes["G2"]
    assert colour.value == "#1F77B4" and colour.fill.fgColor.rgb == "FF1F77B4"
    assert codes["G3"].fill.fill_type is None  # no colour, no fill


@pytest.mark.parametrize("texts", [
    ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)"],
    # Regression: openpyxl writes the text "#N/A" (and the other error codes) as an error cell,
    # which Excel shows as an error rather than the researcher's text.
    ["#N/A", "#DIV/0!", "#REF!", "#NAME?"],
], ids=["formula-like", "error-code"])
def test_formula_like_text_stays_text(small_project, tmp_path, texts):
    p = small_project
    for code, text in zip(p.codes.values(), texts):
        code.description = text
    out = tmp_path / "p.xlsx"
    _write(p, out)
    ws = openpyxl.load_workbook(out)["Codes"]
    cells = [ws.cell(r, 6) for r in range(2, 6)]
    assert [c.value for c in cells] == texts
    assert all(c.data_type == "s" for c in cells)


def test_long_cell_is_cut_with_marker_and_warning(small_project, tmp_path):
    p = small_project
    src = p.sources[g("50", 1)]
    src.text = src.text + "x" * 40_000 + "😀" * 10
    src.selections.append(Selection(g("5e", 9), start=0, end=len(src.text),
                                    codings=[Coding(g("c1", 50), g("c", 2))]))
    out = tmp_path / "p.xlsx"
    diag = _write(p, out)
    ws = openpyxl.load_workbook(out)["Codings"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[head.index("coding_guid")] == g("c1", 50))
    value = row[head.index("text")]
    assert len(value.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS
    assert value.startswith(src.text[:1000]) and "[cut:" in value
    assert diag.count("cell-cut") == 1
    warnings = _sheet_frame(openpyxl.load_workbook(out)["Warnings"])
    assert "cell-cut" in set(warnings["code"])


def test_rows_continue_on_numbered_sheets(small_project, tmp_path):
    out = tmp_path / "p.xlsx"
    diag = _write(small_project, out, max_rows=3)  # 2 data rows per sheet
    wb = openpyxl.load_workbook(out)
    parts = [n for n in wb.sheetnames if n.startswith("Codings")]
    assert parts == ["Codings", "Codings (2)", "Codings (3)"]
    rows = [r for n in parts for r in list(wb[n].iter_rows(values_only=True))[1:]]
    frame = nvivo_bridge.tables(small_project)["Codings"]
    at = list(frame.columns).index("coding_guid")
    assert [c.value for c in wb["Codings (2)"][1]] == list(frame.columns)
    assert [r[at] for r in rows] == frame["coding_guid"].tolist()
    assert all(wb[n].max_row <= 3 for n in wb.sheetnames)
    assert diag.count("table-split") >= 1


def test_control_characters_removed_once_per_table(small_project, tmp_path):
    p = small_project
    for code in p.codes.values():
        code.description = "bad\x01\x0bvalue\x1f"
    p.notes[g("e", 1)].text = "note\x00text"
    out = tmp_path / "p.xlsx"
    diag = _write(p, out)
    wb = openpyxl.load_workbook(out)
    assert wb["Codes"].cell(2, 6).value == "badvalue"
    assert diag.count("control-characters-removed") == 3  # Codes, Codings (memo), Notes
    locs = [i.message for i in diag.issues if i.code == "control-characters-removed"]
    assert any("table Codes" in m for m in locs) and any("table Notes" in m for m in locs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
                min_size=1, max_size=6),
       st.sampled_from(["=", "+", "-", "@", "", "\x02"]))
def test_any_text_round_trips_cleaned(tmp_path, texts, prefix):
    code = Code(g("c", 1), "Kode")
    text = "".join(prefix + t for t in texts)
    src = Source(g("50", 1), "S", text=text, selections=[
        Selection(g("5e", 1), start=0, end=len(text), codings=[Coding(g("c1", 1), code.guid)])])
    code.description = prefix + texts[0]
    p = Project(name="h", codes={code.guid: code}, sources={src.guid: src})
    out = tmp_path / f"h{abs(hash(text))}.xlsx"
    _write(p, out)
    wb = openpyxl.load_workbook(out)
    got = wb["Codings"].cell(2, 3).value  # the text column
    want = ILLEGAL_CHARS.sub("", text)
    assert (got or "") == want
    assert (wb["Codes"].cell(2, 6).value or "") == ILLEGAL_CHARS.sub("", prefix + texts[0])


def test_empty_project_and_codebook_write_every_sheet(tmp_path):
    for k, p in enumerate((Project(name="empty"),
                           Project(name="cb", kind="codebook", codes={g("c", 1): Code(g("c", 1), "A")}))):
        out = tmp_path / f"{k}.xlsx"
        counts = nvivo_bridge.write(p, out)
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == TABLE_ORDER
        assert [c.value for c in wb["Codings"][1]][:3] == ["source", "code_path", "text"]
        assert wb["Codings"].max_row == 1
        assert counts["codes"] == len(p.codes)


def test_progress_is_reported(small_project, tmp_path):
    calls = []
    nvivo_bridge.write(small_project, tmp_path / "p.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_failed_write_leaves_nothing(small_project, tmp_path):
    with pytest.raises(WriteError):
        nvivo_bridge.write(small_project, tmp_path / "missing" / "p.xlsx")
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []


def test_disk_full_at_save_is_a_write_error_and_leaves_nothing(small_project, tmp_path, monkeypatch):
    def disk_full(self, filename):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(openpyxl.Workbook, "save", disk_full)
    out = tmp_path / "p.xlsx"
    with pytest.raises(WriteError, match="No space left on device") as info:
        nvivo_bridge.write(small_project, out)
    assert str(out) in str(info.value)
    assert list(tmp_path.iterdir()) == []   # neither the output nor its temporary file


def test_success_leaves_only_the_workbook(small_project, tmp_path):
    nvivo_bridge.write(small_project, tmp_path / "p.xlsx")
    assert [f.name for f in tmp_path.iterdir()] == ["p.xlsx"]


@pytest.mark.parametrize("text", [
    "line one\r\nline two\r\n",        # NVivo's CRLF transcripts
    "literal _x000D_ and _x005F_ text",   # what OOXML escapes look like, as plain text
    "<r>rich-text lookalike</r>",          # XlsxWriter would write this as raw XML
])
def test_excerpt_text_is_stored_exactly(small_project, tmp_path, text):
    """The workbook keeps an excerpt's exact characters for any reader, openpyxl and pandas
    included: a carriage return is not stored as Excel's ``_x000D_`` escape (which only Excel
    and LibreOffice decode), and markup-like text is text.  This is why the writer stays on
    openpyxl rather than the faster XlsxWriter (docs/performance.md)."""
    p = small_project
    src = p.sources[g("50", 1)]
    src.text = text
    src.selections = [Selection(g("5e", 9), start=0, end=len(text), codings=[Coding(g("c1", 50), g("c", 2))])]
    out = tmp_path / "p.xlsx"
    _write(p, out)
    assert text in set(_sheet_frame(openpyxl.load_workbook(out)["Codings"])["text"])
    assert text in set(pd.read_excel(out, sheet_name="Codings")["text"])


def test_cli_convert_to_xlsx(tmp_path):
    src = tmp_path / "p.json"
    from projects import rich_project
    nvivo_bridge.write(rich_project(), src)
    out = tmp_path / "p.xlsx"
    runner = CliRunner()
    res = runner.invoke(main, ["convert", str(src), "-o", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.output == ""
    assert openpyxl.load_workbook(out)["Codings"].max_row == 13
    res = runner.invoke(main, ["convert", str(src), "-o", str(out)])
    assert res.exit_code == 1 and "already exists" in res.output
    res = runner.invoke(main, ["convert", str(src), "-o", str(out), "--force"])
    assert res.exit_code == 0 and "codings 12" in res.output


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample not built")
def test_sample_workbook(tmp_path):
    project = nvivo_bridge.read(SAMPLE)
    out = tmp_path / "kp.xlsx"
    _write(project, out)
    wb = openpyxl.load_workbook(out)
    codings = _sheet_frame(wb["Codings"])
    assert len(codings) == project.counts()["codings"] > 0
    frames = nvivo_bridge.tables(project)
    assert codings["text"].tolist() == frames["Codings"]["text"].tolist()
    case_ids = {c.guid for c in project.cases.values()}
    assert not case_ids & set(_sheet_frame(wb["Codes"])["guid"])


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("refi", ".qdpx", ".qdc"), ids=lambda p: p.name)
def test_every_corpus_file_converts(path, tmp_path):
    ledger = nvivo_bridge.convert(path, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert wb.sheetnames[:9] == TABLE_ORDER[:9] and wb.sheetnames[-1] == "Warnings"
    assert ledger.written["codings"] <= ledger.read["codings"]
    ledger = nvivo_bridge.convert(path, tmp_path / "csv", to_format="csv")
    assert {p.stem for p in (tmp_path / "csv").iterdir()} >= set(TABLE_ORDER)



@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 3, 1)),
                          st.dates(min_value=dt.date(1900, 3, 1))), min_size=1, max_size=20))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_date_cells_are_written_as_openpyxl_writes_them(tmp_path, values):
    """The writer's pre-styled date cells (made without openpyxl's per-cell format lookup) give
    the same sheet XML and styles as openpyxl given the date values themselves (aligned to the
    top, as every cell of the workbook is)."""
    import zipfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment
    from nvivo_bridge.writers.xlsx import _Styles

    def slow(ws, v):
        cell = WriteOnlyCell(ws, v)
        cell.alignment = Alignment(vertical="top")
        return cell

    def sheet(fast: bool) -> tuple[bytes, bytes]:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("d")
        styles = _Styles(ws)
        for v in values:
            ws.append([(styles.dated(ws, v) if fast else slow(ws, v)) if v is not None else v, 1])
        out = tmp_path / f"{fast}.xlsx"
        wb.save(out)
        with zipfile.ZipFile(out) as zf:
            return zf.read("xl/worksheets/sheet1.xml"), zf.read("xl/styles.xml")

    assert sheet(True) == sheet(False)


def test_time_zone_aware_datetime_is_left_to_openpyxl(tmp_path):
    from openpyxl import Workbook
    from nvivo_bridge.writers.xlsx import _Styles

    ws = Workbook(write_only=True).create_sheet("d")
    aware = dt.datetime(2024, 5, 1, 8, tzinfo=dt.timezone.utc)
    assert _Styles(ws).dated(ws, aware) is aware

