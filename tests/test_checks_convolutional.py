"""The checks of "The convolutional autoencoder": solutions pass, blanks and wrong answers get feedback."""
import numpy as np
import pytest

from helpers.checks import ExerciseIncorrect
from helpers.checks import convolutional as checks


def test_exercise_1_accepts_ratio_one(passes):
    passes(checks.exercise_1, 7 * 7 * 16 / 784)


def test_exercise_1_inverted_ratio_is_explained():
    with pytest.raises(ExerciseIncorrect, match="wrong way round"):
        checks.exercise_1(16)


def test_exercise_1_seed_ratio_is_wrong():
    with pytest.raises(ExerciseIncorrect, match="height × width × channels"):
        checks.exercise_1(8.0)


def _most_activating(codes, channel, k):
    return np.argsort(-np.asarray(codes)[..., channel].mean(axis=(1, 2)))[:k]


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, _most_activating)


def test_exercise_2_max_instead_of_mean_is_caught():
    def by_max(codes, channel, k):
        return np.argsort(-np.asarray(codes)[..., channel].max(axis=(1, 2)))[:k]
    with pytest.raises(ExerciseIncorrect, match="mean"):
        checks.exercise_2(by_max)


def test_exercise_2_weakest_first_is_caught():
    def ascending(codes, channel, k):
        return _most_activating(codes, channel, k)[::-1]
    with pytest.raises(ExerciseIncorrect, match="strongest first"):
        checks.exercise_2(ascending)


def _transposed_decoder(code_channels, final_activation="sigmoid", last_up=True):
    import keras
    from keras import layers
    code_input = keras.Input(shape=(7, 7, code_channels))
    y = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(code_input)
    y = layers.Conv2DTranspose(8, 3, strides=2 if last_up else 1, padding="same", activation="relu")(y)
    return keras.Model(code_input, layers.Conv2D(1, 3, padding="same", activation=final_activation)(y))


def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, _transposed_decoder)


def test_exercise_3_wrong_size_is_caught():
    with pytest.raises(ExerciseIncorrect, match=r"\(28, 28, 1\)"):
        checks.exercise_3(lambda c: _transposed_decoder(c, last_up=False))


def test_exercise_3_linear_output_is_caught():
    with pytest.raises(ExerciseIncorrect, match="sigmoid"):
        checks.exercise_3(lambda c: _transposed_decoder(c, final_activation="linear"))
