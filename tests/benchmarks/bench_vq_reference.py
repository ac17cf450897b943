"""The book's vector-quantised autoencoder against keras-io's VQ-VAE, at equal
wall-clock time on the same MNIST images (not a test: it prints a table).

Two models, trained one after the other in one process, for each seed:

* ``book``: the chapter "Discrete codes" (``book/discrete-codes.ipynb``) as its laptop
  and full profiles build and train it: ``helpers.models.vq.build_vq_autoencoder`` with
  K = 64 codes of width 16 on a 7×7 grid, β = 0.25, filters (32, 64), Adam at 2e-3,
  binary cross-entropy of the logits, batch 128 (``helpers.train.fit``), and the
  chapter's remedy against codebook collapse: after each epoch, dead codes restarted on
  encoder outputs of the first 1,000 training images (``restart_dead_codes``, seed
  ``seed + epoch``), except after the last two epochs (the chapter's
  ``last_epoch=epochs - 2``; under a time budget: only while at least two more epochs
  of the last epoch's length fit in the budget).
* ``keras-io``: a port of keras-io's ``examples/generative/vq_vae.py`` to Keras 3 with
  ``keras.ops`` only (no TensorFlow Probability, no ``GradientTape``): encoder
  Conv2D(32, 3, stride 2, ReLU) → Conv2D(64, 3, stride 2, ReLU) → Conv2D(16, 1); a
  ``VectorQuantizer`` of 128 embeddings of width 16 (a (16, 128) variable, uniform on
  ±0.05), β = 0.25, loss β·mean((sg[q] − x)²) + mean((q − sg[x])²) added with
  ``add_loss``, straight-through x + sg[q − x]; decoder Conv2DTranspose(64, 3, stride
  2, ReLU) → Conv2DTranspose(32, 3, stride 2, ReLU) → Conv2DTranspose(1, 3); loss =
  mean squared error / variance of the training images + the quantiser's loss; Adam at
  its default rate; batch 128; images scaled to x/255 − 0.5.

Where the port departs from keras-io (the arithmetic is the same):

* the training step is ``compute_loss`` on a ``keras.Model`` instead of a
  ``GradientTape`` ``train_step``, so that it runs on every Keras 3 backend; the loss
  trackers are left out (Keras logs the total loss itself);
* the codebook is a Keras weight (``add_weight``, ``RandomUniform(-0.05, 0.05)``, the
  same distribution as ``tf.random_uniform_initializer()``), not a ``tf.Variable``;
* the quantised vectors are reshaped to (−1, 7, 7, 16) instead of ``tf.shape(x)``
  (the same shape, known statically);
* 30 epochs of all 60,000 training images become ``--budget`` seconds of the training
  split below, and the example's variance is taken over that split.

Data: MNIST from ``helpers.data`` (set ``BOOK_DATA_DIR=/work/shared/data``): the
loader's train split for training, its test split held out (``--n-train`` and
``--n-test`` take seeded samples, ``load_sample(..., seed=seed)``; both models see the
same images for a seed). Where only MNIST's 10,000-image IDX *test* set is at hand
(``/work/shared/data`` holds no more), the loader splits that set 80/10/10 by a fixed
permutation: training on its 8,000-image train part, measuring on its disjoint test
part (about 1,000 images); the script prints which source it used.

Every model trains for ``--budget`` seconds of wall-clock time, counted from just
before its first update (its tracing, and the book's restarts, count), in epochs of the
whole training sample, stopped at the first update past the budget. Measured on the
held-out images, per seed and model:

* ``PSNR``: mean over images of each image's PSNR on the [0, 1] scale, in dB
  (``helpers.metrics.psnr``); the book's reconstruction is the sigmoid of its logits,
  keras-io's is its output + 0.5, clipped to [0, 1];
* ``used``: distinct codebook indices over every held-out grid position;
* ``perplexity``: exp of the entropy of the index frequencies over all held-out
  positions at once (``helpers.models.vq.codebook_health``; not per batch);
* ``bits``: bits per image as fixed-length indices, 49 · log₂ K (294 for the book's
  K = 64, 343 for keras-io's K = 128: the two do not spend the same bits).

Then the per-seed PSNR gap book − keras-io and its mean.

    BOOK_DATA_DIR=/work/shared/data .venv/bin/python \\
        tests/benchmarks/bench_vq_reference.py --budget 120 --seeds 42 1 2
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

GRID_POSITIONS = 7 * 7
BOOK = dict(codebook_size=64, code_width=16, beta=0.25, filters=(32, 64),
            learning_rate=2e-3, batch=128, restart_images=1000)
KERAS_IO = dict(num_embeddings=128, latent_dim=16, beta=0.25, batch=128)


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------
def load(seed: int, n_train: int | None, n_test: int | None):
    """(train, held_out, source): MNIST images in [0, 1], (N, 28, 28, 1) float32."""
    from helpers.data import load_dataset, load_sample

    def split(name, n):
        if n is None:
            return load_dataset("mnist", name)
        return load_sample("mnist", name, n, seed=seed)

    train, held = split("train", n_train), split("test", n_test)
    return train.images, held.images, train.source.split(";")[0]


# --------------------------------------------------------------------------------------
# keras-io's examples/generative/vq_vae.py, in Keras 3 with keras.ops
# --------------------------------------------------------------------------------------
def keras_io_vqvae(train_variance: float, latent_dim: int = 16,
                   num_embeddings: int = 128, beta: float = 0.25):
    """keras-io's ``VQVAETrainer`` (its ``vqvae`` holds the layers "encoder",
    "vector_quantizer" and "decoder"), compiled with Adam at its default rate."""
    import keras
    from keras import layers, ops

    class VectorQuantizer(layers.Layer):
        def __init__(self, num_embeddings, embedding_dim, beta=0.25, **kwargs):
            super().__init__(**kwargs)
            self.embedding_dim = embedding_dim
            self.num_embeddings = num_embeddings
            self.beta = beta
            # tf.random_uniform_initializer(): uniform on ±0.05, shape (D, K)
            self.embeddings = self.add_weight(
                shape=(self.embedding_dim, self.num_embeddings),
                initializer=keras.initializers.RandomUniform(-0.05, 0.05),
                trainable=True, name="embeddings_vqvae")

        def call(self, x):
            flattened = ops.reshape(x, (-1, self.embedding_dim))
            encoding_indices = self.get_code_indices(flattened)
            encodings = ops.one_hot(encoding_indices, self.num_embeddings)
            quantized = ops.matmul(encodings, ops.transpose(self.embeddings))
            quantized = ops.reshape(quantized, (-1, *x.shape[1:]))
            commitment_loss = self.beta * ops.mean(
                (ops.stop_gradient(quantized) - x) ** 2)
            codebook_loss = ops.mean((quantized - ops.stop_gradient(x)) ** 2)
            self.add_loss(commitment_loss + codebook_loss)
            return x + ops.stop_gradient(quantized - x)  # straight-through

        def get_code_indices(self, flattened_inputs):
            similarity = ops.matmul(flattened_inputs, self.embeddings)
            distances = (ops.sum(flattened_inputs ** 2, axis=1, keepdims=True)
                         + ops.sum(self.embeddings ** 2, axis=0)
                         - 2 * similarity)
            return ops.argmin(distances, axis=1)

    def get_encoder(latent_dim=16):
        encoder_inputs = keras.Input(shape=(28, 28, 1))
        x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(
            encoder_inputs)
        x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
        encoder_outputs = layers.Conv2D(latent_dim, 1, padding="same")(x)
        return keras.Model(encoder_inputs, encoder_outputs, name="encoder")

    def get_decoder(latent_dim=16):
        latent_inputs = keras.Input(shape=(7, 7, latent_dim))
        x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2,
                                   padding="same")(latent_inputs)
        x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2,
                                   padding="same")(x)
        decoder_outputs = layers.Conv2DTranspose(1, 3, padding="same")(x)
        return keras.Model(latent_inputs, decoder_outputs, name="decoder")

    def get_vqvae(latent_dim=16, num_embeddings=64):
        vq_layer = VectorQuantizer(num_embeddings, latent_dim, beta,
                                   name="vector_quantizer")
        encoder = get_encoder(latent_dim)
        decoder = get_decoder(latent_dim)
        inputs = keras.Input(shape=(28, 28, 1))
        reconstructions = decoder(vq_layer(encoder(inputs)))
        return keras.Model(inputs, reconstructions, name="vq_vae")

    class VQVAETrainer(keras.Model):
        def __init__(self, train_variance, latent_dim=32, num_embeddings=128,
                     **kwargs):
            super().__init__(**kwargs)
            self.train_variance = train_variance
            self.latent_dim = latent_dim
            self.num_embeddings = num_embeddings
            self.vqvae = get_vqvae(self.latent_dim, self.num_embeddings)

        def call(self, x, training=False):
            return self.vqvae(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            reconstruction_loss = ops.mean((x - y_pred) ** 2) / self.train_variance
            return reconstruction_loss + ops.sum(ops.stack(self.vqvae.losses))

    trainer = VQVAETrainer(train_variance, latent_dim=latent_dim,
                           num_embeddings=num_embeddings, name="keras_io_vqvae")
    trainer.compile(optimizer=keras.optimizers.Adam())
    return trainer


# --------------------------------------------------------------------------------------
# Training at a time budget
# --------------------------------------------------------------------------------------
def _budget_callback(budget: float):
    import keras

    class Budget(keras.callbacks.Callback):
        """Stop at the first update past the budget; count the updates."""

        def __init__(self):
            super().__init__()
            self.started = time.perf_counter()
            self.updates = 0

        def elapsed(self) -> float:
            return time.perf_counter() - self.started

        def on_train_batch_end(self, batch, logs=None):
            self.updates += 1
            if self.elapsed() >= budget:
                self.model.stop_training = True

    return Budget()


def train_book(seed, budget, train):
    """The chapter's VQ autoencoder with dead-code restarts, for ``budget`` seconds."""
    import keras

    from helpers.models.vq import build_vq_autoencoder, restart_dead_codes
    from helpers.train import fit as book_fit

    keras.utils.set_random_seed(seed)
    model = build_vq_autoencoder(BOOK["codebook_size"], BOOK["code_width"],
                                 beta=BOOK["beta"], filters=BOOK["filters"],
                                 learning_rate=BOOK["learning_rate"])
    budget_cb = _budget_callback(budget)
    restarted, epoch = [], 0
    while True:
        epoch_started = time.perf_counter()
        book_fit(model, train, epochs=1, batch_size=BOOK["batch"], verbose=0,
                 callbacks=[budget_cb])
        if model.stop_training:
            break
        epoch_seconds = time.perf_counter() - epoch_started
        # the chapter restarts after every epoch but the last two
        if budget - budget_cb.elapsed() >= 2 * epoch_seconds:
            restarted.append(restart_dead_codes(
                model, train[:BOOK["restart_images"]], seed + epoch))
        epoch += 1
    return model, budget_cb, restarted


def train_keras_io(seed, budget, train):
    """keras-io's VQ-VAE on images scaled to x − 0.5, for ``budget`` seconds."""
    import keras

    keras.utils.set_random_seed(seed)
    data_variance = float(np.var(train))  # np.var(x_train / 255.0)
    trainer = keras_io_vqvae(data_variance, KERAS_IO["latent_dim"],
                             KERAS_IO["num_embeddings"], KERAS_IO["beta"])
    scaled = train - np.float32(0.5)  # (x_train / 255.0) - 0.5
    budget_cb = _budget_callback(budget)
    while True:
        trainer.fit(scaled, epochs=1, batch_size=KERAS_IO["batch"], verbose=0,
                    callbacks=[budget_cb])
        if trainer.stop_training:
            break
    return trainer, budget_cb


# --------------------------------------------------------------------------------------
# Measuring on the held-out images
# --------------------------------------------------------------------------------------
def measure(model_name, model, held):
    """(reconstructions in [0, 1], index grids (N, 7, 7), K) of the held-out images."""
    if model_name == "book":
        grids = model.encode_indices(held)
        return model.decode_indices(grids), grids, model.codebook_size
    from keras import ops

    scaled = held - np.float32(0.5)
    encoder = model.vqvae.get_layer("encoder")
    quantizer = model.vqvae.get_layer("vector_quantizer")
    encoded = encoder.predict(scaled, batch_size=1000, verbose=0)
    flat = encoded.reshape(-1, encoded.shape[-1])
    grids = ops.convert_to_numpy(quantizer.get_code_indices(flat))
    grids = grids.reshape(encoded.shape[:-1]).astype(np.int64)
    decoded = model.vqvae.predict(scaled, batch_size=1000, verbose=0) + 0.5
    return np.clip(decoded, 0.0, 1.0), grids, quantizer.num_embeddings


def run_one(model_name, seed, budget, train, held):
    from helpers.metrics import psnr
    from helpers.models.vq import codebook_health

    if model_name == "book":
        model, budget_cb, restarted = train_book(seed, budget, train)
        batch = BOOK["batch"]
    else:
        (model, budget_cb), restarted = train_keras_io(seed, budget, train), []
        batch = KERAS_IO["batch"]
    seconds = budget_cb.elapsed()
    decoded, grids, k = measure(model_name, model, held)
    health = codebook_health(grids, k)
    return {"seed": seed, "model": model_name,
            "epochs": budget_cb.updates / math.ceil(len(train) / batch),
            "updates": budget_cb.updates, "seconds": seconds,
            "psnr_db": psnr(held, decoded), "codes_used": health["codes_used"],
            "k": k, "perplexity": health["perplexity"],
            "bits": GRID_POSITIONS * math.log2(k),
            "restarted": sum(restarted)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=120.0,
                        help="wall-clock seconds of training per model (default 120)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    parser.add_argument("--n-train", type=int, default=None,
                        help="training images (default: the whole train split)")
    parser.add_argument("--n-test", type=int, default=None,
                        help="held-out images (default: the whole test split)")
    args = parser.parse_args(argv)

    import keras

    print(f"Keras {keras.__version__} ({keras.backend.backend()}), budget "
          f"{args.budget:g} s a model, seeds {args.seeds}, {os.cpu_count()} CPUs "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    rows = []
    for seed in args.seeds:
        train, held, source = load(seed, args.n_train, args.n_test)
        if seed == args.seeds[0]:
            print(f"data: {source}", flush=True)
            if "IDX test set" in source:
                print("note: only MNIST's 10,000-image test set is available; the "
                      "loader splits it 80/10/10 (fixed permutation): both models "
                      "train on its train part and are measured on its disjoint "
                      "test part", flush=True)
        print(f"seed {seed}: {len(train):,} training images, {len(held):,} held out",
              flush=True)
        for model_name in ("book", "keras-io"):
            row = run_one(model_name, seed, args.budget, train, held)
            rows.append(row)
            print(f"  {model_name} seed {seed}: {row['psnr_db']:.2f} dB after "
                  f"{row['epochs']:.1f} epochs ({row['updates']} updates, "
                  f"{row['seconds']:.1f} s)"
                  + (f", {row['restarted']} codes restarted"
                     if model_name == "book" else ""), flush=True)
            keras.backend.clear_session()

    print("\nseed  model      epochs  updates  PSNR (dB)  codes used  perplexity  "
          "bits/image")
    for r in rows:
        print(f"{r['seed']:4d}  {r['model']:9s} {r['epochs']:7.1f} {r['updates']:8d} "
              f"{r['psnr_db']:10.2f}  {r['codes_used']:4d} / {r['k']:<4d} "
              f"{r['perplexity']:10.1f} {r['bits']:11.0f}")
    by_seed = {(r["seed"], r["model"]): r["psnr_db"] for r in rows}
    gaps = [by_seed[seed, "book"] - by_seed[seed, "keras-io"] for seed in args.seeds]
    print("\nPSNR gap book − keras-io (dB, held-out, positive: the book ahead):")
    for seed, gap in zip(args.seeds, gaps):
        print(f"  seed {seed:4d}: {gap:+.2f}")
    print(f"  mean     : {float(np.mean(gaps)):+.2f} over {len(gaps)} seed(s)")


if __name__ == "__main__":
    main()
