"""The codebook writer: Codebook-mrt2019.xsd validity, nesting, MemberCode@guid, round trips."""
from __future__ import annotations

from importlib.resources import files

import pytest
from lxml import etree

from conftest import corpus_files, needs_corpus
from nvivo_bridge import api
from nvivo_bridge.errors import Diagnostics, WriteError
from nvivo_bridge.model import Code, Project, Set
from nvivo_bridge.options import WriteOptions
from nvivo_bridge.writers import qdc
from nvivo_bridge.writers._profiles import PROFILES

NS = "{urn:QDA-XML:codebook:1.0}"
SCHEMA = etree.XMLSchema(etree.parse(str(files("nvivo_bridge") / "data" / "Codebook-mrt2019.xsd")))


def valid_root(path):
    root = etree.parse(str(path)).getroot()
    assert SCHEMA.validate(root.getroottree()), SCHEMA.error_log
    return root


def tree(project: Project) -> list[tuple[str, str, bool, str | None, str | None, str | None]]:
    """The code tree as comparable rows (path, guid, codable, colour, description, parent)."""
    paths = project.code_paths()
    return [(paths[g], c.guid, c.is_codable, c.color, c.description, c.parent) for g, c in project.codes.items()]


# qualcoder turns codes with children into categories on purpose: tests/test_write_qualcoder.py
@pytest.mark.parametrize("target", sorted(p for p in PROFILES if p != "qualcoder"))
def test_rich_project_codebook_valid_and_roundtrips(tmp_path, rich_project, target):
    out = tmp_path / "cb.qdc"
    counts = api.write(rich_project, out, target=target)
    root = valid_root(out)
    assert counts == {"codes": 8, "sets": 1}
    assert root.find(f"{NS}Codes/{NS}Code/{NS}Code").get("name") == "Kebutuhan kompetensi"
    members = root.findall(f"{NS}Sets/{NS}Set/{NS}MemberCode")
    assert [m.get("guid").lower() for m in members] == rich_project.sets[next(iter(rich_project.sets))].member_codes
    assert all(m.get("targetGUID") is None for m in members)
    back = api.read(out)
    assert back.kind == "codebook"
    assert tree(back) == tree(rich_project)
    s = next(iter(back.sets.values()))
    assert s.member_codes == [g for g in next(iter(rich_project.sets.values())).member_codes]
    assert s.member_sources == []


def test_guid_case_follows_profile(tmp_path, small_project):
    api.write(small_project, tmp_path / "u.qdc", target="maxqda")
    api.write(small_project, tmp_path / "l.qdc", target="nvivo")
    up = valid_root(tmp_path / "u.qdc").find(f".//{NS}Code").get("guid")
    low = valid_root(tmp_path / "l.qdc").find(f".//{NS}Code").get("guid")
    assert up == up.upper() and low == low.lower() and up.lower() == low


def test_sets_without_codes_and_empty_codebook(tmp_path):
    p = Project(name="x", codes={"c0000000-0000-4000-8000-000000000001":
                                 Code("c0000000-0000-4000-8000-000000000001", "a", color="#0f0")})
    p.sets = {"f0000000-0000-4000-8000-000000000001": Set("f0000000-0000-4000-8000-000000000001", "docs",
                                                           member_sources=["s"])}
    diag = Diagnostics()
    qdc.write(p, tmp_path / "a.qdc", diag, WriteOptions())
    root = valid_root(tmp_path / "a.qdc")
    assert root.find(f"{NS}Sets") is None and root.find(f".//{NS}Code").get("color") == "#00FF00"
    assert "set-skipped" in {i.code for i in diag.issues}
    with pytest.raises(WriteError):
        qdc.write(Project(name="empty"), tmp_path / "b.qdc", Diagnostics(), WriteOptions())
    assert not (tmp_path / "b.qdc").exists()


def test_code_cycle_still_written(tmp_path):
    a, b = "c0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000002"
    p = Project(name="cyc", codes={a: Code(a, "a", parent=b), b: Code(b, "b", parent=a)})
    diag = Diagnostics()
    counts = qdc.write(p, tmp_path / "c.qdc", diag, WriteOptions())
    valid_root(tmp_path / "c.qdc")
    assert counts["codes"] == 2 and diag.count("code-cycle") == 1


QDC = corpus_files("refi", ".qdc")


@needs_corpus
@pytest.mark.parametrize("path", QDC, ids=[p.name for p in QDC])
def test_corpus_codebooks_roundtrip(tmp_path, path):
    original = api.read(path)
    out = tmp_path / "y.qdc"
    api.convert(path, out)
    valid_root(out)
    assert tree(api.read(out)) == tree(original)
