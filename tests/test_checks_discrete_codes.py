"""The exercise checks of "Discrete codes: the vector-quantised autoencoder": right
answers pass, blanks are 'not done', plausible mistakes get a message that names the
mistake."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import discrete_codes as checks


# -- Exercise 1: swapped stop-gradients ------------------------------------------------
@pytest.mark.parametrize("prediction", ["b", " B "])
def test_exercise_1_right_prediction_passes(passes, prediction):
    passes(checks.exercise_1, prediction, 0.0, 0.40, 0.65)


def test_exercise_1_is_judged_against_the_run():
    """Had this run's codebook moved, "a" would be right and "b" wrong."""
    with pytest.raises(ExerciseIncorrect, match="not what this run"):
        checks.exercise_1("b", 0.01, 0.40, 0.65)
    assert checks.exercise_1("a", 0.01, 0.40, 0.65)
    assert checks.exercise_1("c", 0.0, 0.63, 0.65)  # a fall to the average letter only


def test_exercise_1_rejects_a_loss_that_is_not_a_number():
    with pytest.raises(ExerciseIncorrect, match="final_loss"):
        checks.exercise_1("b", 0.0, "low", 0.65)


def test_exercise_1_wrong_prediction_hints_without_the_answer():
    with pytest.raises(ExerciseIncorrect) as caught:
        checks.exercise_1("a", 0.0, 0.40, 0.65)
    assert "frozen" not in str(caught.value) and '"b"' not in str(caught.value)


def test_exercise_1_rejects_an_answer_outside_the_options():
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_1("frozen", 0.0, 0.40, 0.65)


def test_exercise_1_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_1(None, 0.0, 0.40, 0.65)


# -- Exercise 2: bits under code frequencies alone -------------------------------------
def frequency_solution(train_grids, test_grids, codebook_size, *, plus=1.0,
                       log=np.log2, per_index=False):
    counts = np.bincount(np.ravel(train_grids), minlength=codebook_size) + plus
    bits = -log(counts / counts.sum())[np.asarray(test_grids)]
    return bits if per_index else bits.reshape(len(test_grids), -1).sum(axis=1)


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, frequency_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: frequency_solution(*a, log=np.log), "nats"),
    (lambda *a: frequency_solution(*a, plus=0.0), "infinitely many bits"),
    (lambda *a: frequency_solution(*a, per_index=True), "bits per index"),
    (lambda *a: frequency_solution(*a, plus=0.5), "off by"),
])
def test_exercise_2_names_the_mistake(wrong, message):
    with np.errstate(divide="ignore"):
        with pytest.raises(ExerciseIncorrect, match=message):
            checks.exercise_2(wrong)


def test_exercise_2_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_2(None)


# -- Exercise 3: residual quantisation -------------------------------------------------
def residual_solution(vectors, codebooks, *, stages=None, on_residual=True):
    residual = np.array(vectors, dtype=np.float64)
    total = np.zeros_like(residual)
    for codebook in codebooks[:stages]:
        target = residual if on_residual else np.asarray(vectors, dtype=np.float64)
        distances = ((target[:, None, :] - codebook[None]) ** 2).sum(axis=2)
        chosen = codebook[distances.argmin(axis=1)]
        total, residual = total + chosen, residual - chosen
    return total


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, residual_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda v, c: residual_solution(v, c, stages=1), "only the first codebook"),
    (lambda v, c: residual_solution(v, c, on_residual=False), "vectors themselves"),
    (lambda v, c: residual_solution(v, c)[:10], "shape"),
    (lambda v, c: residual_solution(v, c[::-1]), "off by"),
])
def test_exercise_3_names_the_mistake(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_3(wrong)


def test_exercise_3_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_3(None)
