"""The judges of helpers.measure.judges: one softmax head per question, read by class index,
scored against labels, and — trained on real glyphs — reading held-out glyphs well above chance."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.measure.judges import build_judge, judge_accuracy, judge_probabilities, judge_verdicts
from helpers.measure.judges import frechet_distance, frechet_interval


def _stub_judge(probabilities: dict):
    """A judge whose answers are fixed: what the functions do with them can be checked exactly."""
    def judge(images, training=False):
        return {head: p[:len(images)] for head, p in probabilities.items()}
    return judge


IMAGES = np.zeros((4, 28, 28, 1), np.float32)
STUB = _stub_judge({"bold": np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]], np.float32),
                    "family": np.array([[0.1, 0.2, 0.7]] * 4, np.float32)})


def test_verdicts_are_the_most_probable_class_of_each_head():
    verdicts = judge_verdicts(STUB, IMAGES)
    assert verdicts["bold"].tolist() == [0, 1, 1, 0] and verdicts["family"].tolist() == [2, 2, 2, 2]
    assert verdicts["bold"].dtype == np.int64


def test_accuracy_is_the_fraction_read_right_for_the_heads_asked():
    assert judge_accuracy(STUB, IMAGES, {"bold": [0, 1, 0, 0]}) == {"bold": 0.75}
    assert judge_accuracy(STUB, IMAGES, {"bold": [1, 0, 0, 1], "family": [2, 2, 0, 0]}) == {
        "bold": 0.0, "family": 0.5}


def test_probabilities_are_read_in_chunks_without_changing_them():
    whole = judge_probabilities(STUB, IMAGES)
    chunked = judge_probabilities(_stub_judge_in_chunks(), IMAGES, batch_size=3)
    assert np.array_equal(whole["bold"], chunked["bold"])


def _stub_judge_in_chunks():
    table = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]], np.float32)
    seen = []

    def judge(images, training=False):
        start = sum(seen)
        seen.append(len(images))
        return {"bold": table[start:start + len(images)]}
    return judge


@pytest.mark.parametrize("truth, message", [
    ({"italic": np.zeros(4)}, "no head 'italic'"),
    ({"bold": np.zeros(3)}, "one label per image"),
    ({}, "truth must be a dict"),
])
def test_accuracy_refuses_truth_that_does_not_fit(truth, message):
    with pytest.raises(ValueError, match=message):
        judge_accuracy(STUB, IMAGES, truth)


def test_verdicts_refuse_pixels_outside_0_1_and_other_sizes():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        judge_verdicts(STUB, IMAGES + 2)
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        judge_verdicts(STUB, np.zeros((2, 14, 14, 1), np.float32))
    with pytest.raises(ValueError, match="batch_size"):
        judge_verdicts(STUB, IMAGES, batch_size=0)


@pytest.mark.parametrize("heads", [{}, None, {"bold": 1}, {"bold": True}, {"not a name": 2}, ["bold"]])
def test_build_judge_rejects_bad_heads(heads):
    with pytest.raises(ValueError, match="head|heads"):
        build_judge(heads)


@pytest.mark.parametrize("kwargs", [{"filters": (8,)}, {"filters": (8, 0)}, {"hidden_units": 2.5}])
def test_build_judge_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="whole number"):
        build_judge({"bold": 2}, **kwargs)


def test_judge_has_one_softmax_head_per_question():
    judge = build_judge({"bold": 2, "family": 3})
    probabilities = judge_probabilities(judge, np.random.default_rng(0).random((5, 28, 28, 1)).astype(np.float32))
    assert {head: p.shape for head, p in probabilities.items()} == {"bold": (5, 2), "family": (5, 3)}
    assert np.allclose(probabilities["family"].sum(axis=1), 1.0, atol=1e-5)


def test_a_judge_trained_on_glyphs_reads_held_out_glyphs_well_above_chance():
    """The judge is an outside opinion only if it has learned the question: trained on 800
    glyphs, it reads weight and family of 400 others far better than guessing."""
    import keras

    from helpers.data import make_glyphs

    keras.utils.set_random_seed(0)
    train, test = make_glyphs(800, seed=1), make_glyphs(400, seed=2)
    judge = build_judge({"bold": 2, "family": 3})
    truth = {"bold": train.attributes["bold"], "family": train.attributes["family"]}
    judge.fit(train.images, truth, epochs=8, batch_size=32, verbose=0)
    accuracy = judge_accuracy(judge, test.images, {"bold": test.attributes["bold"],
                                                   "family": test.attributes["family"]})
    assert accuracy["bold"] > 0.75 and accuracy["family"] > 0.6, accuracy  # chance: 0.5 and 0.33


# -- Fréchet distance between feature sets ---------------------------------------------------------
def test_frechet_distance_is_the_closed_form_of_two_gaussians():
    """Features with exactly known mean and covariance: ‖μa − μb‖² + tr(Ca + Cb − 2(CaCb)^½)."""
    a = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # mean 0, covariance I·2/3
    b = 3 * a + np.array([2.0, 0.0])                                    # mean (2, 0), covariance I·6
    expected = 4.0 + 2 * (2 / 3 + 6 - 2 * np.sqrt(4.0))
    assert frechet_distance(a, b) == pytest.approx(expected)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(b, a) == pytest.approx(frechet_distance(a, b))


def test_frechet_distance_works_on_singular_covariances():
    """Features confined to a line have a singular covariance; no matrix square root fails."""
    line = np.outer(np.linspace(-1, 1, 50), [1.0, 1.0, 0.0])
    assert np.isfinite(frechet_distance(line, line + 0.5))


@pytest.mark.parametrize("a, b, message", [
    (np.zeros((5, 3)), np.zeros((5, 4)), "same number of features"),
    (np.zeros(5), np.zeros((5, 1)), r"shape \(N, d\)"),
    (np.full((5, 2), np.nan), np.zeros((5, 2)), "finite"),
])
def test_frechet_distance_refuses_features_that_do_not_fit(a, b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(a, b)


def test_frechet_interval_covers_the_distance_of_the_whole_distributions():
    """Two samples of 1,000 from Gaussians 0.3 apart in each of 8 features: the finite-sample
    estimate is biased upwards, yet the basic bootstrap interval covers the true distance, 0.72."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1000, 8)) + 0.3, rng.standard_normal((1000, 8))
    low, high = frechet_interval(a, b, n_resamples=300, seed=1)
    assert low < 8 * 0.3**2 < high < 2.0
    assert (low, high) == frechet_interval(a, b, n_resamples=300, seed=1)  # reproducible


def test_frechet_interval_refuses_a_confidence_outside_0_1():
    with pytest.raises(ValueError, match="confidence"):
        frechet_interval(np.zeros((5, 2)), np.ones((5, 2)), confidence=95)
