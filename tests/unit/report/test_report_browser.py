"""The HTML report in a real headless browser: the page renders, every embedded figure decodes, nothing
overflows the page. Skipped where no Chromium/Chrome binary is installed (`apt-get install chromium`)."""

import re
import shutil
import subprocess

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium or chrome binary on PATH "
                                "(apt-get install chromium to run this check)")

# Appended to a copy of the page: after load, record how many images decoded and whether the page overflows.
PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.setAttribute('data-probe', ok + '/' + imgs.length + '/' +
    (document.documentElement.scrollWidth <= window.innerWidth ? 'fits' : 'overflows'));
});
</script>"""


def _chrome(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,3000",
                           "--virtual-time-budget=10000", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_page_renders_and_images_load(report, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report["html"].read_text().replace("</body>", PROBE + "</body>"))
    dom = _chrome(tmp_path, "--dump-dom", page.as_uri()).stdout
    probe = re.search(r'data-probe="(\d+)/(\d+)/(\w+)"', dom)
    assert probe, dom[-2000:]
    loaded, total, fit = int(probe[1]), int(probe[2]), probe[3]
    assert total >= 5 and loaded == total, probe[0]
    assert fit == "fits"  # wide tables scroll inside their own box, the page does not
    assert "<h2>Findings</h2>" in dom and dom.count("<table>") >= 5


def test_screenshot_shows_a_rendered_page(report, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    _chrome(tmp_path, f"--screenshot={shot}", report["html"].as_uri())
    pixels = imread(shot)
    assert pixels.shape[:2] == (3000, 1280)
    grey = pixels[..., :3].mean(axis=-1)
    # Text, rules and figures: a real share of the page is not background white, and the colour figures show.
    assert (grey < 0.6).mean() > 0.01 and pixels[..., :3].std(axis=-1).max() > 0.2
