"""The canonical JSON dump: deterministic, complete, and read back to an equal Project."""
from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings

from nvivo_bridge import api
from nvivo_bridge.errors import Diagnostics, Issue, ReadError
from nvivo_bridge.model import Blob, Project, Table
from nvivo_bridge.options import ReadOptions, WriteOptions
from nvivo_bridge.readers import json as jreader
from nvivo_bridge.writers import json as jwriter
from strategies import projects


def roundtrip(project: Project) -> Project:
    return jreader.loads(jwriter.dumps(project))


@pytest.mark.parametrize("build", ["small_project", "rich_project"])
def test_roundtrip_equal(build, request):
    project = request.getfixturevalue(build)
    back = roundtrip(project)
    assert back == project
    assert jwriter.dumps(back) == jwriter.dumps(project)


def test_dump_is_sorted_and_in_document_order(rich_project):
    text = jwriter.dumps(rich_project)
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert [c["guid"] for c in data["codes"]] == list(rich_project.codes)
    assert [s["guid"] for s in data["sources"]] == list(rich_project.sources)
    assert text.endswith("}\n") and "\r" not in text.replace("\\r", "")
    # Defaults are left out: a code that is codable has no "is_codable" key.
    assert "is_codable" not in data["codes"][0] and data["codes"][2]["is_codable"] is False
    assert "source_file" not in data


def test_dump_does_not_depend_on_insertion_order_of_extras(small_project):
    a = jwriter.dumps(small_project)
    code = next(iter(small_project.codes.values()))
    code.extras = {"z": "1", "a": "2"}
    b = jwriter.dumps(small_project)
    code.extras = {"a": "2", "z": "1"}
    assert jwriter.dumps(small_project) == b != a


def test_special_values_and_tables_roundtrip():
    p = Project(name="t")
    p.tables["Matrix"] = Table("Matrix", ["a", "b", "c"], [[1, 2.5, None], [True, "x", dt.datetime(2024, 1, 2, 3, 4)],
                                                         [dt.date(2024, 1, 2), float("inf"), float("-inf")]])
    p.extras = {"<elements>": ["<x xmlns='urn:a'/>"], "{urn:a}flag": "1"}
    p.issues.append(Issue("warning", "some-code", "message", "here"))
    back = roundtrip(p)
    assert back.tables == p.tables
    assert back.extras == p.extras and back.issues == p.issues
    nan = Project(name="n", tables={"T": Table("T", ["x"], [[float("nan")]])})
    assert math.isnan(roundtrip(nan).tables["T"].rows[0][0])


def test_write_read_files_and_blob_paths(tmp_path, rich_project):
    media = tmp_path / "media.bin"
    media.write_bytes(b"\x00\x01")
    rich_project.sources[next(iter(rich_project.sources))].file = Blob("media.bin", file=str(media), size=2)
    out = tmp_path / "p.json"
    counts = jwriter.write(rich_project, out, Diagnostics(), WriteOptions())
    assert counts["codings"] == rich_project.counts()["codings"]
    assert '"file": "media.bin"' in out.read_text(encoding="utf-8")  # relative to the dump's folder
    back = jreader.read(out, Diagnostics(), ReadOptions())
    assert back.sources[next(iter(back.sources))].file.file == str(media)
    back.sources[next(iter(back.sources))].file = rich_project.sources[next(iter(rich_project.sources))].file
    assert back == rich_project
    assert not list(tmp_path.glob(".*tmp"))


def test_api_read_keeps_reported_issues(tmp_path, small_project):
    small_project.issues = [Issue("warning", "position-out-of-range", "end beyond text", "source X")]
    out = tmp_path / "p.json"
    api.write(small_project, out)
    back = api.read(out)
    assert back.issues == small_project.issues
    assert back.source_file == str(out)


@pytest.mark.parametrize("text, where", [
    ("{", "line 1 column 2"),
    ('{"$format": "other"}', None),
    ('{"$format": "nvivo-bridge-model", "$version": 99}', None),
    ('{"$format": "nvivo-bridge-model", "$version": 1, "name": 3}', "$.name"),
    ('{"$format": "nvivo-bridge-model", "$version": 1, "codes": [{"name": "x"}]}', "$.codes[0]"),
    ('{"$format": "nvivo-bridge-model", "$version": 1, "sources": [{"guid": "a", "selections": [{"guid": "s", '
     '"start": "1"}]}]}', "$.sources[0].selections[0].start"),
    ('{"$format": "nvivo-bridge-model", "$version": 1, "codes": {}}', "$.codes"),
])
def test_bad_dumps_raise_read_error_with_location(tmp_path, text, where):
    f = tmp_path / "bad.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError) as info:
        jreader.read(f, Diagnostics(), ReadOptions())
    assert info.value.path == str(f)
    assert info.value.location == where


def test_unknown_field_is_a_warning():
    diag = Diagnostics()
    p = jreader.loads('{"$format": "nvivo-bridge-model", "$version": 1, "name": "x", "future": 1}', diag)
    assert p.name == "x" and [i.code for i in diag.issues] == ["json-unknown-field"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_generated_projects_roundtrip(project):
    assert roundtrip(project) == project
