"""A multi-layer perceptron as a torch.nn.Module.

    x (N, *) -> flatten (N, D) -> [Linear -> activation -> Dropout] per hidden width -> Linear

The attribute names fix the state_dict keys, so trained weights can be copied in and out:
``hidden.{i}.weight`` (H_i, H_{i-1}), ``hidden.{i}.bias`` (H_i,), ``out.weight`` (C, H_last),
``out.bias`` (C,), and for Swish activations ``acts.{i}.beta`` (H_i,).
"""

import torch
from swish import Swish  # noqa: F401  (for the activation="swish" layers)
from torch import nn


class MLP(nn.Module):
    """Fully connected classifier producing logits."""

    def __init__(
        self,
        in_features: int,
        hidden: tuple[int, ...],
        num_classes: int,
        *,
        dropout: float = 0.0,
        activation: str = "relu",
    ) -> None:
        """Create the layers (torch's default initialisation, from the global torch RNG).

        Attributes to create, in this order:
            self.flatten: nn.Flatten() (so (N, 1, 8, 8) images work as well as (N, 64) rows)
            self.hidden:  nn.ModuleList of nn.Linear, widths in_features -> hidden[0] -> ...
            self.acts:    nn.ModuleList with one activation per hidden layer: nn.ReLU() for
                          "relu", swish.Swish(width) for "swish"; any other name: ValueError
            self.dropout: nn.Dropout(dropout)
            self.out:     nn.Linear(hidden[-1] (or in_features if hidden is empty), num_classes)
        """
        super().__init__()
        if activation not in ("relu", "swish"):
            raise ValueError(f"unknown activation {activation!r}; use 'relu' or 'swish'")
        widths = (in_features, *hidden)
        self.flatten = nn.Flatten()
        pairs = zip(widths[:-1], widths[1:], strict=True)
        self.hidden = nn.ModuleList(nn.Linear(fan_in, fan_out) for fan_in, fan_out in pairs)
        self.acts = nn.ModuleList(
            nn.ReLU() if activation == "relu" else Swish(width) for width in hidden
        )
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(widths[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch.

        Args:
            x: (N, in_features) or any (N, ...) with in_features elements per example.

        Returns:
            (N, num_classes). Dropout follows each activation; it is active only in train mode.
        """
        x = self.flatten(x)
        for linear, act in zip(self.hidden, self.acts, strict=True):
            x = self.dropout(act(linear(x)))
        return self.out(x)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable scalars: sum of p.numel() over parameters with requires_grad."""
    return sum(p.numel() for p in model.parameters())
