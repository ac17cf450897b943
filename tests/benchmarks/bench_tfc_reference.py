"""The book's learned compression against TensorFlow's "Learned data compression"
tutorial (tensorflow.org/tutorials/generative/data_compression), in its own setting on
MNIST digits (not a test: it prints a table).

What the tutorial does (TensorFlow Compression, after Ballé et al. 2017): a 50-channel
latent; analysis Conv2D(20, 5, stride 2) → Conv2D(50, 5, stride 2) → Dense(500) →
Dense(50), synthesis Dense(500) → Dense(2450) → two Conv2DTranspose, leaky ReLUs
throughout; a prior of one logistic per channel (``tfc.NoisyLogistic``, location 0,
learned scale) through ``tfc.ContinuousBatchedEntropyModel`` (uniform noise in
training); loss ``rate + λ · distortion`` with

* rate: bits **per digit**, −log₂ of the noisy latent's likelihood summed over the 50
  channels, averaged over the batch;
* distortion: mean absolute error **per pixel**, pixels in [0, 1];

Adam at 1e-3, batches of 128, 15 epochs of MNIST's 60,000 training digits; λ = 2000,
then 500, then 300, where it says the strings get "on the order of one byte per digit"
(the strings are tfc's range coder's output, which carries no length: the container
knows where each ends).

The book's loss is ``rate_bpp + λ_book · distortion`` with the rate in bits per
**pixel** (bits per digit ÷ 784) and the same per-pixel distortion. Multiplying it by
784 gives ``bits + 784 λ_book · MAE``: the tutorial's loss exactly, with λ = 784 λ_book.
So the tutorial's λ = 300 is λ_book = 300 / 784 ≈ 0.383 (and 2000 is ≈ 2.55); only the
loss's scale differs, and Adam does not see a constant scale of the loss.

What stays the book's (``helpers.models.compression.build_rd_autoencoder``), so that
this measures the book's codec, not a port: a dense encoder and decoder (``--hidden``,
default one layer of 500, the width of the tutorial's dense layers) ending in a
sigmoid, not convolutions; Ballé et al.'s deep factorised density per channel
(``FactorizedDensity``, more flexible than one logistic) with its own learning rate;
the book's code scale and learning rates (tuned for short runs) unless given; and a
warm-up of the rate over the first ``--rate-warmup`` updates (default 1,000, some 40%
of the run; ``RateDistortionAutoencoder.rate_weight``). Without it, λ = 300 with the
mean absolute error is where a short run of the book's codec collapses: every channel
is switched off early, the decoder learns to draw the average digit, and the run ends
at 0 bits and an MAE of about 0.126 (the blank-ish digit's), although a few bits
would lower the loss (``--rate-warmup 0`` shows it). What
the data allow: ``/work/shared/data`` holds only MNIST's 10,000-image IDX test set,
which ``helpers.data`` splits 80/10/10 by a fixed permutation, so the model trains on
8,000 digits (``--epochs`` of them; the tutorial makes 15 × 469 = 7,035 updates, the
default here 40 × 63 = 2,520) and is measured on the disjoint ~1,000-digit test part.
Where the full 60,000-image set is cached, the loader uses it.

Measured on the held-out digits, per seed and λ: bits per digit ``ideal`` (−log₂ of
the range coder's tables, :mod:`helpers.measure.entropy`), ``payload`` (the range
coder's whole bytes, like tfc's strings) and ``coded`` (with the length byte a stream
of messages needs); ``MAE`` (per pixel, the trained distortion) and ``PSNR`` (mean per
digit, ``helpers.metrics.psnr``); ``on``: channels that carry 0.1 bit a digit or more;
every message is decoded back (``lossless``). The tutorial prints no average: its
"about one byte" (≈ 8 bits) at λ = 300 is the reference.

    BOOK_DATA_DIR=/work/shared/data .venv/bin/python \\
        tests/benchmarks/bench_tfc_reference.py --seeds 42 1 2
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

PIXELS = 28 * 28
TUTORIAL = dict(latent_dim=50, batch=128, lambdas=(300.0,), bits_at_300=8.0)
OFF = 0.1  # bits a digit: a channel below this carries (almost) nothing


def load(seed: int, n_train: int | None, n_test: int | None):
    """(train, held_out, source): MNIST digits in [0, 1], (N, 28, 28, 1) float32."""
    from helpers.data import load_dataset, load_sample

    def split(name, n):
        if n is None:
            return load_dataset("mnist", name)
        return load_sample("mnist", name, n, seed=seed)

    train, held = split("train", n_train), split("test", n_test)
    return train.images, held.images, train.source.split(";")[0]


def run_one(seed, tutorial_lmbda, args, train, held):
    """Train the book's codec at the tutorial's λ and measure it on ``held``."""
    import keras

    from helpers.measure.entropy import channel_tables, code_symbols, support
    from helpers.metrics import psnr
    from helpers.models.compression import build_rd_autoencoder

    lmbda = tutorial_lmbda / PIXELS  # the book's per-pixel rate: see the docstring
    options = {} if args.learning_rate is None else {
        "learning_rate": args.learning_rate}
    if args.code_scale is not None:
        options["code_scale"] = args.code_scale
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    model = build_rd_autoencoder(args.latent, lmbda, distortion="mae",
                                 hidden=tuple(args.hidden), seed=seed,
                                 rate_warmup=args.rate_warmup, **options)
    model.fit(train, epochs=args.epochs, batch_size=args.batch, verbose=0)
    seconds = time.perf_counter() - started

    low, tables = channel_tables(model, *support(model, model.symbols(train)))
    symbols = model.symbols(held)
    counted = code_symbols(symbols, low, tables)
    decoded = model.decode_symbols(symbols)
    picked = np.take_along_axis(
        tables, np.clip(symbols - low, 0, tables.shape[1] - 1).T, axis=1)
    per_channel = -np.log2(picked).mean(axis=1)
    return {"seed": seed, "lmbda": tutorial_lmbda, "book_lmbda": lmbda,
            "seconds": seconds, "ideal": counted["ideal_bits"].mean(),
            "payload": counted["payload_bits"].mean(),
            "coded": counted["coded_bits"].mean(),
            "mae": float(np.abs(decoded - held).mean()), "psnr": psnr(held, decoded),
            "on": int((per_channel >= OFF).sum()), "lossless": counted["lossless"],
            "clipped": int(counted["clipped"].sum())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    parser.add_argument("--lambdas", type=float, nargs="+",
                        default=list(TUTORIAL["lambdas"]),
                        help="λ in the tutorial's units (bits a digit per unit of "
                             "MAE a pixel); default 300, the tutorial's last")
    parser.add_argument("--epochs", type=int, default=40,
                        help="epochs of the training split (default 40)")
    parser.add_argument("--batch", type=int, default=TUTORIAL["batch"])
    parser.add_argument("--latent", type=int, default=TUTORIAL["latent_dim"])
    parser.add_argument("--hidden", type=int, nargs="+", default=[500],
                        help="Dense widths of the encoder (default 500)")
    parser.add_argument("--learning-rate", type=float, default=None,
                        help="Adam's (default: the book's; the tutorial's is 1e-3)")
    parser.add_argument("--rate-warmup", type=int, default=1000,
                        help="updates over which the rate's weight rises to 1 "
                             "(default 1000; 0: none)")
    parser.add_argument("--code-scale", type=float, default=None,
                        help="the encoder's output factor (default: the book's)")
    parser.add_argument("--n-train", type=int, default=None,
                        help="training digits (default: the whole train split)")
    parser.add_argument("--n-test", type=int, default=None,
                        help="held-out digits (default: the whole test split)")
    args = parser.parse_args(argv)

    import keras

    print(f"Keras {keras.__version__} ({keras.backend.backend()}), seeds {args.seeds}, "
          f"λ (tutorial's units) {args.lambdas}, {args.epochs} epochs, batch "
          f"{args.batch}, latent {args.latent}, hidden {tuple(args.hidden)}, rate "
          f"warm-up {args.rate_warmup} updates, "
          f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f})", flush=True)
    rows = []
    for seed in args.seeds:
        train, held, source = load(seed, args.n_train, args.n_test)
        if seed == args.seeds[0]:
            print(f"data: {source}", flush=True)
            if "IDX test set" in source:
                print("note: only MNIST's 10,000-image test set is available; the "
                      "loader splits it 80/10/10 (fixed permutation): training on "
                      "its train part, measuring on its disjoint test part",
                      flush=True)
        print(f"seed {seed}: {len(train):,} training digits, {len(held):,} held out",
              flush=True)
        for lmbda in args.lambdas:
            row = run_one(seed, lmbda, args, train, held)
            rows.append(row)
            print(f"  λ = {lmbda:g} (book {row['book_lmbda']:.4g}): "
                  f"{row['ideal']:.1f} bits ideal, {row['payload']:.1f} payload, "
                  f"PSNR {row['psnr']:.2f} dB ({row['seconds']:.1f} s)", flush=True)
            keras.backend.clear_session()

    print("\nbits per held-out digit (mean); payload: the range coder's bytes, as "
          "tfc's strings; coded: + the length byte")
    print(f"{'seed':>4} {'λ tfc':>6} {'λ book':>7} {'train s':>7} {'ideal':>6} "
          f"{'payload':>7} {'coded':>6} {'MAE':>6} {'PSNR':>6} {'on':>3} "
          f"{'lossless':>8}  tutorial")
    for r in rows:
        reference = (f"≈ {TUTORIAL['bits_at_300']:g} bits (\"one byte\")"
                     if r["lmbda"] == 300 else "–")
        print(f"{r['seed']:4d} {r['lmbda']:6g} {r['book_lmbda']:7.4f} "
              f"{r['seconds']:7.1f} {r['ideal']:6.1f} {r['payload']:7.1f} "
              f"{r['coded']:6.1f} {r['mae']:6.4f} {r['psnr']:6.2f} {r['on']:3d} "
              f"{str(r['lossless']):>8}  {reference}")
    for lmbda in args.lambdas:
        mine = [r for r in rows if r["lmbda"] == lmbda]
        print(f"λ = {lmbda:g}: mean over {len(mine)} seed(s): "
              f"{np.mean([r['ideal'] for r in mine]):.1f} bits ideal, "
              f"{np.mean([r['payload'] for r in mine]):.1f} payload, "
              f"{np.mean([r['coded'] for r in mine]):.1f} coded; MAE "
              f"{np.mean([r['mae'] for r in mine]):.4f}, PSNR "
              f"{np.mean([r['psnr'] for r in mine]):.2f} dB"
              + (f" (tutorial: about {TUTORIAL['bits_at_300']:g} bits)"
                 if lmbda == 300 else ""))


if __name__ == "__main__":
    main()
