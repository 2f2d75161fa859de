"""NVivo node exports as .docx (issue 15): text inside tables, tracked insertions, content
controls, hyperlinks, fields and text boxes is read, in order; what is left out is reported."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from docx.oxml.ns import qn
from hypothesis import given, settings, strategies as st
from lxml import etree

from nvivo_bridge.errors import Diagnostics
from nvivo_bridge.readers.nvivo.decode import docx_lines

from ._kit import cli, expect_ok

HEADER = "<Files\\\\Interview 1> - § 3 references coded [10.00% Coverage]"
_INLINE = ["w:ins", "w:hyperlink", "w:smartTag", "w:fldSimple", "w:customXml", "sdt"]


def _el(parent, tag, **attrs):
    el = etree.SubElement(parent, qn(tag))
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _run(parent, text, deleted=False):
    r = _el(parent, "w:r")
    _el(r, "w:delText" if deleted else "w:t").text = text


def _wrap(parent, how):
    """A container of kind ``how`` inside ``parent`` holding runs."""
    if how == "sdt":
        return _el(_el(parent, "w:sdt"), "w:sdtContent")
    if how == "w:ins":
        return _el(parent, "w:ins", id="1", author="a", date="2024-01-01T00:00:00Z")
    if how == "w:fldSimple":
        return _el(parent, "w:fldSimple", instr="MERGEFIELD x")
    if how == "w:customXml":
        return _el(parent, "w:customXml", element="x")
    return _el(parent, how)


# A block: ("p", [(wrappers, word, deleted)…]) or ("tbl", [[word…]…]) or ("sdt", block)
_WORD = st.from_regex(r"[A-Z]{4,8}", fullmatch=True)
_RUN = st.tuples(st.lists(st.sampled_from(_INLINE), max_size=3), _WORD, st.booleans())
_PARA = st.tuples(st.just("p"), st.lists(_RUN, min_size=1, max_size=4))
_TABLE = st.tuples(st.just("tbl"), st.lists(st.lists(_WORD, min_size=1, max_size=3), min_size=1, max_size=3))
_BLOCK = st.one_of(_PARA, _TABLE, st.tuples(st.just("sdt"), st.one_of(_PARA, _TABLE)))


def _build(blocks) -> tuple[bytes, list[str], list[str]]:
    """A document of ``blocks``: its bytes, the words that must be read (in order), the deleted ones."""
    d = docx.Document()
    body = d.element.body
    sect = body[-1]
    wanted, deleted = [], []

    def add(parent, block):
        kind, content = block
        if kind == "sdt":
            add(_el(_el(parent, "w:sdt"), "w:sdtContent"), content)
        elif kind == "p":
            p = _el(parent, "w:p")
            for wrappers, word, dele in content:
                holder = p
                for how in wrappers:
                    holder = _wrap(holder, how)
                if dele:
                    _run(_el(holder, "w:del", id="2", author="a"), word, deleted=True)
                    deleted.append(word)
                else:
                    _run(holder, word + " ")
                    wanted.append(word)
        else:
            tbl = _el(parent, "w:tbl")
            for row in content:
                tr = _el(tbl, "w:tr")
                for word in row:
                    _run(_el(_el(tr, "w:tc"), "w:p"), word)
                    wanted.append(word)

    for block in blocks:
        add(body, block)
    body.remove(sect)
    body.append(sect)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue(), wanted, deleted


@settings(max_examples=40, deadline=None)
@given(st.lists(_BLOCK, min_size=1, max_size=6))
def test_every_run_is_read_in_order(blocks):
    data, wanted, deleted = _build(blocks)
    diag = Diagnostics()
    text = "\n".join(docx_lines(data, Path("x.docx"), diag))
    pos = 0
    for word in wanted:
        found = text.find(word, pos)
        assert found >= 0, (word, text)
        pos = found + len(word)
    for word in deleted:
        assert word not in text.split() or word in wanted
    assert bool(deleted) == any(i.code == "docx-skipped" for i in diag.issues)


def test_node_export_keeps_table_inserted_and_controlled_text(tmp_path):
    d = docx.Document()
    d.add_paragraph(HEADER)
    d.add_paragraph("Reference 1 - 5.00% Coverage")
    p = d.add_paragraph("Plain start ")
    _run(_el(p._p, "w:ins", id="1", author="a"), "INSERTED")
    _run(_el(p._p, "w:del", id="2", author="a"), "DELETED", deleted=True)
    d.add_paragraph("Reference 2 - 3.00% Coverage")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "CELL A", "CELL B"
    d.add_paragraph("Reference 3 - 2.00% Coverage")
    body = d.element.body
    sdt = etree.Element(qn("w:sdt"))
    _run(_el(_el(sdt, "w:sdtContent"), "w:p"), "CONTROLLED")
    body.insert(len(body) - 1, sdt)
    d.save(tmp_path / "node.docx")
    err = expect_ok(cli("convert", tmp_path / "node.docx", "-o", tmp_path / "n.json"))
    dump = json.loads((tmp_path / "n.json").read_text("utf-8"))
    texts = [sel.get("text") for s in dump["sources"] for sel in s.get("selections", [])]
    assert texts == ["Plain start INSERTED", "CELL A\tCELL B", "CONTROLLED"], texts
    assert "tracked deletion" in err and "DELETED" not in json.dumps(dump)
