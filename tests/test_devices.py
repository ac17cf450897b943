"""Naming the device a chapter computes on, on every backend (each backend's module is a
stand-in)."""
from __future__ import annotations

from helpers import devices


def test_device_name_says_cpu_with_cores_when_no_gpu(monkeypatch):
    monkeypatch.setattr(devices, "_accelerator_name", lambda: None)
    assert devices.device_name().startswith("CPU (")
    monkeypatch.setattr(devices, "_accelerator_name", lambda: "GPU (Tesla T4)")
    assert devices.device_name() == "GPU (Tesla T4)" and devices.gpu_visible()


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
    assert devices.device_name() == "GPU (Tesla T4)"
    _tensorflow(monkeypatch, [gpu, gpu], {"device_name": "NVIDIA A100-SXM4-40GB"})
    assert devices.device_name() == "GPU (2 × NVIDIA A100-SXM4-40GB)"
    monkeypatch.setattr(devices.platform, "system", lambda: "Darwin")
    _tensorflow(monkeypatch, [gpu], {})  # tensorflow-metal gives no details
    assert devices.device_name() == "GPU (Apple Metal)"
    _tensorflow(monkeypatch, [], {})
    assert devices.device_name().startswith("CPU (") and not devices.gpu_visible()


def _jax(monkeypatch, platform, kind, count=1):
    import types

    device = types.SimpleNamespace(platform=platform, device_kind=kind)
    _module(monkeypatch, "jax", devices=lambda: [device] * count)


def test_jax_device_is_named_by_its_kind(monkeypatch):
    _backend(monkeypatch, "jax")
    _jax(monkeypatch, "gpu", "NVIDIA H100 80GB HBM3")
    assert devices.device_name() == "GPU (NVIDIA H100 80GB HBM3)"
    _jax(monkeypatch, "tpu", "TPU v5 lite", count=8)
    assert devices.device_name() == "TPU (8 × TPU v5 lite)"
    _jax(monkeypatch, "METAL", "Apple M2")
    assert devices.device_name() == "METAL (Apple M2)"
    _jax(monkeypatch, "cpu", "cpu")
    assert devices.device_name().startswith("CPU (") and not devices.gpu_visible()


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
    assert devices.device_name() == "GPU (NVIDIA GeForce RTX 4090)"
    _torch(monkeypatch, cuda=["Tesla T4", "Tesla T4"])
    assert devices.device_name() == "GPU (2 × Tesla T4)"
    monkeypatch.setattr(devices.platform, "machine", lambda: "arm64")
    _torch(monkeypatch, mps=True)
    assert devices.device_name() == "GPU (Apple MPS, arm64)" and devices.gpu_visible()
    _torch(monkeypatch)
    assert devices.device_name() == "CPU ({} cores, arm64)".format(__import__("os").cpu_count())


def test_a_broken_accelerator_stack_counts_as_a_cpu(monkeypatch):
    _backend(monkeypatch, "jax")

    def broken():
        raise RuntimeError("Unable to initialize backend 'cuda'")

    _module(monkeypatch, "jax", devices=broken)
    assert devices.device_name().startswith("CPU (")
    _backend(monkeypatch, "numpy")  # a backend with no accelerator to ask
    assert devices.device_name().startswith("CPU (")
