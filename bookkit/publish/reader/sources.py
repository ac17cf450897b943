"""The book's sources, for the citation roles: authors, year and link of each BibTeX
entry that ``_config.yml``'s ``bibtex_bibfiles`` names (parsed with pybtex, as
sphinxcontrib-bibtex does)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path


# --------------------------------------------------------------------------------------
# Sources: the book's BibTeX file, for the cite roles
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One work of the BibTeX file, as a citation names it."""

    authors: tuple[str, ...]  #: surnames with their "von" part ("van den Oord")
    year: str
    link: str | None = None  #: DOI, arXiv or URL address
    et_al: bool = False  #: the entry ends its author list with "and others"

    def authors_text(self, every: bool = False) -> str:
        """The authors as a citation names them: "Vincent et al.", "Kingma and
        Welling", "Chollet"; with ``every``, all of them ("Burda, Grosse and
        Salakhutdinov")."""
        names = list(self.authors)
        if not every and (len(names) > 2 or (self.et_al and names)):
            return f"{names[0]} et al."
        if self.et_al:
            return ", ".join(names) + " et al."
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    def linked(self, text: str) -> str:
        if not self.link:
            return text
        # Parentheses in a DOI would end a Markdown link early: percent-encode them.
        return f"[{text}]({self.link.replace('(', '%28').replace(')', '%29')})"


def load_sources(*bibfiles: Path) -> dict[str, Source]:
    """Every entry of the BibTeX files: key → :class:`Source` (pybtex parses them)."""
    from pybtex.database import parse_file

    sources: dict[str, Source] = {}
    for bibfile in bibfiles:
        for key, entry in parse_file(str(bibfile)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            surnames = []
            for person in people:
                parts = [*person.rich_prelast_names, *person.rich_last_names]
                surnames.append(" ".join(part.render_as("text") for part in parts))
            et_al = bool(surnames) and surnames[-1] == "others"
            surnames = surnames[:-1] if et_al else surnames
            year = entry.fields.get("year", "").strip()
            if not surnames or not year:
                raise ValueError(f"{bibfile}: entry {key} needs an author and a year")
            fields = entry.fields
            link = (
                f"https://doi.org/{fields['doi']}"
                if fields.get("doi")
                else f"https://arxiv.org/abs/{fields['eprint']}"
                if fields.get("eprint")
                else fields.get("url")
            )
            sources[key] = Source(tuple(surnames), year, link, et_al)
    return sources


def book_sources(folder: Path | None = None) -> dict[str, Source]:
    """The sources of the book whose ``_config.yml`` is in ``folder`` or above it
    (default: the working directory, else this checkout), from its
    ``bibtex_bibfiles``."""
    candidates = [folder] if folder else [Path.cwd(), Path(__file__).resolve().parent]
    for candidate in candidates:
        config = find_config(Path(candidate).resolve())
        if config:
            return _sources_of(config)
    raise FileNotFoundError(f"no _config.yml in or above {candidates[0]}")


@functools.lru_cache(maxsize=4)
def _sources_of(config: Path) -> dict[str, Source]:
    import yaml

    bibfiles = (yaml.safe_load(config.read_text()) or {}).get("bibtex_bibfiles") or []
    if isinstance(bibfiles, str):
        bibfiles = [bibfiles]
    if not bibfiles:
        raise ValueError(f"{config} names no bibtex_bibfiles")
    return load_sources(*(config.parent / name for name in bibfiles))


def find_config(folder: Path) -> Path | None:
    """The book's ``_config.yml``: in ``folder`` or the nearest folder above it."""
    for candidate in [folder, *folder.parents]:
        if (candidate / "_config.yml").is_file():
            return candidate / "_config.yml"
    return None
