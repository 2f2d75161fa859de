"""nvivo-bridge web through Starlette's TestClient: the pages, the codings index against the
Codings table, the CIPP mapping against `cipp --map`, the downloads against the CLI's writers, jobs."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

import openpyxl  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

import nvivo_bridge as nb  # noqa: E402
from nvivo_bridge.cipp import build, load_mapping  # noqa: E402
from nvivo_bridge.cipp.headers import headers  # noqa: E402
from nvivo_bridge.cli import main  # noqa: E402
from nvivo_bridge.web import create_app  # noqa: E402
from nvivo_bridge.web.browse import CodingsView, Filters  # noqa: E402
from nvivo_bridge.web.downloads import DOWNLOADS, Download, run_download  # noqa: E402
from nvivo_bridge.web.jobs import Job, JobCancelled  # noqa: E402
from nvivo_bridge.web.mapping import MappingState  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"
TEAM = ROOT / "samples" / "kp-widyaiswara-team.qdpx"
NVIVO = ROOT / "tests" / "data" / "nvivo"
H = {"X-Nvivo-Bridge": "1"}
TOKEN = "test-token"


@pytest.fixture
def web(tmp_path):
    """(client, app state, private folder) of a fresh app, with the token cookie set."""
    root = tmp_path / "private"
    root.mkdir()
    app = create_app(root, TOKEN)
    client = TestClient(app, base_url="http://127.0.0.1")
    assert client.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
    return client, app.app.state.web, root


def upload(client, state, files: dict[str, bytes]) -> str:
    """Upload ``{name: bytes}`` as one project, open it, wait; return the workspace id."""
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    for name, data in files.items():
        r = client.put("/api/workspaces/" + ws + "/files", params={"name": name}, content=data, headers=H)
        assert r.status_code == 200, r.text
    job = client.post(f"/api/workspaces/{ws}/open", headers=H).json()
    assert state.jobs.wait(job["id"]).status == "done", state.jobs.get(job["id"]).error
    return ws


def make(client, state, ws: str, key: str, **body) -> dict:
    job = client.post(f"/api/p/{ws}/downloads/{key}", json=body, headers=H).json()
    done = state.jobs.wait(job["id"], 120)
    assert done.status == "done", done.error
    return done.as_json()


def test_overview_shows_producer_counts_ledger_and_warnings(web):
    client, state, _ = web
    ws = upload(client, state, {"kp-widyaiswara.qdpx": SAMPLE.read_bytes()})
    html = client.get(f"/p/{ws}/").text
    project = nb.read(SAMPLE)
    assert f"<strong>{project.counts()['codings']}</strong> codings" in html
    assert project.producer in html and project.origin in html
    assert 'id="ledger"' in html and "Written" not in html  # nothing downloaded yet: read column only
    make(client, state, ws, "workbook")
    html = client.get(f"/p/{ws}/").text
    assert "Written: kp-widyaiswara.xlsx" in html


def test_codings_filters_match_the_codings_table(web):
    client, state, _ = web
    ws = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    view = state.workspaces.get(ws).view
    table = nb.tables(nb.read(SAMPLE))["Codings"]
    assert len(view) == len(table)
    top = view.code_paths.index("Proses (Process)")
    expected = table[(table.code_path == "Proses (Process)") | table.code_path.str.startswith("Proses (Process)/")]
    assert int(view.mask(Filters(code=top)).sum()) == len(expected)
    src = view.source_names[1]
    assert int(view.mask(Filters(source=1)).sum()) == int((table.source == src).sum())
    case = view.case_names[2]
    assert int(view.mask(Filters(case=2)).sum()) == int((table.case == case).sum())
    peran = next(k for k, v in enumerate(view.variables) if v.name == "Peran")
    assert int(view.mask(Filters(attribute=peran, value="Anggota")).sum()) == int((table.Peran == "Anggota").sum())
    for coder_no, name in enumerate(view.coders):
        assert int(view.mask(Filters(coder=coder_no)).sum()) == int((table.coder == name).sum())
    word = "waktu"
    assert int(view.mask(Filters(q="WAKTU")).sum()) == int(table.text.str.lower().str.contains(word).sum()) > 0
    # Through the page: the count line, and every row's exact excerpt.
    html = client.get(f"/p/{ws}/codings", params={"q": word, "code": top}).text
    hits = expected[expected.text.str.lower().str.contains(word)]
    assert f"{len(hits)} codings" in html
    for text in hits.text:
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
            .replace('"', "&#34;").replace("'", "&#39;") in html


def test_paging_and_combined_filters(small_project, rich_project):
    for project in (small_project, rich_project):
        view = CodingsView(project)
        n = len(view)
        total, pages, rows = view.page(Filters(page=1), size=3)
        assert total == n and pages == max(1, -(-n // 3)) and len(rows) == min(3, n)
        _, _, last = view.page(Filters(page=999), size=3)
        assert [r["n"] for r in last] == list(range(3 * (pages - 1) + 1, n + 1))
        for code in range(len(view.code_guids)):
            assert view.subtree_counts[code] == view.mask(Filters(code=code)).sum()  # the filter's label
            for src in range(len(view.sources)):
                both = view.mask(Filters(code=code, source=src))
                assert (both == (view.mask(Filters(code=code)) & view.mask(Filters(source=src)))).all()


def test_search_finds_each_row_once_and_across_emoji():
    from projects import small_project as build_small

    project = build_small()
    src = next(iter(project.sources.values()))
    src.text = "😀 " + src.text  # shift: positions now wrong, but the search must still see the excerpts it cuts
    view = CodingsView(project)
    texts = [view.row(i)["text"] for i in range(len(view))]
    for needle in {t[:4] for t in texts if len(t) >= 4}:
        want = [i for i, t in enumerate(texts) if needle.lower() in t.lower()]
        assert list(view.mask(Filters(q=needle)).nonzero()[0]) == want


def test_mapping_page_saves_the_file_cipp_map_reads(web, tmp_path):
    client, state, _ = web
    ws = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    mapping = state.workspaces.get(ws).mapping
    konteks = next(g for g in mapping.auto.order if mapping.auto.path[g] == "Konteks (Context)")
    r = client.post(f"/api/p/{ws}/mapping", json={"guid": konteks, "component": "process"}, headers=H)
    page = {row["component"]: row["references"] for row in r.json()["overview"]}
    assert page["context"] == 0 and page["process"] > 14  # Konteks' 15 references moved (dedup may merge)
    result = make(client, state, ws, "mapping")
    text = client.get(result["url"]).text
    saved = tmp_path / "mapping.yaml"
    saved.write_text(text, encoding="utf-8")
    assert [(r.raw, r.component) for r in load_mapping(saved).rules] == [("Konteks (Context)", "process")]
    out = tmp_path / "cipp.xlsx"
    res = CliRunner().invoke(main, ["cipp", str(SAMPLE), "-o", str(out), "--map", str(saved), "-q"])
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out)["CIPP Overview"]
    header = [c.value for c in sheet[1]]  # the workbook's human headers; the key column holds the identifiers
    key_col, refs_col = headers(["component_key", "references"], "en")
    cli = {row[header.index(key_col)]: row[header.index(refs_col)]
           for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert {k: cli[k] for k in page} == page
    # Back to automatic: the rule disappears and Konteks is Context again.
    r = client.post(f"/api/p/{ws}/mapping", json={"guid": konteks, "component": ""}, headers=H)
    assert {row["component"]: row["references"] for row in r.json()["overview"]}["context"] == 15
    assert mapping.as_dict()["rules"] == []


def test_mapping_uses_guid_rules_where_a_path_would_be_ambiguous(small_project):
    project = small_project
    first = next(iter(project.codes.values()))
    first.name = "Proses [draft*]"
    state = MappingState(project)
    state.set_choice(first.guid, "input")
    rules = state.as_dict()["rules"]
    assert rules == [{"guid": first.guid, "component": "input", "note": "Proses [draft*]"}]
    assert state.effective().components[first.guid] == ("input",)
    assert build(project, load_mapping(nb.cipp.mapping_from_dict(state.as_dict()))).assignment \
        .components[first.guid] == ("input",)
    with pytest.raises(ValueError):
        state.set_choice(first.guid, "nonsense")
    with pytest.raises(KeyError):
        state.set_choice("no-such-guid", "input")


def test_every_download_opens_and_matches_the_cli(web, tmp_path):
    client, state, _ = web
    ws = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    got = {}
    for entry in DOWNLOADS:
        info = make(client, state, ws, entry.key, target="atlasti")
        got[entry.key] = client.get(info["url"]).content
    book = openpyxl.load_workbook(io.BytesIO(got["workbook"]))
    assert book.sheetnames[:4] == ["Project", "Codes", "Sources", "Codings"]
    assert book["Codings"].max_row - 1 == nb.read(SAMPLE).counts()["codings"]
    names = zipfile.ZipFile(io.BytesIO(got["csv"])).namelist()
    assert "Codings.csv" in names and "Warnings.csv" in names
    qdpx = tmp_path / "back.qdpx"
    qdpx.write_bytes(got["qdpx"])
    back = nb.read(qdpx)
    assert back.counts()["codings"] == nb.read(SAMPLE).counts()["codings"]
    assert back.guid_case == "upper"  # the atlasti target: upper-case GUIDs
    assert openpyxl.load_workbook(io.BytesIO(got["cipp"])).sheetnames[1] == "CIPP Overview"
    assert b"<html" in got["cipp-html"][:2000].lower()
    assert b"<CodeBook" in got["codebook-qdc"][:500]
    from nvivo_bridge.codebook import load_codebook
    sheet = tmp_path / "codebook.xlsx"
    sheet.write_bytes(got["codebook-xlsx"])
    assert set(load_codebook(sheet, nb.Diagnostics()).codes) == set(nb.read(SAMPLE).codes)


def test_word_report_and_agreement_downloads_are_the_cli_writers(web, tmp_path):
    """The Word report is the CIPP report the CLI writes; the agreement workbook is the
    ``agreement`` command's, computed over every coder of the uploaded project."""
    import docx

    client, state, _ = web
    ws = upload(client, state, {"team.qdpx": TEAM.read_bytes()})
    report = tmp_path / "r.docx"
    report.write_bytes(client.get(make(client, state, ws, "cipp-docx")["url"]).content)
    headings = [p.text for p in docx.Document(report).paragraphs if p.style.name.startswith("Heading")]
    assert any("Context" in h for h in headings)
    book = openpyxl.load_workbook(io.BytesIO(client.get(make(client, state, ws, "agreement")["url"]).content))
    assert {"Summary", "Code x Source", "Disagreements"} <= set(book.sheetnames)
    want = nb.agreement(nb.read(TEAM)).frames["Summary"]
    assert book["Summary"].max_row - 1 == len(want)


def test_cancelled_download_leaves_no_file(web):
    client, state, _ = web
    ws_id = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    ws = state.workspaces.get(ws_id)
    for key in ("workbook", "csv", "qdpx"):
        job = Job("cancelled" + key, ws_id, key, key)
        job.cancel()
        with pytest.raises(JobCancelled):
            run_download(next(e for e in DOWNLOADS if e.key == key), ws, job, {})
        assert not any(p.is_file() for p in (ws.folder / "out" / job.id).rglob("*"))
    # Through the API: a running job stops at its next progress tick and is reported as cancelled.
    import threading
    started = threading.Event()

    def slow(job):
        for i in range(10_000):
            started.set()
            job.progress(i, 10_000)
            threading.Event().wait(0.005)
        return {}

    job = state.jobs.start(ws_id, "slow", "slow", slow, str)
    started.wait(5)
    assert client.get(f"/api/jobs/{job.id}").json()["status"] == "running"
    assert client.post(f"/api/jobs/{job.id}/cancel").status_code == 403  # no X-Nvivo-Bridge header
    client.post(f"/api/jobs/{job.id}/cancel", headers=H)
    assert state.jobs.wait(job.id).status == "cancelled"
    assert client.get(f"/api/jobs/{job.id}").json()["status"] == "cancelled"


def test_two_tabs_do_not_share_work(web):
    client, state, _ = web
    a = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    b = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    assert a != b
    ma, mb = state.workspaces.get(a).mapping, state.workspaces.get(b).mapping
    client.post(f"/api/p/{a}/mapping", json={"guid": ma.auto.order[0], "component": "product"}, headers=H)
    assert ma.choices and not mb.choices
    jobs = [client.post(f"/api/p/{w}/downloads/workbook", json={}, headers=H).json() for w in (a, b, a)]
    urls = [state.jobs.wait(j["id"], 120).as_json()["url"] for j in jobs]
    assert len(set(urls)) == 3
    books = [openpyxl.load_workbook(io.BytesIO(client.get(u).content)) for u in urls]
    assert all(bk["Codings"].max_row == books[0]["Codings"].max_row for bk in books)


def test_folder_of_nvivo_exports_is_one_project(web, tmp_path):
    client, state, _ = web
    files = {f"exports/{p.relative_to(NVIVO).as_posix()}": p.read_bytes()
             for p in sorted(NVIVO.rglob("*")) if p.is_file() and p.suffix != ".md"}
    ws = upload(client, state, files)
    local = tmp_path / "exports"
    shutil.copytree(NVIVO, local, ignore=shutil.ignore_patterns("*.md"))
    assert state.workspaces.get(ws).project.counts() == nb.read(local).counts()
    assert "Person" in client.get(f"/p/{ws}/").text or client.get(f"/p/{ws}/").status_code == 200


def test_unreadable_upload_is_a_plain_error(web):
    client, state, root = web
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    client.put(f"/api/workspaces/{ws}/files", params={"name": "broken.qdpx"}, content=b"not a zip", headers=H)
    job = client.post(f"/api/workspaces/{ws}/open", headers=H).json()
    done = state.jobs.wait(job["id"])
    assert done.status == "failed" and "zip" in done.error and "Traceback" not in done.error
    page = client.get(f"/p/{ws}/")
    assert page.status_code == 409 and "broken.qdpx: not a zip" in page.text
    assert str(root) not in page.text and str(root) not in done.error  # the private folder is not shown


def test_indonesian_pages(web):
    client, state, _ = web
    ws = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    r = client.get(f"/lang/id?next=/p/{ws}/cipp", follow_redirects=True)
    assert r.status_code == 200 and "Pemetaan CIPP" in r.text and "Konteks" in r.text and 'lang="id"' in r.text
    assert "Unduhan" in client.get(f"/p/{ws}/downloads").text
    assert "Ringkasan CIPP" in openpyxl.load_workbook(
        io.BytesIO(client.get(make(client, state, ws, "cipp")["url"]).content)).sheetnames


def test_cli_web_help_and_busy_port():
    import socket

    res = CliRunner().invoke(main, ["web", "--help"])
    assert res.exit_code == 0 and "--no-browser" in res.output and "--lang" in res.output
    assert "Example: nvivo-bridge web --lang id" in res.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        res = CliRunner().invoke(main, ["web", "--no-browser", "--port", str(busy.getsockname()[1])])
    assert res.exit_code == 2 and "cannot listen" in res.output


def test_both_search_paths_agree_with_python(rich_project):
    """The whole-blob numpy search and the per-row search give Python's `in`, for ASCII,
    accented and emoji queries, at row edges, and a cached answer stays right."""
    import numpy as np

    src = next(iter(rich_project.sources.values()))
    src.text = "Émile 😀 said: ÉTÉ waktu\r\n" + (src.text or "")
    view = CodingsView(rich_project)
    texts = [view.row(i)["text"].lower() for i in range(len(view))]
    needles = {t[a:b] for t in texts for a, b in ((0, 1), (0, 3), (1, 4), (-3, None), (-1, None)) if t[a:b]}
    needles |= {"😀", "été", "É", "\r\n", "zzqq", texts[0]}
    everyone = np.arange(len(view))
    for needle in sorted(needles):
        want = [needle.lower() in t for t in texts]
        assert view._matches(needle).tolist() == want, needle
        assert view._matches(needle).tolist() == want, needle  # from the cache
        assert view._matches(needle, everyone).tolist() == want, needle


def test_cancelled_open_and_language_default(tmp_path):
    from nvivo_bridge.web.workspace import Workspaces

    spaces = Workspaces(tmp_path)
    ws = spaces.create()
    up = ws.add_file("kp.qdpx")
    up.write(SAMPLE.read_bytes())
    up.finish()
    job = Job("j", ws.id, "open", "open")
    job.cancel()
    with pytest.raises(JobCancelled):
        ws.open(job)
    assert ws.status == "cancelled" and ws.project is None and ws.error is None
    app = create_app(tmp_path / "p", TOKEN, lang="id")
    client = TestClient(app, base_url="http://localhost")
    page = client.get(f"/?token={TOKEN}", follow_redirects=True)
    assert 'lang="id"' in page.text and "Letakkan berkas di sini" in page.text
    client.cookies.set("nb_lang", "en")
    assert "Drop files here" in client.get("/").text
    client.cookies.set("nb_lang", "xx")  # an unknown value: the server's --lang
    assert "Letakkan berkas di sini" in client.get("/").text


def test_closing_a_project_deletes_its_files_and_frees_it(web):
    client, state, root = web
    a = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    b = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    url = make(client, state, a, "workbook")["url"]
    folder = state.workspaces.get(a).folder
    assert client.post(f"/api/workspaces/{a}/close").status_code == 403  # no page header
    assert client.post(f"/api/workspaces/{a}/close", headers=H).json() == {"closed": a}
    assert not folder.exists() and state.workspaces.get(a) is None
    assert client.get(f"/p/{a}/").status_code == 404 and client.get(url).status_code == 404
    assert client.get(f"/p/{b}/").status_code == 200  # the other tab's project is untouched
    assert client.post(f"/api/workspaces/{a}/close", headers=H).status_code == 404


def test_agreement_entry_calls_the_agreement_writer_when_it_exists(web, monkeypatch):
    import sys
    import types

    client, state, _ = web
    ws = upload(client, state, {"kp.qdpx": SAMPLE.read_bytes()})
    if "nvivo_bridge.agreement" not in sys.modules:
        try:
            import nvivo_bridge.agreement  # noqa: F401
        except ImportError:
            assert 'data-key="agreement"' not in client.get(f"/p/{ws}/downloads").text
    fake = types.ModuleType("nvivo_bridge.agreement")
    calls = []
    fake.agreement = lambda project, **kw: calls.append(project) or "RESULT"
    fake.write_workbook = lambda result, path: calls.append(result) or Path(path).write_bytes(b"xlsx")
    monkeypatch.setitem(sys.modules, "nvivo_bridge.agreement", fake)
    assert 'data-key="agreement"' in client.get(f"/p/{ws}/downloads").text
    info = make(client, state, ws, "agreement")
    assert client.get(info["url"]).content == b"xlsx"
    assert calls == [state.workspaces.get(ws).project, "RESULT"] and info["file"].endswith("-agreement.xlsx")


def test_cli_web_without_the_extra_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if `pip install nvivo-bridge` without [web]
    res = CliRunner().invoke(main, ["web", "--no-browser"])
    assert res.exit_code == 2 and 'pip install "nvivo-bridge[web]"' in res.output and "Traceback" not in res.output


_SAMPLE_VIEW: dict = {}


def _sample_view():
    if not _SAMPLE_VIEW:
        project = nb.read(SAMPLE)
        _SAMPLE_VIEW["view"] = CodingsView(project)
        _SAMPLE_VIEW["table"] = nb.tables(project)["Codings"]
    return _SAMPLE_VIEW["view"], _SAMPLE_VIEW["table"]


def test_any_filter_combination_equals_filtering_the_codings_table():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    view, table = _sample_view()
    words = sorted({w for t in table.text for w in t.lower().split()})[:60] + ["", "zzqq", "ng"]

    @settings(max_examples=150, deadline=None)
    @given(code=st.none() | st.integers(0, len(view.code_guids) - 1),
           source=st.none() | st.integers(0, len(view.sources) - 1),
           case=st.none() | st.integers(0, len(view.cases) - 1),
           coder=st.none() | st.integers(0, len(view.coders) - 1),
           attr=st.none() | st.sampled_from([(k, v) for k, vals in enumerate(view.values) for v in vals]),
           q=st.sampled_from(words), page=st.integers(1, 5))
    def check(code, source, case, coder, attr, q, page):
        f = Filters(code=code, source=source, case=case, coder=coder, q=q, page=page,
                    attribute=attr[0] if attr else None, value=attr[1] if attr else None)
        want = table
        if code is not None:
            path = view.code_paths[code]
            want = want[(want.code_path == path) | want.code_path.str.startswith(path + "/")]
        if source is not None:
            want = want[want.source == view.source_names[source]]
        if case is not None:
            want = want[want.case == view.case_names[case]]
        if coder is not None:
            want = want[want.coder == view.coders[coder]]
        if attr is not None:
            column = want[view.variables[attr[0]].name]
            want = want[column.map(lambda v: str(v) if v is not None and v == v else None) == attr[1]]
        if q.strip():
            want = want[want.text.str.lower().str.contains(q.strip(), regex=False)]
        total, pages, rows = view.page(f, size=7)
        assert total == len(want)
        expected = list(want.index + 1)[(min(page, pages) - 1) * 7: min(page, pages) * 7]
        assert [r["n"] for r in rows] == expected
        assert [r["text"] for r in rows] == list(table.text[[n - 1 for n in expected]])

    check()


def test_json_project_without_cases_has_no_f3_f4(web, tmp_path, small_project):
    client, state, _ = web
    small_project.cases.clear()
    small_project.variables.clear()
    path = tmp_path / "small.json"
    nb.write(small_project, path)
    ws = upload(client, state, {"small.json": path.read_bytes()})
    page = client.get(f"/p/{ws}/cipp")
    assert page.status_code == 200 and page.text.count("<img ") == 4  # the script hides the missing ones
    got = {k: client.get(f"/p/{ws}/cipp/figure/{k}.png").status_code for k in ("F1", "F2", "F3", "F4")}
    assert got == {"F1": 200, "F2": 200, "F3": 404, "F4": 404}
    png = client.get(f"/p/{ws}/cipp/figure/F1.png")
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/p/{ws}/cipp/figure/F9.png").status_code == 404


def test_cli_web_passes_port_language_and_limits(monkeypatch):
    import nvivo_bridge.web as web_pkg

    seen = {}

    def fake_serve(port, **kw):
        seen.update(kw, port=port)
        kw["announce"]("http://127.0.0.1:1234/?token=t")

    monkeypatch.setattr(web_pkg, "serve", fake_serve)
    res = CliRunner().invoke(main, ["web", "--no-browser", "--port", "1234", "--lang", "id", "--max-member-mb", "2"])
    assert res.exit_code == 0, res.output
    assert seen["port"] == 1234 and seen["lang"] == "id" and seen["open_browser"] is False
    assert seen["limits"].max_member_bytes == 2 * 1024 * 1024
    assert "open http://127.0.0.1:1234/?token=t" in res.output and "deleted" in res.output
