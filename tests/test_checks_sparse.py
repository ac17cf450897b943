"""The checks of "The sparse autoencoder": solutions pass, blanks are not done, wrong answers say why."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import sparse as checks

LETTERS = list("ABCDEFGHIJ")
UNITS = np.array([23.0, 22.8, 26.7, 24.5, 25.1, 25.6, 25.5, 22.6, 18.9, 26.5])  # "I" uses the fewest


def kl_solution(codes, target):
    mean_activation = np.clip(codes.mean(axis=0), 1e-6, 1 - 1e-6)
    return float(np.sum(target * np.log(target / mean_activation)
                        + (1 - target) * np.log((1 - target) / (1 - mean_activation))))


def top_k_solution(codes, k):
    kth_largest = -np.sort(-codes, axis=1)[:, k - 1:k]
    return np.where(codes >= kth_largest, codes, 0.0)


def dead_solution(codes, threshold):
    return float(np.mean(codes.max(axis=0) <= threshold))


# -- exercise 1 -------------------------------------------------------------------------
def test_ex1_the_letter_with_fewest_units_passes_in_any_case(passes):
    passes(checks.exercise_1, "I", UNITS, LETTERS)
    passes(checks.exercise_1, " i ", UNITS, LETTERS)


def test_ex1_wrong_letter_says_how_many_more_units_it_uses():
    with pytest.raises(ExerciseIncorrect, match=r"C uses 26.7 .* 7.8 more"):
        checks.exercise_1("C", UNITS, LETTERS)


def test_ex1_not_a_letter_says_what_is_expected():
    with pytest.raises(ExerciseIncorrect, match="should be one of 'A', 'B'"):
        checks.exercise_1("Z", UNITS, LETTERS)


def test_ex1_follows_the_measured_data_not_a_fixed_answer(passes):
    units = UNITS.copy()
    units[1] = 1.0  # a run where B uses the fewest
    passes(checks.exercise_1, "B", units, LETTERS)
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_1("I", units, LETTERS)


def test_ex1_measurements_of_the_wrong_length_are_a_value_error():
    with pytest.raises(ValueError, match="one value per class"):
        checks.exercise_1("I", UNITS[:5], LETTERS)


# -- exercise 2 -------------------------------------------------------------------------
def test_ex2_solution_passes(passes):
    passes(checks.exercise_2, kl_solution)


def test_ex2_averaging_over_units_is_named():
    def averaged(codes, target):
        return kl_solution(codes, target) / codes.shape[1]
    with pytest.raises(ExerciseIncorrect, match="averaged over code units"):
        checks.exercise_2(averaged)


def test_ex2_missing_second_term_is_named():
    def half(codes, target):
        return float(np.sum(target * np.log(target / codes.mean(axis=0))))
    with pytest.raises(ExerciseIncorrect, match=r"left out the \(1 − ρ\)"):
        checks.exercise_2(half)


def test_ex2_swapped_arguments_are_named():
    def swapped(codes, target):
        m = codes.mean(axis=0)
        return float(np.sum(m * np.log(m / target) + (1 - m) * np.log((1 - m) / (1 - target))))
    with pytest.raises(ExerciseIncorrect, match="swapped"):
        checks.exercise_2(swapped)


def test_ex2_an_array_instead_of_a_number_is_explained():
    def per_unit(codes, target):
        m = codes.mean(axis=0)
        return target * np.log(target / m) + (1 - target) * np.log((1 - target) / (1 - m))
    with pytest.raises(ExerciseIncorrect, match="one number"):
        checks.exercise_2(per_unit)


# -- exercise 3 -------------------------------------------------------------------------
def test_ex3_solution_passes(passes):
    passes(checks.exercise_3, top_k_solution)


def test_ex3_removing_values_instead_of_zeroing_is_explained():
    def removed(codes, k):
        return -np.sort(-codes, axis=1)[:, :k]
    with pytest.raises(ExerciseIncorrect, match="keep the shape"):
        checks.exercise_3(removed)


def test_ex3_top_k_over_the_whole_batch_is_caught():
    def batch_wide(codes, k):
        cut = np.sort(codes, axis=None)[-k * len(codes)]
        return np.where(codes >= cut, codes, 0.0)
    with pytest.raises(ExerciseIncorrect, match="keeps .* non-zero values"):
        checks.exercise_3(batch_wide)


def test_ex3_keeping_the_smallest_is_caught():
    def smallest(codes, k):
        kth = np.sort(codes, axis=1)[:, k - 1:k]
        return np.where(codes <= kth, codes, 0.0)
    with pytest.raises(ExerciseIncorrect):
        checks.exercise_3(smallest)


# -- exercise 4 -------------------------------------------------------------------------
def test_ex4_solution_passes(passes):
    passes(checks.exercise_4, dead_solution)


def test_ex4_alive_fraction_is_named():
    with pytest.raises(ExerciseIncorrect, match="alive"):
        checks.exercise_4(lambda codes, threshold: 1 - dead_solution(codes, threshold))


def test_ex4_comparing_with_zero_is_named():
    with pytest.raises(ExerciseIncorrect, match="not with 0"):
        checks.exercise_4(lambda codes, threshold: float(np.mean(codes.max(axis=0) <= 0)))


def test_ex4_per_pair_fraction_is_named():
    with pytest.raises(ExerciseIncorrect, match="maximum over images"):
        checks.exercise_4(lambda codes, threshold: float(np.mean(codes <= threshold)))


def test_exercise_1_accepts_a_letter_tied_with_the_fewest_within_five_percent(passes):
    units = np.array([30.0, 25, 28, 27, 26, 29, 27, 24, 19.5, 23])  # J fewest, I within 3%
    names = list("ABCDEFGHIJ")
    units[8], units[9] = 20.0, 19.5
    passes(checks.exercise_1, "I", units, names)
    with pytest.raises(ExerciseIncorrect, match="more than the letter"):
        checks.exercise_1("H", units, names)
