"""``--target qualcoder`` without QualCoder: the documented reshaping (docs/export-profiles.md) read
back by our own reader, and codings kept over missing source texts for every target (issue 14)."""
from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import nvivo_bridge as nb
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.writers._profiles import PROFILES, TextLayout
from nvivo_bridge.writers.json import to_data
from interop_fixtures import missing_text_qde, tricky_project
from qualcoder_interop import expected_codings, lf
from strategies import projects


def _back(project, tmp_path, target="qualcoder"):
    out = tmp_path / "q.qdpx"
    diag = Diagnostics()
    nb.write(project, out, target=target, diag=diag)
    return nb.read(out), diag.finish(), out


@pytest.mark.parametrize("build", ["tricky", "small_project", "rich_project"])
def test_codings_read_back_under_the_documented_names(tmp_path, request, build):
    project = tricky_project() if build == "tricky" else request.getfixturevalue(build)
    back, _, _ = _back(project, tmp_path)
    assert expected_codings(back, qualcoder_rules=False) == expected_codings(project)


def test_codes_with_children_become_categories(tmp_path):
    project = tricky_project()
    back, issues, _ = _back(project, tmp_path)
    parents = {c.parent for c in back.codes.values()}
    for g, code in back.codes.items():
        assert code.is_codable == (g not in parents), code.name
    names = [c.name for c in back.codes.values() if c.is_codable]
    assert len(names) == len(set(names))
    assert "Konteks (Context) (direct)" in names
    assert {"Anggaran [Masukan (Input)]", "Anggaran [Proses (Process)]"} <= set(names)
    renamed = [i.message for i in issues if i.code == "code-renamed"]
    assert len(renamed) == 2 and all("'Anggaran'" in m for m in renamed)


def test_cases_notes_and_sources_as_qualcoder_reads_them(tmp_path):
    project = tricky_project()
    back, _, out = _back(project, tmp_path)
    # Cases: the case codes fold back into case links (our reader, like QualCoder, reads NVivo's way).
    assert set(back.cases[project.cases[g].guid].name for g in project.cases) == {"I1", "I2"}
    for g, case in project.cases.items():
        got = back.cases[g]
        assert len(got.selection_refs) == len(case.selection_refs) + len(case.source_refs)
    # Notes: every note is a named file with a date (QualCoder's journals).
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    for n in back.notes.values():
        assert n.name and n.plain_text_path and n.plain_text_path.startswith("internal://")
        assert n.meta.get("creationDateTime") or n.meta.get("modifiedDateTime")
    assert {lf(n.text) for n in project.notes.values()} == {lf(n.text) for n in back.notes.values()}
    # Memos: the note on a code is copied into its description; no source NoteRef is left.
    code = next(c for c in back.codes.values() if c.name == "Hambatan waktu")
    assert "Kode ini untuk hambatan waktu." in (code.description or "")
    assert all(not s.note_refs for s in back.sources.values())
    # Every source named, uniquely; the text has LF only.
    names = [s.name for s in back.sources.values()]
    assert "catatan_lapangan.txt" in names and "Wawancara_I2 [2]" in names and len(set(names)) == len(names)
    assert all("\r" not in (s.text or "") for s in back.sources.values())
    assert "<TextSource" in qde


def test_input_project_is_not_changed(tmp_path):
    project = tricky_project()
    before = to_data(copy.deepcopy(project))
    _back(project, tmp_path)
    assert to_data(project) == before


def test_lf_layout_maps_positions():
    text = "ab\r\ncd\r\n😀e\rf"
    layout = TextLayout(text, PROFILES["qualcoder"])
    assert layout.text == "ab\ncd\n😀e\nf"
    for start, end in [(0, 2), (4, 6), (2, 4), (8, 10), (10, 12)]:
        assert layout.text[layout.pos(start):layout.pos(end)] == lf(text[start:end])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(project=projects())
def test_generated_projects_keep_every_coding(tmp_path_factory, project):
    out = tmp_path_factory.mktemp("h") / "g.qdpx"
    nb.write(project, out, target="qualcoder")
    back = nb.read(out, positions="codepoint")
    assert expected_codings(back, qualcoder_rules=False) == expected_codings(project)


@pytest.mark.parametrize("target", sorted(PROFILES))
def test_missing_source_text_keeps_every_coding(tmp_path, target):
    """A bare .qde whose text files are absent: no coding is dropped, the path is kept, the ledger
    names the file (regression: 9 of 16 codings were dropped)."""
    bare = missing_text_qde(tmp_path)
    project = nb.read(bare)
    assert any(s.text is None for s in project.sources.values())
    before = sum(len(sel.codings) for s in project.sources.values() for sel in s.selections)
    out = tmp_path / "out.qdpx"
    diag = Diagnostics()
    counts = nb.write(project, out, target=target, diag=diag)
    issues = diag.finish()
    assert counts["codings"] >= before
    assert not [i for i in issues if i.code == "selection-skipped"]
    back = nb.read(out)
    after = sum(len(sel.codings) for s in back.sources.values() for sel in s.selections)
    assert after >= before
    missing = [s for s in project.sources.values() if s.text is None]
    named = " ".join(i.message for i in issues if i.code == "source-text-missing")
    for s in missing:
        assert s.plain_text_path in named
        if target != "qualcoder":
            kept = back.sources[s.guid]
            assert kept.plain_text_path == s.plain_text_path
            # same unit as the producer (ATLAS.ti counts CRLF as one): positions unchanged
            if PROFILES[target].unit == project.position_unit:
                assert [(x.start, x.end) for x in kept.selections] == [(x.start, x.end) for x in s.selections]


def test_codebook_for_qualcoder_has_categories_and_unique_names(tmp_path):
    """A .qdc for QualCoder: codes with children are categories, clashing names renamed (no codings,
    so no "(direct)" codes)."""
    out = tmp_path / "cb.qdc"
    diag = Diagnostics()
    nb.write(tricky_project(), out, target="qualcoder", diag=diag)
    book = nb.read(out)
    parents = {c.parent for c in book.codes.values()}
    assert all(c.is_codable == (g not in parents) or (not c.is_codable and g not in parents)
               for g, c in book.codes.items())
    assert all(not c.is_codable for g, c in book.codes.items() if g in parents)
    names = [c.name for c in book.codes.values() if c.is_codable]
    assert len(names) == len(set(names)) and not any(n.endswith("(direct)") for n in names)
    assert sum(1 for i in diag.finish() if i.code == "code-renamed") == 2


def test_cli_convert_for_qualcoder_lists_renames_in_the_ledger(tmp_path):
    from click.testing import CliRunner

    from nvivo_bridge.cli import main

    sample = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
    out = tmp_path / "kp.qdpx"
    res = CliRunner().invoke(main, ["convert", str(sample), "-o", str(out), "--target", "qualcoder"])
    assert res.exit_code == 0, res.output
    assert "'Anggaran [Masukan (Input)]'" in res.output and "'Anggaran [Proses (Process)]'" in res.output
    strict = CliRunner().invoke(main, ["convert", str(sample), "-o", str(tmp_path / "s.qdpx"), "--target",
                                       "qualcoder", "--strict"])
    assert strict.exit_code == 3 and not (tmp_path / "s.qdpx").exists()


def test_what_qualcoder_cannot_hold_is_in_the_ledger(tmp_path, rich_project):
    diag = Diagnostics()
    nb.write(rich_project, tmp_path / "r.qdpx", target="qualcoder", diag=diag)
    said = " ".join(i.message for i in diag.finish() if i.code == "qualcoder-cannot-hold")
    assert "graph(s)" in said and "set(s)" in said


def test_non_text_selections_keep_every_field(tmp_path, rich_project):
    """PDF areas, picture areas and media spans pass through unchanged (regression: the copy made for
    QualCoder lost their page and corners, so they were skipped); a picture area gets a name (QualCoder's
    memo, which its export needs) and a date."""
    back, issues, out = _back(rich_project, tmp_path)
    assert not [i for i in issues if i.code == "selection-skipped"]
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    pictures = qde.split("<PictureSelection ")[1:]
    assert pictures and all(' name="' in p.split(">", 1)[0] for p in pictures)

    def shape(p):
        return sorted((s.kind, x.kind, x.page, x.first_x, x.first_y, x.second_x, x.second_y, x.start, x.end,
                       len(x.codings)) for s in p.sources.values() for x in s.all_selections() if x.kind != "text")

    assert shape(back) == shape(rich_project)
    for s in back.sources.values():
        for x in s.selections:
            if x.kind == "picture":
                assert x.meta.get("creationDateTime")
        for tr in s.transcripts:
            assert tr.meta.get("creationDateTime") or tr.meta.get("modifiedDateTime")
