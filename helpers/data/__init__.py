"""The book's data: three sets of 28x28 grey images and the noise of the denoising
chapter.

- :mod:`helpers.data.dataset` is what every loader returns (:class:`Dataset`) and the
  names of the sets, splits and classes.
- :mod:`helpers.data.files` finds, downloads (with pinned checksums), checks and caches
  the notMNIST and MNIST files.
- :mod:`helpers.data.loader` holds the one loader, ``load_dataset``/``load_sample``:
  each set cut into fixed train, validation and test splits.
- :mod:`helpers.data.glyphs` renders letters A-J from matplotlib's fonts: works offline.
- :mod:`helpers.data.noise` corrupts images for the denoising chapter.

Chapters import from here (``from helpers.data import load_sample``). Importing prints
nothing and imports neither Keras nor matplotlib.
"""

from .dataset import DATASETS, DIGITS, LETTERS, SPLITS, DataError, Dataset, combine
from .files import data_dir
from .loader import load_dataset, load_sample
from .glyphs import FAMILIES, GLYPH_FONTS, make_glyphs
from .noise import add_gaussian_noise, add_mask, add_salt_and_pepper

__all__ = [
    "Dataset",
    "combine",
    "DataError",
    "load_dataset",
    "load_sample",
    "make_glyphs",
    "data_dir",
    "add_gaussian_noise",
    "add_salt_and_pepper",
    "add_mask",
    "DATASETS",
    "SPLITS",
    "LETTERS",
    "DIGITS",
    "FAMILIES",
    "GLYPH_FONTS",
]
