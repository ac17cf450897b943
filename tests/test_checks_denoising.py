"""The denoising chapter's checks: solutions pass, blanks are "not done", wrong answers say why.

(The classical filters of helpers.measure.denoisers are tested in tests/test_measure_denoisers.py.)
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import denoising as checks

SCORES = {"median": 18.4, "gaussian": 14.6, "total variation": 14.3, "non-local means": 15.2}


# -- exercise 2: which filter wins on salt-and-pepper noise ------------------------------
def test_ex2_the_measured_winner_passes():
    assert checks.exercise_2("median", SCORES)
    assert checks.exercise_2(" Median ", SCORES)


def test_ex2_wrong_filter_says_how_far_below_the_best_without_naming_it():
    with pytest.raises(ExerciseIncorrect, match=r"'gaussian' is not the filter that wins in this run: 14.6 dB, 3.8 dB below"):
        checks.exercise_2("gaussian", SCORES)


def test_ex2_follows_the_data_not_a_fixed_answer():
    assert checks.exercise_2("gaussian", dict(SCORES, gaussian=20.0))


@pytest.mark.parametrize("winner", checks.FILTER_NAMES)
def test_ex2_explains_the_filter_that_won_not_always_the_median(winner, capsys):
    assert checks.exercise_2(winner, dict(SCORES, **{winner: 30.0}))
    said = capsys.readouterr().out
    assert f"{winner} wins with 30.0 dB: {checks.WHY_IT_WINS[winner]}" in said
    assert ("a median ignores" in said) == (winner == "median")


def test_ex2_an_unknown_filter_is_named():
    with pytest.raises(ExerciseIncorrect, match="should be one of"):
        checks.exercise_2("wiener", SCORES)


# -- exercise 3: the brightness of a black pixel after clipped noise ---------------------
def solution_background_brightness(noise_level):
    rng = np.random.default_rng(0)
    return float(np.clip(noise_level * rng.standard_normal(1_000_000), 0, 1).mean())


def test_clipped_noise_mean_matches_a_simulation():
    for level in (0.1, 0.5, 2.0):
        assert checks.clipped_noise_mean(level) == pytest.approx(
            solution_background_brightness(level), abs=2e-3)
    assert checks.clipped_noise_mean(0) == 0.0


def test_ex3_simulated_solution_passes():
    assert checks.exercise_3(solution_background_brightness)


def test_ex3_forgetting_the_clip_is_explained():
    with pytest.raises(ExerciseIncorrect, match="mean of the noise before clipping"):
        checks.exercise_3(lambda noise_level: 0.0)


def test_ex3_clipping_only_at_zero_is_explained():
    with pytest.raises(ExerciseIncorrect, match="clip at 0 but not at 1"):
        checks.exercise_3(lambda noise_level: noise_level / np.sqrt(2 * np.pi))


def test_ex3_other_wrong_values_show_each_level():
    with pytest.raises(ExerciseIncorrect, match=r"σ=0.5: 0.250 \(expected 0.195\)"):
        checks.exercise_3(lambda noise_level: noise_level / 2)


def test_ex3_a_crash_is_reported_kindly():
    with pytest.raises(ExerciseIncorrect, match="ZeroDivisionError"):
        checks.exercise_3(lambda noise_level: 1 / 0)


# -- exercise 1: the DAE against its noisy input below its training level ------------------
def test_ex1_follows_the_measured_numbers():
    assert checks.exercise_1("higher", 13.5, 11.0)
    assert checks.exercise_1("lower", 10.0, 11.0)


def test_ex1_wrong_prediction_points_to_the_curve_without_the_numbers():
    with pytest.raises(ExerciseIncorrect, match=r"not what this run measures at σ = 0.1"):
        checks.exercise_1("lower", 13.5, 11.0)
