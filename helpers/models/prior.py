"""A prior over index grids: a small PixelCNN, as the chapter "Discrete codes" shows.

A VQ autoencoder turns an image into a grid of codebook indices. To *generate* and to
*count bits* we need p(grid), and the chain rule writes it as a product of one
categorical distribution per position, each given the positions before it in reading
order (row by row, left to right)::

    p(k_1, …, k_49) = Π_i p(k_i | k_1, …, k_{i−1})

A PixelCNN computes all 49 conditionals in one pass with *masked* convolutions (van den
Oord et al. 2016, "Pixel recurrent neural networks"; used as the VQ-VAE's prior in van
den Oord et al. 2017): the first mask (type "A") hides the centre and everything after
it, the later ones (type "B") hide only what comes after the centre, so no output ever
sees its own index or a later one. −log₂ of the probability it gives a grid is the
length in bits an arithmetic coder driven by it reaches (:mod:`helpers.measure.indices`
counts the real bits).

Plain Keras 3 (``keras.ops``), any backend. This module imports Keras.

API: ``build_prior(codebook_size, filters=64, layers_b=3)`` → a compiled
:class:`IndexPrior` (``fit(grids, grids)``: sparse cross-entropy in nats a position);
``prior.probabilities(grids)`` → (N, 7, 7, K); ``bits_per_grid(prior, grids)``;
``sample_grids(prior, n, seed)``.
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .._validate import whole_number
from .vq import GRID_SHAPE, check_indices

__all__ = ["MaskedConv2D", "IndexPrior", "build_prior", "bits_per_grid",
           "sample_grids"]


@keras.saving.register_keras_serializable(package="book")
class MaskedConv2D(layers.Layer):
    """A 'same' convolution whose kernel is zero at and after the centre ("A") or only
    after it ("B"), in reading order: each output sees only earlier positions."""

    def __init__(self, filters, kernel_size, mask_type="B", activation=None,
                 **kwargs):
        super().__init__(**kwargs)
        if mask_type not in ("A", "B"):
            raise ValueError(f"mask_type must be 'A' or 'B'; got {mask_type!r}")
        self.filters = whole_number(filters, "filters")
        self.kernel_size = whole_number(kernel_size, "kernel_size")
        self.mask_type = mask_type
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        size, channels = self.kernel_size, int(input_shape[-1])
        self.kernel = self.add_weight(shape=(size, size, channels, self.filters),
                                      initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros",
                                    name="bias")
        mask = np.zeros((size, size, 1, 1), np.float32)
        centre = size // 2
        mask[:centre] = 1.0  # every row above
        mask[centre, :centre + (self.mask_type == "B")] = 1.0  # left of (and at) centre
        self.mask = mask

    def call(self, inputs):
        kernel = self.kernel * ops.convert_to_tensor(self.mask, self.kernel.dtype)
        return self.activation(ops.conv(inputs, kernel, padding="same") + self.bias)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "mask_type": self.mask_type,
                "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="book")
class IndexPrior(keras.Model):
    """Index grid (N, 7, 7) → logits (N, 7, 7, K) of each position given the earlier
    ones. Indices enter one-hot; a type-A 5×5 masked convolution, type-B 3×3 ones with
    ReLU, and a 1×1 convolution to K logits."""

    def __init__(self, codebook_size, filters=64, layers_b=3, **kwargs):
        super().__init__(**kwargs)
        self.codebook_size = whole_number(codebook_size, "codebook_size (K)", 2)
        self.filters = whole_number(filters, "filters")
        self.layers_b = whole_number(layers_b, "layers_b", 0)
        self.first = MaskedConv2D(self.filters, 5, "A", "relu", name="masked_a")
        self.hidden = [MaskedConv2D(self.filters, 3, "B", "relu", name=f"masked_b{i}")
                       for i in range(1, self.layers_b + 1)]
        self.to_logits = layers.Conv2D(self.codebook_size, 1, name="logits")

    def call(self, grids):
        x = ops.one_hot(ops.cast(grids, "int32"), self.codebook_size)
        x = self.first(x)
        for layer in self.hidden:
            x = layer(x)
        return self.to_logits(x)

    def probabilities(self, grids, batch_size: int = 1000) -> np.ndarray:
        """p(k_i | earlier indices) for every position and code, (N, 7, 7, K)
        float64, each position's row summing to one."""
        grids = _grids(grids, self.codebook_size)
        logits = np.concatenate([ops.convert_to_numpy(self(grids[i:i + batch_size]))
                                 for i in range(0, len(grids), batch_size)])
        p = np.exp(logits - logits.max(axis=-1, keepdims=True)).astype(np.float64)
        return p / p.sum(axis=-1, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "codebook_size": self.codebook_size,
                "filters": self.filters, "layers_b": self.layers_b}


def _grids(grids, codebook_size: int) -> np.ndarray:
    grids = check_indices(grids, codebook_size)
    if grids.ndim != 3 or grids.shape[1:] != GRID_SHAPE:
        raise ValueError(f"index grids must have shape (N, {GRID_SHAPE[0]}, "
                         f"{GRID_SHAPE[1]}); got {grids.shape}")
    return grids


def build_prior(codebook_size: int, filters: int = 64, layers_b: int = 3,
                learning_rate: float = 3e-3):
    """A compiled :class:`IndexPrior`: ``prior.fit(grids, grids, …)`` trains it with
    sparse categorical cross-entropy in nats a position (the grid is its own target,
    the masks keep each position from seeing itself)."""
    prior = IndexPrior(codebook_size, filters, layers_b, name="index_prior")
    prior.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return prior


def bits_per_grid(prior, grids) -> np.ndarray:
    """−log₂ p(grid) of each grid under the prior, in bits (N,): the cross-entropy an
    ideal arithmetic coder driven by the prior reaches."""
    grids = _grids(grids, prior.codebook_size)
    p = prior.probabilities(grids)
    chosen = np.take_along_axis(p, grids[..., None], axis=-1)[..., 0]
    return -np.log2(chosen).reshape(len(grids), -1).sum(axis=1)


def sample_grids(prior, n: int, seed: int = 0, temperature: float = 1.0):
    """``n`` index grids drawn from the prior, one position at a time in reading order
    (49 passes: each position needs the indices before it). (n, 7, 7) int64."""
    n = whole_number(n, "n (a number of grids)")
    if not (isinstance(temperature, (int, float)) and temperature > 0
            and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive number; got {temperature!r}")
    rng = np.random.default_rng(seed)
    grids = np.zeros((n, *GRID_SHAPE), np.int64)
    for row in range(GRID_SHAPE[0]):
        for column in range(GRID_SHAPE[1]):
            logits = ops.convert_to_numpy(prior(grids))[:, row, column]
            logits = logits.astype(np.float64) / temperature
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            cumulative = p.cumsum(axis=1)
            draws = rng.random((n, 1)) * cumulative[:, -1:]
            grids[:, row, column] = (cumulative < draws).sum(axis=1)
    return grids
