"""Checks for the exercises of "The convolutional autoencoder"."""

from __future__ import annotations

import numpy as np

from . import (
    exercise_check,
    ExerciseIncorrect,
    Passed,
    call_answer,
    close_to,
    passed,
    require_number,
)

EX1 = "Exercise convolutional-ex1"
EX2 = "Exercise convolutional-ex2"
EX3 = "Exercise convolutional-ex3"


@exercise_check
def exercise_1(ratio) -> Passed:
    """The code 7×7×16 holds 784 numbers: ratio 1.0, no compression."""
    value = require_number(
        EX1, ratio, "ratio", hint="ratio = code size / input size, e.g. 98 / 784."
    )
    if abs(value - 16.0) < 1e-6:
        raise ExerciseIncorrect(
            EX1,
            "that is input size / code size: the fraction the wrong way round.",
            "ratio = code size / input size.",
        )
    if abs(value - 1.0) > 1e-6:
        raise ExerciseIncorrect(
            EX1,
            f"ratio = {value:g} is not the code's count of numbers divided by the "
            "input's.",
            "count the code's numbers as height × width × channels, and the input's "
            "as 28 × 28 × 1.",
        )
    return passed(
        EX1,
        "ratio 1.0: as many numbers as pixels, so no compression at all (and as "
        "32-bit floats against 8-bit pixels, four times the bits); only fewer than 16 "
        "channels at 7×7 give fewer numbers.",
    )


def _strength(codes, channel):
    return np.asarray(codes, dtype=np.float64)[..., channel].mean(axis=(1, 2))


def _reference_letter_purity(codes, labels, channel, k):
    top = np.argsort(-_strength(codes, channel), kind="stable")[:k]
    return float(np.bincount(np.asarray(labels)[top]).max() / k)


def pixel_statistic_bars(images, labels, k: int = 50) -> dict[str, float]:
    """Exercise 2's bar: the letter purity of the ``k`` images that rank highest by a
    plain pixel statistic, for each of a few (the ink of the whole image, of its
    centre, of each half; most and least). A channel's mean activation is itself a
    weighted sum of pixels, so a channel must beat these before it can be said to care
    about the letter rather than about where the ink is."""
    pixels = np.asarray(images, dtype=np.float64)
    if pixels.ndim != 4 or pixels.shape[1:3] != (28, 28) or len(pixels) != len(labels):
        raise ValueError(
            "images must be (N, 28, 28, 1) with one label each; got shape "
            f"{pixels.shape} and {len(labels)} labels"
        )
    regions = {
        "ink": np.s_[:, :, :], "centre ink": np.s_[:, 7:21, 7:21],
        "left-half ink": np.s_[:, :, :14], "right-half ink": np.s_[:, :, 14:],
        "top-half ink": np.s_[:, :14, :], "bottom-half ink": np.s_[:, 14:, :],
    }
    bars = {}
    for name, region in regions.items():
        ink = pixels[region].mean(axis=(1, 2, 3))[:, None, None, None]
        bars[f"most {name}"] = _reference_letter_purity(ink, labels, 0, k)
        bars[f"least {name}"] = _reference_letter_purity(-ink, labels, 0, k)
    return bars


@exercise_check
def exercise_2(letter_purity, held_out_images=None, held_out_labels=None) -> Passed:
    """``letter_purity(codes, labels, channel, k)``: the share of the ``k`` images that
    excite ``channel`` most (mean over its 7×7 map) that carry the most common label
    among them. Chance is not 1/10: any ``k`` letters have a most common one, so with
    shuffled labels (ten balanced letters, ``k=50``) the share averages about 0.17.
    Chance is not the bar either: given the held-out images and labels, the
    message gives the share when the letters are ranked by their ink alone, which a
    channel must beat before it can be said to care about the letter."""
    rng = np.random.default_rng(0)
    codes = rng.random((40, 7, 7, 3)).astype(np.float32)
    labels = np.arange(40) % 4
    codes[labels == 2, :, :, 1] += 1.0  # channel 1 likes letter 2 ...
    codes[[0, 4], :, :, 1] += 2.0  # ... but its two strongest are letter 0
    codes[9, 0, 0, 1] += 30.0  # one bright pixel: the largest max, a modest mean
    for channel, k in ((1, 10), (2, 8)):
        got = call_answer(
            EX2, letter_purity, codes, labels, channel, k, what="letter_purity"
        )
        got = require_number(
            EX2, got, "letter_purity(...)", hint="return one share between 0 and 1."
        )
        expected = _reference_letter_purity(codes, labels, channel, k)
        if np.isclose(got, expected * k):
            raise ExerciseIncorrect(
                EX2,
                f"{got:g} looks like a count of images, not a share.",
                "divide by k.",
            )
        if channel == 1 and not np.isclose(got, expected):
            by_max = np.argsort(-codes[..., channel].max(axis=(1, 2)), kind="stable")
            if np.isclose(got, np.bincount(labels[by_max[:k]]).max() / k):
                raise ExerciseIncorrect(
                    EX2,
                    "one image with a single very bright cell changes your answer; "
                    "the ranking looks like it uses the maximum.",
                    "rank by the mean over the 7×7 map.",
                )
            first = np.bincount(labels[np.argsort(-_strength(codes, 1))[:k]])
            if np.isclose(got, first[0] / k):
                raise ExerciseIncorrect(
                    EX2,
                    "this is the share of the strongest image's letter, which need not "
                    "be the most common one among the k.",
                    "count every label among the k (`np.bincount`) and take the "
                    "largest count.",
                )
        close_to(
            EX2,
            got,
            expected,
            what=f"the purity of channel {channel} for k={k}",
            atol=1e-9,
            rtol=1e-9,
            hint=(
                "rank the images by the channel's mean activation, keep the k "
                "strongest, count their labels."
            ),
        )
    bar = "the best of a few plain pixel statistics (the chapter gives it)"
    if held_out_images is not None and held_out_labels is not None:
        bars = pixel_statistic_bars(
            held_out_images, held_out_labels, min(50, len(held_out_labels))
        )
        best = max(bars, key=bars.get)
        bar = f"{bars[best]:.2f}, for the letters with the {best}"
    return passed(
        EX2,
        "now compute it for each channel of `small_codes` with k=50. The bar is not "
        "chance but plain pixel statistics: ranked by the ink of a region of the "
        f"image, the held-out letters give up to {bar}. Does any channel beat that, "
        "and so care about more than where the ink is?",
    )


@exercise_check
def exercise_3(transposed_decoder) -> Passed:
    for channels in (4, 2):
        model = call_answer(
            EX3, transposed_decoder, channels, what="transposed_decoder"
        )
        if not hasattr(model, "predict") or not hasattr(model, "layers"):
            raise ExerciseIncorrect(
                EX3, f"it should return a Keras model; got {type(model).__name__}."
            )
        input_shape = (
            tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else None
        )
        if input_shape != (7, 7, channels):
            raise ExerciseIncorrect(
                EX3,
                f"with code_channels={channels} the input shape is "
                f"{input_shape}; expected (7, 7, {channels}).",
                "keras.Input(shape=(7, 7, code_channels)).",
            )
        kinds = [type(layer).__name__ for layer in model.layers]
        if kinds.count("Conv2DTranspose") < 2:
            raise ExerciseIncorrect(
                EX3,
                f"found {kinds.count('Conv2DTranspose')} Conv2DTranspose "
                "layers; the exercise asks for two (7→14→28).",
                "layers.Conv2DTranspose(filters, 3, strides=2, padding='same').",
            )
        codes = (
            np.random.default_rng(1).random((3, 7, 7, channels)).astype(np.float32) * 3
        )
        output = np.asarray(model.predict(codes, verbose=0))
        if output.shape != (3, 28, 28, 1):
            raise ExerciseIncorrect(
                EX3,
                f"the output has shape {output.shape[1:]}; expected (28, 28, 1).",
                "strides=2 and padding='same' double the grid each time; "
                "end with one filter.",
            )
        if output.min() < 0 or output.max() > 1 or not np.all(np.isfinite(output)):
            raise ExerciseIncorrect(
                EX3,
                f"pixels range from {output.min():.3g} to {output.max():.3g}; "
                "expected values in [0, 1].",
                "use activation='sigmoid' on the last layer.",
            )
    return passed(
        EX3, "7×7 → 14×14 → 28×28 with learned upsampling and a sigmoid output."
    )
