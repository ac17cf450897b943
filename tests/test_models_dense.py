"""The dense builders: shapes, shared layers, pixel range, and clear errors for bad sizes."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.models import dense_autoencoder, linear_autoencoder


def test_dense_autoencoder_shapes_and_pixel_range():
    autoencoder, encoder, decoder = dense_autoencoder(8, hidden_units=16)
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    codes = np.asarray(encoder(images))
    outputs = np.asarray(autoencoder(images))
    assert codes.shape == (3, 8)
    assert outputs.shape == (3, 28, 28, 1)
    assert outputs.min() >= 0 and outputs.max() <= 1


def test_autoencoder_is_decoder_of_encoder():
    autoencoder, encoder, decoder = dense_autoencoder(4, hidden_units=8)
    images = np.random.default_rng(1).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(autoencoder(images)),
                               np.asarray(decoder(encoder(images))), atol=1e-6)


def test_linear_autoencoder_has_no_activation():
    autoencoder, encoder, decoder = linear_autoencoder(3)
    assert encoder.output_shape == (None, 3)
    assert decoder.output_shape == (None, 28, 28, 1)
    images = np.random.default_rng(2).random((2, 28, 28, 1)).astype("float32")
    # linear: f(2x) - f(0) == 2 (f(x) - f(0))
    zero = np.zeros_like(images)
    f = lambda x: np.asarray(autoencoder(x))
    np.testing.assert_allclose(f(2 * images) - f(zero), 2 * (f(images) - f(zero)), atol=1e-4)


@pytest.mark.parametrize("bad", [0, -2, 2.5, "8", True])
def test_bad_code_size_says_what_is_expected(bad):
    with pytest.raises(ValueError, match="code_size"):
        dense_autoencoder(bad)
    with pytest.raises(ValueError, match="code_size"):
        linear_autoencoder(bad)
