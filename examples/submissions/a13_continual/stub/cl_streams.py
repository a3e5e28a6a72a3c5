"""Continual-learning benchmarks on scikit-learn's 8x8 digits, as streams of experiences.

An experience is a dict of tensors ``{"x_train": (N, 64) float32, "y_train": (N,) int64,
"x_test": (M, 64) float32, "y_test": (M,) int64, "classes": (C,) int64}``; a stream is a list of
experiences seen one after the other. The images and the train/test split are
``dnn.data.load_digits(seed=seed)`` (its validation split joins the training set).

- **Split digits** (class- and task-incremental): the ten classes, in the order
  ``numpy.random.default_rng(seed).permutation(10)``, are cut into ``n_experiences`` equal groups;
  experience t holds the images of group t only. Class-incremental: one 10-way head, no task label
  at test time. Task-incremental: the task's classes are known, so the logits outside them are
  masked (``mask_logits``).
- **Permuted digits** (domain-incremental): every experience holds all ten classes, its pixels
  reordered by a fixed permutation p_t of the 64 positions (x'[:, i] = x[:, p_t[i]]); p_0 is the
  identity and p_t = ``torch.randperm(64, generator=torch.Generator().manual_seed(seed + t))``
  for t >= 1.
"""

import numpy as np
import torch
from torch import Tensor

Experience = dict[str, Tensor]


def _digits(seed: int) -> dict[str, Tensor]:
    from dnn.data import load_digits  # here, not at the top: it imports scikit-learn (~1 s)

    data = load_digits(seed=seed)
    x_train = np.concatenate([data["train"].x, data["val"].x])
    y_train = np.concatenate([data["train"].y, data["val"].y])
    return {"x_train": torch.as_tensor(x_train, dtype=torch.float32),
            "y_train": torch.as_tensor(y_train, dtype=torch.int64),
            "x_test": torch.as_tensor(data["test"].x, dtype=torch.float32),
            "y_test": torch.as_tensor(data["test"].y, dtype=torch.int64)}


def split_digits(n_experiences: int = 5, *, seed: int = 0) -> list[Experience]:
    """The split-digits stream: experience t holds the classes order[t*k:(t+1)*k], k = 10 // n.

    Args:
        n_experiences: a divisor of 10 (1, 2, 5 or 10).
        seed: seeds the digits split and the class order (see the module docstring).

    Returns:
        ``n_experiences`` experiences; ``classes`` of experience t is order[t*k:(t+1)*k] in that
        order, and its train/test tensors are the digits whose label is in it (dataset order kept).

    Raises:
        ValueError: when n_experiences does not divide 10.
    """
    raise NotImplementedError('implement split_digits in cl_streams.py')


def permuted_digits(n_experiences: int = 3, *, seed: int = 0) -> list[Experience]:
    """The permuted-digits stream: experience t is every digit with its pixels permuted by p_t.

    Returns:
        ``n_experiences`` experiences, each with ``classes`` = arange(10) and an extra key
        ``"permutation"``: p_t, a (64,) int64 tensor (the identity for t = 0).
    """
    raise NotImplementedError('implement permuted_digits in cl_streams.py')


def mask_logits(logits: Tensor, classes: Tensor) -> Tensor:
    """Task-incremental masking: the logits of classes outside ``classes`` set to -inf.

    Args:
        logits: (B, C) scores (not modified). classes: (K,) int64 labels of the task.

    Returns:
        (B, C) logits equal to ``logits`` in the columns ``classes`` and -inf elsewhere.
    """
    raise NotImplementedError('implement mask_logits in cl_streams.py')
