"""Lipschitz networks for stability: spectral normalisation, Lipschitz bounds, AntisymmetricRNN.

A map f is L-Lipschitz when ||f(a) - f(b)|| <= L ||a - b|| for all a, b (2-norms). A linear map
x -> W x has constant sigma_max(W), the largest singular value; tanh and ReLU are 1-Lipschitz;
constants multiply under composition. Bounding them keeps outputs and gradients from exploding.

This version normalises by hand (a / max(||a||, eps)) with M^T u as a row-vector product, takes
sigma_max from ``torch.linalg.svdvals`` and multiplies the bound in log space, evaluates both
points of every pair in one batch, writes the antisymmetric cell as h W^T - h W - gamma h (no
matrix A, no identity), and pushes the whole tangent matrix dh_t/dh_0 forward through each step
with forward-mode autodiff (``torch.func.jvp`` under ``vmap``) instead of building each step's
Jacobian by reverse mode and multiplying.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import jvp, vmap


def spectral_norm_step(weight: Tensor, u: Tensor, v: Tensor, n_power_iterations: int = 1,
                       eps: float = 1e-12) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """One forward of torch.nn.utils.parametrizations.spectral_norm in training mode (dim=0).

    W is viewed as the matrix M = weight.flatten(1) of shape (m, n). Power iteration, repeated
    ``n_power_iterations`` times, from the stored unit vectors u (m,) and v (n,):

        u <- normalize(M v)        v <- normalize(M^T u)        normalize(a) = a / max(||a||, eps)

    then sigma = u^T M v (u and v treated as constants: no gradient flows through them) and the
    normalised weight is W / sigma, which has spectral norm about 1.

    Returns:
        (weight / sigma with the shape of weight, the new u, the new v, sigma as a 0-d tensor).
    """
    rows = weight.shape[0]
    mat = weight.detach().reshape(rows, -1)

    def unit(a: Tensor) -> Tensor:
        return a / torch.linalg.vector_norm(a).clamp_min(eps)

    u, v = u.detach(), v.detach()
    for _ in range(n_power_iterations):
        u = unit(torch.mv(mat, v))
        v = unit(u @ mat)  # = M^T u
    # gradient flows through the weight only: u and v are constants
    sigma = torch.einsum("i,ij,j->", u, weight.reshape(rows, -1), v)
    return weight / sigma, u, v, sigma


def mlp(weights: list[Tensor], biases: list[Tensor], x: Tensor) -> Tensor:
    """f(x) = W_K tanh(... tanh(W_1 x + b_1) ...) + b_K for x (N, D_0); W_k is (D_k, D_{k-1})."""
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        x = x @ w.T + b
        if k < len(weights) - 1:
            x = torch.tanh(x)
    return x


def lipschitz_upper_bound(weights: list[Tensor]) -> float:
    """An upper bound on the Lipschitz constant of ``mlp(weights, ...)``: prod_k sigma_max(W_k).

    sigma_max is the exact largest singular value (the matrix 2-norm), not an estimate.
    """
    log_bound = sum(math.log(float(torch.linalg.svdvals(w.detach())[0])) for w in weights)
    return math.exp(log_bound)


def empirical_lipschitz(weights: list[Tensor], biases: list[Tensor], a: Tensor, b: Tensor
                        ) -> float:
    """The largest observed ratio max_i ||f(a_i) - f(b_i)|| / ||a_i - b_i|| (f = mlp), a lower
    bound on the Lipschitz constant.

    Args:
        a, b: (N, D_0) pairs of inputs, a_i != b_i.
    """
    n = a.shape[0]
    with torch.no_grad():
        out = mlp(weights, biases, torch.cat((a, b)))  # both points of every pair in one batch
        num = (out[:n] - out[n:]).square().sum(dim=1)
        den = (a - b).square().sum(dim=1)
        return float(torch.sqrt(num / den).max())


class AntisymmetricRNNCell(nn.Module):
    """AntisymmetricRNN (Chang et al., ICLR 2019): a forward-Euler step of a stable ODE.

        A = W - W^T - gamma I          (W - W^T is antisymmetric: purely imaginary eigenvalues)
        h' = h + eps * tanh(h A^T + x V^T + b)

    Parameters: ``weight`` W (H, H), ``weight_ih`` V (H, D), ``bias`` b (H,).
    """

    def __init__(self, input_size: int, hidden_size: int, eps: float = 0.1,
                 gamma: float = 0.01) -> None:
        super().__init__()
        self.hidden_size, self.eps, self.gamma = hidden_size, eps, gamma
        self.weight = nn.Parameter(torch.randn(hidden_size, hidden_size) / hidden_size**0.5)
        self.weight_ih = nn.Parameter(torch.randn(hidden_size, input_size) / input_size**0.5)
        self.bias = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        """x (B, D), h (B, H) or None (zeros) -> h' (B, H)."""
        drive = F.linear(x, self.weight_ih, self.bias)  # x V^T + b
        if h is None:
            return self.eps * torch.tanh(drive)  # h = 0
        # h A^T with A = W - W^T - gamma I is h W^T - h W - gamma h
        pre = F.linear(h, self.weight) - h @ self.weight - self.gamma * h + drive
        return h + self.eps * torch.tanh(pre)


def state_jacobian_norms(cell: nn.Module, x: Tensor, h0: Tensor) -> Tensor:
    """||dh_t / dh_0||_2 (largest singular value) for t = 1 .. T, for one sequence.

    ``cell(x_t, h) -> h'`` works on batches: call it with x[t].unsqueeze(0) (1, D) and h (1, H).
    By the chain rule dh_t/dh_0 = J_t J_{t-1} ... J_1 with J_s = dh_s/dh_{s-1} (H, H), the
    Jacobian of one step at the visited state (e.g. torch.autograd.functional.jacobian).

    Args:
        x: (T, D) one input sequence. h0: (H,) the initial state.

    Returns:
        (T,) tensor of spectral norms, detached.
    """
    h = h0.detach()
    # rows of `tangents` are the columns of P_t = dh_t/dh_0 (P_0 = I); P^T has P's singular values
    tangents = torch.eye(h.shape[0], dtype=h.dtype, device=h.device)
    norms = []
    for t in range(x.shape[0]):
        x_t = x[t].detach().unsqueeze(0)

        def step(state: Tensor, x_t: Tensor = x_t) -> Tensor:
            return cell(x_t, state.unsqueeze(0)).squeeze(0)

        def push(tangent: Tensor, step=step, h=h) -> Tensor:  # J_t tangent, forward mode
            return jvp(step, (h,), (tangent,))[1]

        tangents = vmap(push)(tangents).detach()
        with torch.no_grad():
            h = step(h)
        norms.append(torch.linalg.svdvals(tangents)[0])
    return torch.stack(norms)
