"""Range-coding a learned code with per-channel tables (helpers.measure.entropy):
tables that sum to one with their tails folded in, lossless messages in whole bytes as
long as the cross-entropy says, clipping counted, and clear errors for bad input."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.measure.entropy import (
    channel_tables,
    code_symbols,
    decode_symbol_messages,
    support,
    symbol_messages,
)

LOW, S = -20, 41  # the integers −20 … 20


def laplace_tables(scales):
    """Discretised Laplace densities of the given scales over LOW … LOW + S − 1."""
    k = np.arange(LOW, LOW + S)
    p = np.exp(-np.abs(k)[None, :] / np.asarray(scales, float)[:, None])
    return p / p.sum(axis=1, keepdims=True)


def draws(tables, n, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(S, size=n, p=row) for row in tables], axis=1) + LOW


def test_messages_decode_back_to_their_symbols():
    tables = laplace_tables([0.5, 1, 2, 4])
    symbols = draws(tables, 30)
    messages = symbol_messages(symbols, LOW, tables)
    np.testing.assert_array_equal(decode_symbol_messages(messages, LOW, tables),
                                  symbols)


def test_a_realistic_code_costs_its_cross_entropy_plus_the_end_of_a_message():
    tables = laplace_tables(np.geomspace(0.3, 6, 32))  # 32 channels
    counts = code_symbols(draws(tables, 200), LOW, tables)
    assert counts["lossless"] and not counts["clipped"].any()
    ideal, payload = counts["ideal_bits"], counts["payload_bits"]
    assert 60 < ideal.mean() < 200, ideal.mean()
    extra = payload - ideal  # whole bytes: up to 8 bits, a lucky message ends early
    assert extra.min() > -8 and 0 < extra.mean() < 8, extra
    assert payload.mean() < 1.05 * ideal.mean() + 8
    np.testing.assert_array_equal(counts["coded_bits"] - payload, 8)  # one length byte


def test_symbols_outside_the_tables_are_clipped_and_counted():
    tables = laplace_tables([1, 1, 1])
    symbols = np.array([[0, 25, -30], [1, -1, 0]])
    counts = code_symbols(symbols, LOW, tables)
    assert counts["clipped"].tolist() == [2, 0] and counts["lossless"]
    decoded = decode_symbol_messages(symbol_messages(symbols, LOW, tables), LOW,
                                     tables)
    assert decoded.tolist() == [[0, 20, -20], [1, -1, 0]]


def test_a_transposed_table_codes_like_its_copy():
    """constriction reads a table's memory row by row whatever its strides: a
    Fortran-ordered table must be copied to C order before coding."""
    tables = laplace_tables([0.5, 3, 8])
    symbols = draws(tables, 5)
    fortran = np.asfortranarray(tables)
    assert symbol_messages(symbols, LOW, fortran) == symbol_messages(symbols, LOW,
                                                                     tables)


@pytest.mark.parametrize("change, message", [
    (lambda t: t * 1.01, "sum to 1"),
    (lambda t: np.where(t == t.max(), t + 0.1, t - 0.1 / (t.size - 1)), "negative"),
    (lambda t: np.where(t == t.max(), np.nan, t), "NaN"),
    (lambda t: t[:, :1], "at least two symbols"),
])
def test_bad_tables_say_what_was_expected(change, message):
    tables = laplace_tables([1, 2])
    with pytest.raises(ValueError, match=message):
        code_symbols(np.zeros((1, 2), int), LOW, change(tables))


@pytest.mark.parametrize("symbols, message", [
    (np.array([[0.0, np.nan]]), "NaN"),
    (np.zeros((1, 3), int), "must have 2 channels"),
    (np.array([[0.5, 1.0]]), "whole numbers"),
    (np.zeros(2, int), r"shape \(N, channels\)"),
])
def test_bad_symbols_say_what_was_expected(symbols, message):
    with pytest.raises(ValueError, match=message):
        code_symbols(symbols, LOW, laplace_tables([1, 2]))


# -- tables from a learned density ----------------------------------------------------


@pytest.fixture(scope="module")
def density():
    keras = pytest.importorskip("keras")
    from helpers.models.compression import FactorizedDensity

    keras.utils.set_random_seed(0)
    return FactorizedDensity(3, init_scale=2.0)


def _cumulative(density, x):
    from keras import ops

    grid = np.full((1, density.channels), x, np.float32)
    logits = ops.convert_to_numpy(density.logits_cumulative(grid))[0]
    return 1 / (1 + np.exp(-logits.astype(np.float64)))


def test_tables_fold_the_tails_into_the_end_symbols(density):
    low, tables = channel_tables(density, -3, 3)
    assert low == -3 and tables.shape == (3, 7)
    np.testing.assert_allclose(tables.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(tables[:, 0], _cumulative(density, -2.5), rtol=1e-5)
    np.testing.assert_allclose(tables[:, -1], 1 - _cumulative(density, 2.5),
                               rtol=1e-5)
    middle = _cumulative(density, 0.5) - _cumulative(density, -0.5)
    np.testing.assert_allclose(tables[:, 3], middle, rtol=1e-4)


def test_the_support_holds_the_training_symbols_and_the_density_tails(density):
    train = np.array([[-1, 0, 2], [3, 0, -4]])
    low, high = support(density, train, tail=1e-6)
    assert low <= -4 and high >= 3
    assert _cumulative(density, low - 0.5).max() <= 1e-6
    assert 1 - _cumulative(density, high + 0.5).min() <= 1e-6
    counts = code_symbols(train, *channel_tables(density, low, high))
    assert counts["lossless"] and not counts["clipped"].any()


def test_bad_supports_say_what_was_expected(density):
    with pytest.raises(ValueError, match="at least two symbols"):
        channel_tables(density, 2, 2)
    with pytest.raises(ValueError, match="whole numbers"):
        channel_tables(density, -1.5, 3)
    with pytest.raises(ValueError, match="must have 3 channels"):
        support(density, np.zeros((2, 4), int))
    with pytest.raises(ValueError, match="FactorizedDensity"):
        support(object(), np.zeros((2, 3), int))
