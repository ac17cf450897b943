"""The book's models against reference models written after keras-io's examples, at equal
wall-clock time on the same data (``make bench``; not a test: it prints a table).

Three pairs, each at the same code size:

* ``ae``: the convolutional autoencoder (``helpers.models.conv_autoencoder`` with a
  7×7×32 code, 1,568 numbers) against keras-io's ``examples/vision/autoencoder.py``
  (Conv2D 32 3×3 ReLU + max-pool, twice; two stride-2 Conv2DTranspose 32; sigmoid
  Conv2D; binary cross-entropy; Adam; batch 128). Held-out PSNR in dB (higher is
  better).
* ``denoise``: the same two models trained on Gaussian noise σ = 0.5, drawn afresh every
  epoch, to give back the clean letter (the set-up of ``book/denoising.ipynb``).
  Held-out PSNR on one fixed noisy copy of the held-out images.
* ``vae``: the chapter's VAE with a 2-number code, dense and convolutional
  (``helpers.models.vae.build_vae``) against keras-io's ``examples/generative/vae.py``
  (stride-2 convolutions 32/64, Dense 16, latent 2; Dense 7·7·64 + Conv2DTranspose
  64/32 + sigmoid; loss = binary cross-entropy summed over pixels + KL). Held-out −ELBO
  in nats per image (one code per image, ``helpers.models.vae.negative_elbo``; lower is
  better).

Data: notMNIST (``ae``, ``denoise``) and MNIST (``vae``) from ``helpers.data``: the
8,000-image train split for training, validation + test (2,000 images) held out. With
``BOOK_DATA_DIR=/work/shared/data`` both are the 10,000-image IDX test sets split
80/10/10; the script says which source it used.

Every model trains for ``--budget`` seconds of wall-clock time (including its first,
tracing step), in epochs of the whole training set, stopped at the first update past the
budget. Runs are interleaved (seed 0: every variant, seed 1: every variant, ...) so that
a busy machine slows them alike. The table gives, per variant, the median over seeds
and the spread (min–max) of the score, the images per second and the number of
updates. A difference from the pair's ``reference`` smaller than the two spreads'
larger width is called a tie.

Variants named ``book+X`` change one training choice of the book's model (its layers
stay the same): ``bce`` binary cross-entropy instead of MSE, ``xla`` XLA compilation
(``jit_compile=True``; Keras uses it on GPUs but not on CPUs by default), ``cos`` Adam at
2e-3 decayed to 0 on a cosine over the time budget, ``b128`` batches of 128.
``book-tuned`` combines binary cross-entropy (not for the VAE, whose loss already is
one) with the cosine schedule.

``--throughput`` also times ``helpers.train.fit`` (as the chapters call it in the book,
``BOOK_BUILD=1``) against plain ``model.fit`` on the same model and data.

    .venv/bin/python tests/benchmarks/bench_reference.py --budget 60 --seeds 0 1 2
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

NOISE_LEVEL = 0.5
HIGHER_IS_BETTER = {"ae": True, "denoise": True, "vae": False}
UNITS = {"ae": "dB", "denoise": "dB", "vae": "nats"}


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------
def load(name: str):
    """(train, held_out) images: the 8,000-image train split and the 2,000 others."""
    from helpers.data import load_dataset

    train = load_dataset(name, "train").images
    held = np.concatenate([load_dataset(name, "validation").images,
                           load_dataset(name, "test").images])
    return np.asarray(train), held


# --------------------------------------------------------------------------------------
# Reference models (after keras-io's examples)
# --------------------------------------------------------------------------------------
def reference_autoencoder():
    """keras-io examples/vision/autoencoder.py: code 7×7×32, BCE, Adam."""
    import keras
    from keras import layers

    image = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(image)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(image, x, name="keras_io_autoencoder")


def reference_vae():
    """keras-io examples/generative/vae.py (latent 2), written with keras.ops so that
    the held-out −ELBO is measured by the same function as the book's VAE."""
    import keras
    from keras import layers, ops

    from helpers.models.vae import Sampling, kl_divergence

    latent = 2
    image = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(image)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    encoder = keras.Model(image, [layers.Dense(latent, name="z_mean")(x),
                                  layers.Dense(latent, name="z_log_var")(x)],
                          name="encoder")
    code = keras.Input(shape=(latent,))
    y = layers.Dense(7 * 7 * 64, activation="relu")(code)
    y = layers.Reshape((7, 7, 64))(y)
    y = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(y)
    y = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(y)
    y = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(y)
    probabilities = keras.Model(code, y, name="decoder")

    # negative_elbo wants logits; the example's decoder gives probabilities (clipped as
    # Keras' binary cross-entropy clips them)
    p = ops.clip(probabilities.output, 1e-7, 1 - 1e-7)
    logits = keras.Model(code, ops.log(p) - ops.log1p(-p), name="decoder_logits")

    class KerasIoVAE(keras.Model):
        def __init__(self):
            super().__init__(name="keras_io_vae")
            self.encoder, self.decoder = encoder, logits
            self.probabilities = probabilities
            self.sampling = Sampling()

        def call(self, images, training=False):
            z_mean, z_log_var = self.encoder(images, training=training)
            self.add_loss(ops.mean(ops.sum(kl_divergence(z_mean, z_log_var), axis=1)))
            return self.probabilities(self.sampling([z_mean, z_log_var]),
                                      training=training)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            per_pixel = keras.losses.binary_crossentropy(x, y_pred)  # (N, 28, 28)
            reconstruction = ops.mean(ops.sum(per_pixel, axis=(1, 2)))
            return reconstruction + ops.sum(self.losses)

    return KerasIoVAE()


# --------------------------------------------------------------------------------------
# Variants: how each model is built and trained
# --------------------------------------------------------------------------------------
def book_ae(loss="mse"):
    from helpers.models import conv_autoencoder

    model, _, _ = conv_autoencoder(code_channels=32, filters=(32, 64), name="book")
    return model, loss


#: task → variant → settings. ``build`` returns (model, loss or None); ``fit`` is "book"
#: (helpers.train.fit, as the chapters call it) or "keras" (plain model.fit).
VARIANTS = {
    "ae": {
        "book": dict(build=lambda: book_ae(), batch=64, fit="book"),
        "book+bce": dict(build=lambda: book_ae("binary_crossentropy"), batch=64,
                         fit="book"),
        "book+xla": dict(build=lambda: book_ae(), batch=64, fit="book", jit=True),
        "book+cos": dict(build=lambda: book_ae(), batch=64, fit="book", cosine=2e-3),
        "book+b128": dict(build=lambda: book_ae(), batch=128, fit="book"),
        "book-tuned": dict(build=lambda: book_ae("binary_crossentropy"), batch=64,
                           fit="book", cosine=2e-3),
        "reference": dict(build=lambda: (reference_autoencoder(), "binary_crossentropy"),
                          batch=128, fit="keras"),
    },
    "vae": {
        "book": dict(build=lambda: (_book_vae(False), None), batch=64, fit="book"),
        "book-conv": dict(build=lambda: (_book_vae(True), None), batch=64, fit="book"),
        "book+xla": dict(build=lambda: (_book_vae(False), None), batch=64, fit="book",
                         jit=True),
        "book+cos": dict(build=lambda: (_book_vae(False), None), batch=64, fit="book",
                         cosine=2e-3),
        "book-tuned": dict(build=lambda: (_book_vae(False), None), batch=64,
                           fit="book", cosine=2e-3),
        "reference": dict(build=lambda: (reference_vae(), None), batch=128,
                          fit="keras"),
    },
}
VARIANTS["denoise"] = {name: settings for name, settings in VARIANTS["ae"].items()}
DEFAULT_VARIANTS = {
    "ae": ["book", "book-tuned", "reference"],
    "denoise": ["book", "book-tuned", "reference"],
    "vae": ["book", "book-conv", "book-tuned", "reference"],
}


def _book_vae(conv):
    from helpers.models.vae import build_vae

    return build_vae(2, hidden_units=256, conv=conv)


# --------------------------------------------------------------------------------------
# Training at a time budget
# --------------------------------------------------------------------------------------
def _budget_callback(budget: float, cosine: float | None):
    import keras

    class Budget(keras.callbacks.Callback):
        """Stop at the first update past the budget; count updates; optionally set the
        learning rate on a cosine over the elapsed fraction of the budget."""

        def __init__(self):
            super().__init__()
            self.started = time.perf_counter()
            self.updates = 0

        def on_train_batch_begin(self, batch, logs=None):
            if cosine:
                done = min(1.0, (time.perf_counter() - self.started) / budget)
                self.model.optimizer.learning_rate.assign(
                    cosine * 0.5 * (1 + math.cos(math.pi * done)))

        def on_train_batch_end(self, batch, logs=None):
            self.updates += 1
            if time.perf_counter() - self.started >= budget:
                self.model.stop_training = True

    return Budget()


def train_one(task, variant, seed, budget, data):
    import keras

    from helpers import metrics
    from helpers.data import add_gaussian_noise
    from helpers.train import fit as book_fit

    settings = VARIANTS[task][variant]
    keras.utils.set_random_seed(seed)
    model, loss = settings["build"]()
    optimizer = keras.optimizers.Adam(settings.get("cosine") or 1e-3)
    model.compile(optimizer=optimizer, loss=loss,
                  jit_compile=bool(settings.get("jit", False)))
    train, held = data
    budget_cb = _budget_callback(budget, settings.get("cosine"))
    rng = np.random.default_rng(seed)
    while True:  # whole epochs until the budget callback stops one
        if task == "vae":
            x, y = train, None
        elif task == "denoise":  # fresh noise every epoch
            noisy = add_gaussian_noise(train, NOISE_LEVEL, seed=int(rng.integers(2**31)))
            x, y = noisy, train
        else:
            x, y = train, train
        arguments = dict(epochs=1, batch_size=settings["batch"], verbose=0,
                         callbacks=[budget_cb])
        if settings["fit"] == "book":
            book_fit(model, x, y, **arguments)
        else:
            model.fit(x, y, **arguments)
        if model.stop_training:
            break
    seconds = time.perf_counter() - budget_cb.started
    images = budget_cb.updates * settings["batch"]
    if task == "vae":
        from helpers.models.vae import negative_elbo

        score = negative_elbo(model, held, samples=1, seed=0)
    else:
        inputs = (add_gaussian_noise(held, NOISE_LEVEL, seed=12345)
                  if task == "denoise" else held)
        score = metrics.psnr(held, model.predict(inputs, batch_size=500, verbose=0))
    return {"score": float(score), "images_per_s": images / seconds,
            "updates": budget_cb.updates, "seconds": seconds}


# --------------------------------------------------------------------------------------
# Throughput: the chapters' fit against plain model.fit
# --------------------------------------------------------------------------------------
def throughput(data, repeats=3, epochs=1):
    import keras

    from helpers.models import conv_autoencoder
    from helpers.train import fit as book_fit

    train, _ = data
    keras.utils.set_random_seed(0)
    model, _, _ = conv_autoencoder(code_channels=32, filters=(32, 64), name="speed")
    model.fit(train[:640], train[:640], epochs=1, batch_size=64, verbose=0)  # trace
    os.environ["BOOK_BUILD"] = "1"  # the book's mode: one log line per few epochs
    rates = {"helpers.train.fit": [], "model.fit": []}
    for _ in range(repeats):  # interleaved, so both see the same load
        for name in rates:
            started = time.perf_counter()
            if name == "model.fit":
                model.fit(train, train, epochs=epochs, batch_size=64, verbose=0)
            else:
                book_fit(model, train, train, epochs=epochs, batch_size=64)
            rates[name].append(epochs * len(train) / (time.perf_counter() - started))
    return rates


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------
def summarise(task, results):
    """Lines of the table for one task; results: variant → list of run dicts."""
    unit, higher = UNITS[task], HIGHER_IS_BETTER[task]
    lines = []
    reference = results.get("reference")
    for variant, runs in results.items():
        scores = [r["score"] for r in runs]
        median = statistics.median(scores)
        spread = (min(scores), max(scores))
        speed = statistics.median(r["images_per_s"] for r in runs)
        updates = statistics.median(r["updates"] for r in runs)
        verdict = ""
        if reference is not None and variant != "reference":
            ref_scores = [r["score"] for r in reference]
            ref_median = statistics.median(ref_scores)
            gain = (median - ref_median) * (1 if higher else -1)
            width = max(max(scores) - min(scores), max(ref_scores) - min(ref_scores))
            if abs(gain) <= width:
                verdict = f"tie ({gain:+.2f} {unit}, spread {width:.2f})"
            else:
                verdict = (f"{'ahead' if gain > 0 else 'behind'} by {abs(gain):.2f} "
                           f"{unit} (spread {width:.2f})")
        lines.append(f"{task:8s} {variant:11s} {median:8.2f} {unit:4s} "
                     f"[{spread[0]:.2f}–{spread[1]:.2f}]  {speed:7.0f} img/s "
                     f"{updates:6.0f} updates  {verdict}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=60.0,
                        help="wall-clock seconds of training per model (default 60)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tasks", nargs="+", default=["ae", "denoise", "vae"],
                        choices=sorted(VARIANTS))
    parser.add_argument("--variants", nargs="+", default=None,
                        help="variant names (default: book, book-tuned, reference; "
                             "book-conv for the VAE); 'all' for every variant")
    parser.add_argument("--throughput", action="store_true",
                        help="also time helpers.train.fit against model.fit")
    args = parser.parse_args(argv)
    if len(args.seeds) < 3:
        print("note: fewer than 3 seeds; the spread says little", file=sys.stderr)

    import keras

    print(f"Keras {keras.__version__} ({keras.backend.backend()}), budget "
          f"{args.budget:g} s a model, seeds {args.seeds}, {os.cpu_count()} CPUs "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    datasets = {"ae": "notmnist", "denoise": "notmnist", "vae": "mnist"}
    table = []
    for task in args.tasks:
        if args.variants == ["all"]:
            variants = list(VARIANTS[task])
        elif args.variants:
            variants = [v for v in args.variants if v in VARIANTS[task]]
        else:
            variants = DEFAULT_VARIANTS[task]
        data = load(datasets[task])
        from helpers.data import load_dataset

        print(f"{task}: {load_dataset(datasets[task], 'train').source}", flush=True)
        results = {variant: [] for variant in variants}
        for seed in args.seeds:
            for variant in variants:
                run = train_one(task, variant, seed, args.budget, data)
                results[variant].append(run)
                print(f"  {task} {variant} seed {seed}: {run['score']:.2f} "
                      f"{UNITS[task]}, {run['images_per_s']:.0f} img/s, "
                      f"{run['updates']} updates", flush=True)
                keras.backend.clear_session()
        table += summarise(task, results)
    print("\ntask     variant       median       [min–max]      speed      updates  "
          "against the reference (higher PSNR / lower nats is better)")
    print("\n".join(table))
    if args.throughput:
        rates = throughput(load("notmnist"))
        book = statistics.median(rates["helpers.train.fit"])
        plain = statistics.median(rates["model.fit"])
        print(f"\nthroughput (conv AE, batch 64, 1 epoch × 3, interleaved): "
              f"helpers.train.fit {book:.0f} img/s, model.fit {plain:.0f} img/s, "
              f"ratio {book / plain:.2f}× [fit runs {min(rates['helpers.train.fit']):.0f}"
              f"–{max(rates['helpers.train.fit']):.0f}, model.fit "
              f"{min(rates['model.fit']):.0f}–{max(rates['model.fit']):.0f}]")


if __name__ == "__main__":
    main()
