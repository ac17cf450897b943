"""The built book, as a reader with no network and no kernel sees it (Playwright + Chromium).

Every page is served from 127.0.0.1 and every request to any other host is blocked and counted
as a failure: a page passes only when it needs nothing from a CDN. Also checked: math is typeset
by the bundled MathJax, no display equation, table or printed output (a Keras summary) is wider
than the text column of a 1200 px window, every static slider changes its picture, search works,
and axe-core finds no WCAG 2 A/AA violations, and no page weighs more than 500 kB. Per-page counts and sizes go to
``_build/browser-report.json``.
"""
from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_layout import toc_files

#: Chromium over the built book (the ``built_book`` fixture also marks each test ``build``).
pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [entry + ".html" for entry in toc_files()]
#: Most bytes one page's HTML may weigh: the static sliders' frames are embedded in it, and a
#: reader on a slow connection waits for all of them before the page is usable.
MAX_PAGE_BYTES = 500_000
REPORT: dict[str, dict] = {}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    """Serve the built book on an ephemeral loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    report = built_book.parent / "browser-report.json"
    with open(built_book.parent / ".browser-report.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers each add the pages they opened
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
        old = json.loads(report.read_text()) if run and report.exists() else {}
        merged = {**old.get("pages", {}), **REPORT} if old.get("run") == run else dict(REPORT)
        report.write_text(json.dumps({"run": run, "pages": merged}, indent=2))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = (f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
                   "(or set BOOK_CHROMIUM to a Chromium binary)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class PageWatch:
    """Open a page with every non-local request blocked, and count what went wrong."""

    def __init__(self, browser, allowed_hosts=("127.0.0.1",), width=1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.blocked, self.failed, self.errors = [], [], []
        self.allowed_hosts = allowed_hosts
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "file") or url.hostname in self.allowed_hosts:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture(scope="module", params=PAGES)
def visit(request, site, browser):
    """One visit of a page, shared by the tests that read it, in the order they are
    written: loading (requests and console), axe on the page as loaded, math and column
    width at 1200 px, then the sliders, which change what the page shows. pytest groups a
    module-scoped fixture's tests by page, and ``make test`` keeps each page's tests on one
    worker (``--dist loadgroup``; tests/conftest.py names the group). Axe takes most of
    the time; a page loads in about a second."""
    path = request.param
    watch = PageWatch(browser)
    try:
        watch.open(f"{site}/{path}")
        yield path, watch
    finally:
        watch.close()


def test_page_loads_with_no_failed_request_or_console_error(visit):
    path, watch = visit
    assert watch.page.title(), f"{path} has no title"
    REPORT.setdefault(path, {}).update(
        requests_blocked=len(watch.blocked), requests_failed=len(watch.failed),
        console_errors=len(watch.errors))
    assert not watch.blocked, f"{path} asked hosts other than its own: {watch.blocked[:5]}"
    # The blocked requests above would also show as failed; only local failures remain.
    assert not watch.failed, f"{path} had failed requests: {watch.failed[:5]}"
    assert not watch.errors, f"{path} logged console errors: {watch.errors[:5]}"


def test_no_accessibility_violations_at_levels_a_and_aa(visit):
    from axe_playwright_python.sync_playwright import Axe

    path, watch = visit
    # Only violations come back: axe's passes list every node it checked, and shipping
    # that list from the page took a third of the time on long chapters.
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    violations = Axe().run(watch.page, options=options).response["violations"]
    REPORT.setdefault(path, {}).update(axe_violations=len(violations))
    summary = [f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']}"
               for v in violations]
    assert not violations, f"{path}: axe found {len(violations)} violations:\n" + "\n".join(summary)


@pytest.mark.parametrize("path", PAGES)
def test_page_weighs_at_most_500_kb(built_book, path):
    size = (built_book / path).stat().st_size
    REPORT.setdefault(path, {}).update(page_bytes=size)
    print(f"{path}: {size / 1000:.0f} kB")
    assert size <= MAX_PAGE_BYTES, (
        f"{path} weighs {size / 1000:.0f} kB, more than {MAX_PAGE_BYTES / 1000:.0f} kB: "
        "fewer or smaller slider frames (helpers.widgets)")


#: A laptop's browser window: the theme's text column is then about 624 px wide, and a reader
#: who has to scroll sideways to read an equation or a table loses the line.
READING_WIDTH_PX = 1200

#: What is wider than the text column on a laid-out page: every display equation (MathJax's
#: ``mjx-math`` inside ``mjx-container[display]``), table and cell output ``pre`` (Keras prints
#: its summaries as box-drawn tables in one), with folded solutions and hints unfolded first.
#: An element overflows when what it holds is wider than the room it has (its own box, or a
#: table's scrolling wrapper) or than the column itself. Returns one record per offender.
TOO_WIDE_JS = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach((e) => e.classList.remove("toggle-hidden"));
  const column = document.querySelector("article.bd-article") || document.querySelector("main");
  const style = getComputedStyle(column);
  const columnWidth = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const measured = [];
  for (const box of column.querySelectorAll('mjx-container[display="true"]')) {
    const math = box.querySelector("mjx-math") || box;
    measured.push(["display equation", box, math.getBoundingClientRect().width, box.clientWidth]);
  }
  for (const table of column.querySelectorAll("table")) {
    measured.push(["table", table, table.getBoundingClientRect().width, table.parentElement.clientWidth]);
  }
  for (const pre of column.querySelectorAll(".cell_output pre")) {
    measured.push(["output", pre, pre.scrollWidth, pre.clientWidth]);
  }
  return measured
    .filter(([kind, element]) => element.getClientRects().length > 0)
    .filter(([kind, element, needed, room]) => needed > Math.min(room, columnWidth) + 1)
    .map(([kind, element, needed, room]) => ({
      kind, needed: Math.round(needed), room: Math.round(Math.min(room, columnWidth)),
      column: Math.round(columnWidth),
      text: element.textContent.replace(/\\s+/g, " ").trim().slice(0, 60),
    }));
}"""


def test_math_is_typeset_and_nothing_is_wider_than_the_column_at_1200_px(visit, built_book):
    """Two checks that both wait for MathJax: every formula typeset by the bundled MathJax
    (none left as an error), then no equation, table or output wider than the text column."""
    path, watch = visit
    page = watch.page
    page.set_viewport_size({"width": READING_WIDTH_PX, "height": 900})
    typeset = 0
    if 'class="math' in (built_book / path).read_text():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        typeset = page.locator("mjx-container").count()
        assert typeset > 0, f"{path} has math but MathJax typeset none of it"
        assert page.locator("mjx-merror").count() == 0, f"{path} has a formula MathJax could not parse"
    REPORT.setdefault(path, {}).update(math_formulas=typeset)
    too_wide = page.evaluate(TOO_WIDE_JS)
    REPORT.setdefault(path, {}).update(too_wide_at_1200px=len(too_wide))
    assert not too_wide, (
        f"{path} at {READING_WIDTH_PX} px: {len(too_wide)} elements wider than the room they "
        "have, so the reader scrolls sideways (split the equation, narrow the table):\n"
        + "\n".join(f"{t['kind']} {t['needed']} px in {t['room']} px (column {t['column']} px): "
                    f"{t['text']!r}" for t in too_wide))


def test_every_static_slider_changes_the_picture(visit, built_book):
    path, watch = visit
    if "book-explorer" not in (built_book / path).read_text():
        REPORT.setdefault(path, {}).update(sliders=0)
        return
    shots = built_book.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    errors_before = len(watch.errors)
    page = watch.page
    sliders = page.locator(".book-explorer input[type=range]")
    REPORT.setdefault(path, {}).update(sliders=sliders.count())
    assert sliders.count() > 0
    for index in range(sliders.count()):
        slider = sliders.nth(index)
        figure = slider.locator("xpath=ancestor::figure[1]")
        picture = figure.locator("img")
        figure.scroll_into_view_if_needed()
        before = picture.screenshot()
        slider.focus()
        page.keyboard.press("End")  # the keyboard, as a reader without a mouse would
        after = picture.screenshot()
        stem = f"{Path(path).stem}-slider{index}"
        (shots / f"{stem}-before.png").write_bytes(before)
        (shots / f"{stem}-after.png").write_bytes(after)
        assert before != after, f"{path}: slider {index} did not change the picture"
        assert picture.get_attribute("alt"), f"{path}: slider {index}'s picture has no alt text"
    moved = watch.errors[errors_before:]
    assert not moved, f"{path}: moving a slider logged errors: {moved[:3]}"


def test_search_finds_the_variational_chapter(site, browser):
    if "book/vae.html" not in PAGES:
        pytest.fail("the VAE chapter (book/vae) is not in _toc.yml yet")
    watch = PageWatch(browser)
    try:
        page = watch.open(f"{site}/search.html?q=variational")
        page.wait_for_selector("#search-results li a, ul.search li a", timeout=15000)
        links = page.locator("#search-results li a, ul.search li a")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert any("vae" in h for h in hrefs), f"search for 'variational' found {hrefs}"
    finally:
        watch.close()


def test_book_opens_from_file_url_with_no_network(browser, built_book):
    watch = PageWatch(browser, allowed_hosts=())
    try:
        page = watch.open((built_book / "index.html").as_uri())
        page.wait_for_load_state("load")
        assert page.title()
        assert not watch.blocked, f"file:// page asked the network: {watch.blocked[:5]}"
        assert not watch.errors, f"file:// page logged errors: {watch.errors[:5]}"
    finally:
        watch.close()
