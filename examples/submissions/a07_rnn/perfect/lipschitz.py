"""Lipschitz networks for stability: spectral normalisation, Lipschitz bounds, AntisymmetricRNN.

A map f is L-Lipschitz when ||f(a) - f(b)|| <= L ||a - b|| for all a, b (2-norms). A linear map
x -> W x has constant sigma_max(W), the largest singular value; tanh and ReLU are 1-Lipschitz;
constants multiply under composition. Bounding them keeps outputs and gradients from exploding.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


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
    mat = weight.flatten(1)
    with torch.no_grad():
        for _ in range(n_power_iterations):
            u = F.normalize(mat @ v, dim=0, eps=eps)
            v = F.normalize(mat.T @ u, dim=0, eps=eps)
    sigma = torch.dot(u, mat @ v)
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
    bound = 1.0
    for w in weights:
        bound *= float(torch.linalg.matrix_norm(w, ord=2))
    return bound


def empirical_lipschitz(weights: list[Tensor], biases: list[Tensor], a: Tensor, b: Tensor
                        ) -> float:
    """The largest observed ratio max_i ||f(a_i) - f(b_i)|| / ||a_i - b_i|| (f = mlp), a lower
    bound on the Lipschitz constant.

    Args:
        a, b: (N, D_0) pairs of inputs, a_i != b_i.
    """
    num = torch.linalg.vector_norm(mlp(weights, biases, a) - mlp(weights, biases, b), dim=1)
    den = torch.linalg.vector_norm(a - b, dim=1)
    return float((num / den).max())


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
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)
        eye = torch.eye(self.hidden_size, dtype=h.dtype, device=h.device)
        a = self.weight - self.weight.T - self.gamma * eye
        return h + self.eps * torch.tanh(h @ a.T + x @ self.weight_ih.T + self.bias)


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
    prod = torch.eye(h.shape[0], dtype=h.dtype, device=h.device)
    norms = []
    for t in range(x.shape[0]):
        x_t = x[t].unsqueeze(0)

        def step(state: Tensor, x_t: Tensor = x_t) -> Tensor:
            return cell(x_t, state.unsqueeze(0)).squeeze(0)

        jac = torch.autograd.functional.jacobian(step, h)
        prod = jac @ prod
        with torch.no_grad():
            h = step(h)
        norms.append(torch.linalg.matrix_norm(prod, ord=2))
    return torch.stack(norms).detach()
