"""How the model keeps large projects small in memory, without changing how it is used.

Two things dominate a large project's memory: the source texts and the hundreds of thousands of
selections and codings.  :func:`compact_text` stores long texts as UTF-8 when that is clearly
smaller than CPython's ``str`` (which takes 4 bytes per character as soon as a text holds one
emoji); :func:`lazy_empty` lets a selection or coding leave its usually empty ``note_refs`` and
``extras`` unallocated; :func:`shared_meta` lets selections with the same creator and dates share
one immutable record of them; :func:`rare_fields` keeps the fields a text selection never sets in
one slot.  All keep the attributes' behaviour: ``obj.text`` is a ``str`` (or
``None``), ``obj.note_refs`` a list and ``obj.extras`` and ``obj.meta`` dicts that can be changed
in place.
"""
from __future__ import annotations

from .containers import LazyDict, LazyList, lazy_empty
from .fields import MetaDict, meta_get, meta_record, rare_fields, shared_meta
from .text import compact_text

__all__ = ["compact_text", "lazy_empty", "shared_meta", "meta_get", "meta_record", "rare_fields", "LazyList",
           "LazyDict", "MetaDict"]
