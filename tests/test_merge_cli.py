"""``nvivo-bridge merge``: outputs, report files and exit codes."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import nvivo_bridge
from nvivo_bridge.cli import main
from nvivo_bridge.merge.report import TABLES
from merge_fixtures import SAMPLE


@pytest.fixture
def two(tmp_path):
    a, b = tmp_path / "ani.qdpx", tmp_path / "budi.qdpx"
    shutil.copy(SAMPLE, a)
    shutil.copy(SAMPLE, b)
    return a, b


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_merge_writes_the_project_and_an_xlsx_report(two, tmp_path):
    out, report = tmp_path / "team.qdpx", tmp_path / "merge.xlsx"
    r = run("merge", *two, "-o", out, "--report", report, "--coder-from-file")
    assert r.exit_code == 0, r.output
    assert "ani.qdpx: " in r.output and "→ " in r.output
    team = nvivo_bridge.read(out)
    codings = nvivo_bridge.tables(team)["Codings"]
    assert sorted(set(codings["coder"])) == ["ani", "budi"]
    assert len(codings) == 2 * nvivo_bridge.read(SAMPLE).counts()["codings"]
    sheets = pd.read_excel(report, sheet_name=None)
    assert list(sheets) == list(TABLES)
    for name, columns in TABLES.items():
        assert tuple(sheets[name].columns) == columns
    ledger = sheets["Ledger"]
    assert set(ledger["input"]) == {"ani.qdpx", "budi.qdpx"}


def test_csv_report_is_one_file_per_table_and_prefer_picks_the_first(two, tmp_path):
    out, report = tmp_path / "team.json", tmp_path / "merge.csv"
    r = run("merge", *two, "-o", out, "--report", report, "--prefer", "2", "-q")
    assert r.exit_code == 0, r.output
    assert r.output == ""
    names = sorted(p.name for p in tmp_path.glob("merge-*.csv"))
    assert names == sorted(f"merge-{t.replace(' ', '-')}.csv" for t in TABLES)
    ledger = pd.read_csv(tmp_path / "merge-Ledger.csv", encoding="utf-8-sig")
    assert ledger["input"].iloc[0] == "budi.qdpx"
    # Same coders in both copies: every coding of the second is already there.
    assert nvivo_bridge.read(out).counts() == nvivo_bridge.read(SAMPLE).counts()


@pytest.mark.parametrize("extra, code", [
    ((), 0),
    (("--prefer", "3"), 2),
    (("--prefer", "0"), 2),
    (("--report", "merge.txt"), 2),
    (("--target", "nobody"), 2),
])
def test_option_errors_are_usage_errors(two, tmp_path, extra, code):
    extra = tuple(str(tmp_path / e) if e.endswith(".txt") else e for e in extra)
    r = run("merge", *two, "-o", tmp_path / "team.qdpx", *extra)
    assert r.exit_code == code, r.output
    assert (tmp_path / "team.qdpx").exists() == (code == 0)
    assert "Traceback" not in r.output


def test_one_input_is_a_usage_error(two, tmp_path):
    r = run("merge", two[0], "-o", tmp_path / "team.qdpx")
    assert r.exit_code == 2 and "at least two inputs" in r.output


def test_existing_output_or_report_needs_force(two, tmp_path):
    out, report = tmp_path / "team.qdpx", tmp_path / "merge.xlsx"
    report.write_text("keep me")
    r = run("merge", *two, "-o", out, "--report", report)
    assert r.exit_code == 1 and "already exists" in r.output
    assert not out.exists() and report.read_text() == "keep me"
    assert run("merge", *two, "-o", out, "--report", report, "--force").exit_code == 0
    assert report.read_bytes()[:2] == b"PK"


def test_the_output_cannot_be_an_input(two):
    r = run("merge", *two, "-o", two[1], "--force")
    assert r.exit_code == 1 and "is the input" in r.output
    assert two[1].read_bytes() == SAMPLE.read_bytes()


def test_an_unreadable_input_exits_4_and_writes_nothing(two, tmp_path):
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "team.qdpx"
    r = run("merge", two[0], bad, "-o", out, "--report", tmp_path / "merge.xlsx")
    assert r.exit_code == 4, r.output
    assert "broken.qdpx" in r.output
    assert not out.exists() and not (tmp_path / "merge.xlsx").exists()


def test_merge_to_xlsx_tables(two, tmp_path):
    out = tmp_path / "team.xlsx"
    r = run("merge", *two, "-o", out, "--coder-from-file")
    assert r.exit_code == 0, r.output
    codings = pd.read_excel(out, sheet_name="Codings")
    assert sorted(set(codings["coder"])) == ["ani", "budi"]


def test_strict_refuses_a_merge_with_conflicts(two, tmp_path):
    other = nvivo_bridge.read(two[1])
    next(iter(other.codes.values())).description = "another coder's description"
    changed = tmp_path / "changed.qdpx"
    nvivo_bridge.write(other, changed)
    out = tmp_path / "team.qdpx"
    r = run("merge", two[0], changed, "-o", out, "--strict")
    assert r.exit_code == 3, r.output
    assert "conflict" in r.output and not out.exists()
    assert run("merge", two[0], changed, "-o", out).exit_code == 0


def test_inputs_with_the_same_file_name_are_told_apart(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "coder.qdpx", tmp_path / "b" / "coder.qdpx"
    shutil.copy(SAMPLE, a)
    shutil.copy(SAMPLE, b)
    out, report = tmp_path / "team.qdpx", tmp_path / "merge.csv"
    r = run("merge", a, b, "-o", out, "--report", report, "--coder-from-file")
    assert r.exit_code == 0, r.output
    ledger = pd.read_csv(tmp_path / "merge-Ledger.csv", encoding="utf-8-sig")
    assert set(ledger["input"]) == {str(a), str(b)}
    # and their coders stay two: no coding of the second is taken for a duplicate
    assert set(nvivo_bridge.tables(nvivo_bridge.read(out))["Codings"]["coder"]) == {str(a), str(b)}
