"""NVivo's own exports, broken: truncated files, wrong or mixed encodings, headers without
references, references without headers, absurd numbers, damaged Word/Excel containers."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from ._kit import bomb_zip, cli, expect_error, expect_ok, run_bounded, snapshot, assert_same_tree, write_zip

DATA = Path(__file__).resolve().parents[1] / "data" / "nvivo"
NODE = ("<Files\\\\Interviews\\\\Interview 1> - § 2 references coded  [5,43% Coverage]\n\n"
        "Reference 1 - 1,23% Coverage\n\nWe never had a youth centre.\n\n"
        "Reference 2 - 4,20% Coverage\n\nStaff were hired late.\n\n"
        "<Files\\\\Interviews\\\\Interview 2> - § 1 reference coded  [0,80% Coverage]\n\n"
        "Reference 1 - 0,80% Coverage\n\nThe workshops started late.\n")


def _read(work, name: str, data: bytes, out: str = "out.json"):
    (work / name).write_bytes(data)
    return cli("convert", work / name, "-o", work / out)


def _dump(work, out="out.json"):
    return json.loads((work / out).read_text(encoding="utf-8"))


def test_valid_node_export_reads(work):
    expect_ok(_read(work, "Needs.txt", b"\xff\xfe" + NODE.encode("utf-16-le")))
    assert sum(len(s.get("selections", [])) for s in _dump(work)["sources"]) == 3


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.5, 0.77, 0.95])
def test_truncated_node_export(work, keep):
    data = b"\xff\xfe" + NODE.encode("utf-16-le")
    cut = data[: int(len(data) * keep)]
    result = _read(work, "Needs.txt", cut)
    if result.exit_code == 0:
        err = expect_ok(result)
        dump = _dump(work)
        n = sum(len(s.get("selections", [])) for s in dump.get("sources", []))
        assert n <= 3 and ("declares" in err or "truncated" in err or "no references" in err
                          or "header but no" in err or "replaced" in err), err
    else:
        expect_error(result, 4, "Needs.txt")


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b""), ("utf-16-be", b""), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""), ("cp1252", b"")])
def test_node_export_encodings(work, encoding, bom):
    text = NODE.replace("We never", "Wé nevér")
    if encoding == "cp1252":
        text = text.replace("§", "§")  # representable
    expect_ok(_read(work, "Needs.txt", bom + text.encode(encoding)))
    dump = _dump(work)
    texts = [s["text"] for src in dump["sources"] for s in src.get("selections", []) if s.get("text")]
    assert any("Wé nevér" in t for t in texts), texts


def test_mixed_and_invalid_encoding(work):
    data = b"\xff\xfe" + NODE.encode("utf-16-le") + b"\x00"  # odd length: a half character
    err = expect_ok(_read(work, "odd.txt", data))
    assert "odd.txt" in err
    data = NODE.encode("utf-8").replace(b"never", b"n\xe9ver\xff\xfe")
    expect_ok(_read(work, "mixed.txt", data, "o2.json"))


def test_headers_without_references(work):
    text = "".join(f"<Files\\\\Interview {i}> - § 3 references coded  [5% Coverage]\n\n" for i in range(5))
    err = expect_ok(_read(work, "Empty.txt", text.encode("utf-8")))
    assert "no references" in err and "Empty.txt" in err


def test_references_without_headers(work):
    text = "Reference 1 - 1,23% Coverage\n\nOrphan text.\n\nReference 2 - 2% Coverage\n\nMore.\n"
    err = expect_ok(_read(work, "Orphans.txt", text.encode("utf-8")))
    assert "Orphans.txt line 1" in err
    assert sum(len(s.get("selections", [])) for s in _dump(work)["sources"]) == 2


def test_absurd_numbers(work):
    huge = "9" * 5000
    text = (f"<Files\\\\A> - § {huge} references coded  [{huge}% Coverage]\n\n"
            f"References 1-{huge} - {huge}% Coverage\n\nText.\n\n"
            f"Reference {huge} - 1% Coverage\n\nMedia : {huge}:00 - {huge}:00\n\nPage {huge} : (1,2) - ({huge},4)\n")
    run_in = work / "Huge.txt"
    run_in.write_text(text, encoding="utf-8")
    run = run_bounded(work, "convert", run_in, "-o", work / "out.json", timeout=60)
    assert run.rc in (0, 4) and run.seconds < 10, run


def test_huge_reference_range(work):
    text = ("<Files\\\\A> - § 2 references coded  [5% Coverage]\n\n"
            "References 1-999999999 - 5% Coverage\n\nText.\n")
    (work / "Range.txt").write_text(text, encoding="utf-8")
    run = run_bounded(work, "convert", work / "Range.txt", "-o", work / "out.json", timeout=60)
    assert run.rc == 0 and run.seconds < 10 and run.rss_mb < 400, run
    assert "Range.txt line 3" in run.stderr and "implausible" in run.stderr


def test_not_an_export(work):
    expect_error(_read(work, "random.txt", b"just some notes\nnothing else\n"), 4, "random.txt")
    expect_error(_read(work, "empty.txt", b""), 4, "empty.txt")
    expect_error(_read(work, "bin.txt", bytes(range(256)) * 20), 4, "bin.txt")


def test_folder_of_broken_exports(work):
    folder = work / "exports"
    folder.mkdir()
    (folder / "Needs.txt").write_bytes(b"\xff\xfe" + NODE.encode("utf-16-le"))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04garbage" * 10)
    (folder / "notes.txt").write_text("nothing NVivo about this")
    before = snapshot(work)
    err = expect_ok(cli("convert", folder, "-o", work / "out.json"))
    assert "broken.docx" in err and "broken.xlsx" in err
    assert_same_tree(before, work, new={"out.json"})


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_truncated_office_files(work, suffix):
    if suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.Workbook()
        wb.active.append(["Person", "Role"])
        wb.active.append(["Interview 1", "Teacher"])
        buf = io.BytesIO()
        wb.save(buf)
    else:
        import docx
        d = docx.Document()
        for line in NODE.splitlines():
            d.add_paragraph(line)
        buf = io.BytesIO()
        d.save(buf)
    data = buf.getvalue()
    for keep in (0.1, 0.5, 0.9, 0.99):
        result = _read(work, f"cut{suffix}", data[: int(len(data) * keep)])
        expect_error(result, 4, f"cut{suffix}")


@pytest.mark.parametrize("suffix,member", [(".xlsx", "xl/worksheets/sheet1.xml"), (".docx", "word/document.xml")])
def test_office_bombs(work, suffix, member):
    honest = bomb_zip(work / f"bomb{suffix}", [("[Content_Types].xml", b"<x/>"), (member, 2047)])
    run = run_bounded(work, "convert", honest, "-o", work / "out.json", timeout=60)
    assert run.rc == 4 and f"bomb{suffix}" in run.stderr, run.stderr
    assert run.seconds < 10 and run.rss_mb < 500, run
    liar = bomb_zip(work / f"liar{suffix}", [("[Content_Types].xml", b"<x/>"), (member, 1024)],
                    declared={member: 5000})
    run = run_bounded(work, "convert", liar, "-o", work / "out.json", timeout=60)
    assert run.rc == 4 and f"liar{suffix}" in run.stderr, run.stderr
    assert run.seconds < 10 and run.rss_mb < 500, run


def test_xlsx_with_garbage_sheet_xml(work):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["Person", "Role"])
    wb.active.append(["Interview 1", "Teacher"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    bad = [(n, b"<worksheet><sheetData><row><c r='A1' t='s'><v>999</v></c></row>" if n.endswith("sheet1.xml") else d)
           for n, d in members]
    write_zip(work / "garbage.xlsx", bad)
    result = cli("convert", work / "garbage.xlsx", "-o", work / "out.json")
    expect_error(result, 4, "garbage.xlsx")


def test_docx_with_garbage_document_xml(work):
    import docx
    d = docx.Document()
    d.add_paragraph("x")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(buf) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    bad = [(n, b"<w:document" if n == "word/document.xml" else dd) for n, dd in members]
    write_zip(work / "garbage.docx", bad)
    expect_error(cli("convert", work / "garbage.docx", "-o", work / "out.json"), 4, "garbage.docx")


def test_html_export_hostile(work):
    html = ("<!DOCTYPE html [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><html><body>"
            + "<div>" * 5000 + NODE.replace("\n", "<br>") + "&xxe;" + "</div>" * 5000 + "</body></html>")
    run_in = work / "Needs.html"
    run_in.write_text(html, encoding="utf-8")
    run = run_bounded(work, "convert", run_in, "-o", work / "out.json", timeout=60)
    assert run.rc in (0, 4) and run.seconds < 15, run
    if run.rc == 0:
        assert "root:" not in (work / "out.json").read_text(encoding="utf-8")


def test_classification_sheet_broken(work):
    text = "Person\tRole\tSite\nInterview 1\tTeacher\nInterview 2\tStudent\tNorth\tExtra\tMore\n\t\t\n"
    result = _read(work, "Person.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    if result.exit_code:
        expect_error(result, 4, "Person.txt")
    else:
        expect_ok(result)


def test_real_samples_survive_truncation(work):
    for src in sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix in (".txt", ".csv")):
        data = src.read_bytes()
        for keep in (0.33, 0.66):
            name = f"cut-{src.stem}{src.suffix}"
            result = _read(work, name, data[: int(len(data) * keep)], out=f"{src.stem}-{keep}.json")
            if result.exit_code:
                expect_error(result, 4, name)
            else:
                expect_ok(result)


def _yaml_bomb(keys) -> str:
    lines = [f'{keys[0]}: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{keys[i]}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_beside_the_exports(work):
    folder = work / "exports"
    folder.mkdir()
    (folder / "Needs.txt").write_bytes(b"\xff\xfe" + NODE.encode("utf-16-le"))
    keys = ["reference", "coverage", "references_coded", "page", "media", "video", "region", "source_folders",
            "code_folders", "case_folders"]
    (folder / "nvivo-ui-words.yaml").write_text(_yaml_bomb(keys))
    run = run_bounded(work, "convert", folder, "-o", work / "out.json", timeout=60)
    assert run.rc == 2 and "nvivo-ui-words.yaml" in run.stderr and run.seconds < 10, run
    (folder / "nvivo-ui-words.yaml").write_bytes(b"coverage: [\xff\xfe]\n")
    expect_error(cli("convert", folder, "-o", work / "out.json"), 2, "nvivo-ui-words.yaml")


def test_yaml_alias_bomb_as_a_cipp_mapping(work):
    import nvivo_bridge.api as api
    from projects import small_project
    api.write(small_project(), work / "p.json")
    (work / "map.yaml").write_text(_yaml_bomb([f"k{i}" for i in range(10)]))
    run = run_bounded(work, "cipp", work / "p.json", "-o", work / "c.xlsx", "--map", work / "map.yaml", timeout=60)
    assert run.rc == 2 and "map.yaml" in run.stderr and run.seconds < 10, run
    assert not (work / "c.xlsx").exists()


@pytest.mark.parametrize("layout", ["far-corners", "forged-dimension"])
def test_sparse_or_forged_worksheet(work, layout):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "Person", "Role"
    ws["A2"], ws["B2"] = "Interview 1", "Teacher"
    if layout == "far-corners":
        ws["XFD1"], ws["A1048576"] = "x", "y"
    wb.save(work / "w.xlsx")
    if layout == "forged-dimension":
        with zipfile.ZipFile(work / "w.xlsx") as zf:
            members = [(n, zf.read(n)) for n in zf.namelist()]
        members = [(n, d.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
                    if n.endswith("sheet1.xml") else d) for n, d in members]
        assert any(b"XFD1048576" in d for _, d in members)
        write_zip(work / "w.xlsx", members)
    import nvivo_bridge.api as api
    from projects import small_project
    api.write(small_project(), work / "p.json")
    for cmd in (["convert", work / "w.xlsx", "-o", work / "out.json"],
                ["apply-codebook", work / "p.json", work / "w.xlsx", "-o", work / "x.json"]):
        run = run_bounded(work, *cmd, timeout=90)
        assert run.seconds < 30 and run.rss_mb < 600, run
        assert run.rc in (0, 2, 4) and "Traceback" not in run.stderr, run
        if layout == "far-corners" and cmd[0] == "convert":
            assert run.rc == 4 and "w.xlsx" in run.stderr and "cells" in run.stderr, run.stderr


def _unknown_zip_version(data: bytes) -> bytes:
    """The archive with every central-directory "version needed" set to 10.9 (zipfile raises
    NotImplementedError, not BadZipFile, for it: found by atheris)."""
    buf = bytearray(data)
    k = buf.find(b"PK\x01\x02")
    while k >= 0:
        buf[k + 6:k + 8] = (109).to_bytes(2, "little")
        k = buf.find(b"PK\x01\x02", k + 4)
    return bytes(buf)


def test_zip_version_unknown(work):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["Person", "Role"])
    buf = io.BytesIO()
    wb.save(buf)
    (work / "v.xlsx").write_bytes(_unknown_zip_version(buf.getvalue()))
    expect_error(cli("convert", work / "v.xlsx", "-o", work / "out.json"), 4, "v.xlsx")
    import nvivo_bridge.api as api
    from projects import small_project
    api.write(small_project(), work / "p.json")
    expect_error(cli("apply-codebook", work / "p.json", work / "v.xlsx", "-o", work / "x.json"), 4, "v.xlsx")
    api.write(small_project(), work / "p.qdpx")
    (work / "v.qdpx").write_bytes(_unknown_zip_version((work / "p.qdpx").read_bytes()))
    expect_error(cli("convert", work / "v.qdpx", "-o", work / "out.json"), 4, "v.qdpx")
