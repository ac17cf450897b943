"""Checks for the exercises of "Learned compression: training for rate and
distortion" (book/learned-compression.ipynb)."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed
from . import exercise_check

EX1 = "Exercise learned-compression-ex1"
EX2 = "Exercise learned-compression-ex2"
EX3 = "Exercise learned-compression-ex3"

#: The three outcomes of exercise 1, as λ falls: more channels switched off, fewer,
#: or as many.
OUTCOMES = ("more", "fewer", "same")


def _switched_off(switched_off) -> dict:
    """{λ: channels switched off}, checked: at least two λ, whole counts ≥ 0."""
    if not isinstance(switched_off, dict) or len(switched_off) < 2:
        raise ValueError("switched_off must be a dict {λ: number of channels switched "
                         f"off}} with at least two λ; got {switched_off!r}")
    out = {}
    for lmbda, count in switched_off.items():
        if not np.isfinite(float(lmbda)) or float(lmbda) < 0:
            raise ValueError(f"each λ must be a number ≥ 0; got {lmbda!r}")
        if int(count) != count or count < 0:
            raise ValueError(f"each count must be a whole number ≥ 0; got {count!r}")
        out[float(lmbda)] = int(count)
    return out


@exercise_check
def exercise_1(prediction, switched_off) -> Passed:
    """Predict: as λ falls, does the rate model switch more channels off, fewer, or
    as many? Judged against the run's own counts, ``switched_off`` {λ: channels}."""
    answer = choice(EX1, prediction, OUTCOMES, "prediction")
    counts = _switched_off(switched_off)
    low, high = counts[min(counts)], counts[max(counts)]
    expected = "more" if low > high else "fewer" if low < high else "same"
    if answer.lower() != expected:
        raise ExerciseIncorrect(
            EX1,
            "that is not what this run measures.",
            "a channel that carries little about the letter still costs bits; when "
            "bits weigh more against the distortion (small λ), is it worth keeping?",
        )
    return passed(
        EX1,
        f"at λ = {min(counts):g}, {low} channels carry (almost) no bits; at "
        f"λ = {max(counts):g}, {high}. A channel whose every code rounds to the same "
        "integer costs nothing and tells the decoder nothing.",
    )


def _mass_table(cumulative, low, high):
    edges = np.arange(low, high) + 0.5
    c = np.concatenate([[0.0], np.asarray(cumulative(edges), np.float64), [1.0]])
    return np.diff(c)


def _logistic(x):
    return 1 / (1 + np.exp(-(np.asarray(x, np.float64) - 0.3) / 0.8))


@exercise_check
def exercise_2(mass_table) -> Passed:
    """A cumulative function → the probabilities of the integers low … high, with the
    mass beyond the ends folded into the end symbols."""
    low, high = -3, 4
    got = call_answer(EX2, mass_table, _logistic, low, high, what="mass_table")
    got = np.asarray(got, dtype=np.float64)
    expected = _mass_table(_logistic, low, high)
    if got.shape == (high - low,):
        raise ExerciseIncorrect(
            EX2, f"{got.size} probabilities for the {high - low + 1} integers from "
            f"{low} to {high}.", "both ends count: np.arange(low, high + 1).")
    if got.shape == expected.shape and abs(got.sum() - 1) > 1e-6:
        raise ExerciseIncorrect(
            EX2, f"the table sums to {got.sum():.4f}, not 1: the mass below "
            f"{low} − ½ and above {high} + ½ is missing.",
            "give the first symbol c(low + ½) and the last 1 − c(high − ½).")
    close_to(EX2, got, expected, what=f"mass_table(c, {low}, {high})", rtol=1e-6,
             hint="P(k) = c(k + ½) − c(k − ½) for the inner symbols.")
    return passed(EX2, "each integer gets the mass of its unit interval, and the ends "
                  "take the tails: a table a range coder can use.")


def _entropy_bits(symbols):
    symbols = np.asarray(symbols)
    out = []
    for column in symbols.T:
        _, counts = np.unique(column, return_counts=True)
        p = counts / counts.sum()
        out.append(float(-(p * np.log2(p)).sum()))
    return np.array(out)


@exercise_check
def exercise_3(rounded_entropy_bits) -> Passed:
    """The empirical entropy of each channel of integer codes, in bits."""
    rng = np.random.default_rng(5)
    symbols = np.stack([rng.integers(-2, 3, 400), np.zeros(400, int),
                        rng.choice([0, 1], 400, p=[0.9, 0.1])], axis=1)
    got = call_answer(EX3, rounded_entropy_bits, symbols.copy(),
                      what="rounded_entropy_bits")
    got = np.asarray(got, dtype=np.float64)
    expected = _entropy_bits(symbols)
    if got.shape == expected.shape and np.allclose(got, expected * np.log(2)):
        raise ExerciseIncorrect(EX3, "these are nats, not bits.", "use np.log2.")
    if got.shape == ():
        raise ExerciseIncorrect(EX3, "one number for all channels; the exercise asks "
                                "for one per channel.", "loop over symbols.T.")
    close_to(EX3, got, expected, what="rounded_entropy_bits(symbols)", rtol=1e-6,
             hint="per column: the frequencies p of its distinct values, then "
             "−Σ p log₂ p.")
    return passed(EX3, "one entropy per channel; a channel that always sends the same "
                  "integer has entropy 0.")
