"""What the network predicts: the noise eps, the clean sample x_0, or the velocity v.

With a = sqrt(abar_t), b = sqrt(1 - abar_t) and x_t = a x_0 + b eps (so a^2 + b^2 = 1):

    v = a eps - b x_0                          (Salimans & Ho 2022)
    from eps:  x_0 = (x_t - b eps) / a
    from x_0:  eps = (x_t - a x_0) / b
    from v:    x_0 = a x_t - b v,    eps = a v + b x_t

``prediction_type`` is "epsilon", "sample" (x_0) or "v_prediction", as diffusers names them.
Every tensor is (B, ...) and t is (B,) int64; the loss is the plain mean squared error between
the model output and the target of its prediction type.
"""

import torch
from noise_schedule import gather
from torch import Tensor

PREDICTION_TYPES = ("epsilon", "sample", "v_prediction")


def _check(prediction_type: str) -> None:
    if prediction_type not in PREDICTION_TYPES:
        raise ValueError(f"prediction_type must be one of {PREDICTION_TYPES}")


def velocity(x0: Tensor, noise: Tensor, t: Tensor, alphas_bar: Tensor) -> Tensor:
    """v = sqrt(abar_t) noise - sqrt(1 - abar_t) x_0."""
    abar = gather(alphas_bar, t, x0)
    return abar.sqrt() * noise - (1 - abar).sqrt() * x0


def training_target(x0: Tensor, noise: Tensor, t: Tensor, alphas_bar: Tensor,
                    prediction_type: str = "epsilon") -> Tensor:
    """What the model should output for x_t = q_sample(x0, t, noise): noise, x0 or v.

    Raises:
        ValueError: for an unknown prediction_type.
    """
    _check(prediction_type)
    if prediction_type == "epsilon":
        return noise
    if prediction_type == "sample":
        return x0
    return velocity(x0, noise, t, alphas_bar)


def predict_x0(model_output: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor,
               prediction_type: str = "epsilon") -> Tensor:
    """The model's estimate of x_0 from its output at (x_t, t) (module docstring).

    Raises:
        ValueError: for an unknown prediction_type.
    """
    _check(prediction_type)
    abar = gather(alphas_bar, t, xt)
    a, b = abar.sqrt(), (1 - abar).sqrt()
    if prediction_type == "epsilon":
        return (xt - b * model_output) / a
    if prediction_type == "sample":
        return model_output
    return a * xt - b * model_output


def predict_eps(model_output: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor,
                prediction_type: str = "epsilon") -> Tensor:
    """The model's estimate of the noise eps from its output at (x_t, t) (module docstring).

    Raises:
        ValueError: for an unknown prediction_type.
    """
    _check(prediction_type)
    abar = gather(alphas_bar, t, xt)
    a, b = abar.sqrt(), (1 - abar).sqrt()
    if prediction_type == "epsilon":
        return model_output
    if prediction_type == "sample":
        return (xt - a * model_output) / b
    return a * model_output - b * xt


def diffusion_loss(model_output: Tensor, x0: Tensor, noise: Tensor, t: Tensor,
                   alphas_bar: Tensor, prediction_type: str = "epsilon") -> Tensor:
    """Scalar mean over all elements of (model_output - training_target(...))^2."""
    target = training_target(x0, noise, t, alphas_bar, prediction_type)
    return torch.mean((model_output - target) ** 2)
