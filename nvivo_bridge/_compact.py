"""How the model keeps large projects small in memory, without changing how it is used.

Two things dominate a large project's memory: the source texts and the hundreds of thousands of
selections and codings.  :func:`compact_text` stores long texts as UTF-8 when that is clearly
smaller than CPython's ``str`` (which takes 4 bytes per character as soon as a text holds one
emoji); :func:`lazy_empty` lets a selection or coding leave its usually empty ``note_refs`` and
``extras`` unallocated; :func:`shared_meta` lets selections with the same creator and dates share
one immutable record of them.  All keep the attributes' behaviour: ``obj.text`` is a ``str`` (or
``None``), ``obj.note_refs`` a list and ``obj.extras`` and ``obj.meta`` dicts that can be changed
in place.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
from typing import Any

__all__ = ["compact_text", "lazy_empty", "shared_meta", "meta_get", "meta_record", "rare_fields", "LazyList", "LazyDict"]


class _Utf8(bytes):
    """A long text held as UTF-8 (what :class:`_CompactText` stores instead of a wide ``str``)."""

    __slots__ = ()


_COMPACT_MIN_CHARS = 1024
_DECODED_KEEP = 8
_decoded: dict[int, tuple[_Utf8, str]] = {}
_decoded_lock = threading.Lock()


def _decode(obj: object, packed: _Utf8) -> str:
    """The text of ``packed``, decoded once and kept for the few objects read most recently.

    Readers and writers go through texts source by source, slicing many excerpts out of one text
    before moving on, so a small cache turns a decode per access into a decode per source.  The
    cache holds the packed bytes (checked by identity) but not ``obj``: an id reused by another
    object cannot match another object's bytes, and nothing is kept alive but the bytes.
    """
    key = id(obj)
    hit = _decoded.get(key)
    if hit is not None and hit[0] is packed:
        return hit[1]
    text = packed.decode("utf-8", "surrogatepass")
    with _decoded_lock:
        _decoded[key] = (packed, text)
        while len(_decoded) > _DECODED_KEEP:
            _decoded.pop(next(iter(_decoded)), None)
    return text


class _CompactText:
    """The ``text`` attribute of sources, representations and transcripts, stored compactly.

    CPython stores a whole ``str`` at 4 bytes per character as soon as it holds one character
    outside the Basic Multilingual Plane (an emoji), and at 2 bytes as soon as it holds one
    outside Latin-1 (a curly quote).  Interview transcripts are mostly ASCII with a few such
    characters, so a long text is kept as UTF-8 bytes when that is clearly smaller, and decoded
    (through :func:`_decode`'s cache) when read.  Reading and writing ``obj.text`` is unchanged:
    it is always a ``str`` or ``None``.
    """

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot  # the member descriptor of the real slot

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        return _decode(obj, value) if value.__class__ is _Utf8 else value

    def __set__(self, obj: Any, value: Any) -> None:
        if value.__class__ is str and len(value) >= _COMPACT_MIN_CHARS:
            size = sys.getsizeof(value)
            if size > len(value) * 3 // 2 + 200:  # 2 or 4 bytes per character
                packed = _Utf8(value.encode("utf-8", "surrogatepass"))
                if len(packed) * 4 < size * 3:
                    value = packed
        self.slot.__set__(obj, value)


def compact_text(cls: type) -> type:
    """Give dataclass ``cls`` a compactly stored ``text`` attribute (see :class:`_CompactText`)."""
    cls.text = _CompactText(cls.__dict__["text"])
    return cls


def _claim(lazy: Any) -> Any:
    """The container a change to ``lazy`` must go to: ``lazy`` itself, stored in its owner's
    unset slot by this first change, or whatever the slot holds if it was set meanwhile."""
    owner = getattr(lazy, "_owner", None)
    if owner is None:
        return lazy
    name = lazy._name
    lazy._owner = None  # no reference cycle once stored
    try:
        return object.__getattribute__(owner, name)
    except AttributeError:
        object.__setattr__(owner, name, lazy)
        return lazy


class LazyList(list):
    """The empty list read from an unset ``note_refs`` slot; its first change stores it there."""

    __slots__ = ("_owner", "_name")

    def append(self, item: Any) -> None:
        """``list.append``, after attaching the list to its owner."""
        list.append(_claim(self), item)

    def extend(self, items: Any) -> None:
        """``list.extend``, after attaching the list to its owner."""
        list.extend(_claim(self), items)

    def insert(self, index: Any, item: Any) -> None:
        """``list.insert``, after attaching the list to its owner."""
        list.insert(_claim(self), index, item)

    def __setitem__(self, index: Any, value: Any) -> None:
        list.__setitem__(_claim(self), index, value)

    def __iadd__(self, items: Any) -> Any:
        target = _claim(self)
        list.extend(target, items)
        return target

    def __reduce__(self) -> Any:
        return list, (list(self),)  # copies and pickles are plain lists


class LazyDict(dict):
    """The empty dict read from an unset ``extras`` slot; its first change stores it there."""

    __slots__ = ("_owner", "_name")

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(_claim(self), key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``, after attaching the dict to its owner."""
        dict.update(_claim(self), *args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``, after attaching the dict to its owner."""
        return dict.setdefault(_claim(self), key, default)

    def __ior__(self, other: Any) -> Any:
        target = _claim(self)
        dict.update(target, other)
        return target

    def __reduce__(self) -> Any:
        return dict, (dict(self),)  # copies and pickles are plain dicts


def lazy_empty(**kinds: type) -> Any:
    """Class decorator: the slots named in ``kinds`` (``name=LazyList`` or ``name=LazyDict``) may
    stay unset, and then read as an empty container that attaches itself on its first change.

    A selection or coding almost never has notes or unknown attributes, and at 200,000 of each the
    two empty containers per object are about 50 MB.  The class's ``__init__`` leaves such a slot
    unset when it gets ``None``.
    """
    def getattr_(self: Any, name: str) -> Any:
        kind = kinds.get(name)
        if kind is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        empty = kind()
        empty._owner, empty._name = self, name
        return empty

    def decorate(cls: type) -> type:
        names = [f.name for f in dataclasses.fields(cls)]

        def getstate(self: Any) -> dict[str, Any]:
            # Only the slots that are set: a copy or unpickled object gets its own empty containers
            # (a read-out LazyList would still point at the original object).
            state = {}
            for name in names:
                try:
                    state[name] = object.__getattribute__(self, name)
                except AttributeError:
                    pass
            return state

        def setstate(self: Any, state: dict[str, Any]) -> None:
            for name, value in state.items():
                object.__setattr__(self, name, value)

        cls.__getattr__ = getattr_
        cls.__getstate__ = getstate
        cls.__setstate__ = setstate
        return cls

    return decorate


class _Meta(tuple):
    """A ``meta`` dict as stored: ``(keys, value, value…)`` with ``keys`` a shared tuple of names;
    selections with equal items hold the same object (see :func:`shared_meta`)."""

    __slots__ = ()


_META_KEEP = 4096
_metas: dict[tuple, _Meta] = {}
_meta_keys: dict[tuple, tuple] = {}


class MetaDict(dict):
    """What reading a shared ``meta`` gives: a dict of its items; its first change stores it in
    its owner's slot (from then on the owner's own dict), so changes in place are kept."""

    __slots__ = ("_owner", "_slot")

    def _claim(self) -> dict:
        owner = getattr(self, "_owner", None)
        if owner is None:
            return self
        self._owner = None  # no reference cycle once stored
        held = self._slot.__get__(owner)
        if held.__class__ is _Meta:
            self._slot.__set__(owner, self)
            return self
        return held  # the owner got a dict of its own meanwhile: change that one

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self._claim(), key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self._claim(), key)

    def pop(self, *args: Any) -> Any:
        """``dict.pop``, after attaching the dict to its owner."""
        return dict.pop(self._claim(), *args)

    def popitem(self) -> Any:
        """``dict.popitem``, after attaching the dict to its owner."""
        return dict.popitem(self._claim())

    def clear(self) -> None:
        """``dict.clear``, after attaching the dict to its owner."""
        dict.clear(self._claim())

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``, after attaching the dict to its owner."""
        dict.update(self._claim(), *args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``, after attaching the dict to its owner."""
        return dict.setdefault(self._claim(), key, default)

    def __ior__(self, other: Any) -> Any:
        target = self._claim()
        dict.update(target, other)
        return target

    def __reduce__(self) -> Any:
        return dict, (dict(self),)  # copies and pickles are plain dicts


class _SharedMeta:
    """The ``meta`` attribute of selections (see :func:`shared_meta`)."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if value.__class__ is not _Meta:
            return value
        view = MetaDict(zip(value[0], value[1:]))
        view._owner, view._slot = obj, self.slot
        return view

    def __set__(self, obj: Any, value: Any) -> None:
        if value.__class__ in (dict, MetaDict):
            value = meta_record(value)
        self.slot.__set__(obj, value)


def meta_record(value: dict) -> Any:
    """What a selection's ``meta`` slot keeps of dict ``value``: the record shared by every equal
    one (a non-empty plain dict of text values), else the dict itself.  Readers may pass the
    record itself to ``Selection(meta=…)``; it is immutable, so one may serve many selections."""
    # Only a plain dict of text values is shared: it is what readers build, and a dict the
    # caller keeps no reference to (a MetaDict read from another selection is copied too).
    if not 0 < len(value) <= 8:
        return value
    key = tuple(value.items())
    shared = _metas.get(key)
    if shared is None:
        if not all(v.__class__ is str for v in value.values()):
            return value
        names = tuple(value)
        names = _meta_keys.setdefault(names, names)
        if len(_metas) >= _META_KEEP:  # recent ones are shared: codings come in sessions
            _metas.clear()
        shared = _metas[key] = _Meta((names, *value.values()))
    return shared


def shared_meta(cls: type) -> type:
    """Give dataclass ``cls`` a ``meta`` attribute whose equal contents are stored once.

    At 200,000 selections their ``meta`` dicts (creator, modifier and two dates each) were 37 MB,
    while a project has few distinct ones: a coder codes many passages in one session.  A plain
    dict of text values set on the attribute is kept as a shared immutable record; reading it
    gives a dict, which attaches itself to the selection on its first change.  Read a single
    value with :func:`meta_get`, which makes no dict."""
    cls.meta = _SharedMeta(cls.__dict__["meta"])
    return cls


def meta_get(obj: Any, key: str) -> Any:
    """``obj.meta.get(key)`` without making a dict of a shared ``meta``."""
    value = type(obj).__dict__["meta"].slot.__get__(obj) if isinstance(
        type(obj).__dict__.get("meta"), _SharedMeta) else obj.meta
    if value.__class__ is _Meta:
        try:
            return value[value[0].index(key) + 1]
        except ValueError:
            return None
    return value.get(key)


class _Rare:
    """A field kept in its owner's shared ``_more`` slot: ``None`` there when unset."""

    __slots__ = ("name", "more")

    def __init__(self, name: str, more: Any) -> None:
        self.name, self.more = name, more

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            more = self.more.__get__(obj, owner)
        except AttributeError:  # made by copy/pickle and not filled yet
            return None
        return None if more is None else more.get(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        try:
            more = self.more.__get__(obj)
        except AttributeError:
            more = None
        if value is None:
            if more is not None:
                more.pop(self.name, None)
                if not more:
                    self.more.__set__(obj, None)
            else:
                self.more.__set__(obj, None)
            return
        if more is None:
            more = {}
            self.more.__set__(obj, more)
        more[self.name] = value


def rare_fields(*names: str) -> Any:
    """Class decorator: the fields ``names`` of a dataclass whose ``__slots__`` leave them out
    (and hold ``_more``) live in one dict in ``_more``, made only when one of them is set.

    A text selection never has a page, a region, sync points, a description or a representation:
    nine slots of ``None`` were 72 bytes per selection (14 MB at 200,000 codings).  Reading an
    unset one gives ``None``; the dataclass's fields, ``__init__``, ``replace``, ``==`` and
    ``repr`` are unchanged."""
    def decorate(cls: type) -> type:
        more = cls.__dict__["_more"]
        for name in names:
            setattr(cls, name, _Rare(name, more))
        return cls

    return decorate
