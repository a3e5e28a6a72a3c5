"""A multi-layer perceptron as a torch.nn.Module.

    x (N, *) -> flatten (N, D) -> [Linear -> activation -> Dropout] per hidden width -> Linear

The attribute names fix the state_dict keys, so trained weights can be copied in and out:
``hidden.{i}.weight`` (H_i, H_{i-1}), ``hidden.{i}.bias`` (H_i,), ``out.weight`` (C, H_last),
``out.bias`` (C,), and for Swish activations ``acts.{i}.beta`` (H_i,).
"""

import torch
import torch.nn.functional as F
from swish import Swish
from torch import nn

# activation name -> factory taking the layer width
_ACTIVATIONS = {
    "relu": lambda width: nn.ReLU(),
    "swish": lambda width: Swish(width),
}


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
        try:
            make_act = _ACTIVATIONS[activation]
        except KeyError:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, "
                             f"not {activation!r}") from None
        self.flatten = nn.Flatten()
        self.hidden = nn.ModuleList()
        width = in_features
        for size in hidden:
            self.hidden.append(nn.Linear(width, size))
            width = size
        self.acts = nn.ModuleList([make_act(size) for size in hidden])
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch.

        Args:
            x: (N, in_features) or any (N, ...) with in_features elements per example.

        Returns:
            (N, num_classes). Dropout follows each activation; it is active only in train mode.
        """
        h = torch.flatten(x, start_dim=1)
        for index, layer in enumerate(self.hidden):
            h = F.linear(h, layer.weight, layer.bias)
            h = self.dropout(self.acts[index](h))
        return F.linear(h, self.out.weight, self.out.bias)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable scalars: sum of p.numel() over parameters with requires_grad."""
    trainable = filter(lambda p: p.requires_grad, model.parameters())
    return int(sum(map(torch.numel, trainable)))
