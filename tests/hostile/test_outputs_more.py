"""Outputs, round two (issue 15): batch into a folder that cannot be made, SIGTERM during a write,
a full disk, ``--force`` onto something that is not a regular file or an output folder, and
control characters in the paths and names the CLI prints."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nvivo_bridge import api
from nvivo_bridge.cli._common import escape_controls
from projects import small_project

from ._kit import assert_clean, assert_same_tree, cli, expect_error, expect_ok, snapshot


@pytest.fixture
def proj(work) -> Path:
    api.write(small_project(), work / "p.json")
    return work / "p.json"


# -- batch -o into a folder that cannot be made ---------------------------------------------------
def test_batch_into_a_folder_that_cannot_be_made(work, proj):
    (work / "afile").write_text("x")
    before = snapshot(work)
    expect_error(cli("batch", proj, "-o", work / "afile" / "sub", "--to", "xlsx"), 1, "afile")
    expect_error(cli("batch", proj, "-o", work / "out", "--to", "xlsx", "--report", work / "afile" / "r.csv"),
                 1, "afile")
    if Path("/proc").is_dir():
        expect_error(cli("batch", proj, "-o", "/proc/nvivo-bridge-test", "--to", "xlsx"), 1, "/proc")
    assert_same_tree(before, work)  # no output folder made, no workbook written


# -- SIGTERM ----------------------------------------------------------------------------------------
_SLOW_WRITE = r"""
import sys, time
from pathlib import Path
import nvivo_bridge.writers.xlsx as x
real = x._write_tables
def slow(*a, **k):
    real(*a, **k)
    Path(sys.argv[1]).write_text("writing")
    time.sleep(60)
x._write_tables = slow
from nvivo_bridge.cli import main
main(args=sys.argv[2:], prog_name="nvivo-bridge")
"""


def test_sigterm_during_a_write_leaves_no_temporary_file(work, proj):
    out = work / "out"
    out.mkdir()
    marker = work / "marker"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, str(marker), "convert", str(proj), "-o",
                             str(out / "x.xlsx"), "-q"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, (proc.returncode, err)
    assert_clean(err)
    assert "Terminated" in err
    assert list(out.iterdir()) == [], list(out.iterdir())


# -- disk full --------------------------------------------------------------------------------------
_FULL_DISK = r"""
import errno, io, sys, types, zipfile
class Full(io.FileIO):
    def write(self, b):
        raise OSError(errno.ENOSPC, "No space left on device")
real_open = io.open
def fake_open(file, mode="r", *a, **k):
    if "w" in mode and str(file).endswith(".tmp"):
        return io.BufferedWriter(Full(file, "w"))
    return real_open(file, mode, *a, **k)
zipfile.io = types.SimpleNamespace(**{**vars(io), "open": fake_open})
from nvivo_bridge.cli import main
main(args=sys.argv[1:], prog_name="nvivo-bridge")
"""


def test_disk_full_while_writing_xlsx_is_one_line(work, proj):
    before = snapshot(work)
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, "convert", str(proj), "-o", str(work / "x.xlsx"), "-q"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "No space left" in lines[0], proc.stderr
    assert_same_tree(before, work)


# -- --force onto what is not ours ------------------------------------------------------------------
def test_force_never_replaces_a_device_fifo_link_or_folder_tree(work, proj):
    fifo = work / "fifo.xlsx"
    os.mkfifo(fifo)
    (work / "target.txt").write_text("keep")
    (work / "link.xlsx").symlink_to(work / "target.txt")
    tree = work / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "keep.txt").write_text("keep")
    before = snapshot(work)
    expect_error(cli("convert", proj, "-o", fifo, "--force"), 1, "fifo.xlsx", "FIFO")
    expect_error(cli("convert", proj, "-o", work / "link.xlsx", "--force"), 1, "link.xlsx", "symbolic link")
    expect_error(cli("convert", proj, "-o", tree, "--force", "--to", "csv"), 1, "tree")
    expect_error(cli("convert", proj, "-o", "/dev/null", "--force", "--to", "xlsx"), 1, "/dev/null", "device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert_same_tree(before, work)
    # a regular file and a folder of files are still replaced
    (work / "old.xlsx").write_text("old")
    expect_ok(cli("convert", proj, "-o", work / "old.xlsx", "--force"))
    (work / "olddir").mkdir()
    (work / "olddir" / "x.csv").write_text("old")
    expect_ok(cli("convert", proj, "-o", work / "olddir", "--force"))
    assert not (work / "olddir" / "x.csv").exists()


def test_library_writer_never_replaces_a_device(work):
    """The check sits in the atomic rename too, for writers called without check_output."""
    from nvivo_bridge.errors import WriteError
    os.mkfifo(work / "f.json")
    with pytest.raises(WriteError):
        api.write(small_project(), work / "f.json")
    assert stat.S_ISFIFO(os.lstat(work / "f.json").st_mode)
    assert [p.name for p in work.iterdir()] == ["f.json"]


# -- control characters in printed names -------------------------------------------------------------
def test_a_newline_in_o_cannot_forge_an_error_line(work, proj):
    out = "bad\nError: forged\x1b[31m/x.xlsx"
    result = cli("convert", proj, "-o", out)
    line = expect_error(result, 1)
    assert "\\nError: forged\\x1b[31m" in line
    assert "\x1b" not in result.stderr
    result = cli("info", "no\rsuch\u202efile.qdpx")
    expect_error(result, 4)
    assert "\r" not in result.stderr and "\u202e" not in result.stderr


def test_names_from_the_project_are_escaped_in_info_and_validate(work):
    p = small_project()
    next(iter(p.codes.values())).name = "Needs\nError: forged"
    p.name = "P\nError: forged"
    api.write(p, work / "p.json")
    for args in (("info", work / "p.json"), ("validate", work / "p.json")):
        result = cli(*args)
        assert not any(ln.startswith("Error: forged") for ln in (result.stdout + result.stderr).splitlines())


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_escape_controls_keeps_one_line(text):
    out = escape_controls(text)
    assert len(out.splitlines()) <= 1
    assert not any(ch in out for ch in "\x1b\r\n\x00\x85\u2028\u2029\u202e")
    if all(ch.isprintable() and ch not in "\u200e\u200f\u061c" for ch in text):
        assert out == text


def test_click_path_checks_escape_the_name_too(work, proj):
    (work / "afile").write_text("x")
    for args in (("batch", "a\nError: forged", "-o", work / "out"),
                 ("batch", proj, "-o", work / "afile", "--report", "r\x1b[2K.csv")):
        result = cli(*args)
        assert result.exit_code in (1, 2), result.stderr
        assert not any(ln.startswith("Error: forged") for ln in result.stderr.splitlines()), result.stderr
        assert "\x1b" not in result.stderr
