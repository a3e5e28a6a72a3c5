"""Denoiser and training (alternative submission): a residual MLP with a time MLP."""

import torch
from forward_process import q_sample
from guidance import drop_labels
from parameterization import diffusion_loss
from torch import Tensor, nn

def timestep_embedding(t: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """[cos(t f), sin(t f)], f_k = P^(-k / (dim/2))."""
    if dim % 2 == 1:
        raise ValueError("odd dim")
    half = dim // 2
    freqs = torch.tensor([max_period ** (-k / half) for k in range(half)], device=t.device)
    ang = t.to(torch.float32).unsqueeze(1) * freqs
    return torch.cat((torch.cos(ang), torch.sin(ang)), dim=-1)

class Denoiser(nn.Module):
    """Residual MLP; time (and label) embeddings go through a small MLP and are added."""

    def __init__(self, dim: int = 2, hidden: int = 128, emb_dim: int = 32,
                 num_classes: int = 0) -> None:
        super().__init__()
        self.num_classes, self.emb_dim = num_classes, emb_dim
        self.inp = nn.Linear(dim, hidden)
        self.time = nn.Sequential(nn.Linear(emb_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        self.labels = nn.Embedding(num_classes + 1, hidden) if num_classes > 0 else None
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden)) for _ in range(2))
        self.out = nn.Sequential(nn.SiLU(), nn.Linear(hidden, dim))

    def forward(self, x: Tensor, t: Tensor, y: Tensor | None = None) -> Tensor:
        """x (B, dim), t (B,), y (B,) or None."""
        c = self.time(timestep_embedding(t, self.emb_dim).to(x.dtype))
        if self.labels is not None:
            if y is None:
                y = torch.full((x.shape[0],), self.num_classes, device=x.device, dtype=torch.long)
            c = c + self.labels(y)
        h = self.inp(x) + c
        for block in self.blocks:
            h = h + block(h)
        return self.out(h)

def train_denoiser(model: nn.Module, data: Tensor, alphas_bar: Tensor, *, steps: int = 2000,
                   batch_size: int = 256, lr: float = 2e-3, seed: int = 0,
                   prediction_type: str = "epsilon", labels: Tensor | None = None,
                   p_uncond: float = 0.1) -> list[float]:
    """Algorithm 1 with Adam and a linearly decaying learning rate."""
    g = torch.Generator(device=data.device)
    g.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    out: list[float] = []
    for i in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr * (1 - i / steps)
        noise = torch.randn((batch_size, *data.shape[1:]), generator=g, device=data.device,
                            dtype=data.dtype)
        t = torch.randint(len(alphas_bar), (batch_size,), generator=g, device=data.device)
        idx = torch.randint(len(data), (batch_size,), generator=g, device=data.device)
        x0 = data[idx]
        xt = q_sample(x0, t, noise, alphas_bar)
        if labels is not None:
            y = drop_labels(labels[idx], p_uncond, model.num_classes, seed + 7919 * (i + 1))
            pred = model(xt, t, y)
        else:
            pred = model(xt, t)
        loss = diffusion_loss(pred, x0, noise, t, alphas_bar, prediction_type)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        out.append(float(loss))
    return out
