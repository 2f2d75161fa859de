"""Krippendorff's alpha from interval coincidences equals the ``krippendorff`` package on the
same unit × coder matrix, built character by character (random projects, hypothesis)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvivo_bridge
from tests.agreement_helpers import make_project, reliability_data

krippendorff = pytest.importorskip("krippendorff")

CODES = ("A", "B", "C")


@st.composite
def projects(draw):
    n_coders = draw(st.integers(2, 3))
    coders = ("R1", "R2", "R3")[:n_coders]
    texts = draw(st.lists(st.text(alphabet="ab \U0001F600\r\n", min_size=0, max_size=25), min_size=1, max_size=3))
    codings = []
    for si, text in enumerate(texts):
        n = len(text)
        if n == 0:
            continue
        for _ in range(draw(st.integers(0, 6))):
            a = draw(st.integers(0, n - 1))
            b = draw(st.integers(a + 1, n))
            whole = draw(st.integers(0, 15)) == 0
            codings.append((si, draw(st.sampled_from(coders)), draw(st.sampled_from(CODES)), a, None if whole else b))
    # Every coder codes at least once, so the comparison is not refused.
    first = next((i for i, t in enumerate(texts) if t), None)
    if first is None:
        texts[0] = "ab"
        first = 0
    for c in coders:
        codings.append((first, c, draw(st.sampled_from(CODES)), 0, 1))
    return make_project(texts, codings, codes=CODES, coders=coders), list(coders)


def _expected(project, coders, domain):
    data = np.asarray(reliability_data(project, coders, domain), dtype=float)
    values = data[~np.isnan(data)]
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if len(np.unique(data[:, pairable][~np.isnan(data[:, pairable])])) < 2:
        return math.nan  # the package refuses a single value; alpha is undefined there
    del values
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


def _close(got, want):
    if math.isnan(want):
        return math.isnan(got)
    return abs(got - want) <= 1e-9


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_alpha_equals_krippendorff_package(case):
    project, coders = case
    res = nvivo_bridge.agreement(project)
    summary = res.frames["Summary"]
    first_pair = summary[(summary["coder_a"] == coders[0]) & (summary["coder_b"] == coders[1])]
    for row in first_pair.itertuples(index=False):
        if row.scope == "code":
            domain = {project.code_by_path(row.code_path).guid}
        else:  # the project row: every code is a value (no code has children here)
            domain = set(project.codes)
        assert _close(row.alpha, _expected(project, coders, domain)), (row.scope, row.code_path)


def test_alpha_domain_with_children_equals_package():
    # Top-level P with children A and B: the domain's values are the sets of {P, A, B} applied.
    texts = ["abcdefghij", "klmnopqrst"]
    codings = [(0, "R1", "A", 0, 5), (0, "R2", "A", 0, 4), (0, "R2", "B", 3, 8), (0, "R1", "P", 6, 10),
               (1, "R1", "B", 0, 10), (1, "R2", "B", 2, 10), (1, "R2", "C", 0, 3)]
    p = make_project(texts, codings, codes=("P", "A", "B", "C"), parents={"A": "P", "B": "P"},
                     coders=("R1", "R2"))
    s = nvivo_bridge.agreement(p).frames["Summary"]
    dom = s[(s["scope"] == "domain") & (s["code_path"] == "P")]
    want = _expected(p, ["R1", "R2"], {"c-p", "c-a", "c-b"})
    assert len(dom) == 1 and abs(dom["alpha"].iloc[0] - want) <= 1e-9


def test_alpha_three_coders_missing_values():
    # R3 never codes S1: missing there, not "coded nothing".
    texts = ["abcdefghij", "klmnopqrst"]
    codings = [(0, "R1", "A", 0, 5), (0, "R2", "A", 1, 5), (0, "R3", "A", 0, 6),
               (1, "R1", "A", 2, 9), (1, "R2", "A", 2, 7)]
    p = make_project(texts, codings, codes=("A",), coders=("R1", "R2", "R3"))
    s = nvivo_bridge.agreement(p).frames["Summary"]
    got = s[(s["scope"] == "code")]["alpha"].iloc[0]
    data = reliability_data(p, ["R1", "R2", "R3"], {"c-a"})
    assert math.isnan(data[2][10])
    assert abs(got - krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")) <= 1e-9


def test_alpha_in_source_batches_is_the_same(monkeypatch):
    from nvivo_bridge.agreement import alpha as alpha_mod

    texts = ["abcdefghij", "klmnopqrst", "uvwxyz"]
    codings = [(0, "R1", "A", 0, 5), (0, "R2", "A", 1, 5), (0, "R2", "B", 3, 9), (1, "R1", "B", 2, 9),
               (1, "R2", "B", 2, 7), (2, "R1", "A", 0, 6), (2, "R2", "C", 0, 2)]
    p = make_project(texts, codings, coders=("R1", "R2"))
    whole = nvivo_bridge.agreement(p).frames["Summary"]["alpha"]
    monkeypatch.setattr(alpha_mod, "_BATCH", 1)
    batched = nvivo_bridge.agreement(p).frames["Summary"]["alpha"]
    assert np.allclose(whole.to_numpy(dtype=float), batched.to_numpy(dtype=float), atol=1e-12, equal_nan=True)
    want = _expected(p, ["R1", "R2"], set(p.codes))
    assert abs(batched.iloc[-1] - want) <= 1e-9


def _coverage(project, coder, code, src):
    """The set of characters ``coder`` coded at ``code`` in ``src`` (the obvious, slow way)."""
    n = len(src.text or "")
    out = set()
    for k in src.codings:
        if k.code == code and project.users[k.creating_user].name == coder:
            out |= set(range(n))
    for sel in src.selections:
        for k in sel.codings:
            if k.code == code and project.users[k.creating_user].name == coder:
                out |= set(range(max(0, sel.start), min(n, sel.end)))
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_code_x_source_equals_character_by_character_counts(case):
    from fractions import Fraction

    project, coders = case
    cs = nvivo_bridge.agreement(project).frames["Code x Source"]
    by_name = {s.name: s for s in project.sources.values()}
    for row in cs.itertuples(index=False):
        src, code = by_name[row.source], project.code_by_path(row.code_path).guid
        a = _coverage(project, row.coder_a, code, src)
        b = _coverage(project, row.coder_b, code, src)
        tu = len(src.text)
        both, neither = len(a & b), tu - len(a | b)
        assert (row.units, row.a_and_b, row.a_not_b, row.b_not_a, row.neither) == (
            tu, both, len(a - b), len(b - a), neither)
        ef = Fraction(len(a) * len(b) + (tu - len(a)) * (tu - len(b)), tu)
        k = Fraction(1) if tu == ef else (both + neither - ef) / (tu - ef)
        assert abs(row.kappa - float(k)) <= 1e-12
    # Sources without text have no rows (nothing to count) and every other pairs with every code.
    with_text = [s for s in project.sources.values() if s.text]
    assert len(cs) == len(with_text) * cs["code_path"].nunique() * len(coders) * (len(coders) - 1) // 2


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(), st.lists(st.sets(st.sampled_from(CODES)), min_size=1, max_size=3))
def test_by_group_equals_the_weighted_code_x_source_rows(case, group_codes):
    """by_group never builds Code x Source; its weighted kappa and agreement are still those of
    ``weighted`` over the group's rows of the full frame (regression: cipp at 200,000 codings
    spent 200 MB on that frame)."""
    from nvivo_bridge.agreement.kappa import weighted

    project, coders = case
    groups = {f"g{i}": [f"c-{c.lower()}" for c in sorted(codes)] for i, codes in enumerate(group_codes)}
    got = nvivo_bridge.agreement.by_group(project, groups)
    cs = nvivo_bridge.agreement(project).frames["Code x Source"]
    pairs = [(a, b) for i, a in enumerate(coders) for b in coders[i + 1:]]
    assert len(got) == len(groups) * len(pairs)
    for row in got.itertuples(index=False):
        a, b = row.coders.split(" × ")
        part = cs[cs["code_guid"].isin(groups[row.group]) & (cs["coder_a"] == a) & (cs["coder_b"] == b)]
        if not len(part):
            assert math.isnan(row.kappa_weighted) and math.isnan(row.agreement_pct_weighted)
            continue
        want = weighted(part, ["g"], g=row.group).iloc[0]
        assert row.kappa_weighted == pytest.approx(want["kappa_weighted"], abs=1e-12)
        assert row.agreement_pct_weighted == pytest.approx(want["agreement_pct_weighted"], abs=1e-10)
