"""The exercise checks of "Looking inside a network": right answers pass, blanks are 'not
done', plausible mistakes get a message that names the mistake."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import looking_inside as checks

MEASURED = {391: 3, 221: 8, 292: 0, 17: 4, 40: 2}


# -- Exercise 1: does a wider dictionary split a feature? ------------------------------
@pytest.mark.parametrize("prediction", ["several", " Several "])
def test_exercise_1_right_prediction_passes(passes, prediction):
    passes(checks.exercise_1, prediction, MEASURED)


def test_exercise_1_is_judged_against_the_run():
    """Had the median latent been found once, "one" would be right."""
    once = {1: 1, 2: 1, 3: 0, 4: 5}
    with pytest.raises(ExerciseIncorrect, match="not what this run"):
        checks.exercise_1("several", once)
    assert checks.exercise_1("one", once)


def test_exercise_1_wrong_prediction_hints_without_the_answer():
    with pytest.raises(ExerciseIncorrect) as caught:
        checks.exercise_1("one", MEASURED)
    assert "several" not in str(caught.value).lower()


@pytest.mark.parametrize("split", [{}, [3, 1], {1: -1}, {1: 2.5}, {1: True}])
def test_exercise_1_rejects_measurements_that_are_not_counts(split):
    with pytest.raises(ValueError):
        checks.exercise_1("several", split)


def test_exercise_1_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_1(None, MEASURED)


# -- Exercise 2: variance explained ---------------------------------------------------
def variance_explained(activations, reconstruction):
    a, r = np.asarray(activations, "float64"), np.asarray(reconstruction, "float64")
    return 1 - np.sum((a - r) ** 2) / np.sum((a - a.mean(axis=0)) ** 2)


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, variance_explained)


def test_exercise_2_one_mean_over_everything_is_named():
    def one_mean(a, r):
        a, r = np.asarray(a), np.asarray(r)
        return 1 - np.sum((a - r) ** 2) / np.sum((a - a.mean()) ** 2)

    with pytest.raises(ExerciseIncorrect):
        checks.exercise_2(one_mean)


def test_exercise_2_mean_squared_error_alone_fails():
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_2(lambda a, r: float(np.mean((np.asarray(a) - r) ** 2)))


def test_exercise_2_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_2(None)


# -- Exercise 3: TopK in NumPy ----------------------------------------------------------
def top_k_latents(pre, k):
    pre = np.asarray(pre, "float64")
    keep = np.argpartition(-pre, k - 1, axis=1)[:, :k]
    out = np.zeros_like(pre)
    np.put_along_axis(out, keep, np.take_along_axis(pre, keep, axis=1), axis=1)
    return np.maximum(out, 0)


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, top_k_latents)


def test_exercise_3_without_the_relu_is_named():
    def no_relu(pre, k):
        pre = np.asarray(pre, "float64")
        keep = np.argsort(-pre, axis=1)[:, :k]
        out = np.zeros_like(pre)
        np.put_along_axis(out, keep, np.take_along_axis(pre, keep, axis=1), axis=1)
        return out

    with pytest.raises(ExerciseIncorrect, match="negative"):
        checks.exercise_3(no_relu)


def test_exercise_3_k_largest_of_the_whole_array_is_named():
    def whole(pre, k):
        pre = np.asarray(pre, "float64")
        flat = np.argsort(-pre, axis=None)[: k * len(pre)]
        out = np.zeros(pre.size)
        out[flat] = pre.ravel()[flat]
        return np.maximum(out.reshape(pre.shape), 0)

    with pytest.raises(ExerciseIncorrect, match="more than k"):
        checks.exercise_3(whole)


def test_exercise_3_relu_alone_fails():
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_3(lambda pre, k: np.maximum(np.asarray(pre), 0))


def test_exercise_3_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_3(None)
