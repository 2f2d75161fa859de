"""The worked fixture of docs/cipp.md §5 ("KP Widyaiswara"): exact expected numbers."""
from __future__ import annotations

import pytest

from nvivo_bridge.cipp import build, summarize
from samples.kp_widyaiswara import build_project

PERAN = ("Pengurus", "Anggota", "Pimpinan")
EXPECTED = {  # component: refs, cases, refs by Peran, cases by Peran (cipp.md §5)
    "context": (15, 6, (5, 6, 4), (2, 3, 1)),
    "input": (9, 6, (5, 3, 1), (2, 3, 1)),
    "process": (14, 5, (5, 9, 0), (2, 3, 0)),
    "product": (10, 6, (4, 4, 2), (2, 3, 1)),
    "other": (2, 2, (0, 2, 0), (0, 2, 0)),
}


@pytest.fixture(scope="module")
def result():
    return build(build_project())


def test_overview_rows_and_order(result):
    ov = result.frame("overview")
    parts = ["impact", "effectiveness", "sustainability", "transportability"]
    assert ov["component"].tolist() == ["context", "input", "process", "product", "other", "total"] + parts
    assert ov["label"].tolist() == ["Context", "Input", "Process", "Product", "Other", "Total", "Product: Impact",
                                    "Product: Effectiveness", "Product: Sustainability", "Product: Transportability"]
    assert ov.set_index("component")["references"][parts].tolist() == [2, 6, 2, 0]
    for col in ("codes", "codes_with_references", "references", "references_pct", "sources", "cases",
                "cases_pct", "words_coded", "top_codes"):
        assert col in ov.columns


@pytest.mark.parametrize("comp", list(EXPECTED))
def test_component_refs_cases_by_peran(result, comp):
    refs, cases, by_refs, by_cases = EXPECTED[comp]
    row = result.frame("overview").set_index("component").loc[comp]
    assert (row["references"], row["cases"]) == (refs, cases)
    assert tuple(row[f"references: {v}"] for v in PERAN) == by_refs
    m = result.frame("matrix:Peran")
    sub = m[(m["row_type"] == "subtotal") & (m["component"] == comp)].iloc[0]
    n = {"Pengurus": 2, "Anggota": 3, "Pimpinan": 1}
    assert tuple(sub[f"cases: {v}"] for v in PERAN) == tuple(f"{k}/{n[v]}" for k, v in zip(by_cases, PERAN))
    assert sub["references: Total"] == refs


def test_totals(result):
    ov = result.frame("overview").set_index("component")
    assert ov.loc[["context", "input", "process", "product", "other"], "references"].sum() == 50
    assert ov.loc["total", "references"] == 49  # deduplicated across components: edge (a)
    assert ov.loc["total", "cases"] == 6
    meta = result.frame("metadata").set_index("key")["value"]
    assert (meta["code references"], meta["distinct segments"], meta["raw codings"]) == (50, 49, 51)


def test_no_coder_dedupe_counts_product_11():
    ov = summarize(build_project(), coder_dedupe=False)["CIPP Overview"].set_index("component")
    assert ov.loc["product", "references"] == 11
    assert ov.loc["context", "references"] == 15


def test_coder_filter():
    ov = summarize(build_project(), coder="R2")["CIPP Overview"].set_index("component")
    assert ov.loc["product", "references"] == 1 and ov.loc["total", "references"] == 1
    assert ov.loc["context", "references"] == 0


def test_per_code_checks(result):
    d = result.frame("detail").set_index("code_path")
    assert len(d) == 26
    assert (d["refs_direct"] > 0).sum() == 19
    without = set(d.index[d["refs_direct"] == 0])
    assert without == {"Konteks (Context)", "Masukan (Input)", "Proses (Process)", "Produk (Product)",
                       "Temuan Lain (Other findings)", "Proses (Process)/Partisipasi anggota",
                       "Produk (Product)/Efektivitas", "Produk (Product)/Transportabilitas"} - {"Konteks (Context)"}
    assert (d.loc["Konteks (Context)", "refs_direct"], d.loc["Konteks (Context)", "refs_aggregated"]) == (1, 15)
    assert d.loc["Proses (Process)/Partisipasi anggota", "refs_aggregated"] == 7
    assert result.frame("empty")["code_path"].tolist() == ["Produk (Product)/Transportabilitas"]


def test_subcomponents_and_same_name_codes(result):
    d = result.frame("detail").set_index("code_path")
    assert d.loc["Produk (Product)/Dampak", "subcomponent"] == "impact"
    assert d.loc["Produk (Product)/Efektivitas/Produk pengetahuan", "subcomponent"] == "effectiveness"
    assert d.loc["Produk (Product)/Transportabilitas", "subcomponent"] == "transportability"
    assert d.loc["Masukan (Input)/Anggaran", "refs_direct"] == 2  # edge (d): two different codes
    assert d.loc["Proses (Process)/Anggaran", "refs_direct"] == 1
    assert d.loc["Masukan (Input)/Anggaran", "component"] == "input"


def test_warnings_and_quotations(result):
    w = result.frame("warnings")
    ov = w[w["type"] == "overlap"]
    assert len(ov) == 1 and "100\u2013250 overlaps 200\u2013300" in ov.iloc[0]["detail"]
    mc = w[w["type"] == "multi-coder"]
    assert len(mc) == 1 and "R1, R2" in mc.iloc[0]["detail"]
    q = result.frame("quotations")
    assert len(q) == 50
    shared = q[q["code_path"] == "Konteks (Context)/Masalah berbagi pengetahuan"]
    assert shared["other_codes_on_span"].notna().sum() == 1  # edge (a)
    i6 = q[q["case"] == "I6"]
    assert set(i6["Jenjang"]) == {"(missing)"}
    assert q["memo"].notna().sum() >= 3
    src = {s.name: s for s in build_project().sources.values()}
    for rec in q.to_dict("records"):
        assert src[rec["source"]].text[rec["start"]:rec["end"]] == rec["text"]


def test_map_rule_variant():
    mapping = {"rules": [{"path": "Temuan Lain (Other findings)/Motivasi pribadi", "component": "process"}]}
    ov = summarize(build_project(), mapping=mapping)["CIPP Overview"].set_index("component")
    assert (ov.loc["process", "references"], ov.loc["process", "cases"]) == (16, 5)
    assert "other" not in ov.index


def test_unmapped_drop_keeps_unmapped_sheet():
    frames = summarize(build_project(), unmapped="drop")
    ov = frames["CIPP Overview"].set_index("component")
    assert "other" not in ov.index and ov.loc["total", "references"] == 47
    assert len(frames["Unmapped"]) == 2
    assert not frames["Code Detail"]["code_path"].str.startswith("Temuan").any()


def test_group_by_integer_attribute_sorted_numerically():
    res = build(build_project(), group_by=["Masa_kerja", "Jenjang"])
    cols = [c for c in res.frame("overview").columns if c.startswith("references: ")]
    assert cols == [f"references: {v}" for v in ("2", "7", "12", "15", "20", "24")]
    assert "Matrix Jenjang" in res.frames and "references: (missing)" in res.frame("matrix:Jenjang").columns


def test_sample_is_deterministic_and_realistic():
    a, b = build_project(), build_project()
    assert a == b
    texts = [s.text for s in a.sources.values()]
    assert all("\r\n" in t and "\n" not in t.replace("\r\n", "") for t in texts)
    joined = "".join(texts)
    assert all(ch in joined for ch in "\u201c\u201d\u2014\u00e9") and "\U0001F60A" in joined
    assert [v.type for v in a.variables.values()] == ["Text", "Text", "Text", "Integer"]
    assert len(a.sets) == 1 and a.links and any(c.note_refs for _s, _sel, c in a.iter_codings())


def test_long_alike_attribute_names_get_their_own_valid_sheets(tmp_path):
    """Regression: matrix sheet names were cut to 31 code points, so two attributes starting
    alike shared one name (one matrix overwrote the other) and an emoji name was too long for
    Excel, which counts UTF-16 units."""
    import openpyxl

    from nvivo_bridge.cipp import write_workbook

    p = build_project()
    names = {"Jenjang": "Jabatan fungsional widyaiswara 😀 jenjang",
             "Masa_kerja": "Jabatan fungsional widyaiswara 😀 masa kerja"}
    for var in p.variables.values():
        var.name = names.get(var.name, var.name)
    res = build(p, group_by=list(names.values()))
    matrices = [res.sheet_keys[f"matrix:{n}"] for n in names.values()]
    assert len(set(matrices)) == 2
    assert all(len(m.encode("utf-16-le")) // 2 <= 31 for m in matrices)
    write_workbook(res, tmp_path / "c.xlsx")
    assert set(matrices) <= set(openpyxl.load_workbook(tmp_path / "c.xlsx", read_only=True).sheetnames)


@pytest.mark.parametrize("dedupe", [True, False])
def test_segments_per_source_and_coders_per_segment(dedupe):
    """The same span in two sources is two segments; a segment coded at one code by three coders
    (one unknown) is one multi-coder finding, listed once, whatever the dedupe setting."""
    from nvivo_bridge.model import Code, Coding, Project, Selection, Source, User

    def gid(prefix, n):
        return f"{prefix:0<8}-0000-4000-8000-{n:012d}"

    users = {gid("a", k): User(gid("a", k), name) for k, name in ((1, "A"), (2, "B"))}
    codes = {gid("c", k): Code(gid("c", k), name) for k, name in ((1, "Context"), (2, "Input"))}
    c1, c2 = gid("c", 1), gid("c", 2)
    n = iter(range(1, 100))

    def sel(codings):
        return Selection(gid("5e", next(n)), start=0, end=4, codings=[
            Coding(gid("c0", next(n)), code, creating_user=who) for code, who in codings])

    s1 = Source(gid("50", 1), "S1", text="kata satu", selections=[
        sel([(c1, gid("a", 1)), (c2, gid("a", 1))]), sel([(c1, gid("a", 2))]), sel([(c1, None)])])
    s2 = Source(gid("50", 2), "S2", text="kata dua", selections=[sel([(c1, gid("a", 1))])])
    p = Project(name="p", users=users, codes=codes, sources={s.guid: s for s in (s1, s2)})
    c = build(p, mapping={"rules": [{"path": "Context", "component": "context"},
                                    {"path": "Input", "component": "input"}]}, coder_dedupe=dedupe).counts
    assert c.n_segments == 2 and c.n_raw == 5
    assert c.multi_coder == [(c1, 0, ["(unknown)", "A", "B"])]
    assert len(c.unit_source) == (2 if dedupe else 4)
    assert [len(c.direct[g]) for g in (c1, c2)] == ([2, 1] if dedupe else [4, 1])
