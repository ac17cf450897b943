"""helpers.glue: glued numbers reach the prose as plain Python numbers, names are checked,
and a paragraph cites only what the run has computed."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import glue as glue_module
from helpers.glue import fill, glue


@pytest.fixture
def captured(monkeypatch):
    """What glue hands to myst-nb (its repr is what the build formats)."""
    import myst_nb

    seen = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display: seen.update({name: value})
    )
    monkeypatch.setattr(glue_module, "values", {})
    return seen


@pytest.mark.parametrize(
    "value", [np.float64(0.791), np.float32(0.5), np.int64(7), np.array(0.25)]
)
def test_numpy_scalars_are_glued_as_python_numbers(captured, value):
    glue("score", value)
    assert type(captured["score"]) in (float, int)
    assert format(float(repr(captured["score"])), ".2f") == format(float(value), ".2f")
    assert fill("{score:.2f}") == format(float(value), ".2f")


def test_arrays_and_text_are_left_alone(captured):
    glue("rows", np.arange(3))
    glue("word", "better")
    assert isinstance(captured["rows"], np.ndarray) and captured["word"] == "better"


@pytest.mark.parametrize("name", ["2x", "a-b", "", None])
def test_a_bad_name_is_refused(name):
    with pytest.raises(ValueError, match="identifier"):
        glue(name, 1.0)


def test_a_paragraph_citing_an_uncomputed_number_says_what_to_run(captured):
    with pytest.raises(KeyError, match="run the cells above"):
        fill("{never_glued:.2f}")


def test_a_paragraph_missing_a_number_shows_a_note_and_the_notebook_goes_on(
    captured, monkeypatch
):
    """An exercise left unanswered never glues its numbers: the paragraph after it
    must say so, not stop a student's Run All."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    glue("computed", 1.5)
    glue_module.paragraph("{computed:.1f} and {never_glued:.2f} and {also_never}")
    assert len(shown) == 1
    assert "`also_never`, `never_glued`" in shown[0] and "answer the exercise" in shown[0]
    assert "computed" not in shown[0].replace("not computed", "")
    glue_module.paragraph("{computed:.1f} nats")
    assert shown[1] == "1.5 nats"
