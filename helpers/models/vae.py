"""The variational autoencoder, as the chapter "The variational autoencoder" builds it.

The encoder maps an image to two vectors, the means ``z_mean`` (μ) and the log-variances
``z_log_var`` (log σ²) of a diagonal Gaussian q(z | x). A code is *sampled* from it with
the reparameterisation trick, z = μ + σ·ε with ε ~ N(0, I) drawn by ``keras.random``
from a ``SeedGenerator``, so gradients reach μ and σ. The decoder maps a code to one
*logit* per pixel: a Bernoulli distribution p(x | z) over each grey pixel in [0, 1].

The loss is the negative ELBO in nats per image::

    −ELBO(x) = −E_q[log p(x | z)] + β · KL(q(z | x) ‖ N(0, I))
             = (binary cross-entropy summed over the 784 pixels) + β · (analytic KL)

With grey pixels the Bernoulli "log-likelihood" is a cross-entropy, not the log of a
density over [0, 1] (the continuous Bernoulli would add a normalising term). It is the
usual choice on grey MNIST, but its nats also count each grey pixel's own entropy, so
they do not compare with papers' numbers on binarised MNIST: compare them with each
other.

Everything is plain Keras 3 (``keras.ops``, ``keras.random``): the same code trains on
TensorFlow, JAX and PyTorch. No ``GradientTape``. This module imports Keras when it is
imported (it defines Keras classes); ``import helpers`` and ``import helpers.models`` do
not import it.

API:

* ``build_vae(latent_size, hidden_units=256, beta=1.0, conv=False, seed=None,
  learning_rate=1e-3, filters=(32, 64))`` →
  a compiled :class:`VariationalAutoencoder`; ``model.encoder`` (image → [z_mean,
  z_log_var]), ``model.decoder`` (code → logits, shape (N, 28, 28, 1)).
* ``model.fit(images, epochs=…)`` (no targets: the images are their own targets); the
  history holds ``loss`` (the negative ELBO, β-weighted, nats per image),
  ``reconstruction`` and ``kl``.
* ``model.encode(images)`` → (z_mean, z_log_var) as NumPy; ``model.decode(codes)`` →
  pixel probabilities in [0, 1] (NumPy); ``model.reconstruct(images)`` decodes the
  means.
* ``negative_elbo(model, images, samples=1)`` and ``importance_weighted_nll(model,
  images, k=100)``: held-out nats per image (floats); ``elbo_terms`` gives the parts,
  with the KL of each latent dimension; ``kl_divergence`` is the analytic KL per
  dimension.
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .._validate import as_image_batch, non_negative, whole_number

IMAGE_SHAPE = (28, 28, 1)
LOG_2PI = math.log(2.0 * math.pi)

__all__ = [
    "Sampling", "SampledAutoencoder", "VariationalAutoencoder", "build_vae",
    "build_vae_encoder", "build_vae_decoder", "kl_divergence",
    "bernoulli_log_likelihood",
    "elbo_terms", "negative_elbo", "importance_weighted_nll",
]


# --------------------------------------------------------------------------------------
# The two formulas: analytic KL and Bernoulli log-likelihood (keras.ops, any backend)
# --------------------------------------------------------------------------------------
def kl_divergence(z_mean, z_log_var):
    """KL(N(μ, σ²) ‖ N(0, 1)) of each latent dimension in nats: ½(μ² + σ² − 1 − log σ²).

    Same shape as its inputs (sum over the last axis for the KL of a whole code). Works
    on NumPy arrays and backend tensors (it is written with ``keras.ops``).
    """
    return 0.5 * (ops.square(z_mean) + ops.exp(z_log_var) - 1.0 - z_log_var)


def bernoulli_log_likelihood(images, logits):
    """log p(x | z) of each image in nats: Σ_pixels x·l − softplus(l), l the logits.

    This is minus the binary cross-entropy summed over pixels, written in the stable
    form that never takes log(0). Shape (N,). ``images`` may be NumPy: they become a
    tensor first, as PyTorch multiplies no NumPy array by a tensor.
    """
    images = ops.cast(ops.convert_to_tensor(images), logits.dtype)
    per_pixel = images * logits - ops.softplus(logits)
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=1)


# --------------------------------------------------------------------------------------
# The model: the chapter's two classes
# --------------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="book")
class Sampling(layers.Layer):
    """z = μ + σ·ε with ε ~ N(0, I): random, yet differentiable in μ and σ.

    The randomness is an input (ε) rather than a step of the computation, so z is a
    plain differentiable function of μ and log σ²: ∂z/∂μ = 1 and ∂z/∂log σ² = ½σε.
    ε comes from ``keras.random.normal`` driven by a ``SeedGenerator`` (reproducible,
    on any backend).
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * noise


@keras.saving.register_keras_serializable(package="book")
class SampledAutoencoder(keras.Model):
    """Encoder → (μ, log σ²) → sampled code → decoder → logits; KL added as a loss.

    ``call`` samples a code, adds the KL of the batch (mean over images, summed over
    latent dimensions) with ``add_loss``, and returns the decoder's logits. The chapter
    writes the model in these two classes, one cell each; this is the first.
    """

    def __init__(self, encoder, decoder, beta=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.beta = encoder, decoder, beta
        self.sampling = Sampling(seed=seed, name="sampling")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, images, training=False):
        z_mean, z_log_var = self.encoder(images, training=training)
        kl = kl_divergence(z_mean, z_log_var)
        self.add_loss(ops.mean(ops.sum(kl, axis=1)))  # KL of each image, batch mean
        return self.decoder(self.sampling([z_mean, z_log_var]), training=training)


@keras.saving.register_keras_serializable(package="book")
class VariationalAutoencoder(SampledAutoencoder):
    """Its loss for ``fit``: −ELBO in nats, the KL weighed by β, both terms logged.

    ``compute_loss`` adds the reconstruction term (binary cross-entropy summed over
    pixels) and weighs the KL by ``beta``: β = 1 is the ELBO, β > 1 pulls codes harder
    towards the prior. The methods after ``compute_loss`` are NumPy conveniences for the
    chapters and the saving protocol; the chapter shows ``compute_loss`` only.
    """

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        log_likelihood = bernoulli_log_likelihood(ops.cast(x, y_pred.dtype), y_pred)
        reconstruction, kl = -ops.mean(log_likelihood), ops.sum(ops.stack(self.losses))
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + self.beta * kl

    @property
    def latent_size(self) -> int:
        return int(self.decoder.inputs[0].shape[-1])

    def encode(self, images, batch_size: int = 1000):
        """(z_mean, z_log_var) of each image as NumPy arrays, each (N, latent_size)."""
        images = as_image_batch(images).reshape(-1, *IMAGE_SHAPE)
        parts = [self.encoder(images[i:i + batch_size], training=False)
                 for i in range(0, len(images), batch_size)]
        return (np.concatenate([ops.convert_to_numpy(p[0]) for p in parts]),
                np.concatenate([ops.convert_to_numpy(p[1]) for p in parts]))

    def decode(self, codes, batch_size: int = 1000):
        """Pixel probabilities in [0, 1] (the Bernoulli means), shape (N, 28, 28, 1)."""
        codes = np.asarray(codes, dtype=np.float32)
        if (codes.ndim != 2 or codes.shape[1] != self.latent_size
                or not np.all(np.isfinite(codes))):
            raise ValueError(f"codes must be finite, of shape (N, {self.latent_size}); "
                             f"got shape {codes.shape}")
        logits = [self.decoder(codes[i:i + batch_size], training=False)
                  for i in range(0, len(codes), batch_size)]
        return np.concatenate([ops.convert_to_numpy(ops.sigmoid(l)) for l in logits])

    def reconstruct(self, images):
        """Decode the mean code μ of each image: the VAE's 'best guess' picture."""
        return self.decode(self.encode(images)[0])

    def get_config(self):
        return {**super().get_config(), "beta": self.beta,
                "seed": self.sampling.get_config()["seed"],
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def _filters(filters) -> tuple[int, int]:
    """The two convolution widths, checked: ``(16, 32)``, ``(32, 64)``, …"""
    if isinstance(filters, (str, bytes)) or len(tuple(filters)) != 2:
        raise ValueError(f"filters must be two widths, e.g. (32, 64); got {filters!r}")
    first, second = (whole_number(f, "each of filters") for f in filters)
    return first, second


def build_vae_encoder(latent_size: int, hidden_units: int = 256, conv: bool = False,
                      filters: tuple[int, int] = (32, 64)):
    """Image (28, 28, 1) → [z_mean, z_log_var], each (N, latent_size).

    Dense (the chapter's): flatten → ``hidden_units`` ReLU → two linear heads.
    ``conv=True``: two stride-2 3×3 convolutions (``filters`` channels, 32 and 64 by
    default; 28 → 14 → 7) → flatten → ``hidden_units`` ReLU → two heads.
    """
    latent_size = whole_number(latent_size, "latent_size")
    hidden_units = whole_number(hidden_units, "hidden_units")
    first, second = _filters(filters)
    image = keras.Input(shape=(28, 28, 1), name="image")
    x = image
    if conv:
        x = layers.Conv2D(first, 3, strides=2, padding="same", activation="relu",
                          name="conv_1")(x)
        x = layers.Conv2D(second, 3, strides=2, padding="same", activation="relu",
                          name="conv_2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(hidden_units, activation="relu", name="encoder_hidden")(x)
    z_mean = layers.Dense(latent_size, name="z_mean")(x)
    z_log_var = layers.Dense(latent_size, name="z_log_var")(x)
    return keras.Model(image, [z_mean, z_log_var], name="vae_encoder")


def build_vae_decoder(latent_size: int, hidden_units: int = 256, conv: bool = False,
                      filters: tuple[int, int] = (32, 64)):
    """Code (N, latent_size) → one logit per pixel, (N, 28, 28, 1).

    Dense (the chapter's): ``hidden_units`` ReLU → 784 linear → reshape. ``conv=True``:
    the encoder's mirror, ``hidden_units`` ReLU → 7·7·``filters[1]`` → a stride-2
    transposed convolution to ``filters[0]`` channels (7 → 14) → a stride-2 transposed
    convolution to one logit per pixel (14 → 28). Mirroring keeps it cheap on a CPU (no
    64-channel layer at 14 × 14 or 32-channel layer at 28 × 28), so it costs fewer
    multiply-adds than a keras.io-style decoder with those layers. A sigmoid turns
    logits into probabilities.
    """
    latent_size = whole_number(latent_size, "latent_size")
    hidden_units = whole_number(hidden_units, "hidden_units")
    first, second = _filters(filters)
    code = keras.Input(shape=(latent_size,), name="code")
    y = layers.Dense(hidden_units, activation="relu", name="decoder_hidden")(code)
    if conv:
        y = layers.Dense(7 * 7 * second, activation="relu", name="decoder_grid")(y)
        y = layers.Reshape((7, 7, second), name="to_grid")(y)
        y = layers.Conv2DTranspose(first, 3, strides=2, padding="same",
                                   activation="relu", name="deconv_1")(y)
        logits = layers.Conv2DTranspose(1, 3, strides=2, padding="same",
                                        name="logits")(y)
    else:
        y = layers.Dense(28 * 28, name="pixel_logits")(y)
        logits = layers.Reshape((28, 28, 1), name="logits")(y)
    return keras.Model(code, logits, name="vae_decoder")


def build_vae(latent_size: int, hidden_units: int = 256, beta: float = 1.0,
              conv: bool = False, seed=None, learning_rate: float = 1e-3,
              filters: tuple[int, int] = (32, 64)):
    """A :class:`VariationalAutoencoder`, compiled with Adam, ready for ``fit(images)``.

    ``latent_size``: dimensions of the code; ``hidden_units``: width of the hidden layer
    on each side; ``beta``: weight of the KL term (1 = the ELBO); ``conv``:
    convolutional encoder and decoder instead of dense ones, with ``filters`` channels
    in their two convolutions; ``seed``: the sampling
    layer's seed (``None`` follows ``keras.utils.set_random_seed``). Named
    ``vae_<latent_size>``.
    """
    beta = non_negative(beta, "beta")
    model = VariationalAutoencoder(
        build_vae_encoder(latent_size, hidden_units, conv, filters),
        build_vae_decoder(latent_size, hidden_units, conv, filters),
        beta=beta, seed=seed, name=f"vae_{latent_size}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


# --------------------------------------------------------------------------------------
# Held-out measurements in nats per image
# --------------------------------------------------------------------------------------
def _check_model(model):
    if not (hasattr(model, "encoder") and hasattr(model, "decoder")):
        raise ValueError("model must have .encoder (image → [z_mean, z_log_var]) and "
                         ".decoder (code → logits), like build_vae's; got "
                         f"{type(model).__name__}")


def elbo_terms(model, images, samples: int = 1, batch_size: int = 500,
               seed: int = 0) -> dict:
    """The two parts of the negative ELBO on ``images``, averaged over images (nats).

    Returns ``{"reconstruction": −E_q log p(x|z) (Monte Carlo, ``samples`` codes per
    image), "kl": analytic KL summed over dimensions, "kl_per_dimension": array
    (latent_size,), "negative_elbo": reconstruction + kl}`` (always β = 1: the bound).
    """
    _check_model(model)
    images = as_image_batch(images).reshape(-1, *IMAGE_SHAPE)
    samples = whole_number(samples, "samples")
    batch_size = whole_number(batch_size, "batch_size")
    generator = keras.random.SeedGenerator(seed)
    reconstruction, kl = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        z_mean, z_log_var = model.encoder(batch, training=False)
        kl.append(ops.convert_to_numpy(kl_divergence(z_mean, z_log_var)))
        total = 0.0
        for _ in range(samples):
            noise = keras.random.normal(ops.shape(z_mean), seed=generator)
            codes = z_mean + ops.exp(0.5 * z_log_var) * noise
            logits = model.decoder(codes, training=False)
            log_likelihood = bernoulli_log_likelihood(batch, logits)
            total = total + ops.convert_to_numpy(log_likelihood)
        reconstruction.append(-total / samples)
    reconstruction = float(np.mean(np.concatenate(reconstruction)))
    kl_per_dimension = np.concatenate(kl).astype(np.float64).mean(axis=0)
    return {"reconstruction": reconstruction, "kl": float(kl_per_dimension.sum()),
            "kl_per_dimension": kl_per_dimension,
            "negative_elbo": reconstruction + float(kl_per_dimension.sum())}


def negative_elbo(model, images, samples: int = 1, batch_size: int = 500,
                  seed: int = 0) -> float:
    """Held-out negative ELBO in nats per image (β = 1, ``samples`` codes per image).

    An upper bound on −log p(x): lower is better. With the Bernoulli likelihood on grey
    pixels it is a cross-entropy (see the module docstring).
    """
    terms = elbo_terms(model, images, samples=samples, batch_size=batch_size, seed=seed)
    return terms["negative_elbo"]


def importance_weighted_nll(model, images, k: int = 100, batch_size: int = 50,
                            seed: int = 0) -> float:
    """Importance-weighted estimate of −log p(x) in nats per image (Burda et al., 2016).

    For each image draw ``k`` codes z_i ~ q(z | x) and take
    −log (1/k Σ_i p(x | z_i) p(z_i) / q(z_i | x)), computed with log-sum-exp. It is a
    tighter bound than the negative ELBO (equal at k = 1, lower in expectation for
    k > 1) and tends to −log p(x) as k grows: if it comes out *higher* than
    ``negative_elbo``, something is wrong. ``batch_size`` images are decoded ``k`` times
    at once.
    """
    _check_model(model)
    images = as_image_batch(images).reshape(-1, *IMAGE_SHAPE)
    k = whole_number(k, "k")
    batch_size = whole_number(batch_size, "batch_size")
    generator = keras.random.SeedGenerator(seed)
    results = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        n = len(batch)
        z_mean, z_log_var = model.encoder(batch, training=False)
        latent = ops.shape(z_mean)[-1]
        noise = keras.random.normal((k, n, latent), seed=generator)
        codes = z_mean[None] + ops.exp(0.5 * z_log_var)[None] * noise  # (k, n, latent)
        log_q = -0.5 * ops.sum(LOG_2PI + z_log_var[None] + ops.square(noise), axis=-1)
        log_prior = -0.5 * ops.sum(LOG_2PI + ops.square(codes), axis=-1)
        logits = model.decoder(ops.reshape(codes, (k * n, latent)), training=False)
        repeated = np.broadcast_to(batch[None], (k, *batch.shape))
        repeated = repeated.reshape(k * n, *IMAGE_SHAPE)
        log_likelihood = ops.reshape(bernoulli_log_likelihood(repeated, logits), (k, n))
        log_weights = log_likelihood + log_prior - log_q  # (k, n)
        log_mean = ops.logsumexp(log_weights, axis=0) - math.log(k)
        results.append(-ops.convert_to_numpy(log_mean).astype(np.float64))
    return float(np.mean(np.concatenate(results)))
