"""Reader of .qdpx/.qde: one tiny in-code fixture per quirk (refi-qda.md Q1–Q16) and per bad input."""
from __future__ import annotations

import zipfile

import pytest

from nvivo_bridge import api
from nvivo_bridge.errors import EXIT_UNREADABLE, ReadError
from nvivo_bridge.options import Limits
from qde_fixtures import G, codebook, pts, qdpx, qde, text_source

C1, C2, S1 = G(1, "c"), G(2, "c"), G(1, "5")


def read(path, **kw):
    return api.read(path, **kw)


def codes_of(p, level=None):
    return [i.code for i in p.issues if level is None or i.level == level]


# -- basics -------------------------------------------------------------------------------------
def test_inline_text_selection_and_coding(tmp_path):
    body = ('<Users><User guid="' + G(1, "u").upper() + '" name="R1" id="R"/></Users>'
            + codebook((C1, "Konteks"))
            + "<Sources>" + text_source(S1, pts(G(1, "e"), 4, 9, C1), text="Apa kabar dunia") + "</Sources>")
    p = read(qdpx(tmp_path, body))
    src = p.sources[S1]
    assert src.text == "Apa kabar dunia"
    sel = src.selections[0]
    assert (sel.start, sel.end, src.excerpt(sel)) == (4, 9, "kabar")
    assert sel.codings[0].code == C1
    assert p.users[G(1, "u")].id == "R"
    assert p.producer == "nvivo-bridge" and p.position_unit == "codepoint"


def test_guid_case_majority_and_braces(tmp_path):
    up = [G(i, "c").upper() for i in range(1, 4)]
    body = codebook((up[0], "a"), ("{" + up[1] + "}", "b"), (G(9, "c"), "c"))
    p = read(qdpx(tmp_path, body))
    assert p.guid_case == "upper"
    assert set(p.codes) == {up[0].lower(), up[1].lower(), G(9, "c")}


def test_code_tree_colours_and_empty_description(tmp_path):
    body = ('<CodeBook><Codes><Code guid="' + C1 + '" name="P" isCodable="false" color="#abc"><Description/>'
            '<Code guid="' + C2 + '" name="K" isCodable="true" color="rgb(255, 0, 16, 0.5)"><Description>d</Description>'
            '</Code></Code></Codes></CodeBook>')
    p = read(qdpx(tmp_path, body))
    assert p.codes[C1].color == "#AABBCC" and p.codes[C1].description is None and not p.codes[C1].is_codable
    assert p.codes[C2].color == "#FF0010" and p.codes[C2].parent == C1 and p.codes[C2].description == "d"
    assert "color-rgb" in codes_of(p, "warning")


def test_empty_containers_accepted(tmp_path):
    p = read(qdpx(tmp_path, "<Users/><CodeBook><Codes/></CodeBook><Sources/><Notes/><Links/><Sets/><Description/>"))
    assert p.counts()["codes"] == 0 and p.description is None
    assert not [i for i in p.issues if i.level != "info"]


def test_unknown_attributes_and_elements_go_to_extras(tmp_path):
    body = ('<CodeBook><Codes><Code guid="' + C1 + '" name="a" isCodable="true" vendorFlag="7">'
            '<VendorThing x="1">hi</VendorThing></Code></Codes></CodeBook>'
            '<Sources>' + text_source(S1, pts(G(1, "e"), 0, 1, C1, extra=' weight="3"'), text="ab") + '</Sources>'
            '<Mystery/>')
    p = read(qdpx(tmp_path, body))
    code = p.codes[C1]
    assert code.extras["vendorFlag"] == "7"
    assert "VendorThing" in code.extras["<elements>"][0] and "hi" in code.extras["<elements>"][0]
    assert p.sources[S1].selections[0].extras == {"weight": "3"}
    assert "Mystery" in p.extras["<elements>"][0]


def test_several_codings_under_one_selection_kept(tmp_path):
    sel = (f'<PlainTextSelection guid="{G(1, "e")}" startPosition="0" endPosition="2">'
           f'<Coding guid="{G(1, "f")}"><CodeRef targetGUID="{C1}"/></Coding>'
           f'<Coding guid="{G(2, "f")}"><CodeRef targetGUID="{C2}"/></Coding></PlainTextSelection>'
           f'<PlainTextSelection guid="{G(2, "e")}" startPosition="0" endPosition="2"><Description>memo</Description>'
           f'</PlainTextSelection>')
    p = read(qdpx(tmp_path, codebook((C1, "a"), (C2, "b")) + "<Sources>" + text_source(S1, sel, text="ab cd")
                  + "</Sources>"))
    sels = p.sources[S1].selections
    assert [c.code for c in sels[0].codings] == [C1, C2]
    assert sels[1].codings == [] and sels[1].description == "memo"
    assert p.counts()["codings"] == 2


# -- container quirks (Q3, Q4, Q13) -------------------------------------------------------------
@pytest.mark.parametrize("folder", ["sources", "Sources", "SOURCES"])
def test_internal_path_any_folder_case(tmp_path, folder):
    body = "<Sources>" + text_source(S1, path=f"internal://{S1}.txt") + "</Sources>"
    files = {f"{folder}/{S1}.txt": "hello", f"{folder}/.root": b""}
    p = read(qdpx(tmp_path, body, files))
    assert p.sources[S1].text == "hello"


@pytest.mark.parametrize("member", ["Project.qde", "My project.qde", "PROJECT.QDE"])
def test_qde_member_name_varies(tmp_path, member):
    p = read(qdpx(tmp_path, codebook((C1, "a")), member=member))
    assert list(p.codes) == [C1]


def test_bare_plain_text_path_and_missing_text(tmp_path):
    body = ("<Sources>" + text_source(S1, path="board.txt") + text_source(G(2, "5"), path="internal://gone.txt")
            + "</Sources>")
    p = read(qdpx(tmp_path, body, {"sources/board.txt": "qc text"}))
    assert p.sources[S1].text == "qc text"
    assert p.sources[G(2, "5")].text is None
    assert "source-text-missing" in codes_of(p, "warning")


def test_relative_and_absolute_paths(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.txt").write_text("relative text", encoding="utf-8")
    (tmp_path / "abs.txt").write_text("absolute text", encoding="utf-8")
    (tmp_path / "secret.key").write_text("nope", encoding="utf-8")
    body = ("<Sources>" + text_source(S1, path="relative:///a.txt")
            + text_source(G(2, "5"), path="absolute://" + str(tmp_path / "abs.txt"))
            + text_source(G(3, "5"), path="absolute://" + str(tmp_path / "secret.key")) + "</Sources>")
    p = read(qdpx(tmp_path, body, attrs=f' basePath="{media}"'))
    assert p.sources[S1].text == "relative text"
    assert p.sources[G(2, "5")].text == "absolute text"
    assert p.sources[G(3, "5")].text is None and "source-text-not-txt" in codes_of(p)


def test_text_encodings(tmp_path):
    body = "<Sources>" + "".join(text_source(G(i, "5"), path=f"internal://{i}.txt") for i in (1, 2, 3)) + "</Sources>"
    files = {"sources/1.txt": "\ufeffcaf\u00e9".encode("utf-8"), "sources/2.txt": "\ufeffcaf\u00e9".encode("utf-16-le"),
             "sources/3.txt": "caf\u00e9 \u2013".encode("cp1252")}
    p = read(qdpx(tmp_path, body, files))
    assert [p.sources[G(i, "5")].text for i in (1, 2)] == ["caf\u00e9", "caf\u00e9"]
    assert p.sources[G(3, "5")].text == "caf\u00e9 \u2013"
    assert "text-encoding" in codes_of(p, "warning")


def test_bom_before_xml_declaration_and_no_declaration(tmp_path):
    p = read(qdpx(tmp_path, "\ufeff" + qde(codebook((C1, "a"))), wrap=False))
    assert list(p.codes) == [C1]
    p = read(qdpx(tmp_path, codebook((C1, "a")), name="b.qdpx", decl=False))
    assert list(p.codes) == [C1]


def test_bare_qde_with_sibling_sources_folder(tmp_path):
    (tmp_path / "Sources").mkdir()
    (tmp_path / "Sources" / f"{S1}.TXT").write_text("beside", encoding="utf-8")
    (tmp_path / "Sources" / f"{S1}.docx").write_bytes(b"PK-fake")
    f = tmp_path / "p.qde"
    f.write_text(qde("<Sources>" + text_source(S1, path=f"internal://{S1}.txt",
                                               extra=f' richTextPath="internal://{S1}.docx"') + "</Sources>"),
                 encoding="utf-8")
    p = read(f)
    src = p.sources[S1]
    assert src.text == "beside" and src.rich_text.file.endswith(".docx") and src.rich_text.size == 7


# -- bad inputs (exit 4) ------------------------------------------------------------------------
def _read_error(path, **kw) -> ReadError:
    with pytest.raises(ReadError) as info:
        read(path, **kw)
    assert info.value.exit_code == EXIT_UNREADABLE
    return info.value


def test_not_a_zip(tmp_path):
    f = tmp_path / "x.qdpx"
    f.write_text(qde(""), encoding="utf-8")
    err = _read_error(f)
    assert "not a zip" in str(err) and str(f) in str(err) and err.hint


def test_truncated_zip(tmp_path):
    good = qdpx(tmp_path, codebook((C1, "a")), {"sources/a.txt": "x" * 5000})
    data = good.read_bytes()
    bad = tmp_path / "cut.qdpx"
    bad.write_bytes(data[: len(data) // 2])
    assert "zip" in str(_read_error(bad))


def test_no_qde_and_two_qde(tmp_path):
    f = tmp_path / "none.qdpx"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("sources/a.txt", "x")
    assert "no .qde" in str(_read_error(f))
    f2 = qdpx(tmp_path, codebook(), {"other.qde": qde("")}, name="two.qdpx")
    err = _read_error(f2)
    assert "several .qde" in str(err) and "other.qde" in str(err)


def test_malformed_xml_names_the_line(tmp_path):
    f = qdpx(tmp_path, '<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">\n<Users>\n</Project>',
             wrap=False)
    err = _read_error(f)
    assert "malformed XML" in str(err) and "project.qde line" in err.location


@pytest.mark.parametrize("xml", ['<Project name="x"/>', '<Project xmlns="urn:other" name="x"/>',
                                 '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', '<html><p>hi</p></html>',
                                 '<Wrap xmlns="urn:QDA-XML:project:1.0"><Project name="x"/></Wrap>'])
def test_wrong_root_or_namespace(tmp_path, xml):
    err = _read_error(qdpx(tmp_path, xml, wrap=False))
    assert "not a REFI-QDA project" in str(err)


def test_other_namespace_version_is_info(tmp_path):
    p = read(qdpx(tmp_path, codebook((C1, "a")), ns="urn:QDA-XML:project:1:0"))
    assert list(p.codes) == [C1] and "namespace-version" in codes_of(p, "info")


def test_entities_are_not_expanded(tmp_path):
    xml = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    try:
        p = read(qdpx(tmp_path, xml, wrap=False))
    except ReadError:
        return
    assert "root:" not in p.name


def test_member_size_ratio_and_count_limits(tmp_path):
    f = qdpx(tmp_path, codebook((C1, "a")) + " " * 3_000_000)
    assert "compression ratio" in str(_read_error(f, limits=Limits(max_ratio=50)))
    assert "limit" in str(_read_error(f, limits=Limits(max_member_bytes=100_000)))
    many = qdpx(tmp_path, codebook(), {f"sources/{i}.txt": "x" for i in range(20)}, name="many.qdpx")
    assert "members" in str(_read_error(many, limits=Limits(max_members=10)))


def test_lying_size_header_is_capped(tmp_path):
    f = qdpx(tmp_path, codebook((C1, "a")) + " " * 400_000)
    data = bytearray(f.read_bytes())
    with zipfile.ZipFile(f) as zf:
        info = zf.getinfo("project.qde")
    real = info.file_size
    # Rewrite the declared uncompressed size (central directory and local header) to a small value.
    fake = (1000).to_bytes(4, "little")
    data = data.replace(real.to_bytes(4, "little"), fake)
    bad = tmp_path / "lie.qdpx"
    bad.write_bytes(bytes(data))
    with pytest.raises(ReadError):
        read(bad, limits=Limits(max_member_bytes=5000))


def test_encrypted_member(tmp_path):
    f = qdpx(tmp_path, codebook((C1, "a")))
    data = bytearray(f.read_bytes())
    data[6] |= 1  # local header general-purpose flag: encrypted
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 1  # central directory flag
    bad = tmp_path / "enc.qdpx"
    bad.write_bytes(bytes(data))
    assert "encrypted" in str(_read_error(bad))


def test_too_deep_nesting(tmp_path):
    nested = "".join(f'<Code guid="{G(i, "c")}" name="n{i}" isCodable="true">' for i in range(40)) + "</Code>" * 40
    f = qdpx(tmp_path, f"<CodeBook><Codes>{nested}</Codes></CodeBook>")
    assert "nested deeper" in str(_read_error(f, limits=Limits(max_xml_depth=20)))
    assert len(read(f).codes) == 40


def test_external_files_are_reported(tmp_path):
    (tmp_path / "abs.txt").write_text("outside", encoding="utf-8")
    body = "<Sources>" + text_source(S1, path="absolute://" + str(tmp_path / "abs.txt")) + "</Sources>"
    p = read(qdpx(tmp_path, body))
    assert p.sources[S1].text == "outside" and "external-file" in codes_of(p, "info")


def test_cli_exit_codes(tmp_path):
    from click.testing import CliRunner

    from nvivo_bridge.cli import main

    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip at all")
    result = CliRunner().invoke(main, ["info", str(bad)])
    assert result.exit_code == EXIT_UNREADABLE and "not a zip" in result.output
    assert "Traceback" not in result.output
    good = qdpx(tmp_path, codebook((C1, "a")), name="good.qdpx")
    assert CliRunner().invoke(main, ["info", str(good)]).exit_code == 0
