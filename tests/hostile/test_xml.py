"""Hostile XML: external entities (XXE), entity expansion, external DTDs, deep nesting, huge values.

The parsers never resolve entities, load a DTD or touch the network; libxml2's own limits (depth,
text length, amplification) stay on.  A secret file beside the input must never reach an output."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from ._kit import (C1, assert_same_tree, cli, expect_error, expect_ok, guid, qde, qdpx, run_bounded,
                   selection, snapshot, text_source, write_zip)

SECRET = "TOPSECRET-4f1d"


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text(SECRET)
    return tmp_path


def _note(name: str = "n", text: str = "") -> str:
    return f'<Notes><Note guid="{guid("9", 1)}" name="{name}"><PlainTextContent>{text}</PlainTextContent></Note></Notes>'


def _codebook(body: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0"?>\n{prolog}<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="t"><Codes>'
            f"{body}</Codes></CodeBook>")


def _no_secret(folder) -> None:
    for p in folder.rglob("*"):
        if p.is_file() and p.name != "secret.txt" and p.suffix != ".qde":
            assert SECRET.encode() not in p.read_bytes(), p


def _lol(levels: int = 10) -> str:
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(levels - 1))
    return f"<!DOCTYPE Project [{ents}]>\n"


def test_external_entity_in_an_attribute(work):
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file://{work}/secret.txt">]>\n'
    (work / "x.qde").write_text(qde(_note(name="&xxe;"), prolog=prolog))
    result = cli("convert", work / "x.qde", "-o", work / "out.json")
    expect_error(result, 4, "x.qde", "line 3", "external entity")
    assert SECRET not in result.stderr
    _no_secret(work)


@pytest.mark.parametrize("suffix", [".qde", ".qdpx"])
def test_external_entity_in_text_is_not_expanded(work, suffix):
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file://{work}/secret.txt">]>\n'
    doc = qde(_note(text="before &xxe; after"), prolog=prolog)
    src = work / f"x{suffix}"
    if suffix == ".qde":
        src.write_text(doc)
    else:
        qdpx(src, doc)
    err = expect_ok(cli("convert", src, "-o", work / "out.json"))
    assert "DOCTYPE" in err  # the user is told that declarations were ignored
    _no_secret(work)
    dump = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert dump["notes"][0]["text"].startswith("before")


def test_external_entity_in_a_codebook(work):
    prolog = f'<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file://{work}/secret.txt">]>\n'
    (work / "c.qdc").write_text(_codebook(f'<Code guid="{C1}" name="a" isCodable="true">'
                                          "<Description>&xxe;</Description></Code>", prolog))
    result = cli("convert", work / "c.qdc", "-o", work / "out.json")
    assert result.exit_code in (0, 4), result.stderr
    expect_ok(result) if result.exit_code == 0 else expect_error(result, 4, "c.qdc")
    _no_secret(work)


class _Listener:
    """A local TCP port that records whether anything connected (an attempt to fetch a DTD)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("kind", ["qde", "qdc", "param"])
def test_external_dtd_is_never_fetched(work, kind):
    srv = _Listener()
    try:
        url = f"http://127.0.0.1:{srv.port}/evil.dtd"
        if kind == "qde":
            (work / "d.qde").write_text(qde(_note(text="&xxe;"), prolog=f'<?xml version="1.0"?>\n<!DOCTYPE Project SYSTEM "{url}">\n'))
            src = work / "d.qde"
        elif kind == "param":
            prolog = f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY % remote SYSTEM "{url}"> %remote;]>\n'
            (work / "d.qde").write_text(qde(_note(), prolog=prolog))
            src = work / "d.qde"
        else:
            (work / "d.qdc").write_text(_codebook(f'<Code guid="{C1}" name="a" isCodable="true"/>',
                                                  f'<!DOCTYPE CodeBook SYSTEM "{url}">\n'))
            src = work / "d.qdc"
        run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
        assert run.rc in (0, 4), run.stderr
        assert run.seconds < 5
    finally:
        srv.close()
    assert srv.hits == 0


@pytest.mark.parametrize("suffix", [".qde", ".qdpx", ".qdc"])
def test_billion_laughs(work, suffix):
    if suffix == ".qdc":
        doc = _codebook(f'<Code guid="{C1}" name="&j;" isCodable="true"><Description>&j;</Description></Code>',
                        _lol().replace("Project", "CodeBook"))
    else:
        doc = qde(_note(name="x", text="&j;"), prolog='<?xml version="1.0"?>\n' + _lol())
    src = work / f"lol{suffix}"
    if suffix == ".qdpx":
        qdpx(src, doc)
    else:
        src.write_text(doc)
    before = snapshot(work)
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.seconds < 5 and run.rss_mb < 400, run
    if run.rc == 0:  # entities kept unexpanded is fine too, if the output is small
        assert (work / "out.json").stat().st_size < 100_000
    else:
        assert run.rc == 4 and f"lol{suffix}" in run.stderr, run.stderr
        assert_same_tree(before, work)


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_unknown_elements(work, depth):
    body = "<x:a xmlns:x='urn:other'>" * depth + "</x:a>" * depth
    (work / "deep.qde").write_text(qde(body))
    run = run_bounded(work, "convert", work / "deep.qde", "-o", work / "out.json", timeout=60)
    assert run.rc == 4 and "deep.qde" in run.stderr and "line" in run.stderr, run.stderr
    assert run.seconds < 10 and run.rss_mb < 400


@pytest.mark.parametrize("depth,ok", [(100, True), (5000, False)])
def test_deeply_nested_codes(work, depth, ok):
    codes = "".join(f'<Code guid="{guid("c", i)}" name="c{i}" isCodable="true">' for i in range(depth)) \
        + "</Code>" * depth
    (work / "deep.qde").write_text(qde(codes=codes))
    (work / "deep.qdc").write_text(_codebook(codes))
    for src in (work / "deep.qde", work / "deep.qdc"):
        out = work / f"{src.suffix[1:]}.xlsx"
        result = cli("convert", src, "-o", out)
        if ok:
            expect_ok(result)
            assert out.exists()
        else:
            expect_error(result, 4, src.name, "line")
            assert not out.exists()


def test_deeply_nested_json(work):
    (work / "deep.json").write_text('{"$format": "nvivo-bridge-model", "$version": 1, "extras": {"a": '
                                    + "[" * 100_000 + "]" * 100_000 + "}}")
    expect_error(cli("convert", work / "deep.json", "-o", work / "out.xlsx"), 4, "deep.json")
    nested = "[" * 900 + "]" * 900  # under the JSON parser's limit, deep for a recursive decoder
    (work / "deep2.json").write_text('{"$format": "nvivo-bridge-model", "$version": 1, "extras": {"a": '
                                     + nested + "}}")
    result = cli("convert", work / "deep2.json", "-o", work / "out2.json")
    if result.exit_code:
        expect_error(result, 4, "deep2.json")
    else:
        expect_ok(result)


@pytest.mark.parametrize("mb,ok", [(4, True), (12, False)])
def test_huge_attribute_value(work, mb, ok):
    name = "N" * (mb << 20)
    (work / "big.qde").write_text(qde(text_source(selection(1, 0, 5), name=name, path="internal://none.txt")))
    run = run_bounded(work, "convert", work / "big.qde", "-o", work / "out.xlsx", timeout=90)
    assert run.seconds < 30 and run.rss_mb < 1000, run
    if ok:
        assert run.rc == 0, run.stderr
        assert "cut" in run.stderr or "32,767" in run.stderr or "32767" in run.stderr, run.stderr
    else:
        assert run.rc == 4 and "big.qde" in run.stderr and "line" in run.stderr, run.stderr
        assert not (work / "out.xlsx").exists()


def test_many_attributes_and_namespaces(work):
    attrs = " ".join(f'x:a{i}="{i}"' for i in range(20_000))
    doc = qde(f'<Notes><Note guid="{guid("9", 1)}" name="n" xmlns:x="urn:x" {attrs}/></Notes>')
    (work / "attrs.qde").write_text(doc)
    run = run_bounded(work, "convert", work / "attrs.qde", "-o", work / "out.json", timeout=60)
    assert run.rc == 0 and run.seconds < 15, run


def test_xml_in_a_non_utf8_declared_encoding(work):
    doc = qde(_note(name="Réunion"), prolog="<?xml version='1.0' encoding='iso-8859-1'?>\n")
    (work / "latin.qde").write_bytes(doc.encode("latin-1"))
    expect_ok(cli("convert", work / "latin.qde", "-o", work / "out.json"))
    dump = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert dump["notes"][0]["name"] == "Réunion"


def test_wrong_declared_encoding(work):
    doc = qde(_note(name="Réunion"), prolog="<?xml version='1.0' encoding='utf-8'?>\n")
    (work / "lie.qde").write_bytes(doc.encode("latin-1"))
    expect_error(cli("convert", work / "lie.qde", "-o", work / "out.json"), 4, "lie.qde", "line")


def test_xlsx_and_docx_with_entity_expansion(work):
    lol = _lol().replace("Project", "sst")
    sst = (f'<?xml version="1.0"?>\n{lol}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           "<si><t>&j;</t></si></sst>")
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"] = "Name"
    wb.active["B1"] = "x"
    wb.save(work / "ok.xlsx")
    import zipfile
    with zipfile.ZipFile(work / "ok.xlsx") as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    members = [(n, sst.encode() if n == "xl/sharedStrings.xml" else d) for n, d in members]
    write_zip(work / "lol.xlsx", members)
    run = run_bounded(work, "convert", work / "lol.xlsx", "-o", work / "out.json", timeout=60)
    assert run.rc in (0, 4) and run.seconds < 10 and run.rss_mb < 500, run
    if run.rc == 4:
        assert "lol.xlsx" in run.stderr
