"""Check that a release tag agrees with the project, and print its changelog section.

    python .github/scripts/release_notes.py v0.2.0 > notes.md

The tag must be ``v`` + the version in pyproject.toml and in CITATION.cff, and CHANGELOG.md must
have a dated section for it (``## [0.2.0] - 2026-05-01``), whose text becomes the release notes.
Exits non-zero with the reason otherwise, so a release never ships mismatched versions.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>.+))?\s*$", re.MULTILINE)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReleaseError(ValueError):
    """The tag, the versions or the changelog disagree."""


def changelog_sections(text: str) -> dict[str, tuple[str, str]]:
    """version -> (date or label after the dash, body) for every ``## [version]`` section."""
    matches = list(HEADING.finditer(text))
    sections = {}
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(text)
        body = text[match.end():end]
        body = re.split(r"^\[[^\]]+\]: ", body, maxsplit=1, flags=re.MULTILINE)[0]  # link refs
        sections[match["version"]] = ((match["date"] or "").strip(), body.strip())
    return sections


def citation_version(text: str) -> str:
    match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", text, re.MULTILINE)
    if not match:
        raise ReleaseError("CITATION.cff has no version")
    return match.group(1)


def release_notes(tag: str, root: Path = ROOT) -> str:
    """The changelog section of ``tag``, after checking every version agrees with it."""
    if not tag.startswith("v"):
        raise ReleaseError(f"release tags look like v1.2.3, not {tag!r}")
    version = tag[1:]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    if project != version:
        raise ReleaseError(f"tag {tag} but pyproject.toml says version {project}")
    cited = citation_version((root / "CITATION.cff").read_text())
    if cited != version:
        raise ReleaseError(f"tag {tag} but CITATION.cff says version {cited}")
    sections = changelog_sections((root / "CHANGELOG.md").read_text())
    if version not in sections:
        raise ReleaseError(f"CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD'")
    date, body = sections[version]
    if not DATE.match(date):
        raise ReleaseError(f"CHANGELOG.md: give [{version}] its release date (it says {date!r})")
    if not body:
        raise ReleaseError(f"CHANGELOG.md: the section [{version}] is empty")
    return body


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(release_notes(argv[1]))
    except ReleaseError as error:
        print(f"::error title=Release check::{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
