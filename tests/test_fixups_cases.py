"""NVivo case coding (refi-qda.md Q8) read in one pass: nested case twins, many case codings."""
from __future__ import annotations

from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source
from nvivo_bridge.readers._fixups import cases_as_codes


def test_code_under_nested_twins_moves_to_the_nearest_kept_ancestor():
    p = Project()
    p.codes["root"] = Code("root", "Cases")
    p.codes["a"] = Code("a", "A", parent="root")       # twin of case a
    p.codes["b"] = Code("b", "B", parent="a")          # twin of case b, under twin a
    p.codes["theme"] = Code("theme", "T", parent="b")  # a real code under two twins
    p.cases.update({"a": Case("a", "A"), "b": Case("b", "B")})
    cases_as_codes(p, Diagnostics())
    assert set(p.codes) == {"root", "theme"} and p.codes["theme"].parent == "root"


def test_many_case_codings_become_unique_memberships():
    p = Project()
    p.codes["t"] = Code("t", "Theme")
    p.cases["k"] = Case("k", "Case", selection_refs=["s0"])
    sels = [Selection(f"s{i % 500}", "text", 0, 1, codings=[Coding(f"c{i}", "k"), Coding(f"d{i}", "t")])
            for i in range(1000)]
    p.sources["src"] = Source("src", "S", text="x", selections=sels, codings=[Coding("w1", "k"), Coding("w2", "k")])
    diag = Diagnostics()
    cases_as_codes(p, diag)
    case = p.cases["k"]
    assert case.selection_refs == [f"s{i}" for i in range(500)] and case.source_refs == ["src"]
    assert all([c.code for c in s.codings] == ["t"] for s in sels) and p.sources["src"].codings == []
    assert any(i.code == "case-coding" and "1002 coding(s)" in i.message for i in diag.finish())
