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


def _letter_purity(codes, labels, channel, k):
    strength = np.asarray(codes)[..., channel].mean(axis=(1, 2))
    top = np.argsort(-strength)[:k]
    return np.bincount(np.asarray(labels)[top]).max() / k


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, _letter_purity)


def test_exercise_2_sets_the_bar_at_pixel_statistics_not_chance(passes):
    images = np.zeros((150, 28, 28, 1), np.float32)
    labels = np.arange(150) % 3
    images[labels == 1, 7:21, 7:21] = 1.0  # letter 1: its ink in the centre ...
    images[labels != 1, :7, :] = 1.0  # ... the others as much ink, at the top
    line = passes(checks.exercise_2, _letter_purity, images, labels)
    assert "1.00, for the letters with the most centre ink" in line


def test_pixel_statistic_bars_rank_by_each_region_both_ways():
    images = np.zeros((150, 28, 28, 1), np.float32)
    labels = np.arange(150) % 3
    images[labels == 1, 7:21, 7:21] = 1.0
    images[labels != 1, :7, :] = 1.0
    bars = checks.pixel_statistic_bars(images, labels, k=50)
    assert bars["most centre ink"] == 1.0 and bars["least top-half ink"] == 1.0
    assert bars["most ink"] == pytest.approx(0.34)  # equal ink: ties keep the order
    with pytest.raises(ValueError, match="one label each"):
        checks.pixel_statistic_bars(images, labels[:10])


def test_exercise_2_max_instead_of_mean_is_caught():
    def by_max(codes, labels, channel, k):
        top = np.argsort(-np.asarray(codes)[..., channel].max(axis=(1, 2)))[:k]
        return np.bincount(labels[top]).max() / k
    with pytest.raises(ExerciseIncorrect, match="maximum"):
        checks.exercise_2(by_max)


def test_exercise_2_a_count_is_not_a_share():
    with pytest.raises(ExerciseIncorrect, match="count of images"):
        checks.exercise_2(lambda codes, labels, channel, k: _letter_purity(codes, labels, channel, k) * k)


def test_exercise_2_the_strongest_images_letter_is_not_the_most_common():
    def first_letter(codes, labels, channel, k):
        top = np.argsort(-np.asarray(codes)[..., channel].mean(axis=(1, 2)))[:k]
        return np.mean(labels[top] == labels[top[0]])
    with pytest.raises(ExerciseIncorrect, match="most common"):
        checks.exercise_2(first_letter)


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
