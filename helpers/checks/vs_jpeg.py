"""Checks for the exercises of "Autoencoders versus JPEG" (book/vs-jpeg.ipynb)."""

from __future__ import annotations

import math

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, passed, require_number
from . import exercise_check

EX1 = "Exercise vs-jpeg-ex1"
EX2 = "Exercise vs-jpeg-ex2"
EX3 = "Exercise vs-jpeg-ex3"


#: The blank image of exercise 1: ten letters wide and ten tall.
BLANK_SIDE = 280


def _blank_jpeg_bytes() -> int:
    from ..measure.jpeg import jpeg_encode

    blank = np.zeros((BLANK_SIDE, BLANK_SIDE, 1), np.float32)
    return len(jpeg_encode(blank, quality=50))


@exercise_check
def exercise_1(blank_file_bytes) -> Passed:
    """How many bytes is a black 280×280 JPEG at quality 50? Within 15%: the headers
    of the chapter plus a few bits for each empty 8×8 block."""
    guess = require_number(
        EX1, blank_file_bytes, "blank_file_bytes", hint="a number of bytes, e.g. 500."
    )
    actual = _blank_jpeg_bytes()
    if abs(guess - actual) > 0.15 * actual:
        if guess < actual:
            message = f"{guess:g} bytes is too few, by more than 15%."
            hint = (
                "the headers stay as in the chapter, and every 8×8 block is coded, "
                "even an empty one: how many blocks are there, and what is the least "
                "a block can cost?"
            )
        else:
            message = f"{guess:g} bytes is too many, by more than 15%."
            hint = (
                "an empty block costs only a few bits: its DC value does not change "
                "from the block before, and an end-of-block code says the rest is zero."
            )
        raise ExerciseIncorrect(EX1, message, hint)
    return passed(
        EX1,
        f"the file has {actual} bytes: the chapter's headers and about six bits for "
        f"each of the {(BLANK_SIDE // 8) ** 2:,} empty blocks.",
    )


def _entropy(symbols) -> float:
    _, counts = np.unique(np.asarray(symbols), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


@exercise_check
def exercise_2(entropy_per_symbol) -> Passed:
    cases = [
        np.array([0, 1, 2, 3] * 4),
        np.array([7] * 9),
        np.array([0, 0, 0, 1, -2, -2, 5, 0]),
    ]
    for symbols in cases:
        got = require_number(
            EX2,
            call_answer(
                EX2, entropy_per_symbol, symbols.copy(), what="entropy_per_symbol"
            ),
            "entropy_per_symbol(symbols)",
            finite=False,
            hint="sum over the distinct symbols to get a single value.",
        )
        expected = _entropy(symbols)
        if not np.isfinite(got):
            raise ExerciseIncorrect(
                EX2,
                f"for {symbols.tolist()} it returned {got}.",
                "use only the symbols that occur (p > 0): log2(0) is -inf.",
            )
        if abs(got - expected) > 1e-6:
            hint = (
                "count how often each symbol occurs "
                "(np.unique(..., return_counts=True)), divide by the total."
            )
            if expected > 0 and abs(got - expected * np.log(2)) < 1e-6:
                hint = "that is the entropy in nats: use np.log2, not np.log."
            elif abs(got + expected) < 1e-6 and expected > 0:
                hint = "the sign: entropy is minus the sum of p·log2 p, which is ≥ 0."
            raise ExerciseIncorrect(
                EX2,
                f"for {symbols.tolist()} expected {expected:.4f} bits per "
                f"symbol; got {got:.4f}.",
                hint,
            )
    return passed(
        EX2,
        "2 bits for four equally likely symbols, 0 for a constant: bits per symbol.",
    )


def _break_even(n_parameters, ae_bpp, jpeg_bpp, bits_per_parameter=32):
    if ae_bpp >= jpeg_bpp:
        return math.inf
    decoder_bits = n_parameters * bits_per_parameter
    return math.floor(decoder_bits / (784 * (jpeg_bpp - ae_bpp))) + 1


@exercise_check
def exercise_3(break_even_images) -> Passed:
    """``break_even_images(n_parameters, ae_bpp, jpeg_bpp, bits_per_parameter=32)``:
    the fewest images for which the autoencoder's payload plus its shared decoder
    costs strictly fewer bits per pixel than JPEG's files; ``math.inf`` when no number
    does."""
    cases = [
        (41_665, 0.5, 4.0, 32),
        (10_000, 1.0, 2.0, 16),
        (5_000, 3.0, 2.5, 32),  # the payload alone costs more: never
        (784, 0.0, 32.0, 32),  # 1 image: 32 bits per pixel is a tie, not a win
    ]
    for n_parameters, ae_bpp, jpeg_bpp, bits in cases:
        got = call_answer(
            EX3,
            break_even_images,
            n_parameters,
            ae_bpp,
            jpeg_bpp,
            bits_per_parameter=bits,
            what="break_even_images",
        )
        expected = _break_even(n_parameters, ae_bpp, jpeg_bpp, bits)
        where = (
            f"for {n_parameters:,} weights of {bits} bits, a payload of {ae_bpp} bpp "
            f"against JPEG files of {jpeg_bpp} bpp"
        )
        if math.isinf(expected):
            if not (isinstance(got, (int, float, np.number)) and math.isinf(got)):
                raise ExerciseIncorrect(
                    EX3,
                    f"{where} you return {got!r}; but no number of images can win when "
                    "the payload alone costs more than JPEG.",
                    "return `math.inf` in that case.",
                )
            continue
        got = require_number(EX3, got, "break_even_images(...)")
        if got == expected:
            continue
        if got == expected - 1:
            hint = (
                "at exactly that many images the two cost the same; the answer is the "
                "fewest that costs strictly less."
            )
        else:
            hint = (
                "with n images the autoencoder costs payload + decoder bits / "
                "(n × 784) per pixel; solve for the smallest whole n that beats JPEG."
            )
        raise ExerciseIncorrect(
            EX3, f"{where}, {got:g} images is not where it starts to win.", hint
        )
    return passed(
        EX3,
        "the decoder pays for itself once it is shared by enough images, and never "
        "when the payload alone is dearer than JPEG.",
    )
