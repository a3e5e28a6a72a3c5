"""Paragraphs of the Python reference documentation labelled by their topic (a14's text task).

CPython ships the text that ``help("if")`` prints as ``pydoc_data.topics.topics``, a dict from
topic name to plain text (card ``datasets/cards/python_doc_paragraphs.md``). A paragraph is a
block between blank lines with at least ``min_words`` words, whitespace collapsed, cut to its
first ``max_words`` words; its label is the index of its topic in ``topics``.
"""

import numpy as np

DEFAULT_TOPICS = ("debugger", "string-methods", "typesmapping", "import", "execmodel")


def load_doc_paragraphs(topics: tuple[str, ...] = DEFAULT_TOPICS, *, min_words: int = 12,
                        max_words: int = 40) -> tuple[list[str], np.ndarray]:
    """All paragraphs of ``topics`` (in order) and their labels (int64, index into topics).

    Raises KeyError for a topic this Python's ``pydoc_data`` does not have.
    """
    from pydoc_data.topics import topics as all_topics

    texts: list[str] = []
    labels: list[int] = []
    for label, name in enumerate(topics):
        for block in all_topics[name].split("\n\n"):
            words = block.split()
            if len(words) >= min_words:
                texts.append(" ".join(words[:max_words]))
                labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def few_label_split(labels: np.ndarray, k_train: int, n_test: int, *,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of k_train training and n_test test examples per class, disjoint, drawn with
    ``np.random.default_rng(seed)``; a class with fewer than k_train + n_test raises ValueError."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) < k_train + n_test:
            raise ValueError(f"class {c} has {len(idx)} examples, fewer than {k_train + n_test}")
        idx = rng.permutation(idx)
        train.append(idx[:k_train])
        test.append(idx[k_train:k_train + n_test])
    return np.concatenate(train), np.concatenate(test)
