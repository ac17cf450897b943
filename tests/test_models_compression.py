"""The rate–distortion autoencoder of helpers.models.compression: a learned density
that integrates to one, the two training quantisers and rounding at inference, what λ
weighs, saving, and clear errors for bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models.compression import (  # noqa: E402
    FactorizedDensity,
    RateDistortionAutoencoder,
    build_rd_autoencoder,
)

ops = keras.ops
C = 4


def _images(n=32, seed=0):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):  # bright bars at a few positions
        row = rng.integers(4, 24)
        images[i, row:row + 3, 4:24, 0] = rng.uniform(0.7, 1.0)
    return images


def _model(lmbda=16.0, quantiser="noise", optimizer=None, **kwargs):
    keras.utils.set_random_seed(0)
    model = build_rd_autoencoder(C, lmbda, quantiser=quantiser, hidden=(16,), seed=0,
                                 **kwargs)
    if optimizer is not None:
        model.compile(optimizer=optimizer)
    return model


def _numpy(x):
    return np.array(ops.convert_to_numpy(x))


def test_the_density_integrates_to_one_over_the_integers():
    keras.utils.set_random_seed(0)
    density = FactorizedDensity(C)
    integers = np.arange(-2000, 2001, dtype=np.float32)
    p = _numpy(density(np.repeat(integers[:, None], C, axis=1)))
    assert p.shape == (len(integers), C)
    assert np.all(p > 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-4)


def test_the_cumulative_increases_and_the_likelihood_is_its_unit_interval():
    keras.utils.set_random_seed(1)
    density = FactorizedDensity(C, filters=(3, 3))
    x = np.linspace(-40, 40, 161, dtype=np.float32)[:, None].repeat(C, axis=1)
    logits = _numpy(density.logits_cumulative(x)).astype(np.float64)
    assert logits.shape == x.shape and np.all(np.diff(logits, axis=0) > 0)
    sigmoid = 1 / (1 + np.exp(-logits))
    p = _numpy(density.likelihood(x[1:-1]))  # x ± ½ are the neighbours in the grid
    np.testing.assert_allclose(p, sigmoid[2:] - sigmoid[:-2], atol=1e-6)


def test_the_density_starts_as_tensorflow_compression_initialises_it():
    keras.utils.set_random_seed(0)
    density = FactorizedDensity(2)  # filters (3, 3, 3): widths 1 → 3 → 3 → 3 → 1
    scale = 10 ** (1 / 4)
    for matrix, width in zip(density.matrices, (3, 3, 3, 1)):
        np.testing.assert_allclose(_numpy(matrix),
                                   math.log(math.expm1(1 / scale / width)), rtol=1e-6)
    biases = np.concatenate([_numpy(b).ravel() for b in density.biases])
    assert np.all(np.abs(biases) <= 0.5) and biases.std() > 0.1
    assert all(np.all(_numpy(a) == 0) for a in density.factors)


def test_training_with_noise_lowers_the_loss_and_logs_both_terms():
    model = _model()
    history = model.fit(_images(64), epochs=4, batch_size=16, verbose=0).history
    assert {"loss", "rate_bpp", "distortion"} <= set(history)
    assert history["loss"][-1] < 0.9 * history["loss"][0], history["loss"]


def test_inference_rounds_the_code():
    model = _model()
    images = _images(8)
    codes = model.encode(images)
    symbols = model.symbols(images)
    assert symbols.dtype == np.int64 and symbols.shape == (8, C)
    np.testing.assert_array_equal(symbols, np.round(codes))
    expected = _numpy(model.decoder(np.round(codes).astype(np.float32)))
    np.testing.assert_allclose(_numpy(model(images, training=False)), expected,
                               atol=1e-6)
    np.testing.assert_allclose(model.reconstruct(images), expected, atol=1e-6)
    decoded = model.decode_symbols(symbols)
    assert decoded.shape == (8, 28, 28, 1) and 0 <= decoded.min() <= decoded.max() <= 1


def test_rate_bits_are_the_density_cross_entropy_and_evaluate_reports_them():
    model = _model()
    images = _images(16)
    symbols = model.symbols(images)
    p = _numpy(model.density.likelihood(symbols.astype(np.float32)))
    bits = model.rate_bits(symbols)
    np.testing.assert_allclose(bits, -np.log2(p).sum(axis=1), rtol=1e-5)
    logs = model.evaluate(images, batch_size=16, verbose=0, return_dict=True)
    assert logs["rate_bpp"] == pytest.approx(bits.mean() / 784, rel=1e-4)


@pytest.mark.parametrize("quantiser", ["noise", "straight_through"])
def test_the_gradient_reaches_the_encoder_through_the_quantiser(quantiser):
    """Rounding has no gradient: only the noise or the straight-through copy lets the
    distortion and the rate move the encoder."""
    model = _model(quantiser=quantiser, optimizer=keras.optimizers.SGD(0.1))
    kernel = _numpy(model.encoder.get_layer("hidden_1").kernel)
    model.train_on_batch(_images(16))
    change = _numpy(model.encoder.get_layer("hidden_1").kernel) - kernel
    assert np.abs(change).max() > 1e-6


def test_straight_through_trains_on_the_rounded_code():
    model = _model(quantiser="straight_through")
    y = model.encoder(_images(4))
    np.testing.assert_array_equal(_numpy(model.quantise(y, training=True)),
                                  np.round(_numpy(y)))
    noisy = _numpy(_model().quantise(y, training=True)) - _numpy(y)
    assert np.all(np.abs(noisy) <= 0.5) and np.abs(noisy).max() > 0


def test_lambda_zero_leaves_the_distortion_out():
    """λ weighs the distortion (loss = rate + λ·distortion): at λ = 0 the loss is the
    rate alone and the decoder receives no gradient."""
    model = _model(lmbda=0.0, optimizer=keras.optimizers.SGD(0.1))
    decoder = [_numpy(w) for w in model.decoder.weights]
    logs = model.train_on_batch(_images(16), return_dict=True)
    assert logs["loss"] == pytest.approx(logs["rate_bpp"], rel=1e-5)
    for before, after in zip(decoder, model.decoder.weights):
        np.testing.assert_array_equal(before, _numpy(after))


def test_mae_distortion_is_the_mean_absolute_error():
    model = _model(lmbda=2.0, distortion="mae")
    images = _images(8)
    logs = model.evaluate(images, batch_size=8, verbose=0, return_dict=True)
    error = np.abs(images - model.reconstruct(images)).mean()
    assert logs["distortion"] == pytest.approx(error, rel=1e-4)
    rate = model.rate_bits(model.symbols(images)).mean() / 784
    assert logs["loss"] == pytest.approx(rate + 2.0 * error, rel=1e-4)


def test_the_model_survives_its_config_and_saving(tmp_path):
    model = _model(lmbda=3.5, quantiser="straight_through", distortion="mae")
    images = _images(4)
    copy = RateDistortionAutoencoder.from_config(model.get_config())
    assert (copy.lmbda, copy.quantiser, copy.distortion) == (
        3.5, "straight_through", "mae")
    assert copy.latent_dim == C and copy.density.filters == (3, 3, 3)
    model.optimizer.build(model.trainable_variables)  # as after training
    path = tmp_path / "rd.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, RateDistortionAutoencoder)
    np.testing.assert_allclose(loaded.reconstruct(images), model.reconstruct(images),
                               atol=1e-6)
    np.testing.assert_allclose(loaded.rate_bits(model.symbols(images)),
                               model.rate_bits(model.symbols(images)), rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"lmbda": -1.0}, "lmbda"),
    ({"lmbda": float("nan")}, "not NaN or infinite"),
    ({"lmbda": float("inf")}, "not NaN or infinite"),
    ({"distortion": "ssim"}, "'mse' or 'mae'"),
    ({"quantiser": "round"}, "'noise' or 'straight_through'"),
    ({"latent_dim": 0}, "latent_dim must be a whole number ≥ 1"),
    ({"hidden": 256}, "sequence of layer widths"),
])
def test_bad_settings_say_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_rd_autoencoder(**{"latent_dim": C, **kwargs})


def test_bad_symbols_and_images_say_what_was_expected():
    model = _model()
    with pytest.raises(ValueError, match="NaN"):
        model.decode_symbols(np.full((1, C), np.nan))
    with pytest.raises(ValueError, match=f"must have {C} channels"):
        model.decode_symbols(np.zeros((1, C + 1), int))
    with pytest.raises(ValueError, match="whole numbers"):
        model.rate_bits(np.full((1, C), 0.5))
    with pytest.raises(ValueError, match=r"shape \(N, channels\)"):
        model.rate_bits(np.zeros(C, int))
    with pytest.raises(ValueError, match="28×28"):
        model.encode(np.zeros((1, 14, 14), np.float32))
    with pytest.raises(ValueError, match=f"{C} channels"):
        model.density(np.zeros((1, C + 2), np.float32))


def test_the_density_learns_at_its_own_rate_and_only_the_density():
    """DensityAdam: the density's variables, and no others, step density_factor
    times faster (the chapter's short runs depend on it)."""
    from keras import ops

    model = build_rd_autoencoder(latent_dim=4, lmbda=1.0, hidden=(8,),
                                 learning_rate=1e-3, density_learning_rate=1e-2)
    optimizer = model.optimizer
    assert optimizer.density_factor == pytest.approx(10.0)
    factors = {v.path: optimizer._factors[optimizer._get_variable_index(v)]
               for v in model.trainable_variables}
    density = {v.path for v in model.density.trainable_variables}
    assert density and all(factors[p] == pytest.approx(10.0) for p in density)
    assert all(f == 1.0 for p, f in factors.items() if p not in density)
    assert float(ops.convert_to_numpy(model.rate_weight(training=True))) == 1.0


def test_a_rate_warmup_raises_the_rate_weight_in_a_straight_line():
    from keras import ops

    model = build_rd_autoencoder(latent_dim=4, lmbda=1.0, hidden=(8,), rate_warmup=4)
    weights = [float(ops.convert_to_numpy(model.rate_weight(training=True)))
               for _ in range(6)]
    assert weights == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    assert float(ops.convert_to_numpy(model.rate_weight(training=False))) == 1.0
    with pytest.raises(ValueError, match="number of updates"):
        build_rd_autoencoder(latent_dim=4, rate_warmup=-1)
