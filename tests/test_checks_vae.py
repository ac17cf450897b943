"""The exercise checks of "The variational autoencoder": right answers pass, blanks are 'not done',
plausible mistakes get a message that names the mistake."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import vae as checks


# -- Exercise 1: predict the effect of β -------------------------------------------------------
def test_exercise_1_right_prediction_passes(passes):
    passes(checks.exercise_1, {"kl": "lower", "reconstruction": "Higher "})


def test_exercise_1_half_answered_is_not_done():
    """One direction left blank: not done (a blank answer is in tests/test_checks_all.py)."""
    with pytest.raises(ExerciseNotDone):
        checks.exercise_1({"kl": None, "reconstruction": "higher"})


def test_exercise_1_wrong_direction_explains_the_kl():
    with pytest.raises(ExerciseIncorrect, match="β multiplies the KL in the loss"):
        checks.exercise_1({"kl": "higher", "reconstruction": "higher"})


def test_exercise_1_not_a_direction_says_what_is_expected():
    with pytest.raises(ExerciseIncorrect, match="should be one of 'lower', 'higher'"):
        checks.exercise_1({"kl": "less", "reconstruction": "higher"})


# -- Exercise 2: the analytic KL -----------------------------------------------------------------
def kl_solution(z_mean, z_log_var):
    return 0.5 * (z_mean ** 2 + np.exp(z_log_var) - 1 - z_log_var)


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, kl_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda m, v: (m ** 2 + np.exp(v) - 1 - v), "twice"),
    (lambda m, v: kl_solution(m, v).sum(axis=1), "summed over the latent"),
    (lambda m, v: 0.5 * (m ** 2 + v ** 2 - 1 - np.log(v ** 2)), "as if it were σ"),
    (lambda m, v: 0.5 * (m ** 2 + np.exp(v) - 1 + v), "off by"),
])
def test_exercise_2_plausible_mistakes_are_named(wrong, message):
    with np.errstate(all="ignore"):
        with pytest.raises(ExerciseIncorrect, match=message):
            checks.exercise_2(wrong)


# -- Exercise 3: importance-weighted estimate with log-sum-exp --------------------------------------
def iw_solution(log_weights):
    top = log_weights.max(axis=0)
    return -(top + np.log(np.mean(np.exp(log_weights - top), axis=0)))


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, iw_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda a: -np.log(np.mean(np.exp(a), axis=0)), "underflowed"),
    (lambda a: iw_solution(a) - np.log(len(a)), "log k"),
    (lambda a: -a.mean(axis=0), "averaged the log weights"),
    (lambda a: -iw_solution(a), "sign"),
    (lambda a: float(iw_solution(a).mean()), "shape"),
])
def test_exercise_3_plausible_mistakes_are_named(wrong, message):
    with np.errstate(all="ignore"):
        with pytest.raises(ExerciseIncorrect, match=message):
            checks.exercise_3(wrong)


# -- Exercise 4: β as a knob, measured ------------------------------------------------------------
BASELINE = {"reconstruction": 150.0, "kl": 6.0}


def test_exercise_4_trade_off_passes(passes):
    passes(checks.exercise_4, lambda beta: {"reconstruction": 160.0, "kl": 3.0}, BASELINE)


def test_exercise_4_kl_not_lower_is_incorrect_with_numbers():
    with pytest.raises(ExerciseIncorrect, match="KL is 7.00 nats, not below"):
        checks.exercise_4(lambda beta: {"reconstruction": 160.0, "kl": 7.0}, BASELINE)


def test_exercise_4_same_numbers_as_baseline_means_no_new_model():
    with pytest.raises(ExerciseIncorrect, match="train a new"):
        checks.exercise_4(lambda beta: dict(BASELINE), BASELINE)


def test_exercise_4_wrong_type_says_what_is_expected():
    with pytest.raises(ExerciseIncorrect, match="dict with keys"):
        checks.exercise_4(lambda beta: (160.0, 3.0), BASELINE)


# -- Exercise 5: the β hidden in an averaged loss -----------------------------------------------
def test_exercise_5_values_over_latent_size_passes(passes):
    passes(checks.exercise_5, lambda shape, latent: np.prod(shape) / latent)


@pytest.mark.parametrize("wrong, message", [
    (lambda shape, latent: float(np.prod(shape)), "averages the KL too"),
    (lambda shape, latent: latent / np.prod(shape), "below 1"),
    (lambda shape, latent: shape[0] * shape[1] / latent, "channels"),
    (lambda shape, latent: 1.0, "not the weight"),
])
def test_exercise_5_plausible_mistakes_are_named(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_5(wrong)


def test_exercise_5_messages_never_state_the_answer():
    """No message of a wrong answer prints a right value (e.g. 48 for (32, 32, 3) and 64)."""
    for wrong in (lambda s, l: float(np.prod(s)), lambda s, l: l / np.prod(s), lambda s, l: 7.0):
        with pytest.raises(ExerciseIncorrect) as raised:
            checks.exercise_5(wrong)
        assert not any(f" {np.prod(s) / l:g}" in str(raised.value) for s, l in checks._SHAPES)


def test_exercise_5_a_text_answer_is_incorrect():
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_5(lambda shape, latent: "784")
