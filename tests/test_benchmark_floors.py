"""The csv/xlsx floors write the tables nvivo-bridge writes, with its rows and columns and values
of the same kinds (so the floor's cost per cell is comparable), and compute them for real."""
from __future__ import annotations

import datetime as dt

import pytest

import nvivo_bridge
from benchmarks.floors import WIDE_HEADER, floor_csv, floor_xlsx, iter_tables, raw_rows
from benchmarks.generate import generate
from nvivo_bridge.sheets import build_tables


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = generate(600, work=tmp_path_factory.mktemp("gen"))
    floor = {name: (header, list(rows)) for name, header, rows in iter_tables(path)}
    return path, floor, build_tables(nvivo_bridge.read(path))


def test_wide_floor_rows_match_the_codings_sheet(generated):
    path, floor, ours = generated
    header, rows = floor["Codings"]
    codings = ours["Codings"]
    assert header == WIDE_HEADER and len(WIDE_HEADER) == len(codings.columns)
    assert all(len(r) == len(WIDE_HEADER) for r in rows) and len(rows) == len(codings)
    by_guid = {r[8]: r for r in rows}
    for rec in codings.itertuples(index=False):
        row = by_guid[rec.coding_guid]
        assert (row[0], row[1], row[5], row[6], row[7], row[9], row[11]) == \
               (rec.source, rec.selection_guid, rec.coder, rec.coded_at, rec.text, rec.source_guid, rec.case)
        assert row[10] == rec.code_path and row[12:15] == [rec.Peran, rec.Jenjang, rec.Masa_kerja]
        assert isinstance(row[6], dt.datetime) and isinstance(row[14], int)


def test_every_other_table_has_the_sheets_shape(generated):
    _, floor, ours = generated
    assert set(floor) == set(ours) - {"Warnings"}
    for name, (header, rows) in floor.items():
        assert (len(rows), len(header)) == ours[name].shape, name
        assert all(len(r) == len(header) for r in rows), name


def test_other_tables_hold_the_same_values(generated):
    _, floor, ours = generated
    codes = ours["Codes"].astype(object).where(ours["Codes"].notna(), None).values.tolist()
    assert floor["Codes"][1] == codes
    assert floor["Code x Case"][0] == list(ours["Code x Case"].columns)
    assert floor["Code x Case"][1] == ours["Code x Case"].values.tolist()
    sources = ours["Sources"]
    assert [r[:7] for r in floor["Sources"][1]] == sources.iloc[:, :7].astype(object).values.tolist()
    cases = ours["Cases"].astype(object).where(ours["Cases"].notna(), None).values.tolist()
    assert floor["Cases"][1] == cases
    for name in ("Variables", "Notes"):
        assert [r[:2] for r in floor[name][1]] == ours[name].iloc[:, :2].values.tolist(), name
    sets = ours["Sets"].drop(columns="description")
    assert [r[:1] + r[2:] for r in floor["Sets"][1]] == sets.values.tolist()
    assert [r[2] for r in floor["Notes"][1]] == ours["Notes"]["text"].tolist()


def test_floor_writers_write_every_table(generated, tmp_path):
    import openpyxl

    path, floor, _ = generated
    n = len(floor["Codings"][1])
    assert floor_csv(path, tmp_path / "csv") == n
    assert sorted(p.stem for p in (tmp_path / "csv").iterdir()) == sorted(floor)
    assert floor_xlsx(path, tmp_path / "book") == n
    wb = openpyxl.load_workbook(tmp_path / "book.xlsx", read_only=True)
    assert sorted(wb.sheetnames) == sorted(floor)
    assert wb["Codings"]["G2"].is_date


def test_raw_rows_keep_the_case_codings(tmp_path):
    """The raw floor does no lookups: it yields the codings that link sources to cases too."""
    path = generate(60, work=tmp_path)
    assert len(raw_rows(path)) == 60 + 1
