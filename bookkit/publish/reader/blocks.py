"""Markdown cells cut into blocks: paragraphs, headings, fences and MyST directives,
each with the source text it came from (what :mod:`.markdown` converts).

Where a block starts and ends is read by myst-parser's own markdown-it parser, the one
the book's build uses, so the reader notebook and the page agree on the structure
(a wrapped line that opens a list on the page opens one in the notebook too). What
this module adds is the book's view of each block: the lines as written, a
directive's name, argument, options and body.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


class UnsupportedMyST(ValueError):
    """A MyST construct that has no faithful rendering in a plain notebook."""


# --------------------------------------------------------------------------------------
# Blocks of a markdown cell
# --------------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  #: heading, text, fence, math, directive, target, comment, break
    text: str = ""  #: the block's lines as written (headings: the title)
    level: int = 0  #: headings
    name: str = ""  #: directives
    argument: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


_MATH_CLOSE = re.compile(r"\$\$\s*(?:\((?P<label>[^()\s]+)\))?\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")
#: The MyST extensions of _config.yml that decide where a block starts and ends.
_EXTENSIONS = {"amsmath", "colon_fence", "dollarmath"}


@functools.lru_cache(maxsize=1)
def _parser():
    """MyST's own markdown-it parser (myst-parser, which the book's build uses), so a
    reader notebook cuts a cell where the book does."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=_EXTENSIONS), RendererHTML)


def _paragraphs(lines: list[str]) -> list[Block]:
    """Text blocks, one for each run of non-blank lines."""
    runs, run = [], []
    for line in lines + [""]:
        if line.strip():
            run.append(line)
        elif run:
            runs.append(Block("text", "\n".join(run)))
            run = []
    return runs


def parse_blocks(text: str) -> list[Block]:
    """Split MyST markdown into blocks: headings, paragraphs, fences, directives, math,
    targets, comments and breaks, each with the lines it was written as."""
    lines = text.split("\n")
    tokens = _parser().parse(text)
    blocks: list[Block] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting < 0:
            continue
        start, end = token.map or (0, 0)
        source = lines[start:end]
        if token.type == "heading_open":
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            blocks.append(Block("heading", title.strip(), level=int(token.tag[1])))
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            inner = source[1:-1] if _closes(token, source) else source[1:]
            blocks.append(_directive(token.info.strip(), inner))
        elif token.type == "fence":
            blocks.append(Block("fence", "\n".join(source)))
        elif token.type == "myst_target":
            blocks.append(Block("target", token.content))
        elif token.type == "myst_line_comment":
            blocks += [Block("comment", line) for line in source if line.strip()]
        elif token.type == "myst_block_break":
            blocks.append(Block("break", source[0]))
        elif token.type in ("math_block", "math_block_label"):
            label = _MATH_CLOSE.search(source[-1]) if source else None
            if label and label["label"]:
                source[-1] = source[-1][: label.start()] + "$$"
            name = label["label"] if label and label["label"] else ""
            blocks.append(Block("math", "\n".join(source), name=name))
        elif token.type != "inline":
            blocks += _paragraphs(source)
    return blocks


def _closes(token, source: list[str]) -> bool:
    """Whether the fence's last line is its closing fence (an unclosed one runs to the
    end of the cell)."""
    marker = token.markup[0]
    return len(source) > 1 and source[-1].strip().startswith(marker * len(token.markup))


def _directive(info: str, inner: list[str]) -> Block:
    match = re.match(r"^\{(?P<name>[^}]+)\}\s*(?P<argument>.*)$", info)
    if not match:
        raise UnsupportedMyST(f"cannot read the directive line {info!r}")
    options: dict[str, str] = {}
    k = 0
    if inner and inner[0].strip() == "---":  # options as a YAML block
        import yaml

        end = next(
            (j for j in range(1, len(inner)) if inner[j].strip() == "---"), len(inner)
        )
        options = {
            str(key): str(value)
            for key, value in (yaml.safe_load("\n".join(inner[1:end])) or {}).items()
        }
        k = end + 1
    else:
        while k < len(inner) and _OPTION.match(inner[k]):
            option = _OPTION.match(inner[k])
            options[option["key"]] = option["value"] or ""
            k += 1
    body = "\n".join(inner[k:]).strip("\n")
    return Block(
        "directive",
        info,
        name=match["name"].strip(),
        argument=match["argument"].strip(),
        options=options,
        body=body,
    )
