"""A small convolutional network in PyTorch, data augmentation, training and prediction.

Images are float arrays or tensors of shape (N, C, H, W), channels first (``dnn.data`` and
``dnn.shapes`` give them so); labels are integers in [0, num_classes).
"""

import numpy as np
import torch
from torch import nn


def augment(x: torch.Tensor, *, max_shift: int = 1, flip: bool = False, seed: int = 0
            ) -> torch.Tensor:
    """A randomly translated (and, if ``flip``, mirrored) copy of every image of a batch.

    Each image n gets its own integer shift (dy_n, dx_n), each drawn uniformly from
    {-max_shift, ..., max_shift}, and moves by it with zeros filling what comes in:

        out[n, c, i, j] = x[n, c, i - dy_n, j - dx_n]   (0 where that index is outside)

    With ``flip``, each image is then mirrored left-right with probability 1/2. The draws come
    from ``torch.Generator().manual_seed(seed)`` (never the global generator), so the same
    seed gives the same batch. max_shift = 0 without flip returns an unchanged copy.

    Args:
        x: (N, C, H, W).

    Returns:
        (N, C, H, W), the dtype and device of x; x itself is not modified.
    """
    raise NotImplementedError('implement augment in cnn.py')


class SmallCNN(nn.Module):
    """Per entry of ``widths`` (a stage's output channels), two rounds of [Conv 3x3 (padding 1,
    no bias) -> BatchNorm2d -> ReLU] and a MaxPool 2x2; then global average pooling, dropout and
    a Linear layer to ``num_classes`` logits. Any H, W >= 2 ** len(widths) works: 8x8 digits,
    32x32 shapes."""

    def __init__(self, in_channels: int, num_classes: int, *,
                 widths: tuple[int, ...] = (32, 64), dropout: float = 0.1) -> None:
        """Build the layers (``self.features``, an nn.Sequential, then ``self.classifier``)."""
        super().__init__()
        raise NotImplementedError('implement SmallCNN.__init__ in cnn.py')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for images x (N, in_channels, H, W)."""
        raise NotImplementedError('implement SmallCNN.forward in cnn.py')


def train_cnn(
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    epochs: int = 30,
    lr: float = 3e-3,
    batch_size: int = 64,
    widths: tuple[int, ...] = (32, 64),
    max_shift: int = 1,
    flip: bool = False,
    seed: int = 0,
) -> SmallCNN:
    """Train a SmallCNN (``num_classes`` = max label + 1) and return it in evaluation mode.

    Recipe: ``torch.manual_seed(seed)`` before building the model; float32 tensors; AdamW
    (lr, weight decay 1e-4) with a OneCycle learning-rate schedule over all steps; each epoch
    shuffles the training set with a ``torch.Generator`` seeded ``seed + epoch``, and each
    minibatch (at most batch_size images) is augmented (``augment`` with ``max_shift``,
    ``flip`` and a seed of your choice that differs between batches) before the forward pass;
    loss: cross-entropy.

    Args:
        x_train: (N, C, H, W) float images. y_train: (N,) integer labels.

    Returns:
        the trained model, in eval mode, on the CPU.
    """
    raise NotImplementedError('implement train_cnn in cnn.py')


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Class labels (N,) int64: argmax of the logits, with the model in eval mode and no
    gradients recorded, in batches of at most batch_size images.

    Args:
        x: (N, C, H, W) float images (converted to float32).
    """
    raise NotImplementedError('implement predict in cnn.py')
