"""epsilon / x0 / v parameterizations (alternative submission)."""

import torch
from noise_schedule import gather
from torch import Tensor


def _ab(t: Tensor, alphas_bar: Tensor, like: Tensor) -> tuple[Tensor, Tensor]:
    abar = gather(alphas_bar, t, like)
    return abar.sqrt(), (1 - abar).sqrt()


def velocity(x0: Tensor, noise: Tensor, t: Tensor, alphas_bar: Tensor) -> Tensor:
    """v = a eps - b x0."""
    a, b = _ab(t, alphas_bar, x0)
    return a * noise - b * x0


def training_target(x0: Tensor, noise: Tensor, t: Tensor, alphas_bar: Tensor,
                    prediction_type: str = "epsilon") -> Tensor:
    """The regression target."""
    table = {"epsilon": lambda: noise, "sample": lambda: x0,
             "v_prediction": lambda: velocity(x0, noise, t, alphas_bar)}
    if prediction_type not in table:
        raise ValueError(prediction_type)
    return table[prediction_type]()


def predict_x0(model_output: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor,
               prediction_type: str = "epsilon") -> Tensor:
    """x0 estimate."""
    a, b = _ab(t, alphas_bar, xt)
    if prediction_type == "epsilon":
        return (xt - b * model_output) / a
    if prediction_type == "sample":
        return model_output.clone()
    if prediction_type == "v_prediction":
        return a * xt - b * model_output
    raise ValueError(prediction_type)


def predict_eps(model_output: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor,
                prediction_type: str = "epsilon") -> Tensor:
    """eps estimate, from the x0 estimate."""
    a, b = _ab(t, alphas_bar, xt)
    if prediction_type == "epsilon":
        return model_output.clone()
    if prediction_type == "v_prediction":
        return a * model_output + b * xt
    x0 = predict_x0(model_output, xt, t, alphas_bar, prediction_type)
    return (xt - a * x0) / b


def diffusion_loss(model_output: Tensor, x0: Tensor, noise: Tensor, t: Tensor,
                   alphas_bar: Tensor, prediction_type: str = "epsilon") -> Tensor:
    """MSE to the target."""
    diff = model_output - training_target(x0, noise, t, alphas_bar, prediction_type)
    return diff.pow(2).sum() / diff.numel()
