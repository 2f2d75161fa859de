"""The coding index: one entry per coding with its excerpt, locator, coder, cases and memo."""
from nvivo_bridge.coding_index import build_index, format_ms
from nvivo_bridge.model import Coding

from projects import g


def test_every_coding_indexed_with_exact_excerpt(small_project):
    idx = build_index(small_project)
    assert len(idx) == small_project.counts()["codings"] == 6
    k = idx.selection_guid.index(g("5e1", 1))
    assert idx.text[k] == "Kami butuh pelatihan yang sesuai — bukan sekadar seremonial 😀."
    assert idx.coder[k] == "R1"
    assert idx.cases[k] == (g("ca", 1),)


def test_memo_from_noteref_and_annotation_link(rich_project):
    idx = build_index(rich_project)
    k = idx.coding_guid.index(g("c1", 2))
    assert idx.memo[k] == "Budget appears in Input and in Process."
    assert g("5f", 8) not in idx.selection_guid  # an annotation anchor without codings is no coding


def test_locators_for_non_text_selections(rich_project):
    idx = build_index(rich_project)
    by_sel = dict(zip(idx.selection_guid, idx.text))
    assert by_sel[g("5f", 1)] == "page 1 (12,40)-(300,90)"
    assert by_sel[g("5f", 3)] == "region (10,10)-(200,120)"
    assert by_sel[g("5f", 4)] == "00:01:20.500-00:02:10.000"
    assert idx.text[idx.coding_guid.index(g("c2", 6))] == "(whole source)"


def test_coder_filter_and_dangling_codes(small_project):
    src = next(iter(small_project.sources.values()))
    src.selections[0].codings.append(Coding("dead0000-0000-4000-8000-000000000000", "no-such-code"))
    idx = build_index(small_project, coder="R2")
    assert set(idx.coder) == {"R2"} and len(idx) == 2
    assert idx.dangling == 1


def test_format_ms():
    assert format_ms(3_723_045) == "01:02:03.045"
    assert format_ms(None) == "?"
