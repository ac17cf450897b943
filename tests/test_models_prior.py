"""The PixelCNN prior over index grids (helpers.models.prior): it never sees the index
it predicts, it learns, it samples valid grids, and a range coder driven by it is
lossless."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.measure.indices import index_code_lengths  # noqa: E402
from helpers.models.prior import (  # noqa: E402
    MaskedConv2D,
    bits_per_grid,
    build_prior,
    sample_grids,
)

K = 6


def _striped(n, seed=0):
    """Grids whose rows repeat one random index: easy to predict after the first."""
    rng = np.random.default_rng(seed)
    return np.repeat(rng.integers(0, K, (n, 7, 1)), 7, axis=2)


def test_a_position_depends_only_on_earlier_positions():
    keras.utils.set_random_seed(0)
    prior = build_prior(K, filters=8, layers_b=2)
    grids = _striped(4)
    base = keras.ops.convert_to_numpy(prior(grids))
    for row, column in [(0, 0), (3, 4), (6, 6)]:
        changed = grids.copy()
        changed[:, row, column] = (changed[:, row, column] + 1) % K
        moved = np.abs(keras.ops.convert_to_numpy(prior(changed)) - base).max(-1)
        position = row * 7 + column
        flat = moved.reshape(4, -1)
        assert flat[:, :position + 1].max() == 0.0  # itself and everything before
        if position < 48:
            assert flat[:, position + 1:].max() > 0  # something after it notices


def test_training_lowers_the_bits_of_held_out_grids():
    keras.utils.set_random_seed(0)
    prior = build_prior(K, filters=16, layers_b=1, learning_rate=1e-2)
    held_out = _striped(50, seed=1)
    before = bits_per_grid(prior, held_out).mean()
    prior.fit(_striped(512), _striped(512), epochs=8, batch_size=32, verbose=0)
    after = bits_per_grid(prior, held_out).mean()
    assert after < 0.6 * before, (before, after)
    assert after > 0


def test_samples_are_grids_of_valid_indices():
    keras.utils.set_random_seed(0)
    grids = sample_grids(build_prior(K, filters=8, layers_b=1), 5, seed=3)
    assert grids.shape == (5, 7, 7) and grids.min() >= 0 and grids.max() < K
    with pytest.raises(ValueError, match="temperature"):
        sample_grids(build_prior(K, filters=8, layers_b=1), 2, temperature=0)


def test_a_range_coder_driven_by_the_prior_is_lossless_and_near_its_bits():
    keras.utils.set_random_seed(0)
    prior = build_prior(K, filters=8, layers_b=1)
    grids = _striped(30)
    lengths = index_code_lengths(prior.probabilities, grids)
    assert lengths["lossless"]
    np.testing.assert_allclose(lengths["ideal_bits"], bits_per_grid(prior, grids),
                               rtol=1e-4)
    assert (lengths["payload_bits"] - lengths["ideal_bits"]).mean() < 12


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="codebook_size"):
        build_prior(1)
    with pytest.raises(ValueError, match="from 0 to 5"):
        bits_per_grid(build_prior(K, filters=4, layers_b=0), np.full((1, 7, 7), K))
    with pytest.raises(ValueError, match="mask_type"):
        MaskedConv2D(4, 3, mask_type="C")
