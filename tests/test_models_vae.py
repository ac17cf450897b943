"""The variational autoencoder of helpers.models.vae: shapes, the loss, and the two held-out bounds."""
from __future__ import annotations

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models.vae import (  # noqa: E402
    bernoulli_log_likelihood,
    build_vae,
    elbo_terms,
    importance_weighted_nll,
    kl_divergence,
    negative_elbo,
)


def _images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):  # bright bars at a few positions: learnable in a few steps
        row = rng.integers(4, 24)
        images[i, row:row + 3, 4:24, 0] = rng.uniform(0.7, 1.0)
    return images


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    model = build_vae(2, hidden_units=32, seed=0)
    history = model.fit(_images(256), epochs=3, batch_size=64, verbose=0)
    return model, history


def test_encoder_gives_mean_and_log_variance_and_decoder_gives_logits():
    model = build_vae(3, hidden_units=16)
    z_mean, z_log_var = model.encoder(_images(5))
    assert tuple(z_mean.shape) == (5, 3) and tuple(z_log_var.shape) == (5, 3)
    assert tuple(model.decoder(np.zeros((4, 3), np.float32)).shape) == (4, 28, 28, 1)
    assert model.latent_size == 3


def test_conv_variant_has_the_same_interface():
    model = build_vae(2, hidden_units=16, conv=True)
    assert tuple(model(_images(2)).shape) == (2, 28, 28, 1)
    assert model.decode(np.zeros((1, 2))).shape == (1, 28, 28, 1)


def test_conv_decoder_mirrors_the_encoder_and_ends_in_linear_logits():
    """28 → 14 → 7 with 32, 64 channels on the way in; 7 → 14 → 28 with 32, 1 on the way
    out, the last layer linear (logits, not probabilities)."""
    model = build_vae(2, hidden_units=16, conv=True)
    down = [l for l in model.encoder.layers if isinstance(l, keras.layers.Conv2D)]
    up = [l for l in model.decoder.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert [l.filters for l in down] == [32, 64]
    assert [l.filters for l in up] == [32, 1]
    assert all(l.strides == (2, 2) for l in down + up)
    assert up[-1].get_config()["activation"] == "linear"


def test_one_image_encoded_twice_gives_two_different_codes():
    model = build_vae(2, hidden_units=16, seed=1)
    image = _images(1)
    z_mean, z_log_var = model.encoder(image)
    first = model.sampling([z_mean, z_log_var])
    second = model.sampling([z_mean, z_log_var])
    assert not np.allclose(np.asarray(first), np.asarray(second))


def test_fit_logs_loss_reconstruction_and_kl_that_add_up(trained):
    model, history = trained
    logs = history.history
    assert {"loss", "reconstruction", "kl"} <= set(logs)
    assert logs["loss"][-1] < logs["loss"][0]
    for loss, rec, kl in zip(logs["loss"], logs["reconstruction"], logs["kl"]):
        assert loss == pytest.approx(rec + model.beta * kl, rel=1e-4)


def test_beta_weighs_the_kl_in_the_loss():
    keras.utils.set_random_seed(0)
    model = build_vae(2, hidden_units=16, beta=4.0, seed=0)
    logs = model.fit(_images(64), epochs=1, batch_size=64, verbose=0).history
    assert logs["loss"][0] == pytest.approx(logs["reconstruction"][0] + 4.0 * logs["kl"][0], rel=1e-4)


def test_kl_is_zero_at_the_prior_and_matches_the_formula():
    assert np.allclose(kl_divergence(np.zeros(3), np.zeros(3)), 0.0)
    mu, log_var = np.array([1.0]), np.array([math.log(4.0)])
    assert float(kl_divergence(mu, log_var)[0]) == pytest.approx(0.5 * (1 + 4 - 1 - math.log(4)))


def test_bernoulli_log_likelihood_is_minus_the_summed_cross_entropy():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(2, 28, 28, 1)).astype(np.float32)
    logits = rng.normal(size=(2, 28, 28, 1)).astype(np.float32)
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected = np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=(1, 2, 3))
    assert np.allclose(np.asarray(bernoulli_log_likelihood(x, logits)), expected, rtol=1e-4)


def test_importance_weighted_estimate_is_below_the_negative_elbo(trained):
    model, _ = trained
    images = _images(40, seed=3)
    bound = negative_elbo(model, images, samples=20)
    iw = importance_weighted_nll(model, images, k=100)
    assert np.isfinite(iw) and iw <= bound


def test_elbo_terms_add_up_and_kl_is_positive_per_dimension(trained):
    model, _ = trained
    terms = elbo_terms(model, _images(20))
    assert terms["kl_per_dimension"].shape == (2,)
    assert np.all(terms["kl_per_dimension"] >= 0)
    assert terms["negative_elbo"] == pytest.approx(terms["reconstruction"] + terms["kl"])


def test_numpy_conveniences_return_arrays(trained):
    model, _ = trained
    z_mean, z_log_var = model.encode(_images(3))
    assert z_mean.shape == (3, 2) and isinstance(z_log_var, np.ndarray)
    pictures = model.reconstruct(_images(3))
    assert pictures.shape == (3, 28, 28, 1) and pictures.min() >= 0 and pictures.max() <= 1


@pytest.mark.parametrize("call", [
    lambda: build_vae(0),
    lambda: build_vae(2, beta=-1),
    lambda: build_vae(2, hidden_units=2.5),
])
def test_bad_builder_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_bad_inputs_to_measurements_raise_value_error(trained):
    model, _ = trained
    with pytest.raises(ValueError, match="pixels in"):
        negative_elbo(model, _images(2) * 255)
    with pytest.raises(ValueError, match="k must"):
        importance_weighted_nll(model, _images(2), k=0)
    with pytest.raises(ValueError, match="encoder"):
        negative_elbo(object(), _images(2))
    with pytest.raises(ValueError, match="codes must"):
        model.decode(np.zeros((2, 5)))


def test_a_saved_model_loads_back_with_the_same_layers_beta_and_weights(tmp_path):
    from helpers.models import same_layers
    from helpers.models.vae import VariationalAutoencoder

    model = build_vae(2, hidden_units=8, beta=2.0, seed=3)
    model(_images(2))
    model.save(tmp_path / "vae.keras")
    loaded = keras.saving.load_model(tmp_path / "vae.keras", compile=False)
    assert isinstance(loaded, VariationalAutoencoder) and loaded.beta == 2.0
    same_layers(model, loaded)
    np.testing.assert_allclose(loaded.encode(_images(3))[0], model.encode(_images(3))[0])


def test_conv_filters_set_both_convolutions_and_their_mirror():
    model = build_vae(2, hidden_units=16, conv=True, filters=(8, 16))
    down = [l for l in model.encoder.layers if isinstance(l, keras.layers.Conv2D)]
    up = [l for l in model.decoder.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert [l.filters for l in down] == [8, 16]
    assert [l.filters for l in up] == [8, 1]


@pytest.mark.parametrize("filters", [(32,), (32, 64, 128), "32,64", (0, 64), (32, 2.5)])
def test_bad_filters_say_what_was_expected(filters):
    with pytest.raises(ValueError, match="filters"):
        build_vae(2, hidden_units=16, conv=True, filters=filters)
