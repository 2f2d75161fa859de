"""Smoke test of the benchmark generator at tiny sizes (no timing assertions)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from benchmarks.generate import codings_for, generate

XSD = Path(__file__).resolve().parents[1] / "nvivo_bridge" / "data" / "Project-mrt2019.xsd"
Q = "{urn:QDA-XML:project:1.0}"


@pytest.mark.parametrize("n", [50, 250])
def test_generated_file_is_valid_with_requested_codings(tmp_path, n):
    path = generate(n, work=tmp_path)
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        schema = etree.XMLSchema(etree.parse(str(XSD)))
        assert schema.validate(root), schema.error_log
        cases = {c.get("guid") for c in root.iter(Q + "Case")}
        targets = [r.get("targetGUID") for r in root.iter(Q + "CodeRef")]
        sources = list(root.iter(Q + "TextSource"))
        assert len([t for t in targets if t not in cases]) == n
        assert len([t for t in targets if t in cases]) == len(sources) == len(cases) == -(-n // 100)
        theme_codes = [c for c in root.iter(Q + "Code") if c.get("guid") not in cases]
        assert len(theme_codes) == 200
        text = zf.read(f"Sources/{sources[0].get('guid')}.txt")
        assert text.startswith(b"\xef\xbb\xbf") and b"\r\n" in text
        assert any(ord(ch) > 0xFFFF for ch in text.decode("utf-8-sig"))
    # Cached: asking again returns the same file without rebuilding it.
    mtime = path.stat().st_mtime_ns
    assert generate(n, work=tmp_path) == path and path.stat().st_mtime_ns == mtime


def test_size_names():
    assert [codings_for(s) for s in ("S", "m", "L", "123")] == [2_000, 20_000, 200_000, 123]
    with pytest.raises(ValueError):
        codings_for(0)


def test_raw_floor_slices_the_model_excerpts(tmp_path):
    """The floor's UTF-16 slicing gives back the model's excerpts (so the floor does real work)."""
    from benchmarks.floors import raw_rows
    from benchmarks.generate import build_project

    project = build_project(120)
    want = sorted((c.code, src.excerpt(sel)) for src, sel, c in project.iter_codings())
    rows = raw_rows(generate(120, work=tmp_path))
    theme = sorted((r[4], r[7]) for r in rows if r[4] in project.codes)
    assert theme == want
    assert len(rows) == len(want) + len(project.sources)  # + one whole-text case coding per source


def test_child_reports_missing_modules_instead_of_numbers(monkeypatch):
    from benchmarks import _child

    monkeypatch.setitem(_child.NEEDS, "read", ["nvivo_bridge.no_such_module"])
    assert _child.measure("read", Path("unused.qdpx"), Path("unused")) == {"missing": "nvivo_bridge.no_such_module"}
