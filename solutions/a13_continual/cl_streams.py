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
    ### BEGIN SOLUTION
    if n_experiences < 1 or 10 % n_experiences:
        raise ValueError(f"n_experiences must divide 10, got {n_experiences}")
    data = _digits(seed)
    order = torch.as_tensor(np.random.default_rng(seed).permutation(10), dtype=torch.int64)
    k = 10 // n_experiences
    stream = []
    for t in range(n_experiences):
        classes = order[t * k:(t + 1) * k]
        train = torch.isin(data["y_train"], classes)
        test = torch.isin(data["y_test"], classes)
        stream.append({"x_train": data["x_train"][train], "y_train": data["y_train"][train],
                       "x_test": data["x_test"][test], "y_test": data["y_test"][test],
                       "classes": classes})
    return stream
    ### END SOLUTION


def permuted_digits(n_experiences: int = 3, *, seed: int = 0) -> list[Experience]:
    """The permuted-digits stream: experience t is every digit with its pixels permuted by p_t.

    Returns:
        ``n_experiences`` experiences, each with ``classes`` = arange(10) and an extra key
        ``"permutation"``: p_t, a (64,) int64 tensor (the identity for t = 0).
    """
    ### BEGIN SOLUTION
    data = _digits(seed)
    stream = []
    for t in range(n_experiences):
        perm = torch.arange(64) if t == 0 else torch.randperm(
            64, generator=torch.Generator().manual_seed(seed + t))
        stream.append({"x_train": data["x_train"][:, perm], "y_train": data["y_train"],
                       "x_test": data["x_test"][:, perm], "y_test": data["y_test"],
                       "classes": torch.arange(10), "permutation": perm})
    return stream
    ### END SOLUTION


def mask_logits(logits: Tensor, classes: Tensor) -> Tensor:
    """Task-incremental masking: the logits of classes outside ``classes`` set to -inf.

    Args:
        logits: (B, C) scores (not modified). classes: (K,) int64 labels of the task.

    Returns:
        (B, C) logits equal to ``logits`` in the columns ``classes`` and -inf elsewhere.
    """
    ### BEGIN SOLUTION
    keep = torch.zeros(logits.shape[-1], dtype=torch.bool, device=logits.device)
    keep[classes.to(logits.device)] = True
    return logits.masked_fill(~keep, float("-inf"))
    ### END SOLUTION
