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
