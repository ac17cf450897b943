"""The sparse autoencoders of the chapter "Looking inside a network", at three seeds.

Not a test: prints, for the TopK dictionary, the L1 dictionary and TopK with
resampling (the chapter's ci settings unless overridden), L0, variance explained, dead
latents, and accuracy and cross-entropy recovered against zero and mean ablation of the
classifier's layer; then the median top-20 purity of the layer's units and of the
resampled dictionary's latents. Measured on the validation split by default
(SPLIT=test for the split the chapter reports). Run from the repository root:

  BOOK_DATA_DIR=../shared/data .venv/bin/python tests/benchmarks/bench_sae.py

Environment: SEEDS (42,1,2), SPLIT (validation), PER_SET (4000 training images of each
set), LATENTS (512), K (8), L1 (0.3), EPOCHS (20), SCALE (0.5, the resampled encoder
column's share of the live columns' mean length).
"""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from helpers.data import combine, load_sample  # noqa: E402
from helpers.measure import features  # noqa: E402
from helpers.models import sae as sae_module  # noqa: E402
from helpers.models.classifier import build_classifier  # noqa: E402

E = os.environ.get
SEEDS = [int(s) for s in E("SEEDS", "42,1,2").split(",")]
SPLIT = E("SPLIT", "validation")
PER_SET, LATENTS = int(E("PER_SET", "4000")), int(E("LATENTS", "512"))
K, L1, EPOCHS = int(E("K", "8")), float(E("L1", "0.3")), int(E("EPOCHS", "20"))
SCALE = float(E("SCALE", "0.5"))


def network(seed):
    train = combine(load_sample("notmnist", "train", PER_SET, seed=seed),
                    load_sample("mnist", "train", PER_SET, seed=seed))
    held = combine(load_sample("notmnist", SPLIT, 1000, seed=seed),
                   load_sample("mnist", SPLIT, 1000, seed=seed))
    keras.utils.set_random_seed(seed)
    classifier, body, head = build_classifier(20, width=128, seed=seed)
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    classifier.fit(train.images, train.labels, epochs=5, batch_size=128, verbose=0)
    acts = body.predict(train.images, batch_size=1024, verbose=0)
    held_acts = body.predict(held.images, batch_size=1024, verbose=0)
    return acts, held_acts, held.labels, head


def dictionary(acts, seed, resample=False, **sparsity):
    keras.utils.set_random_seed(seed)
    model = sae_module.SAE(acts.shape[1], LATENTS, seed=seed, **sparsity)
    model.initialize(acts)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    calls = ([sae_module.ResampleDeadLatents(acts, seed, EPOCHS - 5, SCALE)]
             if resample else [])
    model.fit(acts, acts, epochs=EPOCHS, batch_size=512, verbose=0, callbacks=calls)
    return model


def main():
    print(f"split {SPLIT}; {2 * PER_SET} training images; {LATENTS} latents; k = {K}; "
          f"L1 λ = {L1}; {EPOCHS} epochs; resampling scale {SCALE}")
    header = (f"{'seed':>4} {'dictionary':<18} {'L0':>6} {'FVE':>6} {'dead':>5} "
              f"{'acc/0':>6} {'acc/μ':>6} {'CE/0':>6} {'CE/μ':>6} {'s':>5}")
    print(header)
    for seed in SEEDS:
        acts, held_acts, labels, head = network(seed)

        def logits_of(a):
            return head.predict(a, batch_size=2048, verbose=0)

        for name, kwargs in (("TopK", dict(k=K)), ("L1", dict(l1=L1, l1_warmup=100)),
                             ("TopK + resampling", dict(k=K, resample=True))):
            started = time.perf_counter()
            model = dictionary(acts, seed, **kwargs)
            seconds = time.perf_counter() - started
            f = model.encode(held_acts)
            rebuilt = model.decode(f)
            got = features.splice_scores(logits_of, held_acts, rebuilt, labels,
                                         acts.mean(axis=0))["recovered"]
            print(f"{seed:>4} {name:<18} {features.l0(f):6.1f} "
                  f"{features.variance_explained(held_acts, rebuilt):6.3f} "
                  f"{len(features.dead_latents(model.encode(acts))):5d} "
                  f"{got['accuracy vs zero']:6.3f} {got['accuracy vs mean']:6.3f} "
                  f"{got['cross_entropy vs zero']:6.3f} "
                  f"{got['cross_entropy vs mean']:6.3f} "
                  f"{seconds:5.1f}")
        units = np.nanmedian(features.top_purity(held_acts, labels))
        latents = np.nanmedian(features.top_purity(f, labels))
        print(f"{seed:>4} median top-20 purity: units {units:.2f}, resampled latents "
              f"{latents:.2f}")


if __name__ == "__main__":
    main()
