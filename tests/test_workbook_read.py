"""nvivo-bridge's own workbook read back into the project it came from (issue 16), or refused
with what is missing; never misread as an NVivo export."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import nvivo_bridge
from nvivo_bridge.cli import main
from nvivo_bridge.coding_index import _source_cases
from nvivo_bridge.errors import ReadError
from nvivo_bridge.model import escape_name
from nvivo_bridge.sheets._values import typed_value

from conftest import CORPUS, needs_corpus
from strategies import projects

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"


def _values(project, owner) -> dict:
    out = {}
    for vv in owner.variable_values:
        var = project.variables[vv.variable]
        out[var.name] = typed_value(vv.value, var.type)[0]
    return out


def view(p) -> dict:
    """What the workbook carries of a project (docs/excel-csv.md, 'Reading the workbook back'):
    everything but the fields documented as not carried."""
    users = {g: (u.name or u.id or g) for g, u in p.users.items()}
    who = lambda g: users.get(g, g)  # noqa: E731
    case_codes = set(p.codes) & set(p.cases)
    sels = {}
    for src, sel, c in p.iter_codings():
        if c.code in case_codes:
            continue
        key = sel.guid if sel is not None else (src.guid, "whole")
        entry = sels.setdefault(key, {
            "source": src.guid, "start": sel.start if sel else None, "end": sel.end if sel else None,
            "text": (sel.text if sel.start is None else None) if sel else None,
            "coverage": sel.extras.get("nvivo:coverage") if sel else None,
            "notes": sorted(sel.note_refs) if sel else [], "codings": []})
        entry["codings"].append((c.guid, c.code, who(c.creating_user), c.created, sorted(c.note_refs)))
    return {
        "project": (p.name, p.kind, p.origin, p.producer, p.position_unit, p.created, p.modified,
                    p.description, sorted(p.note_refs), who(p.creating_user)),
        "coders": sorted({who(c.creating_user) for _, _, c in p.iter_codings() if c.creating_user}, key=str),
        "codes": {g: (c.name, c.is_codable, c.color, c.description, c.parent, sorted(c.note_refs))
                  for g, c in p.codes.items() if g not in case_codes},
        "variables": {g: (v.name, v.type, v.description) for g, v in p.variables.items()},
        "cases": {g: (c.name, c.description, _values(p, c)) for g, c in p.cases.items()},
        "case_sources": {s: sorted(cs) for s, cs in _source_cases(p).items()},
        "sources": {g: (s.name, s.kind, s.text, s.description, _values(p, s), sorted(s.note_refs))
                    for g, s in p.sources.items()},
        "selections": sels,
        "notes": {g: (n.name, n.text, sorted(n.note_refs)) for g, n in p.notes.items()},
        "links": {g: (k.name, k.direction, k.color, k.origin, k.target) for g, k in p.links.items()},
        "sets": {g: (s.name, s.description, s.member_codes, s.member_sources, s.member_notes)
                 for g, s in p.sets.items()},
    }


def _back(project, tmp_path: Path, name: str = "w.xlsx"):
    out = tmp_path / name
    nvivo_bridge.write(project, out)
    return nvivo_bridge.read(out)


def test_sample_workbook_reads_back_into_the_sample(tmp_path):
    original = nvivo_bridge.read(SAMPLE)
    back = _back(original, tmp_path)
    assert view(back) == view(original)
    codes = Counter(i.code for i in back.issues)
    assert codes["workbook-read-back"] == 1 and codes["workbook-not-carried"] == 1
    # …and a second round gives the same workbook content again
    again = _back(back, tmp_path, "w2.xlsx")
    assert view(again) == view(original)


def test_sample_back_to_qdpx_by_the_cli(tmp_path):
    runner = CliRunner()
    xlsx, back = tmp_path / "s.xlsx", tmp_path / "back.qdpx"
    assert runner.invoke(main, ["convert", str(SAMPLE), "-o", str(xlsx)]).exit_code == 0
    res = runner.invoke(main, ["convert", str(xlsx), "-o", str(back)])
    assert res.exit_code == 0, res.output
    assert "cases 6" in res.output and "codings 51" in res.output and "cases 24" not in res.output
    assert "does not carry" in res.output
    got, want = view(nvivo_bridge.read(back)), view(nvivo_bridge.read(SAMPLE))
    # The .qdpx names its writer (origin, producer) and its position unit, as any conversion does.
    for v in (got, want):
        v["project"] = v["project"][:2] + v["project"][5:]
    assert got == want
    info = runner.invoke(main, ["info", str(xlsx)])
    assert info.exit_code == 0 and "own exports" not in info.output and "NVivo for Windows" in info.output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(projects())
def test_generated_projects_read_back_or_are_refused_for_a_reason(tmp_path, p):
    names = [s.name for s in p.sources.values()]
    in_cases = {s for c in p.cases.values() for s in c.source_refs}
    paths = Counter(p.code_paths().values())
    parents = {p.code_paths()[c.parent] for c in p.codes.values() if c.parent}
    var_names = Counter(v.name for v in p.variables.values())
    # When a name is all that links two rows, a repeated name cannot be resolved: then, and only
    # then, the read must refuse.
    ambiguous = (any(names.count(p.sources[s].name) > 1 or "; " in p.sources[s].name for s in in_cases)
                 or any(paths[x] > 1 for x in parents) or any(n > 1 for n in var_names.values()))
    out = tmp_path / f"h{abs(hash(repr(view(p))))}.xlsx"
    nvivo_bridge.write(p, out)
    if ambiguous:
        with pytest.raises(ReadError, match="cannot be read back"):
            nvivo_bridge.read(out)
    else:
        assert view(nvivo_bridge.read(out)) == view(p)


def test_project_with_pdf_and_graphs_is_refused_naming_them(rich_project, tmp_path):
    out = tmp_path / "rich.xlsx"
    nvivo_bridge.write(rich_project, out)
    res = CliRunner().invoke(main, ["convert", str(out), "-o", str(tmp_path / "back.qdpx")])
    assert res.exit_code == 4
    assert "cannot be read back" in res.output and "graphs" in res.output
    assert not (tmp_path / "back.qdpx").exists()


def test_workbook_without_source_texts_is_refused(tmp_path):
    out = tmp_path / "s.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), out)
    wb = openpyxl.load_workbook(out)
    del wb["Source Texts"]
    wb.save(out)
    with pytest.raises(ReadError, match="full text of sources.*older nvivo-bridge"):
        nvivo_bridge.read(out)


def test_edited_excerpt_or_deleted_coding_is_refused(tmp_path):
    out = tmp_path / "s.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Codings"]
    ws.cell(2, 3).value = "something else"
    ws.delete_rows(5)
    wb.save(out)
    with pytest.raises(ReadError) as err:
        nvivo_bridge.read(out)
    assert "excerpts that differ" in str(err.value) and "codings: 50 of 51" in str(err.value)


def test_long_source_text_is_split_in_parts_and_joined_back(small_project, tmp_path):
    src = next(iter(small_project.sources.values()))
    src.text = ("Paragraf panjang. " * 700 + "\r\n") * 3 + "akhir 😀"
    back = _back(small_project, tmp_path)
    assert back.sources[src.guid].text == src.text
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    parts = [r for r in wb["Source Texts"].iter_rows(min_row=2, values_only=True) if r[3] == src.guid]
    assert len(parts) > 1 and all(len(r[2]) <= 2_500 for r in parts)
    assert all(r[2].endswith((" ", "\n")) for r in parts[:-1])  # parts end at a word or line break


def test_own_csv_folder_is_not_taken_for_nvivo_exports(tmp_path):
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), tmp_path / "csv", format="csv")
    res = CliRunner().invoke(main, ["info", str(tmp_path / "csv")])
    assert res.exit_code == 4 and "CSV folder nvivo-bridge wrote" in res.output


def test_other_workbooks_still_go_to_the_nvivo_reader(tmp_path):
    # A classification sheet, and a look-alike whose Project sheet was not written by nvivo-bridge.
    for title, rows in (("Person", [["Case", "Age"], ["Ani", 31], ["Budi", 45]]),
                        ("Project", [["field", "value"], ["Ani", 31], ["converted_by", "someone else"]])):
        wb = openpyxl.Workbook()
        wb.active.title = title
        for r in rows:
            wb.active.append(r)
        wb.save(tmp_path / f"{title}.xlsx")
        got = nvivo_bridge.read(tmp_path / f"{title}.xlsx")
        assert got.producer == "NVivo (own exports)" and len(got.cases) == 2
        assert not any(i.code == "workbook-read-back" for i in got.issues)


@needs_corpus
def test_nvivo_export_folder_workbook_reads_back(tmp_path):
    original = nvivo_bridge.read(CORPUS / "nvivo-exports" / "ist_appendix_nvivo_win")
    back = _back(original, tmp_path)
    assert view(back) == view(original)
    assert any(sel.extras.get("nvivo:coverage") is not None for _, sel in back.iter_selections())


@needs_corpus
def test_nvivo_export_with_pdf_references_is_refused(tmp_path):
    out = tmp_path / "w.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(CORPUS / "nvivo-exports" / "nireland_nlp_nvivo12mac"), out)
    with pytest.raises(ReadError, match=r"PDF, picture, audio and video sources.*\(pdf\)"):
        nvivo_bridge.read(out)


def test_escape_name_paths_resolve(tmp_path, small_project):
    code = next(iter(small_project.codes.values()))
    code.name = "A/B \\ C"
    back = _back(small_project, tmp_path)
    assert back.codes[code.guid].name == "A/B \\ C" and escape_name(code.name) in back.code_paths().values()


@pytest.mark.parametrize("edit, message", [
    (lambda wb: wb["Codings"].cell(2, 4, "abc"), "a cell is not as nvivo-bridge wrote it"),
    (lambda wb: wb["Codes"].delete_cols(2), "columns the read needs (Codes.path"),
    (lambda wb: setattr(wb["Codes"].cell(3, 1), "value", None), "rows without their identifier (Codes row 3)"),
    (lambda wb: setattr(wb["Source Texts"].cell(2, 2), "value", None), "a cell is not as nvivo-bridge wrote it"),
])
def test_damaged_workbook_is_refused_without_a_traceback(tmp_path, edit, message):
    out = tmp_path / "s.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), out)
    wb = openpyxl.load_workbook(out)
    edit(wb)
    wb.save(out)
    res = CliRunner().invoke(main, ["convert", str(out), "-o", str(tmp_path / "back.qdpx")])
    assert res.exit_code == 4 and message in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_guids_in_another_letter_case_still_resolve(tmp_path):
    out = tmp_path / "s.xlsx"
    original = nvivo_bridge.read(SAMPLE)
    nvivo_bridge.write(original, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Codings"]
    col = [c.value for c in ws[1]].index("code_guid") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, col).value = ws.cell(r, col).value.upper()
    wb.save(out)
    assert view(nvivo_bridge.read(out)) == view(original)


def test_own_workbook_in_an_nvivo_export_folder_is_skipped_not_joined(tmp_path):
    import shutil

    folder = tmp_path / "exports"
    shutil.copytree(ROOT / "tests" / "data" / "nvivo", folder)
    alone = nvivo_bridge.read(folder)
    nvivo_bridge.write(nvivo_bridge.read(SAMPLE), folder / "s.xlsx")
    got = nvivo_bridge.read(folder)
    assert (len(got.cases), len(got.codes)) == (len(alone.cases), len(alone.codes))  # not 24 cases more
    assert any(i.code == "file-skipped" and "nvivo-bridge wrote" in i.message for i in got.issues)
