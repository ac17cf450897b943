"""The exercise checks of "Latent vector arithmetic", and its judges: right answers pass, blanks
are 'not done', plausible mistakes get a message that names the mistake, bad input says what was
expected."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import vector_arithmetic as checks


# -- Exercise 1: predict what subtracting the bold vector does ---------------------------------
def test_exercise_1_prediction_that_matches_the_run_passes(passes):
    passes(checks.exercise_1, "regular", 0.83, 0.08)
    passes(checks.exercise_1, " Bold", 0.2, 0.1)


def test_exercise_1_is_judged_against_the_unchanged_decoding(passes):
    # 55% regular looks like "most", but it is only 5 points above the unedited 50%.
    with pytest.raises(ExerciseIncorrect, match="against 50% unchanged"):
        checks.exercise_1("regular", 0.55, 0.50)
    passes(checks.exercise_1, "regular", 0.55, 0.15)


def test_exercise_1_wrong_prediction_gives_the_measured_rate_and_why():
    with pytest.raises(ExerciseIncorrect, match="83% of the bold glyphs read as regular"):
        checks.exercise_1("bold", 0.83, 0.08)
    with pytest.raises(ExerciseIncorrect, match="only 20%"):
        checks.exercise_1("regular", 0.2, 0.1)


def test_exercise_1_unknown_word_says_what_is_expected():
    with pytest.raises(ExerciseIncorrect, match="should be one of 'regular', 'bold'"):
        checks.exercise_1("thin", 0.8)


@pytest.mark.parametrize("rate", [1.5, -0.1, "a lot", None])
def test_exercise_1_measured_rate_must_be_a_fraction(rate):
    with pytest.raises(ValueError, match="fraction"):
        checks.exercise_1("regular", rate)


# -- Exercise 2: the attribute vector ----------------------------------------------------------
def attribute_vector_solution(codes, has_attribute):
    return codes[has_attribute].mean(axis=0) - codes[~has_attribute].mean(axis=0)


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, attribute_vector_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda c, h: c[~h].mean(axis=0) - c[h].mean(axis=0), "wrong way"),
    (lambda c, h: c[h].sum(axis=0) - c[~h].sum(axis=0), "sums, not means"),
    (lambda c, h: c[h].mean(axis=0) - c.mean(axis=0), "mean of \\*all\\* codes"),
    (lambda c, h: c[h].mean(axis=1), "one number per glyph"),
    (lambda c, h: c[h].mean(axis=0), "off by"),
])
def test_exercise_2_plausible_mistakes_are_named(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_2(wrong)


# -- Exercise 3: a slant statistic -------------------------------------------------------------
def slant_solution(images):
    ink = images[..., 0].astype(np.float64)
    rows = np.arange(28.0)[None, :, None]
    cols = np.arange(28.0)[None, None, :]
    w = ink / ink.sum(axis=(1, 2), keepdims=True)
    r = rows - (w * rows).sum(axis=(1, 2), keepdims=True)
    c = cols - (w * cols).sum(axis=(1, 2), keepdims=True)
    return -(w * r * c).sum(axis=(1, 2)) / (w * r * r).sum(axis=(1, 2))


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, slant_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda x: -slant_solution(x), "wrong sign"),
    (lambda x: slant_solution(x).mean(), "one number per image"),
    (lambda x: slant_solution(x) * 2, "off by"),
    (lambda x: slant_solution(x) + 0.2, "upright bar"),
])
def test_exercise_3_plausible_mistakes_are_named(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_3(wrong)


def test_exercise_3_test_bars_lean_as_their_shear_says():
    """The check's own test images: the reference slant recovers the shear they were drawn with."""
    shears = [0.0, 0.25, -0.5]
    assert np.allclose(checks._reference_slant(checks._bars(shears)), shears, atol=0.01)
