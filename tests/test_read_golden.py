"""Golden tests: each hand-made input of tests/data/refi reads to the committed JSON dump.

Inputs are built by tests/refi_golden_inputs.py; after a deliberate reader change, regenerate
the dumps with ``UPDATE_GOLDEN=1 pytest tests/test_read_golden.py`` and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nvivo_bridge import api
from nvivo_bridge.readers import json as jreader
from nvivo_bridge.writers import json as jwriter

DATA = Path(__file__).resolve().parent / "data"
INPUTS = sorted(p for p in (DATA / "refi").iterdir() if p.is_file())


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_read_matches_golden(path):
    project = api.read(path)
    text = jwriter.dumps(project, base=DATA)
    golden = DATA / "golden" / (path.name + ".json")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.exists(), f"no golden dump for {path.name}; run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
    # The dump is complete: reading it back gives the same project.
    back = jreader.loads(text)
    assert jwriter.dumps(back, base=DATA) == text
