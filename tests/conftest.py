"""Shared fixtures: paths to the corpus (skipped when absent) and canonical projects."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not available")


def corpus_files(sub: str, *suffixes: str) -> list[Path]:
    """Corpus files under ``sub`` with one of ``suffixes`` (empty when the corpus is absent)."""
    folder = CORPUS / sub
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not suffixes or p.suffix.lower() in suffixes)


@pytest.fixture
def rich_project():
    """A project using every REFI-QDA element kind (see tests/projects.py)."""
    from projects import rich_project as build

    return build()


@pytest.fixture
def small_project():
    """A two-source, five-code coded project (see tests/projects.py)."""
    from projects import small_project as build

    return build()
