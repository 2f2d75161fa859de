"""Fixtures shared by the hostile-input tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder that is also the working directory (so relative writes would show up in it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
