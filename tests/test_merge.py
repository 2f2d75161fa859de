"""nvivo_bridge.merge: two coders' copies of the sample, written as NVivo and as QualCoder write
them, with fresh GUIDs and one edited sentence, become one project with both coders' codings."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest

import nvivo_bridge
from nvivo_bridge import api
from nvivo_bridge.codebook import norm_path
from merge_fixtures import SAMPLE, coder_copy, edit_sentence, fresh_guids, to_lf

OLD = "Kompetensi mengajar daring juga tertinggal — terutama sejak pandemi."
NEW = "Kompetensi mengajar daring juga masih tertinggal, terutama sejak pandemi COVID-19."


def _loose_paths(project) -> set:
    return {norm_path(p) for p in project.code_paths().values()}


def _lf(text):
    return text.replace("\r\n", "\n") if isinstance(text, str) else text


def _rows(frame: pd.DataFrame, swap: tuple[str, str] | None = None) -> Counter:
    """Codings as (source, code path, coder, excerpt with LF line ends)."""
    out = Counter()
    for r in frame.itertuples():
        text = _lf(r.text)
        if swap and text == swap[0]:
            text = swap[1]
        out[(r.source, r.code_path, r.coder, text)] += 1
    return out


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """``{writer: (nvivo copy path, qualcoder copy path)}`` for both ways of writing NVivo's copy."""
    from samples.nvivo_like import write_qdpx

    tmp = tmp_path_factory.mktemp("merge")
    sample = api.read(SAMPLE)
    ani = coder_copy(sample, "Ani", lambda n: n % 3 != 1)
    budi = coder_copy(sample, "Budi", lambda n: n % 3 != 2)
    budi = fresh_guids(budi, tmp, "budi")
    edit_sentence(budi, "Wawancara_I1", OLD, NEW)
    to_lf(budi)
    b = tmp / "budi.qdpx"
    api.write(budi, b, target="qualcoder")
    a1 = write_qdpx(ani, tmp / "ani.qdpx")
    a2 = tmp / "ani-target-nvivo.qdpx"
    api.write(ani, a2, target="nvivo")
    return {"nvivo_like": (a1, b), "target-nvivo": (a2, b)}


@pytest.mark.parametrize("writer", ["nvivo_like", "target-nvivo"])
@pytest.mark.parametrize("nvivo_first", [True, False])
def test_codings_are_the_union_of_both_coders(copies, writer, nvivo_first):
    a_path, b_path = copies[writer]
    a, b = api.read(a_path), api.read(b_path)
    assert a.position_unit == "utf16" and b.position_unit == "codepoint"
    assert "\r\n" in next(iter(a.sources.values())).text and "\r\n" not in next(iter(b.sources.values())).text
    inputs = [a, b] if nvivo_first else [b, a]
    result = nvivo_bridge.merge(inputs, labels=["ani.qdpx", "budi.qdpx"] if nvivo_first else ["budi.qdpx", "ani.qdpx"])
    merged = nvivo_bridge.tables(result.project)["Codings"]
    ta, tb = nvivo_bridge.tables(a)["Codings"], nvivo_bridge.tables(b)["Codings"]
    # The kept text is the first input's: the other copy's edited selection shows the kept sentence.
    swap_b = (NEW, OLD) if nvivo_first else None
    swap_a = None if nvivo_first else (OLD, NEW)
    expected = _rows(ta, swap_a) + _rows(tb, swap_b)
    assert _rows(merged) == expected
    assert set(merged["coder"]) == {"Ani", "Budi"}
    # Both coded the edited sentence: two codings over the kept copy's sentence.
    assert sum(_lf(t) == (OLD if nvivo_first else NEW) for t in merged["text"]) == 2
    # Both coders coded a third of the passages alike: two codings each, not one.
    assert len(merged) == len(ta) + len(tb)
    # The first input's excerpts are exact (its own line endings).
    first = ta if nvivo_first else tb
    kept = Counter((r.source, r.code_path, r.coder, r.text) for r in merged.itertuples())
    own = Counter((r.source, r.code_path, r.coder, r.text) for r in first.itertuples()
                  if r.text not in (OLD, NEW))
    assert not own - kept
    assert len(result.project.sources) == len(a.sources) == len(b.sources)
    # Codes: one per path (compared loosely) of either copy.  A copy written for QualCoder may
    # reshape the tree (codes under categories, clashing names qualified): those paths are new.
    assert len(result.project.codes) == len(_loose_paths(a) | _loose_paths(b))


def test_the_edited_selection_is_kept_and_flagged(copies):
    a, b = (api.read(p) for p in copies["nvivo_like"])
    result = nvivo_bridge.merge([a, b], labels=["ani.qdpx", "budi.qdpx"])
    moved = result.report["Moved selections"]
    changed = moved[moved["text_changed"]]
    coded = changed[changed["codes"] != ""]
    assert list(coded["excerpt"]) == [NEW]
    assert list(coded["merged_excerpt"]) == [OLD]
    # Besides it only the uncoded whole-text selection (NVivo's case link) spans the edit.
    assert all(NEW in _lf(t) for t in changed[changed["codes"] == ""]["excerpt"])
    assert (changed["input"] == "budi.qdpx").all() and (changed["source"] == "Wawancara_I1").all()
    # Every other moved selection of the edited source keeps its text exactly (LF vs CRLF aside).
    rest = moved[~moved["text_changed"]]
    assert len(rest) > 0 and (rest["excerpt"].map(_lf) == rest["merged_excerpt"].map(_lf)).all()
    assert any(i.code == "merge-changed-selections" for i in result.issues)
    matches = result.report["Matches"]
    rules = matches[(matches["input"] == "budi.qdpx") & (matches["kind"] == "sources")].set_index("name")["rule"]
    assert rules["Wawancara_I1"] == "name" and (rules.drop("Wawancara_I1") == "text").all()
    codes = matches[(matches["input"] == "budi.qdpx") & (matches["kind"] == "codes")]
    in_a = _loose_paths(a)
    expected = ["path" if norm_path(p) in in_a else "added" for p in codes["name"]]
    assert list(codes["rule"]) == expected and expected.count("path") >= len(a.codes) - 3


def test_report_lists_real_moves_and_conflicts_only(copies):
    """Regression: selections shifted only by CRLF vs LF were listed as moved, and every code
    matched by path across two exports' GUIDs was listed as a 'guid' conflict."""
    a, b = (api.read(p) for p in copies["nvivo_like"])
    result = nvivo_bridge.merge([a, b], labels=["ani.qdpx", "budi.qdpx"])
    moved = result.report["Moved selections"]
    src = next(s for s in result.project.sources.values() if s.name == "Wawancara_I1")
    edit_at = src.text.index(OLD)
    # Nothing before the edited sentence moved (its CRLF-vs-LF shift is no move) ...
    assert (moved["merged_start"] >= edit_at).all() or (moved[moved["merged_start"] < edit_at]["text_changed"]).all()
    # ... and what moved keeps its text exactly, line ends aside.
    same = moved[~moved["text_changed"]]
    assert len(same) and (same["excerpt"].map(_lf) == same["merged_excerpt"].map(_lf)).all()
    conflicts = list(zip(result.report["Conflicts"]["kind"], result.report["Conflicts"]["field"]))
    assert conflicts.count(("source", "text")) == 1 and ("code", "guid") not in conflicts


def test_merged_copies_write_and_read_back(copies, tmp_path):
    a, b = (api.read(p) for p in copies["nvivo_like"])
    result = nvivo_bridge.merge([a, b])
    ours = nvivo_bridge.tables(result.project)["Codings"]
    for target in ("nvivo", "qualcoder", "standard"):
        out = tmp_path / f"team-{target}.qdpx"
        api.write(result.project, out, target=target)
        back = nvivo_bridge.tables(api.read(out))["Codings"]
        if target == "qualcoder":
            # QualCoder's profile may reshape the code tree (docs/export-profiles.md): compare
            # every coding's place, coder and excerpt, not its code path.
            def key(frame):
                return Counter(zip(frame["source"], frame["coder"], frame["text"].map(_lf)))
            assert key(back) == key(ours)
        else:
            assert _rows(back) == _rows(ours)


def _comparable(frames: dict) -> dict:
    out = {k: v for k, v in frames.items() if k != "Warnings"}
    # the input file and the time of the conversion are not part of the project
    out["Project"] = out["Project"][~out["Project"]["field"].isin(["input", "converted_at"])].reset_index(drop=True)
    return out


@pytest.mark.parametrize("which", ["sample", "small", "rich"])
def test_merging_a_project_with_itself_changes_nothing(which, small_project, rich_project):
    project = {"sample": lambda: api.read(SAMPLE), "small": lambda: small_project, "rich": lambda: rich_project}[which]()
    result = nvivo_bridge.merge([project, project])
    before, after = _comparable(nvivo_bridge.tables(project)), _comparable(nvivo_bridge.tables(result.project))
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    assert project.counts() == result.project.counts()
    assert len(result.report["Conflicts"]) == 0 and len(result.report["Moved selections"]) == 0
    ledger = result.report["Ledger"]
    second = ledger[ledger["input"] == result.labels[1]].set_index("kind")
    assert (second["added"] == 0).all()
    assert second.loc["codings", "duplicates"] == project.counts()["codings"]


def test_a_copy_with_fresh_guids_and_lf_adds_nothing(tmp_path):
    sample = api.read(SAMPLE)
    copy_ = fresh_guids(sample, tmp_path, "again")
    to_lf(copy_)
    result = nvivo_bridge.merge([sample, copy_])
    assert result.project.counts() == sample.counts()
    pd.testing.assert_frame_equal(nvivo_bridge.tables(result.project)["Codings"], nvivo_bridge.tables(sample)["Codings"])


def test_same_span_by_two_coders_is_two_codings_and_coder_from_file_names_them(tmp_path):
    sample = api.read(SAMPLE)
    result = nvivo_bridge.merge([sample, sample], labels=["ani.qdpx", "budi.qdpx"], coder_from_file=True)
    codings = nvivo_bridge.tables(result.project)["Codings"]
    assert Counter(codings["coder"]) == {"ani": sample.counts()["codings"], "budi": sample.counts()["codings"]}
    assert sorted(u.name for u in result.project.users.values()) == ["ani", "budi"]


def test_the_input_is_not_modified(small_project):
    before = _comparable(nvivo_bridge.tables(small_project))
    other = coder_copy(small_project, "X", lambda n: True)
    nvivo_bridge.merge([small_project, other], coder_from_file=True, labels=["a", "b"])
    after = _comparable(nvivo_bridge.tables(small_project))
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def test_conflicting_code_descriptions_are_listed_and_prefer_picks_the_winner(small_project):
    other = coder_copy(small_project, "R9", lambda n: True)
    code = next(c for c in other.codes.values() if c.name == "Anggaran")
    code.description = "Budget as the second coder saw it"
    first = next(c for c in small_project.codes.values() if c.name == "Anggaran")
    first.description = "Budget"
    res = nvivo_bridge.merge([small_project, other], labels=["a", "b"])
    conflicts = res.report["Conflicts"]
    row = conflicts[(conflicts["kind"] == "code") & (conflicts["field"] == "description")].iloc[0]
    assert (row["kept"], row["kept_from"], row["other"], row["other_from"]) == \
        ("Budget", "a", "Budget as the second coder saw it", "b")
    preferred = nvivo_bridge.merge([small_project, other], labels=["a", "b"], prefer=1)
    assert preferred.labels == ["b", "a"]
    merged_code = next(c for c in preferred.project.codes.values() if c.name == "Anggaran")
    assert merged_code.description == "Budget as the second coder saw it"
    assert nvivo_bridge.merge([small_project, other], labels=["a", "b"], prefer="b").labels == ["b", "a"]


def test_conflicting_case_values_are_listed(small_project):
    other = coder_copy(small_project, "R9", lambda n: True)
    case = next(iter(other.cases.values()))
    case.variable_values[0].value = "something else"
    res = nvivo_bridge.merge([small_project, other], labels=["a", "b"])
    conflicts = res.report["Conflicts"]
    assert ((conflicts["kind"] == "case") & (conflicts["other"] == "something else")).sum() == 1


def test_bad_arguments_raise_usage_errors(small_project):
    with pytest.raises(nvivo_bridge.UsageError):
        nvivo_bridge.merge([])
    with pytest.raises(nvivo_bridge.UsageError):
        nvivo_bridge.merge([small_project, small_project], labels=["only one"])
    with pytest.raises(nvivo_bridge.UsageError):
        nvivo_bridge.merge([small_project, small_project], prefer=2)
    with pytest.raises(nvivo_bridge.UsageError):
        nvivo_bridge.merge([small_project, small_project], prefer="nobody")


def test_merge_stays_the_function_after_importing_submodules():
    code = ("import sys, nvivo_bridge\n"
            "assert 'pandas' not in sys.modules, 'binding merge must not load pandas at import'\n"
            "import nvivo_bridge.merge.texts, nvivo_bridge.merge.report\n"
            "from nvivo_bridge.merge import MergeResult\n"
            "import importlib; importlib.import_module('nvivo_bridge.merge.sources')\n"
            "assert callable(nvivo_bridge.merge) and nvivo_bridge.merge.__name__ == 'merge', nvivo_bridge.merge\n"
            "assert isinstance(nvivo_bridge.merge([nvivo_bridge.Project()]), MergeResult)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _excerpt_only(coder: str, excerpts: list[str]):
    """A project as read from NVivo's own exports: no source text, no positions, only excerpts."""
    from nvivo_bridge.model import Code, Coding, Project, Selection, Source, User

    p = Project(name="exports", position_unit="unknown")
    p.users = {"u-" + coder: User("u-" + coder, coder)}
    p.codes = {"c1": Code("c1", "Theme")}
    src = Source("s-" + coder, "Interview 1")
    src.selections = [Selection(f"{coder}-{k}", "text", text=t, codings=[Coding(f"{coder}-c{k}", "c1", "u-" + coder)])
                      for k, t in enumerate(excerpts)]
    p.sources = {src.guid: src}
    return p


def test_projects_without_positions_merge_by_excerpt():
    a = _excerpt_only("Ani", ["first passage", "second passage"])
    b = _excerpt_only("Ani", ["second passage", "third passage"])
    c = _excerpt_only("Budi", ["first passage"])
    result = nvivo_bridge.merge([a, b, c])
    codings = nvivo_bridge.tables(result.project)["Codings"]
    assert Counter(zip(codings["coder"], codings["text"])) == {
        ("Ani", "first passage"): 1, ("Ani", "second passage"): 1, ("Ani", "third passage"): 1,
        ("Budi", "first passage"): 1}
    assert len(result.project.sources) == 1
    assert len(result.report["Duplicates"]) == 1


def test_three_inputs_add_new_codes_and_sources_under_their_parents(small_project):
    from nvivo_bridge.model import Code, Source

    b = coder_copy(small_project, "R8", lambda n: n % 2 == 0)
    c = coder_copy(small_project, "R9", lambda n: n % 2 == 1)
    parent = next(g for g, code in c.codes.items() if code.name == "Anggaran")
    c.codes["new-code"] = Code("new-code", "Anggaran daerah", parent=parent)
    c.sources["new-src"] = Source("new-src", "Wawancara_I9", text="Teks baru.")
    res = nvivo_bridge.merge([small_project, b, c], labels=["a", "b", "c"])
    paths = res.project.code_paths()
    assert "Masukan (Input)/Anggaran/Anggaran daerah" in paths.values()
    assert list(res.project.sources)[-1] == "new-src"
    ledger = res.report["Ledger"].set_index(["input", "kind"])
    assert ledger.loc[("c", "codes"), "added"] == 1 and ledger.loc[("c", "sources"), "added"] == 1
    n = small_project.counts()["codings"]
    assert res.project.counts()["codings"] == n + b.counts()["codings"] + c.counts()["codings"]
    # every input's row count adds up: read = matched + added (+ duplicates for codings)
    frame = res.report["Ledger"]
    assert (frame["read"] == frame["matched"] + frame["added"] + frame["duplicates"]).all()
