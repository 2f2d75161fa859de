"""CIPP outputs: workbook (sheets, native chart, --lang id), figures, HTML report, CLI exit codes."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

import nvivo_bridge as nb
from nvivo_bridge.cipp import build, write_figures, write_report, write_workbook
from nvivo_bridge.cli import main
from samples.kp_widyaiswara import build_project

EN_SHEETS = ["Metadata", "CIPP Overview", "Synthesis", "Code Detail", "Matrix Peran", "Quotations", "Unmapped",
             "Empty Codes", "Warnings", "Metaevaluation", "Coders", "Agreement"]
ID_SHEETS = ["Metadata", "Ringkasan CIPP", "Sintesis", "Detail Kode", "Matriks Peran", "Kutipan", "Tidak Terpetakan",
             "Kode Kosong", "Peringatan", "Metaevaluasi", "Koder", "Kesepakatan"]


@pytest.fixture(scope="module")
def project_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("cipp") / "kp.json"
    nb.write(build_project(), path)
    return path


def test_workbook_sheets_and_native_chart(tmp_path):
    out = tmp_path / "s.xlsx"
    write_workbook(build(build_project()), out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == EN_SHEETS
    ws = wb["CIPP Overview"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("Component key", "Component", "Codes", "Codes with references", "References")
    assert [r[4] for r in rows[1:7]] == [15, 9, 14, 10, 2, 49]
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert re.search(r"<(c:)?barChart>", xml) and "'CIPP Overview'!$E$2:$E$6" in xml
    m = list(wb["Matrix Peran"].iter_rows(values_only=True))
    assert m[1][0] == "Row" and 2 in m[0] and 3 in m[0]  # header row: cases per value


def test_lang_id_sheet_names_and_labels(tmp_path):
    out = tmp_path / "id.xlsx"
    res = build(build_project(), lang="id")
    write_workbook(res, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ID_SHEETS
    labels = [r[1] for r in wb["Ringkasan CIPP"].iter_rows(min_row=2, max_row=7, values_only=True)]
    assert labels == ["Konteks", "Masukan", "Proses", "Produk", "Lainnya", "Total"]
    assert "(tanpa kasus)" not in str(res.frame("quotations")["case"].tolist())
    assert set(res.frame("quotations").query("case == 'I6'")["Jenjang"]) == {"(kosong)"}


@pytest.mark.parametrize("description, shown", [
    ("=HYPERLINK(\"x\")\x07", "=HYPERLINK(\"x\")"),
    ("#N/A", "#N/A"),  # regression: it was written as an Excel error value, not as text
], ids=["formula-like", "error-code"])
def test_formula_like_text_stays_text(tmp_path, description, shown):
    p = build_project()
    code = next(iter(p.codes.values()))
    code.description = description
    out = tmp_path / "f.xlsx"
    write_workbook(build(p), out)
    cell = openpyxl.load_workbook(out)["Code Detail"]["G2"]
    assert cell.value == shown and cell.data_type == "s"


def test_quotations_keep_the_exact_excerpt_text(tmp_path):
    """The sample's transcripts use CRLF: every quotation reads back (openpyxl, as pandas
    does) with exactly the characters of the summary, carriage returns included."""
    p = build_project()
    src = next(s for s in p.sources.values() if s.selections)
    src.selections[0].start, src.selections[0].end = 0, len(src.text)   # a quotation over line breaks
    res = build(p)
    out = tmp_path / "q.xlsx"
    write_workbook(res, out)
    rows = list(openpyxl.load_workbook(out, read_only=True)["Quotations"].iter_rows(values_only=True))
    texts = [r[rows[0].index("Quotation text")] for r in rows[1:]]
    want = res.frame("quotations")["text"].tolist()
    assert texts == want and any("\r\n" in t for t in want)


def test_figures_png_and_svg(tmp_path):
    written = write_figures(build(build_project()), tmp_path)
    names = sorted(p.name for p in written)
    for fid in ("F1", "F2", "F3", "F4"):
        assert any(n.startswith(fid) and n.endswith(".png") for n in names)
        assert any(n.startswith(fid) and n.endswith(".svg") for n in names)
    for p in written:
        head = p.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if p.suffix == ".png" else b"<svg" in p.read_bytes()[:2000]


def test_report_is_self_contained(tmp_path):
    out = tmp_path / "r.html"
    write_report(build(build_project(), lang="id"), out)
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"https?:", html)
    assert not re.search(r"<(script|link)\b", html)
    assert html.count("data:image/png;base64,") >= 4
    for word in ("Konteks", "Masukan", "Proses", "Produk", "@media print", "Kutipan representatif"):
        assert word in html
    assert "Saya butuh teman diskusi" in html or "Sebagai Ahli Muda" in html


def test_cli_full_run(tmp_path, project_json):
    out, figs, rep = tmp_path / "o.xlsx", tmp_path / "figs", tmp_path / "r.html"
    r = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out), "--figures", str(figs),
                                  "--report", str(rep), "--group-by", "Peran", "--lang", "id"])
    assert r.exit_code == 0, r.output
    assert "Temuan Lain (Other findings)/Motivasi pribadi" in r.output  # unmapped codes warned with paths
    assert out.is_file() and rep.is_file() and len(list(figs.glob("*.svg"))) == 4
    r2 = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out)])
    assert r2.exit_code == 1 and "--force" in r2.output
    r3 = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out), "--force", "--no-coder-dedupe"])
    assert r3.exit_code == 0
    ov = list(openpyxl.load_workbook(out)["CIPP Overview"].iter_rows(min_row=5, max_row=5, values_only=True))
    assert ov[0][0] == "product" and ov[0][4] == 11


def test_cli_unmapped_error(tmp_path, project_json):
    out = tmp_path / "e.xlsx"
    r = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out), "--unmapped", "error"])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Temuan Lain (Other findings)/Motivasi pribadi" in lines[0]
    assert not out.exists()


def test_cli_bad_mapping_exit_2(tmp_path, project_json):
    m = tmp_path / "m.yaml"
    m.write_text("rules:\n  - {path: 'Proses (Process)/Hambatan waktu', component: process}\n", encoding="utf-8")
    out = tmp_path / "b.xlsx"
    r = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out), "--map", str(m)])
    assert r.exit_code == 2
    assert "'Proses (Process)/Hambatan waktu'" in r.output
    assert "Proses (Process)/Partisipasi anggota/Hambatan waktu" in r.output
    assert not out.exists()


def test_cli_map_rule_variant_and_unknown_coder(tmp_path, project_json):
    m = tmp_path / "m.csv"
    m.write_text("code_path,component\nTemuan Lain (Other findings)/Motivasi pribadi,process\n", encoding="utf-8")
    out = tmp_path / "v.xlsx"
    r = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(out), "--map", str(m)])
    assert r.exit_code == 0, r.output
    rows = {row[0]: row for row in openpyxl.load_workbook(out)["CIPP Overview"].iter_rows(values_only=True)}
    assert rows["process"][4] == 16 and rows["process"][7] == 5 and "other" not in rows
    r2 = CliRunner().invoke(main, ["cipp", str(project_json), "-o", str(tmp_path / "c.xlsx"), "--coder", "R9"])
    assert r2.exit_code == 2 and "R1, R2" in r2.output


def test_convert_to_cipp_uses_the_writer(tmp_path, project_json):
    out = tmp_path / "conv.xlsx"
    r = CliRunner().invoke(main, ["convert", str(project_json), "-o", str(out), "--to", "cipp"])
    assert r.exit_code == 0, r.output
    assert "CIPP Overview" in openpyxl.load_workbook(out).sheetnames


def test_missing_output_folder_is_one_clean_line(tmp_path):
    """Regression: the workbook used to be laid out before the folder check, and the abandoned
    write-only workbook printed lxml tracebacks ("Exception ignored") after the error."""
    import subprocess
    import sys
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
    out = tmp_path / "missing" / "cipp.xlsx"
    proc = subprocess.run([sys.executable, "-m", "nvivo_bridge", "cipp", str(sample), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "output folder does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_over_long_cells_are_cut_as_excel_counts(tmp_path):
    """Regression: a quotation was cut at 32,000 code points, so an emoji-heavy one stayed
    longer than Excel's 32,767 UTF-16 units; other long cells (a code description) were cut
    silently by openpyxl.  Both now fit, and say so."""
    p = build_project()
    src = next(s for s in p.sources.values() if s.selections)
    sel = src.selections[0]
    src.text = src.text + "😀" * 20_000
    sel.end = len(src.text)
    code = next(iter(p.codes.values()))
    code.description = "x" * 40_000
    res = build(p)
    out = tmp_path / "long.xlsx"
    write_workbook(res, out)
    wb = openpyxl.load_workbook(out, read_only=True)

    def units(text):
        return len(text.encode("utf-16-le")) // 2

    q = list(wb["Quotations"].iter_rows(values_only=True))
    texts = [r[q[0].index("Quotation text")] for r in q[1:]]
    long_quote = next(t for t in texts if "😀" in t)
    assert units(long_quote) <= 32_000 and long_quote.endswith("😀\u2026")
    d = list(wb["Code Detail"].iter_rows(values_only=True))
    desc = next(r[d[0].index("Description")] for r in d[1:] if r[d[0].index("Description")])
    assert units(desc) <= 32_767 and desc.startswith("x" * 32_000) and desc.endswith("an Excel cell holds 32,767]")
