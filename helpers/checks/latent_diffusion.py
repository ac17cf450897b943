"""Checks for the exercises of "From denoising to generating: latent diffusion"
(book/latent-diffusion.ipynb)."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed
from . import exercise_check, require_number

EX1 = "Exercise latent-diffusion-ex1"
EX2 = "Exercise latent-diffusion-ex2"
EX3 = "Exercise latent-diffusion-ex3"

PLACES = ("ring", "centre", "center")
#: Below this median distance from the origin, one-step samples sit near the ring's
#: centre (the ring has radius 1).
CENTRE_RADIUS = 0.5


@exercise_check
def exercise_1(prediction, median_radius) -> Passed:
    """Predict: one step from σ = 10 to 0 — do the samples land on the ring or near its
    centre?

    ``median_radius`` is the median distance from the origin of the one-step samples,
    measured in the check cell, so the answer is judged against the reader's own run.
    """
    answer = choice(EX1, prediction, PLACES, "prediction").replace("center", "centre")
    radius = require_number(EX1, median_radius, "median_radius (a distance ≥ 0)")
    expected = "centre" if radius < CENTRE_RADIUS else "ring"
    if answer != expected:
        raise ExerciseIncorrect(
            EX1,
            "that is not where this run's one-step samples land.",
            "D(x̃, σ) is an average over the ring points that could lie under x̃; "
            "with σ = 10, ask how many of them could.",
        )
    return passed(
        EX1,
        f"the one-step samples lie at a median distance of {radius:.2f} from the "
        "centre: a single denoising step from pure noise gives the average of the "
        "data, not a sample of it.",
    )


def _gaussian_denoiser(x, sigma):
    """E[x | x̃] for data x ~ N(0, I) and x̃ = x + σε: x̃ / (1 + σ²)."""
    return np.asarray(x, dtype=np.float64) / (1.0 + sigma**2)


#: Steps a level the check gives the sampler: with 20 the chain has not settled on
#: N(0, I) (it ends with a standard deviation near 1.1); with 100 it ends within about
#: 0.03 of 1.
STEPS_PER_LEVEL = 100


def _langevin_run(langevin_sample, start, seed):
    levels = np.geomspace(10.0, 0.01, 10)
    got = call_answer(EX2, langevin_sample, _gaussian_denoiser, levels,
                      start.copy(), STEPS_PER_LEVEL, 5e-5, seed, what="langevin_sample")
    return np.asarray(got, dtype=np.float64)


@exercise_check
def exercise_2(langevin_sample) -> Passed:
    """Annealed Langevin dynamics (Song & Ermon, 2019) on data N(0, I), whose exact
    denoiser is known: the samples must come out with mean 0 and standard deviation
    1."""
    start = 10.0 * np.random.default_rng(0).standard_normal((2000, 2))
    got = _langevin_run(langevin_sample, start, seed=3)
    if got.shape != start.shape:
        raise ExerciseIncorrect(
            EX2, f"the samples have shape {got.shape}; expected {start.shape}, one row "
            "per starting point.")
    if not np.all(np.isfinite(got)):
        raise ExerciseIncorrect(
            EX2, "the samples contain NaN or infinite values: the steps diverged.",
            "the score is (D(x, σ) − x)/σ², and the step adds α/2 times it.")
    spread, centre = float(got.std()), float(np.abs(got.mean(axis=0)).max())
    if spread > 3.0:
        raise ExerciseIncorrect(
            EX2, "the samples still spread like noise (standard deviation "
            f"{spread:.2f}; the data's is 1).",
            "α grows with σ²: αᵢ = step_size·σᵢ²/σ_L², so the first levels take big "
            "steps.")
    if spread < 0.5:
        raise ExerciseIncorrect(
            EX2, f"the samples collapsed (standard deviation {spread:.2f}; the data's "
            "is 1).",
            "each step adds fresh noise √αᵢ·z as well as the score's pull.")
    if not (0.92 <= spread <= 1.08 and centre < 0.12):
        raise ExerciseIncorrect(
            EX2, f"the samples have mean up to {centre:.2f} and standard deviation "
            f"{spread:.2f}; data N(0, I) has 0 and 1.",
            "check the factor ½ on the score's term and that the score uses the "
            "level σᵢ of the loop.")
    again = _langevin_run(langevin_sample, start, seed=3)
    close_to(EX2, again, got, what="a second run with the same seed", rtol=0, atol=1e-9,
             hint="draw z from np.random.default_rng(seed), made once per call.")
    return passed(
        EX2,
        f"from noise of standard deviation 10 your sampler reaches mean {centre:.2f} "
        f"(at most) and standard deviation {spread:.2f}, the data's 0 and 1.",
    )


@exercise_check
def exercise_3(nearest_distances) -> Passed:
    """The distance from each point to its nearest reference row (Euclidean)."""
    rng = np.random.default_rng(5)
    points, reference = rng.normal(size=(20, 3)), rng.normal(size=(30, 3))
    got = call_answer(EX3, nearest_distances, points.copy(), reference.copy(),
                      what="nearest_distances")
    got = np.asarray(got, dtype=np.float64)
    all_distances = np.linalg.norm(points[:, None, :] - reference[None], axis=-1)
    expected = all_distances.min(axis=1)
    if got.shape == expected.shape and np.allclose(got, expected**2, rtol=1e-6):
        raise ExerciseIncorrect(
            EX3, "these are squared distances.", "take the square root, or use cdist's "
            "default 'euclidean' metric.")
    if got.shape == (30,):
        raise ExerciseIncorrect(
            EX3, "you returned one value per reference row; the exercise asks for one "
            "per point.", "keep the smallest distance of each row of the N × M table.")
    close_to(EX3, got, expected, what="nearest_distances(points, reference)",
             rtol=1e-6, hint="for each point, the smallest of its distances to the "
             "reference rows.")
    same = np.asarray(call_answer(EX3, nearest_distances, reference[:5].copy(),
                                  reference.copy(), what="nearest_distances"))
    close_to(EX3, same, np.zeros(5), what="the distances of reference rows to "
             "themselves", atol=1e-6, hint="a point that is a reference row is at 0.")
    return passed(EX3, "the nearest distances match, and a copy is at distance 0.")
