"""nvivo-bridge web in a real browser: Debian's chromium driven by selenium (no browser download).

Upload the sample, filter the codings, change a mapping, download the workbook and open it with
openpyxl, switch to Indonesian; a screenshot of each page goes to ``<tmp>/screenshots`` (and to
``$NVIVO_BRIDGE_SCREENSHOTS`` when set, to look at them)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
selenium = pytest.importorskip("selenium")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"),
]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kp-widyaiswara.qdpx"


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(60)
    try:
        yield driver, downloads
    finally:
        driver.quit()


def wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the page is still changing
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_browser_session(browser, tmp_path):
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from nvivo_bridge.web.server import running

    driver, downloads = browser
    shots = tmp_path / "screenshots"
    shots.mkdir()
    extra = os.environ.get("NVIVO_BRIDGE_SCREENSHOTS")

    def shot(name: str) -> None:
        driver.save_screenshot(str(shots / f"{name}.png"))
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(shots / f"{name}.png", Path(extra) / f"{name}.png")

    with running() as run:
        driver.get(run.url)
        assert "token" not in driver.current_url
        shot("1-home")
        # 1. Upload the sample through the file chooser (what a drop does too).
        driver.find_element(By.ID, "file-input").send_keys(str(SAMPLE))
        wait_for(lambda: "/p/" in driver.current_url, what="the overview page")
        counts = driver.find_element(By.ID, "counts").text
        assert "51\ncodings" in counts or "51 codings" in counts
        assert "NVivo" in driver.find_element(By.CSS_SELECTOR, ".facts").text
        shot("2-overview")
        # 2. Filter the codings: a top-level code and a word.
        driver.find_element(By.ID, "nav-codings").click()
        wait_for(lambda: driver.find_elements(By.ID, "codings"), what="the codings table")
        all_rows = driver.find_element(By.ID, "match-count").text
        Select(driver.find_element(By.ID, "f-code")).select_by_visible_text(
            next(o.text for o in Select(driver.find_element(By.ID, "f-code")).options
                 if o.text.startswith("Proses (Process)")))
        driver.find_element(By.ID, "f-q").send_keys("waktu")
        driver.find_element(By.ID, "f-apply").click()
        wait_for(lambda: driver.find_element(By.ID, "match-count").text != all_rows, what="filtered rows")
        rows = driver.find_elements(By.CSS_SELECTOR, "#codings tbody tr")
        assert rows and all("waktu" in r.find_element(By.CSS_SELECTOR, "td.excerpt").text.lower() for r in rows)
        assert all(r.find_element(By.CSS_SELECTOR, "td.code").text.startswith("Proses (Process)") for r in rows)
        shot("3-codings-filtered")
        # 3. Change a mapping: Konteks (Context) goes to Process; the overview follows.
        driver.find_element(By.ID, "nav-cipp").click()
        wait_for(lambda: driver.find_elements(By.ID, "cipp-overview"), what="the CIPP page")

        def refs(component: str) -> str:
            return driver.find_element(By.CSS_SELECTOR, f'#cipp-overview tr[data-component="{component}"] td.refs').text

        assert refs("context") == "15"
        select = next(s for s in driver.find_elements(By.CSS_SELECTOR, "select.component")
                      if s.get_attribute("aria-label") == "Konteks (Context)")
        Select(select).select_by_value("process")
        wait_for(lambda: refs("context") == "0", what="the overview to update")
        assert int(refs("process")) > 14
        wait_for(lambda: len([img for img in driver.find_elements(By.CSS_SELECTOR, "#figures img")
                              if img.get_attribute("naturalWidth") not in (None, "0")]) == 4, what="figures")
        shot("4-cipp-mapping")
        # 4. Download the workbook and open it.
        driver.find_element(By.ID, "nav-downloads").click()
        driver.find_element(By.CSS_SELECTOR, 'button.make[data-key="workbook"]').click()
        link = wait_for(lambda: [a for a in driver.find_elements(By.CSS_SELECTOR, "#dl-workbook a.result")
                                 if a.text.endswith(".xlsx")], what="the workbook link")[0]
        shot("5-downloads")
        link.click()
        book = wait_for(lambda: [p for p in downloads.glob("*.xlsx")], what="the downloaded file")[0]
        wait_for(lambda: not list(downloads.glob("*.crdownload")), what="the download to finish")
        wb = openpyxl.load_workbook(book)
        assert wb["Codings"].max_row == 52 and wb.sheetnames[0] == "Project"
        # 5. Switch to Indonesian.
        driver.find_element(By.ID, "lang-switch").click()
        wait_for(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id", what="Indonesian")
        assert "Unduhan" in driver.find_element(By.TAG_NAME, "header").text
        assert "Buku kerja Excel" in driver.page_source
        shot("6-downloads-id")
        driver.find_element(By.ID, "nav-cipp").click()
        wait_for(lambda: "Konteks" in driver.find_element(By.ID, "cipp-overview").text, what="Indonesian labels")
        shot("7-cipp-id")
        driver.find_element(By.ID, "nav-overview").click()
        wait_for(lambda: "Yang ditemukan" in driver.page_source, what="Indonesian overview")
        shot("8-overview-id")
        driver.find_element(By.ID, "nav-codings").click()
        wait_for(lambda: "pengodean" in driver.find_element(By.ID, "match-count").text, what="Indonesian codings")
        shot("9-codings-id")
    assert len(list(shots.glob("*.png"))) == 9


def test_dropping_nvivo_export_files_opens_one_project(browser, tmp_path):
    """A drop of several files (NVivo's exports) is read as one project, as a folder of them is."""
    import base64

    from selenium.webdriver.common.by import By

    import nvivo_bridge as nb
    from nvivo_bridge.web.server import running

    driver, _ = browser
    exports = ROOT / "tests" / "data" / "nvivo"
    files = [p for p in sorted(exports.iterdir()) if p.is_file() and p.suffix != ".md"]
    local = tmp_path / "exports"
    local.mkdir()
    for p in files:
        (local / p.name).write_bytes(p.read_bytes())
    expected = nb.read(local).counts()
    with running() as run:
        driver.get(run.url)
        payload = [{"name": p.name, "data": base64.b64encode(p.read_bytes()).decode()} for p in files]
        # A synthetic drop: the browser's own DataTransfer with File objects, dispatched on the zone.
        driver.execute_script("""
            const dt = new DataTransfer();
            for (const f of arguments[0]) {
              const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
              dt.items.add(new File([bytes], f.name));
            }
            const zone = document.getElementById('dropzone');
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
        """, payload)
        wait_for(lambda: "/p/" in driver.current_url, what="the overview page")
        counts = driver.find_element(By.ID, "counts").text.replace("\n", " ")
        assert f"{expected['codings']} codings" in counts and f"{expected['codes']} codes" in counts
        driver.save_screenshot(str(tmp_path / "nvivo-exports-overview.png"))
        ws = run.app.app.state.web.workspaces.all()[0]
        assert sorted(ws.files) == sorted(p.name for p in files) and ws.project.counts() == expected
