"""The checks of "The encoder": the solutions pass, blanks are 'not done', wrong answers say why."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import encoder as checks


def pca_reconstruct(images, components, mean):
    flat = images.reshape(len(images), -1) - mean
    return np.clip(flat @ components.T @ components + mean, 0, 1).reshape(images.shape)


def max_principal_angle(a, b):
    q_a, _ = np.linalg.qr(a)
    q_b, _ = np.linalg.qr(b)
    cosines = np.linalg.svd(q_a.T @ q_b, compute_uv=False)
    return float(np.degrees(np.arccos(np.clip(cosines.min(), -1.0, 1.0))))


def test_solutions_pass(passes):
    passes(checks.exercise_1, "middle")
    passes(checks.exercise_1, " Middle ")
    passes(checks.exercise_2, pca_reconstruct)
    passes(checks.exercise_3, max_principal_angle)
    passes(checks.exercise_4, "worse")


def test_keeping_the_chapters_answer_is_explained():
    with pytest.raises(ExerciseIncorrect, match="now it is as strong"):
        checks.exercise_1("checker")


def test_unknown_pattern_lists_the_options():
    with pytest.raises(ExerciseIncorrect, match="'middle'"):
        checks.exercise_1("bump")


def test_pca_without_clipping_is_caught():
    def unclipped(images, components, mean):
        flat = images.reshape(len(images), -1) - mean
        return (flat @ components.T @ components + mean).reshape(images.shape)

    with pytest.raises(ExerciseIncorrect, match=r"\[0, 1\]"):
        checks.exercise_2(unclipped)


def test_pca_without_mean_is_caught():
    def no_mean(images, components, mean):
        flat = images.reshape(len(images), -1)
        return np.clip(flat @ components.T @ components, 0, 1).reshape(images.shape)

    with pytest.raises(ExerciseIncorrect, match="mean"):
        checks.exercise_2(no_mean)


def test_pca_flat_output_is_caught():
    with pytest.raises(ExerciseIncorrect, match="shape"):
        checks.exercise_2(lambda images, c, m: pca_reconstruct(images, c, m).reshape(len(images), -1))


def test_angle_in_radians_is_caught():
    with pytest.raises(ExerciseIncorrect, match="radians"):
        checks.exercise_3(lambda a, b: np.radians(max_principal_angle(a, b)))


def test_smallest_angle_is_caught():
    def smallest(a, b):
        q_a, _ = np.linalg.qr(a)
        q_b, _ = np.linalg.qr(b)
        return float(np.degrees(np.arccos(np.clip(np.linalg.svd(q_a.T @ q_b, compute_uv=False).max(), -1, 1))))

    with pytest.raises(ExerciseIncorrect, match="smallest"):
        checks.exercise_3(smallest)


def test_angle_without_orthonormalising_is_caught():
    def raw(a, b):
        cosines = np.linalg.svd(a.T @ b, compute_uv=False)
        return float(np.degrees(np.arccos(np.clip(cosines.min(), -1, 1))))

    with pytest.raises(ExerciseIncorrect, match="off by|0° apart"):
        checks.exercise_3(raw)


def test_crashing_answer_is_incorrect_not_a_traceback():
    def crashes(a, b):
        raise IndexError("oops")

    with pytest.raises(ExerciseIncorrect, match="IndexError"):
        checks.exercise_3(crashes)


@pytest.mark.parametrize("answer", ["the same", "better"])
def test_rotation_before_the_relu_wrong_answers_hint_without_the_answer(answer):
    with pytest.raises(ExerciseIncorrect) as failed:
        checks.exercise_4(answer)
    assert "worse" not in str(failed.value).lower()
    assert "ReLU" in str(failed.value)
