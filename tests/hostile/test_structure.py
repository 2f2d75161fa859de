"""Structurally broken projects: wrong root or namespace, missing attributes, bad positions,
dangling and duplicate GUIDs, sets and links pointing nowhere, nameless cases.

Each either reads (with a warning naming the place, and nothing silently dropped) or fails with
exit 4 naming the file and line; every result converts to every output format."""
from __future__ import annotations

import json

import pytest

from ._kit import (C1, C2, S1, TEXT, U1, cli, expect_error, expect_ok, guid, qde, qdpx, selection, text_source)

EMPTY_NAME = ' name=""'
OUTPUTS = ["out.xlsx", "out.json", "out.qdpx", "out.qdc", "outcsv"]


def _all_outputs(work, src, strict_code=None):
    """Convert ``src`` to every format; each must succeed; return the JSON dump and the warnings."""
    errs = []
    for out in OUTPUTS:
        errs.append(expect_ok(cli("convert", src, "-o", work / out)))
    if strict_code is not None:
        expect_error(cli("convert", src, "-o", work / "strict.json", "--strict"), strict_code, src.name)
        assert not (work / "strict.json").exists()
    return json.loads((work / "out.json").read_text(encoding="utf-8")), errs[0]


@pytest.mark.parametrize("doc,words", [
    ("<Foo/>", ["<Foo>"]),
    ('<Project xmlns="urn:somebody-else"/>', ["urn:somebody-else"]),
    ("<Project/>", ["without a namespace"]),
    (f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', ["CodeBook"]),
    ('<p:Project xmlns:p="urn:QDA-XML:project:1.0"><Foo/></p:Project><Project/>', ["line"]),
    ("", []),
    ("   \n\n", []),
    ("<?xml version='1.0'?>", []),
    ("\x00\x01\x02", []),
])
def test_wrong_root_or_namespace(work, doc, words):
    (work / "p.qde").write_text(doc)
    expect_error(cli("convert", work / "p.qde", "-o", work / "out.json"), 4, "p.qde", *words)
    qdpx(work / "p.qdpx", doc)
    expect_error(cli("convert", work / "p.qdpx", "-o", work / "out.json"), 4, "p.qdpx")
    assert not (work / "out.json").exists()


def test_project_read_as_a_codebook(work):
    (work / "p.qdc").write_text(qde())
    expect_error(cli("convert", work / "p.qdc", "-o", work / "out.json"), 4, "p.qdc", "Project")


def test_missing_required_attributes(work):
    codes = f'<Code name="no guid" isCodable="true"/><Code guid="{C1}" isCodable="true"/><Code guid="{C2}" name="ok"/>'
    body = (f'<Sources><TextSource guid="{S1}" plainTextPath="internal://{S1}.txt">'
            f'<PlainTextSelection guid="{guid("e", 1)}"><Coding guid="{guid("f", 1)}"><CodeRef targetGUID="{C2}"/>'
            f'</Coding></PlainTextSelection>{selection(2, 0, 5, extra=EMPTY_NAME)}'
            f'<PlainTextSelection startPosition="0" endPosition="3"><Coding><CodeRef targetGUID="{C2}"/></Coding>'
            f"</PlainTextSelection></TextSource></Sources>")
    src = qdpx(work / "p.qdpx", qde(body, codes=codes, attrs=""))
    dump, err = _all_outputs(work, src, strict_code=3)
    assert "line" in err
    assert len(dump["codes"]) == 3  # the code without a GUID is kept (under a new GUID) with a warning
    assert sum(len(s.get("selections", [])) for s in dump["sources"]) == 3


@pytest.mark.parametrize("start,end", [("abc", "5"), ("-5", "3"), ("10", "2"), ("1e3", "2e3"), ("0", "99999999999999999999"),
                                       ("nan", "inf"), ("", ""), ("3.7", "8.2")])
def test_bad_positions(work, start, end):
    src = qdpx(work / "p.qdpx", qde(text_source(selection(1, start, end) + selection(2, 0, 5))))
    dump, err = _all_outputs(work, src, strict_code=3)
    assert guid("e", 1) in err or "line" in err, err
    sels = [s for src_ in dump["sources"] for s in src_.get("selections", [])]
    assert len(sels) == 2  # nothing dropped
    for s in sels:
        if s.get("start") is not None:
            assert 0 <= s["start"] <= s["end"] <= len(TEXT)


def test_dangling_references(work):
    nowhere = guid("0", 999)
    body = (text_source(selection(1, 0, 5, code=nowhere) + selection(2, 0, 5))
            + f'<Notes><Note guid="{guid("9", 1)}" name="n" creatingUser="{nowhere}"><PlainTextContent>x</PlainTextContent>'
              f'<NoteRef targetGUID="{nowhere}"/></Note></Notes>'
            + f'<Links><Link guid="{guid("7", 1)}" name="l" originGUID="{nowhere}" targetGUID="{C1}"/></Links>'
            + f'<Sets><Set guid="{guid("6", 1)}" name="s"><MemberCode targetGUID="{nowhere}"/>'
              f'<MemberSource targetGUID="{S1}"/></Set><Set guid="{guid("6", 2)}" name="empty"><MemberCode/></Set></Sets>')
    src = qdpx(work / "p.qdpx", qde(body))
    dump, _ = _all_outputs(work, src)
    # Kept as read; validate names every dangling reference and exits 5.
    result = cli("validate", src)
    assert result.exit_code == 5, result.stderr
    assert result.stdout.count(nowhere) >= 3, result.stdout
    assert len(dump["links"]) == 1 and len(dump["sets"]) == 2


def test_duplicate_guids(work):
    codes = f'<Code guid="{C1}" name="first"/><Code guid="{C1}" name="second"/><Code guid="{C2}" name="x"/>'
    body = (f'<Sources><TextSource guid="{S1}" name="a" plainTextPath="internal://{S1}.txt">{selection(1, 0, 5)}'
            f'{selection(1, 6, 9)}</TextSource>'
            f'<TextSource guid="{S1}" name="b" plainTextPath="internal://{S1}.txt">{selection(3, 0, 5)}</TextSource></Sources>'
            f'<Cases><Case guid="{S1}" name="case reusing a source GUID"/></Cases>')
    src = qdpx(work / "p.qdpx", qde(body, codes=codes))
    dump, err = _all_outputs(work, src, strict_code=3)
    assert {c["name"] for c in dump["codes"]} >= {"first", "second"}  # both kept
    assert {s["name"] for s in dump["sources"]} == {"a", "b"}
    assert sum(len(s.get("selections", [])) for s in dump["sources"]) == 3
    assert "duplicate" in err.lower() or C1 in err


def test_case_without_name_and_members(work):
    body = (text_source(selection(1, 0, 5))
            + f'<Cases><Case guid="{guid("4", 1)}"><SourceRef targetGUID="{S1}"/></Case>'
              f'<Case guid="{guid("4", 2)}" name=""><CodeRef targetGUID="{guid("0", 5)}"/></Case><Case/></Cases>')
    src = qdpx(work / "p.qdpx", qde(body))
    dump, _ = _all_outputs(work, src)
    assert len(dump["cases"]) == 3
    for out in ("cipp.xlsx",):
        expect_ok(cli("cipp", src, "-o", work / out))


def test_variables_and_values_broken(work):
    var = guid("d", 1)
    body = (f'<Variables><Variable guid="{var}" name="Age" typeOfVariable="Integer"/>'
            f'<Variable guid="{guid("d", 2)}" typeOfVariable="Nonsense"/></Variables>'
            + f'<Cases><Case guid="{guid("4", 1)}" name="c"><VariableValue><VariableRef targetGUID="{var}"/>'
              f'<IntegerValue>not a number</IntegerValue></VariableValue><VariableValue><IntegerValue>3</IntegerValue>'
              f'</VariableValue><VariableValue><VariableRef targetGUID="{guid("d", 9)}"/><TextValue>x</TextValue>'
              f"</VariableValue></Case></Cases>")
    src = qdpx(work / "p.qdpx", qde(body))
    _all_outputs(work, src, strict_code=3)


def test_graphs_and_users_broken(work):
    body = (f'<Graphs><Graph guid="{guid("8", 1)}"><Vertex guid="{guid("8", 2)}" representedGUID="{guid("0", 1)}" '
            f'firstX="a" firstY="-1"/><Edge guid="{guid("8", 3)}" sourceVertex="{guid("8", 9)}" '
            f'targetVertex="{guid("8", 2)}"/></Graph><Graph/></Graphs>')
    doc = qde(body).replace(f'<User guid="{U1}" name="R1"/>', f'<User guid="{U1}"/><User name="nobody"/><User/>')
    src = qdpx(work / "p.qdpx", doc)
    _all_outputs(work, src)


def test_unknown_elements_and_attributes_are_kept(work):
    body = text_source(selection(1, 0, 5, extra=' vendor:x="1" xmlns:vendor="urn:v"')) + "<Mystery><Deep a='1'/></Mystery>"
    src = qdpx(work / "p.qdpx", qde(body))
    dump, _ = _all_outputs(work, src)
    assert "Mystery" in json.dumps(dump)


def test_json_dump_with_wrong_value_types(work):
    from nvivo_bridge import api
    from projects import rich_project
    api.write(rich_project(), work / "r.json")
    dump = json.loads((work / "r.json").read_text(encoding="utf-8"))
    blobs = [s for s in dump["sources"] if s.get("file")]
    assert blobs
    blobs[0]["file"]["data"] = {"not": "bytes"}  # found by atheris: the QDPX writer failed on it
    (work / "bad.json").write_text(json.dumps(dump), encoding="utf-8")
    expect_error(cli("convert", work / "bad.json", "-o", work / "o.qdpx"), 4, "bad.json", "data")
    dump["sources"][0]["selections"] = [{"guid": 5}]
    (work / "bad2.json").write_text(json.dumps(dump), encoding="utf-8")
    expect_error(cli("convert", work / "bad2.json", "-o", work / "o.qdpx"), 4, "bad2.json", "$.sources[0]")
