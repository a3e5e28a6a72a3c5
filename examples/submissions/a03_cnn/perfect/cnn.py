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
    n, _, h, w = x.shape
    generator = torch.Generator().manual_seed(seed)
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)
    p = max_shift
    padded = nn.functional.pad(x, (p, p, p, p))
    out = torch.empty_like(x)
    for dy in range(-p, p + 1):
        for dx in range(-p, p + 1):
            rows = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero().flatten()
            if len(rows):
                rows = rows.to(x.device)
                out[rows] = padded[rows, :, p - dy : p - dy + h, p - dx : p - dx + w]
    if flip:
        mirror = (torch.rand(n, generator=generator) < 0.5).nonzero().flatten().to(x.device)
        out[mirror] = out[mirror].flip(-1)
    return out


class SmallCNN(nn.Module):
    """Per entry of ``widths`` (a stage's output channels), two rounds of [Conv 3x3 (padding 1,
    no bias) -> BatchNorm2d -> ReLU] and a MaxPool 2x2; then global average pooling, dropout and
    a Linear layer to ``num_classes`` logits. Any H, W >= 2 ** len(widths) works: 8x8 digits,
    32x32 shapes."""

    def __init__(self, in_channels: int, num_classes: int, *,
                 widths: tuple[int, ...] = (32, 64), dropout: float = 0.1) -> None:
        """Build the layers (``self.features``, an nn.Sequential, then ``self.classifier``)."""
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        for width in widths:
            layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU(),
                       nn.Conv2d(width, width, 3, padding=1, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2)]
            channels = width
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for images x (N, in_channels, H, W)."""
        return self.classifier(self.features(x).mean(dim=(2, 3)))


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
    torch.manual_seed(seed)
    x = torch.as_tensor(x_train, dtype=torch.float32)
    y = torch.as_tensor(y_train, dtype=torch.int64)
    model = SmallCNN(x.shape[1], int(y.max()) + 1, widths=tuple(widths))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = -(-len(x) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + epoch))
        for step, start in enumerate(range(0, len(x), batch_size)):
            batch = order[start : start + batch_size]
            xb = augment(x[batch], max_shift=max_shift, flip=flip,
                         seed=seed * 1_000_003 + epoch * steps_per_epoch + step)
            loss = nn.functional.cross_entropy(model(xb), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Class labels (N,) int64: argmax of the logits, with the model in eval mode and no
    gradients recorded, in batches of at most batch_size images.

    Args:
        x: (N, C, H, W) float images (converted to float32).
    """
    model.eval()
    images = torch.as_tensor(x, dtype=torch.float32)
    labels = [model(images[i : i + batch_size]).argmax(dim=1)
              for i in range(0, len(images), batch_size)]
    return torch.cat(labels).numpy().astype(np.int64)
