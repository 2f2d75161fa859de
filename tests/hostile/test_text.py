"""Source texts in odd encodings, invalid or hostile characters, very large and empty texts."""
from __future__ import annotations

import json

import pytest

from ._kit import (C1, S1, cli, expect_error, expect_ok, qde, qdpx, run_bounded, selection, simple_doc,
                   text_source)

SRC = f"sources/{S1}.txt"
WORDS = "Grüße aus Köln, señor – “quoted” text. "


def _dump(work, src, out="out.json"):
    err = expect_ok(cli("convert", src, "-o", work / out))
    return json.loads((work / out).read_text(encoding="utf-8")), err


@pytest.mark.parametrize("encoding,bom,warned", [
    ("utf-16-le", b"\xff\xfe", True), ("utf-16-be", b"\xfe\xff", True), ("utf-8", b"\xef\xbb\xbf", False),
    ("cp1252", b"", True), ("utf-8", b"", False)])
def test_source_text_encodings(work, encoding, bom, warned):
    src = qdpx(work / "p.qdpx", simple_doc(), bom + WORDS.encode(encoding))
    dump, err = _dump(work, src)
    assert dump["sources"][0]["text"] == WORDS
    assert ("not UTF-8" in err) == warned, err
    first = dump["sources"][0]["selections"][0]
    assert first.get("text", WORDS[first["start"]:first["end"]]) == WORDS[first["start"]:first["end"]]


def test_invalid_utf8_is_read_as_cp1252_with_a_warning(work):
    data = "Café ".encode() + b"\xff\xfe\xc3(\xed\xa0\x80" + " end".encode()
    src = qdpx(work / "p.qdpx", simple_doc(), data)
    dump, err = _dump(work, src)
    assert "not UTF-8" in err and S1 in err
    assert dump["sources"][0]["text"].endswith(" end")


def test_lone_surrogates_in_utf16_text(work):
    data = b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8" + "cd".encode("utf-16-le") + b"\x00\xdc"
    src = qdpx(work / "p.qdpx", simple_doc(), data)
    for out in ("out.json", "out.xlsx", "out.qdpx", "outcsv"):
        expect_ok(cli("convert", src, "-o", work / out))
    dump = json.loads((work / "out.json").read_text(encoding="utf-8"))
    text = dump["sources"][0]["text"]
    text.encode("utf-8")  # no surrogate survives into the model
    assert text.startswith("ab") and "cd" in text


def test_lone_surrogate_in_a_json_dump(work):
    src = qdpx(work / "p.qdpx", simple_doc(), "plain text here, long enough".encode())
    dump, _ = _dump(work, src)
    dump["codes"][0]["name"] = "bad \ud800 name"
    dump["sources"][0]["text"] = "x\udfffy" + dump["sources"][0]["text"][3:]
    (work / "sur.json").write_text(json.dumps(dump), encoding="utf-8")  # ensure_ascii keeps \\ud800 escapes
    for out in ("o.xlsx", "o.qdpx", "o.qdc", "ocsv", "o2.json"):
        result = cli("convert", work / "sur.json", "-o", work / out)
        expect_ok(result)
    expect_ok(cli("cipp", work / "sur.json", "-o", work / "cipp.xlsx"))
    expect_ok(cli("codebook", work / "sur.json", "-o", work / "cb.xlsx"))


CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f\ufffe\uffff"


def test_control_characters_in_text_and_names(work):
    text = f"start {CONTROL} middle\x0b\x0c end and more text to code"
    src = qdpx(work / "p.qdpx", qde(text_source(selection(1, 0, 5) + selection(2, 6, 20))), text.encode())
    dump, _ = _dump(work, src)
    # Names cannot hold controls in XML; a JSON dump can: put them everywhere a name goes.
    dump["codes"][0]["name"] = "=cmd|' /C calc'!A0\x01"
    dump["sources"][0]["name"] = "name\u0001with\u0002controls\ufffe"
    dump["users"][0]["name"] = "\x00"
    (work / "ctl.json").write_text(json.dumps(dump), encoding="utf-8")
    for out in ("o.json", "o.xlsx", "o.qdpx", "o.qdc", "ocsv"):
        expect_ok(cli("convert", work / "ctl.json", "-o", work / out))
    # What came back from the written .qdpx is readable again.
    expect_ok(cli("convert", work / "o.qdpx", "-o", work / "again.json"))
    expect_ok(cli("cipp", work / "ctl.json", "-o", work / "cipp.xlsx"))
    expect_ok(cli("codebook", work / "ctl.json", "-o", work / "cb.xlsx"))


def test_control_characters_escaped_in_xml(work):
    doc = qde(text_source(selection(1, 0, 5), name="a&#1;b"))
    (work / "c.qde").write_text(doc)
    expect_error(cli("convert", work / "c.qde", "-o", work / "out.json"), 4, "c.qde", "line")
    doc = qde(text_source(selection(1, 0, 5), name="a&#xD800;b"))
    (work / "s.qde").write_text(doc)
    expect_error(cli("convert", work / "s.qde", "-o", work / "out.json"), 4, "s.qde", "line")


def test_empty_transcript(work):
    src = qdpx(work / "p.qdpx", simple_doc(), b"")
    dump, err = _dump(work, src)
    assert "outside" in err  # the selections over an empty text were clamped, with a warning
    assert len(dump["sources"][0]["selections"]) == 2
    for out in ("out.xlsx", "outcsv", "out.qdpx"):
        expect_ok(cli("convert", src, "-o", work / out))


def test_missing_transcript_file(work):
    doc = qde(text_source(selection(1, 0, 5), path="internal://nowhere.txt"))
    src = qdpx(work / "p.qdpx", doc)
    dump, err = _dump(work, src)
    assert "nowhere.txt" in err
    assert len(dump["sources"][0]["selections"]) == 1


def test_fifty_megabyte_transcript(work):
    line = "Interviewer: and then what happened in the village meeting? Respondent: " \
           "we talked for hours about the well. \u00e9\u00e8\n"
    text = line * (50 * (1 << 20) // len(line.encode()))
    n = 2000
    step = len(text) // n
    sels = "".join(selection(i + 1, i * step, i * step + 120, C1) for i in range(n))
    src = qdpx(work / "big.qdpx", qde(text_source(sels)), text.encode())
    assert src.stat().st_size < 5 << 20
    run = run_bounded(work, "convert", src, "-o", work / "big.xlsx", timeout=180)
    assert run.rc == 0, run.stderr
    assert run.seconds < 60 and run.rss_mb < 2500, run
    run = run_bounded(work, "convert", src, "-o", work / "bigcsv", timeout=180)
    assert run.rc == 0 and run.seconds < 60, run
    last = text[(n - 1) * step:(n - 1) * step + 120]  # the last coded excerpt, 50 MB into the text
    assert any(last in f.read_text(encoding="utf-8-sig") for f in (work / "bigcsv").glob("*.csv"))


def test_text_over_the_configured_limit(work):
    src = qdpx(work / "p.qdpx", simple_doc(), ("x" * 100 + "\n").encode() * 30_000)
    dump, err = _dump(work, src)
    assert "limit" not in err
    err = expect_ok(cli("convert", src, "-o", work / "o2.json", env={"NVIVO_BRIDGE_MAX_TEXT_CHARS": "1000000"}))
    assert "over the limit" in err
    dump = json.loads((work / "o2.json").read_text(encoding="utf-8"))
    assert len(dump["sources"][0]["selections"]) == 2


def test_nul_bytes_in_text(work):
    src = qdpx(work / "p.qdpx", simple_doc(), b"abc\x00def\x00" * 10)
    for out in ("out.json", "out.xlsx", "out.qdpx", "outcsv"):
        expect_ok(cli("convert", src, "-o", work / out))
