"""Run the encoder chapter's five-pixel toy alone, over many seeds, and print its lesson's margin.

The toy's lesson (book/encoder.ipynb, the hidden cell after "What was lost") is that a
three-value code drops the faint checkerboard and keeps the three strong patterns. A lesson
must hold by a margin, not by the luck of a seed, so this script executes the chapter's own toy
cells (from its setup cell to the R² table, plots included) once per seed and prints, per seed,
the checkerboard's R² (the lesson needs it below 0.3) and the smallest R² of the other patterns
(above 0.8). Run it once per Keras backend::

    KERAS_BACKEND=jax .venv-jax/bin/python tests/benchmarks/sweep_toy.py --seeds 0-19

It exits non-zero if the lesson fails at any seed, so it can also serve as a check.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "encoder.ipynb"
LAST_CELL_MARK = "kept[name] = float(1 - residual.var()"  # the R² table closes the toy


def toy_cells(path: Path = CHAPTER) -> list[str]:
    """The chapter's code cells from the setup cell to the R² table, Colab's install and
    IPython magics left out."""
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    end = next(i for i, source in enumerate(cells) if LAST_CELL_MARK in source)
    def plain(line: str) -> str:  # an IPython magic becomes `pass`, indentation kept
        stripped = line.lstrip()
        return line[: len(line) - len(stripped)] + "pass" if stripped.startswith("%") else line

    return ["\n".join(map(plain, source.splitlines())) for source in cells[: end + 1]]


def parse_seeds(text: str) -> list[int]:
    """'0-19' or '42,1,2' → a list of seeds."""
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += list(range(int(low), int(high or low) + 1))
    if not seeds:
        raise ValueError(f"no seeds in {text!r}; expected e.g. 0-19 or 42,1,2")
    return seeds


def run_toy(seed: int, cells: list[str]) -> dict:
    os.environ["BOOK_SEED"] = str(seed)
    namespace: dict = {}
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells:
            exec(compile(source, str(CHAPTER), "exec"), namespace)
    kept = namespace["kept"]
    strong = min(kept[p] for p in kept if p != "checker")
    return {"seed": seed, "checker_r2": kept["checker"], "strong_min_r2": strong,
            "holds": kept["checker"] < 0.3 and strong > 0.8,
            "seconds": time.perf_counter() - started}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19", help="e.g. 0-19 or 42,1,2")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    os.environ.setdefault("BOOK_PROFILE", "ci")
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(ROOT / "book"))
    cells = toy_cells()
    import keras

    rows = [run_toy(seed, cells) for seed in parse_seeds(args.seeds)]
    backend = keras.backend.backend()
    print(f"backend {backend}, profile {os.environ['BOOK_PROFILE']}")
    print(f"{'seed':>4} {'checker R²':>11} {'others, min R²':>15} {'holds':>6} {'s':>5}")
    for r in rows:
        print(f"{r['seed']:>4} {r['checker_r2']:>11.3f} {r['strong_min_r2']:>15.3f} "
              f"{'yes' if r['holds'] else 'NO':>6} {r['seconds']:>5.1f}")
    checker_margin = 0.3 - max(r["checker_r2"] for r in rows)
    strong_margin = min(r["strong_min_r2"] for r in rows) - 0.8
    print(f"smallest margins: checker {checker_margin:+.3f} below 0.3, "
          f"others {strong_margin:+.3f} above 0.8; "
          f"{sum(r['holds'] for r in rows)} of {len(rows)} seeds hold")
    if args.json:
        args.json.write_text(json.dumps({"backend": backend, "rows": rows}, indent=1))
    return 0 if all(r["holds"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
