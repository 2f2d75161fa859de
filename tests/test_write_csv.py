"""The CSV folder: one file per table, BOM, encodings, the apostrophe rule, equality with the
tables and with the workbook."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvivo_bridge
from nvivo_bridge.cli import main
from nvivo_bridge.errors import Diagnostics, UsageError
from nvivo_bridge.model import Code, Coding, Project, Selection, Source
from nvivo_bridge.sheets import TABLE_ORDER
from nvivo_bridge.writers._cells import ILLEGAL_CHARS

from projects import g


def _rows(path, encoding="utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def _field(value) -> str:
    """How the CSV writer spells one DataFrame value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    return str(value)


def test_one_file_per_table_with_bom(rich_project, tmp_path):
    out = tmp_path / "csv"
    counts = nvivo_bridge.write(rich_project, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in TABLE_ORDER)
    assert (out / "Codings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert counts["codings"] == 12
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_csv_equals_the_dataframes(rich_project, tmp_path):
    out = tmp_path / "csv"
    nvivo_bridge.write(rich_project, out)
    frames = nvivo_bridge.tables(rich_project)
    for name, df in frames.items():
        rows = _rows(out / f"{name}.csv")
        assert rows[0] == list(df.columns), name
        want = [[_field(v) for v in r] for r in df.astype(object).itertuples(index=False)]
        got = rows[1:]
        if name == "Project":  # converted_at differs between the two builds
            got, want = got[:-1], want[:-1]
        assert got == want, name


def test_csv_equals_the_workbook(rich_project, tmp_path):
    nvivo_bridge.write(rich_project, tmp_path / "csv")
    nvivo_bridge.write(rich_project, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    for name in TABLE_ORDER[1:]:
        sheet = [["" if v is None else _field(pd.Timestamp(v) if hasattr(v, "year") else v) for v in r]
                 for r in wb[name].iter_rows(values_only=True)]
        assert sheet == _rows(tmp_path / "csv" / f"{name}.csv"), name


def test_read_back_with_pandas_keeps_non_ascii(rich_project, tmp_path):
    nvivo_bridge.write(rich_project, tmp_path / "csv")
    df = pd.read_csv(tmp_path / "csv" / "Codings.csv", encoding="utf-8-sig")
    assert "Kami butuh pelatihan yang sesuai — bukan sekadar seremonial 😀." in set(df["text"])
    assert df["start"].dropna().astype(int).tolist()[:2] == [50, 124]


def test_apostrophe_rule_and_raw_csv(small_project, tmp_path):
    p = small_project
    texts = ["=1+2", "+62 812", "-", "@home", "plain"]
    for code, text in zip(p.codes.values(), texts):
        code.description = text
    nvivo_bridge.write(p, tmp_path / "safe")
    nvivo_bridge.write(p, tmp_path / "raw", raw_csv=True)
    safe = [r[5] for r in _rows(tmp_path / "safe" / "Codes.csv")[1:6]]
    raw = [r[5] for r in _rows(tmp_path / "raw" / "Codes.csv")[1:6]]
    assert safe == ["'=1+2", "'+62 812", "'-", "'@home", "plain"]
    assert raw == texts
    levels = [r[3] for r in _rows(tmp_path / "safe" / "Codes.csv")[1:]]
    assert all(not v.startswith("'") for v in levels)  # numbers are never prefixed


def test_long_text_is_kept_whole(small_project, tmp_path):
    p = small_project
    p.codes[g("c", 1)].description = "x" * 50_000
    diag = Diagnostics()
    nvivo_bridge.write(p, tmp_path / "csv", diag=diag)
    assert _rows(tmp_path / "csv" / "Codes.csv")[1][5] == "x" * 50_000
    assert diag.count("cell-cut") == 0


def test_encoding_option_and_lossy_encoding_warns(small_project, tmp_path):
    diag = Diagnostics()
    nvivo_bridge.write(small_project, tmp_path / "cp", encoding="cp1252", diag=diag)
    data = (tmp_path / "cp" / "Codings.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "—".encode("cp1252") in data and "?" in data.decode("cp1252")  # emoji replaced
    # One warning per table that held the emoji: the excerpt in Codings, the full text in Source Texts.
    assert diag.count("encoding-replaced") == 2
    assert {i.location for i in diag.issues if i.code == "encoding-replaced"} == {"Codings.csv", "Source Texts.csv"}
    assert "encoding-replaced" in (tmp_path / "cp" / "Warnings.csv").read_text("cp1252")
    with pytest.raises(UsageError):
        nvivo_bridge.write(small_project, tmp_path / "bad", encoding="no-such-codec")
    assert not (tmp_path / "bad").exists()


def test_empty_project_writes_headers_only(tmp_path):
    nvivo_bridge.write(Project(name="empty"), tmp_path / "csv")
    rows = _rows(tmp_path / "csv" / "Codings.csv")
    assert len(rows) == 1 and rows[0][:3] == ["source", "code_path", "text"]


def test_progress_callback(small_project, tmp_path):
    calls = []
    nvivo_bridge.write(small_project, tmp_path / "csv", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] > 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
       st.sampled_from(["=", "+", "-", "@", "", "\x07"]))
def test_any_text_survives_csv(tmp_path, text, prefix):
    value = prefix + text
    code = Code(g("c", 1), "K", description=value)
    src = Source(g("50", 1), "S", text=value, selections=[
        Selection(g("5e", 1), start=0, end=len(value), codings=[Coding(g("c1", 1), code.guid)])])
    p = Project(codes={code.guid: code}, sources={src.guid: src})
    out = tmp_path / f"c{abs(hash(value))}"
    nvivo_bridge.write(p, out)
    clean = ILLEGAL_CHARS.sub("", value)
    want = "'" + clean if clean[:1] in ("=", "+", "-", "@") else clean
    assert _rows(out / "Codes.csv")[1][5] == want
    assert _rows(out / "Codings.csv")[1][2] == want  # the text column


def test_cli_csv_folder(tmp_path):
    from projects import small_project

    src = tmp_path / "p.json"
    nvivo_bridge.write(small_project(), src)
    runner = CliRunner()
    res = runner.invoke(main, ["convert", str(src), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "Code x Case.csv").exists()
    res = runner.invoke(main, ["convert", str(src), "-o", str(tmp_path / "o2"), "--to", "csv", "--encoding", "utf-8",
                               "--raw-csv", "-q"])
    assert res.exit_code == 0 and not (tmp_path / "o2" / "Codes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    res = runner.invoke(main, ["convert", str(src), "-o", str(tmp_path / "o3"), "--to", "csv", "--encoding", "nope"])
    assert res.exit_code == 2 and "unknown encoding" in res.output
    sheet = io.StringIO((tmp_path / "out" / "Codings.csv").read_text("utf-8-sig"))
    assert len(list(csv.reader(sheet))) == 7


def test_control_character_hiding_a_formula(small_project, tmp_path):
    small_project.codes[g("c", 1)].description = "\x02=1+1"
    nvivo_bridge.write(small_project, tmp_path / "csv")
    nvivo_bridge.write(small_project, tmp_path / "p.xlsx")
    assert _rows(tmp_path / "csv" / "Codes.csv")[1][5] == "'=1+1"
    cell = openpyxl.load_workbook(tmp_path / "p.xlsx")["Codes"].cell(2, 6)
    assert cell.value == "=1+1" and cell.data_type == "s"
