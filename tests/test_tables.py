"""The researcher's tables as DataFrames: names, column contract, counts, typing, edge cases."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source, Table, Variable, VariableValue
from nvivo_bridge.sheets import FIXED_COLUMNS, TABLE_ORDER, build_tables, sheet_name

from projects import g

CONTRACT = {
    "Project": ["field", "value"],
    "Codes": ["guid", "path", "name", "level", "parent_path", "description", "color", "codable", "references",
              "references_aggregate", "sources", "cases", "coders"],
    "Sources": ["guid", "name", "kind", "characters", "codings", "codes", "cases", "description", "file"],
    "Codings": ["source", "code_path", "text", "start", "end", "coverage_pct", "coder", "coded_at", "case"],
    "Cases": ["guid", "name", "description", "sources"],
    "Variables": ["guid", "name", "type", "description"],
    "Notes": ["guid", "name", "text", "attached_kind", "attached_to", "attached_guid"],
    "Sets": ["set", "description", "member_kind", "member", "member_guid", "set_guid"],
    "Links": ["name", "direction", "origin", "target", "color", "guid", "origin_guid", "target_guid"],
    "Code x Case": ["code_path"],
    "Source Texts": ["source", "part", "text", "source_guid"],
    "Warnings": ["level", "code", "message", "location"],
}


def _segments(project, code_guids):
    """Brute force: distinct (source, kind, start, end / text) segments coded at any of ``code_guids``."""
    out = set()
    for src, sel, c in project.iter_codings():
        if c.code in code_guids:
            if sel is None:
                out.add((src.guid, "source", None))
            elif sel.start is not None and sel.kind in ("text", "audio", "video"):
                out.add((src.guid, sel.kind, sel.start, sel.end))
            else:
                out.add((src.guid, sel.guid))
    return out


def test_table_names_and_column_contract(rich_project):
    t = build_tables(rich_project)
    assert list(t) == TABLE_ORDER
    assert FIXED_COLUMNS == CONTRACT
    for name, cols in CONTRACT.items():
        assert list(t[name].columns[:len(cols)]) == cols, name
    case_vars = ["Peran", "Masa_kerja", "Skor", "Direkam"]
    assert list(t["Codings"].columns[9:]) == case_vars + ["memo", "code_level_1", "code_level_2", "code_level_3",
                                                          "coding_guid", "selection_guid", "source_guid", "code_guid"]
    assert list(t["Cases"].columns[4:]) == case_vars
    assert list(t["Sources"].columns[9:]) == ["Tanggal", "Aktif"]
    assert list(t["Code x Case"].columns) == ["code_path", "I1", "I2"]


def test_codes_counts_match_brute_force(rich_project):
    p = rich_project
    codes = build_tables(p)["Codes"].set_index("guid")
    codings = list(p.iter_codings())
    case_of = {s: [c.name for c in p.cases.values() if s in c.source_refs] for s in p.sources}
    for guid in p.codes:
        direct = [(src, sel, c) for src, sel, c in codings if c.code == guid]
        row = codes.loc[guid]
        assert row["references"] == len(direct)
        family = {guid} | {d.guid for d in p.descendants(guid)}
        assert row["references_aggregate"] == len(_segments(p, family))
        assert row["sources"] == len({src.guid for src, _, _ in direct})
        assert row["cases"] == len({n for src, _, _ in direct for n in case_of[src.guid]})
        coders = sorted({p.user_name(c.creating_user) for _, _, c in direct})
        assert (row["coders"] if isinstance(row["coders"], str) else "") == "; ".join(coders)
        assert row["path"] == p.code_path(guid)
        assert row["level"] == len(p.ancestors(guid)) + 1
    assert codes["codable"].dtype == bool and codes["references"].dtype == "int64"
    assert codes.loc[g("c", 7), "parent_path"] == "Proses (Process)/Partisipasi\\/keterlibatan"


def test_codings_rows_excerpts_locators_and_levels(rich_project):
    p = rich_project
    df = build_tables(p)["Codings"]
    assert len(df) == p.counts()["codings"]
    row = df.set_index("coding_guid").loc[g("c1", 1)]
    src = p.sources[g("50", 1)]
    sel = src.selections[0]
    assert row["text"] == src.text[sel.start:sel.end] and "😀" in row["text"]
    assert (row["start"], row["end"]) == (sel.start, sel.end)
    assert row["case"] == "I1" and row["coder"] == "R1" and row["Masa_kerja"] == 24
    assert row["coded_at"] == pd.Timestamp("2024-03-01 10:00:00")
    by = df.set_index("coding_guid")
    assert by.loc[g("c2", 1), "text"] == "page 1 (12,40)-(300,90)"
    assert by.loc[g("c2", 4), "text"] == "00:01:20.500-00:02:10.000"
    assert by.loc[g("c2", 4), "start"] == 80500
    assert by.loc[g("c2", 5), "text"] == "P: Waktu kami sempit."  # transcript text between sync points
    assert by.loc[g("c1", 2), "memo"] == p.notes[g("e", 1)].text
    deep = by.loc[g("c1", 4)]
    assert [deep["code_level_1"], deep["code_level_2"], deep["code_level_3"]] == [
        "Proses (Process)", "Partisipasi/keterlibatan", "belajar bareng"]
    assert str(df["start"].dtype) == "Int64" and df["coded_at"].dtype.kind == "M"
    assert str(df["Masa_kerja"].dtype) == "Int64" and df["Skor"].dtype == "float64"


def test_code_x_case_equals_brute_force(rich_project):
    p = rich_project
    m = build_tables(p)["Code x Case"].set_index("code_path")
    for guid in p.codes:
        for case in p.cases.values():
            n = sum(1 for src, _, c in p.iter_codings() if c.code == guid and src.guid in case.source_refs)
            assert m.loc[p.code_path(guid), case.name] == n


def test_notes_sets_sources_cases(rich_project):
    t = build_tables(rich_project)
    notes = t["Notes"].set_index("guid")
    memo = notes.loc[g("e", 1)]
    assert memo["attached_kind"] == "project; selection; link"
    assert "Wawancara_I1: “Anggarannya terbatas”" in memo["attached_to"]
    assert notes.loc[g("e", 2), "attached_kind"] == "selection"
    sets = t["Sets"]
    assert list(sets["member_kind"]) == ["code", "code", "source"]
    assert list(sets["member"])[2] == "Wawancara_I1"
    src = t["Sources"].set_index("guid")
    assert src.loc[g("50", 1), "characters"] == len(rich_project.sources[g("50", 1)].text)
    assert src.loc[g("51", 1), "Tanggal"] == pd.Timestamp("2023-12-31")
    assert bool(src.loc[g("51", 1), "Aktif"]) is True
    assert pd.isna(src.loc[g("55", 1), "characters"])
    cases = t["Cases"].set_index("name")
    assert cases.loc["I1", "sources"] == "Wawancara_I1"
    assert cases.loc["I1", "Direkam"] == pd.Timestamp("2024-03-01 09:00:00")


def test_cases_as_codes_never_appear_as_codes(small_project):
    p = small_project
    case = p.cases[g("ca", 1)]
    p.codes[case.guid] = Code(case.guid, "I1")
    p.sources[g("50", 1)].selections[0].codings.append(Coding(g("cc", 1), case.guid))
    t = build_tables(p)
    assert case.guid not in set(t["Codes"]["guid"])
    assert case.guid not in set(t["Codings"]["code_guid"])
    assert "I1" not in set(t["Code x Case"]["code_path"])
    assert len(t["Codings"]) == 6


def test_empty_project_and_codebook_give_every_table_with_headers():
    for project in (Project(name="empty"),
                    Project(name="cb", kind="codebook", codes={g("c", 1): Code(g("c", 1), "A")})):
        t = build_tables(project)
        assert list(t) == TABLE_ORDER
        for name, cols in CONTRACT.items():
            assert list(t[name].columns[:len(cols)]) == cols
        assert len(t["Codings"]) == 0 and len(t["Sources"]) == 0
        assert len(t["Codes"]) == len(project.codes)
    fields = dict(zip(t["Project"]["field"], t["Project"]["value"]))
    assert fields["kind"] == "codebook" and fields["codes"] == 1 and fields["converted_by"].startswith("nvivo-bridge")


def test_values_that_do_not_fit_their_type_are_kept_and_warned(small_project):
    p = small_project
    p.cases[g("ca", 2)].variable_values[1] = VariableValue(g("d", 2), "about seven", "Integer")
    diag = Diagnostics()
    t = build_tables(p, diag=diag)
    cases = t["Cases"].set_index("name")
    assert cases.loc["I2", "Masa_kerja"] == "about seven" and cases.loc["I1", "Masa_kerja"] == 24
    assert diag.count("variable-value-type") == 1
    assert "variable-value-type" in set(t["Warnings"]["code"])


def test_clashing_variable_names_and_time_zones(small_project):
    p = small_project
    p.variables[g("d", 9)] = Variable(g("d", 9), "memo", "Text")
    p.cases[g("ca", 1)].variable_values.append(VariableValue(g("d", 9), "x"))
    p.sources[g("50", 2)].selections[0].codings[0].created = "2024-03-01T10:00:00+07:00"
    t = build_tables(p, converted_at=dt.datetime(2025, 1, 2, 3, 4, 5))
    cols = list(t["Codings"].columns)
    assert "memo (variable)" in cols and cols.index("memo (variable)") < cols.index("memo")
    row = t["Codings"].set_index("coding_guid").loc[g("c1", 4)]
    assert row["coded_at"] == pd.Timestamp("2024-03-01 03:00:00")  # shown in UTC
    fields = dict(zip(t["Project"]["field"], t["Project"]["value"]))
    assert fields["converted_at"] == dt.datetime(2025, 1, 2, 3, 4, 5)


def test_extra_tables_get_safe_unique_sheet_names(small_project):
    p = small_project
    p.tables = {"a": Table("Matrix: codes/cases [refs]?", ["", "I1", "I1"], [["A", 1, 2], ["B", 3]]),
                "b": Table("Codes", ["x"], [[1]])}
    t = build_tables(p)
    names = list(t)
    assert names[-1] == "Warnings" and names[-3:-1] == ["Matrix_ codes_cases _refs__", "Codes (2)"]
    m = t["Matrix_ codes_cases _refs__"]
    assert list(m.columns) == ["(unnamed)", "I1", "I1 (2)"] and m.iloc[1].tolist()[:2] == ["B", 3]


@pytest.mark.parametrize("name,taken,want", [
    ("History", [], "History table"), ("x" * 40, [], "x" * 31), ("x" * 40, ["x" * 31], "x" * 27 + " (2)"),
    ("'quoted'", [], "quoted"), ("", [], "Table"),
    # Regressions: Excel counts UTF-16 units (an emoji is two), and refuses a name that ends in
    # an apostrophe, which a cut could leave.
    ("😀" * 20, [], "😀" * 15), ("a" + "😀" * 20, [], "a" + "😀" * 15), ("x" * 30 + "'yz", [], "x" * 30),
    ("😀" * 20, ["😀" * 15], "😀" * 13 + " (2)"),
])
def test_sheet_name(name, taken, want):
    assert sheet_name(name, taken) == want


@given(st.text(max_size=60), st.lists(st.text(max_size=40), max_size=5))
def test_sheet_names_are_ones_excel_accepts(name, taken):
    """Whatever the table is called, its sheet name keeps Excel's rules: 1-31 UTF-16 units, none
    of ``[]:*?/\\``, no apostrophe at either end, unique among the taken names ignoring case."""
    taken = list(dict.fromkeys(sheet_name(t, []) for t in taken))
    got = sheet_name(name, taken)
    assert 1 <= len(got.encode("utf-16-le", "surrogatepass")) // 2 <= 31
    assert not set(got) & set("[]:*?/\\") and got[0] != "'" and got[-1] != "'"
    assert got.lower() not in {t.lower() for t in taken}


def test_tables_is_the_public_entry_point(small_project):
    import nvivo_bridge.writers.csv  # noqa: F401  importing the writers must not shadow the function
    import nvivo_bridge.writers.xlsx  # noqa: F401

    small_project.source_file = "/home/someone/private/study.qdpx"
    assert dict(zip(*nvivo_bridge.tables(small_project)["Project"].T.values))["input"] == "study.qdpx"
    frames = nvivo_bridge.tables(small_project)
    assert isinstance(frames["Codings"], pd.DataFrame) and len(frames["Codings"]) == 6


def test_positionless_nvivo_excerpts_and_whole_source():
    code = Code(g("c", 1), "A")
    src = Source(g("50", 1), "S", text=None, selections=[
        Selection(g("5e", 1), text="kept excerpt", codings=[Coding(g("c1", 1), code.guid)])],
        codings=[Coding(g("c1", 2), code.guid)])
    p = Project(codes={code.guid: code}, sources={src.guid: src},
                cases={g("ca", 1): Case(g("ca", 1), "K", source_refs=[src.guid])})
    df = build_tables(p)["Codings"]
    assert df["text"].tolist() == ["(whole source)", "kept excerpt"]
    assert df["case"].tolist() == ["K", "K"] and df["start"].isna().all()
    codes = build_tables(p)["Codes"]
    assert codes["references_aggregate"].tolist() == [2]


def test_transcript_without_text_shows_its_time_span(rich_project):
    tr = rich_project.sources[g("55", 1)].transcripts[0]
    tr.text = None
    row = build_tables(rich_project)["Codings"].set_index("coding_guid").loc[g("c2", 5)]
    assert row["text"] == "transcript 00:00:05.000-00:00:09.000"
