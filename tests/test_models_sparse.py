"""The sparse autoencoder builder, its penalties, and the activity measures of the chapter."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models import sparse  # noqa: E402


def test_builder_returns_three_models_with_the_chapter_shapes():
    autoencoder, encoder, decoder = sparse.sparse_autoencoder(64, penalty="l1", weight=1e-4, hidden_units=32)
    images = np.random.default_rng(0).random((5, 28, 28, 1)).astype("float32")
    assert encoder(images).shape == (5, 64)
    assert decoder(np.zeros((5, 64), "float32")).shape == (5, 28, 28, 1)
    out = keras.ops.convert_to_numpy(autoencoder(images))
    assert out.shape == (5, 28, 28, 1) and out.min() >= 0 and out.max() <= 1


def test_l1_model_carries_its_penalty_as_a_layer_after_the_relu_code_units():
    _, encoder, _ = sparse.sparse_autoencoder(16, penalty="l1", weight=1e-3, hidden_units=8)
    assert encoder.get_layer("code_units").activation.__name__ == "relu"
    penalty = encoder.get_layer("code")
    assert isinstance(penalty, sparse.L1Penalty) and penalty.weight == 1e-3
    # Keras' activity_regularizer is scaled differently before and after Keras 3.14: not used.
    assert all(getattr(layer, "activity_regularizer", None) is None for layer in encoder.layers)


def test_l1_weight_zero_adds_nothing_and_no_penalty_has_no_penalty_layer():
    autoencoder, _, _ = sparse.sparse_autoencoder(16, penalty="l1", weight=0.0, hidden_units=8)
    autoencoder(np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32"))
    assert float(sum(keras.ops.convert_to_numpy(l) for l in autoencoder.losses)) == 0.0
    _, encoder, _ = sparse.sparse_autoencoder(16, penalty=None, hidden_units=8)
    assert not any(isinstance(layer, sparse.L1Penalty) for layer in encoder.layers)


def _penalty_of(layer, codes):
    layer(codes)
    return float(keras.ops.convert_to_numpy(layer.losses[-1]))


def test_l1_term_is_weight_times_the_batch_mean_of_each_images_sum_of_absolute_codes():
    codes = np.array([[1.0, 0.0, 2.0, 0.5], [0.0, 0.0, 0.0, 4.0], [3.0, 1.0, 0.0, 0.0]], "float32")
    # per image Σ_j |c_j| = 3.5, 4 and 4; their mean over the batch is 11.5 / 3
    assert _penalty_of(sparse.L1Penalty(0.3), codes) == pytest.approx(0.3 * 11.5 / 3, rel=1e-6)
    assert _penalty_of(sparse.L1Penalty(1.0), -codes) == pytest.approx(11.5 / 3, rel=1e-6)  # |c|, not c


def test_l1_term_does_not_depend_on_the_batch_size():
    codes = np.random.default_rng(5).random((4, 32)).astype("float32")
    one_batch = _penalty_of(sparse.L1Penalty(2e-3), codes)
    for copies in (2, 32, 128):  # the same images repeated: a larger batch, the same mean
        larger_batch = np.tile(codes, (copies, 1))
        assert _penalty_of(sparse.L1Penalty(2e-3), larger_batch) == pytest.approx(one_batch, rel=1e-5)


def test_l1_model_adds_weight_times_the_batch_mean_of_each_images_sum_of_codes():
    keras.utils.set_random_seed(0)
    autoencoder, encoder, _ = sparse.sparse_autoencoder(16, penalty="l1", weight=0.5, hidden_units=8)
    images = np.random.default_rng(1).random((4, 28, 28, 1)).astype("float32")
    codes = keras.ops.convert_to_numpy(encoder(images))
    autoencoder(images)
    penalty = float(sum(keras.ops.convert_to_numpy(l) for l in autoencoder.losses))
    assert penalty == pytest.approx(0.5 * np.abs(codes).sum(axis=1).mean(), rel=1e-4)


def test_l1_layer_passes_the_codes_through_and_rejects_a_negative_weight():
    codes = np.random.default_rng(6).random((3, 5)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(sparse.L1Penalty(0.1)(codes)), codes)
    with pytest.raises(ValueError, match="weight"):
        sparse.L1Penalty(-1.0)


def test_l1_layer_survives_a_save_and_load_round_trip():
    layer = sparse.L1Penalty(3e-4, name="code")
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, sparse.L1Penalty) and clone.weight == 3e-4 and clone.name == "code"


def test_kl_layer_is_zero_at_the_target_and_positive_away_from_it():
    layer = sparse.KLSparsity(target=0.2, weight=1.0)
    layer(np.full((8, 3), 0.2, "float32"))
    assert float(keras.ops.convert_to_numpy(layer.losses[-1])) == pytest.approx(0.0, abs=1e-6)
    layer = sparse.KLSparsity(target=0.2, weight=2.0)
    codes = np.full((8, 3), 0.5, "float32")
    out = layer(codes)
    expected = 2.0 * 3 * (0.2 * np.log(0.2 / 0.5) + 0.8 * np.log(0.8 / 0.5))
    assert float(keras.ops.convert_to_numpy(layer.losses[-1])) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), codes)


def test_kl_model_has_sigmoid_codes_and_a_penalty_in_its_losses():
    autoencoder, encoder, _ = sparse.sparse_autoencoder(16, penalty="kl", weight=1e-2, target=0.05, hidden_units=8)
    images = np.random.default_rng(2).random((6, 28, 28, 1)).astype("float32")
    codes = keras.ops.convert_to_numpy(encoder(images))
    assert codes.min() > 0 and codes.max() < 1
    autoencoder(images)
    assert len(autoencoder.losses) == 1 and float(keras.ops.convert_to_numpy(autoencoder.losses[0])) > 0


def test_top_k_layer_keeps_exactly_the_k_largest_values():
    codes = np.random.default_rng(3).random((7, 20)).astype("float32")
    kept = keras.ops.convert_to_numpy(sparse.TopK(5)(codes))
    assert np.all((kept != 0).sum(axis=1) == 5)
    kth = -np.sort(-codes, axis=1)[:, 4:5]
    np.testing.assert_array_equal(kept, np.where(codes >= kth, codes, 0))


def test_top_k_model_codes_have_at_most_k_active_units():
    _, encoder, _ = sparse.sparse_autoencoder(32, penalty="top_k", k=3, hidden_units=8)
    images = np.random.default_rng(4).random((5, 28, 28, 1)).astype("float32")
    codes = keras.ops.convert_to_numpy(encoder(images))
    assert np.all((codes > 0).sum(axis=1) <= 3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(code_units=0), "code_units"),
    (dict(code_units=2.5), "code_units"),
    (dict(penalty="l2"), "penalty must be one of"),
    (dict(weight=-1.0), "weight"),
    (dict(weight=float("nan")), "weight"),
    (dict(penalty="top_k"), "needs k"),
    (dict(code_units=8, penalty="top_k", k=9), "more than the 8"),
    (dict(penalty="kl", target=1.5), "strictly between 0 and 1"),
])
def test_bad_settings_raise_value_errors_that_say_what_is_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sparse.sparse_autoencoder(**{"hidden_units": 8, **kwargs})


def test_active_units_and_fraction_use_the_threshold():
    codes = np.array([[0.0, 0.05, 0.2, 3.0], [0.11, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(sparse.active_units(codes), [2, 1])
    assert sparse.active_fraction(codes) == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert sparse.active_fraction(codes, threshold=0.0) == pytest.approx((3 / 4 + 1 / 4) / 2)


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((0, 3)), np.array([[np.nan, 1.0]]), np.array([["a"]])])
def test_active_fraction_rejects_what_is_not_a_batch_of_codes(bad):
    with pytest.raises(ValueError):
        sparse.active_fraction(bad)


def test_dictionary_is_one_28x28_atom_per_code_unit():
    _, _, decoder = sparse.sparse_autoencoder(12, hidden_units=8)
    atoms = sparse.dictionary(decoder)
    assert atoms.shape == (12, 28, 28)
    np.testing.assert_array_equal(atoms.reshape(12, -1), decoder.get_layer("decoder_pixels").get_weights()[0])


def test_usable_weights_keeps_a_good_list_sorted_and_prints_nothing(capsys):
    assert sparse.usable_weights([2e-4, 0.0, 5e-5], [1e-4]) == [0.0, 5e-5, 2e-4]
    assert capsys.readouterr().out == ""


def test_usable_weights_puts_back_the_weight_zero_with_a_note(capsys):
    assert sparse.usable_weights([5e-5, 1.5e-4], [1e-4]) == [0.0, 5e-5, 1.5e-4]
    assert "needs 0.0" in capsys.readouterr().out


@pytest.mark.parametrize("edited", [[0.0], [], [0.0, -1e-4], "none", [None, float("nan")]])
def test_usable_weights_falls_back_to_the_defaults_when_no_weight_is_left(edited, capsys):
    assert sparse.usable_weights(edited, [1e-4, 2e-4]) == [0.0, 1e-4, 2e-4]
    assert "Note:" in capsys.readouterr().out


def test_usable_weights_drops_bad_entries_and_duplicates_with_a_note(capsys):
    assert sparse.usable_weights([0.0, "x", 1e-4, 1e-4, -2.0], [5e-5]) == [0.0, 1e-4]
    assert "left out ['x', -2.0]" in capsys.readouterr().out


def test_usable_weights_without_zero_leaves_the_zero_out(capsys):
    assert sparse.usable_weights([0.0, 3e-3, 1e-3], [1e-3], name="kl_weights", with_zero=False) == [1e-3, 3e-3]
    assert "kl_weights trains the penalty at positive weights only; 0.0 is left out" in (
        capsys.readouterr().out)
