"""Producer detection recognises our own ``--target nvivo|atlasti|maxqda`` files as shaped like
that program's exports (folder, GUID case, BOM, line endings, position unit; issue 14)."""
from __future__ import annotations

import zipfile

import pytest

import nvivo_bridge as nb
from nvivo_bridge.readers._producer import Evidence, detect
from interop_fixtures import tricky_project

CASES = [("nvivo", "nvivo-win", "NVivo for Windows", "utf16"),
         ("atlasti", "atlasti", "ATLAS.ti", "codepoint-crlf1"),
         ("maxqda", "maxqda", "MAXQDA", "codepoint")]


@pytest.mark.parametrize("target, flavour, program, unit", CASES)
def test_own_target_file_is_recognised(tmp_path, target, flavour, program, unit):
    out = tmp_path / f"{target}.qdpx"
    nb.write(tricky_project(), out, target=target)
    back = nb.read(out)
    producer = next(i.message for i in back.issues if i.code == "producer")
    assert f"shaped like {program}'s exports" in producer
    assert back.producer == "nvivo-bridge" and back.position_unit == unit
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert "project.qde" in names and all(n == "project.qde" or n.startswith("sources/") for n in names)


@pytest.mark.parametrize("target, flavour, program, unit", CASES)
def test_structure_decides_the_flavour(target, flavour, program, unit):
    origin = f"nvivo-bridge 0.1.0 (target={target})"
    bom = 2 if target == "nvivo" else 0
    case = "lower" if target == "nvivo" else "upper"
    good = Evidence(origin=origin, members=["project.qde", "sources/a.txt"], texts=2, texts_bom=bom, texts_crlf=2,
                    guid_case=case)
    assert detect(good).flavour == flavour
    wrong_case = Evidence(origin=origin, members=good.members, texts=2, texts_bom=bom, texts_crlf=2,
                          guid_case="upper" if case == "lower" else "lower")
    assert detect(wrong_case).flavour is None
    lf_only = Evidence(origin=origin, members=good.members, texts=2, texts_bom=bom, texts_crlf=0, guid_case=case)
    assert detect(lf_only).flavour is None
    capital = Evidence(origin=origin, members=["project.qde", "Sources/a.txt"], texts=2, texts_bom=bom,
                       texts_crlf=2, guid_case=case)
    assert detect(capital).flavour is None


def test_standard_and_qualcoder_files_imitate_no_program(tmp_path):
    for target in ("standard", "qualcoder"):
        assert detect(Evidence(origin=f"nvivo-bridge 0.1.0 (target={target})")).flavour is None
