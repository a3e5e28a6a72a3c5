"""One-step-ahead forecasting of the yearly sunspot numbers (dnn.sequences.load_sunspots).

The model reads the last ``window`` standardised values and predicts the next one. The baseline
to beat is the seasonal-naive forecast: next year = the value one solar cycle (11 years) ago.

This version standardises the training windows once, in float64 NumPy, and fits the network's
raw output to the standardised targets (no round trip through original units in the loss);
``predict`` works in the dtype of the model's buffers.
"""

import numpy as np
import torch
import torch.nn.functional as F
from bptt import clip_grad_norm_
from recurrent import SequenceModel
from torch import nn

from dnn.sequences import chronological_windows


def seasonal_naive(windows: np.ndarray, period: int = 11) -> np.ndarray:
    """The seasonal-naive forecast of the value after each window: y_hat = x[t + 1 - period].

    Args:
        windows: (N, W) with W >= period; row i holds the W values before the target.

    Returns:
        (N,) float64: ``windows[:, -period]``.
    """
    windows = np.asarray(windows)
    if period < 1 or windows.ndim != 2 or windows.shape[1] < period:
        raise ValueError(f"need (N, W) windows with W >= period = {period}, got shape "
                         f"{windows.shape}")
    return np.take(windows, windows.shape[1] - period, axis=1).astype(np.float64)


def mean_absolute_error(pred: np.ndarray, target: np.ndarray) -> float:
    """MAE = mean |pred - target|."""
    return float(np.mean(np.abs(np.asarray(pred) - np.asarray(target))))


class Forecaster(nn.Module):
    """A GRU ``SequenceModel(kind, 1, hidden_size, 1)`` on standardised values z = (v - mean) / std.

    ``mean`` and ``std`` are buffers, set from the training series."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, hidden_size: int = 16, kind: str = "gru") -> None:
        super().__init__()
        self.net = SequenceModel(kind, 1, hidden_size, 1)
        self.register_buffer("mean", torch.zeros(()))
        self.register_buffer("std", torch.ones(()))

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """windows (N, W) in original units -> the next value (N,) in original units: run the
        network over the standardised window and read the last step's output."""
        z = torch.sub(windows, self.mean).div(self.std)
        out, _ = self.net(z.unsqueeze(-1))  # (N, W, 1)
        return torch.addcmul(self.mean, out[:, -1, 0], self.std)


def train_forecaster(train: np.ndarray, *, window: int = 12, hidden_size: int = 16,
                     steps: int = 150, lr: float = 1e-2, seed: int = 0) -> Forecaster:
    """Fit a Forecaster (float32) to every window of the training series.

    ``torch.manual_seed(seed)``; mean and std of ``train`` become the buffers; the windows are
    ``chronological_windows(train, window)``. Each step is one full-batch Adam step on the MSE
    of the *standardised* next value, gradients clipped to total norm 1.

    Args:
        train: (N,) the training series in original units.
    """
    torch.manual_seed(seed)
    model = Forecaster(hidden_size)
    series = np.asarray(train, dtype=np.float64)
    mean, std = series.mean(), series.std()
    with torch.no_grad():
        model.mean.copy_(torch.tensor(mean))
        model.std.copy_(torch.tensor(std))
    xw, yw = chronological_windows(series, window)
    z_in = torch.from_numpy((xw - mean) / std).float().unsqueeze(-1)  # (N, W, 1)
    z_target = torch.from_numpy((yw - mean) / std).float()  # (N,)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        out, _ = model.net(z_in)
        loss = F.mse_loss(out[:, -1, 0], z_target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return model


def predict(model: Forecaster, windows: np.ndarray) -> np.ndarray:
    """One-step-ahead predictions for (N, W) windows, as a float64 array (N,), without gradients
    (the windows may be longer or shorter than the training window)."""
    with torch.inference_mode():
        out = model(torch.as_tensor(np.asarray(windows), dtype=model.mean.dtype))
        return out.to(torch.float64).cpu().numpy()
