"""Joining the parts read from one or many NVivo exports into one Project.

Order matters and is fixed: code lists first (the codebook gives the full tree and descriptions,
a list view the tree and counts), then node exports (codes, sources, coded segments), then
classification sheets (variables, cases and their values; cases are linked to sources by name),
then tables.  Matching is by path first and by name second (exact, then case- and
white-space-insensitive); what cannot be matched is reported, never guessed silently.
Positions are unknown in these exports: every text selection has ``start = end = None`` and
carries its excerpt in ``Selection.text``; ``Project.position_unit`` is ``"unknown"``.
"""
from __future__ import annotations

import os
from typing import Optional, Union

from ...errors import Diagnostics
from ...model import Case, Code, Coding, Project, Selection, Source, Table, Variable, VariableValue, norm_name
from .classification import infer_type, special_value
from .parts import Classification, CodeList, NodeExport, Ref
from .words import Words

__all__ = ["Part", "build_project", "norm_name"]

Part = Union[NodeExport, CodeList, Classification, Table]
_VARIANT = "89ab"
_KIND_RANK = {"text": 0, "pdf": 1, "picture": 1, "audio": 1, "video": 1}


def _guid() -> str:
    """A random (version 4) GUID; formatted by hand because ``str(uuid.uuid4())`` dominated the
    time of a 200,000-reference read."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


class _Builder:
    def __init__(self, name: str, diag: Diagnostics, words: Words):
        self.p = Project(name=name, origin="NVivo exports", producer="NVivo (own exports)",
                         position_unit="unknown")
        self.p.extras["nvivo:exports"] = []
        self.diag, self.words = diag, words
        self.code_at: dict[tuple[str, ...], str] = {}
        self.source_at: dict[tuple[str, ...], Source] = {}
        self.filled: dict[str, tuple[str, tuple]] = {}

    # -- codes --------------------------------------------------------------------------------
    def code(self, path: tuple[str, ...]) -> str:
        """The GUID of the code at ``path``, creating it and any missing ancestor."""
        g = self.code_at.get(path)
        if g is None:
            parent = self.code(path[:-1]) if len(path) > 1 else None
            g = _guid()
            self.p.codes[g] = Code(g, path[-1], parent=parent)
            self.code_at[path] = g
        return g

    def add_code_list(self, part: CodeList) -> None:
        for row in part.rows:
            code = self.p.codes[self.code(tuple(row.path))]
            if row.description and not code.description:
                code.description = row.description
            for key, value in (("nvivo:files", row.files), ("nvivo:references", row.references),
                               ("nvivo:folder", row.folder)):
                if value is not None:
                    code.extras.setdefault(key, value)
            for key, value in row.extras.items():
                code.extras.setdefault(key, value)

    def resolve_code(self, part: NodeExport, leaves: dict[str, list[str]]) -> str:
        path = tuple(part.code_path)
        if path in self.code_at:
            return self.code_at[path]
        cands = leaves.get(norm_name(path[-1]), [])
        if len(cands) == 1:
            self.diag.info("code-matched-by-name", f"node export '{part.file}' matched to code "
                           f"'{self.p.code_path(cands[0])}' by its name", part.file)
            return cands[0]
        if len(cands) > 1:
            paths = ", ".join(self.p.code_path(g) for g in cands)
            self.diag.warn("ambiguous-code-name", f"node export '{part.file}' could be any of: {paths}; "
                           "used the first (put the file in a sub-folder named like its parent code to "
                           "choose)", part.file)
            return cands[0]
        return self.code(path)

    # -- node exports -------------------------------------------------------------------------
    def add_node_export(self, part: NodeExport, leaves: dict[str, list[str]]) -> None:
        g = self.resolve_code(part, leaves)
        sig = tuple((tuple(b.folder + [b.name]), len(b.refs)) for b in part.blocks)
        if g in self.filled:
            first, first_sig = self.filled[g]
            if first_sig == sig:
                self.diag.info("duplicate-export", f"'{part.file}' repeats '{first}' (same code, same "
                               "references): skipped", part.file)
            else:
                self.diag.warn("conflicting-export", f"'{part.file}' and '{first}' are both exports of "
                               f"code '{self.p.code_path(g)}' but differ; only '{first}' was used", part.file)
            return
        self.filled[g] = (part.file, sig)
        for blk in part.blocks:
            key = tuple(blk.folder + [blk.name])
            src = self.source_at.get(key)
            if src is None:
                src = Source(_guid(), name=blk.name, kind="text")
                src.extras["nvivo:folder"] = "\\\\".join(blk.folder)
                self.source_at[key] = src
                self.p.sources[src.guid] = src
            if blk.coverage is not None:
                src.extras.setdefault("nvivo:coverage", {})[g] = blk.coverage
            for ref in blk.refs:
                src.selections.append(self._selection(ref, g))
                if _KIND_RANK[ref.kind] > _KIND_RANK[src.kind]:
                    src.kind = ref.kind

    @staticmethod
    def _selection(ref: Ref, code: str) -> Selection:
        sel = Selection(_guid(), kind=ref.kind, text=ref.text if (ref.text or ref.kind == "text") else None)
        if ref.kind in ("pdf", "picture") and ref.coords:
            sel.page = ref.page
            sel.first_x, sel.first_y, sel.second_x, sel.second_y = ref.coords
        elif ref.kind in ("audio", "video"):
            sel.start, sel.end = ref.start_ms, ref.end_ms
        if ref.locator:
            sel.extras["nvivo:locator"] = ref.locator
        if ref.coverage is not None:
            sel.extras["nvivo:coverage"] = ref.coverage
        sel.extras["nvivo:reference"] = str(ref.first) if ref.first == ref.last else f"{ref.first}-{ref.last}"
        sel.codings = [Coding(_guid(), code) for _ in range(ref.first, ref.last + 1)]
        return sel

    # -- classifications ----------------------------------------------------------------------
    def add_classification(self, part: Classification) -> None:
        vars_: list[Variable] = []
        for i, attr in enumerate(part.attributes):
            ordinary = [r.values[i] for r in part.rows
                        if r.values[i] is not None and special_value(r.values[i], self.words) is None]
            var = Variable(_guid(), attr, infer_type(ordinary))
            var.extras["nvivo:classification"] = part.name
            self.p.variables[var.guid] = var
            vars_.append(var)
        by_name = self._source_names()
        unmatched: list[str] = []
        cases: dict[tuple[str, ...], Case] = {}
        for row in part.rows:
            values = self._values(row.values, vars_)
            if len(row.path) > 1 and self.words.has("source_folders", row.path[0]):
                src = self.source_at.get(tuple(row.path)) or self._match(row.path[-1], by_name)
                if src is None:
                    unmatched.append(row.path[-1])
                    src = Source(_guid(), name=row.path[-1], kind="text")
                    src.extras["nvivo:folder"] = "\\\\".join(row.path[:-1])
                    self.source_at[tuple(row.path)] = src
                    self.p.sources[src.guid] = src
                src.variable_values.extend(values)
                continue
            case = cases.get(tuple(row.path))
            if case is None:
                case = Case(_guid(), name=row.path[-1])
                case.extras["nvivo:path"] = "\\\\".join(row.path)
                case.extras["nvivo:classification"] = part.name
                cases[tuple(row.path)] = case
                self.p.cases[case.guid] = case
                src = self._match(row.path[-1], by_name)
                if src is not None:
                    case.source_refs.append(src.guid)
                elif by_name:
                    unmatched.append(row.path[-1])
            case.variable_values.extend(values)
        if unmatched:
            shown = ", ".join(unmatched[:20]) + (f" and {len(unmatched) - 20} more" if len(unmatched) > 20 else "")
            self.diag.warn("unmatched-name", f"{len(unmatched)} name(s) in classification '{part.name}' match "
                           f"no source of the node exports: {shown}", part.file)

    def _values(self, raw: list[Optional[str]], vars_: list[Variable]) -> list[VariableValue]:
        out: list[VariableValue] = []
        for value, var in zip(raw, vars_):
            if value is None:
                continue  # an empty cell: no value, unlike Unassigned / Not Applicable
            special = special_value(value, self.words)
            if special:
                out.append(VariableValue(var.guid, special, "Text", origin="case"))
            else:
                lexical = value.replace(",", ".") if var.type == "Float" else value
                out.append(VariableValue(var.guid, lexical, var.type, origin="case"))
        return out

    def _source_names(self) -> dict[str, list[Source]]:
        index: dict[str, list[Source]] = {}
        for src in self.p.sources.values():
            index.setdefault(src.name or "", []).append(src)
            index.setdefault("\0" + norm_name(src.name or ""), []).append(src)
        return index

    @staticmethod
    def _match(name: str, index: dict[str, list[Source]]) -> Optional[Source]:
        hits = index.get(name) or index.get("\0" + norm_name(name))
        return hits[0] if hits else None

    def add_table(self, table: Table) -> None:
        name, n = table.name or "Table", 2
        while name in self.p.tables:
            name, n = f"{table.name} ({n})", n + 1
        table.name = name
        self.p.tables[name] = table


def build_project(parts: list[tuple[str, Part]], name: str, diag: Diagnostics, words: Words) -> Project:
    """One Project from ``(kind, part)`` pairs read from one file or a folder of exports."""
    b = _Builder(name, diag, words)
    order = {"codebook": 0, "listview": 1, "node-export": 2, "classification": 3}
    for kind, part in sorted(parts, key=lambda kp: order.get(kp[0], 4)):
        b.p.extras["nvivo:exports"].append({"file": getattr(part, "source_file", None) or part.file, "kind": kind})
        if isinstance(part, CodeList):
            b.add_code_list(part)
    leaves: dict[str, list[str]] = {}
    for g, code in b.p.codes.items():
        leaves.setdefault(norm_name(code.name), []).append(g)
    nodes = [p for _, p in parts if isinstance(p, NodeExport)]
    for part in nodes:
        b.add_node_export(part, leaves)
    for _, part in parts:
        if isinstance(part, Classification):
            b.add_classification(part)
        elif isinstance(part, Table):
            b.add_table(part)
    if nodes:
        b.p.extras["nvivo:positions"] = "unknown"
        diag.info("positions-unknown", "NVivo's own exports hold the coded excerpts but neither the sources' "
                  "full texts nor character positions (expected: NVivo never exports them; a .qdpx written "
                  "from them rebuilds source texts from the excerpts). For full texts, export the project "
                  "from NVivo as REFI-QDA (.qdpx)")
        _compare_counts(b, diag)
    return b.p


def _compare_counts(b: _Builder, diag: Diagnostics) -> None:
    """Note codes whose codings differ from NVivo's References count (aggregate or partial exports)."""
    found: dict[str, int] = {}
    for _src, _sel, coding in b.p.iter_codings():
        found[coding.code] = found.get(coding.code, 0) + 1
    for g in b.filled:
        expected = b.p.codes[g].extras.get("nvivo:references")
        if isinstance(expected, int) and expected != found.get(g, 0):
            diag.info("count-differs", f"code '{b.p.code_path(g)}': {found.get(g, 0)} coded segment(s) read, "
                      f"NVivo's codebook says {expected} references (aggregated children or another "
                      "export date?)")
