"""A hand-checkable project for the analysis tables (tests/test_analysis_*.py).

Source A (case K1, Group g1) and source B (case K2, Group g2); case K3 has no source and no
Group.  Codes P (parent), P/C1 (its child), X, Y.  In A: one selection [0,10) coded at X *and* Y;
[5,15) at P/C1 (overlaps it); [15,20) at X (touches [5,15), does not overlap); [0,10) again at P
(nested codes on the same span); [0,10) at X once more by another coder (the same segment).
In B: [0,5) at X and [3,8) at Y (overlap).  Expected numbers are worked out in
``EXPECTED_PAIRS`` and the tests.
"""
from __future__ import annotations

from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source, User, Variable, VariableValue

TEXT = "abcdefghijklmnopqrstuvwxyz0123456789"


def gid(prefix: str, n: int) -> str:
    """A deterministic GUID."""
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


P, C1, X, Y = (gid("c", k) for k in range(1, 5))
SRC_A, SRC_B = gid("5", 1), gid("5", 2)


def _sel(n: int, start: int, end: int, *codes: str, user: int = 1) -> Selection:
    return Selection(gid("5e", n), kind="text", start=start, end=end,
                     codings=[Coding(gid("c1", n * 10 + k), c, gid("a", user), "2024-01-02T03:04:05Z")
                              for k, c in enumerate(codes)])


def analysis_project() -> Project:
    """Build the project described in the module doc."""
    p = Project(name="Analysis fixture", origin="tests")
    p.users = {gid("a", 1): User(gid("a", 1), "R1"), gid("a", 2): User(gid("a", 2), "R2")}
    p.codes = {P: Code(P, "P"), C1: Code(C1, "C1", parent=P), X: Code(X, "X"), Y: Code(Y, "Y")}
    a = Source(SRC_A, "A", text=TEXT)
    a.selections = [_sel(1, 0, 10, X, Y), _sel(2, 5, 15, C1), _sel(3, 15, 20, X), _sel(4, 0, 10, P),
                    _sel(5, 0, 10, X, user=2)]
    b = Source(SRC_B, "B", text=TEXT)
    b.selections = [_sel(6, 0, 5, X), _sel(7, 3, 8, Y)]
    p.sources = {a.guid: a, b.guid: b}
    grp, size = gid("d", 1), gid("d", 2)
    p.variables = {grp: Variable(grp, "Group", "Text", description="study arm"),
                   size: Variable(size, "Size", "Integer")}
    a.variable_values = [VariableValue(size, "3", "Integer")]
    p.cases = {
        gid("ca", 1): Case(gid("ca", 1), "K1", source_refs=[SRC_A], variable_values=[VariableValue(grp, "g1")]),
        gid("ca", 2): Case(gid("ca", 2), "K2", source_refs=[SRC_B], variable_values=[VariableValue(grp, "g2")]),
        gid("ca", 3): Case(gid("ca", 3), "K3"),
    }
    return p


# (code_a, code_b, count, jaccard, sources, cases), in code-tree order
EXPECTED_PAIRS = [
    ("P", "P/C1", 1, 1.0, 1, 1),        # spans {A0-10, A5-15}, both co-coded
    ("P", "X", 1, 1 / 3, 1, 1),         # union {A0-10, A15-20, B0-5}, co-coded {A0-10}
    ("P", "Y", 1, 0.5, 1, 1),           # union {A0-10, B3-8}
    ("P/C1", "X", 1, 0.5, 1, 1),        # A15-20 only touches A5-15
    ("P/C1", "Y", 1, 2 / 3, 1, 1),
    ("X", "Y", 2, 0.75, 2, 2),          # A0-10 (one selection, two codes) and B0-5 × B3-8
]
EXPECTED_SEGMENTS = {"P": 1, "P/C1": 1, "X": 3, "Y": 2}
