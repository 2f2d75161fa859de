"""The merged team project in the programs that use it: QualCoder imports it with every coding
(``../shared/interop``), and inter-coder agreement runs on it (``nvivo_bridge.agreement``)."""
from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import nvivo_bridge
from nvivo_bridge import api
from merge_fixtures import SAMPLE, coder_copy, edit_sentence, fresh_guids, to_lf

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT.parent / "shared" / "interop" / "qualcoder_roundtrip.py"


def _qualcoder_python():
    exe = os.environ.get("NVIVO_BRIDGE_QUALCODER_PYTHON") or "/work/venv-qualcoder/bin/python"
    return exe if Path(exe).is_file() and DRIVER.is_file() else None


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """Two coders' copies (NVivo-written, QualCoder-written with fresh GUIDs, LF and an edit) merged."""
    from samples.nvivo_like import write_qdpx

    tmp = tmp_path_factory.mktemp("team")
    sample = api.read(SAMPLE)
    ani = coder_copy(sample, "Ani", lambda n: n % 3 != 1)
    budi = fresh_guids(coder_copy(sample, "Budi", lambda n: n % 3 != 2), tmp, "budi")
    edit_sentence(budi, "Wawancara_I2", budi_sentence(budi), "Kalimat ini diubah oleh Budi.")
    to_lf(budi)
    api.write(budi, tmp / "budi.qdpx", target="qualcoder")
    a, b = api.read(write_qdpx(ani, tmp / "ani.qdpx")), api.read(tmp / "budi.qdpx")
    return nvivo_bridge.merge([a, b], labels=["ani.qdpx", "budi.qdpx"]), tmp


def budi_sentence(project) -> str:
    """The first coded sentence of the second interview (the one Budi edits)."""
    src = next(s for s in project.sources.values() if s.name == "Wawancara_I2")
    sel = next(s for s in src.selections if s.codings and s.end - s.start < 200)
    return src.text[sel.start:sel.end]


@pytest.mark.interop
@pytest.mark.skipif(_qualcoder_python() is None, reason="QualCoder's python or ../shared/interop not available")
def test_qualcoder_imports_every_coding_of_the_merged_project(team):
    # The --target qualcoder reshaping (issue 14: one annotation per place, codes under
    # categories) is what lets QualCoder take NVivo-shaped projects; without it QualCoder already
    # refuses the NVivo-written copy alone (duplicate annotation), merged or not.
    pytest.importorskip("nvivo_bridge.writers._qualcoder", reason="needs the QualCoder export profile (issue 14)")
    result, tmp = team
    out = tmp / "merged.qdpx"
    api.write(result.project, out, target="qualcoder")
    proc = subprocess.run([_qualcoder_python(), str(DRIVER), str(out), str(tmp / "qc")], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    report = json.loads((tmp / "qc" / "result.json").read_text("utf-8"))
    assert report["import_ok"], (report.get("import_error"), proc.stderr[-2000:])
    ours = nvivo_bridge.tables(result.project)["Codings"]
    lf = lambda t: t.replace("\r\n", "\n")  # noqa: E731 - QualCoder reads texts with universal newlines
    expected = Counter((r.source, r.coder, lf(r.text)) for r in ours.itertuples())
    got = Counter((c["source"], c["coder"], c["text"]) for c in report["codings"])
    assert got == expected
    assert set(got_coder for _, got_coder, _ in got) == {"Ani", "Budi"}


def test_agreement_runs_on_the_merged_project(team):
    agreement = pytest.importorskip("nvivo_bridge.agreement")
    result, _ = team
    compare = agreement if callable(agreement) else agreement.agreement
    out = compare(result.project, coders=["Ani", "Budi"])
    frames = out.frames
    assert len(frames["Summary"]) > 0
    # A third of the passages were coded alike by both, so agreement is neither nil nor perfect.
    kappas = frames["Code x Source"]["kappa"].dropna()
    assert len(kappas) and (kappas < 1).any() and (kappas > 0).any()
