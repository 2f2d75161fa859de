"""nvivo-bridge web refuses what it must: foreign Host headers, missing tokens, `..` paths,
oversized uploads, foreign callers; and writes nothing outside its private folder."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

from starlette.testclient import TestClient  # noqa: E402

from nvivo_bridge.options import Limits  # noqa: E402
from nvivo_bridge.web import create_app  # noqa: E402
from nvivo_bridge.web.downloads import DOWNLOADS  # noqa: E402
from nvivo_bridge.web.security import host_allowed, local_next, safe_filename, safe_join  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"
H = {"X-Nvivo-Bridge": "1"}
TOKEN = "s3cret-token"


def client_for(root: Path, port=None, limits=None, login=True) -> tuple[TestClient, object]:
    app = create_app(root, TOKEN, port=port, limits=limits)
    host = "127.0.0.1" + (f":{port}" if port else "")
    client = TestClient(app, base_url=f"http://{host}")
    if login:
        r = client.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and "token" not in r.headers["location"]
        assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    return client, app.app.state.web


@pytest.fixture
def private(tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    return root


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "192.168.1.5",
                                  "127.0.0.1:9999", "[::1]:8765", "", "localhost:80@evil"])
def test_other_host_header_is_refused(private, host):
    client, _ = client_for(private, port=8765)
    r = client.get("/", headers={"host": host})
    assert r.status_code == 421
    r = client.post("/api/workspaces", headers={**H, "host": host})
    assert r.status_code == 421 and not any(private.iterdir())


@pytest.mark.parametrize("host,ok", [("localhost:8765", True), ("127.0.0.1:8765", True), ("LOCALHOST", True),
                                     ("localhost:8766", False), ("127.0.0.2:8765", False)])
def test_host_rule(host, ok):
    assert host_allowed(host, 8765) is ok


def test_missing_or_wrong_token_is_refused(private):
    client, _ = client_for(private, login=False)
    for url in ("/", "/static/app.js", "/p/x/", "/api/jobs/x", "/lang/id"):
        assert client.get(url).status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert client.post("/api/workspaces", headers=H).status_code == 403
    client.cookies.set("nb_token", "wrong")
    assert client.get("/").status_code == 403
    assert not any(private.iterdir())
    client.cookies.clear()
    assert client.get(f"/?token={TOKEN}").status_code == 200  # the opened URL logs in


@pytest.mark.parametrize("path", ["/p/WS/files/JOB/..%2F..%2F..%2Fetc%2Fpasswd", "/p/WS/files/%2e%2e/%2e%2e/x",
                                  "/static/..%2f..%2fapi.py", "/p/WS/files/JOB/..%252F..%252Fsecret",
                                  "/p/WS/files/JOB/..\\..\\secret"])
def test_dotdot_paths_are_refused(private, path):
    client, state = client_for(private)
    ws = state.workspaces.create()
    secret = private / "secret"
    secret.write_text("do not serve")
    r = client.get(path.replace("WS", ws.id).replace("JOB", "j"))
    assert r.status_code in (400, 404) and "do not serve" not in r.text


def test_output_file_only_from_the_outputs_folder(private):
    client, state = client_for(private)
    ws = state.workspaces.create()
    (ws.folder / "in" / "input.qdpx").write_text("uploaded")
    (ws.folder / "out" / "j").mkdir()
    (ws.folder / "out" / "j" / "ok.txt").write_text("fine")
    os.symlink(ws.folder / "in" / "input.qdpx", ws.folder / "out" / "j" / "link.txt")
    assert client.get(f"/p/{ws.id}/files/j/ok.txt").status_code == 409  # not opened yet
    ws.status = "ready"
    assert client.get(f"/p/{ws.id}/files/j/ok.txt").text == "fine"
    assert client.get(f"/p/{ws.id}/files/j/link.txt").status_code == 404  # a symlink out of out/
    assert client.get(f"/p/{ws.id}/files/j/missing.txt").status_code == 404
    for parts in (("..", "in"), ("j", ".."), ("/etc", "passwd"), ("j", "a/b")):
        with pytest.raises(ValueError):
            safe_join(ws.folder / "out", *parts)


def test_oversized_upload_is_refused_and_removed(private):
    limits = Limits(max_member_bytes=1000, max_total_bytes=1500)
    client, state = client_for(private, limits=limits)
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    folder = state.workspaces.get(ws).folder / "in"
    r = client.put(f"/api/workspaces/{ws}/files", params={"name": "big.qdpx"}, content=b"x" * 1001, headers=H)
    assert r.status_code == 413 and "limit" in r.json()["error"]
    # Without a Content-Length (chunked): refused while streaming, nothing left behind.
    r = client.put(f"/api/workspaces/{ws}/files", params={"name": "big2.qdpx"},
                   content=iter([b"x" * 600, b"x" * 600]), headers=H)
    assert r.status_code == 413
    assert client.put(f"/api/workspaces/{ws}/files", params={"name": "a.txt"}, content=b"x" * 900,
                      headers=H).status_code == 200
    r = client.put(f"/api/workspaces/{ws}/files", params={"name": "b.txt"}, content=b"x" * 900, headers=H)
    assert r.status_code == 413 and "total" in r.json()["error"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]
    assert state.workspaces.get(ws).files == ["a.txt"]


def test_upload_names_cannot_escape(private):
    client, state = client_for(private)
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    for name in ("../../escape.txt", "/etc/passwd", "..\\..\\win.txt", "a/../../b.txt", ".hidden", "\x00x.qdpx"):
        r = client.put(f"/api/workspaces/{ws}/files", params={"name": name}, content=b"data", headers=H)
        assert r.status_code == 200
    inbox = state.workspaces.get(ws).folder / "in"
    every = [p for p in private.rglob("*") if p.is_file()]
    assert every and all(p.resolve().is_relative_to(inbox) for p in every)
    assert not (private.parent / "escape.txt").exists()
    assert safe_filename("../../x.qdpx") == "x.qdpx" and safe_filename("..") == "upload"


def test_changes_need_the_page_header(private):
    client, state = client_for(private)
    assert client.post("/api/workspaces").status_code == 403
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    assert client.put(f"/api/workspaces/{ws}/files", params={"name": "a.qdpx"}, content=b"x").status_code == 403
    assert client.post(f"/api/workspaces/{ws}/open").status_code == 403


def test_language_switch_never_redirects_elsewhere(private):
    client, _ = client_for(private)
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        r = client.get("/lang/id", params={"next": bad}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
    assert local_next("/p/abc/codings?q=1") == "/p/abc/codings?q=1"


def test_private_folder_modes_and_nothing_written_outside(private, tmp_path, monkeypatch):
    """A whole session (upload, open, every page, every download) writes only under the private
    folder: the system temporary folder and the working folder stay as they were."""
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    monkeypatch.setenv("TMPDIR", str(system_tmp))
    monkeypatch.chdir(cwd)
    client, state = client_for(private)
    ws_id = client.post("/api/workspaces", headers=H).json()["id"]
    client.put(f"/api/workspaces/{ws_id}/files", params={"name": "kp.qdpx"}, content=SAMPLE.read_bytes(), headers=H)
    job = client.post(f"/api/workspaces/{ws_id}/open", headers=H).json()
    assert state.jobs.wait(job["id"]).status == "done"
    ws = state.workspaces.get(ws_id)
    for page in ("/", f"/p/{ws_id}/", f"/p/{ws_id}/codings?q=a", f"/p/{ws_id}/cipp", f"/p/{ws_id}/downloads"):
        assert client.get(page).status_code == 200
    client.post(f"/api/p/{ws_id}/mapping", json={"guid": ws.mapping.auto.order[0], "component": "input"}, headers=H)
    for entry in DOWNLOADS:
        j = client.post(f"/api/p/{ws_id}/downloads/{entry.key}", json={"target": "nvivo"}, headers=H).json()
        assert state.jobs.wait(j["id"], 120).status == "done"
    assert list(system_tmp.iterdir()) == [] and list(cwd.iterdir()) == []
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    for sub in (ws.folder, ws.folder / "in", ws.folder / "out"):
        assert stat.S_IMODE(sub.stat().st_mode) == 0o700
    assert stat.S_IMODE((ws.folder / "in" / "kp.qdpx").stat().st_mode) == 0o600


def test_server_removes_its_folder_when_it_stops():
    import urllib.request

    from nvivo_bridge.web.server import running

    with running() as run:
        assert run.root.is_dir() and stat.S_IMODE(run.root.stat().st_mode) == 0o700
        import http.cookiejar
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(run.url) as resp:  # token → cookie → page
            assert resp.status == 200 and "?token" not in resp.url
        bad = urllib.request.Request(run.url.split("?")[0], headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(bad)
        assert err.value.code == 421
        (run.root / "upload.bin").write_bytes(b"x")
        root = run.root
    assert not root.exists()


def test_upload_clashing_with_a_folder_is_refused_and_forgotten(private):
    client, state = client_for(private)
    ws = client.post("/api/workspaces", headers=H).json()["id"]
    assert client.put(f"/api/workspaces/{ws}/files", params={"name": "x"}, content=b"1", headers=H).status_code == 200
    r = client.put(f"/api/workspaces/{ws}/files", params={"name": "x/y.txt"}, content=b"2", headers=H)
    assert r.status_code == 400 and "cannot store" in r.json()["error"]
    assert state.workspaces.get(ws).files == ["x"]
