"""One depth limit for the code tree (issue 15): readers accept and writers nest every tree up to
``MAX_CODE_DEPTH`` levels, with no false "parents form a cycle"; deeper trees (from JSON or NVivo
exports) are written at the limit with a warning, and nothing recurses."""
from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from nvivo_bridge import api
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import MAX_CODE_DEPTH, Code, Project

from ._kit import NS, U1, cli, expect_error, expect_ok


def _chain(depth: int, siblings: int = 0) -> Project:
    """A chain of ``depth`` codes, and ``siblings`` extra children hung on the deepest few levels."""
    p = Project(name="deep")
    parent = None
    for k in range(depth):
        g = f"c0000000-0000-4000-8000-{k:012d}"
        p.codes[g] = Code(g, f"level {k + 1}", parent=parent)
        parent = g
    chain = list(p.codes)
    for k in range(siblings):
        g = f"d0000000-0000-4000-8000-{k:012d}"
        p.codes[g] = Code(g, f"extra {k}", parent=chain[-1 - (k % len(chain))])
    return p


def _levels(p: Project) -> dict[str, int]:
    paths = p.code_paths()
    return {g: len(paths[g].split("/")) for g in p.codes}


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.integers(1, 30), st.integers(195, MAX_CODE_DEPTH + 12)), st.integers(0, 5),
       st.sampled_from(["qdpx", "qdc"]))
def test_trees_round_trip_up_to_the_limit(tmp_path_factory, depth, siblings, fmt):
    tmp = tmp_path_factory.mktemp("d")
    project = _chain(depth, siblings)
    diag = Diagnostics()
    api.write(project, tmp / f"t.{fmt}", diag=diag)
    codes = {i.code for i in diag.issues}
    assert "code-cycle" not in codes
    back = api.read(tmp / f"t.{fmt}")
    assert set(back.codes) == set(project.codes)
    assert not any(i.code == "code-cycle" for i in back.issues)
    deepest = max(_levels(project).values())
    if deepest <= MAX_CODE_DEPTH:
        assert "code-too-deep" not in codes
        assert {g: c.parent for g, c in back.codes.items()} == {g: c.parent for g, c in project.codes.items()}
    else:
        assert "code-too-deep" in codes
        assert max(_levels(back).values()) == MAX_CODE_DEPTH


def test_the_cli_round_trip_at_the_limit(tmp_path):
    api.write(_chain(MAX_CODE_DEPTH), tmp_path / "deep.json")
    err = expect_ok(cli("convert", tmp_path / "deep.json", "-o", tmp_path / "deep.qdpx"))
    assert "cycle" not in err and "deeper" not in err
    err = expect_ok(cli("convert", tmp_path / "deep.qdpx", "-o", tmp_path / "back.json"))
    back = api.read(tmp_path / "back.json")
    assert max(_levels(back).values()) == MAX_CODE_DEPTH


def test_a_qde_deeper_than_the_limit_is_refused(tmp_path):
    depth = MAX_CODE_DEPTH + 1
    codes = "".join(f'<Code guid="c0000000-0000-4000-8000-{k:012d}" name="l{k}" isCodable="true">'
                    for k in range(depth)) + "</Code>" * depth
    doc = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="P"><Users><User guid="{U1}" '
           f'name="R"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook></Project>')
    (tmp_path / "deep.qde").write_text(doc, encoding="utf-8")
    expect_error(cli("convert", tmp_path / "deep.qde", "-o", tmp_path / "o.json"), 4, "deep.qde",
                 f"deeper than {MAX_CODE_DEPTH}")


def test_thousands_of_levels_never_recurse(tmp_path):
    """A tree deeper than Python's recursion limit (from a JSON dump or NVivo paths), and a cycle
    through all of it.  (The tables of such a tree have a column per level: left out here, they
    would cost the test process far more memory than the hostile suite's bounded runs allow.)"""
    project = _chain(1500)
    g = next(iter(project.codes))
    project.codes[g].parent = list(project.codes)[-1]
    project.codes["e0000000-0000-4000-8000-000000000001"] = Code("e0000000-0000-4000-8000-000000000001", "top")
    paths = project.code_paths()
    assert len(paths) == 1501 and max(len(p.split("/")) for p in paths.values()) == 1500
    for out in ("t.qdpx", "t.qdc", "t.json"):
        diag = Diagnostics()
        api.write(project, tmp_path / out, diag=diag)
        if out != "t.json":
            assert [i.code for i in diag.issues if i.code.startswith("code-")] == ["code-cycle", "code-too-deep"]
        back = api.read(tmp_path / out)
        assert len(back.codes) == 1501
