"""Epsilon, x0 and v prediction: each exact target gives back x_0 and the noise."""

import pytest
import torch
from forward_process import q_sample
from noise_schedule import alphas_cumprod, cosine_betas
from parameterization import diffusion_loss, predict_eps, predict_x0, training_target, velocity


@pytest.mark.parametrize("kind", ["epsilon", "sample", "v_prediction"])
def test_exact_targets_round_trip(kind: str) -> None:
    abar = alphas_cumprod(cosine_betas(50))
    x0, noise = torch.randn(6, 2, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    t = torch.tensor([0, 5, 10, 20, 30, 45])
    xt = q_sample(x0, t, noise, abar)
    target = training_target(x0, noise, t, abar, kind)
    torch.testing.assert_close(predict_x0(target, xt, t, abar, kind), x0)
    torch.testing.assert_close(predict_eps(target, xt, t, abar, kind), noise)
    assert float(diffusion_loss(target, x0, noise, t, abar, kind)) == pytest.approx(0, abs=1e-20)


def test_velocity_by_hand_and_unknown_type() -> None:
    abar = torch.tensor([0.64], dtype=torch.float64)
    x0 = torch.tensor([[1.0]], dtype=torch.float64)
    noise = torch.tensor([[2.0]], dtype=torch.float64)
    v = velocity(x0, noise, torch.tensor([0]), abar)
    torch.testing.assert_close(v, torch.tensor([[0.8 * 2 - 0.6 * 1]], dtype=torch.float64))
    with pytest.raises(ValueError):
        training_target(x0, noise, torch.tensor([0]), abar, "x0")
