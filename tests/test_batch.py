"""Batch conversion: input discovery, output planning and collisions, report, resume, and real runs."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvivo_bridge
from nvivo_bridge.batch import (REPORT_NAME, UP_TO_DATE, Result, discover, load_report, plan_batch,
                                write_report)
from nvivo_bridge.batch.run import FINISHED_AT_CTRL_C, INTERRUPTED, NOT_RUN_FAIL_FAST, run_batch, run_task
from nvivo_bridge.cli import main
from nvivo_bridge.errors import ReadError, UsageError
from nvivo_bridge.model import Code
from projects import rich_project, small_project


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- discovery


def test_discover_folder_takes_readable_files_only_and_skips_hidden_and_outdir(tmp_path):
    for name in ("a.qdpx", "b.QDE", "c.json", "notes.foo", ".hidden.qdpx", "~$lock.xlsx", "sub/d.qdc",
                 "out/old.json", ".git/x.json"):
        touch(tmp_path / name)
    found, ignored = discover([tmp_path], outdir=tmp_path / "out")
    assert [p.name for p, _ in found] == ["a.qdpx", "b.QDE", "c.json"]
    assert all(root == tmp_path for _, root in found)
    assert ignored == 1                                   # notes.foo
    found, _ = discover([tmp_path], outdir=tmp_path / "out", recursive=True)
    assert [p.relative_to(tmp_path).as_posix() for p, _ in found] == ["a.qdpx", "b.QDE", "c.json", "sub/d.qdc"]


def test_report_in_an_input_folder_is_not_an_input(tmp_path):
    touch(tmp_path / "a.qdpx")
    touch(tmp_path / "rep.json")
    plan = plan_batch([tmp_path], tmp_path / "out", "xlsx", report=tmp_path / "rep.json")
    assert [Path(t.input).name for t in plan.tasks] == ["a.qdpx"]


def test_discover_patterns_and_explicit_files_and_duplicates(tmp_path):
    for name in ("x1.qdpx", "x2.qdpx", "y.qdpx", "x3.foo"):
        touch(tmp_path / name)
    found, ignored = discover([tmp_path], patterns=["x*"])
    assert [p.name for p, _ in found] == ["x1.qdpx", "x2.qdpx", "x3.foo"] and ignored == 1
    # the same file named twice, and once more through its folder, is one input
    found, _ = discover([tmp_path / "y.qdpx", tmp_path / "y.qdpx", tmp_path])
    assert [p.name for p, _ in found] == ["y.qdpx", "x1.qdpx", "x2.qdpx"]
    with pytest.raises(UsageError):
        discover([tmp_path / "missing"])


def test_plan_unsupported_explicit_file_is_skipped_and_empty_input_is_usage_error(tmp_path):
    touch(tmp_path / "a.qdpx")
    touch(tmp_path / "n.foo")
    plan = plan_batch([tmp_path / "a.qdpx", tmp_path / "n.foo"], tmp_path / "out", "xlsx")
    assert [t.input for t in plan.tasks] == [str(tmp_path / "a.qdpx")]
    assert [(r.status, r.error) for r in plan.skipped] == [("skipped", "unsupported file type '.foo'")]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no input files"):
        plan_batch([tmp_path / "empty"], tmp_path / "o", "xlsx")
    with pytest.raises(UsageError, match="cannot write"):
        plan_batch([tmp_path / "a.qdpx"], tmp_path / "out", "docx")


# --------------------------------------------------------------------------- output planning


def outputs(plan, outdir: Path) -> dict[str, str]:
    return {Path(t.input).name: Path(t.output).relative_to(outdir).as_posix() for t in plan.tasks}


def test_outputs_mirror_relative_paths_under_the_common_folder(tmp_path):
    for name in ("arch/2023/a.qdpx", "arch/2023/deep/b.qdpx", "arch/2024/c.qdpx", "single.qdc"):
        touch(tmp_path / name)
    out = tmp_path / "out"
    # one folder: paths relative to it
    plan = plan_batch([tmp_path / "arch"], out, "xlsx", recursive=True)
    assert outputs(plan, out) == {"a.qdpx": "2023/a.xlsx", "b.qdpx": "2023/deep/b.xlsx", "c.qdpx": "2024/c.xlsx"}
    # two folders and a file: relative to the deepest folder holding them all
    plan = plan_batch([tmp_path / "arch/2023", tmp_path / "arch/2024", tmp_path / "single.qdc"], out, "csv")
    assert outputs(plan, out) == {"a.qdpx": "arch/2023/a_csv", "c.qdpx": "arch/2024/c_csv",
                                  "single.qdc": "single_csv"}
    plan = plan_batch([tmp_path / "single.qdc"], out, "cipp")
    assert outputs(plan, out) == {"single.qdc": "single.cipp.xlsx"}


def test_collisions_get_predictable_names(tmp_path):
    for name in ("a.qdpx", "a.qde", "a.json", "b.qdpx", "C.qdpx", "c.QDPX"):
        touch(tmp_path / name)
    out = tmp_path / "out"
    plan = plan_batch([tmp_path], out, "xlsx")
    got = outputs(plan, out)
    assert got["a.qdpx"] == "a.qdpx.xlsx" and got["a.qde"] == "a.qde.xlsx" and got["a.json"] == "a.json.xlsx"
    assert got["b.qdpx"] == "b.xlsx"
    # names equal but for case clash on case-insensitive disks too: numbered in path order
    assert sorted([got["C.qdpx"], got["c.QDPX"]]) == ["C.qdpx.xlsx", "c.QDPX~2.xlsx"]
    # same plan twice → same names (no dependence on directory listing order)
    assert outputs(plan_batch([tmp_path], out, "xlsx"), out) == got


def test_output_never_overwrites_an_input(tmp_path):
    touch(tmp_path / "p.json")
    touch(tmp_path / "q.qdpx")
    plan = plan_batch([tmp_path], tmp_path, "json")   # outdir == the input folder
    assert outputs(plan, tmp_path) == {"p.json": "p.json.json", "q.qdpx": "q.json"}


def test_nvivo_folder_is_one_input(tmp_path):
    touch(tmp_path / "exports/Codebook.txt")
    touch(tmp_path / "exports/Node A.docx")
    plan = plan_batch([], tmp_path / "out", "xlsx", nvivo_folders=[tmp_path / "exports"])
    assert [(Path(t.input).name, Path(t.output).name, t.from_format) for t in plan.tasks] == \
           [("exports", "exports.xlsx", "nvivo")]
    # named as an ordinary folder, its files are separate inputs
    plan = plan_batch([tmp_path / "exports"], tmp_path / "out", "xlsx")
    assert sorted(Path(t.input).name for t in plan.tasks) == ["Codebook.txt", "Node A.docx"]


# --------------------------------------------------------------------------- report and resume


ROWS = [Result("/in/a.qdpx", "/out/a.xlsx", "ok", 1.25, 0, ""),
        Result("/in/b, \"quoted\".qdpx", "/out/b.xlsx", "warnings", 0.5, 3, ""),
        Result("/in/c.qdpx", "/out/c.xlsx", "failed", 0.01, 0, "c.qdpx: not a zip file — re-export it"),
        Result("/in/d.foo", "", "skipped", 0.0, 0, "unsupported file type '.foo'")]


@pytest.mark.parametrize("name", ["r.csv", "r.json"])
def test_report_round_trip(tmp_path, name):
    path = write_report(ROWS, tmp_path / name)
    assert load_report(path) == ROWS
    assert [p.name for p in tmp_path.iterdir()] == [name]   # no temp file left


def test_report_csv_columns(tmp_path):
    text = write_report(ROWS[:1], tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert text == "input,output,status,seconds,warnings,error\n/in/a.qdpx,/out/a.xlsx,ok,1.25,0,\n"
    data = json.loads(write_report(ROWS[2:3], tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data == [{"input": "/in/c.qdpx", "output": "/out/c.xlsx", "status": "failed", "seconds": 0.01,
                     "warnings": 0, "error": "c.qdpx: not a zip file — re-export it"}]


def test_broken_report_is_a_read_error(tmp_path):
    touch(tmp_path / "r.csv", b"what,ever\n1,2\n")
    with pytest.raises(ReadError, match="previous batch report"):
        load_report(tmp_path / "r.csv")


def test_resume_plan(tmp_path):
    names = ["ok.qdpx", "warn.qdpx", "failed.qdpx", "changed.qdpx", "nooutput.qdpx", "uptodate.qdpx", "new.qdpx"]
    ins = {n: touch(tmp_path / "in" / n) for n in names}
    out = tmp_path / "out"
    first = plan_batch([tmp_path / "in"], out, "json")
    dst = {Path(t.input).name: Path(t.output) for t in first.tasks}
    status = {"ok.qdpx": "ok", "warn.qdpx": "warnings", "failed.qdpx": "failed", "changed.qdpx": "ok",
              "nooutput.qdpx": "ok", "uptodate.qdpx": "skipped"}
    previous = [Result(str(ins[n]), str(dst[n]), s, error=UP_TO_DATE if s == "skipped" else "")
                for n, s in status.items()]
    past = time.time() - 100
    for n in names:
        os.utime(ins[n], (past, past))
        if n not in ("nooutput.qdpx", "failed.qdpx", "new.qdpx"):
            touch(dst[n])
    os.utime(ins["changed.qdpx"], (time.time() + 100,) * 2)     # edited after its output was written
    plan = plan_batch([tmp_path / "in"], out, "json", resume_from=previous)
    assert sorted(Path(r.input).name for r in plan.skipped) == ["ok.qdpx", "uptodate.qdpx", "warn.qdpx"]
    assert all(r.error == UP_TO_DATE for r in plan.skipped)
    redo = {Path(t.input).name: t.force for t in plan.tasks}
    # outputs the previous report lists are ours to replace; a new input's output is not
    assert redo == {"changed.qdpx": True, "failed.qdpx": True, "nooutput.qdpx": True, "new.qdpx": False}


# --------------------------------------------------------------------------- the task


def test_run_task_never_raises(tmp_path):
    plan = plan_batch([touch(tmp_path / "bad.json", os.urandom(64))], tmp_path / "out", "json")
    row = run_task(plan.tasks[0])
    assert row.status == "failed" and "bad.json" in row.error and "\n" not in row.error
    missing = plan.tasks[0].__class__(str(tmp_path / "gone.json"), str(tmp_path / "out/gone.json"), "json")
    row = run_task(missing)
    assert row.status == "failed" and "no such file" in row.error
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_run_task_ok_and_warnings(tmp_path):
    good = tmp_path / "good.json"
    nvivo_bridge.write(small_project(), good)
    odd = tmp_path / "odd.json"
    data = json.loads(good.read_text(encoding="utf-8"))
    data["zzz_unknown"] = 1                                  # the JSON reader warns about it
    odd.write_text(json.dumps(data), encoding="utf-8")
    plan = plan_batch([good, odd], tmp_path / "out", "json")
    rows = [run_task(t) for t in plan.tasks]
    assert [(r.status, r.warnings) for r in rows] == [("ok", 0), ("warnings", 1)]
    assert nvivo_bridge.read(plan.tasks[0].output).counts() == small_project().counts()


# --------------------------------------------------------------------------- end to end (CLI)


@pytest.fixture
def mixed(tmp_path):
    """good (2, one in a subfolder), warnings (1), broken (random bytes, truncated zip), unsupported."""
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    nvivo_bridge.write(small_project(), src / "good.json")
    nvivo_bridge.write(rich_project(), src / "sub/rich.json")
    data = json.loads((src / "good.json").read_text(encoding="utf-8"))
    data["zzz_unknown"] = 1
    (src / "warn.json").write_text(json.dumps(data), encoding="utf-8")
    touch(src / "random.json", os.urandom(200))
    touch(src / "random.qdpx", os.urandom(200))
    buf = tmp_path / "full.zip"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", "<Project/>" * 500)
    touch(src / "truncated.qdpx", buf.read_bytes()[:300])
    touch(src / "notes.foo", b"hello")
    return src


def run_cli(*args: str):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def rows_by_name(report: Path) -> dict[str, Result]:
    return {Path(r.input).name: r for r in load_report(report)}


def test_cli_mixed_folder(mixed, tmp_path):
    out = tmp_path / "out"
    res = run_cli("batch", mixed, mixed / "notes.foo", "--recursive", "-o", out, "--to", "json", "--workers", "2")
    assert res.exit_code == 1, res.output
    rows = rows_by_name(out / REPORT_NAME)
    assert {n: r.status for n, r in rows.items()} == {
        "good.json": "ok", "rich.json": "ok", "warn.json": "warnings", "random.json": "failed",
        "random.qdpx": "failed", "truncated.qdpx": "failed", "notes.foo": "skipped"}
    assert rows["warn.json"].warnings == 1
    assert rows["random.json"].error.startswith(str(mixed / "random.json"))
    for name in ("random.qdpx", "truncated.qdpx"):
        assert rows[name].error and "\n" not in rows[name].error
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == \
           ["good.json", "sub/rich.json", "warn.json"]
    assert nvivo_bridge.read(out / "sub/rich.json").counts() == rich_project().counts()
    assert not temp_files(out)
    assert "2 ok, 1 warnings, 3 failed, 1 skipped" in res.output
    assert "1 file(s) in the folders ignored" in res.output          # in/notes.foo found by the scan


@pytest.mark.skipif(not has_module("nvivo_bridge.readers.qdpx"), reason="REFI reader readers/qdpx.py not written yet")
def test_cli_broken_qdpx_errors_are_read_errors_not_internal(mixed, tmp_path):
    out = tmp_path / "out"
    run_cli("batch", mixed / "random.qdpx", mixed / "truncated.qdpx", "-o", out, "--to", "json")
    rows = rows_by_name(out / REPORT_NAME)
    for name in ("random.qdpx", "truncated.qdpx"):
        assert rows[name].status == "failed" and name in rows[name].error
        assert "internal error" not in rows[name].error


def test_cli_all_good_exits_0_and_json_report(tmp_path):
    src = tmp_path / "in"
    for i, build in enumerate((small_project, rich_project)):
        nvivo_bridge.write(build(), touch(src / f"p{i}.json"), force=True)
    out = tmp_path / "out"
    res = run_cli("batch", src, "-o", out, "--to", "json", "--report", tmp_path / "rep.json", "--workers", "1")
    assert res.exit_code == 0, res.output
    rows = json.loads((tmp_path / "rep.json").read_text(encoding="utf-8"))
    assert [(Path(r["input"]).name, Path(r["output"]).name, r["status"], r["error"]) for r in rows] == \
           [("p0.json", "p0.json", "ok", ""), ("p1.json", "p1.json", "ok", "")]
    assert all(r["seconds"] >= 0 for r in rows)
    # a second run without --force refuses to replace the outputs
    res = run_cli("batch", src, "-o", out, "--to", "json", "--report", tmp_path / "rep.json")
    assert res.exit_code == 1
    assert {r.status for r in load_report(tmp_path / "rep.json")} == {"failed"}
    assert run_cli("batch", src, "-o", out, "--to", "json", "--force", "-q").exit_code == 0


def test_cli_resume(mixed, tmp_path):
    out = tmp_path / "out"
    assert run_cli("batch", mixed, "--recursive", "-o", out, "--to", "json").exit_code == 1
    first = rows_by_name(out / REPORT_NAME)
    time.sleep(0.05)
    nvivo_bridge.write(small_project(), mixed / "random.json", force=True)   # the broken file gets fixed
    future = time.time() + 60
    os.utime(mixed / "sub/rich.json", (future, future))                       # and one input was edited
    res = run_cli("batch", mixed, "--recursive", "-o", out, "--to", "json", "--resume")
    assert res.exit_code == 1                                                  # the .qdpx files still fail
    rows = rows_by_name(out / REPORT_NAME)
    assert {n: (r.status, r.error == UP_TO_DATE) for n, r in rows.items()} == {
        "good.json": ("skipped", True), "warn.json": ("skipped", True), "rich.json": ("ok", False),
        "random.json": ("ok", False), "random.qdpx": ("failed", False), "truncated.qdpx": ("failed", False)}
    assert first["good.json"].status == "ok"
    # resuming again: rows skipped as up to date still count as done
    run_cli("batch", mixed, "--recursive", "-o", out, "--to", "json", "--resume")
    assert rows_by_name(out / REPORT_NAME)["good.json"].error == UP_TO_DATE


def test_cli_fail_fast(tmp_path):
    src = tmp_path / "in"
    touch(src / "a0.json", b"not json")
    for i in range(1, 8):
        nvivo_bridge.write(small_project(), touch(src / f"a{i}.json"), force=True)
    out = tmp_path / "out"
    res = run_cli("batch", src, "-o", out, "--to", "json", "--workers", "1", "--fail-fast")
    assert res.exit_code == 1
    rows = load_report(out / REPORT_NAME)
    assert rows[0].status == "failed"
    not_run = [r for r in rows if r.status == "skipped"]
    # the pool may already have handed a task or two to the worker; the rest never ran
    assert len(not_run) >= 4 and all(r.error == NOT_RUN_FAIL_FAST for r in not_run)
    assert all(not Path(r.output).exists() for r in not_run)


@pytest.mark.parametrize("args", [
    ["batch", "-o", "OUT", "--to", "json"],                         # no input
    ["batch", "IN", "-o", "OUT", "--to", "docx"],                   # unknown format
    ["batch", "IN", "-o", "OUT", "--to", "json", "--workers", "0"],
    ["batch", "IN/missing", "-o", "OUT", "--to", "json"],
    ["batch", "IN", "-o", "OUT"],                                   # no --to
])
def test_cli_usage_errors_exit_2(tmp_path, args):
    touch(tmp_path / "in/only.foo")
    args = [a.replace("IN", str(tmp_path / "in")).replace("OUT", str(tmp_path / "out")) for a in args]
    assert run_cli(*args).exit_code == 2


def test_cli_folder_without_inputs_exit_2(tmp_path):
    touch(tmp_path / "in/only.foo")
    res = run_cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--to", "json")
    assert res.exit_code == 2 and "no input files" in res.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt,suffix,module", [("xlsx", ".xlsx", "nvivo_bridge.writers.xlsx"),
                                               ("qdpx", ".qdpx", "nvivo_bridge.writers.qdpx"),
                                               ("csv", "_csv", "nvivo_bridge.writers.csv")])
def test_cli_other_writers(tmp_path, fmt, suffix, module):
    if not has_module(module):
        pytest.skip(f"{module} not written yet")
    src = tmp_path / "in"
    nvivo_bridge.write(small_project(), touch(src / "p.json"), force=True)
    res = run_cli("batch", src, "-o", tmp_path / "out", "--to", fmt, "--workers", "1")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / f"p{suffix}").exists()
    assert load_report(tmp_path / "out" / REPORT_NAME)[0].status in ("ok", "warnings")


@pytest.mark.skipif(not has_module("nvivo_bridge.writers.cipp"), reason="writers/cipp.py not written yet")
def test_cli_cipp_passes_writer_options(tmp_path):
    import openpyxl

    src = tmp_path / "in"
    nvivo_bridge.write(small_project(), touch(src / "p.json"), force=True)
    res = run_cli("batch", src, "-o", tmp_path / "out", "--to", "cipp", "--lang", "id", "--group-by", "Peran",
                  "--unmapped", "other", "--workers", "1")
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(tmp_path / "out" / "p.cipp.xlsx", read_only=True)
    assert "Ringkasan CIPP" in book.sheetnames and "Matriks Peran" in book.sheetnames
    book.close()
    odd = small_project()
    odd.codes["c9000000-0000-4000-8000-000000000001"] = Code("c9000000-0000-4000-8000-000000000001",
                                                             "Motivasi pribadi")   # maps to no component
    nvivo_bridge.write(odd, src / "p.json")
    res = run_cli("batch", src, "-o", tmp_path / "out2", "--to", "cipp", "--unmapped", "error")
    assert res.exit_code == 1
    assert load_report(tmp_path / "out2" / REPORT_NAME)[0].status == "failed"


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_cleanly(tmp_path):
    from batch_projects import mid_project

    src = tmp_path / "in"
    src.mkdir()
    nvivo_bridge.write(mid_project(1, sources=40, codings_per_source=400), src / "m0.json")
    for i in range(1, 8):   # ~1.5 s per conversion: long enough to be interrupted midway
        shutil.copyfile(src / "m0.json", src / f"m{i}.json")
    out = tmp_path / "out"
    exe = Path(sys.executable).with_name("nvivo-bridge")
    proc = subprocess.Popen([str(exe), "batch", str(src), "-o", str(out), "--to", "json", "--workers", "2", "-q"],
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob("m*.json")):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)          # what a terminal's Ctrl-C does: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    rows = load_report(out / REPORT_NAME)
    assert len(rows) == 8
    # a task whose output was renamed into place just before Ctrl-C counts as done
    assert all(r.error in ("", FINISHED_AT_CTRL_C) for r in rows if r.status == "ok")
    done = [r for r in rows if r.status == "ok"]
    stopped = [r for r in rows if r.status == "skipped"]
    assert done and stopped and len(done) + len(stopped) == 8
    assert all(r.error == INTERRUPTED for r in stopped)
    for r in done:
        assert nvivo_bridge.read(r.output).counts()["codings"] == 16000
    assert all(not Path(r.output).exists() for r in stopped)
    assert not temp_files(out)


def test_run_batch_library_keeps_input_order(tmp_path):
    src = tmp_path / "in"
    for i in range(3):
        nvivo_bridge.write(small_project(), touch(src / f"p{i}.json"), force=True)
    touch(src / "x.foo")
    plan = plan_batch([src / "p2.json", src / "x.foo", src / "p0.json", src / "p1.json"], tmp_path / "out", "json")
    seen = []
    outcome = run_batch(plan, tmp_path / "r.csv", workers=2, on_result=seen.append)
    assert [Path(r.input).name for r in outcome.results] == ["p2.json", "x.foo", "p0.json", "p1.json"]
    assert sorted(Path(r.input).name for r in seen) == ["p0.json", "p1.json", "p2.json", "x.foo"]
    assert outcome.failed == 0 and outcome.count("ok") == 3


def test_progress_bar_on_a_tty_shows_done_and_failed(monkeypatch):
    import io

    from nvivo_bridge.cli.batch import _progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    with _progress(3, quiet=False) as update:
        for status in ("ok", "failed", "skipped"):
            update(Result("i", "o", status))
    text = err.getvalue()
    assert "3/3" in text and "failed 1" in text
    with _progress(3, quiet=True) as update:
        assert update is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())      # not a terminal: no bar
    with _progress(3, quiet=False) as update:
        assert update is None


def test_quiet_prints_nothing(tmp_path):
    src = tmp_path / "in"
    nvivo_bridge.write(small_project(), touch(src / "p.json"), force=True)
    res = run_cli("batch", src, "-o", tmp_path / "out", "--to", "json", "-q")
    assert res.exit_code == 0 and res.output == ""


DATA = Path(__file__).resolve().parent / "data"


def test_cli_real_refi_files_and_nvivo_folder(tmp_path):
    out = tmp_path / "out"
    res = run_cli("batch", DATA / "refi", "--nvivo-folder", DATA / "nvivo", "-o", out, "--to", "json", "-q")
    assert res.exit_code == 0, res.output
    rows = rows_by_name(out / REPORT_NAME)
    assert set(rows) == {"atlas-codebook-0-4.qdc", "atlas-media.qdpx", "maxqda-bare.qde", "nvivo-win-emoji.qdpx",
                         "nvivo"}
    assert {r.status for r in rows.values()} <= {"ok", "warnings"}
    # inputs from two folders: mirrored under their common parent (tests/data)
    assert Path(rows["atlas-media.qdpx"].output) == out / "refi" / "atlas-media.json"
    assert Path(rows["nvivo"].output) == out / "nvivo.json"
    assert nvivo_bridge.read(out / "nvivo.json").codes
    # the same folder named as a plain INPUT is recognised as one NVivo export project too (issue 16:
    # it used to become one project per file)
    plan = plan_batch([DATA / "nvivo"], out, "json", recursive=True)
    assert [Path(t.input).name for t in plan.tasks] == ["nvivo"] and plan.tasks[0].from_format == "nvivo"
    assert plan.nvivo_folders == [str(DATA / "nvivo")]


def test_pool_path_never_imports_dask(tmp_path):
    src = tmp_path / "in"
    nvivo_bridge.write(small_project(), touch(src / "p.json"), force=True)
    code = ("import sys; from nvivo_bridge.batch import plan_batch; from nvivo_bridge.batch.run import run_batch; "
            f"o = run_batch(plan_batch([{str(src)!r}], {str(tmp_path / 'out')!r}, 'json'), None, workers=1); "
            "assert o.count('ok') == 1, o; assert not [m for m in sys.modules if m.startswith('dask')]")
    subprocess.run([sys.executable, "-c", code], check=True)


names = st.lists(st.tuples(st.sampled_from(["", "sub/", "Sub/", "sub/deep/"]),
                           st.sampled_from(["a", "A", "b", "a.qdpx", "a~2"]),
                           st.sampled_from([".qdpx", ".qde", ".QDPX", ".json", ".qdc", ".xlsx"])),
                 min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=names, to=st.sampled_from(["xlsx", "json", "csv"]), same_dir=st.booleans())
def test_planned_outputs_are_unique_and_stable(tmp_path_factory, files, to, same_dir):
    root = tmp_path_factory.mktemp("p")
    for folder, stem, suffix in files:
        touch(root / "in" / f"{folder}{stem}{suffix}")
    out = root / "in" if same_dir else root / "out"
    plan = plan_batch([root / "in"], out, to, recursive=True)
    outs = [t.output for t in plan.tasks]
    folded = {o.casefold() for o in outs}
    assert len(folded) == len(outs)                                         # no two outputs clash
    assert not folded & {t.input.casefold() for t in plan.tasks}            # no output is an input
    assert all(Path(o).is_relative_to(out) for o in outs)
    assert [t.output for t in plan_batch([root / "in"], out, to, recursive=True).tasks] == outs


def test_a_worker_that_dies_fails_only_its_input(tmp_path):
    from batch_projects import die_on_marker

    from nvivo_bridge.batch.run import run_pool

    src = tmp_path / "in"
    for name in ("a.json", "b.json", "die.json", "c.json", "d.json", "e.json"):
        nvivo_bridge.write(small_project(), touch(src / name), force=True)
    plan = plan_batch([src], tmp_path / "out", "json")
    outcome = run_pool(plan.tasks, workers=2, fn=die_on_marker)
    got = {Path(r.input).name: r for r in outcome.results}
    assert {n: r.status for n, r in got.items()} == {"a.json": "ok", "b.json": "ok", "c.json": "ok",
                                                   "d.json": "ok", "die.json": "failed", "e.json": "ok"}
    assert got["die.json"].error.startswith("the worker converting this file died")


def test_a_task_finished_when_the_pool_broke_keeps_its_result(monkeypatch):
    """Regression: when a worker died, tasks still in flight were all retried, including one that had
    already finished; its rerun found its own output and failed ("the output already exists")."""
    import concurrent.futures as cf
    import threading

    from nvivo_bridge.batch import run as batch_run
    from nvivo_bridge.batch import Result, Task

    runs: list[str] = []

    class FakePool:
        """Resolves the 'die' task as broken at once and the other one shortly after, successfully."""

        def __init__(self, *args, **kwargs):
            pass

        def submit(self, fn, task):
            runs.append(task.input)
            fut: cf.Future = cf.Future()
            if task.input == "die" and runs.count("die") >= 1:
                fut.set_exception(cf.process.BrokenProcessPool("worker died"))
            else:
                threading.Timer(0.2, fut.set_result, [Result(task.input, task.output, "ok")]).start()
            return fut

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    monkeypatch.setattr(batch_run.cf, "ProcessPoolExecutor", FakePool)
    tasks = [Task("done-before-break", "o1", "json"), Task("die", "o2", "json")]
    outcome = batch_run.run_pool(tasks, workers=2)
    status = {r.input: r.status for r in outcome.results}
    assert status == {"done-before-break": "ok", "die": "failed"}
    assert runs.count("done-before-break") == 1


def test_a_retried_task_may_replace_only_its_own_output(tmp_path):
    """Regression: a worker could write its output and the pool break (another worker died) before
    the result came back; the retry then failed with "the output already exists"."""
    import os
    import time

    from nvivo_bridge.batch import Task
    from nvivo_bridge.batch.run import _for_retry

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text("{}")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    started = time.time() - 1
    new.write_text("{}")
    assert _for_retry(Task("in", str(new), "json"), started).force is True
    assert _for_retry(Task("in", str(old), "json"), started).force is False
    assert _for_retry(Task("in", str(tmp_path / "none.json"), "json"), started).force is False
