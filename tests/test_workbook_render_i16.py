"""The workbook as a person sees it: rendered by LibreOffice to PDF, no line of text is drawn over
another (wrapped excerpts used to run into the next row: issue 16).  Slow, and skipped where
LibreOffice or poppler's pdftotext is not installed."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import nvivo_bridge

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SOFFICE or not shutil.which("pdftotext"), reason="needs LibreOffice and pdftotext")]


def _lines(pdf: Path) -> list[list[tuple]]:
    """Per page, the text lines as ``(x0, y0, x1, y1, text)``."""
    pages = []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    for page in range(1, int(re.search(r"Pages:\s+(\d+)", info).group(1)) + 1):
        out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        found = re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                           out, re.S)
        pages.append([(*map(float, f[:4]), " ".join(re.findall(r">([^<]*)</word>", f[4]))) for f in found])
    return pages


def _drawn_over(lines: list[tuple]) -> list[tuple[str, str]]:
    """Pairs of lines whose boxes share more than 4 points of height where they share width (the
    boxes of two lines of one paragraph touch by about 1.5 points)."""
    out = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 4:
                out.append((a[4], b[4]))
    return out


def test_no_text_is_drawn_over_other_text_in_libreoffice(tmp_path):
    xlsx = tmp_path / "sample.xlsx"
    nvivo_bridge.write(nvivo_bridge.read(ROOT / "samples" / "kp-widyaiswara.qdpx"), xlsx)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
                   capture_output=True, timeout=300, check=True)
    pages = _lines(tmp_path / "sample.pdf")
    text = " ".join(line[4] for page in pages for line in page)
    assert "Sesi berbagi kami adakan dua kali sebulan" in text  # the excerpts are there
    assert [pair for page in pages for pair in _drawn_over(page)] == []
