"""The dense builder: shapes, shared layers, pixel range, and clear errors for bad sizes.

That it builds the encoder chapter's layers is tested in test_models_same_layers.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.models import dense_autoencoder


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


def test_layers_are_named_and_activations_are_relu_linear_relu_sigmoid():
    autoencoder, encoder, decoder = dense_autoencoder(8, hidden_units=16)
    activations = {layer.name: layer.get_config()["activation"]
                   for model in (encoder, decoder) for layer in model.layers
                   if "activation" in layer.get_config()}
    assert activations == {"encoder_hidden": "relu", "code": "linear",
                           "decoder_hidden": "relu", "decoder_pixels": "sigmoid"}


@pytest.mark.parametrize("bad", [0, -2, 2.5, "8", True])
def test_bad_code_size_says_what_is_expected(bad):
    with pytest.raises(ValueError, match="code_size"):
        dense_autoencoder(bad)
