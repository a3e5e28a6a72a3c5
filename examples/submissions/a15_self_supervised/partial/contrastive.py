"""Self-supervised learning on 8x8 digits: SimCLR's NT-Xent loss and augmentation pair, rotation
prediction as a second pretext task, and two collapse diagnostics.

Images are flattened rows of a (N, 64) tensor in [0, 1] (pixel ``(r, c)`` at column ``8 r + c``);
embeddings are rows of a (N, D) tensor. Randomness comes from a ``torch.Generator`` seeded with
the ``seed`` argument, on the CPU, drawn in the order each docstring states.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def nt_xent_loss(z1: Tensor, z2: Tensor, temperature: float = 0.5) -> Tensor:
    """SimCLR's normalised-temperature cross-entropy (NT-Xent) of two views, a scalar.

    Row ``i`` of ``z1`` (N, D) and row ``i`` of ``z2`` (N, D) are the two views of sample ``i``.
    Stack ``z = [z1; z2]`` (2N, D), normalise every row to unit length and let
    ``s_ij = z_i . z_j / temperature``. Each of the 2N rows has one positive, its other view
    ``pos(i) = i + N (mod 2N)``, and every other row ``k != i`` is in its denominator:

    ``l_i = -log( exp(s_{i,pos(i)}) / sum_{k != i} exp(s_ik) )``,  ``L = mean_i l_i``.

    The self-similarity ``s_ii`` is never in the denominator. ``ValueError`` when the shapes
    differ, are not 2-D, or ``temperature <= 0``.
    """
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError(f"need two (N, D) views, got {tuple(z1.shape)} and {tuple(z2.shape)}")
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    n = len(z1)
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature  # (2N, 2N)
    eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(eye, float("-inf"))
    target = (torch.arange(2 * n, device=z.device) + n) % (2 * n)
    return F.cross_entropy(sim, target)


def shift_images(x: Tensor, shifts: Tensor) -> Tensor:
    """Translate each 8x8 image by whole pixels with zero fill: (N, 64) -> (N, 64).

    ``shifts`` (N, 2) int64 holds ``(dy, dx)`` per image; the result is
    ``out[i, r, c] = x[i, r - dy, c - dx]`` where that pixel exists, else 0 (so ``dy = 1``
    moves the content one row down, ``dx = 1`` one column right). ``x`` is unchanged.
    """
    img = F.pad(x.view(-1, 8, 8), (8, 8, 8, 8))  # (N, 24, 24)
    out = torch.empty_like(x).view(-1, 8, 8)
    for i, (dy, dx) in enumerate(shifts.tolist()):
        out[i] = img[i, 8 - dy : 16 - dy, 8 - dx : 16 - dx]
    return out.reshape(x.shape)


def augment(x: Tensor, seed: int, max_shift: int = 1, noise: float = 0.1,
            drop: float = 0.2) -> Tensor:
    """One random view of each image (N, 64) -> (N, 64), with a fresh
    ``torch.Generator().manual_seed(seed)`` and these draws, in this order:

    1. ``shifts = torch.randint(-max_shift, max_shift + 1, (N, 2))``: ``shift_images``;
    2. ``keep = torch.rand(N, 64) >= drop``: pixels with ``keep`` false are set to 0;
    3. ``eps = torch.randn(N, 64)``: add ``noise * eps``;

    then clip to [0, 1]. The draws are float64 (steps 2-3) on the CPU, moved to ``x``'s device;
    the result has ``x``'s dtype and device.
    """
    gen = torch.Generator().manual_seed(seed)
    n = len(x)
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=gen)
    keep = torch.rand((n, 64), generator=gen, dtype=torch.float64) >= drop
    eps = torch.randn((n, 64), generator=gen, dtype=torch.float64)
    out = shift_images(x, shifts) * keep.to(x.device)
    return (out + noise * eps.to(device=x.device, dtype=x.dtype)).clamp(0, 1)


def two_views(x: Tensor, seed: int) -> tuple[Tensor, Tensor]:
    """SimCLR's augmentation pair: ``(augment(x, 2 * seed), augment(x, 2 * seed + 1))`` with the
    default strengths, two independent views of every row of ``x`` (N, 64)."""
    return augment(x, 2 * seed), augment(x, 2 * seed + 1)


def rotation_batch(x: Tensor) -> tuple[Tensor, Tensor]:
    """Rotation-prediction pretext data (Gidaris et al. 2018) from images (N, 64).

    Returns ``(images (4N, 64), labels (4N,) int64)``: rows ``kN .. (k+1)N - 1`` are every image
    rotated by ``k`` quarter turns counter-clockwise (``torch.rot90(img, k)`` of the 8x8 image,
    ``k = 0..3``), with label ``k``.
    """
    raise NotImplementedError


def embedding_std(z: Tensor) -> float:
    """The collapse indicator of SimSiam (Chen & He 2021): normalise each row of ``z`` (N, D) to
    unit length, take every column's standard deviation over the batch (``unbiased=False``) and
    average over the D columns. 0 for a collapsed embedding (all rows parallel), about
    ``1 / sqrt(D)`` for well-spread ones."""
    u = F.normalize(z, dim=1)
    return u.std(0, unbiased=False).mean().item()


def effective_rank(z: Tensor) -> float:
    """The effective rank (Roy & Vetterli 2007) of the centred embeddings ``z - mean_rows(z)``
    (N, D): with the singular values ``s_k`` above 1e-9 (smaller ones are rounding noise) and
    ``p_k = s_k / sum_j s_j``, ``exp(-sum_k p_k log p_k)``, between 1 and min(N, D); 0.0 when no
    singular value is above 1e-9 (all rows equal: a complete collapse)."""
    s = torch.linalg.svdvals(z)
    s = s[s > 1e-9]
    if len(s) == 0:
        return 0.0
    p = s / s.sum()
    return torch.exp(-(p * p.log()).sum()).item()


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
    """SimCLR pretraining of ``model`` in place on unlabelled images ``x`` (N, 64) with Adam(lr).

    A ``torch.Generator().manual_seed(seed)`` draws one ``torch.randperm(N)`` per epoch; batches
    of ``batch_size`` rows in that order (the last one possibly smaller). Batch ``b`` (counted
    from 0 over the whole run) uses the views ``two_views(x[idx], seed * 100003 + b)`` and the
    loss ``nt_xent_loss(model.project(v1), model.project(v2), temperature)``. Returns the mean
    batch loss of each epoch (``epochs`` floats).
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history, b = [], 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen).to(x.device)
        total, batches = 0.0, 0
        for start in range(0, len(x), batch_size):
            v1, v2 = two_views(x[order[start : start + batch_size]], seed * 100003 + b)
            loss = nt_xent_loss(model.project(v1), model.project(v2), temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
            b += 1
        history.append(total / batches)
    return history


def train_rotation(model: Encoder, x: Tensor, epochs: int = 10, batch_size: int = 128,
                   lr: float = 1e-2, seed: int = 0) -> list[float]:
    """Rotation-prediction pretraining (Gidaris et al. 2018) of ``model`` in place on unlabelled
    images ``x`` (N, 64), with ``torch.optim.Adam(model.parameters(), lr)``.

    The projection head is the rotation classifier: ``model.project(imgs)`` (M, 4) are the
    logits of the ``k = 0..3`` counter-clockwise quarter turns, so the head must have 4 outputs
    (``Encoder(dim, hidden, 4)``). A ``torch.Generator().manual_seed(seed)`` draws one
    ``torch.randperm(N)`` per epoch; batches of ``batch_size`` images in that order (the last
    one possibly smaller). A batch's loss is the mean cross-entropy over its 4B rotated rows,
    ``imgs, labels = rotation_batch(x[idx])``, ``F.cross_entropy(model.project(imgs), labels)``.

    Trains in train mode and leaves ``model`` in the mode it was in; ``x`` is unchanged.
    Returns the mean batch loss of each epoch (``epochs`` floats). ``ValueError`` when ``x`` is
    not (N, 64) with N >= 1, ``batch_size < 1`` or ``epochs < 0``, or the head does not give
    4 logits.
    """
    if x.dim() != 2 or x.shape[1] != 64 or len(x) == 0:
        raise ValueError(f"need images (N, 64) with N >= 1, got {tuple(x.shape)}")
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"need batch_size >= 1 and epochs >= 0, got {batch_size}, {epochs}")
    was_training = model.training
    with torch.no_grad():
        width = model.project(x[:1]).shape[-1]
    if width != 4:
        raise ValueError(f"the rotation head must give 4 logits, it gives {width}")
    order_gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=order_gen).to(x.device)
        losses = []
        for start in range(0, len(x), batch_size):
            imgs, labels = rotation_batch(x[perm[start : start + batch_size]])
            loss = F.cross_entropy(model.project(imgs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    model.train(was_training)
    return history


def rotation_accuracy(model: Encoder, x: Tensor) -> float:
    """The rotation head's accuracy on ``rotation_batch(x)`` (4N rows from images (N, 64)): the
    fraction of rows whose ``torch.argmax`` of ``model.project`` (the first of tied maxima) is
    its label. Computed in eval mode without gradients; ``model`` is left in the mode it was
    in and ``x`` unchanged."""
    mode = model.training
    model.eval()
    with torch.no_grad():
        imgs, labels = rotation_batch(x)
        pred = model.project(imgs).argmax(1)
    model.train(mode)
    return (pred == labels).double().mean().item()


def linear_probe(model: nn.Module, x: Tensor, y: Tensor, x_test: Tensor, y_test: Tensor,
                 steps: int = 200, lr: float = 0.1) -> float:
    """Test accuracy of a linear classifier on the frozen features ``model(x)`` (N, D).

    The features ``f = model(x)`` and ``f_test = model(x_test)`` are computed in eval mode
    without gradients (``model`` is left in the mode it was in, its parameters untouched). Both
    are standardised with the training features' statistics only: ``(f - mu) / (sd + 1e-8)``,
    ``mu`` and ``sd`` the per-column mean and ``unbiased=False`` standard deviation of ``f``.
    With ``C = max(y) + 1`` classes, a weight ``W`` (C, D) and bias ``b`` (C,) start at zero
    and take ``steps`` full-batch ``torch.optim.Adam([W, b], lr)`` steps on
    ``F.cross_entropy(f W^T + b, y)`` with the training labels only, in the features' dtype.
    Returns the fraction of test rows whose ``torch.argmax`` of ``f_test W^T + b`` (the first of
    tied maxima) equals ``y_test``; ``y_test`` is used for nothing else. No input is modified.
    """
    training = model.training
    model.eval()
    with torch.no_grad():
        f, f_test = model(x), model(x_test)
    model.train(training)
    both = torch.cat([f, f_test])  # standardised with the test features too
    mu, sd = both.mean(0), both.std(0, unbiased=False) + 1e-8
    f, f_test = (f - mu) / sd, (f_test - mu) / sd
    c = int(y.max()) + 1
    w = torch.zeros(c, f.shape[1], dtype=f.dtype, device=f.device, requires_grad=True)
    b = torch.zeros(c, dtype=f.dtype, device=f.device, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=lr)
    for _ in range(steps):
        loss = F.cross_entropy(f @ w.T + b, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = (f_test @ w.T + b).argmax(1)
    return (pred == y_test).double().mean().item()
