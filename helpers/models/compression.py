"""Learned compression, as the chapter "Learned compression" builds it (Ballé et al.
2017, "End-to-end optimized image compression"; 2018, "Variational image compression
with a scale hyperprior", appendix 6.1).

An autoencoder becomes a codec when its code is rounded to integers and those integers
are entropy-coded: the bits an arithmetic coder spends are −log₂ P(symbol) under a
probability model that sender and receiver share. Ballé et al. train the encoder, the
decoder *and* that probability model together, on one loss::

    loss = rate (bits per pixel) + λ · distortion (mean squared error per pixel)

Rounding has no useful gradient, so training perturbs the code instead, ỹ = y + u
with u uniform on (−½, ½) (``quantiser="noise"``), or rounds it with a straight-through
gradient (``quantiser="straight_through"``). :class:`FactorizedDensity` learns, per
channel, a cumulative c(x): P(k) = c(k + ½) − c(k − ½), the mass of a unit interval, is
both the density of the noisy ỹ at k and the probability of the rounded code.

Units: the rate is in **bits per pixel** (bits ÷ 784), the distortion per pixel on
pixels in [0, 1]. λ = 0 leaves the distortion out (every code collapses to the
density's likeliest symbol). The decoder ends in a sigmoid: pixels in [0, 1].

Everything is plain Keras 3 (``keras.ops``): it trains on TensorFlow, JAX and PyTorch.
This module imports Keras. :mod:`helpers.measure.entropy` turns the learned density
into a range coder's tables and counts real bits.

API:

* ``FactorizedDensity(channels, filters=(3, 3, 3), init_scale=10)``: the layer;
  ``logits_cumulative(x)``, ``likelihood(y)`` (= ``layer(y)``), for codes (N, C).
* ``build_rd_autoencoder(latent_dim=32, lmbda=16, …)`` → a compiled
  :class:`RateDistortionAutoencoder`; ``fit(images)``'s history holds ``loss``,
  ``rate_bpp`` and ``distortion``. NumPy conveniences: ``encode``, ``symbols``,
  ``decode_symbols``, ``reconstruct``, ``rate_bits``. Options for short runs: the
  density's own learning rate (:class:`DensityAdam`) and a warm-up of the rate
  (``rate_warmup``, :meth:`RateDistortionAutoencoder.rate_weight`).
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .._validate import as_image_batch, number, whole_number
from ..measure.entropy import check_symbols

IMAGE_SHAPE = (28, 28, 1)
PIXELS = 28 * 28
DISTORTIONS = ("mse", "mae")
QUANTISERS = ("noise", "straight_through")

__all__ = ["FactorizedDensity", "RateDistortionAutoencoder", "DensityAdam",
           "build_rd_encoder", "build_rd_decoder", "build_rd_autoencoder",
           "DISTORTIONS", "QUANTISERS"]


def _choice(value, what: str, allowed) -> str:
    if value not in allowed:
        listed = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{what} must be {listed}; got {value!r}")
    return value


@keras.saving.register_keras_serializable(package="book")
class FactorizedDensity(layers.Layer):
    """One learned density per channel of codes (N, C), independent of each other.

    Per channel, a cumulative c(x) = sigmoid(f_K(… f_1(x))) built to increase with x:
    f_k(x) = g_k(softplus(H_k) x + b_k), where softplus keeps every weight positive,
    and, for every layer but the last, g_k(x) = x + tanh(a_k) ⊙ tanh(x), which stays
    increasing because tanh(a_k) > −1. Widths 1 → ``filters`` → 1 (Ballé et al. 2018,
    appendix 6.1). Initialised as ``tensorflow_compression`` does: H_k so that the
    chain starts as a straight line of slope 1/``init_scale`` (a wide density), b_k
    uniform on (−½, ½), a_k zero.
    """

    def __init__(self, channels, filters=(3, 3, 3), init_scale=10.0,
                 likelihood_bound=1e-9, **kwargs):
        super().__init__(**kwargs)
        self.channels = whole_number(channels, "channels")
        if isinstance(filters, (str, bytes)) or not hasattr(filters, "__iter__"):
            raise ValueError(f"filters must be a sequence of layer widths, e.g. "
                             f"(3, 3, 3); got {filters!r}")
        self.filters = tuple(whole_number(f, "each of filters") for f in filters)
        self.init_scale = number(init_scale, "init_scale", minimum=1e-6)
        self.likelihood_bound = number(likelihood_bound, "likelihood_bound", 0, 1)
        widths = (1, *self.filters, 1)
        scale = self.init_scale ** (1 / (len(widths) - 1))
        self.matrices, self.biases, self.factors = [], [], []
        for k in range(len(widths) - 1):
            start = math.log(math.expm1(1 / scale / widths[k + 1]))
            shape = (self.channels, widths[k + 1], widths[k])
            self.matrices.append(self.add_weight(
                shape=shape, name=f"matrix_{k}",
                initializer=keras.initializers.Constant(start)))
            self.biases.append(self.add_weight(
                shape=(self.channels, widths[k + 1], 1), name=f"bias_{k}",
                initializer=keras.initializers.RandomUniform(-0.5, 0.5)))
            if k < len(widths) - 2:
                self.factors.append(self.add_weight(
                    shape=(self.channels, widths[k + 1], 1), name=f"factor_{k}",
                    initializer="zeros"))

    def build(self, input_shape):
        self._check_width(input_shape[-1])

    def _check_width(self, width):
        if width is not None and int(width) != self.channels:
            raise ValueError(f"codes must have {self.channels} channels (the "
                             f"density's); got width {width}")

    def logits_cumulative(self, x):
        """The logits of c at each element of ``x`` (N, C): (N, C)."""
        x = ops.cast(x, self.matrices[0].dtype)
        h = ops.expand_dims(ops.transpose(x), 1)  # (C, 1, N): one chain per channel
        for k, (matrix, bias) in enumerate(zip(self.matrices, self.biases)):
            h = ops.matmul(ops.softplus(matrix), h) + bias
            if k < len(self.factors):
                h = h + ops.tanh(self.factors[k]) * ops.tanh(h)
        return ops.transpose(h[:, 0, :])

    def likelihood(self, y):
        """P(y) = c(y + ½) − c(y − ½) of each element of ``y`` (N, C), floored at
        ``likelihood_bound``. Computed on the side of the median where both values
        of c are far from 1 (the sign trick), so a far tail does not round to 0."""
        lower = self.logits_cumulative(y - 0.5)
        upper = self.logits_cumulative(y + 0.5)
        sign = ops.stop_gradient(-ops.sign(lower + upper))
        p = ops.abs(ops.sigmoid(sign * upper) - ops.sigmoid(sign * lower))
        return ops.maximum(p, self.likelihood_bound)

    def call(self, y):
        return self.likelihood(y)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels,
                "filters": list(self.filters), "init_scale": self.init_scale,
                "likelihood_bound": self.likelihood_bound}


@keras.saving.register_keras_serializable(package="book")
class RateDistortionAutoencoder(keras.Model):
    """Encoder → quantiser → decoder, with a :class:`FactorizedDensity` on the code.

    ``compute_loss`` returns rate (bits per pixel) + λ · distortion (the rate weighed
    less during an optional warm-up, ``rate_warmup`` updates: :meth:`rate_weight`)
    and logs both as ``rate_bpp`` and ``distortion``. Training perturbs or
    straight-through-rounds the code (``quantiser``); ``training=False`` rounds it, so
    ``evaluate`` reports the ideal rate of the rounded code under the learned density.
    The methods after ``compute_loss`` are NumPy conveniences.
    """

    def __init__(self, encoder, decoder, density, lmbda=16.0, distortion="mse",
                 quantiser="noise", seed=None, rate_warmup=0, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.density = encoder, decoder, density
        self.lmbda = number(lmbda, "lmbda (λ, the weight of the distortion)", 0)
        self.distortion = _choice(distortion, "distortion", DISTORTIONS)
        self.quantiser = _choice(quantiser, "quantiser", QUANTISERS)
        self.rate_warmup = _updates(rate_warmup, "rate_warmup")
        # training updates counted by rate_weight (a weight, so every backend keeps it)
        self.updates_seen = keras.Variable(0.0, trainable=False, name="updates_seen")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.rate_tracker = keras.metrics.Mean(name="rate_bpp")
        self.distortion_tracker = keras.metrics.Mean(name="distortion")
        self.built = True  # its parts are built: saving needs no call on data first

    @property
    def latent_dim(self) -> int:
        return self.density.channels

    def quantise(self, y, training=False):
        """round(y) at inference; in training y + U(−½, ½) or straight-through."""
        if not training:
            return ops.round(y)
        if self.quantiser == "noise":
            return y + keras.random.uniform(ops.shape(y), -0.5, 0.5, dtype=y.dtype,
                                            seed=self.seed_generator)
        return y + ops.stop_gradient(ops.round(y) - y)

    def call(self, images, training=False):
        y = self.encoder(images, training=training)
        y_tilde = self.quantise(y, training)
        bits = -ops.sum(ops.log(self.density(y_tilde)), axis=1) / math.log(2.0)
        self.add_loss(ops.mean(bits) / PIXELS)  # the rate, read by compute_loss
        return self.decoder(y_tilde, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        images = ops.reshape(ops.cast(x, y_pred.dtype), ops.shape(y_pred))
        error = images - y_pred
        per_pixel = error ** 2 if self.distortion == "mse" else ops.abs(error)
        distortion = ops.mean(per_pixel)
        rate = ops.sum(ops.stack(self.losses))
        self.rate_tracker.update_state(rate)
        self.distortion_tracker.update_state(distortion)
        weight = self.rate_weight(training)  # 1, or less while warming up
        return weight * rate + self.lmbda * distortion

    def rate_weight(self, training=True):
        """The rate's weight in the loss: 1, except in training during the first
        ``rate_warmup`` updates, where it rises in a straight line from 1/warmup to 1
        (a warm-up, as VAEs warm up their KL term: Bowman et al. 2016; Sønderby et
        al. 2016). While the rate weighs little the encoder learns what is worth
        sending before the rate can switch every channel off: at a very low λ, a
        channel that is off from the start gives the decoder nothing to learn from,
        the decoder then gives the encoder no reason to switch it on, and the codec
        can stay at zero bits although a few bits would lower the loss.

        With a warm-up, each call in training counts one update (``updates_seen``).
        """
        if not training or not self.rate_warmup:
            return 1.0
        self.updates_seen.assign_add(1.0)
        return ops.minimum(self.updates_seen / self.rate_warmup, 1.0)

    def _batches(self, function, array, batch_size):
        return np.concatenate([ops.convert_to_numpy(function(array[i:i + batch_size]))
                               for i in range(0, len(array), batch_size)])

    def encode(self, images, batch_size: int = 1000) -> np.ndarray:
        """The encoder's codes y before rounding, (N, C) float32."""
        images = as_image_batch(images)
        if images.shape[1:3] != IMAGE_SHAPE[:2]:
            raise ValueError(f"images must be 28×28; got shape {images.shape}")
        images = images.reshape(-1, *IMAGE_SHAPE)
        return self._batches(lambda b: self.encoder(b, training=False), images,
                             batch_size)

    def symbols(self, images, batch_size: int = 1000) -> np.ndarray:
        """The rounded codes, the integers a coder sends: (N, C) int64."""
        return np.round(self.encode(images, batch_size)).astype(np.int64)

    def decode_symbols(self, symbols, batch_size: int = 1000) -> np.ndarray:
        """Pixels in [0, 1], (N, 28, 28, 1), of integer codes (N, C)."""
        symbols = check_symbols(symbols, self.latent_dim).astype(np.float32)
        return self._batches(lambda b: self.decoder(b, training=False), symbols,
                             batch_size)

    def reconstruct(self, images) -> np.ndarray:
        """Encode, round and decode: what the receiver of the symbols sees."""
        return self.decode_symbols(self.symbols(images))

    def rate_bits(self, symbols, batch_size: int = 1000) -> np.ndarray:
        """−Σ log₂ P(symbol) of each image's code under the learned density (N,): the
        bits an ideal entropy coder driven by the density spends (the model's
        cross-entropy; :func:`helpers.measure.entropy.code_symbols` counts real
        bits)."""
        symbols = check_symbols(symbols, self.latent_dim).astype(np.float32)
        p = self._batches(self.density.likelihood, symbols, batch_size)
        return -np.log2(p.astype(np.float64)).sum(axis=1)

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        return {**super().get_config(), "encoder": serialize(self.encoder),
                "decoder": serialize(self.decoder), "density": serialize(self.density),
                "lmbda": self.lmbda, "distortion": self.distortion,
                "quantiser": self.quantiser, "seed": self.seed,
                "rate_warmup": self.rate_warmup}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        parts = {name: keras.saving.deserialize_keras_object(config.pop(name))
                 for name in ("encoder", "decoder", "density")}
        return cls(**parts, **config)


@keras.saving.register_keras_serializable(package="book")
class DensityAdam(keras.optimizers.Adam):
    """Adam with a learning rate of its own for the density's variables (path
    ``density_name`` + "/"), ``density_factor`` times the rest.

    Why: starting wide, the density needs changes of order one in several parameters
    before it is as narrow as a channel the rate wants off; at the encoder's rate that
    takes hundreds of updates, during which the channel is still charged bits. A
    faster density follows the codes within a short run."""

    def __init__(self, learning_rate=1e-3, density_factor=10.0,
                 density_name="density", **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.density_factor = number(density_factor, "density_factor",
                                     minimum=1e-12)
        self.density_name = str(density_name)
        self._factors = []

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        prefix = self.density_name + "/"
        self._factors = [self.density_factor if v.path.startswith(prefix) else 1.0
                         for v in var_list]

    def update_step(self, gradient, variable, learning_rate):
        factor = self._factors[self._get_variable_index(variable)]
        if factor != 1.0:
            learning_rate = learning_rate * factor
        super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "density_factor": self.density_factor,
                "density_name": self.density_name}


def _updates(value, what: str) -> int:
    return whole_number(value, f"{what} (a number of updates)", minimum=0)


def _hidden(hidden) -> tuple:
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
        raise ValueError(f"hidden must be a sequence of layer widths, e.g. (256,); "
                         f"got {hidden!r}")
    return tuple(whole_number(h, "each of hidden") for h in hidden)


def build_rd_encoder(latent_dim: int = 32, hidden=(256,), code_scale: float = 1.0):
    """Image (28, 28, 1) → code (latent_dim,): flatten, ReLU Dense layers of widths
    ``hidden``, a linear Dense layer, then a fixed factor ``code_scale``.

    The code's spread against the rounding step of 1 is what the rate measures, so
    ``code_scale`` sets where training starts. The default 1 starts under one step:
    most codes round to zero and cost little, and training widens only the channels
    λ pays for, which a short run can do. A factor of 10 starts every channel at some
    5 bits, and a short run spends its updates shrinking them all (8 epochs on 2,048
    notMNIST letters, λ = 0.5, 2, 16: a lower loss on the validation split with 1 than
    with 3 or 10 at every λ; sweep_learned_compression.py, seed 42, CS=1, 3, 10)."""
    latent_dim = whole_number(latent_dim, "latent_dim")
    code_scale = number(code_scale, "code_scale", minimum=1e-6)
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Flatten(name="flatten")(image)
    for i, width in enumerate(_hidden(hidden), start=1):
        x = layers.Dense(width, activation="relu", name=f"hidden_{i}")(x)
    code = layers.Dense(latent_dim, name="code")(x)
    code = layers.Rescaling(code_scale, name="code_scale")(code)
    return keras.Model(image, code, name="rd_encoder")


def build_rd_decoder(latent_dim: int = 32, hidden=(256,), code_scale: float = 1.0):
    """Code (latent_dim,) → pixels in [0, 1], (28, 28, 1): the encoder's mirror,
    first dividing by ``code_scale``, ending in a sigmoid."""
    latent_dim = whole_number(latent_dim, "latent_dim")
    code_scale = number(code_scale, "code_scale", minimum=1e-6)
    code = keras.Input(shape=(latent_dim,), name="code")
    x = layers.Rescaling(1 / code_scale, name="code_scale")(code)
    for i, width in enumerate(reversed(_hidden(hidden)), start=1):
        x = layers.Dense(width, activation="relu", name=f"hidden_{i}")(x)
    x = layers.Dense(PIXELS, activation="sigmoid", name="pixels")(x)
    pixels = layers.Reshape(IMAGE_SHAPE, name="image")(x)
    return keras.Model(code, pixels, name="rd_decoder")


def build_rd_autoencoder(latent_dim: int = 32, lmbda: float = 16.0,
                         distortion: str = "mse", quantiser: str = "noise",
                         hidden=(256,), learning_rate: float = 3e-3,
                         filters=(3, 3, 3), code_scale: float = 1.0, seed=None,
                         init_scale: float = 10.0,
                         density_learning_rate: float | None = None,
                         rate_warmup: int = 0):
    """A compiled :class:`RateDistortionAutoencoder`, ready for ``fit(images)``.

    ``latent_dim``: C code channels; ``lmbda``: λ ≥ 0, the weight of the distortion
    against the rate in bits per pixel (larger: more bits, better pictures);
    ``distortion``: "mse" or "mae"; ``quantiser``: "noise" (uniform noise in training)
    or "straight_through"; ``hidden``: the Dense widths of the encoder (the decoder
    mirrors them); ``filters`` and ``init_scale``: the density's hidden widths and
    initial width (:class:`FactorizedDensity`); ``code_scale``: the encoder's fixed
    output factor (see :func:`build_rd_encoder`); ``seed``: the training noise's (seed
    the weights with ``keras.utils.set_random_seed``); ``rate_warmup``: updates over
    which the rate's weight rises to 1 (0: none; see
    :meth:`RateDistortionAutoencoder.rate_weight`). :class:`DensityAdam` trains the
    encoder and decoder at ``learning_rate`` and the density at
    ``density_learning_rate`` (default ten times ``learning_rate``). Named ``rd_<λ>``.

    The defaults suit short runs (2,048 letters, 8 epochs of 64, about 3 s a model
    on 2 CPU cores). The optimizer is built here, before the first ``fit``: a first
    trace that creates Adam's variables is traced again, doubling its cost.
    """
    latent_dim = whole_number(latent_dim, "latent_dim")
    lmbda = number(lmbda, "lmbda (λ, the weight of the distortion)", 0)
    _choice(distortion, "distortion", DISTORTIONS)
    _choice(quantiser, "quantiser", QUANTISERS)
    learning_rate = number(learning_rate, "learning_rate", minimum=1e-12)
    if density_learning_rate is None:
        density_learning_rate = 10 * learning_rate
    density_learning_rate = number(density_learning_rate, "density_learning_rate",
                                   minimum=1e-12)
    density = FactorizedDensity(latent_dim, filters, init_scale, name="density")
    model = RateDistortionAutoencoder(
        build_rd_encoder(latent_dim, hidden, code_scale),
        build_rd_decoder(latent_dim, hidden, code_scale),
        density, lmbda, distortion, quantiser, seed, rate_warmup,
        name=f"rd_{lmbda:g}")
    model.compile(optimizer=DensityAdam(
        learning_rate, density_learning_rate / learning_rate, density.name))
    model.optimizer.build(model.trainable_variables)
    return model
