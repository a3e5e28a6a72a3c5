"""Metric learning (alternative submission, written from the handout)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def pairwise_distances(x: Tensor, y: Tensor) -> Tensor:
    """Euclidean distances (N, M) from the broadcast differences, zero-safe."""
    if x.ndim != 2 or y.ndim != 2:
        raise ValueError("inputs must be 2-D")
    if x.size(1) != y.size(1):
        raise ValueError("widths differ")
    diff = x.unsqueeze(1) - y.unsqueeze(0)
    sq = (diff * diff).sum(dim=2)
    zero = sq == 0
    return torch.sqrt(sq.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)


def pair_masks(labels: Tensor) -> tuple[Tensor, Tensor]:
    """(positive, negative) boolean masks."""
    n = labels.numel()
    eq = labels.view(n, 1).eq(labels.view(1, n))
    positive = eq.clone()
    positive[torch.arange(n), torch.arange(n)] = False
    return positive, eq.logical_not()


def contrastive_loss(emb: Tensor, labels: Tensor, pos_margin: float = 0.0,
                     neg_margin: float = 1.0) -> Tensor:
    """Mean positive hinge plus mean negative hinge."""
    d = pairwise_distances(emb, emb)
    positive, negative = pair_masks(labels)
    total = torch.zeros((), dtype=emb.dtype, device=emb.device)
    n_pos, n_neg = int(positive.sum()), int(negative.sum())
    if n_pos:
        total = total + torch.clamp(d - pos_margin, min=0).mul(positive).sum() / n_pos
    if n_neg:
        total = total + torch.clamp(neg_margin - d, min=0).mul(negative).sum() / n_neg
    return total


def all_triplets(labels: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Every valid triplet, by loops over anchors."""
    positive, negative = pair_masks(labels)
    a_list, p_list, n_list = [], [], []
    for a in range(labels.numel()):
        ps = positive[a].nonzero().flatten()
        ns = negative[a].nonzero().flatten()
        if len(ps) == 0 or len(ns) == 0:
            continue
        pp, nn_ = torch.meshgrid(ps, ns, indexing="ij")
        a_list.append(torch.full((pp.numel(),), a, dtype=torch.int64, device=labels.device))
        p_list.append(pp.reshape(-1))
        n_list.append(nn_.reshape(-1))
    if not a_list:
        empty = torch.zeros(0, dtype=torch.int64, device=labels.device)
        return empty, empty.clone(), empty.clone()
    return torch.cat(a_list), torch.cat(p_list), torch.cat(n_list)


def triplet_loss_batch_all(emb: Tensor, labels: Tensor, margin: float = 0.2) -> Tensor:
    """Mean of the positive triplet losses."""
    d = pairwise_distances(emb, emb)
    a, p, n = all_triplets(labels)
    per = torch.clamp(d[a, p] - d[a, n] + margin, min=0.0)
    count = (per > 0).sum()
    if count == 0:
        return torch.zeros((), dtype=emb.dtype, device=emb.device) + 0 * emb.sum()
    return per.sum() / count


def hard_triplets(emb: Tensor, labels: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Farthest positive and nearest negative per qualifying anchor."""
    d = pairwise_distances(emb.detach(), emb.detach())
    positive, negative = pair_masks(labels)
    big = d.max() + 1.0
    anchors = (positive.any(dim=1) & negative.any(dim=1)).nonzero().flatten()
    hp = (d * positive - (~positive) * big).max(dim=1).indices
    hn = (d + (~negative) * big * 2).min(dim=1).indices
    return anchors, hp[anchors], hn[anchors]


def triplet_loss_batch_hard(emb: Tensor, labels: Tensor, margin: float = 0.2) -> Tensor:
    """Batch-hard hinge averaged over anchors."""
    a, p, n = hard_triplets(emb, labels)
    if a.numel() == 0:
        return 0 * emb.sum()
    d = pairwise_distances(emb, emb)
    return torch.clamp(d[a, p] - d[a, n] + margin, min=0.0).mean()


def recall_at_k(emb: Tensor, labels: Tensor, k: int = 1) -> float:
    """Leave-one-out recall@K."""
    n = labels.numel()
    if k < 1 or k > n - 1:
        raise ValueError("k out of range")
    d = pairwise_distances(emb.detach(), emb.detach()).clone()
    d[torch.arange(n), torch.arange(n)] = float("inf")
    order = d.argsort(dim=1)[:, :k]
    hits = 0
    for i in range(n):
        if bool((labels[order[i]] == labels[i]).any()):
            hits += 1
    return hits / n


class EmbeddingNet(nn.Module):
    """A 64 -> hidden -> dim MLP (ReLU) mapping a flattened 8x8 digit to an embedding."""

    def __init__(self, dim: int = 16, hidden: int = 64, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.net = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, dim))

    def forward(self, x: Tensor) -> Tensor:
        """(N, 64) -> (N, dim)."""
        return self.net(x)


def train_metric(model: nn.Module, x: Tensor, y: Tensor, epochs: int = 30,
                 batch_size: int = 128, lr: float = 1e-2, margin: float = 0.2,
                 seed: int = 0) -> list[float]:
    """Batch-hard triplet training with Adam."""
    g = torch.Generator()
    g.manual_seed(seed)
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    out: list[float] = []
    n = y.shape[0]
    for _epoch in range(epochs):
        perm = torch.randperm(n, generator=g).to(x.device)
        losses = []
        for i in range(0, n, batch_size):
            b = perm[i:i + batch_size]
            optim.zero_grad()
            loss = triplet_loss_batch_hard(model(x[b]), y[b], margin)
            loss.backward()
            optim.step()
            losses.append(float(loss))
        out.append(sum(losses) / len(losses))
    return out
