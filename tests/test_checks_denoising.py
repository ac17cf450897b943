"""The denoising chapter's checks: solutions pass, blanks are "not done", wrong answers say why.

(The classical filters of helpers.measure.denoisers are tested in tests/test_measure_denoisers.py.)
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import denoising as checks

SCORES = {"median": 18.4, "gaussian": 14.6, "total variation": 14.3, "non-local means": 15.2}


# -- exercise 1: which filter wins on salt-and-pepper noise ------------------------------
def test_ex1_the_measured_winner_passes():
    assert checks.exercise_1("median", SCORES)
    assert checks.exercise_1(" Median ", SCORES)


def test_ex1_wrong_filter_names_both_scores():
    with pytest.raises(ExerciseIncorrect, match=r"'median'.*14.6 dB against 18.4 dB"):
        checks.exercise_1("gaussian", SCORES)


def test_ex1_follows_the_data_not_a_fixed_answer():
    assert checks.exercise_1("gaussian", dict(SCORES, gaussian=20.0))


def test_ex1_an_unknown_filter_is_named():
    with pytest.raises(ExerciseIncorrect, match="should be one of"):
        checks.exercise_1("wiener", SCORES)


# -- exercise 2: the brightness of a black pixel after clipped noise ---------------------
def solution_background_brightness(noise_level):
    rng = np.random.default_rng(0)
    return float(np.clip(noise_level * rng.standard_normal(1_000_000), 0, 1).mean())


def test_clipped_noise_mean_matches_a_simulation():
    for level in (0.1, 0.5, 2.0):
        assert checks.clipped_noise_mean(level) == pytest.approx(
            solution_background_brightness(level), abs=2e-3)
    assert checks.clipped_noise_mean(0) == 0.0


def test_ex2_simulated_solution_passes():
    assert checks.exercise_2(solution_background_brightness)


def test_ex2_forgetting_the_clip_is_explained():
    with pytest.raises(ExerciseIncorrect, match="mean of the noise before clipping"):
        checks.exercise_2(lambda noise_level: 0.0)


def test_ex2_clipping_only_at_zero_is_explained():
    with pytest.raises(ExerciseIncorrect, match="clip at 0 but not at 1"):
        checks.exercise_2(lambda noise_level: noise_level / np.sqrt(2 * np.pi))


def test_ex2_other_wrong_values_show_each_level():
    with pytest.raises(ExerciseIncorrect, match=r"σ=0.5: 0.250 \(expected 0.195\)"):
        checks.exercise_2(lambda noise_level: noise_level / 2)


def test_ex2_a_crash_is_reported_kindly():
    with pytest.raises(ExerciseIncorrect, match="ZeroDivisionError"):
        checks.exercise_2(lambda noise_level: 1 / 0)


# -- exercise 3: the DAE against the median filter above its training level ------------------
def test_ex3_follows_the_measured_numbers():
    assert checks.exercise_3("higher", 13.5, 11.0)
    assert checks.exercise_3("lower", 10.0, 11.0)


def test_ex3_wrong_prediction_quotes_the_numbers():
    with pytest.raises(ExerciseIncorrect, match=r"DAE scores 13.5 dB and the median filter 11.0 dB"):
        checks.exercise_3("lower", 13.5, 11.0)
