"""The instructor's command line: ``python -m bookkit.teach COMMAND``.

python -m bookkit.teach student SRC_DIR DEST_DIR   # student notebooks, no solutions
python -m bookkit.teach strip DIR                  # drop outputs before committing
python -m bookkit.teach course COURSE_DIR          # an nbgrader course of the chapters
python -m bookkit.teach list DIR                   # exercises, challenges, times
python -m bookkit.teach seed STUDENT_ID            # a per-student BOOK_SEED
python -m bookkit.teach check NOTEBOOK...          # format, hints, challenge and rubric
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import make_course, student_seed
from .exercises import exercise_table, find_exercises
from .validate import scaffold_problems, validate
from .student import strip_folder, write_student_versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookkit.teach", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser(
        "student", help="write student versions (solutions removed)"
    )
    student.add_argument("src", type=Path)
    student.add_argument("dest", type=Path)
    strip = commands.add_parser(
        "strip", help="strip outputs and execution counts in place"
    )
    strip.add_argument("dir", type=Path)
    course = commands.add_parser(
        "course", help="set up an nbgrader course of the chapters"
    )
    course.add_argument("course_dir", type=Path)
    course.add_argument(
        "--book", type=Path, default=Path(__file__).resolve().parents[2] / "book"
    )
    course.add_argument(
        "--chapters", nargs="*", help="chapter names (default: all with exercises)"
    )
    course.add_argument(
        "--plain",
        action="store_true",
        help="release the chapters with the book's markup (rubrics still removed)",
    )
    course.add_argument(
        "--profile", default="ci", help="BOOK_PROFILE for autograding (default ci)"
    )
    listing = commands.add_parser("list", help="list the exercises and a time estimate")
    listing.add_argument("dir", type=Path, nargs="?", default=Path("book"))
    seed = commands.add_parser("seed", help="print the BOOK_SEED of a student id")
    seed.add_argument("student_id")
    check = commands.add_parser("check", help="check the exercise format of notebooks")
    check.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            written = write_student_versions(args.src, args.dest)
            print(f"Wrote {len(written)} student notebooks to {args.dest}")
        elif args.command == "strip":
            changed = strip_folder(args.dir)
            print(
                f"Stripped outputs from {len(changed)} notebooks"
                + (": " + ", ".join(p.name for p in changed) if changed else "")
            )
        elif args.command == "course":
            written = make_course(
                args.course_dir,
                args.book,
                args.chapters,
                tidy=not args.plain,
                profile=args.profile,
            )
            print(
                f"nbgrader course in {args.course_dir}: {len(written)} assignments "
                f"({', '.join(p.parent.name for p in written)}). Next: cd "
                f"{args.course_dir} && nbgrader generate_assignment <chapter>"
            )
        elif args.command == "list":
            rows = exercise_table(args.dir)
            exercises = [r for r in rows if r["kind"] != "challenge"]
            challenges = [r for r in rows if r["kind"] == "challenge"]
            for row in rows:
                if row["kind"] == "challenge":
                    print(
                        f"{row['chapter']:<18} C  challenge   -  "
                        f"~{row['minutes']:>2} min  {row['title']}"
                        + ("  (rubric)" if row["rubric"] else "  (no rubric)")
                    )
                    continue
                print(
                    f"{row['chapter']:<18} {row['number']}  {row['kind']:<8} "
                    f"{row['points']:>4g} pt  ~{row['minutes']:>2} min  {row['title']}"
                    + ("  (trains a model)" if row["trains"] else "")
                    + ("" if row["hint"] else "  (no hint)")
                )
            print(
                f"{len(exercises)} exercises, about "
                f"{sum(r['minutes'] for r in exercises)} minutes in all; "
                f"{sum(r['hint'] for r in exercises)} with a hint"
            )
            print(
                f"{len(challenges)} open challenges, about "
                f"{sum(r['minutes'] for r in challenges)} minutes in all; "
                f"{sum(r['rubric'] for r in challenges)} with a rubric"
            )
        elif args.command == "seed":
            print(student_seed(args.student_id))
        elif args.command == "check":
            import nbformat

            bad = 0
            for path in args.notebooks:
                nb = nbformat.read(path, as_version=4)
                problems = validate(nb, path.stem)
                if find_exercises(nb):  # a chapter: hints, a challenge, a rubric
                    problems += scaffold_problems(nb)
                bad += bool(problems)
                for problem in problems:
                    print(f"{path}: {problem}")
            print(
                f"{len(args.notebooks) - bad} of {len(args.notebooks)} notebooks "
                "follow the exercise format"
            )
            return 1 if bad else 0
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
