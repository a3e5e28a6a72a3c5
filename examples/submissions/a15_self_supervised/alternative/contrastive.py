"""Self-supervised learning on digits: NT-Xent, views, rotations, collapse checks (written from
the handout)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def nt_xent_loss(z1: Tensor, z2: Tensor, temperature: float = 0.5) -> Tensor:
    """NT-Xent of two (N, D) views."""
    if z1.ndim != 2 or z2.ndim != 2 or tuple(z1.shape) != tuple(z2.shape):
        raise ValueError("z1 and z2 must both be (N, D)")
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    z = torch.cat((z1, z2), 0)
    z = z / z.norm(dim=1, keepdim=True)
    n2 = z.shape[0]
    half = n2 // 2
    logits = torch.mm(z, z.t()) / temperature
    partner = torch.cat((torch.arange(half, n2), torch.arange(0, half))).to(z.device)
    positive = logits[torch.arange(n2, device=z.device), partner]
    self_mask = torch.eye(n2, device=z.device) > 0.5
    others = torch.where(self_mask, torch.full_like(logits, -math.inf), logits)
    return (torch.logsumexp(others, dim=1) - positive).sum() / n2


def shift_images(x: Tensor, shifts: Tensor) -> Tensor:
    """Whole-pixel translation with zero fill, by index arithmetic."""
    imgs = x.reshape(-1, 8, 8)
    grid = torch.arange(8)
    rows = []
    for k in range(imgs.shape[0]):
        dy, dx = int(shifts[k, 0]), int(shifts[k, 1])
        src_r, src_c = grid - dy, grid - dx
        ok = ((src_r >= 0) & (src_r < 8))[:, None] & ((src_c >= 0) & (src_c < 8))[None, :]
        picked = imgs[k][src_r.clamp(0, 7)][:, src_c.clamp(0, 7)]
        rows.append(picked * ok.to(picked.device, picked.dtype))
    return torch.stack(rows).reshape(x.shape)


def augment(x: Tensor, seed: int, max_shift: int = 1, noise: float = 0.1,
            drop: float = 0.2) -> Tensor:
    """Shift, drop pixels, add noise, clip."""
    g = torch.Generator()
    g.manual_seed(seed)
    count = x.shape[0]
    sh = torch.randint(low=-max_shift, high=max_shift + 1, size=(count, 2), generator=g)
    u = torch.rand(count, 64, generator=g, dtype=torch.float64)
    e = torch.randn(count, 64, generator=g, dtype=torch.float64)
    moved = shift_images(x, sh)
    moved = torch.where((u < drop).to(x.device), torch.zeros_like(moved), moved)
    return torch.minimum(torch.maximum(moved + noise * e.to(x), torch.zeros_like(moved)),
                         torch.ones_like(moved))


def two_views(x: Tensor, seed: int) -> tuple[Tensor, Tensor]:
    """Two views, seeds 2 seed and 2 seed + 1."""
    first = augment(x, seed * 2)
    second = augment(x, seed * 2 + 1)
    return first, second


def rotation_batch(x: Tensor) -> tuple[Tensor, Tensor]:
    """Quarter turns by flip and transpose (a counter-clockwise turn is flip columns then
    transpose)."""
    cur = x.reshape(-1, 8, 8)
    blocks, labels = [], []
    for k in range(4):
        blocks.append(cur.reshape(-1, 64))
        labels.append(torch.full((cur.shape[0],), k, dtype=torch.int64, device=x.device))
        cur = cur.flip(-1).transpose(-2, -1)
    return torch.cat(blocks, 0), torch.cat(labels, 0)


def embedding_std(z: Tensor) -> float:
    """Mean per-column population std of the row-normalised embeddings."""
    u = z / z.norm(dim=1, keepdim=True)
    dev = u - u.mean(dim=0)
    return float(dev.pow(2).mean(dim=0).sqrt().mean())


def effective_rank(z: Tensor) -> float:
    """exp of the entropy of the normalised singular values of the centred rows."""
    centred = z - z.mean(dim=0)
    sv = torch.linalg.svd(centred, full_matrices=False).S
    sv = sv[sv > 1e-9]
    if sv.numel() == 0:
        return 0.0
    p = sv / sv.sum()
    return math.exp(float(-(p * torch.log(p)).sum()))


class Encoder(nn.Module):
    """A 64 -> hidden -> dim ReLU MLP (the features), and a dim -> proj projection head used
    only by the contrastive loss (given)."""

    def __init__(self, dim: int = 16, hidden: int = 64, proj: int = 16, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.features = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(dim, proj))

    def forward(self, x: Tensor) -> Tensor:
        """(N, 64) -> features (N, dim)."""
        return self.features(x)

    def project(self, x: Tensor) -> Tensor:
        """(N, 64) -> projections (N, proj), the head applied to the features."""
        return self.head(self.features(x))


def train_simclr(model: Encoder, x: Tensor, epochs: int = 10, batch_size: int = 128,
                 lr: float = 1e-2, temperature: float = 0.5, seed: int = 0) -> list[float]:
    """SimCLR pretraining with Adam."""
    g = torch.Generator()
    g.manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    n = x.shape[0]
    out: list[float] = []
    step = 0
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g).to(x.device)
        batch_losses = []
        start = 0
        while start < n:
            xb = x[perm[start:start + batch_size]]
            a, b = two_views(xb, seed * 100003 + step)
            loss = nt_xent_loss(model.project(a), model.project(b), temperature)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            batch_losses.append(float(loss))
            step += 1
            start += batch_size
        out.append(sum(batch_losses) / len(batch_losses))
    return out


def train_rotation(model: Encoder, x: Tensor, epochs: int = 10, batch_size: int = 128,
                   lr: float = 1e-2, seed: int = 0) -> list[float]:
    """Rotation pretraining: the head's 4 outputs classify the quarter turns."""
    if x.ndim != 2 or x.size(-1) != 64 or x.size(0) < 1:
        raise ValueError("x must be a non-empty (N, 64) batch of images")
    if batch_size <= 0 or epochs < 0:
        raise ValueError("batch_size must be positive and epochs non-negative")
    mode = bool(model.training)
    with torch.no_grad():
        if model.head(model.features(x[0:1])).size(-1) != 4:
            raise ValueError("the head must output 4 rotation logits")
    g = torch.Generator()
    g.manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train(True)
    out: list[float] = []
    epoch = 0
    while epoch < epochs:
        perm = torch.randperm(x.shape[0], generator=g).to(x.device)
        batch_losses = []
        for chunk in perm.split(batch_size):
            rotated, target = rotation_batch(x[chunk])
            logp = F.log_softmax(model.head(model.features(rotated)), dim=-1)
            loss = F.nll_loss(logp, target)
            for p in model.parameters():
                p.grad = None
            loss.backward()
            optimiser.step()
            batch_losses.append(float(loss))
        out.append(sum(batch_losses) / len(batch_losses))
        epoch += 1
    model.train(mode)
    return out


def rotation_accuracy(model: Encoder, x: Tensor) -> float:
    """Fraction of correctly predicted quarter turns."""
    mode = bool(model.training)
    model.train(False)
    try:
        with torch.inference_mode():
            rotated, target = rotation_batch(x)
            hits = torch.argmax(model.project(rotated), dim=-1).eq(target).sum().item()
    finally:
        model.train(mode)
    return hits / target.numel()


def linear_probe(model: nn.Module, x: Tensor, y: Tensor, x_test: Tensor, y_test: Tensor,
                 steps: int = 200, lr: float = 0.1) -> float:
    """Logistic regression on standardised frozen features, zero start, full-batch Adam."""
    mode = bool(model.training)
    model.train(False)
    with torch.no_grad():
        train_feats = model(x).detach()
        test_feats = model(x_test).detach()
    model.train(mode)
    var, mean = torch.var_mean(train_feats, dim=0, correction=0)
    scale = var.sqrt() + 1e-8
    train_feats = (train_feats - mean) / scale
    test_feats = (test_feats - mean) / scale
    classes = int(y.max().item()) + 1
    clf = nn.Linear(train_feats.shape[1], classes).to(train_feats.device, train_feats.dtype)
    nn.init.zeros_(clf.weight)
    nn.init.zeros_(clf.bias)
    optimiser = torch.optim.Adam(clf.parameters(), lr=lr)
    for _ in range(steps):
        logp = F.log_softmax(clf(train_feats), dim=1)
        loss = F.nll_loss(logp, y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        pred = clf(test_feats).argmax(dim=1)
    return pred.eq(y_test).float().mean().item()
