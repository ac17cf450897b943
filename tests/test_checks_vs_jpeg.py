"""The checks of "Autoencoders versus JPEG": solutions pass, blanks and wrong answers get feedback."""
import numpy as np
import pytest

from helpers.measure import codec
from helpers.checks import ExerciseIncorrect
from helpers.checks import vs_jpeg as checks


def test_exercise_1_accepts_an_estimate_near_the_real_size(passes):
    actual = len(codec.jpeg_encode(np.zeros((28, 28, 1), np.float32), quality=50))
    passes(checks.exercise_1, actual)
    passes(checks.exercise_1, 340)


def test_exercise_1_forgetting_the_headers_is_explained():
    with pytest.raises(ExerciseIncorrect, match="tables"):
        checks.exercise_1(20)


def _entropy(symbols):
    _, counts = np.unique(symbols, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, _entropy)


def test_exercise_2_nats_instead_of_bits_is_caught():
    def in_nats(symbols):
        _, counts = np.unique(symbols, return_counts=True)
        p = counts / counts.sum()
        return float(-(p * np.log(p)).sum())
    with pytest.raises(ExerciseIncorrect, match="np.log2"):
        checks.exercise_2(in_nats)


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, lambda n, images, bits_per_parameter=32: n * bits_per_parameter / (images * 784))


def test_exercise_3_bits_per_image_is_caught():
    with pytest.raises(ExerciseIncorrect, match="784"):
        checks.exercise_3(lambda n, images, bits_per_parameter=32: n * bits_per_parameter / images)
