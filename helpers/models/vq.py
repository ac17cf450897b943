"""The vector-quantised autoencoder (VQ-VAE), as the chapter "Discrete codes" builds it.

The encoder turns a 28×28 image into a 7×7 grid of ``code_width``-dimensional vectors
z_e. The :class:`VectorQuantizer` replaces each vector by its nearest row e_k of a
codebook of ``codebook_size`` (K) rows, so the image becomes a 7×7 grid of indices k:
at most 49·log₂ K bits. The decoder turns the grid of codebook vectors back into one
logit per pixel (van den Oord et al. 2017).

"Nearest" has no gradient, so the layer copies the decoder's gradient straight through
to the encoder (z_e + sg[e − z_e]: the value of e, the gradient of z_e). The codebook
learns from its own loss, eq. 3 of the paper, computed from z_e and e *before* that
straight-through step (after it, e sits inside sg[·] and would never move)::

    vq loss = ‖sg[z_e] − e‖²  +  β · ‖z_e − sg[e]‖²
              codebook term      commitment term (only the encoder moves)

The model's loss adds the reconstruction term: binary cross-entropy of the decoder's
logits, averaged over pixels (the VAE chapter's likelihood per pixel).

Everything is plain Keras 3 (``keras.ops``): no TensorFlow Probability, no
``GradientTape``; it trains on TensorFlow, JAX and PyTorch. This module imports Keras.

API:

* ``VectorQuantizer(codebook_size, code_width, beta=0.25)``: the layer; ``layer(z_e)``
  → quantised vectors (straight-through), ``return_indices=True`` → (vectors,
  indices); ``layer.nearest(z_e)`` → indices; ``layer.lookup(indices)`` → vectors.
* ``build_vq_autoencoder(codebook_size=64, code_width=16, …)`` → a compiled
  :class:`VQAutoencoder`; ``fit(images)``'s history holds ``loss``,
  ``reconstruction`` and ``vq``. ``model.encode_indices(images)`` → (N, 7, 7) ints,
  ``model.decode_indices(grids)`` → pixels in [0, 1], ``model.reconstruct(images)``.
* ``codebook_health(indices, codebook_size)``: codes used, perplexity and dead codes
  over a whole set; ``restart_dead_codes``, ``kmeans_codebook`` and the callback
  :class:`RestartDeadCodes`: remedies against codebook collapse.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .._validate import as_image_batch, non_negative, whole_number

IMAGE_SHAPE = (28, 28, 1)
GRID_SHAPE = (7, 7)

__all__ = [
    "VectorQuantizer", "VQAutoencoder", "build_vq_encoder", "build_vq_decoder",
    "build_vq_autoencoder", "check_indices", "codebook_health", "restart_dead_codes",
    "kmeans_codebook", "RestartDeadCodes",
]


def check_indices(indices, codebook_size: int) -> np.ndarray:
    """``indices`` as int64, or a ValueError: whole numbers from 0 to K − 1."""
    array = np.asarray(indices)
    if array.size == 0 or not (np.issubdtype(array.dtype, np.integer)
                               or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"indices must be a non-empty array of whole numbers from 0 "
                         f"to {codebook_size - 1}; got dtype {array.dtype}, shape "
                         f"{array.shape}")
    if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
        raise ValueError("indices must be whole numbers (codebook rows); got "
                         "fractions or NaN")
    low, high = int(array.min()), int(array.max())
    if low < 0 or high >= codebook_size:
        raise ValueError(f"indices must lie from 0 to {codebook_size - 1} (the "
                         f"codebook has {codebook_size} codes); got {low} to {high}")
    return array.astype(np.int64)


@keras.saving.register_keras_serializable(package="book")
class VectorQuantizer(layers.Layer):
    """Each vector → its nearest codebook row; straight-through gradient; eq. 3 loss.

    Input (..., code_width); output the same shape. The loss is added with
    ``add_loss`` (the model's ``compute_loss`` reads it). ``swap_stop_gradient=True``
    is the classic mistake, kept for the chapter's demonstration: the codebook term
    written ‖z_e − sg[e]‖², so both terms pull the encoder and nothing moves the
    codebook, while reconstructions still improve.
    """

    def __init__(self, codebook_size, code_width, beta=0.25, swap_stop_gradient=False,
                 initializer="random_uniform", **kwargs):
        super().__init__(**kwargs)
        self.codebook_size = whole_number(codebook_size, "codebook_size (K)", 2)
        self.code_width = whole_number(code_width, "code_width")
        self.beta = non_negative(beta, "beta")
        self.swap_stop_gradient = bool(swap_stop_gradient)
        self.initializer = keras.initializers.get(initializer)
        self.codebook = self.add_weight(
            shape=(self.codebook_size, self.code_width), name="codebook",
            initializer=self.initializer)

    def build(self, input_shape):
        self._check_width(input_shape[-1])

    def _check_width(self, width):
        if width is not None and int(width) != self.code_width:
            raise ValueError(f"the codes must have {self.code_width} numbers each (the "
                             f"codebook's width); got vectors of width {width}")

    def _nearest(self, flat):
        """Index of the nearest codebook row: ‖z‖² − 2 z·e + ‖e‖², smallest."""
        distances = (ops.sum(flat ** 2, axis=1, keepdims=True)
                     - 2.0 * ops.matmul(flat, ops.transpose(self.codebook))
                     + ops.sum(self.codebook ** 2, axis=1)[None, :])
        return ops.argmin(distances, axis=1)

    def call(self, encoded, return_indices=False):
        shape = ops.shape(encoded)
        flat = ops.reshape(encoded, (-1, self.code_width))
        indices = self._nearest(flat)
        chosen = ops.reshape(ops.take(self.codebook, indices, axis=0), shape)
        sg = ops.stop_gradient
        if self.swap_stop_gradient:  # the mistake: e never receives a gradient
            codebook_term = ops.mean((encoded - sg(chosen)) ** 2)
            # 0·e keeps the codebook in the graph with a gradient of exactly zero, so
            # the optimiser does not warn that the codebook has no gradient at all
            codebook_term = codebook_term + 0.0 * ops.mean(chosen)
        else:
            codebook_term = ops.mean((sg(encoded) - chosen) ** 2)
        commitment_term = ops.mean((encoded - sg(chosen)) ** 2)
        self.add_loss(codebook_term + self.beta * commitment_term)
        quantised = encoded + sg(chosen - encoded)  # straight-through
        if return_indices:
            return quantised, ops.reshape(indices, shape[:-1])
        return quantised

    def nearest(self, encoded) -> np.ndarray:
        """Indices (…) of the nearest codebook rows of ``encoded`` (…, code_width)."""
        encoded = np.asarray(encoded, np.float32)
        self._check_width(encoded.shape[-1] if encoded.ndim else None)
        flat = encoded.reshape(-1, self.code_width)
        return ops.convert_to_numpy(self._nearest(flat)).reshape(encoded.shape[:-1])

    def lookup(self, indices) -> np.ndarray:
        """The codebook vectors (…, code_width) of an index grid (…), as NumPy."""
        indices = check_indices(indices, self.codebook_size)
        return ops.convert_to_numpy(self.codebook)[indices]

    def get_config(self):
        return {**super().get_config(), "codebook_size": self.codebook_size,
                "code_width": self.code_width, "beta": self.beta,
                "swap_stop_gradient": self.swap_stop_gradient,
                "initializer": keras.initializers.serialize(self.initializer)}


@keras.saving.register_keras_serializable(package="book")
class VQAutoencoder(keras.Model):
    """Encoder → quantiser → decoder; ``compute_loss`` adds reconstruction and vq.

    The reconstruction term is the binary cross-entropy of the logits averaged over
    pixels; the vq term is what the quantiser added (codebook + β·commitment). Both
    are logged. The methods after ``compute_loss`` are NumPy conveniences.
    """

    def __init__(self, encoder, quantizer, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.quantizer, self.decoder = encoder, quantizer, decoder
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.vq_tracker = keras.metrics.Mean(name="vq")

    def call(self, images, training=False):
        encoded = self.encoder(images, training=training)
        return self.decoder(self.quantizer(encoded), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        images = ops.cast(x, y_pred.dtype)
        per_pixel = ops.softplus(y_pred) - images * y_pred  # BCE with logits
        reconstruction = ops.mean(per_pixel)
        vq = ops.sum(ops.stack(self.losses))
        self.reconstruction_tracker.update_state(reconstruction)
        self.vq_tracker.update_state(vq)
        return reconstruction + vq

    @property
    def codebook_size(self) -> int:
        return self.quantizer.codebook_size

    def encode(self, images, batch_size: int = 1000) -> np.ndarray:
        """The encoder's vectors z_e before quantising, (N, 7, 7, code_width)."""
        images = as_image_batch(images).reshape(-1, *IMAGE_SHAPE)
        return np.concatenate([
            ops.convert_to_numpy(self.encoder(images[i:i + batch_size],
                                              training=False))
            for i in range(0, len(images), batch_size)])

    def encode_indices(self, images, batch_size: int = 1000) -> np.ndarray:
        """Each image's grid of codebook indices, (N, 7, 7) int64."""
        return self.quantizer.nearest(self.encode(images, batch_size)).astype(np.int64)

    def decode_indices(self, grids, batch_size: int = 1000) -> np.ndarray:
        """Pixels in [0, 1], (N, 28, 28, 1), of index grids (N, 7, 7)."""
        grids = check_indices(grids, self.codebook_size)
        if grids.ndim != 3 or grids.shape[1:] != GRID_SHAPE:
            raise ValueError(f"index grids must have shape (N, {GRID_SHAPE[0]}, "
                             f"{GRID_SHAPE[1]}); got {grids.shape}")
        vectors = self.quantizer.lookup(grids).astype(np.float32)
        return np.concatenate([
            ops.convert_to_numpy(ops.sigmoid(self.decoder(vectors[i:i + batch_size],
                                                          training=False)))
            for i in range(0, len(vectors), batch_size)])

    def reconstruct(self, images) -> np.ndarray:
        """Encode, quantise and decode: what the receiver of the indices sees."""
        return self.decode_indices(self.encode_indices(images))

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        return {**super().get_config(), "encoder": serialize(self.encoder),
                "quantizer": serialize(self.quantizer),
                "decoder": serialize(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        parts = {name: keras.saving.deserialize_keras_object(config.pop(name))
                 for name in ("encoder", "quantizer", "decoder")}
        return cls(**parts, **config)


def build_vq_encoder(code_width: int = 16, filters=(32, 64)):
    """Image (28, 28, 1) → (7, 7, code_width): two stride-2 3×3 ReLU convolutions
    (28 → 14 → 7), then a 1×1 convolution to ``code_width`` numbers a position."""
    code_width = whole_number(code_width, "code_width")
    first, second = (whole_number(f, "each of filters") for f in filters)
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Conv2D(first, 3, strides=2, padding="same", activation="relu",
                      name="conv_1")(image)
    x = layers.Conv2D(second, 3, strides=2, padding="same", activation="relu",
                      name="conv_2")(x)
    encoded = layers.Conv2D(code_width, 1, name="to_codes")(x)
    return keras.Model(image, encoded, name="vq_encoder")


def build_vq_decoder(code_width: int = 16, filters=(32, 64)):
    """(7, 7, code_width) → one logit per pixel (28, 28, 1): the encoder's mirror, a
    3×3 ReLU convolution, then two stride-2 transposed convolutions (7 → 14 → 28)."""
    code_width = whole_number(code_width, "code_width")
    first, second = (whole_number(f, "each of filters") for f in filters)
    grid = keras.Input(shape=(*GRID_SHAPE, code_width), name="quantised")
    y = layers.Conv2D(second, 3, padding="same", activation="relu",
                      name="from_codes")(grid)
    y = layers.Conv2DTranspose(first, 3, strides=2, padding="same",
                               activation="relu", name="deconv_1")(y)
    logits = layers.Conv2DTranspose(1, 3, strides=2, padding="same",
                                    name="logits")(y)
    return keras.Model(grid, logits, name="vq_decoder")


def build_vq_autoencoder(codebook_size: int = 64, code_width: int = 16,
                         beta: float = 0.25, filters=(32, 64),
                         learning_rate: float = 2e-3, swap_stop_gradient=False,
                         initializer="random_uniform"):
    """A compiled :class:`VQAutoencoder`, ready for ``fit(images)``.

    ``codebook_size``: K codes (at least 2); ``code_width``: D numbers a code;
    ``beta``: weight of the commitment term (0.25 in the paper);
    ``swap_stop_gradient``: the mistake that freezes the codebook (see
    :class:`VectorQuantizer`); ``initializer``: the codebook's (Keras's default
    uniform on ±0.05, as keras.io's example; seed it with
    ``keras.utils.set_random_seed``). Named ``vq_<K>``.
    """
    if isinstance(filters, (str, bytes)) or len(tuple(filters)) != 2:
        raise ValueError(f"filters must be two widths, e.g. (32, 64); got {filters!r}")
    quantizer = VectorQuantizer(codebook_size, code_width, beta, swap_stop_gradient,
                                initializer, name="quantizer")
    model = VQAutoencoder(build_vq_encoder(code_width, filters), quantizer,
                          build_vq_decoder(code_width, filters),
                          name=f"vq_{quantizer.codebook_size}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


# --------------------------------------------------------------------------------------
# The codebook's health over a whole set, and two remedies against collapse
# --------------------------------------------------------------------------------------
def codebook_health(indices, codebook_size: int) -> dict:
    """How many codes a whole set of index grids uses, and how evenly.

    Measured over every index of the set at once: a batch of 128 images holds too few
    indices to use every code, so a per-batch perplexity reads lower. Returns
    ``{"codes_used": int, "perplexity": exp(H) with H the entropy (nats) of the usage
    frequencies (K when every code is used equally, 1 when one code does all),
    "dead_codes": array of the unused indices, "usage": counts (K,)}``.
    """
    codebook_size = whole_number(codebook_size, "codebook_size (K)", 2)
    indices = check_indices(indices, codebook_size)
    usage = np.bincount(indices.ravel(), minlength=codebook_size)
    p = usage[usage > 0] / usage.sum()
    return {"codes_used": int((usage > 0).sum()),
            "perplexity": float(np.exp(-(p * np.log(p)).sum())),
            "dead_codes": np.flatnonzero(usage == 0), "usage": usage}


def _encoder_vectors(model, images) -> np.ndarray:
    return model.encode(images).reshape(-1, model.quantizer.code_width)


def restart_dead_codes(model, images, seed: int = 0) -> int:
    """Move every unused codebook row onto a random encoder output of ``images``.

    A dead code gets no gradient (no vector is nearest to it), so it never comes back
    on its own; placed on an encoder output it is nearest to at least that one. The
    outputs are drawn among the *distinct* ones (blank background gives many equal
    vectors, and two codes on one vector would leave one dead). Returns how many codes
    were restarted. Call it between epochs (:class:`RestartDeadCodes`).
    """
    vectors = _encoder_vectors(model, images)
    quantizer = model.quantizer
    dead = codebook_health(quantizer.nearest(vectors), quantizer.codebook_size)
    distinct = np.unique(vectors, axis=0)  # blank background: many equal vectors
    rng = np.random.default_rng(seed)
    dead = rng.permutation(dead["dead_codes"])[:len(distinct)]
    if len(dead):
        codebook = ops.convert_to_numpy(quantizer.codebook).copy()
        codebook[dead] = distinct[rng.choice(len(distinct), len(dead), replace=False)]
        quantizer.codebook.assign(codebook)
    return len(dead)


def kmeans_codebook(model, images, seed: int = 0) -> None:
    """Set the codebook to K-means centres of the encoder's outputs on ``images``
    (scikit-learn's ``KMeans``): every code starts where encoder outputs are."""
    from sklearn.cluster import KMeans

    vectors = _encoder_vectors(model, images)
    k = model.quantizer.codebook_size
    if len(vectors) < k:
        raise ValueError(f"k-means needs at least {k} encoder vectors; got "
                         f"{len(vectors)} (give more images)")
    centres = KMeans(k, n_init=1, random_state=seed).fit(vectors).cluster_centers_
    model.quantizer.codebook.assign(centres.astype(np.float32))


class RestartDeadCodes(keras.callbacks.Callback):
    """After each epoch, :func:`restart_dead_codes` on ``images``; the counts are kept
    in ``restarted`` (one per epoch). ``last_epoch``: stop restarting after this epoch
    (a restart in the very last epoch leaves its code untrained)."""

    def __init__(self, images, seed: int = 0, last_epoch=None):
        super().__init__()
        self.images, self.seed, self.last_epoch = images, seed, last_epoch
        self.restarted = []

    def on_epoch_end(self, epoch, logs=None):
        if self.last_epoch is None or epoch < self.last_epoch:
            self.restarted.append(
                restart_dead_codes(self.model, self.images, self.seed + epoch))
