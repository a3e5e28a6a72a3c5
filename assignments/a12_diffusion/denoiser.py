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
    raise NotImplementedError('implement timestep_embedding in denoiser.py')


class Denoiser(nn.Module):
    """MLP on [x, emb(t) (+ class embedding of y)] -> output of x's shape (B, dim).

    ``num_classes`` = K > 0 adds a learned embedding of K + 1 labels (label K = "no label");
    ``forward(x, t, y=None)`` with y None uses label K. With K = 0, y must be None.
    """

    def __init__(self, dim: int = 2, hidden: int = 128, emb_dim: int = 32,
                 num_classes: int = 0) -> None:
        super().__init__()
        raise NotImplementedError('implement Denoiser.__init__ in denoiser.py')

    def forward(self, x: Tensor, t: Tensor, y: Tensor | None = None) -> Tensor:
        """x (B, dim), t (B,) int64, y (B,) int64 or None -> (B, dim)."""
        raise NotImplementedError('implement Denoiser.forward in denoiser.py')


def train_denoiser(model: nn.Module, data: Tensor, alphas_bar: Tensor, *, steps: int = 2000,
                   batch_size: int = 256, lr: float = 2e-3, seed: int = 0,
                   prediction_type: str = "epsilon", labels: Tensor | None = None,
                   p_uncond: float = 0.1) -> list[float]:
    """Train ``model`` in place on data (N, dim) (labels (N,) int64 for a conditional model);
    return the ``steps`` losses. Draws from ``torch.Generator(device=data.device)`` seeded with
    ``seed``; the model is on data's device."""
    raise NotImplementedError('implement train_denoiser in denoiser.py')
