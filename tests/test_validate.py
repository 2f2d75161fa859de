"""validate: XSD validation after namespace normalisation, and one fixture per model check."""
from __future__ import annotations

import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, needs_corpus
from nvivo_bridge import api
from nvivo_bridge.checks.rules import CHECK_CODES
from nvivo_bridge.errors import ReadError
from nvivo_bridge.model import (Case, Code, Coding, Edge, Graph, Link, Note, Project, Selection, Set, Source,
                                SyncPoint, Transcript, User, Variable, VariableValue, Vertex)
from nvivo_bridge.checks.validate import check_project, problems, validate_path, xsd_issues


def G(prefix: str, n: int = 1) -> str:
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


def codes_of(issues) -> set[str]:
    return {i.code for i in issues}


def test_clean_projects_have_no_problems(rich_project, small_project):
    assert problems(check_project(small_project)) == []
    assert problems(check_project(rich_project)) == []


def _base() -> Project:
    p = Project(name="t", users={G("a"): User(G("a"), "R")})
    p.codes = {G("c", 1): Code(G("c", 1), "A"), G("c", 2): Code(G("c", 2), "Theme", is_codable=False)}
    p.variables = {G("d", 1): Variable(G("d", 1), "Age", "Integer")}
    src = Source(G("50"), "Interview", text="Some interview text.")
    p.sources = {src.guid: src}
    return p


CASES = {
    "dangling-code-ref": lambda p: p.sources[G("50")].codings.append(Coding(G("c1", 9), G("c", 7))),
    "coding-to-non-codable": lambda p: p.sources[G("50")].codings.append(Coding(G("c1", 9), G("c", 2))),
    "dangling-note-ref": lambda p: p.codes[G("c", 1)].note_refs.append(G("e", 9)),
    "dangling-source-ref": lambda p: p.cases.update({G("ca"): Case(G("ca"), "x", source_refs=[G("50", 9)])}),
    "dangling-selection-ref": lambda p: p.cases.update({G("ca"): Case(G("ca"), "x", selection_refs=[G("5e", 9)])}),
    "dangling-variable-ref": lambda p: p.sources[G("50")].variable_values.append(VariableValue(G("d", 9), "1")),
    "value-type-mismatch": lambda p: p.cases.update({G("ca"): Case(G("ca"), "x", variable_values=[
        VariableValue(G("d", 1), "forty", "Integer")])}),
    "value-type-differs": lambda p: p.cases.update({G("ca"): Case(G("ca"), "x", variable_values=[
        VariableValue(G("d", 1), "40", "Text")])}),
    "dangling-set-member": lambda p: p.sets.update({G("f"): Set(G("f"), "S", member_notes=[G("e", 9)])}),
    "dangling-link-end": lambda p: p.links.update({G("b"): Link(G("b"), origin=G("c", 1), target=G("99"))}),
    "dangling-graph-vertex": lambda p: p.graphs.update({G("9"): Graph(G("9"), edges=[Edge(G("92"), G("91"), G("91", 2))])}),
    "dangling-graph-ref": lambda p: p.graphs.update({G("9"): Graph(G("9"), vertices=[Vertex(G("91"), G("77"))])}),
    "dangling-parent": lambda p: setattr(p.codes[G("c", 1)], "parent", G("c", 5)),
    "code-cycle": lambda p: (setattr(p.codes[G("c", 1)], "parent", G("c", 2)),
                             setattr(p.codes[G("c", 2)], "parent", G("c", 1))),
    "dangling-user-ref": lambda p: p.sources[G("50")].codings.append(Coding(G("c1", 9), G("c", 1), G("a", 5))),
    "duplicate-guid": lambda p: p.sources[G("50")].selections.extend([Selection(G("5e"), start=0, end=1),
                                                                      Selection(G("5e"), start=1, end=2)]),
    "duplicate-guid-cross-kind": lambda p: p.notes.update({G("c", 1): Note(G("c", 1), "memo", text="m")}),
    "selection-out-of-range": lambda p: p.sources[G("50")].selections.append(Selection(G("5e"), start=5, end=500)),
    "selection-position-unknown": lambda p: p.sources[G("50")].selections.append(Selection(G("5e"))),
    "source-file-missing": lambda p: p.sources.update({G("51"): Source(G("51"), "scan", kind="pdf",
                                                                       path="internal://x.pdf")}),
    "source-text-missing": lambda p: setattr(p.sources[G("50")], "text", None),
    "source-text-empty": lambda p: setattr(p.sources[G("50")], "text", "\n"),
    "source-name-is-guid": lambda p: setattr(p.sources[G("50")], "name", "{" + G("50").upper() + "}"),
    "dangling-sync-point": lambda p: p.sources.update({G("55"): Source(G("55"), "rec", kind="audio", transcripts=[
        Transcript(G("56"), text="abc", sync_points=[SyncPoint(G("57"), 0, 0)],
                   selections=[Selection(G("5f"), kind="transcript", from_sync=G("57"), to_sync=G("57", 4))])])}),
}


def test_every_check_code_has_a_fixture():
    assert set(CASES) == set(CHECK_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_check_is_triggered_with_a_location(code):
    p = _base()
    assert codes_of(problems(check_project(p))) == set()
    CASES[code](p)
    found = [i for i in check_project(p) if i.code == code]
    assert found, code
    assert all(i.location for i in found)
    others = codes_of(problems(check_project(p))) - {code}
    assert not others - {"duplicate-guid-cross-kind"}, others


def test_case_coding_is_not_a_dangling_code():
    p = _base()
    p.cases[G("ca")] = Case(G("ca"), "Informant 1")
    p.sources[G("50")].codings.append(Coding(G("c1", 3), G("ca")))  # Q8: NVivo case coding
    assert "dangling-code-ref" not in codes_of(check_project(p))


PROJECT_OK = ('<?xml version="1.0"?><Project xmlns="{ns}" name="p"><CodeBook><Codes>'
              '<Code guid="C0000000-0000-4000-8000-000000000001" name="a" isCodable="true"/></Codes></CodeBook>'
              '</Project>')


def test_xsd_valid_and_invalid_qde(tmp_path):
    ok = tmp_path / "ok.qde"
    ok.write_text(PROJECT_OK.format(ns="urn:QDA-XML:project:1.0"), encoding="utf-8")
    assert problems(validate_path(ok)) == []
    bad = tmp_path / "bad.qde"
    bad.write_text(PROJECT_OK.format(ns="urn:QDA-XML:project:1.0").replace('isCodable="true"', ""), encoding="utf-8")
    issues = [i for i in xsd_issues(bad) if i.code == "schema-invalid"]
    assert issues and issues[0].location == "bad.qde line 1" and "isCodable" in issues[0].message


_SPACED = ('<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n  <Users>\n'
           '    <User guid="{u}" name="u"/>\n  </Users>\n  <CodeBook>\n    <Codes>\n'
           '      <Code guid="C0000000-0000-4000-8000-000000000001" name="a" isCodable="true">\n'
           '        <Description>{desc}</Description>\n      </Code>\n    </Codes>\n  </CodeBook>\n'
           '  <Variables>\n'
           '    <Variable guid="D0000000-0000-4000-8000-000000000001" name="n" typeOfVariable="Integer"/>\n'
           '  </Variables>\n  <Cases>\n'
           '    <Case guid="E0000000-0000-4000-8000-000000000001" name="c">\n      <VariableValue>\n'
           '        <VariableRef targetGUID="D0000000-0000-4000-8000-000000000001"/>\n'
           '        <IntegerValue>{value}</IntegerValue>\n      </VariableValue>\n    </Case>\n  </Cases>\n'
           '</Project>\n')


@pytest.mark.parametrize("desc, value, user", [
    ("   ", "7", "B0000000-0000-4000-8000-000000000001"), ("\n  ", " ", "B0000000-0000-4000-8000-000000000001"),
    ("x", "  ", "nope"), ("", "", "B0000000-0000-4000-8000-000000000001"),
])
def test_indentation_dropped_before_validation_changes_no_finding(tmp_path, desc, value, user):
    """The XSD check parses without the blank text between elements (less memory); whitespace-only
    values inside elements are judged as before, at the same lines."""
    from lxml import etree

    from nvivo_bridge.checks.validate import _schema

    f = tmp_path / "p.qde"
    f.write_text(_SPACED.format(desc=desc, value=value, u=user), encoding="utf-8")
    schema = _schema("project")
    schema.validate(etree.parse(str(f)))
    want = [(e.message, f"p.qde line {e.line}") for e in schema.error_log]
    got = [(i.message, i.location) for i in xsd_issues(f) if i.code == "schema-invalid"]
    assert got == want


def test_namespace_variant_is_normalised(tmp_path):
    f = tmp_path / "cb.qdc"
    f.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="x"><Codes>'
                 '<Code guid="C0000000-0000-4000-8000-000000000001" name="a" isCodable="true"/></Codes></CodeBook>',
                 encoding="utf-8")
    issues = xsd_issues(f)
    assert codes_of(issues) == {"namespace-normalised"} and problems(issues) == []


def test_qdpx_member_is_validated(tmp_path, small_project):
    out = tmp_path / "p.qdpx"
    api.write(small_project, out)
    assert problems(validate_path(out)) == []
    broken = tmp_path / "b.qdpx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "project.qde":
                data = data.replace(b"<Users>", b"<Users><Stray/>", 1)
            dst.writestr(info, data)
    assert "schema-invalid" in codes_of(validate_path(broken))


@pytest.mark.parametrize("content, suffix", [(b"not a zip", ".qdpx"), (b"<Project", ".qde")])
def test_unreadable_inputs_raise(tmp_path, content, suffix):
    f = tmp_path / f"x{suffix}"
    f.write_bytes(content)
    with pytest.raises(ReadError):
        validate_path(f)


def test_json_input_is_checked_without_xsd(tmp_path, small_project):
    next(iter(small_project.sources.values())).selections[0].end = 10_000
    out = tmp_path / "p.json"
    api.write(small_project, out)
    assert "selection-out-of-range" in codes_of(validate_path(out))


@needs_corpus
def test_corpus_findings_match_the_documented_ones():
    refi = CORPUS / "refi"
    assert "schema-invalid" in codes_of(validate_path(refi / "taguette141-utotag.qdc"))  # Q6
    mac15 = codes_of(validate_path(refi / "qualcoding-nvivo-mac15.qdpx"))  # Q14
    assert {"source-text-empty", "source-name-is-guid"} <= mac15
    assert problems(validate_path(refi / "ponte-atlas-target.qdpx")) == []


def _tree_errors(path) -> list[str]:
    """The schema errors of a plain tree validation (the slow path, the reference)."""
    from lxml import etree

    from nvivo_bridge.readers._safe import xml_parser
    from nvivo_bridge.checks.validate import _schema

    root = etree.parse(str(path), xml_parser(remove_blank_text=True)).getroot()
    schema = _schema("codebook" if "codebook" in root.tag else "project")
    schema.validate(root.getroottree())
    return [e.message for e in schema.error_log]


_MUTATIONS = [
    (b' isCodable="true"', b""), (b'startPosition="', b'startPosition="x'), (b"<Users>", b"<Users><Stray/>"),
    (b'name="', b'nom="'), (b"<Codes>", b"<Codes><Code/>"), (b"</Sources>", b"<TextSource/></Sources>"),
    (b'typeOfVariable="', b'typeOfVariable="Nope'), (b"<CodeRef ", b"<CodeRef bogus=\"1\" "),
    (b"</Project>", b"<Extra/></Project>"), (b"<Description>", b"<Description><b/>"),
]


@pytest.fixture(scope="module")
def rich_qde(tmp_path_factory):
    from projects import rich_project

    out = tmp_path_factory.mktemp("qde") / "p.qdpx"
    api.write(rich_project(), out)
    with zipfile.ZipFile(out) as z:
        return z.read("project.qde")


@pytest.mark.parametrize("k", range(len(_MUTATIONS)))
@pytest.mark.parametrize("where", ["first", "last"])
def test_streaming_check_agrees_with_the_tree_validation(tmp_path, rich_qde, k, where):
    """The streamed yes/no (which frees elements as it goes) says valid exactly when the tree
    validation finds nothing, for errors early and late in the file; xsd_issues then lists the
    tree's errors."""
    from nvivo_bridge.options import ReadOptions
    from nvivo_bridge.checks.validate import _streams_valid

    old, new = _MUTATIONS[k]
    assert old in rich_qde
    at = rich_qde.find(old) if where == "first" else rich_qde.rfind(old)
    f = tmp_path / "m.qde"
    f.write_bytes(rich_qde[:at] + new + rich_qde[at + len(old):])
    want = _tree_errors(f)
    assert want, "each mutation makes the file invalid"
    assert _streams_valid(f, ReadOptions()) is False
    assert [i.message for i in xsd_issues(f) if i.code == "schema-invalid"] == want
    ok = tmp_path / "ok.qde"
    ok.write_bytes(rich_qde)
    assert _streams_valid(ok, ReadOptions()) is True and _tree_errors(ok) == []


def test_late_error_in_a_long_file_is_found(tmp_path):
    """Elements are freed as they stream past; an error after thousands of them is still seen,
    and the tree validation places it on its line."""
    from nvivo_bridge.options import ReadOptions
    from nvivo_bridge.checks.validate import _streams_valid

    code = Code(G("c"), "a")
    text = "kata " * 4000
    sels = [Selection(G("5e", n), start=n, end=n + 3, codings=[Coding(G("c1", n), code.guid)]) for n in range(3000)]
    p = Project(name="p", codes={code.guid: code}, sources={G("50"): Source(G("50"), "S", text=text, selections=sels)})
    out = tmp_path / "p.qde"
    api.write(p, out)
    data = out.read_bytes()
    assert _streams_valid(out, ReadOptions()) and xsd_issues(out) == []
    at = data.rfind(b"<PlainTextSelection ")
    out.write_bytes(data[:at] + b"<PlainTextSelection bogus=\"1\" " + data[at + len(b"<PlainTextSelection "):])
    assert not _streams_valid(out, ReadOptions())
    issues = [i for i in xsd_issues(out) if i.code == "schema-invalid"]
    line = data[:at].count(b"\n") + 1
    assert len(issues) == 1 and "bogus" in issues[0].message and issues[0].location == f"p.qde line {line}"


@needs_corpus
def test_streaming_check_agrees_on_the_corpus():
    """Valid and invalid real files (Taguette's codebook breaks the schema, Q6; some use older
    namespaces, which always take the tree path) get the same verdict both ways."""
    from lxml import etree

    from nvivo_bridge.options import ReadOptions
    from nvivo_bridge.readers._safe import xml_parser
    from nvivo_bridge.checks.validate import _qde_bytes, _schema, _streams_valid

    verdicts = set()
    for f in sorted((CORPUS / "refi").iterdir()):
        data, _ = _qde_bytes(f, ReadOptions())
        root = etree.fromstring(data, xml_parser(remove_blank_text=True))
        if etree.QName(root).namespace not in ("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0"):
            assert not _streams_valid(f, ReadOptions()), f.name
            continue
        valid = _schema("codebook" if "codebook" in root.tag else "project").validate(root.getroottree())
        assert _streams_valid(f, ReadOptions()) == valid, f.name
        verdicts.add(valid)
    assert verdicts == {True, False}


@given(st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_streaming_verdict_equals_tree_verdict_on_damaged_files(tmp_path, rich_qde, data):
    """Random cuts, copies and insertions anywhere in a valid .qde: the streamed check says valid
    exactly when the file parses and the tree validation finds nothing, and xsd_issues either
    lists findings or raises ReadError (malformed XML), nothing else."""
    from lxml import etree

    from nvivo_bridge.options import ReadOptions
    from nvivo_bridge.readers._safe import xml_parser
    from nvivo_bridge.checks.validate import _schema, _streams_valid

    blob = bytearray(rich_qde)
    for _ in range(data.draw(st.integers(1, 3))):
        a = data.draw(st.integers(0, len(blob)))
        b = data.draw(st.integers(a, min(len(blob), a + 40)))
        how = data.draw(st.sampled_from(["cut", "copy", "insert"]))
        if how == "cut":
            del blob[a:b]
        elif how == "copy":
            blob[a:a] = blob[a:b]
        else:
            blob[a:a] = data.draw(st.sampled_from([b"<x/>", b"\"", b"<", b">", b" a=\"1\"", b"</Code>", b"&amp;"]))
    f = tmp_path / "d.qde"
    f.write_bytes(bytes(blob))
    try:
        root = etree.fromstring(bytes(blob), xml_parser(remove_blank_text=True))
    except etree.XMLSyntaxError:
        root = None
    valid = (root is not None and etree.QName(root).namespace == "urn:QDA-XML:project:1.0"
             and _schema("project").validate(root))
    assert _streams_valid(f, ReadOptions()) == bool(valid)
    if root is None:
        with pytest.raises(ReadError, match="not well-formed"):
            xsd_issues(f)
    elif etree.QName(root).namespace == "urn:QDA-XML:project:1.0":   # a cut namespace takes other paths
        assert (problems(xsd_issues(f)) == []) == bool(valid)
