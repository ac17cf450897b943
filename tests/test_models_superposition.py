"""The toy model of superposition (helpers.models.superposition): the sparse features it
is fed, the model's shapes, the importance-weighted loss, and the picture a short
training draws: a dense instance keeps its two most important features, a sparse one
packs in more features than it has dimensions."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models import superposition as sp  # noqa: E402


def _numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


# -- sample_features -------------------------------------------------------------------
def test_samples_have_one_row_of_features_per_instance_as_float32():
    x = sp.sample_features(7, (0.0, 0.5, 0.9), n_features=4)
    assert x.shape == (7, 3, 4) and x.dtype == np.float32
    assert sp.sample_features(3, 0.2).shape == (3, 1, 5)  # one sparsity, the default 5


def test_samples_lie_in_zero_one():
    x = sp.sample_features(2000, (0.0, 0.7), seed=1)
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_each_instance_has_its_sparsity_as_fraction_of_zeros():
    sparsities = (0.0, 0.3, 0.9)
    x = sp.sample_features(20000, sparsities, n_features=5, seed=2)
    zeros = (x == 0).mean(axis=(0, 2))
    np.testing.assert_allclose(zeros, sparsities, atol=0.02)
    for j in range(len(sparsities)):  # and for every feature of every instance alike
        zeros = (x[:, j] == 0).mean(axis=0)
        np.testing.assert_allclose(zeros, sparsities[j], atol=0.02)


def test_present_features_are_uniform_on_zero_one():
    x = sp.sample_features(20000, (0.5,), n_features=5, seed=3)
    present = x[x > 0]
    assert present.mean() == pytest.approx(0.5, abs=0.02)
    assert np.quantile(present, 0.25) == pytest.approx(0.25, abs=0.02)


def test_samples_depend_on_the_seed_only():
    first = sp.sample_features(50, (0.0, 0.9), seed=4)
    np.testing.assert_array_equal(sp.sample_features(50, (0.0, 0.9), seed=4), first)
    assert not np.array_equal(sp.sample_features(50, (0.0, 0.9), seed=5), first)


@pytest.mark.parametrize("sparsities", [(1.0,), (0.0, 1.0), (-0.1,), (0.5, 1.5), (),
                                        (float("nan"),)])
def test_a_sparsity_outside_zero_to_one_raises_a_value_error(sparsities):
    message = r"sparsities must be one or more numbers in \[0, 1\)"
    with pytest.raises(ValueError, match=message):
        sp.sample_features(10, sparsities)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=2.5), dict(n_features=1),
                                    dict(n_features=0)])
def test_a_bad_number_of_samples_or_features_raises_a_value_error(kwargs):
    with pytest.raises(ValueError):
        sp.sample_features(**{"n": 10, "sparsities": (0.5,), **kwargs})


# -- the model -------------------------------------------------------------------------
def test_model_weights_and_outputs_have_the_documented_shapes():
    model = sp.ToySuperposition(3, n_features=6, n_hidden=2)
    assert tuple(model.W.shape) == (3, 2, 6) and tuple(model.b.shape) == (3, 6)
    x = sp.sample_features(4, (0.0, 0.5, 0.9), n_features=6)
    assert tuple(model.hidden(x).shape) == (4, 3, 2)
    out = _numpy(model(x))
    assert out.shape == (4, 3, 6) and out.min() >= 0
    assert sp.feature_directions(model).shape == (3, 6, 2)


def test_model_computes_relu_of_w_transpose_w_x_plus_b_per_instance():
    model = sp.ToySuperposition(2, n_features=5, n_hidden=2, seed=1)
    model.b.assign(np.array([[0.1, -0.2, 0.0, 0.3, -0.1]] * 2, "float32"))
    x = sp.sample_features(6, (0.0, 0.8), seed=6)
    W = _numpy(model.W)
    hidden = np.einsum("ihf,bif->bih", W, x)
    np.testing.assert_allclose(_numpy(model.hidden(x)), hidden, rtol=1e-5, atol=1e-6)
    expected = np.maximum(np.einsum("ihf,bih->bif", W, hidden) + _numpy(model.b), 0)
    np.testing.assert_allclose(_numpy(model(x)), expected, rtol=1e-5, atol=1e-6)


def test_feature_directions_are_the_columns_of_w():
    model = sp.ToySuperposition(2, seed=2)
    directions = sp.feature_directions(model)
    W = _numpy(model.W)
    for instance in range(2):
        for feature in range(5):
            np.testing.assert_array_equal(directions[instance, feature],
                                          W[instance, :, feature])


def test_the_same_seed_gives_the_same_weights():
    first = _numpy(sp.ToySuperposition(2, seed=3).W)
    np.testing.assert_array_equal(_numpy(sp.ToySuperposition(2, seed=3).W), first)
    assert not np.allclose(_numpy(sp.ToySuperposition(2, seed=4).W), first)


def test_represented_counts_the_directions_longer_than_the_threshold():
    model = sp.ToySuperposition(2, n_features=4, n_hidden=2)
    W = np.zeros((2, 2, 4), "float32")
    W[0, :, 0], W[0, :, 1] = [1.0, 0.0], [0.0, 0.9]  # two kept, two dropped
    W[1] = [[1.0, 0.0, -0.6, 0.3], [0.0, 1.0, 0.0, -0.3]]  # |W_3| ≈ 0.42
    model.W.assign(W)
    np.testing.assert_array_equal(sp.represented(model), [2, 3])
    np.testing.assert_array_equal(sp.represented(model, threshold=0.4), [2, 4])
    np.testing.assert_array_equal(sp.represented(model, threshold=0.95), [1, 2])


@pytest.mark.parametrize("kwargs", [dict(n_hidden=5), dict(n_hidden=6),
                                    dict(n_hidden=0), dict(n_features=1),
                                    dict(n_instances=0), dict(n_hidden=1.0)])
def test_bad_model_sizes_raise_value_errors(kwargs):
    with pytest.raises(ValueError):
        sp.ToySuperposition(
            **{"n_instances": 2, "n_features": 5, "n_hidden": 2, **kwargs})


def test_n_hidden_not_smaller_than_n_features_says_so():
    with pytest.raises(ValueError, match="n_hidden must be smaller than n_features"):
        sp.ToySuperposition(1, n_features=3, n_hidden=3)


def test_feature_directions_rejects_another_model():
    with pytest.raises(ValueError, match="ToySuperposition"):
        sp.feature_directions(keras.Sequential([keras.layers.Dense(2)]))
    with pytest.raises(ValueError, match="ToySuperposition"):
        sp.represented(np.zeros((1, 2, 5)))


# -- the loss --------------------------------------------------------------------------
def test_importance_loss_weights_feature_i_by_decay_to_the_i_and_sums_the_instances():
    rng = np.random.default_rng(7)
    x = rng.random((4, 3, 5)).astype("float32")
    x_hat = rng.random((4, 3, 5)).astype("float32")
    by_hand = np.zeros(4)
    for sample in range(4):
        for instance in range(3):
            for i in range(5):
                by_hand[sample] += 0.7 ** i * (x[sample, instance, i]
                                               - x_hat[sample, instance, i]) ** 2
    loss = _numpy(sp.importance_loss(5, decay=0.7)(x, x_hat))
    assert loss.shape == (4,)
    np.testing.assert_allclose(loss, by_hand, rtol=1e-5)


def test_importance_loss_with_decay_one_is_the_plain_sum_and_zero_keeps_feature_0():
    x = np.zeros((1, 1, 3), "float32")
    x_hat = np.array([[[1.0, 2.0, 3.0]]], "float32")
    assert float(_numpy(sp.importance_loss(3, 1.0)(x, x_hat))[0]) == pytest.approx(14.0)
    assert float(_numpy(sp.importance_loss(3, 0.0)(x, x_hat))[0]) == pytest.approx(1.0)
    assert float(_numpy(sp.importance_loss(3, 0.5)(x, x_hat))[0]) == pytest.approx(
        1 + 0.5 * 4 + 0.25 * 9)


@pytest.mark.parametrize("decay", [-0.1, 1.1, float("nan"), "0.9"])
def test_a_decay_outside_zero_one_raises_a_value_error(decay):
    with pytest.raises(ValueError, match="decay"):
        sp.importance_loss(5, decay)


def test_importance_loss_needs_two_or_more_features():
    with pytest.raises(ValueError, match="n_features"):
        sp.importance_loss(1, 0.9)


# -- training --------------------------------------------------------------------------
@pytest.mark.slow  # about 2-4 s on two shared CPU cores
def test_training_keeps_two_features_when_dense_and_more_than_two_when_sparse():
    keras.utils.set_random_seed(0)
    x = sp.sample_features(8000, (0.0, 0.9), n_features=5, seed=0)
    model = sp.ToySuperposition(2, n_features=5, n_hidden=2, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.02),
                  loss=sp.importance_loss(5, 0.9))
    model.fit(x, x, epochs=12, batch_size=64, verbose=0)
    kept = sp.represented(model)
    assert kept[0] <= 2 < kept[1]
    lengths = np.linalg.norm(sp.feature_directions(model), axis=-1)
    assert np.all(lengths[0, :2] > 0.5)  # dense: the two most important are kept
    dense = sp.feature_directions(model)[0, :2]
    cosine = dense[0] @ dense[1] / np.prod(np.linalg.norm(dense, axis=1))
    assert abs(cosine) < 0.3  # at (nearly) right angles
