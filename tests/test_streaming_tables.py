"""The writers take the tables a chunk of rows at a time: what they write equals the DataFrames of
``nvivo_bridge.tables`` across chunk boundaries, sheet splits and repairs; warnings are still
collected with the right row; the Codings rows are never built whole by a writer."""
from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

import nvivo_bridge
import nvivo_bridge.sheets._context as table_mod
from nvivo_bridge.coding_index import build_index
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Variable, VariableValue
from nvivo_bridge.sheets import build_tables, table_rows
from nvivo_bridge.sheets._codings import _excerpt_sizes
from nvivo_bridge.sheets._context import make_context

from projects import g, rich_project


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _sheet_rows(path, prefix: str) -> list[tuple]:
    """The data rows of every sheet of one table (``Codings``, ``Codings (2)``…), in order."""
    wb = openpyxl.load_workbook(path)
    names = [n for n in wb.sheetnames if n == prefix or n.startswith(prefix + " (")]
    return [r for n in names for r in list(wb[n].iter_rows(values_only=True))[1:]]


def _mixed_project():
    """rich_project with case variables whose type is only settled by a later source: an Integer
    variable with a non-number on the second case, a DateTime at midnight on the first case
    only, and a Date variable (dates only)."""
    p = rich_project()
    cases = list(p.cases.values())
    for guid, name, vtype, values in (("n", "Nomor", "Integer", ["12", "abc"]),
                                      ("t", "Waktu", "DateTime", ["2024-01-01T00:00:00Z", "2024-01-02T10:30:00Z"]),
                                      ("d", "Hari", "Date", ["2024-01-01", "2024-02-03"])):
        p.variables[g(guid, 9)] = Variable(g(guid, 9), name, vtype)
        for case, value in zip(cases, values):
            case.variable_values.append(VariableValue(g(guid, 9), value, vtype))
    return p


@pytest.fixture
def chunk_rows(monkeypatch):
    def set_(n: int) -> None:
        monkeypatch.setattr(table_mod, "CHUNK_ROWS", n)
    return set_


@pytest.mark.parametrize("size", [1, 2, 5])
def test_chunks_are_typed_like_the_whole_table(size):
    p = _mixed_project()
    whole = build_tables(p)["Codings"]
    table = table_rows(p, diag=Diagnostics())["Codings"]
    chunks = [df for _, df in table.chunks(size=size)]
    assert len(chunks) == -(-len(whole) // size) > 2
    for df in chunks:
        assert list(df.dtypes) == list(whole.dtypes)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert whole["Nomor"].dtype == object and whole["Hari"].dtype.kind == "M"
    assert table.date_columns == {"Hari"}  # Waktu holds a time of day on the second case


def test_chunks_hold_a_bounded_amount_of_excerpt_text(monkeypatch, tmp_path):
    p = _mixed_project()
    nvivo_bridge.write(p, tmp_path / "default")
    monkeypatch.setattr(table_mod, "CHUNK_CHARS", 40)
    sizes = _excerpt_sizes(make_context(p))
    assert sizes.max() > 40 and (sizes == 0).any()  # some excerpts longer than a chunk, some not text
    chunks = list(table_rows(p, diag=Diagnostics())["Codings"].chunks())
    assert len(chunks) > 2
    for first, df in chunks:
        assert len(df) == 1 or sizes[first:first + len(df)].sum() <= 40
    pd.testing.assert_frame_equal(pd.concat([df for _, df in chunks]), build_tables(p)["Codings"])
    nvivo_bridge.write(p, tmp_path / "small")
    for path in (tmp_path / "default").iterdir():
        got, want = _csv_rows(tmp_path / "small" / path.name), _csv_rows(path)
        if path.name == "Project.csv":  # converted_at differs between the two writes
            got, want = got[:-1], want[:-1]
        assert got == want, path.name


def test_index_without_excerpts_cuts_the_same_texts():
    p = rich_project()
    full, lazy = build_index(p), build_index(p, excerpts=False)
    assert any(t is None for t in lazy.text)  # something was left out
    assert lazy.texts(p.sources) == full.text
    assert lazy.texts(p.sources, 3, 7) == full.text[3:7]


@pytest.mark.parametrize("size", [1, 3])
def test_csv_written_in_chunks_equals_the_default(chunk_rows, tmp_path, size):
    p = _mixed_project()
    nvivo_bridge.write(p, tmp_path / "whole")
    chunk_rows(size)
    nvivo_bridge.write(p, tmp_path / "chunked")
    for path in sorted((tmp_path / "whole").iterdir()):
        got, want = _csv_rows(tmp_path / "chunked" / path.name), _csv_rows(path)
        if path.name == "Project.csv":  # converted_at differs between the two writes
            got, want = got[:-1], want[:-1]
        assert got == want, path.name
    rows = _csv_rows(tmp_path / "chunked" / "Codings.csv")
    at = rows[0].index("coding_guid")
    assert [r[at] for r in rows[1:]] == build_tables(p)["Codings"]["coding_guid"].tolist()


def test_xlsx_in_chunks_and_split_sheets_equals_the_dataframe(chunk_rows, tmp_path):
    p = _mixed_project()
    chunk_rows(2)
    diag = Diagnostics()
    nvivo_bridge.write(p, tmp_path / "p.xlsx", diag=diag, max_rows=6)  # 5 rows a sheet, chunks of 2
    frame = build_tables(p)["Codings"]
    rows = _sheet_rows(tmp_path / "p.xlsx", "Codings")
    at = list(frame.columns).index("coding_guid")
    assert [r[at] for r in rows] == frame["coding_guid"].tolist()
    assert [r[list(frame.columns).index("text")] for r in rows] == frame["text"].tolist()
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert [n for n in wb.sheetnames if n.startswith("Codings")] == ["Codings", "Codings (2)", "Codings (3)"]
    assert wb["Codings (2)"].auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(frame.shape[1])}6"
    assert wb["Codings (3)"].max_row == len(frame) - 10 + 1
    assert diag.count("table-split") >= 1


def test_xlsx_written_in_chunks_equals_the_default(chunk_rows, tmp_path):
    p = _mixed_project()
    nvivo_bridge.write(p, tmp_path / "whole.xlsx")
    chunk_rows(1)
    nvivo_bridge.write(p, tmp_path / "chunked.xlsx")
    a, b = openpyxl.load_workbook(tmp_path / "whole.xlsx"), openpyxl.load_workbook(tmp_path / "chunked.xlsx")
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        got, want = list(b[name].values), list(a[name].values)
        if name == "Project":
            got, want = got[:-1], want[:-1]
        assert got == want, name
        widths = lambda ws: {k: d.width for k, d in ws.column_dimensions.items()}  # noqa: E731
        assert widths(b[name]) == widths(a[name]), name


def test_repairs_in_a_later_chunk_are_reported_with_their_row(chunk_rows, tmp_path):
    p = rich_project()
    idx = build_index(p)
    # The last text selection gets new text of its own: a control character hiding a formula,
    # long enough to be cut in Excel.
    sel = idx.selection[max(k for k, kind in enumerate(idx.kind) if kind == "text")]
    last = idx.selection.index(sel)  # its first row
    src = p.sources[idx.source_guid[last]]
    sel.start = len(src.text)
    src.text = src.text + "\x07=" + "y" * 40_000
    sel.end = len(src.text)
    frame = build_tables(p)["Codings"]
    assert last > 4  # in a later chunk
    chunk_rows(2)
    diag = Diagnostics()
    nvivo_bridge.write(p, tmp_path / "p.xlsx", diag=diag)
    cut = [i for i in diag.issues if i.code == "cell-cut"]
    control = [i for i in diag.issues if i.code == "control-characters-removed" and "Codings" in i.message]
    assert len(cut) == 1 and len(control) == 1
    assert control[0].location == f"first: Codings row {last + 2} column text"
    assert cut[0].location == f"first: Codings row {last + 2} column text"
    warnings = [r[1] for r in _sheet_rows(tmp_path / "p.xlsx", "Warnings")]
    assert "cell-cut" in warnings and "control-characters-removed" in warnings
    text = _sheet_rows(tmp_path / "p.xlsx", "Codings")[last][list(frame.columns).index("text")]
    assert text.startswith("=") and "[cut:" in text  # formula-like text kept as text, then cut
    diag = Diagnostics()
    nvivo_bridge.write(p, tmp_path / "csv", diag=diag)
    assert diag.count("control-characters-removed") >= 1 and diag.count("cell-cut") == 0
    assert "control-characters-removed" in (tmp_path / "csv" / "Warnings.csv").read_text("utf-8-sig")
    assert _csv_rows(tmp_path / "csv" / "Codings.csv")[last + 1][list(frame.columns).index("text")].startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_writers_never_build_the_codings_rows_whole(chunk_rows, monkeypatch, tmp_path, fmt):
    import nvivo_bridge.sheets._codings as codings

    asked: list[tuple[int, int]] = []
    frame = codings._CodingRows.frame

    def spy(self, start, stop):
        asked.append((start, stop))
        return frame(self, start, stop)

    p = rich_project()
    n = len(build_tables(p)["Codings"])
    monkeypatch.setattr(codings._CodingRows, "frame", spy)
    chunk_rows(4)
    nvivo_bridge.write(p, tmp_path / ("out.xlsx" if fmt == "xlsx" else "out"))
    chunks = [(a, min(a + 4, n)) for a in range(0, n, 4)]
    # xlsx first sizes its columns by the first 500 rows (here all 12), in chunks as well
    assert asked == (chunks if fmt == "xlsx" else []) + chunks
