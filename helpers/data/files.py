"""The book's data files: finding, downloading (with pooch), checking and caching the
notMNIST and MNIST files that :mod:`helpers.data.loader` reads.

Where the files live: ``$BOOK_DATA_DIR`` if set, else
``~/.cache/autoencoders-hands-on``, laid out as
``<dir>/notmnist/t10k-images-idx3-ubyte.gz`` etc. A data directory that cannot be
written is only read; a missing file is then downloaded into the user cache. Set
``BOOK_OFFLINE=1`` to never touch the network.

Importing this module prints nothing and imports neither Keras nor matplotlib.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from pathlib import Path

import numpy as np

from .. import config
from .dataset import DataError

# --------------------------------------------------------------------------------------
# Constants (module-level so that tests can point them at a loopback server / temp dirs)
# --------------------------------------------------------------------------------------
DATA_DIR_VARIABLE = "BOOK_DATA_DIR"
OFFLINE_VARIABLE = "BOOK_OFFLINE"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "autoencoders-hands-on"
# where keras.datasets.mnist keeps mnist.npz
KERAS_CACHE_DIR = Path.home() / ".keras" / "datasets"

NOTMNIST_BASE_URL = (
    "https://raw.githubusercontent.com/davidflanagan/notMNIST-to-MNIST/master/"
)
MNIST_NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
DOWNLOAD_TIMEOUT = 5.0  # seconds to connect and between bytes: fail fast when offline

NOTMNIST_IMAGES = "notmnist/t10k-images-idx3-ubyte.gz"
NOTMNIST_LABELS = "notmnist/t10k-labels-idx1-ubyte.gz"
MNIST_IMAGES = "mnist/t10k-images-idx3-ubyte.gz"
MNIST_LABELS = "mnist/t10k-labels-idx1-ubyte.gz"
MNIST_NPZ = "mnist/mnist.npz"

#: SHA-256 of every file the loader reads, by path relative to the data directory.
FILE_SHA256 = {
    NOTMNIST_IMAGES: "70ae9e06201f2827e5b0a3781a3169d735dd2efc69996b9eeaee7f10ed4044d7",
    NOTMNIST_LABELS: "1fa03836e01c862542f8eb83463bb951bebec6fcb3efa28dad748c6b38a9021b",
    MNIST_IMAGES: "167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",
    MNIST_LABELS: "fc607395669ec21321ea83e4b82c0544b7e8e63ff5b34337c06bc0a17cc0da3c",
    MNIST_NPZ: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}


def read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


def notice(message: str) -> None:
    """The one line a reader sees when a fallback is used."""
    print(f"Note: {message}", flush=True)


# --------------------------------------------------------------------------------------
# Where the files are
# --------------------------------------------------------------------------------------
def data_dir() -> Path:
    """The data directory: ``$BOOK_DATA_DIR`` if set, else
    ``~/.cache/autoencoders-hands-on``."""
    value = config.get(DATA_DIR_VARIABLE)
    return Path(value).expanduser() if value else Path(DEFAULT_CACHE_DIR)


def _search_dirs() -> list[Path]:
    dirs = [data_dir(), Path(DEFAULT_CACHE_DIR)]
    return list(dict.fromkeys(dirs))


def _offline() -> bool:
    return config.switched_on(OFFLINE_VARIABLE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _writable_dir(directory: Path) -> bool:
    """Whether ``directory`` exists (or can be made) and may be written.

    A folder whose permission bits forbid writing counts as read-only even for root (who
    ``os.access`` would let write anywhere): a shared data folder is never written into.
    """
    existing = directory
    while not existing.exists():
        if existing.parent == existing:
            return False
        existing = existing.parent
    if (
        not existing.is_dir()
        or not os.stat(existing).st_mode & 0o222
        or not os.access(existing, os.W_OK | os.X_OK)
    ):
        return False
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return bool(os.stat(directory).st_mode & 0o222) and os.access(
        directory, os.W_OK | os.X_OK
    )


def _download_dir(relative: str) -> Path:
    """Where a missing file is downloaded: the data dir if writable, else the user
    cache."""
    for base in _search_dirs():
        target = (base / relative).parent
        if _writable_dir(target):
            return target
    raise DataError(
        f"no writable place to download {relative}: "
        f"neither {data_dir()} nor {DEFAULT_CACHE_DIR} can be written"
    )


# --------------------------------------------------------------------------------------
# Parsing and checking files
# --------------------------------------------------------------------------------------
def _parse_idx(raw: bytes, *, ndim: int, what: str) -> np.ndarray:
    """An IDX array of unsigned bytes (magic 0x0000 08 ``ndim``), with sizes checked."""
    if len(raw) < 4 + 4 * ndim:
        raise DataError(f"{what}: {len(raw)} bytes is too short for an IDX header")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] != ndim:
        raise DataError(
            f"{what}: not an IDX file of unsigned bytes with {ndim} dimension(s) "
            f"(magic {raw[:4].hex()}, expected 000008{ndim:02x})"
        )
    shape = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = 4 + 4 * ndim + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(
            f"{what}: IDX header says shape {shape} ({expected} bytes) "
            f"but the file holds {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_idx_gz(path: Path, *, ndim: int, what: str | None = None) -> np.ndarray:
    what = what or path.name
    if path.read_bytes()[:1] == b"<":
        raise DataError(f"{what}: got an HTML/XML page instead of gzip data")
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{what}: not a complete gzip file ({error})") from None
    return _parse_idx(raw, ndim=ndim, what=what)


def check_idx_images(array: np.ndarray, what: str) -> np.ndarray:
    if array.ndim != 3 or array.shape[1:] != (28, 28) or len(array) == 0:
        raise DataError(
            f"{what}: expected images of shape (N, 28, 28), got {array.shape}"
        )
    return array


def _validate_file(relative: str, path: Path, what: str) -> None:
    """Raise DataError unless ``path`` is a complete, readable file of kind
    ``relative``."""
    if relative.endswith(".npz"):
        read_mnist_npz(path, what)
    else:
        array = read_idx_gz(path, ndim=3 if "images" in relative else 1, what=what)
        if "images" in relative:
            check_idx_images(array, what)


def read_mnist_npz(path: Path, what: str | None = None):
    what = what or path.name
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {
                key: np.asarray(npz[key])
                for key in ("x_train", "y_train", "x_test", "y_test")
            }
    except Exception as error:  # zipfile/KeyError/ValueError: any unreadable npz
        raise DataError(
            f"{what}: not a readable mnist.npz ({type(error).__name__}: {error})"
        ) from None
    if arrays["x_train"].shape != (60_000, 28, 28) or arrays["x_test"].shape != (
        10_000,
        28,
        28,
    ):
        raise DataError(
            f"{what}: unexpected shapes {arrays['x_train'].shape}, "
            f"{arrays['x_test'].shape}"
        )
    return arrays


# --------------------------------------------------------------------------------------
# Finding and downloading files
# --------------------------------------------------------------------------------------
def _find_cached(
    relative: str, extra: tuple[Path, ...] = ()
) -> tuple[Path | None, list[str]]:
    """A copy of ``relative`` whose SHA-256 matches, and what was wrong with the
    others."""
    problems = []
    candidates = [base / relative for base in _search_dirs()] + list(extra)
    for path in dict.fromkeys(candidates):
        if not path.is_file():
            continue
        digest = _sha256(path)
        if digest == FILE_SHA256[relative]:
            return path, problems
        problems.append(
            f"{path} has the wrong checksum (sha256 {digest[:12]}...), ignored"
        )
    return None, problems


def _download(url: str, relative: str) -> Path:
    """Download ``url`` as ``relative`` in a writable data dir, or raise DataError.

    pooch (already on Colab's stack) streams the bytes to a temporary file beside the
    target and moves it into place only when its SHA-256 matches, so an interrupted or
    bad download never leaves a file in the cache. The book adds what pooch does not
    check: an HTML page sent instead of data, and the gzip stream and IDX header (or
    the npz contents) of what arrived; and it says in one line what went wrong.
    """
    if _offline():
        raise DataError(f"{OFFLINE_VARIABLE} is set, so no download was tried")
    import pooch  # here: importing helpers.data stays light
    import requests

    target_dir = _download_dir(relative)
    over_http = pooch.HTTPDownloader(
        progressbar=False,
        timeout=DOWNLOAD_TIMEOUT,
        headers={"User-Agent": "autoencoders-hands-on"},
    )

    def download_and_check(url, output_file, pooch_instance):
        try:
            over_http(url, output_file, pooch_instance)
        except requests.exceptions.ChunkedEncodingError:
            received = Path(output_file).stat().st_size
            raise DataError(
                f"download of {url} stopped after {received} bytes "
                "(connection closed early)"
            ) from None
        with open(output_file, "rb") as handle:
            if handle.read(1) == b"<":
                raise DataError(
                    f"{url} sent an HTML page instead of data (sha256 mismatch)"
                )
        _validate_file(relative, Path(output_file), f"download of {url}")

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # pooch's "Downloading ..." would be a red stderr box
    try:
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{FILE_SHA256[relative]}",
            fname=Path(relative).name,
            path=target_dir,
            downloader=download_and_check,
        )
    except requests.exceptions.HTTPError as error:
        response = error.response
        raise DataError(
            f"{url} answered HTTP {response.status_code} {response.reason}"
        ) from None
    except requests.exceptions.Timeout:
        raise DataError(
            f"{url} did not answer within {DOWNLOAD_TIMEOUT:g} s"
        ) from None
    except requests.exceptions.ConnectionError as error:
        # the operating system's reason ("[Errno -2] Name or service not known"), not
        # requests' nested repr of its retries
        found = re.search(r"\[Errno [^\]]*\][^)'\"]*", str(error))
        reason = found.group(0).strip() if found else type(error).__name__
        raise DataError(f"cannot reach {url} ({reason})") from None
    except requests.exceptions.RequestException as error:
        raise DataError(
            f"download of {url} failed ({type(error).__name__}: {error})"
        ) from None
    except ValueError:  # pooch's hash check
        raise DataError(
            f"{url}: checksum mismatch (not the file pinned as sha256 "
            f"{FILE_SHA256[relative][:12]}...)"
        ) from None
    finally:
        logger.setLevel(level)
    return Path(path)


def fetch(
    relative: str, url: str | None, extra: tuple[Path, ...] = ()
) -> tuple[Path, str]:
    """A checked local copy of ``relative`` and how it was obtained ("cache" /
    "downloaded")."""
    path, problems = _find_cached(relative, extra)
    if path is not None:
        return path, f"cache {path.parent}"
    if url is None:
        raise DataError("; ".join(problems) or f"{relative} is not in {data_dir()}")
    try:
        path = _download(url, relative)
    except DataError as error:
        raise DataError(
            "; ".join(problems + [f"{relative} not cached and {error}"])
        ) from None
    return path, f"downloaded to {path.parent}"
