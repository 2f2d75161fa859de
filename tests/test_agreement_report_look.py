"""The agreement HTML report reads like the CIPP report: words above the columns (the workbook and
CSV keep the identifiers), code paths broken between words."""
from __future__ import annotations

import re
from pathlib import Path

import nvivo_bridge as nb
from nvivo_bridge.agreement import write_report

TEAM = Path(__file__).resolve().parent.parent / "samples" / "kp-widyaiswara-team.qdpx"


def test_report_headers_are_words_and_workbook_keeps_identifiers(tmp_path):
    res = nb.agreement(nb.read(TEAM))
    out = tmp_path / "a.html"
    write_report(res, out)
    html = out.read_text(encoding="utf-8")
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert {"Code", "Kappa (weighted)", "% agreement (weighted)", "Krippendorff&#x27;s alpha"} <= set(heads)
    assert not [h for h in heads if "_" in h]
    assert '<td class="path">Konteks (Context)/Kebutuhan pengembangan kompetensi WI</td>' in html
    assert {"code_path", "kappa_weighted", "agreement_pct_weighted", "alpha"} <= set(res.frames["Summary"].columns)
