"""Issue 16: the ledger says what a format does not carry; validate and info agree on NVivo
exports; batch takes a folder of NVivo exports as one project and names the files it ignores."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

import nvivo_bridge
from nvivo_bridge.api import Ledger
from nvivo_bridge.batch import plan_batch
from nvivo_bridge.batch.nvivo import is_nvivo_export_folder
from nvivo_bridge.cli import main

from conftest import CORPUS, needs_corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"
NVIVO = ROOT / "tests" / "data" / "nvivo"


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- ledger ------------------------------------------------------------------------------------

def test_ledger_counts_a_kind_the_format_lacks_as_lost():
    led = Ledger("a", "b", {"codes": 3, "sources": 2, "graphs": 0}, {"codes": 3}, format="qdc")
    assert led.lost() == {"sources": (2, 0)}
    assert led.not_carried() == {"sources": 2}


def test_codebook_output_warns_that_sources_and_codings_are_not_in_it(tmp_path):
    res = _cli("convert", SAMPLE, "-o", tmp_path / "x.qdc")
    assert res.exit_code == 0
    assert "qdc (REFI-QDA codebook) does not carry" in res.output
    assert "sources (6)" in res.output and "codings (51)" in res.output and "notes (4)" in res.output
    assert "codes 26," in res.output and "sources 6→0" in res.output


def test_workbook_output_names_uncoded_selections_and_graphs(tmp_path, rich_project):
    res = _cli("convert", SAMPLE, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 0 and "6 of 57 selections were not carried over" in res.output
    assert "does not carry" not in res.output  # every other kind is in the workbook
    src = tmp_path / "rich.json"
    nvivo_bridge.write(rich_project, src)
    res = _cli("convert", src, "-o", tmp_path / "rich.xlsx")
    assert res.exit_code == 0 and "xlsx (" in res.output and "does not carry graphs (1)" in res.output


def test_full_round_trip_formats_warn_of_nothing(tmp_path):
    for out in ("p.qdpx", "p.json"):
        res = _cli("convert", SAMPLE, "-o", tmp_path / out)
        assert res.exit_code == 0 and "warning" not in res.output, res.output


# -- validate and info on NVivo exports ---------------------------------------------------------

def test_validate_and_info_agree_on_an_nvivo_export_folder():
    val = _cli("validate", NVIVO, "--json")
    info = _cli("info", NVIVO, "--json")
    problems = [i["message"] for i in json.loads(val.stdout)["issues"] if i["level"] != "info"]
    warnings = [w["message"] for w in json.loads(info.stdout)["warnings"]]
    # The one real problem of this folder (a case name matching no source) is in both; the
    # missing full texts are in neither, as NVivo never exports them …
    assert problems == warnings == ["1 name(s) in classification 'Person' match no source of the node exports: P03"]
    assert val.exit_code == 5
    # … and both say once what the export lacks.
    notes = json.loads(info.stdout)["notes"]
    assert [n["code"] for n in notes] == ["positions-unknown"]
    text = _cli("validate", NVIVO).output
    assert text.count("neither the sources' full texts nor character positions") == 1
    assert "source's text could not be found" not in text and "Unassigned" not in text


@needs_corpus
def test_validate_passes_a_clean_nvivo_export_folder():
    res = _cli("validate", CORPUS / "nvivo-exports" / "ist_appendix_nvivo_win")
    assert res.exit_code == 0 and res.output.rstrip().endswith("valid")
    assert "0 warning(s)" in _cli("info", CORPUS / "nvivo-exports" / "ist_appendix_nvivo_win").output


def test_missing_text_is_still_a_problem_where_positions_exist(tmp_path):
    p = nvivo_bridge.read(SAMPLE)
    next(iter(p.sources.values())).text = None
    nvivo_bridge.write(p, tmp_path / "p.json")
    res = _cli("validate", tmp_path / "p.json")
    assert res.exit_code == 5 and "source's text could not be found" in res.output


# -- batch ---------------------------------------------------------------------------------------

def test_batch_recursive_takes_an_nvivo_export_folder_as_one_project(tmp_path):
    tree = tmp_path / "in"
    shutil.copytree(NVIVO, tree / "exports")
    shutil.copy(SAMPLE, tree / "sample.qdpx")
    (tree / "notes.foo").write_text("x")
    (tree / "exports" / "Community needs.docx").write_bytes(b"not a docx")  # the .docx twin of a node
    out = tmp_path / "out"
    res = _cli("batch", tree, "-o", out, "--to", "json", "--recursive")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["batch-report.csv", "exports.json", "sample.json"]
    assert "exports: a folder of NVivo's own exports, converted as one project" in res.output
    assert "1 file(s) in the folders ignored" in res.output and "notes.foo" in res.output
    assert nvivo_bridge.read(out / "exports.json").codes


def test_folder_with_a_project_or_without_node_exports_is_not_an_export_folder(tmp_path):
    assert is_nvivo_export_folder(NVIVO)
    mixed = tmp_path / "mixed"
    shutil.copytree(NVIVO, mixed)
    shutil.copy(SAMPLE, mixed / "p.qdpx")
    assert not is_nvivo_export_folder(mixed)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("just some text\n")
    assert not is_nvivo_export_folder(plain)
    plan = plan_batch([plain], tmp_path / "o", "json")
    assert [Path(t.input).name for t in plan.tasks] == ["a.txt"] and plan.nvivo_folders == []


def test_a_large_node_export_is_recognised_from_its_head(tmp_path):
    """Only the first 256 KB of a text file are read to recognise a node export (a folder of large
    plain texts is not read whole); a UTF-16 export cut there is still recognised."""
    from nvivo_bridge.batch.nvivo import _is_node_export

    text = (NVIVO / "Community needs.txt").read_bytes().decode("utf-16")
    body = text + ("Reference 9 - 1,00% Coverage\n" + "kata " * 40 + "\n") * 3000
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-8", b"")):
        path = tmp_path / f"big-{enc}.txt"
        path.write_bytes(bom + body.encode(enc))
        assert path.stat().st_size > 256 * 1024 and _is_node_export(path)
    plain = tmp_path / "plain.txt"
    plain.write_text("Reference books and coverage of the topic.\n" * 20_000)
    assert not _is_node_export(plain)
