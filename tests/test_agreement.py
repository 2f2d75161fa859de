"""NVivo's coding comparison, segment agreement and disagreements on hand-computed fixtures."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

import nvivo_bridge
from nvivo_bridge.errors import UsageError
from nvivo_bridge.model import Code, Coding, Project, Selection, Source, User
from tests.agreement_helpers import make_project

CS_COLUMNS = ["code_path", "source", "coder_a", "coder_b", "units", "a_and_b", "a_not_b", "b_not_a", "neither",
              "agreement_pct", "kappa"]


def _row(res, code, source="S0"):
    cs = res.frames["Code x Source"]
    got = cs[(cs["code_path"] == code) & (cs["source"] == source)]
    assert len(got) == 1
    return got.iloc[0]


def _counts(row):
    return (row["units"], row["a_and_b"], row["a_not_b"], row["b_not_a"], row["neither"])


def test_code_x_source_columns_are_the_contract():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 2, 6), (0, "R2", "A", 2, 6)], coders=("R1", "R2"))
    assert list(nvivo_bridge.agreement(p).frames["Code x Source"].columns[:11]) == CS_COLUMNS


def test_full_agreement_is_kappa_one():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 2, 6), (0, "R2", "A", 2, 6)], coders=("R1", "R2"))
    row = _row(nvivo_bridge.agreement(p), "A")
    assert _counts(row) == (10, 4, 0, 0, 6)
    assert row["agreement_pct"] == 100.0 and row["kappa"] == 1.0


def test_nothing_coded_at_a_code_in_a_source_is_a_row_with_kappa_one():
    p = make_project(["abcdefghij", "klmno"], [(0, "R1", "A", 0, 3), (0, "R2", "A", 0, 3)], coders=("R1", "R2"))
    row = _row(nvivo_bridge.agreement(p), "A", "S1")
    assert _counts(row) == (5, 0, 0, 0, 5)
    assert row["agreement_pct"] == 100.0 and row["kappa"] == 1.0


def test_one_coder_only_at_a_code():
    # TA = 6, EF1 = 0, EF2 = 6·10/10 = 6: K = (6 − 6) / (10 − 6) = 0; agreement 60 %.
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "B", 5, 7)], coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p)
    row = _row(res, "A")
    assert _counts(row) == (10, 0, 4, 0, 6)
    assert row["agreement_pct"] == 60.0 and row["kappa"] == 0.0


def test_partial_agreement_exact_nvivo_kappa():
    # A = 6, B = 4, both 4, neither 4: TA = 8, EF1 = 2.4, EF2 = 2.4, K = 3.2 / 5.2 = 8/13.
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 6), (0, "R2", "A", 2, 6)], coders=("R1", "R2"))
    row = _row(nvivo_bridge.agreement(p), "A")
    assert _counts(row) == (10, 4, 2, 0, 4)
    assert row["agreement_pct"] == 80.0
    assert row["kappa"] == pytest.approx(float(Fraction(8, 13)), abs=1e-15)
    assert row["disagreement_pct"] == 20.0


def test_overlapping_selections_of_one_coder_count_once():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R1", "A", 2, 6), (0, "R2", "A", 0, 6)],
                     coders=("R1", "R2"))
    row = _row(nvivo_bridge.agreement(p), "A")
    assert _counts(row) == (10, 6, 0, 0, 4) and row["kappa"] == 1.0


def test_emoji_counts_one_code_point():
    # "ab😀cd": 5 code points (NVivo counts 6 UTF-16 units).  A = 3, B = 1, both 1:
    # K = (TA·TU − S) / (TU² − S) = (15 − 11) / (25 − 11) = 2/7.
    p = make_project(["ab\U0001F600cd"], [(0, "R1", "A", 1, 4), (0, "R2", "A", 2, 3)], coders=("R1", "R2"))
    row = _row(nvivo_bridge.agreement(p), "A")
    assert _counts(row) == (5, 1, 2, 0, 2)
    assert row["kappa"] == pytest.approx(2 / 7, abs=1e-15)


def test_crlf_counts_two_characters():
    # "ab\r\ncd" = 6: A = 4 ("ab\r\n"), B = 2: K = (24 − 16) / (36 − 16) = 0.4.
    p = make_project(["ab\r\ncd"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 2)], coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p)
    row = _row(res, "A")
    assert _counts(row) == (6, 2, 2, 0, 2) and row["kappa"] == pytest.approx(0.4, abs=1e-15)
    dis = res.frames["Disagreements"]
    assert dis[["start", "end", "text", "coded_by", "not_coded_by"]].values.tolist() == [[2, 4, "\r\n", "R1", "R2"]]


def test_whole_source_coding_covers_the_text():
    p = make_project(["abcdefghij"], [(0, "R1", "A", None, None), (0, "R2", "A", 0, 10)], coders=("R1", "R2"))
    assert _counts(_row(nvivo_bridge.agreement(p), "A")) == (10, 10, 0, 0, 0)


def test_weighted_by_source_size():
    # S0 (10 units) K = 8/13, S1 (5 units) full agreement K = 1: weighted (10·8/13 + 5·1) / 15.
    p = make_project(["abcdefghij", "klmno"], [(0, "R1", "A", 0, 6), (0, "R2", "A", 2, 6),
                                               (1, "R1", "A", 0, 5), (1, "R2", "A", 0, 5)], coders=("R1", "R2"))
    s = nvivo_bridge.agreement(p).frames["Summary"]
    row = s[(s["scope"] == "code") & (s["code_path"] == "A")].iloc[0]
    assert row["kappa_weighted"] == pytest.approx((10 * 8 / 13 + 5) / 15, abs=1e-12)
    assert row["agreement_pct_weighted"] == pytest.approx((10 * 80 + 5 * 100) / 15, abs=1e-12)
    assert row["sources"] == 2 and row["sources_coded"] == 2


def test_segment_agreement_hand_checked():
    # R1 A: [0,10) and [20,30); R2 A: [0,9) and [22,30).  At 90 %: R1's first is 90 % covered
    # (agrees), its second 80 % (does not); both of R2's lie inside R1's (agree).  3 agreeing,
    # 1 A only: 75 %; two codes compared (B too): κ = (0.75 − 1/2) / (1 − 1/2) = 0.5.
    text = "x" * 40
    cod = [(0, "R1", "A", 0, 10), (0, "R1", "A", 20, 30), (0, "R2", "A", 0, 9), (0, "R2", "A", 22, 30),
           (0, "R1", "B", 35, 38), (0, "R2", "B", 35, 38)]
    p = make_project([text], cod, coders=("R1", "R2"))
    seg = nvivo_bridge.agreement(p).frames["Segments"].set_index("code_path")
    a = seg.loc["A"]
    assert (a["segments_a"], a["segments_b"], a["agreeing"], a["a_only"], a["b_only"]) == (2, 2, 3, 1, 0)
    assert a["agreement_pct"] == 75.0 and a["kappa_bp"] == pytest.approx(0.5)
    assert seg.loc["(all codes)", "agreeing"] == 5
    seg80 = nvivo_bridge.agreement(p, overlap=80).frames["Segments"].set_index("code_path")
    assert seg80.loc["A", "agreeing"] == 4 and seg80.loc["A", "a_only"] == 0


def test_aggregate_counts_descendants_at_the_parent():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "P", 0, 4)], codes=("P", "A"),
                     parents={"A": "P"}, coders=("R1", "R2"))
    plain = _row(nvivo_bridge.agreement(p), "P")
    assert _counts(plain) == (10, 0, 0, 4, 6)
    agg = _row(nvivo_bridge.agreement(p, aggregate=True), "P")
    assert _counts(agg) == (10, 4, 0, 0, 6) and agg["kappa"] == 1.0


def test_codes_option_limits_rows_and_unknown_path_is_usage_error():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "B", 0, 4)], coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p, codes=["A"])
    assert set(res.frames["Code x Source"]["code_path"]) == {"A"}
    with pytest.raises(UsageError, match="no code 'Z'"):
        nvivo_bridge.agreement(p, codes=["Z"])


def test_three_coders_every_pair_gets_rows():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 5), (0, "R3", "A", 1, 4)])
    cs = nvivo_bridge.agreement(p).frames["Code x Source"]
    assert sorted(zip(cs["coder_a"], cs["coder_b"])) == [("R1", "R2"), ("R1", "R3"), ("R2", "R3")]
    two = nvivo_bridge.agreement(p, coders=["R1", "R3"]).frames["Code x Source"]
    assert list(zip(two["coder_a"], two["coder_b"])) == [("R1", "R3")]


@pytest.mark.parametrize("codings, coders, message", [
    ([(0, "R1", "A", 0, 4)], None, r"only one coder \(R1\)"),
    ([], None, "no codings"),
    ([(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 4)], ["R1", "Rx"], "no coder named 'Rx'.*coders with codings: R1, R2"),
])
def test_bad_input_names_the_coders(codings, coders, message):
    p = make_project(["abcdefghij"], codings, coders=("R1", "R2"))
    with pytest.raises(UsageError, match=message) as err:
        nvivo_bridge.agreement(p, coders=coders)
    assert err.value.exit_code == 2


def test_source_without_text_is_named_in_warnings():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 4)], coders=("R1", "R2"))
    p.sources["s9"] = Source("s9", "Lost", text=None)
    p.sources["s9"].selections.append(Selection("x9", start=0, end=3, codings=[Coding("k9", "c-a", "u-R1")]))
    res = nvivo_bridge.agreement(p)
    warn = res.frames["Warnings"]
    assert any(c == "agreement-not-counted" and "Lost" in m for c, m in zip(warn["code"], warn["message"]))
    assert "Lost" not in set(res.frames["Code x Source"]["source"])


def test_picture_regions_count_area():
    # Regions (0,0)-(4,5) and (2,0)-(6,5): 20 px each, 10 shared; the picture's size is unknown,
    # so its units are the extent of the coded regions, 6 × 5 = 30 (and a warning says so).
    p = Project(name="pic")
    p.users = {"u1": User("u1", "R1"), "u2": User("u2", "R2")}
    p.codes["c-a"] = Code("c-a", "A")
    src = Source("p1", "Photo", kind="picture")
    for n, (who, rect) in enumerate((("u1", (0, 0, 4, 5)), ("u2", (2, 0, 6, 5)))):
        src.selections.append(Selection(f"r{n}", kind="picture", first_x=rect[0], first_y=rect[1],
                                        second_x=rect[2], second_y=rect[3], codings=[Coding(f"k{n}", "c-a", who)]))
    p.sources["p1"] = src
    res = nvivo_bridge.agreement(p)
    row = _row(res, "A", "Photo")
    assert _counts(row) == (30, 10, 10, 10, 0) and row["unit"] == "pixels"
    assert "agreement-area-estimated" in set(res.frames["Warnings"]["code"])


def test_media_counts_milliseconds():
    p = Project(name="av")
    p.users = {"u1": User("u1", "R1"), "u2": User("u2", "R2")}
    p.codes["c-a"] = Code("c-a", "A")
    src = Source("a1", "Talk", kind="audio")
    src.selections = [Selection("m1", kind="audio", start=0, end=1000, codings=[Coding("k1", "c-a", "u1")]),
                      Selection("m2", kind="audio", start=500, end=1500, codings=[Coding("k2", "c-a", "u2")])]
    p.sources["a1"] = src
    res = nvivo_bridge.agreement(p)
    row = _row(res, "A", "Talk")
    assert _counts(row) == (1500, 500, 500, 500, 0) and row["unit"] == "ms"
    assert res.frames["Disagreements"]["text"].tolist() == ["00:00:00.000-00:00:00.500", "00:00:01.000-00:00:01.500"]


def test_module_stays_callable_after_importing_submodules():
    import nvivo_bridge.agreement.kappa  # noqa: F401
    import nvivo_bridge.agreement.segments as segs
    from nvivo_bridge.agreement import by_group, write_workbook  # noqa: F401

    assert segs.SEGMENT_COLUMNS[0] == "code_path"
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 4)], coders=("R1", "R2"))
    assert callable(nvivo_bridge.agreement)
    assert set(nvivo_bridge.agreement(p).frames) == {"Summary", "Code x Source", "Segments", "Disagreements",
                                                     "Coders", "Warnings"}


def test_summary_alpha_is_nan_only_without_variation():
    p = make_project(["abcdefghij"], [(0, "R1", "A", 0, 4), (0, "R2", "A", 0, 4)], coders=("R1", "R2"))
    s = nvivo_bridge.agreement(p).frames["Summary"]
    assert s.loc[s["scope"] == "code", "alpha"].iloc[0] == 1.0
    assert not math.isnan(s.loc[s["scope"] == "project", "alpha"].iloc[0])


def test_a_union_never_crosses_into_the_next_source():
    # Regression: R1 codes all of S0 ("b") and all of S1 ("\r"); on the global axis the two
    # selections touch, and joining them counted S1's character in S0 (and alpha became NaN).
    p = make_project(["b", "\r"], [(0, "R1", "A", 0, 1), (1, "R1", "A", 0, None), (0, "R2", "B", 0, 1)],
                     coders=("R1", "R2"))
    res = nvivo_bridge.agreement(p)
    assert _counts(_row(res, "A", "S0")) == (1, 0, 1, 0, 0)
    assert _counts(_row(res, "A", "S1")) == (1, 0, 1, 0, 0)
    s = res.frames["Summary"]
    assert s.loc[(s["scope"] == "code") & (s["code_path"] == "A"), "alpha"].iloc[0] == 0.0
    dis = res.frames["Disagreements"]
    assert dis[dis["code_path"] == "A"][["source", "start", "end"]].values.tolist() == [["S0", 0, 1], ["S1", 0, 1]]


def test_picture_size_is_read_from_the_picture():
    import io

    from PIL import Image

    from nvivo_bridge.model import Blob

    buf = io.BytesIO()
    Image.new("RGB", (10, 8)).save(buf, format="PNG")
    p = Project(name="pic")
    p.users = {"u1": User("u1", "R1"), "u2": User("u2", "R2")}
    p.codes["c-a"] = Code("c-a", "A")
    src = Source("p1", "Photo", kind="picture", file=Blob("p1.png", data=buf.getvalue()))
    src.selections = [Selection("r1", kind="picture", first_x=0, first_y=0, second_x=5, second_y=4,
                                codings=[Coding("k1", "c-a", "u1")]),
                      Selection("r2", kind="picture", first_x=5, first_y=4, second_x=0, second_y=0,  # corners swapped
                                codings=[Coding("k2", "c-a", "u2")])]
    p.sources["p1"] = src
    res = nvivo_bridge.agreement(p)
    row = _row(res, "A", "Photo")
    assert _counts(row) == (80, 20, 0, 0, 60) and row["kappa"] == 1.0
    assert "agreement-area-estimated" not in set(res.frames["Warnings"]["code"])


def test_pdf_text_and_regions_are_separate_rows():
    p = Project(name="pdf")
    p.users = {"u1": User("u1", "R1"), "u2": User("u2", "R2")}
    p.codes["c-a"] = Code("c-a", "A")
    src = Source("d1", "Report", kind="pdf", text="abcdefghij")
    src.selections = [
        Selection("t1", kind="text", start=0, end=5, codings=[Coding("k1", "c-a", "u1")]),
        Selection("t2", kind="text", start=0, end=5, codings=[Coding("k2", "c-a", "u2")]),
        Selection("g1", kind="pdf", page=2, first_x=0, first_y=0, second_x=10, second_y=10,
                  codings=[Coding("k3", "c-a", "u1")]),
        Selection("g2", kind="pdf", page=2, first_x=0, first_y=0, second_x=10, second_y=5,
                  codings=[Coding("k4", "c-a", "u2")])]
    p.sources["d1"] = src
    res = nvivo_bridge.agreement(p)
    assert _counts(_row(res, "A", "Report")) == (10, 5, 0, 0, 5)
    region = _row(res, "A", "Report (page 2)")
    assert _counts(region) == (100, 50, 50, 0, 0) and region["unit"] == "points"
