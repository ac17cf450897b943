"""The built book, read as HTML: every figure described, no plumbing on the page."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from test_layout import toc_files

PAGES = [entry + ".html" for entry in toc_files()]


class _Page(HTMLParser):
    """Collect output images (with their alt and whether a caption encloses them) and code inputs."""

    def __init__(self):
        super().__init__()
        self.images, self.code, self._stack, self._in_input = [], [], [], 0
        self._figure_depth = []  # for each open <figure>: has it a figcaption?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class", "") or ""
        self._stack.append((tag, "cell_input" in classes))
        if "cell_input" in classes:
            self._in_input += 1
            self.code.append("")
        if tag == "figure":
            self._figure_depth.append("book-explorer" in classes)
        if tag == "figcaption" and self._figure_depth:
            self._figure_depth[-1] = True
        if tag == "img" and "_images/" in (attrs.get("src") or "") or (tag == "img" and (attrs.get("src") or "").startswith("data:")):
            self.images.append({"src": (attrs.get("src") or "")[:60], "alt": attrs.get("alt") or "",
                                "in_figure": bool(self._figure_depth)})

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, was_input = self._stack.pop()
            if was_input:
                self._in_input -= 1
            if open_tag == tag:
                break
        if tag == "figure" and self._figure_depth:
            self._figure_depth.pop()

    def handle_data(self, data):
        if self._in_input and self.code:
            self.code[-1] += data


class _Text(HTMLParser):
    """The words a reader sees: every text node outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style") and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


#: Words that mean a result the page quotes was not measured in the run that built it.
UNMEASURED = re.compile(r"not measured|skipped|not yet tried", re.IGNORECASE)


def _parse(built_book, path):
    parser = _Page()
    parser.feed((built_book / path).read_text())
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_has_alt_text_and_a_caption(built_book, path):
    page = _parse(built_book, path)
    for image in page.images:
        assert image["alt"].strip() and not image["alt"].startswith("<Figure size"), (
            f"{path}: an image has no real alt text ({image['src']}…); set mystnb.image.alt on its cell")
        assert image["in_figure"], f"{path}: an image is not in a captioned figure ({image['alt'][:60]})"


@pytest.mark.parametrize("path", PAGES)
def test_plumbing_cells_are_removed_from_the_page(built_book, path):
    for code in _parse(built_book, path).code:
        assert not re.search(r"(^|\n)\s*glue\(", code), f"{path}: a glue() cell is visible:\n{code[:300]}"
        assert not re.search(r"(^|\n)\s*assert\b", code), f"{path}: an assertion cell is visible:\n{code[:300]}"


@pytest.mark.parametrize("path", PAGES)
def test_every_result_on_the_page_was_measured(built_book, path):
    """Every profile that builds the book measures what its pages quote: no "not measured",
    "skipped" or "not yet tried" in a page's text, outputs included."""
    parser = _Text()
    parser.feed((built_book / path).read_text())
    text = " ".join(" ".join(parser.parts).split())
    found = [text[max(0, m.start() - 80):m.end() + 40] for m in UNMEASURED.finditer(text)]
    assert not found, f"{path}: " + " | ".join(found)


@pytest.mark.parametrize("html, found", [
    ("<p>MNIST result of this run: not measured in this run</p>", True),
    ("<pre>MNIST benchmark Skipped: set a variable</pre>", True),
    ("<p>other seeds not yet tried</p>", True),
    ("<p>measured on 1,000 digits</p><script>var skipped = 1;</script>", False),
])
def test_unmeasured_words_are_found_in_the_text_only(html, found):
    parser = _Text()
    parser.feed(html)
    assert bool(UNMEASURED.search(" ".join(parser.parts))) is found
