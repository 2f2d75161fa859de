"""The model's compact storage (nvivo_bridge._compact): texts and empty containers behave as plain
``str``/``list``/``dict`` attributes while taking less memory."""
from __future__ import annotations

import copy
import dataclasses
import pickle
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from nvivo_bridge import _compact
from nvivo_bridge.model import Coding, Note, Representation, Selection, Source, Transcript


def _stored(obj):
    """What the slot behind ``obj.text`` really holds."""
    return type(obj).text.slot.__get__(obj, type(obj))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000), st.sampled_from(
    [Source, Representation, Transcript, Note]))
def test_text_reads_back_exactly(text, cls):
    obj = cls("g", text=text)
    assert obj.text == text
    stored = _stored(obj)
    assert stored == (text.encode("utf-8") if isinstance(stored, bytes) else text)
    assert pickle.loads(pickle.dumps(obj)).text == text
    assert copy.deepcopy(obj) == obj


def test_long_emoji_text_is_stored_as_utf8_and_decoded_once():
    text = ("Kami belajar bersama 😀 di komunitas praktik.\r\n" * 400)
    src = Source("s", text=text)
    stored = _stored(src)
    assert isinstance(stored, bytes) and len(stored) < sys.getsizeof(text) / 3
    assert src.text == text
    assert src.text is src.text  # decoded once, then served from the cache
    assert stored == text.encode("utf-8")


def test_texts_that_would_not_shrink_stay_str():
    ascii_text = "a" * 5000
    cjk = "中文文本" * 1000  # UTF-8 takes 3 bytes a character, more than the str's 2
    assert isinstance(_stored(Source("a", text=ascii_text)), str)
    assert isinstance(_stored(Source("b", text=cjk)), str)
    assert isinstance(_stored(Source("c", text="😀 short")), str)


def test_reassigning_text_is_seen_after_caching():
    src = Source("s", text="😀 one " * 500)
    assert src.text.startswith("😀 one")
    src.text = "😀 two " * 500
    assert src.text.startswith("😀 two")
    src.text = None
    assert src.text is None


def test_cache_is_bounded():
    sources = [Source(str(i), text=f"{i} 😀 " * 600) for i in range(3 * _compact.text._DECODED_KEEP)]
    for i, src in enumerate(sources):
        assert src.text.startswith(f"{i} ")
    assert len(_compact.text._decoded) <= _compact.text._DECODED_KEEP


def test_empty_containers_are_not_allocated_but_behave_as_lists_and_dicts():
    sel = Selection("s", start=0, end=4)
    cod = Coding("c", "k")
    for obj in (sel, cod):
        for name in ("note_refs", "extras"):
            try:
                object.__getattribute__(obj, name)
                raise AssertionError(f"{name} allocated")
            except AttributeError:
                pass
    assert sel.note_refs == [] and sel.extras == {} and not cod.note_refs
    refs = sel.note_refs
    refs.append("n1")
    refs.extend(["n2"])
    assert sel.note_refs == ["n1", "n2"]
    cod.extras["k"] = 1
    cod.extras.setdefault("<elements>", []).append("<x/>")
    assert cod.extras == {"k": 1, "<elements>": ["<x/>"]}
    other = Coding("d", "k")
    other.note_refs += ["n"]
    assert other.note_refs == ["n"]


def test_two_handles_on_one_empty_container_share_their_changes():
    cod = Coding("c", "k")
    a, b = cod.note_refs, cod.note_refs
    a.append(1)
    b.append(2)
    assert cod.note_refs == [1, 2]


def test_given_lists_are_kept_by_identity():
    refs: list[str] = []
    sel = Selection("s", note_refs=refs)
    refs.append("later")
    assert sel.note_refs == ["later"]


def test_copies_pickles_and_replace_give_plain_containers():
    cod = Coding("c", "k")
    for got in (pickle.loads(pickle.dumps(cod)), copy.deepcopy(cod), copy.copy(cod)):
        assert got == cod
        got.note_refs.append("only in the copy")
        got.extras["k"] = "only in the copy"
        assert cod.note_refs == [] and cod.extras == {}
        assert got.note_refs == ["only in the copy"] and got.extras == {"k": "only in the copy"}
    full = Selection("s", note_refs=["n"], extras={"a": 1}, meta={"m": "1"})
    assert copy.copy(full) == full and pickle.loads(pickle.dumps(full)) == full
    assert dataclasses.asdict(cod)["note_refs"] == []
    assert dataclasses.replace(cod, code="z").code == "z"


def test_hand_written_inits_take_every_field():
    import inspect

    for cls in (Selection, Coding):
        params = list(inspect.signature(cls.__init__).parameters)[1:]
        assert params == [f.name for f in dataclasses.fields(cls)]
    sel = Selection("g", "pdf", 1, 2, 3, 4, 5, 6, 7, "a", "b", "n", "d", "t", [], ["r"], None, {"m": "1"}, {"x": 1})
    assert (sel.page, sel.second_y, sel.to_sync, sel.text, sel.note_refs, sel.meta, sel.extras) == \
        (3, 7, "b", "t", ["r"], {"m": "1"}, {"x": 1})


def test_unknown_attribute_still_raises():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        Selection("s").nope  # noqa: B018


META = {"creatingUser": "u1", "creationDateTime": "2024-05-01T08:00:00Z", "modifyingUser": "u1",
        "modifiedDateTime": "2024-05-01T08:00:00Z"}


def _meta_slot(sel):
    return type(sel).meta.slot.__get__(sel, type(sel))


def test_equal_meta_is_stored_once_and_reads_as_a_dict():
    a, b = Selection("a", meta=dict(META)), Selection("b", meta=dict(META))
    assert _meta_slot(a) is _meta_slot(b)
    assert a.meta == META and isinstance(a.meta, dict) and list(a.meta) == list(META)
    assert a.creating_user == "u1" and _compact.meta_get(a, "modifiedDateTime") == META["modifiedDateTime"]
    assert _compact.meta_get(a, "nope") is None
    assert not isinstance(_meta_slot(a), dict)  # reading made no dict of its own


def test_a_change_to_a_shared_meta_stays_with_its_selection_only():
    a, b = Selection("a", meta=dict(META)), Selection("b", meta=dict(META))
    a.meta["creatingUser"] = "u2"
    assert a.meta["creatingUser"] == "u2" and b.meta == META
    m1, m2 = b.meta, b.meta
    m1["x"] = "1"
    m2["y"] = "2"  # a second handle read before the first change still reaches the selection
    assert b.meta == {**META, "x": "1", "y": "2"}
    for change in (lambda m: m.pop("creatingUser"), lambda m: m.__delitem__("creatingUser"), lambda m: m.clear(),
                   lambda m: m.update(creatingUser="u9"), lambda m: m.setdefault("z", "3"), lambda m: m.popitem()):
        c = Selection("c", meta=dict(META))
        want = dict(META)
        change(want)
        change(c.meta)
        assert c.meta == want and Selection("d", meta=dict(META)).meta == META


def test_shared_meta_survives_copies_pickles_and_replace():
    sel = Selection("s", start=0, end=3, meta=dict(META))
    for got in (pickle.loads(pickle.dumps(sel)), copy.deepcopy(sel), copy.copy(sel),
                dataclasses.replace(sel, guid="t")):
        assert got.meta == META
        got.meta["creatingUser"] = "changed"
        assert sel.meta == META
    assert dataclasses.asdict(sel)["meta"] == META
    assert type(pickle.loads(pickle.dumps(sel.meta))) is dict


def test_meta_that_is_not_plain_text_is_kept_as_given():
    odd = {"creatingUser": "u1", "count": 3}
    sel = Selection("s", meta=odd)
    assert sel.meta is odd
    empty = Selection("e")
    empty.meta["creatingUser"] = "u1"
    assert empty.meta == {"creatingUser": "u1"}


def test_shared_meta_saves_memory():
    import tracemalloc

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sels = [Selection(str(i), meta=dict(META)) for i in range(20_000)]
    per = (tracemalloc.get_traced_memory()[0] - before) / len(sels)
    tracemalloc.stop()
    # The Selection (184 bytes), its GUID, its codings list and the list's slot are about 300
    # bytes; a four-entry meta dict of its own added 184 more.
    assert per < 360, per
    assert all(s.meta == META for s in sels[:10])


def test_rare_selection_fields_share_one_slot_and_behave_as_attributes():
    text_sel = Selection("t", start=0, end=5, name="n", text="hello")
    assert text_sel._more is None and sys.getsizeof(text_sel) <= 120
    assert (text_sel.page, text_sel.first_x, text_sel.from_sync, text_sel.description, text_sel.representation) == \
        (None,) * 5
    region = Selection("r", "picture", first_x=1, first_y=2, second_x=3, second_y=4, description="d")
    assert (region.first_x, region.first_y, region.second_x, region.second_y, region.description) == (1, 2, 3, 4, "d")
    region.first_x = None
    region.page = 0  # a falsy value is a value
    assert region.first_x is None and region.page == 0
    for name in ("page", "first_y", "second_x", "second_y", "description"):
        setattr(region, name, None)
    assert region._more is None  # emptied: nothing kept
    for got in (pickle.loads(pickle.dumps(region)), copy.deepcopy(region), copy.copy(region),
                dataclasses.replace(region, page=7)):
        assert dataclasses.replace(got, page=None) == region
    sync = Selection("s", "transcript", from_sync="a", to_sync="b")
    assert copy.deepcopy(sync).to_sync == "b" and pickle.loads(pickle.dumps(sync)) == sync


def test_selection_fields_keep_their_declared_defaults():
    defaults = {f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
                for f in dataclasses.fields(Selection)}
    assert defaults.pop("guid") is dataclasses.MISSING
    blank = Selection("g")
    assert defaults == {name: getattr(blank, name) for name in defaults}
    assert defaults["kind"] == "text" and defaults["codings"] == []
