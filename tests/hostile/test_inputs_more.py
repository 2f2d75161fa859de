"""Inputs, round two (issue 15): inputs that are not regular files, and source texts in UTF-16
without a BOM or UTF-32."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nvivo_bridge.readers._safe import decode_text, detect_encoding

from ._kit import cli, expect_error, expect_ok, qdpx, run_bounded, simple_doc, snapshot, assert_same_tree

WORDS = "Grüße aus Köln, señor – “quoted” text. Привет! "


# -- not a regular file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("device,args", [
    ("/dev/zero", ("--from", "qde")), ("/dev/urandom", ("--from", "qdpx")), ("/dev/zero", ("--from", "json")),
    ("/dev/zero", ("--from", "nvivo")), ("/dev/urandom", ("--from", "xlsx"))])
def test_devices_are_refused_at_once(work, device, args):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    run = run_bounded(work, "convert", device, *args, "-o", work / "out.json", timeout=30, address_gb=2)
    assert run.rc == 4, run.stderr
    assert "not a regular file" in run.stderr and device in run.stderr
    assert run.seconds < 5 and run.rss_mb < 400


def test_validate_and_codebook_refuse_devices(work):
    for args in (("validate", "/dev/zero", "--from", "qde"), ("validate", "/dev/zero", "--from", "qdpx"),
                 ("info", "/dev/zero", "--from", "qdc"), ("codebook", "/dev/zero", "--from", "qde", "-o", "c.qdc")):
        run = run_bounded(work, *args, timeout=30, address_gb=2)
        assert run.rc == 4, (args, run.stderr)
        assert "not a regular file" in run.stderr


@pytest.mark.parametrize("name", ["p.qde", "p.qdpx", "p.json", "p.txt", "p.docx", "p.xlsx", "p.qdc"])
def test_a_fifo_never_blocks(work, name):
    fifo = work / name
    os.mkfifo(fifo)
    # a writer that would unblock the reader, so a failing test ends instead of hanging
    def unblock():
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
    timer = threading.Timer(20, unblock)
    timer.start()
    try:
        before = snapshot(work)
        expect_error(cli("convert", fifo, "-o", work / "out.json"), 4, name, "FIFO")
        expect_error(cli("validate", fifo), 4, name)
        assert_same_tree(before, work)
    finally:
        timer.cancel()


# -- encodings --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding,bom", [
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff"),
    ("utf-32-le", b""), ("utf-32-be", b"")])
def test_wide_source_texts(work, encoding, bom):
    src = qdpx(work / "p.qdpx", simple_doc(), bom + WORDS.encode(encoding))
    err = expect_ok(cli("convert", src, "-o", work / "out.json"))
    dump = json.loads((work / "out.json").read_text("utf-8"))
    assert dump["sources"][0]["text"] == WORDS
    assert "not UTF-8" in err and encoding in err, err
    assert ("guess" in err) == (not bom), err
    result = cli("validate", src)  # the guess is a problem to look at, not "valid"
    assert result.exit_code == 5 and encoding in result.stdout, result.stdout


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff"), min_size=12,
                max_size=200)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le",
                                "utf-32-be"]))
def test_decoding_gets_every_wide_text_back_or_says_it_guessed(text, encoding):
    """BOMs always decide (UTF-32 before UTF-16); without one, mostly-Latin UTF-16 and UTF-32 are
    found by their NUL bytes, and the reading is flagged as a guess.  (Text made only of
    characters whose code points are multiples of 256 is ambiguous without a BOM.)"""
    data = text.encode(encoding)
    got, codec, bom = decode_text(data)
    if encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        assert got == text, (codec, encoding)
    if encoding.endswith(("-le", "-be")) and got == text:
        assert detect_encoding(data)[2]
    if sum("\x00" < ch < "\u0100" for ch in text) > 0.8 * len(text) and encoding.endswith(("-le", "-be")):
        assert got == text, (codec, encoding)


def test_utf16_bom_does_not_hide_utf32():
    assert detect_encoding("x".encode("utf-32"))[:2] == ("utf-32-le", 4)
    assert detect_encoding("x".encode("utf-16"))[:2] == ("utf-16-le", 2)
