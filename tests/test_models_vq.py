"""The VQ autoencoder of helpers.models.vq: the nearest code, the straight-through
gradient, which loss term moves what, the codebook's health and its remedies."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models.vq import (  # noqa: E402
    VectorQuantizer,
    build_vq_autoencoder,
    codebook_health,
    kmeans_codebook,
    restart_dead_codes,
)

ops = keras.ops


def _images(n=32, seed=0):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):  # bright bars at a few positions
        row = rng.integers(4, 24)
        images[i, row:row + 3, 4:24, 0] = rng.uniform(0.7, 1.0)
    return images


def _numpy(variable):
    return ops.convert_to_numpy(variable).copy()


def _quantiser_model(beta, swap=False, code_width=3, codebook_size=4):
    """Dense 'encoder' → quantiser; the only loss is the quantiser's (no decoder)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((code_width,))
    encoder = keras.layers.Dense(code_width, name="encoder")
    quantizer = VectorQuantizer(codebook_size, code_width, beta=beta,
                                swap_stop_gradient=swap)
    model = keras.Model(inputs, quantizer(encoder(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    return model, encoder, quantizer


def _one_step(beta, swap=False):
    """(change of the encoder's kernel, change of the codebook) after one SGD step."""
    model, encoder, quantizer = _quantiser_model(beta, swap)
    x = np.random.default_rng(1).normal(size=(16, 3)).astype(np.float32)
    kernel, codebook = _numpy(encoder.kernel), _numpy(quantizer.codebook)
    model.train_on_batch(x)
    return (_numpy(encoder.kernel) - kernel, _numpy(quantizer.codebook) - codebook)


def test_each_vector_becomes_its_nearest_codebook_row():
    layer = VectorQuantizer(3, 2)
    layer.build((None, 2))
    layer.codebook.assign(np.array([[0, 0], [1, 1], [-2, 0]], np.float32))
    codes = np.array([[[0.1, -0.1], [0.9, 1.3]], [[-1.5, 0.2], [0.6, 0.5]]], np.float32)
    quantised, indices = layer(codes, return_indices=True)
    assert ops.convert_to_numpy(indices).tolist() == [[0, 1], [2, 1]]
    np.testing.assert_allclose(ops.convert_to_numpy(quantised),
                               layer.lookup([[0, 1], [2, 1]]), atol=1e-6)
    assert layer.nearest(codes).tolist() == [[0, 1], [2, 1]]


def test_the_codebook_term_moves_the_codebook_and_not_the_encoder():
    encoder_change, codebook_change = _one_step(beta=0.0)
    assert np.abs(codebook_change).max() > 1e-4
    assert np.abs(encoder_change).max() == 0.0


def test_the_commitment_term_moves_the_encoder_and_not_the_codebook():
    encoder_change, codebook_change = _one_step(beta=1.0)
    assert np.abs(encoder_change).max() > 1e-4
    np.testing.assert_allclose(codebook_change, _one_step(beta=0.0)[1], atol=1e-7)


def test_swapped_stop_gradients_freeze_the_codebook_while_the_encoder_moves():
    encoder_change, codebook_change = _one_step(beta=0.25, swap=True)
    assert np.abs(codebook_change).max() == 0.0
    assert np.abs(encoder_change).max() > 1e-4


def test_the_straight_through_gradient_reaches_the_encoder():
    # β = 0: the encoder gets no gradient from the vq loss, only from the
    # reconstruction through the straight-through copy (argmin has no gradient)
    keras.utils.set_random_seed(0)
    model = build_vq_autoencoder(8, 4, beta=0.0, filters=(4, 8))
    before = [_numpy(w) for w in model.encoder.trainable_weights]
    model.train_on_batch(_images(16))
    after = [_numpy(w) for w in model.encoder.trainable_weights]
    assert max(np.abs(a - b).max() for a, b in zip(after, before)) > 1e-5


def test_training_logs_both_terms_and_indices_stay_in_range():
    keras.utils.set_random_seed(0)
    model = build_vq_autoencoder(8, 4, filters=(4, 8))
    history = model.fit(_images(64), epochs=2, batch_size=32, verbose=0)
    assert {"loss", "reconstruction", "vq"} <= set(history.history)
    assert all(np.isfinite(v).all() for v in history.history.values())
    grids = model.encode_indices(_images(10))
    assert grids.shape == (10, 7, 7) and grids.min() >= 0 and grids.max() < 8
    pictures = model.reconstruct(_images(10))
    assert pictures.shape == (10, 28, 28, 1)
    assert pictures.min() >= 0 and pictures.max() <= 1


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="codebook_size"):
        VectorQuantizer(1, 4)
    layer = VectorQuantizer(4, 3)
    with pytest.raises(ValueError, match="3 numbers each"):
        layer(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="from 0 to 3"):
        layer.lookup([[0, 4]])
    with pytest.raises(ValueError, match="whole numbers"):
        layer.lookup([0.5])
    model = build_vq_autoencoder(4, 2, filters=(2, 2))
    with pytest.raises(ValueError, match=r"\(N, 7, 7\)"):
        model.decode_indices(np.zeros((2, 6, 6), int))
    with pytest.raises(ValueError, match="from 0 to 3"):
        model.decode_indices(np.full((1, 7, 7), 9))


def test_codebook_health_counts_over_the_whole_set():
    even = codebook_health(np.arange(8).repeat(3), 8)
    assert even["codes_used"] == 8 and even["perplexity"] == pytest.approx(8)
    one = codebook_health(np.zeros((5, 7, 7), int), 8)
    assert one["perplexity"] == pytest.approx(1)
    assert one["dead_codes"].tolist() == list(range(1, 8))
    assert one["usage"].sum() == 5 * 49


def _collapsed(codebook_size=16):
    """A model whose codebook rows sit far away except row 0: one code used."""
    keras.utils.set_random_seed(0)
    model = build_vq_autoencoder(codebook_size, 4, filters=(4, 8))
    codebook = np.full((codebook_size, 4), 50.0, np.float32)
    codebook[0] = 0.0
    model.quantizer.codebook.assign(codebook)
    return model


def test_restarting_dead_codes_brings_them_back():
    model, images = _collapsed(), _images(32)
    assert codebook_health(model.encode_indices(images), 16)["codes_used"] == 1
    assert restart_dead_codes(model, images) == 15
    assert codebook_health(model.encode_indices(images), 16)["codes_used"] > 8


def test_kmeans_puts_every_code_among_the_encoder_outputs():
    model, images = _collapsed(), _images(32)
    kmeans_codebook(model, images)
    assert codebook_health(model.encode_indices(images), 16)["codes_used"] > 8
    with pytest.raises(ValueError, match="at least 128"):  # 2 images: 98 vectors
        kmeans_codebook(build_vq_autoencoder(128, 2, filters=(2, 2)), images[:2])


def test_the_quantiser_survives_saving_its_config():
    layer = VectorQuantizer(5, 2, beta=0.5, swap_stop_gradient=True)
    copy = VectorQuantizer.from_config(layer.get_config())
    assert (copy.codebook_size, copy.code_width, copy.beta,
            copy.swap_stop_gradient) == (5, 2, 0.5, True)
