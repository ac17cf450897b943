"""The exercise checks of "From denoising to generating: latent diffusion": right answers
pass, blanks are 'not done', plausible mistakes get a message that names the mistake."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import latent_diffusion as checks


# -- Exercise 1: where one denoising step from pure noise lands ---------------------------------
@pytest.mark.parametrize("prediction", ["centre", " Center "])
def test_exercise_1_right_prediction_passes(passes, prediction):
    passes(checks.exercise_1, prediction, 0.05)


def test_exercise_1_is_judged_against_the_run():
    """Had this run's one-step samples landed on the ring, "ring" would be right."""
    with pytest.raises(ExerciseIncorrect, match="not where this run"):
        checks.exercise_1("centre", 0.98)
    assert checks.exercise_1("ring", 0.98)


def test_exercise_1_wrong_prediction_hints_without_the_answer():
    with pytest.raises(ExerciseIncorrect) as caught:
        checks.exercise_1("ring", 0.05)
    assert "centre" not in str(caught.value)


def test_exercise_1_missing_measurement_says_what_is_expected():
    with pytest.raises(ExerciseIncorrect, match="one number"):
        checks.exercise_1("centre", "small")


# -- Exercise 2: annealed Langevin dynamics ----------------------------------------------------
def langevin_solution(denoiser, levels, start, steps_per_level, step_size, seed,
                      *, noise=True, scaled=True, half=0.5):
    rng = np.random.default_rng(seed)
    x = np.array(start, dtype=np.float64)
    for sigma in levels:
        alpha = step_size * (sigma**2 / levels[-1] ** 2 if scaled else 1.0)
        for _ in range(steps_per_level):
            score = (denoiser(x, sigma) - x) / sigma**2
            x = x + half * alpha * score
            if noise:
                x = x + np.sqrt(alpha) * rng.standard_normal(x.shape)
    return x


def test_exercise_2_solution_passes(passes):
    passes(checks.exercise_2, langevin_solution)


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: langevin_solution(*a, noise=False), "collapsed"),
    (lambda *a: langevin_solution(*a, scaled=False), "spread like noise"),
    (lambda *a: langevin_solution(*a)[:10], "shape"),
    (lambda *a: langevin_solution(*a, half=-0.5), "NaN or infinite|spread like noise"),
    (lambda d, l, s, n, z, seed: langevin_solution(d, l, s, n, z, None), "same seed"),
])
def test_exercise_2_plausible_mistakes_are_named(wrong, message):
    with np.errstate(all="ignore"):
        with pytest.raises(ExerciseIncorrect, match=message):
            checks.exercise_2(wrong)


def test_exercise_2_a_crash_is_reported_kindly():
    def crashes(denoiser, levels, start, *rest):
        return denoiser(start[:, :1] @ np.ones((2, 2)), levels[0])

    with pytest.raises(ExerciseIncorrect, match="raised ValueError"):
        checks.exercise_2(crashes)


def test_exercise_2_stub_is_not_done():
    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone):
        checks.exercise_2(stub)


# -- Exercise 3: distance to the nearest training code -------------------------------------------
def test_exercise_3_solution_passes(passes):
    passes(checks.exercise_3, lambda points, reference: cdist(points, reference).min(axis=1))


@pytest.mark.parametrize("wrong, message", [
    (lambda p, r: cdist(p, r, "sqeuclidean").min(axis=1), "squared"),
    (lambda p, r: cdist(p, r).min(axis=0), "one value per reference row"),
    (lambda p, r: cdist(p, r).argmin(axis=1), "off by"),
    (lambda p, r: cdist(p, r).mean(axis=1), "off by"),
])
def test_exercise_3_plausible_mistakes_are_named(wrong, message):
    with pytest.raises(ExerciseIncorrect, match=message):
        checks.exercise_3(wrong)


def test_exercise_2_gives_the_chain_the_steps_it_needs():
    """With 20 steps a level annealed Langevin has not settled on N(0, I) (standard deviation
    near 1.1); with the check's steps it ends close to the data's 1."""
    start = 10.0 * np.random.default_rng(0).standard_normal((2000, 2))
    levels = np.geomspace(10.0, 0.01, 10)

    def spread(steps):
        return langevin_solution(checks._gaussian_denoiser, levels, start, steps, 5e-5, 3).std()

    assert spread(20) > 1.05
    assert abs(spread(checks.STEPS_PER_LEVEL) - 1) < 0.04
