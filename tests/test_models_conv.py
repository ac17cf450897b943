"""The convolutional autoencoder of helpers.models.conv: the shapes, activations and sizes the
chapter describes, and a clear error for sizes that are not whole numbers."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.models import conv_autoencoder


@pytest.fixture(scope="module")
def small():
    return conv_autoencoder(4, (8, 16))


def test_encoder_takes_a_letter_to_a_7x7_grid_of_code_channels(small):
    _, encoder, decoder = small
    assert tuple(encoder.input_shape) == (None, 28, 28, 1)
    assert tuple(encoder.output_shape) == (None, 7, 7, 4)  # 196 numbers: 4× fewer than 784 pixels
    assert tuple(decoder.input_shape) == (None, 7, 7, 4)
    assert tuple(decoder.output_shape) == (None, 28, 28, 1)


def test_every_layer_is_relu_but_the_sigmoid_that_keeps_pixels_in_0_1(small):
    autoencoder, encoder, decoder = small
    activations = {layer.name: layer.get_config()["activation"]
                   for model in (encoder, decoder) for layer in model.layers if "activation" in layer.get_config()}
    assert activations == {"conv1": "relu", "conv2": "relu", "code": "relu",
                           "deconv2": "relu", "deconv1": "relu", "pixels": "sigmoid"}
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    out = np.asarray(autoencoder(images))
    assert out.shape == images.shape and out.min() >= 0.0 and out.max() <= 1.0


def test_the_autoencoder_is_the_decoder_after_the_encoder(small):
    autoencoder, encoder, decoder = small
    images = np.random.default_rng(1).random((2, 28, 28, 1)).astype(np.float32)
    assert np.allclose(np.asarray(autoencoder(images)), np.asarray(decoder(encoder(images))), atol=1e-6)
    assert autoencoder.loss == "mse"


def test_filters_set_the_width_of_the_two_blocks():
    _, encoder, _ = conv_autoencoder(2, (3, 5), name="tiny")
    widths = [layer.get_config()["filters"] for layer in encoder.layers if hasattr(layer, "filters")]
    assert widths == [3, 5, 2] and encoder.name == "tiny_encoder"


@pytest.mark.parametrize("kwargs", [{"code_channels": 0}, {"code_channels": 2.5}, {"code_channels": True},
                                    {"filters": (8,)}, {"filters": (8, 0)}])
def test_sizes_must_be_whole_numbers(kwargs):
    with pytest.raises(ValueError, match="whole number|two widths"):
        conv_autoencoder(**kwargs)
