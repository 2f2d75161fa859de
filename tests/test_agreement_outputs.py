"""The agreement command, its workbook, CSV folder and report, the two-coder sample, by_group."""
from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import nvivo_bridge
from nvivo_bridge.cli import main
from samples.make_sample import TEAM, build_team_sample
from tests.agreement_helpers import make_project

SHEETS = ["Summary", "Code x Source", "Segments", "Disagreements", "Coders", "Warnings"]


@pytest.fixture(scope="module")
def team():
    return nvivo_bridge.read(TEAM)


@pytest.fixture(scope="module")
def team_result(team):
    return nvivo_bridge.agreement(team)


def test_team_sample_is_reproducible(tmp_path):
    fresh = build_team_sample(tmp_path / "team.qdpx")
    with zipfile.ZipFile(TEAM) as old, zipfile.ZipFile(fresh) as new:
        assert old.namelist() == new.namelist()
        for name in old.namelist():
            if not name.endswith(".docx"):
                assert old.read(name) == new.read(name), name


def test_team_sample_read_back_gives_the_models_numbers(team_result):
    # The .qdpx holds NVivo's UTF-16 positions over CRLF text with emoji; read back, every count
    # must equal the one computed on the model it was written from.
    from samples.kp_widyaiswara_team import build_team_project

    direct = nvivo_bridge.agreement(build_team_project()).frames["Code x Source"]
    cols = ["code_path", "source", "units", "a_and_b", "a_not_b", "b_not_a", "neither"]
    assert team_result.frames["Code x Source"][cols].equals(direct[cols])
    assert len(direct) == 21 * 6  # every compared code × every transcript


def test_team_sample_hand_checked_rows(team_result):
    cs = team_result.frames["Code x Source"]
    # Rencana & jadwal: one span in I1 that R2 coded identically (rule 0 of the team sample).
    row = cs[(cs["code_path"] == "Masukan (Input)/Rencana & jadwal") & (cs["source"] == "Wawancara_I1")].iloc[0]
    assert row["a_not_b"] == row["b_not_a"] == 0 and row["a_and_b"] > 0 and row["kappa"] == 1.0
    seg = team_result.frames["Segments"]
    assert set(seg["coder_a"]) == {"R1"} and set(seg["coder_b"]) == {"R2"}


def test_cli_writes_workbook_and_report(tmp_path):
    out, rep = tmp_path / "agreement.xlsx", tmp_path / "agreement.html"
    r = CliRunner().invoke(main, ["agreement", str(TEAM), "-o", str(out), "--report", str(rep)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == SHEETS
    head = [c.value for c in next(wb["Code x Source"].iter_rows(max_row=1))]
    assert head[:11] == ["code_path", "source", "coder_a", "coder_b", "units", "a_and_b", "a_not_b", "b_not_a",
                         "neither", "agreement_pct", "kappa"]
    back = pd.read_excel(out, sheet_name="Code x Source")
    assert len(back) == 126 and back["kappa"].between(-1, 1).all()
    html = rep.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 1 and "(all codes)" in html
    wb.close()


def test_cli_csv_folder(tmp_path):
    out = tmp_path / "agreement"
    r = CliRunner().invoke(main, ["agreement", str(TEAM), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.csv" for s in SHEETS)
    assert (out / "Summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    summary = pd.read_csv(out / "Summary.csv", encoding="utf-8-sig")
    assert list(summary.columns[:7]) == ["scope", "code_path", "coder_a", "coder_b", "kappa_weighted",
                                         "agreement_pct_weighted", "alpha"]


def test_cli_unknown_coder_exits_2_naming_the_coders(tmp_path):
    out = tmp_path / "a.xlsx"
    r = CliRunner().invoke(main, ["agreement", str(TEAM), "-o", str(out), "--coders", "R1,Nobody"])
    assert r.exit_code == 2
    assert "Nobody" in r.output and "R1, R2" in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_cli_one_coder_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["agreement", "samples/kp-widyaiswara.qdpx", "-o", str(tmp_path / "a.xlsx"),
                                  "--coders", "R1"])
    assert r.exit_code == 2 and "only one coder (R1) was named" in r.output and "R1, R2" in r.output


def test_cli_refuses_existing_output_without_force(tmp_path):
    out = tmp_path / "a.xlsx"
    out.write_bytes(b"keep")
    r = CliRunner().invoke(main, ["agreement", str(TEAM), "-o", str(out)])
    assert r.exit_code == 1 and out.read_bytes() == b"keep"


def test_formula_like_code_names_stay_text(tmp_path):
    p = make_project(["abcdefghij"], [(0, "R1", "=SUM(A1)", 0, 4), (0, "R2", "=SUM(A1)", 0, 3)],
                     codes=("=SUM(A1)",), coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p)
    nvivo_bridge.agreement.write_workbook(res, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Code x Source"]
    assert ws["A2"].value == "=SUM(A1)" and ws["A2"].data_type == "s"
    nvivo_bridge.agreement.write_csv(res, tmp_path / "csv")
    assert "'=SUM(A1)" in (tmp_path / "csv" / "Code x Source.csv").read_text(encoding="utf-8-sig")


def test_by_group_matches_the_summary_domains(team, team_result):
    top = {c.name: c.guid for c in team.children(None)}
    groups = {name: [top[name]] + [d.guid for d in team.descendants(top[name])] for name in top}
    df = nvivo_bridge.agreement.by_group(team, groups)
    assert list(df.columns) == ["group", "coders", "alpha", "kappa_weighted", "agreement_pct_weighted"]
    s = team_result.frames["Summary"]
    for name in ("Konteks (Context)", "Proses (Process)"):
        want = s[(s["scope"] == "domain") & (s["code_path"] == name)].iloc[0]
        got = df[df["group"] == name].iloc[0]
        assert got["coders"] == "R1 × R2"
        assert got["alpha"] == pytest.approx(want["alpha"], abs=1e-12)
        assert got["kappa_weighted"] == pytest.approx(want["kappa_weighted"], abs=1e-12)


def test_several_inputs_are_merged(tmp_path):
    pytest.importorskip("nvivo_bridge.merge")

    one = make_project(["abcdefghij"], [(0, "R1", "A", 0, 6)], coders=("R1",))
    two = make_project(["abcdefghij"], [(0, "R1", "A", 2, 6)], coders=("R1",))
    paths = []
    for k, p in enumerate((one, two)):
        path = tmp_path / f"coder{k + 1}.qdpx"
        nvivo_bridge.write(p, path)
        paths.append(str(path))
    out = tmp_path / "a.xlsx"
    r = CliRunner().invoke(main, ["agreement", *paths, "-o", str(out)])
    assert r.exit_code == 0, r.output
    cs = pd.read_excel(out, sheet_name="Code x Source")
    row = cs[cs["code_path"] == "A"].iloc[0]
    assert (row["a_and_b"], row["a_not_b"], row["b_not_a"], row["neither"]) == (4, 2, 0, 4)


def test_readme_shows_the_team_samples_real_table(team_result):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = [line for line in readme.splitlines() if line.startswith(("| domain |", "| project |"))]
    s = team_result.frames["Summary"]
    want = [f"| {x.scope} | {x.code_path} | {x.kappa_weighted:.3f} | {x.agreement_pct_weighted:.1f} | {x.alpha:.3f} "
            f"| {x.kappa_weighted_coded:.3f} | {x.segment_agreement_pct:.1f} | {x.kappa_bp:.3f} |"
            for x in s[s["scope"] != "code"].itertuples()]
    assert shown == want


def test_disagreements_in_slices_equal_the_whole_frame(team_result):
    whole = team_result.frames.raw("Disagreements").frame()
    parts = pd.concat(list(team_result.frames.raw("Disagreements").chunks(7)), ignore_index=True)
    assert len(whole) == 41 and parts.equals(whole)
    assert team_result.frames["Disagreements"].equals(whole)


def test_long_sheet_continues_and_empty_sheet_keeps_its_header(tmp_path, monkeypatch):
    from nvivo_bridge.agreement import workbook

    p = make_project(["abcdefghij", "klmno", "pqrst"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 4)],
                     coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p)
    assert res.frames.rows("Disagreements") == 0
    monkeypatch.setattr(workbook, "MAX_ROWS", 2)
    nvivo_bridge.agreement.write_workbook(res, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)
    assert "Code x Source (2)" in wb.sheetnames
    first = [r for r in wb["Code x Source"].iter_rows(values_only=True)]
    second = [r for r in wb["Code x Source (2)"].iter_rows(values_only=True)]
    assert len(first) == 3 and len(second) == 2 and first[0] == second[0]
    assert [r for r in wb["Disagreements"].iter_rows(values_only=True)][0][0] == "source"
    wb.close()


def test_disagreements_in_code_batches_are_the_same(team, team_result, monkeypatch):
    from nvivo_bridge.agreement import segments

    monkeypatch.setattr(segments, "_BATCH", 1)
    again = nvivo_bridge.agreement(team).frames["Disagreements"]
    assert again.equals(team_result.frames["Disagreements"])


def test_weighted_averages_in_row_slices_are_the_same(team, team_result, monkeypatch):
    from nvivo_bridge.agreement import kappa

    monkeypatch.setattr(kappa, "_ROWS", 7)
    again = nvivo_bridge.agreement(team).frames["Summary"]
    pd.testing.assert_frame_equal(again, team_result.frames["Summary"], check_exact=False, rtol=1e-12)


def test_cli_xlsx_needs_an_xlsx_name(tmp_path):
    r = CliRunner().invoke(main, ["agreement", str(TEAM), "-o", str(tmp_path / "a.csv"), "--to", "xlsx"])
    assert r.exit_code == 2 and ".xlsx" in r.output and not (tmp_path / "a.csv").exists()


def test_several_inputs_go_through_merge_with_coder_from_file(tmp_path, monkeypatch):
    # The merge itself is another module's (tested there); this checks the call agreement makes:
    # inputs sharing a coder name ask merge for the coder from the file name.
    import sys
    import types

    calls = {}

    def fake_merge(projects, *, labels=None, coder_from_file=False, prefer=None):
        calls.update(n=len(projects), coder_from_file=coder_from_file)
        merged = make_project(["abcdefghij"], [(0, "coder1", "A", 0, 6), (0, "coder2", "A", 2, 6)],
                              coders=("coder1", "coder2"))
        return types.SimpleNamespace(project=merged, report={}, issues=[])

    monkeypatch.setitem(sys.modules, "nvivo_bridge.merge", types.SimpleNamespace(merge=fake_merge))
    paths = []
    for k in range(2):
        path = tmp_path / f"coder{k + 1}.qdpx"
        nvivo_bridge.write(make_project(["abcdefghij"], [(0, "R1", "A", 0, 6)], coders=("R1",)), path)
        paths.append(str(path))
    out = tmp_path / "a.xlsx"
    r = CliRunner().invoke(main, ["agreement", *paths, "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert calls == {"n": 2, "coder_from_file": True}
    cs = pd.read_excel(out, sheet_name="Code x Source")
    assert cs[["coder_a", "coder_b", "a_and_b", "a_not_b"]].values.tolist() == [["coder1", "coder2", 4, 2]]


def test_several_inputs_without_merge_are_a_usage_error(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "nvivo_bridge.merge", None)  # import fails as if absent
    paths = []
    for k in range(2):
        path = tmp_path / f"c{k}.qdpx"
        nvivo_bridge.write(make_project(["abcdefghij"], [(0, "R1", "A", 0, 6)], coders=("R1",)), path)
        paths.append(str(path))
    r = CliRunner().invoke(main, ["agreement", *paths, "-o", str(tmp_path / "a.xlsx")])
    assert r.exit_code == 2 and "merge" in r.output
