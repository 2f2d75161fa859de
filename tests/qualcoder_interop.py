"""Helpers for the QualCoder round-trip tests (tests/test_interop_qualcoder.py).

QualCoder runs in its own virtual environment (PyQt6 stays out of this package): the tests find its
python in ``NVIVO_BRIDGE_QUALCODER_PYTHON`` (``.ci/run`` builds it from
``../shared/interop/requirements.txt``) and the headless driver in ``../shared/interop``.  The
expectations are computed from our Codings table with the documented ``--target qualcoder`` rules
(docs/export-profiles.md), written here a second time on purpose, independently of the writer.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTEROP = ROOT.parent / "shared" / "interop"
ENV = "NVIVO_BRIDGE_QUALCODER_PYTHON"


def qualcoder_python() -> Optional[str]:
    """QualCoder's python, or ``None`` when it or ../shared/interop is absent."""
    exe = os.environ.get(ENV)
    if not exe or not Path(exe).is_file() or not (INTEROP / "qualcoder_roundtrip.py").is_file():
        return None
    return exe


def skip_reason() -> str:
    if not (INTEROP / "qualcoder_roundtrip.py").is_file():
        return "../shared/interop (QualCoder's import code) not available"
    return f"{ENV} does not name QualCoder's python (.ci/run builds it from ../shared/interop/requirements.txt)"


needs_qualcoder = pytest.mark.skipif(qualcoder_python() is None, reason=skip_reason())


def run_qualcoder(qdpx: Path, out: Path, export: bool = True) -> dict[str, Any]:
    """Import ``qdpx`` with QualCoder (and export it again); the parsed result.json plus ``db``,
    the path of QualCoder's project database."""
    cmd = [qualcoder_python(), str(INTEROP / "qualcoder_roundtrip.py"), str(qdpx), str(out)]
    if export:
        cmd.append("--export")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    result_file = out / "result.json"
    if not result_file.is_file():
        raise AssertionError(f"QualCoder driver failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result["db"] = out / "project.qda" / "data.qda"
    return result


def lf(text: Optional[str]) -> Optional[str]:
    """QualCoder reads text files with universal newlines: CRLF and lone CR arrive as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def lf_pos(text: str, pos: int) -> int:
    """Position ``pos`` of ``text`` once its CRLF pairs are single LFs."""
    return pos - text.count("\r\n", 0, pos)


def _numbered(items: list[tuple[str, str, str]]) -> dict[str, str]:
    """The documented clash rule: every use of a shared name gets " [qualifier]", and a number
    " [2]", " [3]"… (in tree order) while that still clashes."""
    count = Counter(name for _, name, _q in items)
    taken = {name for name, k in count.items() if k == 1}
    out = {}
    for key, name, qual in items:
        if count[name] == 1:
            out[key] = name
            continue
        cand = base = f"{name} [{qual}]"
        n = 1
        while cand in taken:
            n += 1
            cand = f"{base} [{n}]"
        taken.add(cand)
        out[key] = cand
    return out


def qc_paths(project, categories: bool = False):
    """Code GUID → the path QualCoder shows, by the documented rules: a code with children is a
    category and its own codings sit in ``"<name> (direct)"`` inside it; a name used by two codes
    (or two categories) gets ``" [<parent name>]"``, then a number.  With ``categories``: also the
    path of each category (GUID → path)."""
    codes = project.codes
    kids: dict = {}
    for g, c in codes.items():
        kids.setdefault(c.parent if c.parent in codes else None, []).append(g)
    coded = {c.code for s in project.sources.values() for c in s.codings}
    coded |= {c.code for s in project.sources.values() for sel in s.all_selections() for c in sel.codings}
    # A non-codable code that nothing is coded at stays what QualCoder makes of it: a category.
    category = {g for g in codes if kids.get(g)}
    empty = {g for g, c in codes.items() if not c.is_codable and g not in coded and g not in category}

    def parent_name(g: str) -> str:
        par = codes.get(codes[g].parent) if codes[g].parent else None
        return par.name if par is not None else "top level"

    cats, leaves = [], []
    for g, c in codes.items():
        if g in category:
            cats.append((g, c.name, parent_name(g)))
            if g in coded:
                leaves.append(("direct:" + g, c.name + " (direct)", c.name))
        elif g in empty:
            cats.append((g, c.name, parent_name(g)))
        else:
            leaves.append((g, c.name, parent_name(g)))
    cat_name, leaf_name = _numbered(cats), _numbered(leaves)

    def cat_path(g) -> list[str]:
        out: list[str] = []
        while g is not None and g in codes:
            out.insert(0, cat_name[g])
            g = codes[g].parent
        return out

    paths = {g: "/".join(cat_path(g) + [leaf_name.get("direct:" + g, c.name + " (direct)")]) if g in category
             else "/".join(cat_path(g)) if g in empty
             else "/".join(cat_path(codes[g].parent) + [leaf_name[g]]) for g, c in codes.items()}
    if categories:
        return paths, {g: "/".join(cat_path(g)) for g in category | empty}
    return paths


def source_names(project) -> dict[str, str]:
    """Source GUID → the name QualCoder holds (name, else file name, else GUID)."""
    out = {}
    for g, s in project.sources.items():
        path = s.plain_text_path or s.path or ""
        out[g] = s.name or path.replace("\\", "/").rsplit("/", 1)[-1] or g
    return _first_keeps(out)


def _first_keeps(names: dict) -> dict:
    """A name used twice: the first keeps it, the next get " [2]", " [3]"…"""
    out = dict(names)
    count = Counter(out.values())
    taken = {n for n, k in count.items() if k == 1}
    for g, name in out.items():
        if count[name] > 1:
            cand, n = name, 1
            while cand in taken:
                n += 1
                cand = f"{name} [{n}]"
            taken.add(cand)
            out[g] = cand
    return out


def plain_paths(project) -> dict[str, str]:
    """Code GUID → its path of names, as read (no QualCoder rules)."""
    out = {}
    for g, c in project.codes.items():
        parts, cur, hops = [c.name], c.parent, 0
        while cur in project.codes and hops < 200:
            parts.insert(0, project.codes[cur].name)
            cur, hops = project.codes[cur].parent, hops + 1
        out[g] = "/".join(parts)
    return out


def expected_codings(project, qualcoder_rules: bool = True) -> Counter:
    """Our codings of text as QualCoder should hold them: (source, code path, text, coder); with
    ``qualcoder_rules=False`` the paths and names as read."""
    from nvivo_bridge.coding_index import build_index

    idx = build_index(project)
    paths = qc_paths(project) if qualcoder_rules else plain_paths(project)
    names = source_names(project)
    out: Counter = Counter()
    seen: set = set()
    coder_name = {}
    if qualcoder_rules:  # a user without a name is called by its id, else "user <first 8 hex digits>"
        coder_name = _first_keeps({g: u.name or u.id or "user " + g.replace("-", "")[:8]
                                   for g, u in project.users.items()})
        coding_user = {c.guid: c.creating_user for s in project.sources.values() for c in s.codings}
        coding_user.update({c.guid: c.creating_user for s in project.sources.values()
                            for sel in s.all_selections() for c in sel.codings})
    for i in range(len(idx.coding_guid)):
        kind = idx.kind[i]
        if kind not in ("text", "source"):
            continue
        src = project.sources[idx.source_guid[i]]
        if kind == "source":
            if src.kind != "text" or src.text is None:
                continue
            text = src.text
        else:
            sel = idx.selection[i]
            text = src.text[sel.start:sel.end] if src.text is not None else None
        # QualCoder's code_text is unique per code, source, span and coder (documented: one of each kept).
        span = (src.guid, idx.code_guid[i], idx.start[i], idx.end[i], idx.coder[i])
        if span in seen:
            continue
        seen.add(span)
        coder = idx.coder[i]
        if qualcoder_rules:
            coder = coder_name.get(coding_user.get(idx.coding_guid[i]), coder)
        out[(names[src.guid], paths[idx.code_guid[i]], lf(text), coder or "default")] += 1
    return out


def qc_codings(result: dict) -> Counter:
    """QualCoder's coded segments as (source, code path, text, coder)."""
    return Counter((c["source"], c["code"], c["text"], c["coder"]) for c in result.get("codings", []))


def expected_case_links(project) -> Counter:
    """(case, source, start, end) of every case link to text, in QualCoder's LF positions."""
    names = source_names(project)
    where = {}
    for s in project.sources.values():
        for sel in s.selections:
            where[sel.guid] = (s, sel)
    out: Counter = Counter()
    for case in project.cases.values():
        if not case.name:
            continue
        for ref in case.selection_refs:
            if ref in where and where[ref][1].kind == "text":
                s, sel = where[ref]
                text = s.text or ""  # a missing text: the positions are written as read
                out[(case.name, names[s.guid], lf_pos(text, sel.start), lf_pos(text, sel.end))] += 1
        for ref in case.source_refs:
            s = project.sources.get(ref)
            if s is not None and s.kind == "text" and s.text is not None:
                out[(case.name, names[s.guid], 0, len(lf(s.text)))] += 1
    return out


def qc_case_links(result: dict) -> Counter:
    return Counter((c["case"], c["source"], c["start"], c["end"]) for c in result.get("case_text", []))


def expected_attributes(project) -> Counter:
    """(name, case/file, owner, value) of every variable value on a named case or a source."""
    names = source_names(project)
    var = {g: v.name for g, v in project.variables.items()}
    out: Counter = Counter()
    for case in project.cases.values():
        if case.name:
            for vv in case.variable_values:
                out[(var.get(vv.variable), "case", case.name, vv.value)] += 1
    for s in project.sources.values():
        for vv in s.variable_values:
            out[(var.get(vv.variable), "file", names[s.guid], None if vv.value is None else vv.value.strip())] += 1
    return out


def qc_attributes(result: dict) -> Counter:
    return Counter((a["name"], a["attr_type"], a["owner_name"], a["value"]) for a in result.get("attributes", []))


def qc_journals(result: dict) -> list[str]:
    """The text of every journal in QualCoder's database."""
    with sqlite3.connect(result["db"]) as db:
        return [row[0] for row in db.execute("select jentry from journal")]


def qc_code_tree(result: dict) -> set[str]:
    """Every category path and code path QualCoder holds."""
    with sqlite3.connect(result["db"]) as db:
        cats = {cid: (name, sup) for cid, name, sup in db.execute("select catid, name, supercatid from code_cat")}
        codes = list(db.execute("select name, catid from code_name"))

    def path(cid: Optional[int]) -> list[str]:
        out: list[str] = []
        while cid is not None and cid in cats and len(out) < 100:
            out.insert(0, cats[cid][0])
            cid = cats[cid][1]
        return out

    return {"/".join(path(c)) for c in cats} | {"/".join(path(cat) + [name]) for name, cat in codes}


def missing(expected: Counter, got: Counter) -> list:
    """The expected items QualCoder does not hold (with multiplicity)."""
    return sorted((expected - got).elements(), key=repr)
