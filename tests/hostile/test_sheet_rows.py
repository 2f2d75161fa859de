"""Worksheets with too many rows (issue 15): a classification or codebook .xlsx is streamed and
stops at ``NVIVO_BRIDGE_MAX_ROWS`` rows with one clear error, in bounded time and memory."""
from __future__ import annotations

import openpyxl
import pytest

from nvivo_bridge.options import Limits

from ._kit import cli, expect_error, expect_ok, run_bounded


def _classification(path, n: int, blank_tail: int = 0):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Cases")
    ws.append(["Case", "Gender", "Age"])
    for k in range(n):
        ws.append([f"Case {k}", "F" if k % 2 else "M", k % 90])
    for _ in range(blank_tail):
        ws.append([None, None, None])
    wb.save(path)
    return path


def test_rows_limit_is_a_limit():
    assert Limits().max_rows == 200_000
    assert Limits.from_env({"NVIVO_BRIDGE_MAX_ROWS": "50"}).max_rows == 50


@pytest.mark.parametrize("n,limit,ok", [(1500, 1000, False), (900, 1000, True), (999, 1000, True), (1000, 1000, False)])
def test_classification_rows_against_the_limit(tmp_path, n, limit, ok):
    src = _classification(tmp_path / "cls.xlsx", n, blank_tail=2000)
    env = {"NVIVO_BRIDGE_MAX_ROWS": str(limit)}
    result = cli("convert", src, "-o", tmp_path / "o.json", env=env)
    if ok:
        assert "cases" in expect_ok(result)
    else:
        line = expect_error(result, 4, "cls.xlsx", f"more than {limit:,} rows", "NVIVO_BRIDGE_MAX_ROWS")
        assert not (tmp_path / "o.json").exists(), line


def test_codebook_sheet_rows_against_the_limit(tmp_path):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Codes")
    ws.append(["code_path", "description"])
    for k in range(300):
        ws.append([f"Code {k}", "d"])
    wb.save(tmp_path / "cb.xlsx")
    expect_error(cli("codebook", tmp_path / "cb.xlsx", "-o", tmp_path / "cb.qdc", env={"NVIVO_BRIDGE_MAX_ROWS": "100"}),
                 4, "cb.xlsx", "more than 100 rows")


def test_a_long_sheet_stops_early(tmp_path):
    """200,000 rows against a limit of 20,000: the refusal comes from a streamed count, long
    before openpyxl would have read the sheet, in little memory."""
    src = _classification(tmp_path / "long.xlsx", 200_000)
    run = run_bounded(tmp_path, "convert", src, "-o", tmp_path / "o.json", timeout=120, address_gb=3,
                      env={"NVIVO_BRIDGE_MAX_ROWS": "20000"})
    assert run.rc == 4, run.stderr
    assert "more than 20,000 rows" in run.stderr
    assert run.rss_mb < 300, run.rss_mb
