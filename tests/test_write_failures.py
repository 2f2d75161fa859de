"""A failed write (disk full, permissions) is a WriteError naming the output, never a traceback,
and leaves no output or temporary file behind."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest

from nvivo_bridge._io import write_bytes
from nvivo_bridge.codebook.sheet_write import write_table
from nvivo_bridge.errors import WriteError


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_write_bytes_writes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "a.bin"
    write_bytes(out, b"abc", "the thing")
    assert out.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_write_bytes_failure_names_what_and_where(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "a.qdc"
    monkeypatch.setattr(Path, "write_bytes", _disk_full)
    with pytest.raises(WriteError) as info:
        write_bytes(out, b"abc", "the codebook")
    assert "cannot write the codebook (No space left on device)" in str(info.value)
    assert str(out) in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["changes.xlsx", "changes.csv"])
def test_write_table_failure_is_a_write_error(tmp_path: Path, monkeypatch, name: str) -> None:
    import builtins

    import openpyxl

    monkeypatch.setattr(openpyxl.Workbook, "save", _disk_full)
    real_open = builtins.open

    def failing_open(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).startswith(str(tmp_path)):
            _disk_full()
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)
    out = tmp_path / name
    with pytest.raises(WriteError) as info:
        write_table(out, "Changes", ("a", "b"), [["1", "2"]])
    assert str(out) in str(info.value) and "No space left" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_write_table_round_trip_csv(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    write_table(out, "T", ("a", "b"), [["=1", "x"]])
    assert out.read_text("utf-8-sig").splitlines() == ["a,b", "'=1,x"]
