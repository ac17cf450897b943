"""The whole book as one PDF, printed by Chromium from the built HTML.

    python -m bookkit.publish.pdf _build/html _build/pdf/autoencoders-hands-on.pdf

Why this way: the built HTML already holds every executed figure, typeset formula and
static slider, so printing it gives a PDF that shows exactly what the web book shows,
with no second (LaTeX) toolchain. Chromium (Debian's package, driven by Playwright; no
browser download) opens each page in reading order, prints it with the theme's print
style plus a few rules that hide the navigation, and ``pypdf`` joins the pages into one
file with one bookmark per chapter.

Reading order is the book's own: the landing page ``index.html`` redirects to the first
page, and each page links to the next one (``a.right-next``), in the order of
``_toc.yml``.
"""

from __future__ import annotations

import argparse
import functools
import io
import re
import shutil
import sys
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from helpers import config

CHROMIUM_VARIABLE = "BOOK_CHROMIUM"
DEFAULT_CHROMIUM = config.VARIABLES[CHROMIUM_VARIABLE].default
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Added to the theme's own print style: no header, sidebars, page navigation or footers;
# the article exactly as wide as the paper (a long code line or a model summary would
# otherwise widen the page and Chromium would cut both margins off), so code wraps and
# pictures shrink.
PRINT_CSS = """
.bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer,
.bd-footer-article, .bd-footer-content, .prev-next-area, .skip-link, #pst-back-to-top,
.search-button, .theme-switch-button, .d-print-none, .noprint {
  display: none !important; }
.bd-page-width, .bd-container, .bd-container__inner, .bd-main, .bd-content,
.bd-article-container, .bd-article {
  min-width: 0 !important; max-width: 100% !important; width: 100% !important; }
.bd-main .bd-content { margin-left: 0 !important; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; font-size: 0.8em; }
img, svg, video, canvas, table { max-width: 100% !important; height: auto; }
figure, img, .cell_output, table { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
"""

# Links between pages point at the loopback server while printing: send them to the
# published book (base_url) or, without one, leave their text and drop the dead address.
REWRITE_LINKS_JS = """
([origin, baseUrl]) => {
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.href, document.baseURI);
    if (url.origin !== origin) continue;
    if (baseUrl)
      a.href = new URL(url.pathname.replace(/^\\//, '') + url.hash, baseUrl).href;
    else a.removeAttribute('href');
  }
}
"""


class BookPdfError(RuntimeError):
    """The book could not be printed: what is missing and how to get it."""


@dataclass(frozen=True)
class PrintedPage:
    """One page of the book as printed: its path in the built site, title and PDF page
    count."""

    path: str
    title: str
    pages: int


class _PageLinks(HTMLParser):
    """The meta-refresh target, the ``a.right-next`` link and the <title> of one HTML
    page."""

    def __init__(self):
        super().__init__()
        self.refresh = self.next = None
        self.title, self._in_title = "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            match = re.search(
                r"url\s*=\s*(\S+)", attrs.get("content") or "", re.IGNORECASE
            )
            if match:
                self.refresh = match.group(1).strip("'\"")
        elif (
            tag == "a"
            and "right-next" in (attrs.get("class") or "").split()
            and self.next is None
        ):
            self.next = attrs.get("href")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _read_links(html_dir: Path, relative: str) -> _PageLinks:
    parser = _PageLinks()
    parser.feed((html_dir / relative).read_text(encoding="utf-8"))
    parser.title = " ".join(parser.title.split())
    return parser


def _resolve(current: str, href: str) -> str:
    """The site-relative path that ``href``, written in page ``current``, points to."""
    target = urlsplit(urljoin("http://book.invalid/" + current, href))
    if target.netloc != "book.invalid":
        raise BookPdfError(f"{current} links to another site as its next page: {href}")
    return target.path.lstrip("/")


def reading_order(html_dir: str | Path) -> list[str]:
    """The pages of a built book, first to last, as paths relative to ``html_dir``.

    Starts at ``index.html`` (following its redirect to the first page) and follows each
    page's "next" link. A page listed twice or a missing page is an error, not a silent
    stop.
    """
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").is_file():
        raise BookPdfError(
            f"{html_dir} has no index.html: build the book first (make book)"
        )
    start = _read_links(html_dir, "index.html")
    current = _resolve("index.html", start.refresh) if start.refresh else "index.html"
    order: list[str] = []
    while current is not None:
        if current in order:
            raise BookPdfError(
                f"the 'next' links loop back to {current} after {order[-1]}"
            )
        if not (html_dir / current).is_file():
            previous = order[-1] if order else "index.html"
            raise BookPdfError(
                f"{previous} links to {current}, which is not in {html_dir}"
            )
        order.append(current)
        links = _read_links(html_dir, current)
        current = _resolve(current, links.next) if links.next else None
    return order


def find_chromium(path: str | None = None) -> str:
    """The Chromium to drive: ``path``, else ``$BOOK_CHROMIUM``, else Debian's
    /usr/bin/chromium."""
    candidate = path or config.get(CHROMIUM_VARIABLE)
    if Path(candidate).is_file():
        return candidate
    found = shutil.which(candidate) or (shutil.which("chromium") if not path else None)
    if found:
        return found
    raise BookPdfError(
        f"Chromium not found at {candidate}: install Debian's `chromium` package "
        f"(apt-get install chromium) or set {CHROMIUM_VARIABLE} to a Chromium binary"
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(html_dir: Path):
    """Serve the built site on an ephemeral loopback port (pages load as from the
    web)."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _print_page(
    context, url: str, origin: str, base_url: str | None, timeout_ms: int
) -> bytes:
    page = context.new_page()
    try:
        page.goto(url, wait_until="networkidle", timeout=timeout_ms)
        page.emulate_media(media="print", color_scheme="light")
        # The light colour scheme, whatever the reader's setting.
        page.evaluate(
            "() => document.documentElement.setAttribute('data-theme', 'light')"
        )
        page.add_style_tag(content=PRINT_CSS)
        # Formulas typeset and pictures decoded before printing.
        page.evaluate(
            "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
            " || null"
        )
        page.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)",
            timeout=timeout_ms,
        )
        page.evaluate(REWRITE_LINKS_JS, [origin, base_url])
        return page.pdf(
            format="A4",
            print_background=True,
            prefer_css_page_size=False,
            margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
        )
    finally:
        page.close()


def build_pdf(
    html_dir: str | Path,
    output: str | Path,
    *,
    base_url: str | None = None,
    chromium: str | None = None,
    timeout_s: float = 120,
) -> list[PrintedPage]:
    """Print every page of the built book at ``html_dir`` into one PDF at ``output``.

    ``base_url`` (the published book, e.g. ``https://owner.github.io/repo/``) keeps
    links between pages working in the PDF; without it they become plain text. Returns
    what was printed.
    """
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    html_dir, output = Path(html_dir), Path(output)
    order = reading_order(html_dir)
    executable = find_chromium(chromium)
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    writer, printed = PdfWriter(), []
    server, origin = _serve(html_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_FLAGS
            )
            try:
                context = browser.new_context(viewport={"width": 1100, "height": 1400})
                for relative in order:
                    data = _print_page(
                        context,
                        f"{origin}/{relative}",
                        origin,
                        base_url,
                        int(timeout_s * 1000),
                    )
                    reader = PdfReader(io.BytesIO(data))
                    # Sphinx titles read "Chapter — Book title": the bookmark keeps the
                    # chapter.
                    title = (
                        _read_links(html_dir, relative).title.rsplit(" — ", 1)[0]
                        or relative
                    )
                    writer.append(reader, outline_item=title)
                    printed.append(PrintedPage(relative, title, len(reader.pages)))
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    first = _read_links(html_dir, order[0]).title
    book_title = first.rsplit(" — ", 1)[-1] or "Book"
    writer.add_metadata(
        {"/Title": book_title, "/Creator": "bookkit.publish.pdf (Chromium, pypdf)"}
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "wb") as handle:
        writer.write(handle)
    return printed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookkit.publish.pdf",
        description="Print the built book (every page, in reading order) into one PDF.",
    )
    parser.add_argument("html_dir", help="the built book, e.g. _build/html")
    parser.add_argument(
        "output", help="the PDF to write, e.g. _build/pdf/autoencoders-hands-on.pdf"
    )
    parser.add_argument(
        "--base-url",
        help="where the book is published; links between pages point there",
    )
    parser.add_argument(
        "--chromium",
        help=f"Chromium binary (default ${CHROMIUM_VARIABLE} or {DEFAULT_CHROMIUM})",
    )
    args = parser.parse_args(argv)
    try:
        printed = build_pdf(
            args.html_dir, args.output, base_url=args.base_url, chromium=args.chromium
        )
    except BookPdfError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for page in printed:
        print(f"{page.pages:4d}  {page.path}  ({page.title})")
    print(
        f"Wrote {args.output}: {sum(p.pages for p in printed)} pages from "
        f"{len(printed)} book pages"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
