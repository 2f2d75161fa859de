"""Codebook reader (.qdc): namespace variants (Q5), MemberCode@guid (§1.4), empty <Sets/> (Q6)."""
from __future__ import annotations

import pytest

from nvivo_bridge import api
from nvivo_bridge.errors import EXIT_UNREADABLE, ReadError
from qde_fixtures import G

C1, C2, C3 = G(1, "c").upper(), G(2, "c").upper(), G(3, "c").upper()


def qdc(tmp_path, body: str, ns: str = "urn:QDA-XML:codebook:1.0", origin: str = "ATLAS.ti Win 23.4.0",
        name: str = "cb.qdc"):
    f = tmp_path / name
    f.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="{ns}" origin="{origin}">{body}</CodeBook>',
                 encoding="utf-8")
    return f


CODES = (f'<Codes><Code guid="{C1}" name="Konteks" isCodable="false" color="#46aa00"><Description>ctx</Description>'
         f'<Code guid="{C2}" name="Kebutuhan" isCodable="true"/></Code>'
         f'<Code guid="{{{C3}}}" name="Proses" isCodable="true" color="rgb(1,2,3)"/></Codes>')


@pytest.mark.parametrize("ns", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4"])
def test_namespace_variants(tmp_path, ns):
    p = api.read(qdc(tmp_path, CODES, ns=ns))
    assert p.kind == "codebook" and p.producer == "atlasti" and p.guid_case == "upper"
    assert [c.name for c in p.codes.values()] == ["Konteks", "Kebutuhan", "Proses"]
    assert p.codes[C2.lower()].parent == C1.lower() and p.codes[C3.lower()].parent is None
    assert p.codes[C1.lower()].color == "#46AA00" and p.codes[C3.lower()].color == "#010203"
    assert not p.codes[C1.lower()].is_codable and p.codes[C1.lower()].description == "ctx"
    assert ("namespace-version" in [i.code for i in p.issues]) == (ns != "urn:QDA-XML:codebook:1.0")


def test_sets_member_code_by_guid_or_target(tmp_path):
    sets = (f'<Sets><Set guid="{G(1, "f")}" name="group"><Description>g</Description>'
            f'<MemberCode guid="{C1}"/><MemberCode targetGUID="{C2}"/></Set></Sets>')
    p = api.read(qdc(tmp_path, CODES + sets))
    st = p.sets[G(1, "f")]
    assert st.member_codes == [C1.lower(), C2.lower()] and st.description == "g"
    # A MemberCode's @guid is a reference, not an identity: no duplicate reported.
    assert not [i for i in p.issues if "duplicate" in i.code]


def test_taguette_empty_sets(tmp_path):
    p = api.read(qdc(tmp_path, CODES + "<Sets/>", origin="Taguette 1.4.1"))
    assert p.sets == {} and p.producer == "taguette"
    assert [i.code for i in p.issues if i.code != "color-rgb"] == ["empty-container"]


def test_unknown_parts_kept_in_extras(tmp_path):
    p = api.read(qdc(tmp_path, CODES + "<Vendor/>"))
    assert "Vendor" in p.extras["<elements>"][0]


@pytest.mark.parametrize("content,words", [
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>', "malformed XML"),
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', "this is a project"),
    ('<CodeBook><Codes/></CodeBook>', "without a namespace"),
])
def test_bad_codebooks(tmp_path, content, words):
    f = tmp_path / "bad.qdc"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ReadError) as info:
        api.read(f)
    assert info.value.exit_code == EXIT_UNREADABLE and words in str(info.value) and str(f) in str(info.value)
