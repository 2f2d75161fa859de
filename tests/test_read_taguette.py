"""Our reader of Taguette's export layouts without Taguette itself (hand-made files in its layout;
the files made by Taguette's own code are read in tests/test_interop_taguette.py)."""
from __future__ import annotations

import uuid

from click.testing import CliRunner

import nvivo_bridge as nb
from nvivo_bridge.cli import main
from nvivo_bridge.readers.taguette import TAGUETTE_NAMESPACE


def test_untagged_highlight_is_a_selection_without_codings(tmp_path):
    """Taguette's own export leaves untagged highlights out (an inner join), but its layout allows an
    empty tag: such a row is a selection without codings, not an error."""
    path = tmp_path / "h.csv"
    path.write_text('id,document,tag,content\r\n1,Doc,,"free, text"\r\n2,Doc,t1,more\r\n', encoding="utf-8")
    project = nb.read(path, "taguette")
    sels = [sel for s in project.sources.values() for sel in s.selections]
    assert [(sel.text, len(sel.codings)) for sel in sels] == [("free, text", 0), ("more", 1)]


def test_not_a_taguette_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["convert", str(bad), "--from", "taguette", "-o", str(tmp_path / "y.json")])
    assert res.exit_code != 0 and "not a Taguette export" in res.output


def test_taguette_codebook_csv_reads_with_descriptions_and_taguette_guids(tmp_path):
    path = tmp_path / "cb.csv"
    path.write_text("tag,description,number of highlights,number of documents\r\n"
                    'a.b,"x, ""y""",2,1\r\nc,,0,0\r\n', encoding="utf-8")
    book = nb.read(path, "taguette")
    assert book.kind == "codebook"
    assert {c.name: c.description for c in book.codes.values()} == {"a.b": 'x, "y"', "c": None}
    # uuid5 of the tag path in Taguette's namespace, as in Taguette's own .qdc
    assert set(book.codes) == {str(uuid.uuid5(TAGUETTE_NAMESPACE, t)) for t in ("a.b", "c")}
