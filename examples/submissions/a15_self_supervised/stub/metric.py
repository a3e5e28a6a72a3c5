"""Metric learning: pair and triplet losses, batch-all and batch-hard mining, recall@K.

Embeddings are rows of a (N, D) tensor ``emb`` with integer class labels ``labels`` (N,).
Distances are Euclidean, ``d(i, j) = ||emb_i - emb_j||_2`` (no normalisation: normalise the
embeddings yourself before calling if you want cosine geometry). A *positive* pair (i, j) has
``i != j`` and the same label; a *negative* pair has different labels. A valid triplet
(a, p, n) has (a, p) positive and (a, n) negative.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def pairwise_distances(x: Tensor, y: Tensor) -> Tensor:
    """Euclidean distances between the rows of ``x`` (N, D) and of ``y`` (M, D): (N, M).

    ``D[i, j] = sqrt(max(||x_i||^2 - 2 x_i . y_j + ||y_j||^2, 0))``, or any form equal to it;
    the result is differentiable wherever the distance is not 0. Dtype and device follow ``x``.
    Raises ``ValueError`` when ``x`` or ``y`` is not 2-D or their widths differ.
    """
    raise NotImplementedError('implement pairwise_distances in metric.py')


def pair_masks(labels: Tensor) -> tuple[Tensor, Tensor]:
    """Boolean (N, N) masks ``(positive, negative)`` of a label vector (N,).

    ``positive[i, j]`` is true when ``labels[i] == labels[j]`` and ``i != j`` (the diagonal is
    never a positive pair); ``negative[i, j]`` when ``labels[i] != labels[j]``.
    """
    raise NotImplementedError('implement pair_masks in metric.py')


def contrastive_loss(
    emb: Tensor, labels: Tensor, pos_margin: float = 0.0, neg_margin: float = 1.0
) -> Tensor:
    """The contrastive (pair) loss over all pairs of a batch, a scalar.

    ``L = mean_{(i,j) positive} relu(d_ij - m_pos) + mean_{(i,j) negative} relu(m_neg - d_ij)``

    Each mean is over all (ordered) pairs of its kind, zero terms included; a term whose set of
    pairs is empty contributes 0. ``emb`` (N, D), ``labels`` (N,).
    """
    raise NotImplementedError('implement contrastive_loss in metric.py')


def all_triplets(labels: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Batch-all mining: the index vectors ``(a, p, n)`` (int64, each (T,)) of every valid
    triplet of the batch, in any order. ``labels`` (N,). Empty tensors when there is none."""
    raise NotImplementedError('implement all_triplets in metric.py')


def triplet_loss_batch_all(emb: Tensor, labels: Tensor, margin: float = 0.2) -> Tensor:
    """Batch-all triplet loss: the mean of ``relu(d_ap - d_an + margin)`` over the *active*
    valid triplets (those with a positive loss), 0 when no triplet is active (a scalar).

    Averaging over the active triplets only (Hermans et al. 2017) keeps the loss from fading
    as most triplets become easy. ``emb`` (N, D), ``labels`` (N,).
    """
    raise NotImplementedError('implement triplet_loss_batch_all in metric.py')


def hard_triplets(emb: Tensor, labels: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Batch-hard mining: for every anchor ``a`` with at least one positive and one negative,
    its farthest positive ``p`` and its nearest negative ``n`` (by ``pairwise_distances``).

    Returns ``(a, p, n)`` int64 (A,) with the anchors in increasing order. Mining uses no
    gradient. ``emb`` (N, D), ``labels`` (N,).
    """
    raise NotImplementedError('implement hard_triplets in metric.py')


def triplet_loss_batch_hard(emb: Tensor, labels: Tensor, margin: float = 0.2) -> Tensor:
    """Batch-hard triplet loss: the mean over the mined anchors of
    ``relu(max_p d_ap - min_n d_an + margin)`` (a scalar; 0 when no anchor qualifies).

    Gradients flow through the distances of the mined triplets. ``emb`` (N, D), ``labels`` (N,).
    """
    raise NotImplementedError('implement triplet_loss_batch_hard in metric.py')


def recall_at_k(emb: Tensor, labels: Tensor, k: int = 1) -> float:
    """Leave-one-out retrieval recall@K: the fraction of queries ``i`` for which at least one of
    the ``k`` nearest *other* rows of ``emb`` (Euclidean; the query itself excluded) has the
    label ``labels[i]``. ``emb`` (N, D), ``labels`` (N,); ``1 <= k < N`` else ``ValueError``.
    """
    raise NotImplementedError('implement recall_at_k in metric.py')


class EmbeddingNet(nn.Module):
    """A 64 -> hidden -> dim MLP (ReLU) mapping a flattened 8x8 digit to an embedding."""

    def __init__(self, dim: int = 16, hidden: int = 64, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.net = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, dim))

    def forward(self, x: Tensor) -> Tensor:
        """(N, 64) -> (N, dim)."""
        return self.net(x)


def train_metric(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    epochs: int = 30,
    batch_size: int = 128,
    lr: float = 1e-2,
    margin: float = 0.2,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` in place with the batch-hard triplet loss and Adam(lr).

    Each epoch visits the N training rows once in a fresh random order (a ``torch.Generator``
    seeded with ``seed``, drawn once per epoch), in batches of ``batch_size`` (the last one
    possibly smaller). Returns the mean batch loss of each epoch (a list of ``epochs`` floats).
    ``x`` (N, 64) float, ``y`` (N,) int64, both on the model's device.
    """
    raise NotImplementedError('implement train_metric in metric.py')
