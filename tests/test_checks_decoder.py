"""The checks of "The decoder": the solutions pass, blanks are 'not done', wrong answers say why."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import decoder as checks


def interpolate_codes(code_a, code_b, steps):
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * np.asarray(code_a)[None, :] + t * np.asarray(code_b)[None, :]


def per_class_mse(originals, reconstructions, labels, n_classes):
    per_image = ((originals - reconstructions) ** 2).reshape(len(originals), -1).mean(axis=1)
    return np.array([per_image[labels == k].mean() if np.any(labels == k) else np.nan
                     for k in range(n_classes)])


def relative_error_per_class(originals, reconstructions, labels, n_classes):
    flat = originals.reshape(len(originals), -1)
    error = ((flat - reconstructions.reshape(len(flat), -1)) ** 2).sum(axis=1)
    relative = error / flat.sum(axis=1)
    return np.array([relative[labels == k].mean() if np.any(labels == k) else np.nan
                     for k in range(n_classes)])


def test_solutions_pass(passes):
    passes(checks.exercise_1, False)
    passes(checks.exercise_2, path_distances)
    passes(checks.exercise_3, relative_error_per_class)


def test_average_code_is_not_average_image():
    with pytest.raises(ExerciseIncorrect, match="for which kind of function"):
        checks.exercise_1(True)
    with pytest.raises(ExerciseIncorrect, match="True or False"):
        checks.exercise_1("no")


def path_distances(code_a, code_b, steps, references):
    path = interpolate_codes(code_a, code_b, steps)
    return np.sqrt(((path[:, None] - references[None]) ** 2).sum(axis=2)).min(axis=1)


def test_a_path_without_its_end_is_caught():
    with pytest.raises(ExerciseIncorrect, match="4 distances for 5 steps"):
        checks.exercise_2(lambda a, b, steps, refs: path_distances(a, b, steps, refs)[:-1])


def test_a_path_backwards_is_caught():
    with pytest.raises(ExerciseIncorrect, match="from code_b to code_a"):
        checks.exercise_2(lambda a, b, steps, refs: path_distances(b, a, steps, refs))


def test_squared_distances_are_caught():
    with pytest.raises(ExerciseIncorrect, match="squared"):
        checks.exercise_2(lambda a, b, steps, refs: path_distances(a, b, steps, refs) ** 2)


def test_the_mean_distance_is_not_the_nearest():
    def mean_gap(a, b, steps, refs):
        path = interpolate_codes(a, b, steps)
        return np.sqrt(((path[:, None] - refs[None]) ** 2).sum(axis=2)).mean(axis=1)
    with pytest.raises(ExerciseIncorrect, match="not to the nearest"):
        checks.exercise_2(mean_gap)


def test_the_plain_error_per_class_is_caught():
    with pytest.raises(ExerciseIncorrect, match="ink is not taken out"):
        checks.exercise_3(per_class_mse)


def test_total_error_over_total_ink_is_caught():
    def pooled(originals, reconstructions, labels, n_classes):
        flat = originals.reshape(len(originals), -1)
        error = ((flat - reconstructions.reshape(len(flat), -1)) ** 2).sum(axis=1)
        return np.array([error[labels == k].sum() / flat[labels == k].sum() if np.any(labels == k)
                         else np.nan for k in range(n_classes)])

    with pytest.raises(ExerciseIncorrect, match="ratio per image first"):
        checks.exercise_3(pooled)


def test_per_class_missing_nan_is_caught():
    def zero_for_empty(originals, reconstructions, labels, n_classes):
        return np.nan_to_num(relative_error_per_class(originals, reconstructions, labels, n_classes))

    with pytest.raises(ExerciseIncorrect, match="nan"):
        checks.exercise_3(zero_for_empty)


def test_per_class_wrong_count_is_caught():
    with pytest.raises(ExerciseIncorrect, match="one per class"):
        checks.exercise_3(lambda o, r, labels, n: relative_error_per_class(o, r, labels, n)[:3])
