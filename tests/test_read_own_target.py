"""Files written by nvivo-bridge's own export profiles are read in the profile's position unit
without guessing: ``origin`` names the profile (``nvivo-bridge <version> (target=nvivo)``)."""
from __future__ import annotations

import pytest

from nvivo_bridge import api
from nvivo_bridge.model import Code, Coding, Project, Selection, Source
from nvivo_bridge.readers._producer import Evidence, detect


CODE, SEL, CODING, SRC = (f"0000000{k}-0000-4000-8000-000000000000" for k in range(1, 5))


def _tiny() -> Project:
    # One emoji before the coded "b": as UTF-16 units the selection is [5, 6), which read as code
    # points would be the space [5, 6) — both boundaries are word breaks, so scoring cannot tell.
    p = Project(name="tiny")
    p.codes[CODE] = Code(CODE, "Theme")
    sel = Selection(SEL, "text", 4, 5, codings=[Coding(CODING, CODE)])
    p.sources[SRC] = Source(SRC, "T1", text="\U0001F600 a b c", selections=[sel])
    return p


@pytest.mark.parametrize("target, unit", [("nvivo", "utf16"), ("atlasti", "codepoint-crlf1"),
                                          ("standard", "codepoint"), ("maxqda", "codepoint")])
def test_origin_names_the_unit(target, unit):
    verdict = detect(Evidence(origin=f"nvivo-bridge 0.1.0 (target={target})"))
    assert (verdict.producer, verdict.expected_unit) == ("nvivo-bridge", unit)


def test_plain_nvivo_bridge_origin_is_code_points():
    assert detect(Evidence(origin="nvivo-bridge 0.1.0")).expected_unit == "codepoint"


def test_small_nvivo_target_file_reads_back_exactly(tmp_path):
    out = tmp_path / "tiny.qdpx"
    api.write(_tiny(), out, target="nvivo")
    back = api.read(out)
    sel = back.sources[SRC].selections[0]
    assert back.position_unit == "utf16"
    assert (sel.start, sel.end) == (4, 5) and back.sources[SRC].excerpt(sel) == "b"
    assert not [i for i in back.issues if i.code.startswith("position-unit-")]
