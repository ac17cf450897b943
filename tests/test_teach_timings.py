"""bookkit.teach.timings: reading minutes from a chapter's words, running minutes from the
logs of the test runs, one table for the instructors' appendix."""
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from bookkit.teach import timings


def _chapter(words=300, code_lines=20, hidden_lines=50, exercise_words=900):
    hidden = new_code_cell("\n".join(["x = 1"] * hidden_lines))
    hidden.metadata["tags"] = ["remove-cell"]
    return new_notebook(cells=[
        new_markdown_cell("# A title\n\n" + " ".join(["word"] * (words - 2))),
        new_code_cell("\n".join(["y = 2"] * code_lines)),
        hidden,
        new_markdown_cell("## Exercises"),
        new_markdown_cell(" ".join(["question"] * exercise_words)),
        new_markdown_cell("## Further reading\n\n- a b"),
    ])


def test_reading_counts_prose_and_visible_code_but_not_hidden_cells_or_exercises():
    title, minutes = timings.reading_minutes(_chapter())
    assert title == "A title"
    words = 300 + 6  # the title's words counted once, plus "## Further reading - a b"
    expected = words / timings.WORDS_PER_MINUTE + 20 / timings.CODE_LINES_PER_MINUTE
    assert minutes == pytest.approx(expected, rel=0.02)


def _log(path, fits):
    path.write_text("".join(json.dumps(dict(zip(
        ["chapter", "epochs", "updates_per_epoch", "batch_size"], f))) + "\n" for f in fits))


def test_a_chapter_run_again_by_a_test_is_counted_once(tmp_path):
    _log(tmp_path / "log.jsonl", [("a", 2, 10, 8), ("a", 1, 10, 8), ("b", 1, 5, 4),
                                   ("a", 2, 10, 8), ("a", 1, 10, 8)])
    images, updates = timings._fits(tmp_path / "log.jsonl")
    assert updates == {"a": 30, "b": 5}
    assert images == {"a": 240, "b": 20}


def test_chapters_run_side_by_side_interleave_and_each_first_run_counts(tmp_path):
    fits = [dict(chapter="a", run=1, epochs=2, updates_per_epoch=10, batch_size=8),
            dict(chapter="b", run=2, epochs=1, updates_per_epoch=5, batch_size=4),
            dict(chapter="a", run=1, epochs=1, updates_per_epoch=10, batch_size=8),
            dict(chapter="b", run=2, epochs=1, updates_per_epoch=5, batch_size=4),
            dict(chapter="a", run=3, epochs=9, updates_per_epoch=10, batch_size=8)]  # a test
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(f) + "\n" for f in fits))
    images, updates = timings._fits(tmp_path / "log.jsonl")
    assert updates == {"a": 30, "b": 10}
    assert images == {"a": 240, "b": 40}


def test_identical_fits_of_one_run_all_count(tmp_path):
    _log(tmp_path / "log.jsonl", [("vae", 15, 63, 64)] * 4)
    _, updates = timings._fits(tmp_path / "log.jsonl")
    assert updates == {"vae": 4 * 15 * 63}


@pytest.fixture
def book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/preface\nparts:\n  - caption: P\n    chapters:\n"
        "      - file: book/trains\n      - file: book/reads\n      - file: book/notes\n")
    for name in ("trains", "reads"):
        nbformat.write(_chapter(), tmp_path / "book" / f"{name}.ipynb")
    (tmp_path / "book" / "notes.md").write_text("# Notes")
    build = tmp_path / "_build"
    build.mkdir()
    (build / "notebook-seconds.json").write_text(json.dumps({"trains": 60.0, "reads": 12.0}))
    _log(build / "updates-test.jsonl", [("trains", 10, 100, 10)])       # 10,000 images in 60 s
    _log(build / "updates-laptop.jsonl", [("trains", 20, 200, 10)])     # 40,000 images
    _log(build / "updates-full.jsonl", [("trains", 50, 1000, 10)])      # 500,000 images
    return tmp_path


def test_bigger_profiles_scale_with_the_images_trained_on(book):
    trains, reads = timings.chapter_times(book / "_build", book / "book")
    assert [trains.name, reads.name] == ["trains", "reads"]  # toc order, notebooks only
    assert trains.ci_measured == pytest.approx(1.0)
    assert trains.laptop == pytest.approx(4.0)
    assert trains.full_cpu == pytest.approx(50.0)
    assert trains.full_t4 == pytest.approx(max(5.0, 50_000 * timings.T4_STEP_SECONDS / 60))
    # a chapter that trains nothing keeps its measured time, on a GPU too
    assert reads.laptop == reads.full_cpu == reads.full_t4 == pytest.approx(0.2)


def test_without_logs_only_reading_times_are_given(book):
    rows = timings.chapter_times(book / "nothing-here", book / "book")
    assert all(r.ci_measured is r.laptop is r.full_cpu is r.full_t4 is None for r in rows)
    table = timings.markdown_table(rows)
    assert table.splitlines()[-1].startswith("| whole book |") and "—" in table


def test_the_table_has_a_row_per_chapter_and_a_total(book):
    table = timings.markdown_table(timings.chapter_times(book / "_build", book / "book"))
    lines = table.splitlines()
    assert len(lines) == 2 + 2 + 1
    assert lines[-1].split("|")[4].strip() == "1.2"  # 60 s + 12 s measured, in minutes
