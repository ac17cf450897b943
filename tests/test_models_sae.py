"""The sparse autoencoder over another network's activations (helpers.models.sae):
TopK and L1 sparsity, unit-length atoms, the variance-normalised loss, steering by
clamping, and the resampling of dead latents, in one call and as a callback between
epochs."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models import sae  # noqa: E402

WIDTH, LATENTS = 8, 16


def _activations(n=300, seed=0, scale=2.0, shift=1.0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, WIDTH)) * scale + shift).astype("float32")


def _numpy(variable):
    return keras.ops.convert_to_numpy(variable).copy()


def _model(activations=None, **kwargs):
    model = sae.SAE(WIDTH, LATENTS, **{"seed": 1, **kwargs})
    model.initialize(_activations() if activations is None else activations)
    return model


def _kill(model, latents):
    """Make ``latents`` dead: a pre-activation far below 0 on every input."""
    bias = _numpy(model.b_enc)
    bias[latents] = -1e3
    model.b_enc.assign(bias)


# -- the forward pass ------------------------------------------------------------------
def test_top_k_keeps_at_most_k_latents_per_row_and_every_latent_is_non_negative():
    model = _model(k=3)
    latents = model.encode(_activations(seed=2))
    assert latents.shape == (300, LATENTS)
    assert latents.min() >= 0
    assert np.all((latents != 0).sum(axis=1) <= 3)
    assert np.mean((latents != 0).sum(axis=1)) > 2  # the k kept are mostly positive


def test_top_k_keeps_the_k_largest_positive_pre_activations_of_each_row():
    model = _model(k=4)
    values = _activations(seed=3)
    pre = keras.ops.convert_to_numpy(model.pre_activations(values))
    kth = -np.sort(-pre, axis=1)[:, 3:4]
    np.testing.assert_allclose(model.encode(values),
                               np.where(pre >= kth, np.maximum(pre, 0), 0), atol=1e-6)


def test_top_k_keeps_at_most_k_latents_even_when_pre_activations_tie():
    model = sae.SAE(WIDTH, 4, k=1, seed=0)
    encoder = _numpy(model.W_enc)
    encoder[:, 1] = encoder[:, 2] = encoder[:, 0]  # three identical latents
    model.W_enc.assign(encoder)
    latents = model.encode(_activations(seed=4))
    assert np.all((latents != 0).sum(axis=1) <= 1)


def test_l1_latents_are_the_relu_of_the_pre_activations():
    model = _model(l1=0.1)
    values = _activations(seed=5)
    pre = keras.ops.convert_to_numpy(model.pre_activations(values))
    np.testing.assert_allclose(model.encode(values), np.maximum(pre, 0), atol=1e-6)


def test_atoms_have_unit_length_whatever_the_scale_of_w_dec():
    model = _model(k=3)
    latents = model.encode(_activations())
    before = model.decode(latents)
    scales = np.geomspace(1e-3, 1e3, LATENTS)[:, None].astype("float32")
    model.W_dec.assign(_numpy(model.W_dec) * scales)
    lengths = np.linalg.norm(model.dictionary(), axis=1)
    np.testing.assert_allclose(lengths, 1.0, atol=1e-5)
    np.testing.assert_allclose(model.decode(latents), before, rtol=1e-4, atol=1e-4)


def test_encoder_starts_tied_to_the_dictionary():
    model = sae.SAE(WIDTH, LATENTS, k=2, seed=3)
    np.testing.assert_allclose(_numpy(model.W_enc), model.dictionary().T, atol=1e-6)


def test_same_seed_gives_the_same_dictionary_and_another_seed_another():
    first = sae.SAE(WIDTH, LATENTS, k=2, seed=7).dictionary()
    again = sae.SAE(WIDTH, LATENTS, k=2, seed=7).dictionary()
    np.testing.assert_array_equal(again, first)
    assert not np.allclose(sae.SAE(WIDTH, LATENTS, k=2, seed=8).dictionary(), first)


def test_decode_is_latents_times_the_atoms_plus_b_dec():
    model = _model(k=3)
    latents = np.random.default_rng(6).random((5, LATENTS)).astype("float32")
    expected = latents @ model.dictionary() + _numpy(model.b_dec)
    np.testing.assert_allclose(model.decode(latents), expected, rtol=1e-5, atol=1e-5)
    values = _activations()[:7]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(values)),
                               model.decode(model.encode(values)), atol=1e-5)


# -- initialize and the loss -----------------------------------------------------------
def test_initialize_sets_b_dec_to_the_mean_and_variance_to_the_mean_squared_distance():
    values = _activations(scale=3.0, shift=5.0)
    model = _model(values, k=3)
    mean = values.mean(axis=0)
    np.testing.assert_allclose(_numpy(model.b_dec), mean, rtol=1e-5)
    variance = np.mean(np.sum((values - mean) ** 2, axis=1))
    assert float(_numpy(model.variance)) == pytest.approx(variance, rel=1e-5)


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("sparsity", [dict(k=3), dict(l1=0.5)])
def test_a_model_that_outputs_the_mean_has_loss_one_whatever_the_units(scale, sparsity):
    values = _activations(scale=scale, shift=scale)
    model = _model(values, **sparsity)
    _kill(model, np.arange(LATENTS))  # no latent fires: the output is b_dec, the mean
    output = model(values)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output),
                               np.broadcast_to(values.mean(axis=0), values.shape),
                               rtol=1e-5, atol=1e-5 * scale)
    loss = model.compute_loss(x=values, y_pred=output, training=False)
    assert float(keras.ops.convert_to_numpy(loss)) == pytest.approx(1.0, rel=1e-4)


def test_initialize_on_constant_activations_keeps_a_variance_of_one():
    model = _model(np.full((10, WIDTH), 3.0, "float32"), k=2)
    assert float(_numpy(model.variance)) == 1.0


def test_l1_loss_is_the_normalised_error_plus_l1_times_mean_latent_sum_over_sigma():
    values = _activations(seed=8, scale=4.0)
    model = _model(values, l1=0.3)
    output = model(values)
    latents, decoded = model.encode(values), keras.ops.convert_to_numpy(output)
    variance = float(_numpy(model.variance))
    expected = (np.mean(np.sum((values - decoded) ** 2, axis=1)) / variance
                + 0.3 * np.mean(latents.sum(axis=1)) / np.sqrt(variance))
    loss = model.compute_loss(x=values, y_pred=output, training=False)
    assert float(keras.ops.convert_to_numpy(loss)) == pytest.approx(expected, rel=1e-4)


def test_l1_weight_ramps_linearly_over_the_warmup_then_stays_at_l1():
    model = sae.SAE(WIDTH, LATENTS, l1=0.5, l1_warmup=4)
    ramp = [float(keras.ops.convert_to_numpy(model.l1_weight(training=True)))
            for _ in range(6)]
    np.testing.assert_allclose(ramp, [0.125, 0.25, 0.375, 0.5, 0.5, 0.5], rtol=1e-6)


def test_l1_weight_at_inference_is_the_full_weight_and_counts_no_update():
    model = sae.SAE(WIDTH, LATENTS, l1=0.5, l1_warmup=100)
    assert float(model.l1_weight(training=False)) == 0.5
    assert float(_numpy(model.updates_seen)) == 0.0
    assert float(sae.SAE(WIDTH, LATENTS, l1=0.5).l1_weight(training=True)) == 0.5


def test_fit_counts_one_warmup_update_per_training_batch_and_none_in_validation():
    values = _activations(n=128)
    model = _model(values, l1=0.1, l1_warmup=1000)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(values, epochs=2, batch_size=32, validation_data=(values[:64],),
              verbose=0)
    assert float(_numpy(model.updates_seen)) == 2 * 128 / 32


@pytest.mark.parametrize("sparsity", [dict(k=3), dict(l1=0.05, l1_warmup=10)])
def test_a_short_fit_lowers_the_loss(sparsity):
    keras.utils.set_random_seed(0)
    values = _activations(n=256)
    model = _model(values, **sparsity)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = model.evaluate(values, batch_size=256, verbose=0)
    model.fit(values, epochs=5, batch_size=64, verbose=0)
    after = model.evaluate(values, batch_size=256, verbose=0)
    assert after < 0.9 * before


# -- steering --------------------------------------------------------------------------
def test_clamp_decodes_the_latents_with_one_latent_set_to_the_value():
    values = _activations(n=20, seed=9)
    model = _model(k=3)
    latents = model.encode(values)
    latents[:, 5] = 2.5
    np.testing.assert_allclose(model.clamp(values, 5, 2.5), model.decode(latents),
                               rtol=1e-5, atol=1e-5)
    latents[:, 5] = 0.0  # clamping to 0 switches the feature off
    np.testing.assert_allclose(model.clamp(values, np.int64(5), 0),
                               model.decode(latents), rtol=1e-5, atol=1e-5)


def test_feature_accepts_every_index_of_the_dictionary():
    model = _model(k=3)
    indices = [model.feature(i) for i in (0, np.int32(7), LATENTS - 1)]
    assert indices == [0, 7, LATENTS - 1]


# -- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(k=0), "k"),
    (dict(k=-2), "k"),
    (dict(k=LATENTS + 1), "k"),
    (dict(k=2.0), "k"),
    (dict(), "give k"),
    (dict(l1=0.0), "give k"),
    (dict(k=2, l1=0.1), "not both"),
    (dict(l1=-0.1), "l1"),
    (dict(l1=float("nan")), "l1"),
    (dict(l1=0.1, l1_warmup=-1), "l1_warmup"),
])
def test_bad_settings_raise_value_errors_that_name_the_setting(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sae.SAE(WIDTH, LATENTS, **kwargs)


@pytest.mark.parametrize("width, n_latents", [(0, 16), (8, 0), (8.0, 16)])
def test_bad_sizes_raise_value_errors(width, n_latents):
    with pytest.raises(ValueError):
        sae.SAE(width, n_latents, k=1)


@pytest.mark.parametrize("bad", [
    np.zeros((5, WIDTH - 1)),
    np.zeros((5, WIDTH + 1)),
    np.zeros(WIDTH),
    np.zeros((2, 5, WIDTH)),
    np.zeros((0, WIDTH)),
    np.full((2, WIDTH), np.nan),
    np.array([["a"] * WIDTH]),
])
def test_activations_that_are_not_n_by_width_numbers_raise_value_errors(bad):
    model = _model(k=3)
    for method in (model.encode, model.initialize, model.check_activations,
                   lambda values: sae.resample_dead_latents(model, values),
                   lambda values: model.clamp(values, 0, 1.0)):
        with pytest.raises(ValueError):
            method(bad)


def test_wrong_width_error_says_the_expected_shape():
    with pytest.raises(ValueError, match=rf"\(n, {WIDTH}\).*\(5, 7\)"):
        _model(k=3).encode(np.zeros((5, 7)))


@pytest.mark.parametrize("index", [LATENTS, LATENTS + 5, -1, 2.0, True, "3"])
def test_a_feature_index_out_of_range_or_not_whole_raises_a_value_error(index):
    model = _model(k=3)
    with pytest.raises(ValueError, match=f"0 to {LATENTS - 1}"):
        model.feature(index)
    with pytest.raises(ValueError, match=f"0 to {LATENTS - 1}"):
        model.clamp(_activations(n=3), index, 1.0)


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf"), "big"])
def test_a_negative_or_non_finite_clamp_value_raises_a_value_error(value):
    with pytest.raises(ValueError, match="value"):
        _model(k=3).clamp(_activations(n=3), 2, value)


@pytest.mark.parametrize("bad", [np.zeros((3, LATENTS - 1)), np.zeros(LATENTS),
                                 np.zeros((3, WIDTH)), np.full((1, LATENTS), np.inf)])
def test_decode_rejects_latents_that_are_not_n_by_n_latents(bad):
    with pytest.raises(ValueError, match="latents"):
        _model(k=3).decode(bad)


# -- resampling dead latents -----------------------------------------------------------
DEAD = [3, 7, 11]


@pytest.mark.parametrize("sparsity", [dict(k=3), dict(l1=0.1)])
def test_resample_returns_the_number_of_dead_latents_and_each_then_fires(sparsity):
    values = _activations()
    model = _model(values, **sparsity)
    _kill(model, DEAD)
    dead = np.flatnonzero(~(model.encode(values) > 0).any(axis=0))
    assert set(DEAD) <= set(dead)
    assert sae.resample_dead_latents(model, values, seed=0) == len(dead)
    assert np.all((model.encode(values)[:, dead] > 0).any(axis=0))
    assert sae.resample_dead_latents(model, values, seed=0) == 0  # none left


def test_resampled_atoms_are_normalised_centred_inputs_and_encoders_point_alike():
    values = _activations()
    model = _model(values, l1=0.1)
    _kill(model, DEAD)
    sae.resample_dead_latents(model, values, seed=3)
    centred = values - _numpy(model.b_dec)
    directions = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    atoms, encoder = _numpy(model.W_dec), _numpy(model.W_enc)
    for latent in DEAD:
        atom = atoms[latent]
        assert np.linalg.norm(atom) == pytest.approx(1.0, abs=1e-5)
        assert np.max(directions @ atom) == pytest.approx(1.0, abs=1e-5)  # one input's
        column = encoder[:, latent]
        cosine = column @ atom / np.linalg.norm(column)
        assert cosine == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(_numpy(model.b_enc)[DEAD], 0.0)


@pytest.mark.parametrize("scale", [None, 0.2, 1.0])
def test_resampled_encoder_columns_get_scale_times_the_live_columns_mean_length(scale):
    values = _activations()
    model = _model(values, l1=0.1)  # under L1, scaling a column keeps its latent alive
    _kill(model, DEAD)
    live = np.setdiff1d(np.arange(LATENTS), DEAD)
    encoder = _numpy(model.W_enc)
    encoder[:, live] *= np.linspace(0.5, 3.0, len(live))  # unequal live lengths
    model.W_enc.assign(encoder)
    assert list(np.flatnonzero(~(model.encode(values) > 0).any(axis=0))) == DEAD
    length = np.linalg.norm(encoder[:, live], axis=0).mean()
    if scale is None:  # the default, 0.5
        sae.resample_dead_latents(model, values)
        scale = 0.5
    else:
        sae.resample_dead_latents(model, values, encoder_scale=scale)
    np.testing.assert_allclose(np.linalg.norm(_numpy(model.W_enc)[:, DEAD], axis=0),
                               scale * length, rtol=1e-5)


@pytest.mark.parametrize("scale", [-0.5, float("nan"), "half"])
def test_a_negative_or_non_finite_encoder_scale_raises_a_value_error(scale):
    model = _model(k=3)
    with pytest.raises(ValueError, match="encoder_scale"):
        sae.resample_dead_latents(model, _activations(), encoder_scale=scale)


def test_resampling_leaves_the_live_latents_and_b_dec_untouched():
    values = _activations()
    model = _model(values, k=3)
    _kill(model, DEAD)
    live = np.flatnonzero((model.encode(values) > 0).any(axis=0))
    before = {name: _numpy(getattr(model, name))
              for name in ("W_dec", "W_enc", "b_enc", "b_dec")}
    sae.resample_dead_latents(model, values)
    np.testing.assert_array_equal(_numpy(model.W_dec)[live], before["W_dec"][live])
    np.testing.assert_array_equal(_numpy(model.W_enc)[:, live],
                                  before["W_enc"][:, live])
    np.testing.assert_array_equal(_numpy(model.b_enc)[live], before["b_enc"][live])
    np.testing.assert_array_equal(_numpy(model.b_dec), before["b_dec"])
    assert not np.allclose(_numpy(model.W_dec)[DEAD], before["W_dec"][DEAD])


def test_resampling_without_dead_latents_returns_zero_and_changes_nothing():
    values = _activations()
    model = _model(values, l1=0.1)
    assert not len(np.flatnonzero(~(model.encode(values) > 0).any(axis=0)))
    before = [_numpy(v) for v in model.weights]
    assert sae.resample_dead_latents(model, values) == 0
    for old, new in zip(before, model.weights):
        np.testing.assert_array_equal(_numpy(new), old)


def test_resampling_is_reproducible_with_a_seed():
    values = _activations()
    atoms = []
    for _ in range(2):
        model = _model(values, k=3)
        _kill(model, DEAD)
        sae.resample_dead_latents(model, values, seed=5)
        atoms.append(model.dictionary())
    np.testing.assert_array_equal(atoms[0], atoms[1])


def test_resampling_when_every_latent_is_dead_gives_columns_of_length_encoder_scale():
    values = _activations()
    model = _model(values, l1=0.1)
    _kill(model, np.arange(LATENTS))
    assert sae.resample_dead_latents(model, values, encoder_scale=0.3) == LATENTS
    lengths = np.linalg.norm(_numpy(model.W_enc), axis=0)
    np.testing.assert_allclose(lengths, 0.3, rtol=1e-5)  # no live column: length 1
    assert np.all((model.encode(values) > 0).any(axis=0))


def test_callback_resamples_between_epochs_and_training_goes_on_from_the_new_weights():
    keras.utils.set_random_seed(0)
    values = _activations(n=128)
    model = _model(values, l1=0.05)
    _kill(model, DEAD)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    callback = sae.ResampleDeadLatents(values, seed=0, last_epoch=1)
    model.fit(values, epochs=3, batch_size=64, callbacks=[callback], verbose=0)
    assert callback.resampled == [len(DEAD)]  # after epoch 0 only (epoch < last_epoch)
    # The assignment survives the next epochs (a backend that kept its own copy of the
    # weights would write the -1e3 biases back) and the resampled latents are alive.
    assert np.all(np.abs(_numpy(model.b_enc)[DEAD]) < 1.0)
    assert np.all((model.encode(values)[:, DEAD] > 0).any(axis=0))


def test_callback_without_last_epoch_records_one_count_per_epoch():
    values = _activations(n=64)
    model = _model(values, k=3)
    _kill(model, DEAD)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    callback = sae.ResampleDeadLatents(values)
    model.fit(values, epochs=3, batch_size=64, callbacks=[callback], verbose=0)
    assert len(callback.resampled) == 3 and callback.resampled[0] >= len(DEAD)
