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


# -- Exercise 2: a vector from a few codes of each group -------------------------------------
def vector_from_few_solution(codes, has_attribute, count, seed):
    rng = np.random.default_rng(seed)
    with_it = rng.choice(np.flatnonzero(has_attribute), size=count, replace=False)
    without = rng.choice(np.flatnonzero(~has_attribute), size=count, replace=False)
    return codes[with_it].mean(axis=0) - codes[without].mean(axis=0)


def vector_from_a_permutation(codes, has_attribute, count, seed):
    """Another correct drawing: shuffle each group and take its first count rows."""
    rng = np.random.default_rng(seed)
    with_it = rng.permutation(np.flatnonzero(has_attribute))[:count]
    without = rng.permutation(np.flatnonzero(~has_attribute))[:count]
    return codes[with_it].mean(axis=0) - codes[without].mean(axis=0)


@pytest.mark.parametrize("answer", [vector_from_few_solution, vector_from_a_permutation])
def test_exercise_2_any_correct_drawing_passes(passes, answer):
    passes(checks.exercise_2, answer)


def _with_replacement(codes, has_attribute, count, seed):
    rng = np.random.default_rng(seed)
    with_it = rng.choice(np.flatnonzero(has_attribute), size=count)
    without = rng.choice(np.flatnonzero(~has_attribute), size=count)
    return codes[with_it].mean(axis=0) - codes[without].mean(axis=0)


def _first_rows(codes, has_attribute, count, seed):
    return codes[has_attribute][:count].mean(axis=0) - codes[~has_attribute][:count].mean(axis=0)


def _global_random_state(codes, has_attribute, count, seed):
    with_it = np.random.choice(np.flatnonzero(has_attribute), size=count, replace=False)
    without = np.random.choice(np.flatnonzero(~has_attribute), size=count, replace=False)
    return codes[with_it].mean(axis=0) - codes[without].mean(axis=0)


def _from_all_rows(codes, has_attribute, count, seed):
    rng = np.random.default_rng(seed)
    with_it = rng.choice(np.flatnonzero(has_attribute), size=count, replace=False)
    without = rng.choice(len(codes), size=count, replace=False)
    return codes[with_it].mean(axis=0) - codes[without].mean(axis=0)


@pytest.mark.parametrize("wrong, message", [
    (lambda c, h, n, s: -vector_from_few_solution(c, h, n, s), "wrong way"),
    (lambda c, h, n, s: n * vector_from_few_solution(c, h, n, s), "sums, not means"),
    (lambda c, h, n, s: vector_from_few_solution(c, h, n, s)[None], "shape"),
    (lambda c, h, n, s: c[h].mean(axis=0) - c[~h].mean(axis=0), "count is not used"),
    (_with_replacement, "without replacement"),
    (_first_rows, "not drawn at random"),
    (_global_random_state, "cannot be repeated"),
    (_from_all_rows, "off by|only from that group"),
])
def test_exercise_2_plausible_mistakes_are_named(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_2(wrong)


def test_exercise_2_hints_do_not_spell_out_the_code():
    for wrong in (_with_replacement, _first_rows, _global_random_state):
        with pytest.raises(ExerciseIncorrect) as failure:
            checks.exercise_2(wrong)
        assert "rng.choice" not in str(failure.value)
        assert ".mean(axis=0)" not in str(failure.value)


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
