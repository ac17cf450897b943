"""Profiles, seeds and the setup line every chapter prints."""
from __future__ import annotations

import os

import numpy as np
import pytest

from helpers import train


def test_bad_profile_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="ci, laptop, full"):
        train.get_profile()


def test_unset_profile_is_chosen_by_hardware(monkeypatch):
    monkeypatch.delenv("BOOK_PROFILE", raising=False)
    monkeypatch.setattr(train, "gpu_visible", lambda: False)
    assert train.get_profile().name == "laptop"
    monkeypatch.setattr(train, "gpu_visible", lambda: True)
    assert train.get_profile().name == "full"


def test_pick_returns_the_value_of_the_active_profile():
    assert train.PROFILES["ci"].pick(ci=1, laptop=2, full=3) == 1
    assert train.PROFILES["full"].pick(ci=1, laptop=2, full=3) == 3


def test_profiles_grow_from_ci_to_full():
    ci, laptop, full = (train.PROFILES[n] for n in ("ci", "laptop", "full"))
    assert ci.n_train < laptop.n_train < full.n_train
    assert ci.epochs < laptop.epochs < full.epochs


@pytest.mark.parametrize("value", ["abc", "-3", "1.5"])
def test_bad_seed_says_what_is_expected(monkeypatch, value):
    monkeypatch.setenv("BOOK_SEED", value)
    with pytest.raises(ValueError, match="BOOK_SEED"):
        train.get_seed()


def test_start_prints_profile_backend_device_and_seed(monkeypatch, capsys):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "7")
    run = train.start("test")
    out = capsys.readouterr().out
    assert run.profile.name == "ci" and run.seed == 7
    for word in ("Profile: ci", "Keras backend:", "device:", "seed: 7"):
        assert word in out


def test_same_seed_gives_same_random_numbers(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "3")
    train.start("a")
    first = np.random.rand(5)
    train.start("b")
    assert np.array_equal(first, np.random.rand(5))


def test_unattended_fit_prints_a_few_epoch_lines_not_a_progress_bar(monkeypatch, capsys):
    import keras

    monkeypatch.setenv("BOOK_BUILD", "1")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    history = train.fit(model, x, x[:, :1], epochs=40, batch_size=8)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("epoch")]
    assert len(history.history["loss"]) == 40
    assert 2 <= len(lines) <= train.LOG_LINES + 1
    assert lines[0].startswith("epoch  1/40: loss") and lines[-1].startswith("epoch 40/40")


def test_fit_refuses_zero_epochs():
    with pytest.raises(ValueError, match="at least 1"):
        train.fit(None, None, epochs=0)


def test_start_up_notes_are_hidden_and_other_stderr_lines_are_kept(capfd):
    import os

    with train.quiet_start_up():
        os.write(2, b"I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on. You may see\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"something is really wrong\n")
    err = capfd.readouterr().err
    assert "oneDNN" not in err and "absl::InitializeLog" not in err
    assert "something is really wrong" in err


def test_device_name_says_cpu_with_cores_when_no_gpu(monkeypatch):
    monkeypatch.setattr(train, "_accelerator_name", lambda: None)
    assert train.device_name().startswith("CPU (")
    monkeypatch.setattr(train, "_accelerator_name", lambda: "GPU (Tesla T4)")
    assert train.device_name() == "GPU (Tesla T4)" and train.gpu_visible()


# --- naming the device on every backend: each backend's module is a stand-in -----------
def _module(monkeypatch, name, **attributes):
    """Put a stand-in module called ``name`` in sys.modules (submodules as dotted names)."""
    import sys
    import types

    module = types.SimpleNamespace(**attributes)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def _backend(monkeypatch, backend):
    import keras

    monkeypatch.setattr(keras.backend, "backend", lambda: backend)


def _tensorflow(monkeypatch, gpus, details):
    import types

    experimental = types.SimpleNamespace(get_device_details=lambda gpu: details)
    config = types.SimpleNamespace(
        list_physical_devices=lambda kind: gpus if kind == "GPU" else [],
        experimental=experimental,
    )
    _module(monkeypatch, "tensorflow", config=config)


def test_tensorflow_gpu_is_named_by_its_model_not_a_bare_gpu(monkeypatch):
    import types

    _backend(monkeypatch, "tensorflow")
    gpu = types.SimpleNamespace(name="/physical_device:GPU:0")
    _tensorflow(monkeypatch, [gpu], {"device_name": "Tesla T4", "compute_capability": (7, 5)})
    assert train.device_name() == "GPU (Tesla T4)"
    _tensorflow(monkeypatch, [gpu, gpu], {"device_name": "NVIDIA A100-SXM4-40GB"})
    assert train.device_name() == "GPU (2 × NVIDIA A100-SXM4-40GB)"
    monkeypatch.setattr(train.platform, "system", lambda: "Darwin")
    _tensorflow(monkeypatch, [gpu], {})  # tensorflow-metal gives no details
    assert train.device_name() == "GPU (Apple Metal)"
    _tensorflow(monkeypatch, [], {})
    assert train.device_name().startswith("CPU (") and not train.gpu_visible()


def _jax(monkeypatch, platform, kind, count=1):
    import types

    device = types.SimpleNamespace(platform=platform, device_kind=kind)
    _module(monkeypatch, "jax", devices=lambda: [device] * count)


def test_jax_device_is_named_by_its_kind(monkeypatch):
    _backend(monkeypatch, "jax")
    _jax(monkeypatch, "gpu", "NVIDIA H100 80GB HBM3")
    assert train.device_name() == "GPU (NVIDIA H100 80GB HBM3)"
    _jax(monkeypatch, "tpu", "TPU v5 lite", count=8)
    assert train.device_name() == "TPU (8 × TPU v5 lite)"
    _jax(monkeypatch, "METAL", "Apple M2")
    assert train.device_name() == "METAL (Apple M2)"
    _jax(monkeypatch, "cpu", "cpu")
    assert train.device_name().startswith("CPU (") and not train.gpu_visible()


def _torch(monkeypatch, cuda=(), mps=False):
    import types

    cuda_module = types.SimpleNamespace(
        is_available=lambda: bool(cuda),
        device_count=lambda: len(cuda),
        get_device_name=lambda index=0: cuda[index],
    )
    backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: mps))
    _module(monkeypatch, "torch", cuda=cuda_module, backends=backends)


def test_torch_names_cuda_gpus_and_recognises_apple_mps(monkeypatch):
    _backend(monkeypatch, "torch")
    _torch(monkeypatch, cuda=["NVIDIA GeForce RTX 4090"])
    assert train.device_name() == "GPU (NVIDIA GeForce RTX 4090)"
    _torch(monkeypatch, cuda=["Tesla T4", "Tesla T4"])
    assert train.device_name() == "GPU (2 × Tesla T4)"
    monkeypatch.setattr(train.platform, "machine", lambda: "arm64")
    _torch(monkeypatch, mps=True)
    assert train.device_name() == "GPU (Apple MPS, arm64)" and train.gpu_visible()
    _torch(monkeypatch)
    assert train.device_name() == "CPU ({} cores, arm64)".format(__import__("os").cpu_count())


def test_a_broken_accelerator_stack_counts_as_a_cpu(monkeypatch):
    _backend(monkeypatch, "jax")

    def broken():
        raise RuntimeError("Unable to initialize backend 'cuda'")

    _module(monkeypatch, "jax", devices=broken)
    assert train.device_name().startswith("CPU (")
    _backend(monkeypatch, "numpy")  # a backend with no accelerator to ask
    assert train.device_name().startswith("CPU (")


def test_smoke_fit_makes_two_updates_per_epoch(monkeypatch):
    import keras

    monkeypatch.setenv("BOOK_SMOKE", "1")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    history = train.fit(model, np.zeros((1000, 4)), np.zeros((1000, 2)), epochs=2, batch_size=10,
                        verbose=0)
    assert model.optimizer.iterations.numpy() == 2 * train.SMOKE_STEPS
    assert len(history.history["loss"]) == 2


def test_smoke_fit_on_fewer_batches_than_updates_keeps_every_epoch_quietly(monkeypatch, capfd):
    """Data of 3 batches, 5 epochs, validation of 1 batch: with ``steps_per_epoch`` Keras would
    run out of data after the second epoch and warn on stderr."""
    import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.shuffles = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return np.full((8, 4), index, "float32"), np.zeros((8, 2), "float32")

        def on_epoch_end(self):
            self.shuffles += 1

    monkeypatch.setenv("BOOK_SMOKE", "1")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    data = Batches()
    validation = (np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"))
    history = train.fit(model, data, epochs=5, validation_data=validation, verbose=0)
    assert model.optimizer.iterations.numpy() == 5 * train.SMOKE_STEPS
    assert len(history.history["val_loss"]) == 5
    assert data.shuffles >= 4  # the chapter's shuffling still happens between epochs
    assert "ran out of data" not in capfd.readouterr().err


def test_the_native_stderr_filter_keeps_real_lines_for_the_whole_session(tmp_path):
    """In a fresh process: notes written after start-up are dropped, other lines pass."""
    import subprocess
    import sys

    script = (
        "import os, time\n"
        "from helpers import train\n"
        "train.filter_native_stderr()\n"
        "os.write(2, b'E0000 00:00:1.0 1 util.cc:131] oneDNN supports DT_INT32 only on platforms"
        " with AVX-512. Falling back\\n')\n"
        "os.write(2, b'a real problem\\n')\n"
        "time.sleep(0.5)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert "a real problem" in result.stderr
    assert "oneDNN" not in result.stderr


def test_the_updates_log_is_written_where_no_folder_exists_yet(monkeypatch, tmp_path):
    import json

    log = tmp_path / "fresh" / "_build" / "updates.jsonl"
    monkeypatch.setenv("BOOK_UPDATES_LOG", str(log))
    train._log_updates(np.zeros((300, 4)), epochs=3, batch_size=128, steps_per_epoch=None)
    assert json.loads(log.read_text()) == {"chapter": train._chapter["name"], "run": os.getpid(),
                                           "epochs": 3, "updates_per_epoch": 3, "batch_size": 128}
