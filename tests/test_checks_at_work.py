"""The checks of "Autoencoders at work": solutions pass, blanks and wrong answers get
feedback."""

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import at_work as checks
from helpers.measure import outliers


def test_exercise_1_right_prediction_passes_either_way(passes):
    passes(checks.exercise_1, "no", False)
    passes(checks.exercise_1, " Yes ", True)


def test_exercise_1_wrong_prediction_explains_the_ink():
    with pytest.raises(ExerciseIncorrect, match="little ink"):
        checks.exercise_1("yes", False)
    with pytest.raises(ExerciseIncorrect, match="one of"):
        checks.exercise_1("maybe", False)


def test_exercise_2_solution_passes(passes):
    passes(
        checks.exercise_2,
        lambda scores, rate: np.sort(scores)[
            int(np.ceil(round(len(scores) * (1 - rate), 9))) - 1
        ],
    )
    passes(checks.exercise_2, outliers.threshold_at_false_positive_rate)


def test_exercise_2_the_higher_quantile_flags_one_score_too_few():
    with pytest.raises(ExerciseIncorrect, match="one score too high"):
        checks.exercise_2(
            lambda scores, rate: np.quantile(scores, 1 - rate, method="higher")
        )


def test_exercise_2_rate_quantile_instead_of_one_minus_rate_is_named():
    with pytest.raises(ExerciseIncorrect, match="1 − rate"):
        checks.exercise_2(lambda scores, rate: np.quantile(scores, rate))


def test_exercise_2_a_threshold_above_every_score_flags_too_few():
    with pytest.raises(ExerciseIncorrect, match="only"):
        checks.exercise_2(lambda scores, rate: scores.max())


def _auc(normal, outlier):
    return np.mean(
        (outlier[:, None] > normal[None, :])
        + 0.5 * (outlier[:, None] == normal[None, :])
    )


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, _auc)
    passes(checks.exercise_3, outliers.roc_auc)


def test_exercise_3_reversed_pairs_are_named():
    with pytest.raises(ExerciseIncorrect, match="other way round"):
        checks.exercise_3(lambda normal, outlier: 1 - _auc(normal, outlier))


def test_exercise_3_ties_counted_as_zero_are_named():
    with pytest.raises(ExerciseIncorrect, match="tie"):
        checks.exercise_3(
            lambda normal, outlier: np.mean(outlier[:, None] > normal[None, :])
        )
