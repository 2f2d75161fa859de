"""One column-naming rule for every table writer (issue 15): variables, case attributes and cases
named like a fixed column (``source``, ``case``, ``text``, ``memo``…), like each other in another
letter case, or only apart by control characters never give two equal headers."""
from __future__ import annotations

import openpyxl
from hypothesis import HealthCheck, Phase, example, given, settings, strategies as st

import nvivo_bridge
from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source, Variable, VariableValue
from nvivo_bridge.sheets import FIXED_COLUMNS, extra_column_names

_FIXED = sorted({c for cols in FIXED_COLUMNS.values() for c in cols})
_NAME = st.one_of(st.sampled_from(_FIXED), st.sampled_from(_FIXED).map(str.upper),
                  st.sampled_from(["source (variable)", "Age", "age", "", "a\x01", "a", "(unnamed)", "memo (2)"]))


def test_rule_examples():
    fixed = ["quote_id", "source", "case", "text", "memo"]
    assert extra_column_names(fixed, ["source", "Case", "Age", "age", None, "te\x00xt"], "attribute") == \
        ["source (attribute)", "Case (attribute)", "Age", "age (attribute)", "(unnamed)", "text (attribute)"]
    assert extra_column_names((), ["x", "X", "x"]) == ["x", "X (2)", "x (3)"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=6), st.lists(st.one_of(st.none(), _NAME, st.text(max_size=6)), max_size=12))
def test_rule_gives_distinct_clean_names(fixed, names):
    fixed = list(dict.fromkeys(f for f in fixed if f))
    out = extra_column_names(fixed, names, "variable")
    assert len(out) == len(names)
    lowered = [n.lower() for n in fixed + out]
    assert len(set(lowered)) == len(lowered)
    assert all(n and not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in n) for n in out)


def _project(names: list[str]) -> Project:
    p = Project(name="P")
    p.codes["c1"] = Code("c1", "Needs")
    src = Source("s1", name="Interview", text="Hello world.")
    sel = Selection("e1", "text", 0, 5)
    sel.codings.append(Coding("f1", "c1"))
    src.selections.append(sel)
    p.sources["s1"] = src
    case = Case("k1", name=names[0] if names else "code_path", source_refs=["s1"])
    for n, name in enumerate(names):
        p.variables[f"v{n}"] = Variable(f"v{n}", name, "Text")
        case.variable_values.append(VariableValue(f"v{n}", f"value {n}", "Text"))
        src.variable_values.append(VariableValue(f"v{n}", f"value {n}", "Text"))
    p.cases["k1"] = case
    p.cases["k2"] = Case("k2", name="CODE_PATH")
    return p


@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_NAME, min_size=1, max_size=8))
@example(["a\x01", "a", "source", "SOURCE", "case", "text", "memo"])
def test_every_table_has_distinct_headers(tmp_path_factory, names):
    project = _project(names)
    tables = nvivo_bridge.tables(project)
    for name, df in tables.items():
        lowered = [str(c).lower() for c in df.columns]
        assert len(set(lowered)) == len(lowered), (name, list(df.columns))
    out = tmp_path_factory.mktemp("n") / "out.xlsx"
    nvivo_bridge.write(project, out)
    wb = openpyxl.load_workbook(out, read_only=True)
    for ws in wb.worksheets:
        header = next(ws.iter_rows(max_row=1, values_only=True), ())
        lowered = [str(h).lower() for h in header if h is not None]
        assert len(set(lowered)) == len(lowered), (ws.title, header)
    # every value is still there, under its own column
    cases = tables["Cases"]
    for n in range(len(names)):
        assert f"value {n}" in set(cases.iloc[0].astype(str))
