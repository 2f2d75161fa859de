"""Regressions found by trying nvivo-bridge as a new user would (README and docs followed step by step)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nvivo_bridge.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "kp-widyaiswara.qdpx"
COMMANDS = ["convert", "info", "validate", "cipp", "codebook", "merge-codebooks", "apply-codebook", "batch"]


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], terminal_width=80)


def one_line_error(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_example_is_one_unbroken_line(command):
    # Click re-wrapped the examples at the terminal width: "-o project-" / "new.qdpx" on two lines,
    # which a user copying the example runs as two broken commands.
    result = run(command, "--help")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    examples = [ln.strip() for ln in lines if ln.strip().startswith("Example: nvivo-bridge ")]
    assert len(examples) == 1, result.output
    example = examples[0]
    assert f"nvivo-bridge {command} " in example
    following = lines[lines.index(next(ln for ln in lines if ln.strip() == example)) + 1].strip()
    # The line after the example is blank, or (codebook) a second, complete command.
    assert following == "" or "nvivo-bridge " in following
    assert not example.endswith(("-", "--"))


@pytest.mark.parametrize("to", ["csv", "json"])
def test_forced_output_folder_holding_the_input_is_refused(tmp_path, to):
    # `convert proj/x.qdpx -o proj --to csv --force` replaced the folder proj and deleted the input
    # with everything beside it.
    proj = tmp_path / "proj"
    proj.mkdir()
    src = proj / SAMPLE.name
    shutil.copyfile(SAMPLE, src)
    (proj / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run("convert", src, "-o", proj, "--to", to, "--force")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "contains the input" in line and str(proj) in line
    assert src.read_bytes() == SAMPLE.read_bytes()
    assert (proj / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_cipp_figures_folder_holding_the_input_is_refused(tmp_path):
    src = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, src)
    result = run("cipp", src, "-o", tmp_path / "out.xlsx", "--figures", tmp_path, "--force")
    assert result.exit_code == 1
    assert "contains the input" in one_line_error(result)
    assert src.exists() and not (tmp_path / "out.xlsx").exists()


def test_output_folder_beside_the_input_is_still_allowed(tmp_path):
    src = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, src)
    out = tmp_path / "csv"
    out.mkdir()
    (out / "old.csv").write_text("x", encoding="utf-8")
    result = run("convert", src, "-o", out, "--to", "csv", "--force", "-q")
    assert result.exit_code == 0, result.output
    assert (out / "Codings.csv").is_file() and not (out / "old.csv").exists()


@pytest.mark.parametrize("name", ["cipp.csv", "cipp.html", "cipp"])
def test_cipp_output_must_be_a_workbook(tmp_path, name):
    # `cipp -o cipp.csv` exited 0 and wrote an Excel workbook named cipp.csv.
    out = tmp_path / name
    result = run("cipp", SAMPLE, "-o", out)
    assert result.exit_code == 2
    line = one_line_error(result)
    assert str(out) in line and ".xlsx" in line
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_batch_ctrl_c_says_how_to_resume(tmp_path, monkeypatch):
    # Ctrl-C in a batch printed "no partial output was left behind" and nothing about --resume,
    # although finished outputs and the report stay (docs/batch.md, "Ctrl-C").
    import nvivo_bridge.batch.run as batch_run

    def interrupted(plan, report, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_run, "run_batch", interrupted)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(SAMPLE, src / SAMPLE.name)
    out = tmp_path / "out"
    result = run("batch", src, "-o", out, "--to", "json", "--workers", "1", "-q")
    assert result.exit_code == 130
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Interrupted: ")
    assert "--resume" in lines[0] and str(out / "batch-report.csv") in lines[0]
