"""Hostile archives: bombs, extreme ratios, many members, unsafe or duplicate names, encryption,
truncation and corruption, two projects in one archive."""
from __future__ import annotations

import json
import zipfile

import pytest

from nvivo_bridge.readers._safe import is_unsafe_name

from ._kit import (S1, TEXT, assert_same_tree, bomb_zip, cli, expect_error, expect_ok, qdpx, qde, run_bounded,
                   simple_doc, snapshot, text_source, write_zip)

SRC = f"sources/{S1}.txt"
DOC = simple_doc().encode()


def test_bomb_as_the_project_member_is_refused_quickly(work):
    src = bomb_zip(work / "bomb.qdpx", [("project.qde", 2047), (SRC, TEXT.encode())])
    before = snapshot(work)
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.rc == 4, run.stderr
    assert "bomb.qdpx" in run.stderr and "project.qde" in run.stderr
    assert run.seconds < 10 and run.rss_mb < 400, run
    assert_same_tree(before, work)


def test_bomb_whose_header_lies_about_its_size(work):
    # The header says 2 KB; the stream inflates to 1 GB.
    src = bomb_zip(work / "liar.qdpx", [("project.qde", 1024), (SRC, TEXT.encode())],
                   declared={"project.qde": 2048})
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.rc == 4 and "liar.qdpx" in run.stderr and "project.qde" in run.stderr, run.stderr
    assert run.seconds < 10 and run.rss_mb < 400, run
    assert not (work / "out.json").exists()


def test_lying_header_within_the_limits_stops_at_the_declared_size(work):
    # Declared 100 MB (under every limit), really 1 GB: reading stops at the declared size.
    src = bomb_zip(work / "liar.qdpx", [("project.qde", DOC), (SRC, 1024)], declared={SRC: 100 << 20})
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.rc == 0, run.stderr
    assert run.seconds < 20 and run.rss_mb < 800, run
    assert "Interview 1" in run.stderr  # the warning names the source whose text was dropped


def test_bomb_as_a_source_text_keeps_the_project_with_a_warning(work):
    src = bomb_zip(work / "bomb.qdpx", [("project.qde", DOC), (SRC, 2047)])
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.rc == 0, run.stderr
    assert run.seconds < 10 and run.rss_mb < 400, run
    assert "limit" in run.stderr and SRC in run.stderr
    dump = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert len(dump["sources"]) == 1 and dump["sources"][0].get("text") is None
    assert sum(len(s["selections"]) for s in dump["sources"]) == 2  # codings kept without the text


def test_extreme_ratio_under_the_size_limit_is_refused(work):
    src = bomb_zip(work / "ratio.qdpx", [("project.qde", DOC), (SRC, 64)])
    result = cli("convert", src, "-o", work / "out.json")
    err = expect_ok(result)
    assert "compression ratio" in err and SRC in err


@pytest.mark.parametrize("how", ["option", "env"])
def test_member_limit_is_configurable(work, how):
    big = ("word " * 400_000).encode()  # 2 MB of real text, ratio far below any bomb
    src = qdpx(work / "p.qdpx", simple_doc(), big)
    assert "larger than the limit" not in expect_ok(cli("convert", src, "-o", work / "a.json"))
    args, env = (["--max-member-mb", "1"], None) if how == "option" else ([], {"NVIVO_BRIDGE_MAX_MEMBER_MB": "1"})
    err = expect_ok(cli("convert", src, "-o", work / "b.json", *args, env=env))
    assert "limit of 1,048,576" in err and SRC in err and "--max-member-mb" in err
    # The project file itself over the limit: unreadable.
    doc = qde(text_source("".join(f"<!-- {i:07d} -->" for i in range(80_000))))
    src2 = qdpx(work / "q.qdpx", doc)
    expect_error(cli("convert", src2, "-o", work / "c.json", *args, env=env), 4, "q.qdpx", "project.qde")


def test_thousands_of_members(work):
    many = [("project.qde", DOC), (SRC, TEXT.encode())] + [(f"sources/junk{i}.bin", b"x") for i in range(20_000)]
    src = bomb_zip(work / "many.qdpx", many)
    run = run_bounded(work, "convert", src, "-o", work / "out.json", timeout=60)
    assert run.rc == 0 and run.seconds < 15, run
    line = expect_error(cli("convert", src, "-o", work / "o2.json", env={"NVIVO_BRIDGE_MAX_MEMBERS": "10000"}),
                        4, "many.qdpx")
    assert "20,002" in line and "10,000" in line


UNSAFE = ["../evil.txt", "/abs/evil.txt", "..\\win\\evil.txt", "C:/drive/evil.txt", "sources/../../up.txt",
          "c:\\windows\\evil.txt"]


@pytest.mark.parametrize("to", ["out.qdpx", "out.json", "out.xlsx", "outcsv"])
def test_unsafe_member_names_are_never_paths(work, to):
    (work / "in").mkdir()
    refs = "".join(
        f'<TextSource guid="5000000{i}-0000-4000-8000-000000000000" name="{name}" '
        f'plainTextPath="internal://{name}"/>' for i, name in enumerate(UNSAFE))
    doc = qde(f"<Sources>{refs}</Sources>")
    src = write_zip(work / "in" / "evil.qdpx", [("project.qde", doc.encode())] + [(n, b"pwned") for n in UNSAFE])
    before = snapshot(work)
    expect_ok(cli("convert", src, "-o", work / to))
    assert_same_tree(before, work, new={to})
    if to.endswith(".qdpx"):
        with zipfile.ZipFile(work / to) as zf:
            assert not [n for n in zf.namelist() if is_unsafe_name(n)], zf.namelist()


def test_duplicate_member_names_are_reported(work):
    src = write_zip(work / "dup.qdpx", [("project.qde", DOC), (SRC, TEXT.encode()), (SRC, b"other text")])
    err = expect_ok(cli("convert", src, "-o", work / "out.json"))
    assert "duplicate" in err.lower() and SRC in err


def test_two_project_members_with_one_name(work):
    src = write_zip(work / "dup.qdpx", [("project.qde", DOC), ("project.qde", DOC)])
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "dup.qdpx", "project.qde")


def test_two_qde_members(work):
    src = write_zip(work / "two.qdpx", [("a.qde", DOC), ("b/B.QDE", DOC)])
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "two.qdpx", "a.qde", "b/B.QDE")


def test_no_qde_member(work):
    src = write_zip(work / "none.qdpx", [(SRC, TEXT.encode())])
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "none.qdpx", ".qde")


def test_encrypted_project_member(work):
    src = bomb_zip(work / "enc.qdpx", [("project.qde", DOC), (SRC, TEXT.encode())], encrypted={"project.qde"})
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "enc.qdpx", "project.qde", "encrypted")


def test_encrypted_source_member_is_a_warning(work):
    src = bomb_zip(work / "enc.qdpx", [("project.qde", DOC), (SRC, TEXT.encode())], encrypted={SRC})
    err = expect_ok(cli("convert", src, "-o", work / "out.json"))
    assert "encrypted" in err and SRC in err


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_archive(work, keep):
    full = qdpx(work / "full.qdpx", simple_doc()).read_bytes()
    src = work / "cut.qdpx"
    src.write_bytes(full[: int(len(full) * keep)])
    before = snapshot(work)
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "cut.qdpx")
    assert_same_tree(before, work)


def test_corrupt_project_member(work):
    src = qdpx(work / "bad.qdpx", simple_doc())
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("project.qde")
    start = info.header_offset + 30 + len(info.filename)
    for k in range(start + 10, start + 40):
        data[k] ^= 0x5A
    src.write_bytes(bytes(data))
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "bad.qdpx", "project.qde")


def test_corrupt_source_member_is_a_warning(work):
    src = qdpx(work / "bad.qdpx", simple_doc(), "A rather long source text. " * 200)
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(SRC)
    start = info.header_offset + 30 + len(info.filename)
    for k in range(start + 5, start + 25):
        data[k] ^= 0xA5
    src.write_bytes(bytes(data))
    err = expect_ok(cli("convert", src, "-o", work / "out.json"))
    assert SRC in err


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"PK\x05\x06" + bytes(18), b"not a zip at all" * 10,
                                     b"\x00" * 1000])
def test_not_an_archive(work, content):
    src = work / "x.qdpx"
    src.write_bytes(content)
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "x.qdpx")


def test_a_folder_named_like_an_archive(work):
    (work / "x.qdpx").mkdir()
    expect_error(cli("convert", work / "x.qdpx", "-o", work / "out.json", "--from", "qdpx"), 4, "x.qdpx")


def test_member_name_that_is_not_utf8(work):
    # zipfile cannot write invalid UTF-8 names; patch the bytes of a valid archive instead.
    src = write_zip(work / "names.qdpx", [("project.qde", DOC), ("sources/zz.txt", b"x")])
    data = bytearray(src.read_bytes())
    for k in range(len(data) - 1):
        if data[k:k + 2] == b"zz":
            data[k:k + 2] = b"\xff\xfe"
    src.write_bytes(bytes(data))
    with zipfile.ZipFile(src) as zf:
        flagged = any(i.flag_bits & 0x800 for i in zf.infolist())
    result = cli("convert", src, "-o", work / "out.json")
    if flagged:
        expect_error(result, 4, "names.qdpx")
    else:
        expect_ok(result)


def test_archive_inside_archive_is_not_unpacked(work):
    inner = write_zip(work / "inner.zip", [("project.qde", DOC)]).read_bytes()
    src = write_zip(work / "nest.qdpx", [("nested.zip", inner)])
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "nest.qdpx")


@pytest.mark.parametrize("mb", [2047, 64])
def test_bomb_as_a_media_file_is_not_copied(work, mb):
    pic = "sources/picture.png"
    doc = qde(f'<Sources><PictureSource guid="{S1}" name="Photo" path="internal://picture.png"/></Sources>')
    src = bomb_zip(work / "media.qdpx", [("project.qde", doc.encode()), (pic, mb)])
    run = run_bounded(work, "convert", src, "-o", work / "out.qdpx", timeout=60)
    assert run.rc == 0, run.stderr
    assert run.seconds < 10 and run.rss_mb < 400, run
    assert pic in run.stderr and "not copied" in run.stderr
    with zipfile.ZipFile(work / "out.qdpx") as zf:
        assert sum(i.file_size for i in zf.infolist()) < 1 << 20


def test_damaged_media_member_is_not_copied(work):
    pic = "sources/picture.png"
    doc = qde(f'<Sources><PictureSource guid="{S1}" name="Photo" path="internal://picture.png"/></Sources>')
    src = write_zip(work / "media.qdpx", [("project.qde", doc.encode()), (pic, b"\x89PNG" + bytes(range(256)) * 50)])
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        off = zf.getinfo(pic).header_offset
    data[off:off + 4] = b"XXXX"  # the local header of the member
    src.write_bytes(bytes(data))
    err = expect_ok(cli("convert", src, "-o", work / "out.qdpx"))
    assert "not copied" in err and pic in err


@pytest.mark.parametrize("command", ["info", "validate"])
def test_inspecting_commands_on_hostile_archives(work, command):
    bomb = bomb_zip(work / "bomb.qdpx", [("project.qde", 2047)])
    cut = work / "cut.qdpx"
    cut.write_bytes(qdpx(work / "full.qdpx", simple_doc()).read_bytes()[:300])
    for src in (bomb, cut):
        expect_error(cli(command, src), 4, src.name)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "inf"])
def test_bad_limit_variable_is_a_usage_error(work, value):
    src = qdpx(work / "p.qdpx", simple_doc())
    expect_error(cli("convert", src, "-o", work / "o.json", env={"NVIVO_BRIDGE_MAX_RATIO": value}), 2,
                 "NVIVO_BRIDGE_MAX_RATIO")
    assert not (work / "o.json").exists()


def test_member_with_an_empty_name(work):
    # Found by atheris: ZipInfo.is_dir() raised IndexError on it.
    src = bomb_zip(work / "empty-name.qdpx", [("project.qde", DOC), ("", b"x"), (SRC, TEXT.encode())])
    expect_ok(cli("convert", src, "-o", work / "out.json"))


def test_local_header_name_not_utf8(work):
    # Found by atheris: zipfile decodes the local header's name before comparing it.
    src = bomb_zip(work / "local.qdpx", [("project.qde", DOC), (SRC, TEXT.encode())])
    data = bytearray(src.read_bytes())
    data[30] = 0x9D  # first byte of the first local header's name
    src.write_bytes(bytes(data))
    expect_error(cli("convert", src, "-o", work / "out.json"), 4, "local.qdpx", "project.qde")
