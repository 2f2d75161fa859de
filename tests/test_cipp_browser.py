"""The HTML report in a real browser (Debian's chromium, headless): every image loads and no
text runs out of its box or the page.  Runs only where chromium is installed (marker
``browser``); no browser is downloaded."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from nvivo_bridge.cipp import build, write_report
from samples.kp_widyaiswara import build_project

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")]

# Injected into a copy of the report (the report itself has no scripts): after load, list images
# that did not decode and elements whose content is wider than their box or than the page.
_CHECK = """<script>
window.addEventListener('load', () => {
  const bad = [];
  for (const img of document.images) if (!img.complete || img.naturalWidth === 0) bad.push('image: ' + img.alt);
  for (const el of document.querySelectorAll('td,th,p,li,blockquote,h1,h2,h3,figcaption,caption,figure,footer')) {
    if (el.scrollWidth > el.clientWidth + 1) bad.push('overflow: ' + el.tagName + ' ' + el.textContent.slice(0, 60));
  }
  const page = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('table,figure,img,blockquote,p')) {
    const r = el.getBoundingClientRect();
    if (r.right > page + 1) bad.push('wider than the page: ' + el.tagName + ' ' + el.textContent.slice(0, 60));
  }
  const out = document.createElement('pre');
  out.id = 'layout-check';
  out.textContent = JSON.stringify({images: document.images.length, bad: bad});
  document.body.appendChild(out);
});
</script>"""


def _check(html_path, tmp_path, width: int) -> dict:
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           f"--window-size={width},1000", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="layout-check">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"no layout check in the page (chromium exit {proc.returncode}): {proc.stderr[-500:]}"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


@pytest.mark.parametrize("lang", ["en", "id"])
def test_report_in_chromium_images_load_and_nothing_overflows(tmp_path, lang):
    p = build_project()
    # Worst cases for a layout: an unbroken 90-character code name and a long path in a quotation.
    code = next(c for c in p.codes.values() if c.parent)
    code.name = "Kebutuhanpengembangankompetensiwidyaiswarayangsangatpanjangtanpaspasisamasekali" * 1 + "X" * 10
    res = build(p, lang=lang)
    path = tmp_path / "r.html"
    write_report(res, path)
    for width in (1280, 700):
        result = _check(path, tmp_path, width)
        assert result["images"] >= 4
        assert result["bad"] == [], result["bad"][:10]
