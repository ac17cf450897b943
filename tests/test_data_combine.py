"""combine (helpers.data.dataset): several data sets as one, the classes of each after
those of the sets before it."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.data import Dataset, combine
from helpers.data import dataset as dataset_module


def _dataset(n, class_names, fill, source, seed=0):
    rng = np.random.default_rng(seed)
    return Dataset(
        images=np.full((n, 28, 28, 1), fill, "float32"),
        labels=rng.integers(0, len(class_names), n).astype("int64"),
        class_names=list(class_names),
        attributes={"letter": np.arange(n)},
        source=source,
    )


LETTERS = _dataset(4, "ABC", 0.25, "glyphs", seed=1)
DIGITS = _dataset(3, "01", 0.75, "mnist", seed=2)


def test_combine_is_exported_from_helpers_data():
    import helpers.data

    assert combine is dataset_module.combine
    assert "combine" in helpers.data.__all__


def test_labels_of_each_set_are_offset_by_the_class_counts_of_the_sets_before():
    both = combine(LETTERS, DIGITS)
    np.testing.assert_array_equal(both.labels[:4], LETTERS.labels)
    np.testing.assert_array_equal(both.labels[4:], DIGITS.labels + 3)
    assert both.labels.dtype == np.int64


def test_class_names_are_concatenated_and_labels_index_them():
    both = combine(LETTERS, DIGITS)
    assert both.class_names == ["A", "B", "C", "0", "1"]
    names = [both.class_names[i] for i in both.labels]
    assert names == ([LETTERS.class_names[i] for i in LETTERS.labels]
                     + [DIGITS.class_names[i] for i in DIGITS.labels])


def test_images_are_concatenated_in_the_order_given():
    both = combine(LETTERS, DIGITS)
    assert both.images.shape == (7, 28, 28, 1) and both.images.dtype == np.float32
    np.testing.assert_array_equal(both.images[:4], LETTERS.images)
    np.testing.assert_array_equal(both.images[4:], DIGITS.images)
    assert len(both) == 7
    swapped = combine(DIGITS, LETTERS)
    assert swapped.class_names == ["0", "1", "A", "B", "C"]
    np.testing.assert_array_equal(swapped.labels[3:], LETTERS.labels + 2)
    np.testing.assert_array_equal(swapped.images[:3], DIGITS.images)


def test_three_sets_offset_by_the_running_class_count():
    third = _dataset(2, "xyzw", 0.5, "other", seed=3)
    combined = combine(LETTERS, DIGITS, third)
    np.testing.assert_array_equal(combined.labels[7:], third.labels + 5)
    assert len(combined.class_names) == 9 and len(combined) == 9


def test_offset_counts_classes_even_when_a_set_uses_few_of_them():
    sparse = Dataset(images=np.zeros((2, 28, 28, 1), "float32"),
                     labels=np.array([0, 0]), class_names=list("ABCDE"), attributes={},
                     source="few")
    np.testing.assert_array_equal(combine(sparse, DIGITS).labels[2:], DIGITS.labels + 5)


def test_attributes_are_dropped_source_names_both_and_inputs_are_untouched():
    images, labels = LETTERS.images.copy(), LETTERS.labels.copy()
    both = combine(LETTERS, DIGITS)
    assert both.attributes == {}
    assert "glyphs" in both.source and "mnist" in both.source
    np.testing.assert_array_equal(LETTERS.images, images)
    np.testing.assert_array_equal(LETTERS.labels, labels)
    assert not np.shares_memory(both.images, LETTERS.images)
    assert both.images.flags.writeable and both.labels.flags.writeable


@pytest.mark.parametrize("arguments", [(), (LETTERS,)])
def test_fewer_than_two_datasets_raise_a_value_error(arguments):
    with pytest.raises(ValueError, match="two or more Dataset"):
        combine(*arguments)


@pytest.mark.parametrize("arguments", [
    (LETTERS, None),
    (LETTERS, {"images": DIGITS.images, "labels": DIGITS.labels}),
    ([LETTERS, DIGITS],),  # a list, not the sets themselves
    (LETTERS.images, DIGITS.images),
])
def test_arguments_that_are_not_datasets_raise_a_value_error(arguments):
    with pytest.raises(ValueError, match="two or more Dataset"):
        combine(*arguments)
