"""The exercise checks of "Learned compression": right answers pass, blanks are 'not
done', plausible mistakes get a message that names the mistake."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import learned_compression as checks

MEASURED = {1.0: 9, 4.0: 3, 64.0: 1}


# -- Exercise 1: channels switched off as λ falls -------------------------------------
@pytest.mark.parametrize("prediction", ["more", " More "])
def test_exercise_1_right_prediction_passes(passes, prediction):
    passes(checks.exercise_1, prediction, MEASURED)


def test_exercise_1_is_judged_against_the_run():
    """Had this run switched as many channels off at every λ, "same" would be right."""
    with pytest.raises(ExerciseIncorrect, match="not what this run"):
        checks.exercise_1("more", {1.0: 2, 64.0: 2})
    assert checks.exercise_1("same", {1.0: 2, 64.0: 2})
    assert checks.exercise_1("fewer", {1.0: 0, 64.0: 2})


def test_exercise_1_wrong_prediction_hints_without_the_answer():
    with pytest.raises(ExerciseIncorrect) as caught:
        checks.exercise_1("fewer", MEASURED)
    assert '"more"' not in str(caught.value)


@pytest.mark.parametrize("counts", [{1.0: 3}, [3, 1], {-1.0: 3, 2.0: 1},
                                    {1.0: 2.5, 2.0: 1}])
def test_exercise_1_rejects_measurements_that_are_not_counts_by_lambda(counts):
    with pytest.raises(ValueError):
        checks.exercise_1("more", counts)


def test_exercise_1_blank_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_1(None, MEASURED)


# -- Exercise 2: a cumulative function becomes a coder's table -------------------------
def mass_solution(cumulative, low, high, *, fold=True, upper=None):
    edges = np.arange(low, (high if upper is None else upper)) + 0.5
    c = np.asarray(cumulative(edges), np.float64)
    if not fold:
        return np.diff(np.concatenate([[cumulative(low - 0.5)], c,
                                       [cumulative(high + 0.5)]]))
    return np.diff(np.concatenate([[0.0], c, [1.0]]))


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, mass_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda c, lo, hi: mass_solution(c, lo, hi, fold=False), "sums to"),
    (lambda c, lo, hi: mass_solution(c, lo, hi)[:-1], "probabilities for the"),
    (lambda c, lo, hi: mass_solution(c, lo, hi) * 1.1, "sums to"),
])
def test_exercise_2_names_the_mistake(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_2(wrong)


def test_exercise_2_blank_is_not_done():
    def blank(cumulative, low, high):
        raise NotImplementedError

    with pytest.raises(ExerciseNotDone):
        checks.exercise_2(blank)


# -- Exercise 3: the empirical entropy of each channel --------------------------------
def entropy_solution(symbols, log=np.log2):
    out = []
    for column in np.asarray(symbols).T:
        _, counts = np.unique(column, return_counts=True)
        p = counts / counts.sum()
        out.append(-(p * log(p)).sum())
    return np.array(out)


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, entropy_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda s: entropy_solution(s, log=np.log), "nats"),
    (lambda s: float(entropy_solution(s).sum()), "one number"),
    (lambda s: entropy_solution(s) + 0.1, "rounded_entropy_bits"),
])
def test_exercise_3_names_the_mistake(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_3(wrong)
