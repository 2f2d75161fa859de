"""`nvivo-bridge info` and `nvivo-bridge validate`: output and exact exit codes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nvivo_bridge import api
from nvivo_bridge.cli import main
from nvivo_bridge.checks.info import project_info


@pytest.fixture
def qdpx(tmp_path, rich_project):
    out = tmp_path / "rich.qdpx"
    api.write(rich_project, out)
    return out


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_info_text_and_json(qdpx, rich_project):
    res = run("info", qdpx)
    assert res.exit_code == 0, res.output
    assert "Producer: nvivo-bridge" in res.output and "codings 12" in res.output
    res = run("info", qdpx, "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["producer"]["detected"] == "nvivo-bridge" and data["producer"]["origin"].startswith("nvivo-bridge")
    assert data["position_unit"] == "codepoint"
    counts = data["counts"]
    assert {k: counts[k] for k in rich_project.counts()} == rich_project.counts()
    assert counts["pdf_sources"] == 1 and counts["transcripts"] == 1 and counts["sync_points"] == 3
    assert counts["vertices"] == 2 and counts["edges"] == 1 and counts["coders"] == 2


def test_project_info_counts_segments_once(small_project):
    src = next(iter(small_project.sources.values()))
    info = project_info(small_project)
    assert info["counts"]["coded_segments"] == 5
    dup = src.selections[0]
    from nvivo_bridge.model import Coding, Selection
    src.selections.append(Selection("5e100000-0000-4000-8000-000000000077", start=dup.start, end=dup.end,
                                    codings=[Coding("c1000000-0000-4000-8000-000000000077", dup.codings[0].code)]))
    assert project_info(small_project)["counts"]["coded_segments"] == 5


def test_validate_ok_is_exit_0(qdpx):
    res = run("validate", qdpx)
    assert res.exit_code == 0, res.output
    assert res.output.strip().endswith("valid")


def test_validate_problems_exit_5(tmp_path, small_project):
    src = next(iter(small_project.sources.values()))
    src.selections[0].codings[0].code = "c0000000-0000-4000-8000-000000000999"
    out = tmp_path / "p.qdpx"
    api.write(small_project, out)
    res = run("validate", out, "--json")
    assert res.exit_code == 5
    data = json.loads(res.output[:res.output.rindex("}") + 1])
    assert data["ok"] is False
    assert [i["code"] for i in data["issues"] if i["level"] != "info"] == ["dangling-code-ref"]
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", ["info", "validate"])
def test_unreadable_input_exit_4(tmp_path, command):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"definitely not a zip")
    res = run(command, bad)
    assert res.exit_code == 4
    assert "Traceback" not in res.output
    assert run(command, tmp_path / "missing.qdpx").exit_code == 4


def test_unknown_format_is_usage_error(tmp_path):
    f = tmp_path / "x.weird"
    f.write_text("x")
    assert run("info", f).exit_code == 2
