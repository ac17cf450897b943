"""Feedback for the exercises of the chapter "The sparse autoencoder".

Each check takes the student's answer and, where the answer depends on the run, the
numbers the chapter measured, so that the feedback is about this run's data and not a
number typed here.
"""

from __future__ import annotations

import numpy as np

from . import (
    exercise_check,
    ExerciseIncorrect,
    ExerciseNotDone,
    Passed,
    call_answer,
    choice,
    close_to,
    passed,
    require_number,
)

EX1 = "Exercise sparse-ex1"
EX2 = "Exercise sparse-ex2"
EX3 = "Exercise sparse-ex3"
EX4 = "Exercise sparse-ex4"


# -- reference answers (what the solutions compute) ------------------------------------
def _kl_sparsity_penalty(codes, target):
    mean_activation = np.clip(np.mean(codes, axis=0), 1e-6, 1 - 1e-6)
    return float(
        np.sum(
            target * np.log(target / mean_activation)
            + (1 - target) * np.log((1 - target) / (1 - mean_activation))
        )
    )


def _keep_top_k(codes, k):
    codes = np.asarray(codes)
    kth_largest = -np.sort(-codes, axis=1)[:, k - 1 : k]
    return np.where(codes >= kth_largest, codes, 0.0)


def _dead_fraction(codes, threshold):
    return float(np.mean(np.max(codes, axis=0) <= threshold))


# -- exercise 1: predict which letter uses the fewest units ----------------------------
#: How close (as a fraction) to the fewest a letter's count must be to count as a tie.
TIE_FRACTION = 0.05


@exercise_check
def exercise_1(prediction, units_per_letter, class_names) -> Passed:
    """``prediction``: the letter (e.g. "A") that uses the fewest active units on
    average.

    ``units_per_letter``: the chapter's measured mean number of active units per letter,
    in the order of ``class_names``.
    """
    names = [str(n).upper() for n in class_names]
    guess = names.index(choice(EX1, prediction, names, "prediction"))
    units = np.asarray(units_per_letter, dtype=np.float64)
    if units.shape != (len(names),):
        raise ValueError(
            f"units_per_letter must have one value per class ({len(names)}); got shape "
            f"{units.shape}"
        )
    fewest = int(np.argmin(units))
    # Letters within 5% of the fewest are a tie: which of them wins changes with the
    # run.
    tied = units[guess] <= units[fewest] * (1 + TIE_FRACTION)
    if not tied:
        raise ExerciseIncorrect(
            EX1,
            f"{names[guess]} uses {units[guess]:.1f} active units on average, "
            f"{units[guess] - units[fewest]:.1f} more than the letter that uses the "
            "fewest.",
            "which letters look most alike from font to font? The bar chart below "
            "shows every letter.",
        )
    if guess != fewest:
        return passed(
            EX1,
            f"{names[guess]} ({units[guess]:.1f} units) ties with {names[fewest]} "
            f"({units[fewest]:.1f}) for the fewest, within {TIE_FRACTION:.0%}; "
            "the bar chart below shows every letter.",
        )
    return passed(
        EX1,
        f"{names[fewest]} uses the fewest units ({units[fewest]:.1f} on average, "
        f"against {units.max():.1f} for {names[int(np.argmax(units))]}, the letter "
        "that uses the most).",
    )


# -- exercise 2: the KL sparsity penalty in NumPy --------------------------------------
@exercise_check
def exercise_2(kl_sparsity_penalty) -> Passed:
    """``kl_sparsity_penalty(codes, target)`` → Σ_j KL(ρ ‖ ρ̂_j), with ρ̂_j the mean of
    column j."""
    rng = np.random.default_rng(0)
    codes = rng.beta(0.5, 4.0, size=(64, 12))
    expected = _kl_sparsity_penalty(codes, 0.05)
    got = require_number(
        EX2,
        call_answer(
            EX2, kl_sparsity_penalty, codes.copy(), 0.05, what="kl_sparsity_penalty"
        ),
        "the penalty",
        finite=False,
        hint="take the mean over images (axis 0), then sum the divergence over units.",
    )
    mean_activation = np.mean(codes, axis=0)
    per_image = np.clip(codes, 1e-6, 1 - 1e-6)
    mistakes = {
        "averaged over code units instead of summed": expected / codes.shape[1],
        "left out the (1 − ρ) log((1 − ρ)/(1 − ρ̂)) term": float(
            np.sum(0.05 * np.log(0.05 / mean_activation))
        ),
        "swapped ρ and ρ̂ (that is KL(ρ̂ ‖ ρ))": float(
            np.sum(
                mean_activation * np.log(mean_activation / 0.05)
                + (1 - mean_activation) * np.log((1 - mean_activation) / 0.95)
            )
        ),
        (
            "used each image's activations instead of each unit's mean over the batch"
        ): float(
            np.mean(
                np.sum(
                    0.05 * np.log(0.05 / per_image)
                    + 0.95 * np.log(0.95 / (1 - per_image)),
                    axis=1,
                )
            )
        ),
    }
    if not np.isfinite(got) or not np.isclose(got, expected, rtol=1e-4, atol=1e-8):
        for mistake, value in mistakes.items():
            if np.isfinite(got) and np.isclose(got, value, rtol=1e-4, atol=1e-8):
                raise ExerciseIncorrect(
                    EX2,
                    f"your penalty is {got:.4f}, expected {expected:.4f}: it looks as "
                    f"if you {mistake}.",
                    "ρ̂_j = codes[:, j].mean(); penalty = Σ_j [ρ log(ρ/ρ̂_j) + "
                    "(1 − ρ) log((1 − ρ)/(1 − ρ̂_j))].",
                )
        raise ExerciseIncorrect(
            EX2,
            f"on 64 test codes of 12 units with ρ = 0.05 your penalty is {got:.4g}, "
            f"expected {expected:.4f}.",
            "ρ̂_j = codes[:, j].mean(); penalty = Σ_j [ρ log(ρ/ρ̂_j) + "
            "(1 − ρ) log((1 − ρ)/(1 − ρ̂_j))].",
        )
    at_target = require_number(
        EX2,
        call_answer(
            EX2,
            kl_sparsity_penalty,
            np.full((10, 4), 0.2),
            0.2,
            what="kl_sparsity_penalty",
        ),
        "the penalty",
        finite=False,
    )
    if not np.isclose(at_target, 0.0, atol=1e-6):
        raise ExerciseIncorrect(
            EX2,
            "when every unit's mean equals ρ the penalty should be 0; got "
            f"{at_target:.4g}.",
        )
    return passed(
        EX2,
        f"the penalty is {got:.4f} on the test codes and 0 when every unit's mean "
        "activation equals ρ.",
    )


# -- exercise 3: keep the k largest code values ----------------------------------------
@exercise_check
def exercise_3(keep_top_k) -> Passed:
    """``keep_top_k(codes, k)`` → codes with all but each row's ``k`` largest values set
    to 0."""
    rng = np.random.default_rng(1)
    codes = rng.random((6, 20))
    for k in (1, 3, 20):
        expected = _keep_top_k(codes, k)
        got = np.asarray(
            call_answer(EX3, keep_top_k, codes.copy(), k, what="keep_top_k")
        )
        if got.shape != codes.shape:
            raise ExerciseIncorrect(
                EX3,
                f"with k={k} the result has shape {got.shape}; it should keep the "
                f"shape of the codes, {codes.shape}.",
                "set values to 0 instead of removing them (np.where).",
            )
        kept = np.sum(got != 0, axis=1)
        if np.any(kept != k):
            row = int(np.argmax(kept != k))
            raise ExerciseIncorrect(
                EX3,
                f"with k={k}, row {row} keeps {kept[row]} non-zero values instead of "
                f"{k}.",
                "find each row's k-th largest value (np.sort along axis 1) and keep "
                "the values ≥ it; sort per row, not over the whole batch.",
            )
        close_to(
            EX3,
            got,
            expected,
            what=f"the kept values (k={k})",
            hint=(
                "keep the largest values unchanged, do not rescale them or keep the "
                "smallest."
            ),
        )
    return passed(
        EX3,
        "each code keeps exactly its k largest values, unchanged, and the rest are 0.",
    )


# -- exercise 4: dead units ------------------------------------------------------------
@exercise_check
def exercise_4(dead_fraction, threshold: float = 0.1) -> Passed:
    """``dead_fraction(codes, threshold)`` → the fraction of units active for no image
    at all."""
    codes = np.zeros((5, 8))
    codes[0, 0] = 2.0
    codes[1, 3] = 0.5
    codes[2, 3] = 0.05  # below the threshold: unit 3 still counts once, by image 1
    codes[3, 6] = 0.09
    expected = _dead_fraction(codes, threshold)  # 6 of 8 units never exceed 0.1
    got = require_number(
        EX4,
        call_answer(EX4, dead_fraction, codes.copy(), threshold, what="dead_fraction"),
        "dead_fraction(codes, threshold)",
        hint=(
            "a unit is dead when its largest value over all images is ≤ the threshold."
        ),
    )
    if np.isclose(got, 1 - expected):
        raise ExerciseIncorrect(
            EX4,
            f"you returned {got:.3f}, the fraction of units that are alive; "
            f"expected {expected:.3f}.",
            "count the units that are never active.",
        )
    if np.isclose(got, float(np.mean(np.max(codes, axis=0) <= 0))):
        raise ExerciseIncorrect(
            EX4,
            f"you returned {got:.3f}: a unit whose largest value is 0.09 is not "
            f"active either (threshold {threshold}); expected {expected:.3f}.",
            "compare with the threshold, not with 0.",
        )
    if np.isclose(got, float(np.mean(codes <= threshold))):
        raise ExerciseIncorrect(
            EX4,
            f"you returned {got:.3f}, the fraction of (image, unit) pairs that are "
            f"off; expected {expected:.3f}, the fraction of units off for every image.",
            "take the maximum over images (axis 0) first.",
        )
    close_to(
        EX4,
        got,
        expected,
        what="the dead fraction on an 8-unit test code",
        hint="np.mean(codes.max(axis=0) <= threshold)",
    )
    dead, units = int(round(expected * codes.shape[1])), codes.shape[1]
    return passed(
        EX4,
        f"{dead} of the {units} units of the check's toy code are dead, as you found; "
        "now try it on the chapter's codes.",
    )


__all__ = ["exercise_1", "exercise_2", "exercise_3", "exercise_4", "ExerciseNotDone"]
