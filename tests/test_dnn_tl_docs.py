"""dnn.tl_docs: the labelled documentation paragraphs and their few-label split."""

import numpy as np
import pytest

from dnn.tl_docs import DEFAULT_TOPICS, few_label_split, load_doc_paragraphs


def test_paragraphs_and_labels():
    texts, labels = load_doc_paragraphs()
    assert len(texts) == len(labels) and labels.dtype == np.int64
    assert set(labels.tolist()) == set(range(len(DEFAULT_TOPICS)))
    assert np.bincount(labels).min() >= 25
    assert all(12 <= len(t.split()) <= 40 and "\n" not in t for t in texts)
    assert np.all(np.diff(labels) >= 0)  # topic by topic, in the order given


def test_missing_topic_raises():
    with pytest.raises(KeyError):
        load_doc_paragraphs(("no-such-topic",))


def test_few_label_split():
    _, labels = load_doc_paragraphs()
    train, test = few_label_split(labels, 4, 12, seed=3)
    assert not set(train) & set(test)
    assert np.bincount(labels[train]).tolist() == [4] * 5
    assert np.bincount(labels[test]).tolist() == [12] * 5
    again, _ = few_label_split(labels, 4, 12, seed=3)
    assert np.array_equal(train, again)
    other, _ = few_label_split(labels, 4, 12, seed=4)
    assert not np.array_equal(train, other)
    with pytest.raises(ValueError):
        few_label_split(labels, 20, 20)
