"""tests/benchmarks/sweep_toy.py runs the encoder chapter's own toy cells: they must be found."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "benchmarks" / "sweep_toy.py"
spec = importlib.util.spec_from_file_location("sweep_toy", SCRIPT)
sweep_toy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sweep_toy)


def test_the_toy_cells_run_from_the_setup_to_the_r2_table_without_magics():
    cells = sweep_toy.toy_cells()
    assert "helpers.start(\"encoder\")" in cells[0] and "pass" in cells[0]
    assert sweep_toy.LAST_CELL_MARK in cells[-1]
    assert not any(line.lstrip().startswith("%") for c in cells for line in c.splitlines())
    for source in cells:
        compile(source, "<cell>", "exec")  # valid Python once the magics are gone
    assert any("five_pixel_images" in c for c in cells) and any("fit(" in c for c in cells)


@pytest.mark.parametrize("text, seeds", [("0-3", [0, 1, 2, 3]), ("42,1,2", [42, 1, 2]),
                                         ("7", [7]), ("0-1,5", [0, 1, 5])])
def test_seeds_are_read_as_ranges_and_lists(text, seeds):
    assert sweep_toy.parse_seeds(text) == seeds
