"""Checks for the exercises of "The convolutional autoencoder"."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, passed, require_number

EX1 = "Exercise convolutional-ex1"
EX2 = "Exercise convolutional-ex2"
EX3 = "Exercise convolutional-ex3"


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
        "ratio 1.0: as many numbers as pixels, so no compression at all; "
        "only fewer than 16 channels at 7×7 compress.",
    )


def _reference_most_activating(codes, channel, k):
    strength = np.asarray(codes, dtype=np.float64)[..., channel].mean(axis=(1, 2))
    return np.argsort(-strength, kind="stable")[:k]


def exercise_2(most_activating) -> Passed:
    rng = np.random.default_rng(0)
    codes = rng.random((12, 7, 7, 3)).astype(np.float32)
    codes[5, :, :, 1] += 2.0  # a clear winner for channel 1
    codes[9, 0, 0, 1] += 30.0  # a single bright pixel: largest max, not largest mean
    for channel, k in ((1, 3), (2, 5)):
        got = call_answer(
            EX2, most_activating, codes, channel, k, what="most_activating"
        )
        got = np.asarray(got).ravel()
        expected = _reference_most_activating(codes, channel, k)
        if got.shape != expected.shape:
            raise ExerciseIncorrect(
                EX2,
                f"for k={k} it returned {got.size} indices; expected {k}.",
                "keep only the first k after sorting.",
            )
        if set(got.tolist()) == set(expected.tolist()) and not np.array_equal(
            got, expected
        ):
            raise ExerciseIncorrect(
                EX2,
                "the right images, but not strongest first.",
                "sort by decreasing mean activation, e.g. np.argsort(-strength).",
            )
        if not np.array_equal(got, expected):
            strength = codes[..., channel].mean(axis=(1, 2))
            if channel == 1 and 9 in got.tolist() and got[0] == 9:
                raise ExerciseIncorrect(
                    EX2,
                    "image 9 has one very bright pixel but a small mean; "
                    "your ranking looks like it uses the maximum or "
                    "the sum of one row.",
                    "average over the 7×7 map: codes[..., channel].mean(axis=(1, 2)).",
                )
            raise ExerciseIncorrect(
                EX2,
                f"for channel {channel}, k={k} expected indices "
                f"{expected.tolist()} (mean activations "
                f"{np.round(strength[expected], 2).tolist()}); "
                f"got {got.tolist()}.",
                "take codes[..., channel], average over axes 1 and 2, sort descending.",
            )
    return passed(
        EX2, "strongest images first, ranked by mean activation of the channel."
    )


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
