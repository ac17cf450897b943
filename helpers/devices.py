"""Where a chapter computes: the accelerator the active Keras backend sees, by name.

Each backend is asked in its own terms (TensorFlow's physical devices, JAX's devices,
PyTorch's CUDA or MPS), and only the active one is imported, so a TensorFlow reader's
runtime never imports JAX to learn that it has no GPU.
"""

from __future__ import annotations

import os
import platform


def gpu_visible() -> bool:
    """True when the active Keras backend can see a GPU (asked without importing
    others)."""
    return _accelerator_name() is not None


def _count(name: str, how_many: int) -> str:
    return name if how_many == 1 else f"{how_many} × {name}"


def _tensorflow_accelerator() -> str | None:
    """TensorFlow's first GPU by its model name, e.g. "GPU (Tesla T4)"."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    details = tf.config.experimental.get_device_details(gpus[0]) or {}
    # Apple's tensorflow-metal plugin names no device: say which kind it is
    default = "Apple Metal" if platform.system() == "Darwin" else gpus[0].name
    return f"GPU ({_count(details.get('device_name') or default, len(gpus))})"


def _jax_accelerator() -> str | None:
    """JAX's default device unless it is the CPU, e.g. "GPU (NVIDIA H100 80GB HBM3)"."""
    import jax

    devices = jax.devices()
    device = devices[0]
    if device.platform == "cpu":
        return None
    gpu = device.platform in ("gpu", "cuda", "rocm")
    kind = "GPU" if gpu else device.platform.upper()
    return f"{kind} ({_count(device.device_kind, len(devices))})"


def _torch_accelerator() -> str | None:
    """PyTorch's CUDA (or ROCm) GPU by name, or Apple's MPS (Keras uses it if there)."""
    import torch

    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        return f"GPU ({_count(name, torch.cuda.device_count())})"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return f"GPU (Apple MPS, {platform.machine()})"
    return None


_ACCELERATORS = {
    "tensorflow": _tensorflow_accelerator,
    "jax": _jax_accelerator,
    "torch": _torch_accelerator,
}


def _accelerator_name() -> str | None:
    """The accelerator the active Keras backend computes on, named, or None on a CPU."""
    import keras

    ask = _ACCELERATORS.get(keras.backend.backend())
    if ask is None:  # the NumPy or OpenVINO backend: always the CPU
        return None
    try:
        return ask()
    except Exception:  # a broken accelerator stack must not stop a CPU run
        return None


def device_name() -> str:
    """A short, human description of where the computation runs: the accelerator's
    model name on every backend (``GPU (Tesla T4)``, ``GPU (Apple MPS, arm64)``), else
    the CPU with its cores."""
    return _accelerator_name() or f"CPU ({os.cpu_count()} cores, {platform.machine()})"
