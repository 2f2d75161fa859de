"""Users, codes, variables, cases, sets, links, graphs and tables of the inputs, matched to the merged
project's.

Codes are matched by :func:`nvivo_bridge.codebook.merge.merge_code_trees` (GUID, then path with
names compared loosely), the rule ``merge-codebooks`` uses.  Users are matched by name (or, with
``coder_from_file``, every user of an input becomes the one coder named after the input).  The
rest is matched by GUID, then by name compared loosely (case and runs of spaces ignored); a link
by GUID, then by name with the same two ends.  A matched object keeps the first input's values;
an empty value is filled from the later input and a different one is a conflict row.
"""
from __future__ import annotations

import dataclasses
import uuid
from typing import Optional, Sequence

from ..model import Case, Graph, Link, Set, User
from ._state import Input, State, loose

__all__ = ["merge_users", "merge_codes", "merge_code_notes", "merge_variables", "merge_cases", "merge_sets",
           "merge_links", "merge_graphs", "merge_tables", "merge_project_fields"]


def _named(coll: dict) -> dict[str, str]:
    return {loose(o.name): g for g, o in coll.items() if getattr(o, "name", None)}


def _find(coll: dict, by_name: dict, obj) -> tuple[Optional[object], str]:
    """The merged object ``obj`` matches, by GUID then loose name, and the rule that matched."""
    if obj.guid in coll:
        return coll[obj.guid], "guid"
    g = by_name.get(loose(obj.name)) if obj.name else None
    return (coll[g], "name") if g is not None else (None, "added")


def _fill(st: State, inp: Input, kind: str, target, other, *attrs: str) -> None:
    for attr in attrs:
        mine, theirs = getattr(target, attr), getattr(other, attr)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(target, attr, theirs)
        elif mine not in (None, "") and theirs not in (None, "") and str(mine).strip() != str(theirs).strip():
            st.report.conflict(kind, target.name, attr, mine, st.label_of(target.guid), theirs, inp.label, target.guid)


def merge_users(st: State, inp: Input, coder_name: Optional[str] = None) -> None:
    """Users by name (GUID for a user without one); with ``coder_name`` all users of the input
    become that one user, and every coding of the input is that user's."""
    merged = st.merged
    by_name = {loose(u.name or u.id): g for g, u in merged.users.items() if u.name or u.id}
    if coder_name is not None:
        g = by_name.get(loose(coder_name))
        if g is None:
            # A GUID derived from the name keeps merges of the same files reproducible.
            g = st.claim(str(uuid.uuid5(uuid.NAMESPACE_URL, "nvivo-bridge:coder:" + coder_name)), inp.i)
            merged.users[g] = User(g, coder_name)
        inp.coder = g
        for u in inp.project.users.values():
            inp.gmap[u.guid] = g
            st.report.match(inp.i, "users", u.name or u.id, u.guid, "coder-from-file", coder_name, g)
        return
    for u in inp.project.users.values():
        name = u.name or u.id
        target = by_name.get(loose(name)) if name else (u.guid if u.guid in merged.users else None)
        rule = "name" if name else "guid"
        if target is None:
            target = st.claim(u.guid, inp.i)
            merged.users[target] = User(target, u.name, u.id, dict(u.extras))
            if name:
                by_name[loose(name)] = target
            rule = "added"
        inp.gmap[u.guid] = target
        st.report.match(inp.i, "users", name, u.guid, rule, merged.users[target].name, target)


def merge_codes(st: State, inputs: Sequence[Input]) -> None:
    """Every input's codes at once, through the codebook merge's matching."""
    # Imported here: the codebook package loads pandas, and ``import nvivo_bridge`` binds merge.
    from ..codebook.merge import merge_code_trees

    book, rows, mappings, rules = merge_code_trees([i.project for i in inputs], st.labels, st.diag)
    st.merged.codes = book.codes
    st.taken.update(book.codes)
    paths = st.paths = book.code_paths()
    for inp, mapping, rule in zip(inputs, mappings, rules):
        own = inp.project.code_paths()
        inp.gmap.update(mapping)
        for g, target in mapping.items():
            if rule[g] == "added":
                st.came_from[target] = inp.i
            st.report.match(inp.i, "codes", own[g], g, rule[g], paths[target], target)
    for r in rows:
        if r["field"] == "guid":
            continue  # a path match across exports' GUIDs: the Matches table shows both GUIDs
        guid = r.get("guid_", r.get("guid"))
        st.report.conflict("code", r.get("path") or paths.get(guid, ""), r["field"], r["kept"], r["kept_from"],
                           r["other"], r["other_from"], guid)


def merge_code_notes(st: State, inp: Input) -> None:
    """Code memos (NoteRefs), once the notes are merged (a codebook merge leaves them out)."""
    for g, code in inp.project.codes.items():
        if code.note_refs:
            target = st.merged.codes[inp.gmap[g]]
            target.note_refs = list(dict.fromkeys(target.note_refs + inp.refs(code.note_refs)))


def merge_variables(st: State, inp: Input) -> None:
    """Variables by GUID, then name; a different type or description is a conflict."""
    coll = st.merged.variables
    by_name = _named(coll)
    for var in inp.project.variables.values():
        target, rule = _find(coll, by_name, var)
        if target is None:
            g = st.claim(var.guid, inp.i)
            target = coll[g] = dataclasses.replace(var, guid=g, extras=dict(var.extras))
            by_name.setdefault(loose(var.name), g)
        else:
            _fill(st, inp, "variable", target, var, "type", "description")
        inp.gmap[var.guid] = target.guid
        st.report.match(inp.i, "variables", var.name, var.guid, rule, target.name, target.guid)


def merge_cases(st: State, inp: Input) -> None:
    """Cases by GUID, then name; their codes, sources and selections united, their values merged."""
    coll = st.merged.cases
    by_name = _named(coll)
    for case in inp.project.cases.values():
        target, rule = _find(coll, by_name, case)
        if target is None:
            g = st.claim(case.guid, inp.i)
            target = coll[g] = Case(g, case.name, case.description, extras=dict(case.extras))
            if case.name:
                by_name.setdefault(loose(case.name), g)
        else:
            _fill(st, inp, "case", target, case, "description")
        inp.gmap[case.guid] = target.guid
        target.code_refs = list(dict.fromkeys(target.code_refs + inp.refs(case.code_refs)))
        target.source_refs = list(dict.fromkeys(target.source_refs + inp.refs(case.source_refs)))
        target.selection_refs = list(dict.fromkeys(target.selection_refs + inp.refs(case.selection_refs)))
        st.merge_values("case", target.name, target.guid, target.variable_values, case.variable_values, inp)
        st.report.match(inp.i, "cases", case.name, case.guid, rule, target.name, target.guid)


def merge_sets(st: State, inp: Input) -> None:
    """Sets by GUID, then name; members united."""
    coll = st.merged.sets
    by_name = _named(coll)
    for s in inp.project.sets.values():
        target, rule = _find(coll, by_name, s)
        if target is None:
            g = st.claim(s.guid, inp.i)
            target = coll[g] = Set(g, s.name, s.description, extras=dict(s.extras))
            by_name.setdefault(loose(s.name), g)
        else:
            _fill(st, inp, "set", target, s, "description")
        inp.gmap[s.guid] = target.guid
        target.member_codes = list(dict.fromkeys(target.member_codes + inp.refs(s.member_codes)))
        target.member_sources = list(dict.fromkeys(target.member_sources + inp.refs(s.member_sources)))
        target.member_notes = list(dict.fromkeys(target.member_notes + inp.refs(s.member_notes)))
        st.report.match(inp.i, "sets", s.name, s.guid, rule, target.name, target.guid)


def merge_links(st: State, inp: Input) -> None:
    """Links by GUID, then by name with the same (mapped) ends."""
    coll = st.merged.links
    by_ends = {(loose(k.name), k.origin, k.target): g for g, k in coll.items()}
    for link in inp.project.links.values():
        ends = (loose(link.name), inp.ref(link.origin), inp.ref(link.target))
        rule, g = "guid", link.guid if link.guid in coll else None
        if g is None:
            rule, g = "name", by_ends.get(ends)
        if g is None:
            rule, g = "added", st.claim(link.guid, inp.i)
            coll[g] = Link(g, link.name, link.direction, link.color, ends[1], ends[2], extras=dict(link.extras))
            by_ends.setdefault(ends, g)
        else:
            _fill(st, inp, "link", coll[g], link, "direction", "color")
        target: Link = coll[g]
        target.note_refs = list(dict.fromkeys(target.note_refs + inp.refs(link.note_refs)))
        inp.gmap[link.guid] = g
        st.report.match(inp.i, "links", link.name, link.guid, rule, target.name, g)


def merge_graphs(st: State, inp: Input) -> None:
    """Graphs by GUID, then name; a matched graph keeps the first input's drawing."""
    coll = st.merged.graphs
    by_name = _named(coll)
    for graph in inp.project.graphs.values():
        target, rule = _find(coll, by_name, graph)
        if target is None:
            target = _copy_graph(st, inp, graph)
            coll[target.guid] = target
            if graph.name:
                by_name.setdefault(loose(graph.name), target.guid)
        inp.gmap[graph.guid] = target.guid
        st.report.match(inp.i, "graphs", graph.name, graph.guid, rule, target.name, target.guid)


def _copy_graph(st: State, inp: Input, graph: Graph) -> Graph:
    local: dict[str, str] = {}
    vertices = []
    for v in graph.vertices:
        local[v.guid] = st.fresh(v.guid)
        vertices.append(dataclasses.replace(v, guid=local[v.guid], represented=inp.ref(v.represented),
                                            extras=dict(v.extras)))
    edges = [dataclasses.replace(e, guid=st.fresh(e.guid), source_vertex=local.get(e.source_vertex, e.source_vertex),
                                 target_vertex=local.get(e.target_vertex, e.target_vertex),
                                 represented=inp.ref(e.represented), extras=dict(e.extras))
             for e in graph.edges]
    return Graph(st.claim(graph.guid, inp.i), graph.name, vertices, edges, dict(graph.extras))


def merge_tables(st: State, inp: Input) -> None:
    """Tables kept from NVivo exports (matrices): a table whose name is not merged yet is added."""
    for name, table in inp.project.tables.items():
        rule = "name" if name in st.merged.tables else "added"
        st.merged.tables.setdefault(name, table)
        st.report.match(inp.i, "tables", name, "", rule, name, "")


def merge_project_fields(st: State, inp: Input) -> None:
    """The project's own description (filled or a conflict) and memos (united)."""
    merged, other = st.merged, inp.project
    if not merged.description and other.description:
        merged.description = other.description
    elif merged.description and other.description and merged.description.strip() != other.description.strip():
        st.report.conflict("project", merged.name, "description", merged.description, st.labels[0],
                           other.description, inp.label, "")
    merged.note_refs = list(dict.fromkeys(merged.note_refs + inp.refs(other.note_refs)))
    if merged.creating_user is None and other.creating_user:
        merged.creating_user = inp.ref(other.creating_user)

