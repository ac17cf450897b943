"""Training profiles and seeds: how big a run is, and which random numbers it draws.

A *profile* says how big a run is. The same chapter runs in 90 seconds on two CPU cores
(``ci``), in a few minutes on a laptop (``laptop``) or at full size on a GPU (``full``).
It is chosen by the environment variable ``BOOK_PROFILE``; unset, it is ``full`` where a
GPU is visible and ``laptop`` elsewhere. ``BOOK_SEED`` changes the seed so that a run
can be repeated with other random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import config, devices, lessons

PROFILE_VARIABLE = "BOOK_PROFILE"
SEED_VARIABLE = "BOOK_SEED"
SMOKE_VARIABLE = lessons.SMOKE_VARIABLE
DEFAULT_SEED = int(config.VARIABLES[SEED_VARIABLE].default)
#: Updates per epoch in a smoke run (``BOOK_SMOKE=1``).
SMOKE_STEPS = 2
#: Most epochs of one ``fit`` in a smoke run: sizes and shapes are all checked in the
#: first epoch, and a second one checks what carries over between epochs; the rest of
#: a 50-epoch schedule would only repeat them, at about a third of CI's Colab-like run.
SMOKE_EPOCHS = 2
#: Most held-out images a chapter measures on (``run.n_test``) in a smoke run: enough
#: to run every measurement's code on the full profile's shapes (the VAE chapter draws
#: 200 disjoint pairs of held-out images), while measuring barely trained models on the
#: full profile's 10,000 would only cost time. The training images stay the profile's
#: own, so the updates a smoke run logs are the profile's (``helpers.train``).
SMOKE_N_TEST = 400


@dataclass(frozen=True)
class Profile:
    """Sizes shared by every chapter; ``pick`` chooses a chapter's own numbers."""

    name: str
    n_train: int  #: training images a chapter loads
    n_test: int  #: held-out images a chapter measures on
    epochs: int  #: a typical chapter's epochs; chapters may ``pick`` their own
    batch_size: int
    description: str

    def pick(self, *, ci, laptop, full):
        """Return the value given for this profile: ``run.pick(ci=3, laptop=15,
        full=50)``."""
        return {"ci": ci, "laptop": laptop, "full": full}[self.name]


PROFILES = {
    "ci": Profile(
        "ci",
        n_train=4000,
        n_test=1000,
        epochs=4,
        batch_size=128,
        description="small: each chapter runs in about a minute on 2 CPU cores",
    ),
    "laptop": Profile(
        "laptop",
        n_train=8000,
        n_test=1000,
        epochs=15,
        batch_size=128,
        description="middle: a few minutes a chapter on a laptop CPU",
    ),
    "full": Profile(
        "full",
        n_train=60000,
        n_test=10000,
        epochs=50,
        batch_size=256,
        description="full: every image and epoch; meant for a GPU",
    ),
}


def get_profile(name: str | None = None) -> Profile:
    """The profile named by ``name`` or by ``$BOOK_PROFILE``; unset chooses by
    hardware."""
    if name is None:
        name = config.get(PROFILE_VARIABLE)
    if not name:
        return PROFILES["full" if devices.gpu_visible() else "laptop"]
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_VARIABLE}={name!r} is not a profile; expected one of "
            f"{', '.join(PROFILES)} (or leave it unset to choose by hardware)"
        )
    return PROFILES[name]


def smoke() -> bool:
    """True in a smoke run (``BOOK_SMOKE=1``): the profile's data, sizes and shapes, at
    most 2 epochs of 2 updates each, measured on at most ``SMOKE_N_TEST`` held-out
    images.

    A smoke run finds size and shape errors of a big profile in minutes on a CPU, before
    a GPU reader does. Its models are barely trained, so what a chapter claims about
    them cannot hold: in a smoke run the chapters' hidden ``assert`` lessons and the
    exercise checks report instead of stopping the chapter (:mod:`helpers.lessons`).
    """
    return lessons.smoke()


def get_seed() -> int:
    """The seed from ``$BOOK_SEED``, or the book's default, so runs repeat exactly."""
    value = config.get(SEED_VARIABLE)
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(
            f"{SEED_VARIABLE}={value!r} is not a whole number; expected e.g. 42"
        ) from None
    if seed < 0:
        raise ValueError(
            f"{SEED_VARIABLE}={seed} is negative; expected a whole number ≥ 0"
        )
    return seed
