"""How long each chapter takes to read and to run, for planning a course:
``python -m bookkit.teach.timings [--build _build]``.

Reading minutes are *estimated* from the chapter itself: the words of its prose at
``WORDS_PER_MINUTE`` and the lines of the code a reader sees (hidden cells left out) at
``CODE_LINES_PER_MINUTE``; the exercises are left out of the reading and counted apart,
with the estimates of :func:`bookkit.teach.exercises.exercise_table`.

Running times come from the logs the test runs leave in the build folder:

- ``notebook-seconds.json``: each chapter's *measured* seconds under nbval (``make
  test``, the ``ci`` profile, on the machine that ran it);
- ``updates-test.jsonl``: every ``fit`` of that run (epochs, updates per epoch, batch),
  so the images a chapter trained on in the ``ci`` profile;
- ``updates-laptop.jsonl`` and ``updates-full.jsonl``: the same for the ``laptop`` and
  ``full`` profiles, written by a smoke run (``BOOK_SMOKE=1`` counts the updates a
  profile would make without making them; ``make smoke`` writes the full one).

A log may hold a chapter more than once (tests that run a chapter again after nbval):
only the chapter's first run (the first process that logged it) is counted.

A bigger profile's time is *estimated* as its training images divided by the images a
second the chapter reached in its measured ``ci`` run (the whole run counted as
training, loading and plotting included; ``make smoke`` prints this table after its
run). A chapter that trains nothing keeps its
``ci`` time, on a GPU too. The Colab T4 column assumes a T4 trains these small models
``T4_SPEEDUP`` times faster than 2 CPU cores, and needs at least ``T4_STEP_SECONDS`` per
update: assumptions, not measurements.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

#: Technical prose with equations reads slower than a novel's 250 words a minute.
WORDS_PER_MINUTE = 150
#: Code read closely enough to know what each line does.
CODE_LINES_PER_MINUTE = 10
T4_SPEEDUP = 10.0
T4_STEP_SECONDS = 0.004
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ChapterTimes:
    """One chapter's minutes (``None`` where the build folder has no measurement)."""

    name: str
    title: str
    reading: float
    exercises: float
    ci_measured: float | None
    laptop: float | None
    full_cpu: float | None
    full_t4: float | None


def toc_chapters(root: Path = ROOT) -> list[str]:
    """The notebooks of ``_toc.yml`` in reading order (names without ``book/``)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [Path(f).name for f in files if (root / f"{f}.ipynb").exists()]


def reading_minutes(nb) -> tuple[str, float]:
    """A notebook's title and its estimated reading minutes, exercises left out."""
    words = lines = 0
    title, in_exercises = "", False
    for cell in nb.cells:
        source = cell.source
        if cell.cell_type == "markdown":
            heading = re.match(r"#{1,2} (.+)", source)
            if heading and source.startswith("# ") and not title:
                title = heading.group(1).strip()
            if heading and source.startswith("## "):
                in_exercises = heading.group(1).strip().lower() == "exercises"
            if not in_exercises:
                words += len(re.sub(r"\{[\w:-]+\}`[^`]*`", "x", source).split())
        elif not in_exercises and "remove-cell" not in cell.metadata.get("tags", []):
            lines += sum(1 for line in source.splitlines() if line.strip())
    return title, words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE


def _fits(path: Path) -> tuple[dict, dict]:
    """Images and updates per chapter from an updates log; empty if there is none.

    A line names the process (``run``) that wrote it, so chapters executed side by
    side (``make test`` runs two at a time) can interleave: each chapter's first run
    is counted. Lines without ``run`` (older logs) count the first unbroken block.
    """
    images, updates = defaultdict(int), defaultdict(int)
    finished, previous, first_run = set(), None, {}
    if path.exists():
        for line in path.read_text().splitlines():
            fit = json.loads(line)
            if "run" in fit:
                if first_run.setdefault(fit["chapter"], fit["run"]) != fit["run"]:
                    continue  # the chapter run again, by a test
            else:
                if fit["chapter"] != previous:  # a new block: the last run ended
                    finished.add(previous)
                    previous = fit["chapter"]
                if fit["chapter"] in finished:  # the chapter run again, by a test
                    continue
            steps = fit["epochs"] * fit["updates_per_epoch"]
            updates[fit["chapter"]] += steps
            images[fit["chapter"]] += steps * (fit["batch_size"] or 32)
    return images, updates


def chapter_times(build: Path, book: Path = ROOT / "book") -> list[ChapterTimes]:
    """Every chapter of the table of contents with its reading and running minutes."""
    import nbformat

    from .exercises import exercise_table

    measured_file = build / "notebook-seconds.json"
    measured = json.loads(measured_file.read_text()) if measured_file.exists() else {}
    ci_images, _ = _fits(build / "updates-test.jsonl")
    laptop_images, _ = _fits(build / "updates-laptop.jsonl")
    full_images, full_updates = _fits(build / "updates-full.jsonl")
    exercise_minutes = defaultdict(float)
    for row in exercise_table(book):
        if row["kind"] != "challenge":
            exercise_minutes[row["chapter"]] += row["minutes"]
    rows = []
    for name in toc_chapters(book.parent):
        title, reading = reading_minutes(nbformat.read(book / f"{name}.ipynb", 4))
        seconds = measured.get(name)
        laptop = full_cpu = full_t4 = None
        if seconds is not None:
            rate = ci_images.get(name, 0) / seconds  # images a second, whole run
            if (build / "updates-laptop.jsonl").exists():
                images = laptop_images.get(name, 0)
                laptop = images / rate / 60 if rate and images else seconds / 60
            if (build / "updates-full.jsonl").exists():
                images = full_images.get(name, 0)
                full_cpu = images / rate / 60 if rate and images else seconds / 60
                gpu_floor = full_updates.get(name, 0) * T4_STEP_SECONDS / 60
                # no training, nothing for a GPU to speed up
                speedup = T4_SPEEDUP if images else 1.0
                full_t4 = max(full_cpu / speedup, gpu_floor)
        rows.append(
            ChapterTimes(
                name=name,
                title=title,
                reading=reading,
                exercises=exercise_minutes.get(name, 0.0),
                ci_measured=None if seconds is None else seconds / 60,
                laptop=laptop,
                full_cpu=full_cpu,
                full_t4=full_t4,
            )
        )
    return rows


def markdown_table(rows: list[ChapterTimes]) -> str:
    """The table the instructors' appendix shows, in minutes, with a total row."""

    def cell(value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.1f}" if value < 10 else f"{value:.0f}"

    def total(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else sum(values)

    head = (
        "| chapter | reading | exercises | ci | laptop | full, CPU | full, T4 |"
        "\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    lines = [head]
    for r in rows:
        values = [r.reading, r.exercises, r.ci_measured]
        values += [r.laptop, r.full_cpu, r.full_t4]
        lines.append(f"| {r.title} | " + " | ".join(cell(v) for v in values) + " |")
    columns = ["reading", "exercises", "ci_measured", "laptop", "full_cpu", "full_t4"]
    sums = [total([getattr(r, c) for r in rows]) for c in columns]
    lines.append("| whole book | " + " | ".join(cell(v) for v in sums) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookkit.teach.timings", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--build",
        type=Path,
        default=ROOT / "_build",
        help="folder with notebook-seconds.json and updates-*.jsonl (default _build)",
    )
    args = parser.parse_args(argv)
    if not (args.build / "notebook-seconds.json").exists():
        print(
            f"note: no {args.build / 'notebook-seconds.json'}: run `make test` "
            "first for the running times; reading times follow."
        )
    print(markdown_table(chapter_times(args.build)))
    print(
        f"\nMinutes. Reading: prose at {WORDS_PER_MINUTE} words and visible code at "
        f"{CODE_LINES_PER_MINUTE} lines a minute, exercises apart. Laptop and full: "
        "estimated from counted updates and the ci run's throughput; T4: assumed "
        f"{T4_SPEEDUP:g}× 2 CPU cores, at least {T4_STEP_SECONDS * 1000:g} ms an "
        "update."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
