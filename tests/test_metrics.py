"""MSE, PSNR and SSIM: one definition for the whole book, and clear errors for bad input."""
import numpy as np
import pytest

from helpers import metrics


def images(seed=0, n=4):
    return np.random.default_rng(seed).random((n, 28, 28, 1)).astype(np.float32)


def test_psnr_of_a_known_error_is_ten_log_ten_of_one_over_mse():
    a = np.zeros((2, 28, 28, 1), np.float32)
    b = a + 0.1  # MSE 0.01 → 20 dB
    assert metrics.mse(a, b) == pytest.approx(0.01, rel=1e-5)
    assert metrics.psnr(a, b) == pytest.approx(20.0, abs=1e-4)


def test_psnr_is_the_mean_over_images_not_of_the_pooled_error():
    a = np.zeros((2, 28, 28), np.float32)
    b = a.copy()
    b[0] += 0.1   # 20 dB
    b[1] += 0.01  # 40 dB
    assert metrics.psnr(a, b) == pytest.approx(30.0, abs=1e-3)
    pooled = 10 * np.log10(1 / metrics.mse(a, b))
    assert pooled < 29  # the pooled figure would be dominated by the worse image


def test_identical_images_get_the_capped_psnr_and_ssim_one():
    x = images()
    assert metrics.psnr(x, x) == metrics.PSNR_CAP_DB
    assert metrics.ssim(x, x) == pytest.approx(1.0)


def test_ssim_falls_with_noise():
    x = images()
    noisy = np.clip(x + np.random.default_rng(1).normal(0, 0.3, x.shape), 0, 1).astype(np.float32)
    assert metrics.ssim(x, noisy) < 0.9


@pytest.mark.parametrize("bad, message", [
    (np.zeros((2, 28, 28, 1), np.uint8), "divide uint8 pixels by 255"),
    (np.full((2, 28, 28, 1), 2.0, np.float32), r"\[0, 1\]"),
    (np.full((2, 28, 28, 1), np.nan, np.float32), "NaN"),
    (np.zeros((28, 28), np.float32), "batch of shape"),
    (np.zeros((0, 28, 28), np.float32), "empty"),
])
def test_bad_images_get_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        metrics.psnr(bad, np.zeros((2, 28, 28, 1), np.float32))


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="same shape"):
        metrics.mse(images(n=2), images(n=3))
