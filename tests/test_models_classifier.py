"""The classifier the chapter "Looking inside a network" opens
(helpers.models.classifier): a body that gives the activations, a one-layer head that
gives the logits, the classifier as head ∘ body, and the exact effect of a direction of
the activations on the logits."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models import classifier as clf  # noqa: E402


def _images(n=5, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28, 1)).astype("float32")


def _numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.fixture(scope="module")
def models():
    return clf.build_classifier(4, width=12, hidden_units=16, seed=0)


def test_builder_returns_classifier_body_and_head_with_the_chapter_shapes(models):
    classifier, body, head = models
    images = _images()
    assert tuple(body(images).shape) == (5, 12)
    assert tuple(head(np.zeros((5, 12), "float32")).shape) == (5, 4)
    assert tuple(classifier(images).shape) == (5, 4)
    assert _numpy(body(images)).min() >= 0  # ReLU activations


def test_classifier_is_the_head_applied_to_the_body(models):
    classifier, body, head = models
    images = _images(seed=1)
    np.testing.assert_allclose(_numpy(classifier(images)), _numpy(head(body(images))),
                               rtol=1e-5, atol=1e-6)


def test_classifier_shares_its_layers_with_body_and_head(models):
    classifier, body, head = models
    shared = {id(w) for w in body.weights} | {id(w) for w in head.weights}
    assert {id(w) for w in classifier.weights} == shared
    assert len(classifier.weights) == 6  # three Dense layers, a kernel and a bias each


def test_same_seed_gives_the_same_weights_and_the_models_are_not_compiled():
    first, _, _ = clf.build_classifier(3, width=8, hidden_units=8, seed=2)
    second, _, _ = clf.build_classifier(3, width=8, hidden_units=8, seed=2)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not first.compiled


def test_logit_effect_is_the_change_of_the_logits_when_a_direction_is_added(models):
    _, body, head = models
    head.get_layer("logits").bias.assign(np.array([0.5, -1.0, 2.0, 0.0], "float32"))
    activations = _numpy(body(_images(n=6, seed=3)))
    directions = np.random.default_rng(4).normal(size=(6, 12)).astype("float32")
    effect = clf.logit_effect(head, directions)
    assert effect.shape == (6, 4)
    change = _numpy(head(activations + directions)) - _numpy(head(activations))
    np.testing.assert_allclose(effect, change, rtol=1e-4, atol=1e-4)


def test_logit_effect_is_linear_in_the_direction(models):
    _, _, head = models
    directions = np.random.default_rng(5).normal(size=(3, 12))
    np.testing.assert_allclose(clf.logit_effect(head, 2.5 * directions),
                               2.5 * clf.logit_effect(head, directions), rtol=1e-5)
    np.testing.assert_array_equal(clf.logit_effect(head, np.zeros((2, 12))), 0.0)


@pytest.mark.parametrize("bad", [np.zeros(12), np.zeros((3, 11)), np.zeros((3, 13)),
                                 np.zeros((2, 3, 12))])
def test_logit_effect_rejects_directions_that_are_not_n_by_width(models, bad):
    with pytest.raises(ValueError, match=r"directions must have shape \(n, 12\)"):
        clf.logit_effect(models[2], bad)


def test_head_rejects_activations_of_the_wrong_width(models):
    with pytest.raises(ValueError):
        models[2](np.zeros((2, 11), "float32"))


@pytest.mark.parametrize("kwargs", [dict(n_classes=1), dict(n_classes=0),
                                    dict(n_classes=2.0), dict(width=0),
                                    dict(hidden_units=0), dict(width=8.5)])
def test_bad_sizes_raise_value_errors(kwargs):
    with pytest.raises(ValueError):
        clf.build_classifier(
            **{"n_classes": 3, "width": 8, "hidden_units": 8, **kwargs})


def test_fewer_than_two_classes_says_n_classes():
    with pytest.raises(ValueError, match="n_classes"):
        clf.build_classifier(1, width=8, hidden_units=8)
