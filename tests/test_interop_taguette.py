"""Round trips with Taguette's own code (issue 14): Taguette's codebook import takes our codebook CSV
with every code, and our reader reads the files Taguette's own export functions write (.qdc,
codebook CSV, highlights CSV and xlsx).  Taguette runs in its own environment, found through
``NVIVO_BRIDGE_TAGUETTE_PYTHON`` (.ci/run builds it: Taguette pins SQLAlchemy 1.4 and more);
the tests skip when it is absent."""
from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import nvivo_bridge as nb
from nvivo_bridge.cli import main
from interop_fixtures import tricky_project

DRIVER = Path(__file__).resolve().parent / "taguette_driver.py"
PY = os.environ.get("NVIVO_BRIDGE_TAGUETTE_PYTHON")
pytestmark = [pytest.mark.interop,
              pytest.mark.skipif(not PY or not Path(PY).is_file(),
                                 reason="NVIVO_BRIDGE_TAGUETTE_PYTHON does not name a python with taguette "
                                        "installed (.ci/run builds one)")]
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"


def _taguette(*args: str) -> str:
    proc = subprocess.run([PY, str(DRIVER), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.parametrize("which", ["sample", "tricky"])
def test_taguette_imports_our_codebook_csv_with_every_code(tmp_path, which):
    if which == "sample":
        src = SAMPLE
    else:
        src = tmp_path / "tricky.qdpx"
        nb.write(tricky_project(), src)
    out = tmp_path / "codebook.csv"
    res = CliRunner().invoke(main, ["codebook", str(src), "-o", str(out), "--target", "taguette"])
    assert res.exit_code == 0, res.output
    tags = json.loads(_taguette("import-codebook", str(out)))
    book = nb.read(src)
    paths = book.code_paths()
    assert len(tags) == len(book.codes)
    assert [t["path"] for t in tags] == [" ".join(paths[g].split()) for g in _tree_order(book)]
    described = {paths[g]: (c.description or "").strip() for g, c in book.codes.items()}
    assert {t["path"]: t["description"] for t in tags} == {" ".join(k.split()): v for k, v in described.items()}


def _tree_order(book):
    from nvivo_bridge.codebook.sheet_write import tree_order

    return tree_order(book)


def test_our_default_codebook_csv_is_not_the_taguette_layout(tmp_path):
    """The editable codebook sheet keeps path and name (our round trip needs both); Taguette refuses
    that, which is why --target taguette exists."""
    out = tmp_path / "codebook.csv"
    assert CliRunner().invoke(main, ["codebook", str(SAMPLE), "-o", str(out)]).exit_code == 0
    proc = subprocess.run([PY, str(DRIVER), "import-codebook", str(out)], capture_output=True, text=True)
    assert proc.returncode != 0 and "Not sure which column" in proc.stderr


SPEC = {
    "tags": [{"path": "interesting", "description": "worth a second look, \"quoted\", with commas"},
             {"path": "people.teachers", "description": "multi\nline"},
             {"path": "Proses/Anggaran", "description": ""},
             {"path": "émotion 😀", "description": "non-ASCII"}],
    "documents": [
        {"name": "Wawancara I1", "text": "Anggarannya terbatas, jadwalnya sering bentrok.\nKami butuh pelatihan 😀.",
         "highlights": [{"start": 0, "end": 20, "tags": ["Proses/Anggaran", "interesting"]},
                        {"start": 48, "end": 70, "tags": ["émotion 😀"]},
                        {"start": 22, "end": 46, "tags": []}]},
        {"name": "Notes, 2nd", "text": "Teachers said: \"we share\" <often>.",
         "highlights": [{"start": 0, "end": 8, "tags": ["people.teachers"]}]},
    ],
}


@pytest.fixture(scope="module")
def taguette_exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("tg")
    spec = out / "spec.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    _taguette("export", str(spec), str(out / "export"))
    return out / "export"


@pytest.mark.parametrize("name, fmt", [("codebook.qdc", None), ("codebook.csv", "taguette")])
def test_we_read_taguettes_codebooks(taguette_exports, name, fmt):
    book = nb.read(taguette_exports / name, fmt)
    assert sorted(c.name for c in book.codes.values()) == sorted(t["path"] for t in SPEC["tags"])
    if name.endswith(".csv"):
        assert {c.name: c.description or "" for c in book.codes.values()} == \
               {t["path"]: t["description"] for t in SPEC["tags"]}
    # Both files name the same codes with Taguette's own GUIDs.
    assert set(book.codes) == set(nb.read(taguette_exports / "codebook.qdc").codes)


def _expected_highlights() -> Counter:
    out: Counter = Counter()
    for d in SPEC["documents"]:
        for h in d["highlights"]:
            for t in h["tags"]:
                out[(d["name"], t, d["text"][h["start"]:h["end"]])] += 1
    return out


@pytest.mark.parametrize("name", ["highlights.csv", "highlights.xlsx"])
def test_we_read_taguettes_highlights(taguette_exports, tmp_path, name):
    project = nb.read(taguette_exports / name, "taguette")
    got = Counter()
    for s in project.sources.values():
        for sel in s.selections:
            for c in sel.codings:
                got[(s.name, project.codes[c.code].name, sel.text)] += 1
    assert got == _expected_highlights()
    # …and on to REFI-QDA: the texts are rebuilt from the excerpts, every coding survives.
    out = tmp_path / "from-taguette.qdpx"
    res = CliRunner().invoke(main, ["convert", str(taguette_exports / name), "--from", "taguette", "-o", str(out)])
    assert res.exit_code == 0, res.output
    codings = nb.tables(nb.read(out))["Codings"]
    # (a "/" inside a code name is written "\\/" in code paths: tables convention)
    paths = [p.replace("\\/", "/") for p in codings.code_path]
    assert Counter(zip(codings.source, paths, codings.text)) == _expected_highlights()
