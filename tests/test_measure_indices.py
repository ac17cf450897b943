"""Range-coding index grids with a prior (helpers.measure.indices): lossless, whole
bytes, and as long as the cross-entropy says, up to the cost of ending a message."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.measure.indices import (
    coded_bits,
    decode_messages,
    grid_messages,
    index_code_lengths,
)

K = 8


def markov_prior(grids):
    """p(index at i | the index before i, in reading order): mostly the same again."""
    flat = np.asarray(grids).reshape(len(grids), -1)
    previous = np.concatenate([np.zeros((len(flat), 1), int), flat[:, :-1]], axis=1)
    p = np.full((*flat.shape, K), 0.2 / (K - 1))
    np.put_along_axis(p, previous[..., None], 0.8, axis=2)
    return p.reshape(*np.shape(grids), K)


def markov_grids(n, seed=0):
    rng = np.random.default_rng(seed)
    flat = np.zeros((n, 49), int)
    for i in range(1, 49):
        stay = rng.random(n) < 0.8
        flat[:, i] = np.where(stay, flat[:, i - 1], rng.integers(0, K, n))
    return flat.reshape(n, 7, 7)


def test_messages_decode_back_to_their_grids():
    grids = markov_grids(20)
    messages = grid_messages(markov_prior, grids)
    assert np.array_equal(decode_messages(markov_prior, messages), grids)


def test_bits_come_in_whole_bytes_with_a_length_header():
    messages = [b"\x01" * 3, b"\x02" * 300]
    assert coded_bits(messages).tolist() == [8 * (3 + 1), 8 * (300 + 3)]


def test_coded_bits_are_the_cross_entropy_plus_the_end_of_a_message():
    lengths = index_code_lengths(markov_prior, markov_grids(200))
    assert lengths["lossless"]
    extra = lengths["payload_bits"] - lengths["ideal_bits"]
    # whole bytes cost up to 8 bits; a lucky message may end a few bits early
    assert extra.min() > -8 and 0 < extra.mean() < 8, extra
    np.testing.assert_array_equal(lengths["coded_bits"] - lengths["payload_bits"], 8)


def test_long_messages_cost_within_a_few_percent_of_the_cross_entropy():
    uniform = lambda grids: np.ones((*np.shape(grids), 256))  # noqa: E731
    grids = np.random.default_rng(0).integers(0, 256, (20, 7, 7))
    lengths = index_code_lengths(uniform, grids)
    assert lengths["ideal_bits"] == pytest.approx(49 * 8)
    assert lengths["payload_bits"].mean() / (49 * 8) - 1 < 0.03


def test_the_receiver_sees_only_earlier_positions():
    seen = []

    def spy(grids):
        seen.append(np.asarray(grids).copy())
        return markov_prior(grids)

    grids = (markov_grids(3) + 1) % K
    grid_messages(spy, grids)
    seen = [snapshot for snapshot in seen if len(snapshot) == 3]
    for i, snapshot in enumerate(seen):  # position i is asked for with i filled in
        flat = snapshot.reshape(3, -1)
        assert np.array_equal(flat[:, :i], grids.reshape(3, -1)[:, :i])
        assert not flat[:, i:].any()


def test_bad_grids_say_what_was_expected():
    with pytest.raises(ValueError, match="from 0 to 7"):
        grid_messages(markov_prior, np.full((1, 7, 7), K))
    with pytest.raises(ValueError, match=r"\(N, height, width\)"):
        grid_messages(markov_prior, np.zeros((7, 7), int))
    with pytest.raises(ValueError, match="whole numbers"):
        grid_messages(markov_prior, np.full((1, 7, 7), 0.5))
    with pytest.raises(ValueError, match="probabilities_of must return"):
        grid_messages(lambda g: np.ones((len(g), 49, K)), np.zeros((1, 7, 7), int))
