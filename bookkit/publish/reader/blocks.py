"""Markdown cells cut into blocks: paragraphs, headings, fences and MyST directives,
each with the source text it came from (what :mod:`.markdown` converts)."""

from __future__ import annotations

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


_FENCE_OPEN = re.compile(
    r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$"
)
_HEADING = re.compile(
    r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$"
)
_TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
_MATH_CLOSE = re.compile(r"\$\$\s*(?:\((?P<label>[^()\s]+)\))?\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")


def parse_blocks(text: str) -> list[Block]:
    """Split MyST markdown into blocks: headings, paragraphs, fences, directives, math,
    targets."""
    lines = text.split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            blocks.append(Block("text", "\n".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        opening = _FENCE_OPEN.match(line)
        if (
            opening
            and not (opening["fence"][0] == "`" and "`" in opening["info"])
            and not (
                opening["fence"][0] == ":"
                and not opening["info"].strip().startswith("{")
            )
        ):
            fence, info = opening["fence"], opening["info"].strip()
            closing = re.compile(
                r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$"
            )
            end = i + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            flush()
            inner = lines[i + 1 : end]
            if info.startswith("{"):
                blocks.append(_directive(info, inner))
            else:
                blocks.append(Block("fence", "\n".join(lines[i : end + 1])))
            i = end + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(
                Block(
                    "heading",
                    (heading["title"] or "").strip(),
                    level=len(heading["hashes"]),
                )
            )
            i += 1
            continue
        if _TARGET.match(line):
            flush()
            blocks.append(Block("target", _TARGET.match(line)["label"]))
            i += 1
            continue
        if line.startswith("%"):  # a MyST comment
            flush()
            blocks.append(Block("comment", line))
            i += 1
            continue
        if line.startswith("+++"):  # a MyST block break
            flush()
            blocks.append(Block("break", line))
            i += 1
            continue
        if line.lstrip().startswith("$$"):
            flush()
            end = i
            if not _MATH_CLOSE.search(line.lstrip()[2:]):
                end = i + 1
                while end < len(lines) and not _MATH_CLOSE.search(lines[end]):
                    end += 1
            math = lines[i : end + 1]
            label = _MATH_CLOSE.search(math[-1]) if math else None
            if label and label["label"]:
                math[-1] = math[-1][: label.start()] + "$$"
            blocks.append(
                Block(
                    "math",
                    "\n".join(math),
                    name=label["label"] if label and label["label"] else "",
                )
            )
            i = end + 1
            continue
        paragraph.append(line)
        i += 1
    flush()
    return blocks


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
