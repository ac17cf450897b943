"""Checks for the exercises of "Discrete codes: the vector-quantised autoencoder"
(book/discrete-codes.ipynb)."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed
from . import exercise_check, require_number

EX1 = "Exercise discrete-codes-ex1"
EX2 = "Exercise discrete-codes-ex2"
EX3 = "Exercise discrete-codes-ex3"

#: The three outcomes of exercise 1: the codebook moves and reconstructions improve;
#: the codebook is frozen and reconstructions improve; both stand still.
OUTCOMES = ("a", "b", "c")
#: Below this largest change of any codebook number the codebook did not move (one
#: Adam step at a learning rate of 2e-3 moves a number by about 2e-3).
FROZEN = 1e-7
#: The reconstructions improved when the loss ends at least this far (nats a pixel)
#: below the loss of drawing the average training letter every time, which a decoder
#: learns from its bias alone, without reconstructing any letter.
MARGIN = 0.05


@exercise_check
def exercise_1(prediction, codebook_change, final_loss, average_loss) -> Passed:
    """Predict: with the stop-gradients swapped, does the codebook move, and do the
    reconstructions improve? Judged against the run's own measurements: the largest
    change of a codebook number, and the final reconstruction loss against the loss
    of the average letter."""
    answer = choice(EX1, prediction, OUTCOMES, "prediction")
    change = require_number(EX1, codebook_change, "codebook_change (a change ≥ 0)")
    final = require_number(EX1, final_loss, "final_loss (nats a pixel)")
    average = require_number(EX1, average_loss, "average_loss (nats a pixel)")
    frozen, improved = change < FROZEN, final < average - MARGIN
    expected = "c" if frozen and not improved else "b" if frozen else "a"
    if answer.lower() != expected:
        raise ExerciseIncorrect(
            EX1,
            "that is not what this run measures.",
            "with sg[·] around e_k in both terms, which term still has a gradient "
            "with respect to the codebook? The decoder learns from whatever vectors "
            "it gets.",
        )
    moved = ("stayed exactly where it started" if frozen
             else f"moved (by up to {change:.2g})")
    return passed(
        EX1,
        f"the codebook {moved}, and the reconstruction loss ended at {final:.3f} nats "
        f"a pixel, against {average:.3f} for the average letter: a loss that falls "
        "says nothing about whether the codebook learns.",
    )


def _frequency_bits(train_grids, test_grids, codebook_size):
    counts = np.bincount(np.ravel(train_grids), minlength=codebook_size) + 1.0
    bits = -np.log2(counts / counts.sum())
    return bits[test_grids].reshape(len(test_grids), -1).sum(axis=1)


@exercise_check
def exercise_2(frequency_bits) -> Passed:
    """Bits of each grid when every index is coded with add-one training frequencies."""
    rng = np.random.default_rng(11)
    codebook_size = 8
    train_grids = rng.choice(codebook_size - 1, size=(40, 7, 7), p=[.4, .2, .1, .1, .1,
                                                                    .05, .05])
    test_grids = rng.integers(codebook_size, size=(6, 7, 7))  # code 7 never in training
    got = call_answer(EX2, frequency_bits, train_grids.copy(), test_grids.copy(),
                      codebook_size, what="frequency_bits")
    got = np.asarray(got, dtype=np.float64)
    expected = _frequency_bits(train_grids, test_grids, codebook_size)
    if got.shape == expected.shape and np.allclose(got, expected * np.log(2)):
        raise ExerciseIncorrect(EX2, "these are nats, not bits.", "use np.log2.")
    if got.shape == expected.shape and not np.all(np.isfinite(got)):
        raise ExerciseIncorrect(
            EX2, "some grids cost infinitely many bits: a code unseen in training has "
            "probability zero.", "add one to every code's count before dividing.")
    if got.shape == (len(test_grids), 7, 7):
        raise ExerciseIncorrect(EX2, "you returned bits per index; the exercise asks "
                                "for bits per grid.", "sum over the 49 positions.")
    close_to(EX2, got, expected, what="frequency_bits(train_grids, test_grids, 8)",
             rtol=1e-6, hint="p(k) = (count of k + 1) / (total count + K); a grid "
             "costs the sum of −log₂ p over its indices.")
    return passed(EX2, "the bits match: every grid costs the sum of its indices' "
                  "−log₂ p(k) under the training frequencies.")


def _residual_quantise(vectors, codebooks):
    residual = np.array(vectors, dtype=np.float64)
    total = np.zeros_like(residual)
    for codebook in codebooks:
        distances = ((residual[:, None, :] - codebook[None]) ** 2).sum(axis=2)
        chosen = codebook[distances.argmin(axis=1)]
        total, residual = total + chosen, residual - chosen
    return total


@exercise_check
def exercise_3(residual_quantise) -> Passed:
    """Residual vector quantisation: each stage quantises what the last left over."""
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(50, 4))
    codebooks = [rng.normal(size=(6, 4)), 0.3 * rng.normal(size=(5, 4))]
    got = call_answer(EX3, residual_quantise, vectors.copy(),
                      [c.copy() for c in codebooks], what="residual_quantise")
    got = np.asarray(got, dtype=np.float64)
    expected = _residual_quantise(vectors, codebooks)
    one_stage = _residual_quantise(vectors, codebooks[:1])
    if got.shape == expected.shape and np.allclose(got, one_stage):
        raise ExerciseIncorrect(EX3, "only the first codebook was used.",
                                "loop over every codebook of the list.")
    both_on_vectors = one_stage + _residual_quantise(vectors, codebooks[1:])
    if got.shape == expected.shape and np.allclose(got, both_on_vectors):
        raise ExerciseIncorrect(
            EX3, "the second stage quantised the vectors themselves, not what the "
            "first stage left over.", "subtract each chosen row from a running "
            "residual, and quantise that residual at the next stage.")
    close_to(EX3, got, expected, what="residual_quantise(vectors, codebooks)",
             rtol=1e-6, hint="at each stage, the nearest row to the current residual.")
    return passed(EX3, "each stage quantises the previous stage's residual, and the "
                  "chosen rows add up.")
