"""The codebook commands end to end (CliRunner, exact exit codes) and the corpus codebooks."""
from __future__ import annotations

import importlib.util

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import CORPUS, needs_corpus
from projects import g, small_project

from nvivo_bridge import api
from nvivo_bridge.cli import main
from nvivo_bridge.codebook import extract_codebook, read_codebook_sheet, write_codebook_xlsx
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Code

HAS_QDC_WRITER = importlib.util.find_spec("nvivo_bridge.writers.qdc") is not None
needs_qdc_writer = pytest.mark.skipif(not HAS_QDC_WRITER, reason="the .qdc writer is not there yet")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def project_json(tmp_path):
    path = tmp_path / "p.json"
    api.write(small_project(), path)
    return path


def test_codebook_to_xlsx_and_back(tmp_path, project_json):
    xlsx = tmp_path / "cb.xlsx"
    res = run("codebook", project_json, "-o", xlsx)
    assert res.exit_code == 0, res.output
    assert "codes 8, sets 1" in res.stderr
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Codebook"]
    ws.cell(3, 2, "Training needs")
    wb.save(xlsx)
    out = tmp_path / "cb.json"
    res = run("codebook", xlsx, "-o", out)
    assert res.exit_code == 0, res.output
    book = api.read(out)
    assert book.kind == "codebook" and book.code_paths()[g("c", 2)] == "Konteks (Context)/Training needs"


def test_codebook_exit_codes(tmp_path, project_json):
    xlsx = tmp_path / "cb.xlsx"
    assert run("codebook", tmp_path / "missing.qdpx", "-o", xlsx).exit_code == 4
    assert run("codebook", project_json, "-o", xlsx).exit_code == 0
    res = run("codebook", project_json, "-o", xlsx)
    assert res.exit_code == 1 and "--force" in res.stderr
    assert run("codebook", project_json, "-o", xlsx, "--force").exit_code == 0
    assert run("codebook", project_json, "-o", tmp_path / "cb.docx").exit_code == 2
    assert run("codebook", xlsx, "-o", xlsx, "--force").exit_code == 1      # never overwrite the input
    wb = openpyxl.load_workbook(xlsx)
    wb["Codebook"].cell(2, 4, "purple")
    wb["Codebook"].cell(3, 5, "maybe")
    wb.save(xlsx)
    out = tmp_path / "x.json"
    res = run("codebook", xlsx, "-o", out)
    assert res.exit_code == 2
    assert "row 2: bad colour" in res.stderr and "row 3: bad codable" in res.stderr
    assert "Traceback" not in res.output and not out.exists()


def test_merge_codebooks_writes_conflicts(tmp_path):
    a = extract_codebook(small_project())
    a.source_file = "a"
    b = extract_codebook(small_project())
    b.codes[g("c", 1)].color = "#000000"
    b.codes[g("c", 99)] = Code(g("c", 99), "Extra")
    write_codebook_xlsx(a, tmp_path / "a.xlsx")
    write_codebook_xlsx(b, tmp_path / "b.xlsx")
    out = tmp_path / "merged.xlsx"
    res = run("merge-codebooks", tmp_path / "a.xlsx", tmp_path / "b.xlsx", "-o", out)
    assert res.exit_code == 0, res.output
    assert "conflicts 1" in res.stderr and "#000000" in res.stderr
    merged = read_codebook_sheet(out, Diagnostics())
    assert len(merged.codes) == 9
    table = openpyxl.load_workbook(tmp_path / "merged-conflicts.xlsx")["Conflicts"]
    assert [c.value for c in table[2]][:5] == ["Konteks (Context)", "color", "#1F77B4", "a.xlsx", "#000000"]
    res = run("merge-codebooks", tmp_path / "a.xlsx", tmp_path / "b.xlsx", "-o", out, "--force",
              "--conflicts", tmp_path / "c.csv")
    assert res.exit_code == 0 and (tmp_path / "c.csv").read_text(encoding="utf-8-sig").count("\n") == 2
    assert run("merge-codebooks", tmp_path / "a.xlsx", tmp_path / "nope.qdc", "-o", tmp_path / "m2.xlsx").exit_code == 4


def test_apply_codebook_command(tmp_path, project_json):
    xlsx = tmp_path / "cb.xlsx"
    assert run("codebook", project_json, "-o", xlsx).exit_code == 0
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Codebook"]
    rows = {ws.cell(r, 6).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows[g("c", 4)], 1, "Proses (Process)/Anggaran")   # move
    ws.delete_rows(rows[g("c", 8)])                               # delete a used code
    wb.save(xlsx)
    out = tmp_path / "p2.json"
    report = tmp_path / "changes.csv"
    res = run("apply-codebook", project_json, xlsx, "-o", out, "--report", report)
    assert res.exit_code == 0, res.output
    assert "moved 1" in res.stderr and "kept-missing 1" in res.stderr
    assert "still used" in res.stderr and "Hambatan waktu (2 coding(s))" in res.stderr
    p2 = api.read(out)
    assert p2.code_paths()[g("c", 4)] == "Proses (Process)/Anggaran" and g("c", 8) in p2.codes
    assert "kept-missing" in report.read_text(encoding="utf-8-sig")
    out3 = tmp_path / "p3.json"
    assert run("apply-codebook", project_json, xlsx, "-o", out3, "--drop-unused", "-q").exit_code == 0
    p3 = api.read(out3)
    assert g("c", 8) not in p3.codes and p3.counts()["codings"] == small_project().counts()["codings"] - 2
    assert run("apply-codebook", project_json, xlsx, "-o", out3).exit_code == 1
    assert run("apply-codebook", tmp_path / "none.json", xlsx, "-o", tmp_path / "p4.json").exit_code == 4


@needs_corpus
@pytest.mark.parametrize("name", ["requal-atlas23win-codebook.qdc", "taguette141-utotag.qdc"])
def test_corpus_codebooks_to_sheet_and_back(tmp_path, name):
    src = CORPUS / "refi" / name
    res = run("codebook", src, "-o", tmp_path / "cb.xlsx")
    assert res.exit_code == 0, res.output
    book = api.read(src)
    back = read_codebook_sheet(tmp_path / "cb.xlsx", Diagnostics())
    assert list(back.codes) == list(book.codes)
    assert [(c.name, c.color, c.description) for c in back.codes.values()] == \
           [(c.name, c.color, c.description) for c in book.codes.values()]
    assert [(s.guid, s.member_codes) for s in back.sets.values()] == [(s.guid, s.member_codes) for s in book.sets.values()]


@needs_corpus
@needs_qdc_writer
@pytest.mark.parametrize("name", ["requal-atlas23win-codebook.qdc", "taguette141-utotag.qdc",
                                  "maxqda24-icls-themes.qdpx", "qualcoding-nvivo-mac15.qdpx"])
def test_corpus_codebooks_write_valid_qdc(tmp_path, name):
    from pathlib import Path

    import xmlschema

    import nvivo_bridge

    xsd = Path(nvivo_bridge.__file__).parent / "data" / "Codebook-mrt2019.xsd"
    out = tmp_path / "cb.qdc"
    res = run("codebook", CORPUS / "refi" / name, "-o", out)
    assert res.exit_code == 0, res.output
    xmlschema.XMLSchema(str(xsd)).validate(str(out))
    text = out.read_text(encoding="utf-8")
    assert "urn:QDA-XML:codebook:1.0" in text and "<Sets/>" not in text
    original = extract_codebook(api.read(CORPUS / "refi" / name))
    again = api.read(out)
    assert list(again.codes) == list(original.codes)          # GUIDs kept
    assert again.code_paths() == original.code_paths()
    # And through the Excel round trip back to .qdc.
    assert run("codebook", out, "-o", tmp_path / "cb.xlsx").exit_code == 0
    assert run("codebook", tmp_path / "cb.xlsx", "-o", tmp_path / "cb2.qdc").exit_code == 0
    xmlschema.XMLSchema(str(xsd)).validate(str(tmp_path / "cb2.qdc"))
    assert api.read(tmp_path / "cb2.qdc").code_paths() == original.code_paths()
    if name.endswith(".qdc"):   # the GUIDs keep their spelling (upper case from ATLAS.ti and Taguette)
        import re

        spelled = re.findall(r'<Code [^>]*guid="([^"]+)"', (CORPUS / "refi" / name).read_text(encoding="utf-8"))
        assert spelled and all(s in (tmp_path / "cb2.qdc").read_text(encoding="utf-8") for s in spelled)


@needs_corpus
def test_nvivo_mac_codebook_export_to_sheet(tmp_path):
    src = next((CORPUS / "nvivo-exports" / "nireland_nlp_nvivo12mac").glob("Codebook*.csv"))
    res = run("codebook", src, "-o", tmp_path / "cb.xlsx")
    assert res.exit_code == 0, res.output
    expected = api.read(src)
    back = read_codebook_sheet(tmp_path / "cb.xlsx", Diagnostics())
    assert len(back.codes) == len(expected.codes) > 0
    assert sorted(back.code_paths().values()) == sorted(expected.code_paths().values())


@needs_qdc_writer
def test_target_reaches_the_qdc_writer(tmp_path, project_json):
    out = tmp_path / "cb.qdc"
    assert run("codebook", project_json, "-o", out, "--target", "atlasti").exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert g("c", 1).upper() in text and g("c", 1) not in text
    assert run("codebook", project_json, "-o", tmp_path / "cb").exit_code == 2   # no suffix: not a codebook file
