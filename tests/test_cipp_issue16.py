"""Issue 16 (CIPP part): crash-free reports, all-or-nothing outputs, readable headers, typed
attributes, Stufflebeam's synthesis and metaevaluation, the Word report."""
from __future__ import annotations

import os
import re
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

import nvivo_bridge as nb
from nvivo_bridge.cipp import build, draw_figures, write_all, write_docx, write_report
from nvivo_bridge.cli import main
from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source, Variable, VariableValue
from samples.kp_widyaiswara import build_project


def g(prefix: str, n: int) -> str:
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


def uncoded_project(with_codes: bool = True) -> Project:
    """Codes (or none), a source and a case, but not one coding: 5 of the 12 corpus inputs."""
    p = Project(name="Uncoded")
    if with_codes:
        p.codes = {g("c", 1): Code(g("c", 1), "Konteks"), g("c", 2): Code(g("c", 2), "Kebutuhan", parent=g("c", 1)),
                   g("c", 3): Code(g("c", 3), "Tema bebas")}
    p.sources = {g("5", 1): Source(g("5", 1), "Doc", kind="text", text="Tidak ada pengodean di sini.")}
    p.cases = {g("ca", 1): Case(g("ca", 1), "I1", source_refs=[g("5", 1)])}
    return p


def coded_project(attr_names=("Peran",), attr_type="Text", values=("Pengurus", "Anggota")) -> Project:
    """Two informants, two sources, codes under Proses incl. Kekuatan/Kelemahan, typed attributes."""
    p = Project(name="Coded")
    names = [(1, "Proses", None), (2, "Kekuatan", 1), (3, "Komitmen pimpinan", 2), (4, "Kelemahan", 1),
             (5, "Produk", None), (6, "Keterterapan", 5), (7, "Anggaran", None), (8, "Anggaran", 1)]
    p.codes = {g("c", n): Code(g("c", n), name, parent=g("c", par) if par else None) for n, name, par in names}
    text = "Pimpinan sangat mendukung. Waktu terbatas. Bisa diterapkan di balai lain. Dana kurang."
    spans = [("Pimpinan sangat mendukung.", 3), ("Waktu terbatas.", 4), ("Bisa diterapkan di balai lain.", 6),
             ("Dana kurang.", 8)]
    for s in (1, 2):
        src = Source(g("5", s), f"Wawancara_{s}", kind="text", text=text)
        for k, (frag, code) in enumerate(spans, start=1):
            start = text.index(frag)
            src.selections.append(Selection(g("5e", s * 10 + k), "text", start, start + len(frag),
                                            codings=[Coding(g("c1", s * 10 + k), g("c", code))]))
        p.sources[src.guid] = src
    for i, name in enumerate(attr_names, start=1):
        p.variables[g("7a", i)] = Variable(g("7a", i), name, attr_type)
    for s, val in zip((1, 2), values):
        vv = [VariableValue(g("7a", i), val, attr_type) for i in range(1, len(attr_names) + 1)]
        p.cases[g("ca", s)] = Case(g("ca", s), f"I{s}", variable_values=vv, source_refs=[g("5", s)])
    return p


@pytest.fixture
def uncoded_json(tmp_path):
    path = tmp_path / "uncoded.json"
    nb.write(uncoded_project(), path)
    return path


@pytest.fixture(scope="module")
def sample_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("s") / "kp.json"
    nb.write(build_project(), path)
    return path


# --- bugs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("with_codes", [True, False], ids=["codes-no-codings", "no-codes"])
def test_report_on_a_project_without_codings(tmp_path, with_codes):
    """Regression: AttributeError (.str accessor) / KeyError 'level' on projects without codings."""
    res = build(uncoded_project(with_codes))
    out = write_all(res, tmp_path / "u.xlsx", figures=tmp_path / "fig", report=tmp_path / "u.html",
                    docx=tmp_path / "u.docx")
    assert out["report"].is_file() and out["docx"].is_file() and (tmp_path / "fig").is_dir()
    html = (tmp_path / "u.html").read_text(encoding="utf-8")
    assert "no codings" in html


def test_no_codings_figures_say_so_instead_of_empty_axes():
    from nvivo_bridge.cipp.figures import render

    figs = render(build(uncoded_project()))
    for key in ("F1", "F2", "F4"):
        fig = figs[key]
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert "no codings" in texts, key
        assert not any(ax.axison for ax in fig.axes), key


def test_cli_report_on_uncoded_project(tmp_path, uncoded_json):
    r = CliRunner().invoke(main, ["cipp", str(uncoded_json), "-o", str(tmp_path / "u.xlsx"),
                                  "--report", str(tmp_path / "u.html"), "--docx", str(tmp_path / "u.docx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "u.html").is_file() and (tmp_path / "u.docx").is_file()


@pytest.mark.parametrize("bad", ["report-folder-missing", "docx-folder-missing", "figures-is-file",
                                 "report-is-folder", "same-path", "figures-hold-workbook"])
def test_unwritable_extra_output_leaves_nothing(tmp_path, sample_json, bad):
    """Regression: the workbook was written before --report/--figures were found unwritable."""
    out = tmp_path / "o.xlsx"
    args = ["cipp", str(sample_json), "-o", str(out)]
    if bad == "report-folder-missing":
        args += ["--report", str(tmp_path / "nope" / "r.html")]
    elif bad == "docx-folder-missing":
        args += ["--docx", str(tmp_path / "nope" / "r.docx"), "--report", str(tmp_path / "r.html")]
    elif bad == "figures-is-file":
        (tmp_path / "figs").write_text("x")
        args += ["--figures", str(tmp_path / "figs"), "--force"]
    elif bad == "report-is-folder":
        (tmp_path / "r.html").mkdir()
        args += ["--report", str(tmp_path / "r.html"), "--force"]
    elif bad == "same-path":
        args += ["--report", str(tmp_path / "r.docx"), "--docx", str(tmp_path / "r.docx")]
    else:
        args = ["cipp", str(sample_json), "-o", str(tmp_path / "figs" / "o.xlsx"), "--figures", str(tmp_path / "figs"),
                "--force"]
        (tmp_path / "figs").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_failure_while_writing_leaves_no_output(tmp_path, monkeypatch):
    """All outputs are committed together: the Word report failing removes the finished workbook,
    HTML and figures too (they were only temporary files)."""
    from nvivo_bridge.cipp import docx_report

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx_report, "write_docx", boom)
    res = build(build_project())
    with pytest.raises(nb.NvivoBridgeError, match="cannot write the Word report"):
        write_all(res, tmp_path / "o.xlsx", figures=tmp_path / "f", report=tmp_path / "r.html", docx=tmp_path / "r.docx")
    assert list(tmp_path.iterdir()) == []


def test_unmapped_error_is_short_and_points_to_the_sheet(tmp_path):
    """Regression: one 14,837-character line naming all 262 unmapped codes."""
    p = uncoded_project()
    for n in range(10, 272):
        p.codes[g("c", n)] = Code(g("c", n), f"Tema nomor {n} dengan nama yang agak panjang")
    path = tmp_path / "many.json"
    nb.write(p, path)
    r = CliRunner().invoke(main, ["cipp", str(path), "-o", str(tmp_path / "m.xlsx"), "--unmapped", "error"])
    assert r.exit_code == 1
    assert len(r.output) < 700 and "… and 258 more" in r.output and "Unmapped sheet" in r.output
    r2 = CliRunner().invoke(main, ["cipp", str(path), "-o", str(tmp_path / "m.xlsx")])
    assert r2.exit_code == 0
    warn = next(ln for ln in r2.output.splitlines() if "map to no CIPP component" in ln)
    assert len(warn) < 700 and "'Unmapped'" in warn


def test_cli_says_where_everything_went(tmp_path, sample_json):
    r = CliRunner().invoke(main, ["cipp", str(sample_json), "-o", str(tmp_path / "o.xlsx"), "--report",
                                  str(tmp_path / "r.html"), "--docx", str(tmp_path / "r.docx"),
                                  "--figures", str(tmp_path / "figs")])
    assert r.exit_code == 0, r.output
    assert f"HTML report: {tmp_path / 'r.html'}" in r.output
    assert f"Word report: {tmp_path / 'r.docx'}" in r.output
    assert f"figures: {tmp_path / 'figs'}/ (8 files" in r.output


def test_integer_attribute_stays_a_number_in_quotations(tmp_path):
    """Regression: integer case variables were written as text in CIPP Quotations."""
    res = build(coded_project(("Masa_kerja",), "Integer", ("7", "24")))
    q = res.frame("quotations")
    assert str(q["Masa_kerja"].dtype) == "Int64" and set(q["Masa_kerja"]) == {7, 24}
    write_all(res, tmp_path / "q.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "q.xlsx", read_only=True)["Quotations"].iter_rows(values_only=True))
    col = rows[0].index("Masa_kerja")
    assert {r[col] for r in rows[1:]} == {7, 24}


@pytest.mark.parametrize("name", ["source", "case", "text", "memo", "quote_id"])
def test_attribute_named_like_a_quotations_column(tmp_path, name):
    """Regression (issue 15): an attribute called `source`/`case`/`text`… killed cipp."""
    res = build(coded_project((name, "Peran")))
    q = res.frame("quotations")
    assert f"{name} (attribute)" in q.columns and q[f"{name} (attribute)"].tolist()[0] in ("Pengurus", "Anggota")
    assert q["source"].str.startswith("Wawancara_").all() if name == "source" else True
    write_all(res, tmp_path / "a.xlsx")


def test_attribute_columns_rule():
    from nvivo_bridge.cipp.sheets_more import attribute_columns

    assert attribute_columns(["Peran", "text", "text (attribute)"]) == {
        "Peran": "Peran", "text": "text (attribute)", "text (attribute)": "text (attribute) (attribute)"}


# --- readable outputs -----------------------------------------------------------------------

@pytest.mark.parametrize("lang, want", [("en", ("References", "% of references", "Informants")),
                                        ("id", ("Referensi", "% referensi", "Informan"))])
def test_human_headers_in_workbook_identifiers_in_frames(tmp_path, lang, want):
    res = build(build_project(), lang=lang)
    assert {"references", "references_pct", "cases"} <= set(res.frame("overview").columns)
    write_all(res, tmp_path / "h.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "h.xlsx", read_only=True)
    head = next(wb[res.sheet_keys["overview"]].iter_rows(values_only=True))
    assert all(w in head for w in want) and "references_pct" not in head
    qhead = next(wb[res.sheet_keys["quotations"]].iter_rows(values_only=True))
    assert ("Quotation text" if lang == "en" else "Teks kutipan") in qhead and "Peran" in qhead


def test_f2_labels_readable_and_same_names_disambiguated():
    from nvivo_bridge.cipp.figures import render

    res = build(coded_project())
    fig = render(res)["F2"]
    labels = [t for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]
    assert labels and min(t.get_fontsize() for t in labels) >= 9
    texts = [t.get_text().replace("\n", " ") for t in labels]
    assert any("Anggaran (Proses)" in t for t in texts)
    figs = render(build(build_project()))
    f4 = figs["F4"].axes[0]
    assert f4.get_title() and f4.get_legend() is not None and f4.get_legend().get_title().get_text() == "references"


# --- Stufflebeam ----------------------------------------------------------------------------

def test_product_parts_synthesis_and_evaluator_columns():
    res = build(coded_project(), lang="id")
    syn = res.frame("synthesis").set_index("component")
    assert list(syn.index) == ["context", "input", "process", "product", "transportability"]
    assert syn.loc["transportability", "label"] == "Produk: Transportabilitas"
    assert "diterapkan" in syn.loc["transportability", "guiding_question"]
    assert "Komitmen pimpinan (2)" in syn.loc["process", "strengths"]
    assert "Waktu terbatas." in syn.loc["process", "weaknesses"]
    import pandas as pd
    assert pd.isna(syn.loc["process", "recommendations"]) and pd.isna(syn.loc["product", "strengths"])
    ov = res.frame("overview")
    assert ov["component"].tolist()[-1] == "transportability"


def test_metaevaluation_ledger_and_coders():
    res = build(build_project())
    ledger = res.frame("ledger").set_index("what")
    assert ledger.loc["codings", "read"] == 51 and ledger.loc["references", "counted"] == 50
    assert res.frame("coders")["coder"].tolist() == ["R1", "R2"]


def test_agreement_per_component_is_by_group_over_the_component_codes(tmp_path):
    """The metaevaluation's agreement table is nvivo_bridge.agreement.by_group over each
    component's codes; with one coder there is none (and no Agreement sheet)."""
    from nvivo_bridge.agreement import by_group
    from nvivo_bridge.cipp.synthesis import agreement_table, part_codes

    p = build_project()
    res = build(p)
    groups = {k: part_codes(res, k) for k in res.rows}
    groups = {k: v for k, v in groups.items() if v}
    assert {"context", "input", "process", "product"} <= set(groups)
    table = agreement_table(res)
    assert table is not None and len(table)
    assert table.equals(by_group(p, groups))
    assert res.sheet_keys["agreement"] == "Agreement"
    write_report(res, tmp_path / "r.html")
    first_alpha = f"{table['alpha'].dropna().iloc[0]:.3f}"
    assert first_alpha in (tmp_path / "r.html").read_text(encoding="utf-8")
    for sel in (s for src in p.sources.values() for s in src.selections):
        for c in sel.codings:
            c.creating_user = next(iter(p.users))
        sel.meta.pop("creatingUser", None)
    one = build(p)
    assert agreement_table(one) is None and "agreement" not in one.sheet_keys


# --- Word report ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, word", [("id", "Tabel"), ("en", "Table")])
def test_docx_reads_back(tmp_path, lang, word):
    import docx

    res = build(build_project(), lang=lang)
    path = tmp_path / "r.docx"
    write_docx(res, path, draw_figures(res))
    d = docx.Document(str(path))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert ("Konteks" if lang == "id" else "Context") in heads
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith(f"{word} 4.1 ")
    assert any(c.startswith("Gambar 4.1 " if lang == "id" else "Figure 4.1 ") for c in captions)
    assert len(d.tables) == sum(1 for c in captions if c.startswith(word))
    assert d.tables[0].rows[0].cells[2].text == ("Referensi" if lang == "id" else "References")
    assert len(d.inline_shapes) == 4
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert any("Sebagai Ahli Muda" in q for q in quotes)
    assert d.core_properties.language == ("id-ID" if lang == "id" else "en-US")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/libreoffice"), reason="LibreOffice not installed")
def test_docx_renders_in_libreoffice(tmp_path):
    import subprocess

    res = build(build_project(), lang="id")
    write_docx(res, tmp_path / "r.docx")
    proc = subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                          capture_output=True, text=True, timeout=300)
    pdf = tmp_path / "r.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):  # poppler-utils
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 5
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        for want in ("Tabel 4.1", "Gambar 4.1", "Konteks", "Sebagai Ahli Muda", "Metaevaluasi"):
            assert want in words, want


# --- memory: the Quotations sheet is streamed ----------------------------------------------

def test_quotations_streamed_into_the_workbook_frame_on_demand(tmp_path):
    """The workbook writes Quotations without building its DataFrame (at 200,000 codings that
    frame held every excerpt a second time); the frame is still there for whoever asks."""
    from nvivo_bridge.cipp import summarize, write_workbook

    res = build(build_project())
    name = res.sheet_keys["quotations"]
    assert res.frames.is_lazy(name)
    write_workbook(res, tmp_path / "s.xlsx")
    assert res.frames.is_lazy(name)
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True)[name].iter_rows(values_only=True))
    df = res.frame("quotations")
    assert not res.frames.is_lazy(name) and len(rows) == len(df) + 1 == 51  # 50 code-references
    assert [r[0] for r in rows[1:]] == df["quote_id"].tolist()
    assert [r[rows[0].index("Quotation text")] for r in rows[1:]] == df["text"].tolist()
    frames = summarize(build_project())
    assert type(frames) is dict and frames["Quotations"]["quote_id"].tolist() == df["quote_id"].tolist()


def test_workbook_header_and_body_share_a_font_family(tmp_path):
    res = build(build_project())
    write_all(res, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["CIPP Overview"]
    assert ws["A1"].font.name == ws["C2"].font.name == ws["A7"].font.name == "Calibri"
    assert ws["A1"].alignment.wrap_text
