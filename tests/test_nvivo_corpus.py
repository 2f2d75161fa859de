"""Every real NVivo export in ../shared/corpus/nvivo-exports is read; counts are checked against
counts taken from the raw files with simple, independent patterns."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from conftest import CORPUS, needs_corpus
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.options import ReadOptions
from nvivo_bridge.readers.nvivo import read

pytestmark = [needs_corpus, pytest.mark.corpus]
EXPORTS = CORPUS / "nvivo-exports"
MAC = EXPORTS / "nireland_nlp_nvivo12mac"
WIN = EXPORTS / "ist_appendix_nvivo_win"
NODE_TXT = ["nireland_nlp_nvivo12mac/J_Intelligence.txt", "nireland_nlp_nvivo12mac/J_Intl-Domestic_Precedent.txt",
            "nireland_nlp_nvivo12mac/dates_1965-02.txt", "ist_appendix_nvivo_win/low_nfr.txt",
            "ist_appendix_nvivo_win/high_system.txt"]


def _raw_text(path: Path) -> str:
    data = path.read_bytes()
    return data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")


def _read(path: Path):
    diag = Diagnostics()
    return read(path, diag, ReadOptions()), diag


def test_every_corpus_file_is_recognised():
    files = [p for p in EXPORTS.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for f in files:
        project, _ = _read(f)
        assert project.counts()["codes"] or project.tables, f


@pytest.mark.parametrize("rel", NODE_TXT)
def test_node_export_counts_match_raw_file(rel):
    path = EXPORTS / rel
    raw = _raw_text(path)
    headers = re.findall(r"(?m)^References? (\d+)(?:-(\d+))? - [\d.,]+% Coverage\r?$", raw)
    declared = [int(n) for n in re.findall(r" - § (\d+) references? coded", raw)]
    project, diag = _read(path)
    counts = project.counts()
    assert counts["selections"] == len(headers)
    assert counts["codings"] == sum(declared) == sum(int(b or a) - int(a) + 1 for a, b in headers)
    assert counts["sources"] == len(declared)
    assert not diag.warnings


def test_decimal_comma_and_nbsp_kept_in_windows_export():
    project, _ = _read(WIN / "low_nfr.txt")
    sels = [s for _, s in project.iter_selections()]
    assert sels[0].extras["nvivo:coverage"] == pytest.approx(0.09)
    assert sels[0].text.endswith("e2e-deploy\u00a0")
    cost = next(s for s in project.sources.values() if s.name == "Cost_Management")
    assert cost.extras["nvivo:folder"] == "Files"
    assert sum(cost.extras["nvivo:coverage"].values()) == pytest.approx(0.85)


def test_pdf_regions_in_mac_export():
    raw = _raw_text(MAC / "J_Intelligence.txt")
    regions = re.findall(r"(?m)^Page \d+ : \(\d+,\d+\) - \(\d+,\d+\)$", raw)
    project, _ = _read(MAC / "J_Intelligence.txt")
    pdf = [s for _, s in project.iter_selections() if s.kind == "pdf"]
    assert len(pdf) == len(regions) and regions
    assert (pdf[0].page, pdf[0].first_x, pdf[0].first_y, pdf[0].second_x, pdf[0].second_y) == (1, 100, 58, 473, 108)


@pytest.mark.parametrize("stem", ["J_Intelligence", "J_Intl-Domestic_Precedent"])
def test_docx_and_txt_exports_agree(stem):
    txt, _ = _read(MAC / f"{stem}.txt")
    docx, _ = _read(MAC / f"{stem}.docx")
    flat = lambda p: [(src.name, sel.kind, sel.text, sel.page) for src, sel in p.iter_selections()]  # noqa: E731
    assert flat(txt) == flat(docx)


def test_codebook_csv_rows_descriptions_and_counts():
    path = next(MAC.glob("Codebook*.csv"))
    raw = _raw_text(path)
    records = re.findall(r"(?m)^Nodes\t", raw)
    project, diag = _read(path)
    assert len(project.codes) == len(records)
    assert not diag.warnings
    code = project.code_by_path("Round1_Archive_codes/D.Repeat")
    assert code.description == "Created 01 July 2019\nModified 12 July 2019"
    assert (code.extras["nvivo:files"], code.extras["nvivo:references"]) == (210, 420)
    intel = project.code_by_path("Internment_Justifications/J_Intelligence")
    assert (intel.extras["nvivo:files"], intel.extras["nvivo:references"]) == (24, 31)


def test_list_view_rows_and_depths():
    raw = (MAC / "Nodes.txt").read_text("utf-8").splitlines()[1:]
    project, _ = _read(MAC / "Nodes.txt")
    assert len(project.codes) == len([r for r in raw if r.strip()])
    depth = {len(p.split("/")) for p in project.code_paths().values()}
    indents = {(len(r) - len(r.lstrip(" "))) // 2 + 1 for r in raw if r.strip()}
    assert depth == indents


def test_group_query_rows():
    path = next(WIN.glob("*.xlsx"))
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    ranges = sum(1 for r in ws.iter_rows(values_only=True)
                 if not r[1] and r[2] and r[2] != "Range Item")
    project, _ = _read(path)
    (table,) = project.tables.values()
    assert table.kind == "group-query" and len(table.rows) == ranges


def test_corpus_folder_joins_with_codebook_counts():
    project, diag = _read(MAC)
    intel = project.code_by_path("Internment_Justifications/J_Intelligence")
    codings = [c for _, _, c in project.iter_codings() if c.code == intel.guid]
    assert len(codings) == intel.extras["nvivo:references"]
    coded_sources = {src.guid for src, _, c in project.iter_codings() if c.code == intel.guid}
    assert len(coded_sources) == intel.extras["nvivo:files"]
    assert [i.code for i in diag.finish()].count("duplicate-export") == 2  # .txt and .docx of one node
