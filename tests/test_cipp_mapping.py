"""Component mapping: name normalisation, synonyms, sets (ATLAS.ti code groups), mapping files."""
from __future__ import annotations

import pytest

from nvivo_bridge.cipp import build, summarize
from nvivo_bridge.cipp.mapping import load_mapping
from nvivo_bridge.cipp.normalize import default_synonyms, name_candidates
from nvivo_bridge.errors import UsageError
from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Set, Source, User
from samples.kp_widyaiswara import CODE_KEYS, build_project


@pytest.mark.parametrize("name, comp", [
    ("Konteks (Context)", "context"), ("1. Input", "input"), ("Evaluasi Proses", "process"),
    ("Input data", None), ("A) Context", "context"), ("I - Konteks", "context"), ("IV. Produk", "product"),
    ("Aspek Masukan (Input)", "input"), ("ＰＲＯＣＥＳＳ", "process"), ("Temuan Lain (Other findings)", None),
    ("Produk pengetahuan", None), ("Dimensi  Hasil", "product"), ("Outcomes", "product"), ("Kontext", "context"),
])
def test_name_normalisation(name, comp):
    assert default_synonyms().component(name) == comp


def test_candidates_test_bare_name_and_parenthetical():
    assert name_candidates("Konteks (Context)") == ("konteks", "context")
    assert name_candidates("Masukan (Input)")[1] == "input"


def _flat_project() -> Project:
    """An ATLAS.ti-like flat codebook: components arrive as code groups (Sets)."""
    p = Project(name="flat")
    p.users = {"u1": User("u1", "A")}
    names = ["needs", "budget", "sessions", "gains", "misc"]
    p.codes = {f"c{i}": Code(f"c{i}", n) for i, n in enumerate(names)}
    text = "needs budget sessions gains misc"
    src = Source("s1", "Doc", text=text)
    pos = 0
    for i, n in enumerate(names):
        start = text.index(n, pos)
        src.selections.append(Selection(f"sel{i}", start=start, end=start + len(n),
                                        codings=[Coding(f"k{i}", f"c{i}", "u1")]))
        pos = start + len(n)
    p.sources = {"s1": src}
    p.cases = {"case1": Case("case1", "P1", source_refs=["s1"])}
    p.sets = {"g1": Set("g1", "Evaluasi Konteks", member_codes=["c0"]),
              "g2": Set("g2", "Masukan", member_codes=["c1", "c2"]),
              "g3": Set("g3", "Proses (Process)", member_codes=["c2"]),
              "g4": Set("g4", "Produk", member_codes=["c3"])}
    return p


def test_set_based_mapping_and_multi_component():
    res = build(_flat_project())
    ov = res.frame("overview").set_index("component")
    assert ov.loc[["context", "input", "process", "product", "other"], "references"].tolist() == [1, 2, 1, 1, 1]
    assert ov.loc["total", "references"] == 5  # "sessions" counted under input and process, once in total
    d = res.frame("detail").set_index("code_name")
    assert bool(d.loc["sessions", "multi_component"]) and d.loc["sessions", "component"] == "input; process"
    assert d.loc["needs", "mapping_origin"] == "set"
    assert "multi-component" in set(res.frame("warnings")["type"])
    with pytest.raises(UsageError, match="two components"):
        build(_flat_project(), mapping={"allow_multi_component": False})


def test_map_beats_set_and_deeper_rule_wins():
    res = build(build_project(), mapping={"rules": [
        {"path": "Produk (Product)/**", "component": "process"},
        {"path": "Produk (Product)/Dampak", "component": "product", "subcomponent": "impact"},
        {"path": "Temuan Lain (Other findings)", "component": "exclude"},
        {"guid": CODE_KEYS["P4"].upper(), "component": "input"}]})
    d = res.frame("detail").set_index("code_path")
    assert d.loc["Produk (Product)/Dampak", "component"] == "product"
    assert d.loc["Produk (Product)/Efektivitas/Produk pengetahuan", "component"] == "process"
    assert d.loc["Proses (Process)/Anggaran", "component"] == "input"
    assert d.loc["Proses (Process)/Anggaran", "mapping_origin"] == "map"
    assert not d.index.str.startswith("Temuan").any()
    assert res.frame("unmapped").empty


def test_cases_as_codes_are_not_codes():
    p = build_project()
    case = next(iter(p.cases.values()))
    p.codes[case.guid] = Code(case.guid, case.name)  # NVivo exports cases as codes too
    src = p.sources[case.source_refs[0]]
    src.selections.append(Selection("extra", start=0, end=5, codings=[Coding("kx", case.guid, None)]))
    res = build(p)
    assert len(res.frame("detail")) == 26
    assert res.frame("overview").set_index("component").loc["total", "references"] == 49
    assert "case-as-code" in set(res.frame("warnings")["type"])


def test_yaml_and_csv_mapping_files(tmp_path):
    y = tmp_path / "m.yaml"
    y.write_text('version: 1\nsynonyms: {context: [Kondisi awal]}\nunmapped: drop\nrules:\n'
                 '  - {path: "Temuan Lain (Other findings)/Motivasi pribadi", component: Proses}\n', encoding="utf-8")
    cfg = load_mapping(y)
    assert cfg.unmapped == "drop" and cfg.rules[0].component == "process"
    assert cfg.synonyms.component("1. Kondisi Awal") == "context"
    c = tmp_path / "m.csv"
    c.write_text("code_path,component,subcomponent,note\n"
                 "Temuan Lain (Other findings)/Motivasi pribadi,process,,motivation is process\n", encoding="utf-8")
    ov = summarize(build_project(), mapping=c)["CIPP Overview"].set_index("component")
    assert ov.loc["process", "references"] == 16


@pytest.mark.parametrize("text, match", [
    ("rules:\n  - {path: 'Produk (Product)/Transportabilitass', component: product}\n",
     r"Produk \(Product\)/Transportabilitass.*closest existing: 'Produk \(Product\)/Transportabilitas'"),
    ("rules:\n  - {path: 'Proses (Process)/Anggaran', component: budgetary}\n", "unknown component 'budgetary'"),
    ("rules:\n  - {guid: 'ffffffff-0000-4000-8000-000000000000', component: input}\n", "is not a code"),
    ("rules: [\n", "not valid YAML"),
    ("unmapped: sometimes\n", "unknown unmapped setting"),
    ("colour: red\n", "unknown key"),
])
def test_mapping_file_errors(tmp_path, text, match):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=match) as exc:
        build(build_project(), mapping=f)
    assert exc.value.exit_code == 2 and str(f) in str(exc.value)


def test_unused_glob_is_a_warning_not_an_error():
    res = build(build_project(), mapping={"rules": [{"path": "Nothing/**", "component": "input"}]})
    assert "unused-rule" in set(res.frame("warnings")["type"])
