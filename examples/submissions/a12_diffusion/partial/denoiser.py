"""A small time-conditioned (and optionally class-conditioned) MLP denoiser and its training.

Time enters through the sinusoidal embedding of the step (Vaswani et al. 2017; as diffusers'
``get_timestep_embedding`` with flip_sin_to_cos=True, downscale_freq_shift=0), for an even dim:

    f_k = exp(-ln(max_period) k / (dim / 2)),  k = 0 .. dim/2 - 1
    emb(t) = [cos(t f_0), ..., cos(t f_{dim/2-1}), sin(t f_0), ..., sin(t f_{dim/2-1})]

Training (Ho et al. 2020, algorithm 1) repeats: draw a batch x_0 of the data, steps t uniform in
0..T-1 and noise eps ~ N(0, I), form x_t = q_sample(x_0, t, eps) and take one Adam step on
diffusion_loss(model(x_t, t[, y]), ...), the learning rate decaying linearly from lr
towards 0 (step i of n uses lr (1 - i / n)). With labels, each batch's labels go through
drop_labels(y, p_uncond, model.num_classes, ...) first (classifier-free guidance).
"""

import torch
from forward_process import q_sample
from guidance import drop_labels
from parameterization import diffusion_loss
from torch import Tensor, nn


def timestep_embedding(t: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """(B, dim) float32 [cos(t f), sin(t f)] of the steps t (B,), on t's device.

    Raises:
        ValueError: when dim is odd.
    """
    if dim % 2:
        raise ValueError("the embedding dimension must be even")
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32, device=t.device)
    freqs = torch.exp(-torch.log(torch.tensor(max_period)) * k / half).to(t.device)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """MLP on [x, emb(t) (+ class embedding of y)] -> output of x's shape (B, dim).

    ``num_classes`` = K > 0 adds a learned embedding of K + 1 labels (label K = "no label");
    ``forward(x, t, y=None)`` with y None uses label K. With K = 0, y must be None.
    """

    def __init__(self, dim: int = 2, hidden: int = 128, emb_dim: int = 32,
                 num_classes: int = 0) -> None:
        super().__init__()
        self.num_classes, self.emb_dim = num_classes, emb_dim
        self.label_emb = nn.Embedding(num_classes + 1, emb_dim) if num_classes else None
        self.net = nn.Sequential(
            nn.Linear(dim + emb_dim, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, dim))

    def forward(self, x: Tensor, t: Tensor, y: Tensor | None = None) -> Tensor:
        """x (B, dim), t (B,) int64, y (B,) int64 or None -> (B, dim)."""
        emb = timestep_embedding(t, self.emb_dim).to(x.dtype)
        if self.label_emb is not None:
            if y is None:
                y = torch.full_like(t, self.num_classes, dtype=torch.long)
            emb = emb + self.label_emb(y.long())
        return self.net(torch.cat([x, emb], dim=1))


def train_denoiser(model: nn.Module, data: Tensor, alphas_bar: Tensor, *, steps: int = 2000,
                   batch_size: int = 256, lr: float = 2e-3, seed: int = 0,
                   prediction_type: str = "epsilon", labels: Tensor | None = None,
                   p_uncond: float = 0.1) -> list[float]:
    """Train ``model`` in place on data (N, dim) (labels (N,) int64 for a conditional model);
    return the ``steps`` losses. Draws from ``torch.Generator(device=data.device)`` seeded with
    ``seed``; the model is on data's device."""
    gen = torch.Generator(device=data.device).manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1 - i / steps)
    num_t, dev = len(alphas_bar), data.device
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(data), (batch_size,), generator=gen, device=dev)
        t = torch.randint(0, num_t, (batch_size,), generator=gen, device=dev)
        x0 = data[idx]
        noise = torch.randn(x0.shape, generator=gen, device=dev, dtype=x0.dtype)
        xt = q_sample(x0, t, noise, alphas_bar)
        if labels is None:
            out = model(xt, t)
        else:
            y = drop_labels(labels[idx], p_uncond, model.num_classes, seed=seed * 100003 + step)
            out = model(xt, t, y)
        loss = diffusion_loss(out, x0, noise, t, alphas_bar, prediction_type)
        opt.zero_grad()
        loss.backward()
        opt.step()
        decay.step()
        losses.append(loss.item())
    return losses
