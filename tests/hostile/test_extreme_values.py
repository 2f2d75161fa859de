"""Extreme variable values and times (issue 15): years 0 or below, years past 9999, integers at or
beyond 2^63.  Every table writer keeps them (as text where the format cannot hold them), warns, and
never crashes."""
from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import nvivo_bridge
from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.model import (Case, Code, Coding, Project, Selection, Source, Variable, VariableValue)

from ._kit import cli, expect_ok, guid, qde, qdpx, selection, text_source

_YEAR = st.one_of(st.integers(-99999, 0), st.integers(1, 1899), st.integers(2262, 99999), st.just(10000))


def _iso_date(year: int) -> str:
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-03-01"


EXTREME = {
    "Integer": st.one_of(st.integers(2**53, 2**80), st.integers(-2**80, -2**53), st.just(2**63), st.just(-2**63 - 1),
                         st.just(2**64)).map(str),
    "Date": _YEAR.map(_iso_date),
    "DateTime": st.tuples(_YEAR, st.sampled_from(["", "Z", "+05:00"])).map(lambda t: _iso_date(t[0]) + "T10:00:00" + t[1]),
}


def _project(values: dict[str, str], created: str) -> Project:
    p = Project(name="P", created=created, modified=created)
    p.codes["c1"] = Code("c1", "Needs")
    src = Source("s1", name="Interview", text="Hello world.")
    sel = Selection("e1", "text", 0, 5)
    sel.codings.append(Coding("f1", "c1", created=created))
    src.selections.append(sel)
    p.sources["s1"] = src
    case = Case("k1", name="Ana", source_refs=["s1"])
    for n, (vtype, value) in enumerate(values.items()):
        p.variables[f"v{n}"] = Variable(f"v{n}", f"V {vtype}", vtype)
        case.variable_values.append(VariableValue(f"v{n}", value, vtype))
    p.cases["k1"] = case
    return p


def _cells(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            out.update(str(v) for v in row if v is not None)
    return out


@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries(EXTREME), st.one_of(EXTREME["DateTime"], EXTREME["Date"]))
def test_extreme_values_are_kept_with_a_warning(tmp_path_factory, values, created):
    tmp = tmp_path_factory.mktemp("x")
    project = _project(values, created)
    tables = nvivo_bridge.tables(project)
    assert {"variable-value-type", "datetime-as-text"} <= set(tables["Warnings"]["code"])
    assert tables["Codings"]["coded_at"].iloc[0] == created  # the coding time, kept as its text
    cases = tables["Cases"]
    for vtype, value in values.items():
        assert str(cases[f"V {vtype}"].iloc[0]) == value or cases[f"V {vtype}"].iloc[0] == int(value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's "date before 1900" UserWarning is a failure here
        wdiag = Diagnostics()
        nvivo_bridge.write(project, tmp / "out.xlsx", diag=wdiag)
    cells = _cells(tmp / "out.xlsx")
    for value in values.values():
        assert value in cells, (value, sorted(cells)[:50])
    assert created in cells
    assert wdiag.warnings
    nvivo_bridge.write(project, tmp / "out_csv", diag=Diagnostics())
    text = (tmp / "out_csv" / "Cases.csv").read_text("utf-8-sig")
    for value in values.values():
        assert value in text
    assert created in (tmp / "out_csv" / "Codings.csv").read_text("utf-8-sig")


def test_extreme_values_through_the_cli(tmp_path):
    """The issue's case: a .qdpx whose case has such values converts with warnings, exit 0."""
    vals = [("Integer", str(2**63)), ("Integer", str(-2**64)), ("Date", "0000-01-01"),
            ("DateTime", "-0001-05-01T00:00:00Z"), ("Date", "12024-01-01"), ("DateTime", "1500-01-01T00:00:00")]
    variables = "".join(f'<Variable guid="{guid("d", i)}" name="V{i}" typeOfVariable="{t}"/>'
                        for i, (t, _) in enumerate(vals))
    values = "".join(f'<VariableValue><VariableRef targetGUID="{guid("d", i)}"/><{t}Value>{v}</{t}Value>'
                     "</VariableValue>" for i, (t, v) in enumerate(vals))
    body = (text_source(selection(1, 0, 5)) + f"<Cases><Case guid=\"{guid('4', 1)}\" name=\"c\">{values}"
            f"<SourceRef targetGUID=\"{guid('5', 1)}\"/></Case></Cases><Variables>{variables}</Variables>")
    src = qdpx(tmp_path / "ext.qdpx", qde(body, attrs='name="P" origin="t" creationDateTime="0000-01-01T00:00:00Z"'))
    for out in ("x.xlsx", "x_csv", "x.json"):
        err = expect_ok(cli("convert", src, "-o", tmp_path / out))
        if out == "x.xlsx":
            cells = _cells(tmp_path / out)
            for _, v in vals:
                assert v in cells, v
            assert "kept as text" in err or "as text" in err, err
