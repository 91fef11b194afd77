"""The course website, built for real and opened in headless Chromium with the network cut off."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from coursesite.build import remote_assets
from coursesite.vendor import VendorError, install_mermaid
from graders.paths import REPO_ROOT

ARTEFACTS = REPO_ROOT / "build" / "test-artifacts" / "site"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's own sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, Object.assign({}, init, { mode: "open" }));
};
"""

pytestmark = pytest.mark.timeout(900)


def test_remote_asset_scan_finds_a_cdn_script(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<script src="https://unpkg.com/x.js"></script><link href="assets/a.css" rel=stylesheet>'
    )
    (tmp_path / "fine.html").write_text('<a href="https://example.org">a link is fine</a>')
    assert remote_assets(tmp_path) == ['page.html: <script src="https://']


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A fresh build of the whole site (notebooks executed), as `make site` makes it."""
    root = tmp_path_factory.mktemp("site")
    try:
        install_mermaid()
    except VendorError as exc:
        pytest.skip(f"the site needs Mermaid from the npm registry: {exc}")
    # In a child process, as `make site` runs it: the notebook kernels stay out of pytest.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "coursesite",
            "build",
            "--site-dir",
            str(root / "site"),
            "--stage-dir",
            str(root / "stage"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Site built in" in done.stdout
    return root / "site"


def test_site_has_every_lesson_notebook_and_gate(site: Path) -> None:
    for number in range(28, 38):
        assert (site / f"ch{number}" / "lesson.html").is_file()
    assert len(list((site / "notebooks").glob("ch*.html"))) == 10
    assert (site / "phase7-gate.html").is_file() and (site / "phase8-gate.html").is_file()
    lesson = (site / "ch30" / "lesson.html").read_text(encoding="utf-8")
    assert "make check ch30/transfer_rollback" in lesson  # the practice box
    assert "make quiz ch30" in lesson
    assert "../notebooks/ch30_transactions.html" in lesson
    assert "md-clipboard" in lesson or "content.code.copy" in lesson  # copy buttons on code
    assert remote_assets(site) == []


@pytest.fixture(scope="module")
def server(site: Path):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser_page(server):
    executable = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if executable is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    blocked: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def only_loopback(route):
            if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
                route.continue_()
            else:  # the network is off: anything else is recorded and refused
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        # The theme draws each diagram inside a closed shadow root; open it so the test can
        # look inside. Rendering itself is untouched.
        context.add_init_script(OPEN_SHADOW_ROOTS)
        page = context.new_page()
        yield page, blocked
        context.close()
        browser.close()
    assert blocked == [], f"the site tried to reach the network: {blocked}"


def _screenshot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=False)


def test_lesson_diagram_renders_as_svg(browser_page, server) -> None:
    page, _ = browser_page
    page.goto(f"{server}/ch35/lesson.html")
    svg = page.locator(".mermaid svg").first
    svg.wait_for(state="attached", timeout=30_000)
    assert page.locator(".mermaid svg").count() >= 2  # the state diagram and the saga
    page.locator(".mermaid").first.scroll_into_view_if_needed()
    _screenshot(page, "lesson-ch35-circuit-breaker-diagram")


def test_search_finds_a_known_term(browser_page, server) -> None:
    page, _ = browser_page
    page.goto(f"{server}/index.html")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").fill("idempotency")
    result = page.locator(".md-search-result__item").first
    result.wait_for(state="visible", timeout=30_000)
    assert "dempoten" in page.locator(".md-search-result").inner_text()
    _screenshot(page, "search-idempotency")


def test_notebook_page_shows_a_plot(browser_page, server) -> None:
    page, _ = browser_page
    page.goto(f"{server}/notebooks/ch30_transactions.html")
    image = page.locator("img[src*='_files/']").first
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=image.element_handle()
    )
    _screenshot(page, "notebook-ch30-plot")
