"""The checks of "Autoencoders versus JPEG": solutions pass, blanks and wrong answers get feedback."""
import math

import numpy as np
import pytest

from helpers.measure import codec
from helpers.checks import ExerciseIncorrect
from helpers.checks import vs_jpeg as checks


def _blank_280():
    return len(codec.jpeg_encode(np.zeros((280, 280, 1), np.float32), quality=50))


def test_exercise_1_accepts_headers_plus_a_few_bits_per_empty_block(passes):
    passes(checks.exercise_1, _blank_280())
    passes(checks.exercise_1, 330 + 35 * 35 * 6 / 8)  # the reasoning of the hint


@pytest.mark.parametrize("guess, says", [(344, "too few"), (20, "too few"), (30_000, "too many")])
def test_exercise_1_says_which_way_it_is_off_but_not_the_size(guess, says):
    with pytest.raises(ExerciseIncorrect, match=says) as failed:
        checks.exercise_1(guess)
    assert str(_blank_280()) not in str(failed.value)


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


def _break_even(n, ae_bpp, jpeg_bpp, bits_per_parameter=32):
    if ae_bpp >= jpeg_bpp:
        return math.inf
    return math.floor(n * bits_per_parameter / (784 * (jpeg_bpp - ae_bpp))) + 1


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, _break_even)


def test_exercise_3_a_tie_is_not_a_win():
    with pytest.raises(ExerciseIncorrect, match="strictly less"):
        checks.exercise_3(lambda *args, **kw: _break_even(*args, **kw) - 1)


def test_exercise_3_a_payload_dearer_than_jpeg_never_wins():
    def no_inf(n, ae_bpp, jpeg_bpp, bits_per_parameter=32):
        return math.ceil(n * bits_per_parameter / (784 * abs(jpeg_bpp - ae_bpp)))
    with pytest.raises(ExerciseIncorrect, match="math.inf"):
        checks.exercise_3(no_inf)
