"""The codings browser's index: filters and text search over every coding, answered with numpy.

Built once per project from :func:`nvivo_bridge.coding_index.build_index` (without excerpts, so
the texts are not held twice): one integer column per filterable property, codes numbered in tree
order so "this code and everything below it" is a range of numbers, and the excerpts lower-cased
into one UTF-8 byte string for search (numpy compares it at memory speed; a query narrowed by
other filters looks only at their rows).  A page of 50 rows
then costs a few vectorised comparisons plus cutting 50 excerpts.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..codebook import tree_order
from ..coding_index import build_index
from ..model import Project

__all__ = ["CodingsView", "Filters", "PAGE_SIZE"]

PAGE_SIZE = 50
_FEW_ROWS = 20_000  # up to this many rows left by the other filters, search just those rows


@dataclass
class Filters:
    """What the codings table is narrowed to (every field optional)."""

    code: Optional[int] = None        # code number (tree order): that code and its descendants
    source: Optional[int] = None
    case: Optional[int] = None
    attribute: Optional[int] = None   # variable number, with ``value``
    value: Optional[str] = None
    coder: Optional[int] = None
    q: str = ""
    page: int = 1


class CodingsView:
    """Per-project arrays behind the codings table; safe to query from several threads."""

    def __init__(self, project: Project) -> None:
        self.project = project
        idx = build_index(project, excerpts=False)
        self.idx = idx
        n = len(idx)
        order = tree_order(project)
        self.code_guids = order
        code_no = {g: i for i, g in enumerate(order)}
        paths = project.code_paths()
        self.code_paths = [paths.get(g, g) for g in order]
        self.code_levels = [p_level(project, g) for g in order]
        # Descendants of code k are the codes k+1 … end[k]-1 (tree order is depth first).
        self.code_end = _subtree_ends(project, order)
        self.sources = list(project.sources)
        self.source_names = [project.sources[g].name or g for g in self.sources]
        src_no = {g: i for i, g in enumerate(self.sources)}
        self.cases = list(project.cases)
        self.case_names = [project.cases[g].name or g for g in self.cases]
        case_no = {g: i for i, g in enumerate(self.cases)}
        coders = sorted({c for c in idx.coder if c is not None})
        self.coders = coders
        coder_no = {c: i for i, c in enumerate(coders)}
        self.code_no = np.fromiter((code_no[g] for g in idx.code_guid), dtype=np.int32, count=n)
        self.source_no = np.fromiter((src_no[g] for g in idx.source_guid), dtype=np.int32, count=n)
        self.coder_no = np.fromiter((coder_no.get(c, -1) for c in idx.coder), dtype=np.int32, count=n)
        # Cases belong to sources: a case filter is a mask over sources, looked up per coding.
        self.source_cases = [[case_no[c] for c in idx.source_cases.get(g, ()) if c in case_no]
                             for g in self.sources]
        self.variables = [v for v in project.variables.values()]
        self.values = self._case_values(case_no)
        direct = np.bincount(self.code_no, minlength=len(order)) if n else np.zeros(len(order), np.int64)
        # Codings at a code or below it: a range sum over the tree order.
        running = np.concatenate(([0], np.cumsum(direct)))
        self.subtree_counts = running[self.code_end] - running[np.arange(len(order))]
        self._search: Optional[tuple] = None
        self._search_lock = threading.Lock()
        self._cache: dict[bytes, np.ndarray] = {}

    def _case_values(self, case_no: dict) -> list[dict[str, list[int]]]:
        """Per variable: value → the case numbers that have it."""
        var_no = {v.guid: i for i, v in enumerate(self.variables)}
        out: list[dict[str, list[int]]] = [{} for _ in self.variables]
        for g, case in self.project.cases.items():
            for vv in case.variable_values:
                if vv.variable in var_no and vv.value is not None:
                    out[var_no[vv.variable]].setdefault(str(vv.value), []).append(case_no[g])
        return [dict(sorted(d.items())) for d in out]

    def __len__(self) -> int:
        return len(self.idx)

    # -- search -----------------------------------------------------------------------------
    def prepare_search(self) -> None:
        """Build the lower-cased excerpt blob (once; later callers wait for the first)."""
        with self._search_lock:
            if self._search is not None:
                return
            texts = self.idx.texts(self.project.sources)
            parts = [(t or "").lower().encode("utf-8", "surrogatepass").replace(b"\x00", b" ") for t in texts]
            ends = np.cumsum(np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts)))
            blob = b"\x00".join(parts)
            arr = np.frombuffer(blob, dtype=np.uint8)
            # Byte frequencies from a sample: enough to pick the rarest byte of a query as anchor.
            freq = np.bincount(arr[:: max(1, len(arr) // 1_000_000)], minlength=256)
            self._search = (blob, ends, arr, freq)

    def _matches(self, q: str, candidates: Optional[np.ndarray] = None) -> np.ndarray:
        """Rows whose excerpt contains ``q`` (case-insensitive).  With few ``candidates`` (row
        numbers the other filters kept) only those rows are looked at; otherwise the whole blob
        is searched with numpy from the query's rarest byte, and the answer is cached."""
        self.prepare_search()
        blob, ends, arr, freq = self._search  # type: ignore[misc]
        needle = q.lower().encode("utf-8", "surrogatepass").replace(b"\x00", b" ")
        hits = np.zeros(len(ends), dtype=bool)
        if candidates is not None and len(candidates) <= _FEW_ROWS:
            find, stops = blob.find, ends.tolist()
            for row in candidates.tolist():
                start = stops[row - 1] if row else 0
                if find(needle, start, stops[row] - 1) != -1:
                    hits[row] = True
            return hits
        cached = self._cache.get(needle)
        if cached is not None:
            return cached
        m, size = len(needle), len(arr)
        if size >= m:
            # Whole-array comparisons for the two rarest bytes of the query (cheap, vectorised),
            # then the few candidate places left are checked byte by byte.
            order = sorted(range(m), key=lambda k: freq[needle[k]])
            span = size - m + 1
            where = arr[order[0]:order[0] + span] == needle[order[0]]
            if m > 1:
                where &= arr[order[1]:order[1] + span] == needle[order[1]]
            pos = np.flatnonzero(where)
            for k in order[2:]:
                pos = pos[arr[pos + k] == needle[k]]
            if len(pos) <= len(ends):
                hits[np.searchsorted(ends, pos, side="right")] = True
            else:  # a very common query: mark the places, then "any" per row in one pass
                marks = np.zeros(size, dtype=bool)
                marks[pos] = True
                hits = np.logical_or.reduceat(marks, np.concatenate(([0], ends[:-1])))
        with self._search_lock:
            self._cache[needle] = hits
            while len(self._cache) > 8:
                self._cache.pop(next(iter(self._cache)))
        return hits

    # -- queries ----------------------------------------------------------------------------
    def mask(self, f: Filters) -> np.ndarray:
        """Which codings pass the filters."""
        m = np.ones(len(self), dtype=bool)
        if f.code is not None and 0 <= f.code < len(self.code_guids):
            m &= (self.code_no >= f.code) & (self.code_no < self.code_end[f.code])
        if f.source is not None:
            m &= self.source_no == f.source
        if f.coder is not None:
            m &= self.coder_no == f.coder
        wanted: Optional[set[int]] = None
        if f.case is not None:
            wanted = {f.case}
        if f.attribute is not None and 0 <= f.attribute < len(self.values) and f.value is not None:
            having = set(self.values[f.attribute].get(f.value, ()))
            wanted = having if wanted is None else wanted & having
        if wanted is not None:
            src_ok = np.fromiter((any(c in wanted for c in cs) for cs in self.source_cases), dtype=bool,
                                 count=len(self.sources))
            m &= src_ok[self.source_no] if len(self) else m
        if f.q.strip():
            m &= self._matches(f.q.strip(), np.flatnonzero(m))
        return m

    def page(self, f: Filters, size: int = PAGE_SIZE) -> tuple[int, int, list[dict]]:
        """``(matching rows, pages, rows of page f.page)``; each row a dict for the template."""
        rows = np.flatnonzero(self.mask(f))
        total = int(rows.size)
        pages = max(1, -(-total // size))
        page = min(max(1, f.page), pages)
        chosen = rows[(page - 1) * size: page * size]
        return total, pages, [self.row(int(i)) for i in chosen]

    def row(self, i: int) -> dict:
        """One coding as shown: source, code path, span, exact excerpt, coder, cases, memo."""
        idx, p = self.idx, self.project
        text = idx.text[i]
        src = p.sources[idx.source_guid[i]]
        if text is None and idx.selection[i] is not None:
            text = src.excerpt(idx.selection[i])
        s = int(self.source_no[i])
        return {"n": i + 1, "source": self.source_names[s], "code": self.code_paths[int(self.code_no[i])],
                "start": idx.start[i], "end": idx.end[i], "text": text or "", "coder": idx.coder[i] or "",
                "cases": ", ".join(self.case_names[c] for c in self.source_cases[s]), "memo": idx.memo[i] or "",
                "kind": idx.kind[i]}


def p_level(project: Project, guid: str) -> int:
    """Depth of a code in the tree (1 = top level), cycles cut."""
    level, seen, code = 1, {guid}, project.codes[guid]
    while code.parent and code.parent in project.codes and code.parent not in seen:
        seen.add(code.parent)
        code = project.codes[code.parent]
        level += 1
    return level


def _subtree_ends(project: Project, order: list[str]) -> np.ndarray:
    """For each code number k (tree order) the first number after its subtree."""
    pos = {g: i for i, g in enumerate(order)}
    end = np.arange(1, len(order) + 1, dtype=np.int64)
    for k in range(len(order) - 1, -1, -1):
        parent = project.codes[order[k]].parent
        if parent in pos and pos[parent] < k:
            end[pos[parent]] = max(end[pos[parent]], end[k])
    return end
