"""Small projects for the agreement tests, built straight as models (no I/O)."""
from __future__ import annotations

from nvivo_bridge.model import Code, Coding, Project, Selection, Source, User


def make_project(texts, codings, codes=("A", "B", "C"), parents=None, coders=("R1", "R2", "R3")):
    """``texts``: source texts; ``codings``: (source index, coder name, code name, start, end)
    tuples (end None: a coding of the whole source).  Code GUIDs are ``c-<name>``."""
    p = Project(name="fixture")
    p.users = {f"u-{c}": User(f"u-{c}", c) for c in coders}
    for name in codes:
        parent = (parents or {}).get(name)
        p.codes[f"c-{name.lower()}"] = Code(f"c-{name.lower()}", name,
                                            parent=f"c-{parent.lower()}" if parent else None)
    for i, text in enumerate(texts):
        p.sources[f"s{i}"] = Source(f"s{i}", f"S{i}", text=text)
    for n, (si, who, code, a, b) in enumerate(codings):
        src = p.sources[f"s{si}"]
        coding = Coding(f"k{n}", f"c-{code.lower()}", creating_user=f"u-{who}")
        if b is None:
            src.codings.append(coding)
        else:
            src.selections.append(Selection(f"sel{n}", start=a, end=b, codings=[coding],
                                            meta={"creatingUser": f"u-{who}"}))
    return p


def reliability_data(project, coders, domain_codes, own_only=True):
    """The unit × coder matrix the ``krippendorff`` package takes (coders × characters): a
    coder's value at a character is the set of domain codes they applied there, numbered; NaN
    where the coder made no coding at all in that source.  Built character by character, the
    slow and obvious way, to check the interval arithmetic."""
    import math
    rows = {c: [] for c in coders}
    values: dict = {frozenset(): 0}
    for src in project.sources.values():
        n = len(src.text or "")
        cover = {c: [set() for _ in range(n)] for c in coders}
        present = {c: False for c in coders}
        for sel in src.selections:
            for k in sel.codings:
                who = project.users[k.creating_user].name
                if who not in coders:
                    continue
                present[who] = True
                if k.code in domain_codes:
                    for x in range(max(0, sel.start), min(n, sel.end)):
                        cover[who][x].add(k.code)
        for k in src.codings:
            who = project.users[k.creating_user].name
            if who in coders:
                present[who] = True
                if k.code in domain_codes:
                    for x in range(n):
                        cover[who][x].add(k.code)
        for c in coders:
            for x in range(n):
                if not present[c]:
                    rows[c].append(math.nan)
                else:
                    key = frozenset(cover[c][x])
                    rows[c].append(values.setdefault(key, len(values)))
    return [rows[c] for c in coders]
