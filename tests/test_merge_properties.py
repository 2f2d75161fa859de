"""Properties of the merge: positions move onto the kept text exactly where the text is unchanged,
and merging does not depend on the order of the inputs beyond the documented tie-break (the first
or preferred input keeps its texts and values)."""
from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import nvivo_bridge
from nvivo_bridge.model import norm_name
from nvivo_bridge.merge.sources import text_mover
from nvivo_bridge.merge.texts import normalize
from merge_fixtures import coder_copy, edit_sentence, fresh_guids, to_lf
from projects import small_project

_CHARS = st.sampled_from(list("ab c\n.") + ["\r\n", "é", "😀", "xyz "])
_TEXT = st.lists(_CHARS, min_size=0, max_size=60).map("".join)


@given(_TEXT, st.data())
def test_line_ending_copies_map_onto_the_same_characters(text, data):
    kept = "\ufeff" + text if data.draw(st.booleans()) else text
    other = normalize(text)
    s = data.draw(st.integers(0, len(other)))
    e = data.draw(st.integers(s, len(other)))
    mover, aligned = text_mover(kept, other)
    assert not aligned
    s2, e2 = mover(s, e) if mover else (s, e)
    assert normalize(kept[s2:e2]) == other[s:e]


@given(_TEXT, _TEXT, _TEXT, _TEXT, st.data())
def test_selections_outside_an_edit_keep_their_text(head, old, new, tail, data):
    # "|" and "#" (never generated) mark the edit, so where it lies is not ambiguous ("aaaa" →
    # "aaaaa" could be an insertion anywhere).
    head, tail = head + "|", "#" + tail
    kept, other = head + old + tail, head + new + tail
    mover, _ = text_mover(kept, other)
    n = len(other)
    s = data.draw(st.integers(0, n))
    e = data.draw(st.integers(s, n))
    assume(not any(0 < q < n and other[q - 1:q + 1] == "\r\n" for q in (s, e)))  # no selection splits a CRLF
    s2, e2 = mover(s, e) if mover else (s, e)
    assert 0 <= s2 <= e2 <= len(kept)
    inside_head = e <= len(head)
    inside_tail = s >= len(head) + len(new)
    if inside_head or inside_tail:
        assert normalize(kept[s2:e2]) == normalize(other[s:e])


def _canonical(result, line_ends: bool = True) -> dict:
    """An order-free picture of a merged project: what a researcher's tables hold (without
    ``line_ends``: excerpts compared with LF line ends and without their positions)."""
    frames = nvivo_bridge.tables(result.project)
    cod = frames["Codings"]
    if line_ends:
        spans = zip(cod["text"], cod["start"], cod["end"])
    else:
        spans = ((normalize(t), None, None) for t in cod["text"])
    return {
        "codings": Counter(zip(cod["source"], cod["code_path"].map(lambda p: norm_name(p)), cod["coder"], spans)),
        "codes": Counter((norm_name(r.path), r.description, r.color) for r in frames["Codes"].itertuples()),
        "sources": Counter(frames["Sources"]["name"]),
        "cases": Counter(map(tuple, frames["Cases"].drop(columns=["guid"]).astype(str).itertuples(index=False))),
        "users": Counter(u.name for u in result.project.users.values()),
        "sets": Counter(map(tuple, frames["Sets"].drop(columns=["member_guid", "set_guid"], errors="ignore").astype(str).itertuples(index=False))),
        "notes": Counter(frames["Notes"]["text"]),
        "conflicts": len(result.report["Conflicts"]),
    }


def _variant(base, tmp: Path, coder: str, mask: int, fresh: bool, edit: bool, lf: bool, salt: str):
    p = coder_copy(base, coder, lambda n: bool(mask >> (n % 16) & 1))
    if fresh:
        p = fresh_guids(p, tmp, salt)
    if edit:
        edit_sentence(p, "Wawancara_I1", "Anggarannya terbatas", "Anggaran kami sangat terbatas")
    if lf:
        to_lf(p)
    return p


_VARIANT = st.tuples(st.sampled_from(["R1", "R2", "R3"]), st.integers(0, 2 ** 16 - 1), st.booleans(),
                     st.booleans(), st.booleans())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VARIANT, _VARIANT, st.booleans())
def test_merging_is_order_independent_given_the_preferred_input(va, vb, conflicting_description):
    base = small_project()
    with tempfile.TemporaryDirectory() as tmp:
        a = _variant(base, Path(tmp), *va, salt="a")
        b = _variant(base, Path(tmp), *vb, salt="b")
    if conflicting_description:
        next(c for c in b.codes.values() if c.name == "Anggaran").description = "seen by b"
    ab = nvivo_bridge.merge([a, b], labels=["a", "b"], prefer=0)
    ba = nvivo_bridge.merge([b, a], labels=["b", "a"], prefer=1)
    assert _canonical(ab) == _canonical(ba)
    # Without edits or conflicts, which input comes first matters only to the kept line ends.
    if not (va[3] or vb[3] or conflicting_description):
        assert _canonical(nvivo_bridge.merge([b, a]), False) == _canonical(ab, False)
    # Every coding of either input is in the merged project, once per coder.
    n_codings = len(nvivo_bridge.tables(ab.project)["Codings"])
    if va[0] != vb[0]:
        assert n_codings == a.counts()["codings"] + b.counts()["codings"]
    else:
        assert max(a.counts()["codings"], b.counts()["codings"]) <= n_codings


def test_a_transcript_on_one_line_is_aligned_sentence_by_sentence():
    """Regression: a text without line breaks whose edits lie far apart was taken as replaced as a
    whole, so every selection between the first and last edit collapsed onto their edges."""
    import random
    import re

    from nvivo_bridge.merge.texts import Alignment

    rnd = random.Random(1)
    words = "kami widyaiswara pelatihan komunitas praktisi sesi berbagi pengetahuan anggaran jadwal".split()
    sentences = [" ".join(rnd.choice(words) for _ in range(12)) + "." for _ in range(2500)]
    edited = list(sentences)
    for k in (3, 1200, 2400):
        edited[k] = edited[k].replace(" ", " baru ", 1)
    kept, other = " ".join(sentences), " ".join(edited)
    al = Alignment(kept, other)
    spans = [m.span() for m in re.finditer(r"[^.]+\.", other)]
    same = [kept[al.start(s):al.end(e)] == other[s:e] for s, e in spans]
    assert sum(same) == len(spans) - 3
