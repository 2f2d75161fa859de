"""The analysis formats: SQLite (and back), Parquet, SPSS, R; the same numbers in every format."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import nvivo_bridge
from analysis_projects import analysis_project
from nvivo_bridge.cli import main
from nvivo_bridge.writers._tabular import snake_names
from nvivo_bridge.writers.spss import spss_names

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pyreadstat = pytest.importorskip("pyreadstat")

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
MATRICES = ["Code x Case", "Code x Case presence", "Code x Source", "Code x Group", "Co-occurrence",
            "Co-occurrence long"]


def norm(v):
    """A cell compared across formats: missing as None, numbers as float, times as ISO text."""
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    if isinstance(v, bool):
        return float(v)
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(v).tz_localize(None).strftime("%Y-%m-%d %H:%M:%S") if pd.Timestamp(v).tzinfo \
            else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S")
    return v


def cells(df: pd.DataFrame) -> tuple[list, list]:
    return [str(c) for c in df.columns], [[norm(v) for v in row] for row in df.astype(object).itertuples(index=False)]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The analysis fixture written once in every format."""
    tmp = tmp_path_factory.mktemp("formats")
    project = analysis_project()
    for name, fmt, extra in (("p.xlsx", None, {"tables": "matrices"}), ("csv", "csv", {"tables": "matrices"}),
                             ("p.sqlite", None, {}), ("parquet", "parquet", {}), ("r", "r", {}),
                             ("segments.sav", None, {})):
        nvivo_bridge.write(project, tmp / name, fmt, **extra)
    return tmp, nvivo_bridge.tables(project, extra="matrices")


def _r_types(load_r: Path) -> dict:
    """``file → {column: R type}`` as load.R declares them."""
    out = {}
    for m in re.finditer(r'\.nb_read\("([^"]+)", c\((.*)\)\)', load_r.read_text(encoding="utf-8")):
        out[m.group(1)] = dict(re.findall(r'"((?:[^"\\]|\\.)*)" = "(\w+)"', m.group(2)))
    return out


def _read_r_csv(folder: Path, file: str, types: dict) -> pd.DataFrame:
    """Read one CSV of the R output with pyarrow, typed as load.R types it."""
    import pyarrow.csv as pacsv

    arrow = {"integer": pa.int64(), "double": pa.float64(), "logical": pa.bool_(), "character": pa.string(),
             "factor": pa.string(), "POSIXct": pa.timestamp("s"), "Date": pa.date32()}
    opts = pacsv.ConvertOptions(column_types={c: arrow[t] for c, t in types.items()}, strings_can_be_null=True,
                                true_values=["TRUE"], false_values=["FALSE"])
    return pacsv.read_csv(folder / file, convert_options=opts).to_pandas()


def test_every_format_holds_the_same_matrices_and_segments(outputs):
    tmp, frames = outputs
    names = snake_names(list(frames))
    xlsx = pd.read_excel(tmp / "p.xlsx", sheet_name=None)
    con = sqlite3.connect(tmp / "p.sqlite")
    r_types = _r_types(tmp / "r" / "load.R")
    for table in MATRICES + ["Segments"]:
        want = cells(frames[table])
        sql_name = "segments" if table == "Segments" else names[table]
        sql = pd.read_sql(f'SELECT * FROM "{sql_name}"', con)
        if table == "Segments":
            sql = sql.drop(columns=["id"])
        got = {
            "xlsx": xlsx[table],
            "csv": pd.read_csv(tmp / "csv" / f"{table}.csv", encoding="utf-8-sig", keep_default_na=False,
                               na_values=[""]),
            "sqlite": sql,
            "parquet": pd.read_parquet(tmp / "parquet" / f"{names[table]}.parquet"),
            "r": _read_r_csv(tmp / "r", f"{names[table]}.csv", r_types[f"{names[table]}.csv"]),
        }
        for fmt, df in got.items():
            assert cells(df) == want, f"{table} differs in {fmt}"
    con.close()


def test_sqlite_keys_indexes_views_fts_and_metadata(outputs):
    tmp, frames = outputs
    con = sqlite3.connect(tmp / "p.sqlite")
    fks = {(r[3], r[2]) for r in con.execute("PRAGMA foreign_key_list(codings)")}
    assert fks == {("code_guid", "codes"), ("source_guid", "sources")}
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[5] for r in con.execute("PRAGMA table_info(codes)") if r[1] == "guid"] == [1]
    indexes = {r[1] for r in con.execute("PRAGMA index_list(codings)")}
    assert {"idx_codings_code_guid", "idx_codings_source_guid"} <= indexes
    views = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == {"segments", "code_case_long", "code_source_long"}
    long = pd.read_sql("SELECT code_path, case_name, codings FROM code_case_long ORDER BY code_path, case_name", con)
    wide = frames["Code x Case"].melt("code_path", var_name="case_name", value_name="codings")
    wide = wide[wide["codings"] > 0].sort_values(["code_path", "case_name"]).reset_index(drop=True)
    assert cells(long) == cells(wide)
    hits = con.execute("SELECT c.source, c.start FROM codings_fts f JOIN codings c ON c.id = f.rowid "
                       "WHERE codings_fts MATCH 'pqrs' ORDER BY c.id").fetchall()
    assert hits == []   # FTS matches words, not the middle of one
    con.execute("UPDATE source_texts SET text = text")   # the table is writable SQLite, not a view
    meta = json.loads((tmp / "p.metadata.json").read_text(encoding="utf-8"))
    tables = meta["databases"]["p"]["tables"]
    assert tables["codes"]["label_column"] == "path" and tables["codings"]["fts_table"] == "codings_fts"
    con.close()


def test_sqlite_full_text_search_finds_excerpts(tmp_path):
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), tmp_path / "s.sqlite")
    con = sqlite3.connect(tmp_path / "s.sqlite")
    rows = con.execute("SELECT c.text FROM codings_fts JOIN codings c ON c.id = codings_fts.rowid "
                       "WHERE codings_fts MATCH 'text: waktu'").fetchall()
    assert rows and all("waktu" in t.lower() for (t,) in rows)
    con.close()


@pytest.mark.parametrize("build", ["small_project", "analysis_project"])
def test_sqlite_round_trip(tmp_path, build):
    import projects

    project = analysis_project() if build == "analysis_project" else getattr(projects, build)()
    nvivo_bridge.write(project, tmp_path / "p.sqlite")
    back = nvivo_bridge.read(tmp_path / "p.sqlite")
    assert any(i.code == "sqlite-partial" for i in back.issues)
    a, b = nvivo_bridge.tables(project, extra="matrices"), nvivo_bridge.tables(back, extra="matrices")
    for name in a:
        if name in ("Project", "Warnings", "Notes"):
            continue
        x, y = a[name], b[name]
        if "memo" in x:   # what notes are attached to is not in the tables
            x, y = x.drop(columns=["memo"]), y.drop(columns=["memo"])
        assert cells(x) == cells(y), name


def test_sqlite_reader_refuses_other_databases(tmp_path):
    db = tmp_path / "other.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    result = CliRunner().invoke(main, ["convert", str(db), "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 4 and "not an nvivo-bridge database" in result.output
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 10)
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "junk.sqlite"), "-o", str(tmp_path / "y.json")])
    assert result.exit_code == 4 and "Traceback" not in result.output


def test_parquet_types_and_dictionary_encoding(outputs):
    tmp, _ = outputs
    schema = pq.read_schema(tmp / "parquet" / "segments.parquet")
    assert schema.field("start").type == pa.int64()
    assert schema.field("coded_at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_dictionary(schema.field("code_path").type)
    assert schema.field("text").type == pa.string() and schema.field("Size").type == pa.int64()
    meta = pq.ParquetFile(tmp / "parquet" / "codings.parquet").metadata
    col = [meta.row_group(0).column(k) for k in range(meta.num_columns)
           if meta.row_group(0).column(k).path_in_schema == "code_path"][0]
    assert "RLE_DICTIONARY" in col.encodings
    df = pd.read_parquet(tmp / "parquet" / "codings.parquet")
    assert str(df["code_path"].dtype) == "category" and str(df["coded_at"].dt.tz) == "UTC"


def test_spss_names_labels_and_value_labels(tmp_path):
    project = analysis_project()
    var = next(v for v in project.variables.values() if v.name == "Group")
    var.name = "by"   # a reserved word in SPSS
    diag = nvivo_bridge.Diagnostics()
    nvivo_bridge.write(project, tmp_path / "s.sav", diag=diag)
    df, meta = pyreadstat.read_sav(tmp_path / "s.sav")
    assert "by_" in df.columns and meta.column_names_to_labels["by_"] == "by — study arm"
    assert meta.variable_value_labels["by_"] == {1.0: "g1", 2.0: "g2"}
    assert meta.variable_value_labels["code_id"] == {1.0: "P", 2.0: "P/C1", 3.0: "X", 4.0: "Y"}
    assert len(df) == 8 and sorted(set(df["code_id"])) == [1.0, 2.0, 3.0, 4.0]
    assert any(i.code == "spss-name" and "'by' → by_" in i.message for i in diag.finish())
    labelled = df["code_id"].map(meta.variable_value_labels["code_id"])
    assert labelled.tolist() == df["code_path"].tolist()


def test_spss_name_rules():
    names = spss_names(["Masa kerja (tahun)", "1st", "TO", "to", "Größe", "a" * 80, "x"])
    assert names["Masa kerja (tahun)"] == "Masa_kerja_tahun" and names["1st"] == "v_1st"
    assert names["TO"] == "TO_" and names["to"] == "to__2" and names["Größe"] == "Groe"
    assert len(names["a" * 80]) <= 64 and len({n.upper() for n in names.values()}) == len(names)


def test_r_load_script_types(outputs):
    tmp, frames = outputs
    types = _r_types(tmp / "r" / "load.R")
    seg = types["segments.csv"]
    assert seg["start"] == "integer" and seg["coded_at"] == "POSIXct" and seg["code_path"] == "factor"
    assert seg["text"] == "character" and seg["coding_guid"] == "character" and seg["Size"] == "integer"
    assert set(types) == {f"{n}.csv" for n in snake_names(list(frames)).values()}
    assert not (tmp / "r" / "codings.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed (Debian r-base-core); "
                                                           "the files were checked with pyarrow instead")
def test_r_load_script_runs_in_r(outputs):
    tmp, frames = outputs
    script = ('source("load.R"); stopifnot(is.integer(nb$codings$start), inherits(nb$codings$coded_at, "POSIXct"), '
              f'is.factor(nb$codings$code_path), nrow(nb$segments) == {len(frames["Segments"])}); cat("ok")')
    out = subprocess.run(["Rscript", "-e", script], cwd=tmp / "r", capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.endswith("ok"), out.stderr


@pytest.mark.parametrize("args, made", [
    (["-o", "{d}/p.sqlite"], ["p.sqlite", "p.metadata.json"]),
    (["-o", "{d}/pq", "--to", "parquet"], ["pq/codings.parquet", "pq/co_occurrence_long.parquet"]),
    (["-o", "{d}/seg.sav"], ["seg.sav"]),
    (["-o", "{d}/rr", "--to", "r"], ["rr/load.R", "rr/segments.csv"]),
    (["-o", "{d}/c", "--to", "csv", "--matrices"], ["c/Co-occurrence.csv", "c/Segments.csv"]),
])
def test_cli_convert_writes_each_format(tmp_path, args, made):
    result = CliRunner().invoke(main, ["convert", str(SAMPLE)] + [a.format(d=tmp_path) for a in args])
    assert result.exit_code == 0, result.output
    for m in made:
        assert (tmp_path / m).exists()
    again = CliRunner().invoke(main, ["convert", str(SAMPLE)] + [a.format(d=tmp_path) for a in args])
    assert again.exit_code == 1 and "--force" in again.output


def test_sqlite_refuses_existing_metadata_without_force(tmp_path):
    (tmp_path / "p.metadata.json").write_text("{}")
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), "-o", str(tmp_path / "p.sqlite")])
    assert result.exit_code == 1 and "metadata" in result.output and not (tmp_path / "p.sqlite").exists()
    ok = CliRunner().invoke(main, ["convert", str(SAMPLE), "-o", str(tmp_path / "p.sqlite"), "--force"])
    assert ok.exit_code == 0 and json.loads((tmp_path / "p.metadata.json").read_text())["databases"]


@pytest.mark.parametrize("args, package, extra", [
    (["--to", "parquet", "-o", "{d}/pq"], "pyarrow", "parquet"),
    (["-o", "{d}/s.sav"], "pyreadstat", "spss"),
])
def test_missing_extra_is_a_clear_error(tmp_path, monkeypatch, args, package, extra):
    for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, package, None)   # import now raises ImportError
    result = CliRunner().invoke(main, ["convert", str(SAMPLE)] + [a.format(d=tmp_path) for a in args])
    assert result.exit_code == 1, result.output
    assert f'pip install "nvivo-bridge[{extra}]"' in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("fmt, out", [("sqlite", "kp-widyaiswara.sqlite"), ("parquet", "kp-widyaiswara_parquet"),
                                      ("sav", "kp-widyaiswara.sav"), ("r", "kp-widyaiswara_r")])
def test_batch_writes_each_analysis_format(tmp_path, fmt, out):
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "-o", str(tmp_path / "out"), "--to", fmt,
                                       "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / out).exists()


def test_sqlite_case_attribute_named_id(tmp_path):
    """Regression: codings got an ``id`` primary key beside a case attribute column ``id``
    (SQLite names ignore case), so CREATE TABLE failed."""
    project = analysis_project()
    next(v for v in project.variables.values() if v.name == "Group").name = "ID"
    nvivo_bridge.write(project, tmp_path / "p.sqlite")
    con = sqlite3.connect(tmp_path / "p.sqlite")
    cols = [r[1] for r in con.execute("PRAGMA table_info(codings)")]
    assert cols[0] == "row_id" and "ID" in cols
    assert con.execute("SELECT COUNT(*) FROM segments").fetchone() == (8,)
    assert con.execute("SELECT COUNT(*) FROM codings_fts WHERE codings_fts MATCH 'abcdefghij'").fetchone() == (4,)
    meta = json.loads((tmp_path / "p.metadata.json").read_text(encoding="utf-8"))
    assert meta["databases"]["p"]["tables"]["codings"]["fts_pk"] == "row_id"
    con.close()
    assert len(nvivo_bridge.read(tmp_path / "p.sqlite").sources["50000000-0000-4000-8000-000000000001"].selections) == 5


def test_sqlite_matrix_wider_than_sqlite_allows_is_written_long(tmp_path):
    """Regression (found at L, 2,000 sources): Code x Source had 2,001 columns, one more than
    SQLite's limit, and the whole database failed."""
    from nvivo_bridge.model import Coding, Selection, Source

    project = analysis_project()
    x = next(g for g, c in project.codes.items() if c.name == "X")
    for k in range(2000):
        src = Source(f"5a000000-0000-4000-8000-{k:012d}", f"S{k}", text="some text")
        src.selections = [Selection(f"5b000000-0000-4000-8000-{k:012d}", start=0, end=4,
                                    codings=[Coding(f"5c000000-0000-4000-8000-{k:012d}", x)])]
        project.sources[src.guid] = src
    diag = nvivo_bridge.Diagnostics()
    nvivo_bridge.write(project, tmp_path / "p.sqlite", diag=diag)
    assert any(i.code == "sqlite-long-table" and "Code x Source" in i.message for i in diag.finish())
    con = sqlite3.connect(tmp_path / "p.sqlite")
    assert [r[1] for r in con.execute("PRAGMA table_info(code_x_source)")] == ["code_path", "column", "value"]
    wide = nvivo_bridge.tables(project, extra="matrices")["Code x Source"].set_index("code_path")
    for path, column, value in con.execute("SELECT * FROM code_x_source WHERE value > 0"):
        assert wide.loc[path, column] == value
    total = con.execute("SELECT SUM(value) FROM code_x_source").fetchone()[0]
    assert total == int(wide.to_numpy().sum()) == 2008
    assert con.execute("SELECT COUNT(*) FROM code_x_source").fetchone()[0] == int((wide.to_numpy() > 0).sum())
    assert con.execute("SELECT COUNT(*) FROM code_source_long").fetchone()[0] == int((wide.to_numpy() > 0).sum())
    con.close()


def test_tables_use_python_string_storage_even_with_pyarrow_installed():
    """pandas 3 would keep text in Arrow when pyarrow is installed (the parquet extra): more
    memory, retained by Arrow's allocator in a long process. The tables keep Python storage."""
    frames = nvivo_bridge.tables(analysis_project(), extra="matrices")
    assert frames["Codings"]["code_path"].dtype.storage == "python"
    assert frames["Co-occurrence long"]["code_a"].dtype.storage == "python"
    assert pd.Series(["x"], dtype="str").dtype.storage == "pyarrow"   # pandas' own default is left as it was
