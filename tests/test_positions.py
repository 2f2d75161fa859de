"""Position units: conversion per text (property-tested against the encoders) and unit scoring."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nvivo_bridge.readers._positions import (PositionMap, boundary_score, choose_unit, converter, differs,
                                             score_units)

# Texts mixing ASCII, BMP letters, astral emoji and both line-break styles.
ALPHABET = st.sampled_from(list("ab é€") + ["😀", "🕒", "\r\n", "\n", "\r"])
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


def _inside_pair(text: str, cp: int) -> bool:
    return 0 < cp < len(text) and text[cp - 1] == "\r" and text[cp] == "\n"


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_utf16_matches_the_encoder_and_round_trips(text, data):
    cp = data.draw(st.integers(0, len(text)))
    pm = PositionMap(text)
    u = pm.to_utf16(cp)
    assert u == len(text[:cp].encode("utf-16-le")) // 2
    assert pm.from_utf16(u) == cp
    assert pm.convert(pm.convert_to(cp, "utf16"), "utf16") == cp


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_crlf1_matches_normalised_text_and_round_trips(text, data):
    cp = data.draw(st.integers(0, len(text)).filter(lambda c: not _inside_pair(text, c)))
    pm = PositionMap(text)
    p = pm.to_crlf1(cp)
    assert p == len(text[:cp].replace("\r\n", "\n"))
    assert pm.from_crlf1(p) == cp


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_converter_is_identity_exactly_when_nothing_shifts(text):
    for unit in ("utf16", "codepoint-crlf1"):
        conv = converter(text, unit)
        shifts = any(ord(c) > 0xFFFF for c in text) if unit == "utf16" else "\r\n" in text
        assert (conv is not None) == shifts == differs(text, unit)
    assert converter(text, "codepoint") is None


def test_long_texts_use_the_fast_astral_test():
    assert differs("é" * 500 + "😀", "utf16") and not differs("é€" * 500, "utf16")
    assert not differs("a" * 1000, "utf16")


def test_surrogate_middle_rounds_up():
    pm = PositionMap("a😀b")
    assert [pm.from_utf16(u) for u in range(5)] == [0, 1, 2, 2, 3]


def test_boundary_score():
    text = "one two\nthree"
    assert boundary_score(text, [(0, 3), (4, 7), (8, 13)]) == (6, 6)
    assert boundary_score(text, [(1, 5), (0, 99)]) == (1, 4)  # only the start at 0 is a boundary
    assert boundary_score("a\r\nb", [(2, 4)]) == (1, 2)  # start splits the CRLF


def test_score_units_and_choose():
    text = "😀😀 Alpha beta\n😀 Gamma delta\n"
    spans = [(text.index("Alpha"), text.index(" beta")), (text.index("Gamma"), text.index("\n", 20))]
    pm = PositionMap(text)
    as_u16 = [(pm.to_utf16(s), pm.to_utf16(e)) for s, e in spans]
    scores = score_units([(text, as_u16)])
    assert scores["utf16"] == 1.0 and scores["codepoint"] < 1.0
    assert choose_unit(scores, None) == ("utf16", "guessed")
    assert choose_unit(scores, "utf16") == ("utf16", "expected")
    assert choose_unit(scores, "codepoint") == ("utf16", "contradicted")
    # Nothing to tell the units apart: the producer's unit (or the standard's) stands.
    flat = score_units([("plain ascii text", [(0, 5)])])
    assert choose_unit(flat, "utf16") == ("utf16", "expected")
    assert choose_unit(flat, None) == ("codepoint", "expected")
